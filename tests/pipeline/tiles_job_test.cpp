// `gridatlas tiles` on the bundled sample: an MBTiles pyramid read back with sqlite3 and GDAL, an interrupted run
// resumed to exactly the bytes of an uninterrupted one, empty metatiles and tiles skipped, @2x tiles 512 px, and the
// same tile coverage as the naive one-render-per-tile way.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include <gdal.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "map_setup.hpp"
#include "project_state.hpp"
#include "tile_renderer.hpp"
#include "tiles_job.hpp"

namespace gridatlas::pipeline {
namespace {

namespace fs = std::filesystem;
using Key = std::tuple<int, int, int>;   // z, x, y (XYZ)

const fs::path kSample = fs::path(GRIDATLAS_SOURCE_DIR) / "data" / "sample" / "project.toml";

fs::path scratch_root() { return fs::temp_directory_path() / ("gridatlas-tiles-job-" + std::to_string(::getpid())); }

// Removes this process's scratch directory at the end (GRIDATLAS_KEEP_TEST_OUTPUT=1 keeps it, to look at the tiles).
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

// The sample, loaded and measured once for every test.
class TilesJob : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Diagnostics diag;
        StageClock clock;
        project_ = new MeasuredProject(measure_project(kSample, diag, clock));
        scene_ = new std::shared_ptr<const render::TileScene>(build_tile_scene(*project_));
    }
    static void TearDownTestSuite() {
        delete scene_;
        delete project_;
    }
    static TilesConfig config(const fs::path& out, int zmin, int zmax) {
        TilesConfig c;
        c.output = out;
        c.min_zoom = zmin;
        c.max_zoom = zmax;
        c.progress = ProgressBar::never;
        c.threads = 2;
        c.attribution = project_->cfg.map.attribution;   // as tiles_job does: the project file's [map] attribution
        return c;
    }
    static std::map<Key, std::string> read_mbtiles(const fs::path& file) {
        std::map<Key, std::string> out;
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db, "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles", -1, &s, nullptr);
        while (sqlite3_step(s) == SQLITE_ROW) {
            const int z = sqlite3_column_int(s, 0);
            const auto* blob = static_cast<const char*>(sqlite3_column_blob(s, 3));
            out[{z, sqlite3_column_int(s, 1), render::tms_row(z, sqlite3_column_int(s, 2))}] =
                std::string(blob, static_cast<std::size_t>(sqlite3_column_bytes(s, 3)));
        }
        sqlite3_finalize(s);
        sqlite3_close(db);
        return out;
    }
    static std::map<std::string, std::string> read_metadata(const fs::path& file) {
        std::map<std::string, std::string> out;
        sqlite3* db = nullptr;
        sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db, "SELECT name, value FROM metadata", -1, &s, nullptr);
        while (sqlite3_step(s) == SQLITE_ROW)
            out[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
        sqlite3_finalize(s);
        sqlite3_close(db);
        return out;
    }
    static std::map<Key, std::string> read_directory(const fs::path& dir, const std::string& suffix = "") {
        std::map<Key, std::string> out;
        const std::string ending = suffix + ".png";
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            const std::string name = e.path().filename().string();
            if (!e.is_regular_file() || name[0] == '.' || name.size() <= ending.size() ||
                name.compare(name.size() - ending.size(), ending.size(), ending) != 0)
                continue;
            std::ifstream in(e.path(), std::ios::binary);
            out[{std::stoi(e.path().parent_path().parent_path().filename()), std::stoi(e.path().parent_path().filename()),
                 std::stoi(name.substr(0, name.size() - ending.size()))}] =
                std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        }
        return out;
    }
    static render::RgbaImage decode(const std::string& png) {
        const fs::path p = fresh_dir("decode") / "t.png";
        std::ofstream(p, std::ios::binary).write(png.data(), static_cast<std::streamsize>(png.size()));
        return render::read_png_rgba(p);
    }

    static MeasuredProject* project_;
    static std::shared_ptr<const render::TileScene>* scene_;
};

MeasuredProject* TilesJob::project_ = nullptr;
std::shared_ptr<const render::TileScene>* TilesJob::scene_ = nullptr;

TEST_F(TilesJob, MbtilesPyramidReadsBackWithSqliteAndGdal) {
    const fs::path file = fresh_dir("mbtiles") / "sample.mbtiles";
    auto c = config(file, 12, 15);
    c.name = "摩纳哥样例";
    const auto report = render_tiles(c, *scene_);
    ASSERT_TRUE(report.complete);
    EXPECT_TRUE(report.mbtiles);
    EXPECT_FALSE(fs::exists(file.string() + ".partial"));
    EXPECT_GT(report.tiles_written, 50u);
    EXPECT_EQ(report.tiles_written + report.tiles_empty, report.tiles_planned);

    const auto tiles = read_mbtiles(file);
    EXPECT_EQ(tiles.size(), report.tiles_written);
    std::set<int> zooms;
    for (const auto& [k, data] : tiles) {
        zooms.insert(std::get<0>(k));
        EXPECT_TRUE(render::tiles_covering(report.area, std::get<0>(k)).contains({std::get<0>(k), std::get<1>(k), std::get<2>(k)}));
        EXPECT_EQ(data.substr(1, 3), "PNG");
    }
    EXPECT_EQ(zooms, (std::set<int>{12, 13, 14, 15}));

    const auto meta = read_metadata(file);
    EXPECT_EQ(meta.at("name"), "摩纳哥样例");
    EXPECT_EQ(meta.at("format"), "png");
    EXPECT_EQ(meta.at("minzoom"), "12");
    EXPECT_EQ(meta.at("maxzoom"), "15");
    EXPECT_EQ(meta.at("type"), "overlay");
    EXPECT_EQ(meta.at("attribution"), "© OpenStreetMap contributors");
    EXPECT_FALSE(meta.at("version").empty());
    double w = 0, s = 0, e = 0, n = 0;
    ASSERT_EQ(std::sscanf(meta.at("bounds").c_str(), "%lf,%lf,%lf,%lf", &w, &s, &e, &n), 4);
    EXPECT_NEAR(w, report.area.west, 1e-6);
    EXPECT_NEAR(n, report.area.north, 1e-6);
    EXPECT_TRUE(w > 7.3 && e < 7.6 && s > 43.6 && n < 43.9) << meta.at("bounds");   // Monaco
    double clon = 0, clat = 0;
    int cz = 0;
    ASSERT_EQ(std::sscanf(meta.at("center").c_str(), "%lf,%lf,%d", &clon, &clat, &cz), 3);
    EXPECT_TRUE(clon > w && clon < e && clat > s && clat < n && cz >= 12 && cz <= 15);

    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(file.c_str(), GA_ReadOnly);
    ASSERT_NE(ds, nullptr) << CPLGetLastErrorMsg();
    EXPECT_STREQ(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "MBTiles");
    EXPECT_EQ(GDALGetRasterCount(ds), 4);
    EXPECT_STREQ(GDALGetMetadataItem(ds, "ZOOM_LEVEL", nullptr), "15");
    EXPECT_STREQ(GDALGetMetadataItem(ds, "attribution", nullptr), "© OpenStreetMap contributors");
    // the full-resolution raster is the z15 tiles; z12–14 are its overviews
    EXPECT_EQ(GDALGetOverviewCount(GDALGetRasterBand(ds, 1)), 3);
    // GDAL takes the extent from 'bounds' at the highest zoom
    EXPECT_NEAR(GDALGetRasterXSize(ds), (report.area.east - report.area.west) / 360 * 32768 * 256, 1.5);
    double gt[6] = {};
    ASSERT_EQ(GDALGetGeoTransform(ds, gt), CE_None);
    EXPECT_NEAR(gt[1], render::tile_span_m(15) / 256, 1e-6);
    // and it reads pixels: somewhere in the middle there is map (alpha > 0)
    const int W = GDALGetRasterXSize(ds), H = GDALGetRasterYSize(ds);
    std::vector<unsigned char> alpha(static_cast<std::size_t>(W) * H);
    ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(ds, 4), GF_Read, 0, 0, W, H, alpha.data(), W, H, GDT_Byte, 0, 0), CE_None);
    std::size_t opaque = 0;
    for (unsigned char a : alpha) opaque += a > 0;
    EXPECT_GT(opaque, alpha.size() / 10);
    GDALClose(ds);
}

TEST_F(TilesJob, InterruptedRunResumesToTheBytesOfAnUninterruptedOne) {
    const fs::path dir = fresh_dir("resume");
    const auto whole = render_tiles(config(dir / "whole.mbtiles", 12, 16), *scene_);
    ASSERT_TRUE(whole.complete);

    const fs::path file = dir / "resumed.mbtiles";
    auto c = config(file, 12, 16);
    c.max_metatiles = 5;   // the test hook: stop after five metatiles, as an interruption would
    const auto first = render_tiles(c, *scene_);
    EXPECT_FALSE(first.complete);
    EXPECT_FALSE(fs::exists(file)) << "an incomplete run never leaves the final file";
    EXPECT_TRUE(fs::exists(file.string() + ".partial"));
    EXPECT_EQ(first.metatiles_rendered + first.metatiles_skipped, 5u);

    c.max_metatiles = 4;   // a second interruption
    const auto second = render_tiles(c, *scene_);
    EXPECT_TRUE(second.resumed);
    EXPECT_EQ(second.metatiles_already_done, 5u);
    EXPECT_FALSE(second.complete);

    c.max_metatiles = 0;
    const auto last = render_tiles(c, *scene_);
    EXPECT_TRUE(last.resumed);
    EXPECT_EQ(last.metatiles_already_done, 9u);
    EXPECT_EQ(last.metatiles_already_done + last.metatiles_rendered + last.metatiles_skipped, whole.metatiles_total);
    ASSERT_TRUE(last.complete);
    EXPECT_EQ(first.tiles_written + second.tiles_written + last.tiles_written, whole.tiles_written);
    EXPECT_FALSE(fs::exists(file.string() + ".partial"));

    const auto a = read_mbtiles(dir / "whole.mbtiles"), b = read_mbtiles(file);
    EXPECT_EQ(a.size(), b.size());
    EXPECT_TRUE(a == b) << "resumed tiles differ from an uninterrupted run";
    EXPECT_EQ(read_metadata(dir / "whole.mbtiles"), read_metadata(file));
}

TEST_F(TilesJob, DirectoryRunResumesToo) {
    const fs::path dir = fresh_dir("dir-resume");
    const auto whole = render_tiles(config(dir / "whole", 13, 15), *scene_);
    auto c = config(dir / "resumed", 13, 15);
    c.max_metatiles = 2;
    EXPECT_FALSE(render_tiles(c, *scene_).complete);
    EXPECT_TRUE(fs::exists(dir / "resumed" / ".gridatlas-progress"));
    c.max_metatiles = 0;
    const auto last = render_tiles(c, *scene_);
    EXPECT_TRUE(last.resumed);
    EXPECT_EQ(last.metatiles_already_done, 2u);
    EXPECT_TRUE(last.complete);
    EXPECT_FALSE(fs::exists(dir / "resumed" / ".gridatlas-progress"));
    EXPECT_TRUE(fs::exists(dir / "resumed" / "metadata.json"));
    EXPECT_TRUE(read_directory(dir / "whole") == read_directory(dir / "resumed"));
    EXPECT_EQ(read_directory(dir / "whole").size(), whole.tiles_written);
}

TEST_F(TilesJob, EmptyMetatilesAreSkippedAndEmptyTilesNotWritten) {
    // the sample's area and, far east of it, open sea: those metatiles hold nothing and are never rendered
    const render::LonLatBox data = default_tile_area(**scene_);
    const fs::path file = fresh_dir("empty") / "sea.mbtiles";
    auto c = config(file, 15, 16);
    c.area = render::LonLatBox{data.west, data.south, data.east + 0.5, data.north};
    const auto report = render_tiles(c, *scene_);
    ASSERT_TRUE(report.complete);
    EXPECT_GT(report.metatiles_skipped, report.metatiles_rendered);
    EXPECT_GT(report.tiles_empty, report.tiles_written);
    EXPECT_EQ(report.tiles_written + report.tiles_empty, report.tiles_planned);
    const auto tiles = read_mbtiles(file);
    EXPECT_EQ(tiles.size(), report.tiles_written);
    for (const auto& [k, png] : tiles) {
        const auto img = decode(png);
        bool any = false;
        for (std::size_t i = 3; i < img.rgba.size() && !any; i += 4) any = img.rgba[i] >= 5;
        EXPECT_TRUE(any) << std::get<0>(k) << "/" << std::get<1>(k) << "/" << std::get<2>(k) << " is empty but was written";
        EXPECT_LT(render::mercator_lon(render::tile_bounds({std::get<0>(k), std::get<1>(k), std::get<2>(k)}).minx), data.east + 0.05);
    }
}

TEST_F(TilesJob, RetinaTilesAre512PixelsWithTheirOwnMetadata) {
    const fs::path dir = fresh_dir("retina");
    auto c = config(dir, 14, 15);
    c.scale = 2;
    const auto report = render_tiles(c, *scene_);
    ASSERT_TRUE(report.complete);
    EXPECT_EQ(report.tile_px, 512);
    const auto tiles = read_directory(dir, "@2x");
    ASSERT_EQ(tiles.size(), report.tiles_written);
    ASSERT_FALSE(tiles.empty());
    for (const auto& [k, png] : tiles) {
        const auto img = decode(png);
        EXPECT_EQ(img.width, 512);
        EXPECT_EQ(img.height, 512);
    }
    const auto j = nlohmann::json::parse(std::ifstream(dir / "metadata@2x.json"));
    EXPECT_EQ(j["tile_size"], 512);
    EXPECT_EQ(j["tiles"][0], "{z}/{x}/{y}@2x.png");
    // the same tiles as at 256 px: the scale changes the pixels, not the coverage
    const auto one = render_tiles(config(fresh_dir("retina-1x"), 14, 15), *scene_);
    EXPECT_EQ(one.tiles_written, report.tiles_written);
}

TEST_F(TilesJob, SameCoverageAsOneRenderPerTile) {
    const fs::path dir = fresh_dir("naive");
    const auto report = render_tiles(config(dir, 12, 15), *scene_);
    render::TileRenderer naive(*scene_, {});
    std::set<Key> expected;
    for (int z = 12; z <= 15; ++z) {
        const auto r = render::tiles_covering(report.area, z);
        for (int x = r.x0; x <= r.x1; ++x)
            for (int y = r.y0; y <= r.y1; ++y)
                if (naive.render_tile({z, x, y})) expected.insert({z, x, y});
    }
    std::set<Key> got;
    for (const auto& [k, png] : read_directory(dir)) got.insert(k);
    EXPECT_EQ(got, expected);
}

TEST_F(TilesJob, BadOptionsAreRefused) {
    const fs::path dir = fresh_dir("bad");
    auto c = config(dir, 15, 12);
    EXPECT_THROW(render_tiles(c, *scene_), std::invalid_argument);
    c = config(dir, 12, 13);
    c.scale = 3;
    EXPECT_THROW(render_tiles(c, *scene_), std::invalid_argument);
    c = config(dir, 12, 13);
    c.area = render::LonLatBox{8, 43, 7, 44};
    EXPECT_THROW(render_tiles(c, *scene_), std::invalid_argument);
    c = config("", 12, 13);
    EXPECT_THROW(render_tiles(c, *scene_), std::invalid_argument);
}

// The command line: usage errors exit 1; Ctrl-C (SIGINT) stops a run with exit code 130, leaving only the work file,
// and the same command then resumes it; --max-metatiles stops early on purpose.
#ifdef GRIDATLAS_BIN
int run_cli(const std::string& args, const fs::path& out) {
    const std::string cmd = std::string("'") + GRIDATLAS_BIN + "' " + args + " > '" + out.string() + "' 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(TilesCli, UsageErrorsStopsAndResumes) {
    if (!fs::exists(GRIDATLAS_BIN)) GTEST_SKIP() << "gridatlas is not built";
    const fs::path dir = fresh_dir("cli");
    const std::string sample = "'" + kSample.string() + "'";
    EXPECT_EQ(run_cli("tiles " + sample + " -o '" + (dir / "x.mbtiles").string() + "' -z 17-12", dir / "log1"), 1);
    EXPECT_NE(slurp(dir / "log1").find("--zoom"), std::string::npos) << slurp(dir / "log1");
    EXPECT_EQ(run_cli("tiles " + sample + " -o '" + (dir / "x.mbtiles").string() + "' --bbox 8,43,7,44", dir / "log2"), 1);

    const fs::path file = dir / "cli.mbtiles";
    const std::string run = "tiles " + sample + " -o '" + file.string() + "' -z 12-14 --no-progress";
    EXPECT_EQ(run_cli(run + " --max-metatiles 1", dir / "log3"), 0);
    EXPECT_NE(slurp(dir / "log3").find("incomplete"), std::string::npos) << slurp(dir / "log3");
    EXPECT_FALSE(fs::exists(file));
    EXPECT_TRUE(fs::exists(file.string() + ".partial"));
    EXPECT_EQ(run_cli(run, dir / "log4"), 0);
    EXPECT_NE(slurp(dir / "log4").find("resumed: 1 metatiles were already done"), std::string::npos) << slurp(dir / "log4");
    EXPECT_TRUE(fs::exists(file));
    EXPECT_FALSE(fs::exists(file.string() + ".partial"));
}

TEST(TilesCli, InterruptLeavesTheWorkFileAndExits130) {
    if (!fs::exists(GRIDATLAS_BIN)) GTEST_SKIP() << "gridatlas is not built";
    const fs::path dir = fresh_dir("sigint");
    const fs::path file = dir / "big.mbtiles";
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const std::string out = file.string(), project = kSample.string(), log = (dir / "log").string();
        freopen(log.c_str(), "w", stdout);
        freopen(log.c_str(), "a", stderr);
        execl(GRIDATLAS_BIN, GRIDATLAS_BIN, "tiles", project.c_str(), "-o", out.c_str(), "-z", "12-18", "--no-progress",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    // wait until tiles are being written (the work file exists), then press Ctrl-C
    const auto start = std::chrono::steady_clock::now();
    while (!fs::exists(file.string() + ".partial") && std::chrono::steady_clock::now() - start < std::chrono::seconds(120))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of stopping cleanly";
    EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(dir / "log");
    EXPECT_NE(slurp(dir / "log").find("stopped by a signal"), std::string::npos) << slurp(dir / "log");
    EXPECT_FALSE(fs::exists(file));
    ASSERT_TRUE(fs::exists(file.string() + ".partial"));
    // what was committed is readable and complete per metatile: a resume would pick it up
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2((file.string() + ".partial").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM gridatlas_progress", -1, &s, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_GT(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
}
#endif

}  // namespace
}  // namespace gridatlas::pipeline
