// The routes of `gridatlas serve` (http_server.hpp) on the event-driven transport (http_transport.hpp).
#include "http_server.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "bounded_pool.hpp"
#include "http_transport.hpp"
#include "json_text.hpp"
#include "static_files.hpp"

namespace gridatlas::server {

using json = nlohmann::json;

namespace {

constexpr const char* kCookie = "gridatlas_session";
constexpr int kMaxTileZoom = 24;
constexpr int kHashingNice = 10;
constexpr std::size_t kChecksWaitingPerAddress = 16;   // password checks yield the CPU to the request workers
constexpr std::size_t kWarmingQueue = 4;               // logins beyond it find their answers made on first request

void send(HttpResponse& res, ApiResponse a) {
    if (a.invalid_text) note_invalid_text();   // made on another thread, or earlier: finish() logs it for this request
    res.status = a.status;
    res.shared_body = std::move(a.body);
    res.content_type = a.content_type;
    res.set_header("Cache-Control", "no-store");
}

std::string cookie_token(const HttpRequest& req) {
    for (const std::string& header : req.header_values("Cookie")) {
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

// One request on its way through a route: the request, the answer being made, the route's captures.
struct Call {
    const HttpRequest& req;
    HttpResponse& res;
    std::vector<std::string> matches;
};

// A password check waiting for its turn: `run` checks and answers; `busy` answers 503 when the pool is full.
struct Check {
    std::function<void()> run, busy;
};

struct Route {
    std::string method;
    std::regex pattern;
    std::function<void(Call&)> handle;
};

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
    std::vector<Route> table;
    std::string dummy_hash;   // checked against for unknown names, so both take as long
    LoginThrottle throttle;
    std::mutex checks_mutex;
    std::unordered_map<std::string, std::deque<Check>> checks;   // per address: the front one is in the pool
    std::unique_ptr<HttpTransport> transport;
    BoundedPool hashing;      // after the transport: its jobs end (answering into the stopped transport) before it goes
    BoundedPool warming;      // ProjectApi::warm after an officer's login: one thread, at the hashing's lower priority

    Impl(std::shared_ptr<const ProjectApi> a, UsersFile users, std::shared_ptr<TileSource> t, ServerOptions o)
        : api(std::move(a)), tiles(std::move(t)), options(std::move(o)), sessions(options.sessions), throttle(options.login_limits),
          transport(), hashing(std::clamp(options.max_parallel_logins, 1, 64), static_cast<std::size_t>(std::max(0, options.login_queue)), kHashingNice),
          warming(1, kWarmingQueue, kHashingNice) {
        if (!api) throw std::invalid_argument("server: no project");
        for (auto& u : users.users) {
            Scope s = api->scope_for(u);
            s.min_households = static_cast<std::size_t>(std::max(1, options.min_group_households));
            const std::string name = u.name;
            accounts.emplace(name, Account{std::move(u), std::move(s)});
        }
        if (!options.log) options.log = [](const std::string& line) { std::cerr << (line + '\n'); };   // one write a line
        page = StaticFiles::load(options.web_dir);
        dummy_hash = hash_password("gridatlas-no-such-user-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        routes();
        transport = std::make_unique<HttpTransport>(transport_options(), [this](HttpRequest&& req, Responder done) { handle(std::move(req), std::move(done)); });
    }

    TransportOptions transport_options() {
        TransportOptions t;
        t.host = options.host;
        t.port = options.port;
        t.workers = std::max(1, options.threads);
        t.max_body_bytes = options.max_body_bytes;
        t.header_timeout = options.header_timeout;
        t.idle_timeout = options.idle_timeout;
        t.limits = options.limits;
        t.default_headers = {{"X-Content-Type-Options", "nosniff"},
                             {"X-Frame-Options", "DENY"},
                             {"Referrer-Policy", "no-referrer"},
                             {"Cross-Origin-Opener-Policy", "same-origin"},
                             {"Content-Security-Policy",
                              "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
                              "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}};
        t.on_answer = [this](const std::string& addr, const std::string& method, const HttpResponse& res, std::size_t bytes, double ms) {
            log_answer(addr, method, res, bytes, ms);
        };
        t.log = [this](const std::string& line) { options.log(now_iso() + " " + line); };
        return t;
    }

    // One line per answer: time, client, user, method, path (as the route allows it logged), status, bytes, ms.
    void log_answer(const std::string& addr, const std::string& method_sent, const HttpResponse& res, std::size_t bytes, double ms) const {
        std::ostringstream line;
        line.setf(std::ios::fixed);
        line.precision(1);
        std::string method = method_sent.size() <= 8 ? method_sent : method_sent.substr(0, 8);
        for (auto& c : method) if (c < 'A' || c > 'Z') c = '?';
        line << now_iso() << ' ' << addr << ' ' << res.log_user << ' ' << method << ' ' << res.log_path << ' ' << res.status << ' '
             << bytes << ' ' << ms << "ms";
        options.log(line.str());
    }

    // On a worker thread: the route's answer, or the login's once its password check is done.
    void handle(HttpRequest&& req, Responder done) {
        if (req.method == "POST" && req.path == "/api/login") return login(std::move(req), std::move(done));
        HttpResponse res;
        try {
            route(req, res);
        } catch (const std::exception& e) {
            options.log(now_iso() + " error while serving " + res.log_path + ": " + e.what());
            HttpResponse failed;   // nothing of what was made so far, the log's user and path kept
            failed.status = 500;
            failed.log_user = res.log_user;
            failed.log_path = res.log_path;
            res = std::move(failed);
        }
        finish(res);
        done(std::move(res));
    }

    // Errors without a body get the API's JSON error; a note on invalid text in the answer becomes a log warning.
    void finish(HttpResponse& res) {
        if (res.status >= 400 && !res.has_body()) send(res, api_error(res.status));
        if (take_invalid_text_note())
            options.log(now_iso() + " warning: the answer to " + res.log_path + " held data text that is not valid UTF-8 (a roster "
                        "or layer in GBK?); the invalid bytes were sent as U+FFFD. Convert the source file to UTF-8.");
    }

    void route(const HttpRequest& req, HttpResponse& res) {
        bool path_known = false;
        for (const Route& r : table) {
            std::smatch m;
            if (!std::regex_match(req.path, m, r.pattern)) continue;
            path_known = true;
            if (r.method != req.method) continue;
            Call call{req, res, {}};
            for (const auto& sub : m) call.matches.push_back(sub.str());
            return r.handle(call);
        }
        res.status = path_known ? 405 : 404;
    }

    void on(const std::string& method, const std::string& pattern, std::function<void(Call&)> handle) {
        table.push_back({method, std::regex(pattern), std::move(handle)});
    }

    const Account* authenticate(const HttpRequest& req, HttpResponse& res) {
        const auto user = sessions.touch(cookie_token(req));
        if (user) {
            auto it = accounts.find(*user);
            if (it != accounts.end()) {
                res.log_user = it->first;
                return &it->second;
            }
        }
        send(res, api_error(401));
        return nullptr;
    }

    void set_cookie(HttpResponse& res, const std::string& token, long long max_age) {
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
    static void log_path_with(HttpResponse& res, const std::string& prefix, const std::string& param, bool known, const std::string& suffix = "") {
        res.log_path = prefix + (known ? param : std::string("?")) + suffix;
    }
    bool known_grid(const std::string& code) const {
        for (const Grid& g : api->project().ds.grids)
            if (g.code == code) return true;
        return false;
    }
    bool known_building(const std::string& id) const { return api->project().ds.building_by_source_id.count(id) > 0; }

    void answer(HttpResponse res, const Responder& done) {
        finish(res);
        done(std::move(res));
    }

    // Checks the request and the throttle here; the password on the hashing pool, which answers through `done`.
    void login(HttpRequest&& req, Responder done) {
        HttpResponse res;
        res.log_path = "/api/login";
        if (req.header("Content-Type").rfind("application/json", 0) != 0) return send(res, api_error(415)), answer(std::move(res), done);
        json body;
        try {
            body = json::parse(req.body);
        } catch (const json::exception&) {
            return send(res, api_error(400)), answer(std::move(res), done);
        }
        if (!body.is_object() || !body.contains("name") || !body["name"].is_string() || !body.contains("password") ||
            !body["password"].is_string())
            return send(res, api_error(400)), answer(std::move(res), done);
        std::string name = body["name"].get<std::string>();
        std::string password = body["password"].get<std::string>();
        if (!valid_user_name(name) || password.size() > 1024) return send(res, api_error(400)), answer(std::move(res), done);
        if (const long long wait = throttle.blocked(req.remote_addr, name, std::chrono::steady_clock::now())) {
            res.set_header("Retry-After", std::to_string(wait));
            return send(res, api_error(429)), answer(std::move(res), done);
        }
        Check check;
        check.run = [this, addr = req.remote_addr, name, password = std::move(password), done, res]() mutable {
            const auto it = accounts.find(name);
            bool okay = false;
            try {
                okay = verify_password(it == accounts.end() ? dummy_hash : it->second.user.password_hash, password) && it != accounts.end();
            } catch (const std::exception& e) {
                options.log(now_iso() + " error while checking a password: " + e.what());
                res.status = 500;
                return answer(std::move(res), done);
            }
            login_checked(addr, name, okay, res);
            answer(std::move(res), done);
        };
        check.busy = [this, done, res]() mutable {   // every check slot taken and the pool's queue full: never a wait
            res.set_header("Retry-After", "1");
            send(res, api_error(503));
            answer(std::move(res), done);
        };
        if (!queue_check(req.remote_addr, std::move(check))) {   // this address already has its share waiting
            res.set_header("Retry-After", "1");
            return send(res, api_error(429)), answer(std::move(res), done);
        }
    }

    // Password checks take turns per address: one of an address's checks is in the hashing pool at a time, and up to
    // kChecksWaitingPerAddress more wait here (holding no thread). One address's flood thus never fills the pool's
    // queue ahead of other addresses' logins, and people behind one address (an office) still all get in.
    bool queue_check(const std::string& addr, Check check) {
        {
            std::lock_guard lock(checks_mutex);
            auto& q = checks[addr];
            if (q.size() > kChecksWaitingPerAddress) return false;
            q.push_back(std::move(check));
            if (q.size() > 1) return true;   // its turn comes when the one before it ends
        }
        start_check(addr);
        return true;
    }
    void start_check(const std::string& addr) {
        while (true) {
            std::function<void()> job, busy;
            {
                std::lock_guard lock(checks_mutex);
                Check& c = checks.at(addr).front();
                job = [this, addr, run = c.run] {
                    run();
                    end_check(addr);
                };
                busy = c.busy;
            }
            if (hashing.try_post(job)) return;
            busy();
            std::lock_guard lock(checks_mutex);
            auto& q = checks.at(addr);
            q.pop_front();
            if (q.empty()) return (void)checks.erase(addr);
        }
    }
    void end_check(const std::string& addr) {
        {
            std::lock_guard lock(checks_mutex);
            auto& q = checks.at(addr);
            q.pop_front();
            if (q.empty()) return (void)checks.erase(addr);
        }
        start_check(addr);
    }

    void login_checked(const std::string& addr, const std::string& name, bool okay, HttpResponse& res) {
        if (!okay) {
            throttle.failed(addr, name, std::chrono::steady_clock::now());
            options.log(now_iso() + " login failed from " + addr);   // never the name or the password
            res.status = 401;
            res.body = json_text(json{{"error", "用户名或密码错误"}, {"status", 401}});
            res.content_type = "application/json; charset=utf-8";
            res.set_header("Cache-Control", "no-store");
            return;
        }
        throttle.succeeded(addr, name);
        warm(accounts.at(name));
        res.log_user = name;
        const std::string token = sessions.create(name);
        set_cookie(res, token, static_cast<long long>(options.sessions.absolute.count()));
        send(res, {200, json_text(json{{"user", me_json(accounts.at(name))}})});
    }

    // An officer's first answers are made now, in the background, rather than on their first requests. A full queue
    // skips it: the answers are then made on first request (once, however many ask).
    void warm(const Account& a) {
        if (!can(a.user.role, Capability::households)) return;
        std::function<void()> job = [this, scope = &a.scope] {
            if (!transport->running()) return;   // stopping: not worth it
            try {
                const auto t0 = std::chrono::steady_clock::now();
                const auto w = api->warm(*scope);
                const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                std::ostringstream line;   // counts only: which officer or grid is not logged here
                line.setf(std::ios::fixed);
                line.precision(1);
                line << now_iso() << " prepared an officer's answers after login: " << w.answers << " answers, " << w.bytes / 1024
                     << " kB, " << ms << " ms";
                options.log(line.str());
            } catch (const std::exception& e) {
                options.log(now_iso() + " warning: preparing an officer's answers failed: " + e.what());
            }
        };
        warming.try_post(job);
    }

    void routes() {
        on("POST", "/api/logout", [this](Call& c) {
            c.res.log_path = "/api/logout";
            sessions.remove(cookie_token(c.req));
            set_cookie(c.res, "", 0);
            send(c.res, {200, R"({"ok":true})"});
        });
        on("GET", "/api/me", [this](Call& c) {
            c.res.log_path = "/api/me";
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, {200, json_text(json{{"user", me_json(*a)}})});
        });
        on("GET", "/api/project", [this](Call& c) {
            c.res.log_path = "/api/project";
            const Account* a = authenticate(c.req, c.res);
            if (!a) return;
            ApiResponse r = api->project_info(a->scope);
            if (r.status == 200) {
                json j = json::parse(r.text());
                j["tiles"] = tiles_json();
                r.body = std::make_shared<const std::string>(json_text(j));
            }
            send(c.res, r);
        });
        on("GET", "/api/users", [this](Call& c) {
            c.res.log_path = "/api/users";
            const Account* a = authenticate(c.req, c.res);
            if (!a) return;
            if (!can(a->user.role, Capability::users)) return send(c.res, api_error(403));
            json list = json::array();
            for (const auto& [name, acc] : accounts)
                list.push_back({{"name", name}, {"role", to_string(acc.user.role)}, {"role_name", role_name_zh(acc.user.role)},
                                {"grids", acc.user.grids}});
            send(c.res, {200, json_text(json{{"users", list}})});
        });
        on("GET", "/api/grids", [this](Call& c) {
            c.res.log_path = "/api/grids";
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, api->grid_list(a->scope, c.req.param("level")));
        });
        on("GET", "/api/grids\\.geojson", [this](Call& c) {
            c.res.log_path = "/api/grids.geojson";
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, api->grid_geojson(a->scope, c.req.param("level")));
        });
        on("GET", "/api/grids/([^/]+)", [this](Call& c) {
            const std::string code = c.matches[1];
            log_path_with(c.res, "/api/grids/", code, known_grid(code));
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, api->grid_detail(a->scope, code));
        });
        on("GET", "/api/grids/([^/]+)/(buildings|households|central)", [this](Call& c) {
            const std::string code = c.matches[1], what = c.matches[2];
            log_path_with(c.res, "/api/grids/", code, known_grid(code), "/" + what);
            const Account* a = authenticate(c.req, c.res);
            if (!a) return;
            if (what == "buildings") send(c.res, api->grid_buildings(a->scope, code));
            else if (what == "households") send(c.res, api->grid_households(a->scope, code));
            else send(c.res, api->central_households(a->scope, code));
        });
        on("GET", "/api/buildings/([^/]+)", [this](Call& c) {
            const std::string id = c.matches[1];
            log_path_with(c.res, "/api/buildings/", id, known_building(id));
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, api->building_detail(a->scope, id));
        });
        on("GET", "/api/coverage", [this](Call& c) {
            c.res.log_path = "/api/coverage";
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, api->coverage(a->scope, c.req.param("kind"), c.req.param("level")));
        });
        on("GET", "/api/gaps", [this](Call& c) {
            c.res.log_path = "/api/gaps";
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, api->gaps(a->scope, c.req.param("kind"), c.req.param("grid")));
        });
        on("GET", "/api/search", [this](Call& c) {
            c.res.log_path = "/api/search";
            if (const Account* a = authenticate(c.req, c.res)) send(c.res, api->search(a->scope, c.req.param("q")));
        });
        on("GET", "/api/.*", [](Call& c) { send(c.res, api_error(404)); });
        on("POST", ".*", [](Call& c) { send(c.res, api_error(404)); });
        on("GET", "/tiles/(plain/)?([0-9]{1,10})/([0-9]{1,10})/([0-9]{1,10})(@2x)?\\.png", [this](Call& c) { tile(c); });
        on("GET", "/tiles/.*", [](Call& c) { send(c.res, api_error(400)); });
        on("GET", "(/.*)", [this](Call& c) { page_file(c); });
    }

    void page_file(Call& c) {
        const StaticFile* f = page.find(c.req.path);
        if (!f) {
            if (c.req.path == "/" && page.empty()) {
                c.res.log_path = "/";
                c.res.status = 503;
                c.res.body = "网页尚未构建：请在构建目录运行 cmake --build（需要 npm 安装 Leaflet），或用 --web 指定网页目录。\n";
                c.res.content_type = "text/plain; charset=utf-8";
                return;
            }
            return send(c.res, api_error(404));
        }
        c.res.log_path = c.req.path;
        c.res.body = f->content;
        c.res.content_type = f->content_type;
        c.res.set_header("Cache-Control", "no-cache");
    }

    // Where the page finds tiles: `url` for 256 px tiles, `url_2x` for 512 px, `plain_url_2x` for 512 px without grid
    // and community names (the wall names them itself), each when the source has it; null without tiles.
    json tiles_json() const {
        if (!tiles) return nullptr;
        json t{{"min_zoom", tiles->min_zoom()}, {"max_zoom", tiles->max_zoom()}};
        if (tiles->has({1, true})) t["url"] = "/tiles/{z}/{x}/{y}.png";
        if (tiles->has({2, true})) t["url_2x"] = "/tiles/{z}/{x}/{y}@2x.png";
        if (tiles->has({2, false})) t["plain_url_2x"] = "/tiles/plain/{z}/{x}/{y}@2x.png";
        return t;
    }

    // /tiles/[plain/]z/x/y[@2x].png: matches 1 "plain/", 2–4 z, x, y, 5 "@2x".
    void tile(Call& c) {
        c.res.log_path = "/tiles/?";
        const auto group = [&](std::size_t i) { return i < c.matches.size() ? c.matches[i] : std::string(); };
        const TileVariant variant{group(5).empty() ? 1 : 2, group(1).empty()};
        int z = 0, x = 0, y = 0;
        if (!parse_int(group(2), 1000, z) || !parse_int(group(3), 1LL << 30, x) || !parse_int(group(4), 1LL << 30, y))
            return send(c.res, api_error(400));
        if (z > kMaxTileZoom) return send(c.res, api_error(400));
        const long long n = 1LL << z;
        if (x >= n || y >= n) return send(c.res, api_error(400));
        c.res.log_path = std::string("/tiles/") + (variant.grid_names ? "" : "plain/") + std::to_string(z) + "/" + std::to_string(x) + "/" +
                         std::to_string(y) + (variant.scale == 2 ? "@2x" : "") + ".png";
        if (!authenticate(c.req, c.res)) return;
        if (!tiles || z < tiles->min_zoom() || z > tiles->max_zoom() || !tiles->has(variant)) return send(c.res, api_error(404));
        const auto png = tiles->tile(z, x, y, variant);
        c.res.body = png ? *png : transparent_png();
        c.res.content_type = png ? tiles->content_type() : "image/png";
        c.res.set_header("Cache-Control", "private, max-age=3600");
    }
};

HttpServer::HttpServer(std::shared_ptr<const ProjectApi> api, UsersFile users, std::shared_ptr<TileSource> tiles, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(api), std::move(users), std::move(tiles), std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start() { return impl_->transport->start(); }
void HttpServer::stop() {
    if (impl_) impl_->transport->stop();
}
bool HttpServer::running() const { return impl_->transport->running(); }
int HttpServer::port() const { return impl_->transport->port(); }
std::string HttpServer::url() const {
    const std::string& h = impl_->options.host;
    const std::string host = h.find(':') != std::string::npos ? "[" + h + "]" : h == "0.0.0.0" ? "127.0.0.1" : h;
    return "http://" + host + ":" + std::to_string(port());
}
SessionStore& HttpServer::sessions() { return impl_->sessions; }
std::size_t HttpServer::page_files() const { return impl_->page.size(); }
int HttpServer::open_connections() const { return impl_->transport->open_connections(); }
int HttpServer::open_connections(const std::string& address) const { return impl_->transport->open_connections(address); }

}  // namespace gridatlas::server
