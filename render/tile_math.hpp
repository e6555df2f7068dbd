// Web Mercator (EPSG:3857) XYZ tile arithmetic: lon/lat ↔ Mercator metres, tile bounds, the tiles covering an area,
// metatile plans ordered along a Hilbert curve, the TMS row flip of MBTiles. Plain C++: no Mapnik, no GDAL.
//
// Conventions: XYZ ("slippy map") tiles, x from the west (−180°), y from the north (+85.0511°), zoom z has 2^z × 2^z
// tiles. MBTiles stores rows in TMS order (y from the south): tms_row().
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gridatlas::render {

inline constexpr double kMercatorHalfWorld = 20037508.342789244;   // π × 6378137 m
inline constexpr double kMercatorMaxLatitude = 85.05112877980659;  // atan(sinh(π)) in degrees
inline constexpr int kMaxTileZoom = 24;

struct LonLatBox {
    double west = 0, south = 0, east = 0, north = 0;
    bool valid() const;   // finite, west < east, south < north, inside ±180 / ±90
};

struct MercatorBox {
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    double width() const { return maxx - minx; }
    double height() const { return maxy - miny; }
    bool empty() const { return !(minx <= maxx && miny <= maxy); }
    bool intersects(const MercatorBox& o) const {
        return minx <= o.maxx && o.minx <= maxx && miny <= o.maxy && o.miny <= maxy;
    }
    MercatorBox padded(double d) const { return {minx - d, miny - d, maxx + d, maxy + d}; }
};

double mercator_x(double lon);
double mercator_y(double lat);   // latitude clamped to ±kMercatorMaxLatitude
double mercator_lon(double x);
double mercator_lat(double y);
MercatorBox to_mercator(const LonLatBox& box);
LonLatBox to_lonlat(const MercatorBox& box);

struct TileId {
    int z = 0, x = 0, y = 0;
    auto operator<=>(const TileId&) const = default;
};

double tile_span_m(int z);              // width (= height) of one tile at zoom z, Mercator metres
MercatorBox tile_bounds(const TileId& t);
int tms_row(int z, int y);              // XYZ row ↔ TMS row (the flip is its own inverse)
std::string to_string(const TileId& t); // "z/x/y"

// An inclusive rectangle of tiles at one zoom; empty when x1 < x0.
struct TileRange {
    int z = 0, x0 = 0, y0 = 0, x1 = -1, y1 = -1;
    bool empty() const { return x1 < x0 || y1 < y0; }
    std::uint64_t count() const {
        return empty() ? 0 : std::uint64_t(x1 - x0 + 1) * std::uint64_t(y1 - y0 + 1);
    }
    bool contains(const TileId& t) const { return t.z == z && t.x >= x0 && t.x <= x1 && t.y >= y0 && t.y <= y1; }
};

// The tiles at zoom z whose area overlaps `area` (a tile that only touches the area's edge is not included).
// Throws std::invalid_argument for an invalid box or a zoom outside 0..kMaxTileZoom.
TileRange tiles_covering(const LonLatBox& area, int z);

// A block of up to n × n tiles rendered by one Mapnik render. Metatiles are aligned to multiples of n in the tile
// grid, so a tile belongs to the same metatile whatever area is asked for, and are clipped to the requested range.
struct Metatile {
    int z = 0;
    int x0 = 0, y0 = 0;      // the first (north-west) tile
    int cols = 0, rows = 0;  // tiles [x0, x0 + cols) × [y0, y0 + rows)
    std::uint64_t tile_count() const { return std::uint64_t(cols) * std::uint64_t(rows); }
    MercatorBox bounds() const;
    TileId tile(int col, int row) const { return {z, x0 + col, y0 + row}; }
    auto operator<=>(const Metatile&) const = default;
};

// Every metatile of size n covering `area` at zooms min_zoom..max_zoom: zoom by zoom, and within a zoom along a
// Hilbert curve over the metatile grid (neighbours in the list are neighbours on the map). Throws
// std::invalid_argument for bad zooms, n outside 1..64 or an invalid area.
std::vector<Metatile> plan_metatiles(const LonLatBox& area, int min_zoom, int max_zoom, int n);

// The distance of (x, y) along the Hilbert curve filling a 2^order × 2^order grid (x, y < 2^order, order ≤ 31).
std::uint64_t hilbert_index(int order, std::uint32_t x, std::uint32_t y);

// The Web Mercator scale denominator Mapnik uses for zoom z at 256 px tiles (0.28 mm pixels): 559082264 / 2^z.
double scale_denominator_of_zoom(int z);

}  // namespace gridatlas::render
