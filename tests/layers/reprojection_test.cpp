// The in-memory Reprojection: known pairs computed by hand. On a Transverse Mercator central meridian the easting is
// the false easting and the northing is the scale factor times the meridian arc length M(φ), which the test computes
// with the classical series in e² (error well under a millimetre):
//   M = a[(1 − e²/4 − 3e⁴/64 − 5e⁶/256)φ − (3e²/8 + 3e⁴/32 + 45e⁶/1024) sin 2φ + (15e⁴/256 + 45e⁶/1024) sin 4φ
//        − (35e⁶/3072) sin 6φ]
// EPSG:4547 is CGCS2000 / 3-degree Gauss-Krüger CM 114E (k = 1, false easting 500 km); EPSG:32650 / 32750 are
// WGS 84 / UTM 50N / 50S (CM 117°E, k = 0.9996, false northing 10 000 km in the south).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "china_coordinates.hpp"
#include "model/diagnostics.hpp"
#include "reprojection.hpp"

using gridatlas::DataError;
using gridatlas::geo::MultiPolygon;
using gridatlas::geo::Point;
using gridatlas::layers::Reprojection;

namespace {

double meridian_arc(double lat_deg, double a, double inverse_f) {
    const double f = 1 / inverse_f, e2 = f * (2 - f), e4 = e2 * e2, e6 = e4 * e2;
    const double phi = lat_deg * std::numbers::pi / 180;
    return a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * std::sin(2 * phi) +
                (15 * e4 / 256 + 45 * e6 / 1024) * std::sin(4 * phi) - (35 * e6 / 3072) * std::sin(6 * phi));
}
const double cgcs2000_m30 = meridian_arc(30, 6378137, 298.257222101);
const double wgs84_m30 = meridian_arc(30, 6378137, 298.257223563);

}  // namespace

TEST(Reprojection, GaussKrugerCentralMeridianFromLonLat) {
    const Reprojection r("EPSG:4490", "EPSG:4547");  // CGCS2000 lon/lat → its Gauss-Krüger zone, x = lon first
    EXPECT_FALSE(r.identity());
    EXPECT_TRUE(r.source_is_geographic());
    const auto equator = r.point(114, 0);
    ASSERT_TRUE(equator);
    EXPECT_NEAR(equator->x(), 500000, 1e-6);
    EXPECT_NEAR(equator->y(), 0, 1e-6);
    const auto p = r.point(114, 30);
    ASSERT_TRUE(p);
    EXPECT_NEAR(p->x(), 500000, 1e-6);
    EXPECT_NEAR(p->y(), cgcs2000_m30, 0.005);
    EXPECT_NEAR(cgcs2000_m30, 3320113.4, 0.1);  // the series itself against the published arc to 30°
}

TEST(Reprojection, GaussKrugerBackToLonLat) {
    const Reprojection r("EPSG:4547", "EPSG:4326");
    EXPECT_FALSE(r.source_is_geographic());
    const auto p = r.point(500000, cgcs2000_m30);
    ASSERT_TRUE(p);
    EXPECT_NEAR(p->x(), 114, 1e-7);  // CGCS2000 and WGS 84 differ by well under 1e-7° here
    EXPECT_NEAR(p->y(), 30, 1e-7);
}

TEST(Reprojection, UtmNorthAndSouthInBulk) {
    const Reprojection north("EPSG:4326", "EPSG:32650"), south("EPSG:4326", "EPSG:32750");
    double xs[3] = {117, 117, std::numeric_limits<double>::quiet_NaN()}, ys[3] = {0, 30, 30};
    bool ok[3] = {false, false, true};
    EXPECT_FALSE(north.transform(3, xs, ys, ok));  // the NaN point fails, the others still transform
    EXPECT_TRUE(ok[0]);
    EXPECT_TRUE(ok[1]);
    EXPECT_FALSE(ok[2]);
    EXPECT_NEAR(xs[0], 500000, 1e-6);
    EXPECT_NEAR(ys[0], 0, 1e-6);
    EXPECT_NEAR(xs[1], 500000, 1e-6);
    EXPECT_NEAR(ys[1], 0.9996 * wgs84_m30, 0.005);
    const auto s = south.point(117, -30);
    ASSERT_TRUE(s);
    EXPECT_NEAR(s->x(), 500000, 1e-6);
    EXPECT_NEAR(s->y(), 10000000 - 0.9996 * wgs84_m30, 0.005);
}

TEST(Reprojection, GeometryInPlace) {
    const Reprojection r("EPSG:4326", "EPSG:32650");
    MultiPolygon mp;
    mp.resize(1);
    mp[0].outer() = {Point{117, 0}, Point{117, 30}, Point{117.0001, 0}, Point{117, 0}};
    ASSERT_TRUE(r.transform(mp));
    ASSERT_EQ(mp[0].outer().size(), 4U);
    EXPECT_NEAR(mp[0].outer()[1].x(), 500000, 1e-6);
    EXPECT_NEAR(mp[0].outer()[1].y(), 0.9996 * wgs84_m30, 0.005);
    EXPECT_NEAR(mp[0].outer()[3].y(), 0, 1e-6);
    EXPECT_GT(mp[0].outer()[2].x(), 500000);
}

TEST(Reprojection, SameCrsIsIdentity) {
    const Reprojection r("EPSG:4547", "EPSG:4547");
    EXPECT_TRUE(r.identity());
    const auto p = r.point(512345.25, 3456789.5);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->x(), 512345.25);
    EXPECT_EQ(p->y(), 3456789.5);
}

TEST(Reprojection, RemovesTheGcj02Offset) {
    // A GCJ-02 point made by the forward formula reads back to the WGS 84 point it came from.
    const gridatlas::layers::LonLat wgs{116.397, 39.908};
    const auto gcj = gridatlas::layers::wgs84_to_gcj02(wgs);
    ASSERT_GT(std::abs(gcj.lon - wgs.lon), 1e-4);  // the offset is real (hundreds of metres)
    const Reprojection r("GCJ-02", "EPSG:4326");
    EXPECT_FALSE(r.identity());
    EXPECT_TRUE(r.source_is_geographic());
    const auto p = r.point(gcj.lon, gcj.lat);
    ASSERT_TRUE(p);
    EXPECT_NEAR(p->x(), wgs.lon, 1e-9);
    EXPECT_NEAR(p->y(), wgs.lat, 1e-9);
}

TEST(Reprojection, UnknownCrsNamesIt) {
    try {
        Reprojection r("EPSG:999999", "EPSG:4326", {"roads.gpkg", "roads", "", {}, {}});
        FAIL() << "an unknown CRS was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "bad_crs");
        EXPECT_NE(e.diagnostic().message.find("EPSG:999999"), std::string::npos) << e.diagnostic().message;
        EXPECT_EQ(e.diagnostic().where.file, "roads.gpkg");
    }
}
