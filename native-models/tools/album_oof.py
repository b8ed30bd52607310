#!/usr/bin/env python3
"""Out-of-fold genre probabilities per dev recording, for measuring how album aggregation changes accuracy
(eval-albums.ts). The head is the two-backbone research head of efficientat_head.py (logistic regression on the
mean EfficientAT mn04 + musicnn embeddings, or musicnn alone), trained in 5-fold cross-validation stratified by
(set, label): every probability comes from a head that never saw that recording. Nothing here reads audio.

    OMP_NUM_THREADS=1 /tmp/eat-venv/bin/python native-models/tools/album_oof.py --eat /tmp/eat-features/efficientat.npz \
        --musicnn /tmp/eat-features/musicnn-0.npz /tmp/eat-features/musicnn-1.npz /tmp/eat-features/musicnn-2.npz \
        --out /tmp/spectag-album-eval

Writes OUT/oof-FEATURES-seedN.json: [{"file", "set", "label", "probabilities": {genre: p}}] (requirements-efficientat.txt).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from efficientat_head import HEAD_GENRES, features, load, oof


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eat", type=Path, required=True)
    ap.add_argument("--musicnn", type=Path, nargs="+", required=True)
    ap.add_argument("--features", nargs="+", default=["EM", "M"], help="E mn04 embedding, M musicnn embedding")
    ap.add_argument("--C", type=float, default=0.1)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("/tmp/spectag-album-eval"))
    args = ap.parse_args()
    d = load(args.eat, args.musicnn)
    args.out.mkdir(parents=True, exist_ok=True)
    for feat in args.features:
        X = features(d, feat)
        for seed in range(args.seeds):
            probs = oof(d, X, "lr", args.C, seed)
            rows = [{"file": f, "set": str(s), "label": str(l), "probabilities": {g: float(p) for g, p in zip(HEAD_GENRES, pr)}}
                    for f, s, l, pr in zip(d["files"], d["set"], d["label"], probs)]
            path = args.out / f"oof-{feat}-seed{seed}.json"
            path.write_text(json.dumps(rows))
            print(f"{path}: {len(rows)} recordings")


if __name__ == "__main__":
    main()
