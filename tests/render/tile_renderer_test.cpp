// Map tiles with Mapnik on small hand-made worlds: the scene (projection, R-tree), metatiles cut into tiles, empty and
// one-colour tiles, @2x, a label that sits on a metatile edge drawn identically from both sides, style errors.
// Tiles are decoded again (render::read_png_rgba) and checked pixel by pixel.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "map_setup.hpp"
#include "tile_math.hpp"
#include "tile_renderer.hpp"

namespace gridatlas::render {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kLe5 = 0x1a9850ff;   // styles/tiles.xml: building band le5

struct ScratchCleanup : ::testing::Environment {
    void TearDown() override;
};

fs::path temp_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("gridatlas-tile-renderer-test-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

void ScratchCleanup::TearDown() {
    if (std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT") == nullptr) fs::remove_all(temp_dir());
}
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

RgbaImage decode(const std::string& png) {
    static int n = 0;
    const fs::path p = temp_dir() / ("tile" + std::to_string(n++) + ".png");
    std::ofstream(p, std::ios::binary).write(png.data(), static_cast<std::streamsize>(png.size()));
    return read_png_rgba(p);
}

int channel_distance(std::uint32_t a, std::uint32_t b) {
    int d = 0;
    for (int k = 0; k < 32; k += 8) d = std::max(d, std::abs(int((a >> k) & 255) - int((b >> k) & 255)));
    return d;
}

geo::MultiPolygon rect(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};   // clockwise, closed
    return geo::MultiPolygon{p};
}

Grid grid(std::size_t i, int level, const char* code, const char* name, geo::MultiPolygon area) {
    Grid g;
    g.id = GridId(i);
    g.level = level;
    g.code = code;
    g.name = name;
    g.area = std::move(area);
    return g;
}

Building building(std::uint32_t i, double x, double y, bool residential) {
    Building b;
    b.id = BuildingId(i);
    b.source_id = "b" + std::to_string(i);
    b.footprint = rect(x, y, x + 60, y + 30);
    b.anchor = {x + 30, y + 15};
    b.residential = residential;
    return b;
}

// A community of two grids in Web Mercator metres (so pixels can be computed exactly), centred on a z17 tile corner.
struct TinyWorld {
    Dataset ds;
    TileId corner_tile{17, 68236, 47792};   // Monaco; its north-west corner is at (cx, cy)
    double cx = 0, cy = 0;
    TinyWorld() {
        const MercatorBox t = tile_bounds(corner_tile);
        cx = t.minx;
        cy = t.maxy;
        ds.working_crs = "EPSG:3857";
        ds.levels = {{"community", "社区"}, {"grid", "网格"}};
        ds.grids = {grid(0, 0, "SQ01", "幸福社区", rect(cx - 400, cy - 200, cx + 400, cy + 200)),
                    grid(1, 1, "SQ01-01", "第一网格", rect(cx - 400, cy - 200, cx, cy + 200)),
                    grid(2, 1, "SQ01-02", "第二网格", rect(cx, cy - 200, cx + 400, cy + 200))};
        ds.buildings = {building(0, cx - 300, cy - 150, true), building(1, cx + 200, cy + 100, true),
                        building(2, cx + 250, cy - 150, false)};
        ds.index_buildings();
        RoadLine road;
        road.highway = "residential";
        road.name = "幸福路";
        road.line = {{cx - 420, cy - 20}, {cx + 420, cy - 20}};
        ds.roads = {road};
        ds.service_kinds = {{"party_centre", "党群服务中心", 15}, {"clinic", "卫生服务站", 15}};
        Facility f;
        f.id = FacilityId(std::size_t{0});
        f.kind = "party_centre";
        f.name = "幸福社区党群服务中心";
        f.location = {cx - 150, cy + 120};
        ds.facilities = {f};
    }
    TileSceneInput input() const {
        TileSceneInput in;
        in.dataset = &ds;
        in.grid_households = {800, 412, 388};
        in.building_minutes = {3.0, 22.0, std::numeric_limits<double>::quiet_NaN()};
        in.headline_kind = "party_centre";
        return in;
    }
};

TEST(TileScene, ProjectsIndexesAndFingerprints) {
    TinyWorld w;
    const auto scene = TileScene::build(w.input());
    EXPECT_GT(scene->feature_count(), 10u);
    const MercatorBox b = scene->bounds();
    EXPECT_NEAR(b.minx, w.cx - 420, 1e-6);   // the road sticks out 20 m
    EXPECT_NEAR(b.maxx, w.cx + 420, 1e-6);
    const MercatorBox g = scene->grid_bounds();
    EXPECT_NEAR(g.minx, w.cx - 400, 1e-6);
    EXPECT_NEAR(g.maxy, w.cy + 200, 1e-6);
    EXPECT_TRUE(scene->has_data_in({w.cx - 1, w.cy - 1, w.cx + 1, w.cy + 1}));
    EXPECT_FALSE(scene->has_data_in({w.cx + 5000, w.cy, w.cx + 6000, w.cy + 1000}));
    EXPECT_NE(scene->summary().find("grid-labels=2"), std::string::npos) << scene->summary();
    EXPECT_NE(scene->summary().find("top-labels=1"), std::string::npos) << scene->summary();
    // the fingerprint follows the content, not only the counts: other household numbers, another fingerprint
    EXPECT_EQ(TileScene::build(w.input())->summary(), scene->summary());
    TileSceneInput other = w.input();
    other.grid_households = {800, 413, 387};
    EXPECT_NE(TileScene::build(other)->summary(), scene->summary());
}

TEST(TileScene, ReprojectsTheWorkingCrs) {
    // PROJ's cs2cs, EPSG:32632 → EPSG:3857: (373000, 4843000) → (826337.077, 5423624.056),
    // (373000, 4843100) → (826334.447, 5423762.710), (373100, 4843100) → (826472.617, 5423765.348): the square turns
    // by the grid convergence, so its west edge is its north-west corner and its south edge its south-west corner
    Dataset ds;
    ds.working_crs = "EPSG:32632";
    ds.levels = {{"grid", "网格"}};
    ds.grids = {grid(0, 0, "G1", "网格一", rect(373000, 4843000, 373100, 4843100))};
    TileSceneInput in;
    in.dataset = &ds;
    const auto scene = TileScene::build(in);
    EXPECT_NEAR(scene->grid_bounds().minx, 826334.447, 0.01);
    EXPECT_NEAR(scene->grid_bounds().miny, 5423624.056, 0.01);
    EXPECT_NEAR(scene->grid_bounds().maxy, 5423765.348, 0.01);
}

TEST(TileScene, RejectsBadInput) {
    TinyWorld w;
    TileSceneInput in = w.input();
    in.dataset = nullptr;
    EXPECT_THROW(TileScene::build(in), std::invalid_argument);
    in = w.input();
    in.grid_households = {1};
    EXPECT_THROW(TileScene::build(in), std::invalid_argument);
    in = w.input();
    in.building_minutes = {1, 2};
    EXPECT_THROW(TileScene::build(in), std::invalid_argument);
    Dataset empty;
    empty.working_crs = "EPSG:3857";
    in = TileSceneInput{};
    in.dataset = &empty;
    EXPECT_THROW(TileScene::build(in), std::invalid_argument);
    Dataset bad = w.ds;
    bad.working_crs = "EPSG:999999";
    in = w.input();
    in.dataset = &bad;
    EXPECT_THROW(TileScene::build(in), std::runtime_error);
}

TEST(TileRenderer, MetatileIsCutIntoTilesEmptyOnesLeftOut) {
    TinyWorld w;
    const auto scene = TileScene::build(w.input());
    TileRenderer r(scene, {});
    EXPECT_EQ(r.tile_px(), 256);
    EXPECT_EQ(r.buffer_px(), 128);   // styles/tiles.xml
    // a 4 × 4 metatile around the corner tile: the world covers the 2 × 2 tiles around the corner (z17 tiles are
    // 305.7 m), the ring of tiles around them is empty
    const Metatile m{17, w.corner_tile.x - 2, w.corner_tile.y - 2, 4, 4};
    const auto res = r.render_metatile(m);
    EXPECT_EQ(res.tiles.size() + res.empty_tiles, 16u);
    EXPECT_GE(res.tiles.size(), 4u);
    EXPECT_GE(res.empty_tiles, 4u);
    for (const auto& t : res.tiles) {
        EXPECT_GE(t.id.x, m.x0);
        EXPECT_LT(t.id.x, m.x0 + 4);
        const RgbaImage img = decode(t.png);
        EXPECT_EQ(img.width, 256);
        EXPECT_EQ(img.height, 256);
        bool any = false;
        for (std::size_t i = 3; i < img.rgba.size(); i += 4) any = any || img.rgba[i] >= 5;
        EXPECT_TRUE(any) << to_string(t.id) << " was written although it is empty";
    }
    // the ≤ 5-minute building (cx − 300 … cx − 240, cy − 150 … cy − 120) in its band colour, in tile (x − 1, y)
    const TileId west{17, w.corner_tile.x - 1, w.corner_tile.y};
    const auto it = std::find_if(res.tiles.begin(), res.tiles.end(), [&](const EncodedTile& t) { return t.id == west; });
    ASSERT_NE(it, res.tiles.end());
    const RgbaImage img = decode(it->png);
    const MercatorBox tb = tile_bounds(west);
    const double px_per_m = 256 / tile_span_m(17);
    const int px = static_cast<int>((w.cx - 270 - tb.minx) * px_per_m);
    const int py = static_cast<int>((tb.maxy - (w.cy - 135)) * px_per_m);
    EXPECT_LE(channel_distance(img.pixel(px, py), kLe5), 8) << std::hex << img.pixel(px, py);
    // a tile far away renders as nothing
    EXPECT_FALSE(r.render_tile({17, w.corner_tile.x + 40, w.corner_tile.y}).has_value());
}

TEST(TileRenderer, RetinaTilesAre512Pixels) {
    TinyWorld w;
    const auto scene = TileScene::build(w.input());
    TileRenderOptions o;
    o.scale = 2;
    TileRenderer r(scene, o);
    EXPECT_EQ(r.tile_px(), 512);
    const auto res = r.render_metatile({17, w.corner_tile.x - 1, w.corner_tile.y - 1, 2, 2});
    ASSERT_EQ(res.tiles.size(), 4u);
    for (const auto& t : res.tiles) {
        const RgbaImage img = decode(t.png);
        EXPECT_EQ(img.width, 512);
        EXPECT_EQ(img.height, 512);
    }
    const auto single = r.render_tile(w.corner_tile);
    ASSERT_TRUE(single.has_value());
    EXPECT_EQ(decode(*single).width, 512);
    TileRenderOptions bad;
    bad.scale = 3;
    EXPECT_THROW(TileRenderer(scene, bad), std::invalid_argument);
}

// The label of the second grid sits on the boundary between two metatiles when the grid straddles it: rendering the
// two tiles as separate metatiles must give the pixels of rendering them together, label included.
TEST(TileRenderer, LabelOnAMetatileEdgeIsDrawnTheSameFromBothSides) {
    TinyWorld w;
    // one grid centred on the vertical edge between tiles (x, y) and (x + 1, y); its label goes to its centre
    const TileId left{16, 34118, 23896};
    const MercatorBox lb = tile_bounds(left);
    const double ex = lb.maxx, ey = (lb.miny + lb.maxy) / 2;
    Dataset ds;
    ds.working_crs = "EPSG:3857";
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    ds.grids = {grid(0, 0, "SQ09", "边界社区", rect(ex - 600, ey - 150, ex + 600, ey + 150)),
                grid(1, 1, "SQ09-01", "跨界网格", rect(ex - 600, ey - 150, ex + 600, ey + 150))};
    TileSceneInput in;
    in.dataset = &ds;
    in.grid_households = {420, 420};
    const auto scene = TileScene::build(in);
    TileRenderOptions o;
    o.image_format = "png32";   // exact pixels
    TileRenderer r(scene, o);
    const auto both = r.render_metatile({16, left.x, left.y, 2, 1});
    const auto only_left = r.render_metatile({16, left.x, left.y, 1, 1});
    const auto only_right = r.render_metatile({16, left.x + 1, left.y, 1, 1});
    ASSERT_EQ(both.tiles.size(), 2u);
    ASSERT_EQ(only_left.tiles.size(), 1u);
    ASSERT_EQ(only_right.tiles.size(), 1u);
    const RgbaImage a = decode(both.tiles[0].png), b = decode(both.tiles[1].png);
    const RgbaImage a1 = decode(only_left.tiles[0].png), b1 = decode(only_right.tiles[0].png);
    std::size_t differ = 0;
    for (int y = 0; y < 256; ++y)
        for (int x = 0; x < 256; ++x) {
            // glyphs may land a fraction of a pixel apart (anti-aliasing differs by a few levels), no more
            differ += channel_distance(a.pixel(x, y), a1.pixel(x, y)) > 8;
            differ += channel_distance(b.pixel(x, y), b1.pixel(x, y)) > 8;
        }
    EXPECT_EQ(differ, 0u);
    // and there is a label across the edge: dark text pixels in the last columns of the left tile and the first
    // columns of the right one, around the label's rows
    auto dark_near_edge = [](const RgbaImage& img, int x0, int x1) {
        int n = 0;
        for (int y = 96; y < 160; ++y)
            for (int x = x0; x < x1; ++x) {
                const std::uint32_t p = img.pixel(x, y);
                n += (p >> 24) < 90 && (p >> 16 & 255) < 90 && (p >> 8 & 255) < 90 && (p & 255) > 200;
            }
        return n;
    };
    EXPECT_GT(dark_near_edge(a, 236, 256), 5);
    EXPECT_GT(dark_near_edge(b, 0, 20), 5);
}

TEST(TileRenderer, OneColourTilesInsideAGridAreEncodedOnce) {
    // a single large grid and nothing else: at z17 the tiles inside it are one colour (its fill)
    const TileId t{17, 68236, 47792};
    const MercatorBox tb = tile_bounds(t);
    Dataset ds;
    ds.working_crs = "EPSG:3857";
    ds.levels = {{"grid", "网格"}};
    ds.grids = {grid(0, 0, "G1", "大网格", rect(tb.minx - 3000, tb.miny - 3000, tb.maxx + 3000, tb.maxy + 3000))};
    TileSceneInput in;
    in.dataset = &ds;
    const auto scene = TileScene::build(in);
    TileRenderer r(scene, {});
    // far from the label (the grid's centre) and the boundary
    const auto res = r.render_metatile({17, t.x - 6, t.y - 6, 3, 3});
    EXPECT_EQ(res.tiles.size(), 9u);
    EXPECT_EQ(res.uniform_tiles, 9u);
    EXPECT_EQ(res.empty_tiles, 0u);
    const RgbaImage img = decode(res.tiles.front().png);
    const std::uint32_t first = img.pixel(0, 0);
    EXPECT_NEAR(double(first & 255), 0.7 * 255, 2);   // fill-opacity 0.7
    for (int y = 0; y < 256; y += 17)
        for (int x = 0; x < 256; x += 13) ASSERT_EQ(img.pixel(x, y), first);
    EXPECT_EQ(res.tiles.front().png, res.tiles.back().png);   // the same bytes, encoded once
}

TEST(TileRenderer, StyleErrorsNameTheProblem) {
    TinyWorld w;
    const auto scene = TileScene::build(w.input());
    TileRenderOptions o;
    o.style_file = temp_dir() / "missing.xml";
    try {
        TileRenderer r(scene, o);
        FAIL() << "a missing style must throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.xml"), std::string::npos) << e.what();
    }
    const fs::path bad = temp_dir() / "unknown_layer.xml";
    std::ofstream(bad) << "<Map><Style name=\"s\"><Rule><PolygonSymbolizer/></Rule></Style>"
                          "<Layer name=\"parcels\"><StyleName>s</StyleName></Layer></Map>";
    o.style_file = bad;
    try {
        TileRenderer r(scene, o);
        FAIL() << "an unknown layer must throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("parcels"), std::string::npos) << e.what();
    }
    o = {};
    o.image_format = "jpeg";
    EXPECT_THROW(TileRenderer(scene, o), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::render
