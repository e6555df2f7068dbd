// Checks a grid hierarchy as drawn by its users: where grids of one level overlap, where a parent's area is covered
// by no grid of the level below (gaps), where a child spills out of its parent, grids in no parent, grids holding
// no household, buildings straddling grids and buildings in no grid. Every finding carries its area, its geometry
// and a point on it, so it can be mapped and listed.
//
// Slivers: an area finding smaller than `sliver_m2` (digitising noise, reprojection noise along shared borders) is
// noted, not flagged. For gaps, spills and overlaps the pieces below the threshold are gathered into one note per
// grid (or pair of grids), so a thousand specks along a border make one line, not a thousand.
//
// Deterministic: same input, same findings in the same order. Uses its own GEOS context; GEOS failures surface as
// geo::GeometryError.
#pragma once
#include <string>
#include <vector>

#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::hierarchy {

enum class GridIssueKind {
    sibling_overlap,          // two grids of one level share interior area
    gap,                      // part of a parent covered by no grid of the level below
    spill,                    // part of a child outside its parent
    orphan_grid,              // a grid below the top level lying in no grid of the level above
    empty_grid,               // a grid holding no household (or, without a roster, no residential building)
    straddling_building,      // a building only partly inside its finest-level grid (assigned by largest share)
    building_outside_grids,   // a building in no grid of the finest level
};
// Buildings are flagged only where someone lives: with households > 0 (or, without a roster, when residential);
// the others are noted. A straddling building whose part outside its grid is a sliver is noted too.
const char* to_string(GridIssueKind kind);
inline constexpr int grid_issue_kind_count = 7;

struct GridIssue {
    GridIssueKind kind = GridIssueKind::gap;
    bool flagged = true;        // false: noted only (a sliver; a building nobody lives in)
    int level = -1;             // index into Dataset::levels: the level checked (building findings: the finest)
    GridId grid;                // overlap: the first grid of the pair; gap: the parent; spill, orphan, empty: the grid;
                                // straddling: the grid it is assigned to; outside: the coarser grid holding it, if any
    GridId other;               // overlap: the second grid; spill: the parent left; straddling: the grid holding
                                // the second-largest share; spill into a neighbour: see `into`
    GridId into;                // spill: the grid of the parent's level holding most of the spilled piece, if any
    BuildingId building;        // building findings
    double area_m2 = 0;         // the area of `area` (straddling: the footprint's part outside its grid)
    double share = 0;           // straddling: the share of the footprint inside its grid
    std::size_t parts = 1;      // pieces in `area` (more than one only in gathered sliver notes)
    double households = 0;      // building findings: the building's households; empty grid: 0
    geo::MultiPolygon area;     // the piece itself; buildings: the footprint; empty and orphan grids: the grid
    geo::Point location;        // a point on `area`
    std::string message;        // one readable sentence, with the codes the user gave
};

struct ValidationOptions {
    double sliver_m2 = 10;      // area findings below this are noted, not flagged
    // Per grid index, households placed straight into the grid by their point (a project without buildings); added
    // to those of the grid's buildings when deciding whether a grid is empty. Empty: none.
    std::vector<double> households_placed_in_grids = {};
};

struct ValidationReport {
    std::vector<GridIssue> issues;   // by kind (enum order), level, flagged first, then largest area first (buildings
                                     // in no grid: most households first), then ids
    std::size_t flagged(GridIssueKind kind) const;
    std::size_t noted(GridIssueKind kind) const;
    double flagged_area_m2(GridIssueKind kind) const;
};

// `households_per_building`: per building index, the households the roster places in it; empty when unknown, then
// a grid is empty when it holds no residential building and a building outside the grids is flagged when it is
// residential. With households, both go by households. Throws std::invalid_argument for a negative sliver area or
// a households vector of the wrong size.
ValidationReport validate_grids(const Dataset& ds, const GridTree& tree, const std::vector<double>& households_per_building,
                                const ValidationOptions& options = {});

}  // namespace gridatlas::hierarchy
