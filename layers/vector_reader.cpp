// Reading one vector layer (any GDAL format, or a delimited text table through the strict CSV reader) field by field
// and feature by feature, reprojected to the working CRS by a Reprojection; CRS and coordinate checks on opening.
#include "vector_reader.hpp"

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <cpl_conv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>

#include "csv_table.hpp"
#include "china_coordinates.hpp"
#include "crs.hpp"
#include "gdal_session.hpp"
#include "reprojection.hpp"
#include "model/text.hpp"
#include "postgis_connection.hpp"

namespace gridatlas::layers {

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "(none)" : out;
}

template <typename Ring>
void read_points(const OGRSimpleCurve* curve, Ring& out) {
    const int n = curve->getNumPoints();
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out.emplace_back(curve->getX(i), curve->getY(i));
}

void read_polygon(const OGRPolygon* p, geo::MultiPolygon& out) {
    if (p->IsEmpty()) return;
    geo::Polygon poly;
    read_points(p->getExteriorRing(), poly.outer());
    for (int i = 0; i < p->getNumInteriorRings(); ++i) {
        poly.inners().emplace_back();
        read_points(p->getInteriorRing(i), poly.inners().back());
    }
    out.push_back(std::move(poly));
}

void read_geometry(const OGRGeometry* g, FeatureView& f) {
    switch (wkbFlatten(g->getGeometryType())) {
        case wkbPoint: {
            auto* p = g->toPoint();
            if (f.kind == GeometryKind::none) { f.kind = GeometryKind::point; f.point = {p->getX(), p->getY()}; }
            break;
        }
        case wkbLineString: {
            f.kind = GeometryKind::lines;
            f.lines.emplace_back();
            read_points(g->toLineString(), f.lines.back());
            break;
        }
        case wkbPolygon:
            f.kind = GeometryKind::polygons;
            read_polygon(g->toPolygon(), f.polygons);
            break;
        case wkbMultiPoint: case wkbMultiLineString: case wkbMultiPolygon: case wkbGeometryCollection: {
            for (const OGRGeometry* part : *g->toGeometryCollection()) read_geometry(part, f);
            break;
        }
        default: {  // curves and the like: take their linear approximation
            std::unique_ptr<OGRGeometry> linear(g->getLinearGeometry());
            if (linear && wkbFlatten(linear->getGeometryType()) != wkbFlatten(g->getGeometryType())) read_geometry(linear.get(), f);
        }
    }
}

std::optional<geo::Point> first_vertex(const OGRGeometry* g) {
    OGRPoint p;
    if (g->IsEmpty()) return std::nullopt;
    switch (wkbFlatten(g->getGeometryType())) {
        case wkbPoint: return geo::Point{g->toPoint()->getX(), g->toPoint()->getY()};
        case wkbLineString: g->toLineString()->getPoint(0, &p); return geo::Point{p.getX(), p.getY()};
        case wkbPolygon: g->toPolygon()->getExteriorRing()->getPoint(0, &p); return geo::Point{p.getX(), p.getY()};
        case wkbMultiPoint: case wkbMultiLineString: case wkbMultiPolygon: case wkbGeometryCollection:
            for (const OGRGeometry* part : *g->toGeometryCollection())
                if (auto v = first_vertex(part)) return v;
            return std::nullopt;
        default: return std::nullopt;
    }
}

}  // namespace

bool is_spreadsheet(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".xlsx" || ext == ".xls";
}

// Spreadsheets are read with their first row as the header and every cell as text (ids such as "001" and phone
// numbers keep their digits), so that a feature's FID is its spreadsheet row. GDAL's XLSX/XLS drivers take these
// as configuration options and read the sheet lazily: they stay set for the reader's life, on its thread.
class SpreadsheetOptions {
public:
    SpreadsheetOptions() {
        for (const char* key : keys) {
            const char* old = CPLGetThreadLocalConfigOption(key, nullptr);
            saved_.emplace_back(key, old ? std::optional<std::string>(old) : std::nullopt);
            CPLSetThreadLocalConfigOption(key, std::string(key).find("HEADERS") != std::string::npos ? "FORCE" : "STRING");
        }
    }
    ~SpreadsheetOptions() {
        for (const auto& [key, old] : saved_) CPLSetThreadLocalConfigOption(key, old ? old->c_str() : nullptr);
    }
    SpreadsheetOptions(const SpreadsheetOptions&) = delete;
    SpreadsheetOptions& operator=(const SpreadsheetOptions&) = delete;

private:
    static constexpr const char* keys[] = {"OGR_XLSX_HEADERS", "OGR_XLSX_FIELD_TYPES", "OGR_XLS_HEADERS", "OGR_XLS_FIELD_TYPES"};
    std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

struct VectorReader::Impl {
    std::unique_ptr<SpreadsheetOptions> spreadsheet;   // before `dataset`: destroyed after it
    LayerSource src;
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;          // owned by dataset
    OGRSpatialReference source_srs;
    bool has_srs = false;
    std::optional<Reprojection> to_target;  // none: already in the target CRS
    OffsetCrs offset = OffsetCrs::none; // GCJ-02 / BD-09 points: to_target removes the offset first
    std::vector<int> field_indices;     // per requested field: the OGR index (or the column, for a text table)
    std::optional<CsvTable> table;      // a delimited-text table read by the strict reader instead of GDAL: its header
                                        // at first, its account of the records once for_each has streamed them
    std::string text;                   // the table's bytes (rows are parsed as for_each reads them, never all held)
    bool undeclared_dbf = false;        // a shapefile whose .dbf has no .cpg (nor code page byte): bytes passed raw
    std::size_t converted = 0, replaced = 0;
    std::vector<std::int64_t> repaired_fids;   // the first few
    std::string layer_name() const { return layer ? layer->GetName() : table ? src.file.stem().string() : src.layer; }
    bool has_geometry() const { return !table && layer->GetGeomType() != wkbNone; }
    SourceLocation where(std::string feature = {}) const {
        const std::string file = src.file.string();
        return SourceLocation{is_pg_source(file) ? pg_display(file) : file, layer_name(), std::move(feature), {}, {}};
    }

    void read_table(const std::string& file);
    void open_dataset(const std::string& file, bool pg, const std::string& role);
    void choose_layer(const std::string& file);
    void read_source_crs();
    void check_declared_crs() const;
    void reproject_to(const std::string& target_crs);
};

// A table (the roster) read by the strict reader: every record accounted for.
void VectorReader::Impl::read_table(const std::string& file) {
    try {
        text = read_text_file(src.file);
        table = parse_csv_header(text, CsvOptions{src.encoding});
    } catch (const std::runtime_error& e) {
        throw DataError({Severity::error, "unreadable_file", {file, "", "", {}, {}}, e.what(),
                         "check the file, and encoding in its table (UTF-8, GBK or GB18030)"});
    }
}

void VectorReader::Impl::open_dataset(const std::string& file, bool pg, const std::string& role) {
    // A point table (facilities as a POI export): its x/y columns, mapped in the layer's table, are the geometry.
    std::vector<std::string> options;
    if (!pg && is_delimited_text(src.file) && src.maps("x") && src.maps("y"))
        options = {"X_POSSIBLE_NAMES=" + src.field("x"), "Y_POSSIBLE_NAMES=" + src.field("y"), "KEEP_GEOM_COLUMNS=YES"};
    // A PostgreSQL table: GDAL lists only that table (not every table of the database), tables without geometry too.
    if (pg && !src.layer.empty()) options = {"TABLES=" + src.layer, "LIST_ALL_TABLES=YES"};
    std::vector<const char*> option_ptrs;
    for (const auto& o : options) option_ptrs.push_back(o.c_str());
    option_ptrs.push_back(nullptr);
    if (pg && !src.layer.empty()) require_pg_table(src.file.string(), src.layer, role);   // GDAL would open a missing table as an empty layer
    if (!pg && is_spreadsheet(src.file)) spreadsheet = std::make_unique<SpreadsheetOptions>();
    dataset.reset(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, option_ptrs.data()));
    if (!dataset)
        throw DataError({Severity::error, pg ? "unreadable_table" : "unreadable_file", {file, src.layer, "", {}, {}},
                         pg ? "the " + role + " table cannot be opened through PostgreSQL (" + last_gdal_error() + ")"
                            : "GDAL cannot read it as vector data (" + last_gdal_error() + ")",
                         pg ? "check the server, database and table, and the credentials in the environment (PGUSER, "
                              "PGPASSWORD or PGSERVICE) or ~/.pgpass"
                            : "use a format GDAL reads: GeoPackage, GeoJSON, Shapefile, FlatGeobuf, CSV, OSM PBF"});
}

// The layer (or sheet) the project file names, or the only one; notes a shapefile whose text encoding is undeclared.
void VectorReader::Impl::choose_layer(const std::string& file) {
    std::vector<std::string> layer_names;
    for (auto* l : dataset->GetLayers()) layer_names.push_back(l->GetName());
    if (src.layer.empty()) {
        if (layer_names.size() != 1)
            throw DataError({Severity::error, "layer_not_given", {file, "", "", {}, {}},
                             "the file has " + std::to_string(layer_names.size()) + (spreadsheet ? " sheets" : " layers") +
                                 " and the project file names none",
                             std::string(spreadsheet ? "set sheet" : "set layer") + " = one of: " + join(layer_names)});
        layer = dataset->GetLayer(0);
    } else {
        layer = dataset->GetLayerByName(src.layer.c_str());
        if (!layer && spreadsheet)
            throw DataError({Severity::error, "sheet_not_found", {file, src.layer, "", {}, {}},
                             "the workbook has no sheet named '" + src.layer + "'",
                             "set sheet = one of its sheets: " + join(layer_names)});
        if (!layer)
            throw DataError({Severity::error, "layer_not_found", {file, src.layer, "", {}, {}},
                             "no such layer", "the file's layers are: " + join(layer_names)});
    }
    layer->ResetReading();
    if (std::string(dataset->GetDriverName()) == "ESRI Shapefile") {
        const char* enc = layer->GetMetadataItem("SOURCE_ENCODING", "SHAPEFILE");
        undeclared_dbf = !enc || !*enc;
    }
}

// The layer's CRS: the project file's crs (GCJ-02 / BD-09 read as WGS 84 with an offset), else the file's own.
void VectorReader::Impl::read_source_crs() {
    offset = offset_crs_of(src.crs);
    if (offset != OffsetCrs::none) {  // GCJ-02 / BD-09: lon/lat offset from WGS 84, undone point by point
        if (has_geometry() && wkbFlatten(layer->GetGeomType()) != wkbPoint)
            throw DataError({Severity::error, "bad_crs", where(), "crs = \"" + src.crs + "\" is accepted for point layers only",
                             "convert the layer to WGS 84 or CGCS2000 (EPSG:4490) first, or give its points"});
        source_srs.importFromEPSG(4326);
        has_srs = true;
    } else if (!src.crs.empty()) {
        if (source_srs.SetFromUserInput(src.crs.c_str()) != OGRERR_NONE)
            throw DataError({Severity::error, "bad_crs", where(), "crs = '" + src.crs + "' is not a CRS PROJ knows",
                             "write it as EPSG:4326, EPSG:4547, … "});
        has_srs = true;
    } else if (const OGRSpatialReference* s = layer->GetSpatialRef()) {
        source_srs = *s;
        has_srs = true;
    }
    source_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
}

// A layer to reproject must have a CRS, and a geographic one must hold degrees.
void VectorReader::Impl::check_declared_crs() const {
    if (!has_srs)
        throw DataError({Severity::error, "missing_crs", where(), "the layer has no coordinate reference system",
                         "add crs = \"EPSG:…\" to this layer's table in the project file, or give the file one "
                         "(a .prj beside a Shapefile, ogr2ogr -a_srs)"});
    if (!source_srs.IsGeographic()) return;
    OGREnvelope env;
    if (layer->GetExtent(&env, TRUE) == OGRERR_NONE &&
        (env.MinX < -180.5 || env.MaxX > 180.5 || env.MinY < -90.5 || env.MaxY > 90.5))
        throw DataError({Severity::error, "wrong_crs", where(),
                         "the layer declares a geographic CRS but its coordinates reach (" +
                             std::to_string(env.MaxX) + ", " + std::to_string(env.MaxY) + "), which are not degrees",
                         "declare the projected CRS the data is really in with crs = \"EPSG:…\""});
}

void VectorReader::Impl::reproject_to(const std::string& target_crs) {
    OGRSpatialReference target;
    if (target.SetFromUserInput(target_crs.c_str()) != OGRERR_NONE)
        throw DataError({Severity::error, "bad_crs", {}, "working CRS '" + target_crs + "' is not a CRS PROJ knows",
                         "set working_crs in [project] to a projected metric CRS such as EPSG:4547"});
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (offset != OffsetCrs::none) to_target.emplace(src.crs, target_crs, where());
    else if (!source_srs.IsSame(&target)) to_target.emplace(source_srs, target, where());
}

VectorReader::VectorReader(const LayerSource& src, const std::string& target_crs) : impl_(std::make_unique<Impl>()) {
    ensure_gdal();
    impl_->src = src;
    const bool pg = is_pg_source(src.file.string());
    const std::string file = pg ? pg_display(src.file.string()) : src.file.string();
    const std::string role = src.role.empty() ? "layer" : src.role;
    if (!pg && !std::filesystem::exists(src.file))
        throw DataError({Severity::error, "file_not_found", {file, "", "", {}, {}},
                         "the " + role + " file does not exist",
                         "check the path in the project file (relative paths are relative to the project file)"});
    if (!pg && target_crs.empty() && is_delimited_text(src.file)) {
        impl_->read_table(file);
        return;
    }
    impl_->open_dataset(file, pg, role);
    impl_->choose_layer(file);
    impl_->read_source_crs();
    if (!target_crs.empty() && has_geometry()) {
        impl_->check_declared_crs();
        check_coordinates_fit_crs();
        impl_->reproject_to(target_crs);
    } else if (impl_->offset != OffsetCrs::none && has_geometry()) {
        impl_->to_target.emplace(impl_->src.crs, "EPSG:4326", where());  // no target: the points in WGS 84
    }
}

VectorReader::~VectorReader() = default;

// Coordinates that cannot be in the layer's CRS (degrees under a metric CRS, outside the CRS's area of use) stop the run.
void VectorReader::check_coordinates_fit_crs() const {
    OGREnvelope env;
    if (impl_->layer->GetExtent(&env, TRUE) != OGRERR_NONE || !env.IsInit()) return;  // no features: nothing to check
    const auto wrong = implausible_coordinates(impl_->source_srs, env.MinX, env.MinY, env.MaxX, env.MaxY);
    if (!wrong) return;
    throw DataError({Severity::error, "wrong_crs", where(), "the " + impl_->src.role + " layer: " + *wrong,
                     impl_->src.crs.empty() ? "the file's CRS is wrong: declare the CRS the data is really in with crs = \"EPSG:…\" in its table"
                                            : "crs = \"" + impl_->src.crs + "\" in its table is not the CRS of the data: write the one it is in"});
}

std::optional<std::array<double, 4>> VectorReader::extent_own_crs() const {
    OGREnvelope env;
    if (impl_->table || !has_geometry() || impl_->layer->GetExtent(&env, TRUE) != OGRERR_NONE || !env.IsInit()) return std::nullopt;
    return std::array<double, 4>{env.MinX, env.MinY, env.MaxX, env.MaxY};
}

std::string VectorReader::crs_description() const {
    if (!impl_->has_srs) return {};
    if (impl_->offset != OffsetCrs::none) return impl_->src.crs;
    return crs_name(impl_->source_srs);
}

void VectorReader::report_text_repairs(Diagnostics& diag) const {
    if (!impl_->converted && !impl_->replaced) return;
    std::string fids;
    for (auto fid : impl_->repaired_fids) fids += (fids.empty() ? "" : ", ") + std::to_string(fid);
    std::string what;
    if (impl_->converted) what = std::to_string(impl_->converted) + " were read as GBK/GB18030 and converted to UTF-8";
    if (impl_->replaced)
        what += (what.empty() ? "" : "; ") + std::to_string(impl_->replaced) + " had bytes that are neither UTF-8 nor GBK, replaced by U+FFFD";
    diag.warn(impl_->replaced ? "invalid_bytes" : "converted_encoding", where("fid " + fids + (impl_->repaired_fids.size() == 5 ? ", …" : "")),
              "text values of the layer are not UTF-8: " + what,
              impl_->undeclared_dbf ? "put a .cpg file beside the .shp naming the .dbf's encoding (936 for GBK, or UTF-8)"
                                    : "save the layer's text as UTF-8");
}

SourceLocation VectorReader::where(std::string feature) const { return impl_->where(std::move(feature)); }

const CsvTable* VectorReader::text_table() const { return impl_->table ? &*impl_->table : nullptr; }

std::vector<std::string> VectorReader::field_names() const {
    if (impl_->table) return impl_->table->header;
    std::vector<std::string> names;
    OGRFeatureDefn* defn = impl_->layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) names.push_back(defn->GetFieldDefn(i)->GetNameRef());
    return names;
}

std::optional<std::size_t> VectorReader::request_field(const std::string& key, bool required) {
    const std::string name = impl_->src.field(key);
    int idx = -1;
    if (impl_->table) {
        const auto& h = impl_->table->header;
        if (auto it = std::find(h.begin(), h.end(), name); it != h.end()) idx = static_cast<int>(it - h.begin());
    } else {
        idx = impl_->layer->GetLayerDefn()->GetFieldIndex(name.c_str());
    }
    if (idx < 0) {
        if (!required) return std::nullopt;
        if (field_names().empty() && feature_count() == 0)
            throw DataError({Severity::error, "empty_layer", where(), "the " + impl_->src.role + " layer is empty: no features and no fields",
                             "export the layer again with its features, or check file and layer in the project file"});
        throw DataError({Severity::error, "missing_field", where(),
                         "the " + impl_->src.role + " layer has no field '" + name + "' (for " + key + ")",
                         "map it in the project file with " + key + " = \"<field>\"; the layer's fields are: " + join(field_names())});
    }
    impl_->field_indices.push_back(idx);
    return impl_->field_indices.size() - 1;
}

std::int64_t VectorReader::feature_count() const {
    if (!impl_->table) return impl_->layer->GetFeatureCount(TRUE);
    CsvTable counted;   // a pass that keeps no row
    parse_csv_rows(impl_->text, CsvOptions{impl_->src.encoding}, counted, [](CsvRow&) {});
    return counted.rows_read;
}

bool VectorReader::has_geometry() const { return impl_->has_geometry(); }

geo::Box VectorReader::extent_lonlat() const {
    OGREnvelope env;
    if (impl_->table)  // a text table read as a table has no geometry and no CRS
        throw DataError({Severity::error, "missing_crs", where(), "the layer has no coordinate reference system",
                         "add crs = \"EPSG:…\" to this layer's table in the project file"});
    if (impl_->layer->GetExtent(&env, TRUE) != OGRERR_NONE)
        throw DataError({Severity::error, "empty_layer", where(), "the layer has no extent (no geometry)", "check the layer has features"});
    if (!impl_->has_srs)
        throw DataError({Severity::error, "missing_crs", where(), "the layer has no coordinate reference system",
                         "add crs = \"EPSG:…\" to this layer's table in the project file"});
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    const Reprojection t(impl_->source_srs, wgs84, where());
    double xs[2] = {env.MinX, env.MaxX}, ys[2] = {env.MinY, env.MaxY};
    if (!t.transform(2, xs, ys))
        throw DataError({Severity::error, "bad_crs", where(), "cannot transform the layer's extent to lon/lat", "check the layer's CRS"});
    return geo::Box({xs[0], ys[0]}, {xs[1], ys[1]});
}

void VectorReader::for_each(const std::function<void(FeatureView&)>& fn) {
    FeatureView f;
    if (impl_->table) {
        parse_csv_rows(impl_->text, CsvOptions{impl_->src.encoding}, *impl_->table, [&](CsvRow& row) {
            f.fid = row.record;
            f.line = row.line;
            f.values.assign(impl_->field_indices.size(), std::nullopt);
            for (std::size_t i = 0; i < impl_->field_indices.size(); ++i) f.values[i] = row.fields[impl_->field_indices[i]];
            fn(f);
        });
        return;
    }
    impl_->layer->ResetReading();
    for (auto& feature : *impl_->layer) {
        f.fid = feature->GetFID();
        f.sheet_row = impl_->spreadsheet != nullptr;
        f.line = f.sheet_row ? f.fid : 0;   // headers forced: the FID is the spreadsheet row
        f.values.assign(impl_->field_indices.size(), std::nullopt);
        for (std::size_t i = 0; i < impl_->field_indices.size(); ++i) {
            const int idx = impl_->field_indices[i];
            if (!feature->IsFieldSetAndNotNull(idx)) continue;
            std::string v = feature->GetFieldAsString(idx);
            // GDAL recodes a .dbf with a .cpg to UTF-8; without one its bytes arrive as they are: detect them.
            if (!text::is_ascii(v) && (impl_->undeclared_dbf || !text::valid_utf8(v))) {
                const std::string done = decode_detected(v);
                if (!done.empty()) {
                    ++(done == "converted" ? impl_->converted : impl_->replaced);
                    if (impl_->repaired_fids.size() < 5 &&
                        (impl_->repaired_fids.empty() || impl_->repaired_fids.back() != f.fid))
                        impl_->repaired_fids.push_back(f.fid);
                }
            }
            f.values[i] = std::move(v);
        }
        f.kind = GeometryKind::none;
        f.geometry_empty = true;
        f.lines.clear();
        f.polygons.clear();
        f.source_xy.reset();
        if (OGRGeometry* g = feature->GetGeometryRef(); g && !g->IsEmpty()) {
            f.source_xy = first_vertex(g);
            if (impl_->to_target && !impl_->to_target->transform(*g)) {
                f.kind = GeometryKind::none;  // caller reports an empty geometry
            } else {
                read_geometry(g, f);
                geo::bg::correct(f.polygons);
                f.geometry_empty = f.kind == GeometryKind::none ||
                                   (f.kind == GeometryKind::polygons && f.polygons.empty()) ||
                                   (f.kind == GeometryKind::lines && f.lines.empty());
            }
        }
        fn(f);
    }
}

}  // namespace gridatlas::layers
