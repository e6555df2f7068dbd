// The `tiles` command: XYZ tile pyramids of the overview's public content into a directory or an MBTiles file.
#include "tiles_job.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include <unistd.h>

#include "mbtiles_writer.hpp"
#include "overview_map.hpp"
#include "tile_directory_writer.hpp"
#include "tile_renderer.hpp"

namespace gridatlas::pipeline {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------------------------
// Ctrl-C / SIGTERM: finish the metatiles under way, commit, leave the work file for a resume.

std::atomic<bool> g_stop_requested{false};

extern "C" void on_stop_signal(int) { g_stop_requested.store(true); }

class StopSignals {
public:
    StopSignals() {
        g_stop_requested.store(false);
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;   // a second Ctrl-C kills at once
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~StopSignals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
private:
    struct sigaction old_int_ {}, old_term_ {};
};

// ---------------------------------------------------------------------------------------------------------------
// Output: one of the two writers (both thread-safe, same contract)

class Sink {
public:
    Sink(const TilesConfig& c, const layers::TileSetMetadata& meta, const std::string& key, bool mbtiles) {
        if (mbtiles) w_.emplace<std::unique_ptr<layers::MbtilesWriter>>(std::make_unique<layers::MbtilesWriter>(c.output, meta, key));
        else w_.emplace<std::unique_ptr<layers::TileDirectoryWriter>>(
                 std::make_unique<layers::TileDirectoryWriter>(c.output, meta, key, c.scale == 2 ? "@2x" : ""));
    }
    template <typename Fn> decltype(auto) with(Fn&& fn) {
        return std::visit([&](auto& w) -> decltype(auto) { return fn(*w); }, w_);
    }
private:
    std::variant<std::unique_ptr<layers::MbtilesWriter>, std::unique_ptr<layers::TileDirectoryWriter>> w_;
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

std::string file_fingerprint(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    std::ostringstream s;
    s << std::hex << h;
    return s.str();
}

bool is_mbtiles(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".mbtiles";
}

std::string duration_text(double s) {
    if (!std::isfinite(s) || s < 0) return "--:--";
    const auto total = static_cast<long>(std::llround(s));
    std::ostringstream out;
    out << std::setfill('0');
    if (total >= 3600) out << total / 3600 << ":" << std::setw(2) << (total / 60) % 60 << ":" << std::setw(2) << total % 60;
    else out << total / 60 << ":" << std::setw(2) << total % 60;
    return out.str();
}

// The progress bar on stderr: tile slots done of the plan, the rate, the time left.
class ProgressPrinter {
public:
    ProgressPrinter(bool enabled, std::uint64_t total) : enabled_(enabled), total_(total), start_(Clock::now()) {}
    void print(std::uint64_t done, std::uint64_t written, int zoom, bool final = false) {
        if (!enabled_) return;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
        const double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
        constexpr int width = 28;
        const int filled = static_cast<int>(std::floor(fraction * width));
        std::string bar;
        for (int i = 0; i < width; ++i) bar += i < filled ? "█" : "░";
        std::ostringstream line;
        line << "\r" << bar << " " << std::setw(3) << static_cast<int>(std::floor(fraction * 100)) << "%  " << done << "/"
             << total_ << " tiles (" << written << " written)  z" << zoom << "  " << std::fixed << std::setprecision(0)
             << rate << " tiles/s  ETA " << (rate > 0 ? duration_text(static_cast<double>(total_ - done) / rate) : "--:--")
             << "   ";
        std::fputs(line.str().c_str(), stderr);
        if (final) std::fputs("\n", stderr);
        std::fflush(stderr);
    }
private:
    bool enabled_;
    std::uint64_t total_;
    Clock::time_point start_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

namespace {

std::shared_ptr<const render::TileScene> tile_scene(const layers::ProjectConfig& cfg, const Dataset& ds, const assign::Statistics& stats,
                                                    const access::AccessResult& access, std::size_t min_households) {
    render::TileSceneInput in;
    in.dataset = &ds;
    in.grid_households.reserve(stats.grids.size());
    // Tiles are public: a grid with fewer than k households shows no count (-1), as the API suppresses it (README: privacy).
    for (const auto& g : stats.grids)
        in.grid_households.push_back(g.people.households < min_households ? -1 : static_cast<std::int64_t>(g.people.households));
    in.headline_kind = cfg.map.headline_kind;
    if (const auto* headline = access.find(cfg.map.headline_kind)) {
        in.building_minutes = access::minutes_for_bands(*headline);
        in.headline_threshold_minutes = headline->threshold_minutes;
    }
    return render::TileScene::build(in);
}

}  // namespace

std::shared_ptr<const render::TileScene> build_tile_scene(const MeasuredProject& p, std::size_t min_households) {
    return tile_scene(p.cfg, p.ds, p.stats, p.access, min_households);
}

std::shared_ptr<const render::TileScene> build_tile_scene(ProjectState& p, std::size_t min_households) {
    return tile_scene(p.cfg(), p.ds(), p.stats(), p.access(), min_households);
}

render::LonLatBox default_tile_area(const render::TileScene& scene) {
    const render::MercatorBox g = scene.grid_bounds();
    const double pad = 0.03 * std::max(g.width(), g.height()) + 1.0;
    render::LonLatBox a = render::to_lonlat(g.padded(pad));
    a.west = std::max(a.west, -180.0);
    a.east = std::min(a.east, 180.0);
    a.south = std::max(a.south, -render::kMercatorMaxLatitude);
    a.north = std::min(a.north, render::kMercatorMaxLatitude);
    return a;
}

namespace {

// Checks the options; returns n, the metatile side in tiles.
int metatile_side(const TilesConfig& c) {
    if (c.output.empty()) throw std::invalid_argument("tiles: an output (a directory, or a file ending in .mbtiles) is required");
    if (c.min_zoom < 0 || c.max_zoom > 22 || c.min_zoom > c.max_zoom)
        throw std::invalid_argument("tiles: zooms must satisfy 0 ≤ min ≤ max ≤ 22, got " + std::to_string(c.min_zoom) + "–" +
                                    std::to_string(c.max_zoom));
    if (c.scale != 1 && c.scale != 2) throw std::invalid_argument("tiles: --scale must be 1 (256 px) or 2 (512 px @2x)");
    if (c.metatile < 0 || c.metatile > 16) throw std::invalid_argument("tiles: --metatile must be in 1..16 (0: automatic)");
    if (c.threads < 0 || c.threads > 256) throw std::invalid_argument("tiles: --threads must be in 0..256");
    if (c.area && !c.area->valid())
        throw std::invalid_argument("tiles: the area must be west,south,east,north in degrees with west < east and south < north");
    // renders of about 2048 px: 8 × 8 tiles of 256 px, 4 × 4 of 512 px (measured best on the sample at both scales)
    return c.metatile > 0 ? c.metatile : 8 / c.scale;
}

// The report's plan: area, zooms, sizes, threads asked for, metatiles and tile slots.
TilesReport planned_report(const TilesConfig& c, const render::TileScene& scene, int n, std::vector<render::Metatile>& plan) {
    TilesReport report;
    report.mbtiles = is_mbtiles(c.output);
    report.output = c.output;
    report.area = c.area ? *c.area : default_tile_area(scene);
    report.area.south = std::max(report.area.south, -render::kMercatorMaxLatitude);
    report.area.north = std::min(report.area.north, render::kMercatorMaxLatitude);
    report.min_zoom = c.min_zoom;
    report.max_zoom = c.max_zoom;
    report.tile_px = 256 * c.scale;
    report.metatile = n;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    report.threads = c.threads > 0 ? c.threads : static_cast<int>(cores);
    plan = render::plan_metatiles(report.area, c.min_zoom, c.max_zoom, n);
    report.metatiles_total = plan.size();
    for (const auto& m : plan) report.tiles_planned += m.tile_count();
    return report;
}

layers::TileSetMetadata tile_set_metadata(const TilesConfig& c, const TilesReport& report, const std::string& default_name) {
    layers::TileSetMetadata meta;
    meta.name = c.name.empty() ? default_name : c.name;
    meta.description = "GridAtlas: grids with names, codes and household counts; buildings by walking minutes to the "
                       "headline service; roads and facilities. Aggregates only.";
    meta.attribution = c.attribution;
    meta.west = report.area.west;
    meta.south = report.area.south;
    meta.east = report.area.east;
    meta.north = report.area.north;
    meta.center_lon = (report.area.west + report.area.east) / 2;
    meta.center_lat = render::mercator_lat((render::mercator_y(report.area.south) + render::mercator_y(report.area.north)) / 2);
    meta.center_zoom = std::clamp(c.min_zoom + 2, c.min_zoom, c.max_zoom);
    meta.min_zoom = c.min_zoom;
    meta.max_zoom = c.max_zoom;
    meta.tile_px = report.tile_px;
    return meta;
}

// What the tiles depend on: a resume only picks up work done with exactly these.
std::string tiles_job_key(const TilesConfig& c, const render::TileScene& scene, const TilesReport& report,
                          const layers::TileSetMetadata& meta, int buffer_px, const fs::path& style_file) {
    std::ostringstream k;
    k << std::setprecision(10) << "gridatlas-tiles v1|" << scene.summary() << "|zoom=" << c.min_zoom << "-" << c.max_zoom
      << "|area=" << report.area.west << "," << report.area.south << "," << report.area.east << "," << report.area.north
      << "|metatile=" << report.metatile << "|scale=" << c.scale << "|buffer=" << buffer_px << "|format=" << c.image_format
      << "|style=" << file_fingerprint(style_file) << "|name=" << meta.name << "|attribution=" << meta.attribution;
    return k.str();
}

// Opens the writer and records in the report whether it resumes, its note and its work file.
void open_sink_report(Sink& sink, TilesReport& report) {
    report.resumed = sink.with([](auto& w) { return w.resumed(); });
    report.note = sink.with([](auto& w) { return w.open_note(); });
    if (report.mbtiles) report.work_file = sink.with([](auto& w) -> fs::path {
        if constexpr (std::is_same_v<std::decay_t<decltype(w)>, layers::MbtilesWriter>) return w.partial_path();
        else return {};
    });
}

// What is left to do, in plan order; counts the metatiles an earlier run did and the tile slots left.
std::vector<render::Metatile> metatiles_to_do(const std::vector<render::Metatile>& plan, Sink& sink, TilesReport& report,
                                              std::uint64_t& slots_todo) {
    std::vector<render::Metatile> todo;
    slots_todo = 0;
    for (const auto& m : plan) {
        if (sink.with([&](auto& w) { return w.is_done({m.z, m.x0, m.y0}); })) {
            ++report.metatiles_already_done;
            continue;
        }
        todo.push_back(m);
        slots_todo += m.tile_count();
    }
    return todo;
}

// The counts the worker threads share.
struct PoolCounters {
    std::atomic<std::size_t> next{0}, claimed{0};
    std::atomic<bool> failed{false}, hit_limit{false};
    std::atomic<std::uint64_t> slots_done{0}, written{0}, empty{0}, uniform{0}, rendered{0}, skipped{0};
    std::atomic<int> current_zoom{0};
    bool stop() const { return failed.load() || g_stop_requested.load() || hit_limit.load(); }
};

// The metatiles drawn by a pool of threads, one TileRenderer (one mapnik::Map) each, with the progress bar.
class MetatilePool {
public:
    MetatilePool(const TilesConfig& c, const render::TileScene& scene, Sink& sink, const std::vector<render::Metatile>& todo,
                 int buffer_px)
        : c_(c), scene_(scene), sink_(sink), todo_(todo), buffer_px_(buffer_px) {
        counters_.current_zoom.store(todo.empty() ? c.max_zoom : todo.front().z);
    }
    // Runs the renderers (one thread each) until the work is done, stopped or failed; rethrows a worker's error.
    void run(std::vector<std::unique_ptr<render::TileRenderer>>& renderers, std::uint64_t slots_todo);
    const PoolCounters& counters() const { return counters_; }

private:
    void work(render::TileRenderer* renderer);
    void draw(render::TileRenderer* renderer, const render::Metatile& m, std::vector<layers::TileBlob>& blobs);

    const TilesConfig& c_;
    const render::TileScene& scene_;
    Sink& sink_;
    const std::vector<render::Metatile>& todo_;
    const int buffer_px_;
    PoolCounters counters_;
    std::exception_ptr error_;
    std::mutex error_mutex_, done_mutex_;
    std::condition_variable done_cv_;
    int running_ = 0;
};

void MetatilePool::draw(render::TileRenderer* renderer, const render::Metatile& m, std::vector<layers::TileBlob>& blobs) {
    const layers::WorkKey key{m.z, m.x0, m.y0};
    blobs.clear();
    // nothing within the buffer (where labels could come from): no render, nothing written
    const double buffer_m = render::tile_span_m(m.z) / 256.0 * buffer_px_;
    if (!scene_.has_data_in(m.bounds().padded(buffer_m))) {
        sink_.with([&](auto& w) { w.write(key, blobs); });
        counters_.skipped.fetch_add(1);
        counters_.empty.fetch_add(m.tile_count());
    } else {
        auto result = renderer->render_metatile(m);
        for (auto& t : result.tiles) blobs.push_back({t.id.z, t.id.x, t.id.y, std::move(t.png)});
        sink_.with([&](auto& w) { w.write(key, blobs); });
        counters_.rendered.fetch_add(1);
        counters_.written.fetch_add(blobs.size());
        counters_.empty.fetch_add(result.empty_tiles);
        counters_.uniform.fetch_add(result.uniform_tiles);
    }
    counters_.slots_done.fetch_add(m.tile_count());
}

void MetatilePool::work(render::TileRenderer* renderer) {
    try {
        std::vector<layers::TileBlob> blobs;
        while (!counters_.stop()) {
            const std::size_t i = counters_.next.fetch_add(1);
            if (i >= todo_.size()) break;
            if (c_.max_metatiles > 0 && counters_.claimed.fetch_add(1) >= c_.max_metatiles) {
                counters_.hit_limit.store(true);
                break;
            }
            counters_.current_zoom.store(todo_[i].z);
            draw(renderer, todo_[i], blobs);
        }
    } catch (...) {
        std::lock_guard lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
        counters_.failed.store(true);
    }
    std::lock_guard lock(done_mutex_);
    --running_;
    done_cv_.notify_all();
}

void MetatilePool::run(std::vector<std::unique_ptr<render::TileRenderer>>& renderers, std::uint64_t slots_todo) {
    const bool show = c_.progress == ProgressBar::always || (c_.progress == ProgressBar::automatic && isatty(STDERR_FILENO));
    ProgressPrinter bar(show, slots_todo);
    running_ = static_cast<int>(renderers.size());
    std::vector<std::thread> pool;
    pool.reserve(renderers.size());
    for (auto& r : renderers) pool.emplace_back([this, p = r.get()] { work(p); });
    {
        std::unique_lock lock(done_mutex_);
        while (running_ > 0) {
            done_cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return running_ == 0; });
            bar.print(counters_.slots_done.load(), counters_.written.load(), counters_.current_zoom.load());
        }
    }
    for (auto& t : pool) t.join();
    bar.print(counters_.slots_done.load(), counters_.written.load(), counters_.current_zoom.load(), /*final=*/true);
    if (error_) std::rethrow_exception(error_);
}

// The pool's counts into the report; commits the tile set when every metatile of the plan is done.
void finish_report(const PoolCounters& k, Sink& sink, TilesReport& report) {
    report.metatiles_rendered = k.rendered.load();
    report.metatiles_skipped = k.skipped.load();
    report.tiles_written = k.written.load();
    report.tiles_empty = k.empty.load();
    report.tiles_uniform = k.uniform.load();
    report.interrupted = g_stop_requested.load();
    const bool all_done = report.metatiles_already_done + report.metatiles_rendered + report.metatiles_skipped == report.metatiles_total;
    if (all_done) {
        sink.with([](auto& w) { w.finish(); });
        report.complete = true;
    }
}

}  // namespace

TilesReport render_tiles(const TilesConfig& c, std::shared_ptr<const render::TileScene> scene, const std::string& default_name) {
    if (!scene) throw std::invalid_argument("render_tiles: the scene is null");
    const int n = metatile_side(c);
    std::vector<render::Metatile> plan;
    TilesReport report = planned_report(c, *scene, n, plan);

    // the options every thread renders with; one renderer here checks the style before anything is written
    render::TileRenderOptions ropt;
    ropt.style_file = c.style_file.empty() ? render::styles_dir() / "tiles.xml" : c.style_file;
    ropt.scale = c.scale;
    ropt.buffer_px = c.buffer_px;
    ropt.image_format = c.image_format;
    std::vector<std::unique_ptr<render::TileRenderer>> renderers;
    renderers.push_back(std::make_unique<render::TileRenderer>(scene, ropt));
    const int buffer_px = renderers.front()->buffer_px();

    const layers::TileSetMetadata meta = tile_set_metadata(c, report, default_name);
    Sink sink(c, meta, tiles_job_key(c, *scene, report, meta, buffer_px, ropt.style_file), report.mbtiles);
    open_sink_report(sink, report);
    std::uint64_t slots_todo = 0;
    const std::vector<render::Metatile> todo = metatiles_to_do(plan, sink, report, slots_todo);

    StopSignals signals;
    const int nthreads = std::max(1, std::min<int>(report.threads, static_cast<int>(std::max<std::size_t>(todo.size(), 1))));
    report.threads = nthreads;
    // one renderer (one mapnik::Map) per thread, all made here: styles are parsed one at a time, never concurrently
    while (static_cast<int>(renderers.size()) < nthreads) renderers.push_back(std::make_unique<render::TileRenderer>(scene, ropt));
    MetatilePool pool(c, *scene, sink, todo, buffer_px);
    const auto t0 = Clock::now();
    pool.run(renderers, slots_todo);
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    finish_report(pool.counters(), sink, report);
    return report;
}

TilesReport tiles_job(const TilesConfig& config, Diagnostics& diag) {
    StageClock clock;
    ProjectState project(config.project_file, diag, clock);
    const auto scene = build_tile_scene(project);
    TilesConfig c = config;
    if (c.attribution.empty()) c.attribution = project.cfg().map.attribution;
    return render_tiles(c, scene, project.cfg().name.empty() ? std::string("GridAtlas") : project.cfg().name);
}

std::string format_tiles(const TilesReport& r) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    out << (r.complete ? "Tiles written: " : "Tiles (incomplete): ") << r.output.string()
        << (r.mbtiles ? " (MBTiles 1.3)" : " (directory, z/x/y" + std::string(r.tile_px == 512 ? "@2x" : "") + ".png)") << "\n";
    out << std::setprecision(5) << "    area " << r.area.west << "," << r.area.south << "," << r.area.east << "," << r.area.north
        << std::setprecision(1) << " (lon/lat), zoom " << r.min_zoom << "–" << r.max_zoom << ", " << r.tile_px << " px tiles, "
        << r.metatile << "×" << r.metatile << " metatiles, " << r.threads << " thread" << (r.threads == 1 ? "" : "s") << "\n";
    out << "    " << r.tiles_planned << " tile slots in " << r.metatiles_total << " metatiles";
    if (r.resumed) out << "; resumed: " << r.metatiles_already_done << " metatiles were already done";
    out << "\n    this run: " << r.metatiles_rendered << " metatiles rendered, " << r.metatiles_skipped
        << " skipped (nothing there), " << r.tiles_written << " tiles written (" << r.tiles_uniform << " one-colour), "
        << r.tiles_empty << " empty tiles not written\n";
    out << "    " << r.seconds << " s, " << r.tiles_per_second() << " tiles/s\n";
    if (!r.note.empty()) out << "    note: " << r.note << "\n";
    if (!r.complete)
        out << "    stopped " << (r.interrupted ? "by a signal" : "early (--max-metatiles)")
            << " — run the same command again to resume" << (r.work_file.empty() ? "" : " (work file " + r.work_file.string() + ")")
            << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
