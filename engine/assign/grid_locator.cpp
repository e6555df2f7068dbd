// Point-in-grid placement for grids-only projects (see grid_locator.hpp): an R-tree of grid envelopes per level, then
// exact Boost.Geometry covered_by / within tests, and a deterministic choice with a flag when several grids qualify.
#include "assign/grid_locator.hpp"

#include <boost/geometry/index/rtree.hpp>
#include <stdexcept>
#include <vector>

#include "model/natural_order.hpp"

namespace gridatlas::assign {

namespace bgi = boost::geometry::index;

const char* to_string(GridFlag f) {
    switch (f) {
        case GridFlag::none: return "none";
        case GridFlag::on_grid_edge: return "on_grid_edge";
        case GridFlag::on_shared_boundary: return "on_shared_boundary";
        case GridFlag::in_overlapping_grids: return "in_overlapping_grids";
    }
    return "unknown";
}

const char* describe(GridFlag f) {
    switch (f) {
        case GridFlag::none: return "inside one grid";
        case GridFlag::on_grid_edge:
            return "the point lies exactly on the outer edge of its grid; it was counted in that grid - check the "
                   "coordinates or the grid boundary";
        case GridFlag::on_shared_boundary:
            return "the point lies exactly on the boundary between grids; it was placed in the parent of the grid "
                   "chosen one level below, else in the one with the lowest code - check which grid it belongs to";
        case GridFlag::in_overlapping_grids:
            return "the point lies in grids that overlap; it was placed in the parent of the grid chosen one level "
                   "below, else in the one (holding it inside) with the lowest code - fix the overlapping grids";
    }
    return "unknown";
}

struct GridLocator::Impl {
    using Entry = std::pair<geo::Box, GridId>;
    const Dataset& ds;
    const hierarchy::GridTree& tree;
    std::vector<bgi::rtree<Entry, bgi::quadratic<16>>> levels;

    // Whether a is preferred to b: the lower code, then the lower index.
    bool before(GridId a, GridId b) const {
        const std::string& ca = ds.grid(a).code;
        const std::string& cb = ds.grid(b).code;
        if (natural_less(ca, cb)) return true;
        if (natural_less(cb, ca)) return false;
        return a < b;
    }

    // The grid chosen at `level` and its flag; `below` is the grid chosen one level finer (may be invalid).
    std::pair<GridId, GridFlag> at_level(const geo::Point& p, std::size_t level, GridId below) const {
        std::vector<Entry> hits;
        levels[level].query(bgi::intersects(p), std::back_inserter(hits));
        GridId inside, edge, parent;
        std::size_t n_inside = 0, n_edge = 0;
        const GridId up = below.valid() ? tree.parent[below.index()] : GridId{};
        for (const auto& [_, g] : hits) {
            const geo::MultiPolygon& area = ds.grid(g).area;
            if (!geo::bg::covered_by(p, area)) continue;
            if (g == up) parent = g;
            if (geo::bg::within(p, area)) {
                ++n_inside;
                if (!inside.valid() || before(g, inside)) inside = g;
            } else {
                ++n_edge;
                if (!edge.valid() || before(g, edge)) edge = g;
            }
        }
        GridFlag flag = GridFlag::none;
        if (n_inside + n_edge >= 2) flag = n_inside > 0 ? GridFlag::in_overlapping_grids : GridFlag::on_shared_boundary;
        else if (n_edge == 1) flag = GridFlag::on_grid_edge;
        const GridId chosen = parent.valid() ? parent : inside.valid() ? inside : edge;
        return {chosen, flag};
    }
};

GridLocator::GridLocator(const Dataset& ds, const hierarchy::GridTree& tree)
    : impl_(std::make_unique<Impl>(Impl{ds, tree, {}})) {
    if (tree.parent.size() != ds.grids.size())
        throw std::logic_error("GridLocator: the grid tree was built for another dataset");
    std::vector<std::vector<Impl::Entry>> boxes(ds.levels.size());
    for (const Grid& g : ds.grids)
        boxes.at(static_cast<std::size_t>(g.level)).emplace_back(geo::bg::return_envelope<geo::Box>(g.area), g.id);
    for (auto& level : boxes) impl_->levels.emplace_back(level.begin(), level.end());   // bulk-loaded
}

GridLocator::~GridLocator() = default;
GridLocator::GridLocator(GridLocator&&) noexcept = default;
GridLocator& GridLocator::operator=(GridLocator&&) noexcept = default;

void GridLocator::locate(const geo::Point& p, std::span<GridId> grids, std::span<GridFlag> flags) const {
    const std::size_t nlevels = impl_->levels.size();
    if (grids.size() != nlevels || flags.size() != nlevels)
        throw std::logic_error("GridLocator::locate: one grid and one flag per level expected");
    GridId below;
    for (std::size_t l = nlevels; l-- > 0;) {
        const auto [g, f] = impl_->at_level(p, l, below);
        grids[l] = g;
        flags[l] = f;
        below = g;
    }
}

}  // namespace gridatlas::assign
