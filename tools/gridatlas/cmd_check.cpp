// gridatlas check: validate the grid hierarchy and codes, generate the missing codes.
#include <iostream>

#include "check_job.hpp"
#include "command.hpp"

namespace gridatlas::cli {

Command add_check_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::CheckConfig>();
    auto strict = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("check", "Check the grid hierarchy: sibling overlaps, gaps, grids spilling out of their parent, "
                                            "empty grids, buildings straddling grids or in none, duplicate and inconsistent codes; "
                                            "generate missing codes. Writes check.txt, issues.csv, check.gpkg, check.json");
    cmd->add_option("project", config->project_file, "Project file (TOML), e.g. data/sample/project.toml")->required();
    cmd->add_option("-o,--output", config->out_dir, "Output directory (created if missing)")->required();
    cmd->add_option("--sliver", config->sliver_m2, "Area findings smaller than this (m²) are noted, not flagged")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    cmd->add_option("--code-prefix", config->code_prefix,
                    "Before generated top-level serials: county code (6 digits) + street code (3), e.g. 110101001; "
                    "default: taken from the top level's existing codes");
    cmd->add_option("--serial-width", config->serial_width, "Digits of a generated serial")->capture_default_str()->check(CLI::Range(1, 9));
    cmd->add_flag("--strict", *strict, "Exit with code 2 when anything is flagged");
    return {cmd, [config, strict](Context& ctx) {
                const auto report = pipeline::check_job(*config, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_check(report);
                if (*strict && report.flagged > 0) {
                    std::cerr << "error: " << report.flagged << " findings flagged (see " << report.table.string() << ")\n";
                    return 2;
                }
                return 0;
            }};
}

}  // namespace gridatlas::cli
