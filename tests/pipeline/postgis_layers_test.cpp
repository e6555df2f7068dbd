// PostGIS as the shared store, read side: the tiny fixture's layers loaded into a private PostgreSQL + PostGIS cluster
// with ogr2ogr, a project whose layers are `PG:` tables gives the same results per grid and per building as the
// project on files; a password in the project file, a missing table and a wrong server are errors that name the
// connection (never a secret) and say what to do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "layer_rows.hpp"
#include "model/diagnostics.hpp"
#include "postgis_cluster.hpp"
#include "postgis_connection.hpp"
#include "project_config.hpp"
#include "run_job.hpp"
#include "shell_text.hpp"

namespace fs = std::filesystem;
using namespace gridatlas;
using namespace gridatlas::test;

namespace {

const fs::path tiny = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny";

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("gridatlas_pgtest_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// The tiny fixture's layers (households too) as tables of schema `schema`, loaded by ogr2ogr.
void load_tiny(const std::string& schema) {
    layers::PgConnection db(PgCluster::connection());
    db.exec("DROP SCHEMA IF EXISTS " + layers::pg_ident(schema) + " CASCADE; CREATE SCHEMA " + layers::pg_ident(schema));
    for (const char* name : {"buildings", "units", "households", "communities", "grids", "facilities", "roads"}) {
        const fs::path file = tiny / (std::string(name) + (std::string(name) == "units" || std::string(name) == "households" ? ".csv" : ".geojson"));
        ASSERT_EQ(shell("ogr2ogr -f PostgreSQL " + quote(PgCluster::connection()) + " " + quote(file.string()) + " -nln " + name +
                        " -lco SCHEMA=" + schema + " -lco GEOMETRY_NAME=geom"),
                  0)
            << file;
    }
}

// tests/fixtures/tiny/project.toml with every layer's file replaced by the cluster's tables of `schema`.
fs::path pg_project(const fs::path& dir, const std::string& schema, const std::string& connection,
                    const std::string& name = "project.toml") {
    std::string text = slurp(tiny / "project.toml");
    const std::regex file_line(R"re(file = "([a-z]+)\.(geojson|csv)")re");
    text = std::regex_replace(text, file_line, "file = \"" + connection + "\"\nlayer = \"" + schema + ".$1\"");
    const fs::path p = dir / name;
    std::ofstream(p) << text;
    return p;
}

std::map<std::string, LayerRow> by(const std::vector<LayerRow>& rows, const std::string& key) {
    std::map<std::string, LayerRow> out;
    for (auto row : rows) {
        row.erase("fid");
        out[row.at(key)] = std::move(row);
    }
    return out;
}

}  // namespace

TEST(PostgisLayers, ConnectionStringsAreKeptCheckedAndShownWithoutSecrets) {
    EXPECT_TRUE(layers::is_pg_source("PG:dbname=x"));
    EXPECT_TRUE(layers::is_pg_source("pg:dbname=x"));
    EXPECT_FALSE(layers::is_pg_source("PGdata/buildings.gpkg"));
    EXPECT_EQ(layers::pg_display("PG:dbname=g host=h password=s3cret port=5"), "PG:dbname=g host=h port=5");
    EXPECT_EQ(layers::pg_display("PG:postgresql://u:s3cret@h:5/g"), "PG:user=u dbname=g host=h port=5");
    try {
        layers::checked_pg_source("PG:dbname=g password=s3cret", {"p.toml", "", "[buildings] file", {}, {}});
        FAIL() << "a password was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "password_in_project");
        EXPECT_EQ(format_diagnostic(e.diagnostic()).find("s3cret"), std::string::npos);
        EXPECT_NE(e.diagnostic().hint.find("PGPASSWORD"), std::string::npos);
    }
    EXPECT_THROW(layers::checked_pg_source("PG:postgresql://u:s3cret@h/g", {}), DataError);
    EXPECT_THROW(layers::checked_pg_source("PG:dbname='unterminated", {}), DataError);
}

TEST(PostgisLayers, ProjectFileKeepsConnectionAndRejectsPasswordOrMissingTable) {
    const fs::path dir = fresh_dir("config");
    const fs::path ok = pg_project(dir, "tiny", "PG:dbname=gridatlas host=127.0.0.1");
    const auto cfg = layers::read_project_config(ok);
    EXPECT_EQ(cfg.buildings.file.string(), "PG:dbname=gridatlas host=127.0.0.1");   // not made a path
    EXPECT_EQ(cfg.buildings.layer, "tiny.buildings");
    EXPECT_EQ(cfg.grid_levels.at(1).source.layer, "tiny.grids");

    const fs::path with_password = pg_project(dir, "tiny", "PG:dbname=gridatlas host=127.0.0.1 password=s3cret", "password.toml");
    try {
        layers::read_project_config(with_password);
        FAIL() << "a password in the project file was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "password_in_project");
        EXPECT_NE(e.diagnostic().where.feature.find("[buildings] file"), std::string::npos);
        EXPECT_EQ(format_diagnostic(e.diagnostic()).find("s3cret"), std::string::npos);
    }

    std::string text = slurp(ok);
    text = std::regex_replace(text, std::regex("layer = \"tiny.roads\"\n"), "");
    std::ofstream(dir / "no_table.toml") << text;
    try {
        layers::read_project_config(dir / "no_table.toml");
        FAIL() << "a PG: layer without a table was accepted";
    } catch (const DataError& e) {
        EXPECT_NE(e.diagnostic().message.find("without a table"), std::string::npos) << format_diagnostic(e.diagnostic());
        EXPECT_NE(e.diagnostic().hint.find("schema"), std::string::npos);
    }
    fs::remove_all(dir);
}

TEST(PostgisLayers, RunOnPostgisTablesEqualsRunOnFiles) {
    load_tiny("tiny");
    const fs::path dir = fresh_dir("run");
    pipeline::RunConfig files{tiny / "project.toml", dir / "files", false};
    pipeline::RunConfig pg{pg_project(dir, "tiny", PgCluster::connection()), dir / "pg", false};
    const auto a = pipeline::run_job(files);
    const auto b = pipeline::run_job(pg);
    EXPECT_TRUE(b.balanced);
    // The roster read through GDAL rather than as a text file has no count of physical records: the rest is equal.
    auto households_a = a.summary["households"], households_b = b.summary["households"];
    EXPECT_EQ(households_a["records_in_file"], 10);
    households_a.erase("records_in_file");
    households_b.erase("records_in_file");
    EXPECT_EQ(households_a, households_b);
    EXPECT_EQ(a.summary["levels"], b.summary["levels"]);
    EXPECT_EQ(a.summary["service_kinds"], b.summary["service_kinds"]);
    EXPECT_EQ(a.summary["inputs"], b.summary["inputs"]);
    EXPECT_GT(b.summary["inputs"]["buildings"].get<int>(), 0);
    EXPECT_EQ(by(read_layer(a.gpkg, "grids"), "code"), by(read_layer(b.gpkg, "grids"), "code"));
    EXPECT_EQ(by(read_layer(a.gpkg, "buildings"), "building_id"), by(read_layer(b.gpkg, "buildings"), "building_id"));
    EXPECT_EQ(by(read_layer(a.gpkg, "households"), "household_id"), by(read_layer(b.gpkg, "households"), "household_id"));
    fs::remove_all(dir);
}

TEST(PostgisLayers, MissingTableAndUnreachableServerNameTheConnection) {
    load_tiny("tiny");
    const fs::path dir = fresh_dir("errors");
    std::string text = slurp(pg_project(dir, "tiny", PgCluster::connection()));
    std::ofstream(dir / "missing.toml") << std::regex_replace(text, std::regex("tiny\\.roads"), "tiny.no_such_roads");
    try {
        pipeline::run_job({dir / "missing.toml", dir / "out", false});
        FAIL() << "a missing table was accepted";
    } catch (const DataError& e) {
        const std::string m = format_diagnostic(e.diagnostic());
        EXPECT_EQ(e.diagnostic().code, "table_not_found") << m;
        EXPECT_NE(m.find("tiny.no_such_roads"), std::string::npos) << m;
        EXPECT_NE(e.diagnostic().hint.find("tiny.roads"), std::string::npos) << m;
        EXPECT_NE(m.find("dbname=gridatlas"), std::string::npos) << m;
    }
    // A port nothing listens on (this cluster's port + 1 is not guaranteed free, so a port below 1024 that no test
    // server can hold without root: 1 is tcpmux, unused on a test machine).
    std::ofstream(dir / "down.toml") << std::regex_replace(text, std::regex("port=[0-9]+"), "port=1");
    ::setenv("PGPASSWORD", "env-s3cret", 1);
    try {
        pipeline::run_job({dir / "down.toml", dir / "out", false});
        FAIL() << "an unreachable server was accepted";
    } catch (const DataError& e) {
        const std::string m = format_diagnostic(e.diagnostic());
        EXPECT_NE(m.find("port=1"), std::string::npos) << m;
        EXPECT_EQ(m.find("env-s3cret"), std::string::npos) << m;
        EXPECT_NE(e.diagnostic().hint.find("PGPASSWORD"), std::string::npos) << m;
    }
    ::unsetenv("PGPASSWORD");
    fs::remove_all(dir);
}

// A feature problem in a table is reported like one in a file: the connection (no secret), the table, the feature.
TEST(PostgisLayers, FeatureWarningsNameConnectionTableAndFeature) {
    load_tiny("tiny_bad");
    layers::PgConnection db(PgCluster::connection());
    db.exec("INSERT INTO tiny_bad.buildings (building_id, name, residential, floors, geom) VALUES ('B-NOGEOM', '', 'yes', 3, NULL)");
    const fs::path dir = fresh_dir("feature");
    Diagnostics diag;
    const auto r = pipeline::run_job({pg_project(dir, "tiny_bad", PgCluster::connection()), dir / "out", false}, diag);
    bool named = false;
    for (const auto& d : diag.items())
        if (d.where.feature.find("B-NOGEOM") != std::string::npos || d.message.find("B-NOGEOM") != std::string::npos) {
            EXPECT_EQ(d.where.file.rfind("PG:", 0), 0u) << format_diagnostic(d);
            EXPECT_NE(d.where.file.find("dbname=gridatlas"), std::string::npos) << format_diagnostic(d);
            EXPECT_NE(d.where.layer.find("buildings"), std::string::npos) << format_diagnostic(d);
            named = true;
        }
    EXPECT_TRUE(named) << "no warning names the building without geometry";
    EXPECT_TRUE(r.balanced);
    fs::remove_all(dir);
}

// One cluster for the whole executable (postgis_results_test.cpp too).
int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new PgCluster);
    return RUN_ALL_TESTS();
}
