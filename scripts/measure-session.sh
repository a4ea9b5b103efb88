#!/usr/bin/env bash
# Measures what SQLite's session extension would make travel for the case
# exchange, with the sqlite3 shell's `.session` commands (Debian's sqlite3
# is built with the extension): changeset and patchset sizes for a year of
# one laptop's cases, for one field change, and whether an edit or a shred
# of free text carries the old text.
set -euo pipefail
N=${N:-600}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/cases.db"
canary="CANARY-$(date +%s)-old-note"
schema="CREATE TABLE calls (uid TEXT PRIMARY KEY, received_at INTEGER, area TEXT, kind TEXT,
  agency TEXT, verification TEXT, case_state TEXT, shred_at INTEGER, legal_hold INTEGER, notes TEXT);
CREATE TABLE followups (uid TEXT PRIMARY KEY, call_uid TEXT, due_at INTEGER, done INTEGER, what TEXT);"
sqlite3 "$db" "$schema"
inserts() {
  for i in $(seq 1 "$N"); do
    printf "INSERT INTO calls VALUES ('%s', %d, 'Eastside', 'sighting', 'ice', 'unverified', 'open', %d, 0, '%s');\n" \
      "$(cat /proc/sys/kernel/random/uuid)" $((1700000000 + i * 50000)) $((1720000000 + i * 50000)) \
      "$(head -c 300 /dev/zero | tr '\0' 'n') $canary"
    printf "INSERT INTO followups VALUES ('%s', (SELECT uid FROM calls ORDER BY rowid DESC LIMIT 1), %d, 0, 'call back');\n" \
      "$(cat /proc/sys/kernel/random/uuid)" $((1700100000 + i * 50000))
  done
}
record() { # $1 = name, $2 = SQL run inside the session
  sqlite3 "$db" <<SQL
.session open main s
.session attach calls
.session attach followups
$2
.session changeset $work/$1.changeset
.session patchset $work/$1.patchset
SQL
}
record insert "$(inserts)"
record verify "UPDATE calls SET verification = 'confirmed' WHERE rowid = 1;"
record edit "UPDATE calls SET notes = 'new text' WHERE rowid = 2;"
record shred "UPDATE calls SET notes = NULL WHERE rowid = 3;"
size() { stat -c %s "$work/$1"; }
has() { if grep -q "$canary" "$work/$1"; then echo yes; else echo no; fi; }
printf '%-32s %12s %12s\n' "what" "changeset" "patchset"
printf '%-32s %12s %12s\n' "$N cases + $N follow-ups (bytes)" "$(size insert.changeset)" "$(size insert.patchset)"
printf '%-32s %12s %12s\n' "one verification change (bytes)" "$(size verify.changeset)" "$(size verify.patchset)"
printf '%-32s %12s %12s\n' "edit of notes: old text inside?" "$(has edit.changeset)" "$(has edit.patchset)"
printf '%-32s %12s %12s\n' "shred of notes: old text inside?" "$(has shred.changeset)" "$(has shred.patchset)"
printf '%-32s %12s %12s\n' "insert: unmarked notes inside?" "$(has insert.changeset)" "$(has insert.patchset)"
