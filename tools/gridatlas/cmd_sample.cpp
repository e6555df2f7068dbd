// gridatlas sample build: rebuild data/sample/ from the OpenStreetMap extract.
#include <iostream>
#include <map>
#include <utility>
#include <vector>

#include "build_sample.hpp"
#include "command.hpp"

namespace gridatlas::cli {

namespace {

// Dropped features by layer and reason, with the first ids; every one is in dropped.csv.
void print_dropped(const pipeline::SampleReport& r) {
    if (r.dropped.empty()) return;
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> groups;
    for (const auto& d : r.dropped) groups[{d.layer, d.reason}].push_back(d.id.empty() ? "fid " + std::to_string(d.fid) : d.id);
    std::cout << "  " << r.dropped.size() << " features dropped (all in dropped.csv):\n";
    for (const auto& [key, ids] : groups) {
        std::cout << "    " << key.first << ", " << key.second << ": " << ids.size() << " (";
        for (std::size_t i = 0; i < ids.size() && i < 10; ++i) std::cout << (i ? ", " : "") << ids[i];
        std::cout << (ids.size() > 10 ? ", …)" : ")") << "\n";
    }
}

}  // namespace

Command add_sample_command(CLI::App& app) {
    auto config = std::make_shared<pipeline::SampleConfig>();
    auto* sample = app.add_subcommand("sample", "The bundled sample");
    sample->require_subcommand(1);
    auto* build = sample->add_subcommand("build", "Rebuild data/sample/ from the OpenStreetMap extract, deterministically");
    build->add_option("--osm", config->osm_gpkg, "OSM extract (GeoPackage with buildings, roads, pois)")->required();
    build->add_option("-o,--output", config->out_dir, "Output directory")->required();
    build->add_option("--admin-code", config->admin_code, "Administrative division code that grid codes start with")->capture_default_str();
    build->add_option("--name", config->name, "Project name and map title in the written project.toml (default: the extract's file name)");
    return {sample, [config](Context&) {
                std::filesystem::create_directories(config->out_dir);
                const auto r = pipeline::build_sample(*config);
                std::cout << "Sample written to " << config->out_dir.string() << ":\n"
                          << "  " << r.buildings << " buildings (" << r.residential << " dwellings), " << r.units << " units, "
                          << r.households << " households (" << r.roster_rows << " roster rows with the deliberate faults)\n"
                          << "  " << r.communities << " communities, " << r.grids << " grids, " << r.facilities << " facilities, "
                          << r.roads << " road lines\n";
                for (const auto& c : r.absent_columns) std::cout << "  column " << c << " is absent: read as empty\n";
                if (r.repaired) std::cout << "  " << r.repaired << " invalid building polygons repaired with GEOSMakeValid\n";
                print_dropped(r);
                std::cout << "Project file: " << r.project_file.string() << " (gridatlas run " << r.project_file.string() << " -o <dir>)\n";
                return 0;
            }};
}

}  // namespace gridatlas::cli
