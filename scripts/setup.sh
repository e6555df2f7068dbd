#!/usr/bin/env bash
# The one command for a fresh Debian 12 machine: install dependencies, build, run the main job on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build/bin/gridatlas run data/sample/project.toml -o out/sample
