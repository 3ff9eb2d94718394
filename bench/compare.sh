#!/usr/bin/env bash
# bench/compare.sh: S2 (fanout at 1000 and 10000 sessions) and S4 (routing ramp, no flood step)
# of bench/run.sh, alternating between two builds, so a refactor is measured against the code
# before it on the same machine in the same minutes.
# usage: bench/compare.sh BEFORE_BIN_DIR AFTER_BIN_DIR [ROUNDS]
#   each BIN_DIR holds `coordinator` and `load` (e.g. a copy of build/release/bin)
# Prints one line per run and the medians per build. Run it on a quiet machine.
set -u
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BEFORE=${1:?usage: bench/compare.sh BEFORE_BIN_DIR AFTER_BIN_DIR [ROUNDS]}
AFTER=${2:?usage: bench/compare.sh BEFORE_BIN_DIR AFTER_BIN_DIR [ROUNDS]}
ROUNDS=${3:-3}
KEY=bench-key; SECRET=bench-secret; ADMIN=bench-admin
. "$SRC_DIR/bench/node.sh"
trap stop_node EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
OUT=$(mktemp)

# one BUILD LABEL NODE_OPTIONS -- LOAD_ARGS...: a fresh node, one load run; appends
# "build label key value" lines to $OUT.
one() {
  local build=$1 label=$2 node_opts=$3; shift 4
  COORD_BIN=$build/coordinator
  # shellcheck disable=SC2086  # node_opts is a list of options
  start_node --limits.messages_per_minute=0 --companion.key=$KEY --gateway.secret=$SECRET \
    --admin.token=$ADMIN $node_opts || return 1
  "$build/load" --port "$NODE_PORT" --key $KEY --secret $SECRET --admin-token $ADMIN \
    --pid "$NODE_PID" "$@" 2>&1 | sed -n 's/^\([a-z0-9_]*\)=\([0-9.]*\)$/\1 \2/p' |
    while read -r k v; do echo "$build $label $k $v"; done >>"$OUT"
  stop_node
}

GW="--gateway.shard_count=4 --gateway.sharders=4"
for r in $(seq 1 "$ROUNDS"); do
  for b in "$BEFORE" "$AFTER"; do
    one "$b" s2_1000 "" -- --scenario fanout --sessions 1000 --rounds 50 --seconds 180
    one "$b" s2_10000 "" -- --scenario fanout --sessions 10000 --rounds 50 --seconds 180
    one "$b" s4 "$GW" -- --scenario route --sharders 4 --workers 2 --guilds 10000 --payload 300 \
      --rates 5000,10000,20000,50000,80000 --step-seconds 2 --flood-seconds 0 --seconds 120
    echo "round $r $b done" >&2
  done
done

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
for label_key in s2_1000:fanout_p50_ms s2_1000:fanout_p99_ms s2_10000:fanout_p50_ms \
                 s2_10000:fanout_p99_ms s4:route_max_rate_meeting_target s4:route_80000_p99_ms s4:route_50000_p99_ms; do
  label=${label_key%%:*}; key=${label_key#*:}
  b=$(awk -v B="$BEFORE" -v l="$label" -v k="$key" '$1==B && $2==l && $3==k {print $4}' "$OUT" | median)
  a=$(awk -v B="$AFTER" -v l="$label" -v k="$key" '$1==B && $2==l && $3==k {print $4}' "$OUT" | median)
  all_b=$(awk -v B="$BEFORE" -v l="$label" -v k="$key" '$1==B && $2==l && $3==k {printf "%s ", $4}' "$OUT")
  all_a=$(awk -v B="$AFTER" -v l="$label" -v k="$key" '$1==B && $2==l && $3==k {printf "%s ", $4}' "$OUT")
  printf '%-9s %-24s before median %-8s (%s)  after median %-8s (%s)\n' "$label" "$key" "$b" "$all_b" "$a" "$all_a"
done
rm -f "$OUT"
