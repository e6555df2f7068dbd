// The `atlas` command: loads the project, builds the atlas pages' content and writes the PDF atomically.
#include "atlas_job.hpp"

#include <algorithm>
#include <iomanip>
#include <set>
#include <sstream>

#include "atlas.hpp"
#include "output_set.hpp"
#include "project_state.hpp"
#include "render_job.hpp"

namespace gridatlas::pipeline {

namespace {

// How many of the table's buildings carry their number on a map of their grid; leader lines and detail maps drawn.
void count_numbers(const render::AtlasResult& result, AtlasReport& report) {
    std::set<std::pair<std::size_t, std::size_t>> drawn;   // (grid index, number)
    for (const auto& e : result.entries) report.buildings += e.buildings;
    for (const auto& m : result.maps) {
        report.detail_maps += m.detail > 0;
        for (const auto& n : m.numbers) {
            drawn.insert({m.grid.index(), n.number});
            report.leaders += n.leader;
        }
    }
    report.numbered_on_maps = drawn.size();
}

// The level to draw: --level by key or name, else the finest. Throws DataError naming the project file.
int atlas_level(ProjectState& p, const std::string& wanted) {
    const Dataset& ds = p.ds();
    int level = -1;
    for (const auto& g : ds.grids) level = std::max(level, g.level);
    if (!wanted.empty()) {
        level = -1;
        for (std::size_t l = 0; l < ds.levels.size(); ++l)
            if (ds.levels[l].key == wanted || ds.levels[l].name == wanted) level = static_cast<int>(l);
        if (level < 0) {
            std::string known;
            for (const auto& l : ds.levels) known += (known.empty() ? "" : ", ") + l.key + " (" + l.name + ")";
            throw DataError({Severity::error, "unknown_level", {p.cfg().file.string(), "", "", {}, {}},
                             "'" + wanted + "' is not a grid level of this project", "use one of: " + known});
        }
    }
    if (level < 0)
        throw DataError({Severity::error, "no_grids", {p.cfg().file.string(), "", "", {}, {}},
                         "the project has no grids", "add [[grid_levels]] to the project file"});
    return level;
}

// --grids and --within: the grids to draw, in code order (empty: every grid of the level).
std::vector<GridId> atlas_grids(ProjectState& p, const AtlasConfig& config, int level) {
    const Dataset& ds = p.ds();
    std::vector<GridId> grids;
    for (const auto& code : config.grids) grids.push_back(find_grid(p, code));
    if (!config.within.empty()) {
        const GridId outer = find_grid(p, config.within);
        auto inside = [&](GridId g) {
            for (GridId a = g; a.valid(); a = p.tree().parent[a.index()])
                if (a == outer) return true;
            return false;
        };
        if (grids.empty())
            for (const auto& g : ds.grids)
                if (g.level == level && inside(g.id)) grids.push_back(g.id);
        grids.erase(std::remove_if(grids.begin(), grids.end(), [&](GridId g) { return !inside(g); }), grids.end());
        if (grids.empty())
            throw DataError({Severity::error, "no_grids", {p.cfg().file.string(), "", config.within, {}, {}},
                             "no grid of level '" + ds.levels[level].key + "' lies in " + config.within,
                             "check --within and --level"});
    }
    std::stable_sort(grids.begin(), grids.end(), [&](GridId a, GridId b) { return ds.grid(a).code < ds.grid(b).code; });
    grids.erase(std::unique(grids.begin(), grids.end()), grids.end());
    return grids;
}

}  // namespace

AtlasReport atlas_job(const AtlasConfig& config, Diagnostics& diag) {
    if (config.page.pixel_page()) throw std::invalid_argument("the atlas is printed on paper: give --paper, not --size");
    if (config.out_file.extension() != ".pdf" && config.out_file.extension() != ".PDF")
        throw std::invalid_argument("the atlas is a PDF: end the output file in .pdf, got '" + config.out_file.string() + "'");
    (void)config.page.size_pt();

    StageClock clock;
    ProjectState p(config.project_file, diag, clock);
    const int level = atlas_level(p, config.level);
    MapDataOptions options;
    options.officer = true;
    const render::MapData data = clock.time("map data", [&] { return map_data(p, options); });

    render::AtlasRequest req;
    req.data = &data;
    req.level = level;
    req.grids = atlas_grids(p, config, level);
    req.page = config.page;
    req.title = config.title;
    req.date = config.date;
    req.attribution = p.cfg().map.attribution;
    OutputSet out(config.out_file.parent_path(), "", diag);
    render::AtlasResult result;
    out.write(config.out_file, [&](const auto& f) { result = clock.time("render atlas", [&] { return render::render_atlas_pdf(req, f); }); });
    out.commit();

    AtlasReport report;
    report.out_file = config.out_file;
    report.level = p.ds().levels[level].key;
    report.grids = result.entries.size();
    report.pages = result.pages;
    report.index_pages = result.index_pages;
    report.page = config.page.describe();
    report.timings = clock.json();
    count_numbers(result, report);
    report.maps = std::move(result.maps);
    return report;
}

std::string format_atlas(const AtlasReport& r) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(2);
    out << "GridAtlas atlas: " << r.grids << " grids of level '" << r.level << "', " << r.pages << " pages (" << r.index_pages
        << " index), " << r.page << "\n  timings:";
    double total = 0;
    for (const auto& t : r.timings) {
        out << " " << t["stage"].get<std::string>() << " " << t["seconds"].get<double>() << "s;";
        total += t["seconds"].get<double>();
    }
    out << " total " << total << "s\n  building numbers on the maps: " << r.numbered_on_maps << " of " << r.buildings << " ("
        << r.leaders << " on leader lines, " << r.detail_maps << " detail maps)\n  wrote " << r.out_file.string() << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
