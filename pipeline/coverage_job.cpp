// The `coverage` command: isochrones, straight-line circles and gaps per service kind, written as layers and CSV.
#include "coverage_job.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "access/isochrones.hpp"
#include "access/straight_line.hpp"
#include "output_set.hpp"
#include "project_state.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

using layers::FieldType;
using layers::FieldValue;
using layers::LayerGeometry;

namespace {

FieldValue minutes_value(double m) { return std::isfinite(m) ? FieldValue{std::round(m * 100) / 100} : FieldValue{}; }
std::string minutes_text(double m) {
    if (!std::isfinite(m)) return "";
    std::ostringstream s;
    s << std::fixed << std::setprecision(2) << m;
    return s.str();
}

// What the coverage outputs are made of, computed before anything is written.
struct CoverageMeasures {
    std::vector<std::size_t> households;                              // per building index
    std::vector<std::vector<access::Isochrone>> kind_iso, facility_iso;
    std::vector<access::StraightLineCoverage> circles;
};

CoverageMeasures measure(ProjectState& p, const CoverageConfig& config, StageClock& clock) {
    const auto& ds = p.ds();
    CoverageMeasures m;
    m.households = households_per_building(p);
    access::IsochroneOptions iso_options;
    iso_options.speed_m_per_s = p.cfg().walking.speed_m_per_s;
    iso_options.buffer_m = config.buffer_m;
    m.kind_iso = clock.time("isochrones per kind", [&] { return access::kind_isochrones(ds, p.network(), p.access(), config.bands, iso_options); });
    if (config.per_facility)
        m.facility_iso = clock.time("isochrones per facility", [&] { return access::facility_isochrones(ds, p.network(), p.access(), config.bands, iso_options); });
    m.circles = clock.time("straight-line circles", [&] { return access::straight_line_coverage(ds, iso_options.speed_m_per_s); });
    return m;
}

void write_isochrone_layers(layers::VectorWriter& w, const Dataset& ds, const CoverageMeasures& m, bool per_facility) {
    w.begin_layer("isochrones", LayerGeometry::polygon, ds.working_crs,
                  {{"kind"}, {"kind_name"}, {"minutes", FieldType::real}, {"reachable_path_km", FieldType::real}, {"area_km2", FieldType::real}});
    for (std::size_t k = 0; k < m.kind_iso.size(); ++k)
        for (const auto& iso : m.kind_iso[k])
            w.add({ds.service_kinds[k].key, ds.service_kinds[k].name, iso.minutes, std::round(iso.reachable_length_m) / 1000,
                   std::round(geo::bg::area(iso.area) / 1e4) / 100},
                  iso.area);
    if (!per_facility) return;
    w.begin_layer("facility_isochrones", LayerGeometry::polygon, ds.working_crs,
                  {{"facility_id"}, {"kind"}, {"minutes", FieldType::real}, {"area_km2", FieldType::real}});
    for (std::size_t f = 0; f < m.facility_iso.size(); ++f)
        for (const auto& iso : m.facility_iso[f])
            if (!iso.area.empty())
                w.add({ds.facilities[f].source_id, ds.facilities[f].kind, iso.minutes, std::round(geo::bg::area(iso.area) / 1e4) / 100}, iso.area);
}

// The circles, and what they hide: buildings a circle counts as covered that are not reached on foot in time.
// Returns each kind's comparison for coverage.json.
nlohmann::json write_circle_layers(layers::VectorWriter& w, ProjectState& p, const CoverageMeasures& m) {
    const auto& ds = p.ds();
    w.begin_layer("circles", LayerGeometry::polygon, ds.working_crs, {{"kind"}, {"kind_name"}, {"radius_m", FieldType::real}});
    for (std::size_t k = 0; k < m.circles.size(); ++k)
        w.add({ds.service_kinds[k].key, ds.service_kinds[k].name, std::round(m.circles[k].radius_m)},
              access::straight_line_circles(ds, ds.service_kinds[k].key, m.circles[k].radius_m));
    w.begin_layer("circle_only_buildings", LayerGeometry::polygon, ds.working_crs,
                  {{"building_id"}, {"kind"}, {"air_m", FieldType::real}, {"walk_minutes", FieldType::real}, {"households", FieldType::integer}});
    nlohmann::json kinds = nlohmann::json::array();
    for (std::size_t k = 0; k < m.circles.size(); ++k) {
        const auto& walked = p.access().kinds[k];
        const auto cmp = access::compare_coverage(m.circles[k], walked, m.households);
        for (BuildingId b : cmp.circle_only)
            w.add({ds.building(b).source_id, cmp.kind, std::round(m.circles[k].distance_m[b.index()]), minutes_value(walked.minutes[b.index()]),
                   std::int64_t(m.households[b.index()])},
                  ds.building(b).footprint);
        nlohmann::json areas = nlohmann::json::object();
        for (const auto& iso : m.kind_iso[k]) areas[minutes_text(iso.minutes)] = std::round(geo::bg::area(iso.area) / 1e4) / 100;
        kinds.push_back({{"kind", cmp.kind}, {"name", ds.service_kinds[k].name}, {"threshold_minutes", cmp.threshold_minutes},
                         {"households", cmp.households}, {"reached_on_foot", cmp.households_network},
                         {"inside_circle", cmp.households_circle}, {"circle_only", cmp.households_circle_only},
                         {"isochrone_area_km2", areas}});
    }
    return kinds;
}

// Gaps as CSV: buildings and households beyond each threshold, with their minutes. Ids only.
void write_gap_tables(OutputSet& out, ProjectState& p, const CoverageMeasures& m, CoverageReport& report) {
    const auto& ds = p.ds();
    std::vector<std::vector<std::string>> gap_buildings, gap_households;
    for (const auto& k : p.access().kinds)
        for (const Building& b : ds.buildings) {
            if (!b.residential || k.minutes[b.id.index()] <= k.threshold_minutes) continue;
            gap_buildings.push_back({b.source_id, k.kind, minutes_text(k.minutes[b.id.index()]), minutes_text(k.threshold_minutes),
                                     access::to_string(k.reach[b.id.index()]), std::to_string(m.households[b.id.index()])});
        }
    for (const Household& h : ds.households) {
        const auto& placed = p.assignment().households[h.id.index()];
        if (!placed.building.valid()) continue;
        for (const auto& k : p.access().kinds) {
            const double minutes = k.minutes[placed.building.index()];
            if (minutes <= k.threshold_minutes) continue;
            gap_households.push_back({h.source_id, h.building_ref, k.kind, minutes_text(minutes), minutes_text(k.threshold_minutes),
                                      access::to_string(k.reach[placed.building.index()])});
        }
    }
    report.gap_buildings_csv = out.write("gap_buildings.csv", [&](const auto& f) {
        layers::write_csv(f, {"building_id", "kind", "minutes", "threshold_minutes", "reach", "households"}, gap_buildings);
    });
    report.gap_households_csv = out.write("gap_households.csv", [&](const auto& f) {
        layers::write_csv(f, {"household_id", "building_id", "kind", "minutes", "threshold_minutes", "reach"}, gap_households);
    });
}

}  // namespace

CoverageReport coverage_job(const CoverageConfig& config, Diagnostics& diag) {
    StageClock clock;
    ProjectState p(config.project_file, diag, clock, config.profile);
    const CoverageMeasures m = measure(p, config, clock);
    OutputSet out(config.out_dir, "coverage", diag);
    CoverageReport report;
    nlohmann::json kinds;
    clock.time("write outputs", [&] {
        report.gpkg = out.write("coverage.gpkg", [&](const std::filesystem::path& file) {
            layers::VectorWriter w(file);
            write_isochrone_layers(w, p.ds(), m, config.per_facility);
            kinds = write_circle_layers(w, p, m);
            w.close();
        });
        write_gap_tables(out, p, m, report);
    });
    report.summary = {{"project", p.cfg().name}, {"speed_m_per_s", p.cfg().walking.speed_m_per_s}, {"bands_minutes", config.bands},
                      {"buffer_m", config.buffer_m}, {"kinds", kinds}, {"timings", clock.json()},
                      {"outputs", {{"gpkg", report.gpkg.string()}, {"gap_buildings_csv", report.gap_buildings_csv.string()},
                                   {"gap_households_csv", report.gap_households_csv.string()}}}};
    report.summary["stale_outputs"] = out.stale({"coverage.json"});
    report.json = out.write_text("coverage.json", report.summary.dump(2) + "\n");
    out.commit();
    return report;
}

std::string format_coverage(const CoverageReport& report) {
    std::ostringstream out;
    out << "Coverage: " << report.summary["project"].get<std::string>() << ", walking at "
        << report.summary["speed_m_per_s"].get<double>() << " m/s\n";
    out << "  kind                  on foot   in circle   circle only (what circles hide)\n";
    for (const auto& k : report.summary["kinds"]) {
        const double n = std::max(1.0, k["households"].get<double>());
        out << "  " << std::left << std::setw(20) << k["kind"].get<std::string>() << std::right << std::fixed << std::setprecision(1)
            << std::setw(8) << 100 * k["reached_on_foot"].get<double>() / n << "%" << std::setw(11)
            << 100 * k["inside_circle"].get<double>() / n << "%" << std::setw(10) << k["circle_only"].get<std::size_t>() << " households\n";
    }
    out << "Timings:";
    for (const auto& t : report.summary["timings"]) out << " " << t["stage"].get<std::string>() << " " << std::setprecision(2) << t["seconds"].get<double>() << "s;";
    out << "\nOutputs:\n    " << report.gpkg.string() << "\n    " << report.gap_buildings_csv.string() << "\n    "
        << report.gap_households_csv.string() << "\n    " << report.json.string() << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
