#!/usr/bin/env bash
# The four .debs installed the way an operator installs them, into a clean Debian 12 root made by
# mmdebstrap from Debian's archive (with systemd, and tor and every dependency apt pulls in),
# then checked:
#  - the sealdrop account (system, no login, home /var/lib/sealdrop, not in debian-tor), the
#    paths and modes (/etc/sealdrop, /var/lib/sealdrop sealdrop:debian-tor 0700), conffiles,
#    the unit installed and enabled, the man pages, each binary's --version inside the root;
#  - the unit verifies and its exposure is at most 1.5 against the installed root;
#  - the server runs from the unit's own ExecStart line, as the unit's User and Group, with the
#    shipped configuration (a directory and root key made by the root's own sealdrop-console):
#    both sockets sealdrop:debian-tor 0660 in /run/sealdrop (made as RuntimeDirectory makes it);
#    debian-tor can connect to them, nobody else can; SIGTERM stops it with exit 0;
#  - the private-Tor-network journey (tests/tor/journey_test.sh --packaged) passes against that
#    running server, with the root's own tor as the onion host (as the root's debian-tor, with
#    the packaged torrc snippet), a client key made by the root's sealdrop-force-client-auth,
#    the root's console and transfer tool, and "a client without the key is refused";
#  - removing sealdrop-server keeps /var/lib/sealdrop (reports and the instance salt).
# Needs root (chroot) and Debian's archive. Takes about three minutes.
#   install_test.sh DEB_DIR VERSION [ARTEFACT_DIR]
set -euo pipefail
debs="$(cd "$1" && pwd)" version="$2" art="${3:-$1/artefacts/tor}"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (mmdebstrap's root mode and chroot)"
command -v mmdebstrap >/dev/null || fail "mmdebstrap is not installed (./scripts/install-deps installs it)"
for p in server console transfer intake; do
  ls "$debs"/sealdrop-"$p"_"$version"_*.deb >/dev/null 2>&1 || fail "no sealdrop-${p}_${version} .deb in $debs"
done
work=$(mktemp -d)
r="$work/root"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  for m in proc dev; do mountpoint -q "$r/$m" 2>/dev/null && umount -l "$r/$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
in_root() { chroot "$r" "$@"; }

includes=()
for p in server console transfer intake; do includes+=("--include=$(ls "$debs"/sealdrop-"$p"_"$version"_*.deb)"); done
# systemd too, as on any Debian server: the unit's dependencies (sysinit.target…) are its.
mmdebstrap --mode=root --variant=apt --verbose \
  --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount --include=systemd "${includes[@]}" bookworm "$r" \
  > "$work/mmdebstrap.log" 2>&1 || { tail -60 "$work/mmdebstrap.log"; fail "mmdebstrap"; }
for p in server console transfer intake; do
  [ "$(in_root dpkg-query -W -f='${Status} ${Version}' sealdrop-$p)" = "install ok installed $version" ] \
    || fail "sealdrop-$p $version is not installed"
done
echo "installed: the four packages $version into a bookworm root (with $(in_root dpkg-query -W -f='${Version}' tor) tor)"

# The account.
IFS=: read -r _ _ uid _ _ home shell <<< "$(in_root getent passwd sealdrop)" || fail "no sealdrop account"
[ "$uid" -lt 1000 ] || fail "sealdrop is not a system account (uid $uid)"
[ "$home:$shell" = "/var/lib/sealdrop:/usr/sbin/nologin" ] || fail "sealdrop's home/shell: $home:$shell"
if in_root id -nG sealdrop | grep -qw debian-tor; then fail "the sealdrop account is in debian-tor"; fi
echo "account: sealdrop (uid $uid), no login, not in debian-tor"

# Paths, owners, modes.
expect() {  # PATH "TYPE OWNER GROUP MODE", names as the root's own passwd and group say
  local type uid gid mode got
  IFS=/ read -r type uid gid mode <<< "$(stat -c '%F/%u/%g/%a' "$r$1")" || fail "$1 is missing"
  got="$type $(in_root getent passwd "$uid" | cut -d: -f1) $(in_root getent group "$gid" | cut -d: -f1) $mode"
  [ "$got" = "$2" ] || fail "$1 is '$got', not '$2'"
}
expect /etc/sealdrop "directory root root 755"
expect /etc/sealdrop/sealdrop-server.toml "regular file root root 644"
expect /var/lib/sealdrop "directory sealdrop debian-tor 700"
expect /usr/sbin/sealdrop-server "regular file root root 755"
expect /usr/sbin/sealdrop-force-client-auth "regular file root root 755"
expect /usr/sbin/sealdrop-onion-addresses "regular file root root 755"
expect /lib/systemd/system/sealdrop-server.service "regular file root root 644"
expect /etc/tor/torrc.d/sealdrop.conf "regular file root root 644"
expect /usr/share/sealdrop-server/apparmor/system_tor "regular file root root 644"
for page in man8/sealdrop-server.8 man8/sealdrop-force-client-auth.8 man8/sealdrop-onion-addresses.8 man1/sealdrop-console.1 man1/sealdrop-transfer.1 man1/sealdrop-intake.1; do
  expect "/usr/share/man/$page.gz" "regular file root root 644"
done
conffiles=$(in_root dpkg-query -W -f='${Conffiles}' sealdrop-server)
for f in /etc/sealdrop/sealdrop-server.toml /etc/tor/torrc.d/sealdrop.conf; do
  grep -q " $f " <<< "$conffiles" || fail "$f is not a conffile"
done
[ -L "$r/etc/systemd/system/multi-user.target.wants/sealdrop-server.service" ] || fail "the unit is not enabled"
for bin in sealdrop-server sealdrop-console sealdrop-transfer sealdrop-intake; do
  got=$(in_root "$bin" --version) || fail "$bin --version failed in the root"
  [ "$got" = "$bin $version" ] || fail "$bin --version: '$got'"
done
echo "paths: /etc/sealdrop, /var/lib/sealdrop sealdrop:debian-tor 0700, conffiles, man pages, unit enabled; --version $version x4"

# The unit, against the installed root.
systemd-analyze verify --root="$r" --man=no sealdrop-server.service > "$work/verify.log" 2>&1 \
  || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
systemd-analyze security --offline=true --root="$r" sealdrop-server.service > "$work/security.log" 2>&1 || true
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/security.log")
[ -n "$exposure" ] || { cat "$work/security.log"; fail "no exposure figure"; }
awk -v e="$exposure" 'BEGIN { exit !(e <= 1.5) }' || fail "exposure $exposure (more than 1.5)"
echo "unit: verifies in the root; exposure $exposure"

# The server, from the unit's command line, as the unit's user and group.
unit="$r/lib/systemd/system/sealdrop-server.service"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
group=$(sed -n 's/^Group=//p' "$unit")
runtime_mode=$(sed -n 's/^RuntimeDirectoryMode=//p' "$unit")
umask_value=$(sed -n 's/^UMask=//p' "$unit")
[ "$user:$group:$runtime_mode" = "sealdrop:debian-tor:0750" ] || fail "unit user/group/runtime mode: $user:$group:$runtime_mode"
mount -t proc proc "$r/proc"
printf 'install test passphrase\n' > "$r/tmp/pass"
in_root sh -c 'cd /tmp && mkdir keys &&
  sealdrop-console root-keygen --out keys --passphrase-file pass &&
  sealdrop-console keygen --force MET --out keys --passphrase-file pass &&
  sealdrop-console directory build --keys keys --out forces.json --skip-missing &&
  sealdrop-console directory sign --root-key keys/root.secret --in forces.json \
    --out /etc/sealdrop/directory.signed --passphrase-file pass &&
  cp keys/root.public /etc/sealdrop/root.public' > "$work/console.log" 2>&1 \
  || { cat "$work/console.log"; fail "the root's sealdrop-console could not make a directory"; }
uid_of() { in_root id -u "$1"; }
gid_of() { in_root getent group "$1" | cut -d: -f3; }
install -d -o "$(uid_of "$user")" -g "$(gid_of "$group")" -m "$runtime_mode" "$r/run/sealdrop"
: > "$work/stdout"
# shellcheck disable=SC2086  # the unit's command line, split as systemd splits it (no quotes in it)
chroot --userspec="$(uid_of "$user"):$(gid_of "$group")" --groups="$(gid_of "$group")" "$r" sh -c "umask $umask_value && exec $exec_start" \
  >> "$work/stdout" 2> "$work/stderr" &
pid=$!
for _ in $(seq 150); do
  grep -q '^listening' "$work/stdout" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr"; fail "the packaged server stopped at start"; }
  sleep 0.1
done
grep -qx 'listening unix:/run/sealdrop/source.sock' "$work/stdout" || { cat "$work/stderr"; fail "not listening"; }
for sock in source.sock force.sock; do
  expect "/run/sealdrop/$sock" "socket sealdrop debian-tor 660"
done
connect='use IO::Socket::UNIX; IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$!\n"; print "connected\n"'
for sock in source.sock force.sock; do
  got=$(chroot --userspec="$(uid_of debian-tor):$(gid_of debian-tor)" "$r" perl -e "$connect" /run/sealdrop/$sock 2>&1) || true
  [ "$got" = connected ] || fail "debian-tor cannot connect to $sock: $got"
  got=$(chroot --userspec="$(uid_of nobody):$(gid_of nogroup)" "$r" perl -e "$connect" /run/sealdrop/$sock 2>&1) || true
  [ "$got" = "Permission denied" ] || fail "nobody could reach $sock: $got"
done
echo "server: ran as $user:$group from the unit's ExecStart; sockets 0660 sealdrop:debian-tor; debian-tor connects, nobody cannot"

# The whole journey through a private Tor network, against this packaged server.
"$(dirname "$0")/../tor/journey_test.sh" --packaged "$r" /tmp/keys /tmp/pass "$work/stderr" "$art" \
  || { tail -20 "$work/stderr"; fail "the Tor journey against the packaged server"; }
kill -TERM "$pid"
wait "$pid" || fail "the packaged server exited $? after SIGTERM"
pid=""
echo "server: stopped by SIGTERM with exit 0"

in_root sh -c 'echo salt-kept > /var/lib/sealdrop/marker'
in_root dpkg --purge sealdrop-server > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge"; }
[ -f "$r/var/lib/sealdrop/marker" ] || fail "purging sealdrop-server deleted /var/lib/sealdrop"
echo "purge: /var/lib/sealdrop kept"
echo "install_test: passed"
