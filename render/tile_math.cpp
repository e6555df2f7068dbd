// Web Mercator XYZ tile arithmetic (tile_math.hpp): lon/lat <-> Mercator metres, tile bounds and coverage, metatile
// plans along a Hilbert curve, the MBTiles TMS row flip. Plain C++.
#include "tile_math.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace gridatlas::render {

namespace {

constexpr double kEarthRadius = 6378137.0;

void check_zoom(int z) {
    if (z < 0 || z > kMaxTileZoom)
        throw std::invalid_argument("zoom " + std::to_string(z) + " is outside 0.." + std::to_string(kMaxTileZoom));
}

}  // namespace

bool LonLatBox::valid() const {
    return std::isfinite(west) && std::isfinite(south) && std::isfinite(east) && std::isfinite(north) && west < east &&
           south < north && west >= -180 && east <= 180 && south >= -90 && north <= 90;
}

double mercator_x(double lon) { return kEarthRadius * lon * std::numbers::pi / 180.0; }

double mercator_y(double lat) {
    const double l = std::clamp(lat, -kMercatorMaxLatitude, kMercatorMaxLatitude) * std::numbers::pi / 180.0;
    return kEarthRadius * std::log(std::tan(std::numbers::pi / 4 + l / 2));
}

double mercator_lon(double x) { return x / kEarthRadius * 180.0 / std::numbers::pi; }

double mercator_lat(double y) { return (2 * std::atan(std::exp(y / kEarthRadius)) - std::numbers::pi / 2) * 180.0 / std::numbers::pi; }

MercatorBox to_mercator(const LonLatBox& b) {
    return {mercator_x(b.west), mercator_y(b.south), mercator_x(b.east), mercator_y(b.north)};
}

LonLatBox to_lonlat(const MercatorBox& b) {
    return {mercator_lon(b.minx), mercator_lat(b.miny), mercator_lon(b.maxx), mercator_lat(b.maxy)};
}

double tile_span_m(int z) { return 2 * kMercatorHalfWorld / std::ldexp(1.0, z); }

MercatorBox tile_bounds(const TileId& t) {
    const double span = tile_span_m(t.z);
    const double minx = -kMercatorHalfWorld + t.x * span;
    const double maxy = kMercatorHalfWorld - t.y * span;
    return {minx, maxy - span, minx + span, maxy};
}

int tms_row(int z, int y) { return (1 << z) - 1 - y; }

std::string to_string(const TileId& t) {
    return std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y);
}

TileRange tiles_covering(const LonLatBox& area, int z) {
    check_zoom(z);
    if (!area.valid())
        throw std::invalid_argument("invalid area: west " + std::to_string(area.west) + ", south " +
                                    std::to_string(area.south) + ", east " + std::to_string(area.east) + ", north " +
                                    std::to_string(area.north) + " (need west < east, south < north, in degrees)");
    const MercatorBox m = to_mercator(area);
    const double span = tile_span_m(z);
    const int last = (1 << z) - 1;
    // a tile [k·span, (k+1)·span) overlaps (a, b) when k·span < b and (k+1)·span > a
    auto first_index = [&](double a) { return std::clamp(static_cast<int>(std::floor(a / span)), 0, last); };
    auto last_index = [&](double b) { return std::clamp(static_cast<int>(std::ceil(b / span)) - 1, 0, last); };
    TileRange r;
    r.z = z;
    r.x0 = first_index(m.minx + kMercatorHalfWorld);
    r.x1 = last_index(m.maxx + kMercatorHalfWorld);
    r.y0 = first_index(kMercatorHalfWorld - m.maxy);
    r.y1 = last_index(kMercatorHalfWorld - m.miny);
    return r;
}

MercatorBox Metatile::bounds() const {
    const MercatorBox a = tile_bounds({z, x0, y0});
    const MercatorBox b = tile_bounds({z, x0 + cols - 1, y0 + rows - 1});
    return {a.minx, b.miny, b.maxx, a.maxy};
}

std::uint64_t hilbert_index(int order, std::uint32_t x, std::uint32_t y) {
    // the classic xy2d: from the largest quadrant down, rotating the frame as the curve does
    if (order <= 0) return 0;
    const std::uint64_t n = std::uint64_t{1} << order;
    std::uint64_t px = x, py = y, d = 0;
    for (std::uint64_t s = n / 2; s > 0; s /= 2) {
        const std::uint64_t rx = (px & s) ? 1 : 0;
        const std::uint64_t ry = (py & s) ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                px = n - 1 - px;
                py = n - 1 - py;
            }
            std::swap(px, py);
        }
    }
    return d;
}

std::vector<Metatile> plan_metatiles(const LonLatBox& area, int min_zoom, int max_zoom, int n) {
    check_zoom(min_zoom);
    check_zoom(max_zoom);
    if (min_zoom > max_zoom)
        throw std::invalid_argument("min zoom " + std::to_string(min_zoom) + " is above max zoom " + std::to_string(max_zoom));
    if (n < 1 || n > 64) throw std::invalid_argument("metatile size must be in 1..64, got " + std::to_string(n));
    std::vector<Metatile> out;
    for (int z = min_zoom; z <= max_zoom; ++z) {
        const TileRange r = tiles_covering(area, z);
        if (r.empty()) continue;
        const int mx0 = r.x0 / n, mx1 = r.x1 / n, my0 = r.y0 / n, my1 = r.y1 / n;
        // Hilbert order over the (small) grid of metatiles of this range
        const int side = std::max(mx1 - mx0, my1 - my0) + 1;
        int order = 0;
        while ((1 << order) < side) ++order;
        std::vector<std::pair<std::uint64_t, Metatile>> level;
        for (int my = my0; my <= my1; ++my)
            for (int mx = mx0; mx <= mx1; ++mx) {
                Metatile m;
                m.z = z;
                m.x0 = std::max(mx * n, r.x0);
                m.y0 = std::max(my * n, r.y0);
                m.cols = std::min(mx * n + n - 1, r.x1) - m.x0 + 1;
                m.rows = std::min(my * n + n - 1, r.y1) - m.y0 + 1;
                level.push_back({hilbert_index(order, static_cast<std::uint32_t>(mx - mx0),
                                               static_cast<std::uint32_t>(my - my0)),
                                 m});
            }
        std::sort(level.begin(), level.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [key, m] : level) out.push_back(m);
    }
    return out;
}

double scale_denominator_of_zoom(int z) {
    return 2 * kMercatorHalfWorld / 256.0 / 0.00028 / std::ldexp(1.0, z);
}

}  // namespace gridatlas::render
