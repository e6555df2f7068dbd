// Integration: `coverage` and `plan` on the bundled sample — their outputs agree with each other and with `run`.
#include <gtest/gtest.h>

#include <unistd.h>

#include "coverage_job.hpp"
#include "plan_job.hpp"
#include "vector_reader.hpp"

namespace gridatlas::pipeline {
namespace {

const std::filesystem::path project = std::filesystem::path(GRIDATLAS_SOURCE_DIR) / "data/sample/project.toml";

std::filesystem::path scratch(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("gridatlas_jobs_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir;
}

TEST(PlanJob, GreedySitesRaiseCoverageStepByStep) {
    Diagnostics diag;
    PlanConfig cfg{project, scratch("plan"), "party_mass_centre", 4, std::nullopt, "buildings", std::nullopt, ""};
    const auto report = plan_job(cfg, diag);
    const auto& s = report.summary;
    ASSERT_EQ(s["sites"].size(), 4u);
    std::size_t covered = s["covered_before"].get<std::size_t>(), previous_gain = SIZE_MAX;
    for (const auto& site : s["sites"]) {
        const auto gain = site["newly_covered_households"].get<std::size_t>();
        EXPECT_GT(gain, 0u);
        EXPECT_LE(gain, previous_gain) << "greedy gains never grow";
        previous_gain = gain;
        covered += gain;
        EXPECT_EQ(site["covered_after"].get<std::size_t>(), covered);
    }
    EXPECT_EQ(s["covered_after"].get<std::size_t>(), covered);
    EXPECT_GT(s["share_after"].get<double>(), s["share_before"].get<double>());
    layers::VectorReader sites({"sites", report.gpkg, "sites", "", {}, {}}, "");
    EXPECT_EQ(sites.feature_count(), 4);
    std::filesystem::remove_all(cfg.out_dir);
}

TEST(PlanJob, FewestSitesReachTheTarget) {
    Diagnostics diag;
    PlanConfig cfg{project, scratch("target"), "elderly_care", 0, 0.9, "nodes", std::nullopt, ""};
    const auto report = plan_job(cfg, diag);
    EXPECT_TRUE(report.summary["target_reached"].get<bool>());
    EXPECT_GE(report.summary["share_after"].get<double>(), 0.9 - 5e-4);   // shares are rounded to 0.001
    // One site fewer would not do: the last site was needed.
    const auto& sites = report.summary["sites"];
    ASSERT_FALSE(sites.empty());
    if (sites.size() > 1) {
        EXPECT_LT(sites[sites.size() - 2]["share_after"].get<double>(), 0.9);
    }
    std::filesystem::remove_all(cfg.out_dir);
}

TEST(PlanJob, UnknownKindNamesTheKnownOnes) {
    Diagnostics diag;
    PlanConfig cfg{project, scratch("unknown"), "swimming_pool", 3, std::nullopt, "buildings", std::nullopt, ""};
    try {
        plan_job(cfg, diag);
        FAIL() << "expected DataError";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "unknown_kind");
        EXPECT_NE(e.diagnostic().hint.find("party_mass_centre"), std::string::npos);
    }
}

TEST(CoverageJob, CirclesHideGapsAndIsochronesGrowWithTime) {
    Diagnostics diag;
    CoverageConfig cfg{project, scratch("coverage"), {5, 10, 15}, 50, false, ""};
    const auto report = coverage_job(cfg, diag);
    for (const auto& k : report.summary["kinds"]) {
        const auto foot = k["reached_on_foot"].get<std::size_t>(), circle = k["inside_circle"].get<std::size_t>();
        EXPECT_LE(foot, k["households"].get<std::size_t>());
        // Walking is never shorter than the straight line, so a circle holds everything reached on foot …
        EXPECT_GE(circle, foot) << k["kind"];
        // … and what it holds beyond that is exactly what it hides.
        EXPECT_EQ(circle - foot, k["circle_only"].get<std::size_t>()) << k["kind"];
        const auto& areas = k["isochrone_area_km2"];
        EXPECT_LE(areas["5.00"].get<double>(), areas["10.00"].get<double>());
        EXPECT_LE(areas["10.00"].get<double>(), areas["15.00"].get<double>());
    }
    EXPECT_EQ(layers::VectorReader({"iso", report.gpkg, "isochrones", "", {}, {}}, "").feature_count(), 9 * 3);
    EXPECT_GT(layers::VectorReader({"gaps", report.gap_households_csv, "", "", {}, {}}, "").feature_count(), 1000);
    std::filesystem::remove_all(cfg.out_dir);
}

}  // namespace
}  // namespace gridatlas::pipeline

namespace gridatlas::pipeline {
namespace {

TEST(CoverageJob, ElderlyProfileReachesNoMoreThanAdults) {
    Diagnostics diag;
    CoverageConfig adult{project, scratch("adult"), {15}, 50, false, ""};
    CoverageConfig elderly{project, scratch("elderly"), {15}, 50, false, "elderly"};
    const auto a = coverage_job(adult, diag).summary;
    const auto e = coverage_job(elderly, diag).summary;
    EXPECT_DOUBLE_EQ(e["speed_m_per_s"].get<double>(), 0.8);
    for (std::size_t k = 0; k < a["kinds"].size(); ++k)
        EXPECT_LE(e["kinds"][k]["reached_on_foot"].get<std::size_t>(), a["kinds"][k]["reached_on_foot"].get<std::size_t>());
    EXPECT_LT(e["kinds"][0]["reached_on_foot"].get<std::size_t>(), a["kinds"][0]["reached_on_foot"].get<std::size_t>());
    std::filesystem::remove_all(adult.out_dir);
    std::filesystem::remove_all(elderly.out_dir);
}

}  // namespace
}  // namespace gridatlas::pipeline
