// Who may use the server: a users file (JSON) of names, roles, grid codes and Argon2id password hashes.
//
//   {"users": [{"name": "wang", "role": "officer", "grids": ["110101001001"], "password_hash": "$argon2id$v=19$..."}]}
//
// Roles: officer (their grids, and the grids below them, only: buildings, units, households with names and phones,
// central households, contacts), planner (every grid's aggregates, coverage and gaps; never a household), wall (the
// public overview: aggregates only), admin (what a planner sees, plus the list of users). Passwords are hashed with
// libsodium's crypto_pwhash_str_alg (Argon2id, the "interactive" limits: 2 passes over 64 MiB); only the hash is
// stored. The file is written atomically with mode 0600. No function here puts a password or a hash into a message.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridatlas::server {

enum class Role { officer, planner, wall, admin };
const char* to_string(Role r);
const char* role_name_zh(Role r);   // 网格员, 规划人员, 大屏, 管理员
std::optional<Role> parse_role(std::string_view s);

struct User {
    std::string name;
    Role role = Role::wall;
    std::vector<std::string> grids;   // officer: the grid codes they serve (any level; the grids below come along)
    std::string password_hash;        // crypto_pwhash_str format ("$argon2id$...")
};

struct UsersFile {
    std::vector<User> users;
    const User* find(std::string_view name) const;
    // Adds `user`, or replaces the one of the same name when `replace`; throws std::invalid_argument when the name
    // is taken (and not `replace`), the name is not valid, or the role's grids are wrong (an officer needs at least
    // one, the other roles none).
    void add(User user, bool replace = false);
    bool remove(std::string_view name);
};

// 1–64 bytes of UTF-8 without spaces, control characters, quotes, '/', '\\', ';' or ','.
bool valid_user_name(std::string_view name);
// 8–1024 bytes.
bool acceptable_password(std::string_view password);

// Throws std::runtime_error naming the file (and the entry's position) when it cannot be read or is malformed.
UsersFile read_users(const std::filesystem::path& file);
// Writes via a temporary file renamed over `file`, mode 0600. Throws std::runtime_error naming the file.
void write_users(const std::filesystem::path& file, const UsersFile& users);

// Argon2id hash of `password` in crypto_pwhash_str format. Throws std::runtime_error when out of memory.
std::string hash_password(std::string_view password);
// True when `password` matches `hash`; false for a wrong password or a malformed hash.
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace gridatlas::server
