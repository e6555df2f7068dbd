// Print maps on a small hand-made community: three grids, seventeen buildings with units, three facilities, hand-made
// isochrones. Golden images for every style, compared with a tolerance (mean absolute channel difference < 2 and
// fewer than 1 % of pixels differing by more than 40 in any channel).
//
// Regenerate the references after an intended change of the styles or the layout, then LOOK at them:
//   GRIDATLAS_UPDATE_GOLDEN=1 build/bin/test_print_map --gtest_filter='Golden*'
// They are written to tests/render/golden/ (the source tree); commit them with the change. A failing comparison
// writes the rendered image next to the reference's name in the temporary directory it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <vector>
#include <sstream>
#include <string>

#include <unistd.h>

#include "image_diff.hpp"
#include "map_setup.hpp"
#include "overview_map.hpp"
#include "print_map.hpp"
#include "command_run.hpp"
#include "style_palette.hpp"

#ifndef GRIDATLAS_GOLDEN_DIR
#define GRIDATLAS_GOLDEN_DIR "tests/render/golden"
#endif

namespace gridatlas::render {

namespace fs = std::filesystem;
namespace bg = boost::geometry;

// ---------------------------------------------------------------------------------------------------------------
// The fixture (also used by atlas_test.cpp)

struct PrintFixture {
    Dataset ds;
    MapData data;
};

namespace {

constexpr double X0 = 500000, Y0 = 4000000;

geo::MultiPolygon rect(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    p.outer() = {{X0 + x0, Y0 + y0}, {X0 + x0, Y0 + y1}, {X0 + x1, Y0 + y1}, {X0 + x1, Y0 + y0}, {X0 + x0, Y0 + y0}};
    return geo::MultiPolygon{p};
}

geo::MultiPolygon circle(double cx, double cy, double r) {
    geo::Polygon p;
    for (int i = 0; i <= 48; ++i) {
        const double a = -2 * M_PI * (i % 48) / 48;   // clockwise
        p.outer().push_back({X0 + cx + r * std::cos(a), Y0 + cy + r * std::sin(a)});
    }
    return geo::MultiPolygon{p};
}

}  // namespace

std::unique_ptr<PrintFixture> make_print_fixture() {
    auto f = std::make_unique<PrintFixture>();
    Dataset& ds = f->ds;
    ds.working_crs = "EPSG:32650";
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    auto grid = [&](int level, const char* code, const char* name, geo::MultiPolygon area, GridId parent) {
        Grid g;
        g.id = GridId(ds.grids.size());
        g.level = level;
        g.code = code;
        g.name = name;
        g.area = std::move(area);
        g.parent = parent;
        ds.grids.push_back(std::move(g));
        return ds.grids.back().id;
    };
    const GridId sq = grid(0, "SQ01", "幸福社区", rect(0, 0, 600, 400), GridId{});
    grid(1, "SQ01-01", "第一网格", rect(0, 0, 300, 400), sq);
    grid(1, "SQ01-02", "第二网格", rect(300, 0, 600, 250), sq);
    grid(1, "SQ01-03", "第三网格", rect(300, 250, 600, 400), sq);

    auto building = [&](double x, double y, double w, double h, bool residential, int units) {
        Building b;
        b.id = BuildingId(ds.buildings.size());
        b.source_id = "B" + std::to_string(100 + ds.buildings.size());
        b.footprint = rect(x, y, x + w, y + h);
        b.anchor = {X0 + x + w / 2, Y0 + y + h / 2};
        b.residential = residential;
        b.floors = 6;
        ds.buildings.push_back(b);
        for (int u = 1; u <= units; ++u) {
            Unit unit;
            unit.id = UnitId(ds.units.size());
            unit.building = b.id;
            unit.number = u;
            unit.location = {X0 + x + w * u / (units + 1), Y0 + y + 1};
            ds.units.push_back(unit);
        }
    };
    // grid 1: two columns of four slabs and a shop
    for (int row = 0; row < 4; ++row)
        for (int col = 0; col < 2; ++col) building(30 + col * 130, 40 + row * 85, 90, 22, true, 3);
    building(120, 5, 40, 20, false, 0);
    // grid 2: five blocks
    for (int i = 0; i < 5; ++i) building(330 + (i % 3) * 85, 40 + (i / 3) * 100, 60, 30, true, 2);
    // grid 3: three towers and a school
    for (int i = 0; i < 3; ++i) building(340 + i * 80, 300, 40, 40, true, 1);
    building(540, 290, 40, 60, false, 0);
    ds.index_buildings();
    ds.index_units();

    auto road = [&](const char* highway, const char* name, std::initializer_list<std::pair<double, double>> pts) {
        RoadLine r;
        r.highway = highway;
        r.name = name;
        for (const auto& [x, y] : pts) r.line.push_back({X0 + x, Y0 + y});
        ds.roads.push_back(r);
    };
    road("secondary", "幸福路", {{-20, 255}, {620, 255}});
    road("residential", "光明街", {{300, -20}, {300, 420}});
    road("footway", "", {{20, 20}, {280, 20}, {280, 380}});
    road("residential", "", {{320, 160}, {590, 160}});

    ds.service_kinds = {{"party_centre", "党群服务中心", 15}, {"clinic", "社区卫生服务站", 15}, {"elderly", "养老服务站", 10}};
    auto facility = [&](const char* kind, const char* name, double x, double y) {
        Facility fa;
        fa.id = FacilityId(ds.facilities.size());
        fa.kind = kind;
        fa.name = name;
        fa.location = {X0 + x, Y0 + y};
        ds.facilities.push_back(fa);
    };
    facility("party_centre", "幸福社区党群服务中心", 150, 240);
    facility("clinic", "卫生服务站", 470, 130);
    facility("elderly", "日间照料中心", 450, 370);

    MapData& d = f->data;
    d.dataset = &ds;
    d.project_name = "测试社区";
    d.kind_key = "party_centre";
    d.kind_name = "党群服务中心";
    d.kind_threshold_minutes = 10;
    d.building_grid.assign(2, std::vector<GridId>(ds.buildings.size()));
    d.buildings.resize(ds.buildings.size());
    d.building_minutes.resize(ds.buildings.size());
    for (const auto& b : ds.buildings) {
        for (const auto& g : ds.grids)
            if (bg::covered_by(b.anchor, g.area)) d.building_grid[g.level][b.id.index()] = g.id;
        const double dx = b.anchor.x() - (X0 + 150), dy = b.anchor.y() - (Y0 + 240);
        d.building_minutes[b.id.index()] = std::sqrt(dx * dx + dy * dy) / 30;   // 0 … 15+ minutes across the map
        if (!b.residential) continue;
        auto& facts = d.buildings[b.id.index()];
        const int i = static_cast<int>(b.id.index());
        facts.households = 6 + (i * 7) % 30;
        facts.persons = facts.households * 3 - i % 4;
        facts.party_households = i % 3 == 0 ? 0 : 1 + i % 4;
        for (const auto& u : ds.units) facts.units += u.building == b.id;
        if (facts.party_households > 0) facts.central_places.push_back("1-" + std::to_string(1 + i % 6) + "-" + std::to_string(100 * (1 + i % 6) + 2));
        if (i == 4) facts.central_places.push_back("2-3-302");   // a large building: one per unit
    }
    d.building_minutes[9] = std::numeric_limits<double>::infinity();   // not reached
    d.grids.resize(ds.grids.size());
    for (const auto& b : ds.buildings)
        for (int level = 0; level < 2; ++level) {
            const GridId g = d.building_grid[level][b.id.index()];
            if (!g.valid() || !b.residential) continue;
            auto& gf = d.grids[g.index()];
            const auto& facts = d.buildings[b.id.index()];
            gf.households += facts.households;
            gf.persons += facts.persons;
            gf.party_households += facts.party_households;
            ++gf.residential_buildings;
            if (gf.covered_households < 0) gf.covered_households = 0;
            if (d.building_minutes[b.id.index()] <= d.kind_threshold_minutes) gf.covered_households += facts.households;
        }
    d.isochrones = {{5, circle(150, 240, 150)}, {10, circle(150, 240, 300)}, {15, circle(150, 240, 450)}};
    return f;
}

namespace {

using Diff = test_support::ImageDiff;
constexpr auto compare = test_support::image_diff;

bool have_cjk_font() { return fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"); }

class PrintMapTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!have_cjk_font()) GTEST_SKIP() << "fonts-noto-cjk is not installed";
        dir_ = fs::temp_directory_path() / ("gridatlas_print_test_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        fixture_ = make_print_fixture();
    }
    void TearDown() override {
        std::error_code ec;
        if (!dir_.empty() && !keep_ && !std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT")) fs::remove_all(dir_, ec);
    }
    PrintRequest request(MapStyle style, GridId focus = GridId{}) const {
        return test_support::golden_request(style, fixture_->data, focus);
    }
    GridId grid(const std::string& code) const {
        for (const auto& g : fixture_->ds.grids)
            if (g.code == code) return g.id;
        return {};
    }
    // Renders `r` to PNG and compares it with golden/<name>.png (or rewrites it).
    void golden(const PrintRequest& r, const std::string& name) {
        const fs::path out = dir_ / (name + ".png");
        render_print_map(r, out);
        const fs::path ref = fs::path(GRIDATLAS_GOLDEN_DIR) / (name + ".png");
        const char* update = std::getenv("GRIDATLAS_UPDATE_GOLDEN");
        if (update && std::string(update) == "1") {
            fs::create_directories(ref.parent_path());
            fs::copy_file(out, ref, fs::copy_options::overwrite_existing);
            std::printf("[ golden   ] wrote %s: look at it before committing\n", ref.c_str());
            return;
        }
        ASSERT_TRUE(fs::exists(ref)) << ref << " is missing: GRIDATLAS_UPDATE_GOLDEN=1 writes it";
        const RgbaImage got = read_png_rgba(out), want = read_png_rgba(ref);
        ASSERT_EQ(got.width, want.width) << name;
        ASSERT_EQ(got.height, want.height) << name;
        const Diff d = compare(got, want);
        std::printf("[ golden   ] %s: mean %.3f, %.3f%% of pixels far\n", name.c_str(), d.mean, d.share_far * 100);
        EXPECT_LT(d.mean, 2.0) << name << ": rendered " << out << " vs " << ref;
        EXPECT_LT(d.share_far, 0.01) << name << ": rendered " << out << " vs " << ref;
        if (d.mean >= 2.0 || d.share_far >= 0.01) keep_ = true;   // leave the rendered image to look at
    }

    fs::path dir_;
    bool keep_ = false;
    std::unique_ptr<PrintFixture> fixture_;
};

using GoldenTest = PrintMapTest;

TEST_F(GoldenTest, Overview) { golden(request(MapStyle::overview), "overview"); }

TEST_F(GoldenTest, OfficerOfTheFirstGrid) { golden(request(MapStyle::officer, grid("SQ01-01")), "officer"); }

TEST_F(GoldenTest, OfficerOnPortraitA4AtLowResolution) {
    PrintRequest r = request(MapStyle::officer, grid("SQ01-02"));
    r.page = PageSpec{"A4", false, false, 60};
    golden(r, "officer_a4_portrait");
}

TEST_F(GoldenTest, PlannerOfTheWholeCommunity) { golden(request(MapStyle::planner), "planner"); }

TEST_F(GoldenTest, PlannerZoomedToAGrid) { golden(request(MapStyle::planner, grid("SQ01-03")), "planner_grid"); }

// ---------------------------------------------------------------------------------------------------------------

TEST_F(PrintMapTest, PdfAndSvgAreVectorPagesOfTheRequestedPaper) {
    PrintRequest r = request(MapStyle::officer, grid("SQ01-01"));
    r.page = PageSpec{"A3", true, false, 150};
    r.format = PrintFormat::pdf;
    const auto res = render_print_map(r, dir_ / "officer.pdf");
    EXPECT_NEAR(res.width_pt, 420 * 72 / 25.4, 0.01);
    EXPECT_NEAR(res.height_pt, 297 * 72 / 25.4, 0.01);
    EXPECT_GT(res.scale_denominator, 100);
    std::ifstream pdf(dir_ / "officer.pdf", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(pdf)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.rfind("%PDF-", 0), 0u);
    EXPECT_THAT(bytes, ::testing::HasSubstr("NotoSansCJKsc"));   // the Chinese font is embedded

    r.format = PrintFormat::svg;
    render_print_map(r, dir_ / "officer.svg");
    std::ifstream svg(dir_ / "officer.svg");
    const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, ::testing::HasSubstr("<svg"));
    EXPECT_THAT(text, ::testing::HasSubstr("width=\"1190"));   // 420 mm in points
}

TEST_F(PrintMapTest, PngAtPaperSizeAndDpiHasTheRightPixels) {
    PrintRequest r = request(MapStyle::planner);
    r.page = PageSpec{"A4", false, false, 72};
    const auto res = render_print_map(r, dir_ / "a4.png");
    EXPECT_EQ(res.width_px, 595);
    EXPECT_EQ(res.height_px, 842);
    const RgbaImage img = read_png_rgba(dir_ / "a4.png");
    EXPECT_EQ(img.width, 595);
    EXPECT_EQ(img.height, 842);
}

TEST_F(PrintMapTest, AutomaticOrientationFollowsTheMap) {
    PrintRequest r = request(MapStyle::overview);
    r.page = PageSpec{"A4", false, true, 60};   // the community is wider than tall
    const auto res = render_print_map(r, dir_ / "auto.png");
    EXPECT_GT(res.width_px, res.height_px);
    EXPECT_THAT(res.page, ::testing::HasSubstr("landscape"));
}

// A wall print is read from 2–3 m: on A0 its smallest label is 8 mm tall (the ordinary overview's 3.5 mm); A3 and A4
// are refused with a hint.
TEST_F(PrintMapTest, WallPrintLabelsAreSizedForTheWall) {
    PrintRequest r = request(MapStyle::overview);
    r.format = PrintFormat::pdf;
    r.page = PageSpec{"A0", true, false, 150};
    const auto overview = render_print_map(r, dir_ / "overview_a0.pdf");
    r.wall = true;
    const auto wall = render_print_map(r, dir_ / "wall_a0.pdf");
    EXPECT_NEAR(overview.smallest_label_mm, 9 * 2 * 0.62 * 0.88 * 25.4 / 72, 0.01);   // text scale about 2 on A0
    EXPECT_GE(wall.smallest_label_mm, kWallGlyphMm);
    EXPECT_LT(wall.smallest_label_mm, kWallGlyphMm + 0.05);
    EXPECT_EQ(wall.crowded_labels, 0);
    r.page = PageSpec{"A3", true, false, 150};
    try {
        render_print_map(r, dir_ / "wall_a3.pdf");
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("--style overview"));
    }
}

// One vocabulary: the printed overview and the wall print (PDF text) carry every heading and line of the public
// legend table (style_palette.hpp's public_legend, which the overview PNG draws too), as written there.
TEST_F(PrintMapTest, OverviewLegendWordsComeFromThePublicLegendTable) {
    const MapData& d = fixture_->data;
    const auto tables = public_legend(*d.dataset, d.kind_name.empty() ? d.kind_key : d.kind_name, d.kind_threshold_minutes);
    ASSERT_EQ(tables.size(), 3u);   // minute bands, grid levels, facilities
    EXPECT_EQ(tables[0].lines.size(), Bands(d.kind_threshold_minutes).legend().size());
    PrintRequest r = request(MapStyle::overview);
    r.format = PrintFormat::pdf;
    for (const bool wall : {false, true}) {
        r.wall = wall;
        r.page = PageSpec{wall ? "A1" : "A3", true, false, 150};
        const fs::path pdf = dir_ / (wall ? "wall.pdf" : "overview.pdf");
        render_print_map(r, pdf);
        const test_support::CommandRun text = test_support::run_command("pdftotext -enc UTF-8 '" + pdf.string() + "' -");
        ASSERT_EQ(text.status, 0) << text.out;
        for (const auto& table : tables) {
            EXPECT_THAT(text.out, ::testing::HasSubstr(table.heading)) << (wall ? "wall" : "overview");
            for (const auto& line : table.lines) EXPECT_THAT(text.out, ::testing::HasSubstr(line.words)) << line.key;
        }
        EXPECT_THAT(text.out, ::testing::HasSubstr(words::scale));
    }
}

TEST_F(PrintMapTest, OfficerNeedsAGrid) {
    EXPECT_THROW(render_print_map(request(MapStyle::officer), dir_ / "x.png"), std::invalid_argument);
}

TEST_F(PrintMapTest, HugePngIsRefusedWithAHint) {
    PrintRequest r = request(MapStyle::overview);
    r.page = PageSpec{"A0", false, false, 600};
    try {
        render_print_map(r, dir_ / "x.png");
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("PDF"));
    }
}

TEST_F(PrintMapTest, MissingStyleNamesTheFile) {
    PrintRequest r = request(MapStyle::officer, grid("SQ01-01"));
    r.styles = dir_ / "nowhere";
    try {
        render_print_map(r, dir_ / "x.png");
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("officer.xml"));
    }
}

TEST_F(PrintMapTest, BuildingsAreNumberedNorthToSouthThenWestToEast) {
    const auto list = numbered_buildings(fixture_->data, grid("SQ01-01"));
    ASSERT_EQ(list.size(), 8u);   // the shop is not numbered
    const auto& ds = fixture_->ds;
    // the top row (y 295..317) first, west before east
    EXPECT_GT(ds.building(list[0]).anchor.y(), ds.building(list[2]).anchor.y());
    EXPECT_LT(ds.building(list[0]).anchor.x(), ds.building(list[1]).anchor.x());
    EXPECT_GT(ds.building(list[6]).anchor.y(), ds.building(list[7]).anchor.y() - 1);
}

TEST_F(PrintMapTest, OfficerTableHoldsCountsAndUnitFloorRoomOnly) {
    const auto rows = officer_table_rows(fixture_->data, grid("SQ01-01"));
    ASSERT_EQ(rows.size(), 8u);
    for (const auto& row : rows) {
        ASSERT_EQ(row.size(), 7u);
        EXPECT_THAT(row[1], ::testing::MatchesRegex("B[0-9]+"));
        // counts are numbers; the central household column is unit-floor-room, "—" or empty
        for (int c : {0, 3, 4, 5}) EXPECT_THAT(row[c], ::testing::MatchesRegex("[0-9]+"));
        EXPECT_TRUE(std::regex_match(row[6], std::regex("(—|)|([0-9?]+-[0-9?]+-[0-9?]+(、[0-9?]+-[0-9?]+-[0-9?]+)*)"))) << row[6];
    }
    const auto totals = officer_table_totals(fixture_->data, grid("SQ01-01"));
    EXPECT_EQ(totals[0], "合计");
    EXPECT_EQ(totals[1], "8 栋");
}

TEST(PageSpec, PaperSizesAndPixelSizes) {
    PageSpec a4{"a4", false};
    EXPECT_NEAR(a4.size_pt().first, 595.28, 0.01);
    EXPECT_NEAR(a4.size_pt().second, 841.89, 0.01);
    PageSpec a0{"A0", true};
    EXPECT_NEAR(a0.size_pt().first, 1189 * 72 / 25.4, 0.01);
    EXPECT_THROW((PageSpec{"B5", false}.size_pt()), std::invalid_argument);
    EXPECT_EQ(parse_pixel_size("2400x1600"), std::make_pair(2400, 1600));
    EXPECT_EQ(parse_pixel_size("800×600"), std::make_pair(800, 600));
    EXPECT_THROW(parse_pixel_size("2400"), std::invalid_argument);
    EXPECT_THROW(parse_pixel_size("10x10"), std::invalid_argument);
    EXPECT_THROW(parse_pixel_size("2400x1600px"), std::invalid_argument);
    PageSpec px;
    px.width_px = 1200, px.height_px = 800, px.dpi = 144;
    EXPECT_NEAR(px.size_pt().first, 600, 1e-9);
    EXPECT_EQ(px.describe(), "1200 × 800 px");
    EXPECT_EQ(parse_style("Officer"), MapStyle::officer);
    EXPECT_EQ(parse_format(".PDF"), PrintFormat::pdf);
    EXPECT_FALSE(parse_format("jpeg"));
}

// One palette: every style (the print maps, the overview PNG, the tiles) includes styles/shared/palette.ent and
// takes the walking-minute bands, the facility slots and the non-residential colour from it, never spelling one out.
TEST(Palette, EveryStyleTakesTheSharedColoursFromOnePalette) {
    auto read = [](const fs::path& p) {
        std::ifstream in(p);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    const std::string palette = read(styles_dir() / "shared" / "palette.ent");
    ASSERT_FALSE(palette.empty());
    std::map<std::string, std::string> entities;
    const std::regex entity(R"re(<!ENTITY\s+([a-z0-9-]+)\s+"(#[0-9a-fA-F]{6})">)re");
    for (std::sregex_iterator it(palette.begin(), palette.end(), entity), end; it != end; ++it) entities[(*it)[1]] = (*it)[2];
    const std::vector<std::string> shared = {"band-le5", "band-le10", "band-le-thr", "band-beyond", "band-unknown", "nonres",
                                             "slot0", "slot1", "slot2", "slot3", "slot4", "slot5", "slot6", "slot7", "slot8"};
    for (const auto& key : shared) ASSERT_TRUE(entities.count(key)) << key;
    for (const char* style : {"officer.xml", "planner.xml", "overview.xml", "tiles.xml"}) {
        std::string text = read(styles_dir() / style);
        ASSERT_FALSE(text.empty()) << style;
        EXPECT_THAT(text, ::testing::HasSubstr("shared/palette.ent")) << style;
        for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (const auto& key : shared) {
            std::string hex = entities[key];
            for (auto& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            EXPECT_EQ(text.find("\"" + hex + "\""), std::string::npos) << style << " spells out " << key << " " << hex;
        }
    }
    EXPECT_THAT(read(styles_dir() / "overview.xml"), ::testing::HasSubstr("&band-le5;"));
    EXPECT_THAT(read(styles_dir() / "tiles.xml"), ::testing::HasSubstr("&slot0;"));
}

TEST_F(PrintMapTest, StylesLoadStrictlyWithEveryLayerProvided) {
    for (const char* style : {"officer.xml", "planner.xml", "overview.xml"}) {
        const StyledMap styled(styles_dir() / style, fixture_->ds.working_crs);
        EXPECT_GT(styled.layer_names().size(), 5u) << style;
    }
}

}  // namespace
}  // namespace gridatlas::render
