#!/usr/bin/env bash
# Tiles: the naive way against `gridatlas tiles` on the bundled sample (bench/tiles_bench.cpp).
#   1. builds bench_tiles (Release, GRIDATLAS_BUILD_BENCHMARKS=ON) in $BUILD if needed;
#   2. renders the same zoom range over the sample's extent twice — one Mapnik render per 256 px tile on one thread,
#      then `gridatlas tiles` (8×8 metatiles, one Map per thread on every core) into a directory and an MBTiles file;
#   3. prints tiles/s for both, the ratio (also per CPU-second, which other load on the machine does not skew) and
#      fails if the two produced different sets of tiles.
# Environment: BUILD (default build), OUT (default out/bench/tiles), JOBS (default 2), ZOOM (default 12-17).
# Extra arguments go to bench_tiles (--threads N, --metatile N, --scale 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
OUT="${OUT:-out/bench/tiles}"
JOBS="${JOBS:-2}"
ZOOM="${ZOOM:-12-17}"

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGRIDATLAS_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$BUILD" --target bench_tiles -j"$JOBS" >/dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work on the machine slows the threads)"
"$BUILD/bin/bench_tiles" data/sample/project.toml --zoom "$ZOOM" --out "$OUT" "$@"
