#include "crs.hpp"

#include <ogr_spatialref.h>

#include <cmath>

#include "gdal_session.hpp"

namespace gridatlas::layers {

std::string utm_crs_for(double lon, double lat) {
    int zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
    zone = std::min(std::max(zone, 1), 60);
    return "EPSG:" + std::to_string((lat >= 0 ? 32600 : 32700) + zone);
}

bool crs_is_known(const std::string& crs) {
    ensure_gdal();
    OGRSpatialReference srs;
    return srs.SetFromUserInput(crs.c_str()) == OGRERR_NONE;
}

bool crs_is_metric(const std::string& crs) {
    ensure_gdal();
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE || !srs.IsProjected()) return false;
    return std::abs(srs.GetLinearUnits() - 1.0) < 1e-9;
}

}  // namespace gridatlas::layers
