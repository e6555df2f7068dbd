// `gridatlas atlas`: the officer atlas (网格工作图册) — one PDF, index pages then one page per grid of a level (the
// finest by default) with its officer map and building table (render/atlas.hpp).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/diagnostics.hpp"
#include "atlas.hpp"
#include "print_map.hpp"

namespace gridatlas::pipeline {

struct AtlasConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_file;            // .pdf
    std::string level;                         // a grid level key ("grid") or its name ("网格"); empty: the finest
    std::vector<std::string> grids;            // only these grid codes (any order; printed in code order)
    std::string within;                        // only grids inside this grid (e.g. one community), by code
    render::PageSpec page{"A4", false};        // paper; --landscape
    std::string title;
    std::string date;
};

struct AtlasReport {
    std::filesystem::path out_file;
    std::string level;
    std::size_t grids = 0;
    int pages = 0;
    int index_pages = 0;
    std::string page;
    nlohmann::json timings;
    std::size_t buildings = 0;                 // residential buildings numbered in the table
    std::size_t numbered_on_maps = 0;          // of them, those whose number is on a map of their grid
    std::size_t leaders = 0;                   // numbers drawn beside their building on a leader line
    std::size_t detail_maps = 0;
    std::vector<render::AtlasMapLog> maps;     // where every map's building numbers went (render/atlas.hpp)
};

// Throws DataError (unknown level or grid code: exit 2), std::invalid_argument (bad options: exit 1 in the CLI).
AtlasReport atlas_job(const AtlasConfig& config, Diagnostics& diag);
std::string format_atlas(const AtlasReport& report);

}  // namespace gridatlas::pipeline
