// The vocabulary every GridAtlas map shares, without Mapnik (style_palette.hpp): walking-minute bands and legend
// words, facility marker slots, grid level names, road classes, neighbour tones.
#include "style_palette.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <unordered_map>

namespace gridatlas::render {

namespace bg = boost::geometry;

std::string number_text(double v) {
    std::ostringstream s;
    s.precision(v == std::floor(v) ? 0 : 1);
    s << std::fixed << v;
    return s.str();
}

std::string distance_text(double m) {
    if (m >= 1000) return number_text(m / 1000) + " km";
    return number_text(m) + " m";
}

Bands::Bands(double limit) {
    thr = std::max(0.0, limit);
    b5 = std::min(5.0, thr);
    b10 = std::min(10.0, thr);
}

const char* Bands::of(double minutes) const {
    if (!std::isfinite(minutes) || minutes < 0) return "unknown";
    if (minutes <= b5) return "le5";
    if (minutes <= b10) return "le10";
    if (minutes <= thr) return "le_thr";
    return "beyond";
}

std::vector<Band> Bands::legend() const {
    std::vector<Band> out;
    out.push_back({"le5", "≤ " + number_text(b5) + " 分钟"});
    if (b10 > b5) out.push_back({"le10", number_text(b5) + "–" + number_text(b10) + " 分钟"});
    if (thr > b10) out.push_back({"le_thr", number_text(b10) + "–" + number_text(thr) + " 分钟"});
    out.push_back({"beyond", "> " + number_text(thr) + " 分钟（超出步行圈）"});
    out.push_back({"unknown", words::unknown});
    out.push_back({"nonres", words::nonres});
    return out;
}

std::string level_name(const Dataset& ds, int level) {
    if (level >= 0 && static_cast<std::size_t>(level) < ds.levels.size()) {
        const auto& l = ds.levels[static_cast<std::size_t>(level)];
        if (!l.name.empty()) return l.name;
        if (!l.key.empty()) return l.key;
    }
    return "第 " + std::to_string(level + 1) + " 级";
}

int road_class(const std::string& highway) {
    static const std::unordered_map<std::string, int> rank = {
        {"footway", 0}, {"path", 0}, {"pedestrian", 0}, {"steps", 0}, {"cycleway", 0}, {"bridleway", 0},
        {"corridor", 0}, {"service", 1}, {"living_street", 1}, {"track", 1}, {"residential", 2},
        {"unclassified", 2}, {"tertiary", 3}, {"tertiary_link", 3}, {"secondary", 4}, {"secondary_link", 4},
        {"primary", 5}, {"primary_link", 5}, {"trunk", 6}, {"trunk_link", 6}, {"motorway", 7}, {"motorway_link", 7}};
    auto it = rank.find(highway);
    return it == rank.end() ? 1 : it->second;
}

std::map<std::string, int> facility_slots(const Dataset& ds, const std::string& headline) {
    std::map<std::string, int> slot_of_kind;
    int next = 1;
    for (const auto& k : ds.service_kinds) {
        const bool is_headline = !headline.empty() && (k.name == headline || k.key == headline);
        slot_of_kind[k.key] = is_headline ? 0 : next;
        if (!is_headline) next = next % 8 + 1;
    }
    for (const auto& f : ds.facilities)
        if (!slot_of_kind.count(f.kind)) {
            const bool is_headline = !headline.empty() && f.kind == headline;
            slot_of_kind[f.kind] = is_headline ? 0 : next;
            if (!is_headline) next = next % 8 + 1;
        }
    return slot_of_kind;
}

std::map<std::string, std::string> kind_names(const Dataset& ds) {
    std::map<std::string, std::string> out;
    for (const auto& k : ds.service_kinds) out[k.key] = k.name.empty() ? k.key : k.name;
    return out;
}

std::vector<int> grid_tones(const Dataset& ds, const std::vector<std::size_t>& grids, int tones) {
    const std::size_t n = grids.size();
    std::vector<geo::Box> boxes(n);
    for (std::size_t i = 0; i < n; ++i) {
        bg::envelope(ds.grids[grids[i]].area, boxes[i]);
        const double tol = 1.0;   // metres: drawn grids often leave slivers between neighbours
        boxes[i].min_corner().x(boxes[i].min_corner().x() - tol);
        boxes[i].min_corner().y(boxes[i].min_corner().y() - tol);
        boxes[i].max_corner().x(boxes[i].max_corner().x() + tol);
        boxes[i].max_corner().y(boxes[i].max_corner().y() + tol);
    }
    std::vector<std::vector<std::size_t>> adj(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            if (!bg::intersects(boxes[i], boxes[j])) continue;
            bool touching = true;
            try {
                touching = bg::distance(ds.grids[grids[i]].area, ds.grids[grids[j]].area) <= 1.0;
            } catch (const std::exception&) {   // invalid input geometry: treat as neighbours, the safe side
            }
            if (touching) {
                adj[i].push_back(j);
                adj[j].push_back(i);
            }
        }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return adj[a].size() > adj[b].size(); });
    std::vector<int> tone(n, -1);
    for (std::size_t i : order) {
        std::vector<int> used(tones, 0);
        for (std::size_t j : adj[i])
            if (tone[j] >= 0) ++used[tone[j]];
        // the least used tone among neighbours (0 when a free one exists), ties to the lowest after rotating by i
        // so that non-touching grids still vary
        int best = -1;
        for (int k = 0; k < tones; ++k) {
            const int t = static_cast<int>((k + i) % tones);
            if (best < 0 || used[t] < used[best]) best = t;
        }
        tone[i] = best;
    }
    return tone;
}

std::string minutes_heading(const std::string& kind_name) {
    return kind_name.empty() ? std::string("住宅楼步行时间") : "到" + kind_name + "步行时间";
}

std::vector<LegendTable> public_legend(const Dataset& ds, const std::string& headline_kind_name, double threshold_minutes) {
    std::vector<LegendTable> out;
    LegendTable minutes{minutes_heading(headline_kind_name), {}};
    for (const auto& band : Bands(threshold_minutes).legend()) minutes.lines.push_back({band.key, band.label});
    out.push_back(std::move(minutes));
    std::vector<int> levels;
    for (const auto& g : ds.grids)
        if (std::find(levels.begin(), levels.end(), g.level) == levels.end()) levels.push_back(g.level);
    std::sort(levels.begin(), levels.end());
    if (!levels.empty()) {
        LegendTable lv{words::levels, {}};
        for (int l : levels) lv.lines.push_back({"level:" + std::to_string(l), level_name(ds, l) + words::boundary_suffix});
        out.push_back(std::move(lv));
    }
    const auto slots = facility_slots(ds, headline_kind_name);
    const auto names = kind_names(ds);
    std::map<std::string, int> count;
    for (const auto& f : ds.facilities) ++count[f.kind];
    std::vector<std::pair<std::string, int>> kinds(count.begin(), count.end());
    std::stable_sort(kinds.begin(), kinds.end(), [&](const auto& a, const auto& b) { return slots.at(a.first) < slots.at(b.first); });
    if (!kinds.empty()) {
        LegendTable fac{words::facilities, {}};
        for (const auto& [kind, n] : kinds) {
            const auto it = names.find(kind);
            fac.lines.push_back({"kind:" + kind, (it == names.end() ? kind : it->second) + "（" + std::to_string(n) + " 处）"});
        }
        out.push_back(std::move(fac));
    }
    return out;
}

const std::vector<StatusColour>& status_palette() {
    static const std::vector<StatusColour> p = {
        {HouseholdStatus::resident, "#2f6db5", "#ffffff", "（自住）"},
        {HouseholdStatus::rented, "#f0a020", "#1e1e1e", "（出租）"},
        {HouseholdStatus::vacant, "#d9d9d9", "#1e1e1e", "（无人居住）"},
        {HouseholdStatus::business, "#2e9e5b", "#ffffff", "（商铺）"},
        {HouseholdStatus::unknown, "#ffffff", "#1e1e1e", "（待核实）"},
    };
    return p;
}

}  // namespace gridatlas::render
