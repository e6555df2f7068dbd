// Where grids are drawn when no parent level is given: the settled area around dwellings, pieces of it joined
// across fields, and (for the sample builder) light regions absorbed by their nearest neighbour.
#include "sample/study_area.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "geometry/geos.hpp"

namespace gridatlas::sample {

geo::MultiPolygon settled_area(const std::vector<geo::MultiPolygon>& footprints, double margin_m) {
    geo::GeosContext ctx;
    auto h = ctx.handle();
    std::vector<GEOSGeometry*> parts;
    parts.reserve(footprints.size());
    for (const auto& f : footprints) {
        // Buffer the envelope-cheap way: a building grown by the margin with 2 segments a quadrant.
        auto g = geo::to_geos(ctx, f);
        GEOSGeometry* b = GEOSBuffer_r(h, g.get(), margin_m, 2);
        ctx.check(b != nullptr, "GEOSBuffer");
        parts.push_back(b);
    }
    auto all = geo::own(ctx, GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(), static_cast<unsigned>(parts.size())),
                        "GEOSGeom_createCollection");
    auto merged = geo::own(ctx, GEOSUnaryUnion_r(h, all.get()), "GEOSUnaryUnion");
    // Shrink back by half the margin so neighbouring settlements do not fuse across wide gaps, then simplify.
    auto shrunk = geo::own(ctx, GEOSBuffer_r(h, merged.get(), -margin_m / 2, 2), "GEOSBuffer");
    auto simple = geo::own(ctx, GEOSTopologyPreserveSimplify_r(h, shrunk.get(), 5.0), "GEOSTopologyPreserveSimplify");
    return geo::to_multipolygon(ctx, simple.get());
}

namespace {

// The polygons of a GEOS (multi)polygon, each as its own geometry.
std::vector<geo::GeosGeom> pieces_of(geo::GeosContext& ctx, const GEOSGeometry* g) {
    std::vector<geo::GeosGeom> out;
    const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
    ctx.check(n >= 0, "GEOSGetNumGeometries");
    for (int i = 0; i < n; ++i)
        out.push_back(geo::own(ctx, GEOSGeom_clone_r(ctx.handle(), GEOSGetGeometryN_r(ctx.handle(), g, i)), "GEOSGeom_clone"));
    return out;
}

// Strips of field along the edges of a minimum spanning forest of the pieces (edges shorter than gap_m only, Kruskal
// over (distance, i, j)), each the shortest segment between two pieces grown by half_width.
std::vector<geo::GeosGeom> corridors(geo::GeosContext& ctx, const std::vector<geo::GeosGeom>& pieces, double gap_m, double half_width) {
    auto h = ctx.handle();
    struct Edge { double d; std::size_t i, j; };
    std::vector<Edge> edges;
    for (std::size_t i = 0; i < pieces.size(); ++i)
        for (std::size_t j = i + 1; j < pieces.size(); ++j) {
            const char near = GEOSDistanceWithin_r(h, pieces[i].get(), pieces[j].get(), gap_m);
            ctx.check(near != 2, "GEOSDistanceWithin");
            if (near != 1) continue;
            double d = 0;
            ctx.check(GEOSDistance_r(h, pieces[i].get(), pieces[j].get(), &d) == 1, "GEOSDistance");
            if (d < gap_m) edges.push_back({d, i, j});
        }
    std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return std::tie(a.d, a.i, a.j) < std::tie(b.d, b.i, b.j); });
    std::vector<std::size_t> root(pieces.size());
    std::iota(root.begin(), root.end(), std::size_t{0});
    auto find = [&](std::size_t x) {
        while (root[x] != x) x = root[x] = root[root[x]];
        return x;
    };
    std::vector<geo::GeosGeom> out;
    for (const Edge& e : edges) {
        const std::size_t a = find(e.i), b = find(e.j);
        if (a == b) continue;
        root[std::max(a, b)] = std::min(a, b);
        GEOSCoordSequence* seq = GEOSNearestPoints_r(h, pieces[e.i].get(), pieces[e.j].get());
        ctx.check(seq != nullptr, "GEOSNearestPoints");
        const auto segment = geo::own(ctx, GEOSGeom_createLineString_r(h, seq), "GEOSGeom_createLineString");
        out.push_back(geo::own(ctx, GEOSBuffer_r(h, segment.get(), half_width, 2), "GEOSBuffer"));
    }
    return out;
}

}  // namespace

geo::MultiPolygon join_close_pieces(const geo::MultiPolygon& area, double gap_m) {
    if (!(gap_m >= 0) || !std::isfinite(gap_m)) throw std::invalid_argument("join_close_pieces: gap must be 0 or more metres");
    if (gap_m == 0 || area.empty()) return area;
    geo::GeosContext ctx;
    auto h = ctx.handle();
    const auto g = geo::to_geos(ctx, area);
    // The closing fills the field between wide pieces; it never bridges a gap between small ones (a disk of the
    // closing's radius slips between them), so the pieces still apart are joined by strips of field.
    const auto grown = geo::own(ctx, GEOSBuffer_r(h, g.get(), gap_m / 2, 2), "GEOSBuffer");
    const auto closed = geo::own(ctx, GEOSBuffer_r(h, grown.get(), -gap_m / 2, 2), "GEOSBuffer");
    const auto joined = geo::own(ctx, GEOSUnion_r(h, closed.get(), g.get()), "GEOSUnion");
    std::vector<geo::GeosGeom> parts = corridors(ctx, pieces_of(ctx, joined.get()), gap_m, gap_m / 20);
    if (parts.empty()) return geo::to_multipolygon(ctx, joined.get());
    parts.push_back(geo::own(ctx, GEOSGeom_clone_r(h, joined.get()), "GEOSGeom_clone"));
    const auto all = geo::collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));
    const auto united = geo::own(ctx, GEOSUnaryUnion_r(h, all.get()), "GEOSUnaryUnion");
    return geo::to_multipolygon(ctx, united.get());
}

}  // namespace gridatlas::sample

#include <algorithm>
#include <limits>
#include <numeric>

namespace gridatlas::sample {

geo::MultiPolygon union_areas(const std::vector<geo::MultiPolygon>& areas) {
    geo::GeosContext ctx;
    std::vector<GEOSGeometry*> parts;
    for (const auto& a : areas) parts.push_back(geo::to_geos(ctx, a).release());
    auto all = geo::own(ctx, GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(), static_cast<unsigned>(parts.size())),
                        "GEOSGeom_createCollection");
    auto merged = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), all.get()), "GEOSUnaryUnion");
    return geo::to_multipolygon(ctx, merged.get());
}

std::vector<std::vector<std::size_t>> absorb_light_regions(const std::vector<geo::MultiPolygon>& areas,
                                                           const std::vector<double>& weights, double min_weight) {
    const std::size_t n = areas.size();
    std::vector<std::size_t> owner(n);
    std::iota(owner.begin(), owner.end(), 0);
    auto root = [&](std::size_t i) { while (owner[i] != i) i = owner[i]; return i; };
    std::vector<double> weight = weights;
    std::vector<geo::Box> boxes;
    for (const auto& a : areas) boxes.push_back(geo::bg::return_envelope<geo::Box>(a));

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return weights[a] < weights[b]; });
    for (std::size_t i : order) {
        const std::size_t ri = root(i);
        if (weight[ri] >= min_weight || n < 2) continue;
        double best = std::numeric_limits<double>::infinity();
        std::size_t best_j = n;
        for (std::size_t j = 0; j < n; ++j) {
            if (root(j) == ri || geo::bg::distance(boxes[i], boxes[j]) >= best) continue;
            const double d = geo::bg::distance(areas[i], areas[j]);
            if (d < best) { best = d; best_j = j; }
        }
        if (best_j == n) continue;
        const std::size_t rj = root(best_j);
        owner[std::max(ri, rj)] = std::min(ri, rj);
        weight[std::min(ri, rj)] = weight[ri] + weight[rj];
    }
    std::vector<std::vector<std::size_t>> groups(n);
    for (std::size_t i = 0; i < n; ++i) groups[root(i)].push_back(i);
    groups.erase(std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.empty(); }), groups.end());
    return groups;
}

}  // namespace gridatlas::sample
