// Web Mercator XYZ arithmetic: projections, tile bounds, the TMS flip, the tiles covering an area, metatile plans.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "tile_math.hpp"

namespace gridatlas::render {
namespace {

TEST(TileMath, MercatorProjectionAndInverse) {
    EXPECT_NEAR(mercator_x(180), kMercatorHalfWorld, 1e-6);
    EXPECT_NEAR(mercator_x(-180), -kMercatorHalfWorld, 1e-6);
    EXPECT_NEAR(mercator_y(0), 0, 1e-9);
    EXPECT_NEAR(mercator_y(kMercatorMaxLatitude), kMercatorHalfWorld, 1e-3);
    EXPECT_NEAR(mercator_y(89.9), kMercatorHalfWorld, 1e-3);   // clamped
    // Monaco, checked against PROJ (EPSG:4326 → EPSG:3857): 7.4246 E, 43.7384 N → 826502.7, 5425047.8
    EXPECT_NEAR(mercator_x(7.4246), 826502.7, 0.5);
    EXPECT_NEAR(mercator_y(43.7384), 5425047.8, 0.5);
    for (double lat : {-80.0, -43.2, 0.0, 12.5, 43.7384, 84.9}) EXPECT_NEAR(mercator_lat(mercator_y(lat)), lat, 1e-9);
    for (double lon : {-179.0, -7.5, 0.0, 116.4}) EXPECT_NEAR(mercator_lon(mercator_x(lon)), lon, 1e-9);
}

TEST(TileMath, TileBoundsAndTmsFlip) {
    const MercatorBox world = tile_bounds({0, 0, 0});
    EXPECT_NEAR(world.minx, -kMercatorHalfWorld, 1e-6);
    EXPECT_NEAR(world.maxy, kMercatorHalfWorld, 1e-6);
    EXPECT_NEAR(world.width(), 2 * kMercatorHalfWorld, 1e-6);
    const MercatorBox nw = tile_bounds({1, 0, 0});   // XYZ: y = 0 is the north
    EXPECT_NEAR(nw.minx, -kMercatorHalfWorld, 1e-6);
    EXPECT_NEAR(nw.miny, 0, 1e-6);
    EXPECT_NEAR(tile_span_m(16), 2 * kMercatorHalfWorld / 65536, 1e-9);
    EXPECT_EQ(tms_row(3, 0), 7);
    EXPECT_EQ(tms_row(3, 7), 0);
    for (int y = 0; y < 16; ++y) EXPECT_EQ(tms_row(4, tms_row(4, y)), y);
    EXPECT_EQ(to_string({15, 17059, 11948}), "15/17059/11948");
    EXPECT_NEAR(scale_denominator_of_zoom(0), 559082264.03, 0.01);
    EXPECT_NEAR(scale_denominator_of_zoom(16), 8530.92, 0.01);
}

TEST(TileMath, TilesCoveringAnArea) {
    // a point-sized area: the one tile around it (Monaco at z15: 15/17059/11948, as osm.org has it)
    const LonLatBox monaco{7.4245, 43.7383, 7.4247, 43.7385};
    const TileRange r = tiles_covering(monaco, 15);
    EXPECT_EQ(r.count(), 1u);
    EXPECT_TRUE(r.contains({15, 17059, 11948}));
    // an area exactly on tile edges takes the tiles inside, not the neighbours that only touch it
    const MercatorBox a = tile_bounds({10, 300, 400}), b = tile_bounds({10, 302, 401});
    const LonLatBox exact = to_lonlat({a.minx, b.miny, b.maxx, a.maxy});
    const TileRange e = tiles_covering({exact.west + 1e-9, exact.south + 1e-9, exact.east - 1e-9, exact.north - 1e-9}, 10);
    EXPECT_EQ(e.x0, 300);
    EXPECT_EQ(e.x1, 302);
    EXPECT_EQ(e.y0, 400);
    EXPECT_EQ(e.y1, 401);
    // the whole world at z2: 16 tiles
    EXPECT_EQ(tiles_covering({-180, -85, 180, 85}, 2).count(), 16u);
    EXPECT_THROW(tiles_covering({10, 40, 9, 41}, 5), std::invalid_argument);   // west > east
    EXPECT_THROW(tiles_covering({10, 40, 11, 41}, 25), std::invalid_argument);
    EXPECT_THROW(tiles_covering({NAN, 40, 11, 41}, 5), std::invalid_argument);
}

TEST(TileMath, HilbertIndexIsABijectionOfNeighbours) {
    for (int order : {1, 2, 3, 5}) {
        const std::uint32_t n = 1u << order;
        std::map<std::uint64_t, std::pair<int, int>> at;
        for (std::uint32_t x = 0; x < n; ++x)
            for (std::uint32_t y = 0; y < n; ++y) at[hilbert_index(order, x, y)] = {int(x), int(y)};
        ASSERT_EQ(at.size(), std::size_t(n) * n);
        EXPECT_EQ(at.begin()->first, 0u);
        EXPECT_EQ(at.rbegin()->first, std::uint64_t(n) * n - 1);
        for (auto it = std::next(at.begin()); it != at.end(); ++it) {
            const auto [x0, y0] = std::prev(it)->second;
            const auto [x1, y1] = it->second;
            EXPECT_EQ(std::abs(x1 - x0) + std::abs(y1 - y0), 1) << "order " << order << " step " << it->first;
        }
    }
    EXPECT_EQ(hilbert_index(0, 0, 0), 0u);
}

TEST(TileMath, MetatilePlanCoversEveryTileOnceAlignedAndOrdered) {
    const LonLatBox area{7.34, 43.71, 7.50, 43.78};
    const int n = 8;
    const auto plan = plan_metatiles(area, 12, 17, n);
    std::set<std::tuple<int, int, int>> seen;
    int last_zoom = 12;
    for (const auto& m : plan) {
        ASSERT_GE(m.z, last_zoom);   // zoom by zoom
        last_zoom = m.z;
        ASSERT_GE(m.cols, 1);
        ASSERT_LE(m.cols, n);
        ASSERT_LE(m.rows, n);
        // all tiles of a metatile lie in one aligned n × n block
        EXPECT_EQ(m.x0 / n, (m.x0 + m.cols - 1) / n);
        EXPECT_EQ(m.y0 / n, (m.y0 + m.rows - 1) / n);
        for (int r = 0; r < m.rows; ++r)
            for (int c = 0; c < m.cols; ++c) EXPECT_TRUE(seen.insert({m.z, m.x0 + c, m.y0 + r}).second);
        const MercatorBox b = m.bounds();
        EXPECT_NEAR(b.width(), m.cols * tile_span_m(m.z), 1e-6);
        EXPECT_NEAR(b.height(), m.rows * tile_span_m(m.z), 1e-6);
    }
    std::uint64_t expected = 0;
    for (int z = 12; z <= 17; ++z) {
        const TileRange r = tiles_covering(area, z);
        expected += r.count();
        for (int x = r.x0; x <= r.x1; ++x)
            for (int y = r.y0; y <= r.y1; ++y) EXPECT_TRUE(seen.count({z, x, y})) << z << "/" << x << "/" << y;
    }
    EXPECT_EQ(seen.size(), expected);

    // within a zoom, consecutive metatiles of a full square block are neighbours (Hilbert order)
    const MercatorBox block{0, 0, 8 * 4 * tile_span_m(10), 8 * 4 * tile_span_m(10)};
    const LonLatBox square = to_lonlat({block.minx + 1, block.miny + 1, block.maxx - 1, block.maxy - 1});
    const auto sq = plan_metatiles(square, 10, 10, 8);
    ASSERT_EQ(sq.size(), 16u);
    for (std::size_t i = 1; i < sq.size(); ++i)
        EXPECT_EQ(std::abs(sq[i].x0 - sq[i - 1].x0) + std::abs(sq[i].y0 - sq[i - 1].y0), 8) << i;

    EXPECT_THROW(plan_metatiles(area, 5, 4, 8), std::invalid_argument);
    EXPECT_THROW(plan_metatiles(area, 5, 6, 0), std::invalid_argument);
    EXPECT_THROW(plan_metatiles(area, 5, 6, 65), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::render
