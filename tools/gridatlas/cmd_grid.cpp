// gridatlas grid draw: draw grids from buildings and roads (optionally inside a parent level), with a quality report.
#include <iostream>

#include "command.hpp"
#include "grid_draw_job.hpp"

namespace gridatlas::cli {

Command add_grid_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::GridDrawConfig>();
    auto* grid = app.add_subcommand("grid", "Draw grids from buildings and roads, with a quality report: `gridatlas grid draw --help`");
    grid->require_subcommand(1);
    auto* draw = grid->add_subcommand("draw", "Draw grids that follow roads (road blocks grouped into contiguous, compact grids of a "
                                              "target range of households), inside each grid of a parent level or the settled area; "
                                              "report balance and compactness against a square lattice. Writes grids.gpkg, "
                                              "quality.txt, quality.json");
    draw->fallthrough();
    draw->add_option("project", config->project_file, "Project file (TOML), e.g. data/sample/project.toml")->required();
    draw->add_option("-o,--output", config->out_dir, "Output directory (created if missing)")->required();
    auto* min = draw->add_option("--min", config->min_households, "Fewest households per grid")->capture_default_str();
    auto* max = draw->add_option("--max", config->max_households, "Most households per grid")->capture_default_str();
    draw->add_flag("--micro", config->micro, "Micro-grids: cut road blocks above --max by building first; range 30–50 unless --min/--max");
    draw->add_flag("--per-building", config->per_building, "One grid per building (its part of its road block)")->excludes("--micro");
    draw->add_flag("--no-resplit", [config](std::int64_t) { config->resplit = false; },
                   "Do not re-split grids under --min with a neighbour (the grouping the bundled sample was drawn with)");
    draw->add_option("--parent-level", config->parent_level, "Draw inside each grid of this [[grid_levels]] key (e.g. community); "
                                                             "default: inside the settled area");
    draw->add_option("--households-field", config->households_field,
                     "Buildings field with estimated households (default: count the roster's households per building)");
    draw->add_option("--code-prefix", config->code_prefix, "Without --parent-level: before the serials, e.g. 110101001001");
    draw->add_option("--margin", config->settled_margin_m, "Without --parent-level: settled-area margin around dwellings, metres")
        ->capture_default_str();
    draw->add_option("--join-within", config->join_within_m, "Without --parent-level: settled pieces closer than this (metres) are "
                                                             "one area with the fields between, so a grid may group several hamlets; 0 keeps them apart")
        ->capture_default_str();
    return {grid, [config, draw, min, max](Context& ctx) {
                if (!draw->parsed()) return 1;
                if (config->micro) {
                    if (min->count() == 0) config->min_households = 30;
                    if (max->count() == 0) config->max_households = 50;
                }
                const auto report = pipeline::grid_draw_job(*config, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_grid_draw(report);
                return 0;
            }};
}

}  // namespace gridatlas::cli
