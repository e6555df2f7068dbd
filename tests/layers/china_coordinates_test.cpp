// GCJ-02 / BD-09 ↔ WGS 84 against published reference pairs: eviltransform's test points (WGS 84 → GCJ-02, Shanghai,
// Shenzhen, Beijing) and coordtransform's (wandergis) Tiananmen point (116.404, 39.915) for GCJ-02 → BD-09 and
// WGS 84 → GCJ-02. The iterated inverse gets the WGS 84 inputs back; BD-09 → GCJ-02 agrees with coordtransform's
// closed-form (approximate) inverse to within its own error (< 1e-6°).
#include "china_coordinates.hpp"

#include <gtest/gtest.h>

using namespace gridatlas::layers;

namespace {

struct Pair {
    LonLat wgs;
    LonLat gcj;
};

// eviltransform (github.com/googollee/eviltransform) test fixture, (lon, lat).
const Pair published[] = {
    {{121.5272106, 31.1774276}, {121.531541859215, 31.17530398364597}},     // Shanghai
    {{113.912316, 22.543847}, {113.9171764808363, 22.540796131694766}},     // Shenzhen
    {{116.377817, 39.911954}, {116.38404722455657, 39.91334545536069}},     // Beijing
    {{116.404, 39.915}, {116.41024449916938, 39.91640428150164}},           // coordtransform, Tiananmen
};

}  // namespace

TEST(ChinaCoordinates, ForwardGcj02MatchesPublishedPairs) {
    for (const auto& p : published) {
        const LonLat g = wgs84_to_gcj02(p.wgs);
        EXPECT_NEAR(g.lon, p.gcj.lon, 1e-11);
        EXPECT_NEAR(g.lat, p.gcj.lat, 1e-11);
    }
}

TEST(ChinaCoordinates, InverseGcj02ReturnsThePublishedWgs84) {
    for (const auto& p : published) {
        const LonLat w = offset_to_wgs84(OffsetCrs::gcj02, p.gcj);
        EXPECT_NEAR(w.lon, p.wgs.lon, 1e-10);  // 1e-10° ≈ 1 cm at most; the iteration stops at 1e-11° of the forward image
        EXPECT_NEAR(w.lat, p.wgs.lat, 1e-10);
    }
}

TEST(ChinaCoordinates, Bd09MatchesPublishedPair) {
    const LonLat b = gcj02_to_bd09({116.404, 39.915});
    EXPECT_NEAR(b.lon, 116.41036949371029, 1e-11);
    EXPECT_NEAR(b.lat, 39.92133699351021, 1e-11);
    // BD-09 → GCJ-02 (coordtransform's closed-form inverse of (116.404, 39.915): 116.39762729119315, 39.90865673957631)
    const LonLat w = offset_to_wgs84(OffsetCrs::bd09, {116.404, 39.915});
    const LonLat g = wgs84_to_gcj02(w);
    EXPECT_NEAR(g.lon, 116.39762729119315, 1e-6);
    EXPECT_NEAR(g.lat, 39.90865673957631, 1e-6);
    const LonLat back = wgs84_to_offset(OffsetCrs::bd09, w);
    EXPECT_NEAR(back.lon, 116.404, 1e-10);
    EXPECT_NEAR(back.lat, 39.915, 1e-10);
}

TEST(ChinaCoordinates, NoOffsetOutsideChinaAndNames) {
    const LonLat monaco{7.42, 43.73};
    EXPECT_DOUBLE_EQ(wgs84_to_gcj02(monaco).lon, 7.42);
    EXPECT_DOUBLE_EQ(offset_to_wgs84(OffsetCrs::gcj02, monaco).lat, 43.73);
    EXPECT_EQ(offset_crs_of("GCJ-02"), OffsetCrs::gcj02);
    EXPECT_EQ(offset_crs_of("gcj02"), OffsetCrs::gcj02);
    EXPECT_EQ(offset_crs_of("BD-09"), OffsetCrs::bd09);
    EXPECT_EQ(offset_crs_of("EPSG:4326"), OffsetCrs::none);
}
