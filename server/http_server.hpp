// The HTTP server: the routes of `gridatlas serve` on an event-driven transport (http_transport.hpp: Boost.Beast, a
// pool of worker threads, per-address limits), in front of the JSON API, the tiles and the web page. Password checks
// (Argon2id) run on their own small pool with a bounded queue: a login that finds it full gets 503 with Retry-After
// at once, and no login ever holds a request worker. After an officer's login, one background thread makes the answers
// their page asks for first (ProjectApi::warm), so those requests are copies of kept answers. Every request but the page's files and the login is checked against a server-side session;
// every API answer is cut to the session user's scope (project_api.hpp). Logs one line per request — time, client,
// user, method, path, status, bytes, milliseconds — with the path shown only when it is a route with a known grid,
// building or file (otherwise "?"), and never the query string or the body: nothing a person typed or a resident's
// data reaches the log.
//
// Routes (all answers JSON unless said otherwise; errors are {"error": "<fixed Chinese sentence>", "status": n}):
//   POST /api/login {"name","password"}   → sets the session cookie      POST /api/logout
//   GET  /api/me                          GET /api/project               GET /api/users (admin)
//   GET  /api/grids?level=                GET /api/grids.geojson?level=  GET /api/grids/<code>
//   GET  /api/grids/<code>/buildings      GET /api/grids/<code>/households   GET /api/grids/<code>/central
//   GET  /api/buildings/<id>              GET /api/coverage?kind=&level= GET /api/gaps?kind=&grid=
//   GET  /api/search?q=                   GET /tiles/<z>/<x>/<y>.png     GET /, /app.js, /leaflet/… (the page)
#pragma once
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "client_limits.hpp"
#include "project_api.hpp"
#include "sessions.hpp"
#include "tile_source.hpp"
#include "users.hpp"

namespace gridatlas::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;                               // 0: any free port (see HttpServer::port())
    int threads = 8;                               // worker threads (handlers; connections cost no thread)
    std::size_t max_body_bytes = 16 * 1024;        // larger request bodies get 413
    std::chrono::milliseconds header_timeout{10000};   // a request's header must arrive whole within this
    std::chrono::milliseconds idle_timeout{5000};      // a keep-alive connection asking nothing is closed after this
    ClientLimitOptions limits;                     // connections and requests per second, per address and in all
    SessionLimits sessions;
    bool secure_cookie = false;                    // add "Secure" to the cookie (behind a TLS proxy)
    int max_parallel_logins = 2;                   // Argon2id checks at once (64 MiB each)
    int login_queue = 8;                           // checks waiting beyond those; a login finding it full gets 503
    LoginLimitOptions login_limits;                // back-off per (address, name), budget per address
    int min_group_households = 5;                  // k: smaller groups' people counts are suppressed but for officers
    std::filesystem::path web_dir;                 // the built page (<build>/web); empty or missing: API and tiles only
    std::function<void(const std::string&)> log;   // one line per request; default: stderr
};

class HttpServer {
public:
    // `tiles` may be null (tile requests then get 404). Throws std::invalid_argument when a user's grid code is not
    // in the project (the message names the user and the code).
    HttpServer(std::shared_ptr<const ProjectApi> api, UsersFile users, std::shared_ptr<TileSource> tiles, ServerOptions options);
    ~HttpServer();   // stops
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts serving on a background thread; returns the port. Throws std::runtime_error when the address
    // cannot be bound.
    int start();
    // Stops accepting, lets the requests being served finish, joins the threads. Safe to call twice.
    void stop();
    bool running() const;
    int port() const;
    std::string url() const;   // http://host:port
    SessionStore& sessions();
    std::size_t page_files() const;
    int open_connections() const;                              // now, in all
    int open_connections(const std::string& address) const;   // now, from `address`

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridatlas::server
