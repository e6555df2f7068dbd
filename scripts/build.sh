#!/usr/bin/env bash
# Configures and builds GridAtlas (Release) into build/. The CLI ends up at build/bin/gridatlas.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
