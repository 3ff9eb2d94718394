#!/usr/bin/env bash
# The long run of the kill -9 fault test (docs/reliability.md): ROUNDS times "stream
# of changes on every write path, kill -9 at a random moment, restart on the same database,
# check that nothing acknowledged or broadcast is lost". CI runs 10 rounds; this runs more.
#   usage: bash scripts/kill9_loop.sh [ROUNDS] [SEED]      (defaults: 200, random)
# Prints one line per round and a summary; the log is kept in build/kill9_loop.log.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-200}
bin=build/release/tests/e2e_tests
if [ ! -x "$bin" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target e2e_tests coordinator
fi
envs=(COORD_FAULT_ITERATIONS="$rounds")
[ -n "${2:-}" ] && envs+=(COORD_FAULT_SEED="$2")
start=$(date +%s)
env "${envs[@]}" "$bin" --run_test=faults/kill_9_mid_stream_loses_no_acknowledged_or_broadcast_change \
  --log_level=message --color_output=no 2>&1 | tee build/kill9_loop.log
status=${PIPESTATUS[0]}
echo "kill9_loop: rounds=$rounds exit=$status wall=$(( $(date +%s) - start ))s log=build/kill9_loop.log"
exit "$status"
