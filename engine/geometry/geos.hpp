// RAII over the GEOS C `_r` API: one GeosContext per thread, move-only GeosGeom handles bound to it, and
// conversions between GEOS geometries and the engine's Boost.Geometry types.
// GEOS reports errors through a C callback; we only record the message there and throw after the call returns.
#pragma once
#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif
#include <geos_c.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "geometry/types.hpp"

namespace gridatlas::geo {

// A GEOS failure. Code that knows which record it was working on adds it on the way up (libosmium's set_id):
//   catch (geo::GeometryError& e) { e.set_id("building", b.source_id); e.set_coordinate(b.anchor); throw; }
// and what() then reads "GEOSIntersection: <GEOS message> (building 'B12' near 500123.4 3300456.7)".
class GeometryError : public std::runtime_error {
public:
    explicit GeometryError(const std::string& message) : std::runtime_error(message), message_(message) {}
    // The first id set is kept: the innermost record is the one that failed.
    void set_id(std::string kind, std::string id);
    void set_coordinate(const Point& p);
    const std::string& id_kind() const { return kind_; }
    const std::string& id() const { return id_; }
    bool has_coordinate() const { return has_coordinate_; }
    const Point& coordinate() const { return coordinate_; }
    const char* what() const noexcept override { return full_.empty() ? message_.c_str() : full_.c_str(); }

private:
    void compose();
    std::string message_, kind_, id_, full_;
    Point coordinate_{0, 0};
    bool has_coordinate_ = false;
};

class GeosContext {
public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    GEOSContextHandle_t handle() const { return handle_; }
    // The last message GEOS reported, cleared by take_error().
    std::string take_error();
    // Throws GeometryError("<what>: <GEOS message>") when ok is false.
    void check(bool ok, const char* what);

private:
    static void on_message(const char* message, void* userdata);
    GEOSContextHandle_t handle_;
    std::string error_;
};

struct GeosDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const { if (g) GEOSGeom_destroy_r(ctx, g); }
};
using GeosGeom = std::unique_ptr<GEOSGeometry, GeosDeleter>;

struct PreparedDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const { if (g) GEOSPreparedGeom_destroy_r(ctx, g); }
};
using GeosPrepared = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

// A collection of `type` (GEOS_MULTIPOINT, GEOS_MULTIPOLYGON, GEOS_GEOMETRYCOLLECTION, …) owning `parts`: the parts
// stay owned until GEOS takes them (GEOS takes them even when it fails), so nothing leaks on any path.
GeosGeom collection(GeosContext& ctx, int type, std::vector<GeosGeom> parts);

// Takes ownership of a raw result; throws GeometryError with GEOS's message when it is null.
GeosGeom own(GeosContext& ctx, GEOSGeometry* g, const char* what);
GeosPrepared prepare(GeosContext& ctx, const GEOSGeometry* g);

GeosGeom to_geos(GeosContext& ctx, const Point& p);
GeosGeom to_geos(GeosContext& ctx, const LineString& l);
GeosGeom to_geos(GeosContext& ctx, const Polygon& p);
GeosGeom to_geos(GeosContext& ctx, const MultiPolygon& mp);

// The polygons of any geometry (collections are walked, other parts ignored), oriented and closed for Boost.
MultiPolygon to_multipolygon(GeosContext& ctx, const GEOSGeometry* g);
// The lines of any geometry (collections walked).
std::vector<LineString> to_linestrings(GeosContext& ctx, const GEOSGeometry* g);

// Makes a polygonal geometry valid (GEOSMakeValid, keeping only its polygonal part). Returns true if it changed.
bool make_valid(GeosContext& ctx, MultiPolygon& mp);
// GEOS's reason why a polygon is invalid, with the location; empty if valid.
std::string invalid_reason(GeosContext& ctx, const MultiPolygon& mp);
// A point inside the polygon (GEOSPointOnSurface).
Point point_on_surface(GeosContext& ctx, const MultiPolygon& mp);

}  // namespace gridatlas::geo
