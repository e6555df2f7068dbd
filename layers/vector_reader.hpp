// Reads one vector layer through GDAL/OGR into the engine's geometry types, reprojected to the working CRS.
// Opening problems (missing file, missing layer, missing required field, missing or implausible CRS) throw
// DataError naming the file, layer and what to do; per-feature problems are for the caller to report.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geometry/types.hpp"
#include "layer_source.hpp"
#include "model/diagnostics.hpp"

namespace gridatlas::layers {

struct CsvTable;

enum class GeometryKind { none, point, lines, polygons };

struct FeatureView {
    std::int64_t fid = 0;
    std::int64_t line = 0;                            // text tables and sheets: the line/row the record is on; else 0
    bool sheet_row = false;                           // `line` is a spreadsheet row number
    std::vector<std::optional<std::string>> values;   // per requested field, nullopt when null/unset
    GeometryKind kind = GeometryKind::none;           // what the feature's geometry turned out to be
    bool geometry_empty = true;
    geo::Point point;
    std::vector<geo::LineString> lines;
    geo::MultiPolygon polygons;
    std::optional<geo::Point> source_xy;              // a vertex in the layer's own CRS, for messages

    const std::optional<std::string>& value(std::size_t i) const { return values[i]; }
    std::string text(std::size_t i) const { return values[i].value_or(""); }
};

class VectorReader {
public:
    // Opens src.file / src.layer. `target_crs` empty: no reprojection and no CRS required (tables such as CSV).
    VectorReader(const LayerSource& src, const std::string& target_crs);
    ~VectorReader();
    VectorReader(const VectorReader&) = delete;
    VectorReader& operator=(const VectorReader&) = delete;

    // Index of the layer field mapped from `key`; throws DataError listing the layer's fields when required and
    // absent; returns nullopt when optional and absent.
    std::optional<std::size_t> request_field(const std::string& key, bool required);
    // The names of all fields of the layer.
    std::vector<std::string> field_names() const;
    std::int64_t feature_count() const;
    bool has_geometry() const;
    // The layer's extent in lon/lat (for choosing a UTM zone); throws when the layer has no CRS.
    geo::Box extent_lonlat() const;

    // The layer's extent in its own CRS (minx, miny, maxx, maxy); nothing for a table or a layer without features.
    std::optional<std::array<double, 4>> extent_own_crs() const;
    // The layer's CRS as "EPSG:4547 (CGCS2000 / …)", or "" when it has none.
    std::string crs_description() const;

    SourceLocation where(std::string feature = {}) const;
    // The strict reader's table when the layer is delimited text read without a CRS (the roster): its header, and
    // after for_each (which streams the rows, holding none) its rejected records and repairs, for the caller to
    // report. Null for layers read through GDAL.
    const CsvTable* text_table() const;
    void for_each(const std::function<void(FeatureView&)>& fn);
    // After for_each: one warning when text values of a GDAL layer were not UTF-8 (a .dbf without .cpg holding GBK):
    // how many were converted from GBK/GB18030 or had bytes replaced, the first features, and what to do.
    void report_text_repairs(Diagnostics& diag) const;

private:
    void check_coordinates_fit_crs() const;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridatlas::layers
