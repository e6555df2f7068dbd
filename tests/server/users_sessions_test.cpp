// Users file, Argon2id password hashes and server-side sessions.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "sessions.hpp"
#include "test_util.hpp"
#include "users.hpp"

namespace gridatlas::server {
namespace {

std::filesystem::path temp_file(const std::string& name) {
    auto dir = test::temp_root() / "users";
    std::filesystem::create_directories(dir);
    return dir / name;
}

TEST(Passwords, AreHashedWithArgon2idAndVerified) {
    const std::string hash = hash_password("correct horse battery staple");
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
    EXPECT_EQ(hash.find("correct"), std::string::npos);
    EXPECT_TRUE(verify_password(hash, "correct horse battery staple"));
    EXPECT_FALSE(verify_password(hash, "correct horse battery stapler"));
    EXPECT_FALSE(verify_password(hash, ""));
    EXPECT_FALSE(verify_password("", "x"));
    EXPECT_FALSE(verify_password("$argon2id$garbage", "x"));
    EXPECT_NE(hash_password("correct horse battery staple"), hash);   // salted
}

TEST(Users, RoundTripThroughAFileReadableByTheOwnerOnly) {
    UsersFile users;
    users.add({"wang", Role::officer, {"110101001001", "110101001002"}, hash_password("password-1")});
    users.add({"李规划", Role::planner, {}, hash_password("password-2")});
    const auto file = temp_file("users.json");
    write_users(file, users);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    const UsersFile back = read_users(file);
    ASSERT_EQ(back.users.size(), 2u);
    EXPECT_EQ(back.users[0].name, "wang");
    EXPECT_EQ(back.users[0].role, Role::officer);
    EXPECT_EQ(back.users[0].grids, (std::vector<std::string>{"110101001001", "110101001002"}));
    EXPECT_TRUE(verify_password(back.find("李规划")->password_hash, "password-2"));
    EXPECT_EQ(back.find("nobody"), nullptr);
}

TEST(Users, AddChecksNamesRolesAndGrids) {
    UsersFile users;
    const std::string h = "$argon2id$v=19$m=65536,t=2,p=1$x$y";
    EXPECT_THROW(users.add({"", Role::wall, {}, h}), std::invalid_argument);
    EXPECT_THROW(users.add({"a b", Role::wall, {}, h}), std::invalid_argument);
    EXPECT_THROW(users.add({"a;b", Role::wall, {}, h}), std::invalid_argument);
    EXPECT_THROW(users.add({"officer", Role::officer, {}, h}), std::invalid_argument);
    EXPECT_THROW(users.add({"planner", Role::planner, {"G1"}, h}), std::invalid_argument);
    users.add({"wall", Role::wall, {}, h});
    EXPECT_THROW(users.add({"wall", Role::admin, {}, h}), std::invalid_argument);
    users.add({"wall", Role::admin, {}, h}, true);
    EXPECT_EQ(users.find("wall")->role, Role::admin);
    EXPECT_TRUE(users.remove("wall"));
    EXPECT_FALSE(users.remove("wall"));
}

TEST(Users, BadFilesNameTheFileAndNeverShowAHash) {
    const auto file = temp_file("bad.json");
    auto expect_error = [&](const std::string& text, const std::string& part) {
        std::ofstream(file) << text;
        try {
            read_users(file);
            FAIL() << "expected an error for " << text;
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(file.string()), std::string::npos) << what;
            EXPECT_NE(what.find(part), std::string::npos) << what;
            EXPECT_EQ(what.find("SECRETHASH"), std::string::npos) << what;
        }
    };
    expect_error("{", "not valid JSON");
    expect_error("[]", "expected");
    expect_error(R"({"users": [{"name": "a", "role": "king", "password_hash": "$argon2id$SECRETHASH"}]})", "role");
    expect_error(R"({"users": [{"name": "a", "role": "wall", "password_hash": "SECRETHASH"}]})", "Argon2id");
    expect_error(R"({"users": [{"name": "a", "role": "officer", "password_hash": "$argon2id$SECRETHASH"}]})", "grid codes");
    EXPECT_THROW(read_users(temp_file("missing.json")), std::runtime_error);
}

TEST(Roles, ParseAndName) {
    EXPECT_EQ(parse_role("officer"), Role::officer);
    EXPECT_EQ(parse_role("admin"), Role::admin);
    EXPECT_FALSE(parse_role("Officer"));
    EXPECT_STREQ(role_name_zh(Role::officer), "网格员");
    EXPECT_STREQ(role_name_zh(Role::wall), "大屏");
}

struct FakeClock {
    SessionStore::Clock::time_point t{};
    std::function<SessionStore::Clock::time_point()> fn() {
        return [this] { return t; };
    }
};

TEST(Sessions, TokensAreRandom256BitHex) {
    SessionStore store;
    std::set<std::string> tokens;
    for (int i = 0; i < 200; ++i) {
        const std::string t = store.create("u");
        EXPECT_TRUE(SessionStore::well_formed(t)) << t;
        tokens.insert(t);
    }
    EXPECT_EQ(tokens.size(), 200u);
    EXPECT_EQ(store.touch(*tokens.begin()), "u");
    EXPECT_FALSE(store.touch(std::string(64, '0')));
    EXPECT_FALSE(store.touch("short"));
    EXPECT_FALSE(store.touch(std::string(64, 'G')));
}

TEST(Sessions, ExpireWhenIdleAndAfterTheAbsoluteLimit) {
    FakeClock clock;
    SessionLimits limits;
    limits.idle = std::chrono::minutes(30);
    limits.absolute = std::chrono::hours(8);
    SessionStore store(limits, clock.fn());
    const std::string a = store.create("a");
    clock.t += std::chrono::minutes(29);
    EXPECT_EQ(store.touch(a), "a");   // refreshes the idle time
    clock.t += std::chrono::minutes(29);
    EXPECT_EQ(store.touch(a), "a");
    clock.t += std::chrono::minutes(31);
    EXPECT_FALSE(store.touch(a));     // idle too long
    EXPECT_EQ(store.size(), 0u);

    const std::string b = store.create("b");
    for (int i = 0; i < 16; ++i) {
        clock.t += std::chrono::minutes(29);
        EXPECT_EQ(store.touch(b), "b") << i;
    }
    clock.t += std::chrono::minutes(29);   // 8 h 13 min after login, though never idle
    EXPECT_FALSE(store.touch(b));
}

TEST(Sessions, RemoveAndRemoveUser) {
    SessionStore store;
    const std::string a = store.create("a"), a2 = store.create("a"), b = store.create("b");
    store.remove(a);
    EXPECT_FALSE(store.touch(a));
    EXPECT_EQ(store.remove_user("a"), 1u);
    EXPECT_FALSE(store.touch(a2));
    EXPECT_EQ(store.touch(b), "b");
}

TEST(Sessions, AreBoundedInNumber) {
    SessionLimits limits;
    limits.max_sessions = 10;
    SessionStore store(limits);
    const std::string first = store.create("first");
    for (int i = 0; i < 20; ++i) store.create("u" + std::to_string(i));
    EXPECT_LE(store.size(), 10u);
    EXPECT_FALSE(store.touch(first));   // the oldest went first
}

}  // namespace
}  // namespace gridatlas::server
