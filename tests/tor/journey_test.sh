#!/usr/bin/env bash
# The whole journey through a real (private) Tor network, inside a network namespace that has
# only loopback, so nothing can leave the machine:
#   1. headless Chromium, JavaScript off, through a Tor client: landing, report + attachment,
#      codename (screenshots);
#   2. sealdrop-transfer pulls through Tor from the force onion WITH the client-auth key;
#      a Tor client WITHOUT the key is refused;
#   3. sealdrop-console imports, triages, replies; sealdrop-transfer pushes through Tor;
#   4. Chromium logs in with the codename over the onion and sees the reply.
# The onion host's tor runs as Debian runs it, as debian-tor (`User debian-tor`), and the server's
# sockets are given to that group: a socket or a client key tor cannot read fails the journey.
#   tests/tor/journey_test.sh SERVER_BIN CONSOLE_BIN TRANSFER_BIN ARTEFACT_DIR
#
# The same journey against the installed packages (tests/packaging/install_test.sh):
#   tests/tor/journey_test.sh --packaged ROOT KEYS PASSPHRASE_FILE SERVER_STDERR ARTEFACT_DIR
# ROOT is a Debian root with the four packages installed and the packaged server running from
# its unit's command line as sealdrop:debian-tor (sockets in ROOT/run/sealdrop); KEYS (the
# force MET's and the root's) and PASSPHRASE_FILE are paths inside ROOT. Then the onion host's
# tor is ROOT's own tor (chrooted, as ROOT's debian-tor, with the packaged torrc snippet), the
# client key is made by ROOT's sealdrop-force-client-auth, and the console and transfer tool
# are ROOT's.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${SEALDROP_IN_NETNS:-}" ]; then
  id debian-tor >/dev/null 2>&1 || { echo "tor journey: no debian-tor user (Debian's tor package makes it)"; exit 1; }
  for tool in tor tor-gencert unshare ip chromium openssl curl setpriv; do
    command -v "$tool" >/dev/null || { echo "tor journey: $tool missing (./scripts/install-deps installs it)"; exit 1; }
  done
  # A private mount namespace too: the packaged mode's bind mount ends with the test.
  exec unshare --net --mount env SEALDROP_IN_NETNS=1 "$0" "$@"
fi
ip link set lo up
PKG_ROOT=""
if [ "$1" = --packaged ]; then
  PKG_ROOT=$2 KEYS=$3 pw=$4 SERVER_ERR=$5 ART=$6
  in_pkg() { chroot "$PKG_ROOT" "$@"; }
  CONSOLE=(in_pkg sealdrop-console) TRANSFER=(in_pkg sealdrop-transfer)
  CLIENT_AUTH=(in_pkg sealdrop-force-client-auth)
else
  CONSOLE=("$2") TRANSFER=("$3") ART=$4
  CLIENT_AUTH=("$ROOT/scripts/force-client-auth")
fi
SERVER=$1
mkdir -p "$ART"
W=$(mktemp -d /tmp/sealdrop-tor.XXXXXX)
chmod 711 "$W"   # the onion host's tor (debian-tor) reaches $W/net through it
if [ -n "$PKG_ROOT" ]; then
  # One path for the work directory inside the root and out: the root's tools and tor read it.
  mkdir -p "$PKG_ROOT$W"; mount --bind "$W" "$PKG_ROOT$W"
  export SEALDROP_HOST_ROOT=$PKG_ROOT
fi
export NET="$W/net"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "$ROOT/scripts/tor-testnet" down || true
  if [ -n "$PKG_ROOT" ]; then umount "$PKG_ROOT$W" 2>/dev/null || true; rmdir "$PKG_ROOT$W" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
step() { printf '[tor journey +%3ds] %s\n' "$SECONDS" "$*"; }
SECONDS=0

if [ -n "$PKG_ROOT" ]; then
  run="$PKG_ROOT/run/sealdrop"
  sockets=(/run/sealdrop/source.sock /run/sealdrop/force.sock)
  [ -S "$run/source.sock" ] && [ -S "$run/force.sock" ] || { echo "FAIL: the packaged server's sockets are not in $run"; exit 1; }
else
  # Keys and a signed directory, with the real tools.
  KEYS="$W/keys" pw="$W/passphrase.txt"; echo "tor journey passphrase" > "$pw"
  "${CONSOLE[@]}" root-keygen --out "$KEYS" --passphrase-file "$pw" >/dev/null
  for f in MET NATIONAL; do "${CONSOLE[@]}" keygen --force "$f" --out "$KEYS" --passphrase-file "$pw" >/dev/null; done
  "${CONSOLE[@]}" directory build --keys "$KEYS" --out "$W/forces.json" --skip-missing >/dev/null
  "${CONSOLE[@]}" directory sign --root-key "$KEYS/root.secret" --in "$W/forces.json" --out "$W/dir.signed" --passphrase-file "$pw" >/dev/null

  # The sockets as Debian has them: the run directory and the sockets in group debian-tor, which
  # the onion host's tor runs as (scripts/tor-testnet: `User debian-tor`), nobody else let in.
  run="$W/run"
  mkdir -p "$run"; chgrp debian-tor "$run"; chmod 750 "$run"
  sockets=("$run/source.sock" "$run/force.sock")
  SERVER_ERR="$W/server.err"
  "$SERVER" --listen "unix:$run/source.sock" --source-proxy-protocol --force-listen "unix:$run/force.sock" \
    --socket-group debian-tor --socket-mode 0660 \
    --data "$W/data" --directory "$W/dir.signed" --root-pub "$KEYS/root.public" > "$W/server.out" 2> "$SERVER_ERR" &
  server_pid=$!
  for _ in $(seq 50); do grep -q listening "$W/server.out" && break; sleep 0.1; done
fi

net_t0=$SECONDS
"$ROOT/scripts/tor-testnet" up "${sockets[@]}"
if [ -n "$PKG_ROOT" ]; then
  # The onion host is the root's own tor, chrooted there, running as the root's debian-tor.
  host_pid=$(cat "$NET/host/pid")
  [ "$(readlink "/proc/$host_pid/root")" = "$(cd "$PKG_ROOT" && pwd -P)" ] || { echo "FAIL: the onion host's tor is not in the root"; exit 1; }
  host_uid=$(awk '/^Uid:/{print $2}' "/proc/$host_pid/status")
  [ "$host_uid" = "$(chroot "$PKG_ROOT" id -u debian-tor)" ] || { echo "FAIL: the onion host's tor runs as uid $host_uid"; exit 1; }
  step "onion host: the root's tor (pid $host_pid) as the root's debian-tor (uid $host_uid)"
fi
source_onion=$(cat "$NET/host/source/hostname")
force_onion=$(cat "$NET/host/force/hostname")
"${CLIENT_AUTH[@]}" MET-ws1 "$NET/host/force" "$W/ws" >/dev/null
"$ROOT/scripts/tor-testnet" restart-host   # a SIGHUP reload fails under Sandbox 1
"${CLIENT_AUTH[@]}" --check "$NET/host/force" >/dev/null
"$ROOT/scripts/tor-testnet" client ws 20200 "$W/ws/MET-ws1.auth_private"   # the force workstation
"$ROOT/scripts/tor-testnet" client nokey 20201                              # anyone else
"$ROOT/scripts/tor-testnet" client reporter 20202                           # Tor Browser stand-in
step "network up in $(cat "$NET/bootstrap_seconds") s; source ${source_onion:0:12}…, force ${force_onion:0:12}…"

# Wait until the source onion answers through Tor (descriptors published, circuits built).
for _ in $(seq 120); do
  curl -s --max-time 15 --socks5-hostname 127.0.0.1:20202 "http://$source_onion/" | grep -q "Report corruption" && break
  sleep 1
done
curl -s --max-time 15 --socks5-hostname 127.0.0.1:20202 "http://$source_onion/" | grep -q "Report corruption" ||
  { echo "FAIL: the source onion never answered"; for f in "$SERVER_ERR" "$NET/host/notice.log" "$NET/reporter/notice.log"; do echo "== $f"; tail -n 8 "$f"; done;
    curl -sS --max-time 15 --socks5-hostname 127.0.0.1:20202 "http://$source_onion/" 2>&1 | head -3; exit 1; }
first_fetch=$((SECONDS - net_t0))
step "first onion fetch $first_fetch s after the network started"

# 1. The reporter, in Chromium with JavaScript off, through Tor.
printf 'evidence through tor' > "$W/evidence.txt"
journey_t0=$SECONDS
/usr/bin/python3 "$ROOT/tests/browser/journey.py" --base "http://$source_onion" --proxy 127.0.0.1:20202 \
  --out "$ART" --force MET --what "Reported through Tor: PC 99 sells data." --attach "$W/evidence.txt" \
  --timeout 240 > "$W/journey1.json"
codename=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["codename"])' "$W/journey1.json")
step "report sent through Tor in Chromium (JS off)"

# 2. The force pulls through Tor with its client-auth key; a client without it is refused.
if "${TRANSFER[@]}" pull --server "http://$force_onion" --socks 127.0.0.1:20201 --force MET \
     --key "$KEYS/MET-transfer.secret" --passphrase-file "$pw" --out "$W/nokey.bundle" 2> "$W/nokey.err"; then
  echo "FAIL: a client without the client-auth key reached the force onion"; exit 1
fi
grep -qi "authori" "$W/nokey.err" || { echo "FAIL: unexpected refusal: $(cat "$W/nokey.err")"; exit 1; }
step "client without the key refused: $(cat "$W/nokey.err")"
pulled=""
for _ in $(seq 30); do
  if "${TRANSFER[@]}" pull --server "http://$force_onion" --socks 127.0.0.1:20200 --force MET \
       --key "$KEYS/MET-transfer.secret" --passphrase-file "$pw" --out "$W/in.bundle" > "$W/pull.out" 2> "$W/pull.err"; then
    pulled=1; break
  fi
  sleep 2
done
[ -n "$pulled" ] && [ -f "$W/in.bundle" ] || { echo "FAIL: pull through Tor: $(cat "$W/pull.err")"; exit 1; }
step "pulled through Tor with client auth: $(cat "$W/pull.out")"

# 3. The air-gapped console, then the push back through Tor.
C=("${CONSOLE[@]}")
"${C[@]}" init --data "$W/console" --key "$KEYS/MET.secret" --key-passphrase-file "$pw" --officer psd --passphrase-file "$pw" >/dev/null
"${C[@]}" import --data "$W/console" --officer psd --passphrase-file "$pw" "$W/in.bundle" >/dev/null
id=$("${C[@]}" list --data "$W/console" --officer psd --passphrase-file "$pw" | awk 'NR==2{print $1}')
echo "via Tor" | "${C[@]}" triage --data "$W/console" --officer psd --passphrase-file "$pw" "$id" --outcome investigate >/dev/null
echo "Thank you. Detectives are looking into PC 99." | "${C[@]}" reply --data "$W/console" --officer psd --passphrase-file "$pw" "$id" >/dev/null
"${C[@]}" outbox --data "$W/console" --officer psd --passphrase-file "$pw" --out "$W/out.bundle" >/dev/null
"${TRANSFER[@]}" push --server "http://$force_onion" --socks 127.0.0.1:20200 --force MET \
  --key "$KEYS/MET-transfer.secret" --passphrase-file "$pw" --in "$W/out.bundle" >/dev/null
step "triaged, replied, pushed through Tor"

# 4. The reporter comes back over the onion and reads the reply.
/usr/bin/python3 "$ROOT/tests/browser/journey.py" --base "http://$source_onion" --proxy 127.0.0.1:20202 \
  --out "$ART" --force MET --what unused --codename "$codename" \
  --expect-reply "Detectives are looking into PC 99." --timeout 240 > "$W/journey2.json"
step "reply read in Chromium over the onion"
# The server saw circuits, never addresses, and logged no secret.
if grep -q "$codename" "$SERVER_ERR" || grep -q "PC 99" "$SERVER_ERR"; then echo "FAIL: secret in the server log"; exit 1; fi
echo "tor journey: passed; bootstrap $(cat "$NET/bootstrap_seconds") s, first onion fetch $first_fetch s, journey $((SECONDS - journey_t0)) s, total $SECONDS s; screenshots in $ART"
