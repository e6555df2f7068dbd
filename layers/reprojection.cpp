// Reprojection between two CRSs through GDAL/PROJ (OGRCoordinateTransformation, owned here and destroyed with the
// object), in traditional GIS axis order, with the GCJ-02 / BD-09 offsets removed first when the source is one.
#include "reprojection.hpp"

#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <vector>

#include "china_coordinates.hpp"
#include "gdal_session.hpp"

namespace gridatlas::layers {

namespace {

struct TransformDeleter {
    void operator()(OGRCoordinateTransformation* t) const { OGRCoordinateTransformation::DestroyCT(t); }
};

[[noreturn]] void fail(const SourceLocation& where, const std::string& message, const std::string& hint) {
    throw DataError({Severity::error, "bad_crs", where, message, hint});
}

OGRSpatialReference parse_crs(const std::string& crs, const SourceLocation& where) {
    ensure_gdal();
    OGRSpatialReference srs;
    if (crs.empty() || srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE)
        fail(where, "'" + crs + "' is not a CRS PROJ knows", "write it as EPSG:4326 (lon/lat), EPSG:4547, …");
    return srs;
}

template <typename Ring>
bool transform_ring(const Reprojection& r, Ring& ring) {
    std::vector<double> xs, ys;
    xs.reserve(ring.size());
    ys.reserve(ring.size());
    for (const auto& p : ring) xs.push_back(p.x()), ys.push_back(p.y());
    const bool all = r.transform(ring.size(), xs.data(), ys.data());
    for (std::size_t i = 0; i < ring.size(); ++i) ring[i] = geo::Point{xs[i], ys[i]};
    return all;
}

}  // namespace

struct Reprojection::Impl {
    OGRSpatialReference from, to;
    std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> ct;  // null: same CRS
    OffsetCrs offset = OffsetCrs::none;
    bool geographic = false;

    void open(const SourceLocation& where) {
        from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        geographic = from.IsGeographic();
        if (from.IsSame(&to)) return;
        ct.reset(OGRCreateCoordinateTransformation(&from, &to));
        if (!ct)
            fail(where, "cannot transform coordinates from " + crs_label(from) + " to " + crs_label(to) + " (" + last_gdal_error() + ")",
                 "check both CRSs: PROJ has no transformation between them");
    }
    static std::string crs_label(const OGRSpatialReference& s) {
        const char* authority = s.GetAuthorityName(nullptr);
        const char* code = s.GetAuthorityCode(nullptr);
        if (authority && code) return std::string(authority) + ":" + code;
        const char* name = s.GetName();
        return name ? name : "the given CRS";
    }
};

Reprojection::Reprojection(const std::string& from, const std::string& to, const SourceLocation& where)
    : impl_(std::make_unique<Impl>()) {
    impl_->offset = offset_crs_of(from);
    impl_->from = parse_crs(impl_->offset == OffsetCrs::none ? from : "EPSG:4326", where);
    impl_->to = parse_crs(to, where);
    impl_->open(where);
}

Reprojection::Reprojection(const OGRSpatialReference& from, const OGRSpatialReference& to, const SourceLocation& where)
    : impl_(std::make_unique<Impl>()) {
    ensure_gdal();
    impl_->from = from;
    impl_->to = to;
    impl_->open(where);
}

Reprojection::~Reprojection() = default;
Reprojection::Reprojection(Reprojection&&) noexcept = default;
Reprojection& Reprojection::operator=(Reprojection&&) noexcept = default;

bool Reprojection::identity() const { return !impl_->ct && impl_->offset == OffsetCrs::none; }
bool Reprojection::source_is_geographic() const { return impl_->geographic; }

bool Reprojection::transform(std::size_t n, double* xs, double* ys, bool* ok) const {
    std::vector<int> good(n, 1);
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) { good[i] = 0; continue; }
        if (impl_->offset == OffsetCrs::none) continue;
        const LonLat w = offset_to_wgs84(impl_->offset, {xs[i], ys[i]});
        xs[i] = w.lon, ys[i] = w.lat;
    }
    if (impl_->ct && n > 0) {
        std::vector<int> done(n, 0);
        impl_->ct->Transform(static_cast<int>(n), xs, ys, nullptr, done.data());
        for (std::size_t i = 0; i < n; ++i) good[i] = good[i] && done[i];
    }
    bool all = true;
    for (std::size_t i = 0; i < n; ++i) {
        const bool fine = good[i] && std::isfinite(xs[i]) && std::isfinite(ys[i]);
        if (ok) ok[i] = fine;
        all = all && fine;
    }
    return all;
}

std::optional<geo::Point> Reprojection::point(double x, double y) const {
    if (!transform(1, &x, &y)) return std::nullopt;
    return geo::Point{x, y};
}

bool Reprojection::transform(geo::Point& p) const {
    double x = p.x(), y = p.y();
    const bool fine = transform(1, &x, &y);
    p = geo::Point{x, y};
    return fine;
}

bool Reprojection::transform(geo::LineString& line) const { return transform_ring(*this, line); }

bool Reprojection::transform(geo::MultiPolygon& polygons) const {
    bool all = true;
    for (auto& poly : polygons) {
        all = transform_ring(*this, poly.outer()) && all;
        for (auto& inner : poly.inners()) all = transform_ring(*this, inner) && all;
    }
    return all;
}

bool Reprojection::transform(OGRGeometry& g) const {
    if (impl_->offset != OffsetCrs::none) {
        auto* p = dynamic_cast<OGRPoint*>(&g);
        if (!p) return false;
        double x = p->getX(), y = p->getY();
        if (!transform(1, &x, &y)) return false;
        p->setX(x);
        p->setY(y);
        return true;
    }
    return !impl_->ct || g.transform(impl_->ct.get()) == OGRERR_NONE;
}

}  // namespace gridatlas::layers
