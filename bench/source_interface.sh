#!/usr/bin/env bash
# Figures for the source interface, against the real release server on 127.0.0.1:
#   - landing page requests/s and latency (wrk, 2 threads, 32 connections, 10 s);
#   - time to submit a report with a 1 MiB and with a 50 MiB file (curl, median of N runs),
#     from the POST to the codename page, Argon2id derivation and fsync included;
#   - the server's RSS while a 1 GiB file uploads (sampled every 20 ms) and its peak (VmHWM),
#     which includes the one 64 MiB Argon2id derivation of the new codename;
#   - start-up time to the "listening" line.
# Usage: bench/source_interface.sh [runs]   (build the release preset first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-9}"
bin=build/release
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)"; exit 1; }

pw="$work/pw"; echo "bench passphrase" > "$pw"
"$bin/journalist_console/sealdrop-console" root-keygen --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$bin/journalist_console/sealdrop-console" keygen --force MET --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$bin/journalist_console/sealdrop-console" directory build --keys "$work/keys" --out "$work/f.json" --skip-missing >/dev/null
"$bin/journalist_console/sealdrop-console" directory sign --root-key "$work/keys/root.secret" \
  --in "$work/f.json" --out "$work/dir.signed" --passphrase-file "$pw" >/dev/null

start_ns=$(date +%s%N)
coproc SRV { exec "$bin/server/sealdrop-server" --listen 127.0.0.1:0 --data "$work/data" \
  --directory "$work/dir.signed" --root-pub "$work/keys/root.public" 2>/dev/null; }
server_pid=$SRV_PID
read -r line <&"${SRV[0]}"
ready_ns=$(date +%s%N)
addr=${line#listening }
echo "start-up to listening: $(( (ready_ns - start_ns) / 1000000 )) ms"

echo; echo "== landing page: wrk -t2 -c32 -d10s --latency"
wrk -t2 -c32 -d10s --latency "http://$addr/" | grep -E "Requests/sec|Latency|50%|99%"

submit() { # file -> seconds
  local jar="$work/jar" csrf t0 t1
  rm -f "$jar"
  csrf=$(curl -s -c "$jar" "http://$addr/report" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  t0=$(date +%s%N)
  code=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' -F "csrf=$csrf" -F force=MET \
    -F "what=bench" -F "file=@$1" "http://$addr/report")
  t1=$(date +%s%N)
  [ "$code" = 200 ] || { echo "bench: submit failed ($code)" >&2; exit 1; }
  echo "scale=3; ($t1 - $t0) / 1000000000" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for size in 1 50; do
  head -c $((size << 20)) /dev/urandom > "$work/f$size"
  times=$(for _ in $(seq "$runs"); do submit "$work/f$size"; done)
  echo; echo "== submit a report with a $size MiB file (median of $runs): $(echo "$times" | median) s"
  echo "   all: $(echo $times)"
done

echo; echo "== 1 GiB upload: server RSS"
head -c $((1024 << 20)) /dev/urandom > "$work/f1024"
max=0
( while kill -0 "$server_pid" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; sleep 0.02; done ) > "$work/rss" &
sampler=$!
t=$(submit "$work/f1024")
kill "$sampler"; wait "$sampler" 2>/dev/null || true
max=$(sort -n "$work/rss" | tail -1)
# Samples from 1 s on: the streaming itself, after the new codename's Argon2id (64 MiB, ~0.2 s)
# has returned its memory.
stream_max=$(tail -n +51 "$work/rss" | sort -n | tail -1)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
echo "   submit time: $t s ($(echo "scale=0; 1024 / $t" | bc) MiB/s incl. derivation and fsync)"
echo "   RSS while streaming (max of samples from 1 s on): $((stream_max / 1024)) MiB"
echo "   RSS max of all $(wc -l < "$work/rss") samples, derivation included: $((max / 1024)) MiB"
echo "   VmHWM (peak since start, incl. Argon2id 64 MiB): $((hwm / 1024)) MiB"
echo "   idle RSS now: $(( $(awk '/VmRSS/ {print $2}' /proc/$server_pid/status) / 1024 )) MiB"
