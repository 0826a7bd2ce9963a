#!/usr/bin/env bash
# What the Debian packages ship, checked against the build tree (no packages needed):
#  1. one version: project(VERSION), debian/changelog and every binary's --version agree;
#  2. a man page for every command, naming that version, that man renders without a warning;
#  3. the unit: `systemd-analyze verify` passes and `systemd-analyze security --offline=true`
#     puts its exposure at or under 1.5 (the unit's ExecStart pointed at the build tree's server);
#  4. the shipped configuration starts the real server (paths moved into a temp dir) under the
#     unit's own system-call filter (unit_syscall_filter.py) and serves a page: both sockets
#     group debian-tor, mode 0660; it logs nothing below a warning (log_level), and under the
#     journal (JOURNAL_STREAM) each log line starts with its syslog priority, so the unit's
#     LogLevelMax can drop lines by level;
#  5. the tor snippet passes `tor --verify-config` and says what the tree's torrc says;
#  6. the AppArmor rule compiles into Debian's system_tor profile (apparmor_parser, no kernel).
#   files_test.sh SOURCE_DIR VERSION SERVER CONSOLE TRANSFER INTAKE MAN_DIR
set -euo pipefail
src="$1" version="$2" server="$3" console="$4" transfer="$5" intake="$6" man_dir="$7"
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in systemd-analyze dpkg-parsechangelog man tor apparmor_parser; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (./scripts/install-deps installs it)"
done
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

# 1. One version.
changelog=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[ "${changelog%%-*}" = "$version" ] || fail "debian/changelog says $changelog, project() says $version"
for bin in "$server" "$console" "$transfer" "$intake"; do
  name=$(basename "$bin")
  got=$("$bin" --version)
  [ "$got" = "$name $version" ] || fail "$name --version printed '$got', not '$name $version'"
done
echo "version $version: changelog and all four --version agree"

# 2. Man pages.
for page in sealdrop-server.8 sealdrop-console.1 sealdrop-transfer.1 sealdrop-intake.1 \
            sealdrop-force-client-auth.8 sealdrop-onion-addresses.8; do
  [ -s "$man_dir/$page" ] || fail "no man page $page in $man_dir"
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$man_dir/$page" 2>&1 >"$work/page")
  [ -z "$warnings" ] || fail "$page: $warnings"
  grep -q "^NAME" "$work/page" && grep -q "$version" "$work/page" || fail "$page lacks NAME or the version"
done
echo "man pages: six, rendered without warnings"

# 3. The unit.
unit="$work/sealdrop-server.service"
sed "s|^ExecStart=/usr/sbin/sealdrop-server |ExecStart=$server |" \
  "$src/packaging/systemd/sealdrop-server.service" > "$unit"
grep -q "^ExecStart=$server " "$unit" || fail "the unit's ExecStart is not /usr/sbin/sealdrop-server"
# --man=no: the page is checked above; verify would look for it among the installed ones.
systemd-analyze verify --man=no "$unit" > "$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
[ ! -s "$work/verify.log" ] || { cat "$work/verify.log"; fail "systemd-analyze verify warned"; }
systemd-analyze security --offline=true "$unit" > "$work/security.log" 2>&1 || true
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/security.log")
[ -n "$exposure" ] || { cat "$work/security.log"; fail "no exposure figure"; }
awk -v e="$exposure" 'BEGIN { exit !(e <= 1.5) }' || {
  grep '✗' "$work/security.log"; fail "the unit's exposure is $exposure (more than 1.5)"; }
echo "unit: verifies; exposure $exposure (at most 1.5)"

# 4. The shipped configuration runs the real server.
getent group debian-tor >/dev/null || fail "no debian-tor group (the tor package makes it)"
mkdir -p "$work/etc" "$work/run" "$work/keys"
printf 'files test passphrase\n' > "$work/pass"
"$console" root-keygen --out "$work/keys" --passphrase-file "$work/pass" > /dev/null
"$console" keygen --force MET --out "$work/keys" --passphrase-file "$work/pass" > /dev/null
"$console" directory build --keys "$work/keys" --out "$work/forces.json" --skip-missing > /dev/null
"$console" directory sign --root-key "$work/keys/root.secret" --in "$work/forces.json" \
  --out "$work/etc/directory.signed" --passphrase-file "$work/pass" > /dev/null
cp "$work/keys/root.public" "$work/etc/root.public"
sed -e "s|/run/sealdrop|$work/run|g" -e "s|/var/lib/sealdrop|$work/data|g" \
    -e "s|/etc/sealdrop|$work/etc|g" "$src/packaging/sealdrop-server.toml" > "$work/etc/sealdrop-server.toml"
for key in 'listen = "unix:' 'force_listen = "unix:' 'source_proxy_protocol = true' \
           'socket_group = "debian-tor"' 'socket_mode = "0660"' 'data_dir = "/var/lib/sealdrop"' \
           'log_level = "warning"'; do
  grep -q "^$key" "$src/packaging/sealdrop-server.toml" || fail "the shipped configuration lacks '$key'"
done
: > "$work/stderr"
: > "$work/stdout"
journal_stream=$(stat -c '%d:%i' "$work/stderr")
JOURNAL_STREAM="$journal_stream" "$(dirname "$0")/unit_syscall_filter.py" "$unit" "$server" --config "$work/etc/sealdrop-server.toml" \
  >> "$work/stdout" 2>> "$work/stderr" &
pid=$!
for _ in $(seq 100); do
  grep -q '^listening' "$work/stdout" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr"; fail "the server stopped at start"; }
  sleep 0.1
done
grep -q "^listening unix:$work/run/source.sock" "$work/stdout" || { cat "$work/stderr"; fail "not listening"; }
for sock in source.sock force.sock; do
  got=$(stat -c '%F %a %G' "$work/run/$sock")
  [ "$got" = "socket 660 debian-tor" ] || fail "$sock is '$got', not 'socket 660 debian-tor'"
done
# As tor connects: a PROXY header with the circuit id, then the request.
/usr/bin/python3 - "$work/run/source.sock" > "$work/page" <<'PY' || fail "no page from the server under the unit's system-call filter"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"PROXY TCP6 fc00:dead:beef:4dad::0:1a ::1 65535 80\r\n"
          b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
sys.stdout.write(data.decode("utf-8", "replace"))
PY
head -1 "$work/page" | grep -q '^HTTP/1.1 200' || { head -5 "$work/page"; fail "the source page was not 200"; }
grep -q 'href="/report"' "$work/page" || fail "the landing page has no link to the report form"
kill -TERM "$pid"
wait "$pid" || fail "the server exited $? after SIGTERM"
pid=""
if grep 'info:' "$work/stderr"; then fail "the shipped configuration logs below warnings"; fi
# The same with info lines (the flag overrides the file): each carries its priority.
: > "$work/stderr"
JOURNAL_STREAM="$journal_stream" "$server" --config "$work/etc/sealdrop-server.toml" \
  --log-level info > /dev/null 2>> "$work/stderr" &
pid=$!
for _ in $(seq 100); do
  grep -q 'started' "$work/stderr" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr"; fail "the server stopped at start"; }
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || fail "the server exited $? after SIGTERM"
pid=""
grep -qx '<6>sealdrop-server info: started' "$work/stderr" || { cat "$work/stderr"; fail "no '<6>' info line"; }
if grep -v '^<[0-7]>sealdrop-server ' "$work/stderr"; then fail "a log line without its priority"; fi
echo "configuration: the server starts with it under the unit's system-call filter and serves the landing page; sockets 0660 debian-tor; no line below warning; journal priorities"

# 5. The tor snippet.
mkdir -p "$work/tor"
chmod 700 "$work/tor"
sed -e "s|/var/lib/tor|$work/tor|g" -e "s|/run/sealdrop|$work/run|g" \
  "$src/packaging/tor/sealdrop.conf" > "$work/sealdrop.conf"
printf 'DataDirectory %s\nSocksPort 0\nLog notice stderr\n%%include %s\n' \
  "$work/tor" "$work/sealdrop.conf" > "$work/torrc"
tor --verify-config -f "$work/torrc" > "$work/tor.log" 2>&1 || { cat "$work/tor.log"; fail "tor refused the snippet"; }
diff <(grep '^HiddenService' "$src/packaging/tor/sealdrop.conf") <(grep '^HiddenService' "$src/torrc") \
  || fail "packaging/tor/sealdrop.conf and torrc differ in their onion services"
echo "tor snippet: valid, the same onion services as torrc"

# 6. The AppArmor rule, included the way docs/operations.md says, in Debian's profile.
[ -f /etc/apparmor.d/system_tor ] || fail "no /etc/apparmor.d/system_tor (the tor package ships it)"
cp -r /etc/apparmor.d "$work/apparmor"
mkdir -p "$work/apparmor/local"
echo "include \"$src/packaging/apparmor/system_tor\"" > "$work/apparmor/local/system_tor"
apparmor_parser --base "$work/apparmor" --skip-kernel-load --skip-cache --preprocess \
  "$work/apparmor/system_tor" > "$work/profile" 2> "$work/apparmor.log" \
  || { cat "$work/apparmor.log"; fail "apparmor_parser refused the rule"; }
grep -q '/{,var/}run/sealdrop/\*.sock rw,' "$work/profile" || fail "the rule is not in the profile"
apparmor_parser --base "$work/apparmor" --skip-kernel-load --skip-cache -Q "$work/apparmor/system_tor" \
  2>> "$work/apparmor.log" || { cat "$work/apparmor.log"; fail "the profile with the rule does not compile"; }
echo "apparmor: the rule compiles into system_tor"
echo "files_test: passed"
