// The grid hierarchy of a dataset (see grid_tree.hpp): parents by code or overlap, buildings in grids at every level,
// on all cores with one GEOS context per thread.
#include "hierarchy/grid_tree.hpp"

#include <boost/geometry/index/rtree.hpp>
#include <deque>
#include <tuple>
#include <unordered_map>

#include "geometry/geos.hpp"
#include "model/parallel.hpp"

namespace gridatlas::hierarchy {

namespace bgi = boost::geometry::index;
using IndexedBox = std::pair<geo::Box, std::uint32_t>;
using BoxTree = bgi::rtree<IndexedBox, bgi::quadratic<16>>;

namespace {

// With an automatic thread count, a thread gets at least this many buildings (~5 µs each): below it, starting one
// and indexing the levels again costs more than it saves.
constexpr std::size_t min_buildings_per_thread = 2'000;

SourceLocation grid_location(const Grid& g) {
    SourceLocation where = g.origin;
    if (where.feature.empty()) where.feature = "'" + g.code + "'";
    return where;
}

struct LevelIndex {
    std::vector<GridId> grids;
    std::vector<geo::GeosGeom> geoms;
    std::vector<geo::GeosPrepared> prepared;
    BoxTree tree;
};

LevelIndex index_level(const Dataset& ds, int level, geo::GeosContext& ctx) {
    LevelIndex li;
    li.grids = ds.grids_of_level(level);
    std::vector<IndexedBox> boxes;
    for (std::uint32_t i = 0; i < li.grids.size(); ++i) {
        const Grid& g = ds.grid(li.grids[i]);
        li.geoms.push_back(geo::to_geos(ctx, g.area));
        li.prepared.push_back(geo::prepare(ctx, li.geoms.back().get()));
        boxes.emplace_back(geo::bg::return_envelope<geo::Box>(g.area), i);
    }
    li.tree = BoxTree(boxes.begin(), boxes.end());
    return li;
}

double intersection_area(geo::GeosContext& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
    auto inter = geo::own(ctx, GEOSIntersection_r(ctx.handle(), a, b), "GEOSIntersection");
    double area = 0;
    GEOSArea_r(ctx.handle(), inter.get(), &area);
    return area;
}

// The candidate of `li` holding the largest part of `geom` (whose envelope is `box`); share = part / total area.
std::pair<std::int64_t, double> largest_share(geo::GeosContext& ctx, const LevelIndex& li, const GEOSGeometry* geom,
                                              const geo::Box& box, double total_area) {
    std::vector<IndexedBox> hits;
    li.tree.query(bgi::intersects(box), std::back_inserter(hits));
    std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    // Most buildings lie wholly inside one grid: find that with prepared containment before any intersection.
    for (const auto& [_, i] : hits)
        if (GEOSPreparedContains_r(ctx.handle(), li.prepared[i].get(), geom) == 1) return {i, 1.0};
    std::int64_t best = -1;
    double best_area = 0;
    for (const auto& [_, i] : hits) {
        if (GEOSPreparedIntersects_r(ctx.handle(), li.prepared[i].get(), geom) != 1) continue;
        const double a = intersection_area(ctx, li.geoms[i].get(), geom);
        if (a > best_area) { best_area = a; best = i; }
    }
    return {best, total_area > 0 ? best_area / total_area : 0.0};
}

// A thread's own GEOS context and index of every level.
struct Worker {
    geo::GeosContext ctx;
    std::deque<LevelIndex> levels;   // deque: LevelIndex is move-only and never relocated
};

// A grid's parent candidates one level up.
struct Overlap {
    GridId by_code;                 // the grid its parent code names, if any
    bool in_named_parent = false;   // by_code contains the grid: nothing else to measure or report
    std::int64_t best = -1;         // largest overlap one level up, as an index into that level
    double share = 0;
    double area = 0;
};

// Fills o.in_named_parent, else the largest overlap one level up. `position`: grid index → index within its level.
void parent_overlap(Worker& w, const Grid& g, const std::vector<std::size_t>& position, Overlap& o) {
    const LevelIndex& up = w.levels[g.level - 1];
    auto geom = geo::to_geos(w.ctx, g.area);
    // A parent named by code that contains the grid leaves nothing to report (no spill), so the other candidates need
    // no test (where grids share their parents' boundaries, each is a full GEOS relate).
    if (o.by_code.valid() &&
        GEOSPreparedContains_r(w.ctx.handle(), up.prepared[position[o.by_code.index()]].get(), geom.get()) == 1) {
        o.in_named_parent = true;
        return;
    }
    o.area = geo::bg::area(g.area);
    std::tie(o.best, o.share) = largest_share(w.ctx, up, geom.get(), geo::bg::return_envelope<geo::Box>(g.area), o.area);
}

// A building's grid at every level: the finest by largest share, coarser levels follow the parent chain so that
// membership nests.
void building_grids(Worker& w, const Building& b, GridTree& tree) {
    const int nlevels = static_cast<int>(w.levels.size());
    auto geom = geo::to_geos(w.ctx, b.footprint);
    const auto box = geo::bg::return_envelope<geo::Box>(b.footprint);
    GridId below;
    for (int l = nlevels - 1; l >= 0; --l) {
        GridId g = below.valid() ? tree.parent[below.index()] : GridId{};
        if (!g.valid()) {
            auto [best, share] = largest_share(w.ctx, w.levels[l], geom.get(), box, b.area_m2);
            if (best >= 0) g = w.levels[l].grids[best];
            if (l == nlevels - 1) tree.building_share[b.id.index()] = share;
        }
        tree.building_grid[l][b.id.index()] = g;
        below = g;
    }
}

using CodeIndex = std::vector<std::unordered_map<std::string, GridId>>;   // per level: code → grid

// Codes must be unique within a level; a duplicate makes parent codes ambiguous.
CodeIndex codes_by_level(const Dataset& ds, Diagnostics& diag) {
    CodeIndex by_code(ds.levels.size());
    for (const Grid& g : ds.grids) {
        if (g.code.empty()) continue;
        auto [it, fresh] = by_code[g.level].emplace(g.code, g.id);
        if (!fresh)
            diag.warn("duplicate_grid_code", grid_location(g),
                      "grid code '" + g.code + "' is used twice at level '" + ds.levels[g.level].name + "'",
                      "give every grid of a level its own code; the first one keeps the code for parent links");
    }
    return by_code;
}

// Each grid's parent candidates, measured on all threads (each grid's own slot). `position`: grid index → index
// within its level.
std::vector<Overlap> measure_overlaps(const Dataset& ds, const CodeIndex& by_code, std::deque<Worker>& workers,
                                      const std::vector<std::size_t>& position) {
    std::vector<Overlap> overlaps(ds.grids.size());
    for (const Grid& g : ds.grids) {
        if (g.level == 0 || g.parent_code.empty()) continue;
        if (auto it = by_code[g.level - 1].find(g.parent_code); it != by_code[g.level - 1].end())
            overlaps[g.id.index()].by_code = it->second;
    }
    parallel::on_threads(workers.size(), [&](std::size_t t) {
        Worker& w = workers[t];
        const auto [begin, end] = parallel::part(ds.grids.size(), workers.size(), t);
        for (std::size_t i = begin; i < end; ++i) {
            const Grid& g = ds.grids[i];
            if (g.level == 0) continue;
            try {
                parent_overlap(w, g, position, overlaps[g.id.index()]);
            } catch (geo::GeometryError& e) {
                e.set_id("grid", g.code);
                if (!g.area.empty() && !g.area.front().outer().empty()) e.set_coordinate(g.area.front().outer().front());
                throw;
            }
        }
    });
    return overlaps;
}

// Parents: the parent code when it names a grid one level up, else the largest overlap; links and warnings in grid
// order. `levels`: any worker's index of every level.
void link_parents(const Dataset& ds, const std::vector<Overlap>& overlaps, const std::deque<LevelIndex>& levels,
                  Diagnostics& diag, GridTree& tree) {
    for (const Grid& g : ds.grids) {
        if (g.level == 0) continue;
        const Overlap& o = overlaps[g.id.index()];
        const std::vector<GridId>& up = levels[g.level - 1].grids;
        GridId parent = o.by_code;
        if (!g.parent_code.empty() && !parent.valid())
            diag.warn("unknown_parent_code", grid_location(g),
                      "parent code '" + g.parent_code + "' names no grid at level '" + ds.levels[g.level - 1].name + "'",
                      "fix the parent code; the parent was taken by largest overlap instead");
        if (!parent.valid() && o.best >= 0) parent = up[o.best];
        if (!parent.valid()) {
            diag.warn("orphan_grid", grid_location(g), "grid '" + g.code + "' lies in no grid of level '" +
                      ds.levels[g.level - 1].name + "'", "draw it inside a parent or give it a parent code");
            continue;
        }
        tree.parent[g.id.index()] = parent;
        tree.children[parent.index()].push_back(g.id);
        if (!o.in_named_parent && o.best >= 0 && up[o.best] == parent && o.share < 0.99 && o.area > 0) {
            diag.warn("grid_spills_out", grid_location(g),
                      "grid '" + g.code + "' has " + std::to_string(static_cast<int>((1 - o.share) * 100 + 0.5)) +
                          "% of its area outside its parent '" + ds.grid(parent).code + "'",
                      "redraw the grid inside its parent's boundary");
        }
    }
}

// Buildings: finest level by largest share, coarser levels follow the parent chain so that membership nests.
// Each thread takes a contiguous part of the buildings and writes only their slots.
void place_buildings(const Dataset& ds, std::deque<Worker>& workers, GridTree& tree) {
    parallel::on_threads(workers.size(), [&](std::size_t t) {
        Worker& w = workers[t];
        const auto [begin, end] = parallel::part(ds.buildings.size(), workers.size(), t);
        for (std::size_t i = begin; i < end; ++i) {
            const Building& b = ds.buildings[i];
            try {
                building_grids(w, b, tree);
            } catch (geo::GeometryError& e) {
                e.set_id("building", b.source_id);
                e.set_coordinate(b.anchor);
                throw;
            }
        }
    });
    const std::size_t nlevels = ds.levels.size();
    for (const Building& b : ds.buildings)
        if (nlevels > 0 && tree.building_grid[nlevels - 1][b.id.index()].valid() && tree.building_share[b.id.index()] < 0.99)
            ++tree.straddling_buildings;
}

}  // namespace

GridTree build_grid_tree(const Dataset& ds, Diagnostics& diag, unsigned threads) {
    const int nlevels = static_cast<int>(ds.levels.size());
    GridTree tree;
    tree.parent.assign(ds.grids.size(), GridId{});
    tree.children.assign(ds.grids.size(), {});
    tree.building_grid.assign(nlevels, std::vector<GridId>(ds.buildings.size()));
    tree.building_share.assign(ds.buildings.size(), 0.0);

    // One GEOS context and one index of every level per thread: contexts and prepared geometries (whose indexes are
    // built lazily, on first use) are never shared between threads. Indexing the sample's 169 grids takes a few ms.
    const std::size_t nthreads = parallel::thread_count(threads, ds.buildings.size(), min_buildings_per_thread);
    std::deque<Worker> workers(nthreads);   // deque: Worker holds a GeosContext, which never moves
    for (Worker& w : workers)
        for (int l = 0; l < nlevels; ++l) w.levels.push_back(index_level(ds, l, w.ctx));
    std::vector<std::size_t> position(ds.grids.size());   // grid index → index within its level's LevelIndex
    for (const LevelIndex& li : workers.front().levels)
        for (std::size_t i = 0; i < li.grids.size(); ++i) position[li.grids[i].index()] = i;

    const CodeIndex by_code = codes_by_level(ds, diag);
    const std::vector<Overlap> overlaps = measure_overlaps(ds, by_code, workers, position);
    link_parents(ds, overlaps, workers.front().levels, diag, tree);
    place_buildings(ds, workers, tree);
    return tree;
}

}  // namespace gridatlas::hierarchy
