// Scene layers of the household-status map: cells per building and key-group marks (see status_marks.hpp).
#include "status_marks.hpp"

#include "style_palette.hpp"

namespace gridatlas::render {

void add_status_marks(Scene& s, const MapData& d, const std::vector<BuildingId>& buildings) {
    auto& cells = s["status-cells"];
    cells.keys = {"status", "count", "label", "legend"};
    auto& groups = s["key-groups"];
    groups.keys = {"count", "label", "legend"};
    if (d.buildings.empty()) return;
    for (BuildingId b : buildings) {
        const BuildingFacts& f = d.buildings[b.index()];
        const geo::Point& anchor = d.dataset->building(b).anchor;
        if (d.household_status) {
            // Only statuses the building has: each keeps its place in the row (its colour and place both say which),
            // so a one-household house is one cell, not three zeros beside it. Seen on dense sample grids.
            for (std::size_t i = 0; i < status_count; ++i) {
                const std::int64_t n = f.status[i];
                if (n == 0) continue;
                cells.add(anchor, {std::string(status_key(counted_statuses[i])), n, std::to_string(n), std::int64_t{0}});
            }
        }
        if (d.key_groups && f.key_group_households > 0)
            groups.add(anchor, {f.key_group_households, std::to_string(f.key_group_households), std::int64_t{0}});
    }
}

std::vector<frame::LegendEntry> status_legend(const MapData& d, const std::vector<BuildingId>& buildings) {
    std::vector<frame::LegendEntry> out;
    if (d.buildings.empty()) return out;
    StatusCounts shown{};
    std::int64_t key_groups = 0;
    for (BuildingId b : buildings) {
        for (std::size_t i = 0; i < status_count; ++i) shown[i] += d.buildings[b.index()].status[i];
        key_groups += d.buildings[b.index()].key_group_households;
    }
    auto sample = [](const std::string& style, std::map<std::string, SceneValue> attrs) {
        LegendSample s;
        s.style = style;
        s.shape = LegendSample::Shape::point;
        s.attributes = std::move(attrs);
        return s;
    };
    if (d.household_status)
        for (const auto& c : status_palette())
            if (shown[status_slot(c.status)] > 0)
                out.push_back({std::string(status_word(c.status)) + "户" + c.meaning,
                               sample("status-cells", {{"status", std::string(status_key(c.status))}, {"count", std::int64_t{1}},
                                                       {"label", std::string("")}, {"legend", std::int64_t{1}}})});
    if (d.key_groups && key_groups > 0)
        out.push_back({words::key_groups, sample("key-groups", {{"count", std::int64_t{1}}, {"label", std::string("2")},
                                                                {"legend", std::int64_t{1}}})});
    return out;
}

}  // namespace gridatlas::render
