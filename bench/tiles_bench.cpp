// Tiles: the naive way against `gridatlas tiles`, on the same scene, area and zoom range.
//
//   naive:           one Mapnik render per 256 px tile (same style, same buffer), one thread, every tile of the
//                    range rendered; the non-transparent ones written as z/x/y.png.
//   gridatlas tiles: pipeline::render_tiles — metatiles, one Map per thread on every core, empty metatiles skipped
//                    by the R-tree, one-colour tiles encoded once — written as a directory and as an MBTiles file.
//
// Loading and measuring the project is done once, before either clock starts. Prints tiles per second for both and
// the ratio, and checks that both produced exactly the same set of tiles (the MBTiles file is read back with
// sqlite3, rows flipped from TMS). Exit code 1 when the coverage differs.
//
//   bench_tiles [project.toml] [--zoom 12-17] [--out DIR] [--threads N] [--metatile N] [--scale 1|2] [--repeat 3]
//
// Each way runs --repeat times, in turns, so that all meet the same background load; the best and the median
// wall times are printed, and CPU time (all threads) beside them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

#include <sqlite3.h>
#include <sys/resource.h>

#include "project_state.hpp"
#include "tile_renderer.hpp"
#include "tiles_job.hpp"

#ifndef GRIDATLAS_SAMPLE_PROJECT
#define GRIDATLAS_SAMPLE_PROJECT "data/sample/project.toml"
#endif

namespace fs = std::filesystem;
using namespace gridatlas;
using TileSet = std::set<std::tuple<int, int, int>>;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU seconds of this process (every thread), user + system
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a;
    in >> a;
    return a.empty() ? "?" : a;
}

TileSet scan_directory(const fs::path& dir, const std::string& suffix) {
    TileSet out;
    const std::string ending = suffix + ".png";
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const std::string name = e.path().filename().string();
        if (name.size() <= ending.size() || name.compare(name.size() - ending.size(), ending.size(), ending) != 0 || name[0] == '.')
            continue;
        const int y = std::stoi(name.substr(0, name.size() - ending.size()));
        const int x = std::stoi(e.path().parent_path().filename().string());
        const int z = std::stoi(e.path().parent_path().parent_path().filename().string());
        out.insert({z, x, y});
    }
    return out;
}

TileSet scan_mbtiles(const fs::path& file) {
    TileSet out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::cerr << "cannot open " << file << "\n";
        sqlite3_close(db);
        return out;
    }
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT zoom_level, tile_column, tile_row FROM tiles", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const int z = sqlite3_column_int(s, 0);
        out.insert({z, sqlite3_column_int(s, 1), render::tms_row(z, sqlite3_column_int(s, 2))});
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

void report_difference(const char* what, const TileSet& a, const TileSet& b) {
    std::size_t shown = 0;
    for (const auto& t : a)
        if (!b.count(t) && shown++ < 10)
            std::cout << "    only in " << what << ": " << std::get<0>(t) << "/" << std::get<1>(t) << "/" << std::get<2>(t) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    fs::path project = GRIDATLAS_SAMPLE_PROJECT;
    fs::path out = fs::temp_directory_path() / "gridatlas-bench-tiles";
    int zmin = 12, zmax = 17, threads = 0, metatile = 0, scale = 1, repeat = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
            return argv[++i];
        };
        if (a == "--zoom") {
            const std::string z = next();
            const auto dash = z.find('-');
            zmin = std::stoi(z.substr(0, dash));
            zmax = dash == std::string::npos ? zmin : std::stoi(z.substr(dash + 1));
        } else if (a == "--out") out = next();
        else if (a == "--threads") threads = std::stoi(next());
        else if (a == "--metatile") metatile = std::stoi(next());
        else if (a == "--scale") scale = std::stoi(next());
        else if (a == "--repeat") repeat = std::max(1, std::stoi(next()));
        else if (a == "-h" || a == "--help") {
            std::cout << "bench_tiles [project.toml] [--zoom 12-17] [--out DIR] [--threads N] [--metatile N] [--scale 1|2] [--repeat 3]\n";
            return 0;
        } else project = a;
    }
    fs::remove_all(out);
    fs::create_directories(out);
    const std::string load_before = load_average();

    std::cout << "Loading " << project.string() << " …\n";
    Diagnostics diag;
    pipeline::StageClock clock;
    const auto t_load = std::chrono::steady_clock::now();
    const auto measured = pipeline::measure_project(project, diag, clock);
    const auto scene = pipeline::build_tile_scene(measured);
    const auto area = pipeline::default_tile_area(*scene);
    std::cout << std::fixed << std::setprecision(2) << "  loaded and measured in " << seconds_since(t_load) << " s; "
              << scene->feature_count() << " features\n";

    std::uint64_t slots = 0;
    for (int z = zmin; z <= zmax; ++z) slots += render::tiles_covering(area, z).count();
    const std::string suffix = scale == 2 ? "@2x" : "";
    std::cout << std::setprecision(5) << "  area " << area.west << "," << area.south << "," << area.east << "," << area.north
              << ", zoom " << zmin << "–" << zmax << ": " << slots << " tile slots, " << 256 * scale << " px, "
              << std::thread::hardware_concurrency() << " cores\n\n";

    // Each way runs `repeat` times, alternating, each time into a fresh output; the best and the median wall times
    // are reported (on a shared machine the best is the least disturbed by other work), and CPU time alongside.
    struct Timing {
        std::vector<double> wall, cpu;
        std::uint64_t tiles = 0;
        double best() const { return *std::min_element(wall.begin(), wall.end()); }
        double median() const {
            auto v = wall;
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
        }
        double cpu_median() const {
            auto v = cpu;
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
        }
    };
    const fs::path naive_dir = out / "naive";
    auto naive = [&](Timing& t) {
        fs::remove_all(naive_dir);
        render::TileRenderOptions opt;
        opt.scale = scale;
        render::TileRenderer renderer(scene, opt);
        std::uint64_t written = 0;
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        for (int z = zmin; z <= zmax; ++z) {
            const auto r = render::tiles_covering(area, z);
            for (int x = r.x0; x <= r.x1; ++x)
                for (int y = r.y0; y <= r.y1; ++y) {
                    const auto png = renderer.render_tile({z, x, y});
                    if (!png) continue;
                    const fs::path p = naive_dir / std::to_string(z) / std::to_string(x) / (std::to_string(y) + suffix + ".png");
                    fs::create_directories(p.parent_path());
                    std::ofstream(p, std::ios::binary).write(png->data(), static_cast<std::streamsize>(png->size()));
                    ++written;
                }
        }
        t.wall.push_back(seconds_since(t0));
        t.cpu.push_back(cpu_seconds() - c0);
        t.tiles = written;
    };
    pipeline::TilesReport last_report;
    auto gridatlas_tiles = [&](Timing& t, const fs::path& output) {
        fs::remove_all(output);
        pipeline::TilesConfig c;
        c.output = output;
        c.min_zoom = zmin;
        c.max_zoom = zmax;
        c.area = area;
        c.metatile = metatile;
        c.threads = threads;
        c.scale = scale;
        c.progress = pipeline::ProgressBar::never;
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        last_report = pipeline::render_tiles(c, scene);
        t.wall.push_back(seconds_since(t0));   // wall time including opening and finishing the output
        t.cpu.push_back(cpu_seconds() - c0);
        t.tiles = last_report.tiles_written;
    };
    Timing tn, td, tm;
    for (int rep = 0; rep < repeat; ++rep) {
        // the order turns each time, so that no way always runs first (or right after another)
        for (int k = 0; k < 3; ++k) switch ((rep + k) % 3) {
            case 0: naive(tn); break;
            case 1: gridatlas_tiles(td, out / "gridatlas"); break;
            default: gridatlas_tiles(tm, out / "gridatlas.mbtiles"); break;
            }
        std::cout << std::setprecision(2) << "  run " << rep + 1 << "/" << repeat << ": naive " << tn.wall.back()
                  << " s, gridatlas → directory " << td.wall.back() << " s, → MBTiles " << tm.wall.back()
                  << " s  (load " << load_average() << ")\n";
    }
    auto line = [&](const char* what, const Timing& t) {
        std::cout << std::setprecision(2) << what << t.tiles << " tiles, best " << t.best() << " s = " << std::setprecision(1)
                  << t.tiles / t.best() << " tiles/s (median " << t.tiles / t.median() << "); CPU " << std::setprecision(2)
                  << t.cpu_median() << " s = " << std::setprecision(1) << t.tiles / t.cpu_median() << " tiles per CPU-second\n";
    };
    std::cout << "\n";
    line("naive (1 Mapnik render per tile, 1 thread):      ", tn);
    std::cout << "gridatlas tiles (" << last_report.metatile << "×" << last_report.metatile << " metatiles, " << last_report.threads << " threads; "
              << last_report.metatiles_rendered << " metatiles rendered, " << last_report.metatiles_skipped << " skipped empty):\n";
    line("  → directory:                                   ", td);
    line("  → MBTiles:                                     ", tm);
    const double naive_rate = tn.tiles / tn.best();
    std::cout << std::setprecision(2) << "\nspeed-up over the naive rate (best runs): " << (td.tiles / td.best()) / naive_rate
              << "× directory, " << (tm.tiles / tm.best()) / naive_rate << "× MBTiles; medians: "
              << (td.tiles / td.median()) / (tn.tiles / tn.median()) << "×, " << (tm.tiles / tm.median()) / (tn.tiles / tn.median())
              << "×; per CPU-second: " << (td.tiles / td.cpu_median()) / (tn.tiles / tn.cpu_median()) << "×\n"
              << "load average before/after: " << load_before << " / " << load_average()
              << " (other processes on the machine take cores from the threads)\n";

    const TileSet naive_set = scan_directory(naive_dir, suffix);
    const TileSet dir_set = scan_directory(out / "gridatlas", suffix);
    const TileSet mb_set = scan_mbtiles(out / "gridatlas.mbtiles");
    const bool same = naive_set == dir_set && naive_set == mb_set;
    std::cout << "coverage: naive " << naive_set.size() << " tiles, gridatlas directory " << dir_set.size() << ", MBTiles "
              << mb_set.size() << (same ? " — identical\n" : " — DIFFERENT\n");
    if (!same) {
        report_difference("naive", naive_set, dir_set);
        report_difference("gridatlas", dir_set, naive_set);
        report_difference("mbtiles", mb_set, naive_set);
        return 1;
    }
    std::cout << "outputs in " << out.string() << "\n";
    return 0;
}
