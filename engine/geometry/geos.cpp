// The GEOS C `_r` API behind RAII (see geos.hpp): contexts, owned geometries and collections, conversions to and
// from the engine's Boost.Geometry types, and GeometryError messages that name the record and a coordinate.
#include "geometry/geos.hpp"

#include <cstdarg>
#include <cstdio>

namespace gridatlas::geo {

void GeometryError::set_id(std::string kind, std::string id) {
    if (!kind_.empty() || !id_.empty()) return;
    kind_ = std::move(kind);
    id_ = std::move(id);
    compose();
}

void GeometryError::set_coordinate(const Point& p) {
    if (has_coordinate_) return;
    coordinate_ = p;
    has_coordinate_ = true;
    compose();
}

void GeometryError::compose() {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << message_ << " (";
    if (!kind_.empty() || !id_.empty()) out << kind_ << " '" << id_ << "'" << (has_coordinate_ ? " near " : "");
    if (has_coordinate_) out << coordinate_.x() << " " << coordinate_.y();
    out << ")";
    full_ = out.str();
}

GeosContext::GeosContext() : handle_(GEOS_init_r()) {
    if (!handle_) throw GeometryError("GEOS_init_r failed");
    GEOSContext_setErrorMessageHandler_r(handle_, &GeosContext::on_message, this);
}

GeosContext::~GeosContext() { GEOS_finish_r(handle_); }

void GeosContext::on_message(const char* message, void* userdata) {
    // Never throw through C: record only.
    static_cast<GeosContext*>(userdata)->error_ = message ? message : "unknown GEOS error";
}

std::string GeosContext::take_error() {
    std::string e;
    e.swap(error_);
    return e;
}

void GeosContext::check(bool ok, const char* what) {
    if (!ok) throw GeometryError(std::string(what) + ": " + take_error());
}

GeosGeom own(GeosContext& ctx, GEOSGeometry* g, const char* what) {
    ctx.check(g != nullptr, what);
    return GeosGeom(g, GeosDeleter{ctx.handle()});
}

GeosGeom collection(GeosContext& ctx, int type, std::vector<GeosGeom> parts) {
    std::vector<GEOSGeometry*> raw;
    raw.reserve(parts.size());
    for (auto& p : parts) raw.push_back(p.release());
    return own(ctx, GEOSGeom_createCollection_r(ctx.handle(), type, raw.data(), static_cast<unsigned>(raw.size())),
               "GEOSGeom_createCollection");
}

GeosPrepared prepare(GeosContext& ctx, const GEOSGeometry* g) {
    const GEOSPreparedGeometry* p = GEOSPrepare_r(ctx.handle(), g);
    ctx.check(p != nullptr, "GEOSPrepare");
    return GeosPrepared(p, PreparedDeleter{ctx.handle()});
}

namespace {

template <typename Range>
GEOSCoordSequence* make_sequence(GeosContext& ctx, const Range& points) {
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx.handle(), static_cast<unsigned>(points.size()), 2);
    ctx.check(seq != nullptr, "GEOSCoordSeq_create");
    unsigned i = 0;
    for (const auto& p : points) GEOSCoordSeq_setXY_r(ctx.handle(), seq, i++, p.x(), p.y());
    return seq;
}

template <typename Ring>
GeosGeom make_ring(GeosContext& ctx, const Ring& ring) {
    std::vector<Point> pts(ring.begin(), ring.end());
    if (!pts.empty() && !bg::equals(pts.front(), pts.back())) pts.push_back(pts.front());
    while (pts.size() < 4 && !pts.empty()) pts.push_back(pts.front());  // degenerate: GEOS needs 4 points
    return own(ctx, GEOSGeom_createLinearRing_r(ctx.handle(), make_sequence(ctx, pts)), "GEOSGeom_createLinearRing");
}

// Shell and holes stay owned until GEOS takes them (it takes them even when it fails).
GeosGeom make_polygon(GeosContext& ctx, const Polygon& p) {
    if (p.outer().empty()) return own(ctx, GEOSGeom_createEmptyPolygon_r(ctx.handle()), "GEOSGeom_createEmptyPolygon");
    GeosGeom shell = make_ring(ctx, p.outer());
    std::vector<GeosGeom> holes;
    for (const auto& h : p.inners())
        if (!h.empty()) holes.push_back(make_ring(ctx, h));
    std::vector<GEOSGeometry*> raw;
    raw.reserve(holes.size());
    for (auto& h : holes) raw.push_back(h.release());
    return own(ctx, GEOSGeom_createPolygon_r(ctx.handle(), shell.release(), raw.data(), static_cast<unsigned>(raw.size())),
               "GEOSGeom_createPolygon");
}

template <typename Ring>
void read_ring(GeosContext& ctx, const GEOSGeometry* ring, Ring& out) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(ctx.handle(), seq, &n);
    out.clear();
    out.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(ctx.handle(), seq, i, &x, &y);
        out.emplace_back(x, y);
    }
}

void collect_polygons(GeosContext& ctx, const GEOSGeometry* g, MultiPolygon& out) {
    const int type = GEOSGeomTypeId_r(ctx.handle(), g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx.handle(), g)) return;
        Polygon p;
        read_ring(ctx, GEOSGetExteriorRing_r(ctx.handle(), g), p.outer());
        const int nholes = GEOSGetNumInteriorRings_r(ctx.handle(), g);
        for (int i = 0; i < nholes; ++i) {
            p.inners().emplace_back();
            read_ring(ctx, GEOSGetInteriorRingN_r(ctx.handle(), g, i), p.inners().back());
        }
        out.push_back(std::move(p));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
        for (int i = 0; i < n; ++i) collect_polygons(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
    }
}

void collect_lines(GeosContext& ctx, const GEOSGeometry* g, std::vector<LineString>& out) {
    const int type = GEOSGeomTypeId_r(ctx.handle(), g);
    if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        LineString l;
        read_ring(ctx, g, l);
        if (l.size() >= 2) out.push_back(std::move(l));
    } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
        for (int i = 0; i < n; ++i) collect_lines(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
    }
}

}  // namespace

GeosGeom to_geos(GeosContext& ctx, const Point& p) {
    return own(ctx, GEOSGeom_createPointFromXY_r(ctx.handle(), p.x(), p.y()), "GEOSGeom_createPointFromXY");
}

GeosGeom to_geos(GeosContext& ctx, const LineString& l) {
    return own(ctx, GEOSGeom_createLineString_r(ctx.handle(), make_sequence(ctx, l)), "GEOSGeom_createLineString");
}

GeosGeom to_geos(GeosContext& ctx, const Polygon& p) { return make_polygon(ctx, p); }

GeosGeom to_geos(GeosContext& ctx, const MultiPolygon& mp) {
    std::vector<GeosGeom> parts;
    parts.reserve(mp.size());
    for (const auto& p : mp) parts.push_back(make_polygon(ctx, p));
    return collection(ctx, GEOS_MULTIPOLYGON, std::move(parts));
}

MultiPolygon to_multipolygon(GeosContext& ctx, const GEOSGeometry* g) {
    MultiPolygon out;
    collect_polygons(ctx, g, out);
    bg::correct(out);
    return out;
}

std::vector<LineString> to_linestrings(GeosContext& ctx, const GEOSGeometry* g) {
    std::vector<LineString> out;
    collect_lines(ctx, g, out);
    return out;
}

bool make_valid(GeosContext& ctx, MultiPolygon& mp) {
    auto g = to_geos(ctx, mp);
    const char valid = GEOSisValid_r(ctx.handle(), g.get());
    ctx.check(valid != 2, "GEOSisValid");
    if (valid == 1) return false;
    auto fixed = own(ctx, GEOSMakeValid_r(ctx.handle(), g.get()), "GEOSMakeValid");
    mp = to_multipolygon(ctx, fixed.get());
    return true;
}

std::string invalid_reason(GeosContext& ctx, const MultiPolygon& mp) {
    auto g = to_geos(ctx, mp);
    char* reason = nullptr;
    GEOSGeometry* location = nullptr;
    const char valid = GEOSisValidDetail_r(ctx.handle(), g.get(), 0, &reason, &location);
    const GeosGeom owned_location(location, GeosDeleter{ctx.handle()});   // freed on every path
    struct FreeReason {
        GEOSContextHandle_t h;
        char* r;
        ~FreeReason() { if (r) GEOSFree_r(h, r); }
    } free_reason{ctx.handle(), reason};
    std::string out;
    if (valid == 0) {
        out = reason ? reason : "invalid";
        if (location) {
            double x = 0, y = 0;
            GEOSGeomGetX_r(ctx.handle(), location, &x);
            GEOSGeomGetY_r(ctx.handle(), location, &y);
            char buf[96];
            std::snprintf(buf, sizeof buf, " at (%.2f, %.2f)", x, y);
            out += buf;
        }
    }
    return out;
}

Point point_on_surface(GeosContext& ctx, const MultiPolygon& mp) {
    auto g = to_geos(ctx, mp);
    auto p = own(ctx, GEOSPointOnSurface_r(ctx.handle(), g.get()), "GEOSPointOnSurface");
    double x = 0, y = 0;
    if (GEOSisEmpty_r(ctx.handle(), p.get())) {
        Point c;
        bg::centroid(mp, c);
        return c;
    }
    GEOSGeomGetX_r(ctx.handle(), p.get(), &x);
    GEOSGeomGetY_r(ctx.handle(), p.get(), &y);
    return {x, y};
}

}  // namespace gridatlas::geo
