// Writes layers of plain values and engine geometry into a GeoPackage (or any GDAL vector format by extension),
// one transaction per layer. Deterministic when asked: fixed timestamps so a rebuilt file is byte-identical.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "geometry/types.hpp"

namespace gridatlas::layers {

enum class FieldType { text, integer, real };
struct FieldSpec {
    std::string name;
    FieldType type = FieldType::text;
};
using FieldValue = std::variant<std::monostate, std::string, std::int64_t, double>;
using GeometryValue = std::variant<std::monostate, geo::Point, geo::LineString, geo::MultiPolygon>;

enum class LayerGeometry { none, point, line, polygon };

// A value as text, the one way every CSV and report cell writes one: numbers in the shortest form that reads back as
// the same value (4843270.12, not 4.84327e+06), no value as "".
std::string to_text(const FieldValue& v);
void append_text(std::string& out, const FieldValue& v);

class VectorWriter {
public:
    // Creates `file` anew (an existing file is replaced). `deterministic`: fixed timestamps in the file.
    VectorWriter(const std::filesystem::path& file, bool deterministic = false);
    ~VectorWriter();
    VectorWriter(const VectorWriter&) = delete;
    VectorWriter& operator=(const VectorWriter&) = delete;

    // Starts a layer; `crs` like "EPSG:32632" is the CRS of the geometries passed to add() (ignored for
    // LayerGeometry::none). With `write_crs` the layer is stored in that CRS instead, reprojected on the way.
    // Ends the previous layer.
    void begin_layer(const std::string& name, LayerGeometry geometry, const std::string& crs, std::vector<FieldSpec> fields,
                     const std::string& write_crs = {});
    void add(const std::vector<FieldValue>& values, const GeometryValue& geometry = {});
    void end_layer();
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// With a byte-order mark, spreadsheet programs (Excel) read the UTF-8 Chinese text correctly; without, it is plain UTF-8.
enum class Utf8Bom { no, yes };

// RFC 4180 CSV, UTF-8, with a header row and CRLF line ends. Fields with commas, quotes or newlines are quoted.
// Written row by row as the caller makes them: a million rows are never held as strings.
class CsvWriter {
public:
    CsvWriter(const std::filesystem::path& file, const std::vector<std::string>& header, Utf8Bom bom = Utf8Bom::no);
    ~CsvWriter();
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;
    void row(const std::vector<std::string>& cells);
    void row(const std::vector<FieldValue>& values);   // each value as to_text() writes it
    // Flushes and checks the file was written; throws DataError (write_failed) when it was not.
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The same, for rows already in memory.
void write_csv(const std::filesystem::path& file, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows, Utf8Bom bom = Utf8Bom::no);

}  // namespace gridatlas::layers
