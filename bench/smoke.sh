#!/usr/bin/env bash
# ctest bench_smoke: start a coordinator on port 0, run a small fanout, pass on `ok`.
# usage: smoke.sh COORDINATOR_BINARY LOAD_BINARY
set -u
COORD_BIN=${1:?coordinator binary}
LOAD_BIN=${2:?load binary}
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC_DIR/bench/node.sh"
trap stop_node EXIT
start_node --limits.messages_per_minute=0 --companion.key=bench-key || exit 1
out=$("$LOAD_BIN" --port "$NODE_PORT" --scenario fanout --sessions 20 --rounds 5 --seconds 30 \
      --key bench-key --pid "$NODE_PID")
rc=$?
echo "$out"
[ $rc -eq 0 ] && grep -qx ok <<<"$out"
