#!/usr/bin/env bash
# Builds the unit tests of engine/ and layers/ with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
# runs them. Any sanitizer report fails the run (halt_on_error, no recovery from undefined behaviour).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(test_access test_access_planning test_hierarchy test_grid_check test_assign test_organisation test_placement
         test_sample test_layers)
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DGRIDATLAS_SANITIZE=ON -DGRIDATLAS_BUILD_BENCHMARKS=OFF "${launcher[@]}" >/dev/null
cmake --build build-asan -j"$(nproc)" --target "${targets[@]}"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
failed=()
for t in "${targets[@]}"; do
  echo "sanitize: $t"
  build-asan/bin/"$t" --gtest_brief=1 || failed+=("$t")
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "sanitize: FAILED: ${failed[*]}"
  exit 1
fi
echo "sanitize: ${#targets[@]} test programs clean under ASan+UBSan"
