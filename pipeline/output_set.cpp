// Atomic outputs for every job: temporaries in the same folder, fsync, a commit journal, renames when the whole job
// is done, recovery of a commit a kill interrupted; a manifest of each run's outputs and warnings about stale files.
// See output_set.hpp.
#include "output_set.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <set>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

namespace gridatlas::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPartial = ".gridatlas-partial";

// Flushes a file (or folder) to disk; an error names the file.
void sync_path(const fs::path& p, bool folder) {
    const int fd = ::open(p.c_str(), folder ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + p.string() + " to sync it");
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0 && !folder) throw std::system_error(err, std::generic_category(), "cannot write " + p.string() + " to disk");
}

// Test hook: GRIDATLAS_TEST_KILL_AFTER_TEMPORARY=<file name> makes the process kill itself (SIGKILL) once the
// temporary of that output is complete, so kill tests are deterministic. Never set in production.
void test_kill_point(const fs::path& final_path) {
    const char* at = std::getenv("GRIDATLAS_TEST_KILL_AFTER_TEMPORARY");
    if (at && final_path.filename() == at) std::raise(SIGKILL);
}

// Test hook: GRIDATLAS_TEST_KILL_DURING_COMMIT=<n> makes the process kill itself (SIGKILL) in commit() once the
// journal is on disk and <n> of the renames are done (0: before the first). Never set in production.
void test_kill_during_commit(std::size_t renamed) {
    const char* at = std::getenv("GRIDATLAS_TEST_KILL_DURING_COMMIT");
    if (at && *at && std::strtoul(at, nullptr, 10) == renamed) std::raise(SIGKILL);
}

void remove_quietly(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}

// A temporary of a job, or one of SQLite's side files of it (-journal, -wal, -shm).
bool is_temporary(const fs::path& p) { return p.filename().string().find(kPartial) != std::string::npos; }

// Whether process `pid` has ended (a job killed or crashed).
bool process_ended(long pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

// Whether the job that wrote temporary `p` has ended (killed or crashed): its process id, after the marker, names no
// live process. Another job writing into the same folder at the same time keeps its temporaries.
bool left_by_ended_job(const fs::path& p) {
    const std::string name = p.filename().string();
    const std::size_t at = name.find(kPartial) + std::string(kPartial).size();
    if (at >= name.size() || name[at] != '-') return true;
    const long pid = std::strtol(name.c_str() + at + 1, nullptr, 10);
    return pid <= 0 || process_ended(pid);
}

// Writes `text` to `file` atomically and durably: a temporary beside it, fsync, rename, fsync of the folder.
void write_durably(const fs::path& file, const std::string& text) {
    const fs::path temporary = OutputSet::temporary_of(file);
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) {
            remove_quietly(temporary);
            throw std::runtime_error("cannot write " + temporary.string() + " (disk full?)");
        }
    }
    sync_path(temporary, false);
    fs::rename(temporary, file);
    sync_path(file.parent_path(), true);
}

constexpr const char* kJournal = ".gridatlas-commit-";

// The process id in a journal's name (".gridatlas-commit-<pid>.json"), or 0 when `p` is no journal.
long journal_pid(const fs::path& p) {
    const std::string name = p.filename().string();
    if (name.rfind(kJournal, 0) != 0 || p.extension() != ".json") return 0;
    return std::strtol(name.c_str() + std::string(kJournal).size(), nullptr, 10);
}

std::vector<std::string> read_manifest(const fs::path& file) {
    std::vector<std::string> out;
    std::ifstream in(file);
    if (!in) return out;
    try {
        const auto j = nlohmann::json::parse(in);
        for (const auto& name : j.at("outputs")) out.push_back(name.get<std::string>());
    } catch (const std::exception&) {   // an unreadable manifest lists nothing: nothing can be called stale from it
    }
    return out;
}

}  // namespace

fs::path OutputSet::temporary_of(const fs::path& file, long pid) {
    return file.parent_path() / (file.stem().string() + kPartial + "-" + std::to_string(pid) + file.extension().string());
}

fs::path OutputSet::journal_of(const fs::path& dir, long pid) { return dir / (kJournal + std::to_string(pid) + ".json"); }

std::size_t OutputSet::recover_interrupted_commits(const fs::path& dir, Diagnostics& diag) {
    std::vector<fs::path> journals;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && process_ended(journal_pid(e.path()))) journals.push_back(e.path());
    for (const fs::path& journal : journals) {
        std::vector<std::pair<fs::path, fs::path>> renames;
        try {
            std::ifstream in(journal);
            const auto j = nlohmann::json::parse(in);
            for (const auto& r : j.at("renames"))
                renames.emplace_back(r.at(0).get<std::string>(), r.at(1).get<std::string>());
        } catch (const std::exception& e) {
            throw std::runtime_error("the commit journal " + journal.string() + " of an interrupted job cannot be read (" + e.what() +
                                     "): check the outputs in " + dir.string() + " by hand, then delete it");
        }
        std::string finished;
        std::set<fs::path> folders;
        for (const auto& [temporary, final_path] : renames) {
            if (!fs::exists(temporary)) continue;  // renamed before the job ended
            fs::rename(temporary, final_path);
            folders.insert(final_path.parent_path());
            finished += (finished.empty() ? "" : ", ") + final_path.filename().string();
        }
        for (const auto& f : folders) sync_path(f, true);
        fs::remove(journal);
        sync_path(dir, true);
        diag.warn("interrupted_commit", {dir.string(), "", "", {}, {}},
                  "a job writing here was stopped while putting its " + std::to_string(renames.size()) +
                      " complete outputs in place; finished now" + (finished.empty() ? std::string() : " (" + finished + ")"),
                  "the folder holds that job's outputs; rerun it if they are not the ones you want");
    }
    return journals.size();
}

OutputSet::OutputSet(fs::path dir, std::string job, Diagnostics& diag) : dir_(std::move(dir)), job_(std::move(job)), diag_(diag) {
    if (dir_.empty()) dir_ = ".";
    fs::create_directories(dir_);
    recover_interrupted_commits(dir_, diag_);
    for (const auto& e : fs::directory_iterator(dir_))
        if (e.is_regular_file() && is_temporary(e.path()) && left_by_ended_job(e.path())) remove_quietly(e.path());
}

OutputSet::~OutputSet() {
    for (const Pending& p : pending_) {
        remove_quietly(p.temporary);
        for (const char* side : {"-journal", "-wal", "-shm"}) remove_quietly(p.temporary.string() + side);
    }
}

fs::path OutputSet::reserve(const fs::path& name) {
    const fs::path final = final_path(name);
    const fs::path temporary = temporary_of(final);
    remove_quietly(temporary);
    pending_.push_back({temporary, final});
    return temporary;
}

void OutputSet::done(const fs::path& name) {
    const fs::path final = final_path(name);
    const fs::path temporary = temporary_of(final);
    if (!fs::exists(temporary)) throw std::runtime_error("the output " + final.string() + " was not written");
    sync_path(temporary, false);
    test_kill_point(final);
}

fs::path OutputSet::write(const fs::path& name, const std::function<void(const fs::path&)>& write) {
    write(reserve(name));
    done(name);
    return final_path(name);
}

fs::path OutputSet::write_text(const fs::path& name, const std::string& text) {
    return write(name, [&](const fs::path& tmp) {
        std::ofstream out(tmp, std::ios::binary);
        out << text;
        out.close();
        if (!out) throw std::runtime_error("cannot write " + tmp.string() + " (disk full?)");
    });
}

const std::vector<std::string>& OutputSet::stale(const std::vector<std::string>& to_come) {
    if (stale_) return *stale_;
    stale_.emplace();
    if (job_.empty()) return *stale_;
    std::set<std::string> now(to_come.begin(), to_come.end());
    for (const Pending& p : pending_) now.insert(p.final_path.filename().string());
    for (const std::string& name : read_manifest(dir_ / (job_ + ".manifest.json")))
        if (!now.count(name) && fs::exists(dir_ / name)) stale_->push_back(name);
    for (const std::string& name : *stale_)
        diag_.warn("stale_output", {(dir_ / name).string(), "", "", {}, {}},
                   "'" + name + "' is from an earlier '" + job_ + "' run and was not written by this one",
                   "delete it, or run with the options that write it");
    return *stale_;
}

void OutputSet::commit() {
    if (!job_.empty()) {
        std::vector<std::string> now;
        for (const Pending& p : pending_) now.push_back(p.final_path.filename().string());
        const auto& old = stale(now);
        const nlohmann::json j = {{"job", job_}, {"outputs", now}, {"stale_from_earlier_runs", old}};
        write_text(job_ + ".manifest.json", j.dump(2) + "\n");
    }
    nlohmann::json renames = nlohmann::json::array();
    for (const Pending& p : pending_) renames.push_back({fs::absolute(p.temporary).string(), fs::absolute(p.final_path).string()});
    const fs::path journal = journal_of(dir_);
    write_durably(journal, nlohmann::json{{"renames", renames}}.dump(2) + "\n");   // the commit point
    std::size_t renamed = 0;
    for (const Pending& p : pending_) {
        test_kill_during_commit(renamed++);
        fs::rename(p.temporary, p.final_path);
    }
    test_kill_during_commit(renamed);
    std::set<fs::path> folders;
    for (const Pending& p : pending_) folders.insert(p.final_path.parent_path().empty() ? fs::path(".") : p.final_path.parent_path());
    pending_.clear();
    for (const auto& f : folders) sync_path(f, true);
    fs::remove(journal);
    sync_path(dir_, true);
}

}  // namespace gridatlas::pipeline
