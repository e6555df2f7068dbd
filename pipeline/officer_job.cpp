// `gridatlas officer`: one grid's officer list (网格员台账) — buildings, units, households, party-member and central
// households, contacts — as a terminal table, a CSV and a GeoPackage. Without a buildings layer the households are
// listed as the points that placed them, with a flag where the point lies on a grid boundary or in overlapping grids.
#include "officer_job.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>
#include <unordered_map>

#include "assign/central_households.hpp"
#include "assign/household_assignment.hpp"
#include "assign/liaison.hpp"
#include "dataset_loader.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/natural_order.hpp"
#include "model/text.hpp"
#include "output_set.hpp"
#include "personal_fields.hpp"
#include "project_config.hpp"
#include "project_state.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

using layers::FieldSpec;
using layers::FieldType;
using layers::FieldValue;
using layers::LayerGeometry;

// --- display width (engine/model/text.hpp) -----------------------------------------------------------------------

std::size_t terminal_columns(const std::string& s) { return text::display_width(s); }

namespace {

// `s` cut to at most `width` columns (an ellipsis marks the cut), for names that would stretch a column.
std::string clip(const std::string& s, std::size_t width) {
    if (terminal_columns(s) <= width) return s;
    std::string out;
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t start = i;
        const auto cw = static_cast<std::size_t>(text::display_width(text::next_code_point(s, i)));
        if (w + cw + 1 > width) break;
        out.append(s, start, i - start);
        w += cw;
    }
    return out + "…";
}

std::string pad(const std::string& s, std::size_t width, bool right_align = false) {
    const std::size_t w = terminal_columns(s);
    const std::string fill(width > w ? width - w : 0, ' ');
    return right_align ? fill + s : s + fill;
}


std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// The grid `arg` names: its code, else a name no other grid has. Unknown: DataError with the closest codes.
GridId find_grid(const layers::ProjectConfig& cfg, const Dataset& ds, const std::string& arg) {
    std::vector<GridId> by_code, by_name;
    for (const Grid& g : ds.grids) {
        if (g.code == arg) by_code.push_back(g.id);
        if (!g.name.empty() && g.name == arg) by_name.push_back(g.id);
    }
    auto describe = [&](GridId id) {
        const Grid& g = ds.grid(id);
        return g.code + (g.name.empty() ? "" : " " + g.name) + " (" + ds.levels[g.level].name + ")";
    };
    auto list = [&](const std::vector<GridId>& ids) {
        std::string s;
        for (GridId id : ids) s += (s.empty() ? "" : ", ") + describe(id);
        return s;
    };
    if (by_code.size() == 1) return by_code.front();
    if (by_code.empty() && by_name.size() == 1) return by_name.front();
    const SourceLocation where{cfg.file.string(), "", "", {}, {}};
    if (by_code.size() > 1 || by_name.size() > 1)
        throw DataError({Severity::error, "ambiguous_grid", where, "'" + arg + "' names several grids: " + list(by_code.size() > 1 ? by_code : by_name),
                         "give the code of one of them; grid codes should be unique (see the run's duplicate_code warnings)"});
    // Closest first: a code or name containing what was typed, then by edit distance to the code or the name.
    std::vector<std::pair<std::size_t, GridId>> scored;
    for (const Grid& g : ds.grids) {
        std::size_t d = std::min(edit_distance(arg, g.code), g.name.empty() ? SIZE_MAX : edit_distance(arg, g.name));
        if (!arg.empty() && (g.code.find(arg) != std::string::npos || g.name.find(arg) != std::string::npos)) d = 0;
        scored.push_back({d, g.id});
    }
    std::stable_sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : ds.grid(a.second).code < ds.grid(b.second).code;
    });
    std::vector<GridId> similar;
    for (std::size_t i = 0; i < scored.size() && i < 5; ++i) similar.push_back(scored[i].second);
    throw DataError({Severity::error, "unknown_grid", where, "'" + arg + "' is not a grid code of this project",
                     "similar grids: " + list(similar) + "; every code is in the grids layer of the run's gridatlas.gpkg"});
}

}  // namespace

std::string unit_label(int number) { return std::to_string(number) + "单元"; }

std::string ListedUnit::label() const { return number == 0 ? std::string("单元未知") : unit_label(number) + (registered ? "" : "?"); }

ListedUnit listed_unit(const Dataset& ds, const assign::HouseholdPlacement& p) {
    const bool placed = p.unit.valid();
    const int number = placed ? ds.unit(p.unit).number : p.unit_number.value_or(0);
    return {number, placed || number == 0};
}

std::string place_of(const Dataset& ds, const assign::AssignmentResult& a, HouseholdId c, BuildingId here) {
    const Household& h = ds.households[c.index()];
    const auto& p = a.households[c.index()];
    std::string s;
    if (p.building.valid() && p.building != here) {
        const Building& b = ds.building(p.building);
        s = b.source_id + " ";
    }
    if (p.unit_number) s += unit_label(*p.unit_number) + " ";
    const ShortString& room = a.room(h);
    s += room.empty() ? "户号 " + h.source_id : room.str();
    return s;
}

namespace {


// A file name part from a grid code: letters, digits, '-', '_' and '.'; anything else becomes '_'.
std::string file_safe(const std::string& code) {
    std::string s;
    for (unsigned char c : code) s += (std::isalnum(c) || c == '-' || c == '_' || c == '.') ? static_cast<char>(c) : '_';
    return s.empty() ? "grid" : s;
}

const char* reason_zh(const std::string& reason) {
    static const std::map<std::string, const char*> names = {
        {"duplicate_household_id", "户号重复"}, {"ambiguous_building", "楼栋编号重复"}, {"rejected_building", "楼栋图形无效"},
        {"unknown_building", "楼栋不存在"}, {"missing_building_ref", "未填楼栋"}, {"unparsable_address", "地址无法识别"},
        {"no_building_at_location", "坐标处无楼栋"}};
    auto it = names.find(reason);
    return it == names.end() ? "其他" : it->second;
}

struct Columns {
    bool personal = false, contact_names = false;
    bool points = false;                    // no buildings layer: each household's point and grid flag
    bool status = false;                    // the roster gives a status: 住户状态 per household, counts per building/unit
};

std::vector<std::string> csv_header(const Columns& c) {
    std::vector<std::string> h = {"网格编码", "网格名称", "楼栋编号", "楼栋名称", "单元", "楼层", "房号", "户号"};
    if (c.personal) { h.push_back("户主"); h.push_back("电话"); }
    h.push_back("人数");
    if (c.status) h.push_back("住户状态");
    for (const char* s : {"党员户", "党员中心户", "联系户户号", "联系户位置"}) h.push_back(s);
    if (c.contact_names) h.push_back("联系户户主");
    for (const char* s : {"联系距离米", "落位方式", "就近距离米", "名册行"}) h.push_back(s);
    if (c.points) for (const char* s : {"X", "Y", "网格落位提示"}) h.push_back(s);
    return h;
}

std::vector<FieldSpec> gpkg_household_fields(const Columns& c) {
    std::vector<FieldSpec> f = {{"grid_code"}, {"grid_name"}, {"building_id"}, {"building_name"}, {"unit_no", FieldType::integer},
                                {"unit_registered", FieldType::integer}, {"floor", FieldType::integer}, {"room"}, {"household_id"}};
    if (c.personal) { f.push_back({"head_name"}); f.push_back({"phone"}); }
    f.push_back({"persons", FieldType::integer});
    if (c.status) f.push_back({"status"});
    f.push_back({"party_household", FieldType::integer});
    f.push_back({"central_household", FieldType::integer});
    f.push_back({"contact_id"});
    f.push_back({"contact_place"});
    if (c.contact_names) f.push_back({"contact_name"});
    f.push_back({"contact_distance_m", FieldType::integer});
    f.push_back({"placed_by"});
    f.push_back({"nearest_distance_m", FieldType::real});
    f.push_back({"row", FieldType::integer});
    if (c.points) {
        f.push_back({"x", FieldType::real});
        f.push_back({"y", FieldType::real});
        f.push_back({"grid_flag"});
    }
    return f;
}

// One household of the officer's list: its place, contact and (when asked for) personal fields.
OfficerHousehold officer_household(const Dataset& ds, const assign::AssignmentResult& assignment, const assign::LiaisonResult& liaison,
                                   HouseholdId id, bool central, const std::unordered_map<std::int64_t, layers::PersonalFields>& personal,
                                   const std::vector<bool>& in_grid, bool with_personal, bool contact_names) {
    const Household& h = ds.households[id.index()];
    const auto& p = assignment.households[id.index()];
    OfficerHousehold oh;
    oh.household_id = h.source_id;
    oh.row = h.row;
    oh.floor = p.floor;
    oh.room = assignment.room(h);
    oh.persons = h.persons;
    oh.status = h.status;
    oh.party = h.party_members > 0;
    oh.central = central;
    oh.placed_by = assign::to_string(p.placed_by);
    oh.distance_m = p.distance_m;
    if (h.location) { oh.x = h.location->x(); oh.y = h.location->y(); }
    const auto flag = ds.levels.empty() ? assign::GridFlag::none : assignment.grid_flag(id.index(), ds.levels.size() - 1);
    if (p.placed_by == assign::PlacedBy::point_in_grid && flag != assign::GridFlag::none) oh.grid_flag = assign::to_string(flag);
    const HouseholdId c = liaison.contact.empty() ? HouseholdId{} : liaison.contact[id.index()];
    if (c.valid()) {
        oh.contact_self = c == id;
        oh.contact_id = ds.households[c.index()].source_id;
        oh.contact_place = place_of(ds, assignment, c, p.building);
        oh.contact_distance_m = liaison.distance_cm[id.index()] < 0 ? -1 : (liaison.distance_cm[id.index()] + 50) / 100;
        if (contact_names && in_grid[c.index()])
            if (auto it = personal.find(ds.households[c.index()].row); it != personal.end()) oh.contact_name = it->second.name;
    }
    if (liaison.load.size() > id.index()) oh.contact_load = liaison.load[id.index()];
    if (with_personal)
        if (auto it = personal.find(h.row); it != personal.end()) { oh.name = it->second.name; oh.phone = it->second.phone; }
    return oh;
}

std::string fixed2(double v) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(2) << v;
    return o.str();
}

// A grid flag as the officer reads it.
std::string flag_zh(const std::string& flag) {
    if (flag == "on_shared_boundary") return "在两网格交界线上, 按编码较小者归属, 请核实";
    if (flag == "in_overlapping_grids") return "在重叠网格内, 按编码较小者归属, 请核实";
    if (flag == "on_grid_edge") return "在网格边界上, 请核实";
    return flag;
}

// The officer list's rows: for the CSV (text) and the GeoPackage (typed), one per household.
void household_rows(const OfficerReport& r, const Columns& cols, std::vector<std::vector<std::string>>& csv_rows,
                    std::vector<std::vector<FieldValue>>& gpkg_rows) {
    auto opt = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string{}; };
    for (const auto& b : r.buildings)
        for (const auto& u : b.units)
            for (const auto& h : u.households) {
                const std::string placed_m = h.placed_by == "nearest_building" ? std::to_string(std::lround(h.distance_m)) : "";
                std::vector<std::string> c = {r.grid_code, r.grid_name, b.building_id, b.name, u.number ? std::to_string(u.number) : "",
                                              opt(h.floor), h.room, h.household_id};
                if (cols.personal) { c.push_back(h.name); c.push_back(h.phone); }
                c.push_back(std::to_string(h.persons));
                if (cols.status) c.push_back(status_word(h.status));
                c.push_back(h.party ? "是" : "");
                c.push_back(h.central ? "是" : "");
                c.push_back(h.contact_id);
                c.push_back(h.contact_self ? "本户" : h.contact_place);
                if (cols.contact_names) c.push_back(h.contact_self ? h.name : h.contact_name);
                c.push_back(h.contact_distance_m >= 0 ? std::to_string(h.contact_distance_m) : "");
                c.push_back(h.placed_by);
                c.push_back(placed_m);
                c.push_back(std::to_string(h.row));
                if (cols.points) {
                    c.push_back(h.x ? fixed2(*h.x) : "");
                    c.push_back(h.y ? fixed2(*h.y) : "");
                    c.push_back(h.grid_flag.empty() ? "" : flag_zh(h.grid_flag));
                }
                csv_rows.push_back(std::move(c));

                std::vector<FieldValue> g = {r.grid_code, r.grid_name, b.building_id, b.name,
                                             u.number ? FieldValue{std::int64_t(u.number)} : FieldValue{}, std::int64_t(u.registered),
                                             h.floor ? FieldValue{std::int64_t(*h.floor)} : FieldValue{}, h.room, h.household_id};
                if (cols.personal) { g.push_back(h.name); g.push_back(h.phone); }
                g.push_back(std::int64_t(h.persons));
                if (cols.status) g.push_back(std::string(status_key(h.status)));
                g.push_back(std::int64_t(h.party));
                g.push_back(std::int64_t(h.central));
                g.push_back(h.contact_id);
                g.push_back(h.contact_self ? std::string("本户") : h.contact_place);
                if (cols.contact_names) g.push_back(h.contact_self ? h.name : h.contact_name);
                g.push_back(h.contact_distance_m >= 0 ? FieldValue{h.contact_distance_m} : FieldValue{});
                g.push_back(h.placed_by);
                g.push_back(h.placed_by == "nearest_building" ? FieldValue{std::round(h.distance_m * 10) / 10} : FieldValue{});
                g.push_back(std::int64_t(h.row));
                if (cols.points) {
                    g.push_back(h.x ? FieldValue{*h.x} : FieldValue{});
                    g.push_back(h.y ? FieldValue{*h.y} : FieldValue{});
                    g.push_back(h.grid_flag.empty() ? FieldValue{} : FieldValue{h.grid_flag});
                }
                gpkg_rows.push_back(std::move(g));
            }
}

// Households by status (counted_statuses order) of a unit, and of a building's units.
StatusCounts status_counts(const OfficerUnit& u) {
    StatusCounts c{};
    for (const auto& h : u.households)
        if (const std::size_t slot = status_slot(h.status); slot < status_count) ++c[slot];
    return c;
}

StatusCounts status_counts(const OfficerBuilding& b) {
    StatusCounts c{};
    for (const auto& u : b.units) {
        const StatusCounts uc = status_counts(u);
        for (std::size_t i = 0; i < status_count; ++i) c[i] += uc[i];
    }
    return c;
}

// With a status: hh_resident … hh_unknown (as the run's grids layer) after the other fields of a building or unit row.
void add_status_fields(std::vector<FieldSpec>& fields, const Columns& cols) {
    if (!cols.status) return;
    for (HouseholdStatus st : counted_statuses) fields.push_back({std::string("hh_") + status_key(st), FieldType::integer});
}

void add_status_values(std::vector<FieldValue>& row, const Columns& cols, const StatusCounts& c) {
    if (!cols.status) return;
    for (std::int64_t n : c) row.push_back(n);
}

void write_grid_layer(layers::VectorWriter& w, const Dataset& ds, const Grid& grid, std::size_t buildings, const OfficerReport& r) {
    w.begin_layer("grid", LayerGeometry::polygon, ds.working_crs,
                  {{"code"}, {"name"}, {"level_key"}, {"level_name"}, {"buildings", FieldType::integer}, {"units", FieldType::integer},
                   {"households", FieldType::integer}, {"persons", FieldType::integer}, {"party_households", FieldType::integer},
                   {"contacts", FieldType::integer}, {"households_without_contact", FieldType::integer}});
    w.add({r.grid_code, r.grid_name, r.level_key, r.level_name, std::int64_t(buildings), std::int64_t(r.units),
           std::int64_t(r.households), std::int64_t(r.persons), std::int64_t(r.party_households), std::int64_t(r.contacts),
           std::int64_t(r.uncovered)},
          grid.area);
}

void write_buildings_layer(layers::VectorWriter& w, const Dataset& ds, const std::vector<BuildingId>& buildings, const OfficerReport& r,
                           const Columns& cols) {
    std::vector<FieldSpec> fields = {{"building_id"}, {"name"}, {"residential", FieldType::integer}, {"floors", FieldType::integer},
                                     {"units", FieldType::integer}, {"households", FieldType::integer}, {"persons", FieldType::integer},
                                     {"party_households", FieldType::integer}, {"central_household"}, {"central_per_unit", FieldType::integer}};
    add_status_fields(fields, cols);
    w.begin_layer("buildings", LayerGeometry::polygon, ds.working_crs, fields);
    std::map<std::string, const OfficerBuilding*> listed;
    for (const auto& b : r.buildings) listed[b.building_id] = &b;
    for (BuildingId bid : buildings) {
        const Building& b = ds.building(bid);
        const OfficerBuilding* ob = listed.count(b.source_id) ? listed[b.source_id] : nullptr;
        const std::int64_t units = ob ? std::count_if(ob->units.begin(), ob->units.end(), [](const OfficerUnit& u) { return u.number > 0 && u.registered; }) : 0;
        std::vector<FieldValue> row = {b.source_id, b.name, std::int64_t(b.residential), std::int64_t(b.floors), units,
                                       std::int64_t(ob ? ob->households : 0), std::int64_t(ob ? ob->persons : 0),
                                       std::int64_t(ob ? ob->party_households : 0), ob ? FieldValue{ob->central_id} : FieldValue{},
                                       std::int64_t(ob && ob->per_unit_central)};
        add_status_values(row, cols, ob ? status_counts(*ob) : StatusCounts{});
        w.add(row, b.footprint);
    }
}

void write_units_layer(layers::VectorWriter& w, const Dataset& ds, const OfficerReport& r, const Columns& cols) {
    std::vector<FieldSpec> fields = {{"building_id"}, {"unit_no", FieldType::integer}, {"households", FieldType::integer},
                                     {"persons", FieldType::integer}, {"party_households", FieldType::integer}, {"central_household"}};
    add_status_fields(fields, cols);
    w.begin_layer("units", LayerGeometry::point, ds.working_crs, fields);
    for (const auto& b : r.buildings)
        for (const auto& u : b.units) {
            if (!u.x || !u.y) continue;
            std::int64_t persons = 0, party = 0;
            for (const auto& h : u.households) { persons += h.persons; party += h.party; }
            std::vector<FieldValue> row = {b.building_id, std::int64_t(u.number), std::int64_t(u.households.size()), persons, party,
                                           b.per_unit_central ? u.central_id : b.central_id};
            add_status_values(row, cols, status_counts(u));
            w.add(row, geo::Point{*u.x, *u.y});
        }
}

void write_households_layer(layers::VectorWriter& w, const Dataset& ds, const OfficerReport& r, const Columns& cols,
                            const std::vector<std::vector<FieldValue>>& gpkg_rows) {
    if (!cols.points) {
        w.begin_layer("households", LayerGeometry::none, "", gpkg_household_fields(cols));
        for (const auto& row : gpkg_rows) w.add(row);
        return;
    }
    // no buildings: the households are where their points put them
    w.begin_layer("households", LayerGeometry::point, ds.working_crs, gpkg_household_fields(cols));
    std::size_t i = 0;
    for (const auto& b : r.buildings)
        for (const auto& u : b.units)
            for (const auto& h : u.households) {
                const auto& row = gpkg_rows[i++];
                if (h.x && h.y) w.add(row, geo::Point{*h.x, *h.y});
                else w.add(row);
            }
}

// The officer GeoPackage: the grid, its buildings and units with their tallies (and households by status), and the
// household list.
void write_officer_gpkg(const std::filesystem::path& file, const Dataset& ds, const Grid& grid, const std::vector<BuildingId>& buildings,
                        const OfficerReport& r, const Columns& cols, const std::vector<std::vector<FieldValue>>& gpkg_rows) {
    layers::VectorWriter w(file);
    write_grid_layer(w, ds, grid, buildings.size(), r);
    write_buildings_layer(w, ds, buildings, r, cols);
    write_units_layer(w, ds, r, cols);
    write_households_layer(w, ds, r, cols, gpkg_rows);
    w.close();
}

}  // namespace

namespace {

// The grid's buildings and the households placed in it; rows that name one of its buildings but could not be placed
// are counted in r.not_placed by reason (a repeated household id, mostly).
struct GridMembers {
    std::vector<BuildingId> buildings;
    std::vector<HouseholdId> households;
    std::vector<bool> in_grid;   // per household index
};

GridMembers grid_members(const Dataset& ds, const hierarchy::GridTree& tree, const assign::AssignmentResult& assignment, GridId gid,
                         int level, OfficerReport& r) {
    GridMembers m;
    std::vector<bool> in_grid_building(ds.buildings.size(), false);
    for (const Building& b : ds.buildings)
        if (tree.grid_of(b.id, level) == gid) { m.buildings.push_back(b.id); in_grid_building[b.id.index()] = true; }
    m.in_grid.assign(ds.households.size(), false);
    for (const Household& h : ds.households) {
        const auto& p = assignment.households[h.id.index()];
        if (p.grids[level] == gid) { m.households.push_back(h.id); m.in_grid[h.id.index()] = true; }
        else if (p.building_reason != assign::Reason::assigned) {
            auto it = ds.building_by_source_id.find(h.building_ref);
            if (it != ds.building_by_source_id.end() && in_grid_building[it->second.index()])
                ++r.not_placed[assign::to_string(p.building_reason)];
        }
    }
    return m;
}

// The report's head: project, grid, its ancestors, what the list may show, the stages the project skips.
OfficerReport report_header(const OfficerConfig& config, ProjectState& state, GridId gid) {
    const auto& cfg = state.cfg();
    const auto& ds = state.ds();
    const auto& tree = state.tree();
    const Grid& grid = ds.grid(gid);
    OfficerReport r;
    r.project = cfg.name;
    r.grid_code = grid.code;
    r.grid_name = grid.name;
    r.level_key = ds.levels[grid.level].key;
    r.level_name = ds.levels[grid.level].name;
    for (GridId up = tree.parent[gid.index()]; up.valid(); up = tree.parent[up.index()])
        r.ancestors.insert(r.ancestors.begin(), {ds.levels[ds.grid(up).level].name, ds.grid(up).code + " " + ds.grid(up).name});
    r.personal = config.personal && layers::has_personal_fields(cfg.households);
    r.contact_names = r.personal && config.contact_names;
    r.by_points = !cfg.has_buildings();
    for (const SkippedStage& s : state.skipped()) r.skipped.push_back(s.stage + " skipped: " + s.reason);
    return r;
}

// Adds the registered units without households, sorts each unit's households (floor, room, row) and moves the
// buildings, in natural order of their ids, into the report.
void finish_buildings(const Dataset& ds, std::map<BuildingId, OfficerBuilding>& by_building,
                      std::map<BuildingId, std::map<std::pair<int, bool>, OfficerUnit>>& units_of, OfficerReport& r) {
    // Registered units without households still belong to the list (as units of the building).
    for (const Unit& u : ds.units) {
        if (!by_building.count(u.building)) continue;
        OfficerUnit& ou = units_of[u.building][{u.number, true}];
        ou.number = u.number;
        ou.registered = true;
        ou.x = u.location.x();
        ou.y = u.location.y();
    }
    for (auto& [bid, ob] : by_building) {
        for (auto& [key, u] : units_of[bid]) {
            std::sort(u.households.begin(), u.households.end(), [](const OfficerHousehold& a, const OfficerHousehold& b) {
                const int fa = a.floor.value_or(INT32_MAX), fb = b.floor.value_or(INT32_MAX);
                if (fa != fb) return fa < fb;
                if (a.room != b.room) return natural_less(a.room, b.room);
                return a.row < b.row;
            });
            ob.units.push_back(std::move(u));
        }
        r.units += std::count_if(ob.units.begin(), ob.units.end(), [](const OfficerUnit& u) { return u.number > 0 && u.registered; });
        r.buildings.push_back(std::move(ob));
    }
    std::sort(r.buildings.begin(), r.buildings.end(),
              [](const OfficerBuilding& a, const OfficerBuilding& b) { return natural_less(a.building_id, b.building_id); });
}

// The officer's list (CSV) and layers (GeoPackage), committed together. No manifest: the folder holds one pair of
// files per grid, from separate runs.
void write_officer_files(const OfficerConfig& config, Diagnostics& diag, const Dataset& ds, const Grid& grid,
                         const std::vector<BuildingId>& buildings, OfficerReport& r) {
    OutputSet out(config.out_dir, "", diag);
    const std::string stem = "officer_" + file_safe(grid.code);
    r.csv = out.final_path(stem + ".csv");
    r.gpkg = out.final_path(stem + ".gpkg");
    const Columns cols{r.personal, r.contact_names, r.by_points, r.household_status};
    std::vector<std::vector<std::string>> csv_rows;
    std::vector<std::vector<FieldValue>> gpkg_rows;
    household_rows(r, cols, csv_rows, gpkg_rows);
    out.write(r.csv, [&](const auto& f) { layers::write_csv(f, csv_header(cols), csv_rows, layers::Utf8Bom::yes); });
    write_officer_gpkg(out.reserve(r.gpkg), ds, grid, buildings, r, cols, gpkg_rows);
    out.done(r.gpkg);
    out.commit();
}

}  // namespace

namespace {

// Personal fields: of this grid's households only, and only when asked for.
std::unordered_map<std::int64_t, layers::PersonalFields> personal_fields_of(const ProjectState& state, const std::vector<HouseholdId>& households,
                                                                           const OfficerReport& r) {
    if (!r.personal) return {};
    std::set<std::int64_t> rows;
    for (HouseholdId id : households) rows.insert(state.ds().households[id.index()].row);
    return layers::read_personal_fields(state.cfg().households, rows);
}

// The grid's buildings and their units as the list is being built: each building with its central household (or
// "one per unit"), units keyed by (number, registered).
struct Listing {
    std::map<BuildingId, OfficerBuilding> by_building;
    std::map<BuildingId, std::map<std::pair<int, bool>, OfficerUnit>> units_of;
    std::vector<bool> is_central;   // per household: a central household of its building or unit
};

Listing start_listing(const Dataset& ds, const std::vector<BuildingId>& buildings, const assign::CentralHouseholdResult& central) {
    Listing l;
    l.is_central.assign(ds.households.size(), false);
    for (const auto& seat : central.seats)
        if (seat.central.valid()) l.is_central[seat.central.index()] = true;
    for (BuildingId bid : buildings) {
        const Building& b = ds.building(bid);
        OfficerBuilding& ob = l.by_building[bid];
        ob.building_id = b.source_id;
        ob.name = b.name;
        ob.floors = b.floors;
        ob.residential = b.residential;
    }
    for (const auto& seat : central.seats) {
        auto it = l.by_building.find(seat.building);
        if (it == l.by_building.end()) continue;
        it->second.per_unit_central = seat.per_unit;
        if (!seat.per_unit && seat.central.valid()) it->second.central_id = ds.households[seat.central.index()].source_id;
    }
    return l;
}

// One household into its building's unit (a unit the roster names but the building lacks is kept apart, marked "?"),
// and into the report's tallies.
void list_household(Listing& l, OfficerHousehold oh, const Dataset& ds, const assign::AssignmentResult& assignment,
                    const assign::CentralHouseholdResult& central, const assign::LiaisonResult& liaison, HouseholdId id, OfficerReport& r) {
    const Household& h = ds.households[id.index()];
    const auto& p = assignment.households[id.index()];
    OfficerBuilding& ob = l.by_building[p.building];
    ++ob.households;
    ob.persons += static_cast<std::size_t>(std::max(h.persons, 0));
    ob.party_households += oh.party;
    const ListedUnit listed = listed_unit(ds, p);
    OfficerUnit& u = l.units_of[p.building][listed.order()];
    u.number = listed.number;
    u.registered = listed.registered;
    if (p.unit.valid()) { u.x = ds.unit(p.unit).location.x(); u.y = ds.unit(p.unit).location.y(); }
    if (ob.per_unit_central && central.central_of[id.index()].valid())
        u.central_id = ds.households[central.central_of[id.index()].index()].source_id;
    u.households.push_back(std::move(oh));

    const HouseholdId c = liaison.contact.empty() ? HouseholdId{} : liaison.contact[id.index()];
    r.households += 1;
    r.household_status |= h.status != HouseholdStatus::not_given;
    r.persons += static_cast<std::size_t>(std::max(h.persons, 0));
    r.party_households += h.party_members > 0;
    if (c.valid() && c == id) ++r.contacts;
    if (!c.valid()) ++r.uncovered;
}

}  // namespace

OfficerReport officer_job(const OfficerConfig& config, Diagnostics& diag) {
    StageClock clock;
    ProjectState state(config.project_file, diag, clock);
    const auto& ds = state.ds();
    const GridId gid = find_grid(state.cfg(), ds, config.grid);
    const Grid& grid = ds.grid(gid);
    const auto& assignment = state.assignment();
    const auto& central = state.central();
    const auto& liaison = state.liaison();

    OfficerReport r = report_header(config, state, gid);
    const GridMembers members = grid_members(ds, state.tree(), assignment, gid, grid.level, r);
    const auto personal = personal_fields_of(state, members.households, r);
    Listing listing = start_listing(ds, members.buildings, central);
    for (HouseholdId id : members.households)
        list_household(listing,
                       officer_household(ds, assignment, liaison, id, listing.is_central[id.index()], personal, members.in_grid, r.personal,
                                         r.contact_names),
                       ds, assignment, central, liaison, id, r);
    finish_buildings(ds, listing.by_building, listing.units_of, r);
    write_officer_files(config, diag, ds, grid, members.buildings, r);
    return r;
}

// --- the terminal table ----------------------------------------------------------------------------------------------

namespace {

void table_heading(std::ostringstream& out, const OfficerReport& r) {
    out << r.level_name << " " << r.grid_code << (r.grid_name.empty() ? "" : "  " + r.grid_name) << "\n";
    for (const auto& [level, grid] : r.ancestors) out << "  " << level << " " << grid << "\n";
    std::size_t with_households = 0;
    for (const auto& b : r.buildings) with_households += b.households > 0;
    if (r.by_points) out << "  " << r.households << " 户 (按坐标落位, 项目无楼栋图层), " << r.persons << " 人, 党员户 " << r.party_households;
    else
        out << "  " << with_households << " 栋楼有住户, " << r.units << " 个单元, " << r.households << " 户, " << r.persons << " 人, 党员户 "
            << r.party_households << ", 党员联系户 " << r.contacts;
    if (r.uncovered) out << ", 未安排联系户 " << r.uncovered << " 户";
    out << "\n";
    if (r.personal) out << "  本表含户主姓名和电话, 仅供网格工作使用, 请勿外传。\n";
}

// The columns, the same for every building so the whole list lines up, and their widths over every row.
class TableLayout {
public:
    TableLayout(const OfficerReport& r, const std::vector<std::vector<std::vector<std::string>>>& cells) {
        cols_ = {{"单元", false}, {"楼层", true}, {"房号", false}, {"户号", false}};
        if (r.personal) cols_.insert(cols_.end(), {{"户主", false}, {"电话", false}});
        cols_.push_back({"人数", true});
        if (r.household_status) cols_.push_back({"状态", false});
        cols_.insert(cols_.end(), {{"标记", false}, {"联系户", false}});
        for (const auto& c : cols_) widths_.push_back(terminal_columns(c.title));
        for (const auto& b : cells)
            for (const auto& row : b)
                for (std::size_t c = 0; c < cols_.size(); ++c) widths_[c] = std::max(widths_[c], terminal_columns(row[c]));
    }

    std::string line(const std::vector<std::string>& row) const {
        std::string s = "    ";
        for (std::size_t c = 0; c < cols_.size(); ++c) {
            const bool last = c + 1 == cols_.size();
            s += last && !cols_[c].right ? row[c] : pad(row[c], widths_[c], cols_[c].right);
            if (!last) s += "  ";
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s + "\n";
    }

    // The column titles and a rule under them.
    std::string titles() const {
        std::vector<std::string> t;
        std::size_t width = 0;
        for (std::size_t c = 0; c < cols_.size(); ++c) {
            t.push_back(cols_[c].title);
            width += widths_[c] + (c + 1 < cols_.size() ? 2 : 0);
        }
        return line(t) + "    " + std::string(width, '-') + "\n";
    }

private:
    struct Column {
        std::string title;
        bool right;
    };
    std::vector<Column> cols_;
    std::vector<std::size_t> widths_;
};

std::string household_marks(const OfficerHousehold& h) {
    std::string marks;
    auto mark = [&](const std::string& m) { marks += (marks.empty() ? "" : " ") + m; };
    if (h.party) mark("党员户");
    if (h.central) mark("中心户");
    if (h.placed_by == "nearest_building") mark("就近" + std::to_string(std::lround(h.distance_m)) + "米");
    if (h.grid_flag == "on_shared_boundary") mark("交界线上");
    if (h.grid_flag == "in_overlapping_grids") mark("重叠区内");
    if (h.grid_flag == "on_grid_edge") mark("边界上");
    return marks;
}

// One row of the table: the unit only on its first household's row.
std::vector<std::string> household_row(const OfficerReport& r, const OfficerUnit& u, const OfficerHousehold& h, bool first) {
    std::vector<std::string> row;
    row.push_back(first ? (u.number == 0 ? "未知" : unit_label(u.number) + (u.registered ? "" : "?")) : "");
    row.push_back(h.floor ? std::to_string(*h.floor) : "");
    row.push_back(h.room);
    row.push_back(h.household_id);
    if (r.personal) {
        row.push_back(clip(h.name, 12));
        row.push_back(h.phone);
    }
    row.push_back(std::to_string(h.persons));
    if (r.household_status) row.push_back(status_word(h.status));
    row.push_back(household_marks(h));
    if (h.contact_self) row.push_back("本户, 联系" + std::to_string(h.contact_load) + "户");
    else if (!h.contact_id.empty()) row.push_back(h.contact_place + (h.contact_name.empty() ? "" : " " + h.contact_name));
    else row.push_back("未安排");
    return row;
}

// "楼栋 B12  name  (6层, 48户 120人, 常住 40 · 租住 8 · 空置 0 · 经营 0, 党员户 3, 中心户 2单元 302 (H77))", and
// with a status and more than one unit, a line per unit with its households by status.
void building_heading(std::ostringstream& out, const OfficerBuilding& b, bool with_status) {
    out << "\n楼栋 " << b.building_id;
    if (!b.name.empty()) out << "  " << clip(b.name, 30);
    out << "  (";
    if (b.floors > 0) out << b.floors << "层, ";
    out << b.households << "户 " << b.persons << "人, ";
    if (with_status) out << status_summary(status_counts(b)) << ", ";
    if (b.party_households == 0) out << "无党员户, 未设中心户";
    else {
        out << "党员户 " << b.party_households;
        if (b.per_unit_central) out << ", 每单元一个中心户";
        else if (!b.central_id.empty()) {
            // Where the central household lives, as the officer finds it.
            std::string place;
            for (const auto& u : b.units)
                for (const auto& h : u.households)
                    if (h.household_id == b.central_id && place.empty())
                        place = (u.number ? unit_label(u.number) + " " : "") + (h.room.empty() ? "" : h.room + " ");
            out << ", 中心户 " << place << "(" << b.central_id << ")";
        }
    }
    out << ")\n";
    if (!with_status || b.units.size() < 2) return;
    for (const auto& u : b.units)
        if (!u.households.empty())
            out << "    " << ListedUnit{u.number, u.registered}.label() << "  " << status_summary(status_counts(u)) << "\n";
}

// Buildings without households, households not placed, what the marks mean, and the files written.
void table_footer(std::ostringstream& out, const OfficerReport& r, const std::vector<std::string>& empty_buildings) {
    if (!empty_buildings.empty()) {
        out << "\n无住户的住宅楼 " << empty_buildings.size() << " 栋:";
        for (std::size_t i = 0; i < empty_buildings.size() && i < 12; ++i) out << " " << empty_buildings[i];
        if (empty_buildings.size() > 12) out << " …";
        out << "\n";
    }
    if (!r.not_placed.empty()) {
        out << "\n名册中指向本网格楼栋但未能落位的住户:";
        for (const auto& [reason, n] : r.not_placed) out << " " << reason_zh(reason) << " " << n << " 户;";
        out << " (见 gridatlas assign 的 unassigned_households)\n";
    }
    out << "\n标记: 党员户 = 有党员的住户; 中心户 = 党员中心户; 就近N米 = 坐标不在任何楼栋内, 按最近楼栋落位, 请核实。\n";
    if (r.by_points)
        out << "交界线上 / 重叠区内 = 坐标在两个网格的交界线上或重叠区内, 按编码较小的网格归属, 请核实 (CSV 的网格落位提示列)。\n";
    if (r.household_status) out << "状态: 名册的住户状态 (常住 / 租住 / 空置 / 经营; 未知 = 名册的值不在词表中, 请核实)。\n";
    for (const auto& line : r.skipped) out << "未做: " << line << "\n";
    out << "联系户: 该户的党员联系户住在哪里 (本户 = 该户就是联系户, 及其联系的户数; 未安排 = 本网格党员户不足)。单元后的 ? = 楼栋没有登记该单元。\n";
    out << "\n文件:\n    " << r.csv.string() << "\n    " << r.gpkg.string() << "\n";
}

}  // namespace

std::string format_officer_table(const OfficerReport& r) {
    std::ostringstream out;
    table_heading(out, r);
    std::vector<std::vector<std::vector<std::string>>> cells(r.buildings.size());   // [building][row][column]
    for (std::size_t bi = 0; bi < r.buildings.size(); ++bi)
        for (const auto& u : r.buildings[bi].units)
            for (std::size_t i = 0; i < u.households.size(); ++i) cells[bi].push_back(household_row(r, u, u.households[i], i == 0));
    const TableLayout layout(r, cells);

    std::vector<std::string> empty_buildings;
    for (std::size_t bi = 0; bi < r.buildings.size(); ++bi) {
        const auto& b = r.buildings[bi];
        if (b.households == 0) {
            if (b.residential) empty_buildings.push_back(b.building_id);
            continue;
        }
        if (b.building_id.empty() && r.by_points)   // no buildings layer: one list of the grid's households
            out << "\n按坐标落入本网格的住户 (" << b.households << "户 " << b.persons << "人, 党员户 " << b.party_households << ")\n";
        else
            building_heading(out, b, r.household_status);
        out << layout.titles();
        for (const auto& row : cells[bi]) out << layout.line(row);
    }
    table_footer(out, r, empty_buildings);
    return out.str();
}

}  // namespace gridatlas::pipeline
