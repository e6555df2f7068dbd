// The `render` command: one print map (overview, officer or planner) as PNG, PDF or SVG, written atomically.
#include "render_job.hpp"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "access/isochrones.hpp"
#include "assign/central_households.hpp"
#include "officer_job.hpp"
#include "output_set.hpp"
#include "personal_fields.hpp"

namespace gridatlas::pipeline {

std::string headline_kind(ProjectState& p) {
    if (!p.cfg().map.headline_kind.empty()) return p.cfg().map.headline_kind;
    return p.ds().service_kinds.empty() ? std::string() : p.ds().service_kinds.front().key;
}

GridId find_grid(ProjectState& p, const std::string& code_or_name) {
    for (const auto& g : p.ds().grids)
        if (g.code == code_or_name) return g.id;
    GridId by_name;
    int named = 0;
    for (const auto& g : p.ds().grids)
        if (!g.name.empty() && g.name == code_or_name) by_name = g.id, ++named;
    if (named == 1) return by_name;
    // similar codes: the longest common prefix first
    std::vector<std::pair<std::size_t, std::string>> similar;
    for (const auto& g : p.ds().grids) {
        std::size_t n = 0;
        while (n < g.code.size() && n < code_or_name.size() && g.code[n] == code_or_name[n]) ++n;
        similar.push_back({n, g.code});
    }
    std::stable_sort(similar.begin(), similar.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string hint = named > 1 ? "several grids are named '" + code_or_name + "': give the code. " : "";
    hint += "grid codes like it:";
    for (std::size_t i = 0; i < similar.size() && i < 6; ++i) hint += " " + similar[i].second;
    throw DataError({Severity::error, "unknown_grid", {p.cfg().file.string(), "", code_or_name, {}, {}},
                     "no grid has the code '" + code_or_name + "'", hint});
}

// Officer products only: households of a key group (重点人群) per building, read from the roster's personal key_groups
// field here and kept as counts; nothing else of the field leaves this function.
static void add_key_group_counts(ProjectState& p, render::MapData& d) {
    if (!layers::has_key_groups(p.cfg().households)) return;
    std::set<std::int64_t> rows;
    for (const Household& h : p.ds().households) rows.insert(h.row);
    const auto groups = layers::read_key_groups(p.cfg().households, rows);
    for (const Household& h : p.ds().households) {
        const auto& placed = p.assignment().households[h.id.index()];
        if (placed.building_reason == assign::Reason::assigned && groups.count(h.row)) ++d.buildings[placed.building.index()].key_group_households;
    }
    d.key_groups = true;
}

// With a status field: each building's households by status per unit, keyed and named as the officer list lists them
// (listed_unit), in its order.
static void add_unit_status(ProjectState& p, render::MapData& d) {
    if (!d.household_status) return;
    const Dataset& ds = p.ds();
    std::map<std::pair<BuildingId, std::pair<int, bool>>, std::pair<std::string, StatusCounts>> units;
    for (const Household& h : ds.households) {
        const auto& placed = p.assignment().households[h.id.index()];
        const std::size_t slot = status_slot(h.status);
        if (placed.building_reason != assign::Reason::assigned || slot >= status_count) continue;
        const ListedUnit listed = listed_unit(ds, placed);
        auto& [label, counts] = units[{placed.building, listed.order()}];
        if (label.empty()) label = listed.label();
        ++counts[slot];
    }
    for (const auto& [key, unit] : units) d.buildings[key.first.index()].unit_status.push_back({unit.first, unit.second});
}

render::MapData map_data(ProjectState& p, const MapDataOptions& options) {
    const Dataset& ds = p.ds();
    render::MapData d;
    d.dataset = &ds;
    d.project_name = p.cfg().name;
    d.building_grid = p.tree().building_grid;
    const std::string kind = options.kind.empty() ? headline_kind(p) : options.kind;
    std::size_t k = ds.service_kinds.size();
    if (!kind.empty()) k = p.kind_index(kind);   // DataError for an unknown kind
    if (k < ds.service_kinds.size()) {
        d.kind_key = ds.service_kinds[k].key;
        d.kind_name = ds.service_kinds[k].name.empty() ? d.kind_key : ds.service_kinds[k].name;
        d.kind_threshold_minutes = ds.service_kinds[k].minutes;
        d.building_minutes = access::minutes_for_bands(p.access().kinds[k]);
    }
    d.grids.resize(ds.grids.size());
    for (std::size_t g = 0; g < ds.grids.size(); ++g) {
        const auto& s = p.stats().grids[g];
        auto& f = d.grids[g];
        f.households = static_cast<std::int64_t>(s.people.households);
        f.persons = static_cast<std::int64_t>(s.people.persons);
        f.party_households = static_cast<std::int64_t>(s.people.party_households);
        f.residential_buildings = static_cast<std::int64_t>(s.buildings);
        if (k < s.covered_households.size()) f.covered_households = static_cast<std::int64_t>(s.covered_households[k]);
    }
    if (options.officer) {
        d.buildings.resize(ds.buildings.size());
        for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
            const auto& t = p.stats().buildings[b];
            auto& f = d.buildings[b];
            f.households = static_cast<std::int64_t>(t.households);
            f.persons = static_cast<std::int64_t>(t.persons);
            f.party_households = static_cast<std::int64_t>(t.party_households);
            f.status = t.status;
        }
        d.household_status = p.stats().household_status;
        add_unit_status(p, d);
        add_key_group_counts(p, d);
        for (const auto& u : ds.units)
            if (u.building.valid()) ++d.buildings[u.building.index()].units;
        const auto& central = p.central();
        for (const auto& seat : central.seats)
            if (seat.central.valid() && seat.building.valid())
                d.buildings[seat.building.index()].central_places.push_back(place_of(p.ds(), p.assignment(), seat.central, seat.building));
    }
    if (options.isochrones && k < ds.service_kinds.size()) {
        access::IsochroneOptions o;
        o.speed_m_per_s = p.cfg().walking.speed_m_per_s;
        const auto sources = access::facility_sources(ds, p.access(), d.kind_key);
        if (!sources.empty()) {
            const std::vector<double> bands{5, 10, 15};
            const auto iso = access::isochrones(p.network(), sources, bands, o);
            for (const auto& i : iso) d.isochrones.push_back({i.minutes, i.area});
        }
    }
    return d;
}

RenderReport render_job(const RenderConfig& config, Diagnostics& diag) {
    const auto style = render::parse_style(config.style);
    if (!style) throw std::invalid_argument("--style must be overview, wall, officer or planner, got '" + config.style + "'");
    std::string format = config.format;
    if (format.empty()) format = config.out_file.extension().string();
    const auto fmt = render::parse_format(format);
    if (!fmt)
        throw std::invalid_argument("cannot tell the format of '" + config.out_file.string() +
                                    "': end it in .png, .pdf or .svg, or give --format");
    if (*style == render::MapStyle::officer && config.grid.empty())
        throw std::invalid_argument("--style officer maps one grid: give --grid <code>");
    (void)config.page.size_pt();   // bad paper, dpi or size: before the long part

    StageClock clock;
    ProjectState p(config.project_file, diag, clock);
    RenderReport report;
    report.out_file = config.out_file;
    report.style = render::is_wall_style(config.style) ? "wall" : render::to_string(*style);
    report.format = render::to_string(*fmt);
    report.page = config.page.describe();
    GridId focus;
    if (!config.grid.empty()) {
        focus = find_grid(p, config.grid);
        report.grid_code = p.ds().grid(focus).code;
    }
    MapDataOptions options;
    options.kind = *style == render::MapStyle::planner ? config.kind : std::string();
    options.officer = *style == render::MapStyle::officer;
    options.isochrones = *style == render::MapStyle::planner;
    const render::MapData data = clock.time("map data", [&] { return map_data(p, options); });
    report.kind = data.kind_key;

    render::PrintRequest req;
    req.style = *style;
    req.data = &data;
    req.focus = focus;
    req.page = config.page;
    req.format = *fmt;
    req.title = config.title;
    req.date = config.date;
    req.attribution = p.cfg().map.attribution;
    req.wall = render::is_wall_style(config.style);
    const auto t0 = std::chrono::steady_clock::now();
    OutputSet out(config.out_file.parent_path(), "", diag);
    out.write(config.out_file, [&](const auto& f) {
        report.print = clock.time("render " + report.format, [&] { return render::render_print_map(req, f); });
    });
    out.commit();
    report.page = report.print.page;
    report.render_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.timings = clock.json();
    return report;
}

std::string format_render(const RenderReport& r) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(2);
    out << "GridAtlas render: " << r.style << " map";
    if (!r.grid_code.empty()) out << " of grid " << r.grid_code;
    if (r.style == "planner") out << " for " << r.kind;
    out << ", " << r.page << ", " << r.format << "\n";
    out << "  page " << std::setprecision(0) << r.print.width_pt << " × " << r.print.height_pt << " pt";
    if (r.print.width_px > 0) out << " (" << r.print.width_px << " × " << r.print.height_px << " px)";
    if (r.print.scale_denominator > 0) out << ", scale about 1:" << std::llround(r.print.scale_denominator);
    if (r.print.names_on_map >= 0) {
        out << "\n  names: " << r.print.names_on_map << " on the map, " << r.print.names_in_index
            << " by code in the index under it";
        if (r.print.crowded_labels > 0) out << " (" << r.print.crowded_labels << " codes found no free place and overlap)";
    }
    out << "\n" << std::setprecision(2) << "  timings:";
    double total = 0;
    for (const auto& t : r.timings) {
        out << " " << t["stage"].get<std::string>() << " " << t["seconds"].get<double>() << "s;";
        total += t["seconds"].get<double>();
    }
    out << " total " << total << "s\n";
    out << "  wrote " << r.out_file.string() << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
