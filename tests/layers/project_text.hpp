// Shared by the project-file tests (project_config_test, project_schema_test): the text of a minimal valid project
// that tests cut pieces out of or add to, a per-test temporary folder to write project files into, and the DataError
// reading one raises.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "model/diagnostics.hpp"
#include "project_config.hpp"

namespace gridatlas::test {

// The layer tables of a minimal valid project (buildings, households, facilities, roads), one grid level, one kind.
inline const std::string minimal_layers = R"([buildings]
file = "b.geojson"
id = "bid"

[households]
file = "h.csv"
id = "hid"
building = "bid"

[facilities]
file = "f.geojson"
kind = "type"

[roads]
file = "r.geojson"
)";
inline const std::string minimal_levels = R"(
[[grid_levels]]
key = "grid"
file = "g.geojson"
code = "code"
)";
inline const std::string minimal_kinds = R"(
[[service_kinds]]
key = "clinic"
)";

// A folder of its own for the running test (its name and the process id), removed with everything in it.
class ProjectDir {
public:
    explicit ProjectDir(const std::string& prefix = "gridatlas-project") {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = std::filesystem::temp_directory_path() /
                (prefix + "-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ProjectDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ProjectDir(const ProjectDir&) = delete;
    ProjectDir& operator=(const ProjectDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        const std::filesystem::path p = path_ / name;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

private:
    std::filesystem::path path_;
};

// The DataError reading `project` raises; a test failure when it reads without one.
inline Diagnostic project_error(const std::filesystem::path& project) {
    try {
        layers::read_project_config(project);
    } catch (const DataError& e) {
        return e.diagnostic();
    }
    ADD_FAILURE() << "read_project_config(" << project << ") did not throw DataError";
    return {};
}

}  // namespace gridatlas::test
