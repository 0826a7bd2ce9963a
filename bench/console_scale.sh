#!/usr/bin/env bash
# Console figures: import of a bundle of 1,000 and of 10,000 reports, and `list` on 10,000
# (wall time and peak RSS, /usr/bin/time). Each command includes one Argon2id unlock of the
# force key from the officer's key slot (MODERATE: ~0.5 s, 256 MiB), as it does for an officer.
# Usage: bench/console_scale.sh [sizes...]   (default: 1000 10000; release preset built first,
#        plus: cmake --build --preset release --target make_pull_bundle)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release
sizes=("${@:-1000 10000}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in ${sizes[@]}; do
  d="$work/$n"; mkdir -p "$d"
  "$bin/bench/make_pull_bundle" "$n" "$d" >/dev/null
  echo "== $n reports ($(du -h "$d/pull.bundle" | cut -f1) bundle)"
  "$bin/journalist_console/sealdrop-console" init --data "$d/console" --key "$d/MET.secret" \
    --key-passphrase-file "$d/passphrase.txt" --officer bench --passphrase-file "$d/passphrase.txt" >/dev/null
  /usr/bin/time -f "   import: %e s, peak RSS %M KiB" "$bin/journalist_console/sealdrop-console" import \
    --data "$d/console" --officer bench --passphrase-file "$d/passphrase.txt" "$d/pull.bundle" >/dev/null
  /usr/bin/time -f "   list:   %e s, peak RSS %M KiB" "$bin/journalist_console/sealdrop-console" list \
    --data "$d/console" --officer bench --passphrase-file "$d/passphrase.txt" > "$d/list.txt"
  echo "   list printed $(tail -1 "$d/list.txt")"
  rm -rf "$d"
done
