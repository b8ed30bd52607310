#!/usr/bin/env bash
# eval:personal against a fair default model: the default head is retrained on the tagged half of the split
# only (with the shipped head's options), so the scored half is new to it, as a person's own library is to the
# shipped head. Needs the Python tools (requirements.txt) and the cached features (extract-features.ts).
#   native-models/tools/eval-personal-heldout.sh [seed] [features.jsonl] [python]
set -euo pipefail
seed="${1:-1}"
features="${2:-/tmp/spectag-features/features.jsonl}"
python="${3:-/tmp/musicnn-venv/bin/python}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/spectag-eval-heldout-XXXXXX")"
trap 'rm -rf "$work"' EXIT
npx tsc -p "$here/../.."
node "$here/../../.build/native-models/tools/eval-personal.js" --work "$work" --seed "$seed" --split-only
# the shipped head's training options (genre-head/MODEL_CARD.md), on the tagged half
"$python" "$here/train_genre_head.py" "$features" --features-set emb.msd --l2 0.01 --hidden 32 --ensemble 3 \
  --repeats 1 --patches-per-track 3 --train-files "$work/default-train-files.json" --out "$work/heldout-head" | tail -n 3
node "$here/../../.build/native-models/tools/eval-personal.js" --work "$work" --seed "$seed" \
  --default-head "$work/heldout-head/head.json" --json "${EVAL_JSON:-$work/result.json}"
