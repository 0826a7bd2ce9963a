#!/usr/bin/env bash
# Store faults, with the real binaries and real files: a corrupted database (one page in the
# middle of a table overwritten, as a failing disk would), a read-only console directory (a
# read-only bind mount: the test runs as root, which file modes would not stop) and a full disk
# (a small tmpfs), all in a private mount namespace (unshare -m). Every console command and the
# server must fail loudly: a non-zero exit and one line on stderr, never "intact" for an audit
# chain that was not read to its end, never a short list presented as complete, and nothing
# deleted on the strength of a read that failed.
#   store_faults_test.sh SERVER CONSOLE TRANSFER
set -euo pipefail
if [ -z "${SEALDROP_STORE_FAULTS_NS:-}" ]; then
  exec unshare --mount --propagation private env SEALDROP_STORE_FAULTS_NS=1 "$0" "$@"
fi
server_bin=$(realpath "$1"); console_bin=$(realpath "$2"); transfer_bin=$(realpath "$3")
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  for m in "$work/ro" "$work/full"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

pw="$work/pw"; echo "store faults passphrase" > "$pw"
"$console_bin" root-keygen --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$console_bin" keygen --force MET --out "$work/keys" --passphrase-file "$pw" >/dev/null
"$console_bin" directory build --keys "$work/keys" --out "$work/f.json" --skip-missing >/dev/null
"$console_bin" directory sign --root-key "$work/keys/root.secret" --in "$work/f.json" \
  --out "$work/dir.signed" --passphrase-file "$pw" >/dev/null

# --- A healthy server with two reports, pulled and imported into a healthy console. ---
start_server() {  # start_server DATA_DIR
  coproc SRV { exec "$server_bin" --listen 127.0.0.1:0 --force-listen 127.0.0.1:0 --data "$1" \
    --directory "$work/dir.signed" --root-pub "$work/keys/root.public" 2>>"$work/server.log"; }
  server_pid=$SRV_PID
  read -r api <&"${SRV[0]}"; api=${api#force-api }
  read -r line <&"${SRV[0]}"; addr=${line#listening }
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }
submit() {
  local jar="$work/jar" csrf
  rm -f "$jar"
  csrf=$(curl -s -c "$jar" "http://$addr/report" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  [ -n "$csrf" ] || fail "no report form"
  [ "$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' -F "csrf=$csrf" -F force=MET -F "what=$1" \
    "http://$addr/report")" = 200 ] || fail "report $1 not accepted"
}
start_server "$work/data"
submit "store-faults-report-1"
submit "store-faults-report-2"
"$transfer_bin" pull --server "http://$api" --force MET --key "$work/keys/MET-transfer.secret" \
  --passphrase-file "$pw" --out "$work/pull.bundle" >/dev/null
stop_server
console="$work/console"
# Every console command signs in as the officer "psd" (docs/console.md §5).
with_key=(--officer psd --passphrase-file "$pw")
"$console_bin" init --data "$console" --key "$work/keys/MET.secret" --key-passphrase-file "$pw" \
  "${with_key[@]}" >/dev/null
"$console_bin" import --data "$console" "${with_key[@]}" "$work/pull.bundle" >/dev/null
echo "the reply" > "$work/reply.txt"
case_id=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT id FROM cases LIMIT 1').fetchone()[0])" "$console/console.sqlite")
# One reply waiting, so that `outbox` has something to write.
"$console_bin" reply --data "$console" "${with_key[@]}" "$case_id" <"$work/reply.txt" >/dev/null

# Grows a table to many pages, so that one page in its middle can be damaged while the pages
# before it still read: the console gets 150 more cases (each with its sealed file) and 80 more
# audit entries (chained as docs/console.md §4 says); the server 400 more items with blobs.
python3 - "$console/console.sqlite" "$work/data/index.sqlite" <<'EOF'
import hashlib, os, sqlite3, sys
console, index = sys.argv[1], sys.argv[2]
db = sqlite3.connect(console)
for i in range(150):
    cid = "%032x" % (0xfa0000 + i)
    db.execute("INSERT INTO cases VALUES (?, 'report', '2027-01-15', '2027-01-15', ?, '', 0, 'new', '', ?)",
               (cid, "%064x" % (0xfb0000 + i), os.urandom(120)))
    open(os.path.join(os.path.dirname(console), "sealed", cid), "wb").write(os.urandom(200))
seq, prev = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
for i in range(80):
    seq += 1
    row = [seq, "2027-01-15T12:00:00Z", "tester", "show", "%032x" % (0xfa0000 + i % 150), "", prev]
    text = "SealDrop audit v1\n" + "\n".join(str(v) for v in row)
    prev = hashlib.sha256(text.encode()).hexdigest()
    db.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?)", row + [prev])
db.commit(); db.close()
db = sqlite3.connect(index)
for i in range(400):
    iid = "%032x" % (0xfc0000 + i)
    db.execute("INSERT INTO items VALUES (?, 'MET', '2027-01-15', 1024, 'report', NULL)", (iid,))
    open(os.path.join(os.path.dirname(index), "blobs", iid), "wb").write(os.urandom(64))
db.commit(); db.close()
EOF
healthy_verify=$("$console_bin" audit verify --data "$console" "${with_key[@]}")
grep -q "^audit log intact: 8[0-9] entries" <<<"$healthy_verify" || fail "healthy chain: $healthy_verify"
healthy_stats=$("$console_bin" stats --data "$console" "${with_key[@]}")

# Overwrites the middle leaf page of TABLE in DB with garbage.
corrupt() {
  python3 - "$1" "$2" <<'EOF'
import os, sqlite3, sys
path, table = sys.argv[1], sys.argv[2]
db = sqlite3.connect(path)
page = db.execute("PRAGMA page_size").fetchone()[0]
leaves = [r[0] for r in db.execute(
    "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
db.close()
assert len(leaves) >= 3, f"{table} has {len(leaves)} leaf pages"
assert not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") == 0
with open(path, "r+b") as f:
    f.seek((leaves[len(leaves) // 2] - 1) * page)
    f.write(b"\xa5" * page)
EOF
}

# expect_fail LABEL CMD...: non-zero exit, a reason on stderr, no "intact" and no listing.
# What a command reads on stdin: the note or reply text for triage and reply, else nothing.
stdin_for() { case "$1" in triage|reply) echo "$work/reply.txt" ;; *) echo /dev/null ;; esac; }
expect_fail() {
  local label=$1; shift
  local rc=0
  "$@" >"$work/out" 2>"$work/err" <"$(stdin_for "$label")" || rc=$?
  [ "$rc" -ne 0 ] || fail "$label: exit 0; printed: $(head -3 "$work/out")"
  [ -s "$work/err" ] || fail "$label: exit $rc without a word on stderr"
  if grep -qi "intact" "$work/out"; then fail "$label: printed intact"; fi
  echo "  ok $label: exit $rc: $(head -1 "$work/err")"
}
# read_or_fail LABEL EXPECTED CMD...: either the complete, healthy output or a loud failure.
read_or_fail() {
  local label=$1 expected=$2; shift 2
  local rc=0
  "$@" >"$work/out" 2>"$work/err" <"$(stdin_for "$label")" || rc=$?
  if [ "$rc" -eq 0 ]; then
    [ "$(cat "$work/out")" = "$expected" ] || fail "$label: exit 0 with different output: $(head -3 "$work/out")"
    echo "  ok $label: read everything"
  else
    expect_fail "$label" "$@"
  fi
}
sealed_count() { find "$1/sealed" -type f | wc -l; }
console_commands() {  # console_commands DIR: every command that opens the store, as label|args
  local d=$1
  printf '%s\n' "audit verify|audit verify --data $d ${with_key[*]}" "stats|stats --data $d ${with_key[*]}" \
    "list|list --data $d ${with_key[*]}" "show|show --data $d ${with_key[*]} $case_id" \
    "triage|triage --data $d ${with_key[*]} --outcome record $case_id" \
    "reply|reply --data $d ${with_key[*]} $case_id" \
    "outbox|outbox --data $d ${with_key[*]} --out $work/outbox-$RANDOM.bundle" \
    "import|import --data $d ${with_key[*]} $work/pull.bundle"
}

echo "console: the audit table damaged in its middle"
cp -a "$console" "$work/c-audit"
corrupt "$work/c-audit/console.sqlite" audit
expect_fail "audit verify" "$console_bin" audit verify --data "$work/c-audit" "${with_key[@]}"

echo "console: the cases table damaged in its middle"
cp -a "$console" "$work/c-cases"
corrupt "$work/c-cases/console.sqlite" cases
expect_fail "stats" "$console_bin" stats --data "$work/c-cases" "${with_key[@]}"
expect_fail "list" "$console_bin" list --data "$work/c-cases" "${with_key[@]}"
read_or_fail "audit verify" "$healthy_verify" "$console_bin" audit verify --data "$work/c-cases" "${with_key[@]}"

# With its index damaged too, Open() cannot learn which sealed files are referenced: every
# command must stop there, and no sealed file may be removed as "unreferenced".
echo "console: the cases table and its index damaged in their middle"
cp -a "$console" "$work/c-index"
corrupt "$work/c-index/console.sqlite" cases
corrupt "$work/c-index/console.sqlite" cases_source
before=$(sealed_count "$work/c-index")
while IFS='|' read -r label args; do
  # shellcheck disable=SC2086  # args is a word list built above
  expect_fail "$label" "$console_bin" $args
done < <(console_commands "$work/c-index")
[ "$(sealed_count "$work/c-index")" = "$before" ] || fail "sealed files were deleted after a failed read"

echo "console: read-only directory"
mkdir "$work/ro"; cp -a "$console/." "$work/ro/"
mount --bind "$work/ro" "$work/ro"; mount -o remount,bind,ro "$work/ro"
touch "$work/ro/probe" 2>/dev/null && fail "the bind mount is writable"
while IFS='|' read -r label args; do
  case "$label" in
    "audit verify") read_or_fail "$label" "$healthy_verify" "$console_bin" audit verify --data "$work/ro" "${with_key[@]}" ;;
    stats) read_or_fail "$label" "$healthy_stats" "$console_bin" stats --data "$work/ro" "${with_key[@]}" ;;
    list) read_or_fail "$label" "$("$console_bin" list --data "$console" "${with_key[@]}")" \
            "$console_bin" list --data "$work/ro" "${with_key[@]}" ;;
    # shellcheck disable=SC2086
    *) expect_fail "$label" "$console_bin" $args ;;
  esac
done < <(console_commands "$work/ro")

echo "console: full disk"
mkdir "$work/full"
mount -t tmpfs -o size=8m tmpfs "$work/full"
cp -a "$console" "$work/full/c"
# A reader holds the database open, as a second console window would: its -wal and -shm files
# stay, so each command gets past opening and fails where it writes.
python3 -c "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); c.execute('SELECT COUNT(*) FROM audit').fetchone(); time.sleep(3600)" \
  "$work/full/c/console.sqlite" &
holder=$!
for _ in $(seq 1 100); do [ -e "$work/full/c/console.sqlite-wal" ] && break; sleep 0.1; done
[ -e "$work/full/c/console.sqlite-wal" ] || fail "the reader never opened the database"
audit_before=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM audit').fetchone()[0])" "$work/full/c/console.sqlite")
fallocate -l "$(df --output=avail -B1 "$work/full" | tail -1)" "$work/full/ballast" || true
while [ "$(df --output=avail -B1 "$work/full" | tail -1)" -gt 0 ]; do
  head -c "$(df --output=avail -B1 "$work/full" | tail -1)" /dev/zero >> "$work/full/ballast" 2>/dev/null || break
done
while IFS='|' read -r label args; do
  case "$label" in
    "audit verify"|stats|list) continue ;;  # they write nothing
    # shellcheck disable=SC2086
    *) expect_fail "$label" "$console_bin" $args ;;
  esac
done < <(console_commands "$work/full/c")
rm -f "$work/full/ballast"
kill "$holder"; wait "$holder" 2>/dev/null || true
after=$("$console_bin" audit verify --data "$work/full/c" "${with_key[@]}") || fail "chain after the disk was full: $after"
grep -q "^audit log intact: $audit_before entries" <<<"$after" || fail "after the disk was full: $after (was $audit_before)"
echo "  ok nothing half-written: $after"

# expect_server_refuses LABEL DATA: the server does not start (exit 1 with a reason; not still
# running when the timeout ends it).
expect_server_refuses() {
  local rc=0
  timeout 60 "$server_bin" --listen 127.0.0.1:0 --force-listen 127.0.0.1:0 --data "$2" \
    --directory "$work/dir.signed" --root-pub "$work/keys/root.public" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "$1: the server started (exit $rc)"
  grep -q "^sealdrop-server: " "$work/err" || fail "$1: no reason given: $(head -3 "$work/err")"
  echo "  ok $1: exit $rc: $(grep "^sealdrop-server: " "$work/err" | head -1)"
}

# Only the table: start-up recovery reads the ids from an index and starts, but the force's
# pull must fail and write no bundle rather than carry a short list.
echo "server: the items table damaged in its middle"
cp -a "$work/data" "$work/s-items"
corrupt "$work/s-items/index.sqlite" items
start_server "$work/s-items"
expect_fail "transfer pull" "$transfer_bin" pull --server "http://$api" --force MET \
  --key "$work/keys/MET-transfer.secret" --passphrase-file "$pw" --out "$work/short.bundle"
[ ! -e "$work/short.bundle" ] || fail "pull wrote a bundle from a list it could not read"
stop_server
expect_fail "server status" "$server_bin" status --data "$work/s-items"

# The table and every index: recovery cannot learn which blobs have rows, so the server must not
# start, and must not remove a single blob as an "orphan".
echo "server: the items table and its indexes damaged in their middle"
cp -a "$work/data" "$work/s-all"
for t in items items_force items_lookup; do corrupt "$work/s-all/index.sqlite" "$t"; done
blobs_before=$(find "$work/s-all/blobs" -type f -size +0 | sort)
expect_server_refuses "server start" "$work/s-all"
[ "$(find "$work/s-all/blobs" -type f -size +0 | sort)" = "$blobs_before" ] || fail "the server deleted or emptied blobs after a failed read"

echo "server: read-only data directory"
umount "$work/ro"
rm -rf "$work/ro"; mkdir "$work/ro"; cp -a "$work/data/." "$work/ro/"
mount --bind "$work/ro" "$work/ro"; mount -o remount,bind,ro "$work/ro"
expect_server_refuses "server start" "$work/ro"

echo "PASS: every command failed loudly; nothing was deleted or half-written"
