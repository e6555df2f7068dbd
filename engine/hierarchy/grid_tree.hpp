// The grid hierarchy as given: each grid's parent one level up (by parent code, else by largest overlap) and each
// building's grid at every level (largest share of its footprint, kept consistent with the parent chain).
#pragma once
#include <vector>

#include "model/dataset.hpp"
#include "model/diagnostics.hpp"

namespace gridatlas::hierarchy {

struct GridTree {
    std::vector<GridId> parent;                     // per grid index; invalid at the top level or when orphaned
    std::vector<std::vector<GridId>> children;      // per grid index
    std::vector<std::vector<GridId>> building_grid; // [level][building index]; invalid: in no grid of that level
    std::vector<double> building_share;             // per building: share of the footprint inside its finest grid
    std::size_t straddling_buildings = 0;           // buildings whose finest grid holds < 99 % of the footprint

    GridId grid_of(BuildingId b, int level) const { return building_grid[level][b.index()]; }
};

// Resolves parents and building membership. Warnings (unknown parent code, orphaned grid, duplicate code,
// a grid spilling out of its parent) go to `diag`; nothing is dropped.
// Buildings are independent once the parents are known, so they are split over `threads` threads (0: as many as the
// machine has cores, fewer for few buildings), each with its own GEOS context; the result is the same whatever the
// number.
GridTree build_grid_tree(const Dataset& ds, Diagnostics& diag, unsigned threads = 0);

}  // namespace gridatlas::hierarchy
