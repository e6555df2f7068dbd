// `gridatlas assign`: places every roster row (in a building, or by its point straight into the grids when the
// project has no buildings) and writes the assignment per row, the conservation per level and reason, and the
// counts per grid of every level (assignment.gpkg, households.csv, conservation.csv, assignment.json).
#include "assign_job.hpp"

#include <cmath>
#include <memory>
#include <optional>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "assign/grid_statistics.hpp"
#include "assign/household_assignment.hpp"
#include "model/parallel.hpp"
#include "dataset_loader.hpp"
#include "hierarchy/grid_tree.hpp"
#include "gpkg_scope.hpp"
#include "output_set.hpp"
#include "postgis_store.hpp"
#include "project_config.hpp"
#include "project_state.hpp"
#include "run_job.hpp"
#include "within_scope.hpp"
#include "stage_clock.hpp"
#include "gpkg_table_writer.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

using layers::FieldSpec;
using layers::FieldType;
using layers::FieldValue;
using layers::LayerGeometry;

namespace {

// Every reason a household can be unassigned for, in a fixed order: the conservation table's columns.
const std::vector<assign::Reason> all_reasons = {
    assign::Reason::duplicate_household_id, assign::Reason::missing_building_ref, assign::Reason::unparsable_address,
    assign::Reason::no_building_at_location, assign::Reason::unknown_building, assign::Reason::ambiguous_building,
    assign::Reason::rejected_building, assign::Reason::no_unit_given, assign::Reason::unknown_unit,
    assign::Reason::outside_grids, assign::Reason::no_buildings_layer};

std::string code_of(const Dataset& ds, GridId g) { return g.valid() ? ds.grid(g).code : std::string{}; }

// v to a whole number of steps (0.1, 0.01 …), as the double nearest the decimal: 9.2, never 9.200000000000001.
double round_to(double v, double step) {
    const double per_unit = std::round(1 / step);
    return std::round(v * per_unit) / per_unit;
}

// A small table held whole (the conservation counts): the same columns in the gpkg and the CSV.
struct Table {
    std::vector<FieldSpec> fields;
    std::vector<std::vector<FieldValue>> rows;
};

// The assignment table's columns, one row per roster row: the same in the gpkg and the CSV.
std::vector<FieldSpec> household_fields(const Dataset& ds) {
    std::vector<FieldSpec> fields = {{"household_id"}, {"row", FieldType::integer}, {"building_ref"}, {"placed_by"}, {"building_id"},
                                     {"distance_m", FieldType::real}, {"unit_no", FieldType::integer}, {"unit_status"}, {"building_status"}};
    for (const auto& l : ds.levels) {
        fields.push_back({l.key + "_code"});
        fields.push_back({l.key + "_status"});
        fields.push_back({l.key + "_flag"});   // placed by point: on a grid edge, a shared boundary, in overlapping grids
    }
    fields.push_back({"x", FieldType::real});  // the row's point in the working CRS, when it has one
    fields.push_back({"y", FieldType::real});
    return fields;
}

// One roster row of the assignment table into `v` (reused from row to row): rows are made as they are written,
// never held all at once.
void household_row(const Dataset& ds, const assign::AssignmentResult& a, const Household& h, std::vector<FieldValue>& v) {
    const auto& p = a.households[h.id.index()];
    v.assign({h.source_id, std::int64_t(h.row), h.building_ref, std::string(assign::to_string(p.placed_by)),
              p.building.valid() ? FieldValue{ds.building(p.building).source_id} : FieldValue{},
              p.placed_by == assign::PlacedBy::nearest_building ? FieldValue{round_to(p.distance_m, 0.1)} : FieldValue{},
              p.unit_number ? FieldValue{std::int64_t(*p.unit_number)} : FieldValue{},
              std::string(assign::to_string(p.unit_reason)), std::string(assign::to_string(p.building_reason))});
    for (std::size_t l = 0; l < ds.levels.size(); ++l) {
        v.push_back(code_of(ds, p.grids[l]));
        v.push_back(std::string(assign::to_string(p.grid_reasons[l])));
        const auto flag = a.grid_flag(h.id.index(), l);
        v.push_back(flag == assign::GridFlag::none ? FieldValue{} : FieldValue{std::string(assign::to_string(flag))});
    }
    v.push_back(h.location ? FieldValue{round_to(h.location->x(), 0.01)} : FieldValue{});
    v.push_back(h.location ? FieldValue{round_to(h.location->y(), 0.01)} : FieldValue{});
}

std::vector<std::string> header_of(const std::vector<FieldSpec>& fields) {
    std::vector<std::string> header;
    for (const auto& f : fields) header.push_back(f.name);
    return header;
}

void write_table_csv(const std::filesystem::path& file, const Table& t) {
    layers::CsvWriter w(file, header_of(t.fields));
    for (const auto& r : t.rows) w.row(r);
    w.close();
}

// households.csv, row by row from the assignment.
void write_households_csv(const std::filesystem::path& file, const Dataset& ds, const assign::AssignmentResult& a) {
    layers::CsvWriter w(file, header_of(household_fields(ds)));
    std::vector<FieldValue> v;
    for (const Household& h : ds.households) {
        household_row(ds, a, h, v);
        w.row(v);
    }
    w.close();
}

Table conservation_table(const assign::AssignmentResult& a) {
    Table t;
    t.fields = {{"level"}, {"roster", FieldType::integer}, {"assigned", FieldType::integer}, {"unassigned", FieldType::integer},
                {"balanced", FieldType::integer}};
    for (auto r : all_reasons) t.fields.push_back({assign::to_string(r), FieldType::integer});
    for (const auto& c : a.conservation) {
        std::vector<FieldValue> v = {c.level, std::int64_t(c.roster), std::int64_t(c.assigned), std::int64_t(c.unassigned()),
                                     std::int64_t(c.balanced())};
        for (auto r : all_reasons) {
            auto it = c.unassigned_by_reason.find(assign::to_string(r));
            v.push_back(std::int64_t(it == c.unassigned_by_reason.end() ? 0 : it->second));
        }
        t.rows.push_back(std::move(v));
    }
    return t;
}

// Households, persons, party-member households and members per grid (every level), from the assignment alone.
struct GridCounts {
    std::vector<assign::Tally> grids;           // per grid index
    std::vector<std::size_t> buildings;         // residential buildings per grid index
};

GridCounts count_grids(const Dataset& ds, const hierarchy::GridTree& tree, const assign::AssignmentResult& a) {
    GridCounts c;
    c.grids.resize(ds.grids.size());
    c.buildings.assign(ds.grids.size(), 0);
    for (const Household& h : ds.households)
        for (GridId g : a.households[h.id.index()].grids)
            if (g.valid()) c.grids[g.index()].add(h);
    for (std::size_t l = 0; l < ds.levels.size(); ++l)
        for (const Building& b : ds.buildings)
            if (b.residential)
                if (GridId g = tree.grid_of(b.id, static_cast<int>(l)); g.valid()) ++c.buildings[g.index()];
    return c;
}

// The attribute tables of assignment.gpkg, one prepared insert each (GpkgTableWriter).
void write_household_tables(layers::GpkgTableWriter& t, const Dataset& ds, const assign::AssignmentResult& a,
                            const Table& conservation, const Diagnostics& diag) {
    t.begin_table("households", household_fields(ds));
    std::vector<FieldValue> v;
    for (const Household& h : ds.households) {
        household_row(ds, a, h, v);
        t.add(v);
    }
    t.begin_table("unassigned_households", {{"household_id"}, {"row", FieldType::integer}, {"building_ref"}, {"level"}, {"reason"}});
    for (const Household& h : ds.households) {
        const auto& p = a.households[h.id.index()];
        auto row = [&](const std::string& level, assign::Reason reason) {
            if (reason != assign::Reason::assigned)
                t.add({h.source_id, std::int64_t(h.row), h.building_ref, level, std::string(assign::to_string(reason))});
        };
        row("unit", p.unit_reason);
        row("building", p.building_reason);
        for (std::size_t l = 0; l < ds.levels.size(); ++l) row(ds.levels[l].key, p.grid_reasons[l]);
    }
    t.begin_table("conservation", conservation.fields);
    for (const auto& r : conservation.rows) t.add(r);
    layers::write_issues_table(t, diag);
}

// assignment.gpkg: the grids layer through GDAL, then the attribute tables straight through SQLite.
void write_gpkg(const std::filesystem::path& file, const Dataset& ds, const hierarchy::GridTree& tree,
                const assign::AssignmentResult& a, const Table& conservation, const GridCounts& counts, const Diagnostics& diag) {
    layers::VectorWriter w(file);
    w.begin_layer("grids", LayerGeometry::polygon, ds.working_crs,
                  {{"level", FieldType::integer}, {"level_key"}, {"level_name"}, {"code"}, {"name"}, {"parent_code"},
                   {"buildings", FieldType::integer}, {"households", FieldType::integer}, {"persons", FieldType::integer},
                   {"party_households", FieldType::integer}, {"party_members", FieldType::integer}});
    for (const Grid& g : ds.grids) {
        const auto& t = counts.grids[g.id.index()];
        const GridId parent = tree.parent[g.id.index()];
        w.add({std::int64_t(g.level), ds.levels[g.level].key, ds.levels[g.level].name, g.code, g.name, code_of(ds, parent),
               std::int64_t(counts.buildings[g.id.index()]), std::int64_t(t.households), std::int64_t(t.persons),
               std::int64_t(t.party_households), std::int64_t(t.party_members)},
              g.area);
    }
    w.close();
    layers::GpkgTableWriter t(file);
    write_household_tables(t, ds, a, conservation, diag);
    t.close();
}

nlohmann::json summary_json(const layers::ProjectConfig& cfg, const Dataset& ds, const hierarchy::GridTree& tree,
                            const assign::AssignmentResult& a, const GridCounts& counts, const Diagnostics& diag) {
    nlohmann::json j;
    j["project"] = cfg.name;
    j["project_file"] = cfg.file.string();
    j["working_crs"] = ds.working_crs;
    j["households"] = households_json(ds, a);
    // How the placed households found their building; not_placed is the building level's unassigned.
    double farthest = 0;
    std::size_t nearest = 0;
    for (const auto& p : a.households)
        if (p.placed_by == assign::PlacedBy::nearest_building) { ++nearest; farthest = std::max(farthest, double(p.distance_m)); }
    j["placed_by"] = a.placed_by;
    j["nearest_building"] = {{"households", nearest}, {"max_distance_m", round_to(farthest, 0.1)},
                             {"max_nearest_m", cfg.household_placement.max_nearest_m}};
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& c : a.conservation)
        levels.push_back({{"level", c.level}, {"roster", c.roster}, {"assigned", c.assigned}, {"unassigned", c.unassigned()},
                          {"unassigned_by_reason", c.unassigned_by_reason}, {"balanced", c.balanced()}});
    j["conservation"] = levels;
    // Rows placed by their point whose grid was not clear-cut (on an edge, a shared boundary, in overlapping grids).
    nlohmann::json flags = nlohmann::json::object();
    for (std::size_t l = 0; l < ds.levels.size(); ++l)
        if (!a.conservation.at(2 + l).flagged.empty()) flags[ds.levels[l].key] = a.conservation.at(2 + l).flagged;
    j["grid_flags"] = flags;
    nlohmann::json grid_levels = nlohmann::json::array();
    for (std::size_t l = 0; l < ds.levels.size(); ++l) {
        nlohmann::json per_grid = nlohmann::json::array();
        assign::Tally total;
        for (GridId g : ds.grids_of_level(static_cast<int>(l))) {
            const auto& t = counts.grids[g.index()];
            const GridId parent = tree.parent[g.index()];
            per_grid.push_back({{"code", ds.grid(g).code}, {"name", ds.grid(g).name}, {"parent_code", code_of(ds, parent)},
                                {"buildings", counts.buildings[g.index()]}, {"households", t.households}, {"persons", t.persons},
                                {"party_member_households", t.party_households}, {"party_members", t.party_members}});
            total.households += t.households;
            total.persons += t.persons;
            total.party_households += t.party_households;
            total.party_members += t.party_members;
        }
        grid_levels.push_back({{"key", ds.levels[l].key}, {"name", ds.levels[l].name}, {"grids", per_grid.size()},
                               {"households", total.households}, {"persons", total.persons},
                               {"party_member_households", total.party_households}, {"party_members", total.party_members},
                               {"per_grid", per_grid}});
    }
    j["levels"] = grid_levels;
    std::map<std::string, std::size_t> warnings;
    for (const auto& d : diag.items()) ++warnings[d.code];
    j["warnings"] = warnings;
    return j;
}

}  // namespace

AssignReport assign_job(const AssignConfig& config, Diagnostics& diag) {
    StageClock clock;
    if (!config.to_postgis.empty()) layers::check_postgis_target({config.to_postgis, config.pg_schema});   // before any work
    // --within: as in run_job, the whole project's placement picks the grid's households (within_scope.hpp).
    std::unique_ptr<ProjectState> whole, cut;
    std::optional<WithinScope> scope;
    Diagnostics cut_diag;
    if (!config.within.empty()) {
        whole = std::make_unique<ProjectState>(config.project_file, diag, clock);
        scope.emplace();
        Dataset part = clock.time("cut --within", [&] { return within_dataset(*whole, config.within, *scope); });
        cut = std::make_unique<ProjectState>(whole->cfg(), std::move(part), cut_diag, clock);
    } else {
        cut = std::make_unique<ProjectState>(config.project_file, diag, clock);
    }
    ProjectState& state = *cut;
    const auto& cfg = state.cfg();
    const auto& ds = state.ds();
    const auto& tree = state.tree();
    const auto& assignment = state.assignment();
    const auto counts = count_grids(ds, tree, assignment);

    if (scope) add_new_warnings(cut_diag, diag);

    AssignReport report;
    OutputSet out(config.out_dir, "assign", diag);
    report.json = out.final_path("assignment.json");
    clock.time("write outputs", [&] {
        const Table conservation = conservation_table(assignment);
        const auto gpkg = out.reserve("assignment.gpkg"), csv = out.reserve("households.csv");
        // The GeoPackage and the CSV are written at the same time (each its own file, from the same read-only results).
        parallel::on_threads(2, [&](std::size_t t) {
            if (t == 1) write_households_csv(csv, ds, assignment);
            else {
                write_gpkg(gpkg, ds, tree, assignment, conservation, counts, diag);
                if (scope) layers::keep_grids(gpkg, "grids", "code", scope->grid_codes);
            }
        });
        out.done("assignment.gpkg");
        out.done("households.csv");
        report.gpkg = out.final_path("assignment.gpkg");
        report.households_csv = out.final_path("households.csv");
        report.conservation_csv = out.write("conservation.csv", [&](const auto& f) { write_table_csv(f, conservation); });
    });
    report.balanced = assignment.balanced() && roster_file_count(ds).balanced();
    report.summary = summary_json(cfg, ds, tree, assignment, counts, diag);
    report.summary["timings"] = clock.json();
    report.summary["outputs"] = {{"gpkg", report.gpkg.string()}, {"households_csv", report.households_csv.string()},
                                 {"conservation_csv", report.conservation_csv.string()}, {"json", report.json.string()}};
    report.summary["skipped_stages"] = skipped_json(state.skipped());
    if (scope) {
        limit_levels_to_scope(report.summary["levels"], *scope);
        report.summary["within"] = within_json(*scope);
        report.balanced = assignment.balanced() && roster_file_count(whole->ds()).balanced();
    }
    if (!config.to_postgis.empty())   // before the files are committed: a failure leaves the previous ones too
        report.summary["postgis"] = postgis_json(layers::publish_to_postgis(
            OutputSet::temporary_of(report.gpkg), {config.to_postgis, config.pg_schema},
            {scope ? scope->code : "all", scope ? scope->level_key : "all", cfg.name}));
    report.summary["stale_outputs"] = out.stale({"assignment.json"});
    out.write_text("assignment.json", report.summary.dump(2) + "\n");
    out.commit();
    return report;
}

std::string format_assign_summary(const AssignReport& report) {
    const auto& s = report.summary;
    std::ostringstream out;
    out << "GridAtlas assign: " << s["project"].get<std::string>() << " (" << s["working_crs"].get<std::string>() << ")\n";
    const auto& h = s["households"];
    out << "\nHouseholds: " << h["roster"] << " in roster = " << h["assigned"] << " placed in a building + " << h["unassigned"]
        << " not placed" << (s["placed_by"].contains("point_in_grid") ? " in a building (no buildings layer)" : "") << "\n";
    if (!h["records_in_file"].is_null())
        out << "  roster file: " << h["records_in_file"] << " records = " << h["roster"] << " read + " << h["rejected_at_read"]
            << " rejected at read (see the warnings, by line)" << (h["file_balanced"].get<bool>() ? "  ok" : "  DOES NOT ADD UP")
            << "\n";
    out << "  placed by:";
    const char* separator = " ";
    for (const char* k : {"building_id", "address", "point_in_building", "nearest_building", "point_in_grid"})
        if (s["placed_by"].contains(k)) {
            out << separator << k << " " << s["placed_by"][k];
            separator = ", ";
        }
    out << "\n";
    const auto& n = s["nearest_building"];
    if (n["households"].get<std::size_t>() > 0)
        out << "  " << n["households"] << " placed in the nearest building (point outside every building, at most "
            << n["max_distance_m"] << " m away; limit " << n["max_nearest_m"] << " m): check them in the households "
            << "layer, placed_by = nearest_building\n";
    for (const auto& [level, flagged] : s["grid_flags"].items()) {
        out << "  " << level << ", placed by point but not clear-cut (the grid was chosen by rule; households.csv " << level
            << "_flag):";
        for (const auto& [flag, n] : flagged.items()) out << " " << flag << " " << n << ";";
        out << "\n";
    }
    out << "\nConservation (roster = assigned + unassigned, per reason):\n";
    std::size_t width = 0;
    for (const auto& c : s["conservation"]) width = std::max(width, c["level"].get<std::string>().size());
    for (const auto& c : s["conservation"]) {
        out << "    " << std::left << std::setw(static_cast<int>(width + 1)) << c["level"].get<std::string>() << std::right
            << c["roster"] << " = " << c["assigned"] << " + " << c["unassigned"]
            << (c["balanced"].get<bool>() ? "  ok" : "  DOES NOT ADD UP");
        std::string reasons;
        for (const auto& [reason, count] : c["unassigned_by_reason"].items())
            reasons += (reasons.empty() ? "" : ", ") + reason + " " + count.dump();
        if (!reasons.empty()) out << "   (" << reasons << ")";
        out << "\n";
    }
    out << "\nGrid levels:\n";
    for (const auto& l : s["levels"])
        out << "    " << l["name"].get<std::string>() << " (" << l["key"].get<std::string>() << "): " << l["grids"] << " grids, "
            << l["households"] << " households, " << l["persons"] << " persons, " << l["party_member_households"]
            << " party-member households\n";
    if (!s["warnings"].empty()) {
        out << "\nWarnings by kind:\n";
        for (const auto& [code, count] : s["warnings"].items()) out << "    " << code << ": " << count << "\n";
    }
    out << format_skipped(s["skipped_stages"]);
    out << "\nOutputs:\n";
    for (const char* k : {"gpkg", "households_csv", "conservation_csv", "json"}) out << "    " << s["outputs"][k].get<std::string>() << "\n";
    return out.str();
}

}  // namespace gridatlas::pipeline
