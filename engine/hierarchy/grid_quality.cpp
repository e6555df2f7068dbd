// Quality of drawn grids (balance, compactness, contiguity, buildings cut), the dense/sparse split of the share in
// range, and the square-lattice baseline.
#include "hierarchy/grid_quality.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "geometry/geos.hpp"
#include "hierarchy/cell_index.hpp"

namespace gridatlas::hierarchy {

namespace bg = boost::geometry;
using geo::GeosContext;
using geo::GeosGeom;
using cells::CellIndex;
using cells::check_predicate;
using cells::check_points;
using cells::intersection_area;
using cells::locate;

BalanceStats balance(const std::vector<double>& weights, double target_min, double target_max) {
    BalanceStats s;
    s.regions = weights.size();
    std::vector<double> full;
    for (double w : weights) {
        if (!(w >= 0) || !std::isfinite(w)) throw std::invalid_argument("balance: weights must be finite and 0 or more");
        s.total += w;
        if (w > 0) full.push_back(w);
        else ++s.empty;
    }
    if (full.empty()) return s;
    s.min = *std::min_element(full.begin(), full.end());
    s.max = *std::max_element(full.begin(), full.end());
    s.mean = std::accumulate(full.begin(), full.end(), 0.0) / static_cast<double>(full.size());
    double sq = 0;
    for (double w : full) sq += (w - s.mean) * (w - s.mean);
    s.stddev = std::sqrt(sq / static_cast<double>(full.size()));
    s.cv = s.mean > 0 ? s.stddev / s.mean : 0;
    for (double w : full) {
        if (w < target_min) ++s.below;
        else if (w > target_max) ++s.above;
        else ++s.within;
    }
    return s;
}

CompactnessStats compactness(const std::vector<double>& values) {
    CompactnessStats s;
    s.regions = values.size();
    if (values.empty()) return s;
    std::vector<double> v = values;
    std::sort(v.begin(), v.end());
    s.min = v.front();
    s.max = v.back();
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    const std::size_t n = v.size();
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

PartitionQuality assess_partition(const std::vector<geo::MultiPolygon>& regions, const std::vector<double>& weights,
                                  double target_min, double target_max, const std::vector<geo::MultiPolygon>& footprints,
                                  double cut_min_m2) {
    if (regions.size() != weights.size())
        throw std::invalid_argument("assess_partition: " + std::to_string(regions.size()) + " regions but " +
                                    std::to_string(weights.size()) + " weights");
    PartitionQuality q;
    q.balance = balance(weights, target_min, target_max);
    std::vector<double> pp;
    for (std::size_t i = 0; i < regions.size(); ++i) {
        q.area_m2 += bg::area(regions[i]);
        if (regions[i].size() > 1) ++q.multipart;
        if (weights[i] > 0) pp.push_back(polsby_popper(regions[i]));
    }
    q.compactness = compactness(pp);

    GeosContext ctx;
    const CellIndex cells(ctx, regions);
    for (const auto& footprint : footprints) {
        if (footprint.empty()) continue;
        const GeosGeom f = geo::to_geos(ctx, footprint);
        const auto hits = cells.candidates(bg::return_envelope<geo::Box>(footprint));
        if (hits.size() < 2) continue;
        bool inside_one = false;
        for (std::size_t c : hits)
            if (check_predicate(ctx, GEOSPreparedContains_r(ctx.handle(), cells.prepared[c].get(), f.get()), "GEOSPreparedContains")) {
                inside_one = true;
                break;
            }
        if (inside_one) continue;
        std::size_t sides = 0;
        for (std::size_t c : hits) {
            if (!check_predicate(ctx, GEOSPreparedIntersects_r(ctx.handle(), cells.prepared[c].get(), f.get()), "GEOSPreparedIntersects"))
                continue;
            if (intersection_area(ctx, cells.geoms[c].get(), f.get()) >= cut_min_m2) ++sides;
        }
        if (sides >= 2) ++q.buildings_cut;
    }
    return q;
}

std::vector<DrawnRegion> square_lattice(const geo::MultiPolygon& area, double side, const std::vector<WeightedPoint>& points) {
    if (!(side > 0) || !std::isfinite(side)) throw std::invalid_argument("square_lattice: the side must be positive");
    check_points(points, "square_lattice");
    if (area.empty()) return {};
    const geo::Box box = bg::return_envelope<geo::Box>(area);
    const double x0 = box.min_corner().x(), y0 = box.min_corner().y();
    const double columns = std::max(1.0, std::ceil((box.max_corner().x() - x0) / side));
    const double rows = std::max(1.0, std::ceil((box.max_corner().y() - y0) / side));
    if (columns * rows > 4e6) throw std::invalid_argument("square_lattice: more than 4 million squares; use a larger side");

    GeosContext ctx;
    const GeosGeom area_g = geo::to_geos(ctx, area);
    const geo::GeosPrepared prepared = geo::prepare(ctx, area_g.get());
    std::vector<geo::MultiPolygon> cells;
    for (long r = static_cast<long>(rows) - 1; r >= 0; --r) {          // north first
        for (long c = 0; c < static_cast<long>(columns); ++c) {        // then west→east
            const double xa = x0 + static_cast<double>(c) * side, ya = y0 + static_cast<double>(r) * side;
            geo::Polygon square;
            square.outer() = {{xa, ya}, {xa, ya + side}, {xa + side, ya + side}, {xa + side, ya}, {xa, ya}};
            const geo::MultiPolygon sq{square};
            const GeosGeom sq_g = geo::to_geos(ctx, sq);
            if (!check_predicate(ctx, GEOSPreparedIntersects_r(ctx.handle(), prepared.get(), sq_g.get()), "GEOSPreparedIntersects")) continue;
            if (check_predicate(ctx, GEOSPreparedContains_r(ctx.handle(), prepared.get(), sq_g.get()), "GEOSPreparedContains")) {
                cells.push_back(sq);
                continue;
            }
            const GeosGeom clipped = geo::own(ctx, GEOSIntersection_r(ctx.handle(), area_g.get(), sq_g.get()), "GEOSIntersection");
            geo::MultiPolygon cell = geo::to_multipolygon(ctx, clipped.get());
            if (bg::area(cell) > 0) cells.push_back(std::move(cell));
        }
    }
    const CellIndex index(ctx, cells);
    const auto cell_of = locate(ctx, index, cells.size(), points);
    std::vector<DrawnRegion> out(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) out[i].area = std::move(cells[i]);
    for (std::size_t p = 0; p < points.size(); ++p) {
        out[cell_of[p]].points.push_back(p);
        out[cell_of[p]].weight += points[p].weight;
    }
    return out;
}

DensitySplit split_by_density(const std::vector<ParentDrawing>& parents, double target_min, double target_max,
                              double sparse_below_per_km2) {
    if (!(sparse_below_per_km2 > 0)) throw std::invalid_argument("split_by_density: the threshold must be positive");
    DensitySplit out;
    out.sparse_below_per_km2 = sparse_below_per_km2;
    std::vector<double> dense, sparse;
    for (const auto& p : parents) {
        const bool is_sparse = p.area_m2 > 0 && p.households / (p.area_m2 / 1e6) < sparse_below_per_km2;
        auto& into = is_sparse ? sparse : dense;
        into.insert(into.end(), p.grid_weights.begin(), p.grid_weights.end());
        ++(is_sparse ? out.sparse : out.dense).parents;
    }
    out.dense.balance = balance(dense, target_min, target_max);
    out.sparse.balance = balance(sparse, target_min, target_max);
    return out;
}

}  // namespace gridatlas::hierarchy
