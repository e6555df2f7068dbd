#include "http_server.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <semaphore>
#include <sstream>
#include <thread>

#include "json_text.hpp"
#include "static_files.hpp"

namespace gridatlas::server {

using json = nlohmann::json;

namespace {

constexpr const char* kCookie = "gridatlas_session";
constexpr int kMaxTileZoom = 24;

// Per request, on the worker thread that serves it: what the log line says.
struct RequestLog {
    std::chrono::steady_clock::time_point start;
    std::string user = "-";
    std::string path = "?";   // set by a handler that recognised the path; "?" otherwise
};
thread_local RequestLog t_log;

void send(httplib::Response& res, const ApiResponse& a) {
    res.status = a.status;
    res.set_content(a.body, a.content_type.c_str());
    res.set_header("Cache-Control", "no-store");
}

std::string cookie_token(const httplib::Request& req) {
    const std::size_t n = req.get_header_value_count("Cookie");
    for (std::size_t i = 0; i < n; ++i) {
        const std::string header = req.get_header_value("Cookie", i);
        std::size_t pos = 0;
        while (pos < header.size()) {
            std::size_t end = header.find(';', pos);
            if (end == std::string::npos) end = header.size();
            std::string part = header.substr(pos, end - pos);
            const auto first = part.find_first_not_of(' ');
            part = first == std::string::npos ? "" : part.substr(first);
            const std::string prefix = std::string(kCookie) + "=";
            if (part.rfind(prefix, 0) == 0) return part.substr(prefix.size());
            pos = end + 1;
        }
    }
    return {};
}

std::string now_iso() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool parse_int(const std::string& s, long long max, int& out) {
    if (s.empty() || s.size() > 10) return false;
    long long v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    if (v > max) return false;
    out = static_cast<int>(v);
    return true;
}

}  // namespace

struct HttpServer::Impl {
    struct Account {
        User user;
        Scope scope;
    };

    std::shared_ptr<const ProjectApi> api;
    std::map<std::string, Account> accounts;
    std::shared_ptr<TileSource> tiles;
    ServerOptions options;
    SessionStore sessions;
    StaticFiles page;
    httplib::Server http;
    std::thread thread;
    std::atomic<int> port{0};
    std::atomic<bool> started{false};
    std::string dummy_hash;   // checked against for unknown names, so both take as long
    std::counting_semaphore<64> login_slots;
    std::mutex failures_mutex;
    struct Failures {
        int count = 0;
        std::chrono::steady_clock::time_point first, locked_until;
    };
    std::map<std::string, Failures> failures;

    Impl(std::shared_ptr<const ProjectApi> a, UsersFile users, std::shared_ptr<TileSource> t, ServerOptions o)
        : api(std::move(a)), tiles(std::move(t)), options(std::move(o)), sessions(options.sessions),
          login_slots(std::clamp(options.max_parallel_logins, 1, 64)) {
        if (!api) throw std::invalid_argument("server: no project");
        for (auto& u : users.users) {
            Scope s = api->scope_for(u);
            s.min_households = static_cast<std::size_t>(std::max(1, options.min_group_households));
            const std::string name = u.name;
            accounts.emplace(name, Account{std::move(u), std::move(s)});
        }
        if (!options.log) options.log = [](const std::string& line) { std::cerr << line << '\n'; };
        page = StaticFiles::load(options.web_dir);
        dummy_hash = hash_password("gridatlas-no-such-user-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        routes();
    }

    const Account* authenticate(const httplib::Request& req, httplib::Response& res) {
        const auto user = sessions.touch(cookie_token(req));
        if (user) {
            auto it = accounts.find(*user);
            if (it != accounts.end()) {
                t_log.user = it->first;
                return &it->second;
            }
        }
        send(res, api_error(401));
        return nullptr;
    }

    void set_cookie(httplib::Response& res, const std::string& token, long long max_age) {
        std::string c = std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
        if (options.secure_cookie) c += "; Secure";
        res.set_header("Set-Cookie", c);
    }

    json me_json(const Account& a) const {
        json grids = json::array();
        const Dataset& ds = api->project().ds;
        for (GridId g : a.scope.roots)
            grids.push_back({{"code", ds.grid(g).code}, {"name", ds.grid(g).name}, {"level", ds.levels[ds.grid(g).level].key},
                             {"level_name", ds.levels[ds.grid(g).level].name}});
        const Role r = a.user.role;
        return {{"name", a.user.name}, {"role", to_string(r)}, {"role_name", role_name_zh(r)}, {"grids", grids},
                {"can", {{"buildings", can(r, Capability::buildings)}, {"coverage", can(r, Capability::coverage)},
                         {"search", can(r, Capability::search)}, {"households", can(r, Capability::households)},
                         {"users", can(r, Capability::users)}}}};
    }

    // A grid code or building id in a path is logged only when the project has it.
    void log_path_with(const std::string& prefix, const std::string& param, bool known, const std::string& suffix = "") {
        t_log.path = prefix + (known ? param : std::string("?")) + suffix;
    }
    bool known_grid(const std::string& code) const {
        for (const Grid& g : api->project().ds.grids)
            if (g.code == code) return true;
        return false;
    }
    bool known_building(const std::string& id) const { return api->project().ds.building_by_source_id.count(id) > 0; }

    void login(const httplib::Request& req, httplib::Response& res) {
        t_log.path = "/api/login";
        if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) return send(res, api_error(415));
        json body;
        try {
            body = json::parse(req.body);
        } catch (const json::exception&) {
            return send(res, api_error(400));
        }
        if (!body.is_object() || !body.contains("name") || !body["name"].is_string() || !body.contains("password") ||
            !body["password"].is_string())
            return send(res, api_error(400));
        const std::string name = body["name"].get<std::string>();
        const std::string password = body["password"].get<std::string>();
        if (!valid_user_name(name) || password.size() > 1024) return send(res, api_error(400));
        const auto now = std::chrono::steady_clock::now();
        // Back-off per (address, name): a stranger's wrong passwords never lock the owner out from another address.
        const std::string key = req.remote_addr + '\n' + name;
        {
            std::lock_guard lock(failures_mutex);
            auto it = failures.find(key);
            if (it != failures.end() && it->second.locked_until > now) {
                const auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now).count();
                res.set_header("Retry-After", std::to_string(std::max<long long>(1, wait)));
                return send(res, api_error(429));
            }
        }
        auto it = accounts.find(name);
        bool okay = false;
        login_slots.acquire();
        try {
            okay = verify_password(it == accounts.end() ? dummy_hash : it->second.user.password_hash, password);
        } catch (...) {
            login_slots.release();
            throw;
        }
        login_slots.release();
        okay = okay && it != accounts.end();
        if (!okay) {
            {
                std::lock_guard lock(failures_mutex);
                if (failures.size() > 10000) failures.clear();
                auto& f = failures[key];
                if (f.count == 0 || now - f.first > std::chrono::minutes(10)) f = {0, now, {}};
                if (++f.count >= options.login_failures_before_lock) {
                    f.locked_until = now + std::chrono::minutes(1);
                    f.count = 0;
                }
            }
            options.log(now_iso() + " login failed from " + req.remote_addr);   // never the name or the password
            res.status = 401;
            res.set_content(json_text(json{{"error", "用户名或密码错误"}, {"status", 401}}), "application/json; charset=utf-8");
            res.set_header("Cache-Control", "no-store");
            return;
        }
        {
            std::lock_guard lock(failures_mutex);
            failures.erase(key);
        }
        t_log.user = name;
        const std::string token = sessions.create(name);
        set_cookie(res, token, static_cast<long long>(options.sessions.absolute.count()));
        send(res, {200, json_text(json{{"user", me_json(it->second)}})});
    }

    void routes() {
        auto& s = http;
        s.Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) { login(req, res); });
        s.Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/logout";
            sessions.remove(cookie_token(req));
            set_cookie(res, "", 0);
            send(res, {200, R"({"ok":true})"});
        });
        s.Get("/api/me", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/me";
            if (const Account* a = authenticate(req, res)) send(res, {200, json_text(json{{"user", me_json(*a)}})});
        });
        s.Get("/api/project", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/project";
            const Account* a = authenticate(req, res);
            if (!a) return;
            ApiResponse r = api->project_info(a->scope);
            if (r.status == 200) {
                json j = json::parse(r.body);
                j["tiles"] = tiles ? json{{"url", "/tiles/{z}/{x}/{y}.png"}, {"min_zoom", tiles->min_zoom()}, {"max_zoom", tiles->max_zoom()}}
                                   : json(nullptr);
                r.body = json_text(j);
            }
            send(res, r);
        });
        s.Get("/api/users", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/users";
            const Account* a = authenticate(req, res);
            if (!a) return;
            if (!can(a->user.role, Capability::users)) return send(res, api_error(403));
            json list = json::array();
            for (const auto& [name, acc] : accounts)
                list.push_back({{"name", name}, {"role", to_string(acc.user.role)}, {"role_name", role_name_zh(acc.user.role)},
                                {"grids", acc.user.grids}});
            send(res, {200, json_text(json{{"users", list}})});
        });
        s.Get("/api/grids", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/grids";
            if (const Account* a = authenticate(req, res)) send(res, api->grid_list(a->scope, req.get_param_value("level")));
        });
        s.Get("/api/grids\\.geojson", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/grids.geojson";
            if (const Account* a = authenticate(req, res)) send(res, api->grid_geojson(a->scope, req.get_param_value("level")));
        });
        s.Get("/api/grids/([^/]+)", [this](const httplib::Request& req, httplib::Response& res) {
            const std::string code = req.matches[1];
            log_path_with("/api/grids/", code, known_grid(code));
            if (const Account* a = authenticate(req, res)) send(res, api->grid_detail(a->scope, code));
        });
        s.Get("/api/grids/([^/]+)/(buildings|households|central)", [this](const httplib::Request& req, httplib::Response& res) {
            const std::string code = req.matches[1], what = req.matches[2];
            log_path_with("/api/grids/", code, known_grid(code), "/" + what);
            const Account* a = authenticate(req, res);
            if (!a) return;
            if (what == "buildings") send(res, api->grid_buildings(a->scope, code));
            else if (what == "households") send(res, api->grid_households(a->scope, code));
            else send(res, api->central_households(a->scope, code));
        });
        s.Get("/api/buildings/([^/]+)", [this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = req.matches[1];
            log_path_with("/api/buildings/", id, known_building(id));
            if (const Account* a = authenticate(req, res)) send(res, api->building_detail(a->scope, id));
        });
        s.Get("/api/coverage", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/coverage";
            if (const Account* a = authenticate(req, res))
                send(res, api->coverage(a->scope, req.get_param_value("kind"), req.get_param_value("level")));
        });
        s.Get("/api/gaps", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/gaps";
            if (const Account* a = authenticate(req, res))
                send(res, api->gaps(a->scope, req.get_param_value("kind"), req.get_param_value("grid")));
        });
        s.Get("/api/search", [this](const httplib::Request& req, httplib::Response& res) {
            t_log.path = "/api/search";
            if (const Account* a = authenticate(req, res)) send(res, api->search(a->scope, req.get_param_value("q")));
        });
        s.Get("/api/.*", [](const httplib::Request&, httplib::Response& res) { send(res, api_error(404)); });
        s.Post(".*", [](const httplib::Request&, httplib::Response& res) { send(res, api_error(404)); });
        s.Get("/tiles/([0-9]{1,10})/([0-9]{1,10})/([0-9]{1,10})\\.png", [this](const httplib::Request& req, httplib::Response& res) {
            tile(req, res);
        });
        s.Get("/tiles/.*", [](const httplib::Request&, httplib::Response& res) { send(res, api_error(400)); });
        s.Get("(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
            const StaticFile* f = page.find(req.path);
            if (!f) {
                if (req.path == "/" && page.empty()) {
                    t_log.path = "/";
                    res.status = 503;
                    res.set_content("网页尚未构建：请在构建目录运行 cmake --build（需要 npm 安装 Leaflet），或用 --web 指定网页目录。\n",
                                    "text/plain; charset=utf-8");
                    return;
                }
                return send(res, api_error(404));
            }
            t_log.path = req.path;
            res.set_content(f->content, f->content_type.c_str());
            res.set_header("Cache-Control", "no-cache");
        });
    }

    void tile(const httplib::Request& req, httplib::Response& res) {
        t_log.path = "/tiles/?";
        int z = 0, x = 0, y = 0;
        if (!parse_int(req.matches[1], 1000, z) || !parse_int(req.matches[2], 1LL << 30, x) || !parse_int(req.matches[3], 1LL << 30, y))
            return send(res, api_error(400));
        if (z > kMaxTileZoom) return send(res, api_error(400));
        const long long n = 1LL << z;
        if (x >= n || y >= n) return send(res, api_error(400));
        t_log.path = "/tiles/" + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y) + ".png";
        if (!authenticate(req, res)) return;
        if (!tiles || z < tiles->min_zoom() || z > tiles->max_zoom()) return send(res, api_error(404));
        const auto png = tiles->tile(z, x, y);
        res.set_content(png ? *png : transparent_png(), png ? tiles->content_type().c_str() : "image/png");
        res.set_header("Cache-Control", "private, max-age=3600");
    }

    void configure() {
        auto& s = http;
        const int threads = std::max(1, options.threads);
        s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
        s.set_payload_max_length(options.max_body_bytes);
        s.set_tcp_nodelay(true);   // small JSON answers and tiles: do not wait 40 ms for a delayed ACK (Nagle)
        s.set_keep_alive_max_count(1000);
        s.set_keep_alive_timeout(5);
        s.set_read_timeout(10, 0);
        s.set_write_timeout(10, 0);
        s.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                               {"X-Frame-Options", "DENY"},
                               {"Referrer-Policy", "no-referrer"},
                               {"Cross-Origin-Opener-Policy", "same-origin"},
                               {"Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}});
        s.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
            t_log = RequestLog{};
            t_log.start = std::chrono::steady_clock::now();
            return httplib::Server::HandlerResponse::Unhandled;
        });
        s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            send(res, api_error(res.status));
            return httplib::Server::HandlerResponse::Handled;
        }));
        s.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown exception";
            try {
                if (ep) std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            options.log(now_iso() + " error while serving " + t_log.path + ": " + what);
            send(res, api_error(500));
        });
        s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            const auto ms = t_log.start.time_since_epoch().count() == 0
                                ? 0.0
                                : std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_log.start).count();
            std::ostringstream line;
            line.setf(std::ios::fixed);
            line.precision(1);
            std::string method = req.method.size() <= 8 ? req.method : req.method.substr(0, 8);
            for (auto& c : method) if (c < 'A' || c > 'Z') c = '?';
            line << now_iso() << ' ' << req.remote_addr << ' ' << t_log.user << ' ' << method << ' ' << t_log.path << ' ' << res.status
                 << ' ' << res.body.size() << ' ' << ms << "ms";
            options.log(line.str());
            if (take_invalid_text_note())
                options.log(now_iso() + " warning: the answer to " + t_log.path + " held data text that is not valid UTF-8 (a roster "
                            "or layer in GBK?); the invalid bytes were sent as U+FFFD. Convert the source file to UTF-8.");
            t_log = RequestLog{};   // a malformed request skips the pre-routing handler: start it clean
        });
    }
};

HttpServer::HttpServer(std::shared_ptr<const ProjectApi> api, UsersFile users, std::shared_ptr<TileSource> tiles, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(api), std::move(users), std::move(tiles), std::move(options))) {
    impl_->configure();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start() {
    if (impl_->started) return impl_->port;
    auto& s = impl_->http;
    int port = impl_->options.port;
    if (port == 0) {
        port = s.bind_to_any_port(impl_->options.host);
        if (port < 0) throw std::runtime_error("cannot bind " + impl_->options.host + " on a free port");
    } else if (!s.bind_to_port(impl_->options.host, port)) {
        throw std::runtime_error("cannot listen on " + impl_->options.host + ":" + std::to_string(port) +
                                 " (in use, or not an address of this machine)");
    }
    impl_->port = port;
    impl_->started = true;
    impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
    // stop() only works once the listening loop runs: wait for it (a few milliseconds).
    for (int i = 0; i < 5000 && !impl_->http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return port;
}

void HttpServer::stop() {
    if (!impl_ || !impl_->started) return;
    impl_->http.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
    impl_->started = false;
}

bool HttpServer::running() const { return impl_->started && impl_->http.is_running(); }
int HttpServer::port() const { return impl_->port; }
std::string HttpServer::url() const {
    const std::string& h = impl_->options.host;
    const std::string host = h.find(':') != std::string::npos ? "[" + h + "]" : h == "0.0.0.0" ? "127.0.0.1" : h;
    return "http://" + host + ":" + std::to_string(impl_->port);
}
SessionStore& HttpServer::sessions() { return impl_->sessions; }
std::size_t HttpServer::page_files() const { return impl_->page.size(); }

}  // namespace gridatlas::server
