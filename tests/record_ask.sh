#!/usr/bin/env bash
# Re-record fixtures/ask from the real embedded local model, in the order the tests ask.
# Needs the [local] extra. Usage: bash tests/record_ask.sh
set -euo pipefail
cd "$(dirname "$0")/.."
home=$(mktemp -d)
export BRIEFING_HOME="$home"
rm -rf fixtures/ask
b=.venv/bin/briefing
$b build seeds/ --replay fixtures/seeds -q -o /dev/null
for q in "Who led the meeting?" "What did the Dutch defense minister say?" "What did Japan pledge?" \
         "How many countries are willing to send troops?" "What did Sweden's defense minister say?"; do
  $b ask "$q" --record fixtures/ask --no-cache
done
$b ask -c "Which objectives does he mean?" --record fixtures/ask --no-cache
rm -rf "$home"
