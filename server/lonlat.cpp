#include "lonlat.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "vector_writer.hpp"

namespace gridatlas::server {

void LonLatBounds::add(const LonLatBounds& o) {
    west = std::min(west, o.west);
    south = std::min(south, o.south);
    east = std::max(east, o.east);
    north = std::max(north, o.north);
}

void LonLatBounds::add(LonLat p) { add(LonLatBounds{p.lon, p.lat, p.lon, p.lat}); }

namespace {

// A temporary directory removed with everything in it when the guard goes.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "gridatlas-lonlat-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory for reprojection");
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

double round7(double v) { return std::round(v * 1e7) / 1e7; }

// Rounds every coordinate of a GeoJSON geometry in place and widens `b` by it.
void round_coords(nlohmann::json& c, LonLatBounds& b) {
    if (c.is_array() && c.size() >= 2 && c[0].is_number()) {
        const double lon = round7(c[0].get<double>()), lat = round7(c[1].get<double>());
        c = nlohmann::json::array({lon, lat});
        b.add(LonLat{lon, lat});
        return;
    }
    if (c.is_array())
        for (auto& e : c) round_coords(e, b);
}

// Writes `count` features of geometry type `type` via make(i) with an "i" field, reprojected to EPSG:4326, and calls
// take(i, geometry) for each feature read back.
template <typename Make, typename Take>
void roundtrip(const TempDir& dir, const std::string& name, const std::string& crs, layers::LayerGeometry type, std::size_t count,
               Make make, Take take) {
    if (count == 0) return;
    const auto file = dir.path / (name + ".geojson");
    {
        layers::VectorWriter w(file);
        w.begin_layer(name, type, crs, {{"i", layers::FieldType::integer}}, "EPSG:4326");
        for (std::size_t i = 0; i < count; ++i) w.add({static_cast<std::int64_t>(i)}, make(i));
        w.close();
    }
    std::ifstream in(file, std::ios::binary);
    const auto j = nlohmann::json::parse(in);
    for (const auto& f : j.at("features")) {
        const auto i = f.at("properties").at("i").get<std::int64_t>();
        if (i < 0 || static_cast<std::size_t>(i) >= count || !f.contains("geometry") || f["geometry"].is_null()) continue;
        take(static_cast<std::size_t>(i), f["geometry"]);
    }
}

}  // namespace

LonLatGeometry to_lonlat(const Dataset& ds) {
    LonLatGeometry out;
    out.building_footprints.assign(ds.buildings.size(), "null");
    out.building_anchors.assign(ds.buildings.size(), {});
    out.building_bounds.assign(ds.buildings.size(), {});
    out.grid_areas.assign(ds.grids.size(), "null");
    out.grid_bounds.assign(ds.grids.size(), {});
    out.facilities.assign(ds.facilities.size(), {});
    TempDir dir;
    using layers::GeometryValue;
    using layers::LayerGeometry;
    roundtrip(dir, "buildings", ds.working_crs, LayerGeometry::polygon, ds.buildings.size(),
              [&](std::size_t i) { return GeometryValue{ds.buildings[i].footprint}; },
              [&](std::size_t i, nlohmann::json g) {
                  round_coords(g["coordinates"], out.building_bounds[i]);
                  out.building_footprints[i] = g.dump();
              });
    roundtrip(dir, "anchors", ds.working_crs, LayerGeometry::point, ds.buildings.size(),
              [&](std::size_t i) { return GeometryValue{ds.buildings[i].anchor}; },
              [&](std::size_t i, const nlohmann::json& g) {
                  const auto& c = g.at("coordinates");
                  out.building_anchors[i] = {round7(c[0].get<double>()), round7(c[1].get<double>())};
              });
    roundtrip(dir, "grids", ds.working_crs, LayerGeometry::polygon, ds.grids.size(),
              [&](std::size_t i) { return GeometryValue{ds.grids[i].area}; },
              [&](std::size_t i, nlohmann::json g) {
                  round_coords(g["coordinates"], out.grid_bounds[i]);
                  out.grid_areas[i] = g.dump();
              });
    roundtrip(dir, "facilities", ds.working_crs, LayerGeometry::point, ds.facilities.size(),
              [&](std::size_t i) { return GeometryValue{ds.facilities[i].location}; },
              [&](std::size_t i, const nlohmann::json& g) {
                  const auto& c = g.at("coordinates");
                  out.facilities[i] = {round7(c[0].get<double>()), round7(c[1].get<double>())};
              });
    return out;
}

}  // namespace gridatlas::server
