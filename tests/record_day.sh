#!/usr/bin/env bash
# Re-records fixtures/day from the embedded local model: the mixed day of tests/data/day, then the
# same day plus the two articles of held_back.txt, with one cache, as a user's two runs would be.
# About 6 minutes on 2 cores. Nothing else may run the model meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/day1" "$work/day2"
cp tests/data/day/articles/*.txt "$work/day2/"
for f in tests/data/day/articles/*.txt; do
    grep -qx "$(basename "$f")" tests/data/day/held_back.txt || cp "$f" "$work/day1/"
done
rm -rf fixtures/day
export BRIEFING_HOME="$work/home"
for day in day1 day2; do
    .venv/bin/briefing build "$work/$day" --record fixtures/day --format json -o "$work/$day.json"
    .venv/bin/python bench/mixed_day.py score "$work" "$work/$day.json" || true
done
