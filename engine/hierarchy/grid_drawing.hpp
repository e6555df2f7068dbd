// Drawing grid polygons where none exist: the area is cut into blocks by the road network, and adjacent blocks
// are grouped into contiguous, compact grids holding a target range of households.
//
// Why blocks: a grid boundary that follows roads is one residents and grid workers can see on the ground, so the
// smallest unit a grid is made of is the face of the road network. A block heavier than the range (a big estate
// inside one ring of roads) is therefore never split: it stays a region of its own.
//
// All functions are deterministic (same input, same output, same order) and use their own GEOS context, so they
// may run on several threads at once. GEOS failures surface as geo::GeometryError.
#pragma once
#include <cstddef>
#include <vector>

#include "geometry/types.hpp"

namespace gridatlas::hierarchy {

// The faces of the road network inside `area`: `area` cut by every road line. The area is made valid first; the
// road lines touching it are noded together with the area's boundary (GEOSUnaryUnion), the noded edges lying in
// or on the area are polygonized, and the faces whose point on surface lies in the area are kept (so the area's
// holes are not blocks). Dead-end roads cut nothing. The blocks cover `area` without overlap, up to floating
// point; their order is GEOS's polygonize order. An empty area has no blocks; no roads give the area's parts.
std::vector<geo::MultiPolygon> road_blocks(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads);

struct GroupingOptions {
    double min_weight = 300;   // households per group, target range
    double max_weight = 500;
    // Height in metres of the west→east reading rows (see reading order below).
    double reading_band = 500;
    // Step 4 of group_contiguous (re-splitting light groups with a neighbour). Off reproduces the grouping of
    // earlier versions, which the bundled sample's committed grids were drawn with.
    bool resplit = true;
};

// Groups cells (e.g. blocks) into contiguous groups whose weight lies within [min, max] where the cells allow it.
// Returns every cell in exactly one group: groups in the reading order of their seeds, cells ascending within a
// group. Throws std::invalid_argument when sizes differ, a weight is negative or not a number, a cell is empty,
// or the options are not 0 ≤ min ≤ max with reading_band > 0.
//
// Adjacency: two cells are adjacent when their boundaries share a line of positive length (GEOS relate pattern
// "****1****"); touching at a corner is not adjacency. Cells are expected to form a coverage (no overlaps), as
// road blocks and drawn regions do.
//
// Reading order: each cell is represented by its point on surface (x, y); cells are sorted by
// (floor(−y / reading_band), x, −y, index), i.e. in rows of reading_band metres from north to south, west→east
// within a row.
//
// 1. Growth. The unassigned cells are taken as seeds in reading order. A group grows from its seed by adding, among
//    the unassigned cells adjacent to the group whose weight keeps the group ≤ max, the one whose point on surface is
//    nearest to the seed's (ties: reading order), until the group weighs ≥ min or no cell can be added. Growth never
//    exceeds max; only a single cell heavier than max makes a group over max, and such a cell grows no further.
// 2. Light groups. While some group with 0 < weight < min can merge, the lightest (ties: reading order) merges into
//    the adjacent group that leaves the merged weight closest to [min, max] (then the lightest, then reading order).
//    A merge is allowed only into a group of weight in (0, max] and only when it lowers the summed distance of the
//    two groups' weights to the range: a light group beside groups that are full stays light rather than making
//    one of them grossly too heavy, and groups over max (single heavy cells) take no light groups.
// 3. Zero-weight groups (e.g. parks, water, slivers between a road and the boundary) join the lightest adjacent
//    group of positive weight, or, when they only touch zero-weight groups, one of those until they reach one.
// 4. Re-splitting (when options.resplit). While some light group (0 < weight < min), or group over max made of several cells, can be
//    improved with an adjacent group, the lightest such group (ties: group order) is re-split with the neighbour
//    whose re-split leaves the pair nearest the range (ties: the first neighbour in group order): the two groups' cells are joined by shortest-path trees of their adjacency (anchor
//    distance, from each cell, at most 48 roots spread over the reading order), and the tree edge whose cut leaves
//    two parts of positive weight nearest the range (the summed distance of both to [min, max], then the most even
//    split) replaces the pair when it lowers that sum; a light group may also merge whole under the rule of step 2.
//    Both parts are connected (a subtree and the rest of a tree). This lets a hamlet enclosed by a field whose
//    group is full take the field from that group, the way rural grids group several villages of one parent.
// Cells with no adjacent cell at all (islands) stay groups of their own, whatever their weight.
std::vector<std::vector<std::size_t>> group_contiguous(const std::vector<geo::MultiPolygon>& cells,
                                                       const std::vector<double>& weights,
                                                       const GroupingOptions& options);

struct WeightedPoint {
    geo::Point location;
    double weight = 0;          // households
};

struct DrawnRegion {
    geo::MultiPolygon area;     // union of its cells
    std::vector<std::size_t> points;   // indices into the input points that fall inside, ascending
    double weight = 0;
};

// road_blocks + group_contiguous + union: the grids of one parent area. Each point goes to the block containing
// it (a point on the line between two blocks to one of them); a point on no block (outside the area) goes to the
// nearest block, so every point lands in exactly one region. A block's weight is the sum of its points' weights.
// Blocks heavier than max stay single regions. Regions are ordered by the reading order of their point on surface
// (see group_contiguous), so serial codes can follow that order. Throws std::invalid_argument for a point with a
// non-finite location or a negative weight, and as group_contiguous does. An empty area gives no regions.
std::vector<DrawnRegion> draw_regions(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads,
                                      const std::vector<WeightedPoint>& points, const GroupingOptions& options);

// Groups already-drawn regions (e.g. grids) into larger contiguous regions (e.g. communities), same rules, each
// region's `weight` as its weight. The merged areas are unioned, the point lists concatenated (ascending), the
// weights summed; the result is in reading order.
std::vector<DrawnRegion> merge_regions(const std::vector<DrawnRegion>& regions, const GroupingOptions& options);

// Polsby–Popper compactness 4πA/P² of a polygon (1 for a circle, π/4 for a square); P includes the holes' rings.
// 0 for an empty polygon.
double polsby_popper(const geo::MultiPolygon& mp);

}  // namespace gridatlas::hierarchy
