// The `plan` command: facility siting for one service kind (maximal covering or a target share) and its outputs.
#include "plan_job.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "access/siting.hpp"
#include "output_set.hpp"
#include "project_state.hpp"
#include "vector_reader.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

namespace {

struct Candidates {
    std::vector<access::SitingCandidate> sites;
    std::size_t skipped = 0;   // features of a candidate layer that are not points
};

Candidates read_candidates(ProjectState& p, const PlanConfig& config) {
    if (config.candidates == "nodes") return {access::candidates_from_nodes(p.network()), 0};
    if (config.candidates == "buildings") return {access::candidates_from_buildings(p.ds(), p.access()), 0};
    if (!config.candidate_layer)
        throw DataError({Severity::error, "bad_option", {}, "--candidates must be buildings, nodes or a layer file", "e.g. --candidates sites.gpkg"});
    layers::VectorReader r(*config.candidate_layer, p.ds().working_crs);
    auto id = r.request_field("id", false);
    std::vector<std::pair<std::string, geo::Point>> points;
    std::size_t not_points = 0;
    r.for_each([&](layers::FeatureView& f) {
        if (f.kind != layers::GeometryKind::point) { ++not_points; return; }
        points.emplace_back(id && !f.text(*id).empty() ? f.text(*id) : "fid:" + std::to_string(f.fid), f.point);
    });
    if (points.empty())
        throw DataError({Severity::error, "empty_layer", r.where(), "the candidate layer has no point", "give candidate sites as points"});
    return {access::candidates_from_points(p.network(), points, p.cfg().walking.max_snap_m), not_points};
}

}  // namespace

PlanReport plan_job(const PlanConfig& config, Diagnostics& diag) {
    StageClock clock;
    ProjectState p(config.project_file, diag, clock, config.profile);
    const std::size_t k = p.kind_index(config.kind);
    const ServiceKind& kind = p.ds().service_kinds[k];
    if (config.target_share && (*config.target_share <= 0 || *config.target_share > 1))
        throw DataError({Severity::error, "bad_option", {}, "--target-share must lie in (0, 1]", "e.g. --target-share 0.95"});

    const Candidates read = clock.time("candidates", [&] { return read_candidates(p, config); });
    const auto& candidates = read.sites;
    if (read.skipped)
        diag.warn("wrong_geometry_type", {config.candidate_layer->file.string(), config.candidate_layer->layer, "", {}, {}},
                  std::to_string(read.skipped) + " candidate features are not points and were not considered", "give candidate sites as points");
    const auto demand = access::demand_from_access(p.ds(), p.access(), p.access().kinds[k], households_per_building(p));
    const double threshold_m = kind.minutes * 60 * p.cfg().walking.speed_m_per_s;
    const auto model = clock.time("coverage model", [&] { return access::coverage_model(p.network(), candidates, demand, threshold_m); });
    const auto result = clock.time("choose sites", [&] {
        return config.target_share ? access::fewest_sites_for_share(model, *config.target_share) : access::choose_sites(model, config.sites);
    });

    OutputSet out(config.out_dir, "", diag);   // one pair of files per kind, from separate runs: no manifest
    PlanReport report;
    report.csv = out.final_path("plan_" + kind.key + ".csv");
    report.gpkg = out.final_path("plan_" + kind.key + ".gpkg");
    std::vector<std::vector<std::string>> rows;
    nlohmann::json sites = nlohmann::json::array();
    layers::VectorWriter w(out.reserve(report.gpkg));
    w.begin_layer("sites", layers::LayerGeometry::point, p.ds().working_crs,
                  {{"rank", layers::FieldType::integer}, {"candidate_id"}, {"kind"}, {"newly_covered_households", layers::FieldType::integer},
                   {"share_before", layers::FieldType::real}, {"share_after", layers::FieldType::real}});
    for (std::size_t i = 0; i < result.sites.size(); ++i) {
        const auto& s = result.sites[i];
        const auto& c = candidates[s.candidate];
        w.add({std::int64_t(i + 1), s.id, kind.key, std::int64_t(s.newly_covered_households), s.share_before, s.share_after}, c.location);
        rows.push_back({std::to_string(i + 1), s.id, std::to_string(s.newly_covered_households), std::to_string(s.covered_after),
                        std::to_string(s.share_after), std::to_string(c.location.x()), std::to_string(c.location.y())});
        sites.push_back({{"rank", i + 1}, {"candidate", s.id}, {"newly_covered_households", s.newly_covered_households},
                         {"covered_after", s.covered_after}, {"share_after", std::round(s.share_after * 1000) / 1000}});
    }
    w.close();
    out.done(report.gpkg);
    out.write(report.csv, [&](const auto& f) { layers::write_csv(f, {"rank", "candidate_id", "newly_covered_households", "covered_after", "share_after", "x", "y"}, rows); });
    out.commit();
    report.summary = {{"project", p.cfg().name}, {"kind", kind.key}, {"kind_name", kind.name}, {"threshold_minutes", kind.minutes},
                      {"candidates", config.candidates}, {"candidate_count", candidates.size()},
                      {"households", result.total_households}, {"covered_before", result.covered_before},
                      {"covered_after", result.covered_after}, {"share_before", std::round(result.share_before * 1000) / 1000},
                      {"share_after", std::round(result.share_after * 1000) / 1000}, {"target_reached", result.target_reached},
                      {"sites", sites}, {"timings", clock.json()}, {"working_crs", p.ds().working_crs}};
    if (config.target_share) report.summary["target_share"] = *config.target_share;
    return report;
}

std::string format_plan(const PlanReport& report) {
    const auto& s = report.summary;
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    out << "Plan for " << s["kind_name"].get<std::string>() << " (" << s["kind"].get<std::string>() << ", ≤" << s["threshold_minutes"].get<double>()
        << " min on foot), " << s["candidate_count"] << " candidates (" << s["candidates"].get<std::string>() << ")\n";
    out << "  coverage now: " << 100 * s["share_before"].get<double>() << "% (" << s["covered_before"] << "/" << s["households"] << " households)\n";
    out << "  rank  site                  new households   share after\n";
    for (const auto& site : s["sites"])
        out << "  " << std::setw(4) << site["rank"].get<int>() << "  " << std::left << std::setw(20) << site["candidate"].get<std::string>()
            << std::right << std::setw(16) << site["newly_covered_households"].get<std::size_t>() << std::setw(13)
            << 100 * site["share_after"].get<double>() << "%\n";
    out << "  coverage with these sites: " << 100 * s["share_after"].get<double>() << "%";
    if (s.contains("target_share")) out << (s["target_reached"].get<bool>() ? " (target reached)" : " (target NOT reachable with these candidates)");
    out << "\n  sites in " << report.gpkg.string() << " (" << s["working_crs"].get<std::string>() << ") and " << report.csv.string() << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
