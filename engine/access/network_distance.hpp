// Bounded shortest distances over the walk network from snapped source points: the one search that isochrones and
// site selection share. compute_access answers "how far is the nearest facility" for every building in one pass;
// these answer "what lies within d metres of these points", which needs the distances themselves, cut off early
// (a 15-minute walk touches about a kilometre of network, not the whole city) and repeated cheaply many times
// (site selection runs one search per candidate, thousands of them).
//
// Conventions, the same as compute_access so that results agree with it:
// - a source splits its edge conceptually and seeds both end nodes with its access leg plus the distance along the
//   edge to that node: distances include the source's offset_m;
// - the distance to a snapped target adds the target's own access leg and also considers the direct way along a
//   shared edge (source and target on one edge need not pass through a node).
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "access/walk_network.hpp"

namespace gridatlas::access {

// Both directions of every edge, grouped by tail node (compressed rows). Built once, read-only, shareable between
// threads.
class WalkGraph {
public:
    explicit WalkGraph(const WalkNetwork& net);

    const WalkNetwork& network() const { return *net_; }
    std::size_t node_count() const { return start_.size() - 1; }
    // Arcs of node n are [arc_begin(n), arc_end(n)).
    std::uint32_t arc_begin(std::uint32_t n) const { return start_[n]; }
    std::uint32_t arc_end(std::uint32_t n) const { return start_[n + 1]; }
    std::uint32_t head(std::uint32_t arc) const { return head_[arc]; }
    std::uint32_t edge(std::uint32_t arc) const { return edge_[arc]; }
    double metres(std::uint32_t arc) const { return metres_[arc]; }

private:
    const WalkNetwork* net_;
    std::vector<std::uint32_t> start_;
    std::vector<std::uint32_t> head_;
    std::vector<std::uint32_t> edge_;
    std::vector<double> metres_;
};

// The engine's one shortest-path core: Dijkstra with a binary heap over a WalkGraph, for any label type (plain metres
// for BoundedSearch; metres and the facility they come from for compute_access). Label needs operator< (a total order
// whose first key is the distance) and extend(label, metres) giving the label one arc further.
//   labels: per node, the best label so far (seeded at the sources); frontier: the seeded (label, node) pairs.
//   offer(node, label): stores and pushes the label when it is better and within the bound (the caller decides both).
//   settled(node): called once per node, in non-decreasing label order.
template <class Label>
struct Frontier {
    struct Entry {
        Label label;
        std::uint32_t node;
    };
    std::vector<Entry> heap;
    static bool later(const Entry& a, const Entry& b) { return b.label < a.label; }
    void push(const Label& label, std::uint32_t node) {
        heap.push_back({label, node});
        std::push_heap(heap.begin(), heap.end(), later);
    }
    Entry pop() {
        std::pop_heap(heap.begin(), heap.end(), later);
        const Entry top = heap.back();
        heap.pop_back();
        return top;
    }
};

inline double extend(double metres, double arc_m) { return metres + arc_m; }

template <class Label, class Offer, class Settled>
void dijkstra(const WalkGraph& graph, Frontier<Label>& frontier, const std::vector<Label>& labels, const Offer& offer,
              const Settled& settled) {
    while (!frontier.heap.empty()) {
        const auto top = frontier.pop();
        if (labels[top.node] < top.label) continue;   // superseded by a shorter label pushed later
        settled(top.node);
        for (std::uint32_t a = graph.arc_begin(top.node); a < graph.arc_end(top.node); ++a)
            offer(graph.head(a), extend(top.label, graph.metres(a)));
    }
}

// A reusable bounded Dijkstra. Its buffers are sized to the network once; each run resets only the nodes the
// previous run touched, so thousands of small searches cost what they touch, not the size of the network.
// One instance per thread.
class BoundedSearch {
public:
    static constexpr double unreached = std::numeric_limits<double>::infinity();

    explicit BoundedSearch(const WalkGraph& graph);

    // Distances from the nearest of `sources` to every node, for the nodes within bound_m; every other node stays
    // `unreached`. A source whose access leg alone exceeds the bound seeds nothing.
    void run(std::span<const Snap> sources, double bound_m);

    double bound() const { return bound_; }
    double node_distance(std::uint32_t node) const { return distance_[node]; }
    // The nodes within the bound, in the order they were settled (non-decreasing distance).
    const std::vector<std::uint32_t>& settled() const { return settled_; }
    // Distance from the sources of the last run to a snapped point, its access leg included: the shorter of the way
    // through either end node of its edge and the direct way from a source on the same edge (sources are kept sorted
    // by edge: a lookup costs log(sources) plus the sources on that edge). `unreached` when that exceeds the bound.
    double distance_to(const Snap& target) const;

private:
    const WalkGraph* graph_;
    std::vector<double> distance_;
    std::vector<std::uint32_t> settled_;
    std::vector<std::uint32_t> touched_;
    std::vector<Snap> sources_;
    double bound_ = 0;
};

// One-shot form: the distance of every node from the nearest source, `unreached` (+infinity) beyond bound_m.
// Pass +infinity as the bound for an unbounded search.
std::vector<double> node_distances(const WalkNetwork& net, std::span<const Snap> sources, double bound_m);

}  // namespace gridatlas::access
