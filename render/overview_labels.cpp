// Label placement for printed overviews (overview_labels.hpp): a greedy placement in map metres, communities first,
// then the finest grids the larger first, each trying its full label, shorter and smaller ones, then its name beside
// the polygon on a short leader, then a code inside, then a code beside the polygon on a leader line. Candidates inside a polygon are the points of a lattice over it,
// the farthest from its boundary first; a name must lie wholly inside its polygon, clear of every placed label and of
// the headline kind's markers, and inside the frame; no label covers more than half of its own polygon, and finest grids
// too small for their code are obstacles for every label (their code goes beside them on a leader).
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

struct Coded {
    std::size_t grid;
    geo::Point at;          // where the code is drawn
    std::optional<geo::Point> anchor;   // the leader's start inside the polygon
    double size;
};

// The polygon a label is for, as the page shows it. A label may cover at most half of it (kMaxCover): a name or code
// over a small grid must not hide the grid it names.
constexpr double kMaxCover = 0.5;

struct Target {
    std::size_t grid;
    geo::MultiPolygon area;   // the visible part
    double area_m2;
    geo::Box envelope;
    std::vector<geo::LineString> edges;
    std::vector<Candidate> cands;
};

Target target_of(const Dataset& ds, std::size_t i, const geo::Box& view) {
    Target t{i, visible_part(ds.grids[i].area, view), 0, {}, {}, {}};
    if (t.area.empty()) return t;
    t.area_m2 = std::abs(bg::area(t.area));
    bg::envelope(t.area, t.envelope);
    t.edges = boundary_lines(t.area);
    t.cands = candidates(t.area, t.edges);
    return t;
}

double box_area(const geo::Box& b) {
    return (b.max_corner().x() - b.min_corner().x()) * (b.max_corner().y() - b.min_corner().y());
}

// Whether `b` covers more than kMaxCover of the target's visible area.
bool hides(const geo::Box& b, const Target& t) {
    if (!bg::intersects(b, t.envelope) || box_area(b) <= kMaxCover * t.area_m2) return false;
    try {
        geo::MultiPolygon covered;
        bg::intersection(t.area, b, covered);
        return std::abs(bg::area(covered)) > kMaxCover * t.area_m2;
    } catch (const std::exception&) {
        return bg::covered_by(t.envelope, b);   // an invalid polygon: hidden when wholly under the label
    }
}

// The first candidate where `lines` fit wholly inside the polygon and clear of everything placed (its outline stays
// visible around the label).
std::optional<geo::Box> fit_inside(const Placer& pl, const Target& t, const std::vector<Line>& lines) {
    for (const auto& c : t.cands) {
        const geo::Box b = pl.box_of(lines, c.p);
        const double half = std::min(b.max_corner().x() - b.min_corner().x(), b.max_corner().y() - b.min_corner().y()) / 2;
        if (c.depth < half) break;   // deeper candidates come first: none further on can hold it
        if (!pl.free(b)) continue;
        bool crosses = false;
        for (const auto& l : t.edges)
            if (bg::intersects(b, l)) {
                crosses = true;
                break;
            }
        if (!crosses) return b;
    }
    return std::nullopt;
}

// A label's (or code's) centre inside the polygon, at least `min_depth` from its edge, clear of everything placed,
// leaving the polygon visible.
std::optional<geo::Box> fit_code(const Placer& pl, const Target& t, const std::vector<Line>& lines, double min_depth = 0) {
    for (const auto& c : t.cands) {
        if (c.depth < min_depth) break;
        const geo::Box b = pl.box_of(lines, c.p);
        if (pl.free(b) && !hides(b, t)) return b;
    }
    return std::nullopt;
}

// A label beside the polygon: rings around `anchor`, nearer first, at most `rings` label sizes away.
std::optional<geo::Box> fit_beside(const Placer& pl, const Target& t, const geo::Point& anchor, const std::vector<Line>& lines,
                                   int rings = 24) {
    const geo::Box probe = pl.box_of(lines, anchor);
    const double unit = std::max(probe.max_corner().x() - probe.min_corner().x(), probe.max_corner().y() - probe.min_corner().y());
    for (int ring = 1; ring <= rings; ++ring)
        for (int k = 0; k < 24; ++k) {
            const double a = (k * 15 + (ring % 2) * 7.5) * M_PI / 180;
            const geo::Point c(anchor.x() + std::cos(a) * unit * ring, anchor.y() + std::sin(a) * unit * ring);
            const geo::Box b = pl.box_of(lines, c);
            // leaders are drawn under the labels, whose halos interrupt them where they pass
            if (pl.free(b) && !hides(b, t)) return b;
        }
    return std::nullopt;
}

geo::Point centre(const geo::Box& b) {
    return {(b.min_corner().x() + b.max_corner().x()) / 2, (b.min_corner().y() + b.max_corner().y()) / 2};
}

// The placement under way: the placer, the plan being filled and the codes still to number.
struct Placement {
    Placer pl;
    OverviewLabelPlan plan;
    std::vector<Coded> top_codes, fine_codes;

    void take(std::size_t grid, const geo::Box& b, bool code, bool leader) {
        pl.taken.push_back(b);
        plan.placed.push_back({grid, b, code, leader});
    }
    // A code inside the polygon at one of `sizes`, else beside it on a leader, else (crowded) over its anchor.
    void place_code(const Target& t, const std::string& probe, std::vector<Coded>& out, std::initializer_list<double> sizes) {
        for (double size : sizes)
            if (auto b = fit_code(pl, t, {{probe, size}})) {
                take(t.grid, *b, true, false);
                out.push_back({t.grid, centre(*b), std::nullopt, size});
                return;
            }
        const geo::Point anchor = t.cands.empty() ? centre(t.envelope) : t.cands.front().p;
        const double size = *std::prev(sizes.end());
        if (auto b = fit_beside(pl, t, anchor, {{probe, size}})) {
            take(t.grid, *b, true, true);
            out.push_back({t.grid, centre(*b), anchor, size});
            ++plan.leaders;
            return;
        }
        take(t.grid, pl.box_of({{probe, size}}, anchor), true, false);
        out.push_back({t.grid, anchor, std::nullopt, size});
        ++plan.crowded;
    }
};

std::string name_of(const Dataset& ds, std::size_t i) { return ds.grids[i].name.empty() ? ds.grids[i].code : ds.grids[i].name; }

// A community: its name wholly inside, else centred well inside over its own grids, else a letter code.
void place_top(Placement& P, const Dataset& ds, const Target& t) {
    const std::string name = name_of(ds, t.grid);
    auto& tops = P.plan.layers["plan-top-labels"];
    for (double size : {19.0, 15.0, 12.0})
        if (auto b = fit_inside(P.pl, t, {{name, size}})) {
            P.take(t.grid, *b, false, false);
            tops.add(centre(*b), {name, std::int64_t(size)});
            ++P.plan.top_named;
            return;
        }
    // not wholly inside (a community of narrow parts): centred well inside it, over its own grids
    for (double size : {15.0, 12.0})
        if (auto b = fit_code(P.pl, t, {{name, size}}, size * P.pl.m_per_nominal)) {
            P.take(t.grid, *b, false, false);
            tops.add(centre(*b), {name, std::int64_t(size)});
            ++P.plan.top_named;
            return;
        }
    P.place_code(t, "W", P.top_codes, {15.0, 12.0});
}

// How far (in label sizes) a name may stand from its grid on a leader before a code is used instead.
constexpr int kNameLeaderRings = 1;

struct Mode {
    const char* key;
    std::vector<Line> lines;
    std::string details;
};

// A finest grid's label variants, the fullest first: name, code and households; name and households; name; smaller.
std::vector<Mode> label_modes(const Dataset& ds, std::size_t i, const std::vector<std::int64_t>& households) {
    const std::string name = name_of(ds, i), code = ds.grids[i].code;
    const std::string hh = households.empty() ? std::string() : std::to_string(households[i]) + "户";
    std::vector<Mode> modes;
    std::string full_details = (code.empty() || code == name ? "" : "\n" + code) + (hh.empty() ? "" : "\n" + hh);
    std::vector<Line> full{{name, 14}};
    if (!code.empty() && code != name) full.push_back({code, 12});
    if (!hh.empty()) full.push_back({hh, 12});
    modes.push_back({"full", full, full_details});
    if (!hh.empty()) modes.push_back({"short", {{name, 12}, {hh, 11}}, "\n" + hh});
    modes.push_back({"name", {{name, 11}}, ""});
    modes.push_back({"small", {{name, 9}}, ""});
    return modes;
}

// A finest grid: the fullest label wholly inside, else a short one over its edge, else a number code.
void place_fine(Placement& P, const Dataset& ds, const Target& t, const std::string& probe_code,
                const std::vector<std::int64_t>& households) {
    const std::string name = name_of(ds, t.grid);
    auto& names = P.plan.layers["plan-grid-labels"];
    const std::vector<Mode> modes = label_modes(ds, t.grid, households);
    for (const auto& m : modes)
        if (auto b = fit_inside(P.pl, t, m.lines)) {
            P.take(t.grid, *b, false, false);
            names.add(centre(*b), {name, m.details, std::string(m.key)});
            ++P.plan.fine_named;
            return;
        }
    // a narrow or ragged grid: the name centred on its deepest free point, over its edge but clear of every label
    for (std::size_t k = modes.size() - 2; k < modes.size(); ++k)
        if (auto b = fit_code(P.pl, t, modes[k].lines, 0.25 * modes[k].lines.front().size * P.pl.m_per_nominal)) {
            P.take(t.grid, *b, false, false);
            names.add(centre(*b), {name, modes[k].details, std::string(modes[k].key)});
            ++P.plan.fine_named;
            return;
        }
    // a grid too small for its name: the name beside it on a short leader, else a code
    const geo::Point anchor = t.cands.empty() ? centre(t.envelope) : t.cands.front().p;
    if (auto b = fit_beside(P.pl, t, anchor, modes.back().lines, kNameLeaderRings)) {
        P.take(t.grid, *b, false, true);
        names.add(centre(*b), {name, modes.back().details, std::string(modes.back().key)});
        P.plan.layers["plan-leaders"].add(geo::LineString{anchor, centre(*b)}, {});
        ++P.plan.fine_named, ++P.plan.leaders;
        return;
    }
    P.place_code(t, probe_code, P.fine_codes, {11.0, 9.0});
}

// Codes in reading order (north to south in bands of a tenth of the map, then west to east): letters for
// communities, numbers for grids; their leaders and index lines.
void number_codes(Placement& P, const Dataset& ds, const geo::Box& view, std::vector<Coded>& list, const char* rank, bool letters) {
    auto& codes = P.plan.layers["plan-codes"];
    auto& leaders = P.plan.layers["plan-leaders"];
    const double band = (view.max_corner().y() - view.min_corner().y()) / 10;
    std::stable_sort(list.begin(), list.end(), [&](const Coded& a, const Coded& b) {
        const auto ba = std::floor((view.max_corner().y() - a.at.y()) / band);
        const auto bb = std::floor((view.max_corner().y() - b.at.y()) / band);
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
        P.plan.index.emplace_back(c, name_of(ds, list[k].grid));
    }
}

void check_label_input(const OverviewLabelInput& in) {
    if (in.dataset == nullptr) throw std::invalid_argument("plan_overview_labels: the dataset is null");
    if (!(in.map_w_pt > 0 && in.map_h_pt > 0 && in.style_scale > 0))
        throw std::invalid_argument("plan_overview_labels: the map frame has no size");
    if (!in.grid_households.empty() && in.grid_households.size() != in.dataset->grids.size())
        throw std::invalid_argument("plan_overview_labels: grid_households has " + std::to_string(in.grid_households.size()) +
                                    " entries for " + std::to_string(in.dataset->grids.size()) + " grids");
}

// What no label may cover: the headline kind's markers (15 nominal units wide), and every finest grid so small that
// even its code would hide it (a label of a neighbour or of its community must not hide it either).
void add_obstacles(Placer& pl, const Dataset& ds, const std::string& headline, const std::vector<Target>& fine,
                   const std::string& probe_code) {
    for (const auto& f : ds.facilities)
        if (f.kind == headline && bg::covered_by(f.location, pl.frame)) {
            const double r = 9 * pl.m_per_nominal;
            pl.taken.push_back({{f.location.x() - r, f.location.y() - r}, {f.location.x() + r, f.location.y() + r}});
        }
    const geo::Box code = pl.box_of({{probe_code, 9}}, geo::Point(0, 0));
    for (const auto& t : fine)
        if (!t.area.empty() && box_area(code) * kMaxCover > t.area_m2) pl.taken.push_back(t.envelope);
}

}  // namespace

OverviewLabelPlan plan_overview_labels(const OverviewLabelInput& in) {
    check_label_input(in);
    const Dataset& ds = *in.dataset;
    const double view_w = in.view.max_corner().x() - in.view.min_corner().x();
    Placement P{Placer{in, view_w / in.map_w_pt * in.style_scale, in.view, {}}, {}, {}, {}};
    P.plan.layers["plan-top-labels"].keys = {"label", "size"};
    P.plan.layers["plan-grid-labels"].keys = {"name", "details", "mode"};
    P.plan.layers["plan-codes"].keys = {"code", "rank", "size"};
    P.plan.layers["plan-leaders"].keys = {};

    const GridLevels levels(ds);
    std::vector<std::size_t> fine, top;
    for (std::size_t i = 0; i < ds.grids.size(); ++i) {
        if (bg::is_empty(ds.grids[i].area)) continue;
        if (ds.grids[i].level == levels.fine) fine.push_back(i);
        else if (ds.grids[i].level == levels.top) top.push_back(i);
    }
    std::vector<Target> fine_targets;
    for (std::size_t i : largest_first(ds, fine)) fine_targets.push_back(target_of(ds, i, in.view));
    const std::string probe_code(std::to_string(std::max<std::size_t>(fine.size(), 1)).size(), '0');
    add_obstacles(P.pl, ds, in.headline_kind, fine_targets, probe_code);
    const std::size_t obstacles = P.pl.taken.size();

    for (std::size_t i : largest_first(ds, top))
        if (const Target t = target_of(ds, i, in.view); !t.area.empty()) place_top(P, ds, t);
    for (const Target& t : fine_targets)
        if (!t.area.empty()) place_fine(P, ds, t, probe_code, in.grid_households);
    number_codes(P, ds, in.view, P.top_codes, "top", true);
    number_codes(P, ds, in.view, P.fine_codes, "fine", false);
    P.plan.boxes.assign(P.pl.taken.begin() + static_cast<std::ptrdiff_t>(obstacles), P.pl.taken.end());
    P.plan.top_coded = static_cast<int>(P.top_codes.size());
    P.plan.fine_coded = static_cast<int>(P.fine_codes.size());
    return std::move(P.plan);
}

}  // namespace gridatlas::render
