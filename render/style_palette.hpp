// The vocabulary every GridAtlas map shares, without Mapnik: walking-minute bands and their legend words, the
// facility marker slots, grid level names, road classes, the tones of neighbouring grids, and the public maps' legend
// table (public_legend). The colours themselves live in styles/shared/palette.ent, which every style includes
// (tests/render/print_map_test.cpp, Palette.*, checks that no style spells one out).
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "model/dataset.hpp"

namespace gridatlas::render {

// "5", "2.5": a number without trailing zeros (one decimal at most).
std::string number_text(double v);
// "250 m", "1.5 km".
std::string distance_text(double metres);

struct Band {
    const char* key;      // the value of the styles' `band` attribute
    std::string label;    // the legend's words
};

// Minute bands: ≤5, ≤10, ≤limit, beyond. The overview caps them at the kind's threshold (a 5-minute kind has two
// bands); the planner uses the fixed 5/10/15 circle (limit 15) and marks the kind's own threshold separately.
struct Bands {
    double b5, b10, thr;
    explicit Bands(double limit);
    const char* of(double minutes) const;     // le5 | le10 | le_thr | beyond | unknown (NaN, inf, negative)
    std::vector<Band> legend() const;         // the four (or fewer) bands, then unknown and nonres
};

// The legend word of a grid level ("社区"), or "第 n 级" when the level has neither name nor key.
std::string level_name(const Dataset& ds, int level);

// OSM highway → drawing order (footways first, motorways last).
int road_class(const std::string& highway);

// Facility kinds → marker slot: 0 for `headline` (a kind key or name), the others 1..8 in service_kinds order
// (cycling), then kinds found only among the facilities.
std::map<std::string, int> facility_slots(const Dataset& ds, const std::string& headline);
// Kind key → display name (the kind's name, else its key).
std::map<std::string, std::string> kind_names(const Dataset& ds);

// Greedy colouring (largest degree first) of `grids` (indices into ds.grids) so that touching grids get different
// tones in 0..tones-1.
std::vector<int> grid_tones(const Dataset& ds, const std::vector<std::size_t>& grids, int tones);

// "到党群服务中心步行时间" (or "住宅楼步行时间" without a kind): the heading of the minute bands.
std::string minutes_heading(const std::string& kind_name);

// The legend of the public maps — the overview PNG, the printed overview and wall map (PNG, PDF, SVG) — as one table
// that each product draws with its own samples: the minute bands (keys le5 … nonres, the styles' `band`), the grid
// levels present (key "level:<index>"), the facility kinds present in marker-slot order with their counts (key
// "kind:<kind key>"). Tiles carry no legend; the web page's legend repeats these words (web/app.js).
struct LegendLine {
    std::string key;
    std::string words;
};
struct LegendTable {
    std::string heading;
    std::vector<LegendLine> lines;
};
std::vector<LegendTable> public_legend(const Dataset& ds, const std::string& headline_kind_name, double threshold_minutes);

// The household-status colours, the same in styles/shared/palette.ent (status-*), the status cell SVGs and web/app.js
// (tests/render/status_map_test.cpp checks that they agree). `ink` is the count's colour on the cell.
struct StatusColour {
    HouseholdStatus status;
    const char* fill;
    const char* ink;
    const char* meaning;   // the legend's gloss after the word: "常住（户籍或长住）"
};
const std::vector<StatusColour>& status_palette();   // counted_statuses order, unknown last
inline constexpr const char* key_group_colour = "#00796b";

// Legend words shared by every style.
namespace words {
inline constexpr const char* nonres = "非住宅建筑";
inline constexpr const char* unknown = "无法到达 / 无数据";
inline constexpr const char* boundary_suffix = "边界";
inline constexpr const char* facilities = "服务设施";
inline constexpr const char* levels = "网格层级";
inline constexpr const char* scale = "比例尺";
inline constexpr const char* north = "北";
inline constexpr const char* date_prefix = "制图日期 ";
inline constexpr const char* aggregates_only = "仅显示汇总数据";
inline constexpr const char* markers_merged = "图上重叠的同类设施只画一个";
inline constexpr const char* code_index = "编号索引（图上只注编号的社区、网格）";
inline constexpr const char* status_heading = "住户状态（每栋：户数）";
inline constexpr const char* key_groups = "重点人群户数";
}  // namespace words

}  // namespace gridatlas::render
