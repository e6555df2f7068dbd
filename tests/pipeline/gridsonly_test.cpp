// A grids-only project (tests/fixtures/gridsonly: grid polygons and a point roster, no buildings, roads, facilities or
// service kinds) end to end: check, assign, officer and run each do what needs only what was given, agree on the
// households of every grid, flag the point on the shared edge and the one in the overlap, and say which stages they
// skipped. The CLI exits 0 for each. Answers worked out by hand in tests/fixtures/gridsonly/README.md.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "assign_job.hpp"
#include "check_job.hpp"
#include "grid_draw_job.hpp"
#include "layer_rows.hpp"
#include "model/diagnostics.hpp"
#include "officer_job.hpp"
#include "print_map.hpp"
#include "project_config.hpp"
#include "project_state.hpp"
#include "render_job.hpp"
#include "run_job.hpp"

namespace fs = std::filesystem;
using namespace gridatlas;
using namespace gridatlas::pipeline;

namespace {

const fs::path fixture = fs::path(GRIDATLAS_TEST_FIXTURES) / "gridsonly";
const fs::path project = fixture / "project.toml";
const std::string west = "110101001001", east = "110101001002", community = "110101001";
using PerGrid = std::map<std::string, long long>;
const PerGrid answer = {{community, 7}, {west, 5}, {east, 2}};

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("gridatlas_gridsonly_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}

PerGrid from_levels_json(const nlohmann::json& levels) {
    PerGrid out;
    for (const auto& l : levels)
        for (const auto& g : l["per_grid"]) out[g["code"].get<std::string>()] = g["households"].get<long long>();
    return out;
}

bool skipped(const nlohmann::json& stages, const std::string& stage, const std::string& reason_part) {
    for (const auto& s : stages)
        if (s["stage"] == stage && s["reason"].get<std::string>().find(reason_part) != std::string::npos) return true;
    return false;
}

void expect_skipped_stages(const nlohmann::json& stages) {
    EXPECT_TRUE(skipped(stages, "walking access", "no [roads] layer")) << stages.dump();
    EXPECT_TRUE(skipped(stages, "building placement", "no [buildings] layer")) << stages.dump();
}

TEST(GridsOnlyConfig, OnlyHouseholdsAndGridLevelsAreRequired) {
    const auto cfg = layers::read_project_config(project);
    EXPECT_FALSE(cfg.has_buildings());
    EXPECT_FALSE(cfg.has_roads());
    EXPECT_FALSE(cfg.has_facilities());
    EXPECT_TRUE(cfg.service_kinds.empty());
    EXPECT_TRUE(cfg.map.headline_kind.empty());
    EXPECT_EQ(cfg.grid_levels.size(), 2u);
}

TEST(GridsOnly, AssignCountsFlagsAndConservation) {
    Diagnostics diag;
    const auto r = assign_job({project, fresh_dir("assign")}, diag);
    EXPECT_EQ(from_levels_json(r.summary["levels"]), answer);
    EXPECT_TRUE(r.balanced);
    const auto& grid = r.summary["conservation"][3];
    EXPECT_EQ(grid["level"], "grid");
    EXPECT_EQ(grid["roster"], 9);
    EXPECT_EQ(grid["assigned"], 7);
    EXPECT_EQ(grid["unassigned_by_reason"]["outside_grids"], 1);
    EXPECT_EQ(grid["unassigned_by_reason"]["no_buildings_layer"], 1);
    EXPECT_EQ(r.summary["conservation"][1]["unassigned_by_reason"]["no_buildings_layer"], 9);
    EXPECT_EQ(r.summary["placed_by"]["point_in_grid"], 7);
    EXPECT_EQ(r.summary["grid_flags"], nlohmann::json::parse(R"({"grid": {"in_overlapping_grids": 1, "on_shared_boundary": 1}})"));
    expect_skipped_stages(r.summary["skipped_stages"]);

    const auto rows = test::read_layer(r.households_csv, "households");
    ASSERT_EQ(rows.size(), 9u);
    const auto h06 = test::row_where(rows, "household_id", "H06");
    EXPECT_EQ(h06.at("grid_code"), west);
    EXPECT_EQ(h06.at("grid_flag"), "on_shared_boundary");
    EXPECT_EQ(h06.at("community_flag"), "");
    EXPECT_EQ(h06.at("placed_by"), "point_in_grid");
    const auto h07 = test::row_where(rows, "household_id", "H07");
    EXPECT_EQ(h07.at("grid_code"), west);
    EXPECT_EQ(h07.at("grid_flag"), "in_overlapping_grids");
    const auto h08 = test::row_where(rows, "household_id", "H08");
    EXPECT_EQ(h08.at("grid_status"), "outside_grids");
    EXPECT_EQ(h08.at("grid_code"), "");
    EXPECT_EQ(test::row_where(rows, "household_id", "H09").at("grid_status"), "no_buildings_layer");
    EXPECT_EQ(test::row_where(rows, "household_id", "H01").at("grid_flag"), "");
    EXPECT_EQ(std::stod(h06.at("x")), 447900.0);
    EXPECT_EQ(std::stod(h06.at("y")), 4418640.0);

    const std::string text = format_assign_summary(r);
    EXPECT_NE(text.find("point_in_grid 7"), std::string::npos) << text;
    EXPECT_NE(text.find("walking access skipped: no [roads] layer"), std::string::npos) << text;
    EXPECT_NE(text.find("on_shared_boundary 1"), std::string::npos) << text;
}

TEST(GridsOnly, CheckCountsHouseholdsByPointAndFindsNoEmptyGrid) {
    Diagnostics diag;
    CheckConfig cc;
    cc.project_file = project;
    cc.out_dir = fresh_dir("check");
    const auto r = check_job(cc, diag);
    PerGrid checked;
    for (const auto& row : test::read_layer(r.gpkg, "grids")) checked[row.at("code")] = std::stoll(row.at("households"));
    EXPECT_EQ(checked, answer);
    for (const auto& row : test::read_layer(r.gpkg, "issues")) EXPECT_NE(row.at("kind"), "empty_grid") << row.at("message");
    // 东网格's strip over 西网格 is a sibling overlap of 10 m × 20 m.
    EXPECT_EQ(r.summary["findings"]["sibling_overlap"]["flagged"], 1);
    EXPECT_DOUBLE_EQ(r.summary["findings"]["sibling_overlap"]["flagged_area_m2"].get<double>(), 200.0);
    const auto& placement = r.summary["households"]["point_placement"];
    EXPECT_EQ(placement["placed_in_grids_by_point"], 7);
    EXPECT_EQ(placement["flagged_by_level"]["grid"]["on_shared_boundary"], 1);
    EXPECT_EQ(placement["flagged_by_level"]["grid"]["in_overlapping_grids"], 1);
    EXPECT_TRUE(placement["flagged_by_level"]["community"].empty());
    expect_skipped_stages(r.summary["skipped_stages"]);
    EXPECT_NE(r.table_text.find("building placement skipped: no [buildings] layer"), std::string::npos) << r.table_text;
}

TEST(GridsOnly, OfficerListsTheGridsHouseholdsAsPoints) {
    Diagnostics diag;
    OfficerConfig oc;
    oc.project_file = project;
    oc.grid = west;
    oc.out_dir = fresh_dir("officer");
    const auto r = officer_job(oc, diag);
    EXPECT_EQ(r.households, 5u);
    EXPECT_EQ(r.persons, 14u);
    EXPECT_EQ(r.party_households, 2u);
    EXPECT_TRUE(r.by_points);
    const auto rows = test::read_layer(r.gpkg, "households");
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(test::row_where(rows, "household_id", "H06").at("grid_flag"), "on_shared_boundary");
    EXPECT_EQ(test::row_where(rows, "household_id", "H07").at("grid_flag"), "in_overlapping_grids");
    EXPECT_EQ(test::row_where(rows, "household_id", "H01").at("grid_flag"), "");
    EXPECT_EQ(test::row_where(rows, "household_id", "H01").at("building_id"), "");
    const std::string table = format_officer_table(r);
    EXPECT_NE(table.find("按坐标落入本网格的住户 (5户 14人"), std::string::npos) << table;
    EXPECT_NE(table.find("交界线上"), std::string::npos) << table;
    EXPECT_NE(table.find("重叠区内"), std::string::npos) << table;
    EXPECT_EQ(table.find("楼栋 "), std::string::npos) << "no building numbers without buildings\n" << table;

    oc.grid = east;
    EXPECT_EQ(officer_job(oc, diag).households, 2u);
    oc.grid = community;
    EXPECT_EQ(officer_job(oc, diag).households, 7u);
}

// The officer map of a grids-only project draws the grid's households at their points (no buildings to number):
// the west grid's 5 (H06 on the shared boundary and H07 in the overlap included, as in the officer list), 2 of them
// party-member households; a project with buildings keeps that layer empty.
TEST(GridsOnly, OfficerMapDrawsTheGridsHouseholdsAtTheirPoints) {
    Diagnostics diag;
    StageClock clock;
    ProjectState p(project, diag, clock);
    const render::MapData data = map_data(p, {"", true, false});
    GridId focus;
    for (const auto& g : p.ds().grids)
        if (g.code == west) focus = g.id;
    ASSERT_TRUE(focus.valid());
    const auto scene = render::print::officer_scene(data, focus, render::print::grid_box(p.ds(), focus));
    const auto& homes = scene.at("households");
    ASSERT_EQ(homes.keys, (std::vector<std::string>{"party"}));
    EXPECT_EQ(homes.features.size(), 5u);
    const auto party = std::count_if(homes.features.begin(), homes.features.end(),
                                     [](const auto& f) { return std::get<std::int64_t>(f.values.at(0)) == 1; });
    EXPECT_EQ(party, 2);

    ProjectState tiny(fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny" / "project.toml", diag, clock);
    const render::MapData with_buildings = map_data(tiny, {"", true, false});
    const GridId first = tiny.ds().grids.back().id;
    EXPECT_TRUE(render::print::officer_scene(with_buildings, first, render::print::grid_box(tiny.ds(), first)).at("households").features.empty());
}

TEST(GridsOnly, RunCountsRulesAndSkippedStages) {
    Diagnostics diag;
    RunConfig rc;
    rc.project_file = project;
    rc.out_dir = fresh_dir("run");
    const auto r = run_job(rc, diag);
    EXPECT_EQ(from_levels_json(r.summary["levels"]), answer);
    EXPECT_TRUE(r.balanced);
    EXPECT_TRUE(r.summary["service_kinds"].empty());
    EXPECT_EQ(r.summary["grid_flags"]["grid"]["on_shared_boundary"], 1);
    expect_skipped_stages(r.summary["skipped_stages"]);
    // Grid size 2–4 households: 西网格 (5) is the one breach.
    bool found = false;
    for (const auto& rule : r.summary["organisation"]["rules"])
        if (rule["rule"] == "grid_size") {
            found = true;
            EXPECT_EQ(rule["breaches"], 1);
            EXPECT_EQ(rule["examples"], nlohmann::json::array({west}));
        }
    EXPECT_TRUE(found);
    EXPECT_TRUE(fs::exists(r.overview_png));
    const std::string text = format_summary(r);
    EXPECT_NE(text.find("walking access skipped: no [roads] layer"), std::string::npos) << text;
    EXPECT_EQ(text.find("Walking access (network distance)"), std::string::npos) << text;
}

TEST(GridsOnly, GridDrawSaysItNeedsBuildings) {
    Diagnostics diag;
    GridDrawConfig gc;
    gc.project_file = project;
    gc.out_dir = fresh_dir("grid_draw");
    try {
        grid_draw_job(gc, diag);
        ADD_FAILURE() << "grid draw ran without buildings";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "no_buildings");
        EXPECT_NE(e.diagnostic().message.find("no [buildings] layer"), std::string::npos);
    }
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Every command through the CLI: exit 0, and the skipped stages said plainly on the terminal.
TEST(GridsOnlyCli, EveryCommandExitsZeroAndSaysWhatItSkipped) {
    const fs::path dir = fresh_dir("cli");
    fs::create_directories(dir);
    for (const std::string& args : std::vector<std::string>{"check", "assign", "run", "officer"}) {
        const std::string& name = args;
        const fs::path o = dir / (name + ".out"), e = dir / (name + ".err");
        const std::string grid = name == "officer" ? " " + east : "";
        const std::string cmd = quote(GRIDATLAS_BIN) + " " + args + " " + quote(project.string()) + grid + " -o " +
                                quote((dir / name).string()) + " > " + quote(o.string()) + " 2> " + quote(e.string());
        const int status = std::system(cmd.c_str());
        ASSERT_TRUE(WIFEXITED(status));
        const std::string out = slurp(o);
        EXPECT_EQ(WEXITSTATUS(status), 0) << args << "\n" << out << slurp(e);
        EXPECT_NE(out.find("walking access skipped: no [roads] layer"), std::string::npos) << args << "\n" << out;
        EXPECT_NE(out.find("building placement skipped: no [buildings] layer"), std::string::npos) << args << "\n" << out;
    }
    fs::remove_all(dir);
}

}  // namespace
