// Writing result layers through GDAL (GeoPackage by default), one transaction per layer, optionally reprojected to
// another CRS on the way; and the RFC 4180 CSV writer for tables.
#include "vector_writer.hpp"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <charconv>
#include <fstream>
#include <string_view>
#include <optional>

#include "gdal_session.hpp"
#include "reprojection.hpp"
#include "model/diagnostics.hpp"

namespace gridatlas::layers {

struct VectorWriter::Impl {
    std::filesystem::path file;
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;   // owned by dataset
    std::vector<FieldSpec> fields;
    OGRFeatureUniquePtr feature;   // one per layer, refilled for every row: no allocation per row
    bool has_geometry = false;
    bool in_transaction = false;
    std::optional<Reprojection> transform;  // with a write CRS: the geometries' CRS → it

    [[noreturn]] void fail(const std::string& what) const {
        throw DataError({Severity::error, "write_failed", {file.string(), layer ? layer->GetName() : "", "", {}, {}},
                         what + " (" + last_gdal_error() + ")", "check the output directory is writable and has space"});
    }
};

namespace {

OGRwkbGeometryType ogr_type(LayerGeometry g) {
    switch (g) {
        case LayerGeometry::point: return wkbPoint;
        case LayerGeometry::line: return wkbLineString;
        case LayerGeometry::polygon: return wkbMultiPolygon;
        case LayerGeometry::none: break;
    }
    return wkbNone;
}

template <typename Ring>
void fill(OGRSimpleCurve& curve, const Ring& ring) {
    curve.setNumPoints(static_cast<int>(ring.size()), FALSE);
    int i = 0;
    for (const auto& p : ring) curve.setPoint(i++, p.x(), p.y());
}

std::unique_ptr<OGRGeometry> to_ogr(const GeometryValue& g) {
    if (auto* p = std::get_if<geo::Point>(&g)) return std::make_unique<OGRPoint>(p->x(), p->y());
    if (auto* l = std::get_if<geo::LineString>(&g)) {
        auto out = std::make_unique<OGRLineString>();
        fill(*out, *l);
        return out;
    }
    if (auto* mp = std::get_if<geo::MultiPolygon>(&g)) {
        auto out = std::make_unique<OGRMultiPolygon>();
        for (const auto& poly : *mp) {
            OGRPolygon p;
            auto ring = std::make_unique<OGRLinearRing>();
            fill(*ring, poly.outer());
            p.addRingDirectly(ring.release());
            for (const auto& inner : poly.inners()) {
                auto hole = std::make_unique<OGRLinearRing>();
                fill(*hole, inner);
                p.addRingDirectly(hole.release());
            }
            out->addGeometry(&p);
        }
        return out;
    }
    return nullptr;
}

std::string driver_for(const std::filesystem::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".geojson" || ext == ".json") return "GeoJSON";
    if (ext == ".fgb") return "FlatGeobuf";
    if (ext == ".shp") return "ESRI Shapefile";
    if (ext == ".csv") return "CSV";
    return "GPKG";
}

}  // namespace

VectorWriter::VectorWriter(const std::filesystem::path& file, bool deterministic) : impl_(std::make_unique<Impl>()) {
    ensure_gdal();
    impl_->file = file;
    if (deterministic) CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2020-01-01T00:00:00.000Z");
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_for(file).c_str());
    if (!driver) impl_->fail("no GDAL driver for this file type");
    std::error_code ec;
    std::filesystem::remove(file, ec);
    impl_->dataset.reset(driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!impl_->dataset) impl_->fail("cannot create the file");
}

VectorWriter::~VectorWriter() {
    try { close(); } catch (...) {}
}

void VectorWriter::begin_layer(const std::string& name, LayerGeometry geometry, const std::string& crs, std::vector<FieldSpec> fields,
                               const std::string& write_crs) {
    end_layer();
    OGRSpatialReference srs;
    OGRSpatialReference* srs_ptr = nullptr;
    impl_->transform.reset();
    if (geometry != LayerGeometry::none) {
        if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE) impl_->fail("unknown CRS '" + crs + "'");
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        srs_ptr = &srs;
        if (!write_crs.empty() && write_crs != crs) {
            OGRSpatialReference out;
            if (out.SetFromUserInput(write_crs.c_str()) != OGRERR_NONE) impl_->fail("unknown CRS '" + write_crs + "'");
            out.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            try {
                impl_->transform.emplace(srs, out);
            } catch (const DataError&) {
                impl_->fail("cannot transform " + crs + " to " + write_crs);
            }
            srs = out;
        }
    }
    char** options = nullptr;
    options = CSLSetNameValue(options, "SPATIAL_INDEX", "YES");
    impl_->layer = impl_->dataset->CreateLayer(name.c_str(), srs_ptr, ogr_type(geometry), options);
    CSLDestroy(options);
    if (!impl_->layer) impl_->fail("cannot create layer '" + name + "'");
    for (const auto& f : fields) {
        OGRFieldDefn defn(f.name.c_str(), f.type == FieldType::integer ? OFTInteger64 : f.type == FieldType::real ? OFTReal : OFTString);
        if (impl_->layer->CreateField(&defn) != OGRERR_NONE) impl_->fail("cannot create field '" + f.name + "'");
    }
    impl_->fields = std::move(fields);
    impl_->feature.reset(OGRFeature::CreateFeature(impl_->layer->GetLayerDefn()));
    impl_->has_geometry = geometry != LayerGeometry::none;
    impl_->in_transaction = impl_->dataset->StartTransaction() == OGRERR_NONE;
}

void VectorWriter::add(const std::vector<FieldValue>& values, const GeometryValue& geometry) {
    // Every field is set (a value or null) on every row, so the driver keeps one prepared insert for the layer.
    OGRFeature* feature = impl_->feature.get();
    feature->SetFID(OGRNullFID);
    for (std::size_t i = 0; i < impl_->fields.size(); ++i) {
        const int idx = static_cast<int>(i);
        const FieldValue* v = i < values.size() ? &values[i] : nullptr;
        if (!v) feature->SetFieldNull(idx);
        else if (auto* s = std::get_if<std::string>(v)) feature->SetField(idx, s->c_str());
        else if (auto* n = std::get_if<std::int64_t>(v)) feature->SetField(idx, static_cast<GIntBig>(*n));
        else if (auto* d = std::get_if<double>(v)) feature->SetField(idx, *d);
        else feature->SetFieldNull(idx);
    }
    if (auto g = to_ogr(geometry)) {
        if (impl_->transform && !impl_->transform->transform(*g)) impl_->fail("cannot reproject a feature");
        feature->SetGeometryDirectly(g.release());
    } else if (impl_->has_geometry) {
        feature->SetGeometryDirectly(nullptr);
    }
    if (impl_->layer->CreateFeature(feature) != OGRERR_NONE) impl_->fail("cannot write a feature");
}

void VectorWriter::end_layer() {
    if (impl_->in_transaction && impl_->dataset->CommitTransaction() != OGRERR_NONE) impl_->fail("cannot commit layer");
    impl_->in_transaction = false;
    impl_->feature.reset();
    impl_->layer = nullptr;
}

void VectorWriter::close() {
    if (!impl_->dataset) return;
    end_layer();
    impl_->dataset.reset();  // GDALClose flushes
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr);
}

void append_text(std::string& out, const FieldValue& v) {
    if (const auto* s = std::get_if<std::string>(&v)) {
        out += *s;
        return;
    }
    char buf[32];
    std::to_chars_result r{buf, {}};
    if (const auto* i = std::get_if<std::int64_t>(&v)) r = std::to_chars(buf, buf + sizeof buf, *i);
    else if (const auto* d = std::get_if<double>(&v)) r = std::to_chars(buf, buf + sizeof buf, *d);
    out.append(buf, r.ptr);
}

std::string to_text(const FieldValue& v) {
    std::string s;
    append_text(s, v);
    return s;
}

// Rows are gathered in one buffer and written in blocks: a million rows cost one string, not a stream call per byte.
struct CsvWriter::Impl {
    static constexpr std::size_t block = 1 << 20;
    std::filesystem::path file;
    std::ofstream out;
    std::string buffer;
    std::string scratch;
    void fail(const std::string& what, const std::string& hint) const {
        throw DataError({Severity::error, "write_failed", {file.string(), "", "", {}, {}}, what, hint});
    }
    void cell(std::string_view s) {
        if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
            buffer += s;
            return;
        }
        buffer += '"';
        for (char c : s) {
            if (c == '"') buffer += '"';
            buffer += c;
        }
        buffer += '"';
    }
    void end_row() {
        buffer += "\r\n";
        if (buffer.size() >= block) flush();
    }
    void flush() {
        out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        buffer.clear();
    }
};

CsvWriter::CsvWriter(const std::filesystem::path& file, const std::vector<std::string>& header, Utf8Bom bom)
    : impl_(std::make_unique<Impl>()) {
    impl_->file = file;
    impl_->out.open(file, std::ios::binary | std::ios::trunc);
    if (!impl_->out) impl_->fail("cannot create the file", "check the directory exists and is writable");
    impl_->buffer.reserve(Impl::block + 4096);
    if (bom == Utf8Bom::yes) impl_->buffer += "\xEF\xBB\xBF";
    row(header);
}

CsvWriter::~CsvWriter() = default;

void CsvWriter::row(const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) impl_->buffer += ',';
        impl_->cell(cells[i]);
    }
    impl_->end_row();
}

void CsvWriter::row(const std::vector<FieldValue>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) impl_->buffer += ',';
        if (const auto* s = std::get_if<std::string>(&values[i])) {
            impl_->cell(*s);
        } else {
            impl_->scratch.clear();
            append_text(impl_->scratch, values[i]);
            impl_->buffer += impl_->scratch;   // numbers never need quoting
        }
    }
    impl_->end_row();
}

void CsvWriter::close() {
    impl_->flush();
    impl_->out.flush();
    if (!impl_->out) impl_->fail("write failed", "check free space");
    impl_->out.close();
}

void write_csv(const std::filesystem::path& file, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows, Utf8Bom bom) {
    CsvWriter w(file, header, bom);
    for (const auto& r : rows) w.row(r);
    w.close();
}

}  // namespace gridatlas::layers
