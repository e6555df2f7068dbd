// How a roster row finds its building when it does not name one: by its address (a configurable pattern) or by its
// coordinates (the building the point lies in, else the nearest building within a distance, flagged).
//
// The order, per row (the first locator the row gives decides; a wrong one is reported, not papered over by the next):
//   1. a building id (the roster's building field)            → placed_by building_id
//   2. else an address, parsed by the project's AddressPattern → placed_by address; the building id is built from the
//      pattern's groups (a template, "{building}" by default) and looked up among the building ids, then, when no id
//      matches, among the building names (unique match only); unparsable → Reason::unparsable_address
//   3. else coordinates (Household::location, working CRS)     → the building whose footprint covers the point
//      (placed_by point_in_building; overlapping footprints: the smallest, then the lowest index), else the nearest
//      residential building within max_nearest_m (placed_by nearest_building, with the distance: flagged for
//      checking), else Reason::no_building_at_location
//   4. else Reason::missing_building_ref
// Pure computation: no I/O, and no address or coordinate value ever goes into a message.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/dataset.hpp"

namespace gridatlas::assign {

// Why a household is not placed at a level (assigned: it is).
enum class Reason : std::uint8_t {
    assigned,
    duplicate_household_id,   // a later row repeats an earlier row's household id
    missing_building_ref,     // the roster row names no building, no address and no coordinates
    unknown_building,         // the building id (given, or built from the address) exists in no building feature
    ambiguous_building,       // the building id belongs to several features
    rejected_building,        // the building's feature was unusable (no or broken geometry), see the warnings
    no_unit_given,            // unit level only: the row names no unit
    unknown_unit,             // unit level only: the building has no unit of that number
    outside_grids,            // grid levels only: the building lies in no grid of that level
    unparsable_address,       // the address does not match the pattern (or no pattern is configured)
    no_building_at_location,  // the coordinates lie in no building and none is within max_nearest_m
    no_buildings_layer,       // the project has no buildings: only a row's coordinates can place it (in grids directly)
};
const char* to_string(Reason r);

// How a household found its building.
enum class PlacedBy : std::uint8_t {
    none, building_id, address, point_in_building, nearest_building,
    point_in_grid,   // grids-only project (no buildings): the row's coordinates placed straight into the grids
};
const char* to_string(PlacedBy p);

// A whole number as written in a roster or an address: "3", "03", "３" (full width), "三", "十二", "二十三", "一〇一",
// "两"; surrounding spaces ignored. nullopt for anything else (and for values above 99,999,999).
std::optional<int> parse_number(std::string_view text);

// What an address yields.
struct AddressParts {
    std::string building;               // the building id built from the template
    std::optional<int> unit;
    std::optional<int> floor;
    std::string room;
    std::map<std::string, std::string> groups;  // every named group that matched, by name
};

// A regular expression for the roster's addresses, with its capture groups named.
//   pattern: ECMAScript syntax (std::regex), matched anywhere in the address (anchor with ^…$ to match it whole),
//            over Unicode code points, so character classes may hold Chinese characters ([一二三四五六七八九十]+).
//            Groups are named either in the pattern — Python's (?P<name>…) or (?<name>…), turned into numbered groups
//            in order — or, for a plain ECMAScript pattern, by `groups`: one name per capturing group in order ("" for
//            a group to ignore). The same name may be given to several groups (alternatives): the one that matched
//            counts.
//   Names with a meaning: building (used by the default template), unit and floor (whole numbers, see
//   parse_number), room (text). Any other name (e.g. compound) can be used in the template.
//   building_id: the template building the building id, "{building}" by default; e.g. "{compound}-{building}" or
//            "B{building}". Every {name} in it must be a group. A value written in Chinese numerals or full-width
//            digits (三, 十二, ３) goes in as ASCII digits (3, 12); ASCII digits are kept as written.
// A row whose address does not match, whose template groups are empty, or whose unit/floor is not a number is
// unparsable.
class AddressPattern {
public:
    // Throws std::invalid_argument with a message for the user (bad regex, groups not named, template unknown name).
    explicit AddressPattern(const std::string& pattern, std::vector<std::string> groups = {},
                            std::string building_id = "{building}");
    std::optional<AddressParts> parse(std::string_view address) const;
    const std::string& pattern() const { return pattern_; }
    const std::vector<std::string>& group_names() const { return names_; }   // per capture group, in order
    const std::string& building_template() const { return template_; }

private:
    std::string pattern_;
    std::string template_;
    std::vector<std::string> names_;
    std::shared_ptr<const std::wregex> regex_;   // shared: compiled once, copies are cheap
};

struct PlacementOptions {
    std::optional<AddressPattern> address;  // without it, a row with only an address is unparsable_address
    double max_nearest_m = 30;              // a point outside every building goes to the nearest within this distance
};

// Buildings by footprint, for points: an R-tree of footprint boxes, then exact Boost.Geometry tests.
class BuildingLocator {
public:
    explicit BuildingLocator(const Dataset& ds);
    ~BuildingLocator();
    BuildingLocator(BuildingLocator&&) noexcept;
    BuildingLocator& operator=(BuildingLocator&&) noexcept;

    struct Hit {
        BuildingId building;
        double distance_m = 0;  // 0 when inside
        bool inside = false;
    };
    // The building covering `p` (boundary included; overlapping footprints: the smallest area, then the lowest
    // index), else the nearest residential building within max_nearest_m (ties: the lowest index), else nullopt.
    std::optional<Hit> locate(const geo::Point& p, double max_nearest_m) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Where one household's building comes from, before units and grids.
struct BuildingMatch {
    Reason reason = Reason::missing_building_ref;
    PlacedBy placed_by = PlacedBy::none;
    BuildingId building;
    double distance_m = 0;                  // nearest_building: how far the point is from the footprint
    OptionalInt unit_number;                // the roster's unit, else the address's
    OptionalInt floor;                      // the roster's floor, else the address's
    ShortString room;                       // the roster's room, else the address's
};

// Resolves a household's building by the order above (duplicate ids are the caller's business). The R-tree is built
// only when a household has coordinates, the building-name index only when one has an address.
class BuildingResolver {
public:
    BuildingResolver(const Dataset& ds, const PlacementOptions& options);
    ~BuildingResolver();
    BuildingMatch resolve(const Household& h) const;

private:
    const Dataset& ds_;
    const PlacementOptions& options_;
    std::unique_ptr<BuildingLocator> locator_;                        // built when a household has coordinates
    std::unordered_map<std::string, std::vector<BuildingId>> names_;   // built when a household has an address
    Reason by_id(const std::string& id, BuildingId& out) const;
};

}  // namespace gridatlas::assign
