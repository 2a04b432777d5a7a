#!/usr/bin/env bash
# Create .venv-rasa with Rasa 3.6.21: Python 3.10 (pyenv) when present, else the pinned lock on
# Python 3.11 (--no-deps --ignore-requires-python; see DESIGN notes in docs/ARCHITECTURE.md).
# Idempotent: a stamp records what was installed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-rasa
STAMP="$VENV/.brujula-stamp"
LOG=var/log/setup-rasa.log
mkdir -p var/log
want=$(cat nlu/requirements-rasa.txt nlu/rasa-3.6.21-py311.lock.txt | sha256sum | cut -c1-16)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/rasa" ]; then
  exit 0
fi

py310=""
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -V -r); do
    cand="$(pyenv root)/versions/$v/bin/python3.10"
    if [ -x "$cand" ]; then py310="$cand"; break; fi
  done
fi
[ -z "$py310" ] && command -v python3.10 >/dev/null 2>&1 && py310="$(command -v python3.10)"

echo "Setting up the Rasa environment in $VENV (a few minutes the first time; log: $LOG)"
rm -rf "$VENV"
if [ -n "$py310" ]; then
  "$py310" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >>"$LOG" 2>&1
  "$VENV/bin/pip" install -q -r nlu/requirements-rasa.txt >>"$LOG" 2>&1 \
    || { echo "Rasa install failed; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
else
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >>"$LOG" 2>&1
  "$VENV/bin/pip" install -q --no-deps --ignore-requires-python \
    -r nlu/rasa-3.6.21-py311.lock.txt >>"$LOG" 2>&1 \
    || { echo "Rasa install failed; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
fi
RASA_TELEMETRY_ENABLED=false "$VENV/bin/rasa" --version >>"$LOG" 2>&1
echo "$want" > "$STAMP"
echo "Rasa environment ready."
