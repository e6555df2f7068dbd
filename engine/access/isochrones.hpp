// Isochrones: the area reachable on foot within 5, 10, 15 … minutes of a facility or of every facility of a kind.
//
// Drawn from the network, not from circles: the reachable part of every edge is found exactly (an edge that is only
// partly within the budget is cut at the point where the budget runs out, from each end that is reached and from a
// source lying on the edge itself), each reachable piece is buffered by a fixed width (the band of buildings along a
// street that a walker on it serves) and the buffers are unioned. Because only reachable edges are buffered, an area
// never jumps across a river, a railway or a block without paths, and a block ringed by reachable streets but not
// crossed by any stays a hole in the polygon.
//
// Distances follow compute_access: they start at the facility's own access leg (Snap::offset_m counts against the
// budget). The leg itself is not drawn; the buffer width normally exceeds it.
#pragma once
#include <string>
#include <vector>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "geometry/types.hpp"
#include "model/dataset.hpp"

namespace gridatlas::access {

enum class BufferCap : std::uint8_t {
    round,   // a walker can step off the end of the reach a little: the natural default
    flat,    // the reach ends exactly where the budget runs out (pieces meeting at a node may leave a notch)
};

struct IsochroneOptions {
    double speed_m_per_s = 1.1;
    double buffer_m = 50;             // half-width of the band around each reachable piece of street
    BufferCap cap = BufferCap::round;
    int quadrant_segments = 8;        // segments per quarter circle of round caps and joins (GEOS default)
};

struct Isochrone {
    double minutes = 0;
    double budget_m = 0;                    // minutes × 60 × speed
    std::vector<geo::LineString> reachable; // the reachable pieces of edges, at most a few per edge, by edge index
    double reachable_length_m = 0;          // total length of `reachable`
    geo::MultiPolygon area;                 // the buffered, unioned pieces; empty when nothing is reachable
};

// One isochrone per entry of minutes_bands, in that order, from the nearest of `sources` (one facility, or every
// facility of a kind). Bands need not be sorted; the network is searched once, up to the largest band.
// Pieces shorter than a millimetre (a budget that runs out exactly at a node) are left out.
// Cost is dominated by the GEOS union (about 0.4 s for a 15-minute isochrone of 25 facilities on the sample, 4,000
// pieces); fewer quadrant_segments make it cheaper. Calls share nothing but the read-only network and each uses its
// own GEOS context, so per-kind or per-facility isochrones can run on separate threads.
// Throws std::invalid_argument unless speed and buffer are positive and finite and every band is finite and >= 0;
// throws geo::GeometryError when GEOS fails.
std::vector<Isochrone> isochrones(const WalkNetwork& net, const std::vector<Snap>& sources,
                                  const std::vector<double>& minutes_bands, const IsochroneOptions& options);

// The same for every facility of `ds` (an empty vector for a facility compute_access could not snap) and for every
// service kind (all its snapped facilities together, in Dataset::service_kinds order), spread over `threads` threads
// (0: one per hardware thread). Results do not depend on the number of threads.
std::vector<std::vector<Isochrone>> facility_isochrones(const Dataset& ds, const WalkNetwork& net,
                                                        const AccessResult& access,
                                                        const std::vector<double>& minutes_bands,
                                                        const IsochroneOptions& options, unsigned threads = 0);
std::vector<std::vector<Isochrone>> kind_isochrones(const Dataset& ds, const WalkNetwork& net, const AccessResult& access,
                                                    const std::vector<double>& minutes_bands,
                                                    const IsochroneOptions& options, unsigned threads = 0);

// Convenience over compute_access's snaps: the snapped facilities of `kind`, in facility order (unsnapped ones
// take no part, as in compute_access). One facility's isochrone: pass {*access.facility_snaps[f]}.
std::vector<Snap> facility_sources(const Dataset& ds, const AccessResult& access, const std::string& kind);

}  // namespace gridatlas::access
