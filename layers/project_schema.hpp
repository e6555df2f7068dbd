// The project file's schema check: unknown tables and keys (with the nearest valid one) and values of the wrong
// type or range, before any value is read. The schema itself is project_schema() in project_config.hpp.
#pragma once
#include <toml++/toml.h>

#include <filesystem>

namespace gridatlas::layers {

// Throws DataError (bad_project_file) naming the table and key, the value, what is expected and the nearest valid key.
void check_project_schema(const std::filesystem::path& project, const toml::table& root);

}  // namespace gridatlas::layers
