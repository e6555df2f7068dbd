// Every test process writes its scratch files under one folder of its own, removed when the process ends: this file,
// linked into every test executable, points TMPDIR (which std::filesystem::temp_directory_path() and the gridatlas
// processes a test starts read) at <temp>/gridatlas-test-<pid> before any test runs, and removes that folder at exit.
// GRIDATLAS_KEEP_TEST_OUTPUT=1 keeps it (the path is printed) to look at what a test wrote.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace {

namespace fs = std::filesystem;

class ProcessScratch {
public:
    ProcessScratch() {
        std::error_code ec;
        const fs::path base = fs::temp_directory_path(ec);
        if (ec) return;
        const fs::path dir = base / ("gridatlas-test-" + std::to_string(::getpid()));
        fs::remove_all(dir, ec);
        if (!fs::create_directories(dir, ec) || ::setenv("TMPDIR", dir.c_str(), 1) != 0) return;
        dir_ = dir;
    }
    ~ProcessScratch() {
        if (dir_.empty()) return;
        const char* keep = std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT");
        if (keep && std::string(keep) == "1") {
            std::fprintf(stderr, "test output kept in %s\n", dir_.c_str());
            return;
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    ProcessScratch(const ProcessScratch&) = delete;
    ProcessScratch& operator=(const ProcessScratch&) = delete;

private:
    fs::path dir_;
};

const ProcessScratch kScratch;

}  // namespace
