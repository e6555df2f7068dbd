// gridatlas: the command-line front of GridAtlas. Each subcommand lives in its own cmd_*.cpp, parses its arguments
// into a config struct and calls one pipeline function. Exit codes: 0 success, 1 usage, 2 bad input data (the
// message names file, layer, feature and what to do), 3 failure while computing or writing.
#include <iostream>
#include <stdexcept>

#include "command.hpp"
#include "geometry/geos.hpp"

namespace {

constexpr int exit_usage = 1;
constexpr int exit_data = 2;
constexpr int exit_failure = 3;

}  // namespace

namespace gridatlas::cli {

void print_warnings(const Context& ctx) {
    const auto& items = ctx.warnings.items();
    for (std::size_t i = 0; i < items.size() && i < ctx.max_warnings; ++i) std::cerr << format_diagnostic(items[i]) << "\n";
    if (items.size() > ctx.max_warnings)
        std::cerr << "… and " << items.size() - ctx.max_warnings << " more warnings (all are in the output gpkg's 'issues' layer)\n";
}

}  // namespace gridatlas::cli

int main(int argc, char** argv) {
    using namespace gridatlas::cli;
    CLI::App app{"GridAtlas: community grid management (网格化管理) and the 15-minute service circle"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "gridatlas 0.1.0");
    Context ctx;
    const std::vector<Command> commands = {
        add_run_command(app),     add_coverage_command(app), add_plan_command(app),   add_sample_command(app),
        add_check_command(app),   add_grid_command(app),     add_assign_command(app), add_officer_command(app),
        add_render_command(app),  add_atlas_command(app),    add_tiles_command(app),  add_serve_command(app),
        add_user_command(app)};
    for (const auto& c : commands)
        c.app->add_option("--max-warnings", ctx.max_warnings, "How many warnings to print (all go to the outputs)")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : exit_usage;   // --help and --version exit 0, every usage error 1
    }

    try {
        for (const auto& c : commands)
            if (c.app->parsed()) return c.run(ctx);
    } catch (const gridatlas::DataError& e) {
        print_warnings(ctx);   // the warnings that led here, e.g. every rejected building
        std::cerr << e.what() << "\n";
        return e.diagnostic().code == "write_failed" ? exit_failure : exit_data;
    } catch (const std::invalid_argument& e) {   // a bad option value the parser could not see (e.g. a page size)
        print_warnings(ctx);
        std::cerr << "error: " << e.what() << "\n";
        return exit_usage;
    } catch (const gridatlas::geo::GeometryError& e) {
        std::cerr << "error: geometry operation failed: " << e.what() << "\n";
        return exit_failure;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exit_failure;
    }
    return exit_usage;
}
