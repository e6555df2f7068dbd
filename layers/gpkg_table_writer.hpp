// Attribute tables (rows without geometry: households, unassigned households, gaps, issues) written into a GeoPackage
// straight through SQLite: one prepared INSERT per table, one transaction per table. GDAL's per-feature path costs
// about four times as much for the same rows (1M households: 4.6 s against ~1 s); these tables need none of it.
//
// The file must already be a GeoPackage (made by VectorWriter, closed). Each table is registered as GDAL registers
// one: gpkg_contents (data_type 'attributes'), gpkg_ogr_contents with its row count and the two triggers that keep
// that count when rows are added or deleted later (QGIS, ogr2ogr -append), so GDAL, QGIS and sqlite3 read it as a
// layer written by GDAL. Deterministic when asked: the same fixed last_change as VectorWriter.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "model/diagnostics.hpp"
#include "vector_writer.hpp"

namespace gridatlas::layers {

class GpkgTableWriter {
public:
    explicit GpkgTableWriter(const std::filesystem::path& gpkg, bool deterministic = false);
    ~GpkgTableWriter();
    GpkgTableWriter(const GpkgTableWriter&) = delete;
    GpkgTableWriter& operator=(const GpkgTableWriter&) = delete;

    // Starts a new table (ends the previous one); a table of that name must not exist yet.
    void begin_table(const std::string& name, std::vector<FieldSpec> fields);
    // One row: values in field order (missing or std::monostate: NULL).
    void add(const std::vector<FieldValue>& values);
    void end_table();
    // Ends the last table and closes the file; throws DataError (write_failed) naming the file when SQLite fails.
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The `issues` table every results GeoPackage has: each warning and error with where it was found and what to do.
void write_issues_table(GpkgTableWriter& t, const Diagnostics& diag);

}  // namespace gridatlas::layers
