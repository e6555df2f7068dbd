// gridatlas run: the main job.
#include <iostream>

#include "command.hpp"
#include "run_job.hpp"

namespace gridatlas::cli {

Command add_run_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::RunConfig>();
    auto no_render = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("run", "Load a project, assign households to units, buildings and grids, measure walking "
                                          "access to services, check the organisation rules, write gridatlas.gpkg, "
                                          "summary.json and overview.png");
    cmd->add_option("project", config->project_file, "Project file (TOML), e.g. data/sample/project.toml")->required();
    cmd->add_option("-o,--output", config->out_dir, "Output directory (created if missing)")->required();
    cmd->add_flag("--no-render", *no_render, "Skip the overview map");
    cmd->add_option("--within", config->within, "Only this grid (e.g. a county or community code) and the grids below it, "
                    "with exactly the whole run's numbers for them (border households included)");
    cmd->add_option("--to-postgis", config->to_postgis, "Also write the results tables into PostGIS, e.g. \"PG:dbname=atlas "
                    "host=db port=5432\" (credentials from PGUSER/PGPASSWORD/PGSERVICE or ~/.pgpass; never a password here)");
    cmd->add_option("--pg-schema", config->pg_schema, "Schema of the results tables (partitioned by scope_code)")
        ->default_val("gridatlas");
    return {cmd, [config, no_render](Context& ctx) {
                config->render = !*no_render;
                const auto report = pipeline::run_job(*config, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_summary(report);
                if (!report.balanced) {
                    std::cerr << "error: household counts do not add up at every level (see summary.json 'conservation')\n";
                    return 3;
                }
                return 0;
            }};
}

}  // namespace gridatlas::cli
