// The project file's schema: every table and key GridAtlas reads, with type, default and description (the one list
// the checker below and README.md's schema table share), and the check that runs before any value is read: unknown
// tables and keys name the nearest valid one, values of the wrong type or range name key, value and what is expected.
#include "project_schema.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "model/diagnostics.hpp"
#include "project_config.hpp"

namespace gridatlas::layers {

namespace {

const std::string text = "text", positive = "number > 0", nonneg = "number ≥ 0", whole_pos = "whole number > 0",
                  whole_nonneg = "whole number ≥ 0", boolean = "true/false", text_list = "list of text",
                  text_or_whole = "text or whole number", table_of_speeds = "table of numbers > 0";

const std::vector<SchemaKey> schema = {
    {"project", "name", text, "", "the project's name, shown on maps and in summary.json"},
    {"project", "working_crs", text, "auto", "a metric CRS to compute in (\"EPSG:4547\"), or \"auto\": the UTM zone of the buildings"},
    {"buildings", "file", text, "", "the layer's file, relative to the project file"},
    {"buildings", "layer", text, "", "the layer in a multi-layer file (GeoPackage)"},
    {"buildings", "crs", text, "", "the CRS when the file carries none"},
    {"buildings", "encoding", text, "auto", "UTF-8, GBK, GB18030 or auto"},
    {"units", "file", text, "", "stairwell units (单元) table"},
    {"units", "layer", text, "", "the layer in a multi-layer file"},
    {"units", "crs", text, "", "the CRS when the file carries none"},
    {"units", "encoding", text, "auto", "UTF-8, GBK, GB18030 or auto"},
    {"households", "file", text, "", "the roster (CSV, sheet, layer)"},
    {"households", "layer", text, "", "the layer or sheet"},
    {"households", "sheet", text, "", "the sheet of an Excel roster (.xlsx, .xls), by name (same as layer)"},
    {"households", "crs", text, "", "the CRS of x/y (required with them)"},
    {"households", "encoding", text, "auto", "UTF-8, GBK, GB18030 or auto (detected per field)"},
    {"households", "address_pattern", text, "", "regular expression parsing the address into building, unit, floor, room"},
    {"households", "address_groups", text_list, "", "names of the pattern's groups in order, for a pattern without named groups"},
    {"households", "address_building_id", text, "{building}", "template building id made from the address groups"},
    {"households", "max_nearest_m", nonneg, "0", "a point outside every building goes to the nearest residential one within this (m)"},
    {"households", "status_resident", text_list, "常住, resident, 自住", "values of the status field meaning resident (常住)"},
    {"households", "status_rented", text_list, "租住, rented, 出租, 租户", "values of the status field meaning rented (租住)"},
    {"households", "status_vacant", text_list, "空置, vacant, 空房", "values of the status field meaning vacant (空置)"},
    {"households", "status_business", text_list, "经营, business, shop, 商铺, 经营户", "values of the status field meaning shop/business (经营)"},
    {"grid_levels", "key", text, "", "the level's ASCII key (required, unique)"},
    {"grid_levels", "label", text, "the key", "the level's name (社区, 网格)"},
    {"grid_levels", "file", text, "", "the level's polygons"},
    {"grid_levels", "layer", text, "", "the layer in a multi-layer file"},
    {"grid_levels", "crs", text, "", "the CRS when the file carries none"},
    {"grid_levels", "encoding", text, "auto", "UTF-8, GBK, GB18030 or auto"},
    {"grid_levels", "level_field", text, "", "with level_value: the field selecting this level's features in a shared layer"},
    {"grid_levels", "level_value", text_or_whole, "", "this level's value of level_field"},
    {"facilities", "file", text, "", "the facilities (points or polygons)"},
    {"facilities", "layer", text, "", "the layer in a multi-layer file"},
    {"facilities", "crs", text, "", "the CRS when the file carries none"},
    {"facilities", "encoding", text, "auto", "UTF-8, GBK, GB18030 or auto"},
    {"roads", "file", text, "", "the road lines"},
    {"roads", "layer", text, "", "the layer in a multi-layer file"},
    {"roads", "crs", text, "", "the CRS when the file carries none"},
    {"roads", "encoding", text, "auto", "UTF-8, GBK, GB18030 or auto"},
    {"entrances", "file", text, "", "entrance points (doors)"},
    {"entrances", "layer", text, "", "the layer in a multi-layer file"},
    {"entrances", "crs", text, "", "the CRS when the file carries none"},
    {"entrances", "encoding", text, "auto", "UTF-8, GBK, GB18030 or auto"},
    {"entrances", "building_field", text, "", "same as the mapping building = \"<field>\""},
    {"walking", "speed_m_per_s", positive, "1.1", "adult walking pace (m/s)"},
    {"walking", "max_snap_m", nonneg, "250", "farther from every walkable road: unreachable, reported (m)"},
    {"walking", "search_limit_min", positive, "4 × largest minutes", "each kind's search stops here (min); inf: no limit"},
    {"walking", "excluded_highways", text_list, "motorway, motorway_link, trunk, trunk_link, construction, proposed", "highway values not walked"},
    {"walking", "excluded_foot", text_list, "no", "foot values not walked"},
    {"walking", "excluded_access", text_list, "private, no", "access values not walked (unless foot=yes)"},
    {"walking", "join_exclude", text_list, "tunnel, covered, bridge, layer_below_0, layer_above_0", "ways walked through but never joined by buildings and facilities (entrances join any way)"},
    {"walking", "profiles", table_of_speeds, "elderly = 0.8", "named walking speeds for --profile"},
    {"walking.profiles", "*", positive, "", "a profile's speed (m/s)"},
    {"service_kinds", "key", text, "", "the facilities' kind value (required, unique)"},
    {"service_kinds", "name", text, "the key", "the kind's name"},
    {"service_kinds", "minutes", positive, "15", "walking threshold (min)"},
    {"service_kinds", "life_circle", boolean, "true", "counts towards a household's complete circle"},
    {"rules", "standalone_party_org_households", whole_pos, "300", "households from which a unit has its own party organisation"},
    {"rules", "community_max_households", whole_pos, "3000", "most households of a community"},
    {"rules", "grid_min_households", whole_nonneg, "300", "fewest households of a grid"},
    {"rules", "grid_max_households", whole_pos, "500", "most households of a grid"},
    {"map", "headline_kind", text, "the first kind", "the kind the overview colours buildings by"},
    {"map", "title", text, "the project name", "the map's title"},
    {"map", "width_px", whole_pos, "2400", "the overview's width in pixels"},
    {"map", "attribution", text, "none", "the data's credit line on every map, atlas page and tile set"},
};

const std::set<std::string> layer_tables = {"buildings", "units", "households", "facilities", "roads", "entrances", "grid_levels"};
const std::vector<std::string> tables = {"project", "buildings", "units", "households", "grid_levels", "facilities",
                                         "roads", "entrances", "walking", "service_kinds", "rules", "map"};
const std::set<std::string> array_tables = {"grid_levels", "service_kinds"};

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& key, const std::string& message,
                       const std::string& hint) {
    throw DataError({Severity::error, "bad_project_file", {file.string(), "", "[" + key + "]", {}, {}}, message, hint});
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string nearest(const std::string& name, const std::vector<std::string>& valid) {
    return *std::min_element(valid.begin(), valid.end(),
                             [&](const auto& x, const auto& y) { return edit_distance(name, x) < edit_distance(name, y); });
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string shown(const toml::node& v) {
    if (const auto* str = v.as_string()) return "\"" + (str->get().size() > 60 ? str->get().substr(0, 57) + "..." : str->get()) + "\"";
    std::ostringstream out;
    v.visit([&](const auto& x) { out << x; });
    const std::string s = out.str();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

bool fits(const toml::node& v, const std::string& type) {
    if (type == text) return v.is_string();
    if (type == boolean) return v.is_boolean();
    if (type == text_or_whole) return true;  // level_value: checked by its reader, which says what it selects
    if (type == text_list) {
        const auto* a = v.as_array();
        return a && std::all_of(a->begin(), a->end(), [](const toml::node& e) { return e.is_string(); });
    }
    if (type == table_of_speeds) return v.is_table();  // each entry is checked as walking.profiles.*
    if (type == whole_pos || type == whole_nonneg) {
        const auto* i = v.as_integer();
        return i && (type == whole_pos ? i->get() > 0 : i->get() >= 0);
    }
    const auto d = v.is_number() ? v.value<double>() : std::nullopt;
    if (!d || std::isnan(*d)) return false;
    return type == positive ? *d > 0 : *d >= 0;
}

std::string example(const SchemaKey& k) {
    if (k.type == text) return k.key + " = \"...\"";
    if (k.type == boolean) return k.key + " = true";
    if (k.type == text_list) return k.key + " = [\"...\", \"...\"]";
    const bool plain = !k.default_value.empty() && k.default_value.find_first_not_of("0123456789.") == std::string::npos;
    return k.key + " = " + (plain ? k.default_value : std::string(k.type.find("whole") != std::string::npos ? "10" : "1.5")) +
           " (a number, no quotes)";
}

std::vector<std::string> keys_of(const std::string& table) {
    std::vector<std::string> out;
    for (const auto& k : schema)
        if (k.table == table) out.push_back(k.key);
    return out;
}

void check_value(const std::filesystem::path& project, const std::string& where, const SchemaKey& k, const toml::node& v) {
    if (fits(v, k.type)) return;
    fail(project, where, k.key + " = " + shown(v) + " is not valid: " + k.key + " must be " +
                             (k.type == positive ? "positive (a number > 0)" : k.type == nonneg ? "a number, 0 or more" : k.type),
         "write " + example(k));
}

// One table (or one block of an array of tables). In layer tables unknown keys are field mappings (checked by the reader).
void check_table(const std::filesystem::path& project, const std::string& name, const toml::table& t) {
    const auto valid = keys_of(name);
    const bool layer = layer_tables.count(name) > 0;
    for (const auto& [key, v] : t) {
        const std::string k(key.str());
        const auto it = std::find_if(schema.begin(), schema.end(), [&](const SchemaKey& s) { return s.table == name && s.key == k; });
        if (it != schema.end()) {
            check_value(project, name + "." + k, *it, v);
            continue;
        }
        if (layer) continue;
        fail(project, name + "." + k, "unknown key '" + k + "' in [" + name + "]; did you mean '" + nearest(k, valid) + "'?",
             "the keys of [" + name + "] are: " + joined(valid) + " (see README.md, project-file schema)");
    }
    if (name == "walking")
        if (const toml::table* profiles = t["profiles"].as_table())
            for (const auto& [key, v] : *profiles)
                if (!fits(v, positive))
                    fail(project, "walking.profiles." + std::string(key.str()),
                         std::string(key.str()) + " = " + shown(v) + " is not valid: a profile's speed must be positive (a number > 0, m/s)",
                         "write " + std::string(key.str()) + " = 0.8 (no quotes)");
}

}  // namespace

const std::vector<SchemaKey>& project_schema() { return schema; }

bool is_layer_table(const std::string& table) { return layer_tables.count(table) > 0; }

void check_project_schema(const std::filesystem::path& project, const toml::table& root) {
    for (const auto& [key, v] : root) {
        const std::string k(key.str());
        if (std::find(tables.begin(), tables.end(), k) == tables.end())
            fail(project, k, (v.is_table() || v.is_array() ? "unknown table [" + k + "]" : "unknown key '" + k + "' outside every table") +
                                 "; did you mean [" + nearest(k, tables) + "]?",
                 "the tables of a project file are: " + joined(tables) + " (see README.md, project-file schema)");
        if (array_tables.count(k)) {
            const toml::array* a = v.as_array();
            if (!a) fail(project, k, k + " must be written as [[" + k + "]] blocks", "write [[" + k + "]] (double brackets), one per entry");
            for (const auto& block : *a)
                if (const toml::table* t = block.as_table()) check_table(project, k, *t);
            continue;
        }
        const toml::table* t = v.as_table();
        if (!t) fail(project, k, k + " must be a table", "write [" + k + "] followed by its keys");
        check_table(project, k, *t);
    }
}

}  // namespace gridatlas::layers
