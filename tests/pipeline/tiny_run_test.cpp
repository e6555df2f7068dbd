// pipeline::run_job on the tiny fixture (tests/fixtures/tiny): every number checked here is worked out by hand in
// tests/fixtures/tiny/README.md. Also: no personal data from the roster (head_name, phone) reaches any output.
#include "run_job.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "dataset_loader.hpp"
#include "layer_rows.hpp"
#include "project_config.hpp"

namespace fs = std::filesystem;
using gridatlas::test::read_layer;
using gridatlas::test::row_where;
using gridatlas::pipeline::RunConfig;
using gridatlas::pipeline::RunReport;
using nlohmann::json;

namespace {

const fs::path tiny_dir = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny";

// Walking at 1.1 m/s: metres → minutes.
constexpr double minutes(double metres) { return metres / 1.1 / 60.0; }

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The personal values of tests/fixtures/tiny/households.csv (head_name, phone): none may appear in any output.
std::vector<std::string> personal_values() {
    std::vector<std::string> v = {"QZX", "秘名", "139000077"};  // the common parts, then every value in full
    for (const char* n : {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"}) v.push_back(std::string("秘名") + n + "QZX");
    for (int i = 1; i <= 10; ++i) v.push_back("139000077" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    return v;
}

const json& grid(const json& summary, std::size_t level, const std::string& code) {
    for (const auto& g : summary["levels"][level]["per_grid"])
        if (g["code"] == code) return g;
    throw std::runtime_error("no grid " + code);
}

}  // namespace

class TinyRun : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        out = fs::temp_directory_path() / ("gridatlas-tiny-run-" + std::to_string(::getpid()));
        fs::remove_all(out);
        RunConfig cfg;
        cfg.project_file = tiny_dir / "project.toml";
        cfg.out_dir = out;
        cfg.render = true;
        try {
            report = gridatlas::pipeline::run_job(cfg);
        } catch (const std::exception& e) {
            std::cerr << "run_job: " << e.what() << "\n";
        }
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(out, ec);
    }
    void SetUp() override { ASSERT_TRUE(report.has_value()) << "run_job failed on the tiny fixture"; }
    static inline fs::path out;
    static inline std::optional<RunReport> report;
};

TEST_F(TinyRun, WritesItsOutputs) {
    EXPECT_TRUE(fs::is_regular_file(out / "gridatlas.gpkg"));
    EXPECT_TRUE(fs::is_regular_file(out / "summary.json"));
    EXPECT_TRUE(fs::is_regular_file(out / "overview.png"));
    EXPECT_EQ(json::parse(slurp(out / "summary.json")), report->summary);  // summary.json is the report
    EXPECT_EQ(report->summary["project"], "tiny");
    EXPECT_EQ(report->summary["working_crs"], "EPSG:4548");
    EXPECT_TRUE(report->warnings.empty());
    EXPECT_TRUE(report->summary["warnings"].empty());
}

TEST_F(TinyRun, InputsAndNetwork) {
    const json& in = report->summary["inputs"];
    EXPECT_EQ(in["buildings"], 3);
    EXPECT_EQ(in["residential_buildings"], 3);
    EXPECT_EQ(in["rejected_buildings"], 0);
    EXPECT_EQ(in["units"], 4);
    EXPECT_EQ(in["households_in_roster"], 10);
    EXPECT_EQ(in["grids"], 3);
    EXPECT_EQ(in["facilities"], 2);
    EXPECT_EQ(in["road_lines"], 5);
    EXPECT_EQ(in["walkable_road_lines"], 5);
    const json& net = report->summary["walk_network"];
    EXPECT_EQ(net["nodes"], 5);  // A, B, C, D, E
    EXPECT_EQ(net["edges"], 5);
    EXPECT_EQ(net["components"], 1);
}

TEST_F(TinyRun, ConservationAndUnassignedReasons) {
    EXPECT_TRUE(report->balanced);
    const json& h = report->summary["households"];
    EXPECT_EQ(h["roster"], 10);
    EXPECT_EQ(h["assigned"], 7);
    EXPECT_EQ(h["unassigned"], 3);
    EXPECT_EQ(h["unassigned_by_reason"],
              (json{{"duplicate_household_id", 1}, {"missing_building_ref", 1}, {"unknown_building", 1}}));
    EXPECT_EQ(h["balanced_at_every_level"], true);

    const json& c = report->summary["conservation"];
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[0]["level"], "unit");
    EXPECT_EQ(c[0]["assigned"], 6);
    EXPECT_EQ(c[0]["unassigned_by_reason"],
              (json{{"duplicate_household_id", 1}, {"missing_building_ref", 1}, {"unknown_building", 1}, {"unknown_unit", 1}}));
    for (const auto& level : c) {
        EXPECT_EQ(level["roster"], 10) << level;
        EXPECT_EQ(level["balanced"], true) << level;
        EXPECT_EQ(level["roster"].get<int>(), level["assigned"].get<int>() + level["unassigned"].get<int>()) << level;
    }
    EXPECT_EQ(c[2]["level"], "community");
    EXPECT_EQ(c[2]["assigned"], 7);
    EXPECT_EQ(c[3]["level"], "grid");
    EXPECT_EQ(c[3]["assigned"], 7);
}

TEST_F(TinyRun, PerGridHouseholds) {
    const json& s = report->summary;
    ASSERT_EQ(s["levels"].size(), 2u);
    EXPECT_EQ(s["levels"][0]["key"], "community");
    EXPECT_EQ(s["levels"][0]["households"], 7);
    EXPECT_EQ(s["levels"][0]["persons"], 17);
    EXPECT_EQ(s["levels"][0]["party_member_households"], 2);
    EXPECT_EQ(s["levels"][1]["households"], 7);

    const json& community = grid(s, 0, "110101001");
    EXPECT_EQ(community["name"], "东华门社区");
    EXPECT_EQ(community["parent_code"], "");
    EXPECT_EQ(community["buildings"], 3);
    EXPECT_EQ(community["households"], 7);
    EXPECT_EQ(community["complete_circle_households"], 1);

    const json& west = grid(s, 1, "110101001001");  // B1 (H01, H02, H03) and B3 (H06)
    EXPECT_EQ(west["parent_code"], "110101001");
    EXPECT_EQ(west["buildings"], 2);
    EXPECT_EQ(west["households"], 4);
    EXPECT_EQ(west["persons"], 3 + 2 + 4 + 3);
    EXPECT_EQ(west["party_member_households"], 1);  // H01

    const json& east = grid(s, 1, "110101001002");  // B2 (H04, H05, H09)
    EXPECT_EQ(east["parent_code"], "110101001");
    EXPECT_EQ(east["buildings"], 1);
    EXPECT_EQ(east["households"], 3);
    EXPECT_EQ(east["persons"], 1 + 2 + 2);
    EXPECT_EQ(east["party_member_households"], 1);  // H05
}

TEST_F(TinyRun, CoverageShares) {
    const json& s = report->summary;
    // party_mass_centre ≤ 5 min: B1 5.91 no, B2 2.50 yes, B3 2.73 yes. health ≤ 5 min: B1 1.06 yes, B2 5.98 no, B3 4.85 yes.
    const json& west = grid(s, 1, "110101001001");
    EXPECT_DOUBLE_EQ(west["coverage_share"]["party_mass_centre"].get<double>(), 0.25);  // 1 of 4 (H06)
    EXPECT_DOUBLE_EQ(west["coverage_share"]["health"].get<double>(), 1.0);              // 4 of 4
    EXPECT_EQ(west["complete_circle_households"], 1);                                   // H06 in B3
    const json& east = grid(s, 1, "110101001002");
    EXPECT_DOUBLE_EQ(east["coverage_share"]["party_mass_centre"].get<double>(), 1.0);   // 3 of 3
    EXPECT_DOUBLE_EQ(east["coverage_share"]["health"].get<double>(), 0.0);              // 0 of 3
    EXPECT_EQ(east["complete_circle_households"], 0);
    const json& community = grid(s, 0, "110101001");
    EXPECT_DOUBLE_EQ(community["coverage_share"]["party_mass_centre"].get<double>(), 0.571);  // 4 of 7, rounded
    EXPECT_DOUBLE_EQ(community["coverage_share"]["health"].get<double>(), 0.571);

    const json& kinds = s["service_kinds"];
    ASSERT_EQ(kinds.size(), 2u);
    EXPECT_EQ(kinds[0]["kind"], "party_mass_centre");
    EXPECT_EQ(kinds[0]["threshold_minutes"], 5.0);
    EXPECT_EQ(kinds[0]["facilities"], 1);
    EXPECT_EQ(kinds[0]["households"], 7);
    EXPECT_EQ(kinds[0]["covered_households"], 4);
    EXPECT_DOUBLE_EQ(kinds[0]["coverage_share"].get<double>(), 0.571);
    EXPECT_EQ(kinds[0]["gap_buildings"], 1);  // B1
    EXPECT_EQ(kinds[1]["kind"], "health");
    EXPECT_EQ(kinds[1]["covered_households"], 4);
    EXPECT_EQ(kinds[1]["gap_buildings"], 1);  // B2
    EXPECT_EQ(s["complete_circle_households"], 1);
}

TEST_F(TinyRun, WalkingMinutesByHand) {
    // Exact, from the same stages run_job runs (load → network → access).
    const auto cfg = gridatlas::layers::read_project_config(tiny_dir / "project.toml");
    gridatlas::Diagnostics diag;
    const auto ds = gridatlas::layers::load_dataset(cfg, diag);
    const auto net = gridatlas::access::WalkNetwork::build(ds.roads);
    const auto access = gridatlas::access::compute_access(ds, net, cfg.walking);
    const auto* party = access.find("party_mass_centre");
    const auto* health = access.find("health");
    ASSERT_TRUE(party && health);
    // B1 (centre (50,30)) joins A–B 30 m from the road, 50 m from A.
    //  to F1: B→D→(along D–E 150 m) = 50 + 150 + 150 + 10 (F1's access leg) + 30 (B1's) = 390 m
    //  to F2: along A–B from 50 to 20 = 30 m, + 10 + 30 = 70 m
    EXPECT_NEAR(party->minutes[0], minutes(390), 1e-9);
    EXPECT_NEAR(health->minutes[0], minutes(70), 1e-9);
    // B2 (centre (270,75)) joins C–E 30 m off, 75 m from C and from E.
    //  to F1: 75 to E + 50 along E–D + 10 + 30 = 165 m; to F2: 75 to C + 200 + 80 + 10 + 30 = 395 m
    EXPECT_NEAR(party->minutes[1], minutes(165), 1e-9);
    EXPECT_NEAR(health->minutes[1], minutes(395), 1e-9);
    // B3 (centre (130,200)) joins D–E 50 m off, 30 m from D.
    //  to F1 on the same edge: 120 + 10 + 50 = 180 m; to F2: 30 to D + 150 + 80 + 10 + 50 = 320 m
    EXPECT_NEAR(party->minutes[2], minutes(180), 1e-9);
    EXPECT_NEAR(health->minutes[2], minutes(320), 1e-9);
    EXPECT_EQ(ds.facility(party->nearest[0]).source_id, "F1");
    EXPECT_EQ(ds.facility(health->nearest[2]).source_id, "F2");

    // What run_job wrote: minutes rounded to 0.01 and the snap of every building.
    const auto buildings = read_layer(out / "gridatlas.gpkg", "buildings");
    ASSERT_EQ(buildings.size(), 3u);
    const auto b1 = row_where(buildings, "building_id", "B1");
    EXPECT_DOUBLE_EQ(std::stod(b1.at("min_party_mass_centre")), 5.91);
    EXPECT_DOUBLE_EQ(std::stod(b1.at("min_health")), 1.06);
    EXPECT_EQ(b1.at("nearest_party_mass_centre"), "F1");
    EXPECT_EQ(b1.at("nearest_health"), "F2");
    EXPECT_DOUBLE_EQ(std::stod(b1.at("snap_along_m")), 50);
    EXPECT_DOUBLE_EQ(std::stod(b1.at("snap_offset_m")), 30);
    EXPECT_EQ(b1.at("grid_code"), "110101001001");
    EXPECT_EQ(b1.at("community_code"), "110101001");
    EXPECT_EQ(b1.at("households"), "3");
    EXPECT_EQ(b1.at("persons"), "9");
    EXPECT_EQ(b1.at("units"), "2");
    const auto b2 = row_where(buildings, "building_id", "B2");
    EXPECT_DOUBLE_EQ(std::stod(b2.at("min_party_mass_centre")), 2.5);
    EXPECT_DOUBLE_EQ(std::stod(b2.at("min_health")), 5.98);
    EXPECT_EQ(b2.at("grid_code"), "110101001002");
    EXPECT_EQ(b2.at("households"), "3");
    const auto b3 = row_where(buildings, "building_id", "B3");
    EXPECT_DOUBLE_EQ(std::stod(b3.at("min_party_mass_centre")), 2.73);
    EXPECT_DOUBLE_EQ(std::stod(b3.at("min_health")), 4.85);
    EXPECT_DOUBLE_EQ(std::stod(b3.at("snap_offset_m")), 50);
}

TEST_F(TinyRun, GpkgTablesOfHouseholdsAndGaps) {
    const fs::path gpkg = out / "gridatlas.gpkg";
    const auto households = read_layer(gpkg, "households");
    ASSERT_EQ(households.size(), 10u);
    for (const char* personal : {"head_name", "phone", "persons", "party_members"})
        EXPECT_EQ(households[0].count(personal), 0u) << personal;
    EXPECT_EQ(households[9].at("household_id"), "H09");
    EXPECT_EQ(households[9].at("unit_status"), "unknown_unit");
    EXPECT_EQ(households[9].at("building_status"), "assigned");
    EXPECT_EQ(households[9].at("grid_code"), "110101001002");

    const auto unassigned = read_layer(gpkg, "unassigned_households");
    // H07, H08 and the second H04 at all four levels; H09 at the unit level only.
    ASSERT_EQ(unassigned.size(), 13u);
    std::map<std::string, int> by_reason;
    for (const auto& r : unassigned) ++by_reason[r.at("reason")];
    EXPECT_EQ(by_reason, (std::map<std::string, int>{
                             {"unknown_building", 4}, {"missing_building_ref", 4}, {"duplicate_household_id", 4}, {"unknown_unit", 1}}));
    EXPECT_EQ(row_where(unassigned, "reason", "unknown_building").at("building_id"), "B9");
    EXPECT_EQ(row_where(unassigned, "reason", "duplicate_household_id").at("row"), "9");

    const auto gaps = read_layer(gpkg, "gap_buildings");
    ASSERT_EQ(gaps.size(), 2u);
    EXPECT_EQ(row_where(gaps, "kind", "party_mass_centre").at("building_id"), "B1");
    EXPECT_EQ(row_where(gaps, "kind", "health").at("building_id"), "B2");
    EXPECT_EQ(row_where(gaps, "kind", "health").at("reach"), "reached");

    EXPECT_EQ(read_layer(gpkg, "walk_network").size(), 5u);
    EXPECT_EQ(read_layer(gpkg, "facilities").size(), 2u);
    EXPECT_EQ(read_layer(gpkg, "grids").size(), 3u);
    EXPECT_TRUE(read_layer(gpkg, "issues").empty());
}

TEST_F(TinyRun, NoPersonalDataInAnyOutput) {
    // The roster's head_name and phone values are distinctive: none may be in any byte of any output file, nor in
    // what the CLI prints (the summary and the warnings).
    std::string printed = gridatlas::pipeline::format_summary(*report);
    for (const auto& w : report->warnings) printed += gridatlas::format_diagnostic(w) + "\n";
    EXPECT_NE(printed.find("Households: 10 in roster"), std::string::npos);
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
        if (!e.is_regular_file()) continue;
        ++files;
        const std::string bytes = slurp(e.path());
        for (const auto& v : personal_values()) EXPECT_EQ(bytes.find(v), std::string::npos) << v << " in " << e.path();
    }
    EXPECT_GE(files, 3u);
    for (const auto& v : personal_values()) EXPECT_EQ(printed.find(v), std::string::npos) << v << " printed";
}

// ---------------------------------------------------------------------------------------------------------------
// Warnings raised after loading, on variants of the fixture

class TinyVariant : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = fs::temp_directory_path() / ("gridatlas-tiny-variant-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir / "project");
        for (const auto& e : fs::directory_iterator(tiny_dir)) fs::copy(e.path(), dir / "project" / e.path().filename());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void replace(const std::string& name, const std::string& from, const std::string& to) const {
        const fs::path p = dir / "project" / name;
        std::string text = slurp(p);
        const auto pos = text.find(from);
        ASSERT_NE(pos, std::string::npos) << from;
        text.replace(pos, from.size(), to);
        std::ofstream(p, std::ios::binary) << text;
    }
    RunReport run() const {
        RunConfig cfg;
        cfg.project_file = dir / "project" / "project.toml";
        cfg.out_dir = dir / "out";
        cfg.render = false;
        return gridatlas::pipeline::run_job(cfg);
    }
    std::vector<gridatlas::Diagnostic> with_code(const RunReport& r, const std::string& code) const {
        std::vector<gridatlas::Diagnostic> out;
        for (const auto& d : r.warnings)
            if (d.code == code) out.push_back(d);
        return out;
    }
    fs::path dir;
};

TEST_F(TinyVariant, FacilityOffTheNetwork) {
    // F2 moved 500 m south of road A–B: farther than max_snap_m = 250 from every road.
    replace("facilities.geojson", "[447820, 4418590]", "[447820, 4418100]");
    const RunReport r = run();
    const auto w = with_code(r, "facility_off_network");
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].where.file, (dir / "project" / "facilities.geojson").string());
    EXPECT_TRUE(w[0].where.feature.find("F2") != std::string::npos) << w[0].where.feature;
    ASSERT_TRUE(w[0].where.x && w[0].where.y);
    EXPECT_DOUBLE_EQ(*w[0].where.x, 447820);
    EXPECT_DOUBLE_EQ(*w[0].where.y, 4418100);
    EXPECT_FALSE(w[0].hint.empty());
    EXPECT_EQ(r.summary["service_kinds"][1]["covered_households"], 0);
    EXPECT_TRUE(r.balanced);
}

TEST_F(TinyVariant, FacilityOffTheNetworkNamesItsLayer) {
    // Regression test for a bug found in review (fixed).
    replace("facilities.geojson", "[447820, 4418590]", "[447820, 4418100]");
    const RunReport r = run();
    const auto w = with_code(r, "facility_off_network");
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].where.layer, "facilities");
}

TEST_F(TinyVariant, UnknownParentCodeNamesTheGridFileAndLayer) {
    // Regression test for a bug found in review (fixed).
    replace("grids.geojson", R"("parent_code": "110101001" })", R"("parent_code": "999" })");
    const RunReport r = run();
    const auto w = with_code(r, "unknown_parent_code");
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].where.feature, "'110101001001' (fid 0)");
    EXPECT_TRUE(w[0].message.find("'999'") != std::string::npos) << w[0].message;
    // The parent is still found, by overlap, and nothing else changes.
    EXPECT_EQ(grid(r.summary, 1, "110101001001")["parent_code"], "110101001");
    EXPECT_EQ(grid(r.summary, 1, "110101001001")["households"], 4);
    EXPECT_EQ(w[0].where.file, (dir / "project" / "grids.geojson").string());
    EXPECT_EQ(w[0].where.layer, "grids");
}

TEST_F(TinyVariant, RejectedBuildingInTheSummary) {
    // B3 without geometry: its household H06 is unassigned as rejected_building at every level.
    replace("buildings.geojson",
            R"({ "type": "Polygon", "coordinates": [ [ [447920, 4418790], [447940, 4418790], [447940, 4418810], [447920, 4418810], [447920, 4418790] ] ] })",
            "null");
    const RunReport r = run();
    EXPECT_TRUE(r.balanced);
    EXPECT_EQ(r.summary["inputs"]["rejected_buildings"], 1);
    EXPECT_EQ(r.summary["households"]["unassigned_by_reason"]["rejected_building"], 1);
    EXPECT_EQ(r.summary["households"]["assigned"], 6);
    for (const auto& level : r.summary["conservation"]) EXPECT_EQ(level["unassigned_by_reason"]["rejected_building"], 1) << level;
    EXPECT_EQ(grid(r.summary, 1, "110101001001")["households"], 3);  // B1 only
    EXPECT_EQ(r.summary["warnings"]["empty_geometry"], 1);
}
