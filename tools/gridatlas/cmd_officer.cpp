// gridatlas officer: the grid officer's list for one grid, on the terminal and as CSV / GeoPackage. The only command
// that shows names and phone numbers.
#include <iostream>

#include "command.hpp"
#include "officer_job.hpp"

namespace gridatlas::cli {

Command add_officer_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::OfficerConfig>();
    auto no_personal = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("officer", "The grid officer's list (网格员台账) for one grid: buildings, units and households "
                                              "with party-member households (党员户), central households (中心户) and each "
                                              "household's party-member contact; printed as a table and written as "
                                              "officer_<code>.csv (Excel-ready) and officer_<code>.gpkg. Names and phones "
                                              "([households] name, phone) appear here and nowhere else.");
    cmd->add_option("project", config->project_file, "Project file (TOML), e.g. data/sample/project.toml")->required();
    cmd->add_option("grid", config->grid, "Grid code (any level), or a grid name no other grid has")->required();
    cmd->add_option("-o,--output", config->out_dir, "Output directory (created if missing)")->required();
    cmd->add_flag("--no-personal", *no_personal, "Leave out names and phone numbers (e.g. for a list to post up)");
    cmd->add_flag("--contact-names", config->contact_names, "Also show each contact's name, not only where the contact lives");
    return {cmd, [config, no_personal](Context& ctx) {
                config->personal = !*no_personal;
                const auto report = pipeline::officer_job(*config, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_officer_table(report);
                return 0;
            }};
}

}  // namespace gridatlas::cli
