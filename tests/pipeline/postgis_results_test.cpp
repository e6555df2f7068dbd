// PostGIS as the shared store, write side: `run --to-postgis` puts every GeoPackage layer into a schema of tables
// partitioned by scope_code, with the rows and values of the GeoPackage, GiST and btree indexes on the partitions;
// a second run replaces its partition (no duplicates); a run that fails inside the swap leaves every previous
// partition as it was (same tables, same rows) and no staging schema; a password on the command line is refused
// without being echoed. Runs inside the private cluster of postgis_cluster.hpp (same process as
// postgis_layers_test.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "layer_rows.hpp"
#include "model/diagnostics.hpp"
#include "postgis_cluster.hpp"
#include "postgis_connection.hpp"
#include "run_job.hpp"
#include "shell_text.hpp"

namespace fs = std::filesystem;
using namespace gridatlas;
using namespace gridatlas::test;

namespace {

const fs::path tiny_project = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny" / "project.toml";
const char* const layer_names[] = {"buildings", "grids", "households", "unassigned_households", "gap_buildings",
                                   "facilities", "walk_network", "rule_breaches", "issues"};

fs::path out_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("gridatlas_pgres_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}

pipeline::RunConfig to_postgis(const fs::path& project, const fs::path& out, const std::string& schema) {
    pipeline::RunConfig c;
    c.project_file = project;
    c.out_dir = out;
    c.render = false;
    c.to_postgis = PgCluster::connection();
    c.pg_schema = schema;
    return c;
}

std::vector<LayerRow> pg_rows(const std::string& schema, const std::string& table) {
    auto rows = read_layer(PgCluster::connection(), schema + "." + table);
    for (auto& r : rows) {
        EXPECT_EQ(r.at("scope_code"), "all");
        r.erase("scope_code");
        r.erase("fid");
    }
    return rows;
}

std::vector<LayerRow> gpkg_rows(const fs::path& gpkg, const std::string& layer) {
    auto rows = read_layer(gpkg, layer);
    for (auto& r : rows) r.erase("fid");
    return rows;
}

std::string one(layers::PgConnection& db, const std::string& sql) { return db.query(sql).at(0).at(0); }

}  // namespace

TEST(PostgisResults, EveryLayerIsAPartitionedTableWithTheGpkgRows) {
    const fs::path out = out_dir("rows");
    const auto report = pipeline::run_job(to_postgis(tiny_project, out, "res_rows"));
    ASSERT_TRUE(report.summary.contains("postgis"));
    layers::PgConnection db(PgCluster::connection());
    for (const char* layer : layer_names) {
        SCOPED_TRACE(layer);
        auto want = gpkg_rows(report.gpkg, layer), got = pg_rows("res_rows", layer);
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        EXPECT_EQ(got, want);
        EXPECT_EQ(report.summary["postgis"]["rows"][layer].get<std::size_t>(), want.size());
        EXPECT_EQ(one(db, std::string("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                      "WHERE n.nspname = 'res_rows' AND c.relname = '") + layer + "'"), "p");   // partitioned
    }
    // By hand (tests/fixtures/tiny/README.md): 10 roster rows; the grid layer's households add up to the 7 assigned.
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_rows.households"), "10");
    EXPECT_EQ(one(db, "SELECT sum(households) FROM res_rows.grids WHERE level = 0"), "7");
    // The indexes a map needs, on the partition: GiST on the geometry, btree on the codes.
    EXPECT_EQ(one(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'res_rows' AND tablename = 'buildings__all' "
                      "AND indexdef LIKE '%USING gist (geom)%'"), "1");
    EXPECT_EQ(one(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'res_rows' AND tablename = 'grids__all' "
                      "AND indexdef LIKE '%btree (code)%'"), "1");
    EXPECT_EQ(one(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'gridatlas_stage%'"), "0");
    fs::remove_all(out);
}

TEST(PostgisResults, SecondRunReplacesItsPartition) {
    const fs::path out = out_dir("twice");
    pipeline::run_job(to_postgis(tiny_project, out, "res_twice"));
    layers::PgConnection db(PgCluster::connection());
    const std::string first_oid = one(db, "SELECT 'res_twice.buildings__all'::regclass::oid");
    // A layer an older version wrote, with a partition of this scope: the rerun removes that partition too.
    db.exec("CREATE TABLE res_twice.old_layer (x int, scope_code text NOT NULL) PARTITION BY LIST (scope_code); "
            "CREATE TABLE res_twice.old_layer__all PARTITION OF res_twice.old_layer FOR VALUES IN ('all'); "
            "CREATE TABLE res_twice.old_layer__other PARTITION OF res_twice.old_layer FOR VALUES IN ('other')");
    const auto report = pipeline::run_job(to_postgis(tiny_project, out, "res_twice"));
    EXPECT_NE(one(db, "SELECT 'res_twice.buildings__all'::regclass::oid"), first_oid);   // a new partition
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_twice.households"), "10");
    EXPECT_EQ(one(db, "SELECT count(DISTINCT \"row\") FROM res_twice.households"), "10");   // each roster row once
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_twice.buildings"), std::to_string(gpkg_rows(report.gpkg, "buildings").size()));
    EXPECT_EQ(one(db, "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n "
                      "ON n.oid = p.relnamespace WHERE n.nspname = 'res_twice' AND p.relkind = 'p' AND p.relname <> 'old_layer'"),
              std::to_string(std::size(layer_names)));
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_twice.gridatlas_runs"), "1");
    EXPECT_EQ(one(db, "SELECT to_regclass('res_twice.old_layer__all') IS NULL"), "t");
    EXPECT_EQ(one(db, "SELECT to_regclass('res_twice.old_layer__other') IS NULL"), "f");   // another scope's: kept
    fs::remove_all(out);
}

TEST(PostgisResults, FailedSwapLeavesEveryPreviousPartition) {
    const fs::path out = out_dir("failed");
    pipeline::run_job(to_postgis(tiny_project, out, "res_failed"));
    layers::PgConnection db(PgCluster::connection());
    // Someone added a column to the last table the swap reaches: the run fails there, after the others were swapped
    // inside the same transaction, which must then leave all of them as they were.
    db.exec("ALTER TABLE res_failed.walk_network ADD COLUMN surveyed boolean");
    const std::string oids_sql = "SELECT string_agg(c.oid::text, ',' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n "
                                 "ON n.oid = c.relnamespace WHERE n.nspname = 'res_failed' AND c.relname LIKE '%\\_\\_all'";
    const std::string before = one(db, oids_sql), written = one(db, "SELECT written_at FROM res_failed.gridatlas_runs");
    const std::string summary_before = slurp(out / "summary.json");
    try {
        pipeline::run_job(to_postgis(tiny_project, out, "res_failed"));
        FAIL() << "a run into a table with other columns succeeded";
    } catch (const DataError& e) {
        EXPECT_NE(e.diagnostic().message.find("surveyed"), std::string::npos) << e.what();
        EXPECT_NE(e.diagnostic().where.layer.find("walk_network"), std::string::npos) << e.what();
    }
    EXPECT_EQ(one(db, oids_sql), before);
    EXPECT_EQ(one(db, "SELECT written_at FROM res_failed.gridatlas_runs"), written);
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_failed.households"), "10");
    EXPECT_EQ(one(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'gridatlas_stage%'"), "0");
    EXPECT_EQ(slurp(out / "summary.json"), summary_before);   // the files were not replaced either
    fs::remove_all(out);
}

TEST(PostgisResults, PasswordOnTheCommandLineIsRefusedWithoutEchoingIt) {
    const fs::path out = out_dir("cli");
    const std::string cmd = std::string(GRIDATLAS_BIN) + " run " + quote(tiny_project.string()) + " -o " + quote(out.string()) +
                            " --no-render --to-postgis " + quote(PgCluster::connection() + " password=s3cret") + " > " +
                            quote((out.string() + ".log")) + " 2>&1";
    EXPECT_EQ(shell(cmd), 2);
    const std::string log = slurp(out.string() + ".log");
    EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;
    EXPECT_NE(log.find("PGPASSWORD"), std::string::npos) << log;
    // The command line works without it (credentials from PGUSER/PGHOST/PGPORT in the environment).
    EXPECT_EQ(shell(std::string(GRIDATLAS_BIN) + " run " + quote(tiny_project.string()) + " -o " + quote(out.string()) +
                    " --no-render --to-postgis " + quote(PgCluster::connection()) + " --pg-schema res_cli > /dev/null"), 0);
    layers::PgConnection db(PgCluster::connection());
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_cli.grids"), "3");
    fs::remove_all(out);
    fs::remove(out.string() + ".log");
}

// Counties in parallel into one store: every community of the sample run alone (`--within`) into one schema gives,
// across the partitions, the whole run's grids (each once, same numbers) and households; a whole-project run into
// that schema would overlap the communities' partitions and is refused, leaving them as they were.
TEST(PostgisResults, CommunitiesFillOnePartitionEachAndTogetherEqualTheWholeRun) {
    const fs::path sample = fs::path(GRIDATLAS_SOURCE_DIR) / "data" / "sample" / "project.toml";
    const fs::path whole_out = out_dir("sample_whole");
    pipeline::RunConfig whole;
    whole.project_file = sample;
    whole.out_dir = whole_out;
    whole.render = false;
    const auto w = pipeline::run_job(whole);
    std::vector<std::string> codes;
    for (const auto& g : w.summary["levels"][0]["per_grid"]) codes.push_back(g["code"]);
    ASSERT_EQ(codes.size(), 25u);
    for (const auto& code : codes) {
        auto c = to_postgis(sample, out_dir("sample_" + code), "res_counties");
        c.within = code;
        const auto r = pipeline::run_job(c);
        EXPECT_EQ(r.summary["postgis"]["scope_code"], code);
        fs::remove_all(c.out_dir);
    }
    layers::PgConnection db(PgCluster::connection());
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_counties.gridatlas_runs WHERE scope_level = 'community'"), "25");
    EXPECT_EQ(one(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname = 'res_counties' AND c.relname LIKE 'grids\\_\\_%' AND c.relkind = 'r'"), "25");
    // Each grid once, with the whole run's households; every household the whole run placed, once.
    std::map<std::string, std::string> whole_households;
    for (const auto& row : read_layer(w.gpkg, "grids")) whole_households[row.at("code")] = row.at("households");
    std::map<std::string, std::string> store_households;
    for (const auto& row : db.query("SELECT code, households::text FROM res_counties.grids"))
        EXPECT_TRUE(store_households.emplace(row.at(0), row.at(1)).second) << "grid " << row.at(0) << " twice";
    EXPECT_EQ(store_households, whole_households);
    EXPECT_EQ(one(db, "SELECT count(DISTINCT \"row\") FROM res_counties.households WHERE community_code <> ''"),
              std::to_string(w.summary["conservation"][2]["assigned"].get<std::size_t>()));
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_counties.households"), one(db, "SELECT count(DISTINCT \"row\") FROM res_counties.households"));

    const std::string written = one(db, "SELECT max(written_at)::text FROM res_counties.gridatlas_runs");
    try {
        pipeline::run_job(to_postgis(sample, out_dir("sample_all"), "res_counties"));
        FAIL() << "a whole-project run into a schema of communities was accepted";
    } catch (const DataError& e) {
        EXPECT_NE(e.diagnostic().message.find("level 'community'"), std::string::npos) << e.what();
    }
    EXPECT_EQ(one(db, "SELECT max(written_at)::text FROM res_counties.gridatlas_runs"), written);
    EXPECT_EQ(one(db, "SELECT count(*) FROM res_counties.gridatlas_runs"), "25");
    fs::remove_all(out_dir("sample_all"));
    fs::remove_all(whole_out);
}

// An unreachable store is found before the run computes or writes anything.
TEST(PostgisResults, UnreachableStoreStopsTheRunBeforeItWrites) {
    const fs::path out = out_dir("unreachable");
    auto c = to_postgis(tiny_project, out, "res_unreachable");
    c.to_postgis = "PG:dbname=gridatlas host=127.0.0.1 port=1";
    try {
        pipeline::run_job(c);
        FAIL() << "a run into an unreachable store was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "postgis_error") << e.what();
        EXPECT_NE(e.diagnostic().where.file.find("port=1"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(out / "summary.json"));
    EXPECT_FALSE(fs::exists(out / "gridatlas.gpkg"));
}
