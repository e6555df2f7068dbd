// pipeline::assign_job and `gridatlas assign` on the placement fixture (tests/fixtures/placement: rows located by
// building id, by address and by lon/lat coordinates while the buildings are in EPSG:4548) and on the tiny fixture.
// Every expected number is worked out in tests/fixtures/placement/README.md. Also: nothing personal in any output.
#include "assign_job.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "layer_rows.hpp"
#include "shell_text.hpp"
#include "model/diagnostics.hpp"
#include "project_config.hpp"
#include "run_job.hpp"

namespace fs = std::filesystem;
using gridatlas::test::read_layer;
using gridatlas::test::row_where;
using gridatlas::test::quote;
using gridatlas::test::slurp;
using nlohmann::json;

namespace {

const fs::path fixtures = fs::path(GRIDATLAS_TEST_FIXTURES);

// The head_name and phone values of tests/fixtures/placement/households.csv, and their common parts.
std::vector<std::string> personal_values() {
    std::vector<std::string> v = {"PLX", "秘名", "138000088"};
    for (const char* n : {"子", "丑", "寅", "卯", "辰", "巳", "午", "未", "申", "酉", "戌", "亥"}) v.push_back(std::string("秘名") + n + "PLX");
    for (int i = 1; i <= 12; ++i) v.push_back("138000088" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    return v;
}

const json& per_grid(const json& summary, std::size_t level, const std::string& code) {
    for (const auto& g : summary["levels"][level]["per_grid"])
        if (g["code"] == code) return g;
    throw std::runtime_error("no grid " + code);
}

}  // namespace

class PlacementAssign : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        out = fs::temp_directory_path() / ("gridatlas-assign-job-" + std::to_string(::getpid()));
        fs::remove_all(out);
        try {
            report = gridatlas::pipeline::assign_job({fixtures / "placement" / "project.toml", out}, diag);
        } catch (const std::exception& e) {
            std::cerr << "assign_job: " << e.what() << "\n";
        }
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(out, ec);
    }
    void SetUp() override { ASSERT_TRUE(report.has_value()) << "assign_job failed on the placement fixture"; }
    static inline fs::path out;
    static inline gridatlas::Diagnostics diag;
    static inline std::optional<gridatlas::pipeline::AssignReport> report;
};

TEST_F(PlacementAssign, ReadsThePlacementKeysOfTheProjectFile) {
    const auto cfg = gridatlas::layers::read_project_config(fixtures / "placement" / "project.toml");
    EXPECT_EQ(cfg.household_placement.max_nearest_m, 25);
    ASSERT_TRUE(cfg.household_placement.address);
    EXPECT_EQ(cfg.household_placement.address->group_names(), (std::vector<std::string>{"building", "unit", "room", "floor"}));
    EXPECT_EQ(cfg.household_placement.address->building_template(), "B{building}");
    EXPECT_EQ(cfg.households.crs, "EPSG:4326");
    // Settings are not field mappings; the personal fields are mappings nobody but the officer list reads.
    EXPECT_FALSE(cfg.households.maps("address_pattern"));
    EXPECT_FALSE(cfg.households.maps("max_nearest_m"));
    EXPECT_EQ(cfg.households.field("name"), "head_name");
}

TEST_F(PlacementAssign, TotalsAndHowHouseholdsWerePlaced) {
    const json& s = report->summary;
    EXPECT_TRUE(report->balanced);
    EXPECT_EQ(s["households"]["roster"], 12);
    EXPECT_EQ(s["households"]["records_in_file"], 12);
    EXPECT_EQ(s["households"]["rejected_at_read"], 0);
    EXPECT_EQ(s["households"]["assigned"], 6);
    EXPECT_EQ(s["households"]["unassigned"], 6);
    EXPECT_EQ(s["households"]["unassigned_by_reason"],
              (json{{"duplicate_household_id", 1}, {"missing_building_ref", 2}, {"no_building_at_location", 1},
                    {"unknown_building", 1}, {"unparsable_address", 1}}));
    EXPECT_EQ(s["placed_by"], (json{{"building_id", 1}, {"address", 3}, {"point_in_building", 1}, {"nearest_building", 1},
                                    {"not_placed", 6}}));
    EXPECT_EQ(s["nearest_building"]["households"], 1);
    EXPECT_NEAR(s["nearest_building"]["max_distance_m"].get<double>(), 10.0, 0.05);
    EXPECT_EQ(s["nearest_building"]["max_nearest_m"], 25.0);
    EXPECT_EQ(json::parse(slurp(out / "assignment.json")), s);
}

TEST_F(PlacementAssign, ConservationAtEveryLevel) {
    const json& c = report->summary["conservation"];
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[0]["level"], "unit");
    EXPECT_EQ(c[0]["assigned"], 6);
    EXPECT_EQ(c[1]["level"], "building");
    for (const auto& l : c) {
        EXPECT_EQ(l["roster"], 12) << l["level"];
        EXPECT_TRUE(l["balanced"].get<bool>()) << l["level"];
        std::size_t unassigned = 0;
        for (const auto& [reason, n] : l["unassigned_by_reason"].items()) unassigned += n.get<std::size_t>();
        EXPECT_EQ(l["assigned"].get<std::size_t>() + unassigned, 12u) << l["level"];
    }
    EXPECT_EQ(c[3]["assigned"], 6);   // every placed building lies in a grid
    const auto table = read_layer(out / "assignment.gpkg", "conservation");
    ASSERT_EQ(table.size(), 4u);
    const auto unit = row_where(table, "level", "unit");
    EXPECT_EQ(unit.at("roster"), "12");
    EXPECT_EQ(unit.at("unparsable_address"), "1");
    EXPECT_EQ(unit.at("no_building_at_location"), "1");
    EXPECT_EQ(unit.at("outside_grids"), "0");
    EXPECT_EQ(unit.at("balanced"), "1");
    const std::string csv = slurp(out / "conservation.csv");
    EXPECT_EQ(csv.rfind("level,roster,assigned,unassigned,balanced,duplicate_household_id", 0), 0u) << csv.substr(0, 80);
}

TEST_F(PlacementAssign, TheAssignmentTable) {
    const auto rows = read_layer(out / "assignment.gpkg", "households");
    ASSERT_EQ(rows.size(), 12u);
    for (const char* absent : {"head_name", "phone", "address", "lon", "lat", "name"}) EXPECT_EQ(rows[0].count(absent), 0u) << absent;
    auto row = [&](std::size_t i) { return rows[i]; };
    EXPECT_EQ(row(0).at("placed_by"), "building_id");   // P01: the building id wins over its address (2号楼)
    EXPECT_EQ(row(0).at("building_id"), "B1");
    EXPECT_EQ(row(1).at("placed_by"), "address");       // P02: 1号楼2单元301室
    EXPECT_EQ(row(1).at("building_id"), "B1");
    EXPECT_EQ(row(1).at("building_ref"), "");
    EXPECT_EQ(row(1).at("unit_no"), "2");
    EXPECT_EQ(row(1).at("unit_status"), "assigned");
    EXPECT_EQ(row(1).at("grid_code"), "110101001001");
    EXPECT_EQ(row(2).at("building_id"), "B3");          // P03: 三号楼一单元 in Chinese numerals
    EXPECT_EQ(row(2).at("unit_no"), "1");
    EXPECT_EQ(row(3).at("building_id"), "B2");          // P04
    EXPECT_EQ(row(3).at("grid_code"), "110101001002");
    EXPECT_EQ(row(4).at("building_status"), "unknown_building");      // P05: 9号楼 → B9
    EXPECT_EQ(row(5).at("building_status"), "unparsable_address");    // P06
    EXPECT_EQ(row(5).at("grid_status"), "unparsable_address");
    EXPECT_EQ(row(6).at("placed_by"), "point_in_building");           // P07, lon/lat inside B3
    EXPECT_EQ(row(6).at("building_id"), "B3");
    EXPECT_EQ(row(6).at("distance_m"), "");
    EXPECT_EQ(row(7).at("placed_by"), "nearest_building");            // P08, 10 m south of B1
    EXPECT_EQ(row(7).at("building_id"), "B1");
    EXPECT_NEAR(std::stod(row(7).at("distance_m")), 10.0, 0.05);
    EXPECT_EQ(row(8).at("building_status"), "no_building_at_location");  // P09, 60 m from B2 and B3
    EXPECT_EQ(row(9).at("building_status"), "missing_building_ref");    // P10: nothing to go by
    EXPECT_EQ(row(10).at("building_status"), "duplicate_household_id"); // the second P02
    EXPECT_EQ(row(11).at("building_status"), "missing_building_ref");   // P12: coordinates are not numbers
    const auto unassigned = read_layer(out / "assignment.gpkg", "unassigned_households");
    std::map<std::string, int> by_level;
    for (const auto& r : unassigned) ++by_level[r.at("level")];
    EXPECT_EQ(by_level, (std::map<std::string, int>{{"unit", 6}, {"building", 6}, {"community", 6}, {"grid", 6}}));
    const std::string csv = slurp(out / "households.csv");
    EXPECT_EQ(csv.rfind("household_id,row,building_ref,placed_by,building_id,distance_m,unit_no", 0), 0u);
    EXPECT_NE(csv.find("P08,8,,nearest_building,B1,10,1,assigned,assigned"), std::string::npos) << csv;
}

TEST_F(PlacementAssign, PartyMemberHouseholdsPerLevel) {
    const json& s = report->summary;
    const json& west = per_grid(s, 1, "110101001001");   // B1: P01 P02 P08; B3: P03 P07
    EXPECT_EQ(west["households"], 5);
    EXPECT_EQ(west["persons"], 3 + 2 + 2 + 4 + 3);
    EXPECT_EQ(west["party_member_households"], 2);      // P01, P07
    EXPECT_EQ(west["party_members"], 3);
    const json& east = per_grid(s, 1, "110101001002");   // B2: P04
    EXPECT_EQ(east["households"], 1);
    EXPECT_EQ(east["party_member_households"], 1);
    EXPECT_EQ(s["levels"][0]["households"], 6);
    EXPECT_EQ(s["levels"][0]["party_member_households"], 3);
    const auto grids = read_layer(out / "assignment.gpkg", "grids");
    EXPECT_EQ(row_where(grids, "code", "110101001001").at("party_households"), "2");
    EXPECT_EQ(row_where(grids, "code", "110101001").at("households"), "6");
}

TEST_F(PlacementAssign, BadCoordinatesAreReportedByRowOnly) {
    ASSERT_EQ(diag.count("bad_coordinates"), 1u);
    for (const auto& d : diag.items()) {
        if (d.code != "bad_coordinates") continue;
        EXPECT_NE(d.message.find("(at line 13)"), std::string::npos) << d.message;
        EXPECT_EQ(d.message.find("east"), std::string::npos) << d.message;
    }
    EXPECT_EQ(report->summary["warnings"], (json{{"bad_coordinates", 1}}));
    EXPECT_EQ(read_layer(out / "assignment.gpkg", "issues").size(), 1u);
}

TEST_F(PlacementAssign, NoPersonalDataInAnyOutput) {
    std::string printed = gridatlas::pipeline::format_assign_summary(*report);
    for (const auto& d : diag.items()) printed += gridatlas::format_diagnostic(d) + "\n";
    EXPECT_NE(printed.find("12 in roster"), std::string::npos) << printed;
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
        if (!e.is_regular_file()) continue;
        ++files;
        const std::string bytes = slurp(e.path());
        for (const auto& v : personal_values()) EXPECT_EQ(bytes.find(v), std::string::npos) << v << " in " << e.path();
        // Nor the addresses or coordinates.
        for (const char* v : {"东华门小区", "幸福里", "116.39", "39.90"}) EXPECT_EQ(bytes.find(v), std::string::npos) << v << " in " << e.path();
    }
    EXPECT_EQ(files, 5u);   // gpkg, two CSVs, assignment.json and the run manifest (assign.manifest.json)
    for (const auto& v : personal_values()) EXPECT_EQ(printed.find(v), std::string::npos) << v << " printed";
}

TEST(AssignJob, TinyFixtureAgreesWithTheRun) {
    // The tiny roster names every building by id: assign and run give the same conservation.
    const fs::path out = fs::temp_directory_path() / ("gridatlas-assign-tiny-" + std::to_string(::getpid()));
    fs::remove_all(out);
    gridatlas::Diagnostics diag;
    const auto a = gridatlas::pipeline::assign_job({fixtures / "tiny" / "project.toml", out / "assign"}, diag);
    const auto r = gridatlas::pipeline::run_job({fixtures / "tiny" / "project.toml", out / "run", false});
    EXPECT_EQ(a.summary["conservation"], r.summary["conservation"]);
    EXPECT_EQ(a.summary["placed_by"], (json{{"building_id", 7}, {"not_placed", 3}}));
    for (std::size_t l = 0; l < 2; ++l)
        EXPECT_EQ(a.summary["levels"][l]["party_member_households"], r.summary["levels"][l]["party_member_households"]);
    fs::remove_all(out);
}

TEST(AssignJob, RunPlacesByAddressAndCoordinatesToo) {
    // `run` shares the placement: the same households, the same reasons.
    const fs::path out = fs::temp_directory_path() / ("gridatlas-assign-run-" + std::to_string(::getpid()));
    fs::remove_all(out);
    const auto r = gridatlas::pipeline::run_job({fixtures / "placement" / "project.toml", out, false});
    EXPECT_EQ(r.summary["households"]["assigned"], 6);
    EXPECT_EQ(r.summary["households"]["unassigned_by_reason"]["unparsable_address"], 1);
    EXPECT_TRUE(r.balanced);
    fs::remove_all(out);
}

TEST(AssignCli, PrintsTheConservationReportAndNothingPersonal) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas-assign-cli-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string cmd = quote(GRIDATLAS_BIN) + " assign " + quote((fixtures / "placement" / "project.toml").string()) + " -o " +
                            quote((dir / "out").string()) + " > " + quote((dir / "stdout").string()) + " 2> " +
                            quote((dir / "stderr").string());
    EXPECT_EQ(gridatlas::test::shell(cmd), 0);
    const std::string out = slurp(dir / "stdout"), err = slurp(dir / "stderr");
    EXPECT_NE(out.find("Households: 12 in roster = 6 placed in a building + 6 not placed"), std::string::npos) << out;
    EXPECT_NE(out.find("placed by: building_id 1, address 3, point_in_building 1, nearest_building 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("unparsable_address 1"), std::string::npos) << out;
    EXPECT_NE(err.find("bad_coordinates"), std::string::npos) << err;
    for (const auto& v : personal_values()) {
        EXPECT_EQ(out.find(v), std::string::npos) << v;
        EXPECT_EQ(err.find(v), std::string::npos) << v;
    }
    fs::remove_all(dir);
}

TEST(AssignCli, ABadAddressPatternIsBadInput) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas-assign-bad-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string text = slurp(fixtures / "placement" / "project.toml");
    const std::string from = "address_building_id = \"B{building}\"";
    ASSERT_NE(text.find(from), std::string::npos);
    text.replace(text.find(from), from.size(), "address_building_id = \"B{block}\"");
    for (const char* f : {"households.csv"}) fs::copy(fixtures / "placement" / f, dir / f);
    // Paths to ../tiny stay valid: the project sits in a sibling folder of a tiny copy.
    fs::create_directories(dir / "p");
    fs::copy(fixtures / "tiny", dir / "tiny", fs::copy_options::recursive);
    fs::rename(dir / "households.csv", dir / "p" / "households.csv");
    std::ofstream(dir / "p" / "project.toml") << text;
    const std::string cmd = quote(GRIDATLAS_BIN) + " assign " + quote((dir / "p" / "project.toml").string()) + " -o " +
                            quote((dir / "out").string()) + " > /dev/null 2> " + quote((dir / "stderr").string());
    EXPECT_EQ(gridatlas::test::shell(cmd), 2);
    const std::string err = slurp(dir / "stderr");
    EXPECT_NE(err.find("{block}"), std::string::npos) << err;
    EXPECT_NE(err.find("address_pattern"), std::string::npos) << err;
    fs::remove_all(dir);
}

// The roster counted against its file: a record with an unterminated quote (inserted after data row 4, so file line 6)
// is rejected at read, named by line, and counted: records in the file = households read + rejected at read.
TEST(AssignJob, RecordsRejectedAtReadAreCountedAgainstTheFile) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas-assign-badrow-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string toml = slurp(fixtures / "placement" / "project.toml");
    for (std::size_t at; (at = toml.find("\"../tiny/")) != std::string::npos;)
        toml.replace(at, 9, "\"" + (fixtures / "tiny").string() + "/");
    std::ofstream(dir / "project.toml", std::ios::binary) << toml;
    std::istringstream rows(slurp(fixtures / "placement" / "households.csv"));
    std::ofstream csv(dir / "households.csv", std::ios::binary);
    std::string line;
    for (int n = 1; std::getline(rows, line); ++n) {
        csv << line << "\n";
        if (n == 5) csv << "P99,B1,,,,1,1,102,\"unterminated,13800000000,1,0\n";
    }
    csv.close();
    gridatlas::Diagnostics diag;
    const auto report = gridatlas::pipeline::assign_job({dir / "project.toml", dir / "out"}, diag);
    const json& h = report.summary["households"];
    EXPECT_EQ(h["records_in_file"], 13);
    EXPECT_EQ(h["rejected_at_read"], 1);
    EXPECT_EQ(h["roster"], 12);
    EXPECT_TRUE(h["file_balanced"].get<bool>());
    EXPECT_TRUE(h["balanced_at_every_level"].get<bool>());
    EXPECT_TRUE(report.balanced);
    bool named = false;
    for (const auto& d : diag.items())
        if (d.where.file.find("households.csv") != std::string::npos && d.where.feature.rfind("line 6 ", 0) == 0) named = true;
    EXPECT_TRUE(named) << "the rejected record is not named by file and line";
    const std::string terminal = gridatlas::pipeline::format_assign_summary(report);
    EXPECT_NE(terminal.find("roster file: 13 records = 12 read + 1 rejected at read"), std::string::npos) << terminal;
    std::error_code ec;
    fs::remove_all(dir, ec);
}
