#!/usr/bin/env python3
"""EfficientAT mn04 outputs (384-d embedding + 527 AudioSet logits) for every window the app listens to, for the
genre-head research (efficientat_head.py). Reads the app's listening plan per file (listening-plans.ts), decodes
each excerpt with ffmpeg at 32 kHz with the app's down-mix filter, cuts it into the app's ~10 s windows
(split_windows, the rule of electron/core/model/efficientat.ts), computes the log-mel with the reference front
end of efficientat_golden.py (the TypeScript one is within 5e-6 of it) and runs native-models/efficientat-mn04/model.onnx.

    npx tsc -p . && node .build/native-models/tools/listening-plans.js ../shared/datasets/labelled-music > /tmp/plans.jsonl
    /tmp/eat-venv/bin/python native-models/tools/efficientat_features.py /tmp/plans.jsonl ../shared/datasets/labelled-music \
        /tmp/eat-features/efficientat.npz --ffmpeg node_modules/@ffmpeg-installer/linux-x64/ffmpeg

Output (npz, outside the repository): file, label, set per window row; embedding [W, 384]; logits [W, 527];
start_sec, duration_sec per window.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent))
from efficientat_golden import MODEL, SR, logmel  # noqa: E402

FILTER = f"aresample={SR}:ocl=mono:rematrix_maxval=1,aformat=sample_fmts=flt:channel_layouts=mono"
WINDOW = 10 * SR


def decode(ffmpeg: str, path: Path, start: float, duration: float) -> np.ndarray:
    out = subprocess.run(
        [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-guess_layout_max", "8", "-ss", f"{start:.3f}",
         "-t", f"{duration:.3f}", "-i", f"file:{path}", "-map", "0:a:0", "-af", FILTER, "-f", "f32le", "pipe:1"],
        check=True, capture_output=True)
    return np.frombuffer(out.stdout, dtype="<f4")


def split_windows(n: int) -> list[tuple[int, int]]:
    """The excerpt's samples cut into round(n / 10 s) (at least 1) equal windows of about 10 s."""
    count = max(1, round(n / WINDOW))
    return [(i * n // count, (i + 1) * n // count) for i in range(count)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("plans", type=Path)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--ffmpeg", default="ffmpeg")
    args = ap.parse_args()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(MODEL), opts, providers=["CPUExecutionProvider"])
    rows: dict[str, list] = {k: [] for k in ("file", "label", "set", "start_sec", "duration_sec", "embedding", "logits")}
    lines = [json.loads(l) for l in args.plans.read_text().splitlines() if l.strip()]
    for i, r in enumerate(lines):
        for ex in r["plan"]:
            pcm = decode(args.ffmpeg, args.dataset / r["file"], ex["startSec"], ex["durationSec"])
            for a, b in split_windows(len(pcm)):
                lm = logmel(pcm[a:b])
                logits, emb = sess.run(["logits", "embedding"], {"logmel": lm.T[None, None].astype(np.float32)})
                for k, v in (("file", r["file"]), ("label", r["label"]), ("set", r["set"]),
                             ("start_sec", ex["startSec"] + a / SR), ("duration_sec", (b - a) / SR),
                             ("embedding", emb[0]), ("logits", logits[0])):
                    rows[k].append(v)
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{len(lines)}", file=sys.stderr)
    np.savez(args.out, **{k: np.array(v) for k, v in rows.items()})
    print(f"{len(rows['file'])} windows of {len(lines)} files -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
