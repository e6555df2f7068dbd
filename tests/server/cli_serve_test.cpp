// The commands as a person runs them: `gridatlas user add` reads the password from standard input and stores only
// its hash; `gridatlas serve` starts on a free port, answers, and stops cleanly on SIGTERM and on SIGINT.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_util.hpp"

namespace gridatlas::server {
namespace {

const std::string kBin = GRIDATLAS_BIN;

std::filesystem::path temp_dir() {
    auto d = test::temp_root() / "cli";
    std::filesystem::create_directories(d);
    return d;
}

// Runs `command` with `input` on its standard input; returns the exit code.
int run_with_input(const std::string& command, const std::string& input) {
    FILE* p = ::popen(command.c_str(), "w");
    if (!p) return -1;
    std::fwrite(input.data(), 1, input.size(), p);
    const int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::filesystem::path& f) {
    std::ifstream in(f);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(UserCommand, AddsUsersWithAHashedPasswordFromStdin) {
    const auto file = temp_dir() / "users.json";
    std::filesystem::remove(file);
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " west --role officer --grids 110101001001", "TopSecret-123\n"), 0);
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " plan --role planner", "TopSecret-456\n"), 0);
    const std::string text = slurp(file);
    EXPECT_NE(text.find("$argon2id$"), std::string::npos);
    EXPECT_EQ(text.find("TopSecret"), std::string::npos);
    // Taken names, short passwords, officers without grids, planners with grids: refused, file unchanged.
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " west --role officer --grids 1", "TopSecret-789\n"), 1);
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " short --role wall", "short\n"), 1);
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " nogrid --role officer", "TopSecret-789\n"), 1);
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " pg --role planner --grids 1", "TopSecret-789\n"), 1);
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " bad --role king", "TopSecret-789\n"), 1);
    EXPECT_EQ(slurp(file), text);
    EXPECT_EQ(run_with_input(kBin + " user add " + file.string() + " west --role officer --grids 110101001002 --replace", "TopSecret-000\n"), 0);
    EXPECT_NE(slurp(file).find("110101001002"), std::string::npos);
    EXPECT_EQ(run_with_input(kBin + " user remove " + file.string() + " plan", ""), 0);
    EXPECT_EQ(slurp(file).find("\"plan\""), std::string::npos);
}

struct Child {
    pid_t pid = -1;
    int out_fd = -1;
    std::filesystem::path err_file;
};

// Kills and reaps the child if a failed assertion leaves the test before it stopped the server.
struct Reaper {
    pid_t& pid;
    ~Reaper() {
        if (pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

Child start_serve(const std::vector<std::string>& args, const std::filesystem::path& err_file) {
    int pipe_fds[2];
    EXPECT_EQ(::pipe(pipe_fds), 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(err, STDERR_FILENO);
        ::close(pipe_fds[0]);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(kBin.c_str()));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(kBin.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    return {pid, pipe_fds[0], err_file};
}

// Reads the child's standard output until "listening on http://127.0.0.1:PORT"; returns PORT (0 on failure).
int wait_for_port(const Child& c, std::string& seen) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    char buf[512];
    while (std::chrono::steady_clock::now() < deadline) {
        const auto n = ::read(c.out_fd, buf, sizeof buf);
        if (n <= 0) return 0;
        seen.append(buf, static_cast<std::size_t>(n));
        const auto at = seen.find("listening on http://127.0.0.1:");
        if (at != std::string::npos) {
            const auto start = at + std::string("listening on http://127.0.0.1:").size();
            const auto end = seen.find_first_not_of("0123456789", start);
            if (end != std::string::npos) return std::atoi(seen.substr(start, end - start).c_str());
        }
    }
    return 0;
}

int wait_exit(pid_t pid, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

class ServeCommand : public ::testing::TestWithParam<int> {};

TEST_P(ServeCommand, StartsOnAFreePortAnswersAndStopsOnTheSignal) {
    const auto dir = temp_dir();
    const auto users = dir / ("serve-users-" + std::to_string(GetParam()) + ".json");
    std::filesystem::remove(users);
    ASSERT_EQ(run_with_input(kBin + " user add " + users.string() + " west --role officer --grids 110101001001", "TopSecret-123\n"), 0);
    const std::string project = std::string(GRIDATLAS_SOURCE_DIR) + "/tests/server/fixtures/project.toml";
    Child c = start_serve({"serve", project, "--users", users.string(), "--port", "0", "--web", dir.string()},
                          dir / ("serve-" + std::to_string(GetParam()) + ".err"));
    Reaper reaper{c.pid};
    std::string out;
    const int port = wait_for_port(c, out);
    ASSERT_GT(port, 0) << out << slurp(c.err_file);
    test::Session s(port);
    ASSERT_EQ(s.login("west", "TopSecret-123").status, 200);
    const auto a = s.get("/api/grids/110101001001/households");
    EXPECT_EQ(a.status, 200);
    EXPECT_TRUE(test::contains(a.body, "秘名甲QZX"));
    EXPECT_EQ(s.get("/api/grids/110101001002/households").status, 403);
    ::kill(c.pid, GetParam());
    EXPECT_EQ(wait_exit(c.pid, std::chrono::seconds(15)), 0);
    c.pid = -1;   // reaped
    ::close(c.out_fd);
    EXPECT_FALSE(test::port_open(port));
    const std::string log = slurp(c.err_file);
    EXPECT_TRUE(test::contains(log, "GET /api/grids/110101001001/households 200")) << log;
    EXPECT_FALSE(test::has_personal(log)) << log;
    EXPECT_FALSE(test::contains(log, "TopSecret")) << log;
}

INSTANTIATE_TEST_SUITE_P(Signals, ServeCommand, ::testing::Values(SIGTERM, SIGINT),
                         [](const auto& info) { return info.param == SIGTERM ? std::string("SIGTERM") : std::string("SIGINT"); });

TEST(ServeCommandErrors, AnUnknownGridOrAMissingUsersFileIsBadInput) {
    const auto dir = temp_dir();
    const auto users = dir / "ghost-users.json";
    std::filesystem::remove(users);
    ASSERT_EQ(run_with_input(kBin + " user add " + users.string() + " ghost --role officer --grids NO-SUCH-GRID", "TopSecret-123\n"), 0);
    const std::string project = std::string(GRIDATLAS_SOURCE_DIR) + "/tests/server/fixtures/project.toml";
    const std::string err = (dir / "ghost.err").string();
    int status = std::system((kBin + " serve " + project + " --users " + users.string() + " --port 0 > /dev/null 2> " + err).c_str());
    EXPECT_EQ(WEXITSTATUS(status), 2);
    EXPECT_TRUE(test::contains(slurp(err), "NO-SUCH-GRID"));
    status = std::system((kBin + " serve " + project + " --users " + (dir / "none.json").string() + " --port 0 > /dev/null 2> " + err).c_str());
    EXPECT_EQ(WEXITSTATUS(status), 2);
    EXPECT_TRUE(test::contains(slurp(err), "none.json"));
}

}  // namespace
}  // namespace gridatlas::server
