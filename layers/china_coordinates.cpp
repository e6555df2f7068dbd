// GCJ-02 / BD-09 ↔ WGS 84: the published forward formulas (GCJ-02: Krasovsky-ellipsoid polynomial-and-sine offset,
// no offset outside 72.004–137.8347°E, 0.8293–55.8271°N; BD-09: Baidu's rotation and shift of GCJ-02) and the inverse
// by iterating the forward transform, which reproduces it to ~1e-6 m. Used by the point reader and the roster.
#include "china_coordinates.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace gridatlas::layers {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double krasovsky_a = 6378245.0;
constexpr double krasovsky_ee = 0.00669342162296594323;
constexpr double baidu_x_pi = pi * 3000.0 / 180.0;

bool outside_china(LonLat p) { return p.lon < 72.004 || p.lon > 137.8347 || p.lat < 0.8293 || p.lat > 55.8271; }

double offset_lat(double x, double y) {
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(y * pi) + 40.0 * std::sin(y / 3.0 * pi)) * 2.0 / 3.0;
    r += (160.0 * std::sin(y / 12.0 * pi) + 320.0 * std::sin(y * pi / 30.0)) * 2.0 / 3.0;
    return r;
}

double offset_lon(double x, double y) {
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(x * pi) + 40.0 * std::sin(x / 3.0 * pi)) * 2.0 / 3.0;
    r += (150.0 * std::sin(x / 12.0 * pi) + 300.0 * std::sin(x / 30.0 * pi)) * 2.0 / 3.0;
    return r;
}

}  // namespace

OffsetCrs offset_crs_of(const std::string& crs) {
    std::string u;
    for (char c : crs)
        if (c != '-' && c != '_' && c != ' ') u += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (u == "gcj02") return OffsetCrs::gcj02;
    if (u == "bd09") return OffsetCrs::bd09;
    return OffsetCrs::none;
}

LonLat wgs84_to_gcj02(LonLat wgs) {
    if (outside_china(wgs)) return wgs;
    double dlat = offset_lat(wgs.lon - 105.0, wgs.lat - 35.0);
    double dlon = offset_lon(wgs.lon - 105.0, wgs.lat - 35.0);
    const double rad_lat = wgs.lat / 180.0 * pi;
    const double magic = 1 - krasovsky_ee * std::sin(rad_lat) * std::sin(rad_lat);
    const double sqrt_magic = std::sqrt(magic);
    dlat = dlat * 180.0 / ((krasovsky_a * (1 - krasovsky_ee)) / (magic * sqrt_magic) * pi);
    dlon = dlon * 180.0 / (krasovsky_a / sqrt_magic * std::cos(rad_lat) * pi);
    return {wgs.lon + dlon, wgs.lat + dlat};
}

LonLat gcj02_to_bd09(LonLat gcj) {
    const double x = gcj.lon, y = gcj.lat;
    const double z = std::sqrt(x * x + y * y) + 0.00002 * std::sin(y * baidu_x_pi);
    const double theta = std::atan2(y, x) + 0.000003 * std::cos(x * baidu_x_pi);
    return {z * std::cos(theta) + 0.0065, z * std::sin(theta) + 0.006};
}

LonLat wgs84_to_offset(OffsetCrs crs, LonLat wgs) {
    switch (crs) {
        case OffsetCrs::gcj02: return wgs84_to_gcj02(wgs);
        case OffsetCrs::bd09: return gcj02_to_bd09(wgs84_to_gcj02(wgs));
        case OffsetCrs::none: break;
    }
    return wgs;
}

LonLat offset_to_wgs84(OffsetCrs crs, LonLat p) {
    if (crs == OffsetCrs::none) return p;
    LonLat w = p;
    for (int i = 0; i < 30; ++i) {
        const LonLat f = wgs84_to_offset(crs, w);
        const double dx = p.lon - f.lon, dy = p.lat - f.lat;
        if (std::abs(dx) < 1e-11 && std::abs(dy) < 1e-11) break;
        w.lon += dx;
        w.lat += dy;
    }
    return w;
}

}  // namespace gridatlas::layers
