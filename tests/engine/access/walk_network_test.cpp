// Noding, components and snapping of the walk network on small hand-drawn networks (coordinates in metres).
#include "access/walk_network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>

namespace gridatlas::access {
namespace {

RoadLine road(std::initializer_list<geo::Point> points, int level = 0, bool walkable = true) {
    RoadLine r;
    r.line.assign(points.begin(), points.end());
    r.level = level;
    r.walkable = walkable;
    return r;
}

std::size_t nodes_at(const WalkNetwork& net, double x, double y) {
    std::size_t n = 0;
    for (const auto& node : net.nodes())
        if (node.location.x() == x && node.location.y() == y) ++n;
    return n;
}

TEST(WalkNetwork, JoinsLinesOfOneLevelAtASharedInteriorVertex) {
    const auto net = WalkNetwork::build({road({{0, 0}, {10, 0}, {20, 0}}), road({{10, -10}, {10, 0}, {10, 10}})});
    EXPECT_EQ(net.nodes().size(), 5u);
    ASSERT_EQ(net.edges().size(), 4u);
    for (const auto& e : net.edges()) EXPECT_DOUBLE_EQ(e.length_m, 10);
    EXPECT_EQ(nodes_at(net, 10, 0), 1u);
    EXPECT_EQ(net.component_count(), 1u);
}

TEST(WalkNetwork, BridgeJoinsTheGroundOnlyAtItsEnds) {
    const auto net = WalkNetwork::build({
        road({{0, -10}, {0, 0}, {0, 10}}),              // ground; the bridge starts at its interior vertex
        road({{0, 0}, {10, 0}, {20, 0}}, 1),            // bridge
        road({{10, -10}, {10, 0}, {10, 10}}),           // ground under the bridge, sharing its middle vertex
        road({{20, -10}, {20, 0}, {20, 10}}),           // ground; the bridge ends at its interior vertex
    });
    // Three nodes per line, less the two where the bridge's ends join the ground lines.
    EXPECT_EQ(net.nodes().size(), 10u);
    EXPECT_EQ(net.edges().size(), 8u);
    EXPECT_EQ(nodes_at(net, 0, 0), 1u);
    EXPECT_EQ(nodes_at(net, 20, 0), 1u);
    EXPECT_EQ(nodes_at(net, 10, 0), 2u);   // bridge and road below: same place, not joined
    EXPECT_EQ(net.component_count(), 2u);

    // Both end roads are reached over the bridge; the road below is a piece of its own.
    const auto component_of_road = [&](std::uint32_t r) {
        for (const auto& e : net.edges())
            if (e.road == r) return net.nodes()[e.from].component;
        return std::uint32_t{99};
    };
    EXPECT_EQ(component_of_road(0), component_of_road(1));
    EXPECT_EQ(component_of_road(3), component_of_road(1));
    EXPECT_NE(component_of_road(2), component_of_road(1));
}

TEST(WalkNetwork, LinesOfDifferentLevelsJoinWhereOneEnds) {
    const auto net = WalkNetwork::build({road({{0, 0}, {10, 0}}, 0), road({{10, 0}, {20, 0}}, -1)});
    EXPECT_EQ(net.nodes().size(), 3u);
    EXPECT_EQ(net.component_count(), 1u);
}

TEST(WalkNetwork, LinesCrossingWithoutASharedVertexDoNotJoin) {
    const auto net = WalkNetwork::build({road({{0, 0}, {10, 0}}), road({{5, -5}, {5, 5}})});
    EXPECT_EQ(net.nodes().size(), 4u);
    EXPECT_EQ(net.edges().size(), 2u);
    EXPECT_EQ(net.component_count(), 2u);
}

TEST(WalkNetwork, VerticesEqualToOneCentimetreAreOneNode) {
    const auto net = WalkNetwork::build({
        road({{0, 0}, {10, 0}}),
        road({{10.003, 0.002}, {10, 10}}),   // rounds to the same centimetre as (10, 0)
        road({{10.02, 0}, {20, 0}}),         // two centimetres away: its own node
    });
    EXPECT_EQ(net.nodes().size(), 5u);
    EXPECT_EQ(net.component_count(), 2u);
    // The joined end takes the node's location, so the edge starts exactly there.
    const auto& e = net.edges()[1];
    EXPECT_EQ(e.geometry.front().x(), 10);
    EXPECT_EQ(e.geometry.front().y(), 0);
    EXPECT_DOUBLE_EQ(e.length_m, 10);
}

TEST(WalkNetwork, KeepsUnsharedVerticesInsideOneEdge) {
    const auto net = WalkNetwork::build({
        road({{0, 0}, {100, 0}}, 0, false),       // not walkable: left out
        road({{0, 0}, {3, 4}, {6, 0}}),
    });
    ASSERT_EQ(net.edges().size(), 1u);
    const auto& e = net.edges()[0];
    EXPECT_EQ(e.road, 1u);
    EXPECT_EQ(e.geometry.size(), 3u);
    EXPECT_DOUBLE_EQ(e.length_m, 10);
    EXPECT_EQ(net.nodes()[e.from].location.x(), 0);
    EXPECT_EQ(net.nodes()[e.to].location.x(), 6);
}

TEST(WalkNetwork, DropsRepeatedVerticesAndLinesWithoutLengthOrWithNonFiniteCoordinates) {
    const auto net = WalkNetwork::build({
        road({{0, 0}, {0, 0}, {5, 0}, {5, 0.001}}),
        road({{1, 1}, {1, 1}}),
        road({{0, 0}, {std::nan(""), 3}, {8, 0}}),
    });
    ASSERT_EQ(net.edges().size(), 1u);
    EXPECT_EQ(net.edges()[0].geometry.size(), 2u);
    EXPECT_DOUBLE_EQ(net.edges()[0].length_m, 5);
    EXPECT_EQ(net.nodes().size(), 2u);
}

TEST(WalkNetwork, ClosedLineIsALoopAtOneNode) {
    const auto net = WalkNetwork::build({road({{0, 0}, {10, 0}, {10, 10}, {0, 0}})});
    ASSERT_EQ(net.nodes().size(), 1u);
    ASSERT_EQ(net.edges().size(), 1u);
    EXPECT_EQ(net.edges()[0].from, 0u);
    EXPECT_EQ(net.edges()[0].to, 0u);
    EXPECT_DOUBLE_EQ(net.edges()[0].length_m, 20 + std::sqrt(200.0));
}

TEST(WalkNetwork, SplitsALineAtEveryJunctionAlongIt) {
    const auto net = WalkNetwork::build({
        road({{0, 0}, {10, 0}, {20, 0}, {30, 0}}),
        road({{10, 0}, {10, 10}}),
        road({{20, 0}, {20, -10}}),
    });
    EXPECT_EQ(net.nodes().size(), 6u);
    ASSERT_EQ(net.edges().size(), 5u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(net.edges()[i].road, 0u);
        EXPECT_DOUBLE_EQ(net.edges()[i].length_m, 10);
        EXPECT_EQ(net.edges()[i].geometry.size(), 2u);
    }
    EXPECT_EQ(net.edges()[0].to, net.edges()[1].from);
}

TEST(WalkNetworkSnap, MeasuresAlongTheEdgeFromItsFromNode) {
    const auto net = WalkNetwork::build({road({{0, 0}, {3, 4}, {6, 0}})});
    // 2 m off the middle of the second segment, on its outer side.
    const auto s = net.snap({6.1, 3.2}, 250);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->edge, 0u);
    EXPECT_NEAR(s->along_m, 7.5, 1e-12);
    EXPECT_NEAR(s->offset_m, 2, 1e-12);
    EXPECT_NEAR(s->on_edge.x(), 4.5, 1e-12);
    EXPECT_NEAR(s->on_edge.y(), 2, 1e-12);
}

TEST(WalkNetworkSnap, BeyondTheLimitThereIsNoSnap) {
    const auto net = WalkNetwork::build({road({{0, 0}, {10, 0}})});
    EXPECT_FALSE(net.snap({5, 2}, 1.5));
    EXPECT_TRUE(net.snap({5, 2}, 2));
    EXPECT_FALSE(WalkNetwork::build({}).snap({0, 0}, 1000));
}

TEST(WalkNetworkSnap, EndPointsClampToTheEdge) {
    const auto net = WalkNetwork::build({road({{0, 0}, {10, 0}})});
    const auto s = net.snap({13, 4}, 250);
    ASSERT_TRUE(s);
    EXPECT_DOUBLE_EQ(s->along_m, 10);
    EXPECT_DOUBLE_EQ(s->offset_m, 5);
}

TEST(WalkNetworkSnap, EquallyNearEdgesGoToTheLowestEdgeIndex) {
    const RoadLine south = road({{0, 0}, {10, 0}});
    const RoadLine north = road({{0, 10}, {10, 10}});
    const auto a = WalkNetwork::build({south, north}).snap({5, 5}, 250);
    const auto b = WalkNetwork::build({north, south}).snap({5, 5}, 250);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->edge, 0u);
    EXPECT_EQ(a->on_edge.y(), 0);
    EXPECT_EQ(b->edge, 0u);
    EXPECT_EQ(b->on_edge.y(), 10);

    // At a junction: 1 m from both the east and the north arm.
    const auto plus = WalkNetwork::build({road({{0, 0}, {10, 0}, {20, 0}}), road({{10, -10}, {10, 0}, {10, 10}})});
    const auto c = plus.snap({11, 1}, 250);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->edge, 1u);   // (10,0)→(20,0)
    EXPECT_DOUBLE_EQ(c->along_m, 1);
}

}  // namespace
}  // namespace gridatlas::access
