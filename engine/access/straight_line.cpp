// Nearest facility by straight line with a packed Boost.Geometry R-tree per kind; circles by one GEOS buffer of the
// kind's facilities as a multipoint (which unions the circles).
#include "access/straight_line.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <utility>

#include <boost/geometry/index/rtree.hpp>

#include "geometry/geos.hpp"

namespace gridatlas::access {

namespace bgi = boost::geometry::index;

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
// Facilities this much farther than the nearest still count as equally near; the lowest index wins among them.
constexpr double tie_m = 1e-9;

double distance(const geo::Point& a, const geo::Point& b) {
    const double dx = b.x() - a.x();
    const double dy = b.y() - a.y();
    return std::sqrt(dx * dx + dy * dy);
}

using Value = std::pair<geo::Point, std::uint32_t>;   // facility location, facility index
using FacilityTree = bgi::rtree<Value, bgi::quadratic<16>>;

struct Nearest {
    double distance = infinity;
    std::uint32_t facility = FacilityId::invalid_value;
};

// The nearest facility to `p` (a non-empty tree); within the tie margin, the lowest index.
Nearest nearest_to(const FacilityTree& tree, const geo::Point& p, std::vector<Value>& found) {
    found.clear();
    tree.query(bgi::nearest(p, 1), std::back_inserter(found));
    const double reach = distance(p, found.front().first) + tie_m;
    found.clear();
    tree.query(bgi::intersects(geo::Box({p.x() - reach, p.y() - reach}, {p.x() + reach, p.y() + reach})),
               std::back_inserter(found));
    Nearest here;
    for (const Value& v : found) here.distance = std::min(here.distance, distance(p, v.first));
    for (const Value& v : found)
        if (distance(p, v.first) <= here.distance + tie_m) here.facility = std::min(here.facility, v.second);
    return here;
}

// The nearest facility to any of `from`; between points within the tie margin, the lowest facility index.
Nearest nearest_to_any(const FacilityTree& tree, const std::vector<geo::Point>& from, std::vector<Value>& found) {
    Nearest best;
    for (const geo::Point& p : from) {
        if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;
        const Nearest here = nearest_to(tree, p, found);
        if (here.distance < best.distance - tie_m ||
            (here.distance <= best.distance + tie_m && here.facility < best.facility)) {
            best.distance = std::min(best.distance, here.distance);
            best.facility = here.facility;
        }
    }
    return best;
}

StraightLineCoverage uncovered(std::size_t n, const ServiceKind& kind, double speed_m_per_s) {
    StraightLineCoverage out;
    out.kind = kind.key;
    out.threshold_minutes = kind.minutes;
    out.radius_m = kind.minutes * 60.0 * speed_m_per_s;
    out.distance_m.assign(n, infinity);
    out.minutes.assign(n, infinity);
    out.nearest.assign(n, FacilityId{});
    out.covered.assign(n, false);
    return out;
}

}  // namespace

StraightLineCoverage straight_line_coverage(const Dataset& ds, const ServiceKind& kind, double speed_m_per_s) {
    if (!(speed_m_per_s > 0) || !std::isfinite(speed_m_per_s))
        throw std::invalid_argument("walking speed must be a positive number of metres per second");
    const std::size_t n = ds.buildings.size();
    StraightLineCoverage out = uncovered(n, kind, speed_m_per_s);
    std::vector<Value> points;
    for (std::size_t f = 0; f < ds.facilities.size(); ++f) {
        const geo::Point& p = ds.facilities[f].location;
        if (ds.facilities[f].kind == kind.key && std::isfinite(p.x()) && std::isfinite(p.y()))
            points.emplace_back(p, static_cast<std::uint32_t>(f));
    }
    if (points.empty()) return out;
    const FacilityTree tree(points);

    // A building with entrances is measured from each of them, as compute_access walks from them.
    std::vector<std::vector<geo::Point>> entrances_of(n);
    for (const Entrance& e : ds.entrances)
        if (e.building.valid() && e.building.index() < n) entrances_of[e.building.index()].push_back(e.location);

    std::vector<Value> found;
    for (std::size_t b = 0; b < n; ++b) {
        const Building& building = ds.buildings[b];
        if (!building.residential) continue;
        const std::vector<geo::Point> anchor_only{building.anchor};
        const Nearest best = nearest_to_any(tree, entrances_of[b].empty() ? anchor_only : entrances_of[b], found);
        if (best.distance == infinity) continue;
        out.distance_m[b] = best.distance;
        out.minutes[b] = best.distance / speed_m_per_s / 60.0;
        out.nearest[b] = FacilityId{best.facility};
        out.covered[b] = out.minutes[b] <= kind.minutes;
    }
    return out;
}

std::vector<StraightLineCoverage> straight_line_coverage(const Dataset& ds, double speed_m_per_s) {
    std::vector<StraightLineCoverage> out;
    out.reserve(ds.service_kinds.size());
    for (const ServiceKind& kind : ds.service_kinds) out.push_back(straight_line_coverage(ds, kind, speed_m_per_s));
    return out;
}

geo::MultiPolygon straight_line_circles(const Dataset& ds, const std::string& kind, double radius_m,
                                        int quadrant_segments) {
    if (!(radius_m > 0) || !std::isfinite(radius_m))
        throw std::invalid_argument("circle radius must be a positive number of metres");
    if (quadrant_segments < 1) throw std::invalid_argument("quadrant_segments must be at least 1");
    geo::GeosContext ctx;
    std::vector<geo::GeosGeom> owned;
    for (const Facility& f : ds.facilities)
        if (f.kind == kind && std::isfinite(f.location.x()) && std::isfinite(f.location.y()))
            owned.push_back(geo::to_geos(ctx, f.location));
    if (owned.empty()) return {};
    const geo::GeosGeom points = geo::collection(ctx, GEOS_MULTIPOINT, std::move(owned));
    const geo::GeosGeom circles =
        geo::own(ctx, GEOSBuffer_r(ctx.handle(), points.get(), radius_m, quadrant_segments), "GEOSBuffer");
    return geo::to_multipolygon(ctx, circles.get());
}

CoverageComparison compare_coverage(const StraightLineCoverage& circle, const KindAccess& network,
                                    const std::vector<std::size_t>& households_per_building) {
    if (circle.kind != network.kind || circle.covered.size() != network.minutes.size() ||
        network.reach.size() != network.minutes.size())
        throw std::invalid_argument("straight-line and network coverage are for different kinds or buildings");
    CoverageComparison out;
    out.kind = circle.kind;
    out.threshold_minutes = network.threshold_minutes;
    for (std::size_t b = 0; b < circle.covered.size(); ++b) {
        if (network.reach[b] == Reach::not_residential) continue;
        const std::size_t h = b < households_per_building.size() ? households_per_building[b] : 0;
        const bool by_circle = circle.covered[b];
        const bool by_network = network.reach[b] == Reach::reached && network.minutes[b] <= network.threshold_minutes;
        out.households += h;
        if (by_circle) out.households_circle += h;
        if (by_network) out.households_network += h;
        if (by_circle && !by_network) {
            out.households_circle_only += h;
            out.circle_only.push_back(BuildingId{b});
        }
        if (by_network && !by_circle) out.households_network_only += h;
    }
    return out;
}

}  // namespace gridatlas::access
