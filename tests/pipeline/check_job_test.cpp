// `gridatlas check` and `gridatlas grid draw` on the tiny fixture (every answer known) and on the bundled sample:
// the numbers add up, the sample's grids are exactly what `grid draw` draws, and the CLI behaves.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "check_job.hpp"
#include "grid_draw_job.hpp"
#include "vector_reader.hpp"

namespace gridatlas::pipeline {
namespace {

namespace fs = std::filesystem;

const fs::path sample_project = fs::path(GRIDATLAS_SOURCE_DIR) / "data/sample/project.toml";
const fs::path tiny_dir = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny";

fs::path scratch(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("gridatlas_check_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    return dir;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t flagged(const nlohmann::json& s, const std::string& kind) { return s["findings"][kind]["flagged"].get<std::size_t>(); }
std::size_t noted(const nlohmann::json& s, const std::string& kind) { return s["findings"][kind]["noted"].get<std::size_t>(); }

// Buildings and households add up, and the building findings are exactly the straddling and outside buildings.
void expect_consistent(const nlohmann::json& s) {
    const auto& b = s["buildings"];
    EXPECT_EQ(b["total"].get<std::size_t>(), b["wholly_in_one_finest_grid"].get<std::size_t>() + b["straddling"].get<std::size_t>() +
                                                 b["in_no_finest_grid"].get<std::size_t>());
    EXPECT_EQ(b["straddling"].get<std::size_t>(), flagged(s, "straddling_building") + noted(s, "straddling_building"));
    EXPECT_EQ(b["in_no_finest_grid"].get<std::size_t>(), flagged(s, "building_outside_grids") + noted(s, "building_outside_grids"));
    const auto& h = s["households"];
    EXPECT_EQ(h["roster"].get<long>(), h["placed_in_a_building"].get<long>() + h["not_placed"].get<long>());
    EXPECT_EQ(h["placed_in_a_building"].get<long>(),
              h["in_a_finest_grid"].get<long>() + h["in_buildings_outside_the_finest_grids"].get<long>());
    std::size_t total = 0;
    for (const auto& [kind, counts] : s["findings"].items()) total += counts["flagged"].get<std::size_t>() + counts["noted"].get<std::size_t>();
    EXPECT_EQ(total, s["flagged"].get<std::size_t>() + s["noted"].get<std::size_t>());
}

TEST(CheckJob, TinyFixtureIsClean) {
    Diagnostics diag;
    CheckConfig cfg{tiny_dir / "project.toml", scratch("tiny"), 10, "", 3};
    const auto report = check_job(cfg, diag);
    const auto& s = report.summary;
    expect_consistent(s);
    EXPECT_EQ(report.flagged, 0u) << report.table_text;
    EXPECT_EQ(s["buildings"]["total"], 3);
    EXPECT_EQ(s["buildings"]["wholly_in_one_finest_grid"], 3);
    EXPECT_EQ(s["households"]["roster"], 10);
    EXPECT_EQ(s["households"]["placed_in_a_building"], 7);
    EXPECT_EQ(s["households"]["in_a_finest_grid"], 7);
    ASSERT_EQ(s["levels"].size(), 2u);
    EXPECT_EQ(s["levels"][1]["grids"], 2);
    EXPECT_EQ(s["levels"][1]["code_scheme"], "hierarchical");
    EXPECT_EQ(s["levels"][1]["households"], 7);
    // The grids nest up to reprojection noise: whatever differs is a sliver, noted.
    for (const char* kind : {"sibling_overlap", "gap", "spill"}) EXPECT_EQ(flagged(s, kind), 0u) << kind;
    // Every output is there and lists the same findings.
    for (const auto& p : {report.gpkg, report.csv, report.table, report.json}) EXPECT_TRUE(fs::exists(p)) << p;
    layers::VectorReader issues({"issues", report.gpkg, "issues", "", {}, {}}, "");
    EXPECT_EQ(static_cast<std::size_t>(issues.feature_count()), report.flagged + report.noted);
    layers::VectorReader grids({"grids", report.gpkg, "grids", "", {}, {}}, "");
    EXPECT_EQ(grids.feature_count(), 3);
    EXPECT_NE(report.table_text.find("社区   community"), std::string::npos) << report.table_text;
    fs::remove_all(cfg.out_dir);
}

TEST(CheckJob, MissingCodeIsGeneratedUnderItsParent) {
    const fs::path dir = scratch("blank_code");
    fs::create_directories(dir / "project");
    for (const auto& e : fs::directory_iterator(tiny_dir)) fs::copy(e.path(), dir / "project" / e.path().filename());
    std::string grids = slurp(dir / "project/grids.geojson");
    const std::string east = "\"code\": \"110101001002\"";
    ASSERT_NE(grids.find(east), std::string::npos);
    grids.replace(grids.find(east), east.size(), "\"code\": \"\"");
    std::ofstream(dir / "project/grids.geojson", std::ios::binary | std::ios::trunc) << grids;

    Diagnostics diag;
    CheckConfig cfg{dir / "project/project.toml", dir / "out", 10, "", 3};
    const auto report = check_job(cfg, diag);
    EXPECT_EQ(report.summary["levels"][1]["codes_generated"], 1);
    EXPECT_EQ(noted(report.summary, "generated_code"), 1u);
    EXPECT_EQ(report.flagged, 0u) << report.table_text;
    layers::VectorReader r({"grids", report.gpkg, "grids", "", {{"code", "code"}, {"generated", "code_generated"}}, {}}, "");
    const auto code = r.request_field("code", true), generated = r.request_field("generated", true);
    std::vector<std::string> codes_generated;
    r.for_each([&](layers::FeatureView& f) {
        if (f.text(*generated) == "1") codes_generated.push_back(f.text(*code));
    });
    EXPECT_EQ(codes_generated, std::vector<std::string>{"110101001002"});   // the next free serial under 110101001
    EXPECT_NE(report.table_text.find("110101001002*"), std::string::npos) << report.table_text;
    fs::remove_all(dir);
}

TEST(CheckJob, SampleNestsAndAddsUp) {
    Diagnostics diag;
    CheckConfig cfg{sample_project, scratch("sample"), 10, "", 3};
    const auto report = check_job(cfg, diag);
    const auto& s = report.summary;
    expect_consistent(s);
    EXPECT_EQ(s["levels"][0]["grids"], 25);
    EXPECT_EQ(s["levels"][1]["grids"], 144);
    EXPECT_EQ(s["levels"][1]["code_scheme"], "hierarchical");
    // The sample's grids were drawn by the engine: they tile their communities.
    for (const char* kind : {"sibling_overlap", "gap", "spill", "orphan_grid", "duplicate_code", "code_not_under_parent"})
        EXPECT_EQ(flagged(s, kind), 0u) << kind << "\n" << report.table_text;
    // Every dwelling lies in a grid: the buildings in none are the non-residential ones beyond the settled area.
    EXPECT_EQ(flagged(s, "building_outside_grids"), 0u);
    EXPECT_EQ(s["households"]["in_buildings_outside_the_finest_grids"], 0);
    EXPECT_EQ(s["levels"][1]["households"], s["households"]["in_a_finest_grid"]);
    const std::string printed = format_check(report);
    EXPECT_NE(printed.find("Findings"), std::string::npos);
    EXPECT_NE(printed.find("Timings"), std::string::npos);
    fs::remove_all(cfg.out_dir);
}

TEST(GridDrawJob, SampleGridsComeFromThisEnginePath) {
    // The sample builder drew its grids from the buildings' estimated households inside the settled area; `grid draw`
    // with the same estimate draws the same 144 grids, when it groups as the builder did: without re-splitting light
    // grids and without joining settled pieces across fields (both newer than the committed sample).
    Diagnostics diag;
    GridDrawConfig cfg;
    cfg.project_file = sample_project;
    cfg.out_dir = scratch("draw_sample");
    cfg.households_field = "households";
    cfg.resplit = false;
    cfg.join_within_m = 0;
    const auto report = grid_draw_job(cfg, diag);
    const auto& s = report.summary;
    EXPECT_EQ(s["drawn"]["grids"], 144);
    EXPECT_EQ(s["drawn"]["households"], 46745);
    EXPECT_EQ(s["drawn"]["multipart_grids"], 0);
    EXPECT_NEAR(s["coverage"]["share"].get<double>(), 1.0, 1e-6);
    EXPECT_LT(s["coverage"]["outside_parents_m2"].get<double>(), 1.0);
    EXPECT_EQ(s["baseline_lattice"]["households"], 46745);

    auto households_of = [](const fs::path& file, const std::string& layer) {
        layers::VectorReader r({"grids", file, layer, "", {}, {}}, "");
        const auto h = r.request_field("households", true);
        std::vector<long> out;
        r.for_each([&](layers::FeatureView& f) { out.push_back(std::stol(f.text(*h))); });
        std::sort(out.begin(), out.end());
        return out;
    };
    EXPECT_EQ(households_of(report.gpkg, "grids"), households_of(fs::path(GRIDATLAS_SOURCE_DIR) / "data/sample/sample.gpkg", "grids"));
    fs::remove_all(cfg.out_dir);
}

TEST(GridDrawJob, InsideParentsTheGridsCoverEachParentAndCarryItsCode) {
    Diagnostics diag;
    GridDrawConfig cfg;
    cfg.project_file = tiny_dir / "project.toml";
    cfg.out_dir = scratch("draw_tiny");
    cfg.parent_level = "community";
    const auto report = grid_draw_job(cfg, diag);
    const auto& s = report.summary;
    // 7 households from the roster in two road blocks (inside and outside the loop B–C–E–D): one grid.
    EXPECT_EQ(s["drawn"]["grids"], 1);
    EXPECT_EQ(s["drawn"]["households"], 7);
    EXPECT_EQ(s["drawn"]["in_range"]["below"], 1);
    EXPECT_NEAR(s["coverage"]["share"].get<double>(), 1.0, 1e-9);
    EXPECT_NEAR(s["coverage"]["outside_parents_m2"].get<double>(), 0.0, 1e-6);
    layers::VectorReader r({"grids", report.gpkg, "grids", "", {}, {}}, "");
    const auto code = r.request_field("code", true), parent = r.request_field("parent_code", true);
    r.for_each([&](layers::FeatureView& f) {
        EXPECT_EQ(f.text(*code), "110101001001");
        EXPECT_EQ(f.text(*parent), "110101001");
    });

    // One grid per building: the outer block holds B1 and B3 and is cut between them.
    cfg.per_building = true;
    cfg.out_dir = scratch("draw_tiny_per_building");
    const auto per = grid_draw_job(cfg, diag);
    EXPECT_EQ(per.summary["drawn"]["grids"], 3);
    EXPECT_EQ(per.summary["drawn"]["multipart_grids"], 0);
    EXPECT_NEAR(per.summary["coverage"]["share"].get<double>(), 1.0, 1e-9);
    fs::remove_all(report.gpkg.parent_path());
    fs::remove_all(per.gpkg.parent_path());
}

TEST(GridDrawJob, UnknownParentLevelNamesTheLevels) {
    Diagnostics diag;
    GridDrawConfig cfg;
    cfg.project_file = tiny_dir / "project.toml";
    cfg.out_dir = scratch("draw_unknown");
    cfg.parent_level = "street";
    try {
        grid_draw_job(cfg, diag);
        FAIL() << "expected DataError";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "unknown_level");
        EXPECT_NE(e.diagnostic().hint.find("community, grid"), std::string::npos) << e.diagnostic().hint;
    }
}

TEST(TextTable, ChineseColumnsLineUp) {
    EXPECT_EQ(cjk_display_width("社区"), 4u);
    EXPECT_EQ(cjk_display_width("m²"), 2u);
    const std::string t = text_table({"a", "b"}, {{"社区", "1"}, {"grid", "22"}}, {false, true}, "");
    EXPECT_EQ(t, "a      b\n----  --\n社区   1\ngrid  22\n");
}

int run_cli(const std::string& args, std::string& out) {
    const fs::path o = scratch("cli_stdout.txt");
    const std::string cmd = std::string(GRIDATLAS_BIN) + " " + args + " > " + o.string() + " 2>&1";
    const int status = std::system(cmd.c_str());
    out = slurp(o);
    fs::remove(o);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CheckCli, CheckAndDrawRunAsAUserRunsThem) {
    const fs::path out = scratch("cli");
    std::string text;
    EXPECT_EQ(run_cli("check " + (tiny_dir / "project.toml").string() + " -o " + (out / "check").string(), text), 0) << text;
    EXPECT_NE(text.find("Findings"), std::string::npos) << text;
    EXPECT_EQ(run_cli("grid draw " + (tiny_dir / "project.toml").string() + " -o " + (out / "draw").string() +
                          " --parent-level community --max-warnings 3",
                      text),
              0)
        << text;
    EXPECT_NE(text.find("square lattice"), std::string::npos) << text;
    EXPECT_EQ(run_cli("grid draw " + (tiny_dir / "project.toml").string() + " -o " + (out / "x").string() + " --micro --per-building", text), 1)
        << text;
    EXPECT_EQ(run_cli("grid", text), 1) << text;
    EXPECT_EQ(run_cli("grid draw " + (tiny_dir / "project.toml").string() + " -o " + (out / "y").string() + " --parent-level nope", text), 2)
        << text;
    EXPECT_NE(text.find("use one of: community, grid"), std::string::npos) << text;
    fs::remove_all(out);
}

}  // namespace
}  // namespace gridatlas::pipeline
