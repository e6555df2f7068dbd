// The atlas on the household-status fixture (tests/fixtures/status, whose README holds the hand-computed answers), as
// `gridatlas atlas` makes it (pipeline::atlas_job): the PDF's text gives, under each building of several units, each
// unit's households by status as the README counts them; a building of one unit gets no unit lines; the officer
// list's units are the atlas's (MapData carries them); each page's subtitle is whole, its counts by status included.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

#include "atlas_job.hpp"
#include "command_run.hpp"
#include "project_state.hpp"
#include "render_job.hpp"

namespace gridatlas {
namespace {

namespace fs = std::filesystem;
using test_support::run_command;

const fs::path project = fs::path(GRIDATLAS_SOURCE_DIR) / "tests" / "fixtures" / "status" / "project.toml";

struct UnitAnswer {
    const char* building;
    const char* unit;
    std::array<std::int64_t, 5> status;   // 常住, 租住, 空置, 经营, 未知
};
// tests/fixtures/status/README.md, by hand
const std::vector<UnitAnswer> answers = {{"S1", "1单元", {3, 2, 1, 1, 0}},
                                         {"S1", "2单元", {3, 2, 1, 0, 0}},
                                         {"S2", "1单元", {2, 3, 1, 3, 1}},
                                         {"S2", "2单元", {2, 2, 2, 2, 0}}};

// "1单元 常住 3 租住 2 空置 1 经营 1" as pdftotext joins the line's runs (swatches between them), 未知 only when some.
std::string unit_line_pattern(const UnitAnswer& a) {
    std::string p = a.unit;
    const char* words[] = {"常住", "租住", "空置", "经营", "未知"};
    for (int i = 0; i < 5; ++i)
        if (i < 4 || a.status[i] > 0) p += std::string(R"(\s*)") + words[i] + R"(\s*)" + std::to_string(a.status[i]);
    return p + (a.status[4] > 0 ? "" : R"((?!\s*未知))");
}

class AtlasStatus : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")) GTEST_SKIP() << "fonts-noto-cjk is not installed";
        if (!test_support::have_tool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
        pdf_ = fs::temp_directory_path() / ("gridatlas_atlas_status_" + std::to_string(::getpid()) + ".pdf");
        pipeline::AtlasConfig config;
        config.project_file = project;
        config.out_file = pdf_;
        config.date = "2026-01-01";
        Diagnostics diag;
        report_ = pipeline::atlas_job(config, diag);
        const auto r = run_command("pdftotext -raw -enc UTF-8 '" + pdf_.string() + "' -");
        ASSERT_EQ(r.status, 0) << r.out;
        text_ = r.out;
    }
    void TearDown() override {
        std::error_code ec;
        if (!pdf_.empty()) fs::remove(pdf_, ec);
    }
    fs::path pdf_;
    pipeline::AtlasReport report_;
    std::string text_;
};

TEST_F(AtlasStatus, EachUnitsHouseholdsByStatusAreInTheTableAsTheReadmeCountsThem) {
    EXPECT_EQ(report_.grids, 2u);
    for (const auto& a : answers) {
        const std::regex line(unit_line_pattern(a));
        EXPECT_EQ(std::distance(std::sregex_iterator(text_.begin(), text_.end(), line), std::sregex_iterator()), 1)
            << a.building << " " << a.unit << " (" << unit_line_pattern(a) << ") not once in:\n" << text_;
    }
    // S3 has one unit: its counts are its building's, on the map's cells; no unit line
    const std::regex any_unit(R"(\d单元\s*常住)");
    EXPECT_EQ(std::distance(std::sregex_iterator(text_.begin(), text_.end(), any_unit), std::sregex_iterator()),
              static_cast<std::ptrdiff_t>(answers.size()));
}

TEST_F(AtlasStatus, MapDataCarriesTheOfficerListsUnits) {
    Diagnostics diag;
    pipeline::StageClock clock;
    pipeline::ProjectState state(project, diag, clock);
    pipeline::MapDataOptions options;
    options.officer = true;
    const render::MapData d = pipeline::map_data(state, options);
    ASSERT_TRUE(d.household_status);
    std::size_t units = 0;
    for (const auto& b : state.ds().buildings) {
        const auto& f = d.buildings[b.id.index()];
        StatusCounts sum{};
        for (const auto& u : f.unit_status)
            for (std::size_t i = 0; i < status_count; ++i) sum[i] += u.status[i];
        if (!f.unit_status.empty()) {
            EXPECT_EQ(sum, f.status) << b.source_id;   // the units add up to the building
        }
        for (const auto& a : answers)
            for (const auto& u : f.unit_status)
                if (b.source_id == a.building && u.unit == a.unit) {
                    ++units;
                    EXPECT_EQ(std::vector<std::int64_t>(u.status.begin(), u.status.end()),
                              std::vector<std::int64_t>(a.status.begin(), a.status.end())) << a.building << " " << a.unit;
                }
    }
    EXPECT_EQ(units, answers.size());
}

TEST_F(AtlasStatus, SubtitlesAreWholeWithTheirCountsByStatus) {
    EXPECT_EQ(text_.find("…"), std::string::npos);
    // 西网格: 6 / 4 / 2 / 1 / 0; 东网格: 6 / 8 / 10 / 11 / 1 (the README's per-grid answers)
    EXPECT_NE(text_.find("常住 6 · 租住 4 · 空置 2 · 经营 1"), std::string::npos) << text_;
    EXPECT_NE(text_.find("常住 6 · 租住 8 · 空置 10 · 经营 11 · 未知 1"), std::string::npos) << text_;
}

}  // namespace
}  // namespace gridatlas
