// What no single visitor may do to the server (issue 12): hold the workers with slow or idle connections, take every
// connection, flood it with requests or logins, or lock the owner out. Each test asserts the behaviour — a 429 with
// Retry-After, a closed connection, a probe served — never a duration. Probes come from 127.0.0.2, another address
// on the loopback network, as the officer's machine would be on an office network.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "bounded_pool.hpp"
#include "client_limits.hpp"
#include "http_server.hpp"
#include "project_state.hpp"
#include "stage_clock.hpp"
#include "test_util.hpp"
#include "tile_source.hpp"
#include "tiles_job.hpp"

namespace gridatlas::server {
namespace {

using std::chrono::seconds;
const std::string kPassword = "correct horse battery staple";

// --- the bookkeeping, with the time passed in -------------------------------------------------------------------

TEST(RequestRate, ABurstThenOnePerSecondPerAddress) {
    RequestRate rate(1.0, 3.0);
    const auto t0 = Clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(rate.take("10.0.0.1", t0), 0) << i;
    EXPECT_EQ(rate.take("10.0.0.1", t0), 1);          // empty: wait a second
    EXPECT_EQ(rate.take("10.0.0.2", t0), 0);          // another address has its own bucket
    EXPECT_EQ(rate.take("10.0.0.1", t0 + seconds(1)), 0);
    EXPECT_EQ(rate.take("10.0.0.1", t0 + seconds(1)), 1);
    RequestRate off(0, 0);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(off.take("10.0.0.1", t0), 0);
}

TEST(ConnectionCount, PerAddressAndInAll) {
    ClientLimitOptions o;
    o.connections_per_address = 2;
    o.max_connections = 3;
    ConnectionCount c(o);
    EXPECT_EQ(c.admit("a"), ConnectionCount::Verdict::admitted);
    EXPECT_EQ(c.admit("a"), ConnectionCount::Verdict::admitted);
    EXPECT_EQ(c.admit("a"), ConnectionCount::Verdict::address_full);
    EXPECT_EQ(c.admit("b"), ConnectionCount::Verdict::admitted);
    EXPECT_EQ(c.admit("c"), ConnectionCount::Verdict::server_full);
    c.release("a");
    EXPECT_EQ(c.of("a"), 1);
    EXPECT_EQ(c.admit("c"), ConnectionCount::Verdict::admitted);
    EXPECT_EQ(c.total(), 3);
}

TEST(LoginThrottle, AStrangersFailuresNeverLockTheOwnerOutFromAnotherAddress) {
    LoginThrottle t(LoginLimitOptions{});   // 5 per (address, name), 20 per address, in 10 minutes
    const auto t0 = Clock::now();
    for (int i = 0; i < 5; ++i) t.failed("10.0.0.66", "admin", t0);
    EXPECT_GE(t.blocked("10.0.0.66", "admin", t0), 1);   // the stranger waits (for a minute)
    EXPECT_LE(t.blocked("10.0.0.66", "admin", t0), 60);
    EXPECT_EQ(t.blocked("10.0.0.66", "planner", t0), 0);
    EXPECT_EQ(t.blocked("10.0.0.7", "admin", t0), 0);    // the owner, elsewhere, does not
    EXPECT_EQ(t.blocked("10.0.0.66", "admin", t0 + seconds(61)), 0);
}

TEST(LoginThrottle, AnAddressHasABudgetOfFailuresWhateverTheNames) {
    LoginThrottle t(LoginLimitOptions{});
    const auto t0 = Clock::now();
    for (int i = 0; i < 19; ++i) t.failed("10.0.0.66", "name" + std::to_string(i), t0);
    EXPECT_EQ(t.blocked("10.0.0.66", "fresh", t0), 0);
    t.failed("10.0.0.66", "name19", t0);
    EXPECT_GE(t.blocked("10.0.0.66", "fresh", t0), 599);   // until the 10 minutes it was spent in are over
    EXPECT_EQ(t.blocked("10.0.0.7", "fresh", t0), 0);
    EXPECT_EQ(t.blocked("10.0.0.66", "fresh", t0 + seconds(601)), 0);
}

TEST(BoundedPool, AJobOfferedToAFullQueueIsRefusedAtOnce) {
    BoundedPool pool(1, 1);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::promise<void> running;
    std::function<void()> blocker = [&] {
        running.set_value();
        gate.wait();
    };
    ASSERT_TRUE(pool.try_post(blocker));
    running.get_future().wait();                 // the one thread is busy
    std::atomic<int> ran{0};
    std::function<void()> second = [&] { ++ran; }, third = [&] { ++ran; };
    EXPECT_TRUE(pool.try_post(second));          // waits in the queue
    EXPECT_FALSE(pool.try_post(third));          // the queue is full: refused, not waiting
    EXPECT_TRUE(static_cast<bool>(third));       // and left with the caller
    release.set_value();
}

// --- the server, over loopback sockets ---------------------------------------------------------------------------

std::shared_ptr<const ProjectApi> fixture_api() {
    static const auto api = [] {
        Diagnostics diag;
        pipeline::StageClock clock;
        return std::make_shared<const ProjectApi>(
            pipeline::measure_project(std::filesystem::path(GRIDATLAS_SOURCE_DIR) / "tests/server/fixtures/project.toml", diag, clock));
    }();
    return api;
}

// A client socket from `source` (127.0.0.1 or 127.0.0.2); reads time out after 5 s.
struct Socket {
    int fd = -1;
    Socket(int port, const char* source) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in from{};
        from.sin_family = AF_INET;
        ::inet_pton(AF_INET, source, &from.sin_addr);
        ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from);
        timeval tv{20, 0};   // a guard against a hung server only: a loaded machine hashes slowly
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) close();
    }
    ~Socket() { close(); }
    Socket(const Socket&) = delete;
    void close() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
    void send(const std::string& s) const { (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }
    // One answer (headers and a Content-Length body); "" when the server closed the connection or nothing came.
    std::string answer() const {
        std::string out;
        char buf[4096];
        while (true) {
            const auto end = out.find("\r\n\r\n");
            if (end != std::string::npos) {
                const auto cl = out.find("Content-Length: ");
                const std::size_t length = cl == std::string::npos ? 0 : std::stoul(out.substr(cl + 16));
                if (out.size() >= end + 4 + length) return out;
            }
            const auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return out;
            out.append(buf, static_cast<std::size_t>(n));
        }
    }
    // True when the server has closed the connection (recv gives 0 or a reset before 5 s pass).
    bool closed_by_server() const {
        char c;
        const auto n = ::recv(fd, &c, 1, 0);
        return n == 0 || (n < 0 && errno == ECONNRESET);
    }
};

std::string get(const std::string& path, const std::string& cookie = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (cookie.empty() ? "" : "Cookie: " + cookie + "\r\n") + "\r\n";
}
std::string login_request(const std::string& name, const std::string& password) {
    const std::string body = nlohmann::json{{"name", name}, {"password", password}}.dump();
    return "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}
std::string session_cookie(const std::string& answer) {
    const auto at = answer.find("gridatlas_session=");
    return at == std::string::npos ? "" : answer.substr(at, answer.find(';', at) - at);
}

class LimitsTest : public ::testing::Test {
protected:
    void start(ServerOptions o) {
        o.port = 0;
        o.log = [this](const std::string& line) {
            std::lock_guard lock(log_mutex);
            log.push_back(line);
        };
        UsersFile users;
        users.add({"west", Role::officer, {"110101001001"}, hash_password(kPassword)});
        server = std::make_unique<HttpServer>(fixture_api(), users, nullptr, o);
        port = server->start();
    }
    std::string officer_cookie(const char* from = "127.0.0.2") {
        Socket s(port, from);
        s.send(login_request("west", kPassword));
        return session_cookie(s.answer());
    }
    // `n` connections from 127.0.0.1, each in the middle of sending a request (busy, not idle).
    std::vector<std::unique_ptr<Socket>> busy_connections(int n) {
        std::vector<std::unique_ptr<Socket>> busy;
        for (int i = 0; i < n; ++i) {
            busy.push_back(std::make_unique<Socket>(port, "127.0.0.1"));
            busy.back()->send("GET /api/me HTTP/1.1\r\nHo");
        }
        return busy;
    }
    // The answer to GET /api/me from `from`, asked again until its status is `status` (at most 50 times): the server
    // counts connections as it accepts them, so an answer may come before the last busy one was counted.
    std::string ask_until(int status, const char* from) {
        std::string answer;
        for (int i = 0; i < 50 && test::raw_status(answer) != status; ++i) {
            Socket s(port, from);
            s.send(get("/api/me"));
            answer = s.answer();
        }
        return answer;
    }
    std::mutex log_mutex;              // before the server: it logs until it is destroyed
    std::vector<std::string> log;
    std::unique_ptr<HttpServer> server;
    int port = 0;
};

TEST_F(LimitsTest, SlowClientsHoldingMoreConnectionsThanWorkersDoNotStopAProbe) {
    ServerOptions o;
    o.threads = 2;
    start(o);
    const std::string cookie = officer_cookie();
    std::vector<std::unique_ptr<Socket>> slow;
    for (int i = 0; i < 24; ++i) {   // twelve times the workers, each with half a header
        slow.push_back(std::make_unique<Socket>(port, "127.0.0.1"));
        slow.back()->send("GET /api/me HTTP/1.1\r\nHost: x\r\nX-Slow: aaaa");
    }
    Socket probe(port, "127.0.0.2");
    probe.send(get("/api/me", cookie));
    EXPECT_EQ(test::raw_status(probe.answer()), 200);
}

TEST_F(LimitsTest, AnIdleKeepAliveConnectionIsClosedWhenAnotherOfItsAddressNeedsTheRoom) {
    ServerOptions o;
    o.limits.connections_per_address = 3;
    start(o);
    std::vector<std::unique_ptr<Socket>> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(std::make_unique<Socket>(port, "127.0.0.1"));
        idle.back()->send(get("/api/me"));
        ASSERT_EQ(test::raw_status(idle.back()->answer()), 401);   // answered, and kept alive
    }
    Socket fourth(port, "127.0.0.1");
    fourth.send(get("/api/me"));
    EXPECT_EQ(test::raw_status(fourth.answer()), 401);              // served, not refused
    EXPECT_TRUE(idle.front()->closed_by_server());                  // the oldest idle one made room
}

TEST_F(LimitsTest, AnAddressAtItsConnectionLimitGets429WithRetryAfter) {
    ServerOptions o;
    o.limits.connections_per_address = 3;
    start(o);
    const auto busy = busy_connections(3);
    const std::string refused = ask_until(429, "127.0.0.1");
    EXPECT_EQ(test::raw_status(refused), 429);
    EXPECT_TRUE(test::contains(refused, "Retry-After: 1"));
    Socket other(port, "127.0.0.2");   // another address is not affected
    other.send(get("/api/me"));
    EXPECT_EQ(test::raw_status(other.answer()), 401);
}

// The server's own limit (all addresses together): with every connection busy, nothing idle to close, a new one gets
// 503 with Retry-After and is closed; once one ends, the next is served.
TEST_F(LimitsTest, TheServersConnectionLimitGets503WithRetryAfterWhenNoConnectionIsIdle) {
    ServerOptions o;
    o.limits.max_connections = 3;
    start(o);
    const auto busy = busy_connections(3);
    const std::string refused = ask_until(503, "127.0.0.2");
    EXPECT_EQ(test::raw_status(refused), 503);
    EXPECT_TRUE(test::contains(refused, "Retry-After: 1"));
    EXPECT_TRUE(test::contains(refused, "服务暂不可用"));
    busy.front()->send("st: x\r\n\r\n");   // the first ends its request: answered, then idle
    EXPECT_EQ(test::raw_status(busy.front()->answer()), 401);
    const std::string served = ask_until(401, "127.0.0.2");   // room: the idle one is closed for it
    EXPECT_EQ(test::raw_status(served), 401);
}

// The page not built (no web directory): "/" says so with 503 and how to build it; the API still answers.
TEST_F(LimitsTest, WithoutThePageTheRootSays503AndTheApiStillAnswers) {
    ServerOptions o;
    o.web_dir = test::temp_root() / "no-such-web-dir";
    start(o);
    Socket s(port, "127.0.0.1");
    s.send(get("/"));
    const std::string root = s.answer();
    EXPECT_EQ(test::raw_status(root), 503);
    EXPECT_TRUE(test::contains(root, "cmake --build"));
    s.send(get("/app.js"));
    EXPECT_EQ(test::raw_status(s.answer()), 404);
    s.send(get("/api/me", officer_cookie()));
    EXPECT_EQ(test::raw_status(s.answer()), 200);
}

TEST_F(LimitsTest, RequestsBeyondTheAddressRateGet429WithRetryAfter) {
    ServerOptions o;
    o.limits.requests_per_second = 0.001;   // no refill within the test
    o.limits.request_burst = 3;
    start(o);
    Socket s(port, "127.0.0.1");
    for (int i = 0; i < 3; ++i) {
        s.send(get("/api/me"));
        EXPECT_EQ(test::raw_status(s.answer()), 401) << i;
    }
    s.send(get("/api/me"));
    const std::string limited = s.answer();
    EXPECT_EQ(test::raw_status(limited), 429);
    EXPECT_TRUE(test::contains(limited, "Retry-After: "));
    Socket other(port, "127.0.0.2");
    other.send(get("/api/me"));
    EXPECT_EQ(test::raw_status(other.answer()), 401);
}

TEST_F(LimitsTest, IdleAndSlowHeaderConnectionsAreClosedByTheServer) {
    ServerOptions o;
    o.idle_timeout = std::chrono::milliseconds(200);
    o.header_timeout = std::chrono::milliseconds(300);
    start(o);
    Socket idle(port, "127.0.0.1");
    idle.send(get("/api/me"));
    ASSERT_EQ(test::raw_status(idle.answer()), 401);
    EXPECT_TRUE(idle.closed_by_server());                 // kept alive, asked nothing: closed
    Socket silent(port, "127.0.0.1");
    EXPECT_TRUE(silent.closed_by_server());               // connected, sent nothing: closed
    Socket slow(port, "127.0.0.1");
    slow.send("GET /api/me HTTP/1.1\r\nHo");
    for (int i = 0; i < 3; ++i) slow.send("s");            // trickling keeps no connection past the header deadline
    EXPECT_TRUE(slow.closed_by_server());
}

TEST_F(LimitsTest, AnAddresssLoginBudgetSpentElsewhereNeverLocksTheOwnerOut) {
    ServerOptions o;
    o.login_limits.failures_per_address = 3;
    start(o);
    for (const char* name : {"a", "b", "c"}) {
        Socket s(port, "127.0.0.1");
        s.send(login_request(name, "wrong password"));
        EXPECT_EQ(test::raw_status(s.answer()), 401);
    }
    Socket spent(port, "127.0.0.1");
    spent.send(login_request("west", kPassword));
    const std::string refused = spent.answer();
    EXPECT_EQ(test::raw_status(refused), 429);                 // even the right password, from the spent address
    EXPECT_TRUE(test::contains(refused, "Retry-After: "));
    EXPECT_FALSE(officer_cookie("127.0.0.2").empty());         // the owner, from elsewhere, logs in
    server->stop();
    int failed = 0;
    for (const auto& l : log) {
        if (test::contains(l, "login failed from 127.0.0.1")) ++failed;
        EXPECT_FALSE(test::contains(l, "wrong password")) << l;
    }
    EXPECT_EQ(failed, 3);
}

TEST_F(LimitsTest, ALoginFloodFromOneAddressGets429sAndTheOwnerStillLogsIn) {
    ServerOptions o;
    o.max_parallel_logins = 1;
    start(o);
    std::vector<std::unique_ptr<Socket>> flood;
    for (int i = 0; i < 40; ++i) {   // more than one check and its 16 waiting
        flood.push_back(std::make_unique<Socket>(port, "127.0.0.1"));
        flood.back()->send(login_request("west", "wrong password " + std::to_string(i)));
    }
    EXPECT_FALSE(officer_cookie("127.0.0.2").empty());   // queued beside the flood, not behind it
    int limited = 0;
    for (auto& s : flood) {
        const int status = test::raw_status(s->answer());
        EXPECT_TRUE(status == 401 || status == 429) << status;
        limited += status == 429;
    }
    EXPECT_GE(limited, 40 - 17);
}

TEST_F(LimitsTest, ALoginFindingThePasswordPoolFullGets503WithRetryAfter) {
    ServerOptions o;
    o.login_queue = 0;   // a pool that takes nothing: every check finds it full
    start(o);
    Socket s(port, "127.0.0.2");
    s.send(login_request("west", kPassword));
    const std::string busy = s.answer();
    EXPECT_EQ(test::raw_status(busy), 503);
    EXPECT_TRUE(test::contains(busy, "Retry-After: 1"));
}

}  // namespace
}  // namespace gridatlas::server

namespace gridatlas::server {
namespace {

// Public tiles never label a grid of fewer than k households with its count: the fixture's grids hold 4 and 3
// households, so at k = 5 the tile equals the one with every count suppressed, and differs from the one at k = 1.
TEST(PublicTiles, SmallGridsAreLabelledWithoutTheirHouseholdCount) {
    const auto& project = fixture_api()->project();
    auto tile_at = [&](std::size_t k) {
        RenderedTilesOptions o;
        o.min_zoom = 14;
        o.max_zoom = 18;
        const auto png = rendered_tiles(pipeline::build_tile_scene(project, k), o)->tile(17, 107912, 49668, {});
        return png ? *png : std::string();
    };
    const std::string shown = tile_at(1), at_k = tile_at(5), none = tile_at(1000);
    ASSERT_FALSE(shown.empty());
    EXPECT_NE(shown, at_k);   // the counts were on this tile, and k = 5 took them off
    EXPECT_EQ(at_k, none);
}

// Wall screens ask for 512 px tiles (@2x) without grid names (the wall names the grids itself): the same address
// renders at twice the pixels, and each variant is cached apart (a 256 px tile is never answered for a 512 px
// request, a named one never for a plain one).
TEST(PublicTiles, RendersEveryVariant) {
    RenderedTilesOptions o;
    o.min_zoom = 14;
    o.max_zoom = 18;
    auto src = rendered_tiles(pipeline::build_tile_scene(fixture_api()->project(), 1), o);
    EXPECT_TRUE(src->has({1, true}));
    EXPECT_TRUE(src->has({2, true}));
    EXPECT_TRUE(src->has({2, false}));
    EXPECT_FALSE(src->has({3, true}));
    auto width = [](const std::optional<std::string>& png) {   // the IHDR width, big-endian at bytes 16..19
        if (!png || png->size() < 24) return 0u;
        const auto* b = reinterpret_cast<const unsigned char*>(png->data());
        return (unsigned(b[16]) << 24) | (unsigned(b[17]) << 16) | (unsigned(b[18]) << 8) | unsigned(b[19]);
    };
    const auto small = src->tile(17, 107912, 49668, {1, true}), large = src->tile(17, 107912, 49668, {2, true});
    const auto plain = src->tile(17, 107912, 49668, {2, false});
    EXPECT_EQ(width(small), 256u);
    EXPECT_EQ(width(large), 512u);
    EXPECT_EQ(width(plain), 512u);
    ASSERT_TRUE(plain && large);
    EXPECT_NE(*plain, *large);   // the grid names of the fixture's tile are off
    EXPECT_EQ(width(src->tile(17, 107912, 49668, {1, true})), 256u);   // from the cache, still its own size
    EXPECT_EQ(src->tile(17, 107912, 49668, {2, false}), plain);
    EXPECT_THROW(src->tile(17, 107912, 49668, {3, true}), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::server
