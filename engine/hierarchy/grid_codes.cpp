// Checks users' grid codes (unique per level, prefixed by the parent's code) and generates the missing ones in
// reading order without renumbering existing codes.
#include "hierarchy/grid_codes.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "geometry/geos.hpp"

namespace gridatlas::hierarchy {

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

bool extends(const std::string& code, const std::string& parent) {
    return code.size() > parent.size() && code.compare(0, parent.size(), parent) == 0;
}

std::string padded(std::size_t serial, int width) {
    std::string s = std::to_string(serial);
    if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
    return s;
}

int digits(std::size_t n) { return static_cast<int>(std::to_string(n).size()); }

class Coder {
public:
    Coder(const Dataset& ds, const GridTree& tree, const CodeOptions& options, std::vector<bool> missing)
        : ds_(ds), tree_(tree), options_(options), missing_(std::move(missing)) {}

    CodeReport run() {
        const int n = static_cast<int>(ds_.levels.size());
        report_.codes.reserve(ds_.grids.size());
        for (const Grid& g : ds_.grids) report_.codes.push_back(g.code);
        report_.generated.assign(ds_.grids.size(), false);
        report_.hierarchical.assign(n, true);
        for (int l = 0; l < n; ++l) {
            if (l > 0) consistency(l);
            duplicates(l);
        }
        for (int l = 0; l < n; ++l) generate(l);
        std::stable_sort(report_.issues.begin(), report_.issues.end(), [](const CodeIssue& a, const CodeIssue& b) {
            return std::tuple(a.level, a.grid.valid(), a.grid.value) < std::tuple(b.level, b.grid.valid(), b.grid.value);
        });
        return std::move(report_);
    }

private:
    std::string label(GridId g) const {
        const Grid& grid = ds_.grid(g);
        std::string s = ds_.levels[grid.level].name + " '" + report_.codes[g.index()] + "'";
        if (!grid.name.empty() && grid.name != grid.code) s += " (" + grid.name + ")";
        return s;
    }

    void add(CodeIssueKind kind, bool flagged, int level, GridId grid, GridId other, std::string message) {
        report_.issues.push_back({kind, flagged, level, grid, other, std::move(message)});
    }

    // A level is hierarchical when most of its coded grids with a coded parent extend the parent's code.
    void consistency(int l) {
        std::size_t total = 0, extending = 0;
        std::vector<GridId> off;
        for (GridId g : ds_.grids_of_level(l)) {
            const GridId p = tree_.parent[g.index()];
            if (missing_[g.index()] || !p.valid() || missing_[p.index()]) continue;
            ++total;
            if (extends(ds_.grid(g).code, ds_.grid(p).code)) ++extending;
            else off.push_back(g);
        }
        if (total == 0) return;   // nothing to judge by: generated codes will be hierarchical
        if (2 * extending <= total) {
            report_.hierarchical[l] = false;
            add(CodeIssueKind::flat_level, false, l, GridId{}, GridId{},
                ds_.levels[l].name + " codes do not start with their parent's code (" + std::to_string(extending) + " of " +
                    std::to_string(total) + " do): the level is taken as flatly coded and not checked against its parents");
            return;
        }
        for (GridId g : off) {
            const GridId p = tree_.parent[g.index()];
            add(CodeIssueKind::not_under_parent, true, l, g, p,
                label(g) + " does not start with the code of its parent " + label(p) + " (" + std::to_string(extending) +
                    " of " + std::to_string(total) + " " + ds_.levels[l].name + " codes of this level do)");
        }
    }

    void duplicates(int l) {
        std::unordered_map<std::string, GridId> first;
        for (GridId g : ds_.grids_of_level(l)) {
            if (missing_[g.index()]) continue;
            auto [it, fresh] = first.emplace(ds_.grid(g).code, g);
            if (!fresh)
                add(CodeIssueKind::duplicate_code, true, l, g, it->second,
                    "code '" + ds_.grid(g).code + "' is used by more than one " + ds_.levels[l].name + ": " +
                        (ds_.grid(g).origin.feature.empty() ? "" : "feature " + ds_.grid(g).origin.feature + " repeats ") +
                        (ds_.grid(it->second).origin.feature.empty() ? "an earlier grid" : "feature " + ds_.grid(it->second).origin.feature));
        }
    }

    geo::Point anchor(GridId g) {
        const Grid& grid = ds_.grid(g);
        if (grid.area.empty()) return {0, 0};
        return geo::point_on_surface(ctx_, grid.area);
    }

    // Reading order: rows of reading_band metres north→south, west→east within a row.
    void sort_reading(std::vector<GridId>& grids) {
        std::vector<std::tuple<double, double, double, std::uint32_t>> keys;
        for (GridId g : grids) {
            const geo::Point p = anchor(g);
            keys.emplace_back(std::floor(-p.y() / options_.reading_band), p.x(), -p.y(), g.value);
        }
        std::vector<std::size_t> order(grids.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
        std::vector<GridId> sorted;
        for (auto i : order) sorted.push_back(grids[i]);
        grids = std::move(sorted);
    }

    std::string top_prefix(int width, bool& found) {
        found = true;
        if (!options_.top_prefix.empty()) return options_.top_prefix;
        std::set<std::string> prefixes;
        for (GridId g : ds_.grids_of_level(0)) {
            if (missing_[g.index()]) continue;
            const std::string& c = ds_.grid(g).code;
            if (static_cast<int>(c.size()) <= width || !all_digits(c.substr(c.size() - width))) {
                found = false;
                return "";
            }
            prefixes.insert(c.substr(0, c.size() - width));
        }
        if (prefixes.size() == 1) return *prefixes.begin();
        found = false;
        return "";
    }

    void generate(int l) {
        std::map<std::uint32_t, std::vector<GridId>> groups;   // parent id (invalid value for the top) → children
        for (GridId g : ds_.grids_of_level(l)) {
            const GridId p = l == 0 ? GridId{} : tree_.parent[g.index()];
            if (l > 0 && !p.valid()) {
                if (missing_[g.index()])
                    add(CodeIssueKind::not_generated, true, l, g, GridId{},
                        ds_.levels[l].name + " '" + ds_.grid(g).code + "' has no code and lies in no " + ds_.levels[l - 1].name +
                            ": no code was generated; give it a code or draw it inside a " + ds_.levels[l - 1].name);
                continue;
            }
            groups[p.value].push_back(g);
        }
        std::set<std::string> taken;
        for (GridId g : ds_.grids_of_level(l))
            if (!missing_[g.index()]) taken.insert(ds_.grid(g).code);

        for (auto& [parent_value, siblings] : groups) {
            std::vector<GridId> todo;
            for (GridId g : siblings)
                if (missing_[g.index()]) todo.push_back(g);
            if (todo.empty()) continue;
            const GridId parent{parent_value};
            std::string base;
            int width = options_.serial_width;
            if (l == 0) {
                bool found = false;
                base = top_prefix(width, found);
                if (!found)
                    add(CodeIssueKind::no_prefix, false, l, GridId{}, GridId{},
                        ds_.levels[0].name + " codes were generated without a prefix: give the county and street codes "
                        "(e.g. --code-prefix 110101001) for codes in the unit-grid style");
            } else {
                if (missing_[parent.index()] && !report_.generated[parent.index()]) {
                    for (GridId g : todo)
                        add(CodeIssueKind::not_generated, true, l, g, parent,
                            ds_.levels[l].name + " '" + ds_.grid(g).code + "' has no code and its parent has none either: no code was generated");
                    continue;
                }
                base = report_.codes[parent.index()];
            }
            // Serials the coded siblings already use, and their width when they agree on one.
            std::set<std::size_t> used;
            std::set<std::size_t> widths;
            for (GridId g : siblings) {
                if (missing_[g.index()]) continue;
                const std::string& c = ds_.grid(g).code;
                if (!extends(c, base)) continue;
                const std::string rest = c.substr(base.size());
                if (!all_digits(rest) || rest.size() > 18) continue;
                used.insert(std::stoull(rest));
                widths.insert(rest.size());
            }
            if (widths.size() == 1) width = static_cast<int>(*widths.begin());
            sort_reading(todo);
            std::vector<std::size_t> serials;
            std::size_t next = 1;
            for (std::size_t k = 0; k < todo.size(); ++k) {
                while (used.count(next)) ++next;
                serials.push_back(next++);
            }
            const int needed = digits(serials.back());
            if (needed > width) {
                add(CodeIssueKind::widened_serial, false, l, GridId{}, parent,
                    (parent.valid() ? label(parent) + " has " : std::string("the top level has ")) + std::to_string(siblings.size()) +
                        " " + ds_.levels[l].name + ": generated serials have " + std::to_string(needed) + " digits instead of " +
                        std::to_string(width));
                width = needed;
            }
            for (std::size_t k = 0; k < todo.size(); ++k) {
                const GridId g = todo[k];
                std::size_t serial = serials[k];
                std::string code = base + padded(serial, width);
                while (taken.count(code)) code = base + padded(++serial, width);   // a flat code that looks like a serial
                taken.insert(code);
                report_.codes[g.index()] = code;
                report_.generated[g.index()] = true;
                add(CodeIssueKind::generated_code, false, l, g, parent,
                    ds_.levels[l].name + " without a code (" + (ds_.grid(g).origin.feature.empty() ? ds_.grid(g).code : "feature " + ds_.grid(g).origin.feature) +
                        ") is given '" + code + "'" + (parent.valid() ? " under " + label(parent) : std::string{}));
            }
        }
    }

    const Dataset& ds_;
    const GridTree& tree_;
    const CodeOptions& options_;
    std::vector<bool> missing_;
    geo::GeosContext ctx_;
    CodeReport report_;
};

}  // namespace

const char* to_string(CodeIssueKind kind) {
    switch (kind) {
        case CodeIssueKind::duplicate_code: return "duplicate_code";
        case CodeIssueKind::not_under_parent: return "code_not_under_parent";
        case CodeIssueKind::flat_level: return "flat_codes";
        case CodeIssueKind::generated_code: return "generated_code";
        case CodeIssueKind::not_generated: return "code_not_generated";
        case CodeIssueKind::widened_serial: return "widened_serial";
        case CodeIssueKind::no_prefix: return "no_code_prefix";
    }
    return "?";
}

std::size_t CodeReport::flagged() const {
    return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [](const CodeIssue& i) { return i.flagged; }));
}

bool is_placeholder_code(const Dataset& ds, const Grid& g) {
    if (g.level < 0 || g.level >= static_cast<int>(ds.levels.size())) return false;
    const std::string stem = ds.levels[g.level].key + "-fid";
    return g.code.size() > stem.size() && g.code.compare(0, stem.size(), stem) == 0 && all_digits(g.code.substr(stem.size()));
}

CodeReport check_codes(const Dataset& ds, const GridTree& tree, const CodeOptions& options, std::vector<bool> missing) {
    if (options.serial_width < 1 || options.serial_width > 9)
        throw std::invalid_argument("check_codes: the serial width must be 1 to 9 digits");
    if (!(options.reading_band > 0)) throw std::invalid_argument("check_codes: the reading band must be positive");
    if (tree.parent.size() != ds.grids.size()) throw std::invalid_argument("check_codes: the grid tree was built for another dataset");
    if (missing.empty()) {
        missing.resize(ds.grids.size());
        for (const Grid& g : ds.grids) missing[g.id.index()] = is_placeholder_code(ds, g) || g.code.empty();
    }
    if (missing.size() != ds.grids.size()) throw std::invalid_argument("check_codes: `missing` must have one entry per grid");
    return Coder(ds, tree, options, std::move(missing)).run();
}

}  // namespace gridatlas::hierarchy
