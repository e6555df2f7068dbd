// The project file (TOML): which layers to read, how their fields are named, the grid levels, the service kinds
// with their walking thresholds, and the rule thresholds. Parsing only: no file other than the project file is
// opened here. See data/sample/project.toml for a complete example and README.md for every key.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "access/service_access.hpp"
#include "assign/household_placement.hpp"
#include "layer_source.hpp"
#include "model/records.hpp"

namespace gridatlas::layers {

struct GridLevelSource {
    std::string key;        // "community"
    std::string label;      // "社区"
    LayerSource source;     // fields: code (required), name, parent_code
    // Several levels in one layer: this level's grids are the features whose level_field equals level_value (as
    // text; "2" also matches 2 and 2.0). Both empty: every feature of the layer.
    std::string level_field;
    std::string level_value;
};

struct WalkabilityRules {
    std::vector<std::string> excluded_highways{"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed"};
    std::vector<std::string> excluded_foot{"no"};
    std::vector<std::string> excluded_access{"private", "no"};
    std::vector<std::string> join_exclude{"tunnel", "covered", "bridge", "layer_below_0", "layer_above_0"};  // walked, never joined
};

struct RuleThresholds {
    int standalone_party_org_households = 300;   // 000: 300+ households → own party organisation
    int community_max_households = 3000;         // 003
    int grid_min_households = 300;
    int grid_max_households = 500;
};

struct MapSettings {
    std::string headline_kind;      // the kind the overview colours buildings by; default: the first kind (empty: none)
    std::string title;
    int width_px = 2400;
    // The data's credit line printed on every map, atlas page and tile set (e.g. "© OpenStreetMap contributors" for
    // OSM-derived data); empty: none.
    std::string attribution;
};

struct ProjectConfig {
    std::filesystem::path file;     // the project file itself
    std::string name;
    std::string working_crs = "auto";
    LayerSource buildings;
    std::optional<LayerSource> units;
    LayerSource households;         // fields: id, building (required); unit, floor, room, persons, party_members,
                                    // address, x, y, status; name, phone and key_groups (personal: read only
                                    // for officer products)
    StatusVocabulary household_status;             // status_resident … status_business: values of the status field
    assign::PlacementOptions household_placement;  // address_pattern / address_groups / address_building_id, max_nearest_m
    std::vector<GridLevelSource> grid_levels;
    std::optional<LayerSource> entrances;   // points; fields: building (required), id. A building with entrances joins
                                            // the walk network at them instead of its anchor
    LayerSource facilities;
    LayerSource roads;
    // [buildings], [facilities] and [roads] are optional: a layer not given keeps an empty file. A grids-only project
    // (grid polygons and a roster) places households by their points; without roads or facilities no walking access.
    bool has_buildings() const { return !buildings.file.empty(); }
    bool has_facilities() const { return !facilities.file.empty(); }
    bool has_roads() const { return !roads.file.empty(); }
    WalkabilityRules walkability;
    access::WalkingOptions walking;
    // Named walking speeds (m/s) a job can switch to with --profile. "adult" is walking.speed_m_per_s.
    std::map<std::string, double> walking_profiles{{"adult", 1.1}, {"elderly", 0.8}};
    std::vector<ServiceKind> service_kinds;
    RuleThresholds rules;
    MapSettings map;
};

// One key of the project file's schema: the checker uses it and README.md's schema table is tested against it.
// In layer tables (`layer_table`) only the settings are listed: every other key there is a field mapping.
struct SchemaKey {
    std::string table;          // "walking", "service_kinds" ([[...]]), "walking.profiles"
    std::string key;            // "speed_m_per_s"; "*" in walking.profiles: any profile name
    std::string type;           // what the value must be, as the README shows it: "number > 0", "text", …
    std::string default_value;  // as the README shows it; "" when required or without default
    std::string description;
};
// Every table and key GridAtlas reads from a project file.
const std::vector<SchemaKey>& project_schema();
// The tables whose other keys are field mappings (buildings, households, …, grid_levels).
bool is_layer_table(const std::string& table);

// Reads and checks a project file. Throws DataError naming the file and the key on any problem.
ProjectConfig read_project_config(const std::filesystem::path& file);

}  // namespace gridatlas::layers
