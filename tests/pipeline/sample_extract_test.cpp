// `gridatlas sample build` on an OSM-derived GeoPackage that is not the bundled one: a reduced copy of
// data/osm/monaco.gpkg made here with ogr2ogr (a 0.01° × 0.008° piece of Monaco; buildings without amenity, shop,
// building_levels and height; roads without footway, sidewalk, service, oneway, layer, bridge, tunnel and surface;
// points without category, which is then derived from amenity/shop/highway; one building, the relation 2236035, with
// its geometry set to NULL). The build must say which columns were absent, drop the geometry-less building with its id
// (stdout and dropped.csv), write a project.toml, and `gridatlas run` must accept that file as it is.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "shell_text.hpp"

namespace fs = std::filesystem;
using gridatlas::test::quote;
using gridatlas::test::shell;
using gridatlas::test::slurp;

namespace {

const fs::path source_dir = fs::path(GRIDATLAS_SOURCE_DIR);

class SampleExtract : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir = fs::temp_directory_path() / ("gridatlas-sample-extract-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        const std::string osm = quote((source_dir / "data/osm/monaco.gpkg").string());
        const std::string gpkg = quote((dir / "reduced.gpkg").string());
        const std::string spat = " -spat 7.418 43.728 7.428 43.736 ";
        const std::string quiet = " > /dev/null 2>&1";
        made = shell("ogr2ogr -f GPKG " + gpkg + " " + osm + spat +
                     "-sql 'SELECT osm_id, osm_type, building, name, geom FROM buildings' -nln buildings" + quiet) == 0 &&
               shell("ogr2ogr -update " + gpkg + " " + osm + spat +
                     "-sql 'SELECT osm_id, highway, name, foot, access, geom FROM roads' -nln roads" + quiet) == 0 &&
               shell("ogr2ogr -update " + gpkg + " " + osm + spat +
                     "-sql 'SELECT osm_id, amenity, shop, highway, name, geom FROM pois' -nln pois" + quiet) == 0 &&
               shell("ogrinfo " + gpkg + " -sql 'UPDATE buildings SET geom = NULL WHERE osm_id = 2236035'" + quiet) == 0;
        if (!made) return;
        build_code = shell(quote(GRIDATLAS_BIN) + " sample build --osm " + gpkg + " -o " + quote((dir / "sample").string()) +
                           " > " + quote((dir / "build.txt").string()) + " 2>&1");
        build_out = slurp(dir / "build.txt");
        run_code = shell(quote(GRIDATLAS_BIN) + " run " + quote((dir / "sample/project.toml").string()) + " -o " +
                         quote((dir / "run").string()) + " > " + quote((dir / "run.txt").string()) + " 2>&1");
        run_out = slurp(dir / "run.txt");
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    static inline fs::path dir;
    static inline bool made = false;
    static inline int build_code = -1, run_code = -1;
    static inline std::string build_out, run_out;
};

TEST_F(SampleExtract, AbsentColumnsAreSaidOnceEach) {
    ASSERT_TRUE(made) << "ogr2ogr/ogrinfo (gdal-bin) could not make the reduced extract";
    ASSERT_EQ(build_code, 0) << build_out;
    for (const char* c : {"buildings.amenity", "buildings.shop", "buildings.building_levels", "buildings.height",
                          "roads.sidewalk", "roads.layer", "roads.bridge", "roads.tunnel", "pois.category"}) {
        const std::string line = std::string("column ") + c + " is absent";
        const auto at = build_out.find(line);
        EXPECT_NE(at, std::string::npos) << line << "\n" << build_out;
        EXPECT_EQ(build_out.find(line, at + 1), std::string::npos) << line << " said twice";
    }
    EXPECT_EQ(build_out.find("column buildings.osm_type"), std::string::npos) << build_out;   // present
}

TEST_F(SampleExtract, TheGeometryLessBuildingIsDroppedByName) {
    ASSERT_TRUE(made);
    ASSERT_EQ(build_code, 0) << build_out;
    EXPECT_NE(build_out.find("1 features dropped"), std::string::npos) << build_out;
    EXPECT_NE(build_out.find("buildings, no geometry: 1 (R2236035)"), std::string::npos) << build_out;
    const std::string dropped = slurp(dir / "sample/dropped.csv");
    EXPECT_NE(dropped.find("buildings,"), std::string::npos) << dropped;
    EXPECT_NE(dropped.find(",R2236035,no geometry"), std::string::npos) << dropped;
    EXPECT_EQ(slurp(dir / "sample/sample.gpkg").find("R2236035"), std::string::npos);
}

TEST_F(SampleExtract, RunAcceptsTheWrittenProjectFileAsItIs) {
    ASSERT_TRUE(made);
    ASSERT_EQ(build_code, 0) << build_out;
    const std::string toml = slurp(dir / "sample/project.toml");
    EXPECT_NE(toml.find("name = \"reduced\""), std::string::npos);
    EXPECT_NE(toml.find("join_exclude = ["), std::string::npos);
    EXPECT_EQ(toml.find("covered = "), std::string::npos);   // the extract has no covered column: not mapped
    EXPECT_EQ(run_code, 0) << run_out;
    const std::string summary = slurp(dir / "run/summary.json");
    EXPECT_NE(summary.find("\"balanced_at_every_level\": true"), std::string::npos) << summary.substr(0, 2000);
    // The points' categories came from their tags: the extract's bus stops and pharmacies are facilities.
    EXPECT_NE(summary.find("\"bus_stop\""), std::string::npos);
}

}  // namespace
