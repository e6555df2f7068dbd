// Results into a PostGIS schema shared by offices: every layer of a run's GeoPackage becomes a table of the schema,
// partitioned by LIST on `scope_code` (the grid code a run covered, `--within`, or "all" for a whole project), so that
// runs of different counties fill different partitions of the same tables and QGIS or a web map read one table.
//
// A run replaces its own partitions atomically: the rows are loaded by GDAL (COPY) into a staging schema of this run,
// given their CHECK constraint and indexes (GiST on the geometry, btree on every code column) there; then one short
// transaction (under an advisory lock on the schema) detaches and drops the previous partition of each table,
// moves the new one in and attaches it, and records the run in <schema>.gridatlas_runs. Until that transaction
// commits readers see the previous partitions; a run failing before or in it leaves them as they were, and its
// staging schema is dropped.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gridatlas::layers {

struct PostgisTarget {
    std::string connection;           // "PG:dbname=… host=… port=…" (no password: environment or ~/.pgpass)
    std::string schema = "gridatlas";
};

struct PostgisScope {
    std::string code = "all";         // the partition: a grid code (--within), or "all" for a whole project
    std::string level = "all";        // the grid level of `code` ("all" for a whole project): partitions of one schema
                                      // must be of one level, so that they never overlap
    std::string project;              // the project's name, recorded in gridatlas_runs
};

struct PublishedTable {
    std::string name;                 // "buildings"
    std::int64_t rows = 0;
};

struct PostgisPublishReport {
    std::string schema;
    std::string scope;
    std::vector<PublishedTable> tables;
    double load_seconds = 0;          // GDAL COPY into the staging schema, constraints and indexes
    double swap_seconds = 0;          // the detach/attach transaction
};

// Checks, before a run computes anything, that `target` can be written: no password in the connection, a usable
// schema name, the server reachable and the postgis extension there. Throws DataError as publish_to_postgis does.
void check_postgis_target(const PostgisTarget& target);

// Publishes every layer of `gpkg` as scope `scope` of `target`'s schema (created when missing; the database needs the
// postgis extension). Throws DataError naming the connection (without secrets), the schema and table, and what to
// do: a schema whose tables have other columns (another project's kinds or levels), partitions of another level,
// an unreachable server.
PostgisPublishReport publish_to_postgis(const std::filesystem::path& gpkg, const PostgisTarget& target, const PostgisScope& scope);

}  // namespace gridatlas::layers
