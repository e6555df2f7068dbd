// CRS sanity: coordinates that cannot be in the declared CRS (lon/lat degrees under a metric CRS, points outside the
// CRS's area of use) stop the run with wrong_crs naming the layer and what the values look like; CGCS2000 geographic
// (EPSG:4490) and Gauss-Krüger (EPSG:4527 zone 39, EPSG:4548 CM 117°E) read to the same working coordinates.
// Fixtures are tiny GeoJSON files written by the test; the expected coordinates are computed by hand (see below).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostics.hpp"
#include "vector_reader.hpp"

namespace fs = std::filesystem;
using gridatlas::DataError;
using gridatlas::Diagnostic;
using gridatlas::layers::LayerSource;
using gridatlas::layers::VectorReader;

namespace {

// A point layer (GeoJSON without a crs member) whose CRS the test declares as the project file would.
LayerSource points(const std::string& name, const std::vector<std::pair<double, double>>& xy, const std::string& crs) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas-crs-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream out(dir / (name + ".geojson"));
    out.precision(12);
    out << "{\"type\":\"FeatureCollection\",\"features\":[";
    for (std::size_t i = 0; i < xy.size(); ++i)
        out << (i ? "," : "") << "{\"type\":\"Feature\",\"properties\":{\"id\":\"p" << i
            << "\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[" << xy[i].first << "," << xy[i].second << "]}}";
    out << "]}";
    LayerSource src;
    src.role = "facilities";
    src.file = dir / (name + ".geojson");
    src.crs = crs;
    return src;
}

Diagnostic open_error(const LayerSource& src, const std::string& working) {
    try {
        VectorReader r(src, working);
    } catch (const DataError& e) {
        return e.diagnostic();
    }
    ADD_FAILURE() << src.file << " declared " << src.crs << " was accepted";
    return {};
}

std::vector<gridatlas::geo::Point> read(const LayerSource& src, const std::string& working) {
    VectorReader r(src, working);
    std::vector<gridatlas::geo::Point> out;
    r.for_each([&](gridatlas::layers::FeatureView& f) { out.push_back(f.point); });
    return out;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Monaco in lon/lat.
const std::vector<std::pair<double, double>> monaco = {{7.4197, 43.7325}, {7.4290, 43.7400}};

}  // namespace

TEST(CrsSanity, DegreesDeclaredAsGaussKrugerStop) {
    const auto d = open_error(points("deg4547", monaco, "EPSG:4547"), "EPSG:32632");
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_TRUE(has(d.where.file, "deg4547.geojson")) << d.where.file;
    EXPECT_TRUE(has(d.message, "facilities layer")) << d.message;
    EXPECT_TRUE(has(d.message, "EPSG:4547")) << d.message;
    EXPECT_TRUE(has(d.message, "the coordinates look like lon/lat degrees (EPSG:4326)")) << d.message;
    EXPECT_TRUE(has(d.hint, "crs = \"EPSG:4547\"")) << d.hint;
}

TEST(CrsSanity, DegreesDeclaredAsUtmStop) {
    const auto d = open_error(points("deg32632", monaco, "EPSG:32632"), "EPSG:32632");
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_TRUE(has(d.message, "the coordinates look like lon/lat degrees (EPSG:4326)")) << d.message;
}

TEST(CrsSanity, OutsideTheAreaOfUseStops) {
    // Monaco's lon/lat declared CGCS2000 geographic: degrees, but not in China.
    auto d = open_error(points("monaco4490", monaco, "EPSG:4490"), "EPSG:32632");
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_TRUE(has(d.message, "outside the area where EPSG:4490")) << d.message;
    // UTM zone 50N metres 1,500 km east of the zone's centre: far outside 114°E–120°E.
    d = open_error(points("far32650", {{2000000, 4400000}, {2000100, 4400100}}, "EPSG:32650"), "EPSG:32650");
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_TRUE(has(d.message, "outside the area where EPSG:32650")) << d.message;
}

TEST(CrsSanity, PlausibleLayersAreAccepted) {
    EXPECT_NO_THROW(read(points("ok4326", monaco, "EPSG:4326"), "EPSG:32632"));
    EXPECT_NO_THROW(read(points("ok32632", {{373000, 4843000}}, "EPSG:32632"), "EPSG:32632"));
}

// One point, 117°E 40°N, in three CGCS2000 CRSs. On the central meridian of the 3° zone 39 (117°E) Gauss-Krüger
// (scale 1) gives x = false easting exactly and y = the meridian arc to 40° on the CGCS2000 ellipsoid
// (a = 6378137, 1/f = 298.257222101): 4,429,529.030 m (numerical integration of M(φ) = a(1−e²)/(1−e² sin²φ)^1.5).
TEST(CrsSanity, Cgcs2000GeographicAndGaussKrugerEndToEnd) {
    const double y = 4429529.030;
    const auto from_4490 = read(points("cgcs4490", {{117.0, 40.0}}, "EPSG:4490"), "EPSG:4548");
    const auto from_4527 = read(points("cgcs4527", {{39500000.0, y}}, "EPSG:4527"), "EPSG:4548");
    const auto from_4548 = read(points("cgcs4548", {{500000.0, y}}, "EPSG:4548"), "EPSG:4548");
    ASSERT_EQ(from_4490.size(), 1u);
    ASSERT_EQ(from_4527.size(), 1u);
    ASSERT_EQ(from_4548.size(), 1u);
    EXPECT_NEAR(from_4490[0].x(), 500000.0, 0.01);
    EXPECT_NEAR(from_4490[0].y(), y, 0.01);
    EXPECT_NEAR(from_4527[0].x(), 500000.0, 0.001);
    EXPECT_NEAR(from_4527[0].y(), y, 0.001);
    EXPECT_NEAR(from_4548[0].x(), 500000.0, 0.001);
    // Gauss-Krüger zone 39 declared for CM-117°E coordinates (no zone prefix): outside zone 39's area.
    const auto d = open_error(points("noprefix4527", {{500000.0, y}}, "EPSG:4527"), "EPSG:4548");
    EXPECT_EQ(d.code, "wrong_crs");
}

// A GCJ-02 / BD-09 point layer (an Amap / Baidu export) is converted to WGS 84 point by point: eviltransform's
// Shanghai pair and coordtransform's BD-09 Tiananmen point (see china_coordinates_test.cpp).
TEST(CrsSanity, Gcj02AndBd09PointLayers) {
    const auto gcj = read(points("gcj", {{121.531541859215, 31.17530398364597}}, "GCJ-02"), "EPSG:4326");
    ASSERT_EQ(gcj.size(), 1u);
    EXPECT_NEAR(gcj[0].x(), 121.5272106, 1e-9);
    EXPECT_NEAR(gcj[0].y(), 31.1774276, 1e-9);
    const auto bd = read(points("bd", {{116.41036949371029, 39.92133699351021}}, "BD-09"), "EPSG:4326");
    ASSERT_EQ(bd.size(), 1u);
    EXPECT_NEAR(bd[0].x(), 116.39775550083061, 1e-5);  // GCJ-02 (116.404, 39.915) → WGS 84, coordtransform's
    EXPECT_NEAR(bd[0].y(), 39.91359571849836, 1e-5);    // approximate inverse; ours is exact to 1e-11°
}

TEST(CrsSanity, Gcj02LinesAreRefused) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas-crs-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "lines.geojson") << R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
                                         << R"("geometry":{"type":"LineString","coordinates":[[116.4,39.9],[116.41,39.9]]}}]})";
    LayerSource src;
    src.role = "roads";
    src.file = dir / "lines.geojson";
    src.crs = "GCJ-02";
    const auto d = open_error(src, "EPSG:4548");
    EXPECT_EQ(d.code, "bad_crs");
    EXPECT_TRUE(has(d.message, "point layers only")) << d.message;
}
