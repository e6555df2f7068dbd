// pipeline::officer_job and `gridatlas officer` on the placement fixture (tests/fixtures/placement, expected answers
// in its README.md): the officer's list of one grid, the terminal table, the CSV and GeoPackage, and the rule that
// names and phones appear in the officer files and the printed list only — never in warnings, errors or other outputs.
#include "officer_job.hpp"

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
#include "model/diagnostics.hpp"

namespace fs = std::filesystem;
using gridatlas::test::read_layer;
using gridatlas::test::row_where;
using gridatlas::pipeline::OfficerConfig;
using gridatlas::pipeline::OfficerReport;
using gridatlas::pipeline::terminal_columns;

namespace {

const fs::path fixtures = fs::path(GRIDATLAS_TEST_FIXTURES);
const fs::path placement = fixtures / "placement" / "project.toml";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// head_name and phone of every row of tests/fixtures/placement/households.csv, by household id (P02 twice: the first).
const std::map<std::string, std::pair<std::string, std::string>> roster = {
    {"P01", {"秘名子PLX", "13800008801"}}, {"P02", {"秘名丑PLX", "13800008802"}}, {"P03", {"秘名寅PLX", "13800008803"}},
    {"P04", {"秘名卯PLX", "13800008804"}}, {"P05", {"秘名辰PLX", "13800008805"}}, {"P06", {"秘名巳PLX", "13800008806"}},
    {"P07", {"秘名午PLX", "13800008807"}}, {"P08", {"秘名未PLX", "13800008808"}}, {"P09", {"秘名申PLX", "13800008809"}},
    {"P10", {"秘名酉PLX", "13800008810"}}, {"P02b", {"秘名戌PLX", "13800008811"}}, {"P12", {"秘名亥PLX", "13800008812"}}};

std::vector<std::string> personal_values() {
    std::vector<std::string> v = {"PLX", "秘名", "138000088"};
    for (const auto& [id, p] : roster) { v.push_back(p.first); v.push_back(p.second); }
    return v;
}

const gridatlas::pipeline::OfficerHousehold* household(const OfficerReport& r, const std::string& id) {
    for (const auto& b : r.buildings)
        for (const auto& u : b.units)
            for (const auto& h : u.households)
                if (h.household_id == id) return &h;
    return nullptr;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST(DisplayWidth, CountsEastAsianWideCharactersTwice) {
    EXPECT_EQ(terminal_columns(""), 0u);
    EXPECT_EQ(terminal_columns("H000001"), 7u);
    EXPECT_EQ(terminal_columns("中心户"), 6u);
    EXPECT_EQ(terminal_columns("秘名子PLX"), 9u);
    EXPECT_EQ(terminal_columns("１２"), 4u);             // full-width digits
    EXPECT_EQ(terminal_columns("Résidence"), 9u);        // é precomposed
    EXPECT_EQ(terminal_columns("Re\u0301sidence"), 9u);  // e + combining acute
    EXPECT_EQ(terminal_columns("，。"), 4u);             // CJK punctuation
    EXPECT_EQ(terminal_columns("한국"), 4u);
    EXPECT_EQ(terminal_columns("·…"), 2u);               // ambiguous width: narrow, as terminals show them by default
}

class Officer : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        base = fs::temp_directory_path() / ("gridatlas-officer-" + std::to_string(::getpid()));
        fs::remove_all(base);
        try {
            report = gridatlas::pipeline::officer_job({placement, "110101001001", base / "west"}, diag);
            OfficerConfig anonymous{placement, "110101001001", base / "anonymous"};
            anonymous.personal = false;
            gridatlas::Diagnostics d;
            anonymous_report = gridatlas::pipeline::officer_job(anonymous, d);
        } catch (const std::exception& e) {
            std::cerr << "officer_job: " << e.what() << "\n";
        }
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
    void SetUp() override { ASSERT_TRUE(report && anonymous_report) << "officer_job failed on the placement fixture"; }
    static inline fs::path base;
    static inline gridatlas::Diagnostics diag;
    static inline std::optional<OfficerReport> report, anonymous_report;
};

TEST_F(Officer, TheGridsBuildingsUnitsAndHouseholds) {
    const OfficerReport& r = *report;
    EXPECT_EQ(r.grid_code, "110101001001");
    EXPECT_EQ(r.grid_name, "西网格");
    EXPECT_EQ(r.level_name, "网格");
    ASSERT_EQ(r.ancestors.size(), 1u);
    EXPECT_EQ(r.ancestors[0].second, "110101001 东华门社区");
    EXPECT_EQ(r.households, 5u);   // B1: P01 P02 P08; B3: P03 P07
    EXPECT_EQ(r.persons, 14u);
    EXPECT_EQ(r.party_households, 2u);
    EXPECT_EQ(r.units, 3u);
    ASSERT_EQ(r.buildings.size(), 2u);
    const auto& b1 = r.buildings[0];
    EXPECT_EQ(b1.building_id, "B1");
    EXPECT_EQ(b1.name, "一号楼");
    EXPECT_EQ(b1.central_id, "P01");
    ASSERT_EQ(b1.units.size(), 2u);
    EXPECT_EQ(b1.units[0].number, 1);
    ASSERT_EQ(b1.units[0].households.size(), 2u);
    EXPECT_EQ(b1.units[0].households[0].household_id, "P01");   // floor 1 room 101, then room 102
    EXPECT_EQ(b1.units[0].households[1].household_id, "P08");
    EXPECT_EQ(b1.units[1].households[0].household_id, "P02");   // unit 2 from its address
    EXPECT_EQ(b1.units[1].households[0].room, "301");
    EXPECT_EQ(b1.units[1].households[0].floor, 3);
    EXPECT_EQ(r.buildings[1].building_id, "B3");
    EXPECT_EQ(r.buildings[1].central_id, "P07");                // 2 party members beat none
    EXPECT_EQ(r.not_placed, (std::map<std::string, std::size_t>{}));
}

TEST_F(Officer, MarkersAndContacts) {
    const auto* p01 = household(*report, "P01");
    const auto* p02 = household(*report, "P02");
    const auto* p03 = household(*report, "P03");
    const auto* p08 = household(*report, "P08");
    ASSERT_TRUE(p01 && p02 && p03 && p08);
    EXPECT_TRUE(p01->party);
    EXPECT_TRUE(p01->central);
    EXPECT_TRUE(p01->contact_self);
    EXPECT_EQ(p01->contact_load, 3u);          // P01, P02, P08
    EXPECT_FALSE(p02->party);
    EXPECT_FALSE(p02->central);
    EXPECT_EQ(p02->contact_id, "P01");
    EXPECT_EQ(p02->contact_place, "1单元 101");  // the contact's unit and room, not its name
    EXPECT_EQ(p02->contact_name, "");
    EXPECT_EQ(p03->contact_id, "P07");
    EXPECT_EQ(p03->contact_place, "1单元 201");
    EXPECT_EQ(p03->contact_distance_m, 0);      // same building anchor
    EXPECT_EQ(p08->placed_by, "nearest_building");
    EXPECT_NEAR(p08->distance_m, 10, 0.01);
    EXPECT_EQ(report->contacts, 2u);
    EXPECT_EQ(report->uncovered, 0u);
}

TEST_F(Officer, PersonalFieldsOfThisGridOnly) {
    EXPECT_EQ(household(*report, "P02")->name, "秘名丑PLX");
    EXPECT_EQ(household(*report, "P02")->phone, "13800008802");
    const std::string csv = slurp(report->csv);
    EXPECT_EQ(report->csv.filename(), "officer_110101001001.csv");
    ASSERT_GE(csv.size(), 3u);
    EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");   // UTF-8 BOM for Excel
    EXPECT_EQ(csv.substr(3, csv.find("\r\n") - 3),
              "网格编码,网格名称,楼栋编号,楼栋名称,单元,楼层,房号,户号,户主,电话,人数,党员户,党员中心户,联系户户号,联系户位置,"
              "联系距离米,落位方式,就近距离米,名册行");
    EXPECT_TRUE(contains(csv, "110101001001,西网格,B1,一号楼,2,3,301,P02,秘名丑PLX,13800008802,2,,,P01,1单元 101,")) << csv;
    for (const char* id : {"P01", "P02", "P03", "P07", "P08"}) {
        EXPECT_TRUE(contains(csv, roster.at(id).first)) << id;
        EXPECT_TRUE(contains(csv, roster.at(id).second)) << id;
    }
    // Households of other grids or not placed: never read, so never written.
    for (const char* id : {"P04", "P05", "P06", "P09", "P10", "P02b", "P12"}) {
        EXPECT_FALSE(contains(csv, roster.at(id).first)) << id;
        EXPECT_FALSE(contains(csv, roster.at(id).second)) << id;
        EXPECT_FALSE(contains(format_officer_table(*report), roster.at(id).first)) << id;
    }
}

TEST_F(Officer, GeoPackageLayers) {
    EXPECT_EQ(report->gpkg.filename(), "officer_110101001001.gpkg");
    const auto grid = read_layer(report->gpkg, "grid");
    ASSERT_EQ(grid.size(), 1u);
    EXPECT_EQ(grid[0].at("households"), "5");
    EXPECT_EQ(grid[0].at("party_households"), "2");
    const auto buildings = read_layer(report->gpkg, "buildings");
    ASSERT_EQ(buildings.size(), 2u);
    EXPECT_EQ(buildings[0].at("building_id"), "B1");
    EXPECT_EQ(buildings[0].at("households"), "3");
    EXPECT_EQ(buildings[0].at("units"), "2");
    EXPECT_EQ(buildings[0].at("central_household"), "P01");
    const auto units = read_layer(report->gpkg, "units");
    ASSERT_EQ(units.size(), 3u);   // B1 units 1 and 2, B3 unit 1
    EXPECT_EQ(units[1].at("unit_no"), "2");
    EXPECT_EQ(units[1].at("households"), "1");
    const auto households = read_layer(report->gpkg, "households");
    ASSERT_EQ(households.size(), 5u);
    EXPECT_EQ(households[0].at("household_id"), "P01");
    EXPECT_EQ(households[0].at("head_name"), "秘名子PLX");
    EXPECT_EQ(households[0].at("central_household"), "1");
    EXPECT_EQ(households[1].at("placed_by"), "nearest_building");
    EXPECT_EQ(households[1].at("nearest_distance_m"), "10");
}

TEST_F(Officer, TheTerminalTableLinesUp) {
    const std::string table = format_officer_table(*report);
    EXPECT_TRUE(contains(table, "网格 110101001001  西网格")) << table;
    EXPECT_TRUE(contains(table, "楼栋 B1  一号楼  (6层, 3户 7人, 党员户 1, 中心户 1单元 101 (P01))")) << table;
    EXPECT_TRUE(contains(table, "党员户 中心户")) << table;
    EXPECT_TRUE(contains(table, "就近10米")) << table;
    EXPECT_TRUE(contains(table, "本户, 联系3户")) << table;
    EXPECT_TRUE(contains(table, "请勿外传")) << table;
    // Every household line and every header line put 户号 / the household id at the same display column, although
    // the lines before it mix Chinese (2 columns) and ASCII; likewise the phone and the persons.
    std::vector<std::size_t> id_columns, phone_columns;
    for (const auto& l : lines_of(table)) {
        if (contains(l, "户号") && contains(l, "户主")) {
            id_columns.push_back(terminal_columns(l.substr(0, l.find("户号"))));
            phone_columns.push_back(terminal_columns(l.substr(0, l.find("电话"))));
        }
        for (const auto& [id, p] : roster)
            if (contains(l, " " + id.substr(0, 3) + " ") && contains(l, p.second)) {
                id_columns.push_back(terminal_columns(l.substr(0, l.find(" " + id.substr(0, 3) + " ") + 1)));
                phone_columns.push_back(terminal_columns(l.substr(0, l.find(p.second))));
            }
    }
    ASSERT_EQ(id_columns.size(), 2u + 5u);
    for (auto c : id_columns) EXPECT_EQ(c, id_columns.front()) << table;
    for (auto c : phone_columns) EXPECT_EQ(c, phone_columns.front()) << table;
}

TEST_F(Officer, WithoutPersonalFields) {
    const OfficerReport& r = *anonymous_report;
    EXPECT_FALSE(r.personal);
    EXPECT_EQ(household(r, "P02")->name, "");
    const std::string table = format_officer_table(r);
    EXPECT_FALSE(contains(table, "户主"));
    EXPECT_FALSE(contains(table, "请勿外传"));
    std::string everything = table + slurp(r.csv) + slurp(r.gpkg);
    for (const auto& v : personal_values()) EXPECT_FALSE(contains(everything, v)) << v;
    EXPECT_TRUE(contains(slurp(r.csv), "P02"));
}

TEST(OfficerJob, ContactNamesOnlyWhenAskedFor) {
    const fs::path out = fs::temp_directory_path() / ("gridatlas-officer-names-" + std::to_string(::getpid()));
    OfficerConfig c{placement, "110101001001", out};
    c.contact_names = true;
    gridatlas::Diagnostics diag;
    const auto r = gridatlas::pipeline::officer_job(c, diag);
    EXPECT_EQ(household(r, "P02")->contact_name, "秘名子PLX");
    EXPECT_TRUE(contains(format_officer_table(r), "1单元 101 秘名子PLX"));
    EXPECT_TRUE(contains(slurp(r.csv), ",联系户户主,"));
    fs::remove_all(out);
}

TEST(OfficerJob, AGridByNameAndAGridOfTheUpperLevel) {
    const fs::path out = fs::temp_directory_path() / ("gridatlas-officer-levels-" + std::to_string(::getpid()));
    gridatlas::Diagnostics diag;
    const auto east = gridatlas::pipeline::officer_job({placement, "东网格", out}, diag);
    EXPECT_EQ(east.grid_code, "110101001002");
    EXPECT_EQ(east.households, 1u);   // P04 in B2
    EXPECT_EQ(east.not_placed, (std::map<std::string, std::size_t>{{"duplicate_household_id", 1}}));   // the second P02 names B2
    EXPECT_TRUE(contains(format_officer_table(east), "户号重复 1 户"));
    const auto community = gridatlas::pipeline::officer_job({placement, "110101001", out}, diag);
    EXPECT_EQ(community.level_key, "community");
    EXPECT_EQ(community.households, 6u);
    EXPECT_EQ(community.buildings.size(), 3u);
    fs::remove_all(out);
}

TEST(OfficerJob, AnUnknownGridListsSimilarCodes) {
    gridatlas::Diagnostics diag;
    try {
        gridatlas::pipeline::officer_job({placement, "110101001003", fs::temp_directory_path() / "gridatlas-officer-unknown"}, diag);
        FAIL() << "no error";
    } catch (const gridatlas::DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "unknown_grid");
        EXPECT_TRUE(contains(e.diagnostic().message, "110101001003"));
        EXPECT_TRUE(contains(e.diagnostic().hint, "110101001001 西网格 (网格)")) << e.diagnostic().hint;
        EXPECT_TRUE(contains(e.diagnostic().hint, "110101001002 东网格 (网格)")) << e.diagnostic().hint;
    }
    EXPECT_FALSE(fs::exists(fs::temp_directory_path() / "gridatlas-officer-unknown"));
}

// --- the binary, and personal data ---------------------------------------------------------------------------------

class OfficerCli : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = fs::temp_directory_path() / ("gridatlas-officer-cli-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir / "placement");
        fs::copy(fixtures / "tiny", dir / "tiny", fs::copy_options::recursive);
        for (const auto& e : fs::directory_iterator(fixtures / "placement")) fs::copy(e.path(), dir / "placement" / e.path().filename());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    struct Result {
        int code = -1;
        std::string out, err;
    };
    Result run(const std::string& args) const {
        const fs::path o = dir / "stdout.txt", e = dir / "stderr.txt";
        const std::string cmd = quote(GRIDATLAS_BIN) + " " + args + " > " + quote(o.string()) + " 2> " + quote(e.string());
        const int status = std::system(cmd.c_str());
        Result r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(o), slurp(e)};
        fs::remove(o);
        fs::remove(e);
        return r;
    }
    std::string project() const { return quote((dir / "placement" / "project.toml").string()); }
    void replace(const std::string& name, const std::string& from, const std::string& to) const {
        const fs::path p = dir / "placement" / name;
        std::string text = slurp(p);
        const auto pos = text.find(from);
        ASSERT_NE(pos, std::string::npos) << from;
        text.replace(pos, from.size(), to);
        std::ofstream(p, std::ios::binary) << text;
    }
    // Every file under dir except the officer files: none may hold a personal value.
    void expect_no_personal_files() const {
        std::size_t files = 0;
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            if (!e.is_regular_file()) continue;
            const std::string name = e.path().filename().string();
            if (name.rfind("officer_", 0) == 0) continue;
            if (e.path().parent_path().filename() == "placement" || e.path().parent_path().filename() == "tiny") continue;  // inputs
            ++files;
            const std::string bytes = slurp(e.path());
            for (const auto& v : personal_values()) EXPECT_FALSE(contains(bytes, v)) << v << " in " << e.path();
        }
        EXPECT_GT(files, 0u);
    }
    fs::path dir;
};

TEST_F(OfficerCli, NamesOnlyInTheOfficerListNeverInLogsOrOtherOutputs) {
    // Warnings on purpose: a phone number in the x column, a name in the persons column.
    replace("households.csv", "P09,,,116.391934874889,", "P09,,,13800008809,");
    replace("households.csv", "13800008810,1,0", "13800008810,秘名酉PLX,0");
    const auto officer = run("officer " + project() + " 110101001001 -o " + quote((dir / "officer").string()));
    EXPECT_EQ(officer.code, 0) << officer.err;
    EXPECT_TRUE(contains(officer.out, "秘名子PLX"));           // the officer's own list, on the terminal
    EXPECT_TRUE(contains(officer.err, "bad_coordinates")) << officer.err;
    EXPECT_TRUE(contains(officer.err, "persons is not a number")) << officer.err;
    for (const auto& v : personal_values()) EXPECT_FALSE(contains(officer.err, v)) << v << " on stderr";
    EXPECT_TRUE(fs::exists(dir / "officer" / "officer_110101001001.csv"));
    EXPECT_TRUE(fs::exists(dir / "officer" / "officer_110101001001.gpkg"));
    // The other commands on the same project: nothing personal printed or written.
    const auto assign = run("assign " + project() + " -o " + quote((dir / "assign").string()));
    EXPECT_EQ(assign.code, 0) << assign.err;
    const auto runs = run("run " + project() + " -o " + quote((dir / "run").string()) + " --no-render");
    EXPECT_EQ(runs.code, 0) << runs.err;
    for (const auto& r : {assign, runs})
        for (const auto& v : personal_values()) {
            EXPECT_FALSE(contains(r.out, v)) << v << " on stdout";
            EXPECT_FALSE(contains(r.err, v)) << v << " on stderr";
        }
    expect_no_personal_files();
}

TEST_F(OfficerCli, NoPersonalFlag) {
    const auto r = run("officer " + project() + " 110101001001 -o " + quote((dir / "officer").string()) + " --no-personal");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "P02"));
    for (const auto& v : personal_values()) {
        EXPECT_FALSE(contains(r.out, v)) << v;
        EXPECT_FALSE(contains(slurp(dir / "officer" / "officer_110101001001.csv"), v)) << v;
    }
}

TEST_F(OfficerCli, UnknownGridIsBadInput) {
    const auto r = run("officer " + project() + " 11010100100 -o " + quote((dir / "officer").string()));
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(contains(r.err, "is not a grid code")) << r.err;
    EXPECT_TRUE(contains(r.err, "110101001001")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "officer"));
}

TEST_F(OfficerCli, AMissingPersonalFieldNamesTheFieldNotAValue) {
    replace("project.toml", "phone = \"phone\"", "phone = \"telephone\"");
    const auto r = run("officer " + project() + " 110101001001 -o " + quote((dir / "officer").string()));
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(contains(r.err, "'telephone'")) << r.err;
    for (const auto& v : personal_values()) EXPECT_FALSE(contains(r.err, v)) << v;
    // Only the officer list reads personal fields: the other jobs do not even notice.
    EXPECT_EQ(run("assign " + project() + " -o " + quote((dir / "assign").string())).code, 0);
}

TEST(OfficerSample, OneGridOfTheSampleAndNoOtherGridsPeople) {
    // The bundled sample maps name and phone ([households] in data/sample/project.toml): the list of one grid holds
    // the names of its households and of no other.
    const fs::path out = fs::temp_directory_path() / ("gridatlas-officer-sample-" + std::to_string(::getpid()));
    gridatlas::Diagnostics diag;
    const auto r = gridatlas::pipeline::officer_job(
        {fs::path(GRIDATLAS_SOURCE_DIR) / "data/sample/project.toml", "999001001010004", out}, diag);
    EXPECT_EQ(r.grid_name, "枫丹社区第4网格");
    EXPECT_TRUE(r.personal);
    EXPECT_GT(r.households, 100u);
    std::size_t listed = 0, named = 0;
    for (const auto& b : r.buildings)
        for (const auto& u : b.units)
            for (const auto& h : u.households) { ++listed; named += !h.name.empty() && !h.phone.empty(); }
    EXPECT_EQ(listed, r.households);
    EXPECT_EQ(named, r.households);
    // Roster rows of other grids: their phones are nowhere in the officer files.
    std::ifstream roster(fs::path(GRIDATLAS_SOURCE_DIR) / "data/sample/households.csv");
    std::string line;
    std::getline(roster, line);
    const std::string csv = slurp(r.csv), gpkg = slurp(r.gpkg), table = format_officer_table(r);
    std::size_t others = 0;
    while (std::getline(roster, line) && others < 300) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
        if (cells.size() < 7 || cells[6].empty() || household(r, cells[0])) continue;
        ++others;
        EXPECT_FALSE(contains(csv, cells[6])) << cells[0];
        EXPECT_FALSE(contains(gpkg, cells[6])) << cells[0];
        EXPECT_FALSE(contains(table, cells[6])) << cells[0];
    }
    EXPECT_EQ(others, 300u);
    for (const auto& d : diag.items()) {
        const std::string text = gridatlas::format_diagnostic(d);
        for (const auto& b : r.buildings)
            for (const auto& u : b.units)
                for (const auto& h : u.households) EXPECT_FALSE(contains(text, h.phone)) << text;
    }
    fs::remove_all(out);
}
