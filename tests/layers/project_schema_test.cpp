// The strict project file: unknown tables and keys name the nearest valid one, values of the wrong type or range
// name key, value and what is expected, field mappings in layer tables stay free, and README.md's schema table lists
// exactly the keys of project_schema().
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "model/diagnostics.hpp"
#include "project_config.hpp"
#include "project_text.hpp"

namespace fs = std::filesystem;
using gridatlas::DataError;
using gridatlas::Diagnostic;
using gridatlas::layers::read_project_config;

namespace {

const std::string layers = gridatlas::test::minimal_layers + gridatlas::test::minimal_levels;

// Writes `text` as a project file and returns the DataError reading it raises.
Diagnostic error_of(const std::string& text) {
    const gridatlas::test::ProjectDir dir("gridatlas-schema");
    const Diagnostic d = gridatlas::test::project_error(dir.write("project.toml", text));
    EXPECT_EQ(d.code, "bad_project_file") << text;
    return d;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::string kind = "\n[[service_kinds]]\nkey = \"school\"\n";

}  // namespace

TEST(ProjectSchema, MisspelledKeyNamesTheNearestValidOne) {
    const auto d = error_of(layers + "\n[[service_kinds]]\nkey = \"school\"\nminuts = 10\n");
    EXPECT_EQ(d.where.feature, "[service_kinds.minuts]");
    EXPECT_TRUE(has(d.message, "unknown key 'minuts' in [service_kinds]; did you mean 'minutes'?")) << d.message;
    EXPECT_TRUE(has(d.hint, "key, name, minutes, life_circle")) << d.hint;
}

TEST(ProjectSchema, MisspelledTableNamesTheNearestTable) {
    const auto d = error_of(layers + kind + "\n[walkng]\nspeed_m_per_s = 1.0\n");
    EXPECT_EQ(d.where.feature, "[walkng]");
    EXPECT_TRUE(has(d.message, "unknown table [walkng]; did you mean [walking]?")) << d.message;
}

TEST(ProjectSchema, MisspelledProjectKey) {
    const auto d = error_of("[project]\nworkng_crs = \"EPSG:4547\"\n\n" + layers + kind);
    EXPECT_EQ(d.where.feature, "[project.workng_crs]");
    EXPECT_TRUE(has(d.message, "did you mean 'working_crs'?")) << d.message;
}

TEST(ProjectSchema, QuotedNumberNamesKeyValueAndExpectation) {
    const auto d = error_of(layers + "\n[[service_kinds]]\nkey = \"school\"\nminutes = \"10\"\n");
    EXPECT_EQ(d.where.feature, "[service_kinds.minutes]");
    EXPECT_TRUE(has(d.message, "minutes = \"10\" is not valid: minutes must be positive (a number > 0)")) << d.message;
    EXPECT_TRUE(has(d.hint, "minutes = 15 (a number, no quotes)")) << d.hint;
}

TEST(ProjectSchema, WordForASpeed) {
    const auto d = error_of(layers + kind + "\n[walking]\nspeed_m_per_s = \"fast\"\n");
    EXPECT_EQ(d.where.feature, "[walking.speed_m_per_s]");
    EXPECT_TRUE(has(d.message, "speed_m_per_s = \"fast\" is not valid")) << d.message;
    EXPECT_TRUE(has(d.hint, "speed_m_per_s = 1.1")) << d.hint;
}

TEST(ProjectSchema, OutOfRangeValues) {
    auto d = error_of(layers + kind + "\n[walking]\nspeed_m_per_s = -1.2\n");
    EXPECT_TRUE(has(d.message, "speed_m_per_s = -1.2 is not valid: speed_m_per_s must be positive")) << d.message;
    d = error_of(layers + kind + "\n[walking]\nmax_snap_m = -5\n");
    EXPECT_TRUE(has(d.message, "max_snap_m = -5 is not valid: max_snap_m must be a number, 0 or more")) << d.message;
    d = error_of(layers + kind + "\n[rules]\ngrid_max_households = 450.5\n");
    EXPECT_EQ(d.where.feature, "[rules.grid_max_households]");
    EXPECT_TRUE(has(d.message, "must be whole number > 0")) << d.message;
    d = error_of(layers + kind + "\n[rules]\ngrid_min_households = 600\n");
    EXPECT_TRUE(has(d.message, "grid_min_households = 600 is above grid_max_households = 500")) << d.message;
    d = error_of(layers + "\n[[service_kinds]]\nkey = \"school\"\nlife_circle = \"yes\"\n");
    EXPECT_TRUE(has(d.message, "life_circle = \"yes\" is not valid: life_circle must be true/false")) << d.message;
    d = error_of(layers + kind + "\n[walking]\nexcluded_foot = \"no\"\n");
    EXPECT_TRUE(has(d.message, "excluded_foot must be list of text")) << d.message;
    d = error_of(layers + kind + "\n[walking.profiles]\nelderly = \"slow\"\n");
    EXPECT_EQ(d.where.feature, "[walking.profiles.elderly]");
}

TEST(ProjectSchema, KeysOutsideEveryTable) {
    const auto d = error_of("working_crs = \"EPSG:4547\"\n" + layers + kind);
    EXPECT_TRUE(has(d.message, "unknown key 'working_crs' outside every table")) << d.message;
}

TEST(ProjectSchema, LayerTablesKeepFieldMappings) {
    const fs::path p = fs::temp_directory_path() / ("gridatlas-schema-ok-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(p) << "[project]\nworking_crs = \"EPSG:4547\"\n" << layers << "HH_EXTRA = \"X\"\n" << kind
                     << "minutes = 10\n\n[walking]\nspeed_m_per_s = 1\n[walking.profiles]\nslow = 0.7\n";
    const auto cfg = read_project_config(p);
    fs::remove(p);
    EXPECT_EQ(cfg.grid_levels.at(0).source.field("HH_EXTRA"), "X");
    EXPECT_DOUBLE_EQ(cfg.service_kinds.at(0).minutes, 10);
    EXPECT_DOUBLE_EQ(cfg.walking.speed_m_per_s, 1.0);
    EXPECT_DOUBLE_EQ(cfg.walking_profiles.at("slow"), 0.7);
}

// README.md's "Project-file schema" table and project_schema() list the same (table, key) pairs with the same type
// and default.
TEST(ProjectSchema, ReadmeTableIsTheCodesSchema) {
    std::ifstream in(fs::path(GRIDATLAS_SOURCE_DIR) / "README.md");
    ASSERT_TRUE(in) << "README.md not found";
    std::string line;
    bool inside = false;
    std::set<std::string> readme, code;
    const std::regex row(R"(^\| `([^`]+)` \| `([^`]+)` \| ([^|]*) \| ([^|]*) \| [^|]+ \|$)");
    while (std::getline(in, line)) {
        if (line.rfind("### Project-file schema", 0) == 0) inside = true;
        else if (inside && line.rfind("#", 0) == 0) break;
        std::smatch m;
        if (inside && std::regex_match(line, m, row)) {
            EXPECT_TRUE(readme.insert(m[1].str() + "|" + m[2].str() + "|" + m[3].str() + "|" + m[4].str()).second) << line;
        }
    }
    for (const auto& k : gridatlas::layers::project_schema())
        code.insert(k.table + "|" + k.key + "|" + k.type + "|" + k.default_value);
    for (const auto& k : readme) EXPECT_TRUE(code.count(k)) << "README lists a key the code does not know: " << k;
    for (const auto& k : code) EXPECT_TRUE(readme.count(k)) << "README misses a key of the code: " << k;
    EXPECT_GT(code.size(), 40u);
}
