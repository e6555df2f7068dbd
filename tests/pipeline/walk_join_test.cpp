// [walking] join_exclude end to end on tests/fixtures/tunnel (hand-computed answers in its README): the road layer's
// layer/tunnel/bridge/covered columns decide which ways buildings and facilities may join; a building 2 m above a
// tunnel and 20 m from the street joins the street; one with only the tunnel in reach falls back to it and is
// reported; a layer value that is not a whole number is a warning naming the feature; an unknown rule stops the run.
#include "access/siting.hpp"
#include "plan_job.hpp"
#include "project_state.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using namespace gridatlas;
using namespace gridatlas::pipeline;

namespace {

const fs::path fixture = fs::path(GRIDATLAS_TEST_FIXTURES) / "tunnel";

std::string read(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A copy of the fixture whose [walking] table ends with `line`.
fs::path variant(const std::string& name, const std::string& line) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas_walk_join_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::copy(fixture, dir, fs::copy_options::recursive);
    std::string project = read(dir / "project.toml");
    const std::string marker = "# join_exclude is left at its default: tunnel, covered, bridge, layer_below_0, layer_above_0\n";
    const auto at = project.find(marker);
    EXPECT_NE(at, std::string::npos);
    project.replace(at, marker.size(), line + "\n");
    std::ofstream(dir / "project.toml", std::ios::binary | std::ios::trunc) << project;
    return dir / "project.toml";
}

struct Measured {
    double b1 = 0, b2 = 0;
    std::size_t fallbacks = 0, bad_layer = 0;
    std::string fallback_message;
};

Measured measure(const fs::path& project) {
    Diagnostics diag;
    StageClock clock;
    ProjectState s(project, diag, clock);
    const auto& k = s.access().kinds.at(0);
    Measured m{k.minutes.at(0), k.minutes.at(1), diag.count("joined_excluded_way"), diag.count("bad_layer_value"), {}};
    for (const auto& d : diag.items())
        if (d.code == "joined_excluded_way") m.fallback_message = d.where.feature + ": " + d.message;
    EXPECT_EQ(s.ds().buildings.at(0).source_id, "B1");
    EXPECT_EQ(s.ds().buildings.at(1).source_id, "B2");
    return m;
}

TEST(WalkJoin, BuildingOverATunnelJoinsTheStreetByDefault) {
    const Measured m = measure(fixture / "project.toml");
    EXPECT_NEAR(m.b1, 230 / 1.1 / 60, 1e-9);   // 3.4848 min: leg 20 + 200 along S + F1's leg 10
    EXPECT_NEAR(m.b2, 640 / 1.1 / 60, 1e-9);   // fallback onto T: 30 + 300 + 300 + 10
    EXPECT_EQ(m.fallbacks, 1u);                // B2 alone, named
    EXPECT_NE(m.fallback_message.find("B2"), std::string::npos) << m.fallback_message;
    EXPECT_NE(m.fallback_message.find("'T'"), std::string::npos) << m.fallback_message;
    EXPECT_EQ(m.bad_layer, 1u);                // Q's layer "-1;0"
}

TEST(WalkJoin, WithoutExclusionsTheBuildingJoinsTheTunnel) {
    const fs::path project = variant("none", "join_exclude = []");
    const Measured m = measure(project);
    EXPECT_NEAR(m.b1, 434 / 1.1 / 60, 1e-9);   // 6.5758 min: leg 2 + 122 along T + 300 along S + 10
    EXPECT_NEAR(m.b2, 640 / 1.1 / 60, 1e-9);
    EXPECT_EQ(m.fallbacks, 0u);
    fs::remove_all(project.parent_path());
}

TEST(WalkJoin, ExcludingOnlyTheLayerRuleIsEnough) {
    // T is tunnel=yes and layer=-1: either rule alone keeps B1 off it.
    const fs::path project = variant("layer", "join_exclude = [\"layer_below_0\"]");
    EXPECT_NEAR(measure(project).b1, 230 / 1.1 / 60, 1e-9);
    fs::remove_all(project.parent_path());
}

// `plan --candidates nodes`: the network's nodes are W, E, Q's far end and T's end (200, 100); T's end lies only on
// the tunnel, so it is no site by default (3 candidates) and is one when nothing is excluded (4).
TEST(WalkJoin, PlanNodeCandidatesSkipNodesOnlyOnExcludedWays) {
    auto candidates = [](const fs::path& project, const std::string& name) {
        PlanConfig cfg;
        cfg.project_file = project;
        cfg.out_dir = fs::temp_directory_path() / ("gridatlas_walk_join_plan_" + name + "_" + std::to_string(::getpid()));
        cfg.kind = "party_mass_centre";
        cfg.sites = 1;
        cfg.candidates = "nodes";
        Diagnostics diag;
        const auto report = plan_job(cfg, diag);
        fs::remove_all(cfg.out_dir);
        return report.summary["candidate_count"].get<std::size_t>();
    };
    EXPECT_EQ(candidates(fixture / "project.toml", "default"), 3u);
    const fs::path none = variant("plan_none", "join_exclude = []");
    EXPECT_EQ(candidates(none, "none"), 4u);
    fs::remove_all(none.parent_path());

    Diagnostics diag;
    StageClock clock;
    ProjectState s(fixture / "project.toml", diag, clock);
    const geo::Point tunnel_end(447800 + 200, 4418600 + 100);
    for (const auto& c : access::candidates_from_nodes(s.network()))
        EXPECT_GT(geo::bg::distance(c.location, tunnel_end), 1.0) << c.id << " is the tunnel's end";
}

TEST(WalkJoin, AnUnknownRuleStopsTheRunNamingTheValidOnes) {
    const fs::path project = variant("bad", "join_exclude = [\"tunel\"]");
    Diagnostics diag;
    StageClock clock;
    try {
        ProjectState s(project, diag, clock);
        FAIL() << "an unknown join_exclude rule was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().where.feature, "[walking] join_exclude");
        EXPECT_NE(e.diagnostic().message.find("'tunel'"), std::string::npos) << e.diagnostic().message;
        EXPECT_NE(e.diagnostic().hint.find("layer_below_0"), std::string::npos) << e.diagnostic().hint;
    }
    fs::remove_all(project.parent_path());
}

}  // namespace
