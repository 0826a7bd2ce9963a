#!/usr/bin/env bash
# lintian finds no error in the four packages (warnings and the rest are printed for the log).
#   lintian_test.sh DEB_DIR
set -euo pipefail
debs="$(cd "$1" && pwd)"
command -v lintian >/dev/null || { echo "FAIL: lintian is not installed (./scripts/install-deps)"; exit 1; }
changes=$(ls "$debs"/sealdrop_*_*.changes 2>/dev/null | head -1)
[ -n "$changes" ] || { echo "FAIL: no .changes in $debs (scripts/build-packages makes it)"; exit 1; }
# The .changes names every .deb of the build (with the -dbgsym ones).
if ! lintian --fail-on error --info --display-level '>=pedantic' "$changes"; then
  echo "FAIL: lintian found errors"
  exit 1
fi
echo "lintian_test: no errors"
