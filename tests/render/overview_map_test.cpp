// The overview map on a tiny hand-made community: two grids side by side, three buildings, a road, two facilities.
// The PNG is read back and checked for size, colours, the ≤5-minute building colour and Chinese label glyphs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <stdexcept>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "map_setup.hpp"
#include "overview_map.hpp"

namespace gridatlas::render {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNotoCjk = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
constexpr std::uint32_t kLe5Colour = 0x1a9850ff;   // styles/overview.xml, buildings, band 'le5'

geo::MultiPolygon rect(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    // clockwise outer ring, closed
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return geo::MultiPolygon{p};
}

Dataset tiny_community() {
    Dataset ds;
    ds.working_crs = "EPSG:32650";
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    const double x = 500000, y = 4000000;

    Grid community;
    community.id = GridId(std::size_t{0});
    community.level = 0;
    community.code = "SQ01";
    community.name = "幸福社区";
    community.area = rect(x, y, x + 400, y + 200);
    Grid g1;
    g1.id = GridId(std::size_t{1});
    g1.level = 1;
    g1.code = "SQ01-01";
    g1.name = "第一网格";
    g1.parent_code = "SQ01";
    g1.parent = community.id;
    g1.area = rect(x, y, x + 200, y + 200);
    Grid g2 = g1;
    g2.id = GridId(std::size_t{2});
    g2.code = "SQ01-02";
    g2.name = "第二网格";
    g2.area = rect(x + 200, y, x + 400, y + 200);
    ds.grids = {community, g1, g2};

    auto building = [&](std::uint32_t i, const char* name, double bx, double by, bool residential) {
        Building b;
        b.id = BuildingId(i);
        b.source_id = "b" + std::to_string(i);
        b.name = name;
        b.footprint = rect(bx, by, bx + 60, by + 30);
        b.anchor = {bx + 30, by + 15};
        b.area_m2 = 1800;
        b.floors = 6;
        b.residential = residential;
        return b;
    };
    ds.buildings = {building(0, "1号楼", x + 30, y + 30, true),     // ≤ 5 min
                    building(1, "2号楼", x + 250, y + 130, true),   // beyond the threshold
                    building(2, "商铺", x + 300, y + 30, false)};
    ds.index_buildings();

    RoadLine road;
    road.source_id = "w1";
    road.highway = "residential";
    road.name = "幸福路";
    road.line = {{x - 10, y + 100}, {x + 410, y + 100}};
    RoadLine path;
    path.source_id = "w2";
    path.highway = "footway";
    path.line = {{x + 120, y + 10}, {x + 120, y + 190}};
    ds.roads = {road, path};

    ds.service_kinds = {{"party_centre", "党群服务中心", 15}, {"clinic", "社区卫生服务站", 15}};
    Facility f1;
    f1.id = FacilityId(std::size_t{0});
    f1.kind = "party_centre";
    f1.name = "幸福社区党群服务中心";
    f1.location = {x + 110, y + 70};
    Facility f2;
    f2.id = FacilityId(std::size_t{1});
    f2.kind = "clinic";
    f2.name = "卫生服务站";
    f2.location = {x + 330, y + 80};
    ds.facilities = {f1, f2};
    return ds;
}

// A larger street (街道) of two communities and twelve irregular grids with a few hundred buildings: checks that
// labels stay legible when grids compete for space (look at the PNG with GRIDATLAS_KEEP_TEST_OUTPUT=1).
Dataset street_of_twelve_grids() {
    Dataset ds;
    ds.working_crs = "EPSG:32650";
    ds.levels = {{"street", "街道"}, {"community", "社区"}, {"grid", "网格"}};
    const double x0 = 500000, y0 = 4000000, cw = 330, ch = 280;
    const int nx = 4, ny = 3;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> jitter(-45, 45);
    std::vector<std::vector<geo::Point>> v(nx + 1, std::vector<geo::Point>(ny + 1));
    for (int i = 0; i <= nx; ++i)
        for (int j = 0; j <= ny; ++j) {
            const bool edge_x = i == 0 || i == nx, edge_y = j == 0 || j == ny;
            v[i][j] = {x0 + i * cw + (edge_x ? 0 : jitter(rng)), y0 + j * ch + (edge_y ? 0 : jitter(rng))};
        }
    auto quad = [&](int i0, int j0, int i1, int j1) {   // cells [i0,i1) × [j0,j1), clockwise
        geo::Polygon p;
        for (int j = j0; j <= j1; ++j) p.outer().push_back(v[i0][j]);
        for (int i = i0 + 1; i <= i1; ++i) p.outer().push_back(v[i][j1]);
        for (int j = j1 - 1; j >= j0; --j) p.outer().push_back(v[i1][j]);
        for (int i = i1 - 1; i >= i0; --i) p.outer().push_back(v[i][j0]);
        return geo::MultiPolygon{p};
    };
    auto add_grid = [&](int level, std::string code, std::string name, geo::MultiPolygon area) {
        Grid g;
        g.id = GridId(ds.grids.size());
        g.level = level;
        g.code = std::move(code);
        g.name = std::move(name);
        g.area = std::move(area);
        ds.grids.push_back(std::move(g));
    };
    add_grid(0, "JD01", "和平街道", quad(0, 0, nx, ny));
    add_grid(1, "JD01-01", "幸福社区", quad(0, 0, 2, ny));
    add_grid(1, "JD01-02", "光明社区", quad(2, 0, nx, ny));
    const char* numerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"};
    int k = 0;
    for (int i = 0; i < nx; ++i)
        for (int j = 0; j < ny; ++j, ++k) {
            char code[32];
            std::snprintf(code, sizeof code, "JD01-%02d-%02d", i < 2 ? 1 : 2, k + 1);
            add_grid(2, code, std::string("第") + numerals[k] + "网格", quad(i, j, i + 1, j + 1));
        }
    // slab buildings on a regular pattern, clipped to the street's bounding box
    std::uint32_t b = 0;
    for (double bx = x0 + 25; bx + 55 < x0 + nx * cw; bx += 78)
        for (double by = y0 + 20; by + 14 < y0 + ny * ch; by += 42) {
            Building bd;
            bd.id = BuildingId(b);
            bd.source_id = "b";
            bd.source_id += std::to_string(b);   // not "b" + …: GCC 12 warns falsely (-Wrestrict, PR 105651)
            bd.footprint = rect(bx, by, bx + 55, by + 14);
            bd.anchor = {bx + 27, by + 7};
            bd.residential = (b % 9) != 4;
            ds.buildings.push_back(std::move(bd));
            ++b;
        }
    for (int i = 0; i <= nx; ++i) {
        RoadLine r;
        r.highway = i % 2 ? "secondary" : "residential";
        r.line = {{x0 + i * cw, y0 - 30}, {x0 + i * cw, y0 + ny * ch + 30}};
        ds.roads.push_back(r);
    }
    for (int j = 1; j < ny; ++j) {
        RoadLine r;
        r.highway = "footway";
        r.line = {{x0, y0 + j * ch - 20}, {x0 + nx * cw, y0 + j * ch - 20}};
        ds.roads.push_back(r);
    }
    ds.service_kinds = {{"party_centre", "党群服务中心", 15}, {"clinic", "社区卫生服务站", 15}, {"elderly", "养老服务站", 15}};
    const char* kinds[] = {"party_centre", "clinic", "elderly", "party_centre", "elderly"};
    for (int f = 0; f < 5; ++f) {
        Facility fac;
        fac.id = FacilityId(static_cast<std::size_t>(f));
        fac.kind = kinds[f];
        fac.location = {x0 + 150 + f * 240, y0 + 120 + (f % 2) * 420};
        ds.facilities.push_back(fac);
    }
    return ds;
}

class OverviewMapTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists(kNotoCjk)) GTEST_SKIP() << "fonts-noto-cjk is not installed (" << kNotoCjk << " missing)";
        dir_ = fs::temp_directory_path() / ("gridatlas_render_test_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        ds_ = tiny_community();
        request_.dataset = &ds_;
        request_.grid_households = {0, 412, 388};
        request_.building_minutes = {3.0, 22.0, std::numeric_limits<double>::quiet_NaN()};
        request_.headline_threshold_minutes = 15;
        request_.headline_kind_name = "党群服务中心";
        request_.title = "幸福社区网格总览";
        request_.width_px = 800;
    }
    void TearDown() override {
        std::error_code ec;
        if (!dir_.empty() && !std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT")) fs::remove_all(dir_, ec);
    }
    RgbaImage render(const OverviewRequest& r, const std::string& name) {
        const fs::path out = dir_ / name;
        const auto t0 = std::chrono::steady_clock::now();
        render_overview_png(r, out);
        const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("[ render   ] %s: %.1f ms\n", out.c_str(), ms);
        return read_png_rgba(out);
    }
    static std::size_t count_colour(const RgbaImage& img, std::uint32_t colour) {
        std::size_t n = 0;
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x) n += img.pixel(x, y) == colour;
        return n;
    }

    fs::path dir_;
    Dataset ds_;
    OverviewRequest request_;
};

TEST_F(OverviewMapTest, RendersRequestedWidthWithManyColours) {
    const RgbaImage img = render(request_, "overview.png");
    EXPECT_EQ(img.width, 800);
    EXPECT_GT(img.height, 200);
    EXPECT_LT(img.height, 1200);
    std::set<std::uint32_t> colours;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) colours.insert(img.pixel(x, y));
    EXPECT_GT(colours.size(), 50u);   // fills, buildings, lines, markers, anti-aliased text
}

TEST_F(OverviewMapTest, ShortWalkBuildingIsDrawnInItsBandColour) {
    const RgbaImage with = render(request_, "le5.png");
    OverviewRequest unknown = request_;
    unknown.building_minutes.clear();   // every residential building "unknown": only the legend swatch stays green
    const RgbaImage without = render(unknown, "unknown.png");
    const std::size_t n_with = count_colour(with, kLe5Colour);
    const std::size_t n_without = count_colour(without, kLe5Colour);
    EXPECT_GT(n_without, 0u) << "the legend swatch for ≤5 minutes";
    // 60 m × 30 m at about 1.2 px/m: well over 1000 pixels of solid fill
    EXPECT_GT(n_with, n_without + 1000) << n_with << " vs " << n_without;
}

TEST_F(OverviewMapTest, ChineseLabelsRenderAsGlyphs) {
    const RgbaImage labelled = render(request_, "labels.png");
    OverviewRequest bare = request_;
    bare.draw_labels = false;
    const RgbaImage unlabelled = render(bare, "no_labels.png");
    ASSERT_EQ(labelled.width, unlabelled.width);
    ASSERT_EQ(labelled.height, unlabelled.height);
    std::size_t differing = 0, dark = 0;
    for (int y = 0; y < labelled.height; ++y)
        for (int x = 0; x < labelled.width; ++x) {
            const std::uint32_t a = labelled.pixel(x, y);
            if (a == unlabelled.pixel(x, y)) continue;
            ++differing;
            const int r = a >> 24, g = (a >> 16) & 0xff, b = (a >> 8) & 0xff;
            dark += (r + g + b) < 200;   // glyph cores are near-black
        }
    std::printf("[ labels   ] %zu pixels differ, %zu of them dark\n", differing, dark);
    // two grid labels of three lines ("第一网格 / SQ01-01 / 412户") and the community name
    EXPECT_GT(differing, 2000u);
    EXPECT_GT(dark, 300u);
}

TEST_F(OverviewMapTest, RendersThreeLevelsAtDefaultWidth) {
    Dataset street = street_of_twelve_grids();
    OverviewRequest r;
    r.dataset = &street;
    r.headline_kind_name = "党群服务中心";
    r.title = "和平街道网格总览";
    for (const auto& g : street.grids) r.grid_households.push_back(g.level == 2 ? 300 + 17 * static_cast<int>(g.id.index()) : 0);
    for (std::size_t i = 0; i < street.buildings.size(); ++i)
        r.building_minutes.push_back(i % 13 == 12 ? std::numeric_limits<double>::infinity() : static_cast<double>(i % 23));
    const RgbaImage img = render(r, "street.png");
    EXPECT_EQ(img.width, 2400);
    EXPECT_GT(count_colour(img, kLe5Colour), 10000u);
}

TEST_F(OverviewMapTest, RendersOneLevelAndBuildingsOnly) {
    Dataset one_level = ds_;
    one_level.levels = {{"grid", "网格"}};
    one_level.grids.erase(one_level.grids.begin());   // the two grids, now the top and only level
    for (auto& g : one_level.grids) g.level = 0;
    OverviewRequest r = request_;
    r.dataset = &one_level;
    r.grid_households = {412, 388};
    r.title.clear();   // a default title is made from the top-level names
    EXPECT_EQ(render(r, "one_level.png").width, 800);

    Dataset no_grids = ds_;
    no_grids.grids.clear();
    no_grids.levels.clear();
    r.dataset = &no_grids;
    r.grid_households.clear();
    EXPECT_EQ(render(r, "no_grids.png").width, 800);

    Dataset nothing;
    r.dataset = &nothing;
    r.building_minutes.clear();
    EXPECT_THROW(render_overview_png(r, dir_ / "never.png"), std::invalid_argument);
}

TEST_F(OverviewMapTest, RendersConcurrentlyFromSeveralThreads) {
    const RgbaImage reference = render(request_, "reference.png");
    std::vector<std::thread> threads;
    std::vector<std::string> errors(4);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            try {
                render_overview_png(request_, dir_ / ("thread" + std::to_string(t) + ".png"));
            } catch (const std::exception& e) {
                errors[t] = e.what();
            }
        });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) {
        ASSERT_EQ(errors[t], "") << "thread " << t;
        const RgbaImage img = read_png_rgba(dir_ / ("thread" + std::to_string(t) + ".png"));
        EXPECT_EQ(img.rgba, reference.rgba) << "thread " << t << " drew a different image";
    }
}

TEST_F(OverviewMapTest, MissingStyleFileThrowsWithItsPath) {
    OverviewRequest r = request_;
    r.style_file = dir_ / "no_such_style.xml";
    try {
        render_overview_png(r, dir_ / "never.png");
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        std::printf("[ message  ] %s\n", e.what());
        EXPECT_THAT(e.what(), ::testing::HasSubstr((dir_ / "no_such_style.xml").string()));
    }
}

TEST_F(OverviewMapTest, MissingFontThrowsNamingTheFont) {
    std::ifstream in(styles_dir() / "overview.xml");
    ASSERT_TRUE(in) << styles_dir();
    std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string face = "Noto Sans CJK SC Regular";
    xml.replace(xml.find(face), face.size(), "No Such Font Regular");
    const fs::path style = dir_ / "bad_font.xml";
    std::ofstream(style) << xml;
    // the copy includes shared/palette.ent beside it, as in styles/
    if (!fs::exists(dir_ / "shared")) fs::create_directory_symlink(fs::absolute(styles_dir() / "shared"), dir_ / "shared");
    OverviewRequest r = request_;
    r.style_file = style;
    try {
        render_overview_png(r, dir_ / "never.png");
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        std::printf("[ message  ] %s\n", e.what());
        EXPECT_THAT(e.what(), ::testing::HasSubstr("No Such Font Regular"));
        EXPECT_THAT(e.what(), ::testing::HasSubstr(style.string()));
    }
}

TEST_F(OverviewMapTest, NullDatasetIsInvalidArgument) {
    OverviewRequest r = request_;
    r.dataset = nullptr;
    EXPECT_THROW(render_overview_png(r, dir_ / "never.png"), std::invalid_argument);
}

TEST_F(OverviewMapTest, WrongSizedPerGridVectorIsInvalidArgument) {
    OverviewRequest r = request_;
    r.grid_households = {1, 2};
    EXPECT_THROW(render_overview_png(r, dir_ / "never.png"), std::invalid_argument);
}

TEST(StylesDir, FollowsEnvironment) {
    // ctest sets GRIDATLAS_STYLES; either way the overview style must be there
    EXPECT_TRUE(fs::exists(styles_dir() / "overview.xml")) << styles_dir();
}

}  // namespace
}  // namespace gridatlas::render
