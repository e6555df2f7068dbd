// gridatlas render: one print map (overview, officer, planner) as PNG, PDF or SVG.
#include <iostream>

#include "command.hpp"
#include "render_job.hpp"

namespace gridatlas::cli {

Command add_render_command(CLI::App& app) {
    struct Args {
        pipeline::RenderConfig config;
        std::string size;
        bool landscape = false;
        bool portrait = false;
    };
    auto args = std::make_shared<Args>();
    auto& c = args->config;
    auto* cmd = app.add_subcommand("render", "Print map: overview (every grid, aggregates), officer (one grid: numbered "
                                             "buildings, households, units, party-member and central households) or "
                                             "planner (one service kind: walking minutes, isochrones, gaps), as PNG, "
                                             "PDF or SVG on A4–A0 or at a pixel size");
    cmd->add_option("project", c.project_file, "Project file (TOML)")->required();
    cmd->add_option("-o,--output", c.out_file, "Output file: .png, .pdf or .svg")->required();
    cmd->add_option("--style", c.style, "overview | officer | planner | wall (the overview, for a wall print)")->capture_default_str()
        ->check(CLI::IsMember({"overview", "officer", "planner", "wall"}));
    cmd->add_option("--grid", c.grid, "Grid code (officer: required; overview, planner: zoom to this grid)");
    cmd->add_option("--kind", c.kind, "Service kind key for the planner map (default: the project's headline kind)");
    auto* paper = cmd->add_option("--paper", c.page.paper, "Paper size A4, A3, A2, A1 or A0")->capture_default_str()
        ->check(CLI::IsMember({"A0", "A1", "A2", "A3", "A4"}, CLI::ignore_case));
    auto* landscape = cmd->add_flag("--landscape", args->landscape, "Landscape paper (default: the map's shape decides)");
    auto* portrait = cmd->add_flag("--portrait", args->portrait, "Portrait paper (default: the map's shape decides)")->excludes(landscape);
    cmd->add_option("--dpi", c.page.dpi, "PNG resolution (dots per inch); for --size, the pixels per inch of the layout")
        ->capture_default_str()->check(CLI::Range(36.0, 1200.0));
    cmd->add_option("--size", args->size, "Pixel size instead of paper, WIDTHxHEIGHT (e.g. 2400x1600)")
        ->excludes(paper)->excludes(landscape)->excludes(portrait);
    cmd->add_option("--format", c.format, "png | pdf | svg (default: from the output file's extension)")
        ->check(CLI::IsMember({"png", "pdf", "svg"}, CLI::ignore_case));
    cmd->add_option("--title", c.title, "Title (default from style, grid and kind)");
    cmd->add_option("--date", c.date, "Date printed on the map (default today, YYYY-MM-DD)");
    return {cmd, [args](Context& ctx) {
                auto& c = args->config;
                c.page.landscape = args->landscape;
                c.page.auto_orientation = !args->landscape && !args->portrait;
                if (!args->size.empty()) {
                    const auto [w, h] = render::parse_pixel_size(args->size);
                    c.page.width_px = w;
                    c.page.height_px = h;
                }
                const auto report = pipeline::render_job(c, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_render(report);
                return 0;
            }};
}

}  // namespace gridatlas::cli
