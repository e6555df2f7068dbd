// The bad-input corpus (scripts/make_bad_inputs.py, made into the build directory at test time from data/sample and
// tests/fixtures/tiny): `gridatlas assign`/`run` on each case, asserting the exit code, the message (file, layer,
// line or feature, what to do) and that the roster's records in the file = assigned + unassigned + rejected at read.
// Sample numbers: the sample roster has 46,763 records; 46,750 are assigned and 13 unassigned (3 duplicate ids, 4
// without a building, 6 naming unknown buildings), see data/README.md. A case that rejects one record at read has that
// record among the assigned ones, so it gives 46,749 + 13 + 1.
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
const fs::path outputs = gridatlas::test_support::CorpusTest::outputs_dir();



struct Result {
    int code = -1;
    std::string out, err;
    json summary;   // assignment.json (assign) or summary.json (run), when written
};

// `gridatlas <command> <case>/project.toml -o <out>/<case>`.
Result run(const std::string& command, const std::string& name) {
    const fs::path out = outputs / (command + "-" + name);
    fs::remove_all(out);
    fs::create_directories(outputs);
    const std::string cmd = std::string(GRIDATLAS_BIN) + " " + command + " '" + (corpus / name / "project.toml").string() + "' -o '" +
                            out.string() + "' > '" + out.string() + ".out' 2> '" + out.string() + ".err'";
    Result r;
    const int status = std::system(cmd.c_str());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out.string() + ".out");
    r.err = slurp(out.string() + ".err");
    const fs::path json_file = out / (command == "assign" ? "assignment.json" : "summary.json");
    if (fs::exists(json_file)) r.summary = json::parse(slurp(json_file));
    return r;
}

// Records in the file = households read + rejected at read, and households read = assigned + unassigned.
void expect_conserved(const Result& r, long records, long rejected, long assigned, long unassigned) {
    ASSERT_TRUE(r.summary.contains("households")) << r.err;
    const json& h = r.summary["households"];
    EXPECT_EQ(h["records_in_file"].get<long>(), records);
    EXPECT_EQ(h["rejected_at_read"].get<long>(), rejected);
    EXPECT_EQ(h["roster"].get<long>(), records - rejected);
    EXPECT_EQ(h["assigned"].get<long>(), assigned);
    EXPECT_EQ(h["unassigned"].get<long>(), unassigned);
    EXPECT_EQ(h["records_in_file"].get<long>(), h["assigned"].get<long>() + h["unassigned"].get<long>() + h["rejected_at_read"].get<long>());
    EXPECT_TRUE(h["file_balanced"].get<bool>());
    EXPECT_TRUE(h["balanced_at_every_level"].get<bool>());
}

std::string roster(const std::string& name) { return (corpus / name / "households.csv").string() + ", layer 'households'"; }

}  // namespace

class BadInputs : public gridatlas::test_support::CorpusTest {};

// ----------------------------------------------------------------------------------------- the sample's roster

TEST_F(BadInputs, StrayQuoteAtRow100KeepsEveryRecord) {
    const Result r = run("assign", "stray_quote");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 46763, 0, 46750, 13);   // once: 100 of 46,763 read, "balanced"
    EXPECT_TRUE(contains(r.err, roster("stray_quote") + ", feature line 101 (record 100): a quote inside a value was kept")) << r.err;
    EXPECT_TRUE(contains(r.err, "[stray_quote]"));
}

TEST_F(BadInputs, UnterminatedQuoteAtRow10RejectsThatRecordOnly) {
    const Result r = run("assign", "unterminated_quote");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 46763, 1, 46749, 13);   // once: 10 read
    EXPECT_TRUE(contains(r.err, roster("unterminated_quote") + ", feature line 11 (record 10): a quoted field is not closed")) << r.err;
    EXPECT_TRUE(contains(r.err, "close the quote")) << r.err;
    EXPECT_TRUE(contains(r.err, "1 of the file's 46763 records could not be read")) << r.err;
}

TEST_F(BadInputs, ElevenMegabyteFieldRejectsThatRecordOnly) {
    const Result r = run("assign", "huge_field");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 46763, 1, 46749, 13);   // once: 4 read
    EXPECT_TRUE(contains(r.err, roster("huge_field") + ", feature line 5 (record 4): a field is longer than 64 KiB")) << r.err;
}

TEST_F(BadInputs, CrlfBomAndQuotedNewlinesReadEveryRecord) {
    for (const char* name : {"crlf", "bom", "quoted_newline", "gbk_declared"}) {
        SCOPED_TRACE(name);
        const Result r = run("assign", name);
        EXPECT_EQ(r.code, 0) << r.err;
        expect_conserved(r, 46763, 0, 46750, 13);
        EXPECT_FALSE(contains(r.err, "households.csv, layer 'households', feature line")) << r.err;  // nothing to say about a row
    }
}

TEST_F(BadInputs, NulByteRejectsThatRecord) {
    const Result r = run("assign", "nul_byte");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 46763, 1, 46749, 13);
    EXPECT_TRUE(contains(r.err, roster("nul_byte") + ", feature line 21 (record 20): the record holds a NUL byte")) << r.err;
    EXPECT_TRUE(contains(r.err, "re-export the roster as text")) << r.err;
}

TEST_F(BadInputs, MixedGbkAndUtf8AreConvertedAndNamed) {
    const Result r = run("assign", "mixed_gbk_utf8");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 46763, 0, 46750, 13);
    EXPECT_TRUE(contains(r.err, roster("mixed_gbk_utf8") + ", feature line 2 (record 1): text read as GBK/GB18030 and converted to UTF-8")) << r.err;
    // Rows 1-100: 20 named, 80 counted, in the output's issues layer (the terminal shows the first 20 warnings). Row 88's
    // name 谢英 in GBK is also valid UTF-8 (лӢ): it is read as GBK too, so the 80 include it.
    EXPECT_EQ(r.summary["warnings"]["converted_encoding"], 21);
    const std::string issues = "ogrinfo -q -al '" + (outputs / "assign-mixed_gbk_utf8" / "assignment.gpkg").string() +
                               "' issues | grep -q '80 more records like the above'";
    EXPECT_EQ(std::system(issues.c_str()), 0) << "no '80 more records' issue in assignment.gpkg";
    EXPECT_FALSE(contains(r.err, "feature line 102 ")) << r.err;                 // row 101 on is UTF-8
}

TEST_F(BadInputs, IntegersOutOfRangeOrFractionalAreUnknownNotWrapped) {
    const Result r = run("assign", "bad_integers");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 46763, 0, 46750, 13);
    EXPECT_TRUE(contains(r.err, roster("bad_integers") + ", feature line 31 (record 30): persons is out of range")) << r.err;
    EXPECT_TRUE(contains(r.err, roster("bad_integers") + ", feature line 32 (record 31): party_members is not a whole number (it has a fraction)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "write a whole number from 0 in that cell")) << r.err;
}

// ------------------------------------------------------------------------------------------ coordinate systems

TEST_F(BadInputs, LonLatDeclaredAsMetricCrsStopsTheRun) {
    for (const auto& [name, crs] : {std::pair{"lonlat_as_4547", "EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)"},
                                    std::pair{"lonlat_as_32632", "EPSG:32632 (WGS 84 / UTM zone 32N)"}}) {
        SCOPED_TRACE(name);
        const Result r = run("run", name);
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_TRUE(contains(r.err, "error: " + (corpus / name / "grids.geojson").string() + ", layer 'grids': the grid level 'grid' layer: its coordinates"))
            << r.err;
        EXPECT_TRUE(contains(r.err, std::string("cannot be in ") + crs)) << r.err;
        EXPECT_TRUE(contains(r.err, "the coordinates look like lon/lat degrees (EPSG:4326)")) << r.err;
        EXPECT_TRUE(contains(r.err, "[wrong_crs]")) << r.err;
        EXPECT_FALSE(fs::exists(outputs / ("run-" + std::string(name)) / "summary.json"));
    }
}

TEST_F(BadInputs, MetricGridsDeclaredInTheWrongZoneDoNotOverlapAndStopTheRun) {
    const Result r = run("run", "metric_wrong_zone");
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "error: " + (corpus / "metric_wrong_zone" / "grids_gk.geojson").string() +
                                    ", layer 'grids': after reprojection the grid level 'grid' (网格) layer, at lon/lat (113.3890, 39.8995)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "does not overlap the buildings layer")) << r.err;
    EXPECT_TRUE(contains(r.err, "values fit EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E) there")) << r.err;
    EXPECT_TRUE(contains(r.err, "declare it with crs = \"EPSG:4548\" in its table")) << r.err;
    EXPECT_TRUE(contains(r.err, "[layers_apart]")) << r.err;
}

// Facilities as an Amap export (GCJ-02 lon/lat columns in a CSV): converted back, the same answers as the tiny
// fixture's (README: both kinds 4 of 7 households within 5 min).
TEST_F(BadInputs, Gcj02FacilityCsvGivesTheTinyFixturesCoverage) {
    const Result r = run("run", "gcj02_facilities");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 10, 0, 7, 3);
    EXPECT_TRUE(contains(r.out, "党群服务中心 ≤5.0 min: 57.1% of households (4/7), 1 gap building, 1 facility")) << r.out;
    EXPECT_TRUE(contains(r.out, "卫生医疗 ≤5.0 min: 57.1% of households (4/7), 1 gap building, 1 facility")) << r.out;
}

// Grids in a CGCS2000 (EPSG:4490) shapefile with a GBK .dbf and a .cpg saying 936: names read as UTF-8.
TEST_F(BadInputs, Cgcs2000ShapefileWithCpgReadsItsGbkNames) {
    const Result r = run("run", "cgcs2000_shapefile_cpg");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 10, 0, 7, 3);
    std::map<std::string, std::string> names;
    for (const auto& g : r.summary["levels"][1]["per_grid"]) names[g["code"]] = g["name"];
    EXPECT_EQ(names["110101001001"], "西网格");
    EXPECT_EQ(names["110101001002"], "东网格");
}

// The same GBK .dbf without .cpg: GDAL passes its bytes through; they are detected as GBK, converted and reported.
TEST_F(BadInputs, GbkDbfWithoutCpgIsDetectedAndReported) {
    const Result r = run("run", "dbf_gbk_without_cpg");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 10, 0, 7, 3);
    std::map<std::string, std::string> names;
    for (const auto& g : r.summary["levels"][1]["per_grid"]) names[g["code"]] = g["name"];
    EXPECT_EQ(names["110101001001"], "西网格");
    EXPECT_EQ(names["110101001002"], "东网格");
    EXPECT_TRUE(contains(r.err, (corpus / "dbf_gbk_without_cpg" / "grids.shp").string() +
                                    ", layer 'grids', feature fid 0, 1: text values of the layer are not UTF-8: 2 were read as GBK/GB18030"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "put a .cpg file beside the .shp")) << r.err;
}

// Roads and entrances (shapefiles, no .cpg) with bytes that are neither UTF-8 nor GBK in a text field: each layer
// reports them with file, layer and feature, as buildings and the roster do; the run goes on.
TEST_F(BadInputs, InvalidBytesInRoadsAndEntrancesAreReportedPerLayer) {
    const Result r = run("run", "roads_entrances_invalid_bytes");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 10, 0, 7, 3);
    for (const char* layer : {"roads", "entrances"}) {
        SCOPED_TRACE(layer);
        const std::string file = (corpus / "roads_entrances_invalid_bytes" / (std::string(layer) + ".shp")).string();
        EXPECT_TRUE(contains(r.err, "warning: " + file + ", layer '" + layer + "', feature fid 0: text values of the layer are not UTF-8: "
                                    "1 had bytes that are neither UTF-8 nor GBK, replaced by U+FFFD")) << r.err;
    }
    EXPECT_TRUE(contains(r.err, "put a .cpg file beside the .shp")) << r.err;
}

// A point roster whose x/y are declared in the neighbouring Gauss-Krüger zone (EPSG:4547 for values in 4548) lands
// 256 km west of the grids: the run stops as it does for layers apart, naming the roster and the CRS its values fit.
TEST_F(BadInputs, RosterCoordinatesApartFromTheLayersStopTheRun) {
    const Result r = run("run", "roster_xy_apart");
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "error: " + roster("roster_xy_apart").substr(0, roster("roster_xy_apart").find(", layer")) +
                                    ": after reprojection the roster coordinates (x, y) layer, at lon/lat (113.3898, 39.9001)")) << r.err;
    EXPECT_TRUE(contains(r.err, "does not overlap the grid level 'community'")) << r.err;
    EXPECT_TRUE(contains(r.err, "declare it with crs = \"EPSG:4548\" in its table")) << r.err;
    EXPECT_TRUE(contains(r.err, "[layers_apart]")) << r.err;
}

// Facilities 1 km east of the communities (not far enough to be a layer apart): a warning names the layer before the
// 0 % coverage it causes.
TEST_F(BadInputs, LayerWithNothingInTheStudyAreaIsAWarning) {
    const Result r = run("run", "facilities_outside_grids");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 10, 0, 7, 3);
    EXPECT_TRUE(contains(r.err, "warning: " + (corpus / "facilities_outside_grids" / "facilities.geojson").string() +
                                    ": none of the layer's 2 facilities lies in a grid of the top level 'community' (社区) (the study area)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "[nothing_in_study_area]")) << r.err;
    EXPECT_TRUE(contains(r.out, "0.0% of households (0/7)")) << r.out;
    // The tiny fixture itself has every layer in its communities: no such warning.
    const Result tiny = run("run", "cgcs2000_shapefile_cpg");
    EXPECT_FALSE(contains(tiny.err, "nothing_in_study_area")) << tiny.err;
}

// ------------------------------------------------------------------------------------------------ project file

TEST_F(BadInputs, ProjectFileTyposStopTheRunNamingKeyAndFix) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"typo_minuts", "[service_kinds.minuts]: unknown key 'minuts' in [service_kinds]; did you mean 'minutes'?"},
        {"typo_walkng", "[walkng]: unknown table [walkng]; did you mean [walking]?"},
        {"typo_minutes_text", "[service_kinds.minutes]: minutes = \"10\" is not valid: minutes must be positive (a number > 0) — write minutes = 15 (a number, no quotes)"},
        {"typo_speed_fast", "[walking.speed_m_per_s]: speed_m_per_s = \"fast\" is not valid"},
        {"typo_workng_crs", "[project.workng_crs]: unknown key 'workng_crs' in [project]; did you mean 'working_crs'?"},
    };
    for (const auto& [name, message] : cases) {
        SCOPED_TRACE(name);
        const Result r = run("run", name);
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_TRUE(contains(r.err, "error: " + (corpus / name / "project.toml").string() + ", feature " + message)) << r.err;
        EXPECT_TRUE(contains(r.err, "[bad_project_file]")) << r.err;
    }
}

// ----------------------------------------------------------------------------------------------- empty measures

TEST_F(BadInputs, EmptyFacilitiesLayerIsAWarningNotASilentZero) {
    const Result r = run("run", "empty_facilities");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 10, 0, 7, 3);
    EXPECT_TRUE(contains(r.err, (corpus / "empty_facilities" / "facilities_empty.gpkg").string() +
                                    ": the facilities layer holds no facility in the study area")) << r.err;
    EXPECT_TRUE(contains(r.err, "every service kind will show 0 % coverage")) << r.err;
}

TEST_F(BadInputs, ServiceKindWithoutFacilityIsAWarning) {
    const Result r = run("run", "kind_without_facility");
    EXPECT_EQ(r.code, 0) << r.err;
    expect_conserved(r, 10, 0, 7, 3);
    EXPECT_TRUE(contains(r.err, "no facility is of service kind 'school' (学校): its coverage is 0 % everywhere")) << r.err;
    EXPECT_TRUE(contains(r.err, "[kind_without_facility]")) << r.err;
}
