// Number placement for the atlas's maps (atlas_placement.hpp): greedy, in page points. Every required number, in
// the order given, on or right beside its building (centre, the eight places around the anchor, the eight just
// outside the building's marks), else on a free spot in rings around the anchor, nearer first, joined by a leader
// line that crosses no number and no other leader; then the optional numbers on their buildings where there is room;
// last, each number on its building grows its households line where that still fits. A box is free when it lies
// inside the frame and meets no obstacle, no placed number, no leader and no other building's anchor.
#include "atlas_placement.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "overview_labels.hpp"

namespace gridatlas::render {

namespace bg = boost::geometry;

namespace {

// Nominal sizes (officer.xml's atlas-numbers style, before the text scale). Keep in step with the style.
constexpr double kNumberSize = 6;      // the number alone, bold
constexpr double kFullSize = 6.5;      // the number over its households line, bold
constexpr double kDetailSize = 5.5;    // the households line, regular
constexpr double kLineSpacing = -1;    // the style's line-spacing
constexpr double kLineHeight = 1.45;   // Noto Sans CJK: ascender − descender, in ems
constexpr double kHalo = 1.1;          // the style's halo radius
constexpr double kAir = 0.4;           // around each box
constexpr double kGap = 1.2;           // between the anchor and a number beside it
constexpr double kRingStep = 4;        // leader rings: this far apart
constexpr double kLeaderReach = 64;    // and at most this far from the anchor
constexpr int kAngles = 16;
constexpr double kAnchorRadius = 1.5;  // no other number comes this near a building's anchor

struct Half {
    double w = 0, h = 0;
};

Half half_size(const std::string& name, const std::string& details, double ts) {
    const double size = details.empty() ? kNumberSize : kFullSize;
    double w = estimated_ems(name) * size, h = kLineHeight * size;
    if (!details.empty()) {
        w = std::max(w, estimated_ems(details) * kDetailSize);
        h += kLineHeight * kDetailSize + kLineSpacing;
    }
    return {(w / 2 + kHalo + kAir) * ts, (h / 2 + kHalo + kAir) * ts};
}

geo::Box box_at(const geo::Point& c, const Half& s) {
    return {{c.x() - s.w, c.y() - s.h}, {c.x() + s.w, c.y() + s.h}};
}

struct Segment {
    geo::Point a, b;
};

// Liang–Barsky: whether the segment meets the box's interior.
bool hits(const Segment& s, const geo::Box& b) {
    double t0 = 0, t1 = 1;
    const double dx = s.b.x() - s.a.x(), dy = s.b.y() - s.a.y();
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {s.a.x() - b.min_corner().x(), b.max_corner().x() - s.a.x(), s.a.y() - b.min_corner().y(),
                         b.max_corner().y() - s.a.y()};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] <= 0) return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0) t0 = std::max(t0, t);
        else t1 = std::min(t1, t);
        if (t0 >= t1) return false;
    }
    return true;
}

double cross(const geo::Point& o, const geo::Point& a, const geo::Point& b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
}

bool crosses(const Segment& s, const Segment& t) {
    const double d1 = cross(s.a, s.b, t.a), d2 = cross(s.a, s.b, t.b), d3 = cross(t.a, t.b, s.a), d4 = cross(t.a, t.b, s.b);
    return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

Segment leader_of(const PlacedNumber& n) { return {n.anchor, leader_end(n)}; }

// What is taken on the page. A number covers no other building's anchor either: it would read as that building's,
// and that building's leader could not leave it.
struct Board {
    double w = 0, h = 0, anchor_r = 1;
    std::vector<geo::Box> obstacles;
    std::vector<std::pair<geo::Point, std::size_t>> anchors;   // every site's anchor and number
    std::vector<PlacedNumber> placed;

    bool inside(const geo::Box& b) const {
        return b.min_corner().x() >= 0.5 && b.min_corner().y() >= 0.5 && b.max_corner().x() <= w - 0.5 && b.max_corner().y() <= h - 0.5;
    }
    bool covers_anchor(const geo::Box& b, std::size_t number) const {
        for (const auto& [p, n] : anchors)
            if (n != number && boxes_overlap(b, box_at(p, {anchor_r, anchor_r}))) return true;
        return false;
    }
    // Whether number `number` fits in `b` (with its leader, if any), free of everything but placed[self].
    bool fits(const geo::Box& b, const std::optional<Segment>& leader, std::size_t number, std::size_t self = SIZE_MAX) const {
        if (!inside(b) || covers_anchor(b, number)) return false;
        for (const auto& o : obstacles)
            if (boxes_overlap(b, o)) return false;
        for (std::size_t j = 0; j < placed.size(); ++j) {
            if (j == self) continue;
            const PlacedNumber& q = placed[j];
            if (boxes_overlap(b, q.box)) return false;
            if (q.leader && hits(leader_of(q), b)) return false;
            if (leader && (hits(*leader, q.box) || (q.leader && crosses(*leader, leader_of(q))))) return false;
        }
        return true;
    }
};

// On the building: the centre, then the eight places touching the anchor, then the eight just outside its marks.
std::optional<geo::Box> place_on(const Board& board, const NumberSite& site, const geo::Point& a, const Half& s, double ts,
                                 std::size_t self = SIZE_MAX) {
    const double g = kGap * ts, dx = s.w + g, dy = s.h + g;
    const double l = site.marks.min_corner().x() * ts - dx, r = site.marks.max_corner().x() * ts + dx;
    const double t = site.marks.min_corner().y() * ts - dy, b = site.marks.max_corner().y() * ts + dy;
    const double offsets[17][2] = {{0, 0}, {0, -dy}, {dx, 0}, {-dx, 0}, {0, dy}, {dx, -dy}, {-dx, -dy}, {dx, dy}, {-dx, dy},
                                   {0, t},  {r, 0},   {l, 0},   {0, b},  {r, t},   {l, t},    {r, b},   {l, b}};
    for (const auto& o : offsets) {
        const geo::Box box = box_at({a.x() + o[0], a.y() + o[1]}, s);
        if (board.fits(box, std::nullopt, site.number, self)) return box;
    }
    return std::nullopt;
}

// Beside the building on a leader: rings around the anchor, nearer first.
std::optional<geo::Box> place_beside(const Board& board, std::size_t number, const geo::Point& a, const Half& s, double ts) {
    for (double r = kRingStep * ts; r <= kLeaderReach * ts; r += kRingStep * ts)
        for (int k = 0; k < kAngles; ++k) {
            const double t = 2 * M_PI * ((k % 2 ? kAngles / 2 : 0) + k / 2) / kAngles;   // opposite sides in turn
            const geo::Point c(a.x() + std::cos(t) * (s.w + r), a.y() - std::sin(t) * (s.h + r));
            const geo::Box b = box_at(c, s);
            const PlacedNumber probe{number, b, a, "", true};
            if (board.fits(b, leader_of(probe), number)) return b;
        }
    return std::nullopt;
}

std::string name_of(std::size_t number) { return std::to_string(number) + "号楼"; }

// One pass over the sites of one kind (required or not), in their order: each on its building, else (a required one)
// beside it on a leader, at once, before the numbers after it close the way out. Optional numbers draw no leaders:
// they would only crowd the map for numbers another map carries.
void place_pass(Board& board, const NumberPlacementInput& in, std::vector<bool>& done, bool required) {
    const double ts = in.frame.ts;
    for (std::size_t i = 0; i < in.sites.size(); ++i) {
        const NumberSite& site = in.sites[i];
        if (done[i] || site.required != required) continue;
        const geo::Point a = in.frame.to_page(site.anchor);
        const Half s = half_size(name_of(site.number), "", ts);
        bool leader = false;
        auto b = place_on(board, site, a, s, ts);
        if (!b && required) b = place_beside(board, site.number, a, s, ts), leader = true;
        if (!b) continue;
        board.placed.push_back({site.number, *b, a, "", leader});
        done[i] = true;
    }
}

// Numbers on their buildings take their households line where it fits.
void add_details(Board& board, const NumberPlacementInput& in) {
    for (std::size_t j = 0; j < board.placed.size(); ++j) {
        PlacedNumber& n = board.placed[j];
        const auto site = std::find_if(in.sites.begin(), in.sites.end(), [&](const NumberSite& s) { return s.number == n.number; });
        if (n.leader || site == in.sites.end() || site->details.empty()) continue;
        const Half s = half_size(name_of(n.number), site->details, in.frame.ts);
        if (const auto b = place_on(board, *site, n.anchor, s, in.frame.ts, j)) {
            n.box = *b;
            n.details = site->details;
        }
    }
}

}  // namespace

geo::Point MapFrame::to_page(const geo::Point& p) const {
    const double sx = width / (view.max_corner().x() - view.min_corner().x());
    const double sy = height / (view.max_corner().y() - view.min_corner().y());
    return {(p.x() - view.min_corner().x()) * sx, (view.max_corner().y() - p.y()) * sy};
}

geo::Point MapFrame::to_map(const geo::Point& p) const {
    const double sx = (view.max_corner().x() - view.min_corner().x()) / width;
    const double sy = (view.max_corner().y() - view.min_corner().y()) / height;
    return {view.min_corner().x() + p.x() * sx, view.max_corner().y() - p.y() * sy};
}

bool boxes_overlap(const geo::Box& a, const geo::Box& b) {
    return a.min_corner().x() < b.max_corner().x() && b.min_corner().x() < a.max_corner().x() &&
           a.min_corner().y() < b.max_corner().y() && b.min_corner().y() < a.max_corner().y();
}

geo::Point leader_end(const PlacedNumber& n) {
    return {std::clamp(n.anchor.x(), n.box.min_corner().x(), n.box.max_corner().x()),
            std::clamp(n.anchor.y(), n.box.min_corner().y(), n.box.max_corner().y())};
}

NumberPlacement place_numbers(const NumberPlacementInput& in) {
    const geo::Box& v = in.frame.view;
    if (!(in.frame.width > 0 && in.frame.height > 0 && in.frame.ts > 0) || !(v.max_corner().x() > v.min_corner().x()) ||
        !(v.max_corner().y() > v.min_corner().y()))
        throw std::invalid_argument("place_numbers: the map frame has no size");
    Board board{in.frame.width, in.frame.height, kAnchorRadius * in.frame.ts, in.obstacles, {}, {}};
    for (const auto& site : in.sites) board.anchors.emplace_back(in.frame.to_page(site.anchor), site.number);
    std::vector<bool> done(in.sites.size(), false);
    for (bool required : {true, false}) place_pass(board, in, done, required);
    add_details(board, in);
    NumberPlacement out;
    out.placed = std::move(board.placed);
    for (std::size_t i = 0; i < in.sites.size(); ++i)
        if (!done[i] && in.sites[i].required) out.missing.push_back(in.sites[i].number);
    return out;
}

std::vector<geo::Box> building_marks(const MapData& d, BuildingId b) {
    // officer.xml: star 10 wide at the anchor; badge 11 at (6.5, -5.5); key-group mark 12 at (-6.5, -5.5); status
    // cells 11 × 8 at dy 10.5, dx by status (resident, rented, vacant, business, unknown)
    constexpr double cell_dx[status_count] = {-16.5, -5.5, 5.5, 16.5, 27.5};
    std::vector<geo::Box> out;
    if (b.index() >= d.buildings.size()) return out;
    const auto add = [&](double dx, double dy, double hw, double hh) { out.push_back(box_at({dx, dy}, {hw, hh})); };
    const BuildingFacts& f = d.buildings[b.index()];
    if (!f.central_places.empty()) add(0, 0, 5, 5);
    if (f.party_households > 0) add(6.5, -5.5, 5.5, 5.5);
    if (d.key_groups && f.key_group_households > 0) add(-6.5, -5.5, 6, 6);
    if (d.household_status)
        for (std::size_t i = 0; i < status_count; ++i)
            if (f.status[i] > 0) add(cell_dx[i], 10.5, 5.5, 4);
    return out;
}

geo::Box marks_extent(const MapData& d, BuildingId b) {
    geo::Box e{{0, 0}, {0, 0}};
    for (const auto& m : building_marks(d, b)) bg::expand(e, m);
    return e;
}

std::vector<geo::Box> mark_boxes(const MapData& d, const std::vector<BuildingId>& buildings, const MapFrame& frame) {
    std::vector<geo::Box> out;
    const double ts = frame.ts;
    for (BuildingId b : buildings) {
        const geo::Point a = frame.to_page(d.dataset->building(b).anchor);
        if (a.x() < -40 * ts || a.y() < -40 * ts || a.x() > frame.width + 40 * ts || a.y() > frame.height + 40 * ts) continue;
        for (const auto& m : building_marks(d, b))
            out.push_back({{a.x() + m.min_corner().x() * ts, a.y() + m.min_corner().y() * ts},
                           {a.x() + m.max_corner().x() * ts, a.y() + m.max_corner().y() * ts}});
    }
    return out;
}

void add_number_layers(Scene& scene, const NumberPlacement& p, const MapFrame& frame) {
    auto& numbers = scene["atlas-numbers"];
    auto& leaders = scene["atlas-leaders"];
    numbers.keys = {"name", "details"};
    for (const PlacedNumber& n : p.placed) {
        const geo::Point c((n.box.min_corner().x() + n.box.max_corner().x()) / 2, (n.box.min_corner().y() + n.box.max_corner().y()) / 2);
        numbers.add(frame.to_map(c), {name_of(n.number), n.details.empty() ? std::string() : "\n" + n.details});
        if (n.leader) leaders.add(geo::LineString{frame.to_map(n.anchor), frame.to_map(leader_end(n))}, {});
    }
}

double box_gap(const geo::Box& a, const geo::Box& b) {
    return std::max({a.min_corner().x() - b.max_corner().x(), b.min_corner().x() - a.max_corner().x(),
                     a.min_corner().y() - b.max_corner().y(), b.min_corner().y() - a.max_corner().y()});
}

namespace {

constexpr double kUnitSize = 4.8;      // officer.xml unit-labels: size, halo radius and offset from the dot
constexpr double kUnitHalo = 0.8;
constexpr double kUnitOffset = 2.2;

// Whether a unit's digit may go in `b`: inside the frame, clear of numbers and leaders by the clearance, of marks and of
// the digits placed before it.
bool unit_fits(const geo::Box& b, const NumberPlacement& numbers, const std::vector<geo::Box>& obstacles,
               const std::vector<PlacedUnit>& placed, const MapFrame& frame) {
    const double ts = frame.ts, clear = kUnitClearance * ts, halo = kUnitHalo * ts;
    if (b.min_corner().x() < halo || b.min_corner().y() < halo || b.max_corner().x() > frame.width - halo ||
        b.max_corner().y() > frame.height - halo)
        return false;
    const geo::Box wide{{b.min_corner().x() - clear, b.min_corner().y() - clear}, {b.max_corner().x() + clear, b.max_corner().y() + clear}};
    for (const auto& n : numbers.placed)
        if (boxes_overlap(wide, n.box) || (n.leader && hits({n.anchor, leader_end(n)}, wide))) return false;
    for (const auto& o : obstacles)
        if (boxes_overlap(b, o)) return false;
    for (const auto& u : placed)
        if (box_gap(b, u.box) < 2 * halo) return false;
    return true;
}

}  // namespace

std::vector<PlacedUnit> place_unit_labels(const std::vector<UnitSite>& units, const NumberPlacement& numbers,
                                          const std::vector<geo::Box>& obstacles, const MapFrame& frame) {
    std::vector<PlacedUnit> out;
    const double ts = frame.ts;
    const double metres_per_pt = (frame.view.max_corner().x() - frame.view.min_corner().x()) / frame.width;
    if (metres_per_pt / 0.00028 * ts > kUnitLabelMaxScale) return out;   // Mapnik's scale denominator, as the style's
    const double h = kLineHeight * kUnitSize * ts, d = kUnitOffset * ts;
    for (const auto& u : units) {
        const geo::Point p = frame.to_page(u.at);
        const double w = estimated_ems(u.label) * kUnitSize * ts;
        // the style's four corners, then east and west, north and south, then the same twice as far from the dot
        const double centres[8][2] = {{1, -1}, {1, 1}, {-1, -1}, {-1, 1}, {1, 0}, {-1, 0}, {0, -1}, {0, 1}};
        bool done = false;
        for (int k = 0; k < 16 && !done; ++k) {
            const double* c = centres[k % 8];
            const double far = k < 8 ? 1 : 2;
            const geo::Point m(p.x() + c[0] * (far * d + w / 2), p.y() + c[1] * (far * d + h / 2));
            const geo::Box b{{m.x() - w / 2, m.y() - h / 2}, {m.x() + w / 2, m.y() + h / 2}};
            if (!unit_fits(b, numbers, obstacles, out, frame)) continue;
            out.push_back({b, u.label});
            done = true;
        }
    }
    return out;
}

void add_unit_label_layer(Scene& scene, const std::vector<PlacedUnit>& units, const MapFrame& frame) {
    auto& layer = scene["atlas-unit-labels"];
    layer.keys = {"label"};
    for (const auto& u : units)
        layer.add(frame.to_map({(u.box.min_corner().x() + u.box.max_corner().x()) / 2, (u.box.min_corner().y() + u.box.max_corner().y()) / 2}),
                  {u.label});
}

}  // namespace gridatlas::render
