#!/usr/bin/env bash
# Disk full, with real processes: the server's data directory is a 24 MiB tmpfs in a private
# mount namespace (unshare -m; nothing outside the test sees it). Reports with a 1 MiB file are
# submitted until the disk fills: every refusal is a 503 page saying nothing was kept; the landing
# page is still served; the server does not crash; nothing partial is left. When space returns,
# reports are accepted again; every report that got a codename opens on the console.
#   disk_full_test.sh SERVER CONSOLE TRANSFER
set -euo pipefail
if [ -z "${SEALDROP_DISK_FULL_NS:-}" ]; then
  exec unshare --mount --propagation private env SEALDROP_DISK_FULL_NS=1 "$0" "$@"
fi
server_bin=$(realpath "$1"); console_bin=$(realpath "$2"); transfer_bin=$(realpath "$3")
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  umount "$work/data" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/page" ] && sed -e "s/<[^>]*>//g" "$work/page" | grep -v "^\s*$" | head -20 >&2; exit 1; }

pw="$work/pw"; echo "disk full passphrase" > "$pw"
"$console_bin" root-keygen --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$console_bin" keygen --force MET --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$console_bin" directory build --keys "$work/keys" --out "$work/f.json" --skip-missing >/dev/null
"$console_bin" directory sign --root-key "$work/keys/root.secret" --in "$work/f.json" \
  --out "$work/dir.signed" --passphrase-file "$pw" >/dev/null
mkdir -p "$work/data"
mount -t tmpfs -o size=24m tmpfs "$work/data"

# No disk reserve at first: the last line of defence, a write that fails because the disk is
# full. The reserve, on this same small file system, comes at the end.
reserve=(--reserve-mb 0 --force-reserve-mb 0)
start_server() {
  coproc SRV { exec "$server_bin" --listen 127.0.0.1:0 --force-listen 127.0.0.1:0 --data "$work/data" \
    --directory "$work/dir.signed" --root-pub "$work/keys/root.public" \
    "${reserve[@]}" 2>>"$work/server.log"; }
  server_pid=$SRV_PID
  read -r api <&"${SRV[0]}"; api=${api#force-api }
  read -r line <&"${SRV[0]}"; addr=${line#listening }
}
start_server
head -c $((1 << 20)) /dev/urandom > "$work/file"

# submit MARKER -> prints the HTTP status; the page goes to $work/page
submit() {
  local jar="$work/jar" csrf
  rm -f "$jar"
  csrf=$(curl -s -c "$jar" "http://$addr/report" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  [ -n "$csrf" ] || fail "no report form"
  curl -s -b "$jar" -o "$work/page" -w '%{http_code}' -F "csrf=$csrf" -F force=MET -F "what=$1" \
    -F "file=@$work/file" "http://$addr/report"
}
accepted=()
# Fill the disk, leaving about 6 MiB: a few reports fit, then the disk is full.
fallocate -l $(( $(df --output=avail -B1 "$work/data" | tail -1) - (6 << 20) )) "$work/data/ballast"
refused=0
for i in $(seq 1 12); do
  status=$(submit "disk-full-report-$i")
  case "$status" in
    200) grep -q 'id="codename"' "$work/page" || fail "200 without a codename"; accepted+=("disk-full-report-$i") ;;
    503) grep -qi "nothing was kept\|try again" "$work/page" || fail "503 page does not say what happened"
         grep -q "disk-full-report-$i</textarea>" "$work/page" || fail "503 page lost what was typed"
         refused=$((refused + 1)) ;;
    *) fail "report $i: unexpected status $status" ;;
  esac
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/")" = 200 ] || fail "landing page not served while full"
done
[ ${#accepted[@]} -ge 1 ] || fail "no report fitted before the disk was full"
[ "$refused" -ge 3 ] || fail "the disk never filled ($refused refusals)"
kill -0 "$server_pid" || fail "the server died"
echo "disk full: ${#accepted[@]} accepted, $refused refused with 503"

# Space returns: reports are accepted again, without a restart.
rm -f "$work/data/ballast"
status=$(submit "disk-full-after-space-returned")
[ "$status" = 200 ] || fail "not accepted after space returned ($status)"
accepted+=("disk-full-after-space-returned")

# A restart finds nothing partial to clean: no temporary files, one non-empty blob per row.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
start_server
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect('file:$work/data/index.sqlite?mode=ro', uri=True).execute('SELECT COUNT(*) FROM items').fetchone()[0])")
blobs=$(find "$work/data/blobs" -type f -size +0 | wc -l)  # empty files are spares
[ "$rows" = "$blobs" ] || fail "$rows rows but $blobs blobs"
[ "$rows" = ${#accepted[@]} ] || fail "$rows items stored, ${#accepted[@]} acknowledged"
ls "$work/data" | grep -vqE '^(blobs|instance\.salt|form-token\.key|index\.sqlite(-journal)?)$' && fail "left behind: $(ls "$work/data")"

# Every acknowledged report opens on the console.
"$transfer_bin" pull --server "http://$api" --force MET --key "$work/keys/MET-transfer.secret" \
  --passphrase-file "$pw" --out "$work/pull.bundle" >/dev/null
"$console_bin" init --data "$work/console" --officer psd --passphrase-file "$pw" \
  --key "$work/keys/MET.secret" --key-passphrase-file "$pw" >/dev/null
"$console_bin" import --data "$work/console" --officer psd --passphrase-file "$pw" "$work/pull.bundle" >/dev/null
list=$("$console_bin" list --data "$work/console" --officer psd --passphrase-file "$pw")
for m in "${accepted[@]}"; do
  grep -q -- "$m" <<<"$list" || fail "$m was acknowledged but does not open"
done
# The disk reserve (docs/server.md "Storage budgets"): with 8 MiB reserved and about 14 MiB
# free, reports are accepted until the next would take the disk under 8 MiB, then refused with the
# "full for now" page, their words kept; the reserve is still free afterwards.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
reserve=(--reserve-mb 8 --force-reserve-mb 0)
start_server
fallocate -l $(( $(df --output=avail -B1 "$work/data" | tail -1) - (14 << 20) )) "$work/data/ballast"
kept=0; turned_away=0
for i in $(seq 1 10); do
  status=$(submit "reserve-report-$i")
  case "$status" in
    200) kept=$((kept + 1)) ;;
    503) grep -q "This service is full for now" "$work/page" || fail "503 under the reserve is not the full page"
         grep -q "reserve-report-$i</textarea>" "$work/page" || fail "503 under the reserve lost what was typed"
         turned_away=$((turned_away + 1)) ;;
    *) fail "reserve report $i: unexpected status $status" ;;
  esac
done
free=$(df --output=avail -B1 "$work/data" | tail -1)
[ "$kept" -ge 1 ] || fail "no report fitted above the reserve"
[ "$turned_away" -ge 3 ] || fail "the reserve never refused ($turned_away refusals)"
[ "$free" -ge $((8 << 20)) ] || fail "only $free bytes free: the 8 MiB reserve was not kept"
grep -q "upload refused: disk reserve" "$work/server.log" || fail "the refusal was not logged"
kill -0 "$server_pid" || fail "the server died"
echo "disk reserve: $kept accepted, $turned_away refused, $((free >> 20)) MiB still free"
echo "PASS: ${#accepted[@]} acknowledged reports open; disk full refused $refused with 503"
