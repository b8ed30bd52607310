#!/usr/bin/env bash
# eval:personal against a fair default model, cross-fitted over the split: the shipped head's recipe trained on
# the tagged half predicts the scored half, and trained on the scored half predicts the tagged half, so no file
# is predicted by a head that saw it, as a person's own library is new to the shipped head. Needs the Python tools (requirements.txt) and the cached features (extract-features.ts).
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
# the shipped head's training options (genre-head/MODEL_CARD.md), once on each half
for half in train scored; do
  "$python" "$here/train_genre_head.py" "$features" --features-set emb.msd --l2 0.01 --hidden 32 --ensemble 3 \
    --repeats 1 --patches-per-track 3 --train-files "$work/default-$half-files.json" --out "$work/head-$half" | tail -n 1
done
node "$here/../../.build/native-models/tools/eval-personal.js" --work "$work" --seed "$seed" \
  --default-head "$work/head-train/head.json" --default-head-tagged "$work/head-scored/head.json" --json "${EVAL_JSON:-$work/result.json}"
