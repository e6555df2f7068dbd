// Household status through the API on tests/fixtures/status (README there: the hand-computed counts). The officer of
// 西网格 sees counts by status per building and per unit of that grid only; planners and the wall get per-grid
// aggregates only, suppressed with the other people counts below k.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>

#include "project_api.hpp"

namespace gridatlas::server {
namespace {

using nlohmann::json;

const std::string kWest = "110101002001", kEast = "110101002002";

const ProjectApi& api() {
    static const auto a = [] {
        Diagnostics diag;
        pipeline::StageClock clock;
        return std::make_unique<const ProjectApi>(
            pipeline::measure_project(std::filesystem::path(GRIDATLAS_SOURCE_DIR) / "tests/fixtures/status/project.toml", diag, clock));
    }();
    return *a;
}

Scope scope(Role role, std::vector<std::string> grids = {}, std::size_t k = 5) {
    Scope s = api().scope_for(User{"u", role, std::move(grids), ""});
    s.min_households = k;
    return s;
}

json body(const ApiResponse& r) { return json::parse(r.text()); }

const json west_s1 = {{"resident", 6}, {"rented", 4}, {"vacant", 2}, {"business", 1}, {"unknown", 0}};

TEST(StatusApi, OfficerSeesStatusPerBuildingAndUnitOfOwnGridsOnly) {
    const Scope west = scope(Role::officer, {kWest});
    const ApiResponse list = api().grid_buildings(west, kWest);
    ASSERT_EQ(list.status, 200) << list.text();
    const json fc = body(list);
    ASSERT_EQ(fc["features"].size(), 1u);
    EXPECT_EQ(fc["features"][0]["properties"]["households_by_status"], west_s1);
    const json s1 = body(api().building_detail(west, "S1"));
    EXPECT_EQ(s1["households_by_status"], west_s1);
    ASSERT_EQ(s1["units"].size(), 2u);
    EXPECT_EQ(s1["units"][0]["households_by_status"], (json{{"resident", 3}, {"rented", 2}, {"vacant", 1}, {"business", 1}, {"unknown", 0}}));
    EXPECT_EQ(s1["units"][1]["households_by_status"], (json{{"resident", 3}, {"rented", 2}, {"vacant", 1}, {"business", 0}, {"unknown", 0}}));
    EXPECT_EQ(s1["units"][0]["list"][0]["status"], "resident");
    // 东网格 is not this officer's: neither its buildings nor one of them answer
    EXPECT_EQ(api().grid_buildings(west, kEast).status, 403);
    EXPECT_NE(api().building_detail(west, "S2").status, 200);
    // the officer's own grid aggregates are exact
    EXPECT_EQ(body(api().grid_detail(west, kWest))["households_by_status"], west_s1);
}

TEST(StatusApi, PlannerAndWallSeePerGridAggregatesSuppressedBelowK) {
    for (Role role : {Role::planner, Role::admin}) {
        const Scope s = scope(role);
        for (const std::string& path : {kWest, kEast}) {
            const ApiResponse r = api().grid_buildings(s, path);
            ASSERT_EQ(r.status, 200);
            EXPECT_EQ(r.text().find("households_by_status"), std::string::npos) << r.text();
        }
        const ApiResponse b = api().building_detail(s, "S2");
        ASSERT_EQ(b.status, 200);
        EXPECT_EQ(b.text().find("households_by_status"), std::string::npos) << b.text();
        EXPECT_EQ(b.text().find("\"status\""), std::string::npos) << b.text();
    }
    for (Role role : {Role::planner, Role::wall}) {
        // k = 20: 西网格 (13 households) is suppressed, 东网格 (36) and the community (49) are shown
        const json grids = body(api().grid_list(scope(role, {}, 20), ""))["grids"];
        ASSERT_EQ(grids.size(), 3u);
        for (const auto& g : grids) {
            if (g["code"] == kWest) {
                EXPECT_TRUE(g["households_by_status"].is_null()) << g;
                EXPECT_EQ(g["suppressed"], true);
            } else if (g["code"] == kEast) {
                EXPECT_EQ(g["households_by_status"], (json{{"resident", 6}, {"rented", 8}, {"vacant", 10}, {"business", 11}, {"unknown", 1}}));
            } else {
                EXPECT_EQ(g["households_by_status"]["business"], 12);
            }
        }
    }
    EXPECT_EQ(api().grid_buildings(scope(Role::wall), kEast).status, 403);
}

// Key groups (重点人群): the officer's buildings carry how many households belong to one (README: S1 2, S2 1, S3 0);
// the groups' words are in no answer, and planners and admins get no count at all.
TEST(StatusApi, OfficerSeesKeyGroupCountsPerBuildingOnly) {
    const auto counts = [](const ApiResponse& r) {
        std::map<std::string, json> out;
        const json fc = json::parse(r.text());
        for (const json& f : fc["features"]) out[f["properties"]["id"]] = f["properties"]["key_group_households"];
        return out;
    };
    const ApiResponse west = api().grid_buildings(scope(Role::officer, {kWest}), kWest);
    ASSERT_EQ(west.status, 200);
    EXPECT_EQ(counts(west), (std::map<std::string, json>{{"S1", 2}}));
    const ApiResponse east = api().grid_buildings(scope(Role::officer, {kEast}), kEast);
    ASSERT_EQ(east.status, 200);
    EXPECT_EQ(counts(east), (std::map<std::string, json>{{"S2", 1}, {"S3", 0}}));
    for (const ApiResponse* r : {&west, &east})
        for (const char* word : {"独居老人", "残疾", "低保"}) EXPECT_EQ(r->text().find(word), std::string::npos) << word;
    for (Role role : {Role::planner, Role::admin}) {
        const ApiResponse r = api().grid_buildings(scope(role), kEast);
        ASSERT_EQ(r.status, 200);
        EXPECT_EQ(r.text().find("key_group"), std::string::npos) << r.text();
    }
}

}  // namespace
}  // namespace gridatlas::server
