// Cells (polygons) as prepared GEOS geometries with an R-tree over their envelopes, and where points fall among them.
// Shared by the square-lattice baseline, the quality measures and the per-building cells. Internal to the hierarchy
// library: not part of its public headers' vocabulary.
#pragma once
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include <boost/geometry/index/rtree.hpp>

#include "geometry/geos.hpp"
#include "geometry/types.hpp"
#include "hierarchy/grid_drawing.hpp"

namespace gridatlas::hierarchy::cells {

inline constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

// A GEOS predicate's answer: throws geo::GeometryError when GEOS failed (2), else true for 1.
bool check_predicate(geo::GeosContext& ctx, char result, const char* what);

// The area of a ∩ b.
double intersection_area(geo::GeosContext& ctx, const GEOSGeometry* a, const GEOSGeometry* b);

// Throws std::invalid_argument, naming `who`, for a point with a non-finite location or a negative weight.
void check_points(const std::vector<WeightedPoint>& points, const char* who);

// Cells as GEOS geometries, prepared, with an R-tree over their envelopes.
struct CellIndex {
    using BoxEntry = std::pair<geo::Box, std::size_t>;
    std::vector<geo::GeosGeom> geoms;
    std::vector<geo::GeosPrepared> prepared;
    boost::geometry::index::rtree<BoxEntry, boost::geometry::index::quadratic<16>> index;

    CellIndex(geo::GeosContext& ctx, const std::vector<geo::MultiPolygon>& cells);
    // Cells whose envelope meets `box`, in index order.
    std::vector<std::size_t> candidates(const geo::Box& box) const;
};

// The cell of each point: the lowest-index cell covering it, else the nearest cell (npos when there is no cell).
std::vector<std::size_t> locate(geo::GeosContext& ctx, const CellIndex& cells, std::size_t cell_count,
                                const std::vector<WeightedPoint>& points);

}  // namespace gridatlas::hierarchy::cells
