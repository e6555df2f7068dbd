// The household-status map (网格图) on the hand-made fixture tests/fixtures/status, whose README holds the
// hand-computed answers: status values read through the vocabulary (an unknown one warned with its row and counted as
// 未知), counts by status per building and per grid in the statistics, summary.json and the grids layer, key-group
// counts only in officer map data and never in run outputs, the officer map's golden image and its PDF's legend words.
//
// Regenerate the golden image after an intended change, then LOOK at it:
//   GRIDATLAS_UPDATE_GOLDEN=1 build/bin/test_status_map --gtest_filter='*Golden*'
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <unistd.h>

#include "../render/command_run.hpp"
#include "../render/image_diff.hpp"
#include "layer_rows.hpp"
#include "map_setup.hpp"
#include "officer_job.hpp"
#include "print_map.hpp"
#include "project_state.hpp"
#include "render_job.hpp"
#include "run_job.hpp"

namespace gridatlas::pipeline {
namespace {

namespace fs = std::filesystem;
using Counts = std::array<std::int64_t, 5>;   // 常住, 租住, 空置, 经营, 未知

const fs::path fixture = fs::path(GRIDATLAS_TEST_FIXTURES) / "status";
const fs::path project = fixture / "project.toml";

Counts counts_of(const StatusCounts& c) { return {c[0], c[1], c[2], c[3], c[4]}; }

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class StatusFixture : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("gridatlas_status_test_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        state_ = std::make_unique<ProjectState>(project, diag_, clock_);
    }
    void TearDown() override {
        std::error_code ec;
        if (!keep_ && !std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT")) fs::remove_all(dir_, ec);
    }
    GridId grid(const std::string& code) const {
        for (const auto& g : state_->ds().grids)
            if (g.code == code) return g.id;
        return {};
    }
    BuildingId building(const std::string& id) const {
        for (const auto& b : state_->ds().buildings)
            if (b.source_id == id) return b.id;
        return {};
    }
    Diagnostics diag_;
    StageClock clock_;
    std::unique_ptr<ProjectState> state_;
    fs::path dir_;
    bool keep_ = false;
};

TEST_F(StatusFixture, ValuesAreReadThroughTheVocabularyAndTheUnknownOneIsReportedWithItsRow) {
    const auto& hs = state_->ds().households;
    ASSERT_EQ(hs.size(), 49u);
    std::map<HouseholdStatus, int> n;
    for (const auto& h : hs) ++n[h.status];
    EXPECT_EQ(n[HouseholdStatus::resident], 12);
    EXPECT_EQ(n[HouseholdStatus::rented], 12);
    EXPECT_EQ(n[HouseholdStatus::vacant], 12);
    EXPECT_EQ(n[HouseholdStatus::business], 12);
    EXPECT_EQ(n[HouseholdStatus::unknown], 1);
    EXPECT_EQ(n[HouseholdStatus::not_given], 0);
    int warned = 0;
    for (const auto& d : diag_.items())
        if (d.code == "unknown_status") {
            ++warned;
            EXPECT_THAT(d.message, ::testing::HasSubstr("1 row (line 24 (record 23))"));   // H23 is data row 23, file line 24
            EXPECT_THAT(d.message, ::testing::HasSubstr("待核实"));
            EXPECT_THAT(d.where.file, ::testing::HasSubstr("households.csv"));
        }
    EXPECT_EQ(warned, 1);
}

TEST_F(StatusFixture, CountsPerBuildingAndGridAreTheHandComputedOnes) {
    const auto& s = state_->stats();
    EXPECT_TRUE(s.household_status);
    EXPECT_EQ(counts_of(s.buildings[building("S1").index()].status), (Counts{6, 4, 2, 1, 0}));
    EXPECT_EQ(counts_of(s.buildings[building("S2").index()].status), (Counts{4, 5, 3, 5, 1}));
    EXPECT_EQ(counts_of(s.buildings[building("S3").index()].status), (Counts{2, 3, 7, 6, 0}));
    EXPECT_EQ(counts_of(s.grids[grid("110101002001").index()].people.status), (Counts{6, 4, 2, 1, 0}));
    EXPECT_EQ(counts_of(s.grids[grid("110101002002").index()].people.status), (Counts{6, 8, 10, 11, 1}));
    EXPECT_EQ(counts_of(s.grids[grid("110101002").index()].people.status), (Counts{12, 12, 12, 12, 1}));
}

TEST_F(StatusFixture, OfficerMapDataCarriesStatusAndKeyGroupCounts) {
    const render::MapData d = map_data(*state_, {.kind = "", .officer = true, .isochrones = false});
    EXPECT_TRUE(d.household_status);
    EXPECT_TRUE(d.key_groups);
    EXPECT_EQ(d.buildings[building("S1").index()].key_group_households, 2);
    EXPECT_EQ(d.buildings[building("S2").index()].key_group_households, 1);   // one household in two groups
    EXPECT_EQ(d.buildings[building("S3").index()].key_group_households, 0);
    EXPECT_EQ(counts_of(d.buildings[building("S2").index()].status), (Counts{4, 5, 3, 5, 1}));
    const render::MapData planner = map_data(*state_, {.kind = "", .officer = false, .isochrones = false});
    EXPECT_FALSE(planner.key_groups);   // key groups are read for officer products only
}

TEST_F(StatusFixture, RunOutputsCountByStatusAndHoldNoPersonalField) {
    const RunReport r = run_job({project, dir_ / "run", false});
    const auto& levels = r.summary["levels"];
    ASSERT_EQ(levels.size(), 2u);
    const auto& grids = levels[1]["per_grid"];
    std::map<std::string, nlohmann::json> by_code;
    for (const auto& g : grids) by_code[g["code"].get<std::string>()] = g["households_by_status"];
    EXPECT_EQ(by_code["110101002001"], (nlohmann::json{{"resident", 6}, {"rented", 4}, {"vacant", 2}, {"business", 1}, {"unknown", 0}}));
    EXPECT_EQ(by_code["110101002002"], (nlohmann::json{{"resident", 6}, {"rented", 8}, {"vacant", 10}, {"business", 11}, {"unknown", 1}}));
    EXPECT_EQ(levels[0]["households_by_status"]["unknown"], 1);
    EXPECT_EQ(r.summary["households_by_status"]["vacant"], 12);
    std::map<std::string, test::LayerRow> rows;
    for (auto& row : test::read_layer(r.gpkg, "grids")) rows[row["code"]] = row;
    EXPECT_EQ(rows["110101002002"]["hh_resident"], "6");
    EXPECT_EQ(rows["110101002002"]["hh_rented"], "8");
    EXPECT_EQ(rows["110101002002"]["hh_vacant"], "10");
    EXPECT_EQ(rows["110101002002"]["hh_business"], "11");
    EXPECT_EQ(rows["110101002002"]["hh_unknown"], "1");
    EXPECT_EQ(rows["110101002001"]["hh_unknown"], "0");
    for (const auto& file : {r.gpkg, r.summary_json}) {
        const std::string bytes = slurp(file);
        for (const char* secret : {"独居老人", "残疾", "低保", "秘名", "13900008823"})
            EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " found in " << file;
    }
}

TEST_F(StatusFixture, WithoutAStatusFieldNothingIsCounted) {
    fs::create_directories(dir_ / "plain");
    for (const auto& e : fs::directory_iterator(fixture)) fs::copy_file(e.path(), dir_ / "plain" / e.path().filename());
    std::string toml = slurp(dir_ / "plain/project.toml");
    for (const char* line : {"status = \"status\"\n", "key_groups = \"key_groups\"\n"}) toml.erase(toml.find(line), std::string(line).size());
    std::ofstream(dir_ / "plain/project.toml") << toml;
    // An unmapped field is still read under its own name: the roster's columns get other names.
    std::string roster = slurp(dir_ / "plain/households.csv");
    roster.replace(roster.find(",status,key_groups"), 18, ",zhuangtai,zhongdian");
    std::ofstream(dir_ / "plain/households.csv") << roster;
    const RunReport r = run_job({dir_ / "plain/project.toml", dir_ / "plain_run", false});
    EXPECT_FALSE(r.summary.contains("households_by_status"));
    EXPECT_FALSE(r.summary["levels"][1]["per_grid"][0].contains("households_by_status"));
    EXPECT_EQ(test::read_layer(r.gpkg, "grids")[0].count("hh_resident"), 0u);
    const OfficerReport o = officer_job({dir_ / "plain/project.toml", "110101002002", dir_ / "plain_officer", true, false}, diag_);
    EXPECT_FALSE(o.household_status);
    EXPECT_EQ(slurp(o.csv).find("住户状态"), std::string::npos);
    EXPECT_EQ(test::read_layer(o.gpkg, "units")[0].count("hh_resident"), 0u);
    EXPECT_EQ(format_officer_table(o).find("常住"), std::string::npos);
}

// The officer's own list of 东网格 (README of the fixture): each household's status, and per building and per unit
// the households by status — in the CSV, the GeoPackage and the terminal table.
TEST_F(StatusFixture, OfficerListsGiveEachHouseholdsStatusAndCountsPerBuildingAndUnit) {
    const OfficerReport o = officer_job({project, "110101002002", dir_ / "officer", true, false}, diag_);
    EXPECT_TRUE(o.household_status);
    const std::string csv = slurp(o.csv);
    EXPECT_THAT(csv, ::testing::HasSubstr("人数,住户状态,党员户"));
    EXPECT_THAT(csv, ::testing::HasSubstr(",H23,秘名23ZTX,13900008823,2,未知,"));   // 待核实: none of the four
    EXPECT_THAT(csv, ::testing::HasSubstr(",H16,秘名16ZTX,13900008816,2,租住,"));   // 出租, a listed synonym
    const auto units = test::read_layer(o.gpkg, "units");
    auto unit = [&](const std::string& b, const std::string& n) {
        for (const auto& u : units)
            if (u.at("building_id") == b && u.at("unit_no") == n)
                return Counts{std::stoll(u.at("hh_resident")), std::stoll(u.at("hh_rented")), std::stoll(u.at("hh_vacant")),
                              std::stoll(u.at("hh_business")), std::stoll(u.at("hh_unknown"))};
        ADD_FAILURE() << "no unit " << b << "/" << n;
        return Counts{};
    };
    EXPECT_EQ(unit("S2", "1"), (Counts{2, 3, 1, 3, 1}));
    EXPECT_EQ(unit("S2", "2"), (Counts{2, 2, 2, 2, 0}));
    EXPECT_EQ(unit("S3", "1"), (Counts{2, 3, 7, 6, 0}));
    const auto s2 = test::row_where(test::read_layer(o.gpkg, "buildings"), "building_id", "S2");
    EXPECT_EQ(s2.at("hh_rented"), "5");
    EXPECT_EQ(s2.at("hh_unknown"), "1");
    EXPECT_EQ(test::row_where(test::read_layer(o.gpkg, "households"), "household_id", "H23").at("status"), "unknown");
    const std::string table = format_officer_table(o);
    EXPECT_THAT(table, ::testing::HasSubstr("18户 30人, 常住 4 · 租住 5 · 空置 3 · 经营 5 · 未知 1, 党员户 1"));
    EXPECT_THAT(table, ::testing::HasSubstr("    1单元  常住 2 · 租住 3 · 空置 1 · 经营 3 · 未知 1\n"));
    EXPECT_THAT(table, ::testing::HasSubstr("    2单元  常住 2 · 租住 2 · 空置 2 · 经营 2\n"));
    EXPECT_THAT(table, ::testing::HasSubstr("18户 22人, 常住 2 · 租住 3 · 空置 7 · 经营 6, 无党员户"));   // one unit: no unit lines
}

// --- the officer map of 东网格: golden image and PDF text ------------------------------------------------------------

using Diff = test_support::ImageDiff;
constexpr auto compare = test_support::image_diff;

render::PrintRequest officer_request(const render::MapData& d, GridId g) {
    return test_support::golden_request(render::MapStyle::officer, d, g);
}

TEST_F(StatusFixture, GoldenOfficerStatusMap) {
    const render::MapData d = map_data(*state_, {.kind = "", .officer = true, .isochrones = false});
    const fs::path out = dir_ / "status_officer.png";
    render::render_print_map(officer_request(d, grid("110101002002")), out);
    const fs::path ref = fs::path(GRIDATLAS_SOURCE_DIR) / "tests/render/golden/status_officer.png";
    if (const char* u = std::getenv("GRIDATLAS_UPDATE_GOLDEN"); u && std::string(u) == "1") {
        fs::copy_file(out, ref, fs::copy_options::overwrite_existing);
        std::printf("[ golden   ] wrote %s: look at it before committing\n", ref.c_str());
        return;
    }
    ASSERT_TRUE(fs::exists(ref)) << ref << " is missing: GRIDATLAS_UPDATE_GOLDEN=1 writes it";
    const auto got = render::read_png_rgba(out), want = render::read_png_rgba(ref);
    ASSERT_EQ(got.width, want.width);
    ASSERT_EQ(got.height, want.height);
    const Diff diff = compare(got, want);
    std::printf("[ golden   ] status_officer: mean %.3f, %.3f%% of pixels far\n", diff.mean, diff.share_far * 100);
    EXPECT_LT(diff.mean, 2.0) << "rendered " << out << " vs " << ref;
    EXPECT_LT(diff.share_far, 0.01) << "rendered " << out << " vs " << ref;
    keep_ = diff.mean >= 2.0 || diff.share_far >= 0.01;
}

TEST_F(StatusFixture, PdfTextHasTheStatusWordsAndCountsAsWritten) {
    if (!test_support::have_tool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    const render::MapData d = map_data(*state_, {.kind = "", .officer = true, .isochrones = false});
    render::PrintRequest r = officer_request(d, grid("110101002002"));
    r.page = render::PageSpec{"A4", true, false, 150};
    r.format = render::PrintFormat::pdf;
    const fs::path pdf = dir_ / "status.pdf";
    render::render_print_map(r, pdf);
    const auto text = test_support::run_command("pdftotext -enc UTF-8 '" + pdf.string() + "' -");
    ASSERT_EQ(text.status, 0) << text.out;
    for (const char* w : {"常住户", "租住户", "空置户", "经营户", "未知户", "重点人群户数"})
        EXPECT_THAT(text.out, ::testing::HasSubstr(w)) << text.out;
    // The subtitle sums 东网格 as written in the README: 常住 6 · 租住 8 · 空置 10 · 经营 11 · 未知 1
    EXPECT_THAT(text.out, ::testing::HasSubstr("常住 6 · 租住 8 · 空置 10 · 经营 11 · 未知 1")) << text.out;
}

}  // namespace
}  // namespace gridatlas::pipeline
