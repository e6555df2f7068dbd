// gridatlas atlas: the officer atlas, one PDF with a page per grid.
#include <iostream>

#include "atlas_job.hpp"
#include "command.hpp"

namespace gridatlas::cli {

Command add_atlas_command(CLI::App& app) {
    struct Args {
        pipeline::AtlasConfig config;
        bool landscape = false;
    };
    auto args = std::make_shared<Args>();
    auto& c = args->config;
    auto* cmd = app.add_subcommand("atlas", "Officer atlas (网格工作图册): one PDF, an index then a page per grid with its "
                                            "officer map and building table (units, households, persons, party-member "
                                            "households, central household's unit-floor-room; no names or phones)");
    cmd->add_option("project", c.project_file, "Project file (TOML)")->required();
    cmd->add_option("-o,--output", c.out_file, "Output PDF")->required();
    cmd->add_option("--level", c.level, "Grid level key or name (default: the finest)");
    cmd->add_option("--grids", c.grids, "Only these grid codes")->delimiter(',');
    cmd->add_option("--within", c.within, "Only the grids inside this grid, e.g. one community's code");
    cmd->add_option("--paper", c.page.paper, "Paper size A4, A3, A2, A1 or A0")->capture_default_str()
        ->check(CLI::IsMember({"A0", "A1", "A2", "A3", "A4"}, CLI::ignore_case));
    cmd->add_flag("--landscape", args->landscape, "Landscape pages (default portrait)");
    cmd->add_option("--title", c.title, "Title (default: the project name and 网格工作图册)");
    cmd->add_option("--date", c.date, "Date printed on every page (default today, YYYY-MM-DD)");
    return {cmd, [args](Context& ctx) {
                args->config.page.landscape = args->landscape;
                const auto report = pipeline::atlas_job(args->config, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_atlas(report);
                return 0;
            }};
}

}  // namespace gridatlas::cli
