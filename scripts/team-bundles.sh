#!/usr/bin/env bash
# Measures team bundles through the real `hotline` command: a coordinator's
# laptop and two laptops (600 demo calls each, about a year), enrolled
# through their files; the sizes of the enrolment files and of a signed
# bundle, and the time of `summary merge --dry-run` of one bundle and of
# 2 × N bundles (each command unlocks the vault and runs the integrity
# check first, as every `hotline` command does). Prints the figures.
#
#   scripts/team-bundles.sh            # N=25, target/debug/hotline
#   N=10 HOTLINE_CLI_BIN=target/release/hotline scripts/team-bundles.sh
set -euo pipefail
H=${HOTLINE_CLI_BIN:-target/debug/hotline}
N=${N:-25}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export HOTLINE_USER=river-7 HOTLINE_PASSPHRASE="maple kettle harbor 42"
run() { "$H" --data-dir "$@" >/dev/null 2>&1; }
for d in c a b; do run "$W/$d" init; done
run "$W/c" team create --name T
for d in a b; do
  run "$W/$d" demo-data --calls 600 --seed 7
  run "$W/$d" team request --name "$d" --out "$W/$d.req"
  run "$W/c" team invite "$W/$d.req" --out "$W/$d.team"
  run "$W/$d" team enrol "$W/$d.team"
done
today=$(date -u +%F)
files=()
for d in a b; do
  for i in $(seq 1 "$N"); do
    run "$W/$d" export bundle --out "$W/$d-$i.age" --to "$today" --include-synthetic
    files+=("$W/$d-$i.age")
  done
done
echo "enrolment request: $(stat -c %s "$W/a.req") bytes; team file of 3 laptops: $(stat -c %s "$W/b.team") bytes"
sizes=$(for f in "$W"/a-*.age; do stat -c %s "$f"; done | sort -n)
echo "signed bundle of 600 calls: $(echo "$sizes" | head -1) to $(echo "$sizes" | tail -1) bytes"
elapsed() {
  local s e
  s=$(date +%s.%N)
  "$H" --data-dir "$W/c" summary merge "$@" --dry-run --out "$W/x.json" --format json 2>"$W/err" >/dev/null
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
echo "merge --dry-run of 1 bundle: $(elapsed "${files[0]}") s"
echo "merge --dry-run of ${#files[@]} bundles from 2 laptops: $(elapsed "${files[@]}") s"
grep '^laptop' "$W/err"
