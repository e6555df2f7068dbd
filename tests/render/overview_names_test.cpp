// The wall map names every level at every paper size: `gridatlas render --style overview` on the bundled sample at
// A4, A3 and A0, its PDF text read back with pdftotext, counted against the names in the sample's GeoPackage (read
// with ogrinfo). Every one of the 25 communities and 144 grids must be named, on the map or in the index of codes
// under it (as text that copies out as written); the render's report must account for all 169 — on the map plus by
// code — with no code left without a free place, and at least as many names on the map as fit before the index
// existed (A3 51, A0 88 — the index must not replace names that fit).
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

TEST_P(OverviewNamesTest, EveryCommunityAndGridIsNamedOnTheMapOrInTheIndex) {
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
    EXPECT_EQ(grid_names, grids.size());
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(names: (\d+) on the map, (\d+) by code in the index)"))) << r.out;
    const std::size_t on_map = std::stoul(m[1]), by_code = std::stoul(m[2]);
    std::printf("[ %s ] %zu names on the map, %zu by code\n", paper, on_map, by_code);
    EXPECT_EQ(on_map + by_code, communities.size() + grids.size());
    EXPECT_GE(on_map, min_grids);
    EXPECT_EQ(r.out.find("found no free place"), std::string::npos) << r.out;
}

// The credit line comes from the project file: the sample (OSM-derived) sets `[map] attribution`, and a copy of its
// project file without that key prints no OSM line at all.
TEST(OverviewAttribution, ComesFromTheProjectFileOnly) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas_attribution_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (const char* f : {"sample.gpkg", "households.csv"}) fs::create_symlink(kSample / f, dir / f);
    ASSERT_EQ(run_command("grep -v '^attribution' '" + (kSample / "project.toml").string() + "' > '" +
                          (dir / "project.toml").string() + "'").status, 0);
    auto text_of = [&](const fs::path& project) {
        const fs::path pdf = dir / "map.pdf";
        const CommandRun r = run_command(std::string(GRIDATLAS_BIN) + " render '" + project.string() +
                                         "' --style overview --paper A4 --date 2026-01-01 -o '" + pdf.string() + "'");
        EXPECT_EQ(r.status, 0) << r.out;
        return run_command("pdftotext -enc UTF-8 '" + pdf.string() + "' -").out;
    };
    EXPECT_NE(text_of(kSample / "project.toml").find("© OpenStreetMap contributors"), std::string::npos);
    const std::string without = text_of(dir / "project.toml");
    EXPECT_EQ(without.find("OpenStreetMap"), std::string::npos);
    EXPECT_NE(without.find("坐标系"), std::string::npos);   // the footer is still there
    fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Papers, OverviewNamesTest,
                         ::testing::Values(std::make_pair("A4", std::size_t{40}), std::make_pair("A3", std::size_t{51}),
                                           std::make_pair("A0", std::size_t{88})),
                         [](const auto& info) { return std::string(info.param.first); });

}  // namespace
