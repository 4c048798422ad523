#!/usr/bin/env bash
# Re-records every model fixture from the embedded local model, one job at a time (nothing else
# may run the model meanwhile): fixtures/seeds, fixtures/seeds-select, fixtures/feeds, then
# fixtures/day (tests/record_day.sh) and fixtures/ask (tests/record_ask.sh). About 15 minutes on
# 2 cores. The hand-made fault fixtures are regenerated separately: python -m tests.faults
set -euo pipefail
cd "$(dirname "$0")/.."
b=.venv/bin/briefing
work=$(mktemp -d)
trap 'kill $site 2>/dev/null || true; rm -rf "$work"' EXIT

rm -rf fixtures/seeds fixtures/seeds-select fixtures/feeds
BRIEFING_HOME="$work/h1" $b build seeds/ --record fixtures/seeds --no-cache -o "$work/seeds.md"
BRIEFING_HOME="$work/h2" $b build seeds/ --select always --record fixtures/seeds-select --no-cache -o "$work/select.md"

# The three feeds of the loopback news site (tests/webserver.py), as tests/test_feeds.py builds them.
.venv/bin/python -m tests.webserver > "$work/site" &
site=$!
for _ in $(seq 50); do [ -s "$work/site" ] && break; sleep 0.1; done
base=$(head -1 "$work/site")
export BRIEFING_HOME="$work/h3"
for f in harbor.xml valley.atom metro.json; do $b feeds add "$base/feeds/$f" -q; done
$b build --record fixtures/feeds --no-cache --format json -o "$work/feeds.json"
unset BRIEFING_HOME

bash tests/record_day.sh
bash tests/record_ask.sh
