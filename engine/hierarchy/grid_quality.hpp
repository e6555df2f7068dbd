// How good a set of drawn grids is, and what it is compared with.
//
// Quality: balance (households per grid: min, max, mean, coefficient of variation, how many in the target range),
// compactness (Polsby–Popper 4πA/P²: 1 a circle, 0.785 a square), contiguity (grids of more than one polygon) and
// buildings cut by a grid boundary. The statistics are over the grids holding households; empty grids are counted
// apart, so a lattice's empty squares over the sea do not flatter or spoil it.
//
// Baseline: the naive way to draw grids — a square lattice of the same mean area, clipped to the same area.
//
// Deterministic; each function uses its own GEOS context. GEOS failures surface as geo::GeometryError.
#pragma once
#include <cstddef>
#include <vector>

#include "geometry/types.hpp"
#include "hierarchy/grid_drawing.hpp"

namespace gridatlas::hierarchy {

struct BalanceStats {
    std::size_t regions = 0;        // all regions
    std::size_t empty = 0;          // regions holding no household
    double total = 0;               // households in all regions
    // Over the non-empty regions (0 when there are none). cv = population standard deviation / mean.
    double min = 0, max = 0, mean = 0, stddev = 0, cv = 0;
    std::size_t below = 0, within = 0, above = 0;   // non-empty regions against [target_min, target_max]
};

// Throws std::invalid_argument for a negative or non-finite weight.
BalanceStats balance(const std::vector<double>& weights, double target_min, double target_max);

struct CompactnessStats {
    std::size_t regions = 0;
    double min = 0, median = 0, mean = 0, max = 0;
};

CompactnessStats compactness(const std::vector<double>& polsby_popper_values);

struct PartitionQuality {
    BalanceStats balance;
    CompactnessStats compactness;   // Polsby–Popper of the non-empty regions
    std::size_t multipart = 0;      // regions made of more than one polygon (not contiguous)
    std::size_t buildings_cut = 0;  // footprints with at least cut_min_m2 in each of two or more regions
    double area_m2 = 0;             // summed area of the regions
};

// `regions` and `weights` run in parallel; `footprints` are the buildings to test for cuts (e.g. the dwellings).
PartitionQuality assess_partition(const std::vector<geo::MultiPolygon>& regions, const std::vector<double>& weights,
                                  double target_min, double target_max, const std::vector<geo::MultiPolygon>& footprints,
                                  double cut_min_m2 = 1.0);

// The share of grids in range, told apart for dense and sparse parents: a rural parent (hamlets in fields) and an
// urban one meet the range for different reasons, and one share over both hides which kind falls short.
struct ParentDrawing {
    double households = 0;              // households of the parent drawn in
    double area_m2 = 0;                 // the parent's area
    std::vector<double> grid_weights;   // households of each grid drawn in it
};
struct DensityClass {
    std::size_t parents = 0;
    BalanceStats balance;               // over the grids of these parents
};
struct DensitySplit {
    double sparse_below_per_km2 = 0;    // the threshold used: households per km² of the parent
    DensityClass dense, sparse;
};
inline constexpr double kSparseHouseholdsPerKm2 = 1000;   // ~3 households per hectare: villages, not towns
// A parent is sparse when it holds fewer than `sparse_below_per_km2` households per km² of its area (a parent of no
// area counts as dense). Throws std::invalid_argument as balance() does, or for a non-positive threshold.
DensitySplit split_by_density(const std::vector<ParentDrawing>& parents, double target_min, double target_max,
                              double sparse_below_per_km2 = kSparseHouseholdsPerKm2);

// Squares of `side` metres aligned on the area's south-west envelope corner, each clipped to `area`; squares
// falling wholly outside are dropped. Regions come row by row from north to south, west→east within a row. Each
// point goes to the cell covering it, else (outside the area) to the nearest cell. Throws std::invalid_argument for
// a non-positive side or more than 4 million squares.
std::vector<DrawnRegion> square_lattice(const geo::MultiPolygon& area, double side, const std::vector<WeightedPoint>& points);

}  // namespace gridatlas::hierarchy
