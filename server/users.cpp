// The users file (users.hpp): reading and writing it (JSON, mode 0600), Argon2id hashing and checking through
// libsodium, and the roles' names.
#include "users.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace gridatlas::server {

namespace {

void ensure_sodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    });
}

}  // namespace

const char* to_string(Role r) {
    switch (r) {
        case Role::officer: return "officer";
        case Role::planner: return "planner";
        case Role::wall: return "wall";
        case Role::admin: return "admin";
    }
    return "wall";
}

const char* role_name_zh(Role r) {
    switch (r) {
        case Role::officer: return "网格员";
        case Role::planner: return "规划人员";
        case Role::wall: return "大屏";
        case Role::admin: return "管理员";
    }
    return "大屏";
}

std::optional<Role> parse_role(std::string_view s) {
    for (Role r : {Role::officer, Role::planner, Role::wall, Role::admin})
        if (s == to_string(r)) return r;
    return std::nullopt;
}

const User* UsersFile::find(std::string_view name) const {
    for (const auto& u : users)
        if (u.name == name) return &u;
    return nullptr;
}

void UsersFile::add(User user, bool replace) {
    if (!valid_user_name(user.name))
        throw std::invalid_argument("a user name is 1-64 characters without spaces, quotes, '/', '\\', ';' or ','");
    if (user.role == Role::officer && user.grids.empty())
        throw std::invalid_argument("an officer needs the grid codes they serve (--grids)");
    if (user.role != Role::officer && !user.grids.empty())
        throw std::invalid_argument(std::string("a ") + to_string(user.role) + " sees every grid: give --grids to officers only");
    for (const auto& g : user.grids)
        if (g.empty() || g.size() > 64) throw std::invalid_argument("grid codes are 1-64 characters");
    for (auto& u : users)
        if (u.name == user.name) {
            if (!replace) throw std::invalid_argument("user '" + user.name + "' exists already (use --replace to change it)");
            u = std::move(user);
            return;
        }
    users.push_back(std::move(user));
}

bool UsersFile::remove(std::string_view name) {
    for (auto it = users.begin(); it != users.end(); ++it)
        if (it->name == name) { users.erase(it); return true; }
    return false;
}

bool valid_user_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (unsigned char c : name)
        if (c <= 0x20 || c == 0x7F || c == '"' || c == '\'' || c == '/' || c == '\\' || c == ';' || c == ',') return false;
    return true;
}

bool acceptable_password(std::string_view password) { return password.size() >= 8 && password.size() <= 1024; }

UsersFile read_users(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot read the users file");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
        throw std::runtime_error(file.string() + ": the users file is not valid JSON");
    }
    if (!j.is_object() || !j.contains("users") || !j["users"].is_array())
        throw std::runtime_error(file.string() + ": expected {\"users\": [...]}");
    UsersFile out;
    std::size_t i = 0;
    for (const auto& e : j["users"]) {
        ++i;
        const std::string where = file.string() + ": user #" + std::to_string(i);
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("role") || !e["role"].is_string() ||
            !e.contains("password_hash") || !e["password_hash"].is_string())
            throw std::runtime_error(where + ": needs name, role and password_hash (strings)");
        User u;
        u.name = e["name"].get<std::string>();
        const auto role = parse_role(e["role"].get<std::string>());
        if (!role) throw std::runtime_error(where + ": role must be officer, planner, wall or admin");
        u.role = *role;
        if (e.contains("grids")) {
            if (!e["grids"].is_array()) throw std::runtime_error(where + ": grids must be a list of grid codes");
            for (const auto& g : e["grids"]) {
                if (!g.is_string()) throw std::runtime_error(where + ": grids must be a list of grid codes");
                u.grids.push_back(g.get<std::string>());
            }
        }
        u.password_hash = e["password_hash"].get<std::string>();
        if (u.password_hash.rfind("$argon2id$", 0) != 0)
            throw std::runtime_error(where + ": password_hash is not an Argon2id hash (set it with gridatlas user add)");
        try {
            out.add(std::move(u));
        } catch (const std::invalid_argument& ex) {
            throw std::runtime_error(where + ": " + ex.what());
        }
    }
    return out;
}

void write_users(const std::filesystem::path& file, const UsersFile& users) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& u : users.users)
        list.push_back({{"name", u.name}, {"role", to_string(u.role)}, {"grids", u.grids}, {"password_hash", u.password_hash}});
    const nlohmann::json j = {{"users", list}};
    const std::filesystem::path tmp = file.string() + ".tmp";
    {
        const mode_t old = ::umask(077);
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        ::umask(old);
        if (!out) throw std::runtime_error(file.string() + ": cannot write the users file (check the directory)");
        out << j.dump(2) << '\n';
        if (!out) throw std::runtime_error(file.string() + ": writing the users file failed");
    }
    ::chmod(tmp.c_str(), 0600);
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw std::runtime_error(file.string() + ": cannot replace the users file");
    }
}

std::string hash_password(std::string_view password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("password hashing failed (out of memory)");
    return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
    ensure_sodium();
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace gridatlas::server
