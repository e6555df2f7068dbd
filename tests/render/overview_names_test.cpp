// The wall map names every level: `gridatlas render --style overview` on the bundled sample at A3 and A0, its PDF
// text read back with pdftotext, counted against the names in the sample's GeoPackage (read with ogrinfo). Every
// one of the 25 communities must be named (as text that copies out as written); grid names are counted and must not
// fall below what fits today (A3 51, A0 90 of 144 — they would all need an index beside the map, not done yet).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

#include "command_run.hpp"

namespace {

namespace fs = std::filesystem;
using gridatlas::test_support::CommandRun;
using gridatlas::test_support::run_command;

const fs::path kSample = fs::path(GRIDATLAS_SOURCE_DIR) / "data" / "sample";

// The `name` field of every feature of `layer` in the sample's GeoPackage.
std::vector<std::string> names_of(const std::string& layer) {
    const CommandRun r = run_command("ogrinfo -ro -q -sql 'SELECT name FROM " + layer + "' '" +
                                     (kSample / "sample.gpkg").string() + "'");
    EXPECT_EQ(r.status, 0) << r.out;
    std::vector<std::string> names;
    const std::regex line(R"(\n\s*name \(String\) = ([^\n]+))");
    for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), line); it != std::sregex_iterator(); ++it)
        names.push_back((*it)[1]);
    return names;
}

// Names that occur in `text` as themselves: not as the start of a longer name ("海景社区" in "海景社区第1网格", "第1网格"
// in "第11网格").
std::vector<std::string> found(const std::string& text, const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names)
        for (std::size_t at = text.find(n); at != std::string::npos; at = text.find(n, at + 1)) {
            const std::string next = text.substr(at + n.size(), 3);
            if (next != "第" && !(next.size() > 0 && std::isdigit(static_cast<unsigned char>(next[0])))) {
                out.push_back(n);
                break;
            }
        }
    return out;
}

class OverviewNamesTest : public ::testing::TestWithParam<std::pair<const char*, std::size_t>> {};

TEST_P(OverviewNamesTest, EveryCommunityAndMostGridsAreNamed) {
    const auto [paper, min_grids] = GetParam();
    const std::vector<std::string> communities = names_of("communities"), grids = names_of("grids");
    ASSERT_EQ(communities.size(), 25u);
    ASSERT_EQ(grids.size(), 144u);
    const fs::path pdf = fs::temp_directory_path() / ("gridatlas_overview_" + std::string(paper) + "_" +
                                                      std::to_string(::getpid()) + ".pdf");
    const CommandRun r = run_command(std::string(GRIDATLAS_BIN) + " render '" + (kSample / "project.toml").string() +
                                     "' --style overview --paper " + paper + " --date 2026-01-01 -o '" + pdf.string() + "'");
    ASSERT_EQ(r.status, 0) << r.out;
    const CommandRun text = run_command("pdftotext -enc UTF-8 '" + pdf.string() + "' -");
    fs::remove(pdf);
    ASSERT_EQ(text.status, 0) << text.out;
    const std::vector<std::string> named = found(text.out, communities);
    std::string missing;
    for (const auto& c : communities)
        if (std::find(named.begin(), named.end(), c) == named.end()) missing += " " + c;
    EXPECT_EQ(named.size(), communities.size()) << "communities not named on " << paper << ":" << missing;
    const std::size_t grid_names = found(text.out, grids).size();
    std::printf("[ %s ] %zu of %zu communities, %zu of %zu grids named\n", paper, named.size(), communities.size(),
                grid_names, grids.size());
    EXPECT_GE(grid_names, min_grids);
}

INSTANTIATE_TEST_SUITE_P(Papers, OverviewNamesTest,
                         ::testing::Values(std::make_pair("A3", std::size_t{51}), std::make_pair("A0", std::size_t{88})),
                         [](const auto& info) { return std::string(info.param.first); });

}  // namespace
