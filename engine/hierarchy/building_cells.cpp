// Cuts heavy road blocks into one Voronoi cell per building (sites along the footprints, clipped to the block) so
// that grid drawing can group buildings finer than blocks.
#include "hierarchy/building_cells.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

#include "geometry/geos.hpp"
#include "hierarchy/cell_index.hpp"

namespace gridatlas::hierarchy {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using geo::GeosContext;
using geo::GeosGeom;
using cells::CellIndex;
using cells::check_predicate;
using cells::check_points;
using cells::intersection_area;
using cells::locate;
using cells::npos;

// Sites along a footprint's outline, at most this far apart: cells then part between buildings, not through them.
constexpr double kOutlineSpacingM = 5.0;
// Pieces smaller than this left by carving footprints out of cells are overlay noise, not cells of their own.
constexpr double kNoiseM2 = 0.01;

GeosGeom collection(GeosContext& ctx, std::vector<GeosGeom> parts) {
    return geo::collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));
}

geo::Point surface_point(GeosContext& ctx, const GEOSGeometry* g) {
    auto p = geo::own(ctx, GEOSPointOnSurface_r(ctx.handle(), g), "GEOSPointOnSurface");
    double x = 0, y = 0;
    ctx.check(GEOSGeomGetX_r(ctx.handle(), p.get(), &x) == 1 && GEOSGeomGetY_r(ctx.handle(), p.get(), &y) == 1,
              "GEOSPointOnSurface coordinates");
    return {x, y};
}

// Indices in reading order: rows of `band` metres north→south, west→east within a row (as grid_drawing orders).
std::vector<std::size_t> reading_order(const std::vector<geo::Point>& anchors, double band) {
    std::vector<std::size_t> order(anchors.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto key = [&](std::size_t i) { return std::tuple(std::floor(-anchors[i].y() / band), anchors[i].x(), -anchors[i].y(), i); };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    return order;
}

// Points along a footprint's outer rings, no farther apart than `spacing` metres (the ring's vertices included).
std::vector<geo::Point> outline_sites(const geo::MultiPolygon& footprint, double spacing) {
    std::vector<geo::Point> out;
    for (const auto& poly : footprint) {
        const auto& ring = poly.outer();
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
            const geo::Point& a = ring[i];
            const geo::Point& b = ring[i + 1];
            const double length = bg::distance(a, b);
            const int steps = std::max(1, static_cast<int>(std::ceil(length / spacing)));
            for (int k = 0; k < steps; ++k) {
                const double t = static_cast<double>(k) / steps;
                out.emplace_back(a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y()));
            }
        }
    }
    return out;
}

// The Voronoi cells of each owner's sites, united per owner and clipped to `block`, then each owner's footprint
// (parallel to owner_sites, may be empty) carved out of the others: one polygon per piece. A site two owners share
// (a party wall's corner) goes to the first. Empty when fewer than two owners have a site.
std::vector<geo::MultiPolygon> voronoi_pieces(GeosContext& ctx, const GEOSGeometry* block,
                                              const std::vector<std::vector<geo::Point>>& owner_sites,
                                              const std::vector<geo::MultiPolygon>& owner_footprints) {
    using SiteEntry = std::pair<geo::Point, std::size_t>;
    std::map<std::pair<double, double>, std::size_t> owner_of;
    for (std::size_t o = 0; o < owner_sites.size(); ++o)
        for (const auto& p : owner_sites[o]) owner_of.emplace(std::pair(p.x(), p.y()), o);
    std::vector<bool> has_site(owner_sites.size(), false);
    for (const auto& [xy, o] : owner_of) has_site[o] = true;
    if (std::count(has_site.begin(), has_site.end(), true) < 2) return {};

    std::vector<GeosGeom> points;
    std::vector<SiteEntry> entries;
    for (const auto& [xy, o] : owner_of) {
        const geo::Point p(xy.first, xy.second);
        points.push_back(geo::to_geos(ctx, p));
        entries.emplace_back(p, o);
    }
    const GeosGeom multipoint = geo::collection(ctx, GEOS_MULTIPOINT, std::move(points));
    const GeosGeom diagram = geo::own(ctx, GEOSVoronoiDiagram_r(ctx.handle(), multipoint.get(), block, 0.0, 0), "GEOSVoronoiDiagram");
    const bgi::rtree<SiteEntry, bgi::quadratic<16>> sites(entries.begin(), entries.end());

    // Each Voronoi cell holds exactly one site: find it, and give the cell to the site's owner.
    std::vector<std::vector<GeosGeom>> cells(owner_sites.size());
    const int n = GEOSGetNumGeometries_r(ctx.handle(), diagram.get());
    ctx.check(n >= 0, "GEOSGetNumGeometries");
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* cell = GEOSGetGeometryN_r(ctx.handle(), diagram.get(), i);
        const geo::MultiPolygon shape = geo::to_multipolygon(ctx, cell);
        if (shape.empty()) continue;
        std::size_t owner = npos;
        for (auto it = sites.qbegin(bgi::intersects(bg::return_envelope<geo::Box>(shape))); it != sites.qend(); ++it)
            if (bg::covered_by(it->first, shape)) {
                owner = it->second;
                break;
            }
        if (owner == npos) {   // rounding: the site nearest the cell's centre
            geo::Point c;
            bg::centroid(shape, c);
            auto it = sites.qbegin(bgi::nearest(c, 1));
            if (it == sites.qend()) continue;
            owner = it->second;
        }
        cells[owner].push_back(geo::own(ctx, GEOSGeom_clone_r(ctx.handle(), cell), "GEOSGeom_clone"));
    }
    // `g` ∩ block; most cells and footprints lie wholly inside, which the prepared block tells cheaply.
    const geo::GeosPrepared prepared_block = geo::prepare(ctx, block);
    auto clip = [&](GeosGeom g) {
        if (check_predicate(ctx, GEOSPreparedContains_r(ctx.handle(), prepared_block.get(), g.get()), "GEOSPreparedContains")) return g;
        return geo::own(ctx, GEOSIntersection_r(ctx.handle(), g.get(), block), "GEOSIntersection");
    };
    std::vector<GeosGeom> owned_area(owner_sites.size());
    std::vector<geo::Box> owned_box(owner_sites.size());
    for (std::size_t o = 0; o < cells.size(); ++o) {
        if (cells[o].empty()) continue;
        // Voronoi cells share their edges exactly: a coverage, which GEOSCoverageUnion merges far faster.
        std::vector<GeosGeom> owned = std::move(cells[o]);
        GeosGeom united;
        if (owned.size() == 1) united = std::move(owned.front());
        else {
            const GeosGeom all = collection(ctx, std::move(owned));
            united = geo::own(ctx, GEOSCoverageUnion_r(ctx.handle(), all.get()), "GEOSCoverageUnion");
        }
        owned_area[o] = clip(std::move(united));
        owned_box[o] = bg::return_envelope<geo::Box>(geo::to_multipolygon(ctx, owned_area[o].get()));
    }

    // Footprints go whole to their owner: each claims its footprint inside the block (an overlap with an earlier
    // owner's claim stays with that one), and every cell gives up what the others claim. The cells still cover the
    // block without overlap, and a building is no longer cut by the boundary between two sites' cells.
    std::vector<GeosGeom> claims(owner_footprints.size());
    std::vector<geo::Box> claim_box(owner_footprints.size());
    std::vector<std::size_t> claimed;
    for (std::size_t o = 0; o < owner_footprints.size(); ++o) {
        if (owner_footprints[o].empty()) continue;
        const geo::Box box = bg::return_envelope<geo::Box>(owner_footprints[o]);
        GeosGeom claim = clip(geo::to_geos(ctx, owner_footprints[o]));
        for (std::size_t p : claimed)
            if (bg::intersects(box, claim_box[p]))
                claim = geo::own(ctx, GEOSDifference_r(ctx.handle(), claim.get(), claims[p].get()), "GEOSDifference");
        claims[o] = std::move(claim);
        claim_box[o] = box;
        claimed.push_back(o);
    }
    std::vector<geo::MultiPolygon> out;
    for (std::size_t o = 0; o < owned_area.size(); ++o) {
        if (!owned_area[o] && !claims[o]) continue;
        GeosGeom cell;
        if (owned_area[o]) {
            cell = std::move(owned_area[o]);
            for (std::size_t p : claimed)
                if (p != o && bg::intersects(owned_box[o], claim_box[p]))
                    cell = geo::own(ctx, GEOSDifference_r(ctx.handle(), cell.get(), claims[p].get()), "GEOSDifference");
            if (claims[o]) cell = geo::own(ctx, GEOSUnion_r(ctx.handle(), cell.get(), claims[o].get()), "GEOSUnion");
        } else {
            cell = std::move(claims[o]);   // every site of it went to an earlier owner: its footprint alone
        }
        for (auto& poly : geo::to_multipolygon(ctx, cell.get()))
            if (bg::area(poly) >= kNoiseM2) out.push_back(geo::MultiPolygon{std::move(poly)});
    }
    return out;
}

}  // namespace

std::vector<DrawnRegion> draw_regions_by_building(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads,
                                                  const std::vector<WeightedPoint>& points, const GroupingOptions& options,
                                                  double split_above, const std::vector<geo::MultiPolygon>& footprints) {
    if (!footprints.empty() && footprints.size() != points.size())
        throw std::invalid_argument("draw_regions_by_building: " + std::to_string(footprints.size()) + " footprints for " +
                                    std::to_string(points.size()) + " points");
    if (!(split_above >= 0)) throw std::invalid_argument("draw_regions_by_building: split_above must be 0 or more");
    if (!(options.min_weight >= 0) || !(options.max_weight >= options.min_weight) || !(options.reading_band > 0))
        throw std::invalid_argument("grouping options: need 0 <= min_weight <= max_weight and reading_band > 0");
    check_points(points, "draw_regions_by_building");
    const auto blocks = road_blocks(area, roads);
    if (blocks.empty()) return {};

    GeosContext ctx;
    std::vector<geo::MultiPolygon> cells;
    {
        const CellIndex block_index(ctx, blocks);
        const auto block_of = locate(ctx, block_index, blocks.size(), points);
        std::vector<double> block_weight(blocks.size(), 0.0);
        std::vector<std::vector<std::size_t>> block_points(blocks.size());
        for (std::size_t p = 0; p < points.size(); ++p) {
            block_weight[block_of[p]] += points[p].weight;
            block_points[block_of[p]].push_back(p);
        }
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            // The block's buildings: those whose point lies in it (a point placed here by nearness owns no site), by
            // their outline when a footprint is given, else by their point; buildings at one location are one owner.
            std::map<std::pair<double, double>, std::size_t> owner_at;
            std::vector<std::vector<geo::Point>> owner_sites;
            std::vector<geo::MultiPolygon> owner_footprints;
            for (std::size_t p : block_points[b]) {
                const GeosGeom pt = geo::to_geos(ctx, points[p].location);
                if (!check_predicate(ctx, GEOSPreparedIntersects_r(ctx.handle(), block_index.prepared[b].get(), pt.get()), "GEOSPreparedIntersects"))
                    continue;
                const auto [it, fresh] = owner_at.emplace(std::pair(points[p].location.x(), points[p].location.y()), owner_sites.size());
                if (!fresh) continue;
                std::vector<geo::Point> sites;
                if (!footprints.empty() && !footprints[p].empty()) sites = outline_sites(footprints[p], kOutlineSpacingM);
                sites.push_back(points[p].location);
                owner_sites.push_back(std::move(sites));
                owner_footprints.push_back(footprints.empty() ? geo::MultiPolygon{} : footprints[p]);
            }
            auto pieces = block_weight[b] > split_above && owner_sites.size() >= 2
                              ? voronoi_pieces(ctx, block_index.geoms[b].get(), owner_sites, owner_footprints)
                              : std::vector<geo::MultiPolygon>{};
            if (pieces.empty()) {
                cells.push_back(blocks[b]);
                continue;
            }
            for (auto& piece : pieces) cells.push_back(std::move(piece));
        }
    }

    const CellIndex cell_index(ctx, cells);
    const auto cell_of = locate(ctx, cell_index, cells.size(), points);
    std::vector<double> weights(cells.size(), 0.0);
    std::vector<std::vector<std::size_t>> cell_points(cells.size());
    for (std::size_t p = 0; p < points.size(); ++p) {
        weights[cell_of[p]] += points[p].weight;
        cell_points[cell_of[p]].push_back(p);
    }
    const auto groups = group_contiguous(cells, weights, options);

    std::vector<DrawnRegion> regions;
    std::vector<geo::Point> anchors;
    for (const auto& group : groups) {
        std::vector<GeosGeom> parts;
        DrawnRegion region;
        for (std::size_t c : group) {
            parts.push_back(geo::own(ctx, GEOSGeom_clone_r(ctx.handle(), cell_index.geoms[c].get()), "GEOSGeom_clone"));
            region.points.insert(region.points.end(), cell_points[c].begin(), cell_points[c].end());
            region.weight += weights[c];
        }
        const GeosGeom all = collection(ctx, std::move(parts));
        const GeosGeom united = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), all.get()), "GEOSUnaryUnion");
        region.area = geo::to_multipolygon(ctx, united.get());
        std::sort(region.points.begin(), region.points.end());
        anchors.push_back(surface_point(ctx, united.get()));
        regions.push_back(std::move(region));
    }
    std::vector<DrawnRegion> ordered;
    ordered.reserve(regions.size());
    for (std::size_t i : reading_order(anchors, options.reading_band)) ordered.push_back(std::move(regions[i]));
    return ordered;
}

}  // namespace gridatlas::hierarchy
