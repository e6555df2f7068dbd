// Every file a job writes goes through an OutputSet: each output is written to a temporary beside it
// ("<stem>.gridatlas-partial-<pid><ext>", same folder, so the final rename stays on one file system), synced to disk, and
// only when the whole job has written all of them are they renamed over the previous outputs. A failed or killed
// job therefore leaves the previous outputs as they were; its temporaries are removed by the next job writing to the
// same folder. A job writing to a folder keeps a manifest ("<job>.manifest.json") of this run's outputs and warns
// about files an earlier run listed there that this run did not rewrite (stale files beside new ones).
//
// The rename batch itself is made recoverable with a commit journal: once every temporary is complete and synced,
// commit() writes ".gridatlas-commit-<pid>.json" (atomically: temporary, fsync, rename, folder fsync) listing each
// temporary → final rename, then renames, then removes the journal. The journal on disk is the commit point: a job
// killed before it leaves every previous output untouched; a job killed after it (between two renames) has left
// complete, synced temporaries for the outputs not yet renamed, so the next OutputSet on the folder (or
// recover_interrupted_commits) rolls the commit forward and says so (warning interrupted_commit). Rolling back is
// not possible once a rename has replaced a file, and rolling forward needs no copy of the previous outputs.
#pragma once
#include <unistd.h>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnostics.hpp"

namespace gridatlas::pipeline {

class OutputSet {
public:
    // `job` names the manifest ("run" -> run.manifest.json); empty: no manifest (a job writing one file the user
    // named). Creates `dir` and removes temporaries a killed job left in it.
    OutputSet(std::filesystem::path dir, std::string job, Diagnostics& diag);
    // Removes the temporaries of a job that did not reach commit() (an exception on the way).
    ~OutputSet();
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;

    // Writes the output `name` (a file name in the folder, or a path in it): `write` must create the file at the
    // path it is given. Returns the final path. Nothing replaces a previous output before commit().
    std::filesystem::path write(const std::filesystem::path& name, const std::function<void(const std::filesystem::path&)>& write);
    std::filesystem::path write_text(const std::filesystem::path& name, const std::string& text);
    // The same in two steps, for writers that cannot take a callback: the temporary path to write `name` to, and
    // (once it is written and closed) done(), which syncs it. write() is reserve + the callback + done.
    std::filesystem::path reserve(const std::filesystem::path& name);
    void done(const std::filesystem::path& name);
    // The final path of `name`.
    std::filesystem::path final_path(const std::filesystem::path& name) const { return name.has_parent_path() ? name : dir_ / name; }

    // Files listed by the previous manifest of this job, still present, that this run neither wrote nor will write
    // (`to_come`: names still to be written). Each is a `stale_output` warning, given once.
    const std::vector<std::string>& stale(const std::vector<std::string>& to_come = {});

    // Writes the commit journal, renames every temporary over its final name (the manifest last), syncs the folders
    // and removes the journal.
    void commit();

    // Finishes the commits of ended jobs whose journal is in `dir`: renames the temporaries they list that are still
    // there, removes the journal, warns (interrupted_commit) naming the files. Returns the number of journals.
    static std::size_t recover_interrupted_commits(const std::filesystem::path& dir, Diagnostics& diag);

    // The commit journal of process `pid` in `dir`.
    static std::filesystem::path journal_of(const std::filesystem::path& dir, long pid = ::getpid());

    const std::filesystem::path& dir() const { return dir_; }

    // The temporary name of `final_path` (exposed for tests).
    // `<stem>.gridatlas-partial-<pid><ext>`: the process id tells a live job's temporaries from those a killed job
    // left, so two jobs writing into one folder at once never remove each other's.
    static std::filesystem::path temporary_of(const std::filesystem::path& file, long pid = ::getpid());

private:
    struct Pending {
        std::filesystem::path temporary, final_path;
    };
    std::filesystem::path dir_;
    std::string job_;
    Diagnostics& diag_;
    std::vector<Pending> pending_;
    std::optional<std::vector<std::string>> stale_;
};

}  // namespace gridatlas::pipeline
