#!/usr/bin/env bash
# Starts a local cluster in one command (docs/cluster.md): 3 etcd members and 2 coordinators
# (active + standby) on 127.0.0.1, prints their URLs and console ports, and runs until Ctrl-C,
# which stops everything it started (by PID). Builds build/release/bin/coordinator if missing.
#
#   scripts/cluster.sh [--dir DIR] [--nodes N] [--port P] [--etcd-port P] [--ttl S]
#                      [-- extra coordinator options]
#   --dir DIR       data and logs here, kept after the stop (default: a temp dir, removed);
#                   run again with the same DIR to restart the same cluster on the same ports
#   --nodes N       coordinators (default 2)
#   --port P        first coordinator's HTTP port; node i uses P+2i and console P+2i+1
#                   (default: free ports)
#   --etcd-port P   etcd client ports P, P+1, P+2 and peer ports P+3, P+4, P+5
#                   (default: free ports)
#   --ttl S         cluster.lease_ttl_s (default 5, as the shipped configuration)
# Secrets are random (or COMPANION_KEY, GATEWAY_SECRET, VOICE_PASSWORD, ADMIN_TOKEN from the
# environment) and written to DIR/env, which the examples read: `. DIR/env`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

dir="" nodes=2 port="" etcd_port="" ttl=5 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --etcd-port) etcd_port=$2; shift 2 ;;
    --ttl) ttl=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster.sh: unknown argument '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
for tool in etcd etcdctl curl python3; do
  command -v "$tool" >/dev/null || {
    echo "cluster.sh: $tool is missing: run scripts/setup.sh (etcd-server, etcd-client)" >&2
    exit 1
  }
done
bin=$root/build/release/bin/coordinator
[ -x "$bin" ] || bash scripts/build.sh

keep=1
if [ -z "$dir" ]; then
  dir=$(mktemp -d /tmp/coordinator-cluster.XXXXXX)
  keep=0
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

free_ports() { # n free TCP ports on 127.0.0.1
  python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# Ports: from DIR/ports (the same cluster again: etcd keeps its peer URLs in its data), else
# from the options, else free ones.
if [ -f "$dir/ports" ]; then
  # shellcheck disable=SC1091
  . "$dir/ports"
  read -r -a node_ports <<<"$NODE_PORTS"
  [ ${#node_ports[@]} -ge $((2 * nodes)) ] || { echo "cluster.sh: $dir/ports has fewer nodes" >&2; exit 1; }
else
  if [ -n "$etcd_port" ]; then
    ETCD_PORTS="$(seq -s ' ' "$etcd_port" $((etcd_port + 5)))"
  else
    ETCD_PORTS=$(free_ports 6)
  fi
  if [ -n "$port" ]; then
    NODE_PORTS="$(seq -s ' ' "$port" $((port + 2 * nodes - 1)))"
  else
    NODE_PORTS=$(free_ports $((2 * nodes)))
  fi
  printf 'ETCD_PORTS="%s"\nNODE_PORTS="%s"\n' "$ETCD_PORTS" "$NODE_PORTS" >"$dir/ports"
  read -r -a node_ports <<<"$NODE_PORTS"
fi
read -r -a etcd_ports <<<"$ETCD_PORTS"

pids=() names=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "cluster.sh: stopping"
  # coordinators first, together (SIGTERM: sessions closed with 1001, exit 0); then the etcd
  # members one by one (stopped together, each waits seconds for the others' answers)
  local i
  for i in "${!pids[@]}"; do
    if [[ ${names[$i]} == node* && -n ${pids[$i]} ]]; then
      kill -TERM "${pids[$i]}" 2>/dev/null || true
    fi
  done
  for i in "${!pids[@]}"; do
    if [[ ${names[$i]} == node* && -n ${pids[$i]} ]]; then
      wait "${pids[$i]}" 2>/dev/null || true
    fi
  done
  for i in "${!pids[@]}"; do
    if [[ ${names[$i]} == etcd* && -n ${pids[$i]} ]]; then
      kill -TERM "${pids[$i]}" 2>/dev/null || true
      wait "${pids[$i]}" 2>/dev/null || true
    fi
  done
  if [ "$keep" = 0 ]; then
    rm -rf "$dir"
  else
    echo "cluster.sh: data and logs kept in $dir"
  fi
  exit 0
}
trap stop INT TERM EXIT

initial="" endpoints=""
for i in 0 1 2; do
  initial+="${initial:+,}etcd$i=http://127.0.0.1:${etcd_ports[$((i + 3))]}"
  endpoints+="${endpoints:+,}http://127.0.0.1:${etcd_ports[$i]}"
done
for i in 0 1 2; do
  client=http://127.0.0.1:${etcd_ports[$i]} peer=http://127.0.0.1:${etcd_ports[$((i + 3))]}
  etcd --name "etcd$i" --data-dir "$dir/etcd$i" \
    --listen-client-urls "$client" --advertise-client-urls "$client" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "$initial" --initial-cluster-token coordinator-local \
    --initial-cluster-state new \
    --logger zap --log-outputs stderr --log-level error >"$dir/etcd$i.log" 2>&1 &
  pids+=($!) names+=("etcd$i")
done
for _ in $(seq 100); do
  if etcdctl --endpoints="$endpoints" --dial-timeout=1s --command-timeout=1s endpoint health >/dev/null 2>&1; then
    break
  fi
  sleep 0.2
done
etcdctl --endpoints="$endpoints" --dial-timeout=1s --command-timeout=1s endpoint health >/dev/null 2>&1 || {
  echo "cluster.sh: etcd did not become healthy; logs in $dir/etcd*.log" >&2
  exit 1
}

if [ -f "$dir/env" ]; then
  # shellcheck disable=SC1091
  . "$dir/env"
fi
rand() { python3 -c 'import secrets; print(secrets.token_hex(12))'; }
COMPANION_KEY=${COMPANION_KEY:-$(rand)} GATEWAY_SECRET=${GATEWAY_SECRET:-$(rand)}
VOICE_PASSWORD=${VOICE_PASSWORD:-$(rand)} ADMIN_TOKEN=${ADMIN_TOKEN:-$(rand)}

for n in $(seq "$nodes"); do
  http=${node_ports[$((2 * n - 2))]} console=${node_ports[$((2 * n - 1))]}
  "$bin" --config-file="$root/conf/coordinator.ini" \
    --coordinator.port="$http" --console.port="$console" --store.path="$dir/node$n.db" \
    --cluster.etcd="$endpoints" --cluster.node_id="node$n" \
    --cluster.advertise_url="ws://127.0.0.1:$http" --cluster.lease_ttl_s="$ttl" \
    --companion.key="$COMPANION_KEY" --gateway.secret="$GATEWAY_SECRET" \
    --voice.password="$VOICE_PASSWORD" --admin.token="$ADMIN_TOKEN" \
    ${extra[@]+"${extra[@]}"} >"$dir/node$n.log" 2>&1 &
  pids+=($!) names+=("node$n")
  # node1 first: it becomes the active; the others wait as standbys
  for _ in $(seq 100); do
    grep -q "http+websocket listening" "$dir/node$n.log" && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$dir/node$n.log" >&2; exit 1; }
    sleep 0.1
  done
  if [ "$n" = 1 ]; then
    for _ in $(seq 100); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/healthz")" = 200 ] && break
      sleep 0.1
    done
  fi
done

cat >"$dir/env" <<EOF
export COORDINATOR_URL=http://127.0.0.1:${node_ports[0]}
export COMPANION_KEY=$COMPANION_KEY
export GATEWAY_SECRET=$GATEWAY_SECRET
export VOICE_PASSWORD=$VOICE_PASSWORD
export ADMIN_TOKEN=$ADMIN_TOKEN
export ETCDCTL_ENDPOINTS=$endpoints
EOF

echo "cluster.sh: etcd endpoints $endpoints (--cluster.etcd)"
for i in "${!pids[@]}"; do
  printf '  %-6s pid %-7s log %s\n' "${names[$i]}" "${pids[$i]}" "$dir/${names[$i]}.log"
done
for n in $(seq "$nodes"); do
  http=${node_ports[$((2 * n - 2))]} console=${node_ports[$((2 * n - 1))]}
  health=$(curl -s "http://127.0.0.1:$http/healthz" || true)
  echo "  node$n  http://127.0.0.1:$http  console: $bin console --port $console  /healthz: $health"
done
cat <<EOF
Secrets and URLs for the examples: . $dir/env   (COORDINATOR_URL is node1)
Try a failover: kill -9 <pid of the active node>, then curl the other's /healthz.
Keys in etcd: ETCDCTL_ENDPOINTS=$endpoints etcdctl get /coordinator/ --prefix --keys-only
Stop everything: Ctrl-C here (or kill $$).
EOF

# Runs until Ctrl-C; says when one of its processes ends (killed to try a failover, or failed).
while true; do
  wait -n || true
  for i in "${!pids[@]}"; do
    if [ -n "${pids[$i]}" ] && ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "cluster.sh: ${names[$i]} (pid ${pids[$i]}) has exited; see $dir/${names[$i]}.log"
      pids[i]=""
    fi
  done
  alive=0
  for p in "${pids[@]}"; do [ -n "$p" ] && alive=1; done
  [ "$alive" = 1 ] || { echo "cluster.sh: nothing left running"; stop; }
done
