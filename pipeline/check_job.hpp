// `gridatlas check`: validates a project's grid hierarchy and codes without measuring anything else — sibling
// overlaps, gaps, spills, orphans, empty grids, buildings straddling grids or in none, duplicate and inconsistent
// codes — and generates the codes that are missing. Writes check.gpkg (issues with their geometry, every grid with
// its checked or generated code, the load warnings), issues.csv, check.txt (a readable table) and check.json.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/diagnostics.hpp"

namespace gridatlas::pipeline {

struct CheckConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_dir;
    double sliver_m2 = 10;          // area findings below this are noted, not flagged
    std::string code_prefix;        // before generated top-level serials (county + street code); empty: inferred
    int serial_width = 3;           // digits of a generated serial
};

// One kind of finding as the readable report lists it.
struct FindingSection {
    std::string kind, title;
    std::vector<std::string> header;
    std::vector<bool> right;                            // per column: align right
    std::vector<std::vector<std::string>> flagged, noted;   // rows, largest first
};

struct CheckReport {
    std::filesystem::path gpkg, csv, table, json;
    nlohmann::json summary;         // what check.json holds
    std::size_t flagged = 0;        // grid and code findings flagged
    std::size_t noted = 0;
    std::string overview;           // project, levels, add-ups, counts per kind
    std::vector<FindingSection> sections;
    std::string table_text;         // what check.txt holds: overview, every flagged finding, the first notes
};

// Throws DataError for input that stops the check (exit code 2), as `run` does.
CheckReport check_job(const CheckConfig& config, Diagnostics& diag);

// What the CLI prints: the summary and at most `rows_per_kind` flagged findings of each kind.
std::string format_check(const CheckReport& report, std::size_t rows_per_kind = 10);

// A plain-text table whose columns line up in a terminal also with Chinese text (CJK characters count as two
// columns). `right`: per column, align right (numbers). Used by the check and grid draw reports.
std::string text_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& right = {}, const std::string& indent = "  ");

// Display width of a UTF-8 string in a terminal (East Asian wide characters count 2).
std::size_t cjk_display_width(const std::string& utf8);

}  // namespace gridatlas::pipeline
