// The officer atlas on the hand-made fixture of print_map_test.cpp: page count (poppler's pdfinfo when installed,
// else the PDF's own page objects), page 1 rendered by pdftoppm is not blank, long tables continue on new pages and
// the index points at the right pages; with a status field, each unit's households by status go under its building's
// row; the page subtitle wraps and keeps every part.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include <unistd.h>

#include <cairo/cairo.h>   // (the test target has no cairo include path of its own)

#include "atlas.hpp"
#include "frame.hpp"
#include "map_setup.hpp"
#include "command_run.hpp"

namespace gridatlas::render {

struct PrintFixture {
    Dataset ds;
    MapData data;
};
std::unique_ptr<PrintFixture> make_print_fixture();   // print_map_test.cpp

namespace {

namespace fs = std::filesystem;

using test_support::CommandRun;
CommandRun run(const std::string& cmd) { return test_support::run_command(cmd); }
bool have(const char* tool) { return test_support::have_tool(tool); }

// Pages by pdfinfo, else by counting "/Type /Page" objects (not "/Pages").
int page_count(const fs::path& pdf) {
    if (have("pdfinfo")) {
        const CommandRun r = run("pdfinfo '" + pdf.string() + "'");
        std::smatch m;
        if (std::regex_search(r.out, m, std::regex(R"(Pages:\s+(\d+))"))) return std::stoi(m[1]);
        return -1;
    }
    std::ifstream in(pdf, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex page(R"(/Type\s*/Page(?![a-zA-Z]))");
    return static_cast<int>(std::distance(std::sregex_iterator(bytes.begin(), bytes.end(), page), std::sregex_iterator()));
}

class AtlasTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")) GTEST_SKIP() << "fonts-noto-cjk is not installed";
        dir_ = fs::temp_directory_path() / ("gridatlas_atlas_test_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        fixture_ = make_print_fixture();
        request_.data = &fixture_->data;
        request_.date = "2026-01-01";
    }
    void TearDown() override {
        std::error_code ec;
        if (!dir_.empty() && !std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT")) fs::remove_all(dir_, ec);
    }
    fs::path dir_;
    std::unique_ptr<PrintFixture> fixture_;
    AtlasRequest request_;
};

TEST_F(AtlasTest, IndexThenOnePagePerGrid) {
    const fs::path pdf = dir_ / "atlas.pdf";
    const AtlasResult res = render_atlas_pdf(request_, pdf);
    EXPECT_EQ(res.index_pages, 1);
    ASSERT_EQ(res.entries.size(), 3u);   // the three grids of the finest level, in code order
    EXPECT_EQ(fixture_->ds.grid(res.entries[0].grid).code, "SQ01-01");
    EXPECT_EQ(res.entries[0].first_page, 2);
    EXPECT_EQ(res.entries[1].first_page, 3);
    EXPECT_EQ(res.entries[2].first_page, 4);
    EXPECT_EQ(res.entries[0].buildings, 8u);
    EXPECT_EQ(res.pages, 4);
    EXPECT_EQ(page_count(pdf), 4);
}

TEST_F(AtlasTest, FirstPageRendersNotBlank) {
    if (!have("pdftoppm")) GTEST_SKIP() << "pdftoppm (poppler-utils) is not installed";
    const fs::path pdf = dir_ / "atlas.pdf";
    render_atlas_pdf(request_, pdf);
    for (int page : {1, 2}) {
        const fs::path prefix = dir_ / ("page" + std::to_string(page));
        const CommandRun r = run("pdftoppm -png -r 60 -f " + std::to_string(page) + " -l " + std::to_string(page) + " -singlefile '" +
                          pdf.string() + "' '" + prefix.string() + "'");
        ASSERT_EQ(r.status, 0) << r.out;
        const RgbaImage img = read_png_rgba(prefix.string() + ".png");
        EXPECT_NEAR(img.width, 496, 2);   // A4 at 60 dpi
        std::size_t ink = 0;
        std::set<std::uint32_t> colours;
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x) {
                const std::uint32_t p = img.pixel(x, y);
                ink += (p >> 8) != 0xffffff;
                colours.insert(p);
            }
        const double share = double(ink) / (double(img.width) * img.height);
        std::printf("[ page %d   ] %.1f%% ink, %zu colours\n", page, share * 100, colours.size());
        EXPECT_GT(share, page == 1 ? 0.01 : 0.2) << "page " << page << " is (nearly) blank";
        if (page == 2) {
            EXPECT_GT(colours.size(), 200u) << "the map page should hold a map";
        }
    }
}

// The embedded font programs (FontFile, FontFile2, FontFile3) of a PDF, as cairo writes them (uncompressed dicts).
int embedded_fonts(const fs::path& pdf) {
    std::ifstream in(pdf, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex file(R"(/FontFile[23]?\s)");
    return static_cast<int>(std::distance(std::sregex_iterator(bytes.begin(), bytes.end(), file), std::sregex_iterator()));
}

TEST_F(AtlasTest, EveryFontIsEmbeddedOnceHoweverManyMaps) {
    // Each map page draws labels in Noto Sans CJK Regular and Bold. Were the fonts embedded per map (Mapnik opens new
    // faces for every render), the three-grid atlas would carry two more subsets per map (and the legend samples'
    // renders more still); shared faces give at most four: the frame's Regular and Bold, the maps' Regular and Bold.
    const AtlasResult all = render_atlas_pdf(request_, dir_ / "all.pdf");
    ASSERT_EQ(all.entries.size(), 3u);
    request_.grids = {fixture_->ds.grids[2].id};
    render_atlas_pdf(request_, dir_ / "one.pdf");
    const int fonts_all = embedded_fonts(dir_ / "all.pdf"), fonts_one = embedded_fonts(dir_ / "one.pdf");
    EXPECT_GT(fonts_one, 0);
    EXPECT_LE(fonts_one, 4);
    EXPECT_LE(fonts_all, 4);
}

// Code points of the CJK radical blocks (U+2E80..U+2FDF) and compatibility ideographs (U+F900..U+FAFF) in UTF-8 text:
// what labels drawn by glyph index used to copy out as (网 as U+2F79, 户 as U+2F3E).
std::size_t radicals(const std::string& utf8) {
    std::size_t n = 0;
    for (std::size_t i = 0; i + 2 < utf8.size(); ++i) {
        const auto b0 = static_cast<unsigned char>(utf8[i]), b1 = static_cast<unsigned char>(utf8[i + 1]),
                   b2 = static_cast<unsigned char>(utf8[i + 2]);
        if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) continue;
        const unsigned cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
        n += (cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0xF900 && cp <= 0xFAFF);
    }
    return n;
}

std::size_t occurrences(const std::string& text, const std::string& word) {
    std::size_t n = 0;
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + word.size())) ++n;
    return n;
}

TEST_F(AtlasTest, PdfTextCopiesOutAsWritten) {
    if (!have("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    const fs::path pdf = dir_ / "atlas.pdf";
    render_atlas_pdf(request_, pdf);
    // Page 2: the first grid's map. Its map (Mapnik's labels) names the neighbouring grids and counts households
    // (户); the frame (title, legend, table; Cairo's own text) names the grid.
    const CommandRun map_page = run("pdftotext -enc UTF-8 -f 2 -l 2 '" + pdf.string() + "' -");
    ASSERT_EQ(map_page.status, 0) << map_page.out;
    EXPECT_EQ(radicals(map_page.out), 0u) << map_page.out;
    EXPECT_GE(occurrences(map_page.out, "第一网格"), 1u) << map_page.out;
    EXPECT_GE(occurrences(map_page.out, "第二网格"), 1u) << map_page.out;
    EXPECT_GE(occurrences(map_page.out, "第三网格"), 1u) << map_page.out;
    EXPECT_GE(occurrences(map_page.out, "户"), 8u + 3u) << map_page.out;   // "N户" on the 8 buildings, and the frame
    EXPECT_THAT(map_page.out, ::testing::HasSubstr("户数"));
    const CommandRun all = run("pdftotext -enc UTF-8 '" + pdf.string() + "' -");
    EXPECT_EQ(radicals(all.out), 0u) << all.out;
}

// `n` small houses in the fixture's third grid, 3 households each; `units(i)`: the units by status of house i.
void add_houses(PrintFixture& fx, int n, const std::function<std::vector<UnitStatus>(int)>& units = {}) {
    Dataset& ds = fx.ds;
    MapData& d = fx.data;
    const GridId third = ds.grids[3].id;
    for (int i = 0; i < n; ++i) {
        Building b;
        b.id = BuildingId(ds.buildings.size());
        b.source_id = "H" + std::to_string(i);
        const double x = 500000 + 305 + (i % 30) * 9.5, y = 4000000 + 255 + (i / 30) * 4.2;
        geo::Polygon p;
        p.outer() = {{x, y}, {x, y + 3}, {x + 6, y + 3}, {x + 6, y}, {x, y}};
        b.footprint = {p};
        b.anchor = {x + 3, y + 1.5};
        ds.buildings.push_back(b);
        d.buildings.push_back({3, 7, 1, 1, {"1-1-101"}});
        if (units) d.buildings.back().unit_status = units(i);
        d.building_minutes.push_back(4);
        d.building_grid[0].push_back(ds.grids[0].id);
        d.building_grid[1].push_back(third);
    }
}

TEST_F(AtlasTest, LongTablesContinueOnFollowingPages) {
    // 240 small houses in the third grid: its table needs more than the page under its map
    const GridId third = fixture_->ds.grids[3].id;
    add_houses(*fixture_, 240);
    const fs::path pdf = dir_ / "long.pdf";
    const AtlasResult res = render_atlas_pdf(request_, pdf);
    ASSERT_EQ(res.entries.size(), 3u);
    EXPECT_EQ(res.entries[2].buildings, 243u);
    EXPECT_GE(res.entries[2].pages, 2);
    EXPECT_EQ(res.pages, res.index_pages + res.entries[0].pages + res.entries[1].pages + res.entries[2].pages);
    EXPECT_EQ(page_count(pdf), res.pages);
    // 243 buildings are too many for one map: detail maps follow, and every number 1..243 is placed on the grid's maps
    // (the placement log) and drawn on its pages (the PDF's text), none twice on one map
    std::set<std::size_t> placed;
    int detail_maps = 0;
    for (const auto& m : res.maps) {
        if (m.grid != third) continue;
        detail_maps += m.detail > 0;
        std::set<std::size_t> on_map;
        for (const auto& n : m.numbers) EXPECT_TRUE(on_map.insert(n.number).second) << n.number << " twice on page " << m.page;
        placed.insert(on_map.begin(), on_map.end());
    }
    EXPECT_GE(detail_maps, 1);
    EXPECT_EQ(placed.size(), 243u);
    if (!have("pdftotext")) return;
    const int first = res.entries[2].first_page, last = first + res.entries[2].pages - 1;
    const CommandRun text = run("pdftotext -raw -enc UTF-8 -f " + std::to_string(first) + " -l " + std::to_string(last) + " '" +
                                pdf.string() + "' -");
    ASSERT_EQ(text.status, 0) << text.out;
    EXPECT_EQ(occurrences(text.out, "局部图 "), static_cast<std::size_t>(detail_maps));   // "局部图 k/K" in their titles
    std::set<int> drawn;
    const std::regex number(R"((\d+)号楼)");
    for (auto it = std::sregex_iterator(text.out.begin(), text.out.end(), number); it != std::sregex_iterator(); ++it)
        drawn.insert(std::stoi((*it)[1]));
    int missing = 0;
    for (int k = 1; k <= 243; ++k) missing += drawn.count(k) == 0;
    EXPECT_EQ(missing, 0);
}

// With a status field, every third house has three units: their lines go under its row (rows of three heights: plain,
// with unit lines, and the fixture's own), the table continues on more pages, and no row runs past a page's content
// area into the footer.
TEST_F(AtlasTest, UnitLinesGoUnderTheirBuildingAndTablesStillContinue) {
    add_houses(*fixture_, 240);
    const AtlasResult plain = render_atlas_pdf(request_, dir_ / "plain.pdf");
    fixture_ = make_print_fixture();
    request_.data = &fixture_->data;
    fixture_->data.household_status = true;
    add_houses(*fixture_, 240, [](int i) {
        std::vector<UnitStatus> u;
        if (i % 3 == 0)
            for (int k = 1; k <= 3; ++k) u.push_back({std::to_string(k) + "单元", {k, 1, 0, i % 2, 0}});
        return u;
    });
    const fs::path pdf = dir_ / "units.pdf";
    const AtlasResult res = render_atlas_pdf(request_, pdf);
    ASSERT_EQ(res.entries.size(), 3u);
    EXPECT_EQ(res.entries[2].buildings, 243u);
    EXPECT_GT(res.entries[2].pages, plain.entries[2].pages);   // 240 more lines of table
    EXPECT_EQ(page_count(pdf), res.pages);
    if (!have("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    const CommandRun text = run("pdftotext -raw -enc UTF-8 '" + pdf.string() + "' -");
    ASSERT_EQ(text.status, 0) << text.out;
    const std::regex line(R"(([123])单元\s*常住\s*(\d+)\s*租住\s*1\s*空置\s*0\s*经营\s*([01]))");
    std::map<int, int> lines;   // unit → lines
    for (auto it = std::sregex_iterator(text.out.begin(), text.out.end(), line); it != std::sregex_iterator(); ++it) {
        EXPECT_EQ((*it)[1], (*it)[2]);   // unit k has k resident households
        ++lines[std::stoi((*it)[1])];
    }
    EXPECT_EQ(lines, (std::map<int, int>{{1, 80}, {2, 80}, {3, 80}}));
    EXPECT_EQ(occurrences(text.out, "多单元楼下列各单元住户状态"), 1u);   // the caption says what the lines are
    // every table word above the content area's bottom (A4: the page less its margin and the footer band)
    const CommandRun boxes = run("pdftotext -bbox -enc UTF-8 '" + pdf.string() + "' -");
    const std::regex word(R"re(<word xMin="[-\d.]+" yMin="[-\d.]+" xMax="[-\d.]+" yMax="([-\d.]+)">([^<]*(单元|常住|经营)[^<]*)</word>)re");
    const double bottom = 841.89 - std::max(18.0, 0.032 * 595.28) - 14;
    int words = 0;
    for (auto it = std::sregex_iterator(boxes.out.begin(), boxes.out.end(), word); it != std::sregex_iterator(); ++it, ++words)
        EXPECT_LE(std::stod((*it)[1]), bottom + 0.5) << (*it)[2];
    EXPECT_GE(words, 240 * 2);
}

// The subtitle wraps between its parts, never inside one, and keeps every part.
TEST(AtlasHeader, SubtitleWrapsBetweenItsPartsAndKeepsThemAll) {
    if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")) GTEST_SKIP() << "fonts-noto-cjk is not installed";
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
    cairo_t* cr = cairo_create(s);
    const std::string sub = "999001001003013  ·  岩城社区  ·  住宅楼 32 栋  ·  单元 58 个  ·  449 户  ·  1,289 人  ·  党员户 15  ·  "
                            "党员中心户 10  ·  常住 352 · 租住 66 · 空置 24 · 经营 5 · 未知 2";
    const frame::Font font{7.6, false, 0x555555};
    const auto one = frame::wrap_at(cr, sub, "  ·  ", font, 2000);
    const auto two = frame::wrap_at(cr, sub, "  ·  ", font, 540);   // about A4's content width
    const auto narrow = frame::wrap_at(cr, sub, "  ·  ", font, 30);
    cairo_destroy(cr), cairo_surface_destroy(s);
    EXPECT_EQ(one, std::vector<std::string>{sub});
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0] + "  ·  " + two[1], sub);
    EXPECT_EQ(two[1], "常住 352 · 租住 66 · 空置 24 · 经营 5 · 未知 2");   // the counts by status whole on the second line
    std::string joined;
    for (const auto& l : narrow) joined += l;
    for (const std::string part : {"999001001003013", "岩城社区", "未知 2"}) EXPECT_NE(joined.find(part), std::string::npos) << part;
    EXPECT_EQ(joined.find("…"), std::string::npos);
}

TEST_F(AtlasTest, ChosenLevelAndGrids) {
    request_.level = 0;   // the community
    AtlasResult res = render_atlas_pdf(request_, dir_ / "community.pdf");
    ASSERT_EQ(res.entries.size(), 1u);
    EXPECT_EQ(res.entries[0].buildings, 16u);
    EXPECT_EQ(page_count(dir_ / "community.pdf"), res.pages);

    request_.level = -1;
    request_.grids = {fixture_->ds.grids[2].id};
    res = render_atlas_pdf(request_, dir_ / "one.pdf");
    ASSERT_EQ(res.entries.size(), 1u);
    EXPECT_EQ(res.pages, 2);
}

TEST_F(AtlasTest, PixelPagesAreRefused) {
    request_.page.width_px = 1000;
    request_.page.height_px = 1000;
    EXPECT_THROW(render_atlas_pdf(request_, dir_ / "x.pdf"), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::render
