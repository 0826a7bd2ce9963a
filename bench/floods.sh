#!/usr/bin/env bash
# The source site under each flood of issue 13, against the real server (the Floods.* tests in
# tests/integration/flood_test.cpp, small caps set by flags so that each runs in seconds):
#   slowloris+connections  150 slowloris connections and ~1,000 new idle connections a second
#                          against a cap of 64
#   slow-uploads           100 upload connections (valid form tokens) trickling a byte a second,
#                          reopened when dropped, against a cap of 64 (32 for bodies); "(tor)":
#                          the same behind Tor's PROXY header, three connections to a circuit
#   login                  16 clients rotating Tor circuits, a fresh one per attempt, half of
#                          them costing a derivation each, one derivation worker
#   sessions               10,600 new sessions (four at a time), more than the store keeps
# For each: the landing-page time (worst and median of 20, or 10 for logins), the honest-login
# time (login page, then the codename form) and, for slow uploads, a new report with a 256 KiB
# file. Run R times; a figure's spread across runs is the shared machine's.
#   bench/floods.sh [R]     (release preset built first)
set -euo pipefail
cd "$(dirname "$0")/.."
tests=build/release/tests/server_integration_tests
[[ -x $tests ]] || { echo "build the release preset first" >&2; exit 1; }
echo "bench/floods.sh $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
for run in $(seq "${1:-3}"); do
  echo "run $run"
  "$tests" --gtest_filter='Floods.*' 2>&1 | grep -E "^floods:|FAILED|Failure" | sed 's/^floods: /  /'
done
