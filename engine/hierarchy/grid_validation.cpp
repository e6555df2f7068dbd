// Validates a grid hierarchy: sibling overlaps, gaps, spills, orphans, empty grids, and buildings straddling grids or
// in none, each finding with its piece of geometry and a readable message.
#include "hierarchy/grid_validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <iterator>
#include <stdexcept>
#include <tuple>

#include <boost/geometry/index/rtree.hpp>

#include "geometry/geos.hpp"

namespace gridatlas::hierarchy {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using geo::GeosContext;
using geo::GeosGeom;
using BoxEntry = std::pair<geo::Box, std::size_t>;
using BoxIndex = bgi::rtree<BoxEntry, bgi::quadratic<16>>;

// The grids of one level as GEOS geometries, prepared, with an R-tree over their envelopes.
struct LevelGeoms {
    std::vector<GridId> grids;
    std::vector<GeosGeom> geoms;
    std::vector<geo::GeosPrepared> prepared;
    std::vector<geo::Box> boxes;
    BoxIndex index;

    std::vector<std::size_t> candidates(const geo::Box& box) const {
        std::vector<BoxEntry> hits;
        index.query(bgi::intersects(box), std::back_inserter(hits));
        std::vector<std::size_t> out;
        out.reserve(hits.size());
        for (const auto& h : hits) out.push_back(h.second);
        std::sort(out.begin(), out.end());
        return out;
    }
};

LevelGeoms index_level(GeosContext& ctx, const Dataset& ds, int level) {
    LevelGeoms lg;
    lg.grids = ds.grids_of_level(level);
    std::vector<BoxEntry> entries;
    for (std::size_t i = 0; i < lg.grids.size(); ++i) {
        const Grid& g = ds.grid(lg.grids[i]);
        lg.geoms.push_back(geo::to_geos(ctx, g.area));
        lg.prepared.push_back(geo::prepare(ctx, lg.geoms.back().get()));
        lg.boxes.push_back(bg::return_envelope<geo::Box>(g.area));
        if (!g.area.empty()) entries.emplace_back(lg.boxes.back(), i);
    }
    lg.index = BoxIndex(entries.begin(), entries.end());
    return lg;
}

bool prepared_test(GeosContext& ctx, char result, const char* what) {
    ctx.check(result != 2, what);
    return result == 1;
}

double geos_area(GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0;
    ctx.check(GEOSArea_r(ctx.handle(), g, &a) == 1, "GEOSArea");
    return a;
}

double intersection_area(GeosContext& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
    auto inter = geo::own(ctx, GEOSIntersection_r(ctx.handle(), a, b), "GEOSIntersection");
    return geos_area(ctx, inter.get());
}

GeosGeom collection(GeosContext& ctx, std::vector<GeosGeom> parts) {
    return geo::collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));
}

// The polygons of a GEOS result, each as its own MultiPolygon, without empty or zero-area ones.
std::vector<geo::MultiPolygon> pieces(GeosContext& ctx, const GEOSGeometry* g) {
    std::vector<geo::MultiPolygon> out;
    for (auto& poly : geo::to_multipolygon(ctx, g))
        if (bg::area(poly) > 0) out.push_back(geo::MultiPolygon{std::move(poly)});
    return out;
}

std::string area_text(double a) {
    char buf[48];
    if (a >= 100) std::snprintf(buf, sizeof buf, "%.0f m²", a);
    else if (a >= 0.01) std::snprintf(buf, sizeof buf, "%.2f m²", a);
    else std::snprintf(buf, sizeof buf, "%.2g m²", a);
    return buf;
}

std::string percent(double share) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", share * 100);
    return buf;
}

std::string households_text(double h) {
    const long n = std::lround(h);
    return std::to_string(n) + (n == 1 ? " household" : " households");
}

class Validator {
public:
    Validator(const Dataset& ds, const GridTree& tree, const std::vector<double>& households, const ValidationOptions& options)
        : ds_(ds), tree_(tree), households_(households), options_(options) {
        for (int l = 0; l < static_cast<int>(ds.levels.size()); ++l) levels_.push_back(index_level(ctx_, ds, l));
    }

    ValidationReport run() {
        const int n = static_cast<int>(ds_.levels.size());
        for (int l = 0; l < n; ++l) overlaps(l);
        for (int l = 0; l + 1 < n; ++l) gaps(l);
        for (int l = 1; l < n; ++l) spills_and_orphans(l);
        empty_grids();
        if (n > 0) buildings(n - 1);
        // Buildings in no grid: the most households first; everything else: the largest area first.
        auto weight = [](const GridIssue& i) { return i.kind == GridIssueKind::building_outside_grids ? i.households : 0.0; };
        std::sort(issues_.begin(), issues_.end(), [&](const GridIssue& a, const GridIssue& b) {
            return std::tuple(static_cast<int>(a.kind), a.level, !a.flagged, -weight(a), -a.area_m2, a.grid.value, a.other.value, a.building.value) <
                   std::tuple(static_cast<int>(b.kind), b.level, !b.flagged, -weight(b), -b.area_m2, b.grid.value, b.other.value, b.building.value);
        });
        return {std::move(issues_)};
    }

private:
    std::string label(GridId g) const {
        const Grid& grid = ds_.grid(g);
        std::string s = ds_.levels[grid.level].name + " '" + grid.code + "'";
        if (!grid.name.empty() && grid.name != grid.code) s += " (" + grid.name + ")";
        return s;
    }
    const std::string& level_name(int l) const { return ds_.levels[l].name; }

    GridIssue make(GridIssueKind kind, int level, GridId grid, geo::MultiPolygon area, double area_m2) {
        GridIssue i;
        i.kind = kind;
        i.level = level;
        i.grid = grid;
        i.area_m2 = area_m2;
        if (!area.empty()) i.location = geo::point_on_surface(ctx_, area);
        i.area = std::move(area);
        return i;
    }

    // Adds one flagged finding per piece at or above the sliver area and gathers the smaller ones into one note.
    // `describe(area, parts, sliver)` writes the message; `refine` may fill in more of a flagged finding.
    template <typename Describe, typename Refine>
    void add_pieces(GridIssueKind kind, int level, GridId grid, GridId other, std::vector<geo::MultiPolygon> parts,
                    Describe describe, Refine refine) {
        geo::MultiPolygon slivers;
        double sliver_area = 0;
        std::size_t sliver_count = 0;
        for (auto& piece : parts) {
            const double a = bg::area(piece);
            if (a < options_.sliver_m2) {
                sliver_area += a;
                ++sliver_count;
                slivers.insert(slivers.end(), piece.begin(), piece.end());
                continue;
            }
            GridIssue i = make(kind, level, grid, std::move(piece), a);
            i.other = other;
            refine(i);
            i.message = describe(i, 1, false);
            issues_.push_back(std::move(i));
        }
        if (sliver_count == 0) return;
        // The note's location: a point on its largest piece.
        std::size_t largest = 0;
        for (std::size_t p = 1; p < slivers.size(); ++p)
            if (bg::area(slivers[p]) > bg::area(slivers[largest])) largest = p;
        GridIssue note = make(kind, level, grid, geo::MultiPolygon{slivers[largest]}, sliver_area);
        note.area = std::move(slivers);
        note.other = other;
        note.flagged = false;
        note.parts = sliver_count;
        note.message = describe(note, sliver_count, true);
        issues_.push_back(std::move(note));
    }

    std::string sliver_suffix() const {
        return " (below the sliver area of " + area_text(options_.sliver_m2) + ": noted, not flagged)";
    }

    void overlaps(int l) {
        const LevelGeoms& lg = levels_[l];
        for (std::size_t i = 0; i < lg.grids.size(); ++i) {
            for (std::size_t j : lg.candidates(lg.boxes[i])) {
                if (j <= i) continue;
                // Neighbours touch along their border: only interiors meeting is an overlap.
                const char inner = GEOSRelatePattern_r(ctx_.handle(), lg.geoms[i].get(), lg.geoms[j].get(), "T********");
                if (!prepared_test(ctx_, inner, "GEOSRelatePattern")) continue;
                auto inter = geo::own(ctx_, GEOSIntersection_r(ctx_.handle(), lg.geoms[i].get(), lg.geoms[j].get()), "GEOSIntersection");
                const GridId a = lg.grids[i], b = lg.grids[j];
                std::string where;
                const GridId pa = tree_.parent[a.index()], pb = tree_.parent[b.index()];
                if (pa.valid() && pa == pb) where = ", both in " + label(pa);
                else if (pa.valid() && pb.valid()) where = ", in " + label(pa) + " and " + label(pb);
                add_pieces(GridIssueKind::sibling_overlap, l, a, b, pieces(ctx_, inter.get()),
                           [&](const GridIssue& i, std::size_t parts, bool sliver) {
                               if (sliver)
                                   return label(a) + " and " + label(b) + " overlap in " + std::to_string(parts) + " sliver" +
                                          (parts == 1 ? "" : "s") + " of " + area_text(i.area_m2) + " in all" + where + sliver_suffix();
                               return label(a) + " and " + label(b) + " overlap by " + area_text(i.area_m2) + where;
                           },
                           [](GridIssue&) {});
            }
        }
    }

    void gaps(int l) {
        const LevelGeoms& up = levels_[l];
        const LevelGeoms& down = levels_[l + 1];
        for (std::size_t p = 0; p < up.grids.size(); ++p) {
            std::vector<GeosGeom> children;
            for (std::size_t c : down.candidates(up.boxes[p]))
                if (prepared_test(ctx_, GEOSPreparedIntersects_r(ctx_.handle(), up.prepared[p].get(), down.geoms[c].get()),
                                  "GEOSPreparedIntersects"))
                    children.push_back(geo::own(ctx_, GEOSGeom_clone_r(ctx_.handle(), down.geoms[c].get()), "GEOSGeom_clone"));
            const bool none = children.empty();
            GeosGeom uncovered;
            if (none) {
                uncovered = geo::own(ctx_, GEOSGeom_clone_r(ctx_.handle(), up.geoms[p].get()), "GEOSGeom_clone");
            } else {
                const GeosGeom all = collection(ctx_, std::move(children));
                const GeosGeom united = geo::own(ctx_, GEOSUnaryUnion_r(ctx_.handle(), all.get()), "GEOSUnaryUnion");
                uncovered = geo::own(ctx_, GEOSDifference_r(ctx_.handle(), up.geoms[p].get(), united.get()), "GEOSDifference");
            }
            const GridId parent = up.grids[p];
            const std::string below = level_name(l + 1);
            add_pieces(GridIssueKind::gap, l, parent, GridId{}, pieces(ctx_, uncovered.get()),
                       [&](const GridIssue& i, std::size_t parts, bool sliver) {
                           if (none) return label(parent) + " has no " + below + " at all: its whole " + area_text(i.area_m2) +
                                            " is covered by none" + (sliver ? sliver_suffix() : "");
                           if (sliver)
                               return std::to_string(parts) + " sliver" + (parts == 1 ? "" : "s") + " of " + label(parent) +
                                      " covered by no " + below + ", " + area_text(i.area_m2) + " in all" + sliver_suffix();
                           return "part of " + label(parent) + " covered by no " + below + ": " + area_text(i.area_m2);
                       },
                       [](GridIssue&) {});
        }
    }

    void spills_and_orphans(int l) {
        const LevelGeoms& lg = levels_[l];
        const LevelGeoms& up = levels_[l - 1];
        std::vector<std::size_t> position(ds_.grids.size());   // grid index → index within `up`
        for (std::size_t i = 0; i < up.grids.size(); ++i) position[up.grids[i].index()] = i;
        for (std::size_t c = 0; c < lg.grids.size(); ++c) {
            const GridId child = lg.grids[c];
            const GridId parent = tree_.parent[child.index()];
            if (!parent.valid()) {
                const Grid& g = ds_.grid(child);
                GridIssue i = make(GridIssueKind::orphan_grid, l, child, g.area, bg::area(g.area));
                i.flagged = i.area_m2 >= options_.sliver_m2;
                i.message = label(child) + " lies in no " + level_name(l - 1) + " (" + area_text(i.area_m2) + ")" +
                            (i.flagged ? "" : sliver_suffix());
                issues_.push_back(std::move(i));
                continue;
            }
            const std::size_t p = position[parent.index()];
            if (prepared_test(ctx_, GEOSPreparedContains_r(ctx_.handle(), up.prepared[p].get(), lg.geoms[c].get()),
                              "GEOSPreparedContains"))
                continue;
            const GeosGeom outside = geo::own(ctx_, GEOSDifference_r(ctx_.handle(), lg.geoms[c].get(), up.geoms[p].get()), "GEOSDifference");
            add_pieces(GridIssueKind::spill, l, child, parent, pieces(ctx_, outside.get()),
                       [&](const GridIssue& i, std::size_t parts, bool sliver) {
                           if (sliver)
                               return label(child) + " spills out of its " + level_name(l - 1) + " '" + ds_.grid(parent).code +
                                      "' in " + std::to_string(parts) + " sliver" + (parts == 1 ? "" : "s") + ", " +
                                      area_text(i.area_m2) + " in all" + sliver_suffix();
                           return label(child) + " has " + area_text(i.area_m2) + " outside its parent " + label(parent) +
                                  (i.into.valid() ? ", inside " + label(i.into) : ", in no " + level_name(l - 1));
                       },
                       [&](GridIssue& i) {
                           // The neighbour of the parent's level holding most of the spilled piece.
                           const GeosGeom piece = geo::to_geos(ctx_, i.area);
                           double best = 0;
                           for (std::size_t q : up.candidates(bg::return_envelope<geo::Box>(i.area))) {
                               if (q == p) continue;
                               const double a = intersection_area(ctx_, up.geoms[q].get(), piece.get());
                               if (a > best) { best = a; i.into = up.grids[q]; }
                           }
                       });
        }
    }

    void empty_grids() {
        const auto& by_point = options_.households_placed_in_grids;
        const bool by_households = !households_.empty() || !by_point.empty();
        std::vector<double> households(ds_.grids.size(), 0.0);
        for (std::size_t k = 0; k < by_point.size() && k < households.size(); ++k) households[k] = by_point[k];
        std::vector<std::size_t> buildings(ds_.grids.size(), 0), residential(ds_.grids.size(), 0);
        for (std::size_t l = 0; l < tree_.building_grid.size(); ++l)
            for (std::size_t b = 0; b < ds_.buildings.size(); ++b) {
                const GridId g = tree_.building_grid[l][b];
                if (!g.valid()) continue;
                ++buildings[g.index()];
                residential[g.index()] += ds_.buildings[b].residential;
                if (by_households) households[g.index()] += households_[b];
            }
        for (const Grid& g : ds_.grids) {
            const std::size_t k = g.id.index();
            if (by_households ? households[k] > 0 : residential[k] > 0) continue;
            GridIssue i = make(GridIssueKind::empty_grid, g.level, g.id, g.area, bg::area(g.area));
            i.flagged = i.area_m2 >= options_.sliver_m2;
            std::string what;
            if (buildings[k] == 0) what = ds_.buildings.empty() ? "no household" : "no building";
            else if (by_households)
                what = "no household (" + std::to_string(buildings[k]) + (buildings[k] == 1 ? " building" : " buildings") +
                       ", none with households in the roster)";
            else
                what = "no residential building (" + std::to_string(buildings[k]) + (buildings[k] == 1 ? " building)" : " buildings)");
            i.message = label(g.id) + " holds " + what + "; area " + area_text(i.area_m2) + (i.flagged ? "" : sliver_suffix());
            issues_.push_back(std::move(i));
        }
    }

    void buildings(int finest) {
        const LevelGeoms& lg = levels_[finest];
        std::vector<std::size_t> position(ds_.grids.size());
        for (std::size_t i = 0; i < lg.grids.size(); ++i) position[lg.grids[i].index()] = i;
        const bool by_households = !households_.empty();
        for (const Building& b : ds_.buildings) {
            const std::size_t k = b.id.index();
            const double households = by_households ? households_[k] : 0.0;
            const std::string name = "building '" + b.source_id + "'" +
                                     (by_households ? " (" + households_text(households) + ")" : std::string{});
            const GridId g = tree_.grid_of(b.id, finest);
            if (!g.valid()) {
                GridIssue i = make(GridIssueKind::building_outside_grids, finest, GridId{}, b.footprint, b.area_m2);
                i.building = b.id;
                i.households = households;
                i.flagged = by_households ? households > 0 : b.residential;
                for (int l = finest - 1; l >= 0 && !i.grid.valid(); --l) i.grid = tree_.building_grid[l][k];
                i.message = name + " lies in no " + level_name(finest) +
                            (i.grid.valid() ? " (it is in " + label(i.grid) + ")" : "") +
                            (i.flagged ? "" : by_households ? ": noted, no household lives there" : ": noted, not residential");
                issues_.push_back(std::move(i));
                continue;
            }
            const double share = tree_.building_share[k];
            const double outside = b.area_m2 * (1 - share);
            if (share >= 1 || outside <= 0) continue;
            // Every grid's share of the footprint, largest first.
            const GeosGeom footprint = geo::to_geos(ctx_, b.footprint);
            std::vector<std::pair<double, GridId>> shares;
            double inside_any = 0;
            for (std::size_t c : lg.candidates(bg::return_envelope<geo::Box>(b.footprint))) {
                if (!prepared_test(ctx_, GEOSPreparedIntersects_r(ctx_.handle(), lg.prepared[c].get(), footprint.get()),
                                   "GEOSPreparedIntersects"))
                    continue;
                const double a = intersection_area(ctx_, lg.geoms[c].get(), footprint.get());
                if (a <= 0) continue;
                shares.emplace_back(a / b.area_m2, lg.grids[c]);
                inside_any += a;
            }
            std::sort(shares.begin(), shares.end(), [](const auto& x, const auto& y) {
                return x.first != y.first ? x.first > y.first : x.second < y.second;
            });
            GridIssue i = make(GridIssueKind::straddling_building, finest, g, b.footprint, outside);
            i.building = b.id;
            i.share = share;
            i.households = households;
            const bool lived_in = by_households ? households > 0 : b.residential;
            const bool sliver = outside < options_.sliver_m2;
            i.flagged = !sliver && lived_in;
            std::string rest;
            for (const auto& [s, other] : shares) {
                if (other == g) continue;
                if (!i.other.valid()) i.other = other;
                rest += ", " + percent(s) + " in " + label(other);
            }
            const double nowhere = 1 - inside_any / b.area_m2;
            if (nowhere >= 0.005) rest += ", " + percent(nowhere) + " in no " + level_name(finest);
            i.message = name + " has " + percent(share) + " of its " + area_text(b.area_m2) + " footprint in " + label(g) +
                        " (assigned there, largest share)" + rest +
                        (sliver ? "; the part outside is a sliver" + sliver_suffix()
                                : lived_in ? ""
                                : by_households ? "; noted, not flagged: no household lives there"
                                                : "; noted, not flagged: not residential");
            issues_.push_back(std::move(i));
        }
    }

    const Dataset& ds_;
    const GridTree& tree_;
    const std::vector<double>& households_;
    const ValidationOptions& options_;
    GeosContext ctx_;
    std::deque<LevelGeoms> levels_;
    std::vector<GridIssue> issues_;
};

}  // namespace

const char* to_string(GridIssueKind kind) {
    switch (kind) {
        case GridIssueKind::sibling_overlap: return "sibling_overlap";
        case GridIssueKind::gap: return "gap";
        case GridIssueKind::spill: return "spill";
        case GridIssueKind::orphan_grid: return "orphan_grid";
        case GridIssueKind::empty_grid: return "empty_grid";
        case GridIssueKind::straddling_building: return "straddling_building";
        case GridIssueKind::building_outside_grids: return "building_outside_grids";
    }
    return "?";
}

std::size_t ValidationReport::flagged(GridIssueKind kind) const {
    return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [&](const GridIssue& i) { return i.kind == kind && i.flagged; }));
}

std::size_t ValidationReport::noted(GridIssueKind kind) const {
    return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [&](const GridIssue& i) { return i.kind == kind && !i.flagged; }));
}

double ValidationReport::flagged_area_m2(GridIssueKind kind) const {
    double sum = 0;
    for (const auto& i : issues)
        if (i.kind == kind && i.flagged) sum += i.area_m2;
    return sum;
}

ValidationReport validate_grids(const Dataset& ds, const GridTree& tree, const std::vector<double>& households_per_building,
                                const ValidationOptions& options) {
    if (!(options.sliver_m2 >= 0)) throw std::invalid_argument("validate_grids: the sliver area must be 0 or more");
    if (!households_per_building.empty() && households_per_building.size() != ds.buildings.size())
        throw std::invalid_argument("validate_grids: " + std::to_string(households_per_building.size()) + " household counts for " +
                                    std::to_string(ds.buildings.size()) + " buildings");
    if (tree.parent.size() != ds.grids.size() || tree.building_grid.size() != ds.levels.size())
        throw std::invalid_argument("validate_grids: the grid tree was built for another dataset");
    return Validator(ds, tree, households_per_building, options).run();
}

}  // namespace gridatlas::hierarchy
