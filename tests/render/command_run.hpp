// Running a command line from a test (pdfinfo, pdftoppm, the gridatlas binary): its exit code and what it printed.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace gridatlas::test_support {

struct CommandRun {
    int status = -1;   // the exit code; -1 when it could not be started or did not exit
    std::string out;   // standard output and standard error
};

inline CommandRun run_command(const std::string& cmd) {
    CommandRun r;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int s = ::pclose(p);
    r.status = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
    return r;
}

inline bool have_tool(const char* tool) { return run_command(std::string("command -v ") + tool).status == 0; }

}  // namespace gridatlas::test_support
