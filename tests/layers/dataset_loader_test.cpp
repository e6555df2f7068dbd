// The dataset loader on the tiny fixture (tests/fixtures/tiny, answers in its README.md) and on bad variants of it
// generated at test time: every problem is either a DataError or a warning with its code, the file, the layer, the
// feature's id (and a coordinate for geometry problems) and a hint; households of unusable buildings get a reason.
#include "dataset_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "assign/household_assignment.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/diagnostics.hpp"
#include "project_config.hpp"
#include "vector_writer.hpp"

namespace fs = std::filesystem;
namespace geo = gridatlas::geo;
using gridatlas::DataError;
using gridatlas::Dataset;
using gridatlas::Diagnostic;
using gridatlas::Diagnostics;
using gridatlas::assign::Reason;
using namespace gridatlas::layers;

namespace gridatlas::assign {
// Failure messages show "ambiguous_building", not "1-byte object <04>".
void PrintTo(Reason r, std::ostream* os) { *os << to_string(r); }
}  // namespace gridatlas::assign

namespace {

const fs::path tiny_dir = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny";

// The fixture's local origin in EPSG:4548 (see the README): local (x, y) is (447800 + x, 4418600 + y).
constexpr double ox = 447800;
constexpr double oy = 4418600;

// Building B3 as written in buildings.geojson, and a bow-tie (self-intersecting) version of it.
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

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A copy of the tiny fixture in a fresh temporary directory, to be broken one way per test.
class TinyProject : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = fs::temp_directory_path() / ("gridatlas-loader-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        for (const auto& e : fs::directory_iterator(tiny_dir)) fs::copy(e.path(), dir / e.path().filename());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    fs::path path(const std::string& name) const { return dir / name; }
    std::string read(const std::string& name) const { return slurp(path(name)); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path(name), std::ios::binary) << text; }
    // Replaces the one occurrence of `from` in file `name`.
    void replace(const std::string& name, const std::string& from, const std::string& to) const {
        std::string text = read(name);
        const auto pos = text.find(from);
        ASSERT_NE(pos, std::string::npos) << "'" << from << "' not in " << name;
        ASSERT_EQ(text.find(from, pos + 1), std::string::npos) << "'" << from << "' twice in " << name;
        text.replace(pos, from.size(), to);
        write(name, text);
    }

    struct Loaded {
        ProjectConfig cfg;
        Dataset ds;
        Diagnostics diag;
    };
    Loaded load() const {
        Loaded l;
        l.cfg = read_project_config(path("project.toml"));
        l.ds = load_dataset(l.cfg, l.diag);
        return l;
    }
    // The DataError loading stops with; `diag` receives the warnings collected before it.
    Diagnostic load_error(Diagnostics* diag = nullptr) const {
        Diagnostics local;
        try {
            const ProjectConfig cfg = read_project_config(path("project.toml"));
            load_dataset(cfg, diag ? *diag : local);
        } catch (const DataError& e) {
            return e.diagnostic();
        }
        ADD_FAILURE() << "loading did not throw DataError";
        return {};
    }
    static gridatlas::assign::AssignmentResult assign(Loaded& l) {
        const auto tree = gridatlas::hierarchy::build_grid_tree(l.ds, l.diag);
        return gridatlas::assign::assign_households(l.ds, tree);
    }
    // The placement of the roster row `row` (1-based data row of households.csv).
    static const gridatlas::assign::HouseholdPlacement& row(const Loaded& l, const gridatlas::assign::AssignmentResult& a,
                                                            std::int64_t row) {
        for (const auto& h : l.ds.households)
            if (h.row == row) return a.households[h.id.index()];
        throw std::runtime_error("no row " + std::to_string(row));
    }

    fs::path dir;
};

std::vector<Diagnostic> with_code(const Diagnostics& diag, const std::string& code) {
    std::vector<Diagnostic> out;
    for (const auto& d : diag.items())
        if (d.code == code) out.push_back(d);
    return out;
}

std::string all_codes(const Diagnostics& diag) {
    std::string s;
    for (const auto& d : diag.items()) s += gridatlas::format_diagnostic(d) + "\n";
    return s;
}

bool have_ogr2ogr() { return std::system("ogr2ogr --version > /dev/null 2>&1") == 0; }

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// The clean fixture

TEST_F(TinyProject, LoadsEveryLayerWithoutWarnings) {
    Loaded l = load();
    const Dataset& ds = l.ds;
    EXPECT_TRUE(l.diag.items().empty()) << all_codes(l.diag);
    EXPECT_EQ(ds.working_crs, "EPSG:4548");

    ASSERT_EQ(ds.buildings.size(), 3u);
    EXPECT_EQ(ds.buildings[0].source_id, "B1");
    EXPECT_EQ(ds.buildings[0].name, "一号楼");
    EXPECT_EQ(ds.buildings[0].floors, 6);
    EXPECT_TRUE(ds.buildings[0].residential);
    EXPECT_DOUBLE_EQ(ds.buildings[0].area_m2, 400);
    EXPECT_DOUBLE_EQ(ds.buildings[1].area_m2, 600);
    EXPECT_DOUBLE_EQ(ds.buildings[2].area_m2, 400);
    // Same CRS as the working CRS: exact coordinates; the anchor of a rectangle is its centre.
    EXPECT_NEAR(ds.buildings[0].anchor.x(), ox + 50, 1e-9);
    EXPECT_NEAR(ds.buildings[0].anchor.y(), oy + 30, 1e-9);
    EXPECT_NEAR(ds.buildings[1].anchor.x(), ox + 270, 1e-9);
    EXPECT_NEAR(ds.buildings[1].anchor.y(), oy + 75, 1e-9);
    EXPECT_NEAR(ds.buildings[2].anchor.x(), ox + 130, 1e-9);
    EXPECT_NEAR(ds.buildings[2].anchor.y(), oy + 200, 1e-9);
    EXPECT_EQ(ds.building_by_source_id.size(), 3u);
    EXPECT_TRUE(ds.ambiguous_building_ids.empty());
    EXPECT_TRUE(ds.rejected_buildings.empty());

    ASSERT_EQ(ds.units.size(), 4u);
    const auto b1 = ds.building_by_source_id.at("B1");
    EXPECT_TRUE(ds.find_unit(b1, 1).valid());
    EXPECT_TRUE(ds.find_unit(b1, 2).valid());
    EXPECT_FALSE(ds.find_unit(ds.building_by_source_id.at("B2"), 7).valid());
    EXPECT_EQ(ds.units[0].source_id, "U1");
    EXPECT_EQ(ds.units[0].floors, 6);
    EXPECT_EQ(ds.units[0].households_per_floor, 2);

    ASSERT_EQ(ds.households.size(), 10u);
    EXPECT_EQ(ds.households[0].source_id, "H01");
    EXPECT_EQ(ds.households[0].row, 1);
    EXPECT_EQ(ds.households[0].building_ref, "B1");
    EXPECT_EQ(ds.households[0].unit_number, 1);
    EXPECT_EQ(ds.households[0].floor, 1);
    EXPECT_EQ(ds.households[0].room, "101");
    EXPECT_EQ(ds.households[0].persons, 3);
    EXPECT_EQ(ds.households[0].party_members, 1);
    EXPECT_EQ(ds.households[7].building_ref, "");   // H08: empty building id
    EXPECT_EQ(ds.households[8].source_id, "H04");   // the duplicate
    EXPECT_EQ(ds.households[9].row, 10);
    EXPECT_EQ(ds.households[9].unit_number, 7);

    ASSERT_EQ(ds.levels.size(), 2u);
    EXPECT_EQ(ds.levels[0].key, "community");
    EXPECT_EQ(ds.levels[1].name, "网格");
    ASSERT_EQ(ds.grids.size(), 3u);
    EXPECT_EQ(ds.grids[0].code, "110101001");
    EXPECT_EQ(ds.grids[0].level, 0);
    EXPECT_EQ(ds.grids[1].code, "110101001001");
    EXPECT_EQ(ds.grids[1].parent_code, "110101001");
    EXPECT_EQ(ds.grids[2].name, "东网格");

    ASSERT_EQ(ds.facilities.size(), 2u);
    EXPECT_EQ(ds.facilities[0].source_id, "F1");
    EXPECT_EQ(ds.facilities[0].kind, "party_mass_centre");
    EXPECT_DOUBLE_EQ(ds.facilities[0].location.x(), ox + 250);
    EXPECT_DOUBLE_EQ(ds.facilities[0].location.y(), oy + 160);

    ASSERT_EQ(ds.roads.size(), 5u);
    for (const auto& r : ds.roads) {
        EXPECT_TRUE(r.walkable) << r.source_id;
        EXPECT_EQ(r.level, 0);
    }
    EXPECT_EQ(ds.roads[2].source_id, "r3");
    EXPECT_DOUBLE_EQ(geo::bg::length(ds.roads[2].line), 150);
}

TEST_F(TinyProject, LonLatGridsAreReprojectedOntoTheDesignedRectangles) {
    // communities.geojson and grids.geojson are in EPSG:4326; their corners were computed from local
    // (-50,-50) … (350,250) with gdaltransform and rounded to 1e-9 degrees.
    Loaded l = load();
    const auto& west = l.ds.grids[1].area;
    geo::Box box;
    geo::bg::envelope(west, box);
    EXPECT_NEAR(box.min_corner().x(), ox - 50, 0.01);
    EXPECT_NEAR(box.min_corner().y(), oy - 50, 0.01);
    EXPECT_NEAR(box.max_corner().x(), ox + 200, 0.01);
    EXPECT_NEAR(box.max_corner().y(), oy + 250, 0.01);
    EXPECT_NEAR(geo::bg::area(west), 250.0 * 300.0, 1.0);
    EXPECT_NEAR(geo::bg::area(l.ds.grids[0].area), 400.0 * 300.0, 1.0);
    EXPECT_NEAR(geo::bg::area(l.ds.grids[2].area), 150.0 * 300.0, 1.0);
    EXPECT_TRUE(geo::bg::within(l.ds.buildings[0].anchor, west));
    EXPECT_TRUE(geo::bg::within(l.ds.buildings[2].anchor, west));
    EXPECT_TRUE(geo::bg::within(l.ds.buildings[1].anchor, l.ds.grids[2].area));
}

TEST_F(TinyProject, AutoWorkingCrsIsTheUtmZoneOfTheBuildings) {
    replace("project.toml", R"(working_crs = "EPSG:4548")", R"(working_crs = "auto")");
    Loaded l = load();
    EXPECT_EQ(l.ds.working_crs, "EPSG:32650");
    EXPECT_EQ(resolve_working_crs(l.cfg), "EPSG:32650");
    EXPECT_NEAR(l.ds.buildings[0].area_m2, 400, 1.0);  // reprojected GK → UTM: scale differs by < 0.1 %
    EXPECT_TRUE(l.diag.items().empty()) << all_codes(l.diag);
}

TEST_F(TinyProject, NonMetricWorkingCrsIsBadCrs) {
    replace("project.toml", R"(working_crs = "EPSG:4548")", R"(working_crs = "EPSG:4490")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "bad_crs");
    EXPECT_TRUE(ends_with(d.where.file, "project.toml")) << d.where.file;
    EXPECT_EQ(d.where.feature, "[project] working_crs");
    EXPECT_TRUE(contains(d.message, "'EPSG:4490' is not a projected CRS in metres")) << d.message;
    EXPECT_TRUE(contains(d.hint, "EPSG:4547")) << d.hint;
}

TEST_F(TinyProject, RosterProblemsGetTheirReasons) {
    Loaded l = load();
    const auto a = assign(l);
    EXPECT_TRUE(a.balanced());
    EXPECT_EQ(row(l, a, 1).building_reason, Reason::assigned);
    EXPECT_EQ(row(l, a, 7).building_reason, Reason::unknown_building);       // H07 → B9
    EXPECT_EQ(row(l, a, 8).building_reason, Reason::missing_building_ref);   // H08, empty building id
    EXPECT_EQ(row(l, a, 9).building_reason, Reason::duplicate_household_id); // second H04
    EXPECT_EQ(row(l, a, 10).building_reason, Reason::assigned);              // H09: building B2 ...
    EXPECT_EQ(row(l, a, 10).unit_reason, Reason::unknown_unit);              // ... but B2 has no unit 7
    const auto& building = a.conservation[1];
    EXPECT_EQ(building.roster, 10u);
    EXPECT_EQ(building.assigned, 7u);
    EXPECT_EQ(a.conservation[0].assigned, 6u);
}

// ---------------------------------------------------------------------------------------------------------------
// Walkability and vertical levels from OSM tags

TEST(Walkable, TagsAndExclusions) {
    const WalkabilityRules rules;
    EXPECT_TRUE(walkable(rules, "footway", "", ""));
    EXPECT_TRUE(walkable(rules, "", "", ""));
    EXPECT_FALSE(walkable(rules, "motorway", "", ""));
    EXPECT_FALSE(walkable(rules, "trunk_link", "yes", ""));   // an excluded highway stays excluded
    EXPECT_FALSE(walkable(rules, "residential", "no", ""));
    EXPECT_FALSE(walkable(rules, "service", "", "private"));
    EXPECT_TRUE(walkable(rules, "service", "yes", "private"));   // foot=yes overrides access
    EXPECT_TRUE(walkable(rules, "service", "designated", "no"));
    EXPECT_TRUE(walkable(rules, "service", "permissive", "no"));
    WalkabilityRules none;
    none.excluded_highways.clear();
    EXPECT_TRUE(walkable(none, "motorway", "", ""));
}

TEST(VerticalLevel, LayerThenBridgeThenTunnel) {
    EXPECT_EQ(vertical_level("", "", ""), 0);
    EXPECT_EQ(vertical_level("1", "", ""), 1);
    EXPECT_EQ(vertical_level("-2", "", "yes"), -2);
    EXPECT_EQ(vertical_level(" 1.0 ", "", ""), 1);
    EXPECT_EQ(vertical_level("", "yes", ""), 1);
    EXPECT_EQ(vertical_level("", "viaduct", ""), 1);
    EXPECT_EQ(vertical_level("", "no", "yes"), -1);
    EXPECT_EQ(vertical_level("x", "", "building_passage"), -1);
    EXPECT_EQ(vertical_level("", "no", "no"), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Bad inputs that stop the run

TEST_F(TinyProject, MissingFile) {
    replace("project.toml", R"(file = "buildings.geojson")", R"(file = "nope.geojson")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "file_not_found");
    EXPECT_EQ(d.where.file, path("nope.geojson").string());
    EXPECT_EQ(d.message, "the buildings file does not exist");
    EXPECT_TRUE(contains(d.hint, "relative to the project file")) << d.hint;
}

TEST_F(TinyProject, MissingIdField) {
    replace("project.toml", R"(id = "building_id")", R"(id = "bid")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "missing_field");
    EXPECT_EQ(d.where.file, path("buildings.geojson").string());
    EXPECT_EQ(d.where.layer, "buildings");
    EXPECT_EQ(d.message, "the buildings layer has no field 'bid' (for id)");
    EXPECT_TRUE(contains(d.hint, "the layer's fields are: building_id, name, residential, floors")) << d.hint;
}

TEST_F(TinyProject, MissingHouseholdIdField) {
    replace("project.toml", R"(id = "household_id")", R"(id = "户号")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "missing_field");
    EXPECT_EQ(d.where.file, path("households.csv").string());
    EXPECT_EQ(d.where.layer, "households");
    EXPECT_EQ(d.message, "the households layer has no field '户号' (for id)");
    EXPECT_TRUE(contains(d.hint, "household_id")) << d.hint;
}

TEST_F(TinyProject, UnknownLayerName) {
    replace("project.toml", R"(file = "buildings.geojson")", "file = \"buildings.geojson\"\nlayer = \"blds\"");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "layer_not_found");
    EXPECT_EQ(d.where.file, path("buildings.geojson").string());
    EXPECT_EQ(d.where.layer, "blds");
    EXPECT_EQ(d.hint, "the file's layers are: buildings");
}

TEST_F(TinyProject, MissingCrsShapefileWithoutPrj) {
    if (!have_ogr2ogr()) GTEST_SKIP() << "ogr2ogr not found";
    const fs::path shp = path("communities.shp");
    const std::string cmd = "ogr2ogr -f \"ESRI Shapefile\" -lco ENCODING=UTF-8 \"" + shp.string() + "\" \"" +
                            path("communities.geojson").string() + "\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    ASSERT_TRUE(fs::remove(path("communities.prj")));
    replace("project.toml", R"(file = "communities.geojson")", R"(file = "communities.shp")");

    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "missing_crs");
    EXPECT_EQ(d.where.file, shp.string());
    EXPECT_EQ(d.where.layer, "communities");
    EXPECT_EQ(d.message, "the layer has no coordinate reference system");
    EXPECT_TRUE(contains(d.hint, "add crs = \"EPSG:…\" to this layer's table in the project file")) << d.hint;
    EXPECT_TRUE(contains(d.hint, ".prj")) << d.hint;

    // The fix the hint names: declare the CRS in the layer's table.
    replace("project.toml", R"(file = "communities.shp")", "file = \"communities.shp\"\ncrs = \"EPSG:4326\"");
    Loaded l = load();
    ASSERT_EQ(l.ds.grids.size(), 3u);
    EXPECT_EQ(l.ds.grids[0].code, "110101001");
    EXPECT_EQ(l.ds.grids[0].name, "东华门社区");
    EXPECT_NEAR(geo::bg::area(l.ds.grids[0].area), 400.0 * 300.0, 1.0);
    EXPECT_TRUE(l.diag.items().empty()) << all_codes(l.diag);
}

TEST_F(TinyProject, MissingCrsCsvWithWkt) {
    write("facilities.csv",
          "WKT,facility_id,kind,name\n\"POINT (448050 4418760)\",F1,party_mass_centre,c1\n\"POINT (447820 4418590)\",F2,health,c2\n");
    replace("project.toml", R"(file = "facilities.geojson")", R"(file = "facilities.csv")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "missing_crs");
    EXPECT_EQ(d.where.file, path("facilities.csv").string());
    EXPECT_EQ(d.where.layer, "facilities");
    EXPECT_TRUE(contains(d.hint, "crs = \"EPSG:")) << d.hint;

    replace("project.toml", R"(file = "facilities.csv")", "file = \"facilities.csv\"\ncrs = \"EPSG:4548\"");
    Loaded l = load();
    ASSERT_EQ(l.ds.facilities.size(), 2u);
    EXPECT_DOUBLE_EQ(l.ds.facilities[1].location.x(), ox + 20);
    EXPECT_DOUBLE_EQ(l.ds.facilities[1].location.y(), oy - 10);
}

TEST_F(TinyProject, ProjectedCoordinatesInLonLatGeoJsonAreWrongCrs) {
    // Without its "crs" member the GeoJSON is EPSG:4326 by definition, but the numbers are metres.
    replace("buildings.geojson", crs_member + "\n", "");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_EQ(d.where.file, path("buildings.geojson").string());
    EXPECT_EQ(d.where.layer, "buildings");
    EXPECT_TRUE(contains(d.message, "declares a geographic CRS")) << d.message;
    EXPECT_TRUE(contains(d.message, "448080")) << d.message;   // the largest x of the layer
    EXPECT_TRUE(contains(d.message, "4418810")) << d.message;  // the largest y
    EXPECT_TRUE(contains(d.hint, "crs = \"EPSG:…\"")) << d.hint;

    // With working_crs = "auto" the error is the same (not a nonsense UTM zone).
    replace("project.toml", R"(working_crs = "EPSG:4548")", R"(working_crs = "auto")");
    EXPECT_EQ(load_error().code, "wrong_crs");

    // Declaring the real CRS in the layer table fixes it.
    replace("project.toml", R"(file = "buildings.geojson")", "file = \"buildings.geojson\"\ncrs = \"EPSG:4548\"");
    Loaded l = load();
    EXPECT_EQ(l.ds.working_crs, "EPSG:32650");
    EXPECT_EQ(l.ds.buildings.size(), 3u);
}

TEST_F(TinyProject, DeclaringLonLatForProjectedDataIsWrongCrs) {
    replace("project.toml", R"(file = "roads.geojson")", "file = \"roads.geojson\"\ncrs = \"EPSG:4326\"");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_EQ(d.where.file, path("roads.geojson").string());
    EXPECT_EQ(d.where.layer, "roads");
}

TEST_F(TinyProject, EmptyBuildingsLayer) {
    {  // A GeoPackage layer with its fields but no feature.
        VectorWriter w(path("empty.gpkg"));
        w.begin_layer("buildings", LayerGeometry::polygon, "EPSG:4548",
                      {{"building_id"}, {"name"}, {"residential"}, {"floors", FieldType::integer}});
    }
    replace("project.toml", R"(file = "buildings.geojson")", R"(file = "empty.gpkg")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "empty_layer");
    EXPECT_EQ(d.where.file, path("empty.gpkg").string());
    EXPECT_EQ(d.where.layer, "buildings");
    EXPECT_EQ(d.message, "the buildings layer has no usable building");
    EXPECT_FALSE(d.hint.empty());

    // With working_crs = "auto" the extent of the empty layer is asked for first: same code.
    replace("project.toml", R"(working_crs = "EPSG:4548")", R"(working_crs = "auto")");
    const Diagnostic a = load_error();
    EXPECT_EQ(a.code, "empty_layer");
    EXPECT_EQ(a.where.file, path("empty.gpkg").string());
    EXPECT_EQ(a.where.layer, "buildings");
}

TEST_F(TinyProject, EmptyGeoJsonBuildingsLayer) {
    // Regression test for a bug found in review (fixed).
    const std::string text = read("buildings.geojson");
    write("buildings.geojson", text.substr(0, text.find("\"features\": [")) + "\"features\": [] }\n");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "empty_layer") << gridatlas::format_diagnostic(d);
    EXPECT_EQ(d.where.file, path("buildings.geojson").string());
}

TEST_F(TinyProject, NoBuildingWithUsableGeometry) {
    std::string text = read("buildings.geojson");
    for (std::size_t pos; (pos = text.find("{ \"type\": \"Polygon\"")) != std::string::npos;)
        text.replace(pos, text.find("] ] ] }", pos) + 7 - pos, "null");
    write("buildings.geojson", text);
    Diagnostics diag;
    const Diagnostic d = load_error(&diag);
    EXPECT_EQ(d.code, "empty_layer");
    EXPECT_EQ(d.where.file, path("buildings.geojson").string());
    EXPECT_TRUE(contains(d.hint, "see the warnings")) << d.hint;
    // The warnings the hint refers to were collected (whether the CLI shows them is tested in test_cli).
    const auto empty = with_code(diag, "empty_geometry");
    ASSERT_EQ(empty.size(), 3u) << all_codes(diag);
    EXPECT_EQ(empty[0].where.feature, "'B1' (fid 0)");
}

TEST_F(TinyProject, NoWalkableRoad) {
    std::string text = read("roads.geojson");
    for (std::size_t pos; (pos = text.find("\"footway\"")) != std::string::npos;) text.replace(pos, 9, "\"motorway\"");
    for (std::size_t pos; (pos = text.find("\"residential\"")) != std::string::npos;) text.replace(pos, 13, "\"motorway\"");
    write("roads.geojson", text);
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "empty_layer");
    EXPECT_EQ(d.where.file, path("roads.geojson").string());
    EXPECT_EQ(d.message, "the roads layer has no walkable line");
    EXPECT_TRUE(contains(d.hint, "[walking]")) << d.hint;
}

TEST_F(TinyProject, GridLevelWithoutPolygon) {
    std::string text = read("grids.geojson");
    for (std::size_t pos; (pos = text.find("{ \"type\": \"Polygon\"")) != std::string::npos;)
        text.replace(pos, text.find("] ] ] }", pos) + 7 - pos, "null");
    write("grids.geojson", text);
    Diagnostics diag;
    const Diagnostic d = load_error(&diag);
    EXPECT_EQ(d.code, "empty_layer");
    EXPECT_EQ(d.where.file, path("grids.geojson").string());
    EXPECT_EQ(d.where.layer, "grids");
    EXPECT_TRUE(contains(d.message, "网格")) << d.message;  // the level's label
    EXPECT_TRUE(contains(d.hint, "[[grid_levels]]")) << d.hint;
    const auto empty = with_code(diag, "empty_geometry");
    ASSERT_EQ(empty.size(), 2u) << all_codes(diag);
    EXPECT_EQ(empty[0].where.feature, "'110101001001' (fid 0)");  // named by its code
}

// ---------------------------------------------------------------------------------------------------------------
// Bad features: warnings, the run goes on

TEST_F(TinyProject, BowTieBuildingIsRepairedWithAWarning) {
    replace("buildings.geojson", b3_geometry, b3_bowtie);
    Loaded l = load();
    const auto w = with_code(l.diag, "invalid_geometry");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    const Diagnostic& d = w[0];
    EXPECT_EQ(d.severity, gridatlas::Severity::warning);
    EXPECT_EQ(d.where.file, path("buildings.geojson").string());
    EXPECT_EQ(d.where.layer, "buildings");
    EXPECT_EQ(d.where.feature, "'B3' (fid 2)");
    // A vertex of the feature in the layer's own CRS, and where it crosses itself.
    ASSERT_TRUE(d.where.x && d.where.y);
    EXPECT_DOUBLE_EQ(*d.where.x, 447920);
    EXPECT_DOUBLE_EQ(*d.where.y, 4418790);
    EXPECT_TRUE(contains(d.message, "Self-intersection at (447930.00, 4418800.00)")) << d.message;
    EXPECT_TRUE(contains(d.message, "repaired")) << d.message;
    EXPECT_FALSE(d.hint.empty());
    EXPECT_EQ(l.diag.items().size(), 1u) << all_codes(l.diag);

    // Repaired into its two triangles (2 × 100 m²) and kept: its household is placed.
    ASSERT_EQ(l.ds.buildings.size(), 3u);
    EXPECT_EQ(l.ds.buildings[2].source_id, "B3");
    EXPECT_NEAR(l.ds.buildings[2].area_m2, 200, 1e-6);
    EXPECT_TRUE(l.ds.rejected_buildings.empty());
    const auto a = assign(l);
    EXPECT_EQ(row(l, a, 6).building_reason, Reason::assigned);
    EXPECT_EQ(a.conservation[1].assigned, 7u);
}

TEST_F(TinyProject, BowTieWarningAsPrintedShowsTheCoordinate) {
    // Regression test for a bug found in review (fixed).
    replace("buildings.geojson", b3_geometry, b3_bowtie);
    Loaded l = load();
    ASSERT_EQ(l.diag.items().size(), 1u);
    const std::string shown = gridatlas::format_diagnostic(l.diag.items()[0]);
    EXPECT_TRUE(contains(shown, "feature 'B3' (fid 2)")) << shown;
    EXPECT_TRUE(contains(shown, "447920")) << shown;
    EXPECT_TRUE(contains(shown, "4418790")) << shown;
    EXPECT_FALSE(contains(shown, "e+06")) << shown;
}

TEST_F(TinyProject, BuildingWithoutGeometryIsRejected) {
    replace("buildings.geojson", b3_geometry, "null");
    Loaded l = load();
    const auto w = with_code(l.diag, "empty_geometry");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.file, path("buildings.geojson").string());
    EXPECT_EQ(w[0].where.layer, "buildings");
    EXPECT_EQ(w[0].where.feature, "'B3' (fid 2)");
    EXPECT_EQ(w[0].message, "building has no geometry");
    EXPECT_FALSE(w[0].hint.empty());
    // Its unit U4 now points at an unusable building.
    const auto u = with_code(l.diag, "unknown_building");
    ASSERT_EQ(u.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(u[0].where.file, path("units.csv").string());
    EXPECT_EQ(u[0].where.feature, "'U4' (fid 4)");
    EXPECT_TRUE(contains(u[0].message, "'B3'")) << u[0].message;

    EXPECT_EQ(l.ds.buildings.size(), 2u);
    EXPECT_EQ(l.ds.rejected_buildings.at("B3"), "no geometry");
    const auto a = assign(l);
    EXPECT_EQ(row(l, a, 6).building_reason, Reason::rejected_building);  // H06 lived in B3
    EXPECT_EQ(row(l, a, 6).grid_reasons, (std::vector<Reason>{Reason::rejected_building, Reason::rejected_building}));
    EXPECT_EQ(a.conservation[1].unassigned_by_reason.at("rejected_building"), 1u);
    EXPECT_TRUE(a.balanced());
}

TEST_F(TinyProject, BuildingThatIsAPointIsRejected) {
    replace("buildings.geojson", b3_geometry, R"({ "type": "Point", "coordinates": [447930, 4418800] })");
    Loaded l = load();
    const auto w = with_code(l.diag, "wrong_geometry_type");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.feature, "'B3' (fid 2)");
    ASSERT_TRUE(w[0].where.x && w[0].where.y);
    EXPECT_DOUBLE_EQ(*w[0].where.x, 447930);
    EXPECT_EQ(l.ds.rejected_buildings.at("B3"), "not a polygon");
    const auto a = assign(l);
    EXPECT_EQ(row(l, a, 6).building_reason, Reason::rejected_building);
}

TEST_F(TinyProject, DuplicateBuildingIds) {
    replace("buildings.geojson", R"("building_id": "B3")", R"("building_id": "B2")");
    Loaded l = load();
    const auto w = with_code(l.diag, "duplicate_id");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.file, path("buildings.geojson").string());
    EXPECT_EQ(w[0].where.layer, "buildings");
    EXPECT_EQ(w[0].where.feature, "'B2'");
    EXPECT_EQ(w[0].message, "building id is used by 2 features (fids 1, 2)");
    EXPECT_TRUE(contains(w[0].hint, "ambiguous_building")) << w[0].hint;

    EXPECT_EQ(l.ds.buildings.size(), 3u);  // both kept, neither addressable
    EXPECT_EQ(l.ds.ambiguous_building_ids.at("B2").size(), 2u);
    const auto a = assign(l);
    EXPECT_EQ(row(l, a, 4).building_reason, Reason::ambiguous_building);   // H04 → B2
    EXPECT_EQ(row(l, a, 5).building_reason, Reason::ambiguous_building);   // H05 → B2
    EXPECT_EQ(row(l, a, 10).building_reason, Reason::ambiguous_building);  // H09 → B2
    EXPECT_EQ(row(l, a, 6).building_reason, Reason::unknown_building);     // H06 → B3, which is gone
    EXPECT_EQ(a.conservation[1].unassigned_by_reason.at("ambiguous_building"), 3u);
    EXPECT_TRUE(a.balanced());
}

TEST_F(TinyProject, DuplicateBuildingIdWithAnUnusableCopy) {
    // Regression test for a bug found in review (fixed).
    replace("buildings.geojson", R"("building_id": "B3")", R"("building_id": "B2")");
    replace("buildings.geojson", b3_geometry, "null");
    Loaded l = load();
    const auto w = with_code(l.diag, "duplicate_id");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_TRUE(contains(w[0].hint, "ambiguous_building")) << w[0].hint;
    const auto a = assign(l);
    EXPECT_EQ(row(l, a, 4).building_reason, Reason::ambiguous_building);  // H04 → B2
    EXPECT_EQ(row(l, a, 5).building_reason, Reason::ambiguous_building);  // H05 → B2
    EXPECT_TRUE(a.balanced());
}

TEST_F(TinyProject, HouseholdPointingAtAMissingBuilding) {
    Loaded l = load();
    const auto a = assign(l);
    const auto& p = row(l, a, 7);  // H07 → B9
    EXPECT_EQ(p.building_reason, Reason::unknown_building);
    EXPECT_EQ(p.unit_reason, Reason::unknown_building);
    EXPECT_FALSE(p.building.valid());
    EXPECT_EQ(a.conservation[1].unassigned_by_reason.at("unknown_building"), 1u);
    // Not a loader warning: the roster row is reported through the unassigned_households table.
    EXPECT_EQ(l.diag.count("unknown_building"), 0u);
}

TEST_F(TinyProject, BuildingWithoutIdIsKeptButUnaddressable) {
    replace("buildings.geojson", R"("building_id": "B3")", R"("building_id": "")");
    Loaded l = load();
    const auto w = with_code(l.diag, "missing_id");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.feature, "fid 2");
    EXPECT_TRUE(contains(w[0].message, "'fid:2'")) << w[0].message;
    EXPECT_EQ(l.ds.buildings[2].source_id, "fid:2");
}

TEST_F(TinyProject, BadAttributeValuesAreWarnings) {
    replace("buildings.geojson", R"("residential": "yes", "floors": 4)", R"("residential": "maybe", "floors": "4a")");
    Loaded l = load();
    const auto w = with_code(l.diag, "bad_value");
    ASSERT_EQ(w.size(), 2u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.feature, "'B2' (fid 1)");
    EXPECT_TRUE(contains(w[0].message, "residential = 'maybe'")) << w[0].message;
    EXPECT_TRUE(contains(w[1].message, "floors = '4a'")) << w[1].message;
    EXPECT_TRUE(l.ds.buildings[1].residential);  // taken as residential
    EXPECT_EQ(l.ds.buildings[1].floors, 0);
}

TEST_F(TinyProject, BadRosterNumbersNameTheRowNotTheValue) {
    // A shifted row: the head's name landed in the persons column. The warning must not repeat it.
    replace("households.csv", "13900007702,2,0", "13900007702,秘名错位QZX,0");
    Loaded l = load();
    const auto w = with_code(l.diag, "bad_value");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.file, path("households.csv").string());
    EXPECT_EQ(w[0].where.layer, "households");
    EXPECT_EQ(w[0].where.feature, "line 3 (record 2)");
    EXPECT_EQ(w[0].message, "persons is not a number; the household is kept with persons unknown (counted as 0)");
    EXPECT_FALSE(contains(gridatlas::format_diagnostic(w[0]), "秘名")) << gridatlas::format_diagnostic(w[0]);
    EXPECT_EQ(l.ds.households[1].persons, 0);
}

// Integers are checked, never cast: "1e10" used to become -2147483648 and "3.5" 3. Buildings and units keep the
// feature with the value unknown; a unit number that is not one rejects the unit; roster values are unknown (0 for
// counts) and the warning names file, line and column but not the value.
TEST_F(TinyProject, IntegersOutOfRangeOrFractionalAreWarningsNotWrappedValues) {
    replace("buildings.geojson", R"("residential": "yes", "floors": 4)", R"("residential": "yes", "floors": "1e10")");
    replace("units.csv", "U3,B2,1,4,2", "U3,B2,1,3.5,2");
    replace("units.csv", "U4,B3,1,3,2", "U4,B3,1.5,3,2");
    replace("households.csv", "13900007702,2,0", "13900007702,1e10,3.5");
    Loaded l = load();
    const auto w = with_code(l.diag, "bad_value");
    ASSERT_EQ(w.size(), 5u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.feature, "'B2' (fid 1)");
    EXPECT_EQ(w[0].message, "floors = '1e10' is out of range (allowed: 0 … 2147483647); the building is kept with its floors unknown");
    EXPECT_EQ(l.ds.buildings[1].floors, 0);
    EXPECT_EQ(w[1].where.feature, "'U3' (fid 3)");
    EXPECT_EQ(w[1].message, "floors = '3.5' is not a whole number (it has a fraction); the unit is kept with this value unknown");
    EXPECT_TRUE(contains(w[1].hint, "whole number")) << w[1].hint;
    EXPECT_EQ(w[2].where.feature, "'U4' (fid 4)");
    EXPECT_EQ(w[2].message, "unit_no = '1.5' is not a whole number (it has a fraction); the unit is not read");
    ASSERT_EQ(l.ds.units.size(), 3u);
    EXPECT_EQ(l.ds.units[2].floors, 0);
    EXPECT_EQ(w[3].where.file, path("households.csv").string());
    EXPECT_EQ(w[3].where.feature, "line 3 (record 2)");
    EXPECT_EQ(w[3].message, "persons is out of range (allowed: 0 … 2147483647); the household is kept with persons unknown (counted as 0)");
    EXPECT_EQ(w[4].message, "party_members is not a whole number (it has a fraction); the household is kept with party_members unknown (counted as 0)");
    EXPECT_EQ(l.ds.households[1].persons, 0);
    EXPECT_EQ(l.ds.households[1].party_members, 0);
    EXPECT_EQ(l.ds.households.size(), 10u);   // kept: nothing lost
}

// Buildings written in CGCS2000 GK CM 117E (EPSG:4548) but declared as CM 114E (EPSG:4547): plausible metres inside
// EPSG:4547's area of use, so only the overlap with the other layers shows it. The run stops naming both layers,
// their extents and the CRS the values fit where the others are.
TEST_F(TinyProject, LayerDeclaredInAWrongMetricCrsStopsTheRun) {
    replace("buildings.geojson", "urn:ogc:def:crs:EPSG::4548", "urn:ogc:def:crs:EPSG::4547");
    const Diagnostic e = load_error();
    EXPECT_EQ(e.code, "layers_apart");
    EXPECT_EQ(e.where.file, path("buildings.geojson").string());
    EXPECT_TRUE(contains(e.message, "after reprojection the buildings layer, at lon/lat (113.")) << e.message;
    EXPECT_TRUE(contains(e.message, "in EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)")) << e.message;
    EXPECT_TRUE(contains(e.message, "does not overlap the grid level 'community' (社区) layer")) << e.message;
    EXPECT_TRUE(contains(e.message, "at lon/lat (116.3")) << e.message;
    EXPECT_TRUE(contains(e.message, "the buildings values fit EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E) there")) << e.message;
    EXPECT_TRUE(contains(e.hint, "crs = \"EPSG:4548\"")) << e.hint;
}

// The same values declared as UTM 50N (EPSG:32650, CM 117E too) lie within 2 km of the truth: not apart, no error.
TEST_F(TinyProject, NearbyCrsIsNotReportedAsApart) {
    replace("buildings.geojson", "urn:ogc:def:crs:EPSG::4548", "urn:ogc:def:crs:EPSG::32650");
    Loaded l = load();
    EXPECT_EQ(l.diag.count("layers_apart"), 0u);
}

TEST_F(TinyProject, FacilityOfUnknownKind) {
    replace("facilities.geojson", R"("kind": "health")", R"("kind": "library")");
    Loaded l = load();
    const auto w = with_code(l.diag, "unknown_kind");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.file, path("facilities.geojson").string());
    EXPECT_EQ(w[0].where.layer, "facilities");
    EXPECT_TRUE(contains(w[0].message, "kind 'library'")) << w[0].message;
    EXPECT_TRUE(contains(w[0].hint, "key = \"library\"")) << w[0].hint;
    EXPECT_EQ(l.ds.facilities.size(), 2u);  // kept and drawn
}

TEST_F(TinyProject, UnitPointingAtAMissingBuilding) {
    replace("units.csv", "U4,B3,", "U4,B7,");
    Loaded l = load();
    const auto w = with_code(l.diag, "unknown_building");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(w[0].where.file, path("units.csv").string());
    EXPECT_EQ(w[0].where.layer, "units");
    EXPECT_EQ(w[0].where.feature, "'U4' (fid 4)");
    EXPECT_TRUE(contains(w[0].message, "'B7'")) << w[0].message;
    EXPECT_EQ(l.ds.units.size(), 3u);
}

// ---------------------------------------------------------------------------------------------------------------
// Several grid levels in one layer (tests/fixtures/levels_in_one_layer, README there)

namespace {

const fs::path levels_dir = fs::path(GRIDATLAS_TEST_FIXTURES) / "levels_in_one_layer";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) text.replace(pos, from.size(), to);
}

// The tiny fixture as TinyProject copies it, with the levels fixture beside it: project.toml reads both levels from
// all_levels.geojson, tiny.toml is the tiny project with its two layers.
class LevelsInOneLayer : public TinyProject {
protected:
    void SetUp() override {
        TinyProject::SetUp();
        fs::rename(path("project.toml"), path("tiny.toml"));
        std::string project = slurp(levels_dir / "project.toml");
        replace_all(project, "../tiny/", "");
        write("project.toml", project);
        fs::copy(levels_dir / "all_levels.geojson", path("all_levels.geojson"));
    }
    void edit_project(const std::string& from, const std::string& to) const {
        std::string text = read("project.toml");
        ASSERT_NE(text.find(from), std::string::npos) << from;
        replace_all(text, from, to);
        write("project.toml", text);
    }
};

// The grids, their parents and every household's grid at every level, as text, for comparing two loads.
std::string hierarchy_of(Dataset& ds, Diagnostics& diag) {
    const auto tree = gridatlas::hierarchy::build_grid_tree(ds, diag);
    const auto a = gridatlas::assign::assign_households(ds, tree);
    std::ostringstream out;
    for (const auto& g : ds.grids) {
        const auto parent = tree.parent[g.id.index()];
        out << g.level << " " << g.code << " " << g.name << " parent=" << (parent.valid() ? ds.grid(parent).code : "-")
            << " area=" << std::llround(geo::bg::area(g.area)) << "\n";
    }
    for (std::size_t l = 0; l < ds.levels.size(); ++l)
        for (const auto& b : ds.buildings) {
            const auto g = tree.building_grid[l][b.id.index()];
            out << ds.levels[l].key << " " << b.source_id << " -> " << (g.valid() ? ds.grid(g).code : "-") << "\n";
        }
    for (const auto& h : ds.households) {
        const auto& p = a.households[h.id.index()];
        out << h.row << ":";
        for (std::size_t l = 0; l < ds.levels.size(); ++l)
            out << " " << (p.grids[l].valid() ? ds.grid(p.grids[l]).code : gridatlas::assign::to_string(p.grid_reasons[l]));
        out << "\n";
    }
    for (const auto& c : a.conservation) out << c.level << " " << c.roster << " = " << c.assigned << " + " << c.unassigned() << "\n";
    return out.str();
}

}  // namespace

TEST(LevelsInOneLayerFixture, GivesTheSameHierarchyAsOneLayerPerLevel) {
    Diagnostics one_diag, two_diag;
    const ProjectConfig one_cfg = read_project_config(levels_dir / "project.toml");
    ASSERT_EQ(one_cfg.grid_levels.size(), 2u);
    EXPECT_EQ(one_cfg.grid_levels[0].source.file, one_cfg.grid_levels[1].source.file);   // one layer
    Dataset one = load_dataset(one_cfg, one_diag);
    Dataset two = load_dataset(read_project_config(tiny_dir / "project.toml"), two_diag);
    EXPECT_TRUE(one_diag.items().empty()) << all_codes(one_diag);

    ASSERT_EQ(one.grids.size(), 3u);
    EXPECT_EQ(one.grids[0].code, "110101001");
    EXPECT_EQ(one.grids[0].level, 0);
    EXPECT_EQ(one.grids[1].code, "110101001001");
    EXPECT_EQ(one.grids[1].level, 1);
    EXPECT_EQ(one.grids[2].name, "东网格");
    EXPECT_EQ(one.grids[2].level, 1);
    const std::string expected = hierarchy_of(two, two_diag);
    EXPECT_EQ(hierarchy_of(one, one_diag), expected);
    // What the tiny README says, so that the comparison is not between two equally wrong answers.
    EXPECT_TRUE(contains(expected, "1 110101001001 西网格 parent=110101001 area=75000")) << expected;
    EXPECT_TRUE(contains(expected, "grid B2 -> 110101001002")) << expected;
    EXPECT_TRUE(contains(expected, "grid 10 = 7 + 3")) << expected;
}

TEST_F(LevelsInOneLayer, WholeNumberLevels) {
    // level_no holds 1 and 2 as integers; the project gives them as a TOML integer and as text.
    edit_project(R"(level_field = "level")", R"(level_field = "level_no")");
    edit_project(R"(level_value = "社区")", "level_value = 1");
    edit_project(R"(level_value = "网格")", R"(level_value = "2")");
    Loaded l = load();
    EXPECT_TRUE(l.diag.items().empty()) << all_codes(l.diag);
    ASSERT_EQ(l.ds.grids.size(), 3u);
    EXPECT_EQ(l.ds.grids[0].level, 0);
    EXPECT_EQ(l.ds.grids[0].code, "110101001");
    EXPECT_EQ(l.ds.grids[1].level, 1);
    EXPECT_EQ(l.ds.grids[2].level, 1);
}

TEST_F(LevelsInOneLayer, LevelFieldMissingFromTheLayer) {
    edit_project(R"(level_field = "level")", R"(level_field = "tier")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "missing_field");
    EXPECT_EQ(d.where.file, path("all_levels.geojson").string());
    EXPECT_EQ(d.where.layer, "all_levels");
    EXPECT_EQ(d.message, "the grid level 'community' layer has no field 'tier' (for level_field)");
    EXPECT_TRUE(contains(d.hint, "level_field = \"<field>\"")) << d.hint;
    EXPECT_TRUE(contains(d.hint, "level, level_no, code, name, parent_code")) << d.hint;
}

TEST_F(LevelsInOneLayer, LevelValueThatNoFeatureHas) {
    edit_project(R"(level_value = "网格")", R"(level_value = "微网格")");
    const Diagnostic d = load_error();
    EXPECT_EQ(d.code, "empty_layer");
    EXPECT_EQ(d.where.file, path("all_levels.geojson").string());
    EXPECT_EQ(d.where.layer, "all_levels");
    EXPECT_TRUE(contains(d.message, "no feature has level = '微网格' for the 网格 level ('grid')")) << d.message;
    EXPECT_TRUE(contains(d.message, "the values in the layer are '社区' (1), '网格' (2)")) << d.message;
    EXPECT_TRUE(contains(d.hint, "level_value")) << d.hint;
}

TEST_F(LevelsInOneLayer, FeaturesOfNoConfiguredLevelAreReportedOnce) {
    // Two micro-grids and a feature with no level at all: read by no [[grid_levels]] entry.
    std::string layer = read("all_levels.geojson");
    const std::string extra = R"(,
{ "type": "Feature", "properties": {"level": "微网格", "level_no": 3, "code": "110101001001001", "name": "a", "parent_code": "110101001001"},
  "geometry": { "type": "Polygon", "coordinates": [ [ [447750, 4418550], [447800, 4418550], [447800, 4418600], [447750, 4418600], [447750, 4418550] ] ] } },
{ "type": "Feature", "properties": {"level": "微网格", "level_no": 3, "code": "110101001001002", "name": "b", "parent_code": "110101001001"},
  "geometry": { "type": "Polygon", "coordinates": [ [ [447800, 4418550], [447850, 4418550], [447850, 4418600], [447800, 4418600], [447800, 4418550] ] ] } },
{ "type": "Feature", "properties": {"level": null, "level_no": null, "code": "X", "name": "x", "parent_code": null},
  "geometry": { "type": "Polygon", "coordinates": [ [ [447900, 4418550], [447950, 4418550], [447950, 4418600], [447900, 4418600], [447900, 4418550] ] ] } })";
    const auto end = layer.rfind("\n]");   // after the last feature
    ASSERT_NE(end, std::string::npos);
    layer.insert(end, extra);
    write("all_levels.geojson", layer);
    Loaded l = load();
    EXPECT_EQ(l.ds.grids.size(), 3u);
    const auto w = with_code(l.diag, "unmatched_level");
    ASSERT_EQ(w.size(), 1u) << all_codes(l.diag);   // once for the layer, not once per level
    EXPECT_EQ(w[0].where.file, path("all_levels.geojson").string());
    EXPECT_EQ(w[0].where.layer, "all_levels");
    EXPECT_TRUE(contains(w[0].message, "3 features of the layer have a level that no [[grid_levels]] entry selects")) << w[0].message;
    EXPECT_TRUE(contains(w[0].message, "(empty) (1), '微网格' (2)")) << w[0].message;
    EXPECT_TRUE(contains(w[0].hint, "community, grid")) << w[0].hint;
    EXPECT_EQ(l.diag.items().size(), 1u) << all_codes(l.diag);
}

// ---------------------------------------------------------------------------------------------------------------
// Entrances (tests/fixtures/entrances, README there)

TEST(EntrancesFixture, EntrancesAreReadAndTheirDistancesAreTheReadmes) {
    Diagnostics diag;
    const ProjectConfig cfg = read_project_config(fs::path(GRIDATLAS_TEST_FIXTURES) / "entrances" / "project.toml");
    const Dataset ds = load_dataset(cfg, diag);
    ASSERT_EQ(ds.entrances.size(), 4u);   // D3 names no building
    EXPECT_EQ(ds.entrances[0].source_id, "D1");
    EXPECT_EQ(ds.building(ds.entrances[0].building).source_id, "B1");
    EXPECT_DOUBLE_EQ(ds.entrances[0].location.x(), ox + 40);
    EXPECT_DOUBLE_EQ(ds.entrances[0].location.y(), oy + 25);
    EXPECT_EQ(ds.entrances[2].source_id, "D5");
    EXPECT_EQ(ds.building(ds.entrances[3].building).source_id, "B2");
    EXPECT_EQ(ds.entrances[3].origin.feature, "'D6' (fid 4)");

    const auto unknown = with_code(diag, "unknown_building");
    ASSERT_EQ(unknown.size(), 1u) << all_codes(diag);
    EXPECT_TRUE(ends_with(unknown[0].where.file, "entrances.geojson")) << unknown[0].where.file;
    EXPECT_EQ(unknown[0].where.layer, "entrances");
    EXPECT_EQ(unknown[0].where.feature, "'D3' (fid 2)");
    EXPECT_TRUE(contains(unknown[0].message, "entrance names building 'B9', which is not in the buildings layer")) << unknown[0].message;
    EXPECT_TRUE(contains(unknown[0].hint, "building_id")) << unknown[0].hint;
    EXPECT_EQ(diag.items().size(), 1u) << all_codes(diag);

    // The README's distances (speed 1.1 m/s).
    using namespace gridatlas::access;
    const WalkNetwork net = WalkNetwork::build(ds.roads);
    const AccessResult a = compute_access(ds, net, cfg.walking);
    const auto b1 = ds.building_by_source_id.at("B1").index(), b2 = ds.building_by_source_id.at("B2").index(),
               b3 = ds.building_by_source_id.at("B3").index();
    const auto metres = [&](const char* kind, std::size_t b) { return a.find(kind)->minutes[b] * 60 * 1.1; };
    const auto via = [&](const char* kind, std::size_t b) { return ds.entrances[a.points[a.find(kind)->via[b]].entrance].source_id; };
    EXPECT_NEAR(metres("party_mass_centre", b1), 385, 1e-6);
    EXPECT_EQ(via("party_mass_centre", b1), "D2");
    EXPECT_NEAR(metres("health", b1), 55, 1e-6);
    EXPECT_EQ(via("health", b1), "D1");
    EXPECT_NEAR(metres("party_mass_centre", b2), 155, 1e-6);
    EXPECT_NEAR(metres("health", b2), 385, 1e-6);
    EXPECT_EQ(via("health", b2), "D5");
    EXPECT_NEAR(metres("party_mass_centre", b3), 180, 1e-6);
    EXPECT_EQ(a.points[a.find("health")->via[b3]].entrance, AccessPoint::anchor);
    EXPECT_NEAR(metres("health", b3), 320, 1e-6);
    // The building's own snap: its entrance nearest the network.
    EXPECT_EQ(ds.entrances[a.points[a.building_snap_point[b1]].entrance].source_id, "D1");
    EXPECT_DOUBLE_EQ(a.building_snaps[b1]->offset_m, 25);
    EXPECT_DOUBLE_EQ(a.building_snaps[b2]->offset_m, 20);
    // D6 is 400 m from every road: not snapped (the run reports it as entrance_off_network).
    ASSERT_EQ(a.points_of(gridatlas::BuildingId{b2}).size(), 2u);
    EXPECT_FALSE(a.points_of(gridatlas::BuildingId{b2})[1].snap);
}

TEST_F(TinyProject, EntrancesThatAreNotPointsOrNameNoUsableBuilding) {
    write("doors.geojson", std::string(R"({ "type": "FeatureCollection", )") + crs_member + R"( "features": [
{ "type": "Feature", "properties": { "door": "L1", "bldg": "B1" }, "geometry": { "type": "LineString", "coordinates": [ [447840, 4418620], [447850, 4418620] ] } },
{ "type": "Feature", "properties": { "door": "E1", "bldg": "" }, "geometry": { "type": "Point", "coordinates": [447840, 4418620] } },
{ "type": "Feature", "properties": { "door": null, "bldg": "B3" }, "geometry": { "type": "Point", "coordinates": [447930, 4418790] } }
] })");
    replace("project.toml", "[walking]", "[entrances]\nfile = \"doors.geojson\"\nid = \"door\"\nbuilding_field = \"bldg\"\n\n[walking]");
    Loaded l = load();
    ASSERT_EQ(l.ds.entrances.size(), 1u);
    EXPECT_EQ(l.ds.entrances[0].source_id, "fid:2");   // no id: named by its fid
    EXPECT_EQ(l.ds.building(l.ds.entrances[0].building).source_id, "B3");
    const auto wrong = with_code(l.diag, "wrong_geometry_type");
    ASSERT_EQ(wrong.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(wrong[0].where.feature, "'L1' (fid 0)");
    EXPECT_TRUE(contains(wrong[0].message, "entrance is not a point")) << wrong[0].message;
    const auto unknown = with_code(l.diag, "unknown_building");
    ASSERT_EQ(unknown.size(), 1u) << all_codes(l.diag);
    EXPECT_EQ(unknown[0].where.feature, "'E1' (fid 1)");
    EXPECT_TRUE(contains(unknown[0].message, "names building '', an empty id")) << unknown[0].message;
    EXPECT_TRUE(contains(unknown[0].hint, "set the entrance's bldg")) << unknown[0].hint;
}
