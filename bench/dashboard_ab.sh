#!/usr/bin/env bash
# Does one open dashboard cost the hot paths anything? Runs S2 (fan-out, 1000 sessions) and S4
# (routing ramp) of bench/run.sh on a fresh node each time, alternately without and with one
# headless dashboard open (bench/dashboard_open.sh), ROUNDS times each, and prints both series.
#   bench/dashboard_ab.sh [ROUNDS] [BUILD_DIR]     (default 3, build/release; ~8 min at 3)
# Needs coordinator and load built, chromium and tests/browser's npm packages (scripts/setup.sh).
# Run it on a quiet machine: the client, the node and the browser share the CPUs.
# QUICK=1 shrinks both scenarios to check the plumbing in ~1 min (its numbers mean nothing).
# POLLER=curl polls GET /api/v1/dashboard once a second with curl instead of a headless page:
# the node's cost alone, without a browser rendering on the same CPUs.
set -u
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-3}
BUILD_DIR=$(cd "${2:-$SRC_DIR/build/release}" && pwd)
COORD_BIN=$BUILD_DIR/bin/coordinator
LOAD_BIN=$BUILD_DIR/bin/load
KEY=bench-key
SECRET=bench-secret
ADMIN=bench-admin
GATEWAY_NODE="--gateway.shard_count=4 --gateway.sharders=4"
S2_ARGS="--sessions 1000 --rounds 50"
S4_ARGS="--rates 5000,10000,20000,50000,80000 --step-seconds 2 --flood-seconds 2"
if [ "${QUICK:-0}" = 1 ]; then
  S2_ARGS="--sessions 100 --rounds 5"
  S4_ARGS="--rates 1000 --step-seconds 1 --flood-seconds 0"
fi
for b in "$COORD_BIN" "$LOAD_BIN"; do
  [ -x "$b" ] || { echo "missing $b (build coordinator and load first)" >&2; exit 1; }
done
. "$SRC_DIR/bench/node.sh"
DASH_PID=""
stop_dashboard() {
  if [ -n "$DASH_PID" ]; then
    kill -TERM "$DASH_PID" 2>/dev/null
    wait "$DASH_PID" 2>/dev/null
    DASH_PID=""
  fi
}
trap 'stop_dashboard; stop_node' EXIT
ulimit -n 65536 2>/dev/null || true

# run MODE LABEL node-options -- load-args...: prints the load's key=value lines.
run() {
  local mode=$1 label=$2; shift 2
  local node_opts=()
  while [ "$1" != "--" ]; do node_opts+=("$1"); shift; done
  shift
  start_node --limits.messages_per_minute=0 --companion.key=$KEY --gateway.secret=$SECRET \
    --admin.token=$ADMIN "${node_opts[@]}" || return 1
  local dash_log
  dash_log=$(mktemp)
  if [ "$mode" = dashboard ]; then
    # POLLER=curl: the polls alone, without a browser on the same CPUs (bench/dashboard_poll.sh)
    local opener=dashboard_open.sh
    [ "${POLLER:-browser}" = curl ] && opener=dashboard_poll.sh
    bash "$SRC_DIR/bench/$opener" "$NODE_PORT" "$ADMIN" 0 >"$dash_log" 2>&1 &
    DASH_PID=$!
    for _ in $(seq 1 300); do grep -q "dashboard open" "$dash_log" && break; sleep 0.1; done
    grep -q "dashboard open" "$dash_log" || { echo "dashboard did not open:" >&2; cat "$dash_log" >&2; }
    sleep 3 # let the page settle into its one-second polling
  fi
  "$LOAD_BIN" --port "$NODE_PORT" --key $KEY --secret $SECRET --admin-token $ADMIN \
    --pid "$NODE_PID" "$@" 2>&1 | sed -n "s/^\([a-z0-9_]*\)=\(.*\)$/$label $mode \1 \2/p"
  stop_dashboard
  sed -n "s/^dashboard closed: //p" "$dash_log" | sed "s/^/$label $mode dashboard /"
  rm -f "$dash_log"
  stop_node
}

RESULTS=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  for mode in none dashboard; do
    echo "== round $round: $mode" >&2
    # shellcheck disable=SC2086
    run $mode s2 -- --scenario fanout $S2_ARGS --seconds 180 >>"$RESULTS"
    # shellcheck disable=SC2086
    run $mode s4 $GATEWAY_NODE -- --scenario route --sharders 4 --workers 2 --guilds 10000 \
      --payload 300 $S4_ARGS --seconds 120 >>"$RESULTS"
  done
done

keys="s2:fanout_p50_ms s2:fanout_p99_ms s2:fanout_mean_ms s4:route_max_rate_meeting_target
s4:route_20000_p99_ms s4:route_50000_p99_ms s4:route_flood_achieved_per_s s2:dashboard s4:dashboard"
echo "| metric | without dashboard (each round) | with one dashboard open (each round) |"
echo "|---|---|---|"
for k in $keys; do
  s=${k%%:*}; m=${k#*:}
  if [ "$m" = dashboard ]; then
    echo "| $s dashboard polls during the run | - | $(awk -v s="$s" '$1==s && $2=="dashboard" && $3=="dashboard" {$1=$2=$3=""; printf "%s; ", $0}' "$RESULTS") |"
    continue
  fi
  row() { awk -v s="$s" -v mode="$1" -v m="$m" '$1==s && $2==mode && $3==m {printf "%s ", $4}' "$RESULTS"; }
  echo "| $s $m | $(row none)| $(row dashboard)|"
done
rm -f "$RESULTS"
