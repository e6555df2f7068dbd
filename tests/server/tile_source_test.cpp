// Tiles from an MBTiles file, read through sqlite3: metadata, the TMS row flip, missing tiles, shared connections.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "test_util.hpp"
#include "tile_math.hpp"
#include "tile_source.hpp"

namespace gridatlas::server {
namespace {

std::filesystem::path make_mbtiles(const std::string& name, bool with_zoom_metadata, const std::string& tile_size = "") {
    const auto dir = test::temp_root() / "tiles";
    std::filesystem::create_directories(dir);
    const auto file = dir / name;
    std::filesystem::remove(file);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    std::string sql =
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
        "INSERT INTO metadata VALUES ('name', 'test'), ('format', 'png');";
    if (with_zoom_metadata) sql += "INSERT INTO metadata VALUES ('minzoom', '3'), ('maxzoom', '5');";
    if (!tile_size.empty()) sql += "INSERT INTO metadata VALUES ('tile_size', '" + tile_size + "');";
    // XYZ 5/3/1 is TMS row 2^5 - 1 - 1 = 30.
    sql += "INSERT INTO tiles VALUES (5, 3, 30, 'tile-5-3-1'), (4, 0, 0, 'tile-4-0-15'), (3, 1, 1, 'tile-3-1-6');";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    return file;
}

TEST(Mbtiles, ReadsTilesInXyzAddressing) {
    auto src = open_mbtiles(make_mbtiles("a.mbtiles", true));
    EXPECT_EQ(src->min_zoom(), 3);
    EXPECT_EQ(src->max_zoom(), 5);
    EXPECT_EQ(src->content_type(), "image/png");
    EXPECT_EQ(src->tile(5, 3, 1, {}), "tile-5-3-1");
    EXPECT_EQ(src->tile(4, 0, 15, {}), "tile-4-0-15");
    EXPECT_EQ(src->tile(3, 1, 6, {}), "tile-3-1-6");
    EXPECT_FALSE(src->tile(5, 3, 30, {}));   // the TMS row is not an XYZ row
    EXPECT_FALSE(src->tile(5, 0, 0, {}));
    EXPECT_NE(src->describe().find("a.mbtiles"), std::string::npos);
}

// A file has the one tile size its metadata names (gridatlas tiles writes tile_size; other writers do not: 256 px).
TEST(Mbtiles, HasTheTileSizeItsMetadataNames) {
    auto plain = open_mbtiles(make_mbtiles("s1.mbtiles", true));
    EXPECT_TRUE(plain->has({1, true}));
    EXPECT_FALSE(plain->has({2, true}));
    EXPECT_FALSE(plain->has({1, false}));   // a file's tiles carry the grid names
    auto wall = open_mbtiles(make_mbtiles("s2.mbtiles", true, "512"));
    EXPECT_FALSE(wall->has({1, true}));
    EXPECT_TRUE(wall->has({2, true}));
    EXPECT_EQ(wall->tile(5, 3, 1, {2, true}), "tile-5-3-1");
    EXPECT_NE(wall->describe().find("512 px"), std::string::npos) << wall->describe();
    try {
        open_mbtiles(make_mbtiles("s3.mbtiles", true, "300"));
        FAIL() << "a tile_size of 300 was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("tile_size '300'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("s3.mbtiles"), std::string::npos) << e.what();
    }
}

TEST(Mbtiles, ZoomsFromTheTilesWhenTheMetadataHasNone) {
    auto src = open_mbtiles(make_mbtiles("b.mbtiles", false));
    EXPECT_EQ(src->min_zoom(), 3);
    EXPECT_EQ(src->max_zoom(), 5);
}

TEST(Mbtiles, ManyThreadsShareTheConnections) {
    auto src = open_mbtiles(make_mbtiles("c.mbtiles", true), 2);
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i)
                if (src->tile(5, 3, 1, {}) != std::optional<std::string>("tile-5-3-1")) ++wrong;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong, 0);
}

TEST(Mbtiles, ABadFileIsNamedInTheError) {
    const auto dir = test::temp_root() / "tiles";
    std::filesystem::create_directories(dir);
    for (const auto& name : {"missing.mbtiles", "text.mbtiles"}) {
        if (std::string(name) == "text.mbtiles") std::ofstream(dir / name) << "not a database";
        try {
            open_mbtiles(dir / name);
            FAIL() << name;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
    }
}

TEST(TransparentTile, IsAValidPng) {
    const std::string& png = transparent_png();
    EXPECT_EQ(png.size(), 68u);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(png.substr(png.size() - 8, 4), "IEND");
}

}  // namespace
}  // namespace gridatlas::server
