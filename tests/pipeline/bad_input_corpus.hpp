// The bad-input corpus (scripts/make_bad_inputs.py) for the tests that run `gridatlas` on it: one corpus folder and
// one output folder per test process (ctest runs each case of a file as its own process, in parallel), made once per
// process and removed at the end unless a case failed (kept for a look).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gridatlas::test_support {

inline std::filesystem::path per_process(const std::filesystem::path& p) {
    return p.string() + "-" + std::to_string(::getpid());
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Fixture base: `corpus_dir()` holds the script's cases, `outputs_dir()` the commands' outputs.
class CorpusTest : public ::testing::Test {
public:
    static std::filesystem::path corpus_dir() { return per_process(GRIDATLAS_BAD_INPUTS); }
    static std::filesystem::path outputs_dir() { return per_process(corpus_dir().string() + "_out"); }

protected:
    static void SetUpTestSuite() {
        const std::string cmd = "python3 '" + std::string(GRIDATLAS_SOURCE_DIR) + "/scripts/make_bad_inputs.py' '" +
                                corpus_dir().string() + "' > /dev/null";
        made_ = std::system(cmd.c_str()) == 0;
    }
    static void TearDownTestSuite() {
        if (::testing::UnitTest::GetInstance()->failed_test_count() > 0) return;
        std::error_code ec;
        std::filesystem::remove_all(corpus_dir(), ec);
        std::filesystem::remove_all(outputs_dir(), ec);
    }
    void SetUp() override { ASSERT_TRUE(made_) << "scripts/make_bad_inputs.py failed"; }

private:
    static inline bool made_ = false;
};

}  // namespace gridatlas::test_support
