// `gridatlas render` and `gridatlas atlas` on the tiny hand-made project (tests/fixtures/tiny): every style and
// format, the errors users meet (unknown grid or kind, officer without a grid), the CLI's exit codes, and that no
// name or phone of the roster reaches a map or the atlas.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "atlas_job.hpp"
#include "map_setup.hpp"
#include "render_job.hpp"
#include "../render/command_run.hpp"

namespace gridatlas::pipeline {
namespace {

namespace fs = std::filesystem;

const fs::path tiny = fs::path(GRIDATLAS_TEST_FIXTURES) / "tiny" / "project.toml";

using test_support::CommandRun;
CommandRun run(const std::string& cmd) { return test_support::run_command(cmd); }
bool have(const char* tool) { return test_support::have_tool(tool); }

std::string pdf_text(const fs::path& pdf) { return run("pdftotext -enc UTF-8 '" + pdf.string() + "' -").out; }

int pdf_pages(const fs::path& pdf) {
    const CommandRun r = run("pdfinfo '" + pdf.string() + "'");
    std::smatch m;
    return std::regex_search(r.out, m, std::regex(R"(Pages:\s+(\d+))")) ? std::stoi(m[1]) : -1;
}

class RenderJobTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")) GTEST_SKIP() << "fonts-noto-cjk is not installed";
        dir_ = fs::temp_directory_path() / ("gridatlas_render_job_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        if (!dir_.empty() && !std::getenv("GRIDATLAS_KEEP_TEST_OUTPUT")) fs::remove_all(dir_, ec);
    }
    RenderConfig config(const std::string& style, const std::string& file) const {
        RenderConfig c;
        c.project_file = tiny;
        c.out_file = dir_ / file;
        c.style = style;
        c.page.width_px = 800;
        c.page.height_px = 600;
        c.page.dpi = 96;
        c.date = "2026-01-01";
        return c;
    }
    fs::path dir_;
};

TEST_F(RenderJobTest, OfficerPngOfOneGrid) {
    RenderConfig c = config("officer", "officer.png");
    c.grid = "110101001001";
    Diagnostics diag;
    const auto report = render_job(c, diag);
    EXPECT_EQ(report.grid_code, "110101001001");
    EXPECT_EQ(report.format, "png");
    const auto img = render::read_png_rgba(c.out_file);
    EXPECT_EQ(img.width, 800);
    EXPECT_EQ(img.height, 600);
    EXPECT_THAT(format_render(report), ::testing::HasSubstr("wrote"));
}

TEST_F(RenderJobTest, EveryStyleInEveryFormat) {
    for (const char* style : {"overview", "officer", "planner"})
        for (const char* ext : {"png", "pdf", "svg"}) {
            RenderConfig c = config(style, std::string(style) + "." + ext);
            c.grid = std::string(style) == "officer" ? "110101001002" : "";
            if (std::string(ext) != "png") c.page = render::PageSpec{"A4", true, false, 150};
            c.kind = std::string(style) == "planner" ? "health" : "";
            Diagnostics diag;
            const auto report = render_job(c, diag);
            EXPECT_GT(fs::file_size(c.out_file), 5000u) << style << " " << ext;
            if (std::string(ext) == "pdf" && have("pdfinfo")) {
                EXPECT_EQ(pdf_pages(c.out_file), 1) << style;
            }
            if (std::string(style) == "planner") {
                EXPECT_EQ(report.kind, "health");
            }
        }
}

TEST_F(RenderJobTest, PlannerZoomedToAGridAndTheFormatFromTheOption) {
    RenderConfig c = config("planner", "planner_no_extension");
    c.format = "pdf";
    c.grid = "110101001001";
    Diagnostics diag;
    render_job(c, diag);
    std::ifstream in(c.out_file, std::ios::binary);
    std::string head(5, '\0');
    in.read(head.data(), 5);
    EXPECT_EQ(head, "%PDF-");
}

TEST_F(RenderJobTest, UnknownGridAndKindAreDataErrors) {
    RenderConfig c = config("officer", "x.png");
    c.grid = "110101001009";
    Diagnostics diag;
    try {
        render_job(c, diag);
        FAIL() << "expected DataError";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "unknown_grid");
        EXPECT_THAT(e.diagnostic().hint, ::testing::HasSubstr("110101001001"));
    }
    c = config("planner", "x.png");
    c.kind = "swimming_pool";
    try {
        render_job(c, diag);
        FAIL() << "expected DataError";
    } catch (const DataError& e) {
        EXPECT_EQ(e.diagnostic().code, "unknown_kind");
    }
}

TEST_F(RenderJobTest, BadOptionsAreInvalidArguments) {
    Diagnostics diag;
    EXPECT_THROW(render_job(config("officer", "x.png"), diag), std::invalid_argument);   // no grid
    RenderConfig c = config("overview", "x.jpeg");
    EXPECT_THROW(render_job(c, diag), std::invalid_argument);   // unknown format
    c = config("sketch", "x.png");
    EXPECT_THROW(render_job(c, diag), std::invalid_argument);
    c = config("overview", "x.png");
    c.page = render::PageSpec{"A7", false};
    EXPECT_THROW(render_job(c, diag), std::invalid_argument);
}

TEST_F(RenderJobTest, AtlasHasAnIndexAndAPagePerGridWithoutNamesOrPhones) {
    AtlasConfig c;
    c.project_file = tiny;
    c.out_file = dir_ / "atlas.pdf";
    c.date = "2026-01-01";
    Diagnostics diag;
    const auto report = atlas_job(c, diag);
    EXPECT_EQ(report.grids, 2u);
    EXPECT_EQ(report.index_pages, 1);
    EXPECT_EQ(report.pages, 3);
    EXPECT_EQ(report.level, "grid");
    if (!have("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    EXPECT_EQ(pdf_pages(c.out_file), 3);
    const std::string text = pdf_text(c.out_file);
    EXPECT_THAT(text, ::testing::HasSubstr("西网格"));
    EXPECT_THAT(text, ::testing::HasSubstr("B1"));
    // The central households as the officer list names them (pipeline::place_of): H01 of B1, H05 of B2.
    EXPECT_THAT(text, ::testing::HasSubstr("1单元 101"));
    EXPECT_THAT(text, ::testing::HasSubstr("1单元 201"));
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("1-1-101")));
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("秘名")));
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("QZX")));
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("1390000")));
}

TEST_F(RenderJobTest, AtlasOfTheCommunityLevelAndWithin) {
    AtlasConfig c;
    c.project_file = tiny;
    c.out_file = dir_ / "community.pdf";
    c.level = "community";
    Diagnostics diag;
    auto report = atlas_job(c, diag);
    EXPECT_EQ(report.grids, 1u);
    EXPECT_EQ(report.pages, 2);

    c.level.clear();
    c.within = "110101001";
    c.out_file = dir_ / "within.pdf";
    report = atlas_job(c, diag);
    EXPECT_EQ(report.grids, 2u);

    c.level = "street";
    EXPECT_THROW(atlas_job(c, diag), DataError);
    c.level.clear();
    c.out_file = dir_ / "atlas.png";
    EXPECT_THROW(atlas_job(c, diag), std::invalid_argument);
}

TEST_F(RenderJobTest, CliExitCodes) {
    const std::string bin = GRIDATLAS_BIN;
    const std::string project = tiny.string();
    CommandRun r = run(bin + " render " + project + " --style officer -o " + (dir_ / "a.png").string());
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_THAT(r.out, ::testing::HasSubstr("--grid"));
    r = run(bin + " render " + project + " --style officer --grid nope -o " + (dir_ / "a.png").string());
    EXPECT_EQ(r.status, 2) << r.out;
    r = run(bin + " render " + project + " --style officer --grid 110101001001 --paper A4 --dpi 72 -o " + (dir_ / "a.png").string());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(fs::exists(dir_ / "a.png"));
    r = run(bin + " render " + project + " --size 900x600 --paper A3 -o " + (dir_ / "b.png").string());
    EXPECT_EQ(r.status, 1) << r.out;   // --size excludes --paper
    r = run(bin + " atlas " + project + " -o " + (dir_ / "atlas.pdf").string());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_THAT(r.out, ::testing::HasSubstr("3 pages"));
    EXPECT_THAT(r.out, ::testing::Not(::testing::HasSubstr("秘名")));
}

}  // namespace
}  // namespace gridatlas::pipeline
