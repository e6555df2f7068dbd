// gridatlas coverage: isochrones, circles against the network, gap lists.
#include <iostream>

#include "command.hpp"
#include "coverage_job.hpp"

namespace gridatlas::cli {

Command add_coverage_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::CoverageConfig>();
    auto* cmd = app.add_subcommand("coverage", "The 15-minute circle in depth: isochrones per kind (and per facility), "
                                               "straight-line circles and what they hide, gap buildings and households as CSV");
    cmd->add_option("project", config->project_file, "Project file (TOML)")->required();
    cmd->add_option("-o,--output", config->out_dir, "Output directory")->required();
    cmd->add_option("--bands", config->bands, "Isochrone bands in minutes")->delimiter(',')->capture_default_str();
    cmd->add_option("--buffer", config->buffer_m, "Isochrone half-width around reachable paths, metres")->capture_default_str();
    cmd->add_flag("--per-facility", config->per_facility, "Also one isochrone set per facility (slower)");
    cmd->add_option("--profile", config->profile, "Walking profile from [walking.profiles], e.g. elderly (0.8 m/s)");
    return {cmd, [config](Context& ctx) {
                const auto report = pipeline::coverage_job(*config, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_coverage(report);
                return 0;
            }};
}

}  // namespace gridatlas::cli
