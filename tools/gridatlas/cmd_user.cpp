// gridatlas user: manage the server's users file — add (the password is read from standard input, never from the
// command line), remove, list.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "command.hpp"
#include "users.hpp"

namespace gridatlas::cli {

namespace {

// One line from standard input; on a terminal, asks for it without echo.
std::string read_password_line(const std::string& prompt) {
    const bool tty = ::isatty(STDIN_FILENO);
    termios old{};
    if (tty) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line));
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::cerr << "\n";
    }
    if (!got) throw std::runtime_error("no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::vector<std::string> split_codes(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (const auto& a : args) {
        std::stringstream in(a);
        std::string code;
        while (std::getline(in, code, ','))
            if (!code.empty()) out.push_back(code);
    }
    return out;
}

struct UserArgs {
    std::filesystem::path file;
    std::string name, role = "officer";
    std::vector<std::string> grids;
    bool replace = false;
};

// user add: the password from standard input (twice on a terminal); only its hash is stored.
int add_user(const UserArgs& a) {
    server::UsersFile users;
    if (std::filesystem::exists(a.file)) users = server::read_users(a.file);
    if (users.find(a.name) && !a.replace) {
        std::cerr << "error: user '" << a.name << "' exists already in " << a.file.string() << " (use --replace)\n";
        return 1;
    }
    server::User u;
    u.name = a.name;
    u.role = *server::parse_role(a.role);
    u.grids = split_codes(a.grids);
    const std::string password = read_password_line("密码 / password: ");
    if (::isatty(STDIN_FILENO) && read_password_line("再次输入 / again: ") != password) {
        std::cerr << "error: the passwords differ\n";
        return 1;
    }
    if (!server::acceptable_password(password)) {
        std::cerr << "error: a password has 8 to 1024 characters\n";
        return 1;
    }
    u.password_hash = server::hash_password(password);
    try {
        users.add(std::move(u), a.replace);
    } catch (const std::invalid_argument& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    server::write_users(a.file, users);
    std::cout << (a.replace ? "saved" : "added") << " user " << a.name << " (" << a.role << ") in " << a.file.string() << "\n";
    return 0;
}

int remove_user(const UserArgs& a) {
    server::UsersFile users = server::read_users(a.file);
    if (!users.remove(a.name)) {
        std::cerr << "error: no user '" << a.name << "' in " << a.file.string() << "\n";
        return 1;
    }
    server::write_users(a.file, users);
    std::cout << "removed user " << a.name << "\n";
    return 0;
}

// Names, roles and grids, one user a line; never the hashes.
int list_users(const UserArgs& a) {
    const server::UsersFile users = server::read_users(a.file);
    for (const auto& u : users.users) {
        std::cout << u.name << "\t" << server::to_string(u.role) << "\t";
        for (std::size_t i = 0; i < u.grids.size(); ++i) std::cout << (i ? "," : "") << u.grids[i];
        std::cout << "\n";
    }
    return 0;
}

}  // namespace

Command add_user_command(CLI::App& app) {
    auto a = std::make_shared<UserArgs>();
    auto* cmd = app.add_subcommand("user", "Manage the server's users file (gridatlas serve --users)");
    cmd->require_subcommand(1);
    auto* add = cmd->add_subcommand("add", "Add a user (or change one with --replace). The password is read from standard "
                                           "input (asked for twice on a terminal), at least 8 characters; only its Argon2id "
                                           "hash is stored");
    add->add_option("file", a->file, "Users file (JSON; created if missing, written with mode 0600)")->required();
    add->add_option("name", a->name, "User name")->required();
    add->add_option("--role", a->role, "officer, planner, wall or admin")
        ->check(CLI::IsMember({"officer", "planner", "wall", "admin"}))
        ->capture_default_str();
    add->add_option("--grids", a->grids, "Officer: the grid codes they serve, comma-separated (any level; grids below come along)")
        ->delimiter(',');
    add->add_flag("--replace", a->replace, "Replace an existing user of that name");
    auto* remove = cmd->add_subcommand("remove", "Remove a user");
    remove->add_option("file", a->file, "Users file")->required();
    remove->add_option("name", a->name, "User name")->required();
    auto* list = cmd->add_subcommand("list", "List the users (names, roles, grids)");
    list->add_option("file", a->file, "Users file")->required();

    return {cmd, [a, add, remove](Context&) {
                if (add->parsed()) return add_user(*a);
                if (remove->parsed()) return remove_user(*a);
                return list_users(*a);
            }};
}

}  // namespace gridatlas::cli
