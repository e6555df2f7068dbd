// Reads the project file (TOML) into a ProjectConfig: the layers with their field mappings (only [households] and
// [[grid_levels]] are required), household placement, grid levels, walking, service kinds, rules and map settings.
// The schema check (unknown keys, wrong types) runs first, in project_schema.cpp.
#include "project_config.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <set>
#include <sstream>

#include "model/diagnostics.hpp"
#include "postgis_connection.hpp"
#include "project_schema.hpp"

namespace gridatlas::layers {

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& key, const std::string& message,
                       const std::string& hint) {
    throw DataError({Severity::error, "bad_project_file", {file.string(), "", key.empty() ? "" : "[" + key + "]", {}, {}},
                     message, hint});
}

const std::set<std::string> reserved_keys = {"file", "layer", "sheet", "crs", "key", "label", "encoding"};

// `settings`: keys of the table that are settings rather than field mappings (read by the caller).
LayerSource read_layer(const std::filesystem::path& project, const toml::table& t, const std::string& role,
                       const std::set<std::string>& settings = {}) {
    LayerSource src;
    src.role = role;
    auto file = t["file"].value<std::string>();
    if (!file || file->empty()) fail(project, role, "the " + role + " layer has no file", "add file = \"<path>\"");
    if (is_pg_source(*file)) {  // a PostgreSQL/PostGIS table: the connection is kept as given, never made a path
        src.file = checked_pg_source(*file, {project.string(), "", "[" + role + "] file", {}, {}});
        if (!t.contains("layer"))
            fail(project, role + ".layer", "the " + role + " layer is a PostgreSQL connection without a table",
                 "add layer = \"<schema>.<table>\" (e.g. \"public.buildings\")");
    } else {
        src.file = std::filesystem::path(*file);
        if (src.file.is_relative()) src.file = project.parent_path() / src.file;
        src.file = src.file.lexically_normal();
    }
    src.layer = t["layer"].value_or(std::string{});
    if (t.contains("sheet")) {  // a workbook's sheet, by name: the GDAL layer of the XLSX/XLS drivers
        if (t.contains("layer")) fail(project, role + ".sheet", "both sheet and layer are given", "keep one: sheet = \"<sheet name>\"");
        src.layer = t["sheet"].value_or(std::string{});
    }
    src.crs = t["crs"].value_or(std::string{});
    if (const auto* e = t.get("encoding")) {
        const auto enc = e->value<std::string>();
        std::string u = enc.value_or("");
        for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (!enc || (u != "UTF-8" && u != "UTF8" && u != "GBK" && u != "CP936" && u != "GB18030" && u != "AUTO"))
            fail(project, role + ".encoding", "encoding = " + (enc ? "\"" + *enc + "\"" : std::string("a non-string")) +
                 " is not one GridAtlas reads", "use \"UTF-8\", \"GBK\", \"GB18030\" or \"auto\" (detect per field)");
        src.encoding = u == "AUTO" ? "" : u;
    }
    for (const auto& [k, v] : t) {
        const std::string key(k.str());
        if (reserved_keys.count(key) || settings.count(key)) continue;
        auto field = v.value<std::string>();
        if (!field) fail(project, role + "." + key, "field mappings are strings", key + " = \"<field name in the layer>\"");
        src.fields[key] = *field;
    }
    return src;
}

const toml::table& require_table(const std::filesystem::path& project, const toml::table& root, const std::string& key) {
    const toml::table* t = root[key].as_table();
    if (!t) fail(project, key, "the project file has no [" + key + "] table", "see data/sample/project.toml for an example");
    return *t;
}

std::vector<std::string> strings(const toml::node_view<const toml::node>& node, std::vector<std::string> fallback) {
    const toml::array* a = node.as_array();
    if (!a) return fallback;
    std::vector<std::string> out;
    for (const auto& v : *a)
        if (auto s = v.value<std::string>()) out.push_back(*s);
    return out;
}

// [households]: how rows without a building id find their building (address pattern, coordinates).
const std::set<std::string> household_settings = {"address_pattern", "address_groups", "address_building_id", "max_nearest_m",
                                                   "status_resident", "status_rented", "status_vacant", "status_business"};

// [households] status_resident … status_business: the roster values of each status (replacing the defaults). A value
// listed under two statuses would make a household's status depend on the order of the lists: an error.
// The status field's values appear in warnings; a status mapped onto a personal field would put names or phones there.
StatusVocabulary read_status_vocabulary(const std::filesystem::path& project, const toml::table& t, const LayerSource& src) {
    if (src.maps("status"))
        for (const char* personal : {"name", "phone", "key_groups"})
            if (src.maps(personal) && src.field(personal) == src.field("status"))
                fail(project, "households.status", std::string("status and ") + personal + " name the same field '" + src.field("status") +
                     "'; the status's values are shown in warnings and " + personal + " is personal",
                     "map status to the roster's status column (常住 / 租住 / 空置 / 经营)");
    StatusVocabulary out;
    const char* keys[4] = {"status_resident", "status_rented", "status_vacant", "status_business"};
    for (std::size_t i = 0; i < 4; ++i) {
        if (!t.contains(keys[i])) continue;
        out.values[i] = strings(t[keys[i]], {});
        if (out.values[i].empty())
            fail(project, std::string("households.") + keys[i], std::string(keys[i]) + " must list at least one value",
                 std::string(keys[i]) + " = [\"" + status_word(counted_statuses[i]) + "\", \"" + status_key(counted_statuses[i]) + "\"]");
    }
    for (std::size_t i = 0; i < 4; ++i)
        for (const auto& v : out.values[i]) {
            StatusVocabulary just_v;   // the same trimming and case folding as the roster's values get
            just_v.values = {{{v}, {}, {}, {}}};
            for (std::size_t j = i + 1; j < 4; ++j)
                for (const auto& w : out.values[j])
                    if (just_v.match(w))
                        fail(project, "households", "the status value \"" + v + "\" is listed under both " + keys[i] + " and " + keys[j],
                             "list each roster value under one status only (defaults: see README.md, household status)");
        }
    return out;
}

assign::PlacementOptions read_household_placement(const std::filesystem::path& project, const toml::table& t,
                                                  const LayerSource& src) {
    assign::PlacementOptions out;
    if (t.contains("max_nearest_m")) {
        auto d = t["max_nearest_m"].value<double>();
        if (!d || *d < 0) fail(project, "households.max_nearest_m", "max_nearest_m must be a distance in metres, 0 or more",
                               "max_nearest_m = 30 (0: a point must lie inside a building)");
        out.max_nearest_m = *d;
    }
    const bool has_pattern = t.contains("address_pattern");
    if (src.maps("address") && !has_pattern)
        fail(project, "households.address_pattern", "the roster's address field is mapped but no address_pattern is given",
             R"x(add address_pattern = "(?P<building>\\d+)栋(?P<unit>\\d+)单元" (see README.md))x");
    if (has_pattern) {
        if (!src.maps("address"))
            fail(project, "households.address", "address_pattern is given but no address field is mapped", "add address = \"<field>\"");
        auto pattern = t["address_pattern"].value<std::string>();
        if (!pattern) fail(project, "households.address_pattern", "address_pattern must be a string", "a regular expression");
        std::vector<std::string> groups;
        if (t.contains("address_groups")) {
            const toml::array* a = t["address_groups"].as_array();
            if (!a) fail(project, "households.address_groups", "address_groups must be a list of names", R"(["building", "unit", "room"])");
            for (const auto& v : *a) {
                auto name = v.value<std::string>();
                if (!name) fail(project, "households.address_groups", "address_groups must be a list of names", R"(["building", "unit", "room"])");
                groups.push_back(*name);
            }
        }
        const std::string building_id = t["address_building_id"].value_or(std::string{"{building}"});
        try {
            out.address.emplace(*pattern, groups, building_id);
        } catch (const std::invalid_argument& e) {
            fail(project, "households.address_pattern", e.what(),
                 R"x(e.g. address_pattern = "(?P<building>\\d+)栋(?P<unit>\\d+)单元(?P<room>\\d+)")x");
        }
    }
    if (src.maps("x") != src.maps("y"))
        fail(project, "households", "only one of x and y is mapped", "map both: x = \"<field>\", y = \"<field>\"");
    if (src.maps("x") && src.crs.empty())
        fail(project, "households.crs", "the roster's coordinates (x, y) need their CRS",
             "add crs = \"EPSG:4326\" (lon/lat) or the CRS they are in to [households]");
    return out;
}

// [[grid_levels]] level_field / level_value: one layer holding several levels.
void read_level_selection(const std::filesystem::path& project, const toml::table& t, GridLevelSource& level) {
    const std::string where = "grid_levels." + level.key;
    const bool has_field = t.contains("level_field"), has_value = t.contains("level_value");
    if (has_field != has_value)
        fail(project, where, has_field ? "level_field is given without level_value" : "level_value is given without level_field",
             "give both: level_field = \"<field holding each feature's level>\" and level_value = \"<this level's value>\"");
    if (!has_field) return;
    auto field = t["level_field"].value<std::string>();
    if (!field || field->empty())
        fail(project, where + ".level_field", "level_field must be the name of a field of the layer", "level_field = \"level\"");
    level.level_field = *field;
    if (auto text = t["level_value"].value<std::string>()) level.level_value = *text;
    else if (const auto* integer = t["level_value"].as_integer()) level.level_value = std::to_string(integer->get());
    else fail(project, where + ".level_value", "level_value must be text or a whole number", "level_value = \"网格\" or level_value = 2");
    if (level.level_value.empty())
        fail(project, where + ".level_value", "level_value is empty", "give the value this level's features carry in " + level.level_field);
}

std::string number_text(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

// [walking] search_limit_min: the default, and never below a threshold (a building in time would be reported beyond).
void read_search_limit(const std::filesystem::path& project, const toml::table* walking, ProjectConfig& cfg) {
    double largest = 0;
    std::string largest_kind;
    for (const auto& k : cfg.service_kinds)
        if (k.minutes > largest) { largest = k.minutes; largest_kind = k.key; }
    if (largest > 0) cfg.walking.search_limit_min = 4 * largest;   // no kinds: the default (no limit), nothing is searched
    if (!walking || !walking->contains("search_limit_min")) return;
    auto limit = (*walking)["search_limit_min"].value<double>();
    if (!limit || std::isnan(*limit) || *limit <= 0)
        fail(project, "walking.search_limit_min", "search_limit_min must be a positive number of minutes",
             "search_limit_min = 60 (inf: search the whole network)");
    if (*limit < largest)
        fail(project, "walking.search_limit_min",
             "search_limit_min = " + number_text(*limit) + " is below the threshold of service kind '" + largest_kind + "' (" +
                 number_text(largest) + " min): buildings within that threshold would be reported beyond the limit",
             "raise it to at least the largest threshold; the default is 4 × the largest threshold");
    cfg.walking.search_limit_min = *limit;
}

// [entrances]: `building` maps the field naming each entrance's building (`building_field` is accepted too).
LayerSource read_entrances(const std::filesystem::path& project, const toml::table& t) {
    LayerSource src = read_layer(project, t, "entrances", {"building_field"});
    if (t.contains("building_field")) {
        auto field = t["building_field"].value<std::string>();
        if (!field || field->empty())
            fail(project, "entrances.building_field", "building_field must be the name of a field of the layer", "building_field = \"building_id\"");
        if (src.maps("building") && src.field("building") != *field)
            fail(project, "entrances", "building and building_field name different fields", "keep one: building = \"<field>\"");
        src.fields["building"] = *field;
    }
    return src;
}

const toml::array no_kinds;

// An optional layer table: absent, the layer is not given (its LayerSource keeps an empty file).
LayerSource optional_layer(const std::filesystem::path& project, const toml::table& root, const std::string& key) {
    if (!root.contains(key)) {
        LayerSource none;
        none.role = key;
        return none;
    }
    const toml::table* t = root[key].as_table();
    if (!t) fail(project, key, key + " must be a table", "write [" + key + "] with file and the field mappings");
    return read_layer(project, *t, key);
}

// The layers. Only [households] and [[grid_levels]] are required: without [buildings] households are placed by their
// points straight into the grids; without [roads] or [facilities] walking access is skipped (ProjectState says so).
// Units and entrances belong to buildings, so they need [buildings].
void read_layers(const toml::table& root, ProjectConfig& cfg) {
    cfg.buildings = optional_layer(cfg.file, root, "buildings");
    if (root["units"].as_table()) cfg.units = read_layer(cfg.file, *root["units"].as_table(), "units");
    cfg.households = read_layer(cfg.file, require_table(cfg.file, root, "households"), "households", household_settings);
    cfg.household_placement = read_household_placement(cfg.file, require_table(cfg.file, root, "households"), cfg.households);
    cfg.household_status = read_status_vocabulary(cfg.file, require_table(cfg.file, root, "households"), cfg.households);
    cfg.facilities = optional_layer(cfg.file, root, "facilities");
    cfg.roads = optional_layer(cfg.file, root, "roads");
    if (root.contains("entrances")) {
        const toml::table* e = root["entrances"].as_table();
        if (!e) fail(cfg.file, "entrances", "entrances must be a table", "write [entrances] with file, building and optionally id");
        cfg.entrances = read_entrances(cfg.file, *e);
    }
    if (!cfg.has_buildings())
        for (const auto& [needs, given] : {std::pair{"units", cfg.units.has_value()}, std::pair{"entrances", cfg.entrances.has_value()}})
            if (given)
                fail(cfg.file, needs, std::string("[") + needs + "] belongs to buildings, but the project has no [buildings] table",
                     std::string("add [buildings], or remove [") + needs + "]");
}

toml::table parse_project_file(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file))
        throw DataError({Severity::error, "file_not_found", {file.string(), "", "", {}, {}}, "the project file does not exist",
                         "give the path of a project .toml; data/sample/project.toml is an example"});
    try {
        return toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw DataError({Severity::error, "bad_project_file",
                         {file.string(), "", "line " + std::to_string(e.source().begin.line), {}, {}},
                         std::string("not valid TOML: ") + std::string(e.description()), "fix the syntax at that line"});
    }
}

// [[grid_levels]]: at least one, top level first, each with its own key.
void read_grid_levels(const toml::table& root, ProjectConfig& cfg) {
    const toml::array* levels = root["grid_levels"].as_array();
    if (!levels || levels->empty())
        fail(cfg.file, "grid_levels", "no grid levels are defined",
             "add one [[grid_levels]] table per level, top level first (e.g. 社区, then 网格)");
    std::set<std::string> level_keys;
    for (const auto& node : *levels) {
        const toml::table* t = node.as_table();
        if (!t) fail(cfg.file, "grid_levels", "each grid level must be a table", "write [[grid_levels]] blocks");
        GridLevelSource level;
        level.key = (*t)["key"].value_or(std::string{});
        level.label = (*t)["label"].value_or(level.key);
        if (level.key.empty()) fail(cfg.file, "grid_levels", "a grid level has no key", "add key = \"community\" (ASCII, unique)");
        if (!level_keys.insert(level.key).second) fail(cfg.file, "grid_levels", "grid level key '" + level.key + "' is used twice", "give each level its own key");
        level.source = read_layer(cfg.file, *t, "grid level '" + level.key + "'", {"level_field", "level_value"});
        read_level_selection(cfg.file, *t, level);
        cfg.grid_levels.push_back(std::move(level));
    }
}

// [walking]: speed, snapping, which ways are walkable and joinable, and named speed profiles ("adult" is the speed).
void read_walking(const toml::table& root, ProjectConfig& cfg) {
    if (const toml::table* w = root["walking"].as_table()) {
        cfg.walking.speed_m_per_s = (*w)["speed_m_per_s"].value_or(cfg.walking.speed_m_per_s);
        cfg.walking.max_snap_m = (*w)["max_snap_m"].value_or(cfg.walking.max_snap_m);
        cfg.walkability.excluded_highways = strings((*w)["excluded_highways"], cfg.walkability.excluded_highways);
        cfg.walkability.excluded_foot = strings((*w)["excluded_foot"], cfg.walkability.excluded_foot);
        cfg.walkability.excluded_access = strings((*w)["excluded_access"], cfg.walkability.excluded_access);
        cfg.walkability.join_exclude = strings((*w)["join_exclude"], cfg.walkability.join_exclude);
        if (cfg.walking.speed_m_per_s <= 0) fail(cfg.file, "walking", "speed_m_per_s must be positive", "1.1 m/s is an adult's walking pace");
        if (const toml::table* profiles = (*w)["profiles"].as_table())
            for (const auto& [name, v] : *profiles) {
                auto speed = v.value<double>();
                if (!speed || *speed <= 0)
                    fail(cfg.file, "walking.profiles", "profile '" + std::string(name.str()) + "' needs a positive speed in m/s", "elderly = 0.8");
                cfg.walking_profiles[std::string(name.str())] = *speed;
            }
    }
    cfg.walking_profiles["adult"] = cfg.walking.speed_m_per_s;
}

// [[service_kinds]]: required when there are facilities. Returns their keys.
std::set<std::string> read_service_kinds(const toml::table& root, ProjectConfig& cfg) {
    const toml::array* kinds = root["service_kinds"].as_array();
    if ((!kinds || kinds->empty()) && cfg.has_facilities())
        fail(cfg.file, "service_kinds", "no service kinds are defined", "add [[service_kinds]] tables with key, name and minutes");
    if (!kinds) kinds = &no_kinds;
    std::set<std::string> kind_keys;
    for (const auto& node : *kinds) {
        const toml::table* t = node.as_table();
        if (!t) fail(cfg.file, "service_kinds", "each service kind must be a table", "write [[service_kinds]] blocks");
        ServiceKind k;
        k.key = (*t)["key"].value_or(std::string{});
        k.name = (*t)["name"].value_or(k.key);
        k.minutes = (*t)["minutes"].value_or(15.0);
        k.in_life_circle = (*t)["life_circle"].value_or(true);
        if (k.key.empty()) fail(cfg.file, "service_kinds", "a service kind has no key", "add key = \"clinic\" (the value in the facilities' kind field)");
        if (k.minutes <= 0) fail(cfg.file, "service_kinds", "kind '" + k.key + "' has a non-positive threshold", "minutes = 15");
        if (!kind_keys.insert(k.key).second) fail(cfg.file, "service_kinds", "service kind '" + k.key + "' is defined twice", "keep one");
        cfg.service_kinds.push_back(k);
    }
    return kind_keys;
}

void read_rules(const toml::table& root, ProjectConfig& cfg) {
    const toml::table* r = root["rules"].as_table();
    if (!r) return;
    cfg.rules.standalone_party_org_households = (*r)["standalone_party_org_households"].value_or(cfg.rules.standalone_party_org_households);
    cfg.rules.community_max_households = (*r)["community_max_households"].value_or(cfg.rules.community_max_households);
    cfg.rules.grid_min_households = (*r)["grid_min_households"].value_or(cfg.rules.grid_min_households);
    cfg.rules.grid_max_households = (*r)["grid_max_households"].value_or(cfg.rules.grid_max_households);
    if (cfg.rules.grid_min_households > cfg.rules.grid_max_households)
        fail(cfg.file, "rules", "grid_min_households = " + std::to_string(cfg.rules.grid_min_households) +
             " is above grid_max_households = " + std::to_string(cfg.rules.grid_max_households),
             "the fewest households of a grid must not exceed the most (default 300 and 500)");
}

// [map]: the headline kind (default: the first service kind) and the title (default: the project's name).
void read_map(const toml::table& root, const std::set<std::string>& kind_keys, ProjectConfig& cfg) {
    if (const toml::table* m = root["map"].as_table()) {
        cfg.map.headline_kind = (*m)["headline_kind"].value_or(std::string{});
        cfg.map.title = (*m)["title"].value_or(std::string{});
        cfg.map.width_px = (*m)["width_px"].value_or(cfg.map.width_px);
        cfg.map.attribution = (*m)["attribution"].value_or(std::string{});
    }
    if (cfg.map.headline_kind.empty() && !cfg.service_kinds.empty()) cfg.map.headline_kind = cfg.service_kinds.front().key;
    if (!cfg.map.headline_kind.empty() && !kind_keys.count(cfg.map.headline_kind))
        fail(cfg.file, "map", "headline_kind '" + cfg.map.headline_kind + "' is not a service kind", "use one of the [[service_kinds]] keys");
    if (cfg.map.title.empty()) cfg.map.title = cfg.name;
}

}  // namespace

ProjectConfig read_project_config(const std::filesystem::path& file) {
    ProjectConfig cfg;
    cfg.file = std::filesystem::absolute(file).lexically_normal();
    const toml::table root = parse_project_file(cfg.file);
    check_project_schema(cfg.file, root);
    if (const toml::table* project = root["project"].as_table()) {
        cfg.name = (*project)["name"].value_or(std::string{});
        cfg.working_crs = (*project)["working_crs"].value_or(std::string{"auto"});
    }
    read_layers(root, cfg);
    read_grid_levels(root, cfg);
    read_walking(root, cfg);
    const std::set<std::string> kind_keys = read_service_kinds(root, cfg);
    read_search_limit(cfg.file, root["walking"].as_table(), cfg);
    read_rules(root, cfg);
    read_map(root, kind_keys, cfg);
    return cfg;
}

}  // namespace gridatlas::layers
