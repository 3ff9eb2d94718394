#!/usr/bin/env bash
# bench/run.sh: run the companion load scenarios against a fresh coordinator per run and write
# BENCHMARKS.md. Build first:
#   cmake --preset release && cmake --build build/release --target coordinator load -j2
# usage: bench/run.sh [BUILD_DIR]   (default build/release; output BENCHMARKS.md in the repo)
set -u
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=$(cd "${1:-$SRC_DIR/build/release}" && pwd)
COORD_BIN=$BUILD_DIR/bin/coordinator
LOAD_BIN=$BUILD_DIR/bin/load
OUT=$SRC_DIR/BENCHMARKS.md
KEY=bench-key
for b in "$COORD_BIN" "$LOAD_BIN"; do
  [ -x "$b" ] || { echo "missing $b (build coordinator and load first)" >&2; exit 1; }
done
. "$SRC_DIR/bench/node.sh"
trap stop_node EXIT

# Both the node and load inherit this limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
NOFILE=$(ulimit -n)

RESULTS=$(mktemp)
# run_one LABEL load-args...: a fresh node per run so RSS is per scenario.
run_one() {
  local label=$1; shift
  start_node --limits.messages_per_minute=0 --companion.key=$KEY || return 1
  echo "== $label: load $*" >&2
  local out rc t0 t1 w0 w1 tck
  tck=$(getconf CLK_TCK)
  t0=$(awk '{print $14+$15}' "/proc/$NODE_PID/stat"); w0=$(date +%s.%N)
  out=$("$LOAD_BIN" --port "$NODE_PORT" --key $KEY --pid "$NODE_PID" "$@" 2>&1)
  rc=$?
  t1=$(awk '{print $14+$15}' "/proc/$NODE_PID/stat"); w1=$(date +%s.%N)
  out="$out
server_cpu_s=$(awk -v a="$t0" -v b="$t1" -v t="$tck" 'BEGIN{printf "%.2f", (b-a)/t}')
wall_s=$(awk -v a="$w0" -v b="$w1" 'BEGIN{printf "%.2f", b-a}')"
  echo "$out" >&2
  stop_node
  { echo "### $label"; echo "rc=$rc"; echo "$out"; } >>"$RESULTS"
  printf '%s\n' "$out" | sed -n 's/^\([a-z0-9_]*\)=\(.*\)$/\1 \2/p' >"$RESULTS.$label"
  [ $rc -eq 0 ]
}
get() { awk -v k="$2" '$1==k{print $2}' "$RESULTS.$1" 2>/dev/null; }
fmt() { [ -n "$1" ] && printf '%.1f' "$1" || printf 'FAILED'; }
kb2mb() { [ -n "$1" ] && awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}' || printf '-'; }

run_one s1_1000 --scenario connect --sessions 1000 --seconds 60
run_one s1_5000 --scenario connect --sessions 5000 --seconds 120
run_one s2_100  --scenario fanout --sessions 100  --rounds 50 --seconds 60
run_one s2_1000 --scenario fanout --sessions 1000 --rounds 50 --seconds 60
run_one s2_5000 --scenario fanout --sessions 5000 --rounds 50 --seconds 120
run_one s3_1000 --scenario burst --sessions 1000 --rounds 200 --seconds 120

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
MEM=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
{
  echo "# Benchmarks"
  echo
  echo "Companion dialect (\`/companion\`, SPEC.md §3) on loopback, measured by \`bench/load\`"
  echo "(Boost.Beast client, one io thread) against a fresh release \`coordinator\` per run."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs, ${CPU:-unknown CPU}, $MEM RAM, kernel $(uname -r)"
  echo "- node: \`coordinator --coordinator.port=0 --limits.messages_per_minute=0 --companion.key=$KEY\`"
  echo "  (conf/coordinator.ini defaults otherwise: \`io_threads=1\`), temp SQLite store; \`ulimit -n\` $NOFILE"
  echo "- command: \`bench/run.sh\` after \`cmake --build build/release --target coordinator load\`"
  echo "- the client and the node share the same CPUs, so every number includes the client's cost."
  echo
  echo "## S1 connect: TCP connect + websocket upgrade + op 1 handshake (128 in flight)"
  echo
  echo "| sessions | total ms | handshakes/s | handshake p50 ms | p99 ms | max ms | server RSS MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for n in 1000 5000; do
    l=s1_$n
    echo "| $n | $(fmt "$(get $l connect_total_ms)") | $(fmt "$(get $l handshakes_per_s)") | $(get $l handshake_p50_ms) | $(get $l handshake_p99_ms) | $(get $l handshake_max_ms) | $(kb2mb "$(get $l server_rss_kb)") |"
  done
  echo
  echo "## S2 fanout: one op 2 request → op 2 broadcast to every session (50 rounds)"
  echo
  echo "Latency = sending the request → the LAST session has read the broadcast."
  echo
  echo "| sessions | p50 ms | p99 ms | max ms | mean ms | server RSS MiB (after connect / end) |"
  echo "|---:|---:|---:|---:|---:|---:|"
  for n in 100 1000 5000; do
    l=s2_$n
    echo "| $n | $(get $l fanout_p50_ms) | $(get $l fanout_p99_ms) | $(get $l fanout_max_ms) | $(get $l fanout_mean_ms) | $(kb2mb "$(get $l server_rss_after_connect_kb)") / $(kb2mb "$(get $l server_rss_kb)") |"
  done
  echo
  echo "## S3 burst: 200 back-to-back op 2 requests from one session, 1000 sessions"
  echo
  echo "| sessions | requests | frames delivered | total ms | frames/s | requests/s | server RSS MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  l=s3_1000
  echo "| 1000 | $(get $l burst_requests) | $(get $l burst_frames) | $(get $l burst_total_ms) | $(fmt "$(get $l burst_frames_per_s)") | $(fmt "$(get $l burst_requests_per_s)") | $(kb2mb "$(get $l server_rss_kb)") |"
  echo
  echo "## What bounds it"
  echo
  us_frame() { awk -v ms="$(get "$1" fanout_mean_ms)" -v n="$2" 'BEGIN{if(ms!="")printf "%.1f", ms*1000/n; else printf "-"}'; }
  kb_sess=$(awk -v a="$(get s1_1000 server_rss_kb)" -v b="$(get s1_5000 server_rss_kb)" 'BEGIN{if(a!=""&&b!="")printf "%.1f", (b-a)/4000; else printf "-"}')
  echo "- **S1 connect**: ~$(fmt "$(get s1_5000 handshakes_per_s)") handshakes/s at 5000 sessions with 128 in flight;"
  echo "  each handshake is a TCP accept, an HTTP upgrade, an op 1 parse and its reply, all"
  echo "  serialised through the node's single network io thread (\`io_threads=1\`) while the client"
  echo "  runs on the same CPUs. Server memory grows by ~$kb_sess KiB per session (RSS at 5000 minus 1000, /4000)."
  echo "- **S2 fanout**: latency is linear in sessions: ~$(us_frame s2_1000 1000) µs (1000) and"
  echo "  ~$(us_frame s2_5000 5000) µs (5000) per delivered frame. The buffer is encoded once (SPEC §2), so the"
  echo "  cost is per receiver: one websocket frame header + one \`write\` syscall per session on the"
  echo "  io thread, plus the client's matching read. Server CPU during the 5000-session run:"
  echo "  $(get s2_5000 server_cpu_s) s of $(get s2_5000 wall_s) s wall (user+sys, all threads); on this box node and client"
  echo "  together saturate the $(nproc) CPUs, so these are lower bounds for a dedicated node."
  echo "- **S3 burst**: ~$(fmt "$(get s3_1000 burst_frames_per_s)") frames/s delivered, the same per-frame cost as S2"
  echo "  (one \`ws.async_write\` per queued frame per session, net/websocket_session.cpp: frames are not coalesced). Server CPU"
  echo "  $(get s3_1000 server_cpu_s) s over $(get s3_1000 wall_s) s wall. Per-session queues stayed far below"
  echo "  \`limits.outbound_queue_bytes\`: no 4009 closes (any close would have failed the run)."
  echo
  echo "## Raw output"
  echo
  echo '```'
  cat "$RESULTS"
  echo '```'
} >"$OUT"
rm -f "$RESULTS" "$RESULTS".*
echo "wrote $OUT" >&2
