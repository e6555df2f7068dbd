// The one way GridAtlas reprojects coordinates in memory: an RAII wrapper of GDAL's OGRCoordinateTransformation
// between two CRSs, always in traditional GIS axis order (x = easting/longitude, y = northing/latitude), that also
// undoes the GCJ-02 / BD-09 offsets of Chinese web maps (layers/china_coordinates) when they are the source.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "geometry/types.hpp"
#include "model/diagnostics.hpp"

class OGRSpatialReference;
class OGRGeometry;

namespace gridatlas::layers {

class Reprojection {
public:
    // `from`, `to`: anything OSR's SetFromUserInput takes ("EPSG:4547", WKT, PROJ strings); `from` may also be
    // "GCJ-02" or "BD-09" (points only: the offset is removed, then WGS 84 → `to`). Throws DataError (code bad_crs,
    // at `where`) naming the CRS that PROJ does not know or the pair it cannot transform between.
    Reprojection(const std::string& from, const std::string& to, const SourceLocation& where = {});
    // From spatial references already parsed (their axis mapping is replaced by traditional GIS order in a copy).
    Reprojection(const OGRSpatialReference& from, const OGRSpatialReference& to, const SourceLocation& where = {});
    ~Reprojection();
    Reprojection(Reprojection&&) noexcept;
    Reprojection& operator=(Reprojection&&) noexcept;
    Reprojection(const Reprojection&) = delete;
    Reprojection& operator=(const Reprojection&) = delete;

    // True when both CRSs are the same and no offset is removed: every transform leaves coordinates as they are.
    bool identity() const;
    // True when the source CRS is geographic (degrees), including GCJ-02 / BD-09.
    bool source_is_geographic() const;

    // Transforms `n` points in place. `ok` (may be null) receives, per point, whether it transformed to finite
    // values. Returns true when every point did.
    bool transform(std::size_t n, double* xs, double* ys, bool* ok = nullptr) const;
    // One point; nothing when it cannot be transformed (non-finite input or output, outside the CRS).
    std::optional<geo::Point> point(double x, double y) const;
    // Engine geometry in place; false (geometry partly transformed) when a vertex cannot be transformed.
    bool transform(geo::Point& p) const;
    bool transform(geo::LineString& line) const;
    bool transform(geo::MultiPolygon& polygons) const;
    // An OGR geometry in place (for the GDAL reader and writer); false when any vertex fails, or when the source is
    // an offset CRS and the geometry is not a point.
    bool transform(OGRGeometry& g) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridatlas::layers
