// The whole sample atlas, rendered once (pipeline::atlas_job, as `gridatlas atlas data/sample/project.toml`): every
// residential building of every grid carries its number on a map of its grid, legibly —
//  - the PDF's text (pdftotext -raw, atlas_text.hpp): per grid exactly the numbers 1..N of its table;
//  - the placement log (render::AtlasMapLog): per grid, its maps carry the numbers 1..N; on no map do two number
//    boxes overlap, a number cover a mark or leave the map's frame;
//  - the PDF's word boxes (pdftotext -bbox): no two numbers drawn on a page overlap;
//  - the stairwell-unit digits keep at least 1 pt from every number (the placement log and the PDF's word boxes);
//  - every page's subtitle is whole: no "…", the grid pages' ending with their counts by status.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "atlas_job.hpp"
#include "atlas_text.hpp"
#include "render_job.hpp"
#include "command_run.hpp"

namespace gridatlas {
namespace {

namespace fs = std::filesystem;
using render::AtlasMapLog;
using render::PlacedNumber;
using test_support::run_command;

class AtlasWhole : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")) return;
        pdf_ = new fs::path(fs::temp_directory_path() / ("gridatlas_atlas_whole_" + std::to_string(::getpid()) + ".pdf"));
        pipeline::AtlasConfig config;
        config.project_file = fs::path(GRIDATLAS_SOURCE_DIR) / "data" / "sample" / "project.toml";
        config.out_file = *pdf_;
        config.date = "2026-01-01";
        Diagnostics diag;
        report_ = new pipeline::AtlasReport(pipeline::atlas_job(config, diag));
        std::printf("%s", pipeline::format_atlas(*report_).c_str());
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        if (pdf_) fs::remove(*pdf_, ec);
        delete pdf_, pdf_ = nullptr;
        delete report_, report_ = nullptr;
    }
    void SetUp() override {
        if (!report_) GTEST_SKIP() << "fonts-noto-cjk is not installed";
    }
    static std::string text_of(const std::string& options) {
        const auto r = run_command("pdftotext " + options + " -enc UTF-8 '" + pdf_->string() + "' -");
        EXPECT_EQ(r.status, 0) << r.out;
        return r.out;
    }
    static inline fs::path* pdf_ = nullptr;
    static inline pipeline::AtlasReport* report_ = nullptr;
};

TEST_F(AtlasWhole, EveryGridsPagesDrawExactlyTheNumbersOfItsTable) {
    if (!test_support::have_tool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    // -raw: text in the order it was drawn (in reading order a badge drawn beside a number could run into it)
    const auto grids = test_support::numbers_by_grid(text_of("-raw"));
    EXPECT_EQ(grids.size(), report_->grids);
    int stated = 0, drawn = 0;
    const std::string bad = test_support::check_numbers(grids, stated, drawn);
    std::printf("[ atlas ] %d of %d building numbers drawn, %d pages\n", drawn, stated, report_->pages);
    EXPECT_EQ(static_cast<std::size_t>(stated), report_->buildings);
    EXPECT_GT(stated, 9000);   // the sample: 9,303 residential buildings in 144 grids
    EXPECT_TRUE(bad.empty()) << bad;
}

// The log's numbers per grid, and how each map's boxes lie.
std::string map_faults(const AtlasMapLog& m) {
    std::string bad;
    const std::string where = "page " + std::to_string(m.page) + ": ";
    for (std::size_t i = 0; i < m.numbers.size(); ++i) {
        const PlacedNumber& a = m.numbers[i];
        const auto& b = a.box;
        if (b.min_corner().x() < 0 || b.min_corner().y() < 0 || b.max_corner().x() > m.width || b.max_corner().y() > m.height)
            bad += "\n  " + where + std::to_string(a.number) + "号楼 leaves the frame";
        for (const auto& o : m.obstacles)
            if (render::boxes_overlap(b, o)) bad += "\n  " + where + std::to_string(a.number) + "号楼 covers a mark";
        for (std::size_t j = i + 1; j < m.numbers.size(); ++j)
            if (render::boxes_overlap(b, m.numbers[j].box))
                bad += "\n  " + where + std::to_string(a.number) + "号楼 overlaps " + std::to_string(m.numbers[j].number) + "号楼";
    }
    return bad;
}

TEST_F(AtlasWhole, PlacementLogHasEveryNumberAndNoOverlap) {
    std::map<std::size_t, std::set<std::size_t>> by_grid;   // grid index → numbers placed on its maps
    std::string bad;
    std::size_t placed = 0, leaders = 0;
    for (const auto& m : report_->maps) {
        for (const auto& n : m.numbers) by_grid[m.grid.index()].insert(n.number), ++placed, leaders += n.leader;
        if (bad.size() < 2000) bad += map_faults(m);
    }
    EXPECT_TRUE(bad.empty()) << bad;
    // per grid, the numbers on its maps are 1..N of its table
    std::size_t grids_complete = 0;
    for (const auto& [grid, got] : by_grid) grids_complete += !got.empty() && *got.begin() == 1 && got.size() == *got.rbegin();
    EXPECT_EQ(grids_complete, by_grid.size());
    EXPECT_EQ(report_->numbered_on_maps, report_->buildings);
    std::printf("[ atlas ] %zu maps (%zu detail maps), %zu numbers placed, %zu on leader lines\n", report_->maps.size(),
                report_->detail_maps, placed, leaders);
}

// Word boxes of "k号楼" on each page, as poppler finds them in the drawn PDF: none overlaps another.
TEST_F(AtlasWhole, DrawnNumbersDoNotOverlapOnAnyPage) {
    if (!test_support::have_tool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    const std::string x = text_of("-bbox");
    const std::regex page_re(R"(<page )");
    const std::regex word_re(R"re(<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(\d+)号楼</word>)re");
    std::string bad;
    int pages = 0, words = 0;
    std::size_t at = x.find("<page ");
    while (at != std::string::npos) {
        ++pages;
        const std::size_t next = x.find("<page ", at + 1);
        const std::string page = x.substr(at, (next == std::string::npos ? x.size() : next) - at);
        std::vector<std::pair<geo::Box, std::string>> boxes;
        for (auto it = std::sregex_iterator(page.begin(), page.end(), word_re); it != std::sregex_iterator(); ++it) {
            // a little slack: poppler's boxes are the font's ascent and descent, the placement's have a halo
            const geo::Box b({std::stod((*it)[1]) + 0.3, std::stod((*it)[2]) + 0.3}, {std::stod((*it)[3]) - 0.3, std::stod((*it)[4]) - 0.3});
            for (const auto& [o, name] : boxes)
                if (render::boxes_overlap(b, o) && bad.size() < 2000)
                    bad += "\n  page " + std::to_string(pages) + ": " + std::string((*it)[5]) + "号楼 over " + name;
            boxes.emplace_back(b, std::string((*it)[5]) + "号楼");
            ++words;
        }
        at = next;
    }
    EXPECT_GT(words, 9000);
    EXPECT_TRUE(bad.empty()) << bad;
}

// Word boxes of one kind per page of the PDF: (page, box, word).
struct PageWord {
    int page;
    geo::Box box;
    std::string text;
};
std::vector<PageWord> words_of(const std::string& bbox_xml, const std::regex& word_re) {
    std::vector<PageWord> out;
    int page = 0;
    const std::regex any(R"re(<page |<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>)re");
    for (auto it = std::sregex_iterator(bbox_xml.begin(), bbox_xml.end(), any); it != std::sregex_iterator(); ++it) {
        if (!(*it)[1].matched) {
            ++page;
            continue;
        }
        const std::string text = (*it)[5];
        if (!std::regex_match(text, word_re)) continue;
        out.push_back({page, geo::Box({std::stod((*it)[1]), std::stod((*it)[2])}, {std::stod((*it)[3]), std::stod((*it)[4])}), text});
    }
    return out;
}

TEST_F(AtlasWhole, UnitDigitsKeepClearOfEveryNumber) {
    // the placement log: every unit digit at least kUnitClearance from every number box (which has its halo) of its map
    std::size_t digits = 0;
    double nearest = 1e9;
    for (const auto& m : report_->maps)
        for (const auto& u : m.unit_labels) {
            ++digits;
            for (const auto& n : m.numbers) nearest = std::min(nearest, render::box_gap(u, n.box));
        }
    EXPECT_GT(digits, 5000u);   // the sample's dense grids show their units
    EXPECT_GE(nearest, render::kUnitClearance - 1e-9);
    // the PDF as drawn: the word box of a unit digit (4.8 pt, 6.95 pt tall as poppler boxes Noto CJK) at least 1 pt from
    // every "k号楼" box on its page
    if (!test_support::have_tool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    const std::string x = text_of("-bbox");
    const auto numbers = words_of(x, std::regex(R"(\d+号楼)"));
    auto units = words_of(x, std::regex(R"(\d{1,2})"));
    units.erase(std::remove_if(units.begin(), units.end(), [](const PageWord& w) {
                    const double h = w.box.max_corner().y() - w.box.min_corner().y();
                    return h < 6.6 || h > 7.2;
                }),
                units.end());
    EXPECT_GT(units.size(), 5000u);
    std::map<int, std::vector<const PageWord*>> by_page;
    for (const auto& n : numbers) by_page[n.page].push_back(&n);
    double min_gap = 1e9;
    std::string where;
    for (const auto& u : units)
        for (const PageWord* n : by_page[u.page])
            if (const double g = render::box_gap(u.box, n->box); g < min_gap)
                min_gap = g, where = "page " + std::to_string(u.page) + ": unit " + u.text + " by " + n->text;
    std::printf("[ atlas ] %zu unit digits drawn; nearest to a number: %.2f pt (%s)\n", units.size(), min_gap, where.c_str());
    EXPECT_GE(min_gap, 1.0) << where;
}

TEST_F(AtlasWhole, SubtitlesAreWhole) {
    if (!test_support::have_tool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    const std::string t = text_of("-raw");
    EXPECT_EQ(t.find("…"), std::string::npos);
    // the dense centre's grid, whose subtitle ended in "经…" on A4: every part there, its counts by status on a line
    const std::regex sub(R"(999001001003013 · 岩城社区 · 住宅楼 \d+ 栋 · 单元 \d+ 个 · [\d,]+ 户 · [\d,]+ 人 · 党员户 \d+ · 党员中心户 \d+\s+)"
                         R"(常住 \d+ · 租住 \d+ · 空置 \d+ · 经营 \d+)");
    EXPECT_GE(std::distance(std::sregex_iterator(t.begin(), t.end(), sub), std::sregex_iterator()), 1);
}

// The officer map of the same grid (`gridatlas render --style officer`), on A4 and A3 portrait: its header's subtitle
// whole too, on two lines where one is too short.
TEST(OfficerMapHeader, SubtitleIsWholeOnA4AndA3) {
    if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")) GTEST_SKIP() << "fonts-noto-cjk is not installed";
    if (!test_support::have_tool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    for (const char* paper : {"A4", "A3"}) {
        pipeline::RenderConfig config;
        config.project_file = fs::path(GRIDATLAS_SOURCE_DIR) / "data" / "sample" / "project.toml";
        config.out_file = fs::temp_directory_path() / ("gridatlas_officer_header_" + std::to_string(::getpid()) + paper + ".pdf");
        config.style = "officer";
        config.grid = "999001001003013";
        config.page = render::PageSpec{paper, false};
        Diagnostics diag;
        pipeline::render_job(config, diag);
        const auto r = run_command("pdftotext -raw -l 1 -enc UTF-8 '" + config.out_file.string() + "' -");
        std::error_code ec;
        fs::remove(config.out_file, ec);
        ASSERT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(r.out.find("…"), std::string::npos) << paper;
        EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(999001001003013 · 岩城社区 · .* · 党员中心户 \d+)"))) << paper << "\n"
                                                                                                     << r.out.substr(0, 600);
        EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(常住 \d+ · 租住 \d+ · 空置 \d+ · 经营 \d+ · 未知 \d+)"))) << paper;
    }
}

}  // namespace
}  // namespace gridatlas
