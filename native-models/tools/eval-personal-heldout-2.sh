#!/usr/bin/env bash
# eval:personal against a fair default model of version 2 (the two-backbone head, genre-head-2), cross-fitted
# over the split as eval-personal-heldout.sh does for version 1: the shipped head's recipe
# (efficientat_head.py export, its features and C) trained on the tagged half predicts the scored half, and
# trained on the scored half predicts the tagged half, so no file is predicted by a head that saw it, as a
# person's own library is new to the shipped head. Needs the Python tools (requirements-efficientat.txt) and the
# dev features of efficientat_features.py (genre-head-2/MODEL_CARD.md, "Reproduce").
#   [DATASET=labelled-music folder] native-models/tools/eval-personal-heldout-2.sh [seed] [eat.npz] [musicnn.npz] [python]
set -euo pipefail
seed="${1:-1}"
eat="${2:-/tmp/eat.npz}"
musicnn="${3:-/tmp/musicnn.npz}"
python="${4:-/tmp/eat-venv/bin/python}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/spectag-eval-heldout-XXXXXX")"
trap 'rm -rf "$work"' EXIT
npx tsc -p "$here/../.."
node "$here/../../.build/native-models/tools/eval-personal.js" ${DATASET:+"$DATASET"} --work "$work" --seed "$seed" --split-only
# the shipped head's training options (its head.json `training`; HEAD_JSON=another head file for its recipe), once on each half
features="$(node -e 'const h=require(process.argv[1]); console.log(h.training.features, h.training.C, h.training.scaling ?? "standard")' "${HEAD_JSON:-$here/../genre-head-2/head.json}")"
read -r feat c scaling <<<"$features"
for half in train scored; do
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" "$here/efficientat_head.py" export --eat "$eat" --musicnn "$musicnn" \
    --features "$feat" --C "$c" --scaling "$scaling" --train-files "$work/default-$half-files.json" --out "$work/head-$half/head.json" | tail -n 1
done
node "$here/../../.build/native-models/tools/eval-personal.js" ${DATASET:+"$DATASET"} --work "$work" --seed "$seed" \
  --default-head "$work/head-train/head.json" --default-head-tagged "$work/head-scored/head.json" --json "${EVAL_JSON:-$work/result.json}"
