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

// The vertex occurrences of the walkable lines, each line's range of them, and each occurrence's quantized key.
struct Noding {
    std::vector<Occurrence> occurrences;
    std::vector<VertexKey> keys;   // per occurrence, until grouped by location
    std::vector<LineRange> lines;
};

// Appends one walkable line's occurrences. Lines with non-finite coordinates or fewer than two distinct vertices
// carry no walkable length and are left out; removing repeats means no edge has zero length.
void add_line(Noding& noding, const RoadLine& road, std::uint32_t r,
              std::vector<std::pair<VertexKey, geo::Point>>& line_vertices) {
    line_vertices.clear();
    for (const geo::Point& p : road.line) {
        if (!std::isfinite(p.x()) || !std::isfinite(p.y())) return;
        const VertexKey key = quantize(p);
        if (line_vertices.empty() || !(line_vertices.back().first == key)) line_vertices.emplace_back(key, p);
    }
    if (line_vertices.size() < 2) return;
    noding.lines.push_back({r, static_cast<std::uint32_t>(noding.occurrences.size()),
                            static_cast<std::uint32_t>(line_vertices.size())});
    for (std::size_t i = 0; i < line_vertices.size(); ++i) {
        noding.occurrences.push_back({line_vertices[i].second, 0, road.level, i == 0 || i + 1 == line_vertices.size()});
        noding.keys.push_back(line_vertices[i].first);
    }
}

Noding collect_occurrences(const std::vector<RoadLine>& roads) {
    Noding noding;
    std::size_t vertex_count = 0;
    for (const RoadLine& road : roads)
        if (road.walkable) vertex_count += road.line.size();
    noding.occurrences.reserve(vertex_count);
    noding.keys.reserve(vertex_count);
    noding.lines.reserve(roads.size());
    std::vector<std::pair<VertexKey, geo::Point>> line_vertices;
    for (std::size_t r = 0; r < roads.size(); ++r)
        if (roads[r].walkable) add_line(noding, roads[r], static_cast<std::uint32_t>(r), line_vertices);
    if (noding.occurrences.size() >= none) throw std::length_error("walk network: more than 4 billion road vertices");
    return noding;
}

// Occurrences grouped by location: location l holds members[start[l] .. start[l + 1]).
struct Locations {
    std::vector<std::uint32_t> members;
    std::vector<std::uint32_t> start;
    std::size_t count() const { return start.size() - 1; }
};

// Sorted by (key, occurrence), so each location lists its occurrences in input order. A sort, not a hash map of
// keys: n log n with sequential memory access, and no node per key (the hash map grew the build time 360-fold for 64
// times the edges). Sets each occurrence's location and frees the keys.
Locations group_by_location(Noding& noding) {
    std::vector<Occurrence>& occurrences = noding.occurrences;
    const std::vector<VertexKey>& keys = noding.keys;
    Locations at;
    at.members.resize(occurrences.size());
    std::iota(at.members.begin(), at.members.end(), std::uint32_t{0});
    std::sort(at.members.begin(), at.members.end(), [&keys](std::uint32_t a, std::uint32_t b) {
        return std::tie(keys[a], a) < std::tie(keys[b], b);
    });
    at.start.reserve(occurrences.size() + 1);
    for (std::size_t k = 0; k < at.members.size(); ++k) {
        if (k == 0 || keys[at.members[k]] != keys[at.members[k - 1]]) at.start.push_back(static_cast<std::uint32_t>(k));
        occurrences[at.members[k]].location = static_cast<std::uint32_t>(at.start.size() - 1);
    }
    at.start.push_back(static_cast<std::uint32_t>(at.members.size()));
    std::vector<VertexKey>().swap(noding.keys);
    return at;
}

// Per occurrence: the first occurrence of its joined class, and whether it is a node (it ends its line, or another
// occurrence shares its location).
struct Classes {
    std::vector<std::uint32_t> representative;
    std::vector<bool> is_node;
};

// Per location, joins occurrences pairwise by the level rule and closes the relation transitively.
Classes join_at_locations(const std::vector<Occurrence>& occurrences, const Locations& at) {
    Classes classes{std::vector<std::uint32_t>(occurrences.size()), std::vector<bool>(occurrences.size())};
    MinRootSets sets;
    for (std::size_t l = 0; l < at.count(); ++l) {
        const std::uint32_t* members = at.members.data() + at.start[l];
        const std::uint32_t n = at.start[l + 1] - at.start[l];
        sets.reset(n);
        for (std::uint32_t i = 0; i < n; ++i)
            for (std::uint32_t j = i + 1; j < n; ++j)
                if (joins(occurrences[members[i]], occurrences[members[j]])) sets.unite(i, j);
        for (std::uint32_t i = 0; i < n; ++i) {
            classes.representative[members[i]] = members[sets.find(i)];
            classes.is_node[members[i]] = n > 1 || occurrences[members[i]].end;
        }
    }
    return classes;
}

// Nodes in order of first appearance: a representative precedes the other members of its class. Returns each
// occurrence's node (none for a vertex inside an edge).
std::vector<std::uint32_t> make_nodes(const std::vector<Occurrence>& occurrences, const Classes& classes,
                                      std::vector<WalkNetwork::Node>& nodes) {
    std::vector<std::uint32_t> node_of(occurrences.size(), none);
    for (std::uint32_t o = 0; o < occurrences.size(); ++o) {
        if (!classes.is_node[o]) continue;
        if (classes.representative[o] == o) {
            node_of[o] = static_cast<std::uint32_t>(nodes.size());
            nodes.push_back({occurrences[o].point, 0});
        } else {
            node_of[o] = node_of[classes.representative[o]];
        }
    }
    return node_of;
}

// Edges: each line cut at its node vertices. Edge ends take their node's location exactly.
std::vector<WalkNetwork::Edge> cut_edges(const std::vector<RoadLine>& roads, const Noding& noding,
                                         const Classes& classes, const std::vector<std::uint32_t>& node_of,
                                         const std::vector<WalkNetwork::Node>& nodes) {
    std::vector<WalkNetwork::Edge> edges;
    for (const LineRange& line : noding.lines) {
        std::uint32_t start = line.first;
        for (std::uint32_t o = line.first + 1; o < line.first + line.count; ++o) {
            if (!classes.is_node[o]) continue;
            WalkNetwork::Edge edge{node_of[start], node_of[o], 0, {}, line.road, roads[line.road].joinable};
            edge.geometry.push_back(nodes[edge.from].location);
            for (std::uint32_t i = start + 1; i < o; ++i) edge.geometry.push_back(noding.occurrences[i].point);
            edge.geometry.push_back(nodes[edge.to].location);
            for (std::size_t i = 1; i < edge.geometry.size(); ++i)
                edge.length_m += segment_length(edge.geometry[i - 1], edge.geometry[i]);
            edges.push_back(std::move(edge));
            start = o;
        }
    }
    return edges;
}

// Connected components, numbered in order of their lowest node. Returns their count.
std::size_t number_components(std::vector<WalkNetwork::Node>& nodes, const std::vector<WalkNetwork::Edge>& edges) {
    MinRootSets sets;
    sets.reset(nodes.size());
    for (const WalkNetwork::Edge& e : edges) sets.unite(e.from, e.to);
    std::vector<std::uint32_t> component_of_root(nodes.size(), none);
    std::size_t count = 0;
    for (std::uint32_t n = 0; n < nodes.size(); ++n) {
        std::uint32_t& c = component_of_root[sets.find(n)];
        if (c == none) c = static_cast<std::uint32_t>(count++);
        nodes[n].component = c;
    }
    return count;
}

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

    // Packed R-trees over every edge segment: one for the joinable edges, one for the others.
    static std::shared_ptr<const Index> over(const std::vector<Edge>& edges) {
        auto index = std::make_shared<Index>();
        std::vector<Value> street, other;
        for (std::uint32_t e = 0; e < edges.size(); ++e) {
            const geo::LineString& g = edges[e].geometry;
            std::vector<Value>& values = edges[e].joinable ? street : other;
            double along = 0;
            for (std::size_t i = 1; i < g.size(); ++i) {
                values.emplace_back(Segment(g[i - 1], g[i]), static_cast<std::uint32_t>(index->pieces.size()));
                index->pieces.push_back({e, along});
                along += segment_length(g[i - 1], g[i]);
            }
        }
        index->street = Tree(street);
        index->other = Tree(other);
        return index;
    }
};

WalkNetwork WalkNetwork::build(const std::vector<RoadLine>& roads) {
    Noding noding = collect_occurrences(roads);
    const Locations at = group_by_location(noding);
    const Classes classes = join_at_locations(noding.occurrences, at);
    WalkNetwork net;
    const std::vector<std::uint32_t> node_of = make_nodes(noding.occurrences, classes, net.nodes_);
    net.edges_ = cut_edges(roads, noding, classes, node_of, net.nodes_);
    net.component_count_ = number_components(net.nodes_, net.edges_);
    net.index_ = Index::over(net.edges_);
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
