// Grid drawing: road blocks of an area, contiguous grouping of cells into grids of a household range (growth, light
// merges, empty cells, re-splitting), and the regions that result (the rules are in grid_drawing.hpp).
#include "hierarchy/grid_drawing.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include <boost/geometry/index/rtree.hpp>

#include "geometry/geos.hpp"

namespace gridatlas::hierarchy {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using geo::GeosContext;
using geo::GeosGeom;

constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

// A noded edge is kept for polygonizing when it lies within this distance of the area. Generous on purpose: a
// boundary edge wrongly dropped would leave a hole in the coverage, while an outside edge wrongly kept only makes
// a face that the point-on-surface test discards.
constexpr double kEdgeToleranceM = 0.01;

using BoxEntry = std::pair<geo::Box, std::size_t>;
using BoxIndex = bgi::rtree<BoxEntry, bgi::quadratic<16>>;

BoxIndex index_envelopes(const std::vector<geo::MultiPolygon>& cells) {
    std::vector<BoxEntry> entries;
    entries.reserve(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i)
        if (!cells[i].empty()) entries.emplace_back(bg::return_envelope<geo::Box>(cells[i]), i);
    return BoxIndex(entries.begin(), entries.end());
}

geo::Point surface_point(GeosContext& ctx, const GEOSGeometry* g) {
    auto p = geo::own(ctx, GEOSPointOnSurface_r(ctx.handle(), g), "GEOSPointOnSurface");
    double x = 0, y = 0;
    ctx.check(GEOSGeomGetX_r(ctx.handle(), p.get(), &x) == 1 && GEOSGeomGetY_r(ctx.handle(), p.get(), &y) == 1,
              "GEOSPointOnSurface coordinates");
    return {x, y};
}

bool prepared_intersects(GeosContext& ctx, const GEOSPreparedGeometry* prepared, const GEOSGeometry* g) {
    const char hit = GEOSPreparedIntersects_r(ctx.handle(), prepared, g);
    ctx.check(hit != 2, "GEOSPreparedIntersects");
    return hit == 1;
}

// Whether a noded edge lies in or on the area: noding against the boundary leaves every edge wholly inside, wholly
// outside or along the boundary, so one interior point of the edge (the middle of its first segment) decides.
bool edge_in_area(GeosContext& ctx, const GEOSPreparedGeometry* area, const GEOSGeometry* edge) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), edge);
    unsigned size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx.handle(), seq, &size) || size < 2) return false;
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    GEOSCoordSeq_getXY_r(ctx.handle(), seq, 0, &x0, &y0);
    GEOSCoordSeq_getXY_r(ctx.handle(), seq, 1, &x1, &y1);
    auto middle = geo::to_geos(ctx, geo::Point((x0 + x1) / 2, (y0 + y1) / 2));
    const char near = GEOSPreparedDistanceWithin_r(ctx.handle(), area, middle.get(), kEdgeToleranceM);
    ctx.check(near != 2, "GEOSPreparedDistanceWithin");
    return near == 1;
}

// Indices sorted in reading order: rows of `band` metres north→south, west→east within a row (see the header).
std::vector<std::size_t> reading_order(const std::vector<geo::Point>& anchors, double band) {
    std::vector<std::size_t> order(anchors.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto key = [&](std::size_t i) {
        const geo::Point& p = anchors[i];
        return std::tuple(std::floor(-p.y() / band), p.x(), -p.y(), i);
    };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    return order;
}

// Cells adjacent by a shared boundary line of positive length; each list ascending.
std::vector<std::vector<std::size_t>> adjacency(GeosContext& ctx, const std::vector<geo::MultiPolygon>& cells,
                                                const std::vector<GeosGeom>& geoms) {
    const BoxIndex index = index_envelopes(cells);
    std::vector<std::vector<std::size_t>> adjacent(cells.size());
    std::vector<BoxEntry> hits;
    for (const auto& [box, i] : index) {
        hits.clear();
        index.query(bgi::intersects(box), std::back_inserter(hits));
        for (const auto& hit : hits) {
            const std::size_t j = hit.second;
            if (j <= i) continue;
            const char shared = GEOSRelatePattern_r(ctx.handle(), geoms[i].get(), geoms[j].get(), "****1****");
            ctx.check(shared != 2, "GEOSRelatePattern");
            if (shared == 1) {
                adjacent[i].push_back(j);
                adjacent[j].push_back(i);
            }
        }
    }
    for (auto& list : adjacent) std::sort(list.begin(), list.end());
    return adjacent;
}

// How far a weight lies outside [min, max].
double range_gap(double weight, const GroupingOptions& options) {
    return std::max(0.0, options.min_weight - weight) + std::max(0.0, weight - options.max_weight);
}

void validate(const GroupingOptions& options) {
    if (!(options.min_weight >= 0) || !(options.max_weight >= options.min_weight) || !(options.reading_band > 0))
        throw std::invalid_argument("grouping options: need 0 <= min_weight <= max_weight and reading_band > 0");
}

// Groups in the making: members and weight per group, the group of each cell, and which groups touch which.
// Groups are numbered in creation order, which is the reading order of their seeds.
class Grouping {
public:
    Grouping(const std::vector<double>& weights, const std::vector<std::vector<std::size_t>>& adjacent,
             const std::vector<geo::Point>& anchors, const std::vector<std::size_t>& order,
             const GroupingOptions& options)
        : weights_(weights), adjacent_(adjacent), anchors_(anchors), options_(options),
          rank_(weights.size()), group_of_(weights.size(), npos) {
        for (std::size_t k = 0; k < order.size(); ++k) rank_[order[k]] = k;
        for (std::size_t seed : order)
            if (group_of_[seed] == npos) grow(seed);
        touching_.resize(members_.size());
        for (std::size_t c = 0; c < adjacent_.size(); ++c)
            for (std::size_t n : adjacent_[c])
                if (group_of_[c] != group_of_[n]) touching_[group_of_[c]].insert(group_of_[n]);
        alive_.assign(members_.size(), true);
        merge_light_groups();
        attach_empty_groups();
    }

    std::vector<std::vector<std::size_t>> groups() && {
        std::vector<std::vector<std::size_t>> out;
        for (std::size_t g = 0; g < members_.size(); ++g) {
            if (!alive_[g]) continue;
            std::sort(members_[g].begin(), members_[g].end());
            out.push_back(std::move(members_[g]));
        }
        return out;
    }

private:
    void grow(std::size_t seed) {
        const std::size_t g = members_.size();
        members_.push_back({});
        weight_.push_back(0);
        std::set<std::size_t> frontier;   // unassigned cells adjacent to the group
        auto add = [&](std::size_t c) {
            group_of_[c] = g;
            members_[g].push_back(c);
            weight_[g] += weights_[c];
            frontier.erase(c);
            for (std::size_t n : adjacent_[c])
                if (group_of_[n] == npos) frontier.insert(n);
        };
        add(seed);
        while (weight_[g] < options_.min_weight) {
            std::size_t best = npos;
            double best_distance = 0;
            for (std::size_t c : frontier) {
                if (weight_[g] + weights_[c] > options_.max_weight) continue;
                const double d = bg::distance(anchors_[c], anchors_[seed]);
                if (best == npos || d < best_distance || (d == best_distance && rank_[c] < rank_[best])) {
                    best = c;
                    best_distance = d;
                }
            }
            if (best == npos) break;
            add(best);
        }
    }

    void absorb(std::size_t from, std::size_t into) {
        members_[into].insert(members_[into].end(), members_[from].begin(), members_[from].end());
        members_[from].clear();
        weight_[into] += weight_[from];
        alive_[from] = false;
        for (std::size_t k : touching_[from]) {
            touching_[k].erase(from);
            if (k == into) continue;
            touching_[k].insert(into);
            touching_[into].insert(k);
        }
        touching_[from].clear();
    }

    // The group a light group should merge into, or npos when no merge brings the two closer to the range.
    std::size_t light_partner(std::size_t g) const {
        std::size_t best = npos;
        double best_gap = 0;
        const double before_own = range_gap(weight_[g], options_);
        for (std::size_t h : touching_[g]) {
            if (weight_[h] <= 0 || weight_[h] > options_.max_weight) continue;
            const double gap = range_gap(weight_[g] + weight_[h], options_);
            if (gap >= before_own + range_gap(weight_[h], options_)) continue;
            if (best == npos || gap < best_gap || (gap == best_gap && weight_[h] < weight_[best])) {
                best = h;
                best_gap = gap;
            }
        }
        return best;
    }

    void merge_light_groups() {
        for (;;) {
            std::size_t from = npos, into = npos;
            for (std::size_t g = 0; g < members_.size(); ++g) {
                if (!alive_[g] || weight_[g] <= 0 || weight_[g] >= options_.min_weight) continue;
                if (from != npos && weight_[g] >= weight_[from]) continue;
                if (const std::size_t h = light_partner(g); h != npos) {
                    from = g;
                    into = h;
                }
            }
            if (from == npos) return;
            absorb(from, into);
        }
    }

    void attach_empty_groups() {
        for (;;) {
            std::size_t from = npos;
            for (std::size_t g = 0; g < members_.size() && from == npos; ++g)
                if (alive_[g] && weight_[g] <= 0 && !touching_[g].empty()) from = g;
            if (from == npos) return;
            // Positive-weight neighbours first, then the lightest; std::set order breaks ties by reading order.
            const std::size_t into = *std::min_element(touching_[from].begin(), touching_[from].end(),
                [&](std::size_t a, std::size_t b) {
                    return std::pair(weight_[a] <= 0, weight_[a]) < std::pair(weight_[b] <= 0, weight_[b]);
                });
            absorb(from, into);
        }
    }

    const std::vector<double>& weights_;
    const std::vector<std::vector<std::size_t>>& adjacent_;
    const std::vector<geo::Point>& anchors_;
    const GroupingOptions& options_;
    std::vector<std::size_t> rank_;          // position of each cell in reading order
    std::vector<std::size_t> group_of_;      // the group each cell grew in; merges update touching_, not this
    std::vector<std::vector<std::size_t>> members_;
    std::vector<double> weight_;
    std::vector<std::set<std::size_t>> touching_;
    std::vector<bool> alive_;
};

// Step 4 of group_contiguous: light groups that no merge could help are re-split with a neighbour. The cells of the
// two groups are joined by a spanning tree of their adjacency; cutting one tree edge splits them into two connected
// parts, and the cut whose parts lie nearest the range replaces the pair when it lies nearer than the pair did.
// Rural parents need this: a hamlet inside a ring road touches only the field around it, and once the field's group
// is full the hamlet can neither grow nor merge, though handing it the field (and the field's group another hamlet)
// puts both in range.
class Resplitter {
public:
    Resplitter(const std::vector<double>& weights, const std::vector<std::vector<std::size_t>>& adjacent,
               const std::vector<geo::Point>& anchors, const std::vector<std::size_t>& rank, const GroupingOptions& options,
               std::vector<std::vector<std::size_t>> groups)
        : weights_(weights), adjacent_(adjacent), anchors_(anchors), rank_(rank), options_(options),
          groups_(std::move(groups)), group_of_(weights.size(), npos), stuck_(groups_.size(), false) {
        for (std::size_t g = 0; g < groups_.size(); ++g)
            for (std::size_t c : groups_[g]) group_of_[c] = g;
    }

    std::vector<std::vector<std::size_t>> run() && {
        // Every step lowers the summed distance of all groups to the range, so this ends; the cap bounds the work.
        const std::size_t cap = 8 * groups_.size() + 64;
        for (std::size_t step = 0; step < cap && improve_one(); ++step) {
        }
        std::erase_if(groups_, [](const std::vector<std::size_t>& members) { return members.empty(); });
        for (auto& members : groups_) std::sort(members.begin(), members.end());
        return std::move(groups_);
    }

private:
    struct Split {
        double gap = std::numeric_limits<double>::infinity();
        double unevenness = std::numeric_limits<double>::infinity();   // |difference of the parts' weights|
        std::vector<std::size_t> part;    // cells of one side; the other side is the rest
    };

    double weight_of(const std::vector<std::size_t>& cells) const {
        double w = 0;
        for (std::size_t c : cells) w += weights_[c];
        return w;
    }

    // Re-splits the lightest light group that some neighbour can be re-split with; false when none can.
    bool improve_one() {
        std::vector<std::size_t> light;   // light groups, and groups over max made of several cells
        for (std::size_t g = 0; g < groups_.size(); ++g) {
            const double w = weight_of(groups_[g]);
            if ((w > 0 && w < options_.min_weight) || (w > options_.max_weight && groups_[g].size() > 1)) light.push_back(g);
        }
        std::sort(light.begin(), light.end(), [&](std::size_t a, std::size_t b) {
            return std::pair(weight_of(groups_[a]), a) < std::pair(weight_of(groups_[b]), b);
        });
        for (std::size_t g : light) {
            if (stuck_[g]) continue;
            const double own = range_gap(weight_of(groups_[g]), options_);
            std::size_t best_h = npos;
            Split best;
            for (std::size_t h : neighbours(g)) {
                const double other = weight_of(groups_[h]);
                const double before = own + range_gap(other, options_);
                Split split = best_split(g, h);
                // Merging whole, as in step 2 (into a group of weight in (0, max]): a part with no cell.
                if (weight_of(groups_[g]) < options_.min_weight && other > 0 && other <= options_.max_weight) {
                    const double merged = range_gap(weight_of(groups_[g]) + other, options_);
                    if (merged < split.gap) split = {merged, 0, {}};
                }
                if (split.gap < before - 1e-9 && split.gap < best.gap) {
                    best = std::move(split);
                    best_h = h;
                }
            }
            if (best_h == npos) {
                stuck_[g] = true;   // until a re-split changes it or a neighbour
                continue;
            }
            apply(g, best_h, best.part);
            return true;
        }
        return false;
    }

    std::set<std::size_t> neighbours(std::size_t g) const {
        std::set<std::size_t> out;
        for (std::size_t c : groups_[g])
            for (std::size_t n : adjacent_[c])
                if (group_of_[n] != g) out.insert(group_of_[n]);
        return out;
    }

    void apply(std::size_t g, std::size_t h, const std::vector<std::size_t>& part) {
        for (std::size_t k : {g, h}) {
            stuck_[k] = false;
            for (std::size_t n : neighbours(k)) stuck_[n] = false;
        }
        std::vector<std::size_t> all = groups_[g];
        all.insert(all.end(), groups_[h].begin(), groups_[h].end());
        const std::set<std::size_t> in_part(part.begin(), part.end());
        std::vector<std::size_t> a, b;
        for (std::size_t c : all) (in_part.count(c) ? a : b).push_back(c);
        auto first_read = [&](const std::vector<std::size_t>& cells) {
            std::size_t r = npos;
            for (std::size_t c : cells) r = std::min(r, rank_[c]);
            return r;
        };
        if (a.empty() || first_read(b) < first_read(a)) std::swap(a, b);   // a merge leaves b empty
        // The part read first takes the place of the group read first, so the order of seeds is kept.
        const std::size_t first = std::min(g, h), second = std::max(g, h);
        groups_[first] = std::move(a);
        groups_[second] = std::move(b);
        for (std::size_t c : groups_[first]) group_of_[c] = first;
        for (std::size_t c : groups_[second]) group_of_[c] = second;
        for (std::size_t k : {first, second})
            for (std::size_t n : neighbours(k)) stuck_[n] = false;
    }

    // The best cut of the pair's cells over shortest-path trees (anchor distance along adjacency) from each cell
    // of the pair (at most kRoots of them, spread over the reading order): both parts non-empty in households.
    Split best_split(std::size_t g, std::size_t h) const {
        std::vector<std::size_t> cells = groups_[g];
        cells.insert(cells.end(), groups_[h].begin(), groups_[h].end());
        std::sort(cells.begin(), cells.end(), [&](std::size_t a, std::size_t b) { return rank_[a] < rank_[b]; });
        std::map<std::size_t, std::size_t> local;   // cell → position in `cells`
        for (std::size_t i = 0; i < cells.size(); ++i) local[cells[i]] = i;
        std::vector<std::vector<std::size_t>> near(cells.size());
        for (std::size_t i = 0; i < cells.size(); ++i)
            for (std::size_t c : adjacent_[cells[i]])
                if (const auto it = local.find(c); it != local.end()) near[i].push_back(it->second);
        constexpr std::size_t kRoots = 48;
        const std::size_t stride = std::max<std::size_t>(1, cells.size() / kRoots);
        Split best;
        for (std::size_t root = 0; root < cells.size(); root += stride) consider_tree(cells, near, root, best);
        return best;
    }

    void consider_tree(const std::vector<std::size_t>& cells, const std::vector<std::vector<std::size_t>>& near,
                       std::size_t root, Split& best) const {
        const std::size_t n = cells.size();
        std::vector<double> dist(n, std::numeric_limits<double>::infinity());
        std::vector<std::size_t> parent(n, npos), order;
        std::vector<bool> done(n, false);
        using Entry = std::pair<double, std::size_t>;
        std::set<Entry> queue{{0.0, root}};
        dist[root] = 0;
        while (!queue.empty()) {
            const std::size_t v = queue.begin()->second;
            queue.erase(queue.begin());
            done[v] = true;
            order.push_back(v);
            for (std::size_t u : near[v]) {
                const double d = dist[v] + bg::distance(anchors_[cells[v]], anchors_[cells[u]]);
                if (done[u] || d >= dist[u]) continue;
                queue.erase({dist[u], u});
                dist[u] = d;
                parent[u] = v;
                queue.insert({d, u});
            }
        }
        std::vector<double> below(n, 0.0);   // households in the subtree of each cell
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) total += weights_[cells[i]];
        for (auto it = order.rbegin(); it != order.rend(); ++it) {
            below[*it] += weights_[cells[*it]];
            if (parent[*it] != npos) below[parent[*it]] += below[*it];
        }
        // Nearest the range first, then the most even split.
        std::size_t cut = npos;
        auto score = [&](double part) {
            return std::pair(range_gap(part, options_) + range_gap(total - part, options_), std::abs(total - 2 * part));
        };
        std::pair<double, double> cut_score(best.gap, best.unevenness);
        for (std::size_t v : order) {
            if (v == root || below[v] <= 0 || total - below[v] <= 0) continue;
            if (const auto s = score(below[v]); s < cut_score) {
                cut_score = s;
                cut = v;
            }
        }
        if (cut == npos) return;
        std::tie(best.gap, best.unevenness) = cut_score;
        best.part.clear();
        for (std::size_t v : order) {   // the subtree of `cut`: cells whose chain of parents reaches it
            std::size_t u = v;
            while (u != npos && u != cut) u = parent[u];
            if (u == cut) best.part.push_back(cells[v]);
        }
    }

    const std::vector<double>& weights_;
    const std::vector<std::vector<std::size_t>>& adjacent_;
    const std::vector<geo::Point>& anchors_;
    const std::vector<std::size_t>& rank_;
    const GroupingOptions& options_;
    std::vector<std::vector<std::size_t>> groups_;
    std::vector<std::size_t> group_of_;
    std::vector<bool> stuck_;   // per group: no re-split helped it since it or a neighbour last changed
};

// Unions each group of cells into a region and returns the regions in reading order.
std::vector<DrawnRegion> assemble(const std::vector<geo::MultiPolygon>& cells,
                                  const std::vector<std::vector<std::size_t>>& cell_points,
                                  const std::vector<double>& cell_weights, const GroupingOptions& options) {
    const auto groups = group_contiguous(cells, cell_weights, options);
    GeosContext ctx;
    std::vector<DrawnRegion> regions;
    std::vector<geo::Point> anchors;
    regions.reserve(groups.size());
    anchors.reserve(groups.size());
    for (const auto& group : groups) {
        std::vector<GeosGeom> parts;
        parts.reserve(group.size());
        DrawnRegion region;
        for (std::size_t c : group) {
            parts.push_back(geo::to_geos(ctx, cells[c]));
            region.points.insert(region.points.end(), cell_points[c].begin(), cell_points[c].end());
            region.weight += cell_weights[c];
        }
        const GeosGeom together = geo::collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));
        const GeosGeom united = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), together.get()), "GEOSUnaryUnion");
        region.area = geo::to_multipolygon(ctx, united.get());
        std::sort(region.points.begin(), region.points.end());
        anchors.push_back(surface_point(ctx, united.get()));
        regions.push_back(std::move(region));
    }
    std::vector<DrawnRegion> ordered;
    ordered.reserve(regions.size());
    for (std::size_t i : reading_order(anchors, options.reading_band)) ordered.push_back(std::move(regions[i]));
    return ordered;
}

// The block of each point: the first (lowest-index) block covering it, else the nearest block.
std::vector<std::size_t> locate(const std::vector<geo::MultiPolygon>& blocks, const std::vector<WeightedPoint>& points) {
    GeosContext ctx;
    const BoxIndex index = index_envelopes(blocks);
    std::vector<GeosGeom> geoms;
    std::vector<geo::GeosPrepared> prepared;
    geoms.reserve(blocks.size());
    prepared.reserve(blocks.size());
    for (const auto& block : blocks) {
        geoms.push_back(geo::to_geos(ctx, block));
        prepared.push_back(geo::prepare(ctx, geoms.back().get()));
    }

    std::vector<std::size_t> block_of(points.size(), npos);
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const geo::Point& p = points[i].location;
        const GeosGeom point = geo::to_geos(ctx, p);
        hits.clear();
        for (auto it = index.qbegin(bgi::intersects(p)); it != index.qend(); ++it) hits.push_back(it->second);
        std::sort(hits.begin(), hits.end());
        for (std::size_t b : hits)
            if (prepared_intersects(ctx, prepared[b].get(), point.get())) {
                block_of[i] = b;
                break;
            }
        if (block_of[i] != npos) continue;
        // Boxes come nearest first; a block cannot be nearer than its box, so stop once boxes are farther.
        double best = std::numeric_limits<double>::infinity();
        for (auto it = index.qbegin(bgi::nearest(p, static_cast<unsigned>(blocks.size()))); it != index.qend(); ++it) {
            if (bg::distance(p, it->first) > best) break;
            double d = 0;
            ctx.check(GEOSPreparedDistance_r(ctx.handle(), prepared[it->second].get(), point.get(), &d) == 1,
                      "GEOSPreparedDistance");
            if (d < best || (d == best && it->second < block_of[i])) {
                best = d;
                block_of[i] = it->second;
            }
        }
    }
    return block_of;
}

}  // namespace

std::vector<geo::MultiPolygon> road_blocks(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads) {
    GeosContext ctx;
    geo::MultiPolygon valid = area;
    geo::make_valid(ctx, valid);
    if (valid.empty()) return {};
    const GeosGeom area_g = geo::to_geos(ctx, valid);
    const geo::GeosPrepared prepared = geo::prepare(ctx, area_g.get());
    const geo::Box extent = bg::return_envelope<geo::Box>(valid);

    // Roads are not clipped with GEOSIntersection: a recomputed crossing point can miss the boundary by an ulp and
    // leave the road ending just short of it, cutting nothing. Noding whole roads with the boundary puts both on
    // the very same node; the edges outside are dropped afterwards.
    std::vector<GeosGeom> lines;
    lines.push_back(geo::own(ctx, GEOSBoundary_r(ctx.handle(), area_g.get()), "GEOSBoundary"));
    for (const auto& road : roads) {
        if (road.size() < 2 || bg::disjoint(bg::return_envelope<geo::Box>(road), extent)) continue;
        GeosGeom line = geo::to_geos(ctx, road);
        if (prepared_intersects(ctx, prepared.get(), line.get())) lines.push_back(std::move(line));
    }
    const GeosGeom network = geo::collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(lines));
    const GeosGeom noded = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), network.get()), "GEOSUnaryUnion");

    std::vector<const GEOSGeometry*> edges;
    const int edge_count = GEOSGetNumGeometries_r(ctx.handle(), noded.get());
    ctx.check(edge_count >= 0, "GEOSGetNumGeometries");
    edges.reserve(static_cast<std::size_t>(edge_count));
    for (int i = 0; i < edge_count; ++i) {
        const GEOSGeometry* edge = GEOSGetGeometryN_r(ctx.handle(), noded.get(), i);
        if (edge_in_area(ctx, prepared.get(), edge)) edges.push_back(edge);
    }
    const GeosGeom faces = geo::own(
        ctx, GEOSPolygonize_r(ctx.handle(), edges.data(), static_cast<unsigned>(edges.size())), "GEOSPolygonize");

    std::vector<geo::MultiPolygon> blocks;
    const int face_count = GEOSGetNumGeometries_r(ctx.handle(), faces.get());
    ctx.check(face_count >= 0, "GEOSGetNumGeometries");
    for (int i = 0; i < face_count; ++i) {
        const GEOSGeometry* face = GEOSGetGeometryN_r(ctx.handle(), faces.get(), i);
        const GeosGeom inside = geo::to_geos(ctx, surface_point(ctx, face));
        if (prepared_intersects(ctx, prepared.get(), inside.get())) blocks.push_back(geo::to_multipolygon(ctx, face));
    }
    return blocks;
}

std::vector<std::vector<std::size_t>> group_contiguous(const std::vector<geo::MultiPolygon>& cells,
                                                       const std::vector<double>& weights,
                                                       const GroupingOptions& options) {
    validate(options);
    if (weights.size() != cells.size())
        throw std::invalid_argument("group_contiguous: " + std::to_string(cells.size()) + " cells but " +
                                    std::to_string(weights.size()) + " weights");
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (!(weights[i] >= 0)) throw std::invalid_argument("group_contiguous: bad weight of cell " + std::to_string(i));
        if (cells[i].empty()) throw std::invalid_argument("group_contiguous: cell " + std::to_string(i) + " is empty");
    }

    GeosContext ctx;
    std::vector<GeosGeom> geoms;
    std::vector<geo::Point> anchors;
    geoms.reserve(cells.size());
    anchors.reserve(cells.size());
    for (const auto& cell : cells) {
        geoms.push_back(geo::to_geos(ctx, cell));
        anchors.push_back(surface_point(ctx, geoms.back().get()));
    }
    const auto adjacent = adjacency(ctx, cells, geoms);
    const auto order = reading_order(anchors, options.reading_band);
    auto groups = Grouping(weights, adjacent, anchors, order, options).groups();
    if (!options.resplit) return groups;
    std::vector<std::size_t> rank(cells.size());
    for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = k;
    return Resplitter(weights, adjacent, anchors, rank, options, std::move(groups)).run();
}

std::vector<DrawnRegion> draw_regions(const geo::MultiPolygon& area, const std::vector<geo::LineString>& roads,
                                      const std::vector<WeightedPoint>& points, const GroupingOptions& options) {
    validate(options);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        if (!std::isfinite(p.location.x()) || !std::isfinite(p.location.y()) || !(p.weight >= 0))
            throw std::invalid_argument("draw_regions: bad location or weight of point " + std::to_string(i));
    }
    const auto blocks = road_blocks(area, roads);
    if (blocks.empty()) return {};
    std::vector<std::vector<std::size_t>> block_points(blocks.size());
    std::vector<double> block_weights(blocks.size(), 0.0);
    const auto block_of = locate(blocks, points);
    for (std::size_t i = 0; i < points.size(); ++i) {
        block_points[block_of[i]].push_back(i);
        block_weights[block_of[i]] += points[i].weight;
    }
    return assemble(blocks, block_points, block_weights, options);
}

std::vector<DrawnRegion> merge_regions(const std::vector<DrawnRegion>& regions, const GroupingOptions& options) {
    std::vector<geo::MultiPolygon> cells;
    std::vector<std::vector<std::size_t>> cell_points;
    std::vector<double> cell_weights;
    cells.reserve(regions.size());
    cell_points.reserve(regions.size());
    cell_weights.reserve(regions.size());
    for (const auto& region : regions) {
        cells.push_back(region.area);
        cell_points.push_back(region.points);
        cell_weights.push_back(region.weight);
    }
    return assemble(cells, cell_points, cell_weights, options);
}

double polsby_popper(const geo::MultiPolygon& mp) {
    const double perimeter = bg::perimeter(mp);
    if (perimeter <= 0) return 0;
    return 4 * std::numbers::pi * bg::area(mp) / (perimeter * perimeter);
}

}  // namespace gridatlas::hierarchy
