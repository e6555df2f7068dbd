// VectorWriter → VectorReader round trips (GeoPackage, GeoJSON), the CSV writer's quoting, CRS handling on read and
// write, and the DataErrors VectorReader throws when opening a layer: each names the file, the layer and what to do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "crs.hpp"
#include "model/diagnostics.hpp"
#include "vector_reader.hpp"
#include "vector_writer.hpp"

namespace fs = std::filesystem;
namespace geo = gridatlas::geo;
using gridatlas::DataError;
using gridatlas::Diagnostic;
using namespace gridatlas::layers;

namespace {

class TempDir {
public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() /
                ("gridatlas-vio-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" + std::to_string(::getpid()));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
        return path_ / name;
    }

private:
    fs::path path_;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

LayerSource source(const fs::path& file, const std::string& layer = "", const std::string& role = "test") {
    LayerSource s;
    s.role = role;
    s.file = file;
    s.layer = layer;
    return s;
}

template <typename Fn>
Diagnostic error_of(Fn&& fn) {
    try {
        fn();
    } catch (const DataError& e) {
        return e.diagnostic();
    }
    ADD_FAILURE() << "no DataError thrown";
    return {};
}

// Beijing, lon 116.39 lat 39.90, in CGCS2000 / 3-degree GK CM 117E (EPSG:4548), from
// `echo 116.39 39.90 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:4548`.
constexpr double beijing_x = 447833.66424783;
constexpr double beijing_y = 4418603.79387709;

geo::Polygon polygon(const std::string& wkt) {
    geo::Polygon p;
    geo::bg::read_wkt(wkt, p);
    geo::bg::correct(p);
    return p;
}

struct Feature {
    std::int64_t fid;
    std::vector<std::optional<std::string>> values;
    GeometryKind kind;
    bool empty;
    geo::Point point;
    std::vector<geo::LineString> lines;
    geo::MultiPolygon polygons;
    std::optional<geo::Point> source_xy;
};

std::vector<Feature> read_all(VectorReader& r) {
    std::vector<Feature> out;
    r.for_each([&](FeatureView& f) {
        out.push_back({f.fid, f.values, f.kind, f.geometry_empty, f.point, f.lines, f.polygons, f.source_xy});
    });
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// GeoPackage round trip

class GpkgRoundTrip : public ::testing::Test {
protected:
    void SetUp() override {
        file = dir.path() / "rt.gpkg";
        VectorWriter w(file);
        w.begin_layer("points", LayerGeometry::point, "EPSG:4548",
                      {{"name"}, {"n", FieldType::integer}, {"v", FieldType::real}});
        w.add({std::string("东华门, \"甲\"\n二行"), std::int64_t(42), 1.5}, geo::Point(447800.25, 4418600.75));
        w.add({FieldValue{}, FieldValue{}, FieldValue{}}, geo::Point(447900, 4418700));
        w.add({std::string("no geometry, fewer values")});
        w.begin_layer("lines", LayerGeometry::line, "EPSG:4548", {{"id"}});
        geo::LineString line{{447800, 4418600}, {447850, 4418600}, {447850, 4418650}};
        w.add({std::string("L1")}, line);
        w.begin_layer("polygons", LayerGeometry::polygon, "EPSG:4548", {{"id"}});
        geo::MultiPolygon with_hole{polygon("POLYGON((0 0,100 0,100 100,0 100,0 0),(40 40,60 40,60 60,40 60,40 40))")};
        for (auto& p : with_hole) for (auto& pt : p.outer()) pt = {pt.x() + 447800, pt.y() + 4418600};
        for (auto& p : with_hole) for (auto& ring : p.inners()) for (auto& pt : ring) pt = {pt.x() + 447800, pt.y() + 4418600};
        w.add({std::string("P1")}, with_hole);
        geo::MultiPolygon two{polygon("POLYGON((447800 4418600,447810 4418600,447810 4418610,447800 4418610,447800 4418600))"),
                              polygon("POLYGON((447900 4418600,447920 4418600,447920 4418610,447900 4418610,447900 4418600))")};
        w.add({std::string("P2")}, two);
        w.begin_layer("table", LayerGeometry::none, "", {{"k"}, {"count", FieldType::integer}});
        w.add({std::string("a"), std::int64_t(-7)});
        w.close();
    }
    TempDir dir;
    fs::path file;
};

TEST_F(GpkgRoundTrip, PointsAndFields) {
    VectorReader r(source(file, "points"), "EPSG:4548");
    EXPECT_TRUE(r.has_geometry());
    EXPECT_EQ(r.feature_count(), 3);
    EXPECT_EQ(r.field_names(), (std::vector<std::string>{"name", "n", "v"}));
    const auto name = r.request_field("name", true);
    const auto n = r.request_field("n", true);
    const auto v = r.request_field("v", true);
    ASSERT_TRUE(name && n && v);
    const auto fs_ = read_all(r);
    ASSERT_EQ(fs_.size(), 3u);
    EXPECT_EQ(fs_[0].fid, 1);  // GeoPackage fids start at 1
    EXPECT_EQ(fs_[0].values[*name], "东华门, \"甲\"\n二行");
    EXPECT_EQ(fs_[0].values[*n], "42");
    EXPECT_EQ(fs_[0].values[*v], "1.5");
    EXPECT_EQ(fs_[0].kind, GeometryKind::point);
    EXPECT_FALSE(fs_[0].empty);
    // Same CRS: no transformation, coordinates exact and x = easting (no axis swap for the northing-first EPSG:4548).
    EXPECT_DOUBLE_EQ(fs_[0].point.x(), 447800.25);
    EXPECT_DOUBLE_EQ(fs_[0].point.y(), 4418600.75);
    ASSERT_TRUE(fs_[0].source_xy);
    EXPECT_DOUBLE_EQ(fs_[0].source_xy->x(), 447800.25);
    // Nulls read as nullopt, not "".
    EXPECT_FALSE(fs_[1].values[*name].has_value());
    EXPECT_FALSE(fs_[1].values[*n].has_value());
    EXPECT_FALSE(fs_[1].values[*v].has_value());
    // A feature without geometry, and values the writer was not given.
    EXPECT_EQ(fs_[2].values[*name], "no geometry, fewer values");
    EXPECT_FALSE(fs_[2].values[*n].has_value());
    EXPECT_TRUE(fs_[2].empty);
    EXPECT_EQ(fs_[2].kind, GeometryKind::none);
    EXPECT_FALSE(fs_[2].source_xy.has_value());
}

TEST_F(GpkgRoundTrip, LinesAndPolygons) {
    VectorReader lines(source(file, "lines"), "EPSG:4548");
    auto l = read_all(lines);
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].kind, GeometryKind::lines);
    ASSERT_EQ(l[0].lines.size(), 1u);
    ASSERT_EQ(l[0].lines[0].size(), 3u);
    EXPECT_DOUBLE_EQ(geo::bg::length(l[0].lines[0]), 100.0);

    VectorReader polys(source(file, "polygons"), "EPSG:4548");
    const auto id = polys.request_field("id", true);
    auto p = read_all(polys);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].values[*id], "P1");
    EXPECT_EQ(p[0].kind, GeometryKind::polygons);
    ASSERT_EQ(p[0].polygons.size(), 1u);
    EXPECT_EQ(p[0].polygons[0].inners().size(), 1u);  // the hole survives
    EXPECT_DOUBLE_EQ(geo::bg::area(p[0].polygons), 10000.0 - 400.0);
    ASSERT_EQ(p[1].polygons.size(), 2u);
    EXPECT_DOUBLE_EQ(geo::bg::area(p[1].polygons), 100.0 + 200.0);
}

TEST_F(GpkgRoundTrip, TableWithoutGeometryNeedsNoCrs) {
    VectorReader r(source(file, "table"), "EPSG:4548");  // a target CRS is ignored for a table
    EXPECT_FALSE(r.has_geometry());
    const auto k = r.request_field("k", true);
    const auto c = r.request_field("count", true);
    auto rows = read_all(r);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].values[*k], "a");
    EXPECT_EQ(rows[0].values[*c], "-7");
    EXPECT_TRUE(rows[0].empty);
}

TEST_F(GpkgRoundTrip, SeveralLayersNeedALayerName) {
    const Diagnostic d = error_of([&] { VectorReader r(source(file, "", "buildings"), ""); });
    EXPECT_EQ(d.code, "layer_not_given");
    EXPECT_EQ(d.where.file, file.string());
    EXPECT_NE(d.message.find("4 layers"), std::string::npos) << d.message;
    EXPECT_NE(d.hint.find("layer = one of: "), std::string::npos) << d.hint;
    for (const char* name : {"points", "lines", "polygons", "table"}) EXPECT_NE(d.hint.find(name), std::string::npos) << d.hint;
}

TEST_F(GpkgRoundTrip, UnknownLayerListsTheLayers) {
    const Diagnostic d = error_of([&] { VectorReader r(source(file, "楼栋", "buildings"), ""); });
    EXPECT_EQ(d.code, "layer_not_found");
    EXPECT_EQ(d.where.file, file.string());
    EXPECT_EQ(d.where.layer, "楼栋");
    EXPECT_EQ(d.message, "no such layer");
    EXPECT_EQ(d.hint, "the file's layers are: points, lines, polygons, table");
    const std::string shown = gridatlas::format_diagnostic(d);
    EXPECT_NE(shown.find("layer '楼栋'"), std::string::npos) << shown;
}

TEST_F(GpkgRoundTrip, MissingRequiredFieldListsTheFields) {
    LayerSource src = source(file, "points", "buildings");
    src.fields["id"] = "building_id";
    VectorReader r(src, "");
    const Diagnostic d = error_of([&] { r.request_field("id", true); });
    EXPECT_EQ(d.code, "missing_field");
    EXPECT_EQ(d.where.file, file.string());
    EXPECT_EQ(d.where.layer, "points");
    EXPECT_EQ(d.message, "the buildings layer has no field 'building_id' (for id)");
    EXPECT_NE(d.hint.find("id = \"<field>\""), std::string::npos) << d.hint;
    EXPECT_NE(d.hint.find("the layer's fields are: name, n, v"), std::string::npos) << d.hint;
    // Optional and absent: no error.
    EXPECT_FALSE(r.request_field("floors", false).has_value());
    // A mapped name is looked up under its mapping.
    src.fields["label"] = "name";
    VectorReader r2(src, "");
    EXPECT_TRUE(r2.request_field("label", true).has_value());
}

TEST_F(GpkgRoundTrip, ExtentInLonLat) {
    VectorReader r(source(file, "polygons"), "");
    const geo::Box box = r.extent_lonlat();
    EXPECT_NEAR(box.min_corner().x(), 116.3897, 0.001);
    EXPECT_NEAR(box.min_corner().y(), 39.8999, 0.001);
    EXPECT_GT(box.max_corner().x(), box.min_corner().x());
    EXPECT_GT(box.max_corner().y(), box.min_corner().y());
}

TEST(VectorWriter, DeterministicFilesAreByteIdentical) {
    TempDir dir;
    auto write = [&](const fs::path& f) {
        VectorWriter w(f, true);
        w.begin_layer("b", LayerGeometry::polygon, "EPSG:4548", {{"id"}, {"x", FieldType::real}});
        w.add({std::string("B1"), 1.25}, geo::MultiPolygon{polygon("POLYGON((0 0,1 0,1 1,0 0))")});
        w.begin_layer("t", LayerGeometry::none, "", {{"k"}});
        w.add({std::string("v")});
        w.close();
    };
    write(dir.path() / "a.gpkg");
    sleep(1);  // a different wall-clock second must not show in the file
    write(dir.path() / "b.gpkg");
    EXPECT_TRUE(slurp(dir.path() / "a.gpkg") == slurp(dir.path() / "b.gpkg"));
}

TEST(VectorWriter, ReplacesAnExistingFile) {
    TempDir dir;
    const auto f = dir.write("x.gpkg", "junk that is not a GeoPackage");
    {
        VectorWriter w(f);
        w.begin_layer("t", LayerGeometry::none, "", {{"k"}});
        w.add({std::string("v")});
    }  // the destructor closes
    VectorReader r(source(f, "t"), "");
    EXPECT_EQ(r.feature_count(), 1);
}

TEST(VectorWriter, UnwritablePathIsAWriteFailure) {
    TempDir dir;
    const fs::path f = dir.path() / "no/such/dir/out.gpkg";
    const Diagnostic d = error_of([&] { VectorWriter w(f); });
    EXPECT_EQ(d.code, "write_failed");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_FALSE(d.hint.empty());
}

TEST(VectorWriter, ReprojectsOnWriteAndReaderReprojectsBack) {
    TempDir dir;
    const fs::path f = dir.path() / "ll.gpkg";
    {
        VectorWriter w(f);
        w.begin_layer("p", LayerGeometry::point, "EPSG:4548", {{"id"}}, "EPSG:4326");
        w.add({std::string("beijing")}, geo::Point(beijing_x, beijing_y));
    }
    {  // Stored in lon/lat, x = longitude.
        VectorReader r(source(f, "p"), "");
        const auto fs_ = read_all(r);
        ASSERT_EQ(fs_.size(), 1u);
        EXPECT_NEAR(fs_[0].point.x(), 116.39, 1e-8);
        EXPECT_NEAR(fs_[0].point.y(), 39.90, 1e-8);
    }
    {  // Read back into the metric CRS.
        VectorReader r(source(f, "p"), "EPSG:4548");
        const auto fs_ = read_all(r);
        EXPECT_NEAR(fs_[0].point.x(), beijing_x, 1e-3);
        EXPECT_NEAR(fs_[0].point.y(), beijing_y, 1e-3);
        ASSERT_TRUE(fs_[0].source_xy);  // messages quote the layer's own coordinates
        EXPECT_NEAR(fs_[0].source_xy->x(), 116.39, 1e-8);
        EXPECT_NEAR(fs_[0].source_xy->y(), 39.90, 1e-8);
    }
}

TEST(VectorWriter, GeoJsonRoundTripKeepsAProjectedCrs) {
    TempDir dir;
    const fs::path f = dir.path() / "out.geojson";
    {
        VectorWriter w(f);
        w.begin_layer("roads", LayerGeometry::line, "EPSG:4548", {{"id"}, {"len", FieldType::real}});
        w.add({std::string("r1"), 100.0}, geo::LineString{{447800, 4418600}, {447900, 4418600}});
    }
    VectorReader r(source(f), "EPSG:4548");
    const auto id = r.request_field("id", true);
    const auto fs_ = read_all(r);
    ASSERT_EQ(fs_.size(), 1u);
    EXPECT_EQ(fs_[0].values[*id], "r1");
    ASSERT_EQ(fs_[0].lines.size(), 1u);
    EXPECT_DOUBLE_EQ(fs_[0].lines[0].front().x(), 447800);
    EXPECT_DOUBLE_EQ(fs_[0].lines[0].back().y(), 4418600);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading GeoJSON: CRS handling and geometry kinds

TEST(VectorReader, GeoJsonDefaultsToLonLatAndIsReprojected) {
    TempDir dir;
    const auto f = dir.write("p.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[116.39,39.90]}}]})");
    VectorReader r(source(f), "EPSG:4548");
    const auto fs_ = read_all(r);
    ASSERT_EQ(fs_.size(), 1u);
    EXPECT_NEAR(fs_[0].point.x(), beijing_x, 1e-3);  // lon/lat order, not lat/lon
    EXPECT_NEAR(fs_[0].point.y(), beijing_y, 1e-3);
    EXPECT_NEAR(fs_[0].source_xy->x(), 116.39, 1e-12);
    EXPECT_EQ(fs_[0].fid, 0);  // GeoJSON fids start at 0
}

TEST(VectorReader, GeometryKinds) {
    TempDir dir;
    const auto f = dir.write("g.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"mp"},"geometry":{"type":"MultiPolygon","coordinates":[
  [[[116.39,39.90],[116.391,39.90],[116.391,39.901],[116.39,39.90]]],
  [[[116.392,39.90],[116.393,39.90],[116.393,39.901],[116.392,39.90]]]]}},
{"type":"Feature","properties":{"id":"ml"},"geometry":{"type":"MultiLineString","coordinates":[
  [[116.39,39.90],[116.391,39.90]],[[116.392,39.90],[116.393,39.90],[116.393,39.901]]]}},
{"type":"Feature","properties":{"id":"null"},"geometry":null},
{"type":"Feature","properties":{"id":"empty"},"geometry":{"type":"Polygon","coordinates":[]}},
{"type":"Feature","properties":{"id":"pt"},"geometry":{"type":"MultiPoint","coordinates":[[116.39,39.90],[116.5,39.95]]}}]})");
    VectorReader r(source(f), "EPSG:4548");
    const auto fs_ = read_all(r);
    ASSERT_EQ(fs_.size(), 5u);
    EXPECT_EQ(fs_[0].kind, GeometryKind::polygons);
    EXPECT_EQ(fs_[0].polygons.size(), 2u);
    EXPECT_GT(geo::bg::area(fs_[0].polygons), 0);  // rings corrected to the engine's orientation
    EXPECT_NEAR(fs_[0].source_xy->x(), 116.39, 1e-12);
    EXPECT_EQ(fs_[1].kind, GeometryKind::lines);
    ASSERT_EQ(fs_[1].lines.size(), 2u);
    EXPECT_EQ(fs_[1].lines[1].size(), 3u);
    EXPECT_TRUE(fs_[2].empty);
    EXPECT_EQ(fs_[2].kind, GeometryKind::none);
    EXPECT_TRUE(fs_[3].empty);
    EXPECT_EQ(fs_[4].kind, GeometryKind::point);  // the first point of a multipoint
    EXPECT_NEAR(fs_[4].point.x(), beijing_x, 1e-3);
}

TEST(VectorReader, ProjectedCoordinatesInAGeoJsonAreWrongCrs) {
    TempDir dir;
    // No "crs" member: GeoJSON means lon/lat, but these are CGCS2000 Gauss-Krüger metres.
    const auto f = dir.write("b.geojson", R"({"type":"FeatureCollection","name":"buildings","features":[
{"type":"Feature","properties":{"id":"B1"},"geometry":{"type":"Polygon","coordinates":[[[447840,4418620],[447860,4418620],[447860,4418640],[447840,4418620]]]}}]})");
    const Diagnostic d = error_of([&] { VectorReader r(source(f, "", "buildings"), "EPSG:4548"); });
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_EQ(d.where.layer, "buildings");
    EXPECT_NE(d.message.find("geographic CRS"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("447860"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("4418640"), std::string::npos) << d.message;
    EXPECT_NE(d.hint.find("crs = \"EPSG:"), std::string::npos) << d.hint;
    // Declaring the real CRS fixes it.
    LayerSource src = source(f, "", "buildings");
    src.crs = "EPSG:4548";
    VectorReader r(src, "EPSG:4548");
    const auto fs_ = read_all(r);
    EXPECT_DOUBLE_EQ(geo::bg::area(fs_[0].polygons), 200.0);
    // A table-style read (no target CRS) does not judge coordinates.
    EXPECT_NO_THROW(VectorReader(source(f), ""));
}

TEST(VectorReader, UnknownCrsIsBadCrs) {
    TempDir dir;
    const auto f = dir.write("p.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[116.39,39.90]}}]})");
    LayerSource src = source(f, "", "facilities");
    src.crs = "EPSG:999999";
    const Diagnostic d = error_of([&] { VectorReader r(src, "EPSG:4548"); });
    EXPECT_EQ(d.code, "bad_crs");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_NE(d.message.find("EPSG:999999"), std::string::npos) << d.message;
    EXPECT_FALSE(d.hint.empty());

    const Diagnostic t = error_of([&] { VectorReader r(source(f), "EPSG:999999"); });
    EXPECT_EQ(t.code, "bad_crs");
    EXPECT_NE(t.message.find("EPSG:999999"), std::string::npos) << t.message;
    EXPECT_NE(t.hint.find("working_crs"), std::string::npos) << t.hint;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV: the writer's quoting, and CSV read back through GDAL, with and without a WKT geometry column

TEST(WriteCsv, QuotesOnlyWhatRfc4180Requires) {
    TempDir dir;
    const fs::path f = dir.path() / "t.csv";
    write_csv(f, {"id", "text"},
              {{"1", "plain"},
               {"2", "a,b"},
               {"3", "say \"hi\""},
               {"4", "line1\nline2"},
               {"5", ""},
               {"6", "东华门社区"},
               {"7", "cr\rx"},
               {"8", "\""},
               {"9", " spaced "}});
    EXPECT_EQ(slurp(f),
              "id,text\r\n"
              "1,plain\r\n"
              "2,\"a,b\"\r\n"
              "3,\"say \"\"hi\"\"\"\r\n"
              "4,\"line1\nline2\"\r\n"
              "5,\r\n"
              "6,东华门社区\r\n"
              "7,\"cr\rx\"\r\n"
              "8,\"\"\"\"\r\n"
              "9, spaced \r\n");
}

TEST(WriteCsv, HeaderOnlyAndQuotedHeader) {
    TempDir dir;
    const fs::path f = dir.path() / "h.csv";
    write_csv(f, {"a,b", "c"}, {});
    EXPECT_EQ(slurp(f), "\"a,b\",c\r\n");
}

TEST(WriteCsv, RoundTripThroughGdal) {
    TempDir dir;
    const fs::path f = dir.path() / "households.csv";
    const std::vector<std::vector<std::string>> rows = {
        {"000123", "B1", "a,b"}, {"H2", "", "say \"hi\""}, {"H3", "B3", "line1\nline2"}, {"H4", "楼", "东华门"}};
    write_csv(f, {"household_id", "building_id", "note"}, rows);
    VectorReader r(source(f, "", "households"), "");
    EXPECT_FALSE(r.has_geometry());
    const auto id = r.request_field("household_id", true);
    const auto b = r.request_field("building_id", true);
    const auto note = r.request_field("note", true);
    const auto got = read_all(r);
    ASSERT_EQ(got.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(got[i].fid, static_cast<std::int64_t>(i + 1));  // CSV fids are 1-based data rows
        EXPECT_EQ(got[i].values[*id].value_or("<null>"), rows[i][0]);  // leading zeros kept: ids stay text
        EXPECT_EQ(got[i].values[*b].value_or(""), rows[i][1]);
        EXPECT_EQ(got[i].values[*note].value_or("<null>"), rows[i][2]);
    }
}

TEST(WriteCsv, UnwritablePathIsAWriteFailure) {
    TempDir dir;
    const fs::path f = dir.path() / "missing_dir/t.csv";
    const Diagnostic d = error_of([&] { write_csv(f, {"a"}, {}); });
    EXPECT_EQ(d.code, "write_failed");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_FALSE(d.hint.empty());
}

TEST(VectorReader, CsvWithWktHasNoCrsUntilDeclared) {
    TempDir dir;
    const fs::path f = dir.path() / "facilities.csv";
    write_csv(f, {"WKT", "facility_id", "kind"}, {{"POINT (448050 4418760)", "F1", "health"}});
    const Diagnostic d = error_of([&] { VectorReader r(source(f, "", "facilities"), "EPSG:4548"); });
    EXPECT_EQ(d.code, "missing_crs");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_EQ(d.where.layer, "facilities");
    EXPECT_EQ(d.message, "the layer has no coordinate reference system");
    EXPECT_NE(d.hint.find("add crs = \"EPSG:"), std::string::npos) << d.hint;

    // A table read (no target CRS) does not need one.
    EXPECT_NO_THROW(VectorReader(source(f), ""));
    // Declaring it in the layer table fixes it; same CRS: exact coordinates.
    LayerSource src = source(f, "", "facilities");
    src.crs = "EPSG:4548";
    VectorReader r(src, "EPSG:4548");
    const auto got = read_all(r);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].kind, GeometryKind::point);
    EXPECT_DOUBLE_EQ(got[0].point.x(), 448050);
    EXPECT_DOUBLE_EQ(got[0].point.y(), 4418760);
    // extent_lonlat needs a CRS too.
    const Diagnostic e = error_of([&] { VectorReader(source(f), "").extent_lonlat(); });
    EXPECT_EQ(e.code, "missing_crs");
    EXPECT_NE(e.hint.find("crs = \"EPSG:"), std::string::npos) << e.hint;
}

TEST(VectorReader, CsvDeclaredLonLatWithMetresIsWrongCrs) {
    TempDir dir;
    const fs::path f = dir.path() / "facilities.csv";
    write_csv(f, {"WKT", "facility_id"}, {{"POINT (448050 4418760)", "F1"}});
    LayerSource src = source(f, "", "facilities");
    src.crs = "EPSG:4326";
    const Diagnostic d = error_of([&] { VectorReader r(src, "EPSG:4548"); });
    EXPECT_EQ(d.code, "wrong_crs");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_NE(d.message.find("448050"), std::string::npos) << d.message;
}

// ---------------------------------------------------------------------------------------------------------------
// Opening errors

TEST(VectorReader, MissingFile) {
    TempDir dir;
    const fs::path f = dir.path() / "nope.gpkg";
    const Diagnostic d = error_of([&] { VectorReader r(source(f, "", "buildings"), ""); });
    EXPECT_EQ(d.code, "file_not_found");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_EQ(d.message, "the buildings file does not exist");
    EXPECT_NE(d.hint.find("relative to the project file"), std::string::npos) << d.hint;
}

TEST(VectorReader, UnreadableFile) {
    TempDir dir;
    const auto f = dir.write("notes.gpkg", "this is not a GeoPackage\n");
    const Diagnostic d = error_of([&] { VectorReader r(source(f, "", "buildings"), ""); });
    EXPECT_EQ(d.code, "unreadable_file");
    EXPECT_EQ(d.where.file, f.string());
    EXPECT_NE(d.message.find("GDAL cannot read it"), std::string::npos) << d.message;
    EXPECT_NE(d.hint.find("GeoPackage"), std::string::npos) << d.hint;
}

// ---------------------------------------------------------------------------------------------------------------
// CRS helpers

TEST(Crs, UtmZoneOfThePoint) {
    EXPECT_EQ(utm_crs_for(116.39, 39.90), "EPSG:32650");   // Beijing
    EXPECT_EQ(utm_crs_for(7.42, 43.73), "EPSG:32632");     // Monaco (the sample)
    EXPECT_EQ(utm_crs_for(-70.65, -33.45), "EPSG:32719");  // Santiago: southern hemisphere
    EXPECT_EQ(utm_crs_for(-180.0, 0.0), "EPSG:32601");
    EXPECT_EQ(utm_crs_for(180.0, 0.0), "EPSG:32660");      // clamped to zone 60
    EXPECT_EQ(utm_crs_for(114.0, 0.0), "EPSG:32650");      // zone boundary belongs to the east zone
}

TEST(Crs, KnownAndMetric) {
    EXPECT_TRUE(crs_is_known("EPSG:4548"));
    EXPECT_TRUE(crs_is_known("EPSG:4326"));
    EXPECT_FALSE(crs_is_known("EPSG:999999"));
    EXPECT_FALSE(crs_is_known("not a crs"));
    EXPECT_TRUE(crs_is_metric("EPSG:4548"));
    EXPECT_TRUE(crs_is_metric("EPSG:4547"));
    EXPECT_TRUE(crs_is_metric("EPSG:32650"));
    EXPECT_FALSE(crs_is_metric("EPSG:4326"));
    EXPECT_FALSE(crs_is_metric("EPSG:4490"));  // CGCS2000 geographic
    EXPECT_FALSE(crs_is_metric("EPSG:2263"));  // projected, but US feet
    EXPECT_FALSE(crs_is_metric("nonsense"));
}
