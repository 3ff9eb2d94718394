#!/usr/bin/env bash
# CI stage `package` (docs/packaging.md): builds the Debian package from the Release build,
# checks it (contents, stripped binary, dpkg-shlibdeps dependencies, conffile, lintian, the
# unit with systemd-analyze), installs it with apt-get on this machine, runs the installed
# binary as the user `coordinator` on the installed config (free ports), checks /healthz and
# that an admin settings write survives a restart in /var/lib/coordinator and an upgrade, then
# removes and purges the package and checks what each leaves behind. Needs root: it installs a
# package. No systemd has to run (a container has none): the test starts the node itself. It
# refuses to run where a coordinator package is already installed, so it never purges a real one.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "package-test: $*"; }
[ "$(id -u)" -eq 0 ] || fail "run as root (it installs and purges the package)"

config=/etc/coordinator/coordinator.ini
unit=/lib/systemd/system/coordinator.service
tmp=$(mktemp -d)
node_pid=
ours=   # set once this test installs the package: only then does it purge it on exit
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -y -qq -o DPkg::Lock::Timeout=600 "$@" </dev/null; }
installed() { dpkg-query -W -f='${Status}' coordinator 2>/dev/null | grep -q "ok installed"; }
known() { dpkg-query -W -f='${Status}' coordinator 2>/dev/null | grep -qv "not-installed"; }

cleanup() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then kill -KILL "$node_pid"; fi
  # Leave the machine as it was, also after a failure.
  if [ -n "$ours" ] && known; then apt_get purge coordinator >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- build and inspect the package --------------------------------------------------------
bash scripts/build.sh
rm -rf build/package
cpack --config build/release/CPackConfig.cmake -B build/package >"$tmp/cpack.log" ||
  { cat "$tmp/cpack.log"; fail "cpack"; }
debs=(build/package/coordinator_*_amd64.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in build/package"
deb=$PWD/${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
[ "$(basename "$deb")" = "coordinator_${version}_amd64.deb" ] || fail "file name of $deb"
step "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

dpkg-deb -c "$deb" >"$tmp/contents"
for f in ./usr/bin/coordinator ./etc/coordinator/coordinator.ini ".$unit" \
         ./usr/share/doc/coordinator/copyright ./usr/share/doc/coordinator/changelog.gz \
         ./usr/share/man/man1/coordinator.1.gz ./usr/share/lintian/overrides/coordinator; do
  grep -q " ${f}$" "$tmp/contents" || fail "$f is not in the package"
done
[ "$(dpkg-deb -I "$deb" conffiles)" = "$config" ] || fail "conffiles is not $config"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in adduser libc6 libstdc++6 libcaf-core libsqlite3 libspdlog libedit; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
step "Depends: $depends"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/coordinator >"$tmp/coordinator"
readelf -S "$tmp/coordinator" >"$tmp/sections"
! grep -Eq '\.symtab|\.debug_|\.comment' "$tmp/sections" ||
  fail "/usr/bin/coordinator is not stripped"
grep -q '\.text' "$tmp/sections" || fail "readelf read no sections of /usr/bin/coordinator"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./etc/coordinator/coordinator.ini >"$tmp/packaged.ini"
grep -qx 'path="/var/lib/coordinator/coordinator.db"' "$tmp/packaged.ini" ||
  fail "store.path of the packaged config is not in /var/lib/coordinator"
# Apart from its header and the store path, the packaged config is the repository's.
diff <(grep -v '^path=' conf/coordinator.ini) \
     <(grep -v '^path=' "$tmp/packaged.ini" | sed '1,/^;$/d') >/dev/null ||
  fail "the packaged config differs from conf/coordinator.ini beyond store.path"

# Errors and warnings fail; the info tags and the overrides (each with its reason) are shown.
step "lintian $(lintian --version | cut -d' ' -f2)"
lintian --fail-on error,warning --display-info --show-overrides "$deb" ||
  fail "lintian reports errors or warnings"

# --- install -------------------------------------------------------------------------------
# Never purge a real installation or a store: refuse to run instead.
known && fail "a coordinator package is installed here; 'apt-get purge coordinator' it first"
for p in /etc/coordinator /var/lib/coordinator; do
  [ ! -e "$p" ] || fail "$p exists though no coordinator package is installed: move it away first"
done
step "apt-get install $(basename "$deb")"
ours=1
apt_get install "$deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get install"; }
installed || fail "coordinator is not installed"
[ -x /usr/bin/coordinator ] || fail "/usr/bin/coordinator missing"
getent passwd coordinator | grep -q ':/var/lib/coordinator:/usr/sbin/nologin$' ||
  fail "system user: $(getent passwd coordinator)"
[ "$(stat -c '%U:%G %a' /var/lib/coordinator)" = "coordinator:coordinator 750" ] ||
  fail "/var/lib/coordinator is $(stat -c '%U:%G %a' /var/lib/coordinator)"
[ "$(stat -c '%U:%G %a' "$config")" = "root:coordinator 640" ] ||
  fail "$config is $(stat -c '%U:%G %a' "$config")"
dpkg-query -W -f='${Conffiles}\n' coordinator | grep -q "^ $config " || fail "$config no conffile"
# Enabled the Debian way even without a running systemd (deb-systemd-helper).
[ -L /etc/systemd/system/multi-user.target.wants/coordinator.service ] ||
  fail "coordinator.service is not enabled"

if command -v systemd-analyze >/dev/null; then
  # verify checks the unit's syntax and that ExecStart exists; security --offline rates the
  # sandbox (0 = fully locked down, 10 = none) and fails above the threshold.
  systemd-analyze verify "$unit" 2>&1 | tee "$tmp/verify.log"
  [ ! -s "$tmp/verify.log" ] || fail "systemd-analyze verify complained"
  systemd-analyze security --offline=yes --threshold=25 "$unit" >"$tmp/security.log" 2>&1 ||
    { cat "$tmp/security.log"; fail "systemd-analyze security: exposure above 2.5"; }
  step "systemd-analyze: verify clean; $(grep -o 'Overall exposure level.*' "$tmp/security.log")"
else
  step "systemd-analyze not installed: unit not verified"
fi

# A conffile edited by the admin survives a reinstall, and so do its owner and mode.
token="pkg-test-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
sed -i "s/^token=.*/token=\"$token\"/" "$config"
apt_get install --reinstall "$deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "reinstall"; }
grep -qx "token=\"$token\"" "$config" || fail "the edited $config was overwritten by a reinstall"
[ "$(stat -c '%U:%G %a' "$config")" = "root:coordinator 640" ] ||
  fail "$config mode after reinstall"

# --- run the installed node as the service user -------------------------------------------
# Becomes the service user in working directory / with an empty environment, as the unit does;
# run it in a subshell: it execs, so the subshell's pid is the command's.
exec_as_coordinator() {
  cd / && exec setpriv --reuid=coordinator --regid=coordinator --init-groups -- \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
(exec_as_coordinator /usr/bin/coordinator --help) >"$tmp/help" || fail "coordinator --help"
grep -q 'store.path' "$tmp/help" || fail "coordinator --help does not list store.path"

port=
start_node() {
  # The node prints the port it bound; port 0 = a free one (also for the console).
  (exec_as_coordinator /usr/bin/coordinator --config-file="$config" --coordinator.port=0 \
     --console.port=0) >"$tmp/out" 2>"$tmp/err" &
  node_pid=$!
  port=
  for _ in $(seq 150); do
    port=$(sed -n 's/^coordinator .*: http+websocket listening on .*:\([0-9]*\)$/\1/p' \
           "$tmp/out")
    [ -n "$port" ] && break
    kill -0 "$node_pid" 2>/dev/null || { cat "$tmp/err"; fail "the node exited at start"; }
    sleep 0.2
  done
  [ -n "$port" ] || { cat "$tmp/err"; fail "the node printed no port within 30 s"; }
  [ "$(ps -o user= -p "$node_pid")" = coordinator ] || fail "the node does not run as coordinator"
}
stop_node() {
  kill -TERM "$node_pid"
  for _ in $(seq 100); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$node_pid" 2>/dev/null && fail "the node did not stop within 10 s of SIGTERM"
  local rc=0
  wait "$node_pid" || rc=$?
  node_pid=
  [ "$rc" -eq 0 ] || { cat "$tmp/err"; fail "the node exited $rc after SIGTERM"; }
}
http() { # METHOD PATH [BODY] -> body in $tmp/body, status printed
  local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data "$3")
  curl "${args[@]}" "http://127.0.0.1:$port$2"
}

start_node
step "node started as coordinator on port $port"
[ "$(curl -fsS "http://127.0.0.1:$port/healthz")" = '{"status":"ok"}' ] || fail "/healthz"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer change-me-admin-token' \
       "http://127.0.0.1:$port/api/v1/guilds/1/settings")
[ "$code" = 401 ] || [ "$code" = 403 ] ||
  fail "the placeholder token got $code: the node did not read $config"
prefix="p${RANDOM}!"
code=$(http PATCH /api/v1/guilds/1/settings "{\"prefix\":\"$prefix\"}")
[ "$code" = 200 ] || fail "PATCH settings answered $code: $(cat "$tmp/body")"
grep -q "\"prefix\":\"$prefix\"" "$tmp/body" || fail "PATCH answer: $(cat "$tmp/body")"
stop_node
[ "$(stat -c %U /var/lib/coordinator/coordinator.db)" = coordinator ] ||
  fail "the store is not /var/lib/coordinator/coordinator.db owned by coordinator"

start_node
code=$(http GET /api/v1/guilds/1/settings)
[ "$code" = 200 ] && grep -q "\"prefix\":\"$prefix\"" "$tmp/body" ||
  fail "after a restart the settings are $code $(cat "$tmp/body")"
step "settings write survived a restart (prefix $prefix in /var/lib/coordinator)"
stop_node

# --- upgrade --------------------------------------------------------------------------------
# The same package under a higher version runs the upgrade path of the maintainer scripts:
# the edited conffile, its mode, the enablement and the store must all come through.
dpkg-deb -R "$deb" "$tmp/next"
sed -i "s/^Version: .*/Version: ${version}+upgrade.test/" "$tmp/next/DEBIAN/control"
dpkg-deb --root-owner-group -b "$tmp/next" "$tmp/next.deb" >/dev/null
apt_get install "$tmp/next.deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "upgrade"; }
[ "$(dpkg-query -W -f='${Version}' coordinator)" = "${version}+upgrade.test" ] ||
  fail "the upgrade did not install"
grep -qx "token=\"$token\"" "$config" || fail "the upgrade overwrote the edited $config"
[ "$(stat -c '%U:%G %a' "$config")" = "root:coordinator 640" ] || fail "$config mode after upgrade"
[ -L /etc/systemd/system/multi-user.target.wants/coordinator.service ] ||
  fail "coordinator.service is not enabled after the upgrade"
start_node
code=$(http GET /api/v1/guilds/1/settings)
[ "$code" = 200 ] && grep -q "\"prefix\":\"$prefix\"" "$tmp/body" ||
  fail "after the upgrade the settings are $code $(cat "$tmp/body")"
stop_node
step "upgraded to ${version}+upgrade.test: config, mode, unit and store kept"

# --- remove, then purge ------------------------------------------------------------------
apt_get remove coordinator >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get remove"; }
[ ! -e /usr/bin/coordinator ] || fail "remove left /usr/bin/coordinator"
[ -f "$config" ] && [ -f /var/lib/coordinator/coordinator.db ] ||
  fail "remove must keep the config and the store"
dpkg-query -W -f='${Status}' coordinator | grep -q "config-files" || fail "not in config-files"

apt_get purge coordinator >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get purge"; }
! known || fail "dpkg still knows coordinator after purge"
for p in /usr/bin/coordinator /etc/coordinator "$unit" /var/lib/coordinator \
         /etc/systemd/system/coordinator.service \
         /etc/systemd/system/multi-user.target.wants/coordinator.service \
         /var/lib/systemd/deb-systemd-helper-enabled/coordinator.service \
         /var/lib/systemd/deb-systemd-helper-masked/coordinator.service; do
  [ ! -e "$p" ] && [ ! -L "$p" ] || fail "purge left $p"
done
[ -z "$(dpkg-statoverride --list "$config")" ] || fail "purge left the statoverride of $config"
# The system user stays, as Debian packages leave theirs (docs/packaging.md).
getent passwd coordinator >/dev/null || fail "purge removed the user coordinator"
step "removed and purged cleanly"

echo "package-test: passed in $(( $(date +%s) - start )) s"
