// Noding of walkable lines into a graph, and snapping onto it.
//
// Noding works on vertex occurrences (one per vertex of each line) grouped by location quantized to 1 cm. Within a
// location, occurrences are joined pairwise by the level rule of RoadLine::level and closed transitively (a ramp ending
// where a road and a bridge cross connects both). Each joined class is one node, so lines that share a vertex without
// joining get separate nodes at the same location. Lines that cross without a shared vertex are never noded: the
// source data marks real junctions with a shared vertex, and a crossing without one is a bridge, tunnel or error.
#include "access/walk_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/geometry/geometries/segment.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace gridatlas::access {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

using Segment = bg::model::segment<geo::Point>;

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
// Snap candidates this close to the nearest one count as equally near; the lowest edge index wins among them.
constexpr double snap_tie_m = 1e-9;

struct VertexKey {
    std::int64_t x = 0;
    std::int64_t y = 0;
    friend auto operator<=>(const VertexKey&, const VertexKey&) = default;
};

VertexKey quantize(const geo::Point& p) {
    return {std::llround(p.x() * 100.0), std::llround(p.y() * 100.0)};
}

// The one length formula used for edge lengths and for distances along edges, so that along_m never exceeds length_m.
double segment_length(const geo::Point& a, const geo::Point& b) {
    const double dx = b.x() - a.x();
    const double dy = b.y() - a.y();
    return std::sqrt(dx * dx + dy * dy);
}

// Union-find over 0..n-1 whose roots are always the smallest member of their set.
class MinRootSets {
public:
    void reset(std::size_t n) {
        parent_.resize(n);
        std::iota(parent_.begin(), parent_.end(), std::uint32_t{0});
    }
    std::uint32_t find(std::uint32_t i) {
        while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
        return i;
    }
    void unite(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a < b) parent_[b] = a;
        else parent_[a] = b;
    }

private:
    std::vector<std::uint32_t> parent_;
};

// One vertex of one walkable line, after consecutive repeats (equal to 1 cm) are removed.
struct Occurrence {
    geo::Point point;
    std::uint32_t location = 0;   // index of its quantized location
    int level = 0;
    bool end = false;             // first or last vertex of its line
};

struct LineRange {
    std::uint32_t road = 0;       // index in the input roads
    std::uint32_t first = 0;      // its occurrences are [first, first + count)
    std::uint32_t count = 0;
};

bool joins(const Occurrence& a, const Occurrence& b) { return a.level == b.level || a.end || b.end; }

}  // namespace

struct WalkNetwork::Index {
    struct Piece {
        std::uint32_t edge = 0;
        double along_start = 0;   // distance from the edge's `from` node to the segment's first point
    };
    using Value = std::pair<Segment, std::uint32_t>;   // segment, index into pieces
    using Tree = bgi::rtree<Value, bgi::quadratic<16>>;
    std::vector<Piece> pieces;
    Tree street;   // segments of joinable edges
    Tree other;    // segments of the rest (tunnels, bridges, …): only JoinTo::any_way looks here
};

WalkNetwork WalkNetwork::build(const std::vector<RoadLine>& roads) {
    // Occurrences of the walkable lines, grouped by location. Lines with non-finite coordinates or fewer than two
    // distinct vertices carry no walkable length and are left out; removing repeats means no edge has zero length.
    std::vector<Occurrence> occurrences;
    std::vector<VertexKey> keys;   // per occurrence
    std::vector<LineRange> lines;
    std::size_t vertex_count = 0;
    for (const RoadLine& road : roads)
        if (road.walkable) vertex_count += road.line.size();
    occurrences.reserve(vertex_count);
    keys.reserve(vertex_count);
    lines.reserve(roads.size());
    std::vector<std::pair<VertexKey, geo::Point>> line_vertices;
    for (std::size_t r = 0; r < roads.size(); ++r) {
        const RoadLine& road = roads[r];
        if (!road.walkable) continue;
        line_vertices.clear();
        bool finite = true;
        for (const geo::Point& p : road.line) {
            if (!std::isfinite(p.x()) || !std::isfinite(p.y())) {
                finite = false;
                break;
            }
            const VertexKey key = quantize(p);
            if (line_vertices.empty() || !(line_vertices.back().first == key)) line_vertices.emplace_back(key, p);
        }
        if (!finite || line_vertices.size() < 2) continue;
        const LineRange range{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(occurrences.size()),
                              static_cast<std::uint32_t>(line_vertices.size())};
        for (std::size_t i = 0; i < line_vertices.size(); ++i) {
            occurrences.push_back({line_vertices[i].second, 0, road.level, i == 0 || i + 1 == line_vertices.size()});
            keys.push_back(line_vertices[i].first);
        }
        lines.push_back(range);
    }
    if (occurrences.size() >= none) throw std::length_error("walk network: more than 4 billion road vertices");

    // Occurrences by location: sorted by (key, occurrence), so each location lists its occurrences in input order.
    // A sort, not a hash map of keys: n log n with sequential memory access, and no node per key (the hash map grew
    // the build time 360-fold for 64 times the edges).
    std::vector<std::uint32_t> at_location(occurrences.size());
    std::iota(at_location.begin(), at_location.end(), std::uint32_t{0});
    std::sort(at_location.begin(), at_location.end(), [&keys](std::uint32_t a, std::uint32_t b) {
        return std::tie(keys[a], a) < std::tie(keys[b], b);
    });
    std::vector<std::uint32_t> location_start;
    location_start.reserve(occurrences.size() + 1);
    for (std::size_t k = 0; k < at_location.size(); ++k) {
        if (k == 0 || keys[at_location[k]] != keys[at_location[k - 1]]) location_start.push_back(static_cast<std::uint32_t>(k));
        occurrences[at_location[k]].location = static_cast<std::uint32_t>(location_start.size() - 1);
    }
    const std::size_t location_count = location_start.size();
    location_start.push_back(static_cast<std::uint32_t>(at_location.size()));
    std::vector<VertexKey>().swap(keys);

    // Per location, join occurrences into classes; each class is represented by its first occurrence. A vertex is a
    // node when it ends its line or when another occurrence shares its location.
    std::vector<std::uint32_t> representative(occurrences.size());
    std::vector<bool> is_node(occurrences.size());
    MinRootSets sets;
    for (std::size_t l = 0; l < location_count; ++l) {
        const std::uint32_t* members = at_location.data() + location_start[l];
        const std::uint32_t n = location_start[l + 1] - location_start[l];
        sets.reset(n);
        for (std::uint32_t i = 0; i < n; ++i)
            for (std::uint32_t j = i + 1; j < n; ++j)
                if (joins(occurrences[members[i]], occurrences[members[j]])) sets.unite(i, j);
        for (std::uint32_t i = 0; i < n; ++i) {
            representative[members[i]] = members[sets.find(i)];
            is_node[members[i]] = n > 1 || occurrences[members[i]].end;
        }
    }

    // Nodes in order of first appearance: a representative precedes the other members of its class.
    WalkNetwork net;
    std::vector<std::uint32_t> node_of(occurrences.size(), none);
    for (std::uint32_t o = 0; o < occurrences.size(); ++o) {
        if (!is_node[o]) continue;
        if (representative[o] == o) {
            node_of[o] = static_cast<std::uint32_t>(net.nodes_.size());
            net.nodes_.push_back({occurrences[o].point, 0});
        } else {
            node_of[o] = node_of[representative[o]];
        }
    }

    // Edges: each line cut at its node vertices. Edge ends take their node's location exactly.
    for (const LineRange& line : lines) {
        std::uint32_t start = line.first;
        for (std::uint32_t o = line.first + 1; o < line.first + line.count; ++o) {
            if (!is_node[o]) continue;
            Edge edge{node_of[start], node_of[o], 0, {}, line.road, roads[line.road].joinable};
            edge.geometry.push_back(net.nodes_[edge.from].location);
            for (std::uint32_t i = start + 1; i < o; ++i) edge.geometry.push_back(occurrences[i].point);
            edge.geometry.push_back(net.nodes_[edge.to].location);
            for (std::size_t i = 1; i < edge.geometry.size(); ++i)
                edge.length_m += segment_length(edge.geometry[i - 1], edge.geometry[i]);
            net.edges_.push_back(std::move(edge));
            start = o;
        }
    }

    // Connected components, numbered in order of their lowest node.
    sets.reset(net.nodes_.size());
    for (const Edge& e : net.edges_) sets.unite(e.from, e.to);
    std::vector<std::uint32_t> component_of_root(net.nodes_.size(), none);
    for (std::uint32_t n = 0; n < net.nodes_.size(); ++n) {
        std::uint32_t& c = component_of_root[sets.find(n)];
        if (c == none) c = static_cast<std::uint32_t>(net.component_count_++);
        net.nodes_[n].component = c;
    }

    // Packed R-trees over every edge segment: one for the joinable edges, one for the others.
    auto index = std::make_shared<Index>();
    std::vector<Index::Value> street, other;
    for (std::uint32_t e = 0; e < net.edges_.size(); ++e) {
        const geo::LineString& g = net.edges_[e].geometry;
        std::vector<Index::Value>& values = net.edges_[e].joinable ? street : other;
        double along = 0;
        for (std::size_t i = 1; i < g.size(); ++i) {
            values.emplace_back(Segment(g[i - 1], g[i]), static_cast<std::uint32_t>(index->pieces.size()));
            index->pieces.push_back({e, along});
            along += segment_length(g[i - 1], g[i]);
        }
    }
    index->street = Index::Tree(street);
    index->other = Index::Tree(other);
    net.index_ = std::move(index);
    return net;
}

namespace {

// The nearer of two snaps (from the two trees); within the tie margin the lower (edge, along_m).
std::optional<Snap> nearer(const std::optional<Snap>& a, const std::optional<Snap>& b) {
    if (!a) return b;
    if (!b) return a;
    if (std::abs(a->offset_m - b->offset_m) > snap_tie_m) return a->offset_m < b->offset_m ? a : b;
    return std::pair(a->edge, a->along_m) <= std::pair(b->edge, b->along_m) ? a : b;
}

}  // namespace

std::optional<Snap> WalkNetwork::snap(const geo::Point& p, double max_distance_m, JoinTo to) const {
    if (!index_) return std::nullopt;
    const auto in = [&](const Index::Tree& tree) -> std::optional<Snap> {
        if (tree.empty()) return std::nullopt;
        const auto project = [&](const Index::Value& v) {
            const geo::Point& a = v.first.first;
            const geo::Point& b = v.first.second;
            const double dx = b.x() - a.x();
            const double dy = b.y() - a.y();
            const double t = std::clamp(((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / (dx * dx + dy * dy), 0.0, 1.0);
            const geo::Point q(a.x() + t * dx, a.y() + t * dy);
            const Index::Piece& piece = index_->pieces[v.second];
            return Snap{piece.edge, piece.along_start + t * segment_length(a, b), segment_length(p, q), q};
        };

        // The nearest segment bounds the search; every segment within that distance (plus the tie margin) is then
        // compared, so that ties go to the lowest edge (then the smallest along_m) whatever order the tree yields.
        std::vector<Index::Value> found;
        tree.query(bgi::nearest(p, 1), std::back_inserter(found));
        const double nearest = project(found.front()).offset_m;
        if (nearest > max_distance_m) return std::nullopt;
        const double reach = nearest + snap_tie_m;
        found.clear();
        const geo::Box around(geo::Point(p.x() - reach, p.y() - reach), geo::Point(p.x() + reach, p.y() + reach));
        tree.query(bgi::intersects(around), std::back_inserter(found));

        std::vector<Snap> candidates;
        for (const Index::Value& v : found) candidates.push_back(project(v));
        const double best_offset =
            std::min_element(candidates.begin(), candidates.end(), [](const Snap& a, const Snap& b) {
                return a.offset_m < b.offset_m;
            })->offset_m;
        std::optional<Snap> best;
        for (const Snap& s : candidates) {
            if (s.offset_m > best_offset + snap_tie_m) continue;
            if (!best || std::pair(s.edge, s.along_m) < std::pair(best->edge, best->along_m)) best = s;
        }
        return best;
    };
    std::optional<Snap> best = in(index_->street);
    if (to == JoinTo::any_way) best = nearer(best, in(index_->other));
    return best;
}

}  // namespace gridatlas::access
