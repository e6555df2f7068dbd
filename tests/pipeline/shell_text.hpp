// Small helpers the pipeline tests that drive the gridatlas binary or ogr2ogr through a shell share: a file's bytes,
// a string quoted for /bin/sh, and a command's exit code.
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gridatlas::test {

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// `s` in single quotes for /bin/sh (an embedded ' becomes '\'').
inline std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Runs `cmd` through /bin/sh; its exit code, or -1 when it did not exit normally.
inline int shell(const std::string& cmd) {
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace gridatlas::test
