// Every residential building numbered on its map, and the atlas frame never clipped: the A3 officer PDF of the sample's densest grid, the PDF text
// read back with pdftotext (atlas_text.hpp; the whole atlas: atlas_whole_test.cpp). For every grid, the building
// numbers drawn on its pages ("12号楼") must be exactly 1..N, where N is the residential building count its page
// header states.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <unistd.h>

#include "atlas_text.hpp"
#include "command_run.hpp"

namespace {

namespace fs = std::filesystem;
using gridatlas::test_support::CommandRun;
using gridatlas::test_support::run_command;
using gridatlas::test_support::GridNumbers;
using gridatlas::test_support::numbers_by_grid;

const fs::path kSample = fs::path(GRIDATLAS_SOURCE_DIR) / "data" / "sample";

std::string pdf_text(const std::string& args, const std::string& name) {
    const fs::path pdf = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()) + ".pdf");
    const CommandRun r = run_command(std::string(GRIDATLAS_BIN) + " " + args + " --date 2026-01-01 -o '" + pdf.string() + "'");
    EXPECT_EQ(r.status, 0) << r.out;
    // -raw: text in the order it was drawn. In reading order a badge or status count drawn beside a number runs into
    // it ("1" + "45号楼" read as "145号楼").
    const CommandRun text = run_command("pdftotext -raw -enc UTF-8 '" + pdf.string() + "' -");
    fs::remove(pdf);
    EXPECT_EQ(text.status, 0) << text.out;
    return text.out;
}

const std::string kProject = "'" + (kSample / "project.toml").string() + "'";

TEST(AtlasNumbers, OfficerA3MapOfTheDensestGridNumbersEveryBuilding) {
    const auto grids = numbers_by_grid(pdf_text("render " + kProject + " --style officer --grid 999001001018001 "
                                                "--paper A3 --landscape", "gridatlas_officer_numbers"));
    ASSERT_EQ(grids.count("999001001018001"), 1u);
    const GridNumbers& g = grids.at("999001001018001");
    EXPECT_EQ(g.stated, 131);
    int stated = 0, drawn = 0;
    const std::string bad = gridatlas::test_support::check_numbers(grids, stated, drawn);
    std::printf("[ officer A3 ] %d of %d building numbers drawn\n", drawn, stated);
    EXPECT_TRUE(bad.empty()) << bad;
}

// The frame is never clipped: on the atlas pages of grids whose scale bar and north arrow once ran past the page's
// right edge (their legend listed facilities beyond the grid's box), every word pdftotext finds lies inside its page,
// and every grid page shows its scale bar ("比例尺").
TEST(AtlasFrame, EveryWordInsideThePageOnGridsWithTallLegends) {
    const fs::path pdf = fs::temp_directory_path() / ("gridatlas_atlas_frame_" + std::to_string(::getpid()) + ".pdf");
    const CommandRun r = run_command(std::string(GRIDATLAS_BIN) + " atlas " + kProject +
                                     " --grids 999001001023002,999001001005001,999001001016001 --date 2026-01-01 -o '" + pdf.string() + "'");
    ASSERT_EQ(r.status, 0) << r.out;
    const CommandRun text = run_command("pdftotext -bbox -enc UTF-8 '" + pdf.string() + "' -");
    fs::remove(pdf);
    ASSERT_EQ(text.status, 0) << text.out;
    const std::regex page_re(R"re(<page width="([\d.]+)" height="([\d.]+)">)re");
    const std::regex word_re(R"re(<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>)re");
    int pages = 0, scale_bars = 0, words = 0;
    std::string outside;
    const std::string& x = text.out;
    for (auto p = std::sregex_iterator(x.begin(), x.end(), page_re); p != std::sregex_iterator(); ++p) {
        ++pages;
        const double w = std::stod((*p)[1]), h = std::stod((*p)[2]);
        const auto from = x.begin() + (p->position() + p->length());
        const auto to = x.begin() + static_cast<std::ptrdiff_t>(std::min(x.find("</page>", p->position()), x.size()));
        for (auto it = std::sregex_iterator(from, to, word_re); it != std::sregex_iterator(); ++it) {
            ++words;
            if ((*it)[5] == "比例尺") ++scale_bars;
            if (std::stod((*it)[1]) < 0 || std::stod((*it)[2]) < 0 || std::stod((*it)[3]) > w || std::stod((*it)[4]) > h)
                outside += "\n  page " + std::to_string(pages) + ": '" + std::string((*it)[5]) + "' at x " + std::string((*it)[1]) + ".." + std::string((*it)[3]);
        }
    }
    EXPECT_GE(pages, 4);        // an index page, a page per grid, detail maps and table continuations
    EXPECT_GE(scale_bars, 3);
    EXPECT_GT(words, 500);
    EXPECT_TRUE(outside.empty()) << "words past the page's edge:" << outside;
}

}  // namespace
