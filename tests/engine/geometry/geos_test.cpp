// The GEOS wrapper: owning collections, conversions that round-trip, and GeometryError messages that name the record
// and a coordinate.
#include "geometry/geos.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../tiny_world.hpp"

namespace gridatlas::geo {
namespace {

TEST(GeosCollection, OwnsItsPartsAndKeepsThemAll) {
    GeosContext ctx;
    std::vector<GeosGeom> parts;
    parts.push_back(to_geos(ctx, test::rect(0, 0, 10, 10)));
    parts.push_back(to_geos(ctx, test::rect(20, 0, 30, 10)));
    const GeosGeom all = collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));
    EXPECT_EQ(GEOSGetNumGeometries_r(ctx.handle(), all.get()), 2);
    double area = 0;
    ASSERT_EQ(GEOSArea_r(ctx.handle(), all.get(), &area), 1);
    EXPECT_DOUBLE_EQ(area, 200.0);
}

TEST(GeosCollection, MultiPolygonWithAHoleRoundTrips) {
    GeosContext ctx;
    MultiPolygon mp = test::rect(0, 0, 10, 10);
    Polygon hole;
    hole.outer() = {{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}};
    mp.front().inners().push_back(hole.outer());
    bg::correct(mp);
    const MultiPolygon back = to_multipolygon(ctx, to_geos(ctx, mp).get());
    EXPECT_DOUBLE_EQ(bg::area(back), 96.0);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back.front().inners().size(), 1u);
}

TEST(GeometryErrorMessage, NamesTheRecordAndACoordinate) {
    GeometryError e("GEOSIntersection: TopologyException");
    EXPECT_STREQ(e.what(), "GEOSIntersection: TopologyException");
    e.set_id("building", "B12");
    e.set_coordinate(Point(500123.44, 3300456.75));
    EXPECT_STREQ(e.what(), "GEOSIntersection: TopologyException (building 'B12' near 500123.4 3300456.8)");
    e.set_id("grid", "G1");   // the innermost record, set first, is kept
    EXPECT_EQ(e.id(), "B12");
}

TEST(GeometryErrorMessage, AFailingCallThrowsWithGeosMessage) {
    GeosContext ctx;
    // A linear ring needs a closed sequence: GEOS refuses an open one of four distinct points.
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx.handle(), 4, 2);
    GEOSCoordSeq_setXY_r(ctx.handle(), seq, 0, 0, 0);
    GEOSCoordSeq_setXY_r(ctx.handle(), seq, 1, 1, 0);
    GEOSCoordSeq_setXY_r(ctx.handle(), seq, 2, 1, 1);
    GEOSCoordSeq_setXY_r(ctx.handle(), seq, 3, 0, 1);
    try {
        own(ctx, GEOSGeom_createLinearRing_r(ctx.handle(), seq), "GEOSGeom_createLinearRing");
        FAIL() << "an open ring was accepted";
    } catch (const GeometryError& e) {
        EXPECT_NE(std::string(e.what()).find("GEOSGeom_createLinearRing: "), std::string::npos) << e.what();
        EXPECT_GT(std::string(e.what()).size(), std::string("GEOSGeom_createLinearRing: ").size());
    }
}

}  // namespace
}  // namespace gridatlas::geo
