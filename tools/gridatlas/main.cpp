// gridatlas: the command-line front of GridAtlas. Parses arguments, calls one pipeline function, turns exceptions
// into messages and exit codes: 0 success, 1 usage, 2 bad input data, 3 failure while computing or writing.
#include <CLI/CLI.hpp>

#include <iostream>

#include "build_sample.hpp"
#include "coverage_job.hpp"
#include "plan_job.hpp"
#include "geometry/geos.hpp"
#include "model/diagnostics.hpp"
#include "run_job.hpp"

namespace {

constexpr int exit_usage = 1;
constexpr int exit_data = 2;
constexpr int exit_failure = 3;

void print_warnings(const std::vector<gridatlas::Diagnostic>& warnings, std::size_t limit) {
    for (std::size_t i = 0; i < warnings.size() && i < limit; ++i) std::cerr << gridatlas::format_diagnostic(warnings[i]) << "\n";
    if (warnings.size() > limit)
        std::cerr << "… and " << warnings.size() - limit << " more warnings (all are in the output gpkg's 'issues' layer)\n";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"GridAtlas: community grid management (网格化管理) and the 15-minute service circle"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "gridatlas 0.1.0");

    gridatlas::pipeline::RunConfig run;
    bool no_render = false;
    std::size_t max_warnings = 20;
    auto* run_cmd = app.add_subcommand("run", "Load a project, assign households to units, buildings and grids, measure walking "
                                              "access to services, write gridatlas.gpkg, summary.json and overview.png");
    run_cmd->add_option("project", run.project_file, "Project file (TOML), e.g. data/sample/project.toml")->required();
    run_cmd->add_option("-o,--output", run.out_dir, "Output directory (created if missing)")->required();
    run_cmd->add_flag("--no-render", no_render, "Skip the overview map");
    run_cmd->add_option("--max-warnings", max_warnings, "How many warnings to print (all go to the gpkg)")->capture_default_str();

    gridatlas::pipeline::CoverageConfig coverage;
    auto* coverage_cmd = app.add_subcommand("coverage", "The 15-minute circle in depth: isochrones per kind (and per facility), "
                                                        "straight-line circles and what they hide, gap buildings and households as CSV");
    coverage_cmd->add_option("project", coverage.project_file, "Project file (TOML)")->required();
    coverage_cmd->add_option("-o,--output", coverage.out_dir, "Output directory")->required();
    coverage_cmd->add_option("--bands", coverage.bands, "Isochrone bands in minutes")->delimiter(',')->capture_default_str();
    coverage_cmd->add_option("--buffer", coverage.buffer_m, "Isochrone half-width around reachable paths, metres")->capture_default_str();
    coverage_cmd->add_flag("--per-facility", coverage.per_facility, "Also one isochrone set per facility (slower)");

    gridatlas::pipeline::PlanConfig plan;
    std::string candidates = "buildings";
    std::string candidate_layer_name;
    auto* plan_cmd = app.add_subcommand("plan", "Where to build: k new sites of one service kind covering the most households "
                                                "now beyond its walking threshold, or the fewest sites reaching a target share");
    plan_cmd->add_option("project", plan.project_file, "Project file (TOML)")->required();
    plan_cmd->add_option("-o,--output", plan.out_dir, "Output directory")->required();
    plan_cmd->add_option("--kind", plan.kind, "Service kind key, e.g. party_mass_centre")->required();
    auto* sites_opt = plan_cmd->add_option("-k,--sites", plan.sites, "How many new sites")->capture_default_str();
    double target_share = 0;
    plan_cmd->add_option("--target-share", target_share, "Instead of -k: the fewest sites reaching this share (0–1)")->excludes(sites_opt);
    plan_cmd->add_option("--candidates", candidates, "buildings (residential), nodes (network junctions) or a point layer file")->capture_default_str();
    plan_cmd->add_option("--candidate-layer", candidate_layer_name, "Layer name within the candidate file");

    gridatlas::pipeline::SampleConfig sample;
    auto* sample_cmd = app.add_subcommand("sample", "The bundled sample");
    sample_cmd->require_subcommand(1);
    auto* build_cmd = sample_cmd->add_subcommand("build", "Rebuild data/sample/ from the OpenStreetMap extract, deterministically");
    build_cmd->add_option("--osm", sample.osm_gpkg, "OSM extract (GeoPackage with buildings, roads, pois)")->required();
    build_cmd->add_option("-o,--output", sample.out_dir, "Output directory")->required();
    build_cmd->add_option("--admin-code", sample.admin_code, "Administrative division code that grid codes start with")->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : exit_usage;   // --help and --version exit 0, every usage error 1
    }

    gridatlas::Diagnostics warnings;
    try {
        if (run_cmd->parsed()) {
            run.render = !no_render;
            const auto report = gridatlas::pipeline::run_job(run, warnings);
            print_warnings(report.warnings, max_warnings);
            std::cout << gridatlas::pipeline::format_summary(report);
            if (!report.balanced) {
                std::cerr << "error: household counts do not add up at every level (see summary.json 'conservation')\n";
                return exit_failure;
            }
        } else if (coverage_cmd->parsed()) {
            const auto report = gridatlas::pipeline::coverage_job(coverage, warnings);
            print_warnings(warnings.items(), max_warnings);
            std::cout << gridatlas::pipeline::format_coverage(report);
        } else if (plan_cmd->parsed()) {
            if (target_share > 0) plan.target_share = target_share;
            plan.candidates = candidates;
            if (candidates != "buildings" && candidates != "nodes") {
                plan.candidates = "layer";
                plan.candidate_layer = gridatlas::layers::LayerSource{"candidates", candidates, candidate_layer_name, "", {}};
            }
            const auto report = gridatlas::pipeline::plan_job(plan, warnings);
            print_warnings(warnings.items(), max_warnings);
            std::cout << gridatlas::pipeline::format_plan(report);
        } else if (build_cmd->parsed()) {
            std::filesystem::create_directories(sample.out_dir);
            const auto r = gridatlas::pipeline::build_sample(sample);
            std::cout << "Sample written to " << sample.out_dir.string() << ":\n"
                      << "  " << r.buildings << " buildings (" << r.residential << " dwellings), " << r.units << " units, "
                      << r.households << " households (" << r.roster_rows << " roster rows with the deliberate faults)\n"
                      << "  " << r.communities << " communities, " << r.grids << " grids, " << r.facilities << " facilities, "
                      << r.roads << " road lines\n";
        }
    } catch (const gridatlas::DataError& e) {
        print_warnings(warnings.items(), max_warnings);   // the warnings that led here, e.g. every rejected building
        std::cerr << e.what() << "\n";
        return e.diagnostic().code == "write_failed" ? exit_failure : exit_data;
    } catch (const gridatlas::geo::GeometryError& e) {
        std::cerr << "error: geometry operation failed: " << e.what() << "\n";
        return exit_failure;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exit_failure;
    }
    return 0;
}
