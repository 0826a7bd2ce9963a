#!/usr/bin/env bash
# The crash-durability soak: the test of tests/integration/durability_test.cpp with 1,000 SIGKILLs
# of the server (CI runs it with 100), then the killed pulls, imports and pushes. Prints its figures.
#   bench/soak.sh [kills]      (release preset built first; about five minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
SEALDROP_CRASH_KILLS="${1:-1000}" build/release/tests/server_integration_tests \
  --gtest_filter='Durability.*' 2>&1 | grep -E "durability:|OK|FAILED|Failure|lost"
