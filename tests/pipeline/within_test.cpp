// `run --within <code>` on the sample: every community run on its own gives exactly the whole run's numbers for its
// grids (households, persons, party members, coverage per kind, organisation), and for its buildings (minutes and
// nearest facility per kind); the communities together hold every household the whole run placed, once; a county
// run's outputs hold only its own grids; an unknown code is an error that says what to do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "layer_rows.hpp"
#include "model/diagnostics.hpp"
#include "assign_job.hpp"
#include "run_job.hpp"

namespace fs = std::filesystem;
using namespace gridatlas;
using namespace gridatlas::test;

namespace {

const fs::path sample = fs::path(GRIDATLAS_SOURCE_DIR) / "data" / "sample" / "project.toml";

fs::path out_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("gridatlas_within_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}

pipeline::RunConfig config(const fs::path& project, const fs::path& out, const std::string& within) {
    pipeline::RunConfig c;
    c.project_file = project;
    c.out_dir = out;
    c.render = false;
    c.within = within;
    return c;
}

std::map<std::string, nlohmann::json> per_grid(const nlohmann::json& summary) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& l : summary["levels"])
        for (const auto& g : l["per_grid"]) out[g["code"].get<std::string>()] = g;
    return out;
}

// Rows by key, without the columns that number the walk network (its edges are the county's own).
std::map<std::string, LayerRow> rows_by(const fs::path& gpkg, const std::string& layer, const std::string& key) {
    std::map<std::string, LayerRow> out;
    for (auto row : read_layer(gpkg, layer)) {
        for (const char* c : {"fid", "snap_edge"}) row.erase(c);
        out[row.at(key)] = std::move(row);
    }
    return out;
}

class WithinSample : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        whole_out_ = new fs::path(out_dir("whole"));
        whole_ = new pipeline::RunReport(pipeline::run_job(config(sample, *whole_out_, "")));
    }
    static void TearDownTestSuite() {
        fs::remove_all(*whole_out_);
        delete whole_;
        delete whole_out_;
    }
    static pipeline::RunReport* whole_;
    static fs::path* whole_out_;
};
pipeline::RunReport* WithinSample::whole_ = nullptr;
fs::path* WithinSample::whole_out_ = nullptr;

}  // namespace

TEST_F(WithinSample, EveryCommunityAloneGivesTheWholeRunsNumbers) {
    const auto whole_grids = per_grid(whole_->summary);
    const auto whole_buildings = rows_by(whole_->gpkg, "buildings", "building_id");
    const auto whole_rows = rows_by(whole_->gpkg, "grids", "code");
    std::size_t households = 0, grids_seen = 0, buildings_seen = 0, relabelled = 0;
    const std::set<std::string> unreached = {"beyond_search_limit", "disconnected", "no_facility_of_kind"};
    const auto& communities = whole_->summary["levels"][0]["per_grid"];
    ASSERT_EQ(communities.size(), 25u);
    for (const auto& community : communities) {
        const std::string code = community["code"];
        SCOPED_TRACE(code);
        const fs::path out = out_dir("c" + code);
        const auto r = pipeline::run_job(config(sample, out, code));
        EXPECT_TRUE(r.balanced);
        EXPECT_EQ(r.summary["within"]["code"], code);
        EXPECT_EQ(r.summary["within"]["level"], "community");
        households += r.summary["within"]["households"].get<std::size_t>();
        // The county's grids, and only they, with the whole run's numbers.
        const auto grids = per_grid(r.summary);
        for (const auto& [g, numbers] : grids) {
            EXPECT_EQ(numbers, whole_grids.at(g)) << g;
            ++grids_seen;
        }
        EXPECT_EQ(grids.count(code), 1u);
        const auto rows = rows_by(r.gpkg, "grids", "code");
        EXPECT_EQ(rows.size(), grids.size());
        for (const auto& [g, row] : rows) EXPECT_EQ(row, whole_rows.at(g)) << g;
        // Its buildings: the same grid codes, minutes and nearest facility per kind as in the whole run.
        // A building the county's margin does not reach says so (beyond_margin) where the whole run tells why.
        for (auto [id, row] : rows_by(r.gpkg, "buildings", "building_id")) {
            auto want = whole_buildings.at(id);
            for (auto& [column, value] : row)
                if (column.rfind("reach_", 0) == 0 && value == "beyond_margin") {
                    EXPECT_TRUE(unreached.count(want.at(column))) << id << " " << column << " " << want.at(column);
                    EXPECT_EQ(row.at("min_" + column.substr(6)), "") << id;
                    value = want.at(column);
                    ++relabelled;
                }
            EXPECT_EQ(row, want) << id;
            ++buildings_seen;
        }
        fs::remove_all(out);
    }
    // Every household the whole run placed in a community is in exactly one community's run.
    EXPECT_EQ(households, whole_->summary["conservation"][2]["assigned"].get<std::size_t>());
    EXPECT_EQ(grids_seen, whole_grids.size());
    EXPECT_LE(buildings_seen, whole_buildings.size());
    EXPECT_GT(relabelled, 0u);   // the sample has such buildings (kindergartens beyond the search limit)
}

TEST_F(WithinSample, AGridOfTheFinestLevelAndAnUnknownCode) {
    const std::string grid = whole_->summary["levels"][1]["per_grid"][3]["code"];
    const fs::path out = out_dir("grid");
    const auto r = pipeline::run_job(config(sample, out, grid));
    EXPECT_EQ(r.summary["within"]["level"], "grid");
    const auto grids = per_grid(r.summary);
    ASSERT_EQ(grids.size(), 1u);
    EXPECT_EQ(grids.at(grid), per_grid(whole_->summary).at(grid));
    EXPECT_EQ(r.summary["levels"][0]["grids"], 0);   // the community above holds other grids' households too
    try {
        pipeline::run_job(config(sample, out, "no-such-code"));
        FAIL() << "an unknown --within code was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "unknown_within");
        EXPECT_NE(e.diagnostic().where.feature.find("no-such-code"), std::string::npos);
    }
    fs::remove_all(out);
}

// `assign --within` gives the whole assignment's numbers for the grid's subtree, and the communities' households add
// up to the whole assignment's.
TEST(WithinAssign, CommunitiesGiveTheWholeAssignmentsNumbers) {
    const fs::path out = out_dir("assign");
    Diagnostics diag;
    pipeline::AssignConfig whole_config;
    whole_config.project_file = sample;
    whole_config.out_dir = out / "whole";
    const auto whole = pipeline::assign_job(whole_config, diag);
    const auto whole_grids = per_grid(whole.summary);
    std::size_t households = 0;
    for (const auto& community : whole.summary["levels"][0]["per_grid"]) {
        const std::string code = community["code"];
        SCOPED_TRACE(code);
        pipeline::AssignConfig c;
        c.project_file = sample;
        c.out_dir = out / code;
        c.within = code;
        Diagnostics d;
        const auto r = pipeline::assign_job(c, d);
        EXPECT_TRUE(r.balanced);
        households += r.summary["levels"][0]["households"].get<std::size_t>();
        for (const auto& [g, numbers] : per_grid(r.summary)) EXPECT_EQ(numbers, whole_grids.at(g)) << g;
        EXPECT_EQ(read_layer(r.gpkg, "grids").size(), per_grid(r.summary).size());
    }
    EXPECT_EQ(households, whole.summary["levels"][0]["households"].get<std::size_t>());
    fs::remove_all(out);
}
