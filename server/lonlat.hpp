// The project's geometry in WGS 84 longitude/latitude for the web map, reprojected in memory once at start-up from
// the working CRS by the layers module's Reprojection (GDAL/PROJ). Coordinates are rounded to 1e-7° (about 1 cm).
#pragma once
#include <array>
#include <string>
#include <vector>

#include "model/dataset.hpp"

namespace gridatlas::server {

struct LonLat {
    double lon = 0, lat = 0;
};

struct LonLatBounds {
    double west = 180, south = 90, east = -180, north = -90;
    bool empty() const { return west > east; }
    void add(const LonLatBounds& o);
    void add(LonLat p);
};

struct LonLatGeometry {
    std::vector<std::string> building_footprints;  // per building index: a GeoJSON geometry object, as text
    std::vector<LonLat> building_anchors;          // per building index
    std::vector<LonLatBounds> building_bounds;     // per building index
    std::vector<std::string> grid_areas;           // per grid index: a GeoJSON geometry object, as text
    std::vector<LonLatBounds> grid_bounds;         // per grid index
    std::vector<LonLat> facilities;                // per facility index
};

// Throws DataError when the working CRS cannot be transformed to lon/lat, or a geometry's vertex cannot (naming the
// building, grid or facility).
LonLatGeometry to_lonlat(const Dataset& ds);

}  // namespace gridatlas::server
