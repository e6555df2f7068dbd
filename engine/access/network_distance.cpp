// Bounded Dijkstra with a binary heap over a CSR adjacency. Labels above the bound are never stored, so the search
// stops by itself once the heap holds nothing within it.
#include "access/network_distance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gridatlas::access {

WalkGraph::WalkGraph(const WalkNetwork& net) : net_(&net) {
    const auto& edges = net.edges();
    start_.assign(net.nodes().size() + 1, 0);
    for (const auto& e : edges) {
        ++start_[e.from + 1];
        ++start_[e.to + 1];
    }
    std::partial_sum(start_.begin(), start_.end(), start_.begin());
    head_.resize(2 * edges.size());
    edge_.resize(2 * edges.size());
    metres_.resize(2 * edges.size());
    std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
    for (std::uint32_t i = 0; i < edges.size(); ++i) {
        const auto& e = edges[i];
        const std::uint32_t a = fill[e.from]++;
        head_[a] = e.to;
        edge_[a] = i;
        metres_[a] = e.length_m;
        const std::uint32_t b = fill[e.to]++;
        head_[b] = e.from;
        edge_[b] = i;
        metres_[b] = e.length_m;
    }
}

BoundedSearch::BoundedSearch(const WalkGraph& graph)
    : graph_(&graph), distance_(graph.node_count(), unreached) {}

void BoundedSearch::run(std::span<const Snap> sources, double bound_m) {
    for (std::uint32_t n : touched_) distance_[n] = unreached;
    touched_.clear();
    settled_.clear();
    sources_.assign(sources.begin(), sources.end());
    std::stable_sort(sources_.begin(), sources_.end(), [](const Snap& a, const Snap& b) { return a.edge < b.edge; });
    bound_ = bound_m;

    Frontier<double> frontier;
    const auto offer = [&](std::uint32_t node, double metres) {
        if (!(metres <= bound_) || !(metres < distance_[node])) return;
        if (distance_[node] == unreached) touched_.push_back(node);
        distance_[node] = metres;
        frontier.push(metres, node);
    };
    const auto& edges = graph_->network().edges();
    for (const Snap& s : sources_) {
        const auto& e = edges[s.edge];
        offer(e.from, s.offset_m + s.along_m);
        offer(e.to, s.offset_m + (e.length_m - s.along_m));
    }
    dijkstra(*graph_, frontier, distance_, offer, [this](std::uint32_t node) { settled_.push_back(node); });
}

double BoundedSearch::distance_to(const Snap& target) const {
    const auto& e = graph_->network().edges()[target.edge];
    double best = std::min(distance_[e.from] + target.along_m, distance_[e.to] + (e.length_m - target.along_m));
    const auto same_edge = std::equal_range(sources_.begin(), sources_.end(), target,
                                            [](const Snap& a, const Snap& b) { return a.edge < b.edge; });
    for (auto s = same_edge.first; s != same_edge.second; ++s)
        best = std::min(best, s->offset_m + std::abs(s->along_m - target.along_m));
    best += target.offset_m;
    return best <= bound_ ? best : unreached;
}

std::vector<double> node_distances(const WalkNetwork& net, std::span<const Snap> sources, double bound_m) {
    const WalkGraph graph(net);
    BoundedSearch search(graph);
    search.run(sources, bound_m);
    std::vector<double> out(net.nodes().size(), BoundedSearch::unreached);
    for (std::uint32_t n : search.settled()) out[n] = search.node_distance(n);
    return out;
}

}  // namespace gridatlas::access
