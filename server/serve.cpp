// `gridatlas serve` from its config (serve.hpp): measures the project, reads the users, opens or renders the tiles,
// starts the HTTP server and waits for SIGINT/SIGTERM to stop it cleanly.
#include "serve.hpp"

#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <mutex>

#include "http_server.hpp"
#include "project_state.hpp"
#include "stage_clock.hpp"
#include "tiles_job.hpp"

namespace gridatlas::server {

std::filesystem::path default_web_dir() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = exe.parent_path().parent_path() / "web";
        if (std::filesystem::is_regular_file(beside / "index.html", ec)) return beside;
    }
    return GRIDATLAS_BUILD_WEB_DIR;
}

namespace {

UsersFile users_of(const ServeConfig& c) {
    const SourceLocation users_at{c.users_file.string(), "", "", {}, {}};
    UsersFile users;
    try {
        users = read_users(c.users_file);
    } catch (const std::runtime_error& e) {
        throw DataError({Severity::error, "bad_users_file", users_at, e.what(),
                         "create it with: gridatlas user add " + c.users_file.string() + " <name> --role officer --grids <code>"});
    }
    if (users.users.empty())
        throw DataError({Severity::error, "no_users", users_at, "the users file has no users",
                         "add one with: gridatlas user add " + c.users_file.string() + " <name> --role admin"});
    return users;
}

// The tiles: a pre-rendered MBTiles file, or the public overview rendered on demand.
std::shared_ptr<TileSource> tiles_of(const ServeConfig& c, const ProjectApi& api) {
    if (!c.tiles_file.empty()) return open_mbtiles(c.tiles_file);
    RenderedTilesOptions o;
    o.min_zoom = c.min_zoom;
    o.max_zoom = c.max_zoom;
    o.renderers = c.render_threads;
    o.cache_bytes = c.tile_cache_mb << 20;
    o.style_file = c.style_file;
    return rendered_tiles(pipeline::build_tile_scene(api.project(), static_cast<std::size_t>(std::max(1, c.min_group_households))), o);
}

ServerOptions options_of(const ServeConfig& c, std::ostream& log) {
    ServerOptions o;
    o.host = c.host;
    o.port = c.port;
    o.threads = c.threads;
    o.limits.requests_per_second = c.requests_per_second;
    o.limits.request_burst = std::max(1.0, 4 * c.requests_per_second);
    o.limits.connections_per_address = c.connections_per_address;
    o.limits.max_connections = c.max_connections;
    o.secure_cookie = c.secure_cookie;
    o.min_group_households = c.min_group_households;
    o.sessions.idle = std::chrono::minutes(std::max(1, c.session_idle_minutes));
    o.sessions.absolute = std::chrono::hours(std::max(1, c.session_max_hours));
    o.web_dir = c.web_dir.empty() ? default_web_dir() : c.web_dir;
    auto log_mutex = std::make_shared<std::mutex>();
    o.log = [&log, log_mutex](const std::string& line) {
        std::lock_guard lock(*log_mutex);
        log << line << '\n' << std::flush;
    };
    return o;
}

// Waits for SIGINT/SIGTERM (blocked in every thread, taken here) or for the server to stop by itself; the signal, or 0.
int wait_for_stop(const sigset_t& stop_signals, const HttpServer& server) {
    while (true) {
        timespec wait{0, 200 * 1000 * 1000};
        const int s = sigtimedwait(&stop_signals, nullptr, &wait);
        if (s == SIGINT || s == SIGTERM) return s;
        if (!server.running()) return 0;
    }
}

}  // namespace

int serve(const ServeConfig& c, Diagnostics& diag, std::ostream& out, std::ostream& log) {
    // Block SIGINT/SIGTERM before any thread starts, so every thread inherits the mask and this one takes them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    const UsersFile users = users_of(c);
    pipeline::StageClock clock;
    out << "loading " << c.project_file.string() << " …" << std::endl;
    auto api = std::make_shared<const ProjectApi>(pipeline::measure_project(c.project_file, diag, clock));
    std::shared_ptr<TileSource> tiles = tiles_of(c, *api);
    const ServerOptions o = options_of(c, log);
    std::unique_ptr<HttpServer> server;
    try {
        server = std::make_unique<HttpServer>(api, users, tiles, o);
    } catch (const std::invalid_argument& e) {
        throw DataError({Severity::error, "unknown_grid", {c.users_file.string(), "", "", {}, {}}, e.what(),
                         "fix the user's --grids with gridatlas user add --replace"});
    }
    server->start();
    out << "GridAtlas server: " << api->project().cfg.name << "\n"
        << "  users " << users.users.size() << ", tiles " << tiles->describe() << "\n"
        << "  page " << (server->page_files() ? o.web_dir.string() : std::string("(not built: API and tiles only)")) << "\n";
    if (c.host != "127.0.0.1" && c.host != "localhost" && c.host != "::1")
        out << "  note: listening beyond loopback; put it behind a TLS proxy and use --secure-cookie\n";
    out << "listening on " << server->url() << "  (Ctrl-C stops)" << std::endl;

    const int signal_number = wait_for_stop(stop_signals, *server);
    out << (signal_number ? "stopping (signal " + std::to_string(signal_number) + ") …" : std::string("the server stopped")) << std::endl;
    server->stop();
    out << "stopped" << std::endl;
    return signal_number ? 0 : 3;
}

}  // namespace gridatlas::server
