// The project file reader: what a complete file yields (the tiny fixture), the defaults, and for every kind of
// mistake the DataError a user sees: code bad_project_file (or file_not_found), the file, the key or line, a hint.
#include "project_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "model/diagnostics.hpp"
#include "project_text.hpp"

namespace fs = std::filesystem;
using gridatlas::DataError;
using gridatlas::Diagnostic;
using gridatlas::layers::read_project_config;

namespace {

const fs::path tiny_dir = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny";

using TempDir = gridatlas::test::ProjectDir;
using gridatlas::test::minimal_kinds;
using gridatlas::test::minimal_layers;
using gridatlas::test::minimal_levels;

Diagnostic error_of(const fs::path& project) { return gridatlas::test::project_error(project); }

// The checks every project-file error must pass: the code, the file named, what is wrong, what to do.
void expect_project_error(const Diagnostic& d, const fs::path& project, const std::string& key,
                          const std::string& message_part, const std::string& hint_part = "") {
    EXPECT_EQ(d.code, "bad_project_file");
    EXPECT_EQ(d.severity, gridatlas::Severity::error);
    EXPECT_EQ(d.where.file, fs::absolute(project).lexically_normal().string());
    EXPECT_EQ(d.where.feature, key);
    EXPECT_NE(d.message.find(message_part), std::string::npos) << d.message;
    EXPECT_FALSE(d.hint.empty());
    if (!hint_part.empty()) {
        EXPECT_NE(d.hint.find(hint_part), std::string::npos) << d.hint;
    }
    const std::string shown = gridatlas::format_diagnostic(d);
    EXPECT_NE(shown.find(project.filename().string()), std::string::npos) << shown;
    EXPECT_NE(shown.find(key), std::string::npos) << shown;
}

}  // namespace

TEST(ProjectConfig, ReadsTheTinyFixture) {
    const auto cfg = read_project_config(tiny_dir / "project.toml");
    EXPECT_EQ(cfg.file, fs::absolute(tiny_dir / "project.toml").lexically_normal());
    EXPECT_EQ(cfg.name, "tiny");
    EXPECT_EQ(cfg.working_crs, "EPSG:4548");

    // Paths are relative to the project file, made absolute and normal.
    EXPECT_EQ(cfg.buildings.file, fs::absolute(tiny_dir / "buildings.geojson").lexically_normal());
    EXPECT_EQ(cfg.buildings.role, "buildings");
    EXPECT_TRUE(cfg.buildings.layer.empty());
    EXPECT_TRUE(cfg.buildings.crs.empty());
    EXPECT_EQ(cfg.buildings.field("id"), "building_id");
    EXPECT_EQ(cfg.buildings.field("floors"), "floors");
    EXPECT_TRUE(cfg.buildings.maps("residential"));
    EXPECT_FALSE(cfg.buildings.maps("file"));  // reserved keys are not field mappings
    EXPECT_EQ(cfg.buildings.field("unmapped"), "unmapped");

    ASSERT_TRUE(cfg.units.has_value());
    EXPECT_EQ(cfg.units->field("number"), "unit_no");
    EXPECT_EQ(cfg.households.file.filename(), "households.csv");
    EXPECT_EQ(cfg.households.field("party_members"), "party_members");
    EXPECT_EQ(cfg.facilities.field("id"), "facility_id");
    EXPECT_EQ(cfg.roads.field("id"), "road_id");

    ASSERT_EQ(cfg.grid_levels.size(), 2u);
    EXPECT_EQ(cfg.grid_levels[0].key, "community");
    EXPECT_EQ(cfg.grid_levels[0].label, "社区");
    EXPECT_EQ(cfg.grid_levels[0].source.file.filename(), "communities.geojson");
    EXPECT_EQ(cfg.grid_levels[0].source.role, "grid level 'community'");
    EXPECT_FALSE(cfg.grid_levels[0].source.maps("key"));
    EXPECT_FALSE(cfg.grid_levels[0].source.maps("label"));
    EXPECT_EQ(cfg.grid_levels[1].key, "grid");
    EXPECT_EQ(cfg.grid_levels[1].label, "网格");
    EXPECT_EQ(cfg.grid_levels[1].source.field("parent_code"), "parent_code");

    EXPECT_DOUBLE_EQ(cfg.walking.speed_m_per_s, 1.1);
    EXPECT_DOUBLE_EQ(cfg.walking.max_snap_m, 250);
    ASSERT_EQ(cfg.service_kinds.size(), 2u);
    EXPECT_EQ(cfg.service_kinds[0].key, "party_mass_centre");
    EXPECT_EQ(cfg.service_kinds[0].name, "党群服务中心");
    EXPECT_DOUBLE_EQ(cfg.service_kinds[0].minutes, 5);  // an integer in TOML, read as a double
    EXPECT_TRUE(cfg.service_kinds[0].in_life_circle);
    EXPECT_EQ(cfg.service_kinds[1].key, "health");

    // No [rules] in the tiny project: the defaults.
    EXPECT_EQ(cfg.rules.standalone_party_org_households, 300);
    EXPECT_EQ(cfg.rules.community_max_households, 3000);
    EXPECT_EQ(cfg.rules.grid_min_households, 300);
    EXPECT_EQ(cfg.rules.grid_max_households, 500);
    EXPECT_EQ(cfg.map.headline_kind, "party_mass_centre");
    EXPECT_EQ(cfg.map.title, "tiny");
    EXPECT_EQ(cfg.map.width_px, 600);
}

TEST(ProjectConfig, ReadsTheBundledSample) {
    const auto cfg = read_project_config(fs::path(GRIDATLAS_SOURCE_DIR) / "data/sample/project.toml");
    EXPECT_EQ(cfg.working_crs, "auto");
    EXPECT_EQ(cfg.buildings.layer, "buildings");
    EXPECT_EQ(cfg.grid_levels.size(), 2u);
    EXPECT_EQ(cfg.service_kinds.size(), 9u);
    EXPECT_EQ(cfg.roads.field("level"), "layer");
    EXPECT_EQ(cfg.walkability.excluded_highways.size(), 6u);
}

TEST(ProjectConfig, MinimalFileGetsDefaults) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds);
    const auto cfg = read_project_config(p);
    EXPECT_EQ(cfg.working_crs, "auto");  // no [project] table
    EXPECT_TRUE(cfg.name.empty());
    EXPECT_FALSE(cfg.units.has_value());
    EXPECT_EQ(cfg.grid_levels[0].label, "grid");         // label defaults to the key
    EXPECT_EQ(cfg.service_kinds[0].name, "clinic");     // name defaults to the key
    EXPECT_DOUBLE_EQ(cfg.service_kinds[0].minutes, 15);
    EXPECT_TRUE(cfg.service_kinds[0].in_life_circle);
    EXPECT_DOUBLE_EQ(cfg.walking.speed_m_per_s, 1.1);
    EXPECT_DOUBLE_EQ(cfg.walking.max_snap_m, 250);
    EXPECT_EQ(cfg.walkability.excluded_foot, std::vector<std::string>{"no"});
    EXPECT_EQ(cfg.map.headline_kind, "clinic");          // the first kind
    EXPECT_EQ(cfg.map.width_px, 2400);
    EXPECT_EQ(cfg.facilities.field("kind"), "type");
}

TEST(ProjectConfig, LayerTableKeysAndPaths) {
    TempDir dir;
    const std::string layers = R"([buildings]
file = "../shared/city.gpkg"
layer = "楼栋"
crs = "EPSG:4548"
id = "编号"

[households]
file = "/abs/roster.csv"
id = "hid"

[facilities]
file = "./f.geojson"

[roads]
file = "r.geojson"
)";
    const auto p = dir.write("proj/p.toml", layers + minimal_levels + minimal_kinds + R"(
[walking]
speed_m_per_s = 1
excluded_highways = ["motorway"]
excluded_access = []

[rules]
grid_min_households = 100
grid_max_households = 200

[project]
name = "名字"
)");
    const auto cfg = read_project_config(p);
    EXPECT_EQ(cfg.buildings.file, (dir.path() / "shared/city.gpkg").lexically_normal());
    EXPECT_EQ(cfg.buildings.layer, "楼栋");
    EXPECT_EQ(cfg.buildings.crs, "EPSG:4548");
    EXPECT_EQ(cfg.buildings.field("id"), "编号");
    EXPECT_EQ(cfg.households.file, fs::path("/abs/roster.csv"));
    EXPECT_EQ(cfg.facilities.file, (dir.path() / "proj/f.geojson").lexically_normal());
    EXPECT_DOUBLE_EQ(cfg.walking.speed_m_per_s, 1.0);
    EXPECT_EQ(cfg.walkability.excluded_highways, std::vector<std::string>{"motorway"});
    EXPECT_TRUE(cfg.walkability.excluded_access.empty());
    EXPECT_EQ(cfg.walkability.excluded_foot, std::vector<std::string>{"no"});
    EXPECT_EQ(cfg.rules.grid_min_households, 100);
    EXPECT_EQ(cfg.rules.grid_max_households, 200);
    EXPECT_EQ(cfg.name, "名字");
    EXPECT_EQ(cfg.map.title, "名字");  // title defaults to the project name
}

TEST(ProjectConfigErrors, MissingProjectFile) {
    TempDir dir;
    const auto p = dir.path() / "nope.toml";
    const Diagnostic d = error_of(p);
    EXPECT_EQ(d.code, "file_not_found");
    EXPECT_EQ(d.where.file, p.string());
    EXPECT_NE(d.message.find("does not exist"), std::string::npos);
    EXPECT_NE(d.hint.find("project.toml"), std::string::npos);
}

TEST(ProjectConfigErrors, BadTomlNamesTheLine) {
    TempDir dir;
    // Line 4: an unterminated string.
    const auto p = dir.write("p.toml", "[project]\nname = \"x\"\n\nworking_crs = \"EPSG:4548\n" + minimal_layers);
    const Diagnostic d = error_of(p);
    EXPECT_EQ(d.code, "bad_project_file");
    EXPECT_EQ(d.where.file, p.string());
    EXPECT_EQ(d.where.feature, "line 4");
    EXPECT_EQ(d.message.rfind("not valid TOML: ", 0), 0u) << d.message;
    EXPECT_NE(d.hint.find("line"), std::string::npos);
    EXPECT_NE(gridatlas::format_diagnostic(d).find("line 4"), std::string::npos);
}

TEST(ProjectConfigErrors, BadTomlDuplicateKey) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + "[buildings]\nfile = \"x\"\n");
    const Diagnostic d = error_of(p);
    EXPECT_EQ(d.code, "bad_project_file");
    EXPECT_EQ(d.where.feature, "line 16");  // the second [buildings]
}

TEST(ProjectConfigErrors, MissingGridLevels) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_kinds);
    expect_project_error(error_of(p), p, "[grid_levels]", "no grid levels", "[[grid_levels]]");
}

TEST(ProjectConfigErrors, EmptyGridLevelsArray) {
    TempDir dir;
    const auto p = dir.write("p.toml", "grid_levels = []\n" + minimal_layers + minimal_kinds);
    expect_project_error(error_of(p), p, "[grid_levels]", "no grid levels", "[[grid_levels]]");
}

TEST(ProjectConfigErrors, GridLevelWithoutKey) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + "\n[[grid_levels]]\nfile = \"g.geojson\"\n" + minimal_kinds);
    expect_project_error(error_of(p), p, "[grid_levels]", "has no key", "key =");
}

TEST(ProjectConfigErrors, GridLevelKeyTwice) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_levels + minimal_kinds);
    expect_project_error(error_of(p), p, "[grid_levels]", "'grid' is used twice");
}

TEST(ProjectConfigErrors, GridLevelWithoutFile) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + "\n[[grid_levels]]\nkey = \"grid\"\n" + minimal_kinds);
    expect_project_error(error_of(p), p, "[grid level 'grid']", "has no file", "file =");
}

TEST(ProjectConfigErrors, MissingBuildingsTable) {
    TempDir dir;
    std::string text = minimal_layers;
    text.replace(text.find("[buildings]"), std::string("[buildings]").size(), "[building]");
    const auto p = dir.write("p.toml", text + minimal_levels + minimal_kinds);
    expect_project_error(error_of(p), p, "[building]", "unknown table [building]; did you mean [buildings]?", "the tables of a project file");
}

// [roads], [facilities] and [buildings] are optional (ProjectState reports the stages that skips).
TEST(ProjectConfig, RoadsFacilitiesAndBuildingsAreOptional) {
    TempDir dir;
    std::string text = minimal_layers;
    text.erase(text.find("[roads]"));
    auto cfg = read_project_config(dir.write("p.toml", text + minimal_levels + minimal_kinds));
    EXPECT_FALSE(cfg.has_roads());
    EXPECT_TRUE(cfg.has_facilities());
    const std::string households_only = "[households]\nfile = \"h.csv\"\nid = \"hid\"\nbuilding = \"bid\"\n";
    cfg = read_project_config(dir.write("q.toml", households_only + minimal_levels));
    EXPECT_FALSE(cfg.has_buildings());
    EXPECT_FALSE(cfg.has_facilities());
    EXPECT_TRUE(cfg.service_kinds.empty());
    EXPECT_TRUE(cfg.map.headline_kind.empty());
}

TEST(ProjectConfigErrors, UnitsWithoutBuildings) {
    TempDir dir;
    const std::string text = "[households]\nfile = \"h.csv\"\nid = \"hid\"\nbuilding = \"bid\"\n[units]\nfile = \"u.csv\"\n";
    const auto p = dir.write("p.toml", text + minimal_levels);
    expect_project_error(error_of(p), p, "[units]", "no [buildings] table", "add [buildings]");
}

TEST(ProjectConfigErrors, LayerWithoutFile) {
    TempDir dir;
    std::string text = minimal_layers;
    text.replace(text.find("file = \"h.csv\""), std::string("file = \"h.csv\"").size(), "files = \"h.csv\"");
    const auto p = dir.write("p.toml", text + minimal_levels + minimal_kinds);
    expect_project_error(error_of(p), p, "[households]", "the households layer has no file", "file = ");
}

TEST(ProjectConfigErrors, EmptyFileName) {
    TempDir dir;
    std::string text = minimal_layers;
    text.replace(text.find("file = \"r.geojson\""), std::string("file = \"r.geojson\"").size(), "file = \"\"");
    const auto p = dir.write("p.toml", text + minimal_levels + minimal_kinds);
    expect_project_error(error_of(p), p, "[roads]", "has no file");
}

TEST(ProjectConfigErrors, FieldMappingNotAString) {
    TempDir dir;
    std::string text = minimal_layers;
    text.replace(text.find("id = \"bid\""), std::string("id = \"bid\"").size(), "id = 3");
    const auto p = dir.write("p.toml", text + minimal_levels + minimal_kinds);
    expect_project_error(error_of(p), p, "[buildings.id]", "field mappings are strings", "id = \"");
}

TEST(ProjectConfigErrors, MissingServiceKinds) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels);
    expect_project_error(error_of(p), p, "[service_kinds]", "no service kinds", "[[service_kinds]]");
}

TEST(ProjectConfigErrors, ServiceKindWithoutKey) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + "\n[[service_kinds]]\nname = \"x\"\n");
    expect_project_error(error_of(p), p, "[service_kinds]", "has no key", "key =");
}

TEST(ProjectConfigErrors, ServiceKindTwice) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds + minimal_kinds);
    expect_project_error(error_of(p), p, "[service_kinds]", "'clinic' is defined twice");
}

TEST(ProjectConfigErrors, NonPositiveThreshold) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds + "minutes = 0\n");
    expect_project_error(error_of(p), p, "[service_kinds.minutes]", "minutes = 0 is not valid: minutes must be positive", "minutes = 15");
}

TEST(ProjectConfigErrors, NonPositiveWalkingSpeed) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds + "\n[walking]\nspeed_m_per_s = 0\n");
    expect_project_error(error_of(p), p, "[walking.speed_m_per_s]", "speed_m_per_s must be positive", "1.1");
}

TEST(ProjectConfigErrors, UnknownHeadlineKind) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds + "\n[map]\nheadline_kind = \"school\"\n");
    expect_project_error(error_of(p), p, "[map]", "headline_kind 'school' is not a service kind", "[[service_kinds]]");
}

// ---------------------------------------------------------------------------------------------------------------
// Several levels in one layer: level_field / level_value

TEST(ProjectConfig, LevelFieldAndValue) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + R"(
[[grid_levels]]
key = "community"
file = "all.gpkg"
layer = "grids"
level_field = "level"
level_value = "社区"
code = "code"

[[grid_levels]]
key = "grid"
file = "all.gpkg"
layer = "grids"
level_field = "level_no"
level_value = 2
code = "code"
)" + minimal_kinds);
    const auto cfg = read_project_config(p);
    ASSERT_EQ(cfg.grid_levels.size(), 2u);
    EXPECT_EQ(cfg.grid_levels[0].level_field, "level");
    EXPECT_EQ(cfg.grid_levels[0].level_value, "社区");
    EXPECT_EQ(cfg.grid_levels[1].level_field, "level_no");
    EXPECT_EQ(cfg.grid_levels[1].level_value, "2");   // a whole number is compared as text
    // Settings, not field mappings.
    EXPECT_FALSE(cfg.grid_levels[0].source.maps("level_field"));
    EXPECT_FALSE(cfg.grid_levels[0].source.maps("level_value"));
    EXPECT_EQ(cfg.grid_levels[0].source.field("code"), "code");
    // Without them a level reads its whole layer.
    const auto minimal = read_project_config(dir.write("q.toml", minimal_layers + minimal_levels + minimal_kinds));
    EXPECT_TRUE(minimal.grid_levels[0].level_field.empty());
}

TEST(ProjectConfigErrors, LevelFieldWithoutValue) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + "level_field = \"level\"\n" + minimal_kinds);
    expect_project_error(error_of(p), p, "[grid_levels.grid]", "level_field is given without level_value", "level_value =");
    const auto q = dir.write("q.toml", minimal_layers + minimal_levels + "level_value = \"网格\"\n" + minimal_kinds);
    expect_project_error(error_of(q), q, "[grid_levels.grid]", "level_value is given without level_field", "level_field =");
}

TEST(ProjectConfigErrors, LevelValueNeitherTextNorWholeNumber) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + "level_field = \"level\"\nlevel_value = 1.5\n" + minimal_kinds);
    expect_project_error(error_of(p), p, "[grid_levels.grid.level_value]", "text or a whole number", "level_value = 2");
}

// ---------------------------------------------------------------------------------------------------------------
// [walking] search_limit_min

TEST(ProjectConfig, SearchLimitDefaultsToFourTimesTheLargestThreshold) {
    TempDir dir;
    const std::string kinds = "\n[[service_kinds]]\nkey = \"clinic\"\nminutes = 5\n\n[[service_kinds]]\nkey = \"school\"\nminutes = 10\n";
    EXPECT_DOUBLE_EQ(read_project_config(dir.write("p.toml", minimal_layers + minimal_levels + kinds)).walking.search_limit_min, 40);
    const auto set = read_project_config(dir.write("q.toml", minimal_layers + minimal_levels + kinds + "\n[walking]\nsearch_limit_min = 25\n"));
    EXPECT_DOUBLE_EQ(set.walking.search_limit_min, 25);
    const auto unbounded = read_project_config(dir.write("r.toml", minimal_layers + minimal_levels + kinds + "\n[walking]\nsearch_limit_min = inf\n"));
    EXPECT_TRUE(std::isinf(unbounded.walking.search_limit_min));
    EXPECT_DOUBLE_EQ(read_project_config(tiny_dir / "project.toml").walking.search_limit_min, 20);   // two 5-minute kinds
}

TEST(ProjectConfigErrors, SearchLimitBelowAThreshold) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds + "\n[walking]\nsearch_limit_min = 10\n");
    expect_project_error(error_of(p), p, "[walking.search_limit_min]",
                         "search_limit_min = 10 is below the threshold of service kind 'clinic' (15 min)", "at least the largest threshold");
    const auto q = dir.write("q.toml", minimal_layers + minimal_levels + minimal_kinds + "\n[walking]\nsearch_limit_min = \"long\"\n");
    expect_project_error(error_of(q), q, "[walking.search_limit_min]", "search_limit_min must be positive (a number > 0)", "no quotes");
}

// ---------------------------------------------------------------------------------------------------------------
// [entrances]

TEST(ProjectConfig, EntrancesTable) {
    TempDir dir;
    const auto none = read_project_config(dir.write("n.toml", minimal_layers + minimal_levels + minimal_kinds));
    EXPECT_FALSE(none.entrances.has_value());
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds +
                                           "\n[entrances]\nfile = \"doors.geojson\"\nid = \"door_id\"\nbuilding = \"bid\"\n");
    const auto cfg = read_project_config(p);
    ASSERT_TRUE(cfg.entrances.has_value());
    EXPECT_EQ(cfg.entrances->file, dir.path() / "doors.geojson");
    EXPECT_EQ(cfg.entrances->field("building"), "bid");
    EXPECT_EQ(cfg.entrances->field("id"), "door_id");
    // building_field says the same.
    const auto q = dir.write("q.toml", minimal_layers + minimal_levels + minimal_kinds +
                                           "\n[entrances]\nfile = \"doors.geojson\"\nbuilding_field = \"楼栋\"\n");
    const auto alias = read_project_config(q);
    EXPECT_EQ(alias.entrances->field("building"), "楼栋");
    EXPECT_FALSE(alias.entrances->maps("building_field"));
}

TEST(ProjectConfigErrors, EntrancesWithoutFile) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_levels + minimal_kinds + "\n[entrances]\nbuilding = \"bid\"\n");
    expect_project_error(error_of(p), p, "[entrances]", "the entrances layer has no file", "file =");
}

TEST(ProjectConfigErrors, TheErrorIsWhatTheCliPrints) {
    TempDir dir;
    const auto p = dir.write("p.toml", minimal_layers + minimal_kinds);
    try {
        read_project_config(p);
        FAIL() << "no DataError";
    } catch (const DataError& e) {
        // what() is the formatted diagnostic: "error: <file>, feature [grid_levels]: <message> — <hint>"
        const std::string what = e.what();
        EXPECT_EQ(what, gridatlas::format_diagnostic(e.diagnostic()));
        EXPECT_EQ(what.rfind("error: " + p.string(), 0), 0u) << what;
        EXPECT_NE(what.find(" — add one [[grid_levels]] table per level"), std::string::npos) << what;
    }
}
