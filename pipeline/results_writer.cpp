// Writes a run's results as GeoPackage layers (buildings, grids, households, gaps, facilities, ...) from the
// plain values the engine computed.
#include <cmath>
#include <sstream>

#include "results.hpp"
#include "gpkg_table_writer.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

using layers::FieldSpec;
using layers::FieldType;
using layers::FieldValue;
using layers::LayerGeometry;

namespace {

FieldValue minutes_value(double m) { return std::isfinite(m) ? FieldValue{std::round(m * 100) / 100} : FieldValue{}; }
FieldValue count(std::size_t n) { return FieldValue{static_cast<std::int64_t>(n)}; }
// Where the point joins the walk network (edge index in the walk_network layer), so peers can rebuild the problem.
void append_snap(std::vector<FieldValue>& v, const std::optional<access::Snap>& snap) {
    if (!snap) { v.insert(v.end(), {FieldValue{}, FieldValue{}, FieldValue{}}); return; }
    v.push_back(std::int64_t(snap->edge));
    v.push_back(snap->along_m);
    v.push_back(snap->offset_m);
}

// Which point of a building its snap_* columns (or a kind's minutes) start from: "anchor", or an entrance's id.
bool is_entrance(const access::AccessResult& a, std::uint32_t point) {
    return point < a.points.size() && a.points[point].entrance != access::AccessPoint::anchor;
}
FieldValue entrance_id(const Results& r, std::uint32_t point) {
    return is_entrance(r.access, point) ? FieldValue{r.ds.entrances[r.access.points[point].entrance].source_id} : FieldValue{};
}

std::string minutes_text(double m) {
    std::ostringstream out;
    out << m;
    return out.str();
}

// Why a gap building has no minutes, or how far beyond the search it lies, in words for the gap layer.
std::string reach_note(const access::KindAccess& k, std::size_t b) {
    switch (k.reach[b]) {
        case access::Reach::beyond_search_limit: return "beyond " + minutes_text(k.search_limit_minutes) + " min (the search limit)";
        case access::Reach::disconnected: return "its piece of the walk network holds no facility of this kind";
        case access::Reach::no_road_nearby: return "no walkable road within the snap distance";
        case access::Reach::no_facility_of_kind: return "no facility of this kind on the walk network";
        default: return "";
    }
}

FieldValue code_of(const Dataset& ds, GridId g) { return g.valid() ? FieldValue{ds.grid(g).code} : FieldValue{}; }

void write_buildings(layers::VectorWriter& w, const Results& r) {
    std::vector<FieldSpec> fields = {{"building_id"}, {"name"}, {"residential", FieldType::integer}, {"floors", FieldType::integer},
                                     {"area_m2", FieldType::real}, {"units", FieldType::integer}, {"households", FieldType::integer},
                                     {"persons", FieldType::integer}, {"party_households", FieldType::integer}, {"grid_share", FieldType::real},
                                     {"snap_edge", FieldType::integer}, {"snap_along_m", FieldType::real}, {"snap_offset_m", FieldType::real},
                                     {"snap_at"}, {"snap_entrance"}};
    // With an entrance layer, each kind also names the entrance its minutes start from.
    const bool entrances = !r.ds.entrances.empty();
    for (const auto& l : r.ds.levels) fields.push_back({l.key + "_code"});
    for (const auto& k : r.access.kinds) {
        fields.push_back({"min_" + k.kind, FieldType::real});
        fields.push_back({"nearest_" + k.kind});
        fields.push_back({"reach_" + k.kind});
        if (entrances) fields.push_back({"entrance_" + k.kind});
    }
    w.begin_layer("buildings", LayerGeometry::polygon, r.ds.working_crs, fields);
    std::vector<std::size_t> units(r.ds.buildings.size(), 0);
    for (const Unit& u : r.ds.units) ++units[u.building.index()];
    for (const Building& b : r.ds.buildings) {
        const auto& t = r.stats.buildings[b.id.index()];
        std::vector<FieldValue> v = {b.source_id, b.name, std::int64_t(b.residential), std::int64_t(b.floors),
                                     std::round(b.area_m2 * 10) / 10, count(units[b.id.index()]), count(t.households),
                                     count(t.persons), count(t.party_households), std::round(r.tree.building_share[b.id.index()] * 1000) / 1000};
        append_snap(v, r.access.building_snaps[b.id.index()]);
        const std::uint32_t snapped_at = r.access.building_snap_point[b.id.index()];
        v.push_back(!r.access.building_snaps[b.id.index()] ? FieldValue{}
                    : FieldValue{std::string(is_entrance(r.access, snapped_at) ? "entrance" : "anchor")});
        v.push_back(entrance_id(r, snapped_at));
        for (std::size_t l = 0; l < r.ds.levels.size(); ++l) v.push_back(code_of(r.ds, r.tree.building_grid[l][b.id.index()]));
        for (const auto& k : r.access.kinds) {
            v.push_back(minutes_value(k.minutes[b.id.index()]));
            const FacilityId f = k.nearest[b.id.index()];
            v.push_back(f.valid() ? FieldValue{r.ds.facility(f).source_id} : FieldValue{});
            v.push_back(std::string(access::to_string(k.reach[b.id.index()])));
            if (entrances) v.push_back(entrance_id(r, k.via[b.id.index()]));
        }
        w.add(v, b.footprint);
    }
}

void write_grids(layers::VectorWriter& w, const Results& r) {
    std::vector<FieldSpec> fields = {{"level", FieldType::integer}, {"level_key"}, {"level_name"}, {"code"}, {"name"}, {"parent_code"},
                                     {"buildings", FieldType::integer}, {"households", FieldType::integer}, {"persons", FieldType::integer},
                                     {"party_households", FieldType::integer}, {"party_members", FieldType::integer},
                                     {"complete_circle_households", FieldType::integer}, {"area_km2", FieldType::real},
                                     {"org_form"}, {"org_joint_with"}, {"org_type"}, {"required_cadres", FieldType::integer},
                                     {"liaison_uncovered", FieldType::integer}};
    std::vector<const assign::GridLiaison*> liaison_of(r.ds.grids.size(), nullptr);
    for (const auto& gl : r.liaison.grids) liaison_of[gl.grid.index()] = &gl;
    for (const auto& k : r.access.kinds) {
        fields.push_back({"covered_" + k.kind, FieldType::integer});
        fields.push_back({"share_" + k.kind, FieldType::real});
    }
    // Households by status (hh_resident … hh_unknown), when the roster has a status field.
    if (r.stats.household_status)
        for (HouseholdStatus st : counted_statuses) fields.push_back({std::string("hh_") + status_key(st), FieldType::integer});
    w.begin_layer("grids", LayerGeometry::polygon, r.ds.working_crs, fields);
    for (const Grid& g : r.ds.grids) {
        const auto& s = r.stats.grids[g.id.index()];
        const GridId parent = r.tree.parent[g.id.index()];
        std::vector<FieldValue> v = {std::int64_t(g.level), r.ds.levels[g.level].key, r.ds.levels[g.level].name, g.code, g.name,
                                     parent.valid() ? FieldValue{r.ds.grid(parent).code} : FieldValue{}, count(s.buildings),
                                     count(s.people.households), count(s.people.persons), count(s.people.party_households),
                                     count(s.people.party_members), count(s.complete_circle_households),
                                     std::round(geo::bg::area(g.area) / 1e4) / 100};
        const auto& org = r.organisation.grids[g.id.index()];
        v.push_back(std::string(assign::to_string(org.form)));
        v.push_back(code_of(r.ds, org.joint_with));
        v.push_back(std::string(assign::to_string(org.type)));
        v.push_back(std::int64_t(org.required_cadres));
        const auto* gl = liaison_of[g.id.index()];
        v.push_back(gl ? FieldValue{count(gl->uncovered)} : FieldValue{});
        for (std::size_t k = 0; k < r.access.kinds.size(); ++k) {
            v.push_back(count(s.covered_households[k]));
            v.push_back(s.people.households ? FieldValue{std::round(1000.0 * s.covered_households[k] / s.people.households) / 1000} : FieldValue{});
        }
        if (r.stats.household_status)
            for (std::int64_t n : s.people.status) v.push_back(n);
        w.add(v, g.area);
    }
}

void write_households(layers::GpkgTableWriter& w, const Results& r) {
    // The assignment table: ids and placement only. Names, phones and party membership stay in the roster.
    std::vector<FieldSpec> fields = {{"household_id"}, {"row", FieldType::integer}, {"building_id"}, {"unit_no", FieldType::integer},
                                     {"unit_status"}, {"building_status"}};
    for (const auto& l : r.ds.levels) {
        fields.push_back({l.key + "_code"});
        fields.push_back({l.key + "_status"});
    }
    w.begin_table("households", fields);
    for (const Household& h : r.ds.households) {
        const auto& p = r.assignment.households[h.id.index()];
        std::vector<FieldValue> v = {h.source_id, std::int64_t(h.row), h.building_ref,
                                     p.unit.valid() ? FieldValue{std::int64_t(r.ds.unit(p.unit).number)} : FieldValue{},
                                     std::string(assign::to_string(p.unit_reason)), std::string(assign::to_string(p.building_reason))};
        for (std::size_t l = 0; l < r.ds.levels.size(); ++l) {
            v.push_back(code_of(r.ds, p.grids[l]));
            v.push_back(std::string(assign::to_string(p.grid_reasons[l])));
        }
        w.add(v);
    }
    w.begin_table("unassigned_households", {{"household_id"}, {"row", FieldType::integer}, {"building_id"}, {"level"}, {"reason"}});
    for (const Household& h : r.ds.households) {
        const auto& p = r.assignment.households[h.id.index()];
        auto row = [&](const std::string& level, assign::Reason reason) {
            if (reason != assign::Reason::assigned)
                w.add({h.source_id, std::int64_t(h.row), h.building_ref, level, std::string(assign::to_string(reason))});
        };
        row("unit", p.unit_reason);
        row("building", p.building_reason);
        for (std::size_t l = 0; l < r.ds.levels.size(); ++l) row(r.ds.levels[l].key, p.grid_reasons[l]);
    }
}

// One row per building and kind beyond the threshold, by building id: the outline is the `buildings` layer's (join on
// building_id), not copied once per kind (at a province's size the copies were half of the file).
void write_gaps(layers::GpkgTableWriter& w, const Results& r) {
    w.begin_table("gap_buildings", {{"building_id"}, {"kind"}, {"kind_name"}, {"minutes", FieldType::real}, {"threshold_minutes", FieldType::real},
                   {"reach"}, {"note"}, {"entrance"}, {"households", FieldType::integer}, {"persons", FieldType::integer}});
    for (const auto& k : r.access.kinds) {
        std::string name = k.kind;
        for (const auto& sk : r.ds.service_kinds) if (sk.key == k.kind) name = sk.name;
        for (const Building& b : r.ds.buildings) {
            if (!b.residential || k.minutes[b.id.index()] <= k.threshold_minutes) continue;
            const auto& t = r.stats.buildings[b.id.index()];
            w.add({b.source_id, k.kind, name, minutes_value(k.minutes[b.id.index()]), k.threshold_minutes,
                   std::string(access::to_string(k.reach[b.id.index()])), reach_note(k, b.id.index()),
                   entrance_id(r, k.via[b.id.index()]), count(t.households), count(t.persons)});
        }
    }
}

void write_facilities(layers::VectorWriter& w, const Results& r) {
    w.begin_layer("facilities", LayerGeometry::point, r.ds.working_crs,
                  {{"facility_id"}, {"kind"}, {"name"}, {"snap_edge", FieldType::integer}, {"snap_along_m", FieldType::real},
                   {"snap_offset_m", FieldType::real}});
    for (const Facility& f : r.ds.facilities) {
        std::vector<FieldValue> v = {f.source_id, f.kind, f.name};
        append_snap(v, r.access.facility_snaps[f.id.index()]);
        w.add(v, f.location);
    }
}

void write_network(layers::VectorWriter& w, const Results& r) {
    // The noded walking graph, so that peers (NetworkX, pgRouting) can be run on exactly the same graph.
    w.begin_layer("walk_network", LayerGeometry::line, r.ds.working_crs,
                  {{"edge", FieldType::integer}, {"from_node", FieldType::integer}, {"to_node", FieldType::integer},
                   {"length_m", FieldType::real}, {"component", FieldType::integer}, {"road_id"}, {"highway"}});
    const auto& edges = r.network.edges();
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const auto& e = edges[i];
        const RoadLine& road = r.ds.roads[e.road];
        w.add({std::int64_t(i), std::int64_t(e.from), std::int64_t(e.to), e.length_m,
               std::int64_t(r.network.nodes()[e.from].component), road.source_id, road.highway},
              e.geometry);
    }
}

void write_rule_breaches(layers::GpkgTableWriter& w, const Results& r) {
    w.begin_table("rule_breaches", {{"rule"}, {"rule_zh"}, {"threshold"}, {"level"}, {"grid_code"}, {"building_id"}, {"value", FieldType::integer}});
    for (const auto& rule : r.organisation.rules)
        for (const auto& b : rule.breaches)
            w.add({rule.key, rule.name_zh, rule.threshold,
                   b.grid.valid() ? FieldValue{r.ds.levels[r.ds.grid(b.grid).level].key} : FieldValue{}, code_of(r.ds, b.grid),
                   b.building.valid() ? FieldValue{r.ds.building(b.building).source_id} : FieldValue{}, count(b.value)});
}


}  // namespace

void write_results_gpkg(const Results& r, const std::filesystem::path& file) {
    layers::VectorWriter w(file);
    write_buildings(w, r);
    write_grids(w, r);
    write_facilities(w, r);
    write_network(w, r);
    w.close();
    layers::GpkgTableWriter t(file);   // the attribute tables straight through SQLite, one prepared insert each
    write_households(t, r);
    write_gaps(t, r);
    write_rule_breaches(t, r);
    layers::write_issues_table(t, r.diagnostics);
    t.close();
}

}  // namespace gridatlas::pipeline
