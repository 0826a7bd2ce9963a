#!/usr/bin/env bash
# The production torrc is valid for Debian's tor, and the operator scripts work:
#  1. `tor --verify-config` accepts torrc (paths moved into a temp dir);
#  2. the same check refuses a broken copy (so this test can fail);
#  3. scripts/force-client-auth installs a well-formed key pair; scripts/onion-addresses lists it;
#  4. with the onion directory owned by debian-tor (as Debian's tor has it) and the script run as
#     root, the .auth file is debian-tor's, 0600, and --check says so; a root-owned .auth file
#     (the trap: tor ignores it and publishes the onion without client authorisation) and an
#     empty authorized_clients are refused by --check.
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

if [ "$(id -u)" = 0 ] && id debian-tor > /dev/null 2>&1; then
  chmod 711 "$work" "$work/tor"
  hs="$work/tor/debian-force"; mkdir -p "$hs"; chmod 700 "$hs"
  echo "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz2345.onion" > "$hs/hostname"
  chown -R debian-tor:debian-tor "$hs"
  "$root/scripts/force-client-auth" MET-ws2 "$hs" "$work/ws" > /dev/null
  [ "$(stat -c '%U %a' "$hs/authorized_clients/MET-ws2.auth")" = "debian-tor 600" ] ||
    { echo "FAIL: .auth is $(stat -c '%U %a' "$hs/authorized_clients/MET-ws2.auth"), tor could not read it"; exit 1; }
  [ "$(stat -c '%U %a' "$hs/authorized_clients")" = "debian-tor 700" ] || { echo "FAIL: authorized_clients owner"; exit 1; }
  setpriv --reuid=debian-tor --regid=debian-tor --clear-groups -- cat "$hs/authorized_clients/MET-ws2.auth" > /dev/null ||
    { echo "FAIL: debian-tor cannot read the key"; exit 1; }
  "$root/scripts/force-client-auth" --check "$hs" | grep -q "ok: 1 client key" || { echo "FAIL: --check"; exit 1; }
  # The trap: a key file written by root, mode 0600.
  echo "descriptor:x25519:$(printf 'A%.0s' $(seq 52))" > "$hs/authorized_clients/root-made.auth"
  chmod 600 "$hs/authorized_clients/root-made.auth"
  if "$root/scripts/force-client-auth" --check "$hs" > "$work/check.out" 2>&1; then
    echo "FAIL: --check passed a key tor cannot read"; exit 1
  fi
  grep -q "cannot be read by debian-tor" "$work/check.out" || { echo "FAIL: --check said: $(cat "$work/check.out")"; exit 1; }
  rm -f "$hs/authorized_clients/"*.auth
  if "$root/scripts/force-client-auth" --check "$hs" > "$work/check.out" 2>&1; then
    echo "FAIL: --check passed an onion with no client key"; exit 1
  fi
  grep -q "WITHOUT client authorisation" "$work/check.out" || { echo "FAIL: --check said: $(cat "$work/check.out")"; exit 1; }
  echo "torrc_test: debian-tor ownership checked"
else
  echo "FAIL: run as root with Debian's tor installed (debian-tor user): the ownership checks need both"; exit 1
fi
echo "torrc_test: passed"
