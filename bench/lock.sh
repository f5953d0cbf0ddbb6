#!/usr/bin/env bash
# Regenerate requirements.lock: every package, at its exact version, that a fresh venv gets from the
# README's Quick start (CPU torch, then requirements.txt), for a hosted deploy that must not change
# under it. Run from anywhere, with the host's Python (3.11 on Linux x86_64, as the hosting section
# chooses):  bash bench/lock.sh   (PYTHON=python3.11 bash bench/lock.sh to pick another interpreter)
# then python -m pytest tests/test_requirements.py, and commit requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
TORCH_INDEX=https://download.pytorch.org/whl/cpu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PYTHON" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip)
"${pip[@]}" install --quiet torch==2.13.0 --index-url "$TORCH_INDEX" --retries 1
"${pip[@]}" install --quiet -r requirements.txt
{
  echo "# Exact versions for a hosted deploy: pip install -r requirements.lock"
  echo "# Made by bash bench/lock.sh from requirements.txt, with $("$work/venv/bin/python" -V) on $(uname -sm)."
  echo "# torch's CPU build (+cpu) is on PyTorch's own index, not on PyPI:"
  echo "--extra-index-url $TORCH_INDEX"
  "${pip[@]}" freeze --all --exclude pip
} > requirements.lock
echo "requirements.lock: $(grep -c '==' requirements.lock) packages"
