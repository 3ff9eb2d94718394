#!/usr/bin/env bash
# Configures and builds the Release preset (coordinator, tests, bench) into build/release.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
# Paths inside the tree are hashed relative to it: clones at other paths share the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
