// The records GridAtlas works on: plain value types in the working metric CRS, with strong ids.
// Every record keeps the id its source file gave it (source_id), so messages and outputs speak the user's language.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geometry/types.hpp"
#include "model/compact_optional.hpp"
#include "model/diagnostics.hpp"
#include "model/household_status.hpp"
#include "model/ids.hpp"
#include "model/short_string.hpp"

namespace gridatlas {

struct Building {
    BuildingId id;
    std::string source_id;
    std::string name;
    geo::MultiPolygon footprint;
    geo::Point anchor;          // a point inside the footprint (point on surface): snapping and labels
    double area_m2 = 0;
    int floors = 0;             // 0 when unknown
    bool residential = true;
};

// A door of a building from the optional entrance-point layer. A residential building with entrances joins the walk
// network at each of them instead of at its anchor; its distance to a service is the shortest over its entrances.
struct Entrance {
    std::string source_id;      // the entrance's id in its layer, else "fid:N"
    BuildingId building;
    geo::Point location;
    SourceLocation origin;      // file, layer and feature: for messages
};

// A stairwell unit (单元) of a building, numbered 1..n within it.
struct Unit {
    UnitId id;
    BuildingId building;
    int number = 0;
    std::string source_id;
    geo::Point location;
    int floors = 0;
    int households_per_floor = 0;
};

// A named level of the grid hierarchy, index 0 the top (e.g. 社区), the last the finest (e.g. 网格).
struct GridLevel {
    std::string key;    // "community", "grid", …
    std::string name;   // "社区", "网格", …
};

struct Grid {
    GridId id;
    int level = 0;              // index into Dataset::levels
    std::string code;
    std::string name;
    std::string parent_code;    // as given by the source, may be empty
    GridId parent;              // resolved by the hierarchy stage; invalid for the top level
    geo::MultiPolygon area;
    SourceLocation origin;      // file, layer, feature and a vertex in the layer's CRS: for messages
};

// One row of the household roster. Personal fields (names, phones) are never loaded into the engine.
// A roster has a million of these, so the fields are compact (112 bytes): texts are ShortString (16 bytes, up to 15
// bytes inline), the optional numbers and the point keep "none" in a value they cannot take (compact_optional.hpp).
struct Household {
    HouseholdId id;
    HouseholdStatus status = HouseholdStatus::not_given;   // [households] status; key groups (重点人群) are personal
                                                           // and never loaded here (layers/personal_fields.hpp)
    OptionalInt unit_number;            // 单元 number as written
    OptionalInt floor;
    int persons = 0;
    int party_members = 0;              // > 0: a party-member household (党员户)
    std::int64_t row = 0;               // 1-based data row in the roster, for messages
    OptionalPoint location;             // when the roster carries coordinates
    ShortString source_id;              // household id in the roster; may be empty or duplicated in bad input
    ShortString building_ref;           // building id as written in the roster
    ShortString room;
    ShortString address;                // the address as written, when the roster has one (parsed by assign::AddressPattern)
};

struct Facility {
    FacilityId id;
    std::string source_id;
    std::string kind;           // a ServiceKind key
    std::string name;
    geo::Point location;
    SourceLocation origin;      // for messages
};

// A road or path line as read. Walkability is decided by the layers stage from tags (see WalkabilityRules).
struct RoadLine {
    std::string source_id;
    std::string highway;
    std::string name;
    geo::LineString line;
    int level = 0;              // vertical level from layer/bridge/tunnel: lines only join at shared vertices where
                                // levels agree or one of them ends there (OSM convention: bridges join at their ends)
    bool walkable = true;
    bool joinable = true;       // buildings and facilities may join here (false: a tunnel, bridge, … walked only through)
};

// A kind of service with its walking threshold, e.g. {party_mass_centre, 党群服务中心, 15 min}.
struct ServiceKind {
    std::string key;
    std::string name;
    double minutes = 15;
    bool in_life_circle = true;  // counts towards the "complete" 15-minute circle of a household
};

}  // namespace gridatlas
