// Integration: the whole pipeline on the bundled sample (data/sample), and the sample builder's reproducibility.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <unordered_set>

#include <unistd.h>

#include "build_sample.hpp"
#include "map_setup.hpp"
#include "run_job.hpp"
#include "vector_reader.hpp"

namespace gridatlas::pipeline {
namespace {

const std::filesystem::path source_dir = GRIDATLAS_SOURCE_DIR;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::int64_t feature_count(const std::filesystem::path& gpkg, const std::string& layer) {
    layers::VectorReader r({"test", gpkg, layer, "", {}, {}}, "");
    return r.feature_count();
}

class SampleRun : public ::testing::Test {
protected:
    // ctest runs every test in its own process, in parallel: each process gets its own output directory.
    static void SetUpTestSuite() {
        out_ = std::filesystem::temp_directory_path() / ("gridatlas_sample_run_test_" + std::to_string(::getpid()));
        std::filesystem::remove_all(out_);
        try {
            report_ = new RunReport(run_job({source_dir / "data/sample/project.toml", out_, true}));
        } catch (const std::exception& e) {
            setup_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        delete report_;
        report_ = nullptr;
        std::filesystem::remove_all(out_);
    }
    // A failed run must fail every test, not skip it.
    void SetUp() override { ASSERT_NE(report_, nullptr) << "gridatlas run on the sample failed: " << setup_error_; }
    static inline std::filesystem::path out_;
    static inline RunReport* report_ = nullptr;
    static inline std::string setup_error_;
};

TEST_F(SampleRun, EveryHouseholdIsCountedOnceAtEveryLevel) {
    const auto& s = report_->summary;
    EXPECT_TRUE(report_->balanced);
    const auto roster = s["households"]["roster"].get<std::size_t>();
    EXPECT_EQ(roster, s["inputs"]["households_in_roster"].get<std::size_t>());
    for (const auto& c : s["conservation"]) {
        std::size_t unassigned = 0;
        for (const auto& [_, n] : c["unassigned_by_reason"].items()) unassigned += n.get<std::size_t>();
        EXPECT_EQ(c["roster"].get<std::size_t>(), roster);
        EXPECT_EQ(c["assigned"].get<std::size_t>() + unassigned, roster) << c["level"];
    }
    // The builder's deliberate faults (data/README.md) come out with their reasons.
    const auto& reasons = s["households"]["unassigned_by_reason"];
    EXPECT_EQ(reasons["unknown_building"].get<int>(), 6);
    EXPECT_EQ(reasons["missing_building_ref"].get<int>(), 4);
    EXPECT_EQ(reasons["duplicate_household_id"].get<int>(), 3);
    EXPECT_EQ(s["conservation"][0]["unassigned_by_reason"]["unknown_unit"].get<int>(), 5);
}

TEST_F(SampleRun, GridLevelsAddUpAndRespectTheCommunityCap) {
    const auto& s = report_->summary;
    const auto assigned = s["households"]["assigned"].get<std::size_t>();
    for (const auto& level : s["levels"]) {
        std::size_t sum = 0;
        for (const auto& g : level["per_grid"]) sum += g["households"].get<std::size_t>();
        EXPECT_EQ(sum, level["households"].get<std::size_t>());
        EXPECT_EQ(sum, assigned) << "every assigned household is in exactly one grid of level " << level["key"];
        EXPECT_GE(level["grids"].get<int>(), 2);
    }
    for (const auto& c : s["levels"][0]["per_grid"]) EXPECT_LE(c["households"].get<int>(), 3000) << c["code"];
}

TEST_F(SampleRun, CoverageIsMeasuredForEveryKind) {
    const auto& kinds = report_->summary["service_kinds"];
    ASSERT_EQ(kinds.size(), 9u);
    for (const auto& k : kinds) {
        const double share = k["coverage_share"].get<double>();
        EXPECT_GE(share, 0.0);
        EXPECT_LE(share, 1.0);
        EXPECT_GT(k["facilities"].get<int>(), 0) << k["kind"];
    }
    // One party-mass service centre per community, so most households reach one.
    EXPECT_GT(kinds[0]["coverage_share"].get<double>(), 0.5);
    EXPECT_LT(kinds[0]["coverage_share"].get<double>(), 1.0);
}

TEST_F(SampleRun, GeoPackageHoldsEveryOutputLayer) {
    const auto& s = report_->summary;
    EXPECT_EQ(feature_count(report_->gpkg, "buildings"), s["inputs"]["buildings"].get<std::int64_t>());
    EXPECT_EQ(feature_count(report_->gpkg, "grids"), s["inputs"]["grids"].get<std::int64_t>());
    EXPECT_EQ(feature_count(report_->gpkg, "households"), s["households"]["roster"].get<std::int64_t>());
    EXPECT_GT(feature_count(report_->gpkg, "unassigned_households"), 0);
    EXPECT_GT(feature_count(report_->gpkg, "gap_buildings"), 0);
    EXPECT_GT(feature_count(report_->gpkg, "walk_network"), 1000);
    EXPECT_TRUE(std::filesystem::exists(report_->summary_json));
}

TEST_F(SampleRun, OverviewMapIsANonTrivialImage) {
    const auto img = render::read_png_rgba(report_->overview_png);
    EXPECT_GE(img.width, 1000);
    EXPECT_GE(img.height, 500);
    std::set<std::uint32_t> colours;
    for (int y = 0; y < img.height; y += 3)
        for (int x = 0; x < img.width; x += 3) colours.insert(img.pixel(x, y));
    EXPECT_GT(colours.size(), 200u);
}

TEST_F(SampleRun, NoPersonalDataInOutputs) {
    // Names and phone numbers from the roster must not reach the outputs.
    std::ifstream roster(source_dir / "data/sample/households.csv");
    std::string line;
    std::getline(roster, line);
    std::vector<std::string> secrets;
    while (std::getline(roster, line) && secrets.size() < 400) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
        if (cells.size() < 7) continue;
        if (cells[5].size() >= 9) secrets.push_back(cells[5]);   // three-character names only: fewer false alarms
        secrets.push_back(cells[6]);
    }
    ASSERT_GT(secrets.size(), 100u);
    for (const auto& file : {report_->gpkg, report_->summary_json}) {
        const std::string bytes = slurp(file);
        for (const auto& s : secrets) ASSERT_EQ(bytes.find(s), std::string::npos) << s.size() << "-byte roster value found in " << file;
    }
}

TEST(SampleBuilder, RebuildIsByteIdentical) {
    const auto out = std::filesystem::temp_directory_path() / ("gridatlas_sample_rebuild_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(out);
    std::filesystem::create_directories(out);
    SampleConfig cfg;
    cfg.osm_gpkg = source_dir / "data/osm/monaco.gpkg";
    cfg.out_dir = out;
    cfg.name = "摩纳哥样例";
    build_sample(cfg);
    for (const char* f : {"sample.gpkg", "households.csv", "project.toml", "dropped.csv"})
        EXPECT_TRUE(slurp(out / f) == slurp(source_dir / "data/sample" / f)) << f << " differs from the committed sample: "
                                                                           "rebuild it with gridatlas sample build and commit";
    std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace gridatlas::pipeline
