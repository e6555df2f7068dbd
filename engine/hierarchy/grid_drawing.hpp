// Drawing grid polygons where none exist: the area is cut into blocks by the road network, and adjacent blocks
// are grouped into contiguous, compact grids holding a target range of households.
#pragma once
#include <cstddef>
#include <vector>

#include "geometry/types.hpp"

namespace gridatlas::hierarchy {

// The faces of the road network inside `area`: `area` cut by every road line (roads are noded, the pieces
// polygonized and kept where they lie inside `area`). The blocks cover `area` without overlap.
std::vector<geo::MultiPolygon> road_blocks(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads);

struct GroupingOptions {
    double min_weight = 300;   // households per group, target range
    double max_weight = 500;
};

// Groups cells (e.g. blocks) into contiguous groups (cells adjacent by a shared boundary of positive length) whose
// weight lies within [min, max] where the cells allow it. Every cell ends up in exactly one group; a cell heavier
// than max forms a group of its own; zero-weight cells join a neighbouring group. Deterministic: seeds are taken
// west→east, north→south; growth adds the adjacent cell nearest to the group's seed.
std::vector<std::vector<std::size_t>> group_contiguous(const std::vector<geo::MultiPolygon>& cells,
                                                       const std::vector<double>& weights,
                                                       const GroupingOptions& options);

struct WeightedPoint {
    geo::Point location;
    double weight = 0;          // households
};

struct DrawnRegion {
    geo::MultiPolygon area;     // union of its cells
    std::vector<std::size_t> points;   // indices into the input points that fall inside
    double weight = 0;
};

// road_blocks + group_contiguous + union: the grids of one parent area. Regions are ordered west→east,
// north→south by their point on surface, so serial codes can follow that order.
std::vector<DrawnRegion> draw_regions(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads,
                                      const std::vector<WeightedPoint>& points, const GroupingOptions& options);

// Groups already-drawn regions (e.g. grids) into larger contiguous regions (e.g. communities), same rules.
std::vector<DrawnRegion> merge_regions(const std::vector<DrawnRegion>& regions, const GroupingOptions& options);

// Polsby–Popper compactness 4πA/P² of a polygon (1 for a circle).
double polsby_popper(const geo::MultiPolygon& mp);

}  // namespace gridatlas::hierarchy
