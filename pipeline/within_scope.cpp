// Cuts one county (any grid and the grids below it) out of a loaded project for `run --within`: which households and
// buildings are the county's comes from the whole project's placement, the roads and facilities from a walking margin
// around them, so that the county's run gives the whole run's numbers for its grids (see within_scope.hpp).
#include "within_scope.hpp"

#include <cmath>
#include <limits>
#include <set>

namespace gridatlas::pipeline {

namespace {

GridId find_scope_grid(const Dataset& ds, const std::string& code, const std::filesystem::path& project) {
    GridId found;
    for (const Grid& g : ds.grids) {
        if (g.code != code) continue;
        if (found.valid())
            throw DataError({Severity::error, "ambiguous_within", {project.string(), "", "--within " + code, {}, {}},
                             "more than one grid has the code " + code + " (levels '" + ds.levels[ds.grid(found).level].key +
                                 "' and '" + ds.levels[g.level].key + "')",
                             "give grids unique codes (gridatlas check lists duplicates)"});
        found = g.id;
    }
    if (!found.valid())
        throw DataError({Severity::error, "unknown_within", {project.string(), "", "--within " + code, {}, {}},
                         "no grid has the code " + code, "give the code of a grid of the project, e.g. a community's"});
    return found;
}

// The grid and every grid below it (children from the whole tree).
std::set<std::string> subtree_codes(const Dataset& ds, const hierarchy::GridTree& tree, GridId top) {
    std::set<std::string> codes;
    std::vector<GridId> todo{top};
    while (!todo.empty()) {
        const GridId g = todo.back();
        todo.pop_back();
        if (!codes.insert(ds.grid(g).code).second) continue;
        for (GridId c : tree.children[g.index()]) todo.push_back(c);
    }
    return codes;
}

geo::Box expanded(const geo::Box& b, double d) {
    return {{b.min_corner().x() - d, b.min_corner().y() - d}, {b.max_corner().x() + d, b.max_corner().y() + d}};
}

bool inside(const geo::Point& p, const geo::Box& b) {
    return p.x() >= b.min_corner().x() && p.x() <= b.max_corner().x() && p.y() >= b.min_corner().y() && p.y() <= b.max_corner().y();
}

// Buildings and units and entrances of the kept buildings, with new ids; `new_id` maps old building index → new id.
void keep_buildings(const Dataset& whole, const std::vector<bool>& keep, Dataset& out, std::vector<BuildingId>& new_id) {
    new_id.assign(whole.buildings.size(), BuildingId{});
    for (const Building& b : whole.buildings) {
        if (!keep[b.id.index()]) continue;
        Building copy = b;
        copy.id = BuildingId{out.buildings.size()};
        new_id[b.id.index()] = copy.id;
        out.buildings.push_back(std::move(copy));
    }
    for (const Unit& u : whole.units) {
        if (!new_id[u.building.index()].valid()) continue;
        Unit copy = u;
        copy.id = UnitId{out.units.size()};
        copy.building = new_id[u.building.index()];
        out.units.push_back(std::move(copy));
    }
    for (const Entrance& e : whole.entrances) {
        if (!new_id[e.building.index()].valid()) continue;
        Entrance copy = e;
        copy.building = new_id[e.building.index()];
        out.entrances.push_back(std::move(copy));
    }
    out.index_buildings();
    out.index_units();
}

// Facilities and road lines within `margin` of the box (all when the margin is infinite).
void keep_walking_layers(const Dataset& whole, const geo::Box& box, double margin, double snap, Dataset& out) {
    const bool all = !std::isfinite(margin);
    const geo::Box facility_box = expanded(box, margin + snap), road_box = expanded(box, margin + 2 * snap);
    for (const Facility& f : whole.facilities) {
        if (!all && !inside(f.location, facility_box)) continue;
        Facility copy = f;
        copy.id = FacilityId{out.facilities.size()};
        out.facilities.push_back(std::move(copy));
    }
    for (const RoadLine& r : whole.roads) {
        if (!all) {
            geo::Box env;
            geo::bg::envelope(r.line, env);
            if (!geo::bg::intersects(env, road_box)) continue;
        }
        out.roads.push_back(r);
    }
}

}  // namespace

Dataset within_dataset(ProjectState& whole, const std::string& code, WithinScope& scope) {
    const Dataset& ds = whole.ds();
    const auto& tree = whole.tree();
    const auto& assignment = whole.assignment();
    const GridId top = find_scope_grid(ds, code, whole.cfg().file);
    scope.code = code;
    scope.level = ds.grid(top).level;
    scope.level_key = ds.levels[scope.level].key;
    scope.grid_codes = subtree_codes(ds, tree, top);

    Dataset out;
    out.working_crs = ds.working_crs;
    out.levels = ds.levels;
    out.grids = ds.grids;           // every grid: each building falls in the same grids as in the whole run
    out.service_kinds = ds.service_kinds;
    out.rejected_buildings = ds.rejected_buildings;
    // The roster file is accounted for by the whole project (records = read + rejected); a county holds part of it.
    out.roster_records_in_file.reset();
    out.roster_rejected_at_read = 0;

    std::vector<bool> keep(ds.buildings.size(), false);
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) keep[b] = tree.building_grid[scope.level][b] == top;
    geo::Box box{{std::numeric_limits<double>::max(), std::numeric_limits<double>::max()},
                 {std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest()}};
    bool any = false;
    auto grow = [&](const geo::Box& b) { geo::bg::expand(box, b); any = true; };
    for (const Household& h : ds.households) {
        const auto& p = assignment.households[h.id.index()];
        const GridId g = p.grids[scope.level];
        if (!g.valid()) { ++scope.households_unplaced; continue; }
        if (g != top) { ++scope.households_elsewhere; continue; }
        ++scope.households;
        if (p.building.valid()) keep[p.building.index()] = true;
        if (h.location) grow(geo::Box{*h.location, *h.location});
        Household copy = h;
        copy.id = HouseholdId{out.households.size()};
        out.households.push_back(std::move(copy));
    }
    std::vector<BuildingId> new_id;
    keep_buildings(ds, keep, out, new_id);
    for (const Building& b : out.buildings) {
        geo::Box env;
        geo::bg::envelope(b.footprint, env);
        grow(env);
    }
    for (const Entrance& e : out.entrances) grow(geo::Box{e.location, e.location});

    const auto& walking = whole.cfg().walking;
    scope.margin_m = walking.search_limit_min * 60 * walking.speed_m_per_s;
    if (any) keep_walking_layers(ds, box, scope.margin_m, walking.max_snap_m, out);
    scope.buildings = out.buildings.size();
    scope.facilities = out.facilities.size();
    scope.road_lines = out.roads.size();
    return out;
}

nlohmann::json within_json(const WithinScope& s) {
    return {{"code", s.code}, {"level", s.level_key}, {"grids", s.grid_codes.size()}, {"households", s.households},
            {"households_in_other_grids", s.households_elsewhere}, {"households_in_no_grid_of_level", s.households_unplaced},
            {"buildings", s.buildings}, {"facilities", s.facilities}, {"road_lines", s.road_lines},
            {"margin_m", std::isfinite(s.margin_m) ? nlohmann::json(std::round(s.margin_m)) : nlohmann::json(nullptr)}};
}

void limit_levels_to_scope(nlohmann::json& levels, const WithinScope& scope) {
    for (auto& level : levels) {
        nlohmann::json kept = nlohmann::json::array();
        for (const auto& g : level["per_grid"])
            if (scope.grid_codes.count(g["code"].get<std::string>())) kept.push_back(g);
        // Every count the level sums from its grids (households, persons, party members, by status) summed again.
        for (auto& [key, total] : level.items()) {
            if (key == "per_grid") continue;
            if (total.is_number_unsigned() || total.is_number_integer()) {
                if (key == "grids") { total = kept.size(); continue; }
                std::size_t sum = 0;
                for (const auto& g : kept) sum += g.value(key, std::size_t{0});
                total = sum;
            } else if (total.is_object()) {
                nlohmann::json sums = nlohmann::json::object();
                for (const auto& [k, n] : total.items()) {
                    std::size_t sum = 0;
                    for (const auto& g : kept)
                        if (g.contains(key)) sum += g[key].value(k, std::size_t{0});
                    sums[k] = sum;
                    (void)n;
                }
                total = sums;
            }
        }
        level["per_grid"] = kept;
    }
}

// Adds the warnings of `county` that `diag` does not hold yet (same code, place and message).
void add_new_warnings(const Diagnostics& county, Diagnostics& diag) {
    auto key = [](const Diagnostic& d) {
        return d.code + '\x1f' + d.where.file + '\x1f' + d.where.layer + '\x1f' + d.where.feature + '\x1f' + d.message;
    };
    std::set<std::string> have;
    for (const auto& d : diag.items()) have.insert(key(d));
    for (const auto& d : county.items())
        if (have.insert(key(d)).second) diag.warn(d.code, d.where, d.message, d.hint);
}

}  // namespace gridatlas::pipeline
