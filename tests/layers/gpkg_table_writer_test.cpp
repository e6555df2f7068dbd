// GpkgTableWriter: attribute tables written straight through SQLite read back through GDAL as GDAL's own would (rows,
// types, nulls, the feature count and its triggers, gpkg_contents); the errors name the file and the table; and the
// one number-to-text conversion every CSV cell uses (to_text, CsvWriter::row of values).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gpkg_table_writer.hpp"
#include "model/diagnostics.hpp"
#include "sqlite_db.hpp"
#include "vector_reader.hpp"
#include "vector_writer.hpp"

namespace fs = std::filesystem;
using gridatlas::DataError;
using namespace gridatlas::layers;

namespace {

fs::path temp_file(const std::string& name) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir = fs::temp_directory_path() / ("gridatlas-gtw-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir / name;
}

// A GeoPackage with one GDAL layer, closed: what run and assign have before their attribute tables.
fs::path gdal_gpkg(const std::string& name) {
    const fs::path f = temp_file(name);
    VectorWriter w(f);
    w.begin_layer("points", LayerGeometry::point, "EPSG:4548", {{"id"}});
    w.add({std::string("p1")}, gridatlas::geo::Point(500000, 3000000));
    w.close();
    return f;
}

LayerSource source(const fs::path& file, const std::string& layer) {
    LayerSource s;
    s.role = "test";
    s.file = file;
    s.layer = layer;
    return s;
}

std::string query(const fs::path& f, const std::string& sql) {
    sqlite::Database db(f, sqlite::Mode::read_only);
    sqlite::Statement s(db, sql);
    std::string out;
    while (s.step()) {
        if (!out.empty()) out += '\n';
        out += s.column_text(0);
    }
    return out;
}

}  // namespace

TEST(GpkgTableWriter, TablesReadBackThroughGdalWithTypesNullsAndCounts) {
    const fs::path f = gdal_gpkg("t.gpkg");
    GpkgTableWriter t(f);
    t.begin_table("households", {{"household_id"}, {"row", FieldType::integer}, {"distance_m", FieldType::real}, {"note"}});
    t.add({std::string("H1"), std::int64_t(1), 9.2, std::string("海景社区, \"甲\"")});
    t.add({std::string("H2"), std::int64_t(2), FieldValue{}, FieldValue{}});
    t.add({std::string("H3")});   // missing values are NULL
    t.begin_table("issues", {{"code"}});
    t.close();

    VectorReader r(source(f, "households"), "");
    EXPECT_FALSE(r.has_geometry());
    EXPECT_EQ(r.feature_count(), 3);
    const auto id = r.request_field("household_id", true), row = r.request_field("row", true),
               d = r.request_field("distance_m", true), note = r.request_field("note", true);
    std::vector<std::vector<std::optional<std::string>>> rows;
    r.for_each([&](FeatureView& v) { rows.push_back({v.value(*id), v.value(*row), v.value(*d), v.value(*note)}); });
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0][0], "H1");
    EXPECT_EQ(rows[0][1], "1");
    EXPECT_EQ(std::stod(*rows[0][2]), 9.2);
    EXPECT_EQ(rows[0][3], "海景社区, \"甲\"");
    EXPECT_FALSE(rows[1][2].has_value());
    EXPECT_FALSE(rows[2][1].has_value());
    EXPECT_EQ(VectorReader(source(f, "issues"), "").feature_count(), 0);
    EXPECT_EQ(VectorReader(source(f, "points"), "").feature_count(), 1);   // GDAL's layer untouched

    EXPECT_EQ(query(f, "SELECT data_type || ' ' || identifier || ' ' || srs_id FROM gpkg_contents WHERE table_name = 'households'"),
              "attributes households 0");
    EXPECT_EQ(query(f, "SELECT typeof(row) || typeof(distance_m) || typeof(note) FROM households WHERE fid = 1"), "integerrealtext");
}

TEST(GpkgTableWriter, TheFeatureCountFollowsLaterInsertsAndDeletes) {
    const fs::path f = gdal_gpkg("c.gpkg");
    GpkgTableWriter t(f);
    t.begin_table("gaps", {{"building_id"}});
    for (int i = 0; i < 5; ++i) t.add({std::string("B") + std::to_string(i)});
    t.close();
    EXPECT_EQ(query(f, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'gaps'"), "5");
    {
        sqlite::Database db(f, sqlite::Mode::read_write);
        db.exec("INSERT INTO gaps (building_id) VALUES ('B9'), ('B10'); DELETE FROM gaps WHERE building_id = 'B0'");
    }
    EXPECT_EQ(query(f, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'gaps'"), "6");
    EXPECT_EQ(VectorReader(source(f, "gaps"), "").feature_count(), 6);
}

TEST(GpkgTableWriter, DeterministicTablesHaveTheFixedDate) {
    const fs::path f = gdal_gpkg("d.gpkg");
    GpkgTableWriter t(f, true);
    t.begin_table("t", {{"k"}});
    t.close();
    EXPECT_EQ(query(f, "SELECT last_change FROM gpkg_contents WHERE table_name = 't'"), "2020-01-01T00:00:00.000Z");
}

TEST(GpkgTableWriter, ErrorsNameTheFileAndTheTable) {
    const fs::path f = gdal_gpkg("e.gpkg");
    try {
        GpkgTableWriter t(f);
        t.begin_table("points", {{"k"}});   // GDAL's layer already has that name
        ADD_FAILURE() << "no error";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "write_failed");
        EXPECT_EQ(e.diagnostic().where.file, f.string());
        EXPECT_EQ(e.diagnostic().where.layer, "points");
        EXPECT_NE(e.diagnostic().message.find("already has a table"), std::string::npos);
    }
    const fs::path junk = temp_file("junk.gpkg");
    { sqlite::Database db(junk, sqlite::Mode::create); db.exec("CREATE TABLE x (a)"); }
    try {
        GpkgTableWriter t(junk);
        ADD_FAILURE() << "no error";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().where.file, junk.string());
        EXPECT_NE(e.diagnostic().message.find("not a GeoPackage"), std::string::npos);
    }
}

TEST(ValueText, NumbersKeepEveryDigitTheyHave) {
    EXPECT_EQ(to_text(4843269.29), "4843269.29");      // was "4.84327e+06" through an ostream's 6 digits
    EXPECT_EQ(to_text(373118.52), "373118.52");
    EXPECT_EQ(to_text(9.2), "9.2");
    EXPECT_EQ(to_text(-0.5), "-0.5");
    EXPECT_EQ(to_text(std::int64_t(-7)), "-7");
    EXPECT_EQ(to_text(std::int64_t(999001001025001)), "999001001025001");
    EXPECT_EQ(to_text(FieldValue{}), "");
    EXPECT_EQ(to_text(std::string("海景")), "海景");
}

TEST(ValueText, CsvRowsOfValuesQuoteTextOnly) {
    const fs::path f = temp_file("v.csv");
    CsvWriter w(f, {"id", "n", "x", "note"});
    w.row(std::vector<FieldValue>{std::string("H,1"), std::int64_t(3), 4843269.29, FieldValue{}});
    w.row(std::vector<FieldValue>{std::string("say \"hi\""), FieldValue{}, 0.1, std::string("甲")});
    w.close();
    std::ifstream in(f, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_EQ(s.str(), "id,n,x,note\r\n\"H,1\",3,4843269.29,\r\n\"say \"\"hi\"\"\",,0.1,甲\r\n");
}
