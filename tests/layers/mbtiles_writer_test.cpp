// Tile set writers: MBTiles 1.3 through sqlite3 (read back with sqlite3 and GDAL) and the z/x/y directory; both
// resume an interrupted job, never show a half-written result, and keep a unit of work all-or-nothing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include "mbtiles_writer.hpp"
#include "tile_directory_writer.hpp"

namespace gridatlas::layers {
namespace {

namespace fs = std::filesystem;

fs::path scratch_root() { return fs::temp_directory_path() / ("gridatlas-tilesets-" + std::to_string(::getpid())); }

struct ScratchCleanup : ::testing::Environment {
    void TearDown() override {
        if (std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT") == nullptr) fs::remove_all(scratch_root());
    }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

fs::path fresh_dir(const std::string& name) {
    const fs::path d = scratch_root() / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// A real 256 × 256 RGBA PNG (GDAL's PNG driver through /vsimem), so that GDAL can read the tiles back.
std::string png_tile(unsigned char red) {
    GDALAllRegister();
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", 256, 256, 4, GDT_Byte, nullptr);
    for (int b = 1; b <= 4; ++b) {
        std::vector<unsigned char> v(256 * 256, b == 1 ? red : b == 4 ? 200 : 40);
        if (GDALRasterIO(GDALGetRasterBand(mem, b), GF_Write, 0, 0, 256, 256, v.data(), 256, 256, GDT_Byte, 0, 0) != CE_None)
            throw std::runtime_error("MEM write");
    }
    const std::string name = "/vsimem/tile" + std::to_string(red) + ".png";
    GDALDatasetH png = GDALCreateCopy(GDALGetDriverByName("PNG"), name.c_str(), mem, FALSE, nullptr, nullptr, nullptr);
    GDALClose(png);
    GDALClose(mem);
    vsi_l_offset size = 0;
    GByte* data = VSIGetMemFileBuffer(name.c_str(), &size, TRUE);
    std::string out(reinterpret_cast<char*>(data), static_cast<std::size_t>(size));
    CPLFree(data);
    return out;
}

TileSetMetadata metadata() {
    TileSetMetadata m;
    m.name = "测试图层";
    m.description = "test";
    m.west = 7.40;
    m.south = 43.72;
    m.east = 7.44;
    m.north = 43.75;
    m.center_lon = 7.42;
    m.center_lat = 43.735;
    m.center_zoom = 13;
    m.min_zoom = 12;
    m.max_zoom = 13;
    return m;
}

// Monaco's tiles at z12 and z13
const WorkKey kUnitA{12, 2128, 1488};
const WorkKey kUnitB{13, 4256, 2976};
std::vector<TileBlob> tiles_a() { return {{12, 2132, 1493, png_tile(10)}}; }
std::vector<TileBlob> tiles_b() { return {{13, 4264, 2986, png_tile(20)}, {13, 4265, 2986, png_tile(30)}, {13, 4264, 2987, png_tile(40)}}; }

struct Db {
    sqlite3* db = nullptr;
    explicit Db(const fs::path& p) {
        if (sqlite3_open_v2(p.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) throw std::runtime_error("open " + p.string());
    }
    ~Db() { sqlite3_close(db); }
    std::vector<std::vector<std::string>> rows(const std::string& sql) const {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
        std::vector<std::vector<std::string>> out;
        while (sqlite3_step(s) == SQLITE_ROW) {
            std::vector<std::string> r;
            for (int i = 0; i < sqlite3_column_count(s); ++i) {
                const auto* t = sqlite3_column_blob(s, i);
                r.emplace_back(t ? std::string(static_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : "");
            }
            out.push_back(std::move(r));
        }
        sqlite3_finalize(s);
        return out;
    }
    std::string value(const std::string& sql) const {
        const auto r = rows(sql);
        return r.empty() || r[0].empty() ? std::string() : r[0][0];
    }
};

TEST(MbtilesWriter, WritesAnMbtiles13FileThatSqliteAndGdalRead) {
    const fs::path dir = fresh_dir("complete");
    const fs::path file = dir / "out.mbtiles";
    {
        MbtilesWriter w(file, metadata(), "job-1");
        EXPECT_FALSE(w.resumed());
        EXPECT_EQ(w.partial_path(), fs::path(file.string() + ".partial"));
        w.write(kUnitA, tiles_a());
        w.write(kUnitB, tiles_b());
        EXPECT_EQ(w.tiles_in_file(), 4u);
        EXPECT_FALSE(fs::exists(file)) << "the final name appears only when complete";
        w.finish();
    }
    EXPECT_TRUE(fs::exists(file));
    EXPECT_FALSE(fs::exists(file.string() + ".partial"));
    EXPECT_FALSE(fs::exists(file.string() + ".partial-wal"));

    const Db db(file);
    std::map<std::string, std::string> meta;
    for (const auto& r : db.rows("SELECT name, value FROM metadata")) meta[r[0]] = r[1];
    EXPECT_EQ(meta["name"], "测试图层");
    EXPECT_EQ(meta["format"], "png");
    EXPECT_EQ(meta["bounds"], "7.4,43.72,7.44,43.75");
    EXPECT_EQ(meta["center"], "7.42,43.735,13");
    EXPECT_EQ(meta["minzoom"], "12");
    EXPECT_EQ(meta["maxzoom"], "13");
    EXPECT_EQ(meta["attribution"], "© OpenStreetMap contributors");
    EXPECT_EQ(meta["type"], "overlay");
    EXPECT_EQ(meta["version"], "1.0.0");
    EXPECT_EQ(db.value("SELECT count(*) FROM tiles"), "4");
    // TMS rows: XYZ 12/2132/1493 is row 4095 − 1493 = 2602
    EXPECT_EQ(db.value("SELECT tile_row FROM tiles WHERE zoom_level = 12"), "2602");
    EXPECT_EQ(db.value("SELECT count(*) FROM tiles WHERE zoom_level = 13 AND tile_row = 5205"), "2");
    EXPECT_EQ(db.value("SELECT tile_data FROM tiles WHERE zoom_level = 12"), tiles_a()[0].data);
    // the bookkeeping is gone, the spec's index is there, and the file is a plain rollback-journal database
    EXPECT_EQ(db.value("SELECT count(*) FROM sqlite_master WHERE name LIKE 'gridatlas%'"), "0");
    EXPECT_EQ(db.value("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'tile_index'"), "1");
    EXPECT_EQ(db.value("PRAGMA journal_mode"), "delete");
    EXPECT_EQ(db.value("PRAGMA application_id"), std::to_string(0x4d504258));

    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(file.c_str(), GA_ReadOnly);
    ASSERT_NE(ds, nullptr) << CPLGetLastErrorMsg();
    EXPECT_STREQ(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "MBTiles");
    EXPECT_EQ(GDALGetRasterCount(ds), 4);
    EXPECT_STREQ(GDALGetMetadataItem(ds, "name", nullptr), "测试图层");
    EXPECT_STREQ(GDALGetMetadataItem(ds, "maxzoom", nullptr), "13");
    // GDAL takes the extent from 'bounds' at the highest zoom: 0.04° of longitude at z13 is 0.04 / 360 · 2^13 · 256 px
    EXPECT_NEAR(GDALGetRasterXSize(ds), 0.04 / 360 * 8192 * 256, 1.5);
    EXPECT_GT(GDALGetRasterYSize(ds), 200);
    unsigned char red = 0;
    ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 10, 10, 1, 1, &red, 1, 1, GDT_Byte, 0, 0), CE_None);
    EXPECT_EQ(red, 20);   // 7.40 E, 43.75 N is in tile 13/4264/2986
    GDALClose(ds);
}

TEST(MbtilesWriter, ResumesTheSameJobAndRestartsAnother) {
    const fs::path dir = fresh_dir("resume");
    const fs::path file = dir / "out.mbtiles";
    {
        MbtilesWriter w(file, metadata(), "job-1");
        w.write(kUnitA, tiles_a());
        // destroyed without finish(): an interrupted run
    }
    EXPECT_TRUE(fs::exists(file.string() + ".partial"));
    EXPECT_FALSE(fs::exists(file));
    {
        MbtilesWriter w(file, metadata(), "job-1");
        EXPECT_TRUE(w.resumed());
        EXPECT_TRUE(w.open_note().empty());
        EXPECT_TRUE(w.is_done(kUnitA));
        EXPECT_FALSE(w.is_done(kUnitB));
        EXPECT_EQ(w.done_units(), 1u);
        EXPECT_EQ(w.tiles_in_file(), 1u);
        w.write(kUnitB, tiles_b());
    }
    {
        // other options: the old work is not mixed in
        MbtilesWriter w(file, metadata(), "job-2");
        EXPECT_FALSE(w.resumed());
        EXPECT_NE(w.open_note().find("other options"), std::string::npos) << w.open_note();
        EXPECT_EQ(w.done_units(), 0u);
        EXPECT_EQ(w.tiles_in_file(), 0u);
        w.write(kUnitB, tiles_b());
        w.finish();
    }
    const Db db(file);
    EXPECT_EQ(db.value("SELECT count(*) FROM tiles"), "3");
}

TEST(MbtilesWriter, AUnitIsAllOrNothing) {
    const fs::path dir = fresh_dir("atomic");
    const fs::path file = dir / "out.mbtiles";
    {
        MbtilesWriter w(file, metadata(), "job");
        auto bad = tiles_b();
        bad.push_back({13, 99999, 0, "x"});   // outside the z13 grid: the unit fails half-way
        EXPECT_THROW(w.write(kUnitB, bad), std::invalid_argument);
        EXPECT_FALSE(w.is_done(kUnitB));
        EXPECT_EQ(w.tiles_in_file(), 0u);   // the three good tiles were rolled back
        w.write(kUnitA, tiles_a());
    }
    MbtilesWriter again(file, metadata(), "job");
    EXPECT_TRUE(again.resumed());
    EXPECT_EQ(again.done_units(), 1u);
    EXPECT_EQ(again.tiles_in_file(), 1u);
}

TEST(MbtilesWriter, AnUnreadablePartialIsReplaced) {
    const fs::path dir = fresh_dir("garbage");
    const fs::path file = dir / "out.mbtiles";
    std::ofstream(file.string() + ".partial") << "not a database at all";
    MbtilesWriter w(file, metadata(), "job");
    EXPECT_FALSE(w.resumed());
    EXPECT_FALSE(w.open_note().empty());
    w.write(kUnitA, tiles_a());
    w.finish();
    EXPECT_EQ(Db(file).value("SELECT count(*) FROM tiles"), "1");
}

std::set<std::tuple<int, int, int>> pngs_in(const fs::path& dir) {
    std::set<std::tuple<int, int, int>> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".png" && e.path().filename().string()[0] != '.')
            out.insert({std::stoi(e.path().parent_path().parent_path().filename()), std::stoi(e.path().parent_path().filename()),
                        std::stoi(e.path().stem())});
    return out;
}

TEST(TileDirectoryWriter, WritesZxyFilesResumesAndFinishesWithMetadata) {
    const fs::path dir = fresh_dir("directory");
    {
        TileDirectoryWriter w(dir, metadata(), "job-1");
        w.write(kUnitA, tiles_a());
        EXPECT_TRUE(fs::exists(dir / ".gridatlas-progress"));
    }
    // a crash in the middle of a line of the progress file: that line does not count
    { std::ofstream(dir / ".gridatlas-progress", std::ios::app) << "13 4256"; }
    {
        TileDirectoryWriter w(dir, metadata(), "job-1");
        EXPECT_TRUE(w.resumed());
        EXPECT_TRUE(w.is_done(kUnitA));
        EXPECT_FALSE(w.is_done(kUnitB));
        EXPECT_FALSE(w.is_done({13, 4256, 0}));
        w.write(kUnitB, tiles_b());
        w.finish();
    }
    EXPECT_FALSE(fs::exists(dir / ".gridatlas-progress"));
    EXPECT_EQ(pngs_in(dir), (std::set<std::tuple<int, int, int>>{{12, 2132, 1493}, {13, 4264, 2986}, {13, 4265, 2986}, {13, 4264, 2987}}));
    std::ifstream in(dir / "13" / "4265" / "2986.png", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes, tiles_b()[1].data);
    const auto j = nlohmann::json::parse(std::ifstream(dir / "metadata.json"));
    EXPECT_EQ(j["tilejson"], "3.0.0");
    EXPECT_EQ(j["attribution"], "© OpenStreetMap contributors");
    EXPECT_EQ(j["tiles"][0], "{z}/{x}/{y}.png");
    EXPECT_EQ(j["minzoom"], 12);
    EXPECT_EQ(j["type"], "overlay");
    EXPECT_EQ(j["bounds"][0], 7.40);
    // no temporary files are left
    for (const auto& e : fs::recursive_directory_iterator(dir)) EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
}

TEST(TileDirectoryWriter, RetinaTilesGetTheirSuffixAndAnotherJobStartsOver) {
    const fs::path dir = fresh_dir("retina");
    {
        TileDirectoryWriter w(dir, metadata(), "job-1", "@2x");
        EXPECT_EQ(w.tile_path(13, 4264, 2986), dir / "13" / "4264" / "2986@2x.png");
        w.write(kUnitB, tiles_b());
    }
    TileDirectoryWriter w(dir, metadata(), "job-2", "@2x");
    EXPECT_FALSE(w.resumed());
    EXPECT_FALSE(w.open_note().empty());
    EXPECT_EQ(w.done_units(), 0u);
    w.finish();
    EXPECT_TRUE(fs::exists(dir / "metadata@2x.json"));
    EXPECT_TRUE(fs::exists(dir / "13" / "4264" / "2986@2x.png"));
}

}  // namespace
}  // namespace gridatlas::layers
