// gridatlas plan: where new facilities of one kind would close the most gaps.
#include <iostream>

#include "command.hpp"
#include "plan_job.hpp"

namespace gridatlas::cli {

Command add_plan_command(CLI::App& app) {
    struct Args {
        pipeline::PlanConfig config;
        double target_share = 0;
        std::string candidates = "buildings";
        std::string candidate_layer;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("plan", "Where to build: k new sites of one service kind covering the most households "
                                           "now beyond its walking threshold, or the fewest sites reaching a target share");
    cmd->add_option("project", args->config.project_file, "Project file (TOML)")->required();
    cmd->add_option("-o,--output", args->config.out_dir, "Output directory")->required();
    cmd->add_option("--kind", args->config.kind, "Service kind key, e.g. party_mass_centre")->required();
    auto* sites = cmd->add_option("-k,--sites", args->config.sites, "How many new sites")->capture_default_str();
    cmd->add_option("--target-share", args->target_share, "Instead of -k: the fewest sites reaching this share (0–1)")->excludes(sites);
    cmd->add_option("--candidates", args->candidates, "buildings (residential), nodes (network junctions) or a point layer file")
        ->capture_default_str();
    cmd->add_option("--candidate-layer", args->candidate_layer, "Layer name within the candidate file");
    cmd->add_option("--profile", args->config.profile, "Walking profile from [walking.profiles], e.g. elderly (0.8 m/s)");
    return {cmd, [args](Context& ctx) {
                auto& c = args->config;
                if (args->target_share > 0) c.target_share = args->target_share;
                c.candidates = args->candidates;
                if (c.candidates != "buildings" && c.candidates != "nodes") {
                    c.candidates = "layer";
                    c.candidate_layer = layers::LayerSource{"candidates", args->candidates, args->candidate_layer, "", {}, {}};
                }
                const auto report = pipeline::plan_job(c, ctx.warnings);
                print_warnings(ctx);
                std::cout << pipeline::format_plan(report);
                return 0;
            }};
}

}  // namespace gridatlas::cli
