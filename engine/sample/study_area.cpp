#include "sample/study_area.hpp"

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
