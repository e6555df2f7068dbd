// `gridatlas check`: validates grid geometry and codes with the project's own household placement, and writes the
// findings (check.gpkg, issues.csv), a readable report (check.txt) and check.json. Works without buildings too: then
// households are counted by the grids their points fall in.
#include "check_job.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "assign/household_assignment.hpp"
#include "dataset_loader.hpp"
#include "geometry/geos.hpp"
#include "hierarchy/grid_codes.hpp"
#include "hierarchy/grid_tree.hpp"
#include "hierarchy/grid_validation.hpp"
#include "model/text.hpp"
#include "output_set.hpp"
#include "project_config.hpp"
#include "project_state.hpp"
#include "stage_clock.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

using layers::FieldType;
using layers::FieldValue;
using layers::LayerGeometry;
using hierarchy::CodeIssueKind;
using hierarchy::GridIssueKind;

namespace {

std::string fixed(double v, int decimals) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v;
    return s.str();
}

double rounded(double v, double unit) { return std::round(v / unit) * unit; }


// One finding of either kind (grid geometry or codes), as the outputs list it.
struct Finding {
    std::string kind;
    bool flagged = true;
    int level = -1;
    GridId grid, other, into;
    BuildingId building;
    double area_m2 = 0;
    double share = 0;
    double households = 0;
    std::size_t parts = 1;
    geo::MultiPolygon geometry;
    std::optional<geo::Point> location;
    std::string message;
};

// The kinds in report order: key (as in issues.csv), a short label for the summary, the title of its table.
struct KindInfo {
    const char* kind;
    const char* label;
    const char* title;
};
const std::vector<KindInfo> kinds = {
    {"sibling_overlap", "sibling overlaps", "Sibling overlaps: grids of one level sharing area"},
    {"gap", "gaps in a parent", "Gaps: parent area covered by no grid of the level below"},
    {"spill", "spills out of the parent", "Spills: grid area outside its parent"},
    {"orphan_grid", "orphan grids", "Orphan grids: in no grid of the level above"},
    {"empty_grid", "empty grids", "Empty grids: no household"},
    {"straddling_building", "buildings straddling grids", "Buildings straddling grids (each assigned to the grid holding its largest share)"},
    {"building_outside_grids", "buildings in no grid", "Buildings in no grid of the finest level"},
    {"duplicate_code", "duplicate codes", "Duplicate codes within a level"},
    {"code_not_under_parent", "codes not under the parent's", "Codes not starting with the parent's code"},
    {"code_not_generated", "missing codes not generated", "Missing codes that could not be generated"},
    {"generated_code", "codes generated", "Generated codes (the grid had none)"},
    {"flat_codes", "levels with flat codes", "Levels with flat (non-hierarchical) codes"},
    {"widened_serial", "serials widened", "Generated serials wider than asked"},
    {"no_code_prefix", "codes without a prefix", "Codes generated without a prefix"},
};
const std::vector<std::string> area_kinds = {"sibling_overlap", "gap", "spill", "orphan_grid", "empty_grid", "straddling_building"};

class Writer {
public:
    // `by_point`: per grid index, households placed straight into the grid by their point (no buildings layer).
    Writer(const Dataset& ds, const hierarchy::GridTree& tree, const hierarchy::CodeReport& codes,
           const std::vector<double>& households, const std::vector<double>& by_point, const std::vector<Finding>& findings)
        : ds_(ds), tree_(tree), codes_(codes), households_(households), findings_(findings) {
        const std::size_t n = ds.grids.size();
        grid_buildings_.assign(n, 0);
        grid_households_ = by_point;
        grid_households_.resize(n, 0);
        grid_flagged_.assign(n, 0);
        for (std::size_t l = 0; l < tree.building_grid.size(); ++l)
            for (std::size_t b = 0; b < ds.buildings.size(); ++b)
                if (const GridId g = tree.building_grid[l][b]; g.valid()) {
                    ++grid_buildings_[g.index()];
                    grid_households_[g.index()] += households[b];
                }
        for (const auto& f : findings)
            if (f.flagged)
                for (GridId g : {f.grid, f.other})
                    if (g.valid()) ++grid_flagged_[g.index()];
    }

    std::string code(GridId g) const {
        if (!g.valid()) return "";
        return codes_.codes[g.index()] + (codes_.generated[g.index()] ? "*" : "");
    }
    std::string level_name(int l) const { return l >= 0 && l < static_cast<int>(ds_.levels.size()) ? ds_.levels[l].name : ""; }

    void gpkg(const std::filesystem::path& file, const Diagnostics& diag) const {
        layers::VectorWriter w(file);
        w.begin_layer("issues", LayerGeometry::polygon, ds_.working_crs,
                      {{"kind"}, {"severity"}, {"level"}, {"level_name"}, {"grid_code"}, {"grid_name"}, {"other_code"}, {"into_code"},
                       {"building_id"}, {"households", FieldType::integer}, {"area_m2", FieldType::real}, {"share", FieldType::real},
                       {"parts", FieldType::integer}, {"x", FieldType::real}, {"y", FieldType::real}, {"feature"}, {"message"}});
        for (const auto& f : findings_) w.add(values(f), f.geometry.empty() ? layers::GeometryValue{} : layers::GeometryValue{f.geometry});
        w.begin_layer("grids", LayerGeometry::polygon, ds_.working_crs,
                      {{"level"}, {"level_name"}, {"code"}, {"given_code"}, {"code_generated", FieldType::integer}, {"name"},
                       {"parent_code"}, {"buildings", FieldType::integer}, {"households", FieldType::integer},
                       {"area_m2", FieldType::real}, {"flagged_findings", FieldType::integer}, {"feature"}});
        for (const Grid& g : ds_.grids) {
            const std::size_t k = g.id.index();
            const GridId parent = tree_.parent[k];
            w.add({ds_.levels[g.level].key, ds_.levels[g.level].name, codes_.codes[k],
                   codes_.generated[k] ? FieldValue{} : FieldValue{g.code}, std::int64_t(codes_.generated[k]), g.name,
                   parent.valid() ? FieldValue{codes_.codes[parent.index()]} : FieldValue{}, std::int64_t(grid_buildings_[k]),
                   std::int64_t(std::llround(grid_households_[k])), rounded(geo::bg::area(g.area), 0.01),
                   std::int64_t(grid_flagged_[k]), g.origin.feature},
                  g.area);
        }
        w.begin_layer("load_warnings", LayerGeometry::none, "", {{"severity"}, {"code"}, {"file"}, {"layer"}, {"feature"}, {"message"}, {"hint"}});
        for (const auto& d : diag.items())
            w.add({std::string(d.severity == Severity::error ? "error" : "warning"), d.code, d.where.file, d.where.layer, d.where.feature,
                   d.message, d.hint});
        w.close();
    }

    void csv(const std::filesystem::path& file) const {
        std::vector<std::vector<std::string>> rows;
        for (const auto& f : findings_) {
            std::vector<std::string> row;
            for (const auto& v : values(f)) {
                if (auto* s = std::get_if<std::string>(&v)) row.push_back(*s);
                else if (auto* i = std::get_if<std::int64_t>(&v)) row.push_back(std::to_string(*i));
                else if (auto* d = std::get_if<double>(&v)) {
                    std::ostringstream o;
                    o << std::setprecision(12) << *d;
                    row.push_back(o.str());
                } else row.push_back("");
            }
            rows.push_back(std::move(row));
        }
        layers::write_csv(file, {"kind", "severity", "level", "level_name", "grid_code", "grid_name", "other_code", "into_code", "building_id",
                                 "households", "area_m2", "share", "parts", "x", "y", "feature", "message"},
                          rows, layers::Utf8Bom::yes);
    }

    // Columns and rows of one kind's table in the readable report.
    FindingSection section(const KindInfo& info) const {
        FindingSection s;
        s.kind = info.kind;
        s.title = std::string(info.title) + " [" + info.kind + "]";
        const std::string k = info.kind;
        auto xy = [](const Finding& f) -> std::vector<std::string> {
            if (!f.location) return {"", ""};
            return {fixed(f.location->x(), 1), fixed(f.location->y(), 1)};
        };
        auto area = [](double a) { return a >= 100 ? fixed(a, 0) : a >= 0.01 ? fixed(a, 2) : fixed(a, 4); };
        auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
            a.insert(a.end(), b.begin(), b.end());
            return a;
        };
        std::function<std::vector<std::string>(const Finding&)> row;
        if (k == "sibling_overlap") {
            s.header = {"level", "grid", "other grid", "area m²", "pieces", "x", "y"};
            s.right = {false, false, false, true, true, true, true};
            row = [&, xy, area, with](const Finding& f) {
                return with({level_name(f.level), code(f.grid), code(f.other), area(f.area_m2), std::to_string(f.parts)}, xy(f));
            };
        } else if (k == "gap") {
            s.header = {"level", "parent", "name", "area m²", "pieces", "x", "y"};
            s.right = {false, false, false, true, true, true, true};
            row = [&, xy, area, with](const Finding& f) {
                return with({level_name(f.level), code(f.grid), ds_.grid(f.grid).name, area(f.area_m2), std::to_string(f.parts)}, xy(f));
            };
        } else if (k == "spill") {
            s.header = {"level", "grid", "parent", "spills into", "area m²", "pieces", "x", "y"};
            s.right = {false, false, false, false, true, true, true, true};
            row = [&, xy, area, with](const Finding& f) {
                return with({level_name(f.level), code(f.grid), code(f.other), f.into.valid() ? code(f.into) : f.flagged ? "(nothing)" : "",
                             area(f.area_m2), std::to_string(f.parts)},
                            xy(f));
            };
        } else if (k == "orphan_grid" || k == "empty_grid") {
            s.header = {"level", "grid", "name", "buildings", "area m²", "x", "y"};
            s.right = {false, false, false, true, true, true, true};
            row = [&, xy, area, with](const Finding& f) {
                return with({level_name(f.level), code(f.grid), ds_.grid(f.grid).name, std::to_string(grid_buildings_[f.grid.index()]),
                             area(f.area_m2)},
                            xy(f));
            };
        } else if (k == "straddling_building") {
            s.header = {"building", "households", "grid (assigned)", "share", "next grid", "outside m²", "x", "y"};
            s.right = {false, true, false, true, false, true, true, true};
            row = [&, xy, area, with](const Finding& f) {
                return with({ds_.building(f.building).source_id, fixed(f.households, 0), code(f.grid), fixed(f.share * 100, 1) + "%",
                             f.other.valid() ? code(f.other) : "(none)", area(f.area_m2)},
                            xy(f));
            };
        } else if (k == "building_outside_grids") {
            s.header = {"building", "households", "residential", "in coarser grid", "footprint m²", "x", "y"};
            s.right = {false, true, false, false, true, true, true};
            row = [&, xy, area, with](const Finding& f) {
                const Building& b = ds_.building(f.building);
                return with({b.source_id, fixed(f.households, 0), b.residential ? "yes" : "no", code(f.grid), area(f.area_m2)}, xy(f));
            };
        } else {
            s.header = {"level", "grid", "what"};
            s.right = {false, false, false};
            row = [&](const Finding& f) { return std::vector<std::string>{level_name(f.level), code(f.grid), f.message}; };
        }
        for (const auto& f : findings_) {
            if (f.kind != k) continue;
            (f.flagged ? s.flagged : s.noted).push_back(row(f));
        }
        return s;
    }

    const std::vector<double>& grid_households() const { return grid_households_; }
    const std::vector<std::size_t>& grid_buildings() const { return grid_buildings_; }

private:
    std::vector<FieldValue> values(const Finding& f) const {
        auto opt_code = [&](GridId g) { return g.valid() ? FieldValue{codes_.codes[g.index()]} : FieldValue{}; };
        const bool building = f.building.valid();
        return {f.kind,
                std::string(f.flagged ? "flag" : "note"),
                f.level >= 0 ? FieldValue{ds_.levels[f.level].key} : FieldValue{},
                f.level >= 0 ? FieldValue{ds_.levels[f.level].name} : FieldValue{},
                opt_code(f.grid),
                f.grid.valid() ? FieldValue{ds_.grid(f.grid).name} : FieldValue{},
                opt_code(f.other),
                opt_code(f.into),
                building ? FieldValue{ds_.building(f.building).source_id} : FieldValue{},
                building ? FieldValue{std::int64_t(std::llround(f.households))} : FieldValue{},
                f.area_m2 > 0 ? FieldValue{rounded(f.area_m2, 1e-4)} : FieldValue{},
                f.share > 0 ? FieldValue{rounded(f.share, 1e-4)} : FieldValue{},
                std::int64_t(f.parts),
                f.location ? FieldValue{rounded(f.location->x(), 0.01)} : FieldValue{},
                f.location ? FieldValue{rounded(f.location->y(), 0.01)} : FieldValue{},
                f.grid.valid() && !building ? FieldValue{ds_.grid(f.grid).origin.feature} : FieldValue{},
                f.message};
    }

    const Dataset& ds_;
    const hierarchy::GridTree& tree_;
    const hierarchy::CodeReport& codes_;
    const std::vector<double>& households_;
    const std::vector<Finding>& findings_;
    std::vector<std::size_t> grid_buildings_, grid_flagged_;
    std::vector<double> grid_households_;
};

std::string render(const CheckReport& report, std::size_t max_flagged, std::size_t max_noted) {
    std::ostringstream out;
    out << report.overview;
    for (const auto& s : report.sections) {
        if (s.flagged.empty() && (s.noted.empty() || max_noted == 0)) continue;
        out << "\n" << s.title << ": " << s.flagged.size() << " flagged, " << s.noted.size() << " noted\n";
        std::vector<std::vector<std::string>> rows;
        for (std::size_t i = 0; i < s.flagged.size() && i < max_flagged; ++i) rows.push_back(s.flagged[i]);
        const std::size_t notes = std::min(s.noted.size(), max_noted);
        if (!rows.empty()) {
            out << text_table(s.header, rows, s.right);
            if (s.flagged.size() > rows.size()) out << "  … and " << s.flagged.size() - rows.size() << " more flagged (issues.csv)\n";
        }
        if (notes > 0) {
            out << "  noted, not flagged" << (notes < s.noted.size() ? " (the first " + std::to_string(notes) + ")" : "") << ":\n";
            std::vector<std::vector<std::string>> noted(s.noted.begin(), s.noted.begin() + static_cast<std::ptrdiff_t>(notes));
            out << text_table(s.header, noted, s.right, "    ");
            if (s.noted.size() > notes) out << "    … and " << s.noted.size() - notes << " more notes (issues.csv)\n";
        }
    }
    return out.str();
}

}  // namespace

std::size_t cjk_display_width(const std::string& s) { return text::display_width(s); }

std::string text_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& right, const std::string& indent) {
    std::vector<std::size_t> widths(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& r) {
        for (std::size_t c = 0; c < r.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], cjk_display_width(r[c]));
    };
    measure(header);
    for (const auto& r : rows) measure(r);
    std::ostringstream out;
    auto line = [&](const std::vector<std::string>& r) {
        std::string text = indent;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string cell = c < r.size() ? r[c] : "";
            const std::string pad(widths[c] - std::min(widths[c], cjk_display_width(cell)), ' ');
            const bool last = c + 1 == widths.size();
            if (c < right.size() && right[c]) text += pad + cell;
            else text += last ? cell : cell + pad;
            if (!last) text += "  ";
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out << text << "\n";
    };
    line(header);
    std::vector<std::string> rule;
    for (auto w : widths) rule.push_back(std::string(w, '-'));
    line(rule);
    for (const auto& r : rows) line(r);
    return out.str();
}

namespace {

hierarchy::CodeOptions code_options(const CheckConfig& config) {
    if (!(config.sliver_m2 >= 0))
        throw DataError({Severity::error, "bad_option", {}, "--sliver must be 0 or more square metres", "e.g. --sliver 10"});
    if (config.serial_width < 1 || config.serial_width > 9)
        throw DataError({Severity::error, "bad_option", {}, "--serial-width must be 1 to 9 digits", "unit-grid codes use 3"});
    hierarchy::CodeOptions options;
    options.top_prefix = config.code_prefix;
    options.serial_width = config.serial_width;
    return options;
}

// Per grid index, the households placed straight into it by their point (a project without buildings).
std::vector<double> households_placed_by_point(const Dataset& ds, const assign::AssignmentResult& a) {
    std::vector<double> out(ds.grids.size(), 0.0);
    for (const auto& p : a.households)
        if (p.placed_by == assign::PlacedBy::point_in_grid)
            for (GridId g : p.grids)
                if (g.valid()) out[g.index()] += 1;
    return out;
}

std::vector<Finding> collect_findings(const Dataset& ds, const hierarchy::ValidationReport& validation,
                                      const hierarchy::CodeReport& codes) {
    std::vector<Finding> findings;
    for (const auto& i : validation.issues) {
        Finding f;
        f.kind = hierarchy::to_string(i.kind);
        f.flagged = i.flagged;
        f.level = i.level;
        f.grid = i.grid;
        f.other = i.other;
        f.into = i.into;
        f.building = i.building;
        f.area_m2 = i.area_m2;
        f.share = i.share;
        f.households = i.households;
        f.parts = i.parts;
        f.geometry = i.area;
        if (!i.area.empty()) f.location = i.location;
        f.message = i.message;
        findings.push_back(std::move(f));
    }
    geo::GeosContext ctx;
    for (const auto& i : codes.issues) {
        Finding f;
        f.kind = hierarchy::to_string(i.kind);
        f.flagged = i.flagged;
        f.level = i.level;
        f.grid = i.grid;
        f.other = i.other;
        f.message = i.message;
        if (i.grid.valid() && !ds.grid(i.grid).area.empty()) {
            f.geometry = ds.grid(i.grid).area;
            f.location = geo::point_on_surface(ctx, f.geometry);
            f.area_m2 = 0;
        }
        findings.push_back(std::move(f));
    }
    return findings;
}

// Buildings by how they lie in the finest level, and the households placed in them.
struct BuildingTally {
    std::size_t whole = 0, straddling = 0, outside = 0, residential = 0;
    double placed = 0, in_finest = 0;
};

BuildingTally tally_buildings(const Dataset& ds, const hierarchy::GridTree& tree, const std::vector<double>& households) {
    const int finest = static_cast<int>(ds.levels.size()) - 1;
    BuildingTally t;
    for (const auto& b : ds.buildings) {
        t.residential += b.residential;
        if (!tree.grid_of(b.id, finest).valid()) ++t.outside;
        else if (tree.building_share[b.id.index()] < 1 && b.area_m2 * (1 - tree.building_share[b.id.index()]) > 0) ++t.straddling;
        else ++t.whole;
    }
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
        t.placed += households[b];
        if (tree.grid_of(BuildingId{b}, finest).valid()) t.in_finest += households[b];
    }
    return t;
}

// check.json's "levels" and the rows of the report's level table.
nlohmann::json levels_json(const Dataset& ds, const hierarchy::CodeReport& codes, const Writer& writer,
                           std::vector<std::vector<std::string>>& rows) {
    nlohmann::json levels = nlohmann::json::array();
    for (int l = 0; l < static_cast<int>(ds.levels.size()); ++l) {
        std::size_t grids = 0, generated = 0, not_generated = 0, bldgs = 0;
        double hh = 0;
        for (GridId g : ds.grids_of_level(l)) {
            ++grids;
            generated += codes.generated[g.index()];
            bldgs += writer.grid_buildings()[g.index()];
            hh += writer.grid_households()[g.index()];
        }
        for (const auto& i : codes.issues) not_generated += i.level == l && i.kind == CodeIssueKind::not_generated;
        const std::string scheme = l == 0 ? "top level" : codes.hierarchical[l] ? "hierarchical" : "flat";
        levels.push_back({{"key", ds.levels[l].key}, {"name", ds.levels[l].name}, {"grids", grids}, {"codes_given", grids - generated - not_generated},
                          {"codes_generated", generated}, {"codes_missing", not_generated}, {"code_scheme", scheme},
                          {"buildings", bldgs}, {"households", std::llround(hh)}});
        rows.push_back({ds.levels[l].name, ds.levels[l].key, std::to_string(grids), std::to_string(grids - generated - not_generated),
                        std::to_string(generated), scheme, std::to_string(bldgs), std::to_string(std::llround(hh))});
    }
    return levels;
}

// check.json's "findings" (flagged and noted per kind), the report's counts and the rows of its findings table.
nlohmann::json findings_json(const std::vector<Finding>& findings, CheckReport& report, std::vector<std::vector<std::string>>& rows) {
    nlohmann::json found;
    for (const auto& info : kinds) {
        std::size_t flagged = 0, noted = 0;
        double area = 0;
        for (const auto& f : findings) {
            if (f.kind != info.kind) continue;
            (f.flagged ? flagged : noted) += 1;
            if (f.flagged) area += f.area_m2;
        }
        report.flagged += flagged;
        report.noted += noted;
        const bool has_area = std::find(area_kinds.begin(), area_kinds.end(), info.kind) != area_kinds.end();
        found[info.kind] = {{"flagged", flagged}, {"noted", noted}};
        if (has_area) found[info.kind]["flagged_area_m2"] = rounded(area, 0.01);
        rows.push_back({info.label, info.kind, std::to_string(flagged), std::to_string(noted), has_area ? fixed(area, 1) : ""});
    }
    return found;
}

// Grids-only projects: how many households their points placed, and those whose grid was not clear-cut, per level.
nlohmann::json point_placement_json(const Dataset& ds, const assign::AssignmentResult& a) {
    nlohmann::json flags = nlohmann::json::object();
    for (std::size_t l = 0; l < ds.levels.size(); ++l) flags[ds.levels[l].key] = a.conservation.at(2 + l).flagged;
    const auto it = a.placed_by.find(assign::to_string(assign::PlacedBy::point_in_grid));
    return {{"placed_in_grids_by_point", it == a.placed_by.end() ? 0 : it->second}, {"flagged_by_level", flags}};
}

// The readable overview: project, levels, add-ups, findings per kind, load warnings.
std::string overview_text(const CheckConfig& config, const ProjectState& state, const nlohmann::json& j,
                          const std::vector<std::vector<std::string>>& level_rows,
                          const std::vector<std::vector<std::string>>& finding_rows, const BuildingTally& t,
                          const CheckReport& report, const std::map<std::string, std::size_t>& warnings) {
    const auto& cfg = state.cfg();
    const auto& ds = state.ds();
    const std::string& finest = ds.levels.back().name;
    const auto& h = j["households"];
    std::ostringstream o;
    o << "GridAtlas check: " << cfg.name << "\n";
    o << "  project  " << cfg.file.string() << "\n";
    o << "  CRS      " << ds.working_crs << " (x, y below are in it, metres)\n";
    o << "  slivers  area findings under " << fixed(config.sliver_m2, config.sliver_m2 < 1 ? 2 : 0)
      << " m² are noted, not flagged (--sliver)\n";
    o << "\nLevels, top first (codes marked * below were generated)\n";
    o << text_table({"level", "key", "grids", "codes given", "generated", "code scheme", "buildings", "households"}, level_rows,
                    {false, false, true, true, true, false, true, true});
    if (cfg.has_buildings()) {
        o << "\nBuildings: " << ds.buildings.size() << " = " << t.whole << " wholly in one " << finest << " + " << t.straddling
          << " straddling + " << t.outside << " in no " << finest << "\n";
        o << "Households: " << h["roster"] << " roster rows = " << std::llround(t.placed) << " placed in a building + "
          << h["not_placed"] << " not placed (`gridatlas assign` lists them); of those placed, " << std::llround(t.in_finest) << " are in a "
          << finest << " and " << std::llround(t.placed - t.in_finest) << " in buildings outside every " << finest << "\n";
    } else {
        const auto& p = h["point_placement"];
        o << "\nHouseholds: " << h["roster"] << " roster rows; " << p["placed_in_grids_by_point"] << " placed in a " << finest
          << " by their points (no buildings layer; `gridatlas assign` lists every row)\n";
        for (const auto& [level, flagged] : p["flagged_by_level"].items())
            for (const auto& [flag, n] : flagged.items())
                o << "  " << level << ": " << n << " on a grid boundary or in overlapping grids (" << flag << "), placed by rule\n";
    }
    o << "\nFindings\n";
    o << text_table({"finding", "kind (issues.csv)", "flagged", "noted", "flagged area m²"}, finding_rows, {false, false, true, true, true});
    o << "  in all: " << report.flagged << " flagged, " << report.noted << " noted" << (report.flagged == 0 ? " — nothing to fix" : "") << "\n";
    if (!warnings.empty()) {
        o << "\nLoad warnings (check.gpkg 'load_warnings'):";
        for (const auto& [code, n] : warnings) o << " " << code << " " << n << ";";
        o << "\n";
    }
    return o.str();
}

}  // namespace

// The checks, as the assignment places roster rows with the project's placement options: codes (from here on every
// grid goes by its final code, the user's or the generated one, messages included), geometry, and their findings.
struct Checks {
    std::vector<double> households;   // per building
    std::vector<double> by_point;     // per finest grid, households placed by their points
    hierarchy::CodeReport codes;
    hierarchy::ValidationReport validation;
    std::vector<Finding> findings;
};

Checks run_checks(const CheckConfig& config, ProjectState& state) {
    const auto& ds = state.ds();
    const auto& tree = state.tree();
    Checks c{state.households_per_building(), households_placed_by_point(ds, state.assignment()), {}, {}, {}};
    c.codes = state.clock().time("check codes", [&] { return hierarchy::check_codes(ds, tree, code_options(config)); });
    state.recode_grids(c.codes.codes);
    hierarchy::ValidationOptions options;
    options.sliver_m2 = config.sliver_m2;
    if (!state.cfg().has_buildings()) options.households_placed_in_grids = c.by_point;
    c.validation = state.clock().time("validate grids", [&] { return hierarchy::validate_grids(ds, tree, c.households, options); });
    c.findings = collect_findings(ds, c.validation, c.codes);
    return c;
}

// check.json's content (without timings and outputs); fills the level and finding rows of the printed tables.
nlohmann::json check_summary(const CheckConfig& config, ProjectState& state, const Checks& c, const Writer& writer,
                             const BuildingTally& t, CheckReport& report, std::vector<std::vector<std::string>>& level_rows,
                             std::vector<std::vector<std::string>>& finding_rows) {
    const auto& cfg = state.cfg();
    const auto& ds = state.ds();
    nlohmann::json j;
    j["project"] = cfg.name;
    j["project_file"] = cfg.file.string();
    j["working_crs"] = ds.working_crs;
    j["sliver_m2"] = config.sliver_m2;
    j["levels"] = levels_json(ds, c.codes, writer, level_rows);
    j["findings"] = findings_json(c.findings, report, finding_rows);
    j["flagged"] = report.flagged;
    j["noted"] = report.noted;
    j["buildings"] = {{"total", ds.buildings.size()}, {"residential", t.residential}, {"wholly_in_one_finest_grid", t.whole},
                      {"straddling", t.straddling}, {"in_no_finest_grid", t.outside}};
    const auto& building_level = state.assignment().conservation.at(1);
    j["households"] = {{"roster", building_level.roster}, {"placed_in_a_building", std::llround(t.placed)},
                       {"not_placed", building_level.unassigned()}, {"in_a_finest_grid", std::llround(t.in_finest)},
                       {"in_buildings_outside_the_finest_grids", std::llround(t.placed - t.in_finest)}};
    if (!cfg.has_buildings()) j["households"]["point_placement"] = point_placement_json(ds, state.assignment());
    std::map<std::string, std::size_t> warnings;
    for (const auto& d : state.diag().items()) ++warnings[d.code];
    j["load_warnings"] = warnings;
    j["skipped_stages"] = skipped_json(state.skipped());
    return j;
}

CheckReport check_job(const CheckConfig& config, Diagnostics& diag) {
    StageClock clock;
    ProjectState state(config.project_file, diag, clock);
    const Checks c = run_checks(config, state);

    CheckReport report;
    OutputSet out(config.out_dir, "check", diag);
    const Writer writer(state.ds(), state.tree(), c.codes, c.households, c.by_point, c.findings);
    clock.time("write outputs", [&] {
        report.gpkg = out.write("check.gpkg", [&](const auto& f) { writer.gpkg(f, diag); });
        report.csv = out.write("issues.csv", [&](const auto& f) { writer.csv(f); });
    });
    report.table = out.final_path("check.txt");
    report.json = out.final_path("check.json");

    const BuildingTally t = tally_buildings(state.ds(), state.tree(), c.households);
    std::vector<std::vector<std::string>> level_rows, finding_rows;
    const nlohmann::json j = check_summary(config, state, c, writer, t, report, level_rows, finding_rows);
    report.overview = overview_text(config, state, j, level_rows, finding_rows, t, report,
                                    j["load_warnings"].get<std::map<std::string, std::size_t>>()) +
                      format_skipped(j["skipped_stages"]);
    for (const auto& info : kinds) report.sections.push_back(writer.section(info));
    report.summary = j;
    report.table_text = render(report, SIZE_MAX, 10);
    report.table_text += "\nFull list with messages: " + report.csv.string() + "; with geometry: " + report.gpkg.string() + " (layer 'issues')\n";
    clock.time("write report", [&] { out.write_text("check.txt", report.table_text); });
    report.summary["timings"] = clock.json();
    report.summary["outputs"] = {{"gpkg", report.gpkg.string()}, {"csv", report.csv.string()}, {"table", report.table.string()},
                                 {"json", report.json.string()}};
    report.summary["stale_outputs"] = out.stale({"check.json"});
    out.write_text("check.json", report.summary.dump(2) + "\n");
    out.commit();
    return report;
}

std::string format_check(const CheckReport& report, std::size_t rows_per_kind) {
    std::ostringstream out;
    out << render(report, rows_per_kind, 0);
    out << "\nTimings:";
    double total = 0;
    for (const auto& t : report.summary["timings"]) {
        out << " " << t["stage"].get<std::string>() << " " << fixed(t["seconds"].get<double>(), 2) << "s;";
        total += t["seconds"].get<double>();
    }
    out << " total " << fixed(total, 2) << "s\n";
    out << "\nOutputs:\n    " << report.table.string() << "  (readable report, every flagged finding)\n    " << report.csv.string()
        << "  (every finding with its message)\n    " << report.gpkg.string() << "  (layers issues, grids, load_warnings)\n    "
        << report.json.string() << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
