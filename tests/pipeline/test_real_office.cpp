// A "real office" project end to end (made by scripts/make_bad_inputs.py as the cases real_office, and real_office_xls
// with the roster as an .xls): the roster in an Excel workbook (sheet 户籍 beside a sheet 说明) located by address only, grids in a CGCS2000 (EPSG:4490) shapefile
// with a GBK .dbf and a .cpg, facilities in a GCJ-02 CSV; buildings, units and roads of the tiny fixture
// (tests/fixtures/tiny/README.md: B1, B3 in 西网格 110101001001, B2 in 东网格 110101001002).
//
// Hand-checked answers. Rows (spreadsheet row: id, address → building):
//   2 O01 1号楼1单元101 → B1 (3 persons, party)   3 O02 1号楼2单元302 → B1 (2)   4 O03 2号楼1单元201 → B2 (4)
//   5 O04 2号楼1单元102 → B2 (1, party)            6 O05 2号楼1单元301 → B2 (2)   7 O06 3号楼1单元101 → B3 (3)
//   8 O07 三号楼一单元202 → B3 (2)                 9 O08 幸福里9号楼 → B9: unknown_building
//  10 O09 门口临时摊位 → unparsable_address       11 O10 1号楼1单元102 → B1, persons "3.5": warning, unknown (0)
// 10 records = 8 assigned + 2 unassigned. 西网格: O01 O02 O06 O07 O10 = 5 households, 3+2+3+2+0 = 10 persons,
// 1 party-member household; 东网格: O03 O04 O05 = 3 households, 7 persons, 1 party-member household.
// Coverage within 5 min (README: party centre reaches B2, B3; health reaches B1, B3): party centre 3 + 2 = 5 of 8,
// health 3 + 2 = 5 of 8 (62.5 %), the same as with the facilities in EPSG:4548.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bad_input_corpus.hpp"

namespace fs = std::filesystem;
using gridatlas::test_support::contains;
using gridatlas::test_support::slurp;
using nlohmann::json;

namespace {

const fs::path corpus = gridatlas::test_support::CorpusTest::corpus_dir();
const fs::path office = corpus / "real_office";
const fs::path outputs = gridatlas::test_support::CorpusTest::outputs_dir();



struct Result {
    int code = -1;
    std::string out, err;
};

Result run_gridatlas(const std::string& args, const std::string& tag) {
    fs::create_directories(outputs);
    const fs::path log = outputs / tag;
    const std::string cmd = std::string(GRIDATLAS_BIN) + " " + args + " > '" + log.string() + ".out' 2> '" + log.string() + ".err'";
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(log.string() + ".out"), slurp(log.string() + ".err")};
}

}  // namespace

class RealOffice : public gridatlas::test_support::CorpusTest {};

// `run` on a real-office case whose roster is `workbook` (in the case folder): the hand-checked counts above.
void expect_office_run(const std::string& name, const std::string& workbook) {
    const fs::path dir = corpus / name, out = outputs / ("run_" + name);
    fs::remove_all(out);
    const Result r = run_gridatlas("run '" + (dir / "project.toml").string() + "' -o '" + out.string() + "'", "run_" + name);
    ASSERT_EQ(r.code, 0) << r.err;
    const json s = json::parse(slurp(out / "summary.json"));
    const json& h = s["households"];
    EXPECT_EQ(h["roster"], 10);
    EXPECT_EQ(h["assigned"], 8);
    EXPECT_EQ(h["unassigned"], 2);
    EXPECT_EQ(h["unassigned_by_reason"], (json{{"unknown_building", 1}, {"unparsable_address", 1}}));
    EXPECT_TRUE(h["balanced_at_every_level"].get<bool>());
    std::map<std::string, json> grids;
    for (const auto& g : s["levels"][1]["per_grid"]) grids[g["code"]] = g;
    ASSERT_EQ(grids.size(), 2u);
    EXPECT_EQ(grids["110101001001"]["name"], "西网格");   // GBK .dbf read through its .cpg
    EXPECT_EQ(grids["110101001001"]["households"], 5);
    EXPECT_EQ(grids["110101001001"]["persons"], 10);
    EXPECT_EQ(grids["110101001001"]["party_member_households"], 1);
    EXPECT_EQ(grids["110101001002"]["name"], "东网格");
    EXPECT_EQ(grids["110101001002"]["households"], 3);
    EXPECT_EQ(grids["110101001002"]["persons"], 7);
    EXPECT_EQ(grids["110101001002"]["party_member_households"], 1);
    EXPECT_TRUE(contains(r.out, "党群服务中心 ≤5.0 min: 62.5% of households (5/8), 1 gap building, 1 facility")) << r.out;
    EXPECT_TRUE(contains(r.out, "卫生医疗 ≤5.0 min: 62.5% of households (5/8), 1 gap building, 1 facility")) << r.out;
    // The fractional persons cell is named by workbook, sheet and spreadsheet row, without its value.
    EXPECT_TRUE(contains(r.err, (dir / workbook).string() + ", layer '户籍', feature row 11: persons is not a whole number")) << r.err;
    for (const char* personal : {"RLO", "秘名", "137000077"}) {
        EXPECT_FALSE(contains(r.out, personal)) << personal;
        EXPECT_FALSE(contains(r.err, personal)) << personal;
    }
}

TEST_F(RealOffice, RunCountsHouseholdsPerGridAndCoverage) { expect_office_run("real_office", "roster.xlsx"); }

// The same roster as an Excel 97-2003 workbook (.xls, GDAL's XLS driver): the same households, rows and counts.
TEST_F(RealOffice, XlsRosterGivesTheSameCounts) { expect_office_run("real_office_xls", "roster.xls"); }

TEST_F(RealOffice, OfficerListsTheGridsHouseholdsWithTheirSpreadsheetRows) {
    fs::remove_all(outputs / "officer");
    const Result r = run_gridatlas("officer '" + (office / "project.toml").string() + "' 110101001001 -o '" + (outputs / "officer").string() + "'",
                               "officer");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "2 栋楼有住户, 3 个单元, 5 户, 10 人, 党员户 1")) << r.out;
    const std::string csv = slurp(outputs / "officer" / "officer_110101001001.csv");
    std::map<std::string, std::string> row_of;   // household id → the roster row the officer CSV gives
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();   // the officer CSV has CRLF line ends (Excel)
        std::vector<std::string> cells;
        std::istringstream c(line);
        for (std::string cell; std::getline(c, cell, ',');) cells.push_back(cell);
        ASSERT_GE(cells.size(), 19u) << line;
        row_of[cells[7]] = cells[18];
    }
    EXPECT_EQ(row_of, (std::map<std::string, std::string>{{"O01", "2"}, {"O02", "3"}, {"O06", "7"}, {"O07", "8"}, {"O10", "11"}}));
    EXPECT_TRUE(contains(csv, "秘名一RLO"));   // the officer's own list holds the names
}

TEST_F(RealOffice, UnknownSheetIsAnErrorListingTheSheets) {
    const fs::path dir = outputs / "bad_sheet";
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(office)) fs::copy(e.path(), dir / e.path().filename());
    std::string toml = slurp(dir / "project.toml");
    toml.replace(toml.find("sheet = \"户籍\""), std::string("sheet = \"户籍\"").size(), "sheet = \"户口\"");
    std::ofstream(dir / "project.toml", std::ios::binary) << toml;
    const Result r = run_gridatlas("assign '" + (dir / "project.toml").string() + "' -o '" + (dir / "out").string() + "'", "bad_sheet");
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, (dir / "roster.xlsx").string() + ", layer '户口': the workbook has no sheet named '户口'")) << r.err;
    EXPECT_TRUE(contains(r.err, "set sheet = one of its sheets: 说明, 户籍")) << r.err;
}
