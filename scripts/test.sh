#!/usr/bin/env bash
# Installs what is missing, then builds and runs the test suites: by default every suite CI
# runs, in this order:
#   release  the whole ctest suite against the optimised build (includes the bench smoke run)
#   package  the Debian package of the Release build: lintian, apt-get install, run as the
#            service user, purge (scripts/package-test.sh; root, installs on this machine)
#   examples every client in examples/ (Python and JavaScript) against the Release coordinator
#            (tests/examples/run.py; `npm ci` installs ws from examples/js/package-lock.json),
#            and docs/grafana-dashboard.json against the node's /metrics
#   cluster  cluster mode against real etcd: 3 etcd members and 2-3 Release coordinators on
#            127.0.0.1, killed, frozen and restarted by tests/cluster/run.py (docs/cluster.md)
#   browser  /dashboard in Debian's headless chromium (tests/browser, playwright-core) against
#            the release binary; saves build/browser/dashboard.png
#   asan     the whole ctest suite again, everything built with AddressSanitizer + UBSan
#   fuzz     a short run of every libFuzzer target, plus the regression inputs (scripts/fuzz.sh)
# Not in CI: tsan, the whole suite under ThreadSanitizer against CAF itself built with TSan
# (scripts/caf-tsan.sh, once), no suppressions; ~8 min here with a warm ccache, ~35 cold.
# Name presets to run only those: `bash scripts/test.sh release` is the quick check.
# Extra ctest arguments go after `--`: `bash scripts/test.sh release -- -R e2e`.
set -euo pipefail
cd "$(dirname "$0")/.."
presets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do presets+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#presets[@]} -eq 0 ] && presets=(release package examples cluster browser asan fuzz)
jobs=${JOBS:-$(nproc)}
# Clones at other paths share the compiler cache (scripts/build.sh does the same).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}

bash scripts/setup.sh
for p in "${presets[@]}"; do
  start=$(date +%s)
  case "$p" in
    release)
      bash scripts/build.sh
      ctest --preset release "$@" ;;
    asan|tsan)
      [ "$p" = tsan ] && bash scripts/caf-tsan.sh
      cmake --preset "$p" >/dev/null
      cmake --build --preset "$p" -j "$jobs"
      ctest --preset "$p" "$@" ;;
    fuzz)
      bash scripts/fuzz.sh smoke ;;
    examples)
      # a no-op after the release stage; builds only the coordinator when run alone
      cmake --preset release >/dev/null
      cmake --build --preset release -j "$jobs" --target coordinator
      python3 tests/examples/run.py --coordinator build/release/bin/coordinator
      # the Grafana dashboard of docs/ names only series the node really exposes
      python3 docs/tools/check_dashboard.py --binary build/release/bin/coordinator ;;
    package)
      bash scripts/package-test.sh ;;
    cluster)
      # a no-op after the release stage; builds only the coordinator when run alone
      cmake --preset release >/dev/null
      cmake --build --preset release -j "$jobs" --target coordinator
      python3 tests/cluster/run.py --coordinator build/release/bin/coordinator ;;
    browser)
      bash scripts/build.sh # nothing to do after the release stage
      (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
      mkdir -p build/browser
      node tests/browser/dashboard_test.mjs build/release/bin/coordinator build/browser/dashboard.png ;;
    *)
      echo "test.sh: unknown preset '$p' (release, package, examples, cluster, browser, asan, tsan, fuzz)" >&2
      exit 2 ;;
  esac
  echo "test.sh: $p passed in $(( $(date +%s) - start )) s"
done
