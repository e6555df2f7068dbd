// Label placement for printed overviews (overview_labels.hpp): a greedy placement in map metres, communities first,
// then the finest grids the larger first, each trying its full label, shorter and smaller ones, then a code inside,
// then a code beside the polygon on a leader line. Candidates inside a polygon are the points of a lattice over it,
// the farthest from its boundary first; a name must lie wholly inside its polygon, clear of every placed label and of
// the headline kind's markers, and inside the frame.
#include "overview_labels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "map_content.hpp"
#include "model/text.hpp"

namespace gridatlas::render {

namespace bg = boost::geometry;

double estimated_ems(const std::string& text) {
    double ems = 0;
    for (char32_t cp : text::decode_utf8(text)) ems += text::display_width(cp) >= 2 ? 1.0 : 0.6;
    return ems;
}

namespace {

// Nominal sizes (overview.xml's, before style_scale). Keep in step with the plan-* styles there.
constexpr double kLineHeight = 1.45;   // Noto Sans CJK: ascender − descender, in ems
constexpr double kHalo = 2;            // halo radius of every plan-* label

struct Line {
    std::string text;
    double size;
};

struct Candidate {
    geo::Point p;
    double depth;   // distance to the polygon's boundary
};

struct Placer {
    const OverviewLabelInput& in;
    double m_per_nominal;   // metres per nominal style unit
    geo::Box frame;
    std::vector<geo::Box> taken;

    // The box of `lines` centred on c, with its halo and a little air.
    geo::Box box_of(const std::vector<Line>& lines, const geo::Point& c) const {
        double w = 0, h = 0;
        for (const auto& l : lines) {
            w = std::max(w, estimated_ems(l.text) * l.size);
            h += kLineHeight * l.size;
        }
        w = (w + 2 * kHalo + 2) * m_per_nominal / 2, h = (h + 2 * kHalo) * m_per_nominal / 2;
        return {{c.x() - w, c.y() - h}, {c.x() + w, c.y() + h}};
    }
    bool free(const geo::Box& b) const {
        if (!bg::covered_by(b, frame)) return false;
        for (const auto& t : taken)
            if (bg::intersects(b, t)) return false;
        return true;
    }
};

// The part of `area` inside the frame.
geo::MultiPolygon visible_part(const geo::MultiPolygon& area, const geo::Box& frame) {
    geo::Box e;
    bg::envelope(area, e);
    if (bg::covered_by(e, frame)) return area;
    geo::MultiPolygon out;
    try {
        bg::intersection(area, frame, out);
    } catch (const std::exception&) {
        return area;   // an invalid polygon: label it unclipped rather than not at all
    }
    return out;
}

// Lattice points inside `area`, the deepest first.
std::vector<Candidate> candidates(const geo::MultiPolygon& area, const std::vector<geo::LineString>& edges) {
    std::vector<Candidate> out;
    geo::Box e;
    bg::envelope(area, e);
    const double w = e.max_corner().x() - e.min_corner().x(), h = e.max_corner().y() - e.min_corner().y();
    const double step = std::max(w, h) / 28;
    if (!(step > 0)) return out;
    for (double y = e.min_corner().y() + step / 2; y < e.max_corner().y(); y += step)
        for (double x = e.min_corner().x() + step / 2; x < e.max_corner().x(); x += step) {
            const geo::Point p(x, y);
            if (!bg::within(p, area)) continue;
            double d = std::numeric_limits<double>::infinity();
            for (const auto& l : edges) d = std::min(d, bg::distance(p, l));
            out.push_back({p, d});
        }
    std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.depth > b.depth; });
    return out;
}

// The first candidate where `lines` fit wholly inside the polygon and clear of everything placed.
std::optional<geo::Box> fit_inside(const Placer& pl, const std::vector<Candidate>& cands,
                                   const std::vector<geo::LineString>& edges, const std::vector<Line>& lines) {
    for (const auto& c : cands) {
        const geo::Box b = pl.box_of(lines, c.p);
        const double half = std::min(b.max_corner().x() - b.min_corner().x(), b.max_corner().y() - b.min_corner().y()) / 2;
        if (c.depth < half) break;   // deeper candidates come first: none further on can hold it
        if (!pl.free(b)) continue;
        bool crosses = false;
        for (const auto& l : edges)
            if (bg::intersects(b, l)) {
                crosses = true;
                break;
            }
        if (!crosses) return b;
    }
    return std::nullopt;
}

// A label's (or code's) centre inside the polygon, at least `min_depth` from its edge, clear of everything placed.
std::optional<geo::Box> fit_code(const Placer& pl, const std::vector<Candidate>& cands, const std::vector<Line>& lines,
                                 double min_depth = 0) {
    for (const auto& c : cands) {
        if (c.depth < min_depth) break;
        const geo::Box b = pl.box_of(lines, c.p);
        if (pl.free(b)) return b;
    }
    return std::nullopt;
}

// A code beside the polygon: rings around `anchor`, nearer first.
std::optional<geo::Box> fit_beside(const Placer& pl, const geo::Point& anchor, const std::vector<Line>& lines) {
    const geo::Box probe = pl.box_of(lines, anchor);
    const double unit = std::max(probe.max_corner().x() - probe.min_corner().x(), probe.max_corner().y() - probe.min_corner().y());
    for (int ring = 1; ring <= 24; ++ring)
        for (int k = 0; k < 24; ++k) {
            const double a = (k * 15 + (ring % 2) * 7.5) * M_PI / 180;
            const geo::Point c(anchor.x() + std::cos(a) * unit * ring, anchor.y() + std::sin(a) * unit * ring);
            const geo::Box b = pl.box_of(lines, c);
            // leaders are drawn under the labels, whose halos interrupt them where they pass
            if (pl.free(b)) return b;
        }
    return std::nullopt;
}

geo::Point centre(const geo::Box& b) {
    return {(b.min_corner().x() + b.max_corner().x()) / 2, (b.min_corner().y() + b.max_corner().y()) / 2};
}

struct Coded {
    std::size_t grid;
    geo::Point at;          // where the code is drawn
    std::optional<geo::Point> anchor;   // the leader's start inside the polygon
    double size;
};

}  // namespace

OverviewLabelPlan plan_overview_labels(const OverviewLabelInput& in) {
    if (in.dataset == nullptr) throw std::invalid_argument("plan_overview_labels: the dataset is null");
    const Dataset& ds = *in.dataset;
    if (!(in.map_w_pt > 0 && in.map_h_pt > 0 && in.style_scale > 0))
        throw std::invalid_argument("plan_overview_labels: the map frame has no size");
    if (!in.grid_households.empty() && in.grid_households.size() != ds.grids.size())
        throw std::invalid_argument("plan_overview_labels: grid_households has " + std::to_string(in.grid_households.size()) +
                                    " entries for " + std::to_string(ds.grids.size()) + " grids");
    const double view_w = in.view.max_corner().x() - in.view.min_corner().x();
    Placer pl{in, view_w / in.map_w_pt * in.style_scale, in.view, {}};

    OverviewLabelPlan plan;
    auto& tops = plan.layers["plan-top-labels"];
    tops.keys = {"label", "size"};
    auto& names = plan.layers["plan-grid-labels"];
    names.keys = {"name", "details", "mode"};
    auto& codes = plan.layers["plan-codes"];
    codes.keys = {"code", "rank", "size"};
    auto& leaders = plan.layers["plan-leaders"];
    leaders.keys = {};

    // the headline kind's markers (15 nominal units wide) stay visible
    for (const auto& f : ds.facilities)
        if (f.kind == in.headline_kind && bg::covered_by(f.location, in.view)) {
            const double r = 9 * pl.m_per_nominal;
            pl.taken.push_back({{f.location.x() - r, f.location.y() - r}, {f.location.x() + r, f.location.y() + r}});
        }

    const std::size_t obstacles = pl.taken.size();
    const GridLevels levels(ds);
    std::vector<std::size_t> fine, top;
    for (std::size_t i = 0; i < ds.grids.size(); ++i) {
        if (bg::is_empty(ds.grids[i].area)) continue;
        if (ds.grids[i].level == levels.fine) fine.push_back(i);
        else if (ds.grids[i].level == levels.top) top.push_back(i);
    }
    auto name_of = [&](std::size_t i) { return ds.grids[i].name.empty() ? ds.grids[i].code : ds.grids[i].name; };

    std::vector<Coded> top_codes, fine_codes;
    auto place_code = [&](std::size_t i, const std::vector<Candidate>& cands, const std::string& probe,
                          std::vector<Coded>& out, std::initializer_list<double> sizes) -> void {
        for (double size : sizes)
            if (auto b = fit_code(pl, cands, {{probe, size}})) {
                pl.taken.push_back(*b);
                out.push_back({i, centre(*b), std::nullopt, size});
                return;
            }
        const geo::Point anchor = cands.empty() ? centre(pl.frame) : cands.front().p;
        const double size = *std::prev(sizes.end());
        if (auto b = fit_beside(pl, anchor, {{probe, size}})) {
            pl.taken.push_back(*b);
            out.push_back({i, centre(*b), anchor, size});
            ++plan.leaders;
            return;
        }
        pl.taken.push_back(pl.box_of({{probe, size}}, anchor));
        out.push_back({i, anchor, std::nullopt, size});
        ++plan.crowded;
    };

    for (std::size_t i : largest_first(ds, top)) {
        const geo::MultiPolygon area = visible_part(ds.grids[i].area, in.view);
        if (area.empty()) continue;
        const auto edges = boundary_lines(area);
        const auto cands = candidates(area, edges);
        bool named = false;
        for (double size : {19.0, 15.0, 12.0})
            if (auto b = fit_inside(pl, cands, edges, {{name_of(i), size}})) {
                pl.taken.push_back(*b);
                tops.add(centre(*b), {name_of(i), std::int64_t(size)});
                named = true;
                break;
            }
        // not wholly inside (a community of narrow parts): centred well inside it, over its own grids
        for (double size : {15.0, 12.0}) {
            if (named) break;
            if (auto b = fit_code(pl, cands, {{name_of(i), size}}, size * pl.m_per_nominal)) {
                pl.taken.push_back(*b);
                tops.add(centre(*b), {name_of(i), std::int64_t(size)});
                named = true;
            }
        }
        if (named) ++plan.top_named;
        else place_code(i, cands, "W", top_codes, {15.0, 12.0});
    }

    const std::string probe_code(std::to_string(std::max<std::size_t>(fine.size(), 1)).size(), '0');
    for (std::size_t i : largest_first(ds, fine)) {
        const geo::MultiPolygon area = visible_part(ds.grids[i].area, in.view);
        if (area.empty()) continue;
        const auto edges = boundary_lines(area);
        const auto cands = candidates(area, edges);
        const std::string name = name_of(i), code = ds.grids[i].code;
        const std::string hh = in.grid_households.empty() ? std::string() : std::to_string(in.grid_households[i]) + "户";
        struct Mode {
            const char* key;
            std::vector<Line> lines;
            std::string details;
        };
        std::vector<Mode> modes;
        std::string full_details = (code.empty() || code == name ? "" : "\n" + code) + (hh.empty() ? "" : "\n" + hh);
        std::vector<Line> full{{name, 14}};
        if (!code.empty() && code != name) full.push_back({code, 12});
        if (!hh.empty()) full.push_back({hh, 12});
        modes.push_back({"full", full, full_details});
        if (!hh.empty()) modes.push_back({"short", {{name, 12}, {hh, 11}}, "\n" + hh});
        modes.push_back({"name", {{name, 11}}, ""});
        modes.push_back({"small", {{name, 9}}, ""});
        bool named = false;
        for (const auto& m : modes)
            if (auto b = fit_inside(pl, cands, edges, m.lines)) {
                pl.taken.push_back(*b);
                names.add(centre(*b), {name, m.details, std::string(m.key)});
                named = true;
                break;
            }
        // a narrow or ragged grid: the name centred on its deepest free point, over its edge but clear of every label
        for (std::size_t k = modes.size() - 2; !named && k < modes.size(); ++k)
            if (auto b = fit_code(pl, cands, modes[k].lines, 0.25 * modes[k].lines.front().size * pl.m_per_nominal)) {
                pl.taken.push_back(*b);
                names.add(centre(*b), {name, modes[k].details, std::string(modes[k].key)});
                named = true;
            }
        if (named) ++plan.fine_named;
        else place_code(i, cands, probe_code, fine_codes, {11.0, 9.0});
    }

    // codes in reading order (north to south in bands of a tenth of the map, then west to east)
    auto number = [&](std::vector<Coded>& list, const char* rank, bool letters) {
        const double band = (in.view.max_corner().y() - in.view.min_corner().y()) / 10;
        std::stable_sort(list.begin(), list.end(), [&](const Coded& a, const Coded& b) {
            const auto ba = std::floor((in.view.max_corner().y() - a.at.y()) / band);
            const auto bb = std::floor((in.view.max_corner().y() - b.at.y()) / band);
            return ba != bb ? ba < bb : a.at.x() < b.at.x();
        });
        for (std::size_t k = 0; k < list.size(); ++k) {
            std::string c;
            if (letters) {
                for (std::size_t n = k + 1; n > 0; n = (n - 1) / 26) c.insert(c.begin(), char('A' + (n - 1) % 26));
            } else {
                c = std::to_string(k + 1);
            }
            codes.add(list[k].at, {c, std::string(rank), std::int64_t(list[k].size)});
            if (list[k].anchor) leaders.add(geo::LineString{*list[k].anchor, list[k].at}, {});
            plan.index.emplace_back(c, name_of(list[k].grid));
        }
    };
    number(top_codes, "top", true);
    number(fine_codes, "fine", false);
    plan.boxes.assign(pl.taken.begin() + static_cast<std::ptrdiff_t>(obstacles), pl.taken.end());
    plan.top_coded = static_cast<int>(top_codes.size());
    plan.fine_coded = static_cast<int>(fine_codes.size());
    return plan;
}

}  // namespace gridatlas::render
