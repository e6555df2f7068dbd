// Deletes the rows of a GeoPackage layer outside a set of codes, through GDAL's SQL on the GeoPackage (its R-tree
// triggers keep the spatial index right), for the county outputs of `run --within`.
#include "gpkg_scope.hpp"

#include <gdal_priv.h>

#include "gdal_session.hpp"
#include "model/diagnostics.hpp"
#include "sql_text.hpp"

namespace gridatlas::layers {

namespace {

std::string literal(const std::string& s) { return sql_literal(s); }
std::string identifier(const std::string& s) { return sql_identifier(s); }

}  // namespace

namespace {

GDALDatasetUniquePtr open_for_update(const std::filesystem::path& gpkg, const std::string& layer) {
    ensure_gdal();
    GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!ds)
        throw DataError({Severity::error, "write_failed", {gpkg.string(), layer, "", {}, {}},
                         "cannot open the results to limit them to the --within grid (" + last_gdal_error() + ")", "check the output folder"});
    return ds;
}

void run_sql(GDALDataset& ds, const std::filesystem::path& gpkg, const std::string& layer, const std::string& sql) {
    CPLErrorReset();
    ds.ExecuteSQL(sql.c_str(), nullptr, "SQLITE");   // DELETE and UPDATE return no result set
    if (CPLGetLastErrorType() >= CE_Failure)
        throw DataError({Severity::error, "write_failed", {gpkg.string(), layer, "", {}, {}},
                         "cannot limit the results to the --within grid (" + last_gdal_error() + ")", "check the output folder and its free space"});
}

const char* const unreached = "('beyond_search_limit', 'disconnected', 'no_facility_of_kind')";

}  // namespace

void relabel_unreached(const std::filesystem::path& gpkg, const std::vector<std::string>& kinds, const std::string& note) {
    auto ds = open_for_update(gpkg, "buildings");
    for (const auto& k : kinds)
        run_sql(*ds, gpkg, "buildings", "UPDATE buildings SET " + identifier("reach_" + k) + " = 'beyond_margin' WHERE " +
                                            identifier("reach_" + k) + " IN " + unreached);
    run_sql(*ds, gpkg, "gap_buildings", "UPDATE gap_buildings SET reach = 'beyond_margin', note = " + literal(note) +
                                            " WHERE reach IN " + unreached);
}

void keep_grids(const std::filesystem::path& gpkg, const std::string& layer, const std::string& column, const std::set<std::string>& codes) {
    auto ds = open_for_update(gpkg, layer);
    std::string list;
    for (const auto& c : codes) {
        if (!list.empty()) list += ',';
        list += literal(c);
    }
    run_sql(*ds, gpkg, layer, "DELETE FROM " + identifier(layer) + " WHERE " + identifier(column) + " IS NULL OR " + identifier(column) +
                                  " NOT IN (" + list + ")");
}

}  // namespace gridatlas::layers
