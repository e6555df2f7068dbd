// What one hostile or unlucky input must not do to the server: a roster whose names are GBK (invalid UTF-8) makes no
// 500 — the officer's answers arrive as valid JSON with U+FFFD in place of the bad bytes, and the log warns once per
// answer without the value.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "http_server.hpp"
#include "project_state.hpp"
#include "stage_clock.hpp"
#include "test_util.hpp"

namespace gridatlas::server {
namespace {

using test::Answer;
using test::contains;
using test::Session;

const std::string kPassword = "correct horse battery staple";
const std::string kWest = "110101001001";
const std::string kGbkName = "\xD5\xC5\xC8\xFD";   // 张三 in GBK: not UTF-8
const std::string kReplacement = "\xEF\xBF\xBD";   // U+FFFD in UTF-8

std::filesystem::path fixture() { return std::filesystem::path(GRIDATLAS_SOURCE_DIR) / "tests/server/fixtures/project.toml"; }

TEST(ServerInvalidBytes, AGbkNameInTheRosterIsNoServerError) {
    Diagnostics diag;
    pipeline::StageClock clock;
    // The roster's personal fields as a GBK file would give them: bytes that are not UTF-8.
    PersonalReader gbk = [](const std::set<std::int64_t>& rows) {
        std::unordered_map<std::int64_t, layers::PersonalFields> out;
        for (auto r : rows) out[r] = {kGbkName, "1390000\xFF"};
        return out;
    };
    auto api = std::make_shared<const ProjectApi>(pipeline::measure_project(fixture(), diag, clock), gbk);
    UsersFile users;
    users.add({"west", Role::officer, {kWest}, hash_password(kPassword)});
    std::mutex m;
    std::vector<std::string> log;
    ServerOptions o;
    o.port = 0;
    o.log = [&](const std::string& line) {
        std::lock_guard lock(m);
        log.push_back(line);
    };
    HttpServer server(api, users, nullptr, o);
    const int port = server.start();
    Session s(port);
    ASSERT_EQ(s.login("west", kPassword).status, 200);
    for (const std::string& path : std::vector<std::string>{"/api/grids/" + kWest + "/households", "/api/grids/" + kWest + "/central", "/api/buildings/B1"}) {
        const Answer a = s.get(path);
        ASSERT_EQ(a.status, 200) << path << ": " << a.body;
        const auto j = nlohmann::json::parse(a.body);   // strict: throws on invalid UTF-8
        EXPECT_TRUE(contains(a.body, kReplacement)) << path;
        EXPECT_FALSE(contains(a.body, kGbkName)) << path;
        EXPECT_FALSE(j.is_null());
    }
    server.stop();
    int warnings = 0;
    for (const auto& l : log) {
        EXPECT_FALSE(contains(l, kGbkName)) << l;
        EXPECT_FALSE(contains(l, "\xFF")) << l;
        EXPECT_FALSE(contains(l, " 500 ")) << l;
        if (contains(l, "warning: the answer to /api/grids/" + kWest + "/households held data text that is not valid UTF-8")) ++warnings;
    }
    EXPECT_EQ(warnings, 1);
}

}  // namespace
}  // namespace gridatlas::server
