// `gridatlas grid draw`, as named steps: households per building, the areas to draw in, drawing, codes, quality
// against a square lattice (with the share in range for dense and sparse parents apart), grids.gpkg and the reports.
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


void check_options(const GridDrawConfig& config) {
    if (config.micro && config.per_building) bad_option("--micro and --per-building exclude each other", "choose one");
    if (!config.per_building && (!(config.min_households >= 0) || !(config.max_households >= config.min_households)))
        bad_option("the household range must satisfy 0 <= --min <= --max", "e.g. --min 300 --max 500");
    if (!(config.settled_margin_m > 0) || !(config.reading_band > 0)) bad_option("margins and bands must be positive", "");
    if (!(config.join_within_m >= 0) || !std::isfinite(config.join_within_m))
        bad_option("--join-within must be 0 or more metres", "e.g. --join-within 1000; 0 keeps the settled pieces apart");
}

// Households per building index: the roster's placement, or a field of the buildings layer; `source` says which.
std::vector<double> building_households(const GridDrawConfig& config, ProjectState& state, std::string& source) {
    const auto& cfg = state.cfg();
    if (!cfg.has_buildings())
        throw DataError({Severity::error, "no_buildings", {cfg.file.string(), "", "[buildings]", {}, {}},
                         "grid draw draws grids around the buildings households live in, and the project has no [buildings] layer",
                         "add the buildings layer to the project file; `check`, `assign`, `officer` and `run` work without it"});
    if (config.households_field.empty()) {
        source = "the roster (" + cfg.households.file.filename().string() + ")";
        return state.households_per_building();
    }
    source = "field '" + config.households_field + "' of the buildings layer (an estimate)";
    return state.clock().time("households per building",
                              [&] { return households_from_field(cfg, state.ds(), config.households_field, state.diag()); });
}

// The buildings someone lives in, and their households in all.
struct Dwellings {
    std::vector<std::size_t> buildings;   // building indices
    double households = 0;
};

Dwellings dwellings_of(const GridDrawConfig& config, const layers::ProjectConfig& cfg, const std::vector<double>& households) {
    Dwellings d;
    for (std::size_t b = 0; b < households.size(); ++b)
        if (households[b] > 0) {
            d.buildings.push_back(b);
            d.households += households[b];
        }
    if (d.buildings.empty())
        throw DataError({Severity::error, "no_households", {cfg.file.string(), "", "", {}, {}},
                         "no building holds a household, so there is nothing to draw grids around",
                         config.households_field.empty() ? "check the roster's building ids, or pass --households-field"
                                                         : "check the values of " + config.households_field});
    return d;
}

// The areas to draw in (each grid of the parent level, or the settled area) with their dwellings; dwellings in no
// parent are counted and reported.
struct Areas {
    std::vector<DrawArea> list;
    std::size_t outside_buildings = 0;
    double outside_households = 0;
};

Areas areas_to_draw(const GridDrawConfig& config, const Dataset& ds, const hierarchy::GridTree& tree, int parent_level,
                    const Dwellings& dwellings, const std::vector<double>& households) {
    Areas a;
    if (parent_level < 0) {
        std::vector<geo::MultiPolygon> footprints;
        for (std::size_t b : dwellings.buildings) footprints.push_back(ds.buildings[b].footprint);
        const geo::MultiPolygon settled = sample::settled_area(footprints, config.settled_margin_m);
        a.list.push_back({GridId{}, sample::join_close_pieces(settled, config.join_within_m), dwellings.buildings, {}, {}, {}, 0, 0});
        return a;
    }
    std::vector<std::size_t> slot(ds.grids.size(), SIZE_MAX);
    for (GridId g : ds.grids_of_level(parent_level)) {
        slot[g.index()] = a.list.size();
        a.list.push_back({g, ds.grid(g).area, {}, {}, {}, {}, 0, 0});
    }
    for (std::size_t b : dwellings.buildings) {
        const GridId g = tree.building_grid[parent_level][b];
        if (!g.valid()) {
            ++a.outside_buildings;
            a.outside_households += households[b];
            continue;
        }
        a.list[slot[g.index()]].dwellings.push_back(b);
    }
    return a;
}

// Empty drawn regions below kSpeckM2, dropped.
struct Specks {
    std::size_t count = 0;
    double area_m2 = 0;
};

// Draws the grids of every area (range, micro or per building) and drops the specks of overlay noise.
Specks draw_all(const GridDrawConfig& config, const Dataset& ds, const std::vector<double>& households, std::vector<DrawArea>& areas) {
    std::vector<geo::LineString> roads;
    roads.reserve(ds.roads.size());
    for (const auto& r : ds.roads) roads.push_back(r.line);
    const bool fine = config.micro || config.per_building;
    const hierarchy::GroupingOptions grouping{config.per_building ? 0.0 : config.min_households,
                                              config.per_building ? 0.0 : config.max_households, config.reading_band,
                                              config.resplit && !config.per_building};
    Specks specks;
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
            ++specks.count;
            specks.area_m2 += area;
            return true;
        });
    }
    return specks;
}

// Codes: the parent's code (or the prefix) + a serial in reading order, 3 digits unless more are needed.
std::size_t assign_codes(const GridDrawConfig& config, const Dataset& ds, std::vector<DrawArea>& areas) {
    std::size_t total = 0;
    for (auto& a : areas) {
        const std::string base = a.parent.valid() ? ds.grid(a.parent).code : config.code_prefix;
        const int width = std::max(3, static_cast<int>(std::to_string(a.regions.size()).size()));
        for (std::size_t k = 0; k < a.regions.size(); ++k) a.codes.push_back(base + padded(k + 1, width));
        total += a.regions.size();
    }
    return total;
}

// The drawn grids' quality, the square lattice's, and the dense/sparse split of the share in range.
struct Quality {
    hierarchy::PartitionQuality drawn, lattice;
    hierarchy::DensitySplit density;
    double side = 0, parent_area = 0, covered = 0, outside = 0;
    double lo = 0, hi = 0;
};

Quality measure_quality(const GridDrawConfig& config, const Dataset& ds, const std::vector<double>& households,
                        std::size_t total_grids, std::vector<DrawArea>& areas) {
    Quality q;
    q.lo = config.per_building ? 0 : config.min_households;
    q.hi = config.per_building ? std::numeric_limits<double>::max() : config.max_households;
    std::vector<geo::MultiPolygon> drawn_areas, lattice_areas, footprints;
    std::vector<double> drawn_weights, lattice_weights;
    std::vector<hierarchy::ParentDrawing> parents;
    double drawn_area = 0;
    geo::GeosContext ctx;
    for (auto& a : areas) {
        hierarchy::ParentDrawing parent{0, geo::bg::area(a.area), {}};
        for (const auto& r : a.regions) {
            drawn_areas.push_back(r.area);
            drawn_weights.push_back(r.weight);
            drawn_area += geo::bg::area(r.area);
            parent.grid_weights.push_back(r.weight);
        }
        for (std::size_t b : a.dwellings) {
            footprints.push_back(ds.buildings[b].footprint);
            parent.households += households[b];
        }
        parents.push_back(std::move(parent));
        coverage(ctx, a);
        q.parent_area += geo::bg::area(a.area);
        q.covered += a.covered_m2;
        q.outside += a.outside_m2;
    }
    q.density = hierarchy::split_by_density(parents, q.lo, q.hi);
    if (total_grids == 0) return q;
    q.side = std::sqrt(drawn_area / static_cast<double>(total_grids));
    for (auto& a : areas) {
        std::vector<hierarchy::WeightedPoint> points;
        for (std::size_t b : a.dwellings) points.push_back({ds.buildings[b].anchor, households[b]});
        a.lattice = hierarchy::square_lattice(a.area, q.side, points);
        for (const auto& c : a.lattice) {
            lattice_areas.push_back(c.area);
            lattice_weights.push_back(c.weight);
        }
    }
    q.drawn = hierarchy::assess_partition(drawn_areas, drawn_weights, q.lo, q.hi, footprints);
    q.lattice = hierarchy::assess_partition(lattice_areas, lattice_weights, q.lo, q.hi, footprints);
    return q;
}

void write_grids_gpkg(const std::filesystem::path& file, const GridDrawConfig& config, const Dataset& ds,
                      const std::vector<DrawArea>& areas, const std::vector<double>& households, const Quality& q) {
    const std::string label = config.micro || config.per_building ? "微网格" : "网格";
    layers::VectorWriter w(file);
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
                   std::string(config.per_building ? (r.weight > 0 ? "within" : "empty") : range_of(r.weight, q.lo, q.hi))},
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
}

nlohmann::json density_json(const hierarchy::DensityClass& c) {
    const auto& b = c.balance;
    const std::size_t non_empty = b.regions - b.empty;
    return {{"parents", c.parents}, {"grids", b.regions}, {"empty_grids", b.empty}, {"households", std::llround(b.total)},
            {"in_range", {{"below", b.below}, {"within", b.within}, {"above", b.above}}},
            {"share_within", non_empty ? rounded(static_cast<double>(b.within) / static_cast<double>(non_empty), 0.001) : 0.0}};
}

nlohmann::json summary_json(const GridDrawConfig& config, const layers::ProjectConfig& cfg, const Dataset& ds, int parent_level,
                            const Areas& areas, const Dwellings& dwellings, const Specks& specks, const Quality& q) {
    nlohmann::json j;
    j["project"] = cfg.name;
    j["project_file"] = cfg.file.string();
    j["working_crs"] = ds.working_crs;
    j["mode"] = config.per_building ? "per_building" : config.micro ? "micro" : "range";
    if (!config.per_building) j["target_households"] = {{"min", config.min_households}, {"max", config.max_households}};
    j["drawn_in"] = parent_level >= 0 ? nlohmann::json{{"level", ds.levels[parent_level].key}, {"parents", areas.list.size()}}
                                      : nlohmann::json{{"settled_area_margin_m", config.settled_margin_m},
                                                       {"pieces_joined_within_m", config.join_within_m}};
    j["households_from"] = config.households_field.empty() ? "roster" : "field:" + config.households_field;
    j["dwellings"] = dwellings.buildings.size();
    j["households_in_dwellings"] = std::llround(dwellings.households);
    j["dwellings_outside_parents"] = {{"buildings", areas.outside_buildings}, {"households", std::llround(areas.outside_households)}};
    j["road_lines"] = ds.roads.size();
    j["coverage"] = {{"parent_area_m2", rounded(q.parent_area, 1)}, {"covered_m2", rounded(q.covered, 1)},
                     {"share", q.parent_area > 0 ? rounded(q.covered / q.parent_area, 1e-6) : 0.0},
                     {"outside_parents_m2", rounded(q.outside, 0.01)}, {"dropped_specks", specks.count},
                     {"dropped_specks_m2", rounded(specks.area_m2, 1e-4)}};
    j["drawn"] = quality_json(q.drawn, !config.per_building);
    if (!config.per_building)
        j["drawn"]["by_parent_density"] = {{"sparse_below_households_per_km2", q.density.sparse_below_per_km2},
                                           {"dense", density_json(q.density.dense)}, {"sparse", density_json(q.density.sparse)}};
    j["baseline_lattice"] = quality_json(q.lattice, !config.per_building);
    j["baseline_lattice"]["side_m"] = rounded(q.side, 0.1);
    return j;
}

// The comparison table's rows: drawn grids against the square lattice.
std::vector<std::vector<std::string>> comparison_rows(const GridDrawConfig& config, const Quality& q) {
    const auto& d = q.drawn.balance;
    const auto& l = q.lattice.balance;
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
    rows.push_back({"Polsby–Popper 4πA/P² (square 0.785): median", fixed(q.drawn.compactness.median, 3), fixed(q.lattice.compactness.median, 3)});
    rows.push_back({"  mean", fixed(q.drawn.compactness.mean, 3), fixed(q.lattice.compactness.mean, 3)});
    rows.push_back({"  min", fixed(q.drawn.compactness.min, 3), fixed(q.lattice.compactness.min, 3)});
    rows.push_back({"grids in more than one piece", std::to_string(q.drawn.multipart), std::to_string(q.lattice.multipart)});
    rows.push_back({"dwellings cut by a grid boundary", std::to_string(q.drawn.buildings_cut), std::to_string(q.lattice.buildings_cut)});
    rows.push_back({"households", std::to_string(std::llround(d.total)), std::to_string(std::llround(l.total))});
    rows.push_back({"area km²", fixed(q.drawn.area_m2 / 1e6, 3), fixed(q.lattice.area_m2 / 1e6, 3)});
    return rows;
}

// "In range, dense parents: 12 of 14 grids (85.7%); sparse parents (< 1000 households/km²): 3 of 9 (33.3%)".
std::string density_line(const GridDrawConfig& config, const hierarchy::DensitySplit& split) {
    auto part = [](const hierarchy::DensityClass& c) {
        const std::size_t non_empty = c.balance.regions - c.balance.empty;
        return std::to_string(c.parents) + " parents, " + share_text(c.balance.within, non_empty) + " of " +
               std::to_string(non_empty) + " grids";
    };
    return "In " + fixed(config.min_households, 0) + "–" + fixed(config.max_households, 0) + " by parent density: dense " +
           part(split.dense) + "; sparse (under " + fixed(split.sparse_below_per_km2, 0) + " households/km²) " + part(split.sparse) +
           "\n";
}

std::string overview_text(const GridDrawConfig& config, const layers::ProjectConfig& cfg, const Dataset& ds, int parent_level,
                          const Areas& areas, const Dwellings& dwellings, const Specks& specks, const Quality& q,
                          const std::string& households_source) {
    std::ostringstream o;
    o << "GridAtlas grid draw: " << cfg.name << " (" << ds.working_crs << ")\n";
    o << "  drawn in     ";
    if (parent_level >= 0) o << "each " << ds.levels[parent_level].name << " (" << ds.levels[parent_level].key << "), " << areas.list.size() << " of them\n";
    else
        o << "the settled area: dwellings grown by " << fixed(config.settled_margin_m, 0) << " m, unioned, shrunk by half of it"
          << (config.join_within_m > 0 ? "; pieces under " + fixed(config.join_within_m, 0) + " m apart joined with the land between" : "")
          << "\n";
    o << "  households   from " << households_source << ": " << std::llround(dwellings.households) << " in " << dwellings.buildings.size()
      << " buildings\n";
    o << "  grids        ";
    if (config.per_building) o << "one per building: its road block shared out by the Voronoi cells of the buildings' outlines, each footprint whole in its grid\n";
    else
        o << fixed(config.min_households, 0) << "–" << fixed(config.max_households, 0) << " households, along " << ds.roads.size()
          << " road lines" << (config.micro ? "; blocks above " + fixed(config.max_households, 0) + " are cut by building first\n"
                                             : "; a road block is never split, so a block above the range stays one grid\n");
    o << "  baseline     a square lattice of side " << fixed(q.side, 0) << " m (the drawn grids' mean area), clipped to the same "
      << (parent_level >= 0 ? ds.levels[parent_level].name : std::string("area")) << "\n\n";
    o << text_table({"", "drawn grids", "square lattice"}, comparison_rows(config, q), {false, true, true});
    if (!config.per_building && parent_level >= 0) o << density_line(config, q.density);
    o << "\nCoverage: the grids cover " << fixed(q.parent_area > 0 ? 100 * q.covered / q.parent_area : 0, 4) << "% of the area drawn in ("
      << fixed(q.covered, 0) << " of " << fixed(q.parent_area, 0) << " m²); " << fixed(q.outside, 2) << " m² of grid lies outside it";
    if (specks.count > 0)
        o << "; " << specks.count << " empty specks under " << fixed(kSpeckM2, 0) << " m² (" << std::setprecision(2) << specks.area_m2
          << std::fixed << " m² in all) were dropped";
    o << ".\n";
    o << "Households: " << std::llround(dwellings.households) << " in dwellings = " << std::llround(q.drawn.balance.total) << " in drawn grids";
    if (parent_level >= 0) o << " + " << std::llround(areas.outside_households) << " in dwellings outside every " << ds.levels[parent_level].name;
    o << "\n";
    return o.str();
}

// quality.txt after the overview: a table per parent, and how to use the grids.
std::string details_text(const GridDrawConfig& config, const Dataset& ds, int parent_level, const std::vector<DrawArea>& areas,
                         const Quality& q, const std::filesystem::path& gpkg) {
    std::ostringstream full;
    if (parent_level >= 0) {
        std::vector<std::vector<std::string>> per;
        for (const auto& a : areas) {
            std::vector<double> w;
            for (const auto& r : a.regions) w.push_back(r.weight);
            const auto b = hierarchy::balance(w, q.lo, q.hi);
            per.push_back({ds.grid(a.parent).code, ds.grid(a.parent).name, std::to_string(a.regions.size()), std::to_string(std::llround(b.total)),
                           fixed(b.min, 0), fixed(b.max, 0), config.per_building ? "" : std::to_string(b.within),
                           fixed(a.covered_m2 / std::max(geo::bg::area(a.area), 1e-9) * 100, 2) + "%"});
        }
        full << "\nPer " << ds.levels[parent_level].name << "\n"
             << text_table({"code", "name", "grids", "households", "min", "max", "in range", "covered"}, per,
                           {false, false, true, true, true, true, true, true});
    }
    full << "\nLayers in " << gpkg.filename().string() << ": grids (code, name, parent_code, households, dwellings, area_m2, "
            "polsby_popper, range), baseline_lattice, drawn_in.\n"
            "To use the grids, add a [[grid_levels]] entry with file = \"" << gpkg.string()
         << "\", layer = \"grids\", code = \"code\", name = \"name\"" << (parent_level >= 0 ? ", parent_code = \"parent_code\"" : "")
         << ".\n";
    return full.str();
}

}  // namespace

GridDrawReport grid_draw_job(const GridDrawConfig& config, Diagnostics& diag) {
    check_options(config);
    StageClock clock;
    ProjectState state(config.project_file, diag, clock);
    const auto& cfg = state.cfg();
    const auto& ds = state.ds();
    const auto& tree = state.tree();
    const int parent_level = level_index(cfg, ds, config.parent_level);

    std::string households_source;
    const std::vector<double> households = building_households(config, state, households_source);
    const Dwellings dwellings = dwellings_of(config, cfg, households);
    Areas areas = clock.time("areas to draw in", [&] { return areas_to_draw(config, ds, tree, parent_level, dwellings, households); });
    if (areas.outside_buildings > 0)
        diag.warn("dwellings_outside_parents", {cfg.file.string(), "", "", {}, {}},
                  std::to_string(areas.outside_buildings) + " buildings with " + std::to_string(std::llround(areas.outside_households)) +
                      " households lie in no " + ds.levels[parent_level].name + "; no grid is drawn for them",
                  "run `gridatlas check` to list them, or draw the missing " + ds.levels[parent_level].name);
    const Specks specks = clock.time("draw grids", [&] { return draw_all(config, ds, households, areas.list); });
    const std::size_t total_grids = assign_codes(config, ds, areas.list);
    const Quality q = clock.time("quality and baseline", [&] { return measure_quality(config, ds, households, total_grids, areas.list); });

    GridDrawReport report;
    OutputSet out(config.out_dir, "grid_draw", diag);
    report.gpkg = out.final_path("grids.gpkg");
    report.json = out.final_path("quality.json");
    report.table = out.final_path("quality.txt");
    clock.time("write gpkg", [&] {
        write_grids_gpkg(out.reserve("grids.gpkg"), config, ds, areas.list, households, q);
        out.done("grids.gpkg");
    });

    report.overview = overview_text(config, cfg, ds, parent_level, areas, dwellings, specks, q, households_source);
    report.table_text = report.overview + details_text(config, ds, parent_level, areas.list, q, report.gpkg);
    report.summary = summary_json(config, cfg, ds, parent_level, areas, dwellings, specks, q);
    out.write_text("quality.txt", report.table_text);
    report.summary["timings"] = clock.json();
    report.summary["outputs"] = {{"gpkg", report.gpkg.string()}, {"table", report.table.string()}, {"json", report.json.string()}};
    report.summary["stale_outputs"] = out.stale({"quality.json"});
    out.write_text("quality.json", report.summary.dump(2) + "\n");
    out.commit();
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
