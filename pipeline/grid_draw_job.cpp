#include "grid_draw_job.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

#include "assign/household_assignment.hpp"
#include "check_job.hpp"
#include "dataset_loader.hpp"
#include "geometry/geos.hpp"
#include "hierarchy/building_cells.hpp"
#include "hierarchy/grid_drawing.hpp"
#include "hierarchy/grid_quality.hpp"
#include "hierarchy/grid_tree.hpp"
#include "output_set.hpp"
#include "project_config.hpp"
#include "project_state.hpp"
#include "sample/study_area.hpp"
#include "stage_clock.hpp"
#include "vector_reader.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

using layers::FieldType;
using layers::FieldValue;
using layers::LayerGeometry;

namespace {

std::string fixed(double v, int decimals) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v;
    return s.str();
}

std::string padded(std::size_t n, int width) {
    std::string s = std::to_string(n);
    if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
    return s;
}

double rounded(double v, double unit) { return std::round(v / unit) * unit; }

// Empty drawn regions smaller than this are noise, not grids.
constexpr double kSpeckM2 = 1.0;

[[noreturn]] void bad_option(const std::string& message, const std::string& hint) {
    throw DataError({Severity::error, "bad_option", {}, message, hint});
}

// Households per building from a field of the buildings layer (an estimate, e.g. floors × flats).
std::vector<double> households_from_field(const layers::ProjectConfig& cfg, const Dataset& ds, const std::string& field,
                                          Diagnostics& diag) {
    layers::LayerSource src = cfg.buildings;
    src.fields["households_estimate"] = field;
    layers::VectorReader r(src, "");
    const auto id = r.request_field("id", true);
    const auto value = r.request_field("households_estimate", true);
    std::vector<double> out(ds.buildings.size(), 0.0);
    std::size_t bad = 0;
    r.for_each([&](layers::FeatureView& f) {
        const auto it = ds.building_by_source_id.find(f.text(*id));
        if (it == ds.building_by_source_id.end()) return;   // rejected or ambiguous: reported by the loader
        std::string text = f.text(*value);
        text.erase(0, text.find_first_not_of(" \t"));
        text.erase(text.find_last_not_of(" \t") + 1);
        if (text.empty()) return;
        double v = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || ptr != text.data() + text.size() || !(v >= 0) || !std::isfinite(v)) {
            if (++bad <= 10) {
                std::string feature = f.text(*id);
                feature.insert(0, 1, '\'');
                feature.append("' (fid ").append(std::to_string(f.fid)).append(")");
                diag.warn("bad_value", r.where(feature), field + " = '" + text + "' is not a number of households",
                          "fix the value; the building counts as 0");
            }
            return;
        }
        out[it->second.index()] = v;
    });
    if (bad > 10) diag.warn("bad_value", r.where(), std::to_string(bad - 10) + " more buildings with a bad " + field, "");
    return out;
}

// One area grids are drawn in: a grid of the parent level, or the settled area.
struct DrawArea {
    GridId parent;                       // invalid: no parent level
    geo::MultiPolygon area;
    std::vector<std::size_t> dwellings;  // building indices
    std::vector<hierarchy::DrawnRegion> regions;
    std::vector<hierarchy::DrawnRegion> lattice;
    std::vector<std::string> codes;
    double covered_m2 = 0, outside_m2 = 0;
};

double geos_area(geo::GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0;
    ctx.check(GEOSArea_r(ctx.handle(), g, &a) == 1, "GEOSArea");
    return a;
}

// The part of `area` the regions cover and the part of the regions outside it.
void coverage(geo::GeosContext& ctx, DrawArea& a) {
    if (a.regions.empty()) return;
    geo::MultiPolygon all;
    for (const auto& r : a.regions) all.insert(all.end(), r.area.begin(), r.area.end());
    const auto all_g = geo::to_geos(ctx, all);
    const auto united = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), all_g.get()), "GEOSUnaryUnion");
    const auto area_g = geo::to_geos(ctx, a.area);
    const auto inside = geo::own(ctx, GEOSIntersection_r(ctx.handle(), united.get(), area_g.get()), "GEOSIntersection");
    const auto outside = geo::own(ctx, GEOSDifference_r(ctx.handle(), united.get(), area_g.get()), "GEOSDifference");
    a.covered_m2 = geos_area(ctx, inside.get());
    a.outside_m2 = geos_area(ctx, outside.get());
}

const char* range_of(double w, double lo, double hi) {
    if (w <= 0) return "empty";
    if (w < lo) return "below";
    if (w > hi) return "above";
    return "within";
}

nlohmann::json quality_json(const hierarchy::PartitionQuality& q, bool with_range) {
    const auto& b = q.balance;
    nlohmann::json j = {{"grids", b.regions}, {"empty_grids", b.empty}, {"households", std::llround(b.total)},
                        {"households_per_grid", {{"min", b.min}, {"max", b.max}, {"mean", rounded(b.mean, 0.1)},
                                                 {"stddev", rounded(b.stddev, 0.1)}, {"cv", rounded(b.cv, 0.001)}}},
                        {"polsby_popper", {{"min", rounded(q.compactness.min, 0.001)}, {"median", rounded(q.compactness.median, 0.001)},
                                           {"mean", rounded(q.compactness.mean, 0.001)}, {"max", rounded(q.compactness.max, 0.001)}}},
                        {"multipart_grids", q.multipart}, {"buildings_cut", q.buildings_cut}, {"area_m2", rounded(q.area_m2, 1)}};
    if (with_range) j["in_range"] = {{"below", b.below}, {"within", b.within}, {"above", b.above}};
    return j;
}

std::string share_text(std::size_t n, std::size_t of) {
    return std::to_string(n) + " (" + fixed(of ? 100.0 * static_cast<double>(n) / static_cast<double>(of) : 0.0, 1) + "%)";
}

// The index of grid level `key` (-1 for an empty key); DataError naming the valid keys when there is no such level.
int level_index(const layers::ProjectConfig& cfg, const Dataset& ds, const std::string& key) {
    if (key.empty()) return -1;
    std::string known;
    for (std::size_t l = 0; l < ds.levels.size(); ++l) {
        if (ds.levels[l].key == key) return static_cast<int>(l);
        known += (known.empty() ? "" : ", ") + ds.levels[l].key;
    }
    throw DataError({Severity::error, "unknown_level", {cfg.file.string(), "", "[[grid_levels]]", {}, {}},
                     "'" + key + "' is not a grid level of this project", "use one of: " + known});
}

}  // namespace

GridDrawReport grid_draw_job(const GridDrawConfig& config, Diagnostics& diag) {
    if (config.micro && config.per_building) bad_option("--micro and --per-building exclude each other", "choose one");
    if (!config.per_building && (!(config.min_households >= 0) || !(config.max_households >= config.min_households)))
        bad_option("the household range must satisfy 0 <= --min <= --max", "e.g. --min 300 --max 500");
    if (!(config.settled_margin_m > 0) || !(config.reading_band > 0)) bad_option("margins and bands must be positive", "");

    StageClock clock;
    ProjectState state(config.project_file, diag, clock);
    const auto& cfg = state.cfg();
    const auto& ds = state.ds();
    const auto& tree = state.tree();

    const int parent_level = level_index(cfg, ds, config.parent_level);

    std::vector<double> households;
    std::string households_source;
    if (config.households_field.empty()) {
        households = state.households_per_building();
        households_source = "the roster (" + cfg.households.file.filename().string() + ")";
    } else {
        households = clock.time("households per building", [&] { return households_from_field(cfg, ds, config.households_field, diag); });
        households_source = "field '" + config.households_field + "' of the buildings layer (an estimate)";
    }

    std::vector<std::size_t> dwellings;
    double dwelling_households = 0;
    for (std::size_t b = 0; b < ds.buildings.size(); ++b)
        if (households[b] > 0) {
            dwellings.push_back(b);
            dwelling_households += households[b];
        }
    if (dwellings.empty())
        throw DataError({Severity::error, "no_households", {cfg.file.string(), "", "", {}, {}},
                         "no building holds a household, so there is nothing to draw grids around",
                         config.households_field.empty() ? "check the roster's building ids, or pass --households-field"
                                                         : "check the values of " + config.households_field});

    std::vector<DrawArea> areas;
    std::size_t outside_buildings = 0;
    double outside_households = 0;
    clock.time("areas to draw in", [&] {
        if (parent_level >= 0) {
            std::vector<std::size_t> slot(ds.grids.size(), SIZE_MAX);
            for (GridId g : ds.grids_of_level(parent_level)) {
                slot[g.index()] = areas.size();
                areas.push_back({g, ds.grid(g).area, {}, {}, {}, {}, 0, 0});
            }
            for (std::size_t b : dwellings) {
                const GridId g = tree.building_grid[parent_level][b];
                if (!g.valid()) {
                    ++outside_buildings;
                    outside_households += households[b];
                    continue;
                }
                areas[slot[g.index()]].dwellings.push_back(b);
            }
        } else {
            std::vector<geo::MultiPolygon> footprints;
            for (std::size_t b : dwellings) footprints.push_back(ds.buildings[b].footprint);
            areas.push_back({GridId{}, sample::settled_area(footprints, config.settled_margin_m), dwellings, {}, {}, {}, 0, 0});
        }
    });
    if (outside_buildings > 0)
        diag.warn("dwellings_outside_parents", {cfg.file.string(), "", "", {}, {}},
                  std::to_string(outside_buildings) + " buildings with " + std::to_string(std::llround(outside_households)) +
                      " households lie in no " + ds.levels[parent_level].name + "; no grid is drawn for them",
                  "run `gridatlas check` to list them, or draw the missing " + ds.levels[parent_level].name);

    std::vector<geo::LineString> roads;
    roads.reserve(ds.roads.size());
    for (const auto& r : ds.roads) roads.push_back(r.line);

    const bool fine = config.micro || config.per_building;
    std::size_t specks = 0;
    double speck_area = 0;
    hierarchy::GroupingOptions grouping{config.per_building ? 0.0 : config.min_households,
                                        config.per_building ? 0.0 : config.max_households, config.reading_band};
    clock.time("draw grids", [&] {
        for (auto& a : areas) {
            std::vector<hierarchy::WeightedPoint> points;
            std::vector<geo::MultiPolygon> outlines;
            for (std::size_t b : a.dwellings) {
                points.push_back({ds.buildings[b].anchor, households[b]});
                if (fine) outlines.push_back(ds.buildings[b].footprint);
            }
            if (config.per_building) a.regions = hierarchy::draw_regions_by_building(a.area, roads, points, grouping, 0, outlines);
            else if (config.micro)
                a.regions = hierarchy::draw_regions_by_building(a.area, roads, points, grouping, config.max_households, outlines);
            else a.regions = hierarchy::draw_regions(a.area, roads, points, grouping);
            // Specks of overlay noise (a face between a road and the parent's border that touches its neighbours at a
            // point only) would be empty grids of no area: they are dropped and counted.
            std::erase_if(a.regions, [&](const hierarchy::DrawnRegion& r) {
                const double area = geo::bg::area(r.area);
                if (r.weight > 0 || r.points.size() > 0 || area >= kSpeckM2) return false;
                ++specks;
                speck_area += area;
                return true;
            });
        }
    });

    // Codes: the parent's code (or the prefix) + a serial in reading order, 3 digits unless more are needed.
    std::size_t total_grids = 0;
    for (auto& a : areas) {
        const std::string base = a.parent.valid() ? ds.grid(a.parent).code : config.code_prefix;
        const int width = std::max(3, static_cast<int>(std::to_string(a.regions.size()).size()));
        for (std::size_t k = 0; k < a.regions.size(); ++k) a.codes.push_back(base + padded(k + 1, width));
        total_grids += a.regions.size();
    }

    // Quality, and the baseline: a square lattice of the drawn grids' mean area over the same areas.
    std::vector<geo::MultiPolygon> drawn_areas, lattice_areas, footprints;
    std::vector<double> drawn_weights, lattice_weights;
    double drawn_area = 0, parent_area = 0, covered = 0, outside = 0;
    double side = 0;
    hierarchy::PartitionQuality drawn_q, lattice_q;
    const double lo = config.per_building ? 0 : config.min_households;
    const double hi = config.per_building ? std::numeric_limits<double>::max() : config.max_households;
    clock.time("quality and baseline", [&] {
        geo::GeosContext ctx;
        for (auto& a : areas) {
            for (const auto& r : a.regions) {
                drawn_areas.push_back(r.area);
                drawn_weights.push_back(r.weight);
                drawn_area += geo::bg::area(r.area);
            }
            for (std::size_t b : a.dwellings) footprints.push_back(ds.buildings[b].footprint);
            coverage(ctx, a);
            parent_area += geo::bg::area(a.area);
            covered += a.covered_m2;
            outside += a.outside_m2;
        }
        if (total_grids == 0) return;
        side = std::sqrt(drawn_area / static_cast<double>(total_grids));
        for (auto& a : areas) {
            std::vector<hierarchy::WeightedPoint> points;
            for (std::size_t b : a.dwellings) points.push_back({ds.buildings[b].anchor, households[b]});
            a.lattice = hierarchy::square_lattice(a.area, side, points);
            for (const auto& c : a.lattice) {
                lattice_areas.push_back(c.area);
                lattice_weights.push_back(c.weight);
            }
        }
        drawn_q = hierarchy::assess_partition(drawn_areas, drawn_weights, lo, hi, footprints);
        lattice_q = hierarchy::assess_partition(lattice_areas, lattice_weights, lo, hi, footprints);
    });

    GridDrawReport report;
    OutputSet out(config.out_dir, "grid_draw", diag);
    report.gpkg = out.final_path("grids.gpkg");
    report.json = out.final_path("quality.json");
    report.table = out.final_path("quality.txt");
    const std::string label = fine ? "微网格" : "网格";
    clock.time("write gpkg", [&] {
        layers::VectorWriter w(out.reserve("grids.gpkg"));
        w.begin_layer("grids", LayerGeometry::polygon, ds.working_crs,
                      {{"code"}, {"name"}, {"parent_code"}, {"households", FieldType::integer}, {"dwellings", FieldType::integer},
                       {"area_m2", FieldType::real}, {"polsby_popper", FieldType::real}, {"range"}});
        for (const auto& a : areas)
            for (std::size_t k = 0; k < a.regions.size(); ++k) {
                const auto& r = a.regions[k];
                const std::string name = (a.parent.valid() ? ds.grid(a.parent).name : std::string{}) + "第" + std::to_string(k + 1) + label;
                w.add({a.codes[k], name, a.parent.valid() ? FieldValue{ds.grid(a.parent).code} : FieldValue{},
                       std::int64_t(std::llround(r.weight)), std::int64_t(r.points.size()), rounded(geo::bg::area(r.area), 0.01),
                       rounded(hierarchy::polsby_popper(r.area), 0.0001),
                       std::string(config.per_building ? (r.weight > 0 ? "within" : "empty") : range_of(r.weight, lo, hi))},
                      r.area);
            }
        w.begin_layer("baseline_lattice", LayerGeometry::polygon, ds.working_crs,
                      {{"cell", FieldType::integer}, {"parent_code"}, {"households", FieldType::integer}, {"area_m2", FieldType::real},
                       {"polsby_popper", FieldType::real}});
        std::int64_t cell = 0;
        for (const auto& a : areas)
            for (const auto& c : a.lattice)
                w.add({++cell, a.parent.valid() ? FieldValue{ds.grid(a.parent).code} : FieldValue{}, std::int64_t(std::llround(c.weight)),
                       rounded(geo::bg::area(c.area), 0.01), rounded(hierarchy::polsby_popper(c.area), 0.0001)},
                      c.area);
        w.begin_layer("drawn_in", LayerGeometry::polygon, ds.working_crs,
                      {{"parent_code"}, {"name"}, {"grids", FieldType::integer}, {"households", FieldType::integer}, {"area_m2", FieldType::real}});
        for (const auto& a : areas) {
            double hh = 0;
            for (std::size_t b : a.dwellings) hh += households[b];
            w.add({a.parent.valid() ? FieldValue{ds.grid(a.parent).code} : FieldValue{},
                   a.parent.valid() ? ds.grid(a.parent).name : std::string("settled area"), std::int64_t(a.regions.size()),
                   std::int64_t(std::llround(hh)), rounded(geo::bg::area(a.area), 0.01)},
                  a.area);
        }
        w.close();
        out.done("grids.gpkg");
    });

    // Summary and the readable report.
    nlohmann::json j;
    j["project"] = cfg.name;
    j["project_file"] = cfg.file.string();
    j["working_crs"] = ds.working_crs;
    j["mode"] = config.per_building ? "per_building" : config.micro ? "micro" : "range";
    if (!config.per_building) j["target_households"] = {{"min", config.min_households}, {"max", config.max_households}};
    j["drawn_in"] = parent_level >= 0 ? nlohmann::json{{"level", ds.levels[parent_level].key}, {"parents", areas.size()}}
                                      : nlohmann::json{{"settled_area_margin_m", config.settled_margin_m}};
    j["households_from"] = config.households_field.empty() ? "roster" : "field:" + config.households_field;
    j["dwellings"] = dwellings.size();
    j["households_in_dwellings"] = std::llround(dwelling_households);
    j["dwellings_outside_parents"] = {{"buildings", outside_buildings}, {"households", std::llround(outside_households)}};
    j["road_lines"] = ds.roads.size();
    j["coverage"] = {{"parent_area_m2", rounded(parent_area, 1)}, {"covered_m2", rounded(covered, 1)},
                     {"share", parent_area > 0 ? rounded(covered / parent_area, 1e-6) : 0.0}, {"outside_parents_m2", rounded(outside, 0.01)},
                     {"dropped_specks", specks}, {"dropped_specks_m2", rounded(speck_area, 1e-4)}};
    j["drawn"] = quality_json(drawn_q, !config.per_building);
    j["baseline_lattice"] = quality_json(lattice_q, !config.per_building);
    j["baseline_lattice"]["side_m"] = rounded(side, 0.1);

    std::ostringstream o;
    o << "GridAtlas grid draw: " << cfg.name << " (" << ds.working_crs << ")\n";
    o << "  drawn in     ";
    if (parent_level >= 0) o << "each " << ds.levels[parent_level].name << " (" << ds.levels[parent_level].key << "), " << areas.size() << " of them\n";
    else o << "the settled area: dwellings grown by " << fixed(config.settled_margin_m, 0) << " m, unioned, shrunk by half of it\n";
    o << "  households   from " << households_source << ": " << std::llround(dwelling_households) << " in " << dwellings.size()
      << " buildings\n";
    o << "  grids        ";
    if (config.per_building) o << "one per building: its road block shared out by the Voronoi cells of the buildings' outlines, each footprint whole in its grid\n";
    else
        o << fixed(config.min_households, 0) << "–" << fixed(config.max_households, 0) << " households, along " << ds.roads.size()
          << " road lines" << (config.micro ? "; blocks above " + fixed(config.max_households, 0) + " are cut by building first\n"
                                             : "; a road block is never split, so a block above the range stays one grid\n");
    o << "  baseline     a square lattice of side " << fixed(side, 0) << " m (the drawn grids' mean area), clipped to the same "
      << (parent_level >= 0 ? ds.levels[parent_level].name : std::string("area")) << "\n\n";
    const auto& d = drawn_q.balance;
    const auto& l = lattice_q.balance;
    std::vector<std::vector<std::string>> rows = {
        {"grids", std::to_string(d.regions), std::to_string(l.regions)},
        {"  of which empty (no household)", std::to_string(d.empty), std::to_string(l.empty)},
        {"households per non-empty grid: min", fixed(d.min, 0), fixed(l.min, 0)},
        {"  max", fixed(d.max, 0), fixed(l.max, 0)},
        {"  mean", fixed(d.mean, 1), fixed(l.mean, 1)},
        {"  coefficient of variation", fixed(d.cv, 3), fixed(l.cv, 3)},
    };
    if (!config.per_building) {
        const std::size_t dn = d.regions - d.empty, ln = l.regions - l.empty;
        rows.push_back({"  in " + fixed(config.min_households, 0) + "–" + fixed(config.max_households, 0), share_text(d.within, dn), share_text(l.within, ln)});
        rows.push_back({"  below / above", std::to_string(d.below) + " / " + std::to_string(d.above), std::to_string(l.below) + " / " + std::to_string(l.above)});
    }
    rows.push_back({"Polsby–Popper 4πA/P² (square 0.785): median", fixed(drawn_q.compactness.median, 3), fixed(lattice_q.compactness.median, 3)});
    rows.push_back({"  mean", fixed(drawn_q.compactness.mean, 3), fixed(lattice_q.compactness.mean, 3)});
    rows.push_back({"  min", fixed(drawn_q.compactness.min, 3), fixed(lattice_q.compactness.min, 3)});
    rows.push_back({"grids in more than one piece", std::to_string(drawn_q.multipart), std::to_string(lattice_q.multipart)});
    rows.push_back({"dwellings cut by a grid boundary", std::to_string(drawn_q.buildings_cut), std::to_string(lattice_q.buildings_cut)});
    rows.push_back({"households", std::to_string(std::llround(d.total)), std::to_string(std::llround(l.total))});
    rows.push_back({"area km²", fixed(drawn_q.area_m2 / 1e6, 3), fixed(lattice_q.area_m2 / 1e6, 3)});
    o << text_table({"", "drawn grids", "square lattice"}, rows, {false, true, true});
    o << "\nCoverage: the grids cover " << fixed(parent_area > 0 ? 100 * covered / parent_area : 0, 4) << "% of the area drawn in ("
      << fixed(covered, 0) << " of " << fixed(parent_area, 0) << " m²); " << fixed(outside, 2) << " m² of grid lies outside it";
    if (specks > 0) o << "; " << specks << " empty specks under " << fixed(kSpeckM2, 0) << " m² (" << std::setprecision(2) << speck_area << std::fixed
                      << " m² in all) were dropped";
    o << ".\n";
    o << "Households: " << std::llround(dwelling_households) << " in dwellings = " << std::llround(d.total) << " in drawn grids";
    if (parent_level >= 0) o << " + " << std::llround(outside_households) << " in dwellings outside every " << ds.levels[parent_level].name;
    o << "\n";
    const std::string overview = o.str();

    std::ostringstream full;
    full << overview;
    if (parent_level >= 0) {
        std::vector<std::vector<std::string>> per;
        for (const auto& a : areas) {
            std::vector<double> w;
            for (const auto& r : a.regions) w.push_back(r.weight);
            const auto b = hierarchy::balance(w, lo, hi);
            per.push_back({ds.grid(a.parent).code, ds.grid(a.parent).name, std::to_string(a.regions.size()), std::to_string(std::llround(b.total)),
                           fixed(b.min, 0), fixed(b.max, 0), config.per_building ? "" : std::to_string(b.within),
                           fixed(a.covered_m2 / std::max(geo::bg::area(a.area), 1e-9) * 100, 2) + "%"});
        }
        full << "\nPer " << ds.levels[parent_level].name << "\n"
             << text_table({"code", "name", "grids", "households", "min", "max", "in range", "covered"}, per,
                           {false, false, true, true, true, true, true, true});
    }
    full << "\nLayers in " << report.gpkg.filename().string() << ": grids (code, name, parent_code, households, dwellings, area_m2, "
            "polsby_popper, range), baseline_lattice, drawn_in.\n"
            "To use the grids, add a [[grid_levels]] entry with file = \"" << report.gpkg.string()
         << "\", layer = \"grids\", code = \"code\", name = \"name\"" << (parent_level >= 0 ? ", parent_code = \"parent_code\"" : "")
         << ".\n";
    report.table_text = full.str();
    report.summary = j;
    out.write_text("quality.txt", report.table_text);
    report.summary["timings"] = clock.json();
    report.summary["outputs"] = {{"gpkg", report.gpkg.string()}, {"table", report.table.string()}, {"json", report.json.string()}};
    report.summary["stale_outputs"] = out.stale({"quality.json"});
    out.write_text("quality.json", report.summary.dump(2) + "\n");
    out.commit();
    report.overview = overview;
    return report;
}

std::string format_grid_draw(const GridDrawReport& report) {
    std::ostringstream out;
    out << report.overview;
    out << "\nTimings:";
    double total = 0;
    for (const auto& t : report.summary["timings"]) {
        out << " " << t["stage"].get<std::string>() << " " << fixed(t["seconds"].get<double>(), 2) << "s;";
        total += t["seconds"].get<double>();
    }
    out << " total " << fixed(total, 2) << "s\n";
    out << "\nOutputs:\n    " << report.gpkg.string() << "  (layers grids, baseline_lattice, drawn_in)\n    " << report.table.string()
        << (report.summary["drawn_in"].contains("level") ? "  (this report and a table per parent)" : "  (this report)") << "\n    "
        << report.json.string() << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
