// Choosing, checking and naming coordinate reference systems (UTM zone of a place, metric check, coordinates that
// cannot be in a declared CRS, which CRS an extent of unknown meaning fits).
#include "crs.hpp"

#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <vector>
#include <memory>
#include <sstream>

#include "gdal_session.hpp"
#include "reprojection.hpp"

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

namespace {

std::string name_of(const OGRSpatialReference& srs) {
    const char* authority = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    const char* name = srs.GetName();
    std::string out = authority && code ? std::string(authority) + ":" + code : std::string();
    if (name) out += out.empty() ? std::string(name) : " (" + std::string(name) + ")";
    return out.empty() ? "the declared CRS" : out;
}

std::string extent_text(double minx, double miny, double maxx, double maxy) {
    std::ostringstream out;
    out.precision(10);
    out << "(" << minx << ", " << miny << ") – (" << maxx << ", " << maxy << ")";
    return out.str();
}

// The extent's corners and edge midpoints in lon/lat; false when PROJ cannot transform them.
bool extent_to_lonlat(const OGRSpatialReference& srs, double minx, double miny, double maxx, double maxy, double out[4]) {
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    std::optional<Reprojection> t;
    try {
        t.emplace(srs, wgs84);
    } catch (const DataError&) {
        return false;
    }
    const double mx = (minx + maxx) / 2, my = (miny + maxy) / 2;
    double xs[8] = {minx, maxx, minx, maxx, mx, mx, minx, maxx}, ys[8] = {miny, miny, maxy, maxy, miny, maxy, my, my};
    if (!t->transform(8, xs, ys)) return false;
    out[0] = out[1] = 1e9;
    out[2] = out[3] = -1e9;
    for (int i = 0; i < 8; ++i) {
        out[0] = std::min(out[0], xs[i]), out[1] = std::min(out[1], ys[i]);
        out[2] = std::max(out[2], xs[i]), out[3] = std::max(out[3], ys[i]);
    }
    return true;
}

}  // namespace

std::optional<std::string> implausible_coordinates(const OGRSpatialReference& srs, double minx, double miny, double maxx,
                                                   double maxy) {
    const std::string name = name_of(srs);
    if (srs.IsProjected() && minx >= -180 && maxx <= 180 && miny >= -90 && maxy <= 90)
        return "its coordinates " + extent_text(minx, miny, maxx, maxy) + " cannot be in " + name +
               " (metres): the coordinates look like lon/lat degrees (EPSG:4326)";
    double west = 0, south = 0, east = 0, north = 0;
    const char* area = nullptr;
    if (!srs.GetAreaOfUse(&west, &south, &east, &north, &area) || west < -1000) return std::nullopt;  // none known
    double box[4];
    if (!extent_to_lonlat(srs, minx, miny, maxx, maxy, box))
        return "its coordinates " + extent_text(minx, miny, maxx, maxy) + " cannot be transformed from " + name +
               " to lon/lat: they are not in that CRS";
    const double margin = 2.0;  // degrees: data a little beyond a zone's edge is common and still accurate
    const bool across_antimeridian = west > east;
    const bool inside_lon = across_antimeridian ? (box[0] >= west - margin || box[2] <= east + margin)
                                                : (box[0] >= west - margin && box[2] <= east + margin);
    if (inside_lon && box[1] >= south - margin && box[3] <= north + margin) return std::nullopt;
    std::string hint;
    if (srs.IsProjected() && std::abs(box[0]) <= 180 && std::abs(box[3]) <= 90)
        hint = "; in " + name + " they would lie at lon/lat " + extent_text(box[0], box[1], box[2], box[3]);
    return "its coordinates " + extent_text(minx, miny, maxx, maxy) + " lie outside the area where " + name + " is used (" +
           (area ? std::string(area) + ", " : std::string()) + "lon " + std::to_string(west) + "…" + std::to_string(east) +
           ", lat " + std::to_string(south) + "…" + std::to_string(north) + ")" + hint;
}

std::string crs_name(const OGRSpatialReference& srs) { return name_of(srs); }

namespace {

std::vector<int> candidate_epsg_codes(double lon, double lat) {
    std::vector<int> codes = {4326};
    if (const std::string utm = utm_crs_for(lon, lat); utm.rfind("EPSG:", 0) == 0) codes.push_back(std::stoi(utm.substr(5)));
    if (lon >= 73.5 && lon <= 136.5 && lat >= 15 && lat <= 55) {  // China: CGCS2000 Gauss-Krüger zones
        const int cm3 = std::clamp(static_cast<int>(std::lround(lon / 3.0)) * 3, 75, 135);
        const int cm6 = std::clamp(static_cast<int>(std::floor(lon / 6.0)) * 6 + 3, 75, 135);
        codes.push_back(4534 + (cm3 - 75) / 3);   // 3-degree, CM in the name, false easting 500 km
        codes.push_back(4513 + (cm3 - 75) / 3);   // 3-degree, zone number before the easting
        codes.push_back(4502 + (cm6 - 75) / 6);   // 6-degree, CM
        codes.push_back(4491 + (cm6 - 75) / 6);   // 6-degree, zone number
    }
    codes.push_back(3857);
    return codes;
}

}  // namespace

std::optional<std::string> crs_fitting(double minx, double miny, double maxx, double maxy, double near_minx, double near_miny,
                                       double near_maxx, double near_maxy, double margin_deg) {
    ensure_gdal();
    // Of the candidates that put the extent over `near`, the one whose centre lands nearest its centre.
    std::optional<std::string> best;
    double best_distance = 1e300;
    const double cx = (near_minx + near_maxx) / 2, cy = (near_miny + near_maxy) / 2;
    for (const int code : candidate_epsg_codes(cx, cy)) {
        OGRSpatialReference srs;
        if (srs.importFromEPSG(code) != OGRERR_NONE) continue;
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (code == 4326 && (minx < -180 || maxx > 180 || miny < -90 || maxy > 90)) continue;
        if (srs.IsProjected() && minx >= -180 && maxx <= 180 && miny >= -90 && maxy <= 90) continue;
        double box[4];
        if (!extent_to_lonlat(srs, minx, miny, maxx, maxy, box)) continue;
        if (lonlat_boxes_apart(box[0], box[1], box[2], box[3], near_minx, near_miny, near_maxx, near_maxy, margin_deg)) continue;
        const double distance = std::hypot((box[0] + box[2]) / 2 - cx, (box[1] + box[3]) / 2 - cy);
        if (distance < best_distance) best_distance = distance, best = name_of(srs);
    }
    return best;
}

bool lonlat_boxes_apart(double aminx, double aminy, double amaxx, double amaxy, double bminx, double bminy, double bmaxx,
                        double bmaxy, double margin_deg) {
    return aminx > bmaxx + margin_deg || bminx > amaxx + margin_deg || aminy > bmaxy + margin_deg || bminy > amaxy + margin_deg;
}

}  // namespace gridatlas::layers
