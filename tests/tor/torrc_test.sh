#!/usr/bin/env bash
# The production torrc is valid for Debian's tor, and the operator scripts work:
#  1. `tor --verify-config` accepts torrc (paths moved into a temp dir);
#  2. the same check refuses a broken copy (so this test can fail);
#  3. scripts/force-client-auth installs a well-formed key pair; scripts/onion-addresses lists it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v tor >/dev/null || { echo "torrc_test: tor is not installed (./scripts/install-deps installs it)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tor" "$work/run"
chmod 700 "$work/tor"
sed -e "s|/var/lib/tor|$work/tor|g" -e "s|/run/sealdrop|$work/run|g" \
    -e "s|^Log notice syslog|Log notice stderr|" "$root/torrc" > "$work/torrc"
tor --verify-config -f "$work/torrc" > "$work/verify.log" 2>&1 || { cat "$work/verify.log"; echo "FAIL: torrc invalid"; exit 1; }
grep -q "Configuration was valid" "$work/verify.log" || { echo "FAIL: no verdict"; exit 1; }
for opt in "SocksPort 0" "SafeLogging 1" "Sandbox 1" "HiddenServiceVersion 3" \
           "HiddenServicePoWDefensesEnabled 1" "HiddenServiceEnableIntroDoSDefense 1" \
           "HiddenServiceExportCircuitID haproxy" "HiddenServiceMaxStreamsCloseCircuit 1" \
           "HiddenServicePort 80 unix:/run/sealdrop/source.sock" \
           "HiddenServicePort 80 unix:/run/sealdrop/force.sock"; do
  grep -q "^$opt" "$root/torrc" || { echo "FAIL: torrc lacks '$opt'"; exit 1; }
done
sed 's/^HiddenServiceVersion 3/HiddenServiceVersion 2/' "$work/torrc" > "$work/broken"
if tor --verify-config -f "$work/broken" > /dev/null 2>&1; then echo "FAIL: a v2 onion was accepted"; exit 1; fi

mkdir -p "$work/tor/sealdrop-force"
echo "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz2345.onion" > "$work/tor/sealdrop-force/hostname"
"$root/scripts/force-client-auth" MET-ws1 "$work/tor/sealdrop-force" "$work/ws" > /dev/null
grep -Eq '^descriptor:x25519:[A-Z2-7]{52}$' "$work/tor/sealdrop-force/authorized_clients/MET-ws1.auth" || { echo "FAIL: .auth"; exit 1; }
grep -Eq '^abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz2345:descriptor:x25519:[A-Z2-7]{52}$' "$work/ws/MET-ws1.auth_private" || { echo "FAIL: .auth_private"; exit 1; }
[ "$(stat -c %a "$work/ws/MET-ws1.auth_private")" = 600 ] || { echo "FAIL: private key mode"; exit 1; }
if "$root/scripts/force-client-auth" MET-ws1 "$work/tor/sealdrop-force" "$work/ws" > /dev/null 2>&1; then
  echo "FAIL: a second key with the same name was accepted"; exit 1
fi
"$root/scripts/onion-addresses" "$work/tor" | grep -q "MET-ws1" || { echo "FAIL: onion-addresses"; exit 1; }
echo "torrc_test: passed"
