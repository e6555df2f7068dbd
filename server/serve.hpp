// `gridatlas serve`: load and measure the project, read the users, open the tiles, start the server, and run until
// SIGINT or SIGTERM, then stop cleanly (requests being served finish; sessions end with the process).
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>

#include "model/diagnostics.hpp"

namespace gridatlas::server {

struct ServeConfig {
    std::filesystem::path project_file;
    std::filesystem::path users_file;
    std::filesystem::path tiles_file;       // an .mbtiles file; empty: render tiles on demand
    std::filesystem::path web_dir;          // empty: <dir of the gridatlas binary>/../web, else the build's web/
    std::filesystem::path style_file;       // for tiles rendered on demand; empty: styles/tiles.xml
    std::string host = "127.0.0.1";
    int port = 8080;                        // 0: a free port (printed)
    int threads = 8;                        // request workers (connections cost none)
    double requests_per_second = 100;       // per client address, bursts of 4 s of it allowed; 0: no limit
    int connections_per_address = 32;
    int max_connections = 1000;
    int render_threads = 2;
    int min_zoom = 0, max_zoom = 19;        // for tiles rendered on demand
    std::size_t tile_cache_mb = 64;
    int session_idle_minutes = 30;
    int session_max_hours = 8;
    bool secure_cookie = false;
    int min_group_households = 5;           // k of the privacy policy (README)
};

// The default page directory (see ServeConfig::web_dir).
std::filesystem::path default_web_dir();

// Blocks until SIGINT/SIGTERM. Prints where it listens to `out` ("listening on http://127.0.0.1:8080") and one log
// line per request to `log`. Throws DataError for a bad project or users file (a user's unknown grid code included),
// std::runtime_error when the address cannot be bound. Returns the exit code (0).
int serve(const ServeConfig& config, Diagnostics& diag, std::ostream& out, std::ostream& log);

}  // namespace gridatlas::server
