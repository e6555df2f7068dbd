// The walking network: walkable road lines turned into a graph, noded where lines share a vertex, and the snapping
// of arbitrary points onto the nearest point of the nearest edge — of the edges a person can enter from the street
// (RoadLine::joinable), or of any edge.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "geometry/types.hpp"
#include "model/records.hpp"

namespace gridatlas::access {

// Where a point joins the network: on edge `edge`, `along_m` metres from the edge's `from` node, reached by a
// straight access leg of `offset_m` metres. The edge is conceptually split there (no snapping to a far node).
// Which edges a point may join. Tunnels, bridges and the like (RoadLine::joinable false) are walked through but are
// no door's way out: buildings and facilities join `street` edges, an entrance point (a mapped door) `any_way`.
enum class JoinTo : std::uint8_t { street, any_way };

struct Snap {
    std::uint32_t edge = 0;
    double along_m = 0;
    double offset_m = 0;
    geo::Point on_edge;
};

class WalkNetwork {
public:
    struct Node {
        geo::Point location;
        std::uint32_t component = 0;   // connected component id
    };
    struct Edge {
        std::uint32_t from = 0;
        std::uint32_t to = 0;
        double length_m = 0;
        geo::LineString geometry;       // from → to
        std::uint32_t road = 0;         // index of the RoadLine it came from
        bool joinable = true;           // RoadLine::joinable: a `street` snap may land here
    };

    // Builds from the walkable lines of `roads`. Two lines join at a shared vertex (coordinates equal to 1 cm) when
    // their levels are equal, or when the vertex is an end point of either line (OSM: bridges join at their ends).
    // Lines that merely cross do not join; lines that share a vertex without joining get separate nodes there.
    static WalkNetwork build(const std::vector<RoadLine>& roads);

    const std::vector<Node>& nodes() const { return nodes_; }
    const std::vector<Edge>& edges() const { return edges_; }
    std::size_t component_count() const { return component_count_; }

    // Nearest point on the nearest edge within max_distance_m, or nothing: among the joinable edges (`street`) or
    // among all (`any_way`). Equally near edges: the lowest index wins.
    std::optional<Snap> snap(const geo::Point& p, double max_distance_m, JoinTo to = JoinTo::street) const;

private:
    std::vector<Node> nodes_;
    std::vector<Edge> edges_;
    std::size_t component_count_ = 0;
    struct Index;
    std::shared_ptr<const Index> index_;   // R-trees over edge segments (joinable ones, the others), built once, shared
                                           // read-only
};

}  // namespace gridatlas::access
