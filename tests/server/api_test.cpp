// The server on a free loopback port, over the tiny fixture with its roster's names and phones mapped: every role's
// allowed and forbidden requests, personal data only in an officer's own-grid answers (never in other answers, error
// bodies or the log), bad requests answered with 4xx, sessions, concurrency and a clean stop.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "http_server.hpp"
#include "project_state.hpp"
#include "stage_clock.hpp"
#include "test_util.hpp"
#include "tiles_job.hpp"

namespace gridatlas::server {
namespace {

using test::Answer;
using test::contains;
using test::has_personal;
using test::Session;

const std::string kPassword = "correct horse battery staple";
const std::string kWest = "110101001001";    // 西网格: B1, B3
const std::string kEast = "110101001002";    // 东网格: B2
const std::string kCommunity = "110101001";  // 东华门社区: both

std::filesystem::path fixture() { return std::filesystem::path(GRIDATLAS_SOURCE_DIR) / "tests/server/fixtures/project.toml"; }

struct Shared {
    std::shared_ptr<const ProjectApi> api;
    std::shared_ptr<TileSource> tiles;
    UsersFile users;
    std::filesystem::path web_dir;
};

Shared& shared() {
    static Shared s = [] {
        Shared out;
        Diagnostics diag;
        pipeline::StageClock clock;
        out.api = std::make_shared<const ProjectApi>(pipeline::measure_project(fixture(), diag, clock));
        RenderedTilesOptions o;
        o.renderers = 2;
        out.tiles = rendered_tiles(pipeline::build_tile_scene(out.api->project()), o);
        const std::string hash = hash_password(kPassword);   // one hash for all: Argon2id takes a while
        auto add = [&](const std::string& name, Role role, std::vector<std::string> grids) {
            out.users.add({name, role, std::move(grids), hash});
        };
        add("west", Role::officer, {kWest});
        add("east", Role::officer, {kEast});
        add("community", Role::officer, {kCommunity});
        add("planner", Role::planner, {});
        add("wall", Role::wall, {});
        add("admin", Role::admin, {});
        add("locky", Role::wall, {});
        out.web_dir = test::temp_root() / "web";
        std::filesystem::create_directories(out.web_dir / "leaflet");
        std::ofstream(out.web_dir / "index.html") << "<!doctype html><title>网格</title>";
        std::ofstream(out.web_dir / "app.js") << "// app";
        std::ofstream(out.web_dir / "leaflet/leaflet.js") << "// leaflet";
        return out;
    }();
    return s;
}

class ServerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto& s = shared();
        ServerOptions o;
        o.port = 0;
        o.threads = 8;
        o.web_dir = s.web_dir;
        o.log = [](const std::string& line) {
            std::lock_guard lock(log_mutex_);
            log_.push_back(line);
        };
        server_ = new HttpServer(s.api, s.users, s.tiles, o);
        port_ = server_->start();
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    static std::vector<std::string> log_lines() {
        std::lock_guard lock(log_mutex_);
        return log_;
    }
    Session as(const std::string& user) {
        Session s(port_);
        const Answer a = s.login(user, kPassword);
        EXPECT_EQ(a.status, 200) << user << ": " << a.body;
        return s;
    }

    static inline HttpServer* server_ = nullptr;
    static inline int port_ = 0;
    static inline std::mutex log_mutex_;
    static inline std::vector<std::string> log_;
};

// --- login and sessions --------------------------------------------------------------------------------------------

TEST_F(ServerTest, EverythingButThePageNeedsASession) {
    Session anon(port_);
    for (const std::string& path : std::vector<std::string>{"/api/me", "/api/project", "/api/grids", "/api/grids.geojson", "/api/grids/" + kWest,
                                   "/api/grids/" + kWest + "/households", "/api/buildings/B1", "/api/coverage?kind=health",
                                   "/api/gaps?kind=health", "/api/search?q=B", "/api/users", "/tiles/17/107912/49668.png"}) {
        const Answer a = anon.get(path);
        EXPECT_EQ(a.status, 401) << path;
        EXPECT_FALSE(has_personal(a.body)) << path;
    }
    EXPECT_EQ(anon.get("/").status, 200);
    EXPECT_TRUE(contains(anon.get("/").body, "网格"));
    EXPECT_EQ(anon.get("/leaflet/leaflet.js").status, 200);
}

TEST_F(ServerTest, LoginSetsAStrictHttpOnlyCookieWithA256BitToken) {
    Session s(port_);
    const Answer a = s.login("west", kPassword);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_TRUE(contains(a.set_cookie, "HttpOnly"));
    EXPECT_TRUE(contains(a.set_cookie, "SameSite=Strict"));
    EXPECT_TRUE(contains(a.set_cookie, "Path=/"));
    const std::string token = s.cookie().substr(std::string("gridatlas_session=").size());
    EXPECT_EQ(token.size(), 64u);
    EXPECT_TRUE(SessionStore::well_formed(token));
    const auto me = a.json()["user"];
    EXPECT_EQ(me["name"], "west");
    EXPECT_EQ(me["role"], "officer");
    EXPECT_EQ(me["role_name"], "网格员");
    ASSERT_EQ(me["grids"].size(), 1u);
    EXPECT_EQ(me["grids"][0]["code"], kWest);
    EXPECT_FALSE(contains(a.body, "argon2"));
    // A second login gets a different token.
    Session t(port_);
    t.login("west", kPassword);
    EXPECT_NE(t.cookie(), s.cookie());
}

TEST_F(ServerTest, WrongPasswordsAndUnknownUsersGetTheSame401) {
    Session s(port_);
    const Answer wrong = s.login("planner", "not the password");
    const Answer unknown = s.login("nobody", kPassword);
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(unknown.status, 401);
    EXPECT_EQ(wrong.body, unknown.body);
    EXPECT_TRUE(contains(wrong.body, "用户名或密码错误"));
    EXPECT_TRUE(wrong.set_cookie.empty());
}

TEST_F(ServerTest, LoginRejectsWhatIsNotJson) {
    Session s(port_);
    EXPECT_EQ(s.post("/api/login", "name=west&password=x", "application/x-www-form-urlencoded").status, 415);
    EXPECT_EQ(s.post("/api/login", "{not json").status, 400);
    EXPECT_EQ(s.post("/api/login", R"({"name": 5, "password": "x"})").status, 400);
    EXPECT_EQ(s.post("/api/login", R"({"name": "a b", "password": "xxxxxxxx"})").status, 400);
    EXPECT_EQ(s.post("/api/login", "[]").status, 400);
}

TEST_F(ServerTest, RepeatedFailuresLockTheNameForAWhile) {
    Session s(port_);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(s.login("locky", "wrong password " + std::to_string(i)).status, 401);
    EXPECT_EQ(s.login("locky", kPassword).status, 429);   // even the right one, for a minute
    EXPECT_EQ(s.login("wall", kPassword).status, 200);    // other names are not affected
    // Each failure is logged with the address, never the name or the password.
    int failures = 0;
    for (const auto& line : log_lines()) {
        if (contains(line, "login failed from 127.0.0.1")) ++failures;
        if (contains(line, "login failed")) {
            EXPECT_FALSE(contains(line, "locky")) << line;
            EXPECT_FALSE(contains(line, "wrong password")) << line;
        }
    }
    EXPECT_GE(failures, 5);
}

TEST_F(ServerTest, LogoutEndsTheSessionOnTheServer) {
    Session s = as("planner");
    EXPECT_EQ(s.get("/api/me").status, 200);
    const std::string cookie = s.cookie();
    const Answer out = s.post("/api/logout", "{}");
    EXPECT_EQ(out.status, 200);
    EXPECT_TRUE(contains(out.set_cookie, "Max-Age=0"));
    Session replay(port_);
    replay.set_cookie(cookie);   // the old cookie, kept by an attacker
    EXPECT_EQ(replay.get("/api/me").status, 401);
}

TEST_F(ServerTest, ForgedAndMalformedCookiesAreRejected) {
    Session s(port_);
    for (const std::string& c : std::vector<std::string>{"gridatlas_session=" + std::string(64, 'a'), std::string("gridatlas_session=../../etc/passwd"),
                                std::string("gridatlas_session="), "gridatlas_session=" + std::string(5000, 'f'), std::string("other=1")}) {
        s.set_cookie(c);
        const Answer a = s.get("/api/me");
        EXPECT_TRUE(a.status == 401 || a.status == 400 || a.status == 431) << c.substr(0, 40) << " → " << a.status;
    }
}

TEST(ServerSessions, ExpireOnTheServerAfterTheIdleTime) {
    auto& s = shared();
    ServerOptions o;
    o.port = 0;
    o.sessions.idle = std::chrono::seconds(1);
    o.log = [](const std::string&) {};
    HttpServer server(s.api, s.users, s.tiles, o);
    const int port = server.start();
    Session c(port);
    ASSERT_EQ(c.login("wall", kPassword).status, 200);
    EXPECT_EQ(c.get("/api/me").status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    EXPECT_EQ(c.get("/api/me").status, 401);
    EXPECT_EQ(server.sessions().size(), 0u);
}

// --- officer -------------------------------------------------------------------------------------------------------

TEST_F(ServerTest, OfficerSeesTheirGridsHouseholdsWithNamesAndPhones) {
    Session s = as("west");
    const Answer a = s.get("/api/grids/" + kWest + "/households");
    ASSERT_EQ(a.status, 200) << a.body;
    for (const auto& n : test::kOwnNames) EXPECT_TRUE(contains(a.body, n)) << n;
    for (const auto& n : test::kOtherNames) EXPECT_FALSE(contains(a.body, n)) << n;
    for (const auto& n : test::kUnplacedNames) EXPECT_FALSE(contains(a.body, n)) << n;
    const auto j = a.json();
    EXPECT_EQ(j["count"], 4);
    bool central = false;
    for (const auto& h : j["households"]) {
        if (h["id"] == "H01") {
            EXPECT_EQ(h["name"], "秘名甲QZX");
            EXPECT_EQ(h["phone"], "13900007701");
            EXPECT_EQ(h["building_id"], "B1");
            EXPECT_TRUE(h["central"].get<bool>());
            EXPECT_TRUE(h["contact"]["self"].get<bool>());
            central = true;
        }
        if (h["id"] == "H06") {
            ASSERT_TRUE(h["contact"].is_object());   // the grid's one party-member household is everyone's contact
            EXPECT_EQ(h["contact"]["id"], "H01");
            EXPECT_EQ(h["contact"]["name"], "秘名甲QZX");
        }
    }
    EXPECT_TRUE(central);
}

TEST_F(ServerTest, OfficerOpensABuildingOfTheirGrid) {
    Session s = as("west");
    const Answer a = s.get("/api/buildings/B1");
    ASSERT_EQ(a.status, 200) << a.body;
    const auto j = a.json();
    EXPECT_EQ(j["households"], 3);
    ASSERT_GE(j["units"].size(), 2u);
    EXPECT_EQ(j["units"][0]["number"], 1);
    ASSERT_TRUE(j["units"][0].contains("list"));
    EXPECT_EQ(j["units"][0]["list"][0]["name"], "秘名甲QZX");
    ASSERT_EQ(j["central"].size(), 1u);
    EXPECT_EQ(j["central"][0]["central"]["id"], "H01");
    // lon/lat, near Beijing
    EXPECT_NEAR(j["anchor"][0].get<double>(), 116.39, 0.01);
    EXPECT_NEAR(j["anchor"][1].get<double>(), 39.90, 0.01);
    for (const auto& n : test::kOtherNames) EXPECT_FALSE(contains(a.body, n));
    // B1 reaches both kinds (tiny README: 5.909 and 1.061 min), so no reason is given for either.
    EXPECT_NEAR(j["minutes"]["party_mass_centre"].get<double>(), 5.9, 1e-9);
    EXPECT_NEAR(j["minutes"]["health"].get<double>(), 1.1, 1e-9);
    EXPECT_TRUE(j["reach"].empty()) << j["reach"].dump();
    // The search limit the page quotes for buildings beyond it: the default, 4 × the largest threshold (5 min).
    const auto project = s.get("/api/project").json();
    for (const auto& k : project["kinds"]) EXPECT_EQ(k["search_limit_minutes"], 20) << k.dump();
}

TEST_F(ServerTest, OfficerGets403ForAnotherGridAndNothingOfItLeaks) {
    Session s = as("west");
    const Answer forbidden = s.get("/api/grids/" + kEast + "/households");
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_FALSE(has_personal(forbidden.body));
    EXPECT_FALSE(contains(forbidden.body, kEast));
    EXPECT_FALSE(contains(forbidden.body, "东网格"));
    // The same answer whether the grid exists or not: no probing for codes.
    EXPECT_EQ(s.get("/api/grids/999999/households").body, forbidden.body);
    EXPECT_EQ(s.get("/api/grids/999999/households").status, 403);
    for (const std::string& path : std::vector<std::string>{"/api/grids/" + kEast, "/api/grids/" + kEast + "/buildings", "/api/grids/" + kEast + "/central",
                                   "/api/grids/" + kCommunity + "/households", "/api/buildings/B2", "/api/buildings/B9",
                                   "/api/gaps?kind=health&grid=" + kEast}) {
        const Answer a = s.get(path);
        EXPECT_EQ(a.status, 403) << path;
        EXPECT_EQ(a.body, forbidden.body) << path;
    }
    // Lists, outlines, search, coverage and gaps hold their grid only.
    for (const std::string& path : std::vector<std::string>{"/api/grids", "/api/grids.geojson", "/api/project", "/api/coverage?kind=health",
                                   "/api/gaps?kind=party_mass_centre", "/api/gaps?kind=health", "/api/search?q=B",
                                   "/api/search?q=%E7%BD%91%E6%A0%BC"}) {
        const Answer a = s.get(path);
        EXPECT_EQ(a.status, 200) << path;
        EXPECT_FALSE(contains(a.body, kEast)) << path;
        EXPECT_FALSE(contains(a.body, "东网格")) << path;
        EXPECT_FALSE(contains(a.body, "\"B2\"")) << path;
        EXPECT_FALSE(has_personal(a.body)) << path;
    }
    const auto grids = s.get("/api/grids").json()["grids"];
    ASSERT_EQ(grids.size(), 1u);
    EXPECT_EQ(grids[0]["code"], kWest);
    EXPECT_EQ(grids[0]["parent_code"], "");   // the community is not theirs
    EXPECT_EQ(s.get("/api/project").json()["totals"]["households"], 4);
    EXPECT_EQ(s.get("/api/users").status, 403);
}

TEST_F(ServerTest, TheOtherOfficerSeesOnlyTheOtherGrid) {
    Session s = as("east");
    const Answer a = s.get("/api/grids/" + kEast + "/households");
    ASSERT_EQ(a.status, 200);
    for (const auto& n : test::kOtherNames) EXPECT_TRUE(contains(a.body, n)) << n;
    for (const auto& n : test::kOwnNames) EXPECT_FALSE(contains(a.body, n)) << n;
    EXPECT_EQ(s.get("/api/grids/" + kWest + "/households").status, 403);
    EXPECT_EQ(s.get("/api/buildings/B1").status, 403);
}

TEST_F(ServerTest, ACommunityOfficerSeesEveryGridBelowButNoUnplacedRow) {
    Session s = as("community");
    const Answer a = s.get("/api/grids/" + kCommunity + "/households");
    ASSERT_EQ(a.status, 200);
    for (const auto& n : test::kOwnNames) EXPECT_TRUE(contains(a.body, n));
    for (const auto& n : test::kOtherNames) EXPECT_TRUE(contains(a.body, n));
    for (const auto& n : test::kUnplacedNames) EXPECT_FALSE(contains(a.body, n));
    EXPECT_EQ(s.get("/api/grids/" + kEast + "/households").status, 200);
    EXPECT_EQ(s.get("/api/grids").json()["grids"].size(), 3u);
}

TEST_F(ServerTest, OfficerFindsTheCentralHouseholds) {
    Session s = as("west");
    const Answer a = s.get("/api/grids/" + kWest + "/central");
    ASSERT_EQ(a.status, 200) << a.body;
    const auto j = a.json();
    ASSERT_EQ(j["seats"].size(), 2u);   // B1 (H01) and B3 (no party-member household)
    EXPECT_EQ(j["seats"][0]["building_id"], "B1");
    EXPECT_EQ(j["seats"][0]["central"]["id"], "H01");
    EXPECT_EQ(j["seats"][0]["central"]["name"], "秘名甲QZX");
    EXPECT_TRUE(j["seats"][1]["central"].is_null());
    EXPECT_EQ(j["seats_without_central"], 1);
}

TEST_F(ServerTest, OfficerBuildingsComeAsLonLatGeoJson) {
    Session s = as("west");
    const Answer a = s.get("/api/grids/" + kWest + "/buildings");
    ASSERT_EQ(a.status, 200);
    const auto j = a.json();
    EXPECT_EQ(j["type"], "FeatureCollection");
    std::set<std::string> ids;
    for (const auto& f : j["features"]) {
        ids.insert(f["properties"]["id"].get<std::string>());
        const auto& ring = f["geometry"]["coordinates"][0][0];
        for (const auto& p : ring) {
            EXPECT_NEAR(p[0].get<double>(), 116.39, 0.01);
            EXPECT_NEAR(p[1].get<double>(), 39.90, 0.01);
        }
    }
    EXPECT_EQ(ids, (std::set<std::string>{"B1", "B3"}));
    const auto grid = s.get("/api/grids.geojson").json();
    ASSERT_EQ(grid["features"].size(), 1u);
    EXPECT_EQ(grid["features"][0]["properties"]["code"], kWest);
}

// --- planner, wall, admin ------------------------------------------------------------------------------------------

TEST_F(ServerTest, PlannerSeesEveryGridsAggregatesButNoHousehold) {
    Session s = as("planner");
    EXPECT_EQ(s.get("/api/grids").json()["grids"].size(), 3u);
    const Answer cov = s.get("/api/coverage?kind=party_mass_centre");
    ASSERT_EQ(cov.status, 200);
    EXPECT_EQ(cov.json()["grids"].size(), 2u);   // the finest level
    EXPECT_EQ(cov.json()["totals"]["households"], 7);
    const Answer gaps = s.get("/api/gaps?kind=party_mass_centre");
    ASSERT_EQ(gaps.status, 200);
    EXPECT_EQ(gaps.json()["kind"]["name"], "党群服务中心");
    EXPECT_EQ(gaps.json()["facilities"].size(), 1u);
    const Answer b = s.get("/api/buildings/B1");
    ASSERT_EQ(b.status, 200);
    EXPECT_FALSE(b.json()["units"][0].contains("list"));
    EXPECT_FALSE(b.json().contains("central"));
    EXPECT_FALSE(contains(b.body, "H01"));
    for (const std::string& code : std::vector<std::string>{kWest, kEast, kCommunity}) {
        EXPECT_EQ(s.get("/api/grids/" + code + "/households").status, 403);
        EXPECT_EQ(s.get("/api/grids/" + code + "/central").status, 403);
        EXPECT_EQ(s.get("/api/grids/" + code + "/buildings").status, 200);
    }
    EXPECT_EQ(s.get("/api/grids/999999").status, 404);
    EXPECT_EQ(s.get("/api/buildings/NOPE").status, 404);
    EXPECT_EQ(s.get("/api/coverage?kind=nope").status, 404);
    EXPECT_EQ(s.get("/api/coverage?kind=health&level=nope").status, 400);
    EXPECT_EQ(s.get("/api/users").status, 403);
}

TEST_F(ServerTest, WallSeesTheOverviewOnly) {
    Session s = as("wall");
    EXPECT_EQ(s.get("/api/project").status, 200);
    EXPECT_EQ(s.get("/api/grids").status, 200);
    EXPECT_EQ(s.get("/api/grids.geojson?level=grid").status, 200);
    EXPECT_EQ(s.get("/api/grids/" + kWest).status, 200);
    for (const std::string& path : std::vector<std::string>{"/api/grids/" + kWest + "/buildings", "/api/grids/" + kWest + "/households",
                                   "/api/grids/" + kWest + "/central", "/api/buildings/B1", "/api/coverage?kind=health",
                                   "/api/gaps?kind=health", "/api/search?q=B", "/api/users"})
        EXPECT_EQ(s.get(path).status, 403) << path;
    const Answer tile = s.get("/tiles/17/107912/49668.png");
    EXPECT_EQ(tile.status, 200);
    EXPECT_EQ(tile.content_type, "image/png");
}

TEST_F(ServerTest, AdminListsUsersWithoutHashesAndSeesNoHousehold) {
    Session s = as("admin");
    const Answer a = s.get("/api/users");
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.json()["users"].size(), shared().users.users.size());
    EXPECT_FALSE(contains(a.body, "argon2"));
    EXPECT_FALSE(contains(a.body, "password"));
    EXPECT_EQ(s.get("/api/grids/" + kWest + "/households").status, 403);
    EXPECT_EQ(s.get("/api/gaps?kind=health").status, 200);
}

// Aggregate answers are kept once computed; the checks still run for every role and user.
TEST_F(ServerTest, KeptAnswersKeepEachRolesLimits) {
    Session planner = as("planner"), wall = as("wall"), west = as("west"), east = as("east");
    for (int round = 0; round < 2; ++round) {
        const Answer p = planner.get("/api/grids/" + kWest + "/buildings");
        ASSERT_EQ(p.status, 200);
        EXPECT_FALSE(contains(p.body, "central_households"));
        EXPECT_EQ(wall.get("/api/grids/" + kWest + "/buildings").status, 403);
        EXPECT_EQ(wall.get("/api/gaps?kind=health").status, 403);
        EXPECT_EQ(east.get("/api/grids/" + kWest + "/buildings").status, 403);
        const Answer w = west.get("/api/grids/" + kWest + "/buildings");
        ASSERT_EQ(w.status, 200);
        EXPECT_TRUE(contains(w.body, "central_households"));
        EXPECT_EQ(east.get("/api/grids").json()["grids"].size(), 1u);
        EXPECT_EQ(west.get("/api/grids").json()["grids"][0]["code"], kWest);
        EXPECT_EQ(planner.get("/api/grids").json()["grids"].size(), 3u);
    }
    EXPECT_GT(shared().api->cached_answers(), 0u);
}

// An officer's answers are made once per scope and kept: warm() (run after a login) makes them before any request and
// reads the roster once for the grid; another officer of the same grid gets the kept answers; an officer of the
// community above has a scope of their own, so gets answers of their own; errors are never kept.
TEST(ProjectApiAnswers, OfficerAnswersAreMadeOncePerScopeAndWarmedBeforeTheFirstRequest) {
    Diagnostics diag;
    pipeline::StageClock clock;
    std::atomic<int> reads{0};
    PersonalReader reader = [&reads](const std::set<std::int64_t>& rows) {
        ++reads;
        std::unordered_map<std::int64_t, layers::PersonalFields> out;
        for (auto r : rows) out[r] = {"名" + std::to_string(r), "1390000000" + std::to_string(r % 10)};
        return out;
    };
    const ProjectApi api(pipeline::measure_project(fixture(), diag, clock), reader);
    const Scope west = api.scope_for({"w1", Role::officer, {kWest}, ""});
    const Scope west_too = api.scope_for({"w2", Role::officer, {kWest}, ""});
    const Scope community = api.scope_for({"c", Role::officer, {kCommunity}, ""});
    api.warm(west);
    // Outlines, the grid, its buildings, central and households answers, and B1's and B3's details: 7 answers.
    EXPECT_EQ(api.cached_answers(), 7u);
    EXPECT_EQ(reads.load(), 1);
    const ApiResponse first = api.grid_households(west_too, kWest);
    ASSERT_EQ(first.status, 200);
    EXPECT_TRUE(contains(first.text(), "13900000"));
    EXPECT_EQ(api.building_detail(west_too, "B1").status, 200);
    EXPECT_EQ(api.cached_answers(), 7u);   // all hits
    EXPECT_EQ(reads.load(), 1);
    EXPECT_EQ(api.grid_households(community, kWest).status, 200);
    EXPECT_EQ(api.cached_answers(), 8u);   // the community officer's own answer; the roster map is shared
    EXPECT_EQ(reads.load(), 1);
    EXPECT_EQ(api.grid_households(west, kEast).status, 403);
    EXPECT_EQ(api.building_detail(west, "B2").status, 403);
    EXPECT_EQ(api.cached_answers(), 8u);
}

// Every role, every endpoint: personal values appear only in an officer's own-grid household answers.
TEST_F(ServerTest, PersonalDataAppearsNowhereElse) {
    const std::vector<std::string> paths = {
        "/api/me", "/api/project", "/api/grids", "/api/grids.geojson", "/api/users", "/api/search?q=QZX", "/api/search?q=139",
        "/api/search?q=%E7%A7%98%E5%90%8D", "/api/coverage?kind=health", "/api/gaps?kind=health", "/api/gaps?kind=party_mass_centre",
        "/api/grids/" + kWest, "/api/grids/" + kEast, "/api/grids/" + kCommunity, "/api/grids/" + kWest + "/buildings",
        "/api/grids/" + kEast + "/buildings", "/api/grids/" + kCommunity + "/buildings", "/api/buildings/B1", "/api/buildings/B2",
        "/api/buildings/B3", "/api/grids/" + kWest + "/households", "/api/grids/" + kEast + "/households",
        "/api/grids/" + kCommunity + "/households", "/api/grids/" + kWest + "/central", "/api/grids/" + kEast + "/central",
        "/api/nothing", "/nothing", "/tiles/17/107912/49668.png", "/tiles/16/53956/24834.png"};
    for (const std::string& user : std::vector<std::string>{"west", "east", "community", "planner", "wall", "admin"}) {
        Session s = as(user);
        for (const auto& path : paths) {
            const Answer a = s.get(path);
            ASSERT_NE(a.status, 0) << user << " " << path;
            EXPECT_NE(a.status, 500) << user << " " << path;
            const bool own_households = a.status == 200 && user != "planner" && user != "wall" && user != "admin" &&
                                        (contains(path, "/households") || contains(path, "/central") || contains(path, "/api/buildings/"));
            if (!own_households) {
                EXPECT_FALSE(has_personal(a.body)) << user << " " << path;
            }
            for (const auto& n : test::kUnplacedNames) EXPECT_FALSE(contains(a.body, n)) << user << " " << path;
        }
    }
}

// --- tiles ---------------------------------------------------------------------------------------------------------

TEST_F(ServerTest, TilesAreRenderedOnDemandAndCached) {
    Session s = as("west");
    const Answer a = s.get("/tiles/17/107912/49668.png");
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.content_type, "image/png");
    EXPECT_EQ(a.body.substr(0, 4), "\x89PNG");
    EXPECT_GT(a.body.size(), 68u);   // something drawn, not the transparent placeholder
    EXPECT_EQ(s.get("/tiles/17/107912/49668.png").body, a.body);
    const Answer empty = s.get("/tiles/17/0/0.png");   // the far north-west: nothing there
    EXPECT_EQ(empty.status, 200);
    EXPECT_EQ(empty.body, transparent_png());
    // The wall's 512 px tiles: the same address at twice the pixels (IHDR width at bytes 16..19).
    const Answer wall = s.get("/tiles/17/107912/49668@2x.png");
    ASSERT_EQ(wall.status, 200);
    ASSERT_GT(wall.body.size(), 24u);
    EXPECT_EQ(wall.body.substr(16, 4), std::string("\0\0\x02\0", 4));
    EXPECT_EQ(a.body.substr(16, 4), std::string("\0\0\x01\0", 4));
    const auto t = s.get("/api/project").json()["tiles"];
    EXPECT_EQ(t["url"], "/tiles/{z}/{x}/{y}.png");
    EXPECT_EQ(t["url_2x"], "/tiles/{z}/{x}/{y}@2x.png");
    EXPECT_EQ(t["plain_url_2x"], "/tiles/plain/{z}/{x}/{y}@2x.png");
    const Answer plain = s.get("/tiles/plain/17/107912/49668@2x.png");
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(plain.body.substr(16, 4), std::string("\0\0\x02\0", 4));
    EXPECT_NE(plain.body, wall.body);   // without the grid names
}

// --- bad requests --------------------------------------------------------------------------------------------------

TEST_F(ServerTest, MalformedTilePathsAndZoomsGet4xx) {
    Session s = as("wall");
    const std::vector<std::pair<std::string, int>> cases = {
        {"/tiles/25/0/0.png", 400},         {"/tiles/99/0/0.png", 400},  {"/tiles/4294967296/0/0.png", 400},
        {"/tiles/99999999999/0/0.png", 400}, {"/tiles/-1/0/0.png", 400},   {"/tiles/3/8/0.png", 400},
        {"/tiles/3/0/8.png", 400},          {"/tiles/3/0/-1.png", 400},  {"/tiles/abc/0/0.png", 400},
        {"/tiles/1/0/0.jpg", 400},          {"/tiles/1/0/0", 400},       {"/tiles/1/0/0/0.png", 400},
        {"/tiles/", 400},                   {"/tiles/22/0/0.png", 404},  {"/tiles/1.5/0/0.png", 400},
        {"/tiles/1/0/0@3x.png", 400},       {"/tiles/1/0/0@2x.jpg", 400}, {"/tiles/1/0/0@2x@2x.png", 400},
        {"/tiles/plain/plain/1/0/0.png", 400}, {"/tiles/names/1/0/0.png", 400}, {"/tiles/plain/25/0/0.png", 400}};
    for (const auto& [path, status] : cases) {
        const Answer a = s.get(path);
        EXPECT_EQ(a.status, status) << path;
    }
    EXPECT_EQ(s.get("/api/me").status, 200);   // still serving
}

TEST_F(ServerTest, PathTraversalFindsNothing) {
    Session s = as("admin");
    for (const std::string& path : std::vector<std::string>{"/../../../../etc/passwd", "/tiles/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                   "/leaflet/../../../../etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "/index.html/../../etc/passwd",
                                   "/%00", "/index.html%00.png", "/.stamp"}) {
        const std::string raw = test::raw_request(port_, "GET " + path + " HTTP/1.1\r\nHost: x\r\nCookie: " + s.cookie() +
                                                             "\r\nConnection: close\r\n\r\n");
        const int status = test::raw_status(raw);
        EXPECT_GE(status, 400) << path;
        EXPECT_LT(status, 500) << path;
        EXPECT_FALSE(contains(raw, "root:")) << path;
    }
}

TEST_F(ServerTest, OversizedBodiesUrisAndGarbageGet4xx) {
    Session s(port_);
    const Answer big = s.post("/api/login", std::string(1 << 20, 'x'));
    EXPECT_EQ(big.status, 413);
    const std::string long_uri = test::raw_request(port_, "GET /api/grids?level=" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const int uri_status = test::raw_status(long_uri);
    EXPECT_GE(uri_status, 400);
    EXPECT_LT(uri_status, 500);
    const int garbage = test::raw_status(test::raw_request(port_, "GARBAGE\r\nConnection: close\r\n\r\n"));
    EXPECT_TRUE(garbage == 0 || (garbage >= 400 && garbage < 500)) << garbage;
    // A body over the limit, and a Content-Length that promises 100 MB: 413, or the connection dropped; never a crash.
    const std::string over = std::string(R"({"name":"x","password":")") + std::string(20000, 'p') + "\"}";
    EXPECT_EQ(test::raw_status(test::raw_request(port_, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                                        "Connection: close\r\nContent-Length: " + std::to_string(over.size()) + "\r\n\r\n" + over)),
              413);
    const int promised = test::raw_status(test::raw_request(
        port_, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{}"));
    EXPECT_TRUE(promised == 0 || promised == 413) << promised;
    const int method = test::raw_status(test::raw_request(port_, "DELETE /api/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_GE(method, 400);
    EXPECT_LT(method, 500);
    Session p = as("planner");
    EXPECT_EQ(p.get("/api/search?q=").status, 400);
    EXPECT_EQ(p.get("/api/search?q=" + std::string(65, 'a')).status, 400);
    EXPECT_EQ(p.get("/api/grids?level=nope").status, 400);
    EXPECT_EQ(p.get("/api/gaps?kind=").status, 404);
    EXPECT_EQ(p.get("/api/me").status, 200);   // still serving
}

// --- concurrency, logs, stop ---------------------------------------------------------------------------------------

TEST_F(ServerTest, ServesConcurrentRequests) {
    std::atomic<int> failures{0}, done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            Session s(port_);
            if (s.login(t % 2 ? "west" : "planner", kPassword).status != 200) { ++failures; return; }
            const std::vector<std::string> paths = {"/api/grids", "/api/buildings/B1", "/tiles/17/107912/49668.png",
                                                    "/api/coverage?kind=health", "/tiles/16/53956/24834.png", "/api/project"};
            for (int i = 0; i < 40; ++i) {
                if (s.get(paths[(i + t) % paths.size()]).status != 200) ++failures;
                ++done;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(done, 320);
}

TEST_F(ServerTest, TheLogHasPathsButNoQueryValuesBodiesOrPersonalData) {
    Session s = as("west");
    s.get("/api/search?q=SECRETQUERY");
    s.get("/api/grids/" + kWest + "/households");
    s.get("/api/buildings/%E7%A7%98%E5%90%8D%E7%94%B2QZX");   // a name typed into a path
    Session t(port_);
    t.login("west", "SECRETPASSWORD");
    const auto lines = log_lines();
    ASSERT_FALSE(lines.empty());
    bool saw_households = false, saw_search = false;
    for (const auto& l : lines) {
        EXPECT_FALSE(has_personal(l)) << l;
        EXPECT_FALSE(contains(l, "SECRETQUERY")) << l;
        EXPECT_FALSE(contains(l, "SECRETPASSWORD")) << l;
        EXPECT_FALSE(contains(l, "秘名")) << l;
        EXPECT_FALSE(contains(l, "gridatlas_session")) << l;
        saw_households |= contains(l, " west GET /api/grids/" + kWest + "/households 200 ");
        saw_search |= contains(l, "GET /api/search 200");
    }
    EXPECT_TRUE(saw_households);
    EXPECT_TRUE(saw_search);
}

TEST(ServerStop, StopsCleanlyWithConnectionsOpen) {
    auto& s = shared();
    ServerOptions o;
    o.port = 0;
    o.log = [](const std::string&) {};
    auto server = std::make_unique<HttpServer>(s.api, s.users, s.tiles, o);
    const int port = server->start();
    EXPECT_TRUE(test::port_open(port));
    Session c(port);
    ASSERT_EQ(c.login("wall", kPassword).status, 200);
    EXPECT_EQ(c.get("/api/project").status, 200);   // a keep-alive connection stays open
    const auto t0 = std::chrono::steady_clock::now();
    server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
    EXPECT_FALSE(server->running());
    EXPECT_FALSE(test::port_open(port));
    server->stop();   // twice is fine
}

TEST(ServerUsers, AnOfficersUnknownGridStopsTheStart) {
    auto& s = shared();
    UsersFile users;
    users.add({"ghost", Role::officer, {"NO-SUCH-GRID"}, s.users.users.front().password_hash});
    ServerOptions o;
    o.port = 0;
    try {
        HttpServer server(s.api, users, s.tiles, o);
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_TRUE(contains(e.what(), "ghost"));
        EXPECT_TRUE(contains(e.what(), "NO-SUCH-GRID"));
    }
}

}  // namespace
}  // namespace gridatlas::server

namespace gridatlas::server {
namespace {

TEST(ServerMbtiles, ServesTilesFromAnMbtilesFile) {
    const auto file = test::temp_root() / "serve.mbtiles";
    std::filesystem::remove(file);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    const char* sql =
        "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
        "tile_row INTEGER, tile_data BLOB); INSERT INTO metadata VALUES ('format', 'png'), ('minzoom', '2'), ('maxzoom', '3');"
        "INSERT INTO tiles VALUES (3, 6, 4, X'89504E470D0A1A0A00');";   // XYZ 3/6/3
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto& s = shared();
    ServerOptions o;
    o.port = 0;
    o.log = [](const std::string&) {};
    HttpServer server(s.api, s.users, open_mbtiles(file), o);
    const int port = server.start();
    Session c(port);
    ASSERT_EQ(c.login("wall", kPassword).status, 200);
    const Answer t = c.get("/tiles/3/6/3.png");
    EXPECT_EQ(t.status, 200);
    EXPECT_EQ(t.body, std::string("\x89PNG\r\n\x1a\n\0", 9));
    EXPECT_EQ(c.get("/tiles/3/6/4.png").body, transparent_png());   // not in the file
    EXPECT_EQ(c.get("/tiles/4/0/0.png").status, 404);               // beyond its zooms
    EXPECT_EQ(c.get("/tiles/3/6/3@2x.png").status, 404);            // a 256 px file has no 512 px tiles
    EXPECT_EQ(c.get("/api/project").json()["tiles"]["max_zoom"], 3);
    EXPECT_FALSE(c.get("/api/project").json()["tiles"].contains("url_2x"));
    EXPECT_FALSE(c.get("/api/project").json()["tiles"].contains("plain_url_2x"));
    EXPECT_EQ(c.get("/tiles/plain/3/6/3.png").status, 404);         // nor tiles without names
}

}  // namespace
}  // namespace gridatlas::server

// --- privacy per role (README: "Privacy per role") -----------------------------------------------------------------

namespace gridatlas::server {
namespace {

// Planners, the wall and admins: no per-building or per-unit party count, no central seats; grids of fewer than
// k = 5 households (西网格 4, 东网格 3) lose their people counts; the community (7) keeps them.
TEST_F(ServerTest, OnlyOfficersSeePartyCountsPerBuildingAndSmallGroupsAreSuppressed) {
    for (const std::string& user : std::vector<std::string>{"planner", "admin"}) {
        Session s = as(user);
        for (const std::string& path : std::vector<std::string>{"/api/buildings/B1", "/api/grids/" + kWest + "/buildings", "/api/grids/" + kEast + "/buildings"}) {
            const Answer a = s.get(path);
            ASSERT_EQ(a.status, 200) << user << " " << path;
            EXPECT_FALSE(contains(a.body, "party_households")) << user << " " << path;
        }
    }
    for (const std::string& user : std::vector<std::string>{"planner", "admin", "wall"}) {
        Session s = as(user);
        const auto grids = s.get("/api/grids").json()["grids"];
        ASSERT_EQ(grids.size(), 3u);
        for (const auto& g : grids) {
            const bool small = g["code"] != kCommunity;
            EXPECT_EQ(g.contains("suppressed"), small) << user << " " << g["code"];
            EXPECT_EQ(g["households"].is_null(), small) << user << " " << g["code"];
            EXPECT_EQ(g["party_households"].is_null(), small) << user << " " << g["code"];
            EXPECT_EQ(g["persons"].is_null(), small) << user << " " << g["code"];
            if (!small) {
                EXPECT_EQ(g["households"], 7);
            }
        }
        const auto outlines = s.get("/api/grids.geojson?level=grid").json();
        for (const auto& f : outlines["features"]) EXPECT_TRUE(f["properties"]["party_households"].is_null()) << user;
        const auto west = s.get("/api/grids/" + kWest).json();
        EXPECT_TRUE(west["party_households"].is_null()) << user;
        EXPECT_FALSE(west.contains("central_seats")) << user;
        EXPECT_FALSE(west.contains("liaison")) << user;
        EXPECT_EQ(s.get("/api/project").json()["totals"]["households"], 7) << user;
    }
    Session planner = as("planner");
    for (const auto& g : planner.get("/api/coverage?kind=health").json()["grids"]) {
        EXPECT_TRUE(g["households"].is_null());
        EXPECT_TRUE(g["covered"].is_null());
    }
    // The officer of 西网格 sees everything of it.
    Session west = as("west");
    const auto g = west.get("/api/grids/" + kWest).json();
    EXPECT_EQ(g["households"], 4);
    EXPECT_EQ(g["party_households"], 1);
    EXPECT_FALSE(g.contains("suppressed"));
    EXPECT_TRUE(g.contains("central_seats"));
    EXPECT_EQ(west.get("/api/buildings/B1").json()["party_households"], 1);
}

}  // namespace
}  // namespace gridatlas::server
