// Prepared GEOS cells under an R-tree of their envelopes: which cell a point falls in, for the lattice baseline,
// the quality measures and the per-building cells.
#include "hierarchy/cell_index.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gridatlas::hierarchy::cells {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using geo::GeosContext;
using geo::GeosGeom;

bool check_predicate(GeosContext& ctx, char result, const char* what) {
    ctx.check(result != 2, what);
    return result == 1;
}

double intersection_area(GeosContext& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
    auto inter = geo::own(ctx, GEOSIntersection_r(ctx.handle(), a, b), "GEOSIntersection");
    double area = 0;
    ctx.check(GEOSArea_r(ctx.handle(), inter.get(), &area) == 1, "GEOSArea");
    return area;
}

void check_points(const std::vector<WeightedPoint>& points, const char* who) {
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        if (!std::isfinite(p.location.x()) || !std::isfinite(p.location.y()) || !(p.weight >= 0))
            throw std::invalid_argument(std::string(who) + ": bad location or weight of point " + std::to_string(i));
    }
}

CellIndex::CellIndex(GeosContext& ctx, const std::vector<geo::MultiPolygon>& cells) {
    std::vector<BoxEntry> entries;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        geoms.push_back(geo::to_geos(ctx, cells[i]));
        prepared.push_back(geo::prepare(ctx, geoms.back().get()));
        if (!cells[i].empty()) entries.emplace_back(bg::return_envelope<geo::Box>(cells[i]), i);
    }
    index = decltype(index)(entries.begin(), entries.end());
}

std::vector<std::size_t> CellIndex::candidates(const geo::Box& box) const {
    std::vector<std::size_t> out;
    for (auto it = index.qbegin(bgi::intersects(box)); it != index.qend(); ++it) out.push_back(it->second);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::size_t> locate(GeosContext& ctx, const CellIndex& cells, std::size_t cell_count,
                                const std::vector<WeightedPoint>& points) {
    std::vector<std::size_t> cell_of(points.size(), npos);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const geo::Point& p = points[i].location;
        const GeosGeom point = geo::to_geos(ctx, p);
        for (std::size_t c : cells.candidates(geo::Box(p, p)))
            if (check_predicate(ctx, GEOSPreparedIntersects_r(ctx.handle(), cells.prepared[c].get(), point.get()), "GEOSPreparedIntersects")) {
                cell_of[i] = c;
                break;
            }
        if (cell_of[i] != npos || cell_count == 0) continue;
        double best = std::numeric_limits<double>::infinity();
        for (auto it = cells.index.qbegin(bgi::nearest(p, static_cast<unsigned>(cell_count))); it != cells.index.qend(); ++it) {
            if (bg::distance(p, it->first) > best) break;
            double d = 0;
            ctx.check(GEOSPreparedDistance_r(ctx.handle(), cells.prepared[it->second].get(), point.get(), &d) == 1, "GEOSPreparedDistance");
            if (d < best || (d == best && it->second < cell_of[i])) {
                best = d;
                cell_of[i] = it->second;
            }
        }
    }
    return cell_of;
}

}  // namespace gridatlas::hierarchy::cells
