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

using SiteEntry = std::pair<geo::Point, std::size_t>;   // site, owner
using SiteOwners = std::map<std::pair<double, double>, std::size_t>;

// Each distinct site with its owner; a site two owners share (a party wall's corner) goes to the first.
SiteOwners site_owners(const std::vector<std::vector<geo::Point>>& owner_sites) {
    SiteOwners owner_of;
    for (std::size_t o = 0; o < owner_sites.size(); ++o)
        for (const auto& p : owner_sites[o]) owner_of.emplace(std::pair(p.x(), p.y()), o);
    return owner_of;
}

// The owner of one Voronoi cell: the site it holds, or (rounding) the site nearest the cell's centre; npos for none.
std::size_t cell_owner(const bgi::rtree<SiteEntry, bgi::quadratic<16>>& sites, const geo::MultiPolygon& shape) {
    for (auto it = sites.qbegin(bgi::intersects(bg::return_envelope<geo::Box>(shape))); it != sites.qend(); ++it)
        if (bg::covered_by(it->first, shape)) return it->second;
    geo::Point c;
    bg::centroid(shape, c);
    auto it = sites.qbegin(bgi::nearest(c, 1));
    return it == sites.qend() ? npos : it->second;
}

// The Voronoi cells of the sites within `block`, each given to its site's owner.
std::vector<std::vector<GeosGeom>> cells_by_owner(GeosContext& ctx, const GEOSGeometry* block, const SiteOwners& owner_of,
                                                  std::size_t owner_count) {
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

    std::vector<std::vector<GeosGeom>> cells(owner_count);
    const int n = GEOSGetNumGeometries_r(ctx.handle(), diagram.get());
    ctx.check(n >= 0, "GEOSGetNumGeometries");
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* cell = GEOSGetGeometryN_r(ctx.handle(), diagram.get(), i);
        const geo::MultiPolygon shape = geo::to_multipolygon(ctx, cell);
        if (shape.empty()) continue;
        const std::size_t owner = cell_owner(sites, shape);
        if (owner == npos) continue;
        cells[owner].push_back(geo::own(ctx, GEOSGeom_clone_r(ctx.handle(), cell), "GEOSGeom_clone"));
    }
    return cells;
}

// `g` ∩ block; most cells and footprints lie wholly inside, which the prepared block tells cheaply.
class BlockClip {
public:
    BlockClip(GeosContext& ctx, const GEOSGeometry* block) : ctx_(ctx), block_(block), prepared_(geo::prepare(ctx, block)) {}
    GeosGeom operator()(GeosGeom g) const {
        if (check_predicate(ctx_, GEOSPreparedContains_r(ctx_.handle(), prepared_.get(), g.get()), "GEOSPreparedContains")) return g;
        return geo::own(ctx_, GEOSIntersection_r(ctx_.handle(), g.get(), block_), "GEOSIntersection");
    }

private:
    GeosContext& ctx_;
    const GEOSGeometry* block_;
    geo::GeosPrepared prepared_;
};

// Shapes per owner (null where it has none), each with its envelope.
struct OwnedShapes {
    std::vector<GeosGeom> shape;
    std::vector<geo::Box> box;
};

// Each owner's cells united and clipped to the block.
OwnedShapes owner_areas(GeosContext& ctx, std::vector<std::vector<GeosGeom>> cells, const BlockClip& clip) {
    OwnedShapes out{std::vector<GeosGeom>(cells.size()), std::vector<geo::Box>(cells.size())};
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
        out.shape[o] = clip(std::move(united));
        out.box[o] = bg::return_envelope<geo::Box>(geo::to_multipolygon(ctx, out.shape[o].get()));
    }
    return out;
}

// Each owner's footprint inside the block, less what earlier owners claimed (an overlap stays with the earlier one).
// `claimed` lists the owners with a claim, in order.
OwnedShapes footprint_claims(GeosContext& ctx, const std::vector<geo::MultiPolygon>& owner_footprints,
                             const BlockClip& clip, std::vector<std::size_t>& claimed) {
    OwnedShapes out{std::vector<GeosGeom>(owner_footprints.size()), std::vector<geo::Box>(owner_footprints.size())};
    for (std::size_t o = 0; o < owner_footprints.size(); ++o) {
        if (owner_footprints[o].empty()) continue;
        const geo::Box box = bg::return_envelope<geo::Box>(owner_footprints[o]);
        GeosGeom claim = clip(geo::to_geos(ctx, owner_footprints[o]));
        for (std::size_t p : claimed)
            if (bg::intersects(box, out.box[p]))
                claim = geo::own(ctx, GEOSDifference_r(ctx.handle(), claim.get(), out.shape[p].get()), "GEOSDifference");
        out.shape[o] = std::move(claim);
        out.box[o] = box;
        claimed.push_back(o);
    }
    return out;
}

// The Voronoi cells of each owner's sites, united per owner and clipped to `block`, then each owner's footprint
// (parallel to owner_sites, may be empty) carved out of the others: one polygon per piece. A site two owners share
// (a party wall's corner) goes to the first. Empty when fewer than two owners have a site.
std::vector<geo::MultiPolygon> voronoi_pieces(GeosContext& ctx, const GEOSGeometry* block,
                                              const std::vector<std::vector<geo::Point>>& owner_sites,
                                              const std::vector<geo::MultiPolygon>& owner_footprints) {
    const SiteOwners owner_of = site_owners(owner_sites);
    std::vector<bool> has_site(owner_sites.size(), false);
    for (const auto& [xy, o] : owner_of) has_site[o] = true;
    if (std::count(has_site.begin(), has_site.end(), true) < 2) return {};

    const BlockClip clip(ctx, block);
    OwnedShapes areas = owner_areas(ctx, cells_by_owner(ctx, block, owner_of, owner_sites.size()), clip);
    // Footprints go whole to their owner: each claims its footprint inside the block, and every cell gives up what
    // the others claim. The cells still cover the block without overlap, and a building is no longer cut by the
    // boundary between two sites' cells.
    std::vector<std::size_t> claimed;
    OwnedShapes claims = footprint_claims(ctx, owner_footprints, clip, claimed);
    std::vector<geo::MultiPolygon> out;
    for (std::size_t o = 0; o < areas.shape.size(); ++o) {
        if (!areas.shape[o] && !claims.shape[o]) continue;
        GeosGeom cell;
        if (areas.shape[o]) {
            cell = std::move(areas.shape[o]);
            for (std::size_t p : claimed)
                if (p != o && bg::intersects(areas.box[o], claims.box[p]))
                    cell = geo::own(ctx, GEOSDifference_r(ctx.handle(), cell.get(), claims.shape[p].get()), "GEOSDifference");
            if (claims.shape[o]) cell = geo::own(ctx, GEOSUnion_r(ctx.handle(), cell.get(), claims.shape[o].get()), "GEOSUnion");
        } else {
            cell = std::move(claims.shape[o]);   // every site of it went to an earlier owner: its footprint alone
        }
        for (auto& poly : geo::to_multipolygon(ctx, cell.get()))
            if (bg::area(poly) >= kNoiseM2) out.push_back(geo::MultiPolygon{std::move(poly)});
    }
    return out;
}

// The points of each cell (located as cells::locate does) and their total weight.
struct PointsByCell {
    std::vector<double> weight;
    std::vector<std::vector<std::size_t>> points;
};

PointsByCell points_by_cell(GeosContext& ctx, const CellIndex& index, std::size_t cell_count,
                            const std::vector<WeightedPoint>& points) {
    const auto cell_of = locate(ctx, index, cell_count, points);
    PointsByCell out{std::vector<double>(cell_count, 0.0), std::vector<std::vector<std::size_t>>(cell_count)};
    for (std::size_t p = 0; p < points.size(); ++p) {
        out.weight[cell_of[p]] += points[p].weight;
        out.points[cell_of[p]].push_back(p);
    }
    return out;
}

// The buildings of one block: those whose point lies in it (a point placed here by nearness owns no site), by their
// outline when a footprint is given, else by their point; buildings at one location are one owner.
struct BlockOwners {
    std::vector<std::vector<geo::Point>> sites;
    std::vector<geo::MultiPolygon> footprints;
};

BlockOwners block_owners(GeosContext& ctx, const GEOSPreparedGeometry* block, const std::vector<std::size_t>& in_block,
                         const std::vector<WeightedPoint>& points, const std::vector<geo::MultiPolygon>& footprints) {
    BlockOwners owners;
    std::map<std::pair<double, double>, std::size_t> owner_at;
    for (std::size_t p : in_block) {
        const GeosGeom pt = geo::to_geos(ctx, points[p].location);
        if (!check_predicate(ctx, GEOSPreparedIntersects_r(ctx.handle(), block, pt.get()), "GEOSPreparedIntersects"))
            continue;
        const auto [it, fresh] = owner_at.emplace(std::pair(points[p].location.x(), points[p].location.y()), owners.sites.size());
        if (!fresh) continue;
        std::vector<geo::Point> sites;
        if (!footprints.empty() && !footprints[p].empty()) sites = outline_sites(footprints[p], kOutlineSpacingM);
        sites.push_back(points[p].location);
        owners.sites.push_back(std::move(sites));
        owners.footprints.push_back(footprints.empty() ? geo::MultiPolygon{} : footprints[p]);
    }
    return owners;
}

// The cells grid drawing groups: each block whole, or cut into building cells when it weighs more than split_above.
std::vector<geo::MultiPolygon> building_cells(GeosContext& ctx, const std::vector<geo::MultiPolygon>& blocks,
                                              const std::vector<WeightedPoint>& points, double split_above,
                                              const std::vector<geo::MultiPolygon>& footprints) {
    std::vector<geo::MultiPolygon> cells;
    const CellIndex block_index(ctx, blocks);
    const PointsByCell in_block = points_by_cell(ctx, block_index, blocks.size(), points);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const BlockOwners owners = block_owners(ctx, block_index.prepared[b].get(), in_block.points[b], points, footprints);
        auto pieces = in_block.weight[b] > split_above && owners.sites.size() >= 2
                          ? voronoi_pieces(ctx, block_index.geoms[b].get(), owners.sites, owners.footprints)
                          : std::vector<geo::MultiPolygon>{};
        if (pieces.empty()) {
            cells.push_back(blocks[b]);
            continue;
        }
        for (auto& piece : pieces) cells.push_back(std::move(piece));
    }
    return cells;
}

// One region per group of cells (their union, points and weight), in reading order.
std::vector<DrawnRegion> regions_of_groups(GeosContext& ctx, const CellIndex& cell_index,
                                           const std::vector<std::vector<std::size_t>>& groups,
                                           const std::vector<std::vector<std::size_t>>& cell_points,
                                           const std::vector<double>& weights, double reading_band) {
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
    for (std::size_t i : reading_order(anchors, reading_band)) ordered.push_back(std::move(regions[i]));
    return ordered;
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
    const std::vector<geo::MultiPolygon> cells = building_cells(ctx, blocks, points, split_above, footprints);
    const CellIndex cell_index(ctx, cells);
    const PointsByCell in_cell = points_by_cell(ctx, cell_index, cells.size(), points);
    const auto groups = group_contiguous(cells, in_cell.weight, options);
    return regions_of_groups(ctx, cell_index, groups, in_cell.points, in_cell.weight, options.reading_band);
}

}  // namespace gridatlas::hierarchy
