#!/usr/bin/env bash
# Side-by-side figures for BENCHMARKS.md: each SealDrop figure next to its reference, measured in
# the same run on the same machine, with the ratio.
#   - landing page: sealdrop-server vs nginx serving the same bytes statically (wrk -t2 -c32);
#   - submit a text report, a 1 MiB and a 50 MiB file (curl, median of N);
#   - 1 GiB: sealed upload (curl → server → envelope on disk, fsynced) vs `age` encrypting the same
#     file to an X25519 recipient (file to file) vs raw crypto_secretstream in memory;
#   - server RSS: idle, while streaming the 1 GiB upload, and its peak (VmHWM); start-up time;
#   - landing page p99 while 100 codename logins are in flight.
# Usage: bench/compare.sh [runs]   (release preset and the envelope_throughput target built)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-9}"
bin=build/release
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk nginx age age-keygen curl bc; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (./scripts/install-deps)"; exit 1; }
done
ratio() { echo "scale=2; $1 / $2" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }

# --- a demo force, its directory, the server ---------------------------------------------------
pw="$work/pw"; echo "bench passphrase" > "$pw"
con="$bin/journalist_console/sealdrop-console"
"$con" root-keygen --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$con" keygen --force MET --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$con" directory build --keys "$work/keys" --out "$work/f.json" --skip-missing >/dev/null
"$con" directory sign --root-key "$work/keys/root.secret" --in "$work/f.json" \
  --out "$work/dir.signed" --passphrase-file "$pw" >/dev/null

start_ns=$(date +%s%N)
coproc SRV { exec "$bin/server/sealdrop-server" --listen 127.0.0.1:0 --data "$work/data" \
  --directory "$work/dir.signed" --root-pub "$work/keys/root.public" 2>/dev/null; }
server_pid=$SRV_PID; pids+=("$server_pid")
read -r line <&"${SRV[0]}"
startup_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
addr=${line#listening }
rss_kib() { awk "/$1/ {print \$2}" "/proc/$server_pid/status"; }
idle_mib=$(( $(rss_kib VmRSS) / 1024 ))

# --- landing page vs nginx ---------------------------------------------------------------------
mkdir -p "$work/www/static"
curl -s "http://$addr/" > "$work/www/index.html"
curl -s "http://$addr/static/style.css" > "$work/www/static/style.css"
chmod o+x "$work"; chmod -R o+rX "$work/www"  # nginx's workers run as an unprivileged user
nginx_port=$((20000 + RANDOM % 20000))
cat > "$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; text/css css; }
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" & pids+=("$!")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break; sleep 0.1; done
curl -s "http://127.0.0.1:$nginx_port/" > "$work/nginx-page"
cmp -s "$work/www/index.html" "$work/nginx-page" || { echo "bench: nginx page differs"; diff <(head -c 300 "$work/www/index.html") <(head -c 300 "$work/nginx-page"); cat "$work/nginx-error.log"; exit 1; }

wrk_figures() { # url -> "rps p50_ms p99_ms"
  wrk -t2 -c32 -d10s --latency "$1" | awk '
    /Requests\/sec/ {rps=$2}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)}
    END {printf "%.0f %.2f %.2f\n", rps, p50, p99}'
}
read -r sd_rps sd_p50 sd_p99 < <(wrk_figures "http://$addr/")
read -r ng_rps ng_p50 ng_p99 < <(wrk_figures "http://127.0.0.1:$nginx_port/")

# --- submissions -------------------------------------------------------------------------------
submit() { # file or "" -> seconds
  local jar="$work/jar" csrf t0 t1 code
  rm -f "$jar"
  csrf=$(curl -s -c "$jar" "http://$addr/report" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  local args=(-F "csrf=$csrf" -F force=MET -F "what=A text report written for the benchmark.")
  [ -n "$1" ] && args+=(-F "file=@$1")
  t0=$(date +%s%N)
  code=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "${args[@]}" "http://$addr/report")
  t1=$(date +%s%N)
  [ "$code" = 200 ] || { echo "bench: submit failed ($code)" >&2; exit 1; }
  echo "scale=3; ($t1 - $t0) / 1000000000" | bc
}
text_s=$(for _ in $(seq "$runs"); do submit ""; done | median)
head -c $((1 << 20)) /dev/urandom > "$work/f1"; one_s=$(for _ in $(seq "$runs"); do submit "$work/f1"; done | median)
head -c $((50 << 20)) /dev/urandom > "$work/f50"; fifty_s=$(for _ in $(seq "$runs"); do submit "$work/f50"; done | median)
rm -f "$work/f1" "$work/f50"

# --- 1 GiB: sealed upload vs age vs raw secretstream ------------------------------------------
head -c $((1024 << 20)) /dev/urandom > "$work/f1024"
( while kill -0 "$server_pid" 2>/dev/null; do rss_kib VmRSS; sleep 0.02; done ) > "$work/rss" &
sampler=$!; pids+=("$sampler")
up_s=$(submit "$work/f1024")
kill "$sampler"; wait "$sampler" 2>/dev/null || true
stream_mib=$(( $(tail -n +51 "$work/rss" | sort -n | tail -1) / 1024 ))
peak_mib=$(( $(rss_kib VmHWM) / 1024 ))
# The derivation helpers (separate processes: server/kdf/kdf_helpers.h): their peak.
helper_peak_mib=0
for h in $(pgrep -P "$server_pid"); do
  k=$(awk '/VmHWM/ {print $2}' "/proc/$h/status"); [ $((k / 1024)) -gt "$helper_peak_mib" ] && helper_peak_mib=$((k / 1024))
done
age-keygen -o "$work/age.key" 2>/dev/null
recipient=$(age-keygen -y "$work/age.key")
sync
t0=$(date +%s%N)
age -r "$recipient" -o "$work/f1024.age" "$work/f1024"
sync "$work/f1024.age"
age_s=$(echo "scale=3; ($(date +%s%N) - $t0) / 1000000000" | bc)
rm -f "$work/f1024.age" "$work/f1024"
raw_mibs=$("$bin/bench/envelope_throughput" 1024 | awk '/secretstream/ {for (i=1;i<=NF;i++) if ($i ~ /MiB\/s/) {v=$(i-1)}} END {print v}')
up_mibs=$(echo "scale=0; 1024 / $up_s" | bc)
age_mibs=$(echo "scale=0; 1024 / $age_s" | bc)

# --- landing page p99 while 100 codename logins are in flight -----------------------------------
codename="abacus abdomen abdominal abide abiding ability ablaze"
for i in $(seq 100); do
  csrf=$(curl -s -c "$work/jar$i" "http://$addr/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  echo "$csrf" > "$work/csrf$i"
done
logins=()
for i in $(seq 100); do
  ( curl -s -b "$work/jar$i" -o /dev/null -w '%{http_code}\n' --data-urlencode "csrf=$(cat "$work/csrf$i")" \
      --data-urlencode "codename=$codename" "http://$addr/login" >> "$work/logins" ) &
  logins+=("$!")
done
read -r fl_rps fl_p50 fl_p99 < <(wrk_figures "http://$addr/")
wait "${logins[@]}"
# 403: derived, no such codename; 429: the login throttle; 503: the derivation queue was full.
logins=$(sort "$work/logins" | uniq -c | awk '{printf "%s%s×%s", (NR > 1 ? ", " : ""), $1, $2}')

# --- the table ---------------------------------------------------------------------------------
echo "| figure | SealDrop | reference | ratio (target) |"
echo "| --- | --- | --- | --- |"
row "landing page, requests/s (wrk -t2 -c32 10 s)" "$sd_rps" "nginx $ng_rps" "$(ratio "$sd_rps" "$ng_rps")× (≥ 0.5×)"
row "landing page p50 / p99 latency" "$sd_p50 / $sd_p99 ms" "nginx $ng_p50 / $ng_p99 ms" ""
row "submit a text report (median of $runs)" "$text_s s" "" ""
row "submit a report with a 1 MiB file (median of $runs)" "$one_s s" "" ""
row "submit a report with a 50 MiB file (median of $runs)" "$fifty_s s" "" ""
row "1 GiB upload, sealed and fsynced (curl to codename page)" "$up_s s, $up_mibs MiB/s" "age -r X25519, file to file: $age_s s, $age_mibs MiB/s" "$(ratio "$up_mibs" "$age_mibs")× (≥ 0.5×)"
row "raw crypto_secretstream push, in memory" "" "$raw_mibs MiB/s" "upload = $(ratio "$up_mibs" "$raw_mibs")×"
row "server RSS idle / while streaming 1 GiB" "$idle_mib / $stream_mib MiB" "" "(≤ 32 MiB)"
row "server peak RSS (VmHWM, whole run)" "$peak_mib MiB" "" "(≤ 32 MiB)"
row "a derivation helper's peak RSS (Argon2id, 64 MiB, separate process)" "$helper_peak_mib MiB" "" ""
row "server start-up to listening" "$startup_ms ms" "" ""
row "landing p99 with 100 logins in flight (answers: $logins)" "$fl_p99 ms ($fl_rps req/s)" "" "(< 50 ms)"
