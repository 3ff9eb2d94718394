#!/usr/bin/env bash
# ctest bench_smoke: start a coordinator on port 0, run a small companion fanout and a small
# gateway routing run (2 sharders, 2 commands workers, 200 EXECUTE_COMMANDs); pass on `ok`
# from both.
# usage: smoke.sh COORDINATOR_BINARY LOAD_BINARY
set -u
COORD_BIN=${1:?coordinator binary}
LOAD_BIN=${2:?load binary}
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC_DIR/bench/node.sh"
trap stop_node EXIT
start_node --limits.messages_per_minute=0 --companion.key=bench-key \
  --gateway.secret=bench-secret --gateway.shard_count=2 --gateway.sharders=2 || exit 1
out=$("$LOAD_BIN" --port "$NODE_PORT" --scenario fanout --sessions 20 --rounds 5 --seconds 30 \
      --key bench-key --pid "$NODE_PID")
rc=$?
echo "$out"
{ [ $rc -eq 0 ] && grep -qx ok <<<"$out"; } || exit 1
# 200 commands at 2000/s: every one must reach a worker, each guild on one worker, in order.
out=$("$LOAD_BIN" --port "$NODE_PORT" --scenario route --sharders 2 --workers 2 --guilds 50 \
      --rates 2000 --step-seconds 0.1 --seconds 30 --secret bench-secret --pid "$NODE_PID")
rc=$?
echo "$out"
[ $rc -eq 0 ] && grep -qx ok <<<"$out" \
  && grep -qx 'route_2000_received=200' <<<"$out" \
  && grep -qx 'route_violations=0' <<<"$out" \
  && grep -qx 'route_order_violations=0' <<<"$out" \
  && grep -qx 'metrics_commands_routed=200' <<<"$out"
