// Outputs are never half-written: `run`, `render`, `atlas` and `coverage` are killed (SIGKILL) once the temporary of
// an output is complete — deterministically, by the test-only GRIDATLAS_TEST_KILL_AFTER_TEMPORARY hook of the
// output writer — and the previous outputs must be byte-identical and readable; the next run removes the killed
// run's temporaries. The killed run always differs from the previous one (another project, title or bands), so a
// replaced file would show. Also: a run that does not rewrite an earlier run's file says so (stale_output).
// Killed *during* the rename batch (GRIDATLAS_TEST_KILL_DURING_COMMIT=<renames done>), a job leaves its commit
// journal; the next OutputSet on the folder finishes the commit: every output is then the killed job's complete
// file (its temporary's bytes, or the file it had already renamed), no temporary or journal is left, and files the
// job did not write are untouched.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layer_rows.hpp"
#include "output_set.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace {

const fs::path fixtures = fs::path(GRIDATLAS_TEST_FIXTURES);
const fs::path tiny = fixtures / "tiny" / "project.toml";
const fs::path placement = fixtures / "placement" / "project.toml";

struct Outcome {
    bool killed = false;   // ended by SIGKILL
    int exit_code = -1;
};

// Runs the CLI with `args`; `kill_at` (a file name) sets the writer's kill hook.
// `kill_during_commit` (>= 0) sets the commit hook: killed after that many renames of the batch.
Outcome gridatlas(const std::vector<std::string>& args, const std::string& kill_at = {}, int kill_during_commit = -1) {
    std::vector<std::string> argv_s{GRIDATLAS_BIN};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e)
        if (std::string(*e).rfind("GRIDATLAS_TEST_KILL_", 0) != 0) env_s.emplace_back(*e);
    if (!kill_at.empty()) env_s.push_back("GRIDATLAS_TEST_KILL_AFTER_TEMPORARY=" + kill_at);
    if (kill_during_commit >= 0) env_s.push_back("GRIDATLAS_TEST_KILL_DURING_COMMIT=" + std::to_string(kill_during_commit));
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return {};
    int status = 0;
    waitpid(pid, &status, 0);
    Outcome o;
    o.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
    return o;
}

std::string bytes(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Every regular file of `dir` (or the one file `path`) with its bytes.
std::map<std::string, std::string> snapshot(const fs::path& path) {
    std::map<std::string, std::string> out;
    if (fs::is_regular_file(path)) out[path.filename().string()] = bytes(path);
    else
        for (const auto& e : fs::directory_iterator(path))
            if (e.is_regular_file()) out[e.path().filename().string()] = bytes(e.path());
    return out;
}

std::vector<std::string> temporaries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(".gridatlas-partial") != std::string::npos) out.push_back(e.path().filename().string());
    return out;
}

std::map<std::string, std::string> without_temporaries(std::map<std::string, std::string> files) {
    std::erase_if(files, [](const auto& kv) { return kv.first.find(".gridatlas-partial") != std::string::npos; });
    return files;
}

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("gridatlas_atomic_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

bool is_pdf(const std::string& b) { return b.rfind("%PDF-", 0) == 0 && b.find("%%EOF", b.size() > 64 ? b.size() - 64 : 0) != std::string::npos; }
bool is_png(const std::string& b) { return b.rfind("\x89PNG\r\n\x1a\n", 0) == 0 && b.find("IEND") != std::string::npos; }

// Runs `good`, then `killed` with the hook at `kill_at`; checks the previous outputs in `dir` are untouched, then
// that a normal run clears the temporaries.
void expect_kill_keeps_previous(const fs::path& dir, const fs::path& watched, const std::vector<std::string>& good,
                                const std::vector<std::string>& killed, const std::string& kill_at) {
    ASSERT_EQ(gridatlas(good).exit_code, 0);
    const auto before = snapshot(watched);
    ASSERT_FALSE(before.empty());
    const Outcome o = gridatlas(killed, kill_at);
    ASSERT_TRUE(o.killed) << "the hook did not fire at " << kill_at;
    EXPECT_FALSE(temporaries(dir).empty()) << "the killed run never reached its temporary";
    const auto after = fs::is_regular_file(watched) ? snapshot(watched) : without_temporaries(snapshot(watched));
    EXPECT_EQ(after.size(), before.size());
    for (const auto& [name, b] : before) {
        ASSERT_TRUE(after.count(name)) << name << " is gone";
        EXPECT_TRUE(after.at(name) == b) << name << " changed under a killed run";
    }
    ASSERT_EQ(gridatlas(killed).exit_code, 0);
    EXPECT_TRUE(temporaries(dir).empty()) << "temporaries of the killed run are left";
}

std::vector<fs::path> journals(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().rfind(".gridatlas-commit-", 0) == 0) out.push_back(e.path());
    return out;
}

// Runs `good`, then `killed` stopped after `renamed` renames of its commit; checks the journal is there, then that
// an OutputSet opened on `dir` (what the next job does) finishes the commit with the killed run's complete files.
void expect_interrupted_commit_finished(const fs::path& dir, const std::vector<std::string>& good,
                                        const std::vector<std::string>& killed, int renamed) {
    ASSERT_EQ(gridatlas(good).exit_code, 0);
    const auto before = snapshot(dir);
    const Outcome o = gridatlas(killed, {}, renamed);
    ASSERT_TRUE(o.killed) << "the commit hook did not fire after " << renamed << " renames";
    const auto js = journals(dir);
    ASSERT_EQ(js.size(), 1U) << "no commit journal: the kill did not fall inside the commit";
    // What each output must hold once the commit is finished: the temporary's bytes, or the already renamed file's.
    std::ifstream in(js[0]);
    const auto journal = nlohmann::json::parse(in);
    std::map<std::string, std::string> expected;
    std::size_t already = 0;
    for (const auto& r : journal.at("renames")) {
        const fs::path temporary = r.at(0).get<std::string>(), final_path = r.at(1).get<std::string>();
        ASSERT_EQ(final_path.parent_path(), fs::absolute(dir));
        const bool done = !fs::exists(temporary);
        already += done;
        expected[final_path.filename().string()] = bytes(done ? final_path : temporary);
    }
    EXPECT_EQ(already, static_cast<std::size_t>(renamed));
    gridatlas::Diagnostics diag;
    gridatlas::pipeline::OutputSet next(dir, "", diag);
    EXPECT_EQ(diag.count("interrupted_commit"), 1U);
    EXPECT_TRUE(journals(dir).empty());
    EXPECT_TRUE(temporaries(dir).empty());
    const auto after = snapshot(dir);
    for (const auto& [name, b] : expected) {
        ASSERT_TRUE(after.count(name)) << name;
        EXPECT_TRUE(after.at(name) == b) << name << " is not the killed job's complete output (" << after.at(name).size() << " bytes, expected " << b.size() << ")";
    }
    for (const auto& [name, b] : before)
        if (!expected.count(name)) {
            EXPECT_TRUE(after.count(name) && after.at(name) == b) << name << " changed, not written by the job";
        }
    ASSERT_EQ(gridatlas(killed).exit_code, 0);
    EXPECT_TRUE(journals(dir).empty());
}

TEST(AtomicOutputs, RunKilledDuringRenamesIsFinished) {
    for (const int renamed : {0, 1, 3}) {
        const fs::path out = fresh_dir("run_commit");
        expect_interrupted_commit_finished(out, {"run", placement.string(), "-o", out.string()},
                                           {"run", tiny.string(), "-o", out.string()}, renamed);
        EXPECT_FALSE(gridatlas::test::read_layer(out / "gridatlas.gpkg", "grids").empty());
    }
}

TEST(AtomicOutputs, RenderKilledDuringRenamesIsFinished) {
    const fs::path dir = fresh_dir("render_commit");
    const fs::path out = dir / "map.png";
    expect_interrupted_commit_finished(dir, {"render", tiny.string(), "-o", out.string(), "--title", "first", "--date", "2026-01-01"},
                                       {"render", tiny.string(), "-o", out.string(), "--title", "second", "--date", "2026-01-01"}, 0);
    EXPECT_TRUE(is_png(bytes(out)));
}

TEST(AtomicOutputs, AtlasKilledDuringRenamesIsFinished) {
    const fs::path dir = fresh_dir("atlas_commit");
    const fs::path out = dir / "atlas.pdf";
    expect_interrupted_commit_finished(dir, {"atlas", tiny.string(), "-o", out.string(), "--title", "first", "--date", "2026-01-01"},
                                       {"atlas", tiny.string(), "-o", out.string(), "--title", "second", "--date", "2026-01-01"}, 0);
    EXPECT_TRUE(is_pdf(bytes(out)));
}

TEST(AtomicOutputs, CoverageKilledDuringRenamesIsFinished) {
    const fs::path out = fresh_dir("coverage_commit");
    expect_interrupted_commit_finished(out, {"coverage", tiny.string(), "-o", out.string(), "--bands", "5,10"},
                                       {"coverage", tiny.string(), "-o", out.string(), "--bands", "3"}, 1);
    EXPECT_FALSE(gridatlas::test::read_layer(out / "coverage.gpkg", "isochrones").empty());
}

TEST(AtomicOutputs, KilledRunKeepsPreviousOutputs) {
    const fs::path out = fresh_dir("run");
    for (const char* at : {"gridatlas.gpkg", "summary.json"}) {
        expect_kill_keeps_previous(out, out, {"run", placement.string(), "-o", out.string()},
                                   {"run", tiny.string(), "-o", out.string()}, at);
    }
    // Readable: the GeoPackage opens with its grids, the PNG and the summary are whole.
    EXPECT_FALSE(gridatlas::test::read_layer(out / "gridatlas.gpkg", "grids").empty());
    EXPECT_TRUE(is_png(bytes(out / "overview.png")));
    EXPECT_NE(bytes(out / "summary.json").find("\"timings\""), std::string::npos);
}

TEST(AtomicOutputs, KilledRenderKeepsPreviousMap) {
    const fs::path dir = fresh_dir("render");
    for (const char* file : {"map.png", "map.pdf"}) {
        const fs::path out = dir / file;
        expect_kill_keeps_previous(dir, out, {"render", tiny.string(), "-o", out.string(), "--title", "first", "--date", "2026-01-01"},
                                   {"render", tiny.string(), "-o", out.string(), "--title", "second", "--date", "2026-01-01"}, file);
    }
    EXPECT_TRUE(is_png(bytes(dir / "map.png")));
    EXPECT_TRUE(is_pdf(bytes(dir / "map.pdf")));
}

TEST(AtomicOutputs, KilledAtlasKeepsPreviousPdf) {
    const fs::path dir = fresh_dir("atlas");
    const fs::path out = dir / "atlas.pdf";
    expect_kill_keeps_previous(dir, out, {"atlas", tiny.string(), "-o", out.string(), "--title", "first", "--date", "2026-01-01"},
                               {"atlas", tiny.string(), "-o", out.string(), "--title", "second", "--date", "2026-01-01"}, "atlas.pdf");
    EXPECT_TRUE(is_pdf(bytes(out)));
}

TEST(AtomicOutputs, KilledCoverageKeepsPreviousOutputs) {
    const fs::path out = fresh_dir("coverage");
    for (const char* at : {"coverage.gpkg", "coverage.json"})
        expect_kill_keeps_previous(out, out, {"coverage", tiny.string(), "-o", out.string(), "--bands", "5,10"},
                                   {"coverage", tiny.string(), "-o", out.string(), "--bands", "3"}, at);
    EXPECT_FALSE(gridatlas::test::read_layer(out / "coverage.gpkg", "isochrones").empty());
}

// A run without the overview map leaves the earlier overview.png: it says so, in summary.json and the manifest.
TEST(AtomicOutputs, StaleFileOfAnEarlierRunIsNamed) {
    const fs::path out = fresh_dir("stale");
    ASSERT_EQ(gridatlas({"run", tiny.string(), "-o", out.string()}).exit_code, 0);
    ASSERT_EQ(gridatlas({"run", tiny.string(), "-o", out.string(), "--no-render"}).exit_code, 0);
    const std::string summary = bytes(out / "summary.json");
    EXPECT_NE(summary.find("\"stale_outputs\": [\n    \"overview.png\"\n  ]"), std::string::npos) << summary.substr(summary.find("stale"), 80);
    EXPECT_NE(bytes(out / "run.manifest.json").find("overview.png"), std::string::npos);
}

TEST(OutputSet, TemporaryKeepsTheExtensionInTheSameFolder) {
    EXPECT_EQ(gridatlas::pipeline::OutputSet::temporary_of("/a/b/gridatlas.gpkg", 42), fs::path("/a/b/gridatlas.gridatlas-partial-42.gpkg"));
}

// A job that throws after writing a temporary leaves neither a temporary nor a replaced file.
TEST(OutputSet, FailedJobLeavesPreviousFileAndNoTemporary) {
    const fs::path dir = fresh_dir("throw");
    std::ofstream(dir / "a.txt") << "previous";
    gridatlas::Diagnostics diag;
    try {
        gridatlas::pipeline::OutputSet out(dir, "job", diag);
        out.write_text("a.txt", "new");
        throw std::runtime_error("failed later");
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(bytes(dir / "a.txt"), "previous");
    EXPECT_TRUE(temporaries(dir).empty());
}

}  // namespace
