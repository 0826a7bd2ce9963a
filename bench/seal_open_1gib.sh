#!/usr/bin/env bash
# Seals and opens a file (1 GiB by default) through sealdrop-console and prints wall time,
# throughput and peak RSS (from /usr/bin/time -v) for each step, next to the same steps on a
# 1 KiB file, so the constant part (the Argon2id key unlock in `open`) is visible.
#   bench/seal_open_1gib.sh [SIZE_MIB]      (needs a release build: cmake --preset release ...)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
console="${CONSOLE:-build/release/journalist_console/sealdrop-console}"
[ -x "$console" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/sealdrop-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "bench-only passphrase" > "$work/pass"
"$console" root-keygen --out "$work/keys" --passphrase-file "$work/pass" >/dev/null
"$console" keygen --force MET --out "$work/keys" --passphrase-file "$work/pass" >/dev/null
"$console" directory build --keys "$work/keys" --out "$work/forces.json" --skip-missing >/dev/null
"$console" directory sign --root-key "$work/keys/root.secret" --in "$work/forces.json" \
  --out "$work/dir.signed" --passphrase-file "$work/pass" >/dev/null

measure() {  # label, command...
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null
  read -r secs kib < "$work/time"
  printf '%-28s %8.2f s  peak RSS %6.1f MiB\n' "$label" "$secs" "$(echo "$kib/1024" | bc -l)"
  echo "$secs"  > "$work/last_secs"
}

run_size() {  # name, bytes-spec for head
  local name=$1
  measure "seal $name" "$console" seal --directory "$work/dir.signed" \
    --root-pub "$work/keys/root.public" --force MET --in "$work/$name.in" --out "$work/$name.sealed"
  local seal_secs; seal_secs=$(cat "$work/last_secs")
  measure "open $name" "$console" open --key "$work/keys/MET.secret" --in "$work/$name.sealed" \
    --out "$work/$name.out" --passphrase-file "$work/pass"
  local open_secs; open_secs=$(cat "$work/last_secs")
  cmp "$work/$name.in" "$work/$name.out"
  echo "  byte-identical; sealed size $(stat -c %s "$work/$name.sealed") bytes"
  echo "$seal_secs $open_secs" > "$work/$name.secs"
  rm -f "$work/$name.out" "$work/$name.sealed"
}

head -c 1024 /dev/urandom > "$work/1KiB.in"
run_size 1KiB
head -c $((size_mib * 1048576)) /dev/urandom > "$work/${size_mib}MiB.in"
run_size "${size_mib}MiB"
read -r s o < "$work/${size_mib}MiB.secs"
printf 'throughput: seal %.0f MiB/s, open %.0f MiB/s (file to file, incl. fsync and key unlock)\n' \
  "$(echo "$size_mib/$s" | bc -l)" "$(echo "$size_mib/$o" | bc -l)"
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
