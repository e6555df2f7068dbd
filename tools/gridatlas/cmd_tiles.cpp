// gridatlas tiles: XYZ tile pyramids (directory or MBTiles) of the public, aggregate map.
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "tiles_job.hpp"

namespace gridatlas::cli {

namespace {

// "12-17" or "15"
bool parse_zoom_range(const std::string& text, int& lo, int& hi) {
    std::istringstream in(text);
    char dash = 0;
    if (!(in >> lo)) return false;
    if (in >> dash) {
        if (dash != '-' || !(in >> hi)) return false;
        std::string rest;
        if (in >> rest) return false;
    } else {
        hi = lo;
    }
    return lo >= 0 && hi <= 22 && lo <= hi;
}

struct TilesArgs {
    pipeline::TilesConfig config;
    std::string zoom = "12-17";
    std::vector<double> bbox;
    bool progress = false;
    bool no_progress = false;
};

// How each render looks: tile size, metatiles, threads, label buffer, PNG encoder, style.
void add_render_options(CLI::App* cmd, pipeline::TilesConfig& config) {
    cmd->add_option("--scale", config.scale, "1: 256 px tiles; 2: 512 px tiles (@2x, same content, sharper)")
        ->check(CLI::IsMember({1, 2}))
        ->capture_default_str();
    cmd->add_option("--metatile", config.metatile, "Render n × n tiles per Mapnik render (0: 8, or 4 at --scale 2)")
        ->check(CLI::Range(0, 16))
        ->capture_default_str();
    cmd->add_option("-j,--threads", config.threads, "Render threads (0: one per core)")->check(CLI::Range(0, 256))->capture_default_str();
    cmd->add_option("--buffer", config.buffer_px, "Pixels around each render where labels are considered (0: the style's)")
        ->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->add_option("--image-format", config.image_format, "png8 (paletted, one palette per metatile; png8:z=N sets the zlib level), png32 (full colour), or any Mapnik PNG format such as png8:m=h")
        ->capture_default_str();
    cmd->add_option("--style", config.style_file, "Mapnik style (default: styles/tiles.xml)");
}

int run_tiles(TilesArgs& a, Context& ctx) {
    pipeline::TilesConfig& config = a.config;
    if (!parse_zoom_range(a.zoom, config.min_zoom, config.max_zoom)) {
        std::cerr << "error: --zoom must be MIN-MAX or one zoom within 0..22, e.g. 12-17; got '" << a.zoom << "'\n";
        return 1;
    }
    if (!a.bbox.empty()) config.area = render::LonLatBox{a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]};
    if (config.area && !config.area->valid()) {
        std::cerr << "error: --bbox must be west,south,east,north in degrees, west < east, south < north\n";
        return 1;
    }
    if (config.image_format.rfind("png", 0) != 0) {
        std::cerr << "error: --image-format must be a PNG encoder (png8:m=h, png32 …): MBTiles says format=png\n";
        return 1;
    }
    config.progress = a.no_progress ? pipeline::ProgressBar::never
                      : a.progress  ? pipeline::ProgressBar::always
                                    : pipeline::ProgressBar::automatic;
    const auto report = pipeline::tiles_job(config, ctx.warnings);
    print_warnings(ctx);
    std::cout << pipeline::format_tiles(report);
    if (report.interrupted && !report.complete) return 130;
    return 0;
}

}  // namespace

Command add_tiles_command(CLI::App& app) {
    auto a = std::make_shared<TilesArgs>();
    auto* cmd = app.add_subcommand(
        "tiles", "XYZ map tiles (Web Mercator, 256 px or 512 px @2x) of the public map — grids with names, codes and "
                 "household counts, buildings by walking minutes, roads, facilities; aggregates only — into a directory "
                 "(z/x/y.png) or an MBTiles file. Interrupted runs resume when run again.");
    cmd->add_option("project", a->config.project_file, "Project file (TOML)")->required();
    cmd->add_option("-o,--output", a->config.output,
                    "A file ending in .mbtiles (MBTiles 1.3, built as <file>.partial and renamed when complete), or a "
                    "directory for z/x/y.png files")
        ->required();
    cmd->add_option("-z,--zoom", a->zoom, "Zoom range MIN-MAX, or one zoom")->capture_default_str();
    cmd->add_option("--bbox", a->bbox, "Area west,south,east,north in degrees (WGS 84); default: the project's grids")
        ->delimiter(',')
        ->expected(4);
    add_render_options(cmd, a->config);
    cmd->add_option("--name", a->config.name, "Tile set name (default: the project's name)");
    cmd->add_option("--attribution", a->config.attribution, "Attribution stored with the tiles (default: the project file's [map] attribution)");
    cmd->add_flag("--progress", a->progress, "Show the progress bar even when stderr is not a terminal");
    cmd->add_flag("--no-progress", a->no_progress, "Never show the progress bar");
    cmd->add_option("--max-metatiles", a->config.max_metatiles,
                    "Stop after this many metatiles (0: all); the next run with the same options resumes");
    return {cmd, [a](Context& ctx) { return run_tiles(*a, ctx); }};
}

}  // namespace gridatlas::cli
