// `gridatlas run`: every stage of a project from the one ProjectState — placement, counts per grid, walking access
// when roads and facilities are given, organisation rules, central households, liaison — into gridatlas.gpkg,
// summary.json and the overview map, with the stages the project cannot have listed as skipped.
#include "run_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <fstream>
#include <iomanip>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "access/straight_line.hpp"
#include "assign/central_households.hpp"
#include "output_set.hpp"
#include "project_state.hpp"
#include "overview_map.hpp"
#include "postgis_store.hpp"
#include "gpkg_scope.hpp"
#include "within_scope.hpp"
#include "project_config.hpp"
#include "results.hpp"

namespace gridatlas::pipeline {

namespace {


nlohmann::json conservation_json(const assign::AssignmentResult& a) {
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& c : a.conservation)
        levels.push_back({{"level", c.level}, {"roster", c.roster}, {"assigned", c.assigned}, {"unassigned", c.unassigned()},
                          {"unassigned_by_reason", c.unassigned_by_reason}, {"balanced", c.balanced()}});
    return levels;
}

// {"resident": n, "rented": n, "vacant": n, "business": n, "unknown": n}
nlohmann::json status_json(const StatusCounts& c) {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t i = 0; i < status_count; ++i) j[status_key(counted_statuses[i])] = c[i];
    return j;
}

nlohmann::json inputs_json(const Dataset& ds) {
    std::size_t residential = 0;
    for (const auto& b : ds.buildings) residential += b.residential;
    std::size_t walkable = 0;
    for (const auto& l : ds.roads) walkable += l.walkable;
    return {{"buildings", ds.buildings.size()}, {"residential_buildings", residential},
            {"rejected_buildings", ds.rejected_buildings.size()}, {"units", ds.units.size()},
            {"households_in_roster", ds.households.size()}, {"grids", ds.grids.size()},
            {"facilities", ds.facilities.size()}, {"road_lines", ds.roads.size()}, {"walkable_road_lines", walkable}};
}

// Rows placed by their point (no buildings layer) whose grid was not clear-cut, per level and flag.
nlohmann::json grid_flags_json(const Dataset& ds, const assign::AssignmentResult& a) {
    nlohmann::json flags = nlohmann::json::object();
    for (std::size_t l = 0; l < ds.levels.size(); ++l)
        if (!a.conservation.at(2 + l).flagged.empty()) flags[ds.levels[l].key] = a.conservation.at(2 + l).flagged;
    return flags;
}

// One grid of levels[].per_grid[]: its counts and the share of its households each kind covers.
nlohmann::json grid_json(const Results& r, GridId g) {
    const Dataset& ds = r.ds;
    const auto& s = r.stats.grids[g.index()];
    const GridId parent = r.tree.parent[g.index()];
    nlohmann::json coverage;
    for (std::size_t k = 0; k < r.access.kinds.size(); ++k)
        coverage[r.access.kinds[k].kind] = s.people.households
            ? std::round(1000.0 * s.covered_households[k] / s.people.households) / 1000 : 0.0;
    nlohmann::json j = {{"code", ds.grid(g).code}, {"name", ds.grid(g).name},
                        {"parent_code", parent.valid() ? ds.grid(parent).code : ""}, {"buildings", s.buildings},
                        {"households", s.people.households}, {"persons", s.people.persons},
                        {"party_member_households", s.people.party_households},
                        {"complete_circle_households", s.complete_circle_households}, {"coverage_share", coverage}};
    if (r.stats.household_status) j["households_by_status"] = status_json(s.people.status);
    return j;
}

nlohmann::json levels_json(const Results& r) {
    const Dataset& ds = r.ds;
    nlohmann::json levels = nlohmann::json::array();
    for (std::size_t l = 0; l < ds.levels.size(); ++l) {
        nlohmann::json grids = nlohmann::json::array();
        std::size_t households = 0, persons = 0, party = 0;
        StatusCounts by_status{};
        for (GridId g : ds.grids_of_level(static_cast<int>(l))) {
            const auto& s = r.stats.grids[g.index()];
            grids.push_back(grid_json(r, g));
            for (std::size_t i = 0; i < status_count; ++i) by_status[i] += s.people.status[i];
            households += s.people.households;
            persons += s.people.persons;
            party += s.people.party_households;
        }
        levels.push_back({{"key", ds.levels[l].key}, {"name", ds.levels[l].name}, {"grids", grids.size()},
                          {"households", households}, {"persons", persons}, {"party_member_households", party},
                          {"per_grid", grids}});
        if (r.stats.household_status) levels.back()["households_by_status"] = status_json(by_status);
    }
    return levels;
}

nlohmann::json service_kinds_json(const Results& r) {
    const Dataset& ds = r.ds;
    nlohmann::json kinds = nlohmann::json::array();
    for (std::size_t k = 0; k < r.stats.kinds.size(); ++k) {
        const auto& t = r.stats.kinds[k];
        const auto& sk = ds.service_kinds[k];
        std::size_t facilities = 0;
        for (const auto& f : ds.facilities) facilities += f.kind == sk.key;
        // Gap buildings the search stopped short of: they have no minutes, only "beyond the limit".
        std::size_t beyond = 0, beyond_households = 0;
        if (const auto* ka = r.access.find(sk.key))
            for (std::size_t b = 0; b < ka->reach.size(); ++b)
                if (ka->reach[b] == access::Reach::beyond_search_limit) {
                    ++beyond;
                    beyond_households += r.stats.buildings[b].households;
                }
        kinds.push_back({{"kind", sk.key}, {"name", sk.name}, {"threshold_minutes", sk.minutes}, {"facilities", facilities},
                         {"households", t.households}, {"covered_households", t.covered_households},
                         {"coverage_share", std::round(t.share() * 1000) / 1000}, {"gap_buildings", t.gap_buildings},
                         {"beyond_search_limit_buildings", beyond}, {"beyond_search_limit_households", beyond_households}});
    }
    return kinds;
}

nlohmann::json walking_json(const Results& r) {
    const Dataset& ds = r.ds;
    std::size_t at_entrances = 0;
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
        const auto points = r.access.points_of(BuildingId{b});
        at_entrances += !points.empty() && points.front().entrance != access::AccessPoint::anchor;
    }
    const double limit = r.access.kinds.empty() ? std::numeric_limits<double>::infinity() : r.access.kinds.front().search_limit_minutes;
    return {{"search_limit_minutes", std::isfinite(limit) ? nlohmann::json(limit) : nlohmann::json(nullptr)},
            {"entrances", ds.entrances.size()}, {"buildings_joined_at_entrances", at_entrances}};
}

nlohmann::json summary_json(const layers::ProjectConfig& cfg, const Results& r) {
    const Dataset& ds = r.ds;
    nlohmann::json j;
    j["project"] = cfg.name;
    j["project_file"] = cfg.file.string();
    j["working_crs"] = ds.working_crs;
    j["inputs"] = inputs_json(ds);
    j["walk_network"] = {{"nodes", r.network.nodes().size()}, {"edges", r.network.edges().size()},
                         {"components", r.network.component_count()}};
    j["households"] = households_json(ds, r.assignment);
    j["conservation"] = conservation_json(r.assignment);
    j["grid_flags"] = grid_flags_json(ds, r.assignment);
    j["levels"] = levels_json(r);
    j["service_kinds"] = service_kinds_json(r);
    j["walking"] = walking_json(r);
    j["complete_circle_households"] = r.stats.complete_circle_households;
    if (r.stats.household_status) {   // households placed in a building, by status (per grid: levels[].per_grid[])
        StatusCounts all{};
        for (const auto& b : r.stats.buildings)
            for (std::size_t i = 0; i < status_count; ++i) all[i] += b.status[i];
        j["households_by_status"] = status_json(all);
    }
    std::map<std::string, std::size_t> warnings;
    for (const auto& d : r.diagnostics.items()) ++warnings[d.code];
    j["warnings"] = warnings;
    return j;
}

nlohmann::json organisation_json(const Dataset& ds, const assign::OrganisationReport& org,
                                 const assign::CentralHouseholdResult& central, const assign::LiaisonResult& liaison) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : org.rules) {
        nlohmann::json codes = nlohmann::json::array();
        for (const auto& b : r.breaches) {
            if (codes.size() == 30) { codes.push_back("…"); break; }
            codes.push_back(b.building.valid() ? ds.building(b.building).source_id : ds.grid(b.grid).code);
        }
        rules.push_back({{"rule", r.key}, {"name", r.name_zh}, {"threshold", r.threshold}, {"breaches", r.breaches.size()},
                         {"examples", codes}, {"note", r.note}});
    }
    std::map<std::string, std::map<std::string, std::size_t>> forms;
    for (const auto& g : org.grids)
        if (g.grid.valid()) ++forms[ds.levels[g.level].key][assign::to_string(g.form)];
    std::size_t contacts = 0, covered = 0, uncovered = 0;
    for (const auto& g : liaison.grids) { contacts += g.contacts; covered += g.covered; uncovered += g.uncovered; }
    nlohmann::json short_grids = nlohmann::json::array();
    for (auto i : liaison.short_grids) short_grids.push_back(ds.grid(liaison.grids[i].grid).code);
    return {{"rules", rules},
            {"forms_by_level", forms},
            {"central_households", {{"seats", central.seats.size()}, {"seats_without_party_household", central.without_central.size()}}},
            {"liaison", {{"contacts", contacts}, {"households_covered", covered}, {"households_uncovered", uncovered},
                         {"contacts_below_minimum", liaison.underloaded.size()}, {"grids_short_of_party_members", short_grids}}}};
}

nlohmann::json circles_json(const Dataset& ds, const std::vector<access::StraightLineCoverage>& circles,
                            const access::AccessResult& access, const assign::Statistics& stats) {
    std::vector<std::size_t> households(ds.buildings.size());
    for (std::size_t b = 0; b < households.size(); ++b) households[b] = stats.buildings[b].households;
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t k = 0; k < circles.size(); ++k) {
        const auto c = access::compare_coverage(circles[k], access.kinds[k], households);
        out.push_back({{"kind", c.kind}, {"radius_m", std::round(circles[k].radius_m)}, {"households_in_circle", c.households_circle},
                       {"households_reached_on_foot", c.households_network}, {"in_circle_but_not_reached", c.households_circle_only}});
    }
    return out;
}

// "1 facility", "2 facilities".
std::string counted(const nlohmann::json& n, const char* one, const char* many) {
    const auto v = n.get<std::size_t>();
    return std::to_string(v) + " " + (v == 1 ? one : many);
}

// " (3 beyond the 60-min search limit)" when the search stopped short of some of a kind's gap buildings.
std::string beyond_text(const nlohmann::json& summary, const nlohmann::json& kind) {
    const std::size_t beyond = kind.value("beyond_search_limit_buildings", std::size_t{0});
    if (beyond == 0 || !summary.contains("walking") || summary["walking"]["search_limit_minutes"].is_null()) return "";
    std::ostringstream out;
    out << " (" << beyond << " beyond the " << summary["walking"]["search_limit_minutes"].get<double>() << "-min search limit)";
    return out.str();
}

// The walking-access lines of the terminal summary: coverage per kind, the complete circle, straight-line circles.
void format_access(const nlohmann::json& s, std::ostringstream& out) {
    out << "\nWalking access (network distance):\n";
    for (const auto& k : s["service_kinds"])
        out << "    " << k["name"].get<std::string>() << " ≤" << k["threshold_minutes"].get<double>() << " min: "
            << k["coverage_share"].get<double>() * 100 << "% of households (" << k["covered_households"] << "/" << k["households"]
            << "), " << counted(k["gap_buildings"], "gap building", "gap buildings") << beyond_text(s, k) << ", "
            << counted(k["facilities"], "facility", "facilities") << "\n";
    out << "  complete life circle (every life-circle kind in time): " << s["complete_circle_households"] << " households\n";
    out << "  straight-line circles would count as covered but the network does not reach in time:";
    for (const auto& c : s["straight_line_vs_network"]) out << " " << c["kind"].get<std::string>() << " " << c["in_circle_but_not_reached"] << ";";
}

}  // namespace

// --within: the rule breaches and organisation forms of the county's grids only (a grid above or beside it holds
// only the county's part of its households there).
assign::OrganisationReport scoped_organisation(const assign::OrganisationReport& all, const Dataset& ds, const WithinScope& scope) {
    assign::OrganisationReport out = all;
    auto outside = [&](GridId g) { return g.valid() && !scope.grid_codes.count(ds.grid(g).code); };
    for (auto& rule : out.rules)
        rule.breaches.erase(std::remove_if(rule.breaches.begin(), rule.breaches.end(), [&](const auto& b) { return outside(b.grid); }),
                            rule.breaches.end());
    for (auto& g : out.grids)
        if (outside(g.grid)) g.grid = GridId{};
    return out;
}

// --within: the county's grids only, and the reach of buildings its margin cannot decide said as such.
void limit_gpkg_to_scope(const std::filesystem::path& gpkg, const WithinScope& scope, const access::AccessResult& access) {
    layers::keep_grids(gpkg, "grids", "code", scope.grid_codes);
    if (!std::isfinite(scope.margin_m)) return;   // every road and facility kept: the reach is the whole run's
    std::vector<std::string> kinds;
    for (const auto& k : access.kinds) kinds.push_back(k.kind);
    std::ostringstream note;
    note << "not reached within the --within run's walking margin (" << std::round(scope.margin_m)
         << " m): the whole-project run tells whether it is beyond the search limit or cut off";
    layers::relabel_unreached(gpkg, kinds, note.str());
}

nlohmann::json postgis_json(const layers::PostgisPublishReport& r) {
    nlohmann::json tables = nlohmann::json::object();
    for (const auto& t : r.tables) tables[t.name] = t.rows;
    return {{"schema", r.schema}, {"scope_code", r.scope}, {"rows", tables},
            {"load_seconds", std::round(r.load_seconds * 100) / 100}, {"swap_seconds", std::round(r.swap_seconds * 1000) / 1000}};
}

RunReport run_job(const RunConfig& config) {
    Diagnostics diag;
    return run_job(config, diag);
}

namespace {

// The project state a run works from. --within: the whole project places the households (cheap), then one county's
// cut runs every stage; its warnings repeat the whole project's for the grids (every grid is kept), so only new ones
// are added to the run's diagnostics. Not movable: the states keep references to county_diag.
struct RunStates {
    Diagnostics county_diag;
    std::unique_ptr<ProjectState> whole, state;
    std::optional<WithinScope> scope;

    RunStates(const RunConfig& config, Diagnostics& diag, StageClock& clock) {
        if (config.within.empty()) {
            state = std::make_unique<ProjectState>(config.project_file, diag, clock);
            return;
        }
        whole = std::make_unique<ProjectState>(config.project_file, diag, clock);
        scope.emplace();
        Dataset part = clock.time("cut --within", [&] { return within_dataset(*whole, config.within, *scope); });
        state = std::make_unique<ProjectState>(whole->cfg(), std::move(part), county_diag, clock);
    }
    RunStates(const RunStates&) = delete;
    RunStates& operator=(const RunStates&) = delete;
};

// overview.png's request: households per grid, and the headline kind's walking minutes when access could be measured.
// Built from stages already computed (the state computes lazily and is not to be asked from two threads).
render::OverviewRequest overview_request(ProjectState& p) {
    const auto& cfg = p.cfg();
    const auto& ds = p.ds();
    render::OverviewRequest req;
    req.dataset = &ds;
    for (const auto& g : p.stats().grids) req.grid_households.push_back(static_cast<std::int64_t>(g.people.households));
    if (const auto* headline = p.access().find(cfg.map.headline_kind); headline && p.can_measure_access()) {
        req.building_minutes = access::minutes_for_bands(*headline);
        req.headline_threshold_minutes = headline->threshold_minutes;
    }
    for (const auto& k : ds.service_kinds) if (k.key == cfg.map.headline_kind) req.headline_kind_name = k.name;
    req.title = cfg.map.title;
    req.width_px = cfg.map.width_px;
    req.attribution = cfg.map.attribution;
    return req;
}

// gridatlas.gpkg and overview.png at the same time: the overview renders on a thread of its own beside the GeoPackage
// writer (they share only the computed, read-only results), each into its temporary; both are synced when both have
// ended, and committed with the rest. Each stage's time is its own ("render overview" overlaps "write gpkg").
void write_gpkg_and_overview(const RunConfig& config, ProjectState& p, const Results& results, const std::optional<WithinScope>& scope,
                             OutputSet& out, StageClock& clock, RunReport& report) {
    std::future<double> overview;
    if (config.render)
        overview = std::async(std::launch::async, [req = overview_request(p), png = out.reserve("overview.png")] {
            const auto start = std::chrono::steady_clock::now();
            render::render_overview_png(req, png);
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        });
    report.gpkg = clock.time("write gpkg", [&] {
        return out.write("gridatlas.gpkg", [&](const auto& f) {
            write_results_gpkg(results, f);
            if (scope) limit_gpkg_to_scope(f, *scope, results.access);
        });
    });
    if (!config.render) return;
    clock.add("render overview", overview.get());
    out.done("overview.png");
    report.overview_png = out.final_path("overview.png");
}

// --within: the summary limited to the county; the roster file is the whole project's, accounted for there, and the
// county's rows here.
void scope_summary(const RunStates& states, RunReport& report) {
    const WithinScope& scope = *states.scope;
    limit_levels_to_scope(report.summary["levels"], scope);
    report.summary["within"] = within_json(scope);
    if (std::isfinite(scope.margin_m))   // the margin cannot tell these apart (see limit_gpkg_to_scope)
        for (auto& k : report.summary["service_kinds"]) {
            k.erase("beyond_search_limit_buildings");
            k.erase("beyond_search_limit_households");
        }
    report.balanced = states.state->assignment().balanced() && roster_file_count(states.whole->ds()).balanced();
}

}  // namespace

RunReport run_job(const RunConfig& config, Diagnostics& diag) {
    StageClock clock;
    RunReport report;
    if (!config.to_postgis.empty()) layers::check_postgis_target({config.to_postgis, config.pg_schema});   // before any work
    const RunStates states(config, diag, clock);
    const std::optional<WithinScope>& scope = states.scope;
    ProjectState& p = *states.state;
    // The stages in this order (each is computed on first use, and its warnings come in that order).
    const auto& cfg = p.cfg();
    const auto& ds = p.ds();
    const auto& tree = p.tree();
    const auto& assignment = p.assignment();
    const auto& network = p.network();
    const auto& access = p.access();
    const auto& stats = p.stats();
    const auto circles = clock.time("straight-line circles", [&] { return access::straight_line_coverage(ds, cfg.walking.speed_m_per_s); });
    const auto& central = p.central();
    const auto& liaison = p.liaison();
    const assign::OrganisationReport organisation = scope ? scoped_organisation(p.organisation(), ds, *scope) : p.organisation();
    if (scope) add_new_warnings(states.county_diag, diag);

    const Results results{ds, tree, assignment, network, access, stats, organisation, liaison, diag};
    OutputSet out(config.out_dir, "run", diag);
    write_gpkg_and_overview(config, p, results, scope, out, clock, report);

    report.summary = summary_json(cfg, results);
    report.summary["organisation"] = organisation_json(ds, organisation, central, liaison);
    report.summary["straight_line_vs_network"] = circles_json(ds, circles, access, stats);
    report.summary["outputs"] = {{"gpkg", report.gpkg.string()}, {"overview_png", report.overview_png.string()}};
    report.balanced = assignment.balanced() && roster_file_count(ds).balanced();
    report.summary["skipped_stages"] = skipped_json(p.skipped());
    if (scope) scope_summary(states, report);
    if (!config.to_postgis.empty())   // before the files are committed: a failure here leaves the previous files too
        report.summary["postgis"] = clock.time("write postgis", [&] {
            const layers::PostgisScope pg_scope{scope ? scope->code : "all", scope ? scope->level_key : "all", cfg.name};
            return postgis_json(layers::publish_to_postgis(OutputSet::temporary_of(report.gpkg), {config.to_postgis, config.pg_schema},
                                                           pg_scope));
        });
    report.summary["timings"] = clock.json();
    report.summary["stale_outputs"] = out.stale({"summary.json"});
    report.summary_json = out.write_text("summary.json", report.summary.dump(2) + "\n");
    out.commit();
    report.warnings = diag.items();
    return report;
}

namespace {

// The households lines of the terminal summary: roster = assigned + unassigned, the roster file, per level and flag.
void format_households(const nlohmann::json& s, std::ostringstream& out) {
    const auto& in = s["inputs"];
    const auto& h = s["households"];
    out << "\nHouseholds: " << h["roster"] << " in roster = " << h["assigned"] << " assigned + " << h["unassigned"] << " unassigned"
        << (in["buildings"] == 0 ? " to a building (no buildings layer: the grid levels below count the rows placed by their points)" : "")
        << "\n";
    if (!h["records_in_file"].is_null())
        out << "  roster file: " << h["records_in_file"] << " records = " << h["roster"] << " read + " << h["rejected_at_read"]
            << " rejected at read (see the warnings, by line)" << (h["file_balanced"].get<bool>() ? "  ok" : "  DOES NOT ADD UP")
            << "\n";
    for (const auto& [reason, n] : h["unassigned_by_reason"].items()) out << "    " << reason << ": " << n << "\n";
    out << "  per level (roster = assigned + unassigned):\n";
    for (const auto& c : s["conservation"])
        out << "    " << std::left << std::setw(10) << c["level"].get<std::string>() << std::right << c["roster"] << " = "
            << c["assigned"] << " + " << c["unassigned"] << (c["balanced"].get<bool>() ? "  ok" : "  DOES NOT ADD UP") << "\n";
    for (const auto& [level, flagged] : s["grid_flags"].items()) {
        out << "  " << level << ", placed by point but not clear-cut (the grid was chosen by rule):";
        for (const auto& [flag, n] : flagged.items()) out << " " << flag << " " << n << ";";
        out << "\n";
    }
}

}  // namespace

std::string format_summary(const RunReport& report) {
    const auto& s = report.summary;
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    out << "GridAtlas run: " << s["project"].get<std::string>() << " (" << s["working_crs"].get<std::string>() << ")\n";
    const auto& in = s["inputs"];
    out << "  buildings " << in["buildings"] << " (" << in["residential_buildings"] << " residential), units " << in["units"]
        << ", grids " << in["grids"] << ", facilities " << in["facilities"] << ", road lines " << in["road_lines"] << "\n";
    format_households(s, out);
    out << "\nGrid levels:\n";
    for (const auto& l : s["levels"])
        out << "    " << l["name"].get<std::string>() << " (" << l["key"].get<std::string>() << "): " << l["grids"] << " grids, "
            << l["households"] << " households, " << l["persons"] << " persons, " << l["party_member_households"]
            << " party-member households\n";
    out << format_skipped(s["skipped_stages"]);
    if (!s["service_kinds"].empty()) format_access(s, out);
    out << "\n\nOrganisation rules (details in the gpkg's 'rule_breaches' layer):\n";

    for (const auto& r : s["organisation"]["rules"])
        out << "    " << r["name"].get<std::string>() << " (" << r["threshold"].get<std::string>() << "): " << r["breaches"] << " breaches\n";
    const auto& l = s["organisation"]["liaison"];
    out << "  liaison (党员联系户): " << l["contacts"] << " party-member households cover " << l["households_covered"] << " households, "
        << l["households_uncovered"] << " uncovered; " << l["grids_short_of_party_members"].size() << " grids short of party members\n";
    if (!s["warnings"].empty()) {
        out << "\nWarnings by kind (details in the gpkg's 'issues' layer):\n";
        for (const auto& [code, n] : s["warnings"].items()) out << "    " << code << ": " << n << "\n";
    }
    out << "\nTimings:";
    double total = 0, gpkg = 0, overview = -1;
    for (const auto& t : s["timings"]) {
        const std::string stage = t["stage"].get<std::string>();
        const double seconds = t["seconds"].get<double>();
        out << " " << stage << " " << std::setprecision(2) << seconds << "s;";
        total += seconds;
        if (stage == "write gpkg") gpkg = seconds;
        if (stage == "render overview") overview = seconds;
    }
    // The overview renders beside the GeoPackage writer (write_gpkg_and_overview): the two overlap, count the longer.
    if (overview >= 0) total -= std::min(gpkg, overview);
    out << " total " << total << "s" << (overview >= 0 ? " (render overview beside write gpkg)" : "") << "\n";
    out << "\nOutputs:\n    " << report.gpkg.string() << "\n    " << report.summary_json.string() << "\n";
    if (!report.overview_png.empty()) out << "    " << report.overview_png.string() << "\n";
    if (s.contains("postgis")) {
        const auto& pg = s["postgis"];
        out << "    PostGIS schema " << pg["schema"].get<std::string>() << ", partition scope_code = '" << pg["scope_code"].get<std::string>()
            << "':";
        for (const auto& [table, rows] : pg["rows"].items()) out << " " << table << " " << rows << ";";
        out << "\n";
    }
    return out.str();
}

}  // namespace gridatlas::pipeline
