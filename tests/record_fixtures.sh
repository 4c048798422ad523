#!/usr/bin/env bash
# Re-records the model fixtures from the embedded local model, one job at a time (nothing else may
# run the model meanwhile): seeds, seeds-select, feeds, day (tests/record_day.sh) and ask
# (tests/record_ask.sh), eval; all of them by default, or the sets named:
#     bash tests/record_fixtures.sh [seeds] [seeds-select] [feeds] [eval] [day] [ask]
# About 15 minutes on 2 cores for all. The hand-made fault fixtures: python -m tests.faults
set -euo pipefail
cd "$(dirname "$0")/.."
b=.venv/bin/briefing
work=$(mktemp -d)
site=""
trap '[ -n "$site" ] && kill $site 2>/dev/null; rm -rf "$work"' EXIT
sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(seeds seeds-select feeds eval day ask)

for set in "${sets[@]}"; do
    case "$set" in
    seeds)
        rm -rf fixtures/seeds
        BRIEFING_HOME="$work/seeds" $b build seeds/ --record fixtures/seeds --no-cache -o "$work/seeds.md" ;;
    seeds-select)
        rm -rf fixtures/seeds-select
        BRIEFING_HOME="$work/select" $b build seeds/ --select always --record fixtures/seeds-select --no-cache \
            -o "$work/select.md" ;;
    feeds)  # the three feeds of the loopback news site (tests/webserver.py), as tests/test_feeds.py builds them
        rm -rf fixtures/feeds
        .venv/bin/python -m tests.webserver > "$work/site" &
        site=$!
        for _ in $(seq 100); do [ -s "$work/site" ] && break; sleep 0.1; done
        base=$(head -1 "$work/site")
        for f in harbor.xml valley.atom metro.json; do
            BRIEFING_HOME="$work/feeds" $b feeds add "$base/feeds/$f"
        done
        BRIEFING_HOME="$work/feeds" $b build --record fixtures/feeds --no-cache --format json -o "$work/feeds.json"
        kill $site; site="" ;;
    eval)  # briefing eval on the seeds as one cluster (tests/data/seeds-cluster.jsonl), both baselines
        rm -rf fixtures/eval
        BRIEFING_HOME="$work/eval" $b eval tests/data/seeds-cluster.jsonl --baseline lead-3 --baseline one-prompt \
            --record fixtures/eval --no-cache -o "$work/eval.txt" ;;
    day) bash tests/record_day.sh ;;
    ask) bash tests/record_ask.sh ;;
    *) echo "unknown fixture set: $set" >&2; exit 2 ;;
    esac
done
