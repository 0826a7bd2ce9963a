#!/usr/bin/env bash
# The landing page under slowloris plus a connection flood (tests/integration/flood_test.cpp: a
# cap of 64 connections, 150 slowloris connections, ~1,000 new idle connections a second):
# prints the worst time of 20 landing-page requests. Target: under a second.
#   bench/floods.sh [repeats]     (release preset built first)
set -euo pipefail
cd "$(dirname "$0")/.."
for _ in $(seq "${1:-5}"); do
  build/release/tests/server_integration_tests --gtest_filter='Floods.*' 2>&1 | grep -E "floods:|FAILED|Failure"
done
