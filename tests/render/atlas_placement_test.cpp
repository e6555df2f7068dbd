// Number placement of the atlas (render/atlas_placement.hpp) on made-up sites: roomy maps number every building on
// it with its households line; crowded ones move numbers beside their buildings on leader lines; too crowded ones
// report the numbers left out; and whatever happens no two numbers, no number and a mark, no number and a leader
// overlap, and every number stays inside the frame. Stairwell-unit digits keep clear of the numbers, their leaders
// and the marks, or are left out.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "atlas_placement.hpp"

namespace gridatlas::render {
namespace {

// A 400 × 300 pt map of 400 × 300 m (1 m a point), text scale 1.
MapFrame frame_of() { return MapFrame{geo::Box({0, 0}, {400, 300}), 400, 300, 1}; }

NumberPlacementInput grid_of_sites(int columns, int rows, double step, double x0, double y0) {
    NumberPlacementInput in{frame_of(), {}, {}};
    std::size_t n = 0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c)
            in.sites.push_back({++n, geo::Point(x0 + c * step, y0 - r * step), std::to_string(10 + n) + "户", true, {}});
    return in;
}

// Everything the placement promises, whatever the input.
void expect_legible(const NumberPlacementInput& in, const NumberPlacement& p) {
    std::set<std::size_t> seen;
    for (std::size_t i = 0; i < p.placed.size(); ++i) {
        const PlacedNumber& a = p.placed[i];
        EXPECT_TRUE(seen.insert(a.number).second) << a.number << " placed twice";
        EXPECT_GE(a.box.min_corner().x(), 0);
        EXPECT_GE(a.box.min_corner().y(), 0);
        EXPECT_LE(a.box.max_corner().x(), in.frame.width);
        EXPECT_LE(a.box.max_corner().y(), in.frame.height);
        for (const auto& o : in.obstacles) EXPECT_FALSE(boxes_overlap(a.box, o)) << a.number << " covers a mark";
        for (std::size_t j = i + 1; j < p.placed.size(); ++j)
            EXPECT_FALSE(boxes_overlap(a.box, p.placed[j].box)) << a.number << " overlaps " << p.placed[j].number;
    }
    for (std::size_t n : p.missing) EXPECT_FALSE(seen.count(n)) << n << " both placed and missing";
    std::size_t required = 0;
    for (const auto& s : in.sites) required += s.required;
    std::size_t placed_required = 0;
    for (const auto& a : p.placed)
        for (const auto& s : in.sites) placed_required += s.number == a.number && s.required;
    EXPECT_EQ(placed_required + p.missing.size(), required);
}

TEST(AtlasPlacement, RoomyMapNumbersEveryBuildingOnItWithItsHouseholds) {
    const auto in = grid_of_sites(5, 4, 70, 40, 260);
    const auto p = place_numbers(in);
    expect_legible(in, p);
    ASSERT_EQ(p.placed.size(), 20u);
    for (const auto& a : p.placed) {
        EXPECT_FALSE(a.leader) << a.number;
        EXPECT_EQ(a.details, std::to_string(10 + a.number) + "户");
        // centred on its building
        const geo::Point c = frame_of().to_map({(a.box.min_corner().x() + a.box.max_corner().x()) / 2,
                                                (a.box.min_corner().y() + a.box.max_corner().y()) / 2});
        EXPECT_NEAR(c.x(), in.sites[a.number - 1].anchor.x(), 1e-6);
        EXPECT_NEAR(c.y(), in.sites[a.number - 1].anchor.y(), 1e-6);
    }
}

TEST(AtlasPlacement, CrowdedBuildingsGetLeadersAndNothingOverlaps) {
    const auto in = grid_of_sites(12, 1, 8, 150, 170);   // a row of 12 buildings 8 m apart: numbers are ~25 pt wide
    const auto p = place_numbers(in);
    expect_legible(in, p);
    EXPECT_TRUE(p.missing.empty()) << p.missing.size() << " of " << in.sites.size() << " missing";
    int leaders = 0;
    for (const auto& a : p.placed) {
        leaders += a.leader;
        if (!a.leader) continue;
        const geo::Point e = leader_end(a);   // on the box's edge, nearest the building
        EXPECT_TRUE(e.x() == a.box.min_corner().x() || e.x() == a.box.max_corner().x() || e.y() == a.box.min_corner().y() ||
                    e.y() == a.box.max_corner().y());
    }
    EXPECT_GT(leaders, 0);
}

TEST(AtlasPlacement, TooCrowdedReportsWhatIsLeftOut) {
    NumberPlacementInput in = grid_of_sites(12, 12, 1, 200, 150);   // 144 buildings in 12 m × 12 m
    in.frame = MapFrame{geo::Box({150, 100}, {250, 175}), 100, 75, 1};
    const auto p = place_numbers(in);
    expect_legible(in, p);
    EXPECT_FALSE(p.missing.empty());
    EXPECT_FALSE(p.placed.empty());
}

TEST(AtlasPlacement, MarksAreKeptClearAndOptionalNumbersComeLast) {
    NumberPlacementInput in{frame_of(), {}, {}};
    const geo::Box marks({-10, -5}, {10, 5});   // nominal units around the anchor, y down
    in.sites.push_back({2, geo::Point(228, 150), "", false, {}});
    in.sites.push_back({1, geo::Point(200, 150), "", true, marks});
    in.obstacles.push_back(geo::Box({190, 145}, {210, 155}));   // the marks on the page: the centre is taken
    const auto p = place_numbers(in);
    expect_legible(in, p);
    ASSERT_EQ(p.placed.size(), 2u);
    EXPECT_EQ(p.placed[0].number, 1u);   // the required number had the first choice, though listed second
    EXPECT_FALSE(p.placed[0].leader);    // right outside its marks
    EXPECT_FALSE(p.placed[1].leader);
}

TEST(AtlasPlacement, OptionalNumbersTakeNoLeaderAndAreNeverMissing) {
    NumberPlacementInput in{frame_of(), {}, {}};
    in.sites.push_back({1, geo::Point(100, 150), "", true, {}});
    in.sites.push_back({2, geo::Point(300, 150), "", false, {}});
    in.obstacles.push_back(geo::Box({70, 120}, {130, 180}));   // nothing free on or beside either building
    in.obstacles.push_back(geo::Box({270, 120}, {330, 180}));
    const auto p = place_numbers(in);
    expect_legible(in, p);
    ASSERT_EQ(p.placed.size(), 1u);
    EXPECT_EQ(p.placed[0].number, 1u);
    EXPECT_TRUE(p.placed[0].leader);
    EXPECT_TRUE(p.missing.empty());
}

TEST(AtlasPlacement, LayersCarryNumbersAndLeadersInMapCoordinates) {
    const auto in = grid_of_sites(6, 6, 9, 180, 170);
    const auto p = place_numbers(in);
    Scene s;
    add_number_layers(s, p, in.frame);
    ASSERT_EQ(s["atlas-numbers"].features.size(), p.placed.size());
    std::size_t leaders = 0;
    for (const auto& a : p.placed) leaders += a.leader;
    EXPECT_EQ(s["atlas-leaders"].features.size(), leaders);
    EXPECT_EQ(std::get<std::string>(s["atlas-numbers"].features.front().values.front()), std::to_string(p.placed.front().number) + "号楼");
}

TEST(AtlasPlacement, FrameWithoutSizeIsRefused) {
    NumberPlacementInput in{MapFrame{geo::Box({0, 0}, {1, 1}), 0, 100, 1}, {}, {}};
    EXPECT_THROW(place_numbers(in), std::invalid_argument);
}

// Every unit digit: inside the frame, kUnitClearance from every number box and leader, over no mark and no other digit.
void expect_clear(const std::vector<PlacedUnit>& units, const NumberPlacement& p, const std::vector<geo::Box>& marks,
                  const MapFrame& frame) {
    for (std::size_t i = 0; i < units.size(); ++i) {
        const geo::Box& b = units[i].box;
        EXPECT_GE(b.min_corner().x(), 0);
        EXPECT_GE(b.min_corner().y(), 0);
        EXPECT_LE(b.max_corner().x(), frame.width);
        EXPECT_LE(b.max_corner().y(), frame.height);
        for (const auto& n : p.placed) EXPECT_GE(box_gap(b, n.box), kUnitClearance - 1e-9) << units[i].label << " near " << n.number;
        for (const auto& m : marks) EXPECT_FALSE(boxes_overlap(b, m)) << units[i].label << " over a mark";
        for (std::size_t j = i + 1; j < units.size(); ++j) EXPECT_GT(box_gap(b, units[j].box), 0) << units[i].label;
    }
}

TEST(AtlasPlacement, UnitDigitsKeepClearOfNumbersAndMarks) {
    // a 100 × 75 m map on 400 × 300 pt (1 : 700): a building numbered at (50, 40) with its four units around its anchor
    const MapFrame frame{geo::Box({0, 0}, {100, 75}), 400, 300, 1};
    NumberPlacementInput in{frame, {{1, geo::Point(50, 40), "12户", true, {}}}, {}};
    const NumberPlacement p = place_numbers(in);
    ASSERT_EQ(p.placed.size(), 1u);
    std::vector<UnitSite> units;
    for (int k = 0; k < 4; ++k) units.push_back({geo::Point(47 + 2 * k, 40), std::to_string(k + 1)});
    const std::vector<geo::Box> marks = {geo::Box({190, 150}, {210, 160})};
    const auto placed = place_unit_labels(units, p, marks, frame);
    expect_clear(placed, p, marks, frame);
    EXPECT_GE(placed.size(), 2u);   // room enough around the number for some of them
    // a digit right beside the number box (its dot at the box's edge) still keeps the clearance
    const geo::Box& nb = p.placed[0].box;
    const geo::Point edge = frame.to_map({nb.max_corner().x() + 0.5, (nb.min_corner().y() + nb.max_corner().y()) / 2});
    const auto beside = place_unit_labels({{edge, "7"}}, p, {}, frame);
    ASSERT_EQ(beside.size(), 1u);
    expect_clear(beside, p, {}, frame);
}

TEST(AtlasPlacement, UnitDigitsWithNoRoomAreLeftOutAndNoneAtSmallScales) {
    const MapFrame frame{geo::Box({0, 0}, {100, 75}), 400, 300, 1};
    // a mark covering everything around the dot: no place
    const std::vector<geo::Box> cover = {geo::Box({0, 0}, {400, 300})};
    EXPECT_TRUE(place_unit_labels({{geo::Point(50, 40), "1"}}, NumberPlacement{}, cover, frame).empty());
    // 1 : 7 000 (beyond officer.xml's unit labels): none
    const MapFrame small{geo::Box({0, 0}, {1000, 750}), 400, 300, 1};
    EXPECT_TRUE(place_unit_labels({{geo::Point(500, 400), "1"}}, NumberPlacement{}, {}, small).empty());
    EXPECT_EQ(place_unit_labels({{geo::Point(50, 40), "1"}}, NumberPlacement{}, {}, frame).size(), 1u);
    Scene scene;
    add_unit_label_layer(scene, place_unit_labels({{geo::Point(50, 40), "1"}}, NumberPlacement{}, {}, frame), frame);
    ASSERT_EQ(scene["atlas-unit-labels"].features.size(), 1u);
    const auto& at = std::get<geo::Point>(scene["atlas-unit-labels"].features[0].geometry);
    EXPECT_NEAR(at.x(), 50, 4);   // beside its dot, in map coordinates
    EXPECT_NEAR(at.y(), 40, 4);
}

}  // namespace
}  // namespace gridatlas::render
