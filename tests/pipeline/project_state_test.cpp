// pipeline::ProjectState: each stage is computed once however often it is asked for; placement always uses the
// project's [household_placement] options; Grid::parent comes from the grid tree, also for grids parented by overlap
// (no parent code), so officer maps and the atlas index name the parent; empty measures are warned about once.
#include "project_state.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using namespace gridatlas;
using namespace gridatlas::pipeline;

namespace {

const fs::path fixtures = fs::path(GRIDATLAS_TEST_FIXTURES);

std::string read(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

// A copy of the tiny fixture, changed by `edit(project_toml, grids_geojson)`.
fs::path tiny_variant(const std::string& name, void (*edit)(std::string&, std::string&)) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas_state_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::copy(fixtures / "tiny", dir, fs::copy_options::recursive);
    std::string project = read(dir / "project.toml"), grids = read(dir / "grids.geojson");
    edit(project, grids);
    std::ofstream(dir / "project.toml", std::ios::binary | std::ios::trunc) << project;
    std::ofstream(dir / "grids.geojson", std::ios::binary | std::ios::trunc) << grids;
    return dir / "project.toml";
}

std::size_t stage_count(const StageClock& clock, const std::string& stage) {
    std::size_t n = 0;
    for (const auto& t : clock.json()) n += t["stage"] == stage;
    return n;
}

TEST(ProjectState, EachStageOnceAndOnlyWhenAsked) {
    Diagnostics diag;
    StageClock clock;
    ProjectState s(fixtures / "placement" / "project.toml", diag, clock);
    EXPECT_EQ(stage_count(clock, "grid hierarchy"), 0u);   // nothing computed before it is asked for
    s.assignment();
    s.assignment();
    s.liaison();
    s.central();
    s.liaison();
    EXPECT_EQ(stage_count(clock, "grid hierarchy"), 1u);
    EXPECT_EQ(stage_count(clock, "assign households"), 1u);
    EXPECT_EQ(stage_count(clock, "liaison"), 1u);
    EXPECT_EQ(stage_count(clock, "walking access"), 0u);   // placement needs no network
    s.stats();
    s.stats();
    EXPECT_EQ(stage_count(clock, "walking access"), 1u);
    EXPECT_EQ(stage_count(clock, "coverage statistics"), 1u);
}

// The placement fixture's rows by address and by point need [household_placement]: with it, B2 (东网格) holds P04.
TEST(ProjectState, PlacementUsesTheProjectOptions) {
    Diagnostics diag;
    StageClock clock;
    ProjectState s(fixtures / "placement" / "project.toml", diag, clock);
    const auto per_building = s.households_per_building();
    double total = 0;
    for (double h : per_building) total += h;
    EXPECT_EQ(total, 6);   // README: 6 households in buildings (5 in 西网格, 1 in 东网格)
}

TEST(ProjectState, GridParentFromTheTreeByCode) {
    Diagnostics diag;
    StageClock clock;
    ProjectState s(fixtures / "tiny" / "project.toml", diag, clock);
    s.tree();
    for (const Grid& g : s.ds().grids) {
        if (g.level == 0) {
            EXPECT_FALSE(g.parent.valid());
        }
        else {
            ASSERT_TRUE(g.parent.valid()) << g.code;
            EXPECT_EQ(s.ds().grid(g.parent).code, "110101001") << g.code;
        }
    }
}

// Without parent codes the tree parents each grid by its largest overlap; Grid::parent follows it.
TEST(ProjectState, GridParentFromTheTreeByOverlap) {
    const fs::path project = tiny_variant("overlap", [](std::string& toml, std::string& grids) {
        replace_all(toml, "parent_code = \"parent_code\"\n", "");
        replace_all(grids, ", \"parent_code\": \"110101001\"", "");
    });
    Diagnostics diag;
    StageClock clock;
    ProjectState s(project, diag, clock);
    for (const Grid& g : s.ds().grids) EXPECT_TRUE(g.parent_code.empty());
    s.tree();
    std::size_t parented = 0;
    for (const Grid& g : s.ds().grids)
        if (g.level == 1) {
            ASSERT_TRUE(g.parent.valid()) << g.code;
            EXPECT_EQ(s.ds().grid(g.parent).code, "110101001") << g.code;
            ++parented;
        }
    EXPECT_EQ(parented, 2u);
}

// A service kind no facility has gives 0 % coverage: the state says so once, naming the kind.
TEST(ProjectState, KindWithoutFacilityWarnedOnce) {
    const fs::path project = tiny_variant("kind", [](std::string& toml, std::string&) {
        toml += "\n[[service_kinds]]\nkey = \"school\"\nname = \"学校\"\nminutes = 10\n";
    });
    Diagnostics diag;
    StageClock clock;
    ProjectState s(project, diag, clock);
    s.stats();
    std::size_t warned = 0;
    for (const auto& d : diag.items())
        if (d.code == "kind_without_facility") {
            ++warned;
            EXPECT_NE(d.message.find("'school'"), std::string::npos) << d.message;
        }
    EXPECT_EQ(warned, 1u);
}

}  // namespace
