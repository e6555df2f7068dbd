// Grids finer than road blocks: one cell per building.
//
// draw_regions never cuts a road block, which suits 300–500-household grids but leaves a block of an
// estate as one "micro-grid" of 400 households. draw_regions_by_building first cuts every block heavier than a
// threshold into one cell per building (Voronoi cells of sites along the footprints, clipped to the block), then
// groups cells as draw_regions groups blocks. With a threshold of 0 and the range [0, 0] it gives one grid per
// building (buildings sharing one point share one grid).
//
// Deterministic; uses its own GEOS context. GEOS failures surface as geo::GeometryError.
#pragma once
#include <vector>

#include "geometry/types.hpp"
#include "hierarchy/grid_drawing.hpp"

namespace gridatlas::hierarchy {

// draw_regions where every road block whose points weigh more than `split_above` is first cut into one cell per
// building: the Voronoi cells of sites along the building's footprint outline (every 5 m; `footprints` parallel to
// `points`, or empty: the points alone are the sites), united per building and clipped to the block, so cells part
// between buildings rather than through them. Buildings whose points coincide share a cell; a cell the block's
// shape breaks in pieces keeps the piece holding its point, the other pieces are weightless cells. Points and
// grouping as in draw_regions; regions in reading order. Throws as draw_regions does, for a negative split_above,
// and for footprints not matching the points.
std::vector<DrawnRegion> draw_regions_by_building(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads,
                                                  const std::vector<WeightedPoint>& points, const GroupingOptions& options,
                                                  double split_above, const std::vector<geo::MultiPolygon>& footprints = {});

}  // namespace gridatlas::hierarchy
