// gridatlas serve: the web server for grid officers, planners and the wall display (see server/http_server.hpp).
#include <iostream>

#include "command.hpp"
#include "serve.hpp"

namespace gridatlas::cli {

Command add_serve_command(CLI::App& app) {
    auto config = std::make_shared<server::ServeConfig>();
    auto* cmd = app.add_subcommand(
        "serve", "Serve the project in the browser: a map page (Leaflet), a JSON API and tiles, with users and roles "
                 "(officer: their grids' households; planner: every grid's coverage and gaps; wall: the public overview; "
                 "admin). Listens on 127.0.0.1 by default; Ctrl-C or SIGTERM stops it.");
    cmd->add_option("project", config->project_file, "Project file (TOML)")->required();
    cmd->add_option("-u,--users", config->users_file, "Users file (JSON), made with: gridatlas user add <file> <name> --role …")->required();
    cmd->add_option("--host", config->host, "Address to listen on")->capture_default_str();
    cmd->add_option("-p,--port", config->port, "Port (0: a free port, printed at start)")->check(CLI::Range(0, 65535))->capture_default_str();
    cmd->add_option("--tiles", config->tiles_file, "An MBTiles file to serve (from gridatlas tiles); default: render tiles on demand");
    cmd->add_option("--web", config->web_dir, "The built page directory (default: the build's web/)");
    cmd->add_option("--style", config->style_file, "Mapnik style for tiles rendered on demand (default: styles/tiles.xml)");
    cmd->add_option("-j,--threads", config->threads, "Worker threads (requests handled at once; open connections cost no thread)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_option("--max-requests-per-second", config->requests_per_second,
                    "Requests per second from one client address (bursts of 4 s of it); more get 429 with Retry-After; 0: no limit")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    cmd->add_option("--max-connections-per-address", config->connections_per_address,
                    "Open connections from one client address; beyond, its idle ones are closed or the new one gets 429")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--max-connections", config->max_connections, "Open connections in all; beyond, idle ones are closed or the new one gets 503")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--render-threads", config->render_threads, "Tiles rendered at once (on demand)")->check(CLI::Range(1, 64))->capture_default_str();
    cmd->add_option("--min-zoom", config->min_zoom, "Lowest zoom rendered on demand")->check(CLI::Range(0, 22))->capture_default_str();
    cmd->add_option("--max-zoom", config->max_zoom, "Highest zoom rendered on demand")->check(CLI::Range(0, 22))->capture_default_str();
    cmd->add_option("--tile-cache-mb", config->tile_cache_mb, "Memory for rendered tiles, MiB")->check(CLI::Range(1, 65536))->capture_default_str();
    cmd->add_option("--session-minutes", config->session_idle_minutes, "A session ends after this many idle minutes")
        ->check(CLI::Range(1, 24 * 60))
        ->capture_default_str();
    cmd->add_option("--session-hours", config->session_max_hours, "A session ends this many hours after login")
        ->check(CLI::Range(1, 7 * 24))
        ->capture_default_str();
    cmd->add_option("--min-households", config->min_group_households,
                    "k: planners, the wall and admins see no people counts of a grid with fewer households (README: privacy)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_flag("--secure-cookie", config->secure_cookie, "Mark the session cookie Secure (when served through HTTPS)");
    return {cmd, [config](Context& ctx) {
                if (config->min_zoom > config->max_zoom) {
                    std::cerr << "error: --min-zoom is above --max-zoom\n";
                    return 1;
                }
                const int code = server::serve(*config, ctx.warnings, std::cout, std::cerr);
                print_warnings(ctx);
                return code;
            }};
}

}  // namespace gridatlas::cli
