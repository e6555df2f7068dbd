// gridatlas sample build: rebuild data/sample/ from the OpenStreetMap extract.
#include <iostream>

#include "build_sample.hpp"
#include "command.hpp"

namespace gridatlas::cli {

Command add_sample_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::SampleConfig>();
    auto* sample = app.add_subcommand("sample", "The bundled sample");
    sample->require_subcommand(1);
    auto* build = sample->add_subcommand("build", "Rebuild data/sample/ from the OpenStreetMap extract, deterministically");
    build->add_option("--osm", config->osm_gpkg, "OSM extract (GeoPackage with buildings, roads, pois)")->required();
    build->add_option("-o,--output", config->out_dir, "Output directory")->required();
    build->add_option("--admin-code", config->admin_code, "Administrative division code that grid codes start with")->capture_default_str();
    return {sample, [config](Context&) {
                std::filesystem::create_directories(config->out_dir);
                const auto r = pipeline::build_sample(*config);
                std::cout << "Sample written to " << config->out_dir.string() << ":\n"
                          << "  " << r.buildings << " buildings (" << r.residential << " dwellings), " << r.units << " units, "
                          << r.households << " households (" << r.roster_rows << " roster rows with the deliberate faults)\n"
                          << "  " << r.communities << " communities, " << r.grids << " grids, " << r.facilities << " facilities, "
                          << r.roads << " road lines\n";
                return 0;
            }};
}

}  // namespace gridatlas::cli
