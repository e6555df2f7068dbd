// The gridatlas binary as a user runs it: exit codes (0 success, 1 usage, 2 bad input data, 3 failure while
// computing or writing) and what it prints on stderr for each kind of bad input, on copies of the tiny fixture
// broken one way per test. Also: no personal data from the roster in anything it prints or writes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

const fs::path tiny_dir = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny";

const std::string b3_geometry =
    R"({ "type": "Polygon", "coordinates": [ [ [447920, 4418790], [447940, 4418790], [447940, 4418810], [447920, 4418810], [447920, 4418790] ] ] })";
const std::string b3_bowtie =
    R"({ "type": "Polygon", "coordinates": [ [ [447920, 4418790], [447940, 4418810], [447940, 4418790], [447920, 4418810], [447920, 4418790] ] ] })";
const std::string crs_member = R"("crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::4548" } },)";

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

struct Result {
    int code = -1;
    std::string out;
    std::string err;
};

std::vector<std::string> personal_values() {
    std::vector<std::string> v = {"QZX", "秘名", "139000077"};
    for (const char* n : {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"}) v.push_back(std::string("秘名") + n + "QZX");
    return v;
}

bool have_ogr2ogr() { return std::system("ogr2ogr --version > /dev/null 2>&1") == 0; }

// A copy of the tiny fixture per test, and the binary run on it.
class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = fs::temp_directory_path() / ("gridatlas-cli-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir / "project");
        for (const auto& e : fs::directory_iterator(tiny_dir)) fs::copy(e.path(), dir / "project" / e.path().filename());
        out = dir / "out";
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    Result run(const std::string& args) const {
        const fs::path o = dir / "stdout.txt", e = dir / "stderr.txt";
        const std::string cmd = quote(GRIDATLAS_BIN) + " " + args + " > " + quote(o.string()) + " 2> " + quote(e.string());
        const int status = std::system(cmd.c_str());
        Result r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(o);
        r.err = slurp(e);
        return r;
    }
    // `gridatlas run <project> -o <out> --no-render`
    Result run_project(const std::string& extra = "") const {
        return run("run " + quote(project().string()) + " -o " + quote(out.string()) + " --no-render " + extra);
    }

    fs::path project() const { return dir / "project" / "project.toml"; }
    fs::path path(const std::string& name) const { return dir / "project" / name; }
    std::string read(const std::string& name) const { return slurp(path(name)); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path(name), std::ios::binary) << text; }
    void replace(const std::string& name, const std::string& from, const std::string& to) const {
        std::string text = read(name);
        const auto pos = text.find(from);
        ASSERT_NE(pos, std::string::npos) << "'" << from << "' not in " << name;
        text.replace(pos, from.size(), to);
        write(name, text);
    }

    // What every data error looks like on stderr: one "error: <file>, layer '<layer>': <message> — <hint>" line, no
    // summary on stdout, no output directory.
    void expect_data_error(const Result& r, const std::string& file, const std::string& layer, const std::string& message) const {
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_EQ(r.err.rfind("error: " + file, 0), 0u) << r.err;
        if (!layer.empty()) {
            EXPECT_TRUE(contains(r.err, ", layer '" + layer + "'")) << r.err;
        }
        EXPECT_TRUE(contains(r.err, message)) << r.err;
        EXPECT_TRUE(contains(r.err, " — ")) << "no hint: " << r.err;
        EXPECT_EQ(r.out, "");
        EXPECT_FALSE(fs::exists(out)) << "outputs written for a failed run";
    }

    fs::path dir;
    fs::path out;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Usage

TEST_F(Cli, NoArgumentsIsAUsageError) {
    // Regression test for a bug found in review (fixed).
    const Result r = run("");
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(contains(r.err, "A subcommand is required")) << r.err;
}

TEST_F(Cli, MissingOutputOptionIsAUsageError) {
    // Regression test for a bug found in review (fixed).
    const Result r = run("run " + quote(project().string()));
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(contains(r.err, "--output is required")) << r.err;
}

TEST_F(Cli, HelpAndVersionExitZero) {
    const Result help = run("--help");
    EXPECT_EQ(help.code, 0);
    EXPECT_TRUE(contains(help.out, "run")) << help.out;
    const Result run_help = run("run --help");
    EXPECT_EQ(run_help.code, 0);
    EXPECT_TRUE(contains(run_help.out, "--no-render")) << run_help.out;
    const Result version = run("--version");
    EXPECT_EQ(version.code, 0);
    EXPECT_TRUE(contains(version.out, "gridatlas 0.1.0")) << version.out;
}

// ---------------------------------------------------------------------------------------------------------------
// A good run

TEST_F(Cli, TinyProjectRuns) {
    const Result r = run("run " + quote(project().string()) + " -o " + quote(out.string()));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");  // the clean fixture: no warnings
    EXPECT_TRUE(contains(r.out, "GridAtlas run: tiny (EPSG:4548)")) << r.out;
    EXPECT_TRUE(contains(r.out, "buildings 3 (3 residential), units 4, grids 3, facilities 2, road lines 5")) << r.out;
    EXPECT_TRUE(contains(r.out, "Households: 10 in roster = 7 assigned + 3 unassigned")) << r.out;
    EXPECT_TRUE(contains(r.out, "    duplicate_household_id: 1\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "    missing_building_ref: 1\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "    unknown_building: 1\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "unit      10 = 6 + 4  ok")) << r.out;
    EXPECT_TRUE(contains(r.out, "grid      10 = 7 + 3  ok")) << r.out;
    EXPECT_TRUE(contains(r.out, "网格 (grid): 2 grids, 7 households, 17 persons, 2 party-member households")) << r.out;
    EXPECT_TRUE(contains(r.out, "党群服务中心 ≤5.0 min: 57.1% of households (4/7), 1 gap building, 1 facility")) << r.out;
    EXPECT_FALSE(contains(r.out, "DOES NOT ADD UP")) << r.out;
    EXPECT_TRUE(fs::is_regular_file(out / "gridatlas.gpkg"));
    EXPECT_TRUE(fs::is_regular_file(out / "summary.json"));
    EXPECT_TRUE(fs::is_regular_file(out / "overview.png"));
}

TEST_F(Cli, NoPersonalDataPrintedOrWritten) {
    // A shifted roster row puts a head's name into the persons column: the warning names the row, not the value.
    replace("households.csv", "13900007702,2,0", "13900007702,秘名错位QZX,0");
    const Result r = run("run " + quote(project().string()) + " -o " + quote(out.string()));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "households.csv, layer 'households', feature line 3 (record 2): persons is not a number")) << r.err;
    for (const auto& v : personal_values()) {
        EXPECT_FALSE(contains(r.out, v)) << v << " on stdout";
        EXPECT_FALSE(contains(r.err, v)) << v << " on stderr";
    }
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
        if (!e.is_regular_file()) continue;
        ++files;
        const std::string bytes = slurp(e.path());
        for (const auto& v : personal_values()) EXPECT_FALSE(contains(bytes, v)) << v << " in " << e.path();
    }
    EXPECT_GE(files, 3u);
}

// ---------------------------------------------------------------------------------------------------------------
// Bad input that stops the run: exit code 2

TEST_F(Cli, MissingProjectFile) {
    const fs::path p = dir / "nope.toml";
    const Result r = run("run " + quote(p.string()) + " -o " + quote(out.string()));
    expect_data_error(r, p.string(), "", "the project file does not exist");
}

TEST_F(Cli, BadToml) {
    replace("project.toml", R"(name = "tiny")", R"(name = "tiny)");
    const Result r = run_project();
    expect_data_error(r, project().string(), "", "not valid TOML");
    EXPECT_TRUE(contains(r.err, "line 6")) << r.err;
    EXPECT_TRUE(contains(r.err, "fix the syntax at that line")) << r.err;
}

TEST_F(Cli, MissingGridLevels) {
    std::string text = read("project.toml");
    const auto from = text.find("[[grid_levels]]");
    text.erase(from, text.find("[facilities]") - from);
    write("project.toml", text);
    const Result r = run_project();
    expect_data_error(r, project().string(), "", "no grid levels are defined");
    EXPECT_TRUE(contains(r.err, "[[grid_levels]]")) << r.err;
}

TEST_F(Cli, MissingLayerFile) {
    replace("project.toml", R"(file = "roads.geojson")", R"(file = "roads/osm.gpkg")");
    const Result r = run_project();
    expect_data_error(r, path("roads/osm.gpkg").string(), "", "the roads file does not exist");
    EXPECT_TRUE(contains(r.err, "relative to the project file")) << r.err;
}

TEST_F(Cli, MissingIdField) {
    replace("project.toml", R"(id = "building_id")", R"(id = "bid")");
    const Result r = run_project();
    expect_data_error(r, path("buildings.geojson").string(), "buildings", "the buildings layer has no field 'bid' (for id)");
    EXPECT_TRUE(contains(r.err, "the layer's fields are: building_id, name, residential, floors")) << r.err;
}

TEST_F(Cli, UnknownLayerName) {
    replace("project.toml", R"(file = "grids.geojson")", "file = \"grids.geojson\"\nlayer = \"网格\"");
    const Result r = run_project();
    expect_data_error(r, path("grids.geojson").string(), "网格", "no such layer");
    EXPECT_TRUE(contains(r.err, "the file's layers are: grids")) << r.err;
}

TEST_F(Cli, MissingCrsAndTheFix) {
    if (!have_ogr2ogr()) GTEST_SKIP() << "ogr2ogr not found";
    const std::string cmd = "ogr2ogr -f \"ESRI Shapefile\" -lco ENCODING=UTF-8 " + quote(path("communities.shp").string()) +
                            " " + quote(path("communities.geojson").string());
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    ASSERT_TRUE(fs::remove(path("communities.prj")));
    replace("project.toml", R"(file = "communities.geojson")", R"(file = "communities.shp")");
    const Result r = run_project();
    expect_data_error(r, path("communities.shp").string(), "communities", "the layer has no coordinate reference system");
    EXPECT_TRUE(contains(r.err, "add crs = \"EPSG:…\" to this layer's table in the project file")) << r.err;

    replace("project.toml", R"(file = "communities.shp")", "file = \"communities.shp\"\ncrs = \"EPSG:4326\"");
    const Result fixed = run_project();
    EXPECT_EQ(fixed.code, 0) << fixed.err;
    EXPECT_TRUE(contains(fixed.out, "社区 (community): 1 grids, 7 households")) << fixed.out;
}

TEST_F(Cli, ProjectedCoordinatesDeclaredLonLat) {
    replace("buildings.geojson", crs_member + "\n", "");
    const Result r = run_project();
    expect_data_error(r, path("buildings.geojson").string(), "buildings",
                      "the layer declares a geographic CRS but its coordinates reach (448080.000000, 4418810.000000), "
                      "which are not degrees");
    EXPECT_TRUE(contains(r.err, "declare the projected CRS the data is really in with crs = \"EPSG:…\"")) << r.err;
}

TEST_F(Cli, EmptyBuildingsLayer) {
    if (!have_ogr2ogr()) GTEST_SKIP() << "ogr2ogr not found";
    const std::string cmd = "ogr2ogr -f GPKG -where \"0=1\" -nln buildings " + quote(path("empty.gpkg").string()) + " " +
                            quote(path("buildings.geojson").string());
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    replace("project.toml", R"(file = "buildings.geojson")", R"(file = "empty.gpkg")");
    const Result r = run_project();
    expect_data_error(r, path("empty.gpkg").string(), "buildings", "the buildings layer has no usable building");
}

TEST_F(Cli, NoUsableBuildingShowsTheWarningsItRefersTo) {
    // Regression test for a bug found in review (fixed).
    std::string text = read("buildings.geojson");
    for (std::size_t pos; (pos = text.find("{ \"type\": \"Polygon\"")) != std::string::npos;)
        text.replace(pos, text.find("] ] ] }", pos) + 7 - pos, "null");
    write("buildings.geojson", text);
    const Result r = run_project();
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(contains(r.err, "the buildings layer has no usable building")) << r.err;
    EXPECT_TRUE(contains(r.err, "see the warnings above")) << r.err;
    EXPECT_TRUE(contains(r.err, "feature 'B1' (fid 0): building has no geometry")) << r.err;
    EXPECT_TRUE(contains(r.err, "feature 'B3' (fid 2): building has no geometry")) << r.err;
}

// ---------------------------------------------------------------------------------------------------------------
// Bad features: warnings on stderr, the run goes on (exit code 0)

TEST_F(Cli, BowTieBuildingIsRepairedAndNamed) {
    replace("buildings.geojson", b3_geometry, b3_bowtie);
    const Result r = run_project();
    EXPECT_EQ(r.code, 0) << r.err;
    const std::string head = "warning: " + path("buildings.geojson").string() + ", layer 'buildings', feature 'B3' (fid 2) at (";
    EXPECT_EQ(r.err.rfind(head, 0), 0u) << r.err;
    EXPECT_TRUE(contains(r.err, "building was invalid (Self-intersection at (447930.00, 4418800.00)); repaired with GEOSMakeValid"))
        << r.err;
    EXPECT_TRUE(contains(r.err, " — check the repaired outline")) << r.err;
    EXPECT_TRUE(contains(r.out, "Households: 10 in roster = 7 assigned + 3 unassigned")) << r.out;
    EXPECT_TRUE(contains(r.out, "    invalid_geometry: 1\n")) << r.out;
}

TEST_F(Cli, BowTieWarningShowsTheVertexCoordinate) {
    // Regression test for a bug found in review (fixed).
    replace("buildings.geojson", b3_geometry, b3_bowtie);
    const Result r = run_project();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "feature 'B3' (fid 2) at (447920")) << r.err;
    EXPECT_TRUE(contains(r.err, "4418790")) << r.err;
    EXPECT_FALSE(contains(r.err, "e+06")) << r.err;
}

TEST_F(Cli, BuildingWithoutGeometry) {
    replace("buildings.geojson", b3_geometry, "null");
    const Result r = run_project();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "warning: " + path("buildings.geojson").string() +
                                    ", layer 'buildings', feature 'B3' (fid 2): building has no geometry — "))
        << r.err;
    EXPECT_TRUE(contains(r.out, "Households: 10 in roster = 6 assigned + 4 unassigned")) << r.out;
    EXPECT_TRUE(contains(r.out, "    rejected_building: 1\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "building  10 = 6 + 4  ok")) << r.out;
}

TEST_F(Cli, DuplicateBuildingIds) {
    replace("buildings.geojson", R"("building_id": "B3")", R"("building_id": "B2")");
    const Result r = run_project();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "warning: " + path("buildings.geojson").string() +
                                    ", layer 'buildings', feature 'B2': building id is used by 2 features (fids 1, 2) — "))
        << r.err;
    EXPECT_TRUE(contains(r.out, "    ambiguous_building: 3\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "    unknown_building: 2\n")) << r.out;  // H07 → B9, H06 → B3 (renamed away)
    EXPECT_TRUE(contains(r.out, "    duplicate_id: 1\n")) << r.out;
}

TEST_F(Cli, MaxWarningsLimitsWhatIsPrinted) {
    replace("buildings.geojson", R"("building_id": "B3")", R"("building_id": "B2")");
    const Result r = run_project("--max-warnings 1");
    EXPECT_EQ(r.code, 0) << r.err;
    // duplicate_id, and units U3 (→ B2) and U4 (→ B3) pointing at unusable buildings.
    EXPECT_TRUE(contains(r.err, "… and 2 more warnings (all are in the output gpkg's 'issues' layer)")) << r.err;
    EXPECT_FALSE(contains(r.err, "units.csv")) << r.err;
}

// ---------------------------------------------------------------------------------------------------------------
// Failures while writing: exit code 3

TEST_F(Cli, OutputPathIsAFile) {
    std::ofstream(out) << "a file where the output directory should go";
    const Result r = run_project();
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
}

TEST_F(Cli, UnwritableGpkgIsAFailureNotBadInput) {
    // Regression test for a bug found in review (fixed).
    fs::create_directories(out / "gridatlas.gpkg");
    std::ofstream(out / "gridatlas.gpkg" / "keep") << "a directory in the way of the GeoPackage";
    const Result r = run_project();
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_TRUE(contains(r.err, (out / "gridatlas.gpkg").string())) << r.err;
}
