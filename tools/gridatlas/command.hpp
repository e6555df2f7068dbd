// The pieces every gridatlas subcommand shares: each cmd_*.cpp adds its subcommand to the app and returns what to
// run once the arguments are parsed. main() owns parsing, warnings and the mapping of errors to exit codes.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

#include "model/diagnostics.hpp"

namespace gridatlas::cli {

struct Context {
    Diagnostics warnings;           // filled by the job; printed by main (also when the job fails)
    std::size_t max_warnings = 20;
};

struct Command {
    CLI::App* app = nullptr;
    std::function<int(Context&)> run;   // returns the exit code; throws DataError / GeometryError / std::exception
};

void print_warnings(const Context& ctx);

// One per subcommand; main.cpp lists them.
Command add_run_command(CLI::App& app);
Command add_coverage_command(CLI::App& app);
Command add_plan_command(CLI::App& app);
Command add_sample_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_grid_command(CLI::App& app);
Command add_tiles_command(CLI::App& app);
Command add_assign_command(CLI::App& app);
Command add_officer_command(CLI::App& app);
Command add_serve_command(CLI::App& app);
Command add_user_command(CLI::App& app);
Command add_render_command(CLI::App& app);
Command add_atlas_command(CLI::App& app);

}  // namespace gridatlas::cli
