// Points straight into grids, for an office that has grid polygons and a geocoded roster but no buildings: the grid of
// every level that covers a household's point, with a flag when the choice was not clear-cut (the point on a grid's
// edge, on the boundary shared by two grids, or inside grids that overlap) and the rule that made it.
#pragma once
#include <cstdint>
#include <memory>
#include <span>

#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

// How clear-cut a point's grid at one level is.
enum class GridFlag : std::uint8_t {
    none,                   // inside exactly one grid, off its boundary
    on_grid_edge,           // on the boundary of its only grid (the edge of the covered area)
    on_shared_boundary,     // on the boundary between two or more grids, inside none of them
    in_overlapping_grids,   // inside two or more grids (they overlap), or inside one and on another's boundary
};
const char* to_string(GridFlag f);
// A sentence for the user: what was found and which grid was chosen, by what rule.
const char* describe(GridFlag f);

// Which grid is chosen among several that cover the point, at each level from the finest up:
//   1. the parent (in the grid tree) of the grid chosen one level below, when it covers the point, so that the levels
//      nest;
//   2. else, among the grids whose interior holds the point (if none: those whose boundary holds it), the one with the
//      lowest code (natural order: "G2" < "G10"), then the lowest grid index. Deterministic, whatever the input order.
class GridLocator {
public:
    GridLocator(const Dataset& ds, const hierarchy::GridTree& tree);
    ~GridLocator();
    GridLocator(GridLocator&&) noexcept;
    GridLocator& operator=(GridLocator&&) noexcept;

    // Writes the grid (invalid: in no grid of that level) and flag of every level; both spans hold one per level.
    // Safe to call from several threads at once.
    void locate(const geo::Point& p, std::span<GridId> grids, std::span<GridFlag> flags) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridatlas::assign
