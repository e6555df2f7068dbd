// Every command that counts households per grid — assign, check, grid draw, officer and run — takes its households
// from the one project state, so on the same project they agree grid by grid. On tests/fixtures/placement (where
// rows are located by building id, address and point, README: 西网格 5, 东网格 1, community 6) and on the tiny
// fixture. Before the project state, `check` placed rows without the project's placement options and flagged 东网格
// as empty, and `grid draw` counted 3 households.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "assign_job.hpp"
#include "check_job.hpp"
#include "grid_draw_job.hpp"
#include "layer_rows.hpp"
#include "model/diagnostics.hpp"
#include "officer_job.hpp"
#include "run_job.hpp"

namespace fs = std::filesystem;
using namespace gridatlas;
using namespace gridatlas::pipeline;

namespace {

const fs::path fixtures = fs::path(GRIDATLAS_TEST_FIXTURES);
using PerGrid = std::map<std::string, long long>;   // grid code -> households

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("gridatlas_agree_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}

PerGrid from_levels_json(const nlohmann::json& levels) {
    PerGrid out;
    for (const auto& l : levels)
        for (const auto& g : l["per_grid"]) out[g["code"].get<std::string>()] = g["households"].get<long long>();
    return out;
}

class CommandsAgree : public ::testing::TestWithParam<std::string> {
protected:
    fs::path project() const { return fixtures / GetParam() / "project.toml"; }
    std::string out(const std::string& cmd) const { return GetParam() + "_" + cmd; }
};

TEST_P(CommandsAgree, HouseholdsPerGrid) {
    Diagnostics d1, d2, d3, d4, d5;
    const auto assigned = assign_job({project(), fresh_dir(out("assign"))}, d1);
    const PerGrid assign = from_levels_json(assigned.summary["levels"]);
    ASSERT_FALSE(assign.empty());
    long long placed_in_finest = 0;   // households in grids of the finest level, "grid"
    for (const auto& l : assigned.summary["levels"])
        if (l["key"] == "grid")
            for (const auto& g : l["per_grid"]) placed_in_finest += g["households"].get<long long>();

    RunConfig rc;
    rc.project_file = project();
    rc.out_dir = fresh_dir(out("run"));
    rc.render = false;
    EXPECT_EQ(from_levels_json(run_job(rc, d2).summary["levels"]), assign) << "run";

    CheckConfig cc;
    cc.project_file = project();
    cc.out_dir = fresh_dir(out("check"));
    const auto check = check_job(cc, d3);
    PerGrid checked;
    for (const auto& row : test::read_layer(check.gpkg, "grids")) checked[row.at("code")] = std::stoll(row.at("households"));
    EXPECT_EQ(checked, assign) << "check";
    for (const auto& row : test::read_layer(check.gpkg, "issues"))
        EXPECT_NE(row.at("kind"), "empty_grid") << "check flags " << row.at("grid_code") << " empty";

    for (const auto& [code, households] : assign) {
        OfficerConfig oc;
        oc.project_file = project();
        oc.grid = code;
        oc.out_dir = fresh_dir(out("officer"));
        oc.personal = false;
        EXPECT_EQ(static_cast<long long>(officer_job(oc, d4).households), households) << "officer, grid " << code;
    }

    // Grid draw inside each grid of the finest level: the households it draws around, per parent grid.
    GridDrawConfig gc;
    gc.project_file = project();
    gc.out_dir = fresh_dir(out("grid_draw"));
    gc.min_households = 1;
    gc.max_households = 10;
    gc.parent_level = "grid";
    const auto drawn = grid_draw_job(gc, d5);
    long long drawn_total = 0;
    for (const auto& row : test::read_layer(drawn.gpkg, "drawn_in")) {
        const long long hh = std::stoll(row.at("households"));
        drawn_total += hh;
        EXPECT_EQ(hh, assign.at(row.at("parent_code"))) << "grid draw inside " << row.at("parent_code");
    }
    EXPECT_EQ(drawn_total, placed_in_finest) << "grid draw";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CommandsAgree, ::testing::Values("placement", "tiny"));

// The placement fixture's answers (README): 西网格 5, 东网格 1, the community 6.
TEST(CommandsAgreePlacement, HandCountedAnswer) {
    Diagnostics diag;
    const PerGrid assign = from_levels_json(
        assign_job({fixtures / "placement" / "project.toml", fresh_dir("placement_answer")}, diag).summary["levels"]);
    EXPECT_EQ(assign.at("110101001001"), 5);
    EXPECT_EQ(assign.at("110101001002"), 1);
}

}  // namespace
