#!/usr/bin/env bash
# bench/run.sh: run every load scenario (S1..S7) against a fresh coordinator per run and write
# BENCHMARKS.md. Build first:
#   cmake --preset release && cmake --build build/release --target coordinator load -j2
# usage: [BENCH_OUT=FILE] bench/run.sh [BUILD_DIR]   (default build/release; output BENCHMARKS.md
#        in the repo)
# Takes about 2 minutes; run it on a quiet machine (the client shares the CPUs with the node).
set -u
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=$(cd "${1:-$SRC_DIR/build/release}" && pwd)
COORD_BIN=$BUILD_DIR/bin/coordinator
LOAD_BIN=$BUILD_DIR/bin/load
OUT=${BENCH_OUT:-$SRC_DIR/BENCHMARKS.md}  # BENCH_OUT=FILE: write elsewhere (a trial run)
KEY=bench-key
SECRET=bench-secret
ADMIN=bench-admin
# S4/S5: one shard per sharder, so every sharder identifies with a shard as in production.
SHARDERS=4
WORKERS=2
GATEWAY_NODE="--gateway.shard_count=$SHARDERS --gateway.sharders=$SHARDERS"
# S6: a 256 KiB outbound queue (the frame limit must stay below it), so ~900 broadcasts of
# 300 bytes fill a slow session's queue instead of ~28000 at the 8 MiB default.
SLOW_NODE="--limits.outbound_queue_bytes=262144 --limits.max_frame_bytes=65536"
for b in "$COORD_BIN" "$LOAD_BIN"; do
  [ -x "$b" ] || { echo "missing $b (build coordinator and load first)" >&2; exit 1; }
done
. "$SRC_DIR/bench/node.sh"
trap stop_node EXIT

# Both the node and load inherit this limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
NOFILE=$(ulimit -n)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

RESULTS=$(mktemp)
# [NODE_EXTRA="node options"] run_one LABEL load-args...: a fresh node per run so RSS is per
# scenario.
run_one() {
  local label=$1; shift
  # shellcheck disable=SC2086  # NODE_EXTRA is a list of options
  start_node --limits.messages_per_minute=0 --companion.key=$KEY --gateway.secret=$SECRET \
    --admin.token=$ADMIN ${NODE_EXTRA:-} || return 1
  echo "== $label: node ${NODE_EXTRA:-(defaults)}; load $*" >&2
  local out rc t0 t1 w0 w1 tck
  tck=$(getconf CLK_TCK)
  t0=$(awk '{print $14+$15}' "/proc/$NODE_PID/stat"); w0=$(date +%s.%N); st0=$(steal_ticks)
  out=$("$LOAD_BIN" --port "$NODE_PORT" --key $KEY --secret $SECRET --admin-token $ADMIN \
        --pid "$NODE_PID" "$@" 2>&1)
  rc=$?
  # The deepest mailbox the broker and the settings store saw while the load ran (SPEC §8
  # console, `actors`: mailbox_peak is sampled in their broadcast/routing/op 2 handlers).
  out="$out
$(mailbox_peaks)"
  t1=$(awk '{print $14+$15}' "/proc/$NODE_PID/stat"); w1=$(date +%s.%N); st1=$(steal_ticks)
  out="$out
host_steal_s=$(awk -v a="$st0" -v b="$st1" -v t="$tck" 'BEGIN{printf "%.2f", (b-a)/t}')
server_cpu_s=$(awk -v a="$t0" -v b="$t1" -v t="$tck" 'BEGIN{printf "%.2f", (b-a)/t}')
wall_s=$(awk -v a="$w0" -v b="$w1" 'BEGIN{printf "%.2f", b-a}')"
  echo "$out" >&2
  stop_node
  { echo "### $label"; echo "rc=$rc"; echo "$out"; } >>"$RESULTS"
  printf '%s\n' "$out" | sed -n 's/^\([a-z0-9_]*\)=\(.*\)$/\1 \2/p' >"$RESULTS.$label"
  [ $rc -eq 0 ]
}
# CPU time the hypervisor gave to other guests (all CPUs, /proc/stat "steal"): on a shared
# virtual machine this is what turns a 2 ms p99 into 15 ms, so every run records it.
steal_ticks() { awk '/^cpu /{print $9}' /proc/stat; }
mailbox_peaks() {
  [ -n "${NODE_CONSOLE_PORT:-}" ] || return 0
  "$COORD_BIN" console --port "$NODE_CONSOLE_PORT" -c actors 2>/dev/null | awk '
    /^name=(broker|guild_settings_store) / {
      n = $1; sub(/^name=/, "", n)
      for (i = 2; i <= NF; i++) if ($i ~ /^mailbox_peak=/) { v = $i; sub(/^mailbox_peak=/, "", v); print n "_mailbox_peak=" v }
    }'
}
get() { awk -v k="$2" '$1==k{print $2}' "$RESULTS.$1" 2>/dev/null; }
fmt() { [ -n "$1" ] && printf '%.1f' "$1" || printf 'FAILED'; }
kb2mb() { [ -n "$1" ] && awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}' || printf '-'; }

# S1 at 19000: the node and the client each need one descriptor per session (+ a few).
S1_SIZES="1000 5000 10000"
[ "$NOFILE" -ge 19100 ] && S1_SIZES="$S1_SIZES 19000"
for n in $S1_SIZES; do
  run_one s1_$n --scenario connect --sessions $n --seconds 120
done
for n in 100 1000 5000 10000; do
  run_one s2_$n --scenario fanout --sessions $n --rounds 50 --seconds 180
done
run_one s3_1000 --scenario burst --sessions 1000 --rounds 200 --seconds 120
RATES=5000,10000,20000,50000,80000
NODE_EXTRA=$GATEWAY_NODE run_one s4 --scenario route --sharders $SHARDERS --workers $WORKERS \
  --guilds 10000 --payload 300 --rates $RATES --step-seconds 2 --flood-seconds 2 --seconds 120
# The same ramp without the flood step: the broker's mailbox peak under open-loop rates only.
NODE_EXTRA=$GATEWAY_NODE run_one s4_ramp --scenario route --sharders $SHARDERS --workers $WORKERS \
  --guilds 10000 --payload 300 --rates $RATES --step-seconds 2 --flood-seconds 0 --seconds 120
NODE_EXTRA=$GATEWAY_NODE run_one s5 --scenario mixed --sessions 1000 --sharders $SHARDERS \
  --workers $WORKERS --payload 300 --run-seconds 10 --ping-ms 1000 --hb-ms 100 \
  --broadcast-per-s 10 --route-per-s 5000 --seconds 120
NODE_EXTRA=$SLOW_NODE run_one s6_base --scenario slow --sessions 1000 --slow-percent 0 \
  --rounds 2000 --window 4 --payload 300 --seconds 120
NODE_EXTRA=$SLOW_NODE run_one s6_slow --scenario slow --sessions 1000 --slow-percent 10 \
  --rounds 2000 --window 4 --payload 300 --rcvbuf 4096 --mss 536 --seconds 120
run_one s7_all  --scenario storm --sessions 10000 --storm-concurrency 0 --seconds 120
run_one s7_1000 --scenario storm --sessions 10000 --storm-concurrency 1000 --seconds 120

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
MEM=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
{
  echo "# Benchmarks"
  echo
  echo "Companion dialect (\`/companion\`, SPEC.md §3) and service gateway dialect (\`/gateway\`, §4)"
  echo "on loopback, measured by \`bench/load\` (Boost.Asio client with its own websocket framing,"
  echo "one io thread) against a fresh release \`coordinator\` per run."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs, ${CPU:-unknown CPU}, $MEM RAM, kernel $(uname -r)"
  echo "- node: \`coordinator --coordinator.port=0 --limits.messages_per_minute=0 --companion.key=$KEY\`"
  echo "  (conf/coordinator.ini defaults otherwise: \`io_threads=1\`), temp SQLite store; \`ulimit -n\` $NOFILE;"
  echo "  S4/S5 add \`$GATEWAY_NODE\`, S6 adds \`$SLOW_NODE\`"
  echo "- load average before the run: $LOAD_BEFORE"
  echo "- command: \`bench/run.sh\` after \`cmake --build build/release --target coordinator load\`"
  echo "- the client and the node share the same CPUs, so every number includes the client's cost."
  echo
  echo "## S1 connect: TCP connect + websocket upgrade + op 1 handshake (128 in flight)"
  echo
  echo "| sessions | total ms | handshakes/s | handshake p50 ms | p99 ms | max ms | server RSS MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for n in $S1_SIZES; do
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
  for n in 100 1000 5000 10000; do
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
  echo "## S4 routing: EXECUTE_COMMAND from $SHARDERS sharders to $WORKERS commands workers"
  echo
  echo "Each sharder identifies and holds one shard; 300-byte commands over 10000 guilds (a guild"
  echo "always from the same sharder), sent open loop at each offered rate for 2 s, then a 2 s"
  echo "closed-loop \"flood\" step with 2000 commands in flight. Latency = the sharder's send →"
  echo "the worker's receipt (sequence number in \`ids.message\`, which the coordinator forwards)."
  echo
  echo "| offered cmd/s | sent | received | achieved cmd/s | p50 ms | p99 ms | max ms | server CPU % (100 = one core) | client CPU % |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for r in ${RATES//,/ } flood; do
    p=route_$r
    [ -n "$(get s4 ${p}_sent)" ] || continue
    off=$r; [ "$r" = flood ] && off="flood (2000 in flight)"
    echo "| $off | $(get s4 ${p}_sent) | $(get s4 ${p}_received) | $(fmt "$(get s4 ${p}_achieved_per_s)") | $(get s4 ${p}_p50_ms) | $(get s4 ${p}_p99_ms) | $(get s4 ${p}_max_ms) | $(fmt "$(get s4 ${p}_server_cpu_pct)") | $(fmt "$(get s4 ${p}_client_cpu_pct)") |"
  done
  echo
  echo "Highest offered rate carried with p99 ≤ 5 ms (achieved ≥ 95 % of offered, all delivered):"
  echo "$(fmt "$(get s4 route_max_rate_meeting_target)") cmd/s. Routing contract: $(get s4 route_violations) guilds seen on two workers,"
  echo "$(get s4 route_order_violations) out-of-order commands, $(get s4 route_duplicates) duplicates; node counters: routed $(get s4 metrics_commands_routed),"
  echo "buffered $(get s4 metrics_commands_buffered), dropped $(get s4 metrics_commands_dropped_overflow) + $(get s4 metrics_commands_dropped_expired)."
  echo
  echo "## S5 mixed: heartbeats under broadcasts and routing"
  echo
  echo "1000 companion sessions each send a websocket ping every 1 s (the companion dialect's liveness"
  echo "is websocket pings, SPEC §3; the node's Beast layer answers the pong); $((SHARDERS + WORKERS)) gateway"
  echo "sessions send op 1 every 100 ms (answered by op 4 from the session actor); meanwhile 10"
  echo "op 2 broadcasts/s of 300 bytes to the 1000 companions and 5000 EXECUTE_COMMAND/s, for 10 s."
  echo
  echo "| what | samples | p50 ms | p99 ms | max ms |"
  echo "|---|---:|---:|---:|---:|"
  row5() { echo "| $1 | $(get s5 ${2}_samples) | $(get s5 ${2}_p50_ms) | $(get s5 ${2}_p99_ms) | $(get s5 ${2}_max_ms) |"; }
  row5 "gateway heartbeat → ack" hb_gateway
  row5 "companion ping → pong" ping_companion
  row5 "all heartbeats" heartbeat_all
  row5 "broadcast → last of 1000 receivers" fanout
  row5 "EXECUTE_COMMAND send → worker" mixed_route_5000
  echo
  echo "The client's own io thread ran its 10 ms tick late by p50 $(get s5 client_loop_lag_p50_ms) / p99 $(get s5 client_loop_lag_p99_ms) / max $(get s5 client_loop_lag_max_ms) ms"
  echo "(it reads the 1000 broadcast frames on the same thread); every latency above includes that."
  echo "Server CPU $(fmt "$(get s5 server_cpu_pct)") %, client CPU $(fmt "$(get s5 client_cpu_pct)") % (of one core) over $(get s5 mixed_seconds) s;"
  echo "pings skipped because the previous one was unanswered: $(get s5 ping_skipped_unanswered); broadcasts skipped (8 in flight): $(get s5 broadcasts_skipped_busy)."
  echo
  echo "## S6 slow consumers: 1000 sessions, 10 % stop reading, 2000 broadcasts"
  echo
  echo "Op 2 broadcasts of $(get s6_slow broadcast_frame_bytes) bytes, 4 in flight, from one well-behaved session. The slow"
  echo "sessions connect with SO_RCVBUF 4096 and TCP_MAXSEG 536 (on loopback the 64 KiB MSS lets the node's"
  echo "send buffer grow to megabytes, which would hide its queue), stop reading after op 1, and read"
  echo "again after the last broadcast to see how they were closed. Node: \`$SLOW_NODE\`."
  echo "Latency = request → the last WELL-BEHAVED session has the broadcast."
  echo
  echo "| run | slow sessions | fanout p50 ms | p99 ms | max ms | server RSS MiB start / peak / end | 4009 seen by slow clients | 4009 in /metrics |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for l in s6_base s6_slow; do
    name=baseline; [ $l = s6_slow ] && name="10 % slow"
    echo "| $name | $(get $l slow_sessions) | $(get $l fanout_p50_ms) | $(get $l fanout_p99_ms) | $(get $l fanout_max_ms) | $(kb2mb "$(get $l server_rss_start_kb)") / $(kb2mb "$(get $l server_rss_peak_kb)") / $(kb2mb "$(get $l server_rss_end_kb)") | $(get $l slow_closed_4009_seen) | $(get $l metrics_closes_4009) |"
  done
  echo
  echo "Server RSS (MiB) sampled every 100 ms, 10 % slow: $(get s6_slow server_rss_series_mib)"
  echo
  echo "## S7 reconnect storm: 10000 companion sessions dropped at once, all reconnecting"
  echo
  echo "After all 10000 have done op 1, the client closes every socket (no close frame) and at once"
  echo "reconnects all of them (or 1000 at a time); times count from the start of the drop (the client"
  echo "closing its 10000 sockets takes \"client drop ms\") to each session's op 1 reply."
  echo
  echo "| in flight | client drop ms | all back ms | reconnect p50 ms | p99 ms | max ms | SYN retransmits (host) | server CPU s | client CPU s | server RSS MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for l in s7_all s7_1000; do
    echo "| $(get $l storm_concurrency) | $(fmt "$(get $l storm_drop_ms)") | $(fmt "$(get $l storm_all_back_ms)") | $(get $l storm_reconnect_p50_ms) | $(get $l storm_reconnect_p99_ms) | $(get $l storm_reconnect_max_ms) | $(get $l tcp_syn_retransmits) | $(get $l storm_server_cpu_s) | $(get $l storm_client_cpu_s) | $(kb2mb "$(get $l server_rss_kb)") |"
  done
  echo
  echo "## Mailbox depth: does one actor become the bottleneck?"
  echo
  echo "The deepest mailbox each hot actor saw during the run (\`mailbox_peak\` in the console's"
  echo "\`actors\`, sampled in the broker's broadcast and routing handlers and the settings store's"
  echo "op 2 handler, read after the load): messages that waited behind the one being handled."
  echo
  echo "| scenario | broker | guild_settings_store |"
  echo "|---|---:|---:|"
  for l in s2_10000 s3_1000 s4_ramp s4 s5; do
    what=$l
    [ $l = s4_ramp ] && what="s4, rates $RATES only"
    [ $l = s4 ] && what="s4 with the flood step (2000 in flight)"
    echo "| $what | $(get $l broker_mailbox_peak) | $(get $l guild_settings_store_mailbox_peak) |"
  done
  echo
  echo "## Machine noise: CPU stolen by the hypervisor during each run"
  echo
  echo "Seconds of CPU (both CPUs together) that the host gave to other guests while each scenario ran"
  echo "(\`steal\` in /proc/stat). On a shared virtual machine the tail latencies follow it (S5 in"
  echo "bench/notes.md): read a p99 together with this column."
  echo
  echo "| scenario | wall s | stolen CPU s |"
  echo "|---|---:|---:|"
  for f in "$RESULTS".s*; do
    l=${f##*.}
    echo "| $l | $(get $l wall_s) | $(get $l host_steal_s) |"
  done
  echo
  echo "## What bounds it"
  echo
  us_frame() { awk -v ms="$(get "$1" fanout_mean_ms)" -v n="$2" 'BEGIN{if(ms!="")printf "%.1f", ms*1000/n; else printf "-"}'; }
  kb_sess=$(awk -v a="$(get s1_1000 server_rss_kb)" -v b="$(get s1_10000 server_rss_kb)" 'BEGIN{if(a!=""&&b!="")printf "%.1f", (b-a)/9000; else printf "-"}')
  echo "- **S1 connect**: ~$(fmt "$(get s1_5000 handshakes_per_s)") handshakes/s at 5000 sessions with 128 in flight;"
  echo "  each handshake is a TCP accept, an HTTP upgrade, an op 1 parse and its reply, all"
  echo "  serialised through the node's single network io thread (\`io_threads=1\`) while the client"
  echo "  runs on the same CPUs. Server memory grows by ~$kb_sess KiB per session (RSS at 10000 minus 1000, /9000)."
  echo "- **S2 fanout**: latency is linear in sessions: ~$(us_frame s2_1000 1000) µs (1000),"
  echo "  ~$(us_frame s2_5000 5000) µs (5000) and ~$(us_frame s2_10000 10000) µs (10000) per delivered frame. The buffer is encoded once (SPEC §2), so the"
  echo "  cost is per receiver: one websocket frame header + one \`write\` syscall per session on the"
  echo "  io thread, plus the client's matching read. Server CPU during the 5000-session run:"
  echo "  $(get s2_5000 server_cpu_s) s of $(get s2_5000 wall_s) s wall (user+sys, all threads); on this box node and client"
  echo "  together saturate the $(nproc) CPUs, so these are lower bounds for a dedicated node."
  echo "- **S3 burst**: ~$(fmt "$(get s3_1000 burst_frames_per_s)") frames/s delivered: a session's queued frames leave"
  echo "  in gathered writes (many frames per \`sendmsg\`, net/websocket_session.cpp), so a burst costs less per frame than S2. Server CPU"
  echo "  $(get s3_1000 server_cpu_s) s over $(get s3_1000 wall_s) s wall. Per-session queues stayed far below"
  echo "  \`limits.outbound_queue_bytes\`: no 4009 closes (any close would have failed the run)."
  echo "- **S4 routing**: the highest offered rate with p99 ≤ 5 ms was $(fmt "$(get s4 route_max_rate_meeting_target)") cmd/s; at 80000 offered the node"
  echo "  delivered $(fmt "$(get s4 route_80000_achieved_per_s)") cmd/s with p99 $(get s4 route_80000_p99_ms) ms at $(fmt "$(get s4 route_80000_server_cpu_pct)") % server CPU; with 2000 in flight"
  echo "  it delivered $(fmt "$(get s4 route_flood_achieved_per_s)") cmd/s (p99 $(get s4 route_flood_p99_ms) ms)."
  echo "- **S5 mixed**: heartbeat p99 $(get s5 heartbeat_all_p99_ms) ms (gateway $(get s5 hb_gateway_p99_ms) ms, companion ping $(get s5 ping_companion_p99_ms) ms)"
  echo "  while one broadcast to 1000 sessions takes $(get s5 fanout_p50_ms) ms (p50)."
  echo "- **S6 slow consumers**: well-behaved fanout p99 $(get s6_slow fanout_p99_ms) ms with 10 % slow vs $(get s6_base fanout_p99_ms) ms without;"
  echo "  server RSS peak $(kb2mb "$(get s6_slow server_rss_peak_kb)") MiB vs $(kb2mb "$(get s6_base server_rss_peak_kb)") MiB; $(get s6_slow metrics_closes_4009) of $(get s6_slow slow_sessions) slow sessions closed with 4009."
  echo "- **S7 reconnect storm**: all 10000 back $(fmt "$(get s7_all storm_all_back_ms)") ms after the drop with every reconnect at once"
  echo "  ($(get s7_all tcp_syn_retransmits) SYN retransmits), $(fmt "$(get s7_1000 storm_all_back_ms)") ms with 1000 in flight."
  echo
  # Hand-written: the profiles behind these numbers, updated when a hot path changes.
  [ -f "$SRC_DIR/bench/notes.md" ] && { cat "$SRC_DIR/bench/notes.md"; echo; }
  echo "## Raw output"
  echo
  echo '```'
  cat "$RESULTS"
  echo '```'
} >"$OUT"
rm -f "$RESULTS" "$RESULTS".*
echo "wrote $OUT" >&2
