#!/usr/bin/env bash
# Configures and builds the Release preset (coordinator, tests, bench) into build/release.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
