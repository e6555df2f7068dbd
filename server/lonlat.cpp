// Reprojects the project's buildings, grids and facilities from the working CRS to rounded WGS 84 lon/lat for the
// web map and its API: footprints and grid areas as GeoJSON geometry text, anchors and facilities as points, with
// the bounds of each.
#include "lonlat.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "reprojection.hpp"

namespace gridatlas::server {

void LonLatBounds::add(const LonLatBounds& o) {
    west = std::min(west, o.west);
    south = std::min(south, o.south);
    east = std::max(east, o.east);
    north = std::max(north, o.north);
}

void LonLatBounds::add(LonLat p) { add(LonLatBounds{p.lon, p.lat, p.lon, p.lat}); }

namespace {

double round7(double v) { return std::round(v * 1e7) / 1e7; }

[[noreturn]] void cannot(const Dataset& ds, const std::string& what) {
    throw DataError({Severity::error, "bad_crs", {"", "", what, {}, {}},
                     "cannot reproject " + what + " from the working CRS " + ds.working_crs + " to lon/lat (EPSG:4326)",
                     "check the layer's coordinates and working_crs in [project]"});
}

LonLat to_lonlat_point(const layers::Reprojection& r, const Dataset& ds, const geo::Point& p, const std::string& what) {
    const auto q = r.point(p.x(), p.y());
    if (!q) cannot(ds, what);
    return {round7(q->x()), round7(q->y())};
}

// A ring as a GeoJSON position array, rounded, widening `b`.
nlohmann::json ring_json(const layers::Reprojection& r, const Dataset& ds, const geo::Polygon::ring_type& ring,
                         LonLatBounds& b, const std::string& what) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : ring) {
        const LonLat q = to_lonlat_point(r, ds, p, what);
        b.add(q);
        out.push_back(nlohmann::json::array({q.lon, q.lat}));
    }
    return out;
}

// A GeoJSON MultiPolygon (as text, "null" when empty) of `mp` in lon/lat, widening `b`.
std::string multipolygon_json(const layers::Reprojection& r, const Dataset& ds, const geo::MultiPolygon& mp, LonLatBounds& b,
                              const std::string& what) {
    if (mp.empty()) return "null";
    nlohmann::json polygons = nlohmann::json::array();
    for (const auto& poly : mp) {
        nlohmann::json rings = nlohmann::json::array();
        rings.push_back(ring_json(r, ds, poly.outer(), b, what));
        for (const auto& inner : poly.inners()) rings.push_back(ring_json(r, ds, inner, b, what));
        polygons.push_back(std::move(rings));
    }
    return nlohmann::json{{"type", "MultiPolygon"}, {"coordinates", std::move(polygons)}}.dump();
}

}  // namespace

LonLatGeometry to_lonlat(const Dataset& ds) {
    const layers::Reprojection r(ds.working_crs, "EPSG:4326", {"", "", "[project] working_crs", {}, {}});
    LonLatGeometry out;
    out.building_footprints.assign(ds.buildings.size(), "null");
    out.building_anchors.assign(ds.buildings.size(), {});
    out.building_bounds.assign(ds.buildings.size(), {});
    out.grid_areas.assign(ds.grids.size(), "null");
    out.grid_bounds.assign(ds.grids.size(), {});
    out.facilities.assign(ds.facilities.size(), {});
    for (std::size_t i = 0; i < ds.buildings.size(); ++i) {
        const std::string what = "building " + (ds.buildings[i].source_id.empty() ? std::to_string(i) : ds.buildings[i].source_id);
        out.building_footprints[i] = multipolygon_json(r, ds, ds.buildings[i].footprint, out.building_bounds[i], what);
        out.building_anchors[i] = to_lonlat_point(r, ds, ds.buildings[i].anchor, what + " (its anchor)");
    }
    for (std::size_t i = 0; i < ds.grids.size(); ++i)
        out.grid_areas[i] = multipolygon_json(r, ds, ds.grids[i].area, out.grid_bounds[i], "grid " + ds.grids[i].code);
    for (std::size_t i = 0; i < ds.facilities.size(); ++i)
        out.facilities[i] = to_lonlat_point(r, ds, ds.facilities[i].location, "facility " + (ds.facilities[i].source_id.empty() ? std::to_string(i) : ds.facilities[i].source_id));
    return out;
}

}  // namespace gridatlas::server
