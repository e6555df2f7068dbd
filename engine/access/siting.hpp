// Where to build: for one service kind, choose new sites among candidates so that as many households as possible that
// no existing facility reaches in time come within the walking threshold (the maximal covering location problem),
// and the fewest sites that bring the covered share up to a target.
//
// Existing facilities stay where they are: their households are marked covered on the demand points and count for
// nobody's gain. A candidate covers a demand point when the network distance from the candidate to the point, both
// access legs included (the compute_access convention), is within threshold × 60 × speed. Coverage sets come from one
// bounded Dijkstra per candidate, bounded by that distance, so each search touches only the network within a walk of
// the threshold around the candidate; the searches run on several threads and give the same sets whatever the number.
//
// Selection is greedy on marginal gain, evaluated lazily (CELF): coverage is submodular, so a candidate's gain can
// only fall as sites are added, and a stale gain is an upper bound that needs recomputing only when it reaches the top
// of the queue. The lazy and the plain greedy choose identical sites: both take the largest gain, ties to the lowest
// candidate index. Greedy is within 1 − 1/e of the best k sites; fewest_sites_for_share is greedy set cover, which is
// not guaranteed minimal.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "geometry/types.hpp"
#include "model/dataset.hpp"

namespace gridatlas::access {

struct SitingCandidate {
    std::string id;                  // for reports: a candidate layer's id, a building's source id, "node:<index>"
    geo::Point location;
    std::optional<Snap> snap;        // an unsnapped candidate covers nothing
};

struct DemandPoint {
    BuildingId building;             // for reports; not used by the computation
    std::size_t households = 0;
    std::optional<Snap> snap;        // an unsnapped point can never be covered by a new site
    bool covered = false;            // already within the threshold of an existing facility
    std::vector<Snap> other_snaps;   // a building's other entrances: covered when any of its snaps is within reach
};

// The covering problem after the network has been searched: which uncovered demand points each candidate covers.
// Plain data, so that a caller (or a test) can also state a problem directly.
struct CoverageModel {
    std::vector<std::string> candidate_ids;     // per candidate
    std::vector<std::size_t> households;        // per demand point
    std::vector<bool> initially_covered;        // per demand point
    std::vector<std::size_t> start;             // candidate c covers demand points cover[start[c] .. start[c + 1]):
                                                // size_t, the sum over candidates can pass 2^32
    std::vector<std::uint32_t> cover;           // demand indices, ascending per candidate; initially covered points
                                                // and points without households are left out

    std::size_t candidate_count() const { return candidate_ids.size(); }
    std::span<const std::uint32_t> covers(std::size_t candidate) const {
        return {cover.data() + start[candidate], cover.data() + start[candidate + 1]};
    }
    std::size_t total_households() const;
    std::size_t initially_covered_households() const;
};

// Searches the network from every candidate. threshold_m = threshold minutes × 60 × speed. threads = 0: one per
// hardware thread. Throws std::invalid_argument unless threshold_m is finite and >= 0.
CoverageModel coverage_model(const WalkNetwork& net, const std::vector<SitingCandidate>& candidates,
                             const std::vector<DemandPoint>& demand, double threshold_m, unsigned threads = 0);

struct ChosenSite {
    std::size_t candidate = 0;                  // index into the candidates
    std::string id;                             // the candidate's id
    std::size_t newly_covered_households = 0;
    std::size_t newly_covered_points = 0;       // demand points (buildings) newly covered
    std::size_t covered_before = 0;             // households covered before this site was added
    std::size_t covered_after = 0;
    double share_before = 0;                    // covered / total households (0 when there are none)
    double share_after = 0;
};

struct SitingResult {
    std::size_t total_households = 0;
    std::size_t covered_before = 0;             // by the existing facilities
    std::size_t covered_after = 0;              // with every chosen site
    double share_before = 0;
    double share_after = 0;
    std::vector<ChosenSite> sites;              // in the order chosen
    bool target_reached = true;                 // fewest_sites_for_share: whether the target share was reached
};

// Up to k sites by lazy greedy; stops early when no candidate adds any household.
SitingResult choose_sites(const CoverageModel& model, std::size_t k);
// The same choice by plain greedy (every gain recomputed every round): the reference the lazy one is tested against.
SitingResult choose_sites_plain_greedy(const CoverageModel& model, std::size_t k);
// Greedy sites until covered / total >= target_share (0..1), at most max_sites. target_reached tells whether it got
// there; when it cannot (no candidate reaches the remaining households) the sites that help are still reported.
SitingResult fewest_sites_for_share(const CoverageModel& model, double target_share,
                                    std::size_t max_sites = std::numeric_limits<std::size_t>::max());

// Candidates when no candidate layer is given.
// The residential buildings that compute_access snapped, id = the building's source id, in building order, each at
// its point nearest the network (its anchor, or for a building with entrances the entrance nearest a road).
std::vector<SitingCandidate> candidates_from_buildings(const Dataset& ds, const AccessResult& access);
// Every node of the network on a way a building may join (WalkNetwork::Edge::joinable), id = "node:<index>", located
// on the node (no access leg); nodes only on tunnels, bridges and other join-excluded ways are no sites.
std::vector<SitingCandidate> candidates_from_nodes(const WalkNetwork& net);
// A candidate layer: (id, location) pairs snapped like facilities; farther than max_snap_m they stay unsnapped.
std::vector<SitingCandidate> candidates_from_points(const WalkNetwork& net,
                                                    const std::vector<std::pair<std::string, geo::Point>>& points,
                                                    double max_snap_m);

// Demand for one kind: every residential building with its households (per building index, e.g.
// Statistics::buildings[i].households; missing entries count 0), its snaps from compute_access (the one nearest the
// network, and its other snapped entrances), and covered when `kind` reaches it within its threshold.
std::vector<DemandPoint> demand_from_access(const Dataset& ds, const AccessResult& access, const KindAccess& kind,
                                            const std::vector<std::size_t>& households_per_building);

}  // namespace gridatlas::access
