// gridatlas assign: households → unit, building and grid at every level (by building id, address or coordinates),
// with the conservation report.
#include <iostream>

#include "assign_job.hpp"
#include "command.hpp"

namespace gridatlas::cli {

Command add_assign_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::AssignConfig>();
    auto* cmd = app.add_subcommand("assign", "Place every household of the roster in its unit, building and grid at every level "
                                             "(by building id, else address, else coordinates) and write the assignment table "
                                             "(assignment.gpkg, households.csv) and the conservation report (conservation.csv, "
                                             "assignment.json). No names or phones.");
    cmd->add_option("project", config->project_file, "Project file (TOML), e.g. data/sample/project.toml")->required();
    cmd->add_option("-o,--output", config->out_dir, "Output directory (created if missing)")->required();
    cmd->add_option("--within", config->within, "Only the households the whole project places in this grid (e.g. a county or "
                    "community code) and the grids below it");
    cmd->add_option("--to-postgis", config->to_postgis, "Also write the tables into PostGIS, e.g. \"PG:dbname=atlas host=db\" "
                    "(credentials from PGUSER/PGPASSWORD/PGSERVICE or ~/.pgpass; never a password here)");
    cmd->add_option("--pg-schema", config->pg_schema, "Schema of the tables (partitioned by scope_code); not run's schema: "
                    "the grids tables differ")->default_val("gridatlas_assign");
    return {cmd, [config](Context& ctx) {
                const auto report = pipeline::assign_job(*config, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_assign_summary(report);
                if (!report.balanced) {
                    std::cerr << "error: household counts do not add up at every level (see assignment.json 'conservation')\n";
                    return 3;
                }
                return 0;
            }};
}

}  // namespace gridatlas::cli
