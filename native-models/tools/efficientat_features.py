#!/usr/bin/env python3
"""Backbone outputs for every window the app listens to, for the genre-head research (efficientat_head.py):
EfficientAT mn04 (384-d embedding + 527 AudioSet logits per ~10 s window) and, with --musicnn, musicnn MSD
(200-d embedding per 187-frame patch, from the 32 kHz decode halved to 16 kHz as the app does). Reads the app's listening plan per file (listening-plans.ts), decodes
each excerpt with ffmpeg at 32 kHz with the app's down-mix filter, cuts it into the app's ~10 s windows
(split_windows, the rule of electron/core/model/efficientat.ts), computes the log-mel with the reference front
end of efficientat_golden.py (the TypeScript one is within 5e-6 of it) and runs native-models/efficientat-mn04/model.onnx.

    npx tsc -p . && node .build/native-models/tools/listening-plans.js ../shared/datasets/labelled-music > /tmp/plans.jsonl
    /tmp/eat-venv/bin/python native-models/tools/efficientat_features.py /tmp/plans.jsonl ../shared/datasets/labelled-music \
        /tmp/eat-features/efficientat.npz --ffmpeg node_modules/@ffmpeg-installer/linux-x64/ffmpeg

Output (npz, outside the repository): path, label, set per window row; embedding [W, 384]; logits [W, 527];
start_sec, duration_sec per window. With --musicnn MODEL.onnx (the musicnn-msd ONNX file) only musicnn runs:
path, label, set, start_sec per patch row; embedding [P, 200]; tags [P, 50] (the
model's own tag probabilities); and long3_*/short3_* (path, embedding, tags) for the 3 patches the app hears (musicnn_main).
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


def halve(pcm: np.ndarray) -> np.ndarray:
    """electron/core/audio/resample.ts: 63-tap Kaiser (beta 9) low-pass, -6 dB at 7.76 kHz, every other sample."""
    from scipy.signal import firwin

    h = firwin(63, 7760, window=("kaiser", 9.0), fs=SR)
    return np.convolve(pcm.astype(np.float64), h, mode="same")[::2]


def slaney_mel_filters(sr=16000, n_fft=512, n_mels=96, fmax=8000.0) -> np.ndarray:
    """librosa.filters.mel(htk=False, norm='slaney'), as electron/core/spectrogram/mel.ts."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, step = min_log_hz / f_sp, np.log(6.4) / 27

    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-9) / min_log_hz) / step, f / f_sp)

    def mel_to_hz(m):
        return np.where(m >= min_log_mel, min_log_hz * np.exp(step * (m - min_log_mel)), f_sp * m)

    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(fmax), n_mels + 2))
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    lower = (freqs[None, :] - edges[:-2, None]) / (edges[1:-1] - edges[:-2])[:, None]
    upper = (edges[2:, None] - freqs[None, :]) / (edges[2:] - edges[1:-1])[:, None]
    return np.maximum(0, np.minimum(lower, upper)) * (2.0 / (edges[2:] - edges[:-2]))[:, None]


MUSICNN_MEL = None


def musicnn_patches(pcm16: np.ndarray) -> np.ndarray:
    """[P, 187, 96] log10(1 + 10000 mel) patches, non-overlapping, a short excerpt zero-padded to one patch."""
    global MUSICNN_MEL
    if MUSICNN_MEL is None:
        MUSICNN_MEL = slaney_mel_filters()
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(512) / 512)
    padded = np.pad(pcm16, 256, mode="reflect")
    frames = 1 + len(pcm16) // 256
    idx = np.arange(512)[None, :] + 256 * np.arange(frames)[:, None]
    spec = np.fft.rfft(padded[idx] * win, axis=1)
    lm = np.log10(1 + 10000 * ((spec.real ** 2 + spec.imag ** 2) @ MUSICNN_MEL.T))
    if frames < 187:
        return np.pad(lm, ((0, 187 - frames), (0, 0)))[None]
    n = frames // 187
    return lm[: n * 187].reshape(n, 187, 96)


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
    ap.add_argument("--musicnn", type=Path, help="run this musicnn ONNX file instead of EfficientAT")
    args = ap.parse_args()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(args.musicnn or MODEL), opts, providers=["CPUExecutionProvider"])
    if args.musicnn:
        return musicnn_main(args, sess)
    rows: dict[str, list] = {k: [] for k in ("path", "label", "set", "start_sec", "duration_sec", "embedding", "logits")}
    lines = [json.loads(l) for l in args.plans.read_text().splitlines() if l.strip()]
    for i, r in enumerate(lines):
        for ex in r["plan"]:
            pcm = decode(args.ffmpeg, args.dataset / r["file"], ex["startSec"], ex["durationSec"])
            for a, b in split_windows(len(pcm)):
                lm = logmel(pcm[a:b])
                logits, emb = sess.run(["logits", "embedding"], {"logmel": lm.T[None, None].astype(np.float32)})
                for k, v in (("path", r["file"]), ("label", r["label"]), ("set", r["set"]),
                             ("start_sec", ex["startSec"] + a / SR), ("duration_sec", (b - a) / SR),
                             ("embedding", emb[0]), ("logits", logits[0])):
                    rows[k].append(v)
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{len(lines)}", file=sys.stderr)
    np.savez(args.out, **{k: np.array(v) for k, v in rows.items()})
    print(f"{len(rows['path'])} windows of {len(lines)} files -> {args.out}", file=sys.stderr)


PATCH_SEC = 187 * 256 / 16000
PATCH_32K = 2 * 187 * 256
MARGIN = 64  # samples of real audio on each side of a patch before halving (track-inputs.ts HALVING_MARGIN)


def spread_indices(n: int, k: int) -> list[int]:
    """track-inputs.ts spreadIndices: k of n indices spread evenly (the middle one when k is 1)."""
    if k >= n:
        return list(range(n))
    if k <= 1:
        return [(n - 1) // 2]
    return sorted({int(np.floor(i * (n - 1) / (k - 1) + 0.5)) for i in range(k)})


def patch_offsets(excerpt_sec: list[float], budget: int) -> list[tuple[int, float]]:
    """track-inputs.ts musicnnPatchOffsets: where the app's musicnn patches lie in its excerpts."""
    per = max(1, budget // max(1, len(excerpt_sec)))
    out = []
    for e, d in enumerate(excerpt_sec):
        n = max(1, int(np.floor(d / PATCH_SEC + 1e-9)))
        first = max(0.0, (d - n * PATCH_SEC) / 2)
        out += [(e, first + i * PATCH_SEC) for i in spread_indices(n, per)]
    return out


def app_patches(excerpts: list[np.ndarray], budget: int) -> np.ndarray:
    """The app's patches (track-inputs.ts musicnnInput): each from its own 2.992 s, halved with real audio around it."""
    out = []
    for e, off in patch_offsets([len(x) / SR for x in excerpts], budget):
        x = excerpts[e]
        at = 2 * round(off * SR / 2)
        lo, hi = max(0, at - MARGIN), min(len(x), at + PATCH_32K + MARGIN)
        half = halve(x[lo:hi])
        frm = (at - lo) // 2
        out.append(musicnn_patches(half[frm: frm + PATCH_32K // 2])[0])
    return np.stack(out)


def musicnn_main(args, sess) -> None:
    """Every patch of each excerpt (what the head is trained on), plus the 3 patches the app hears at run time:
    `long3` as a long track (the clip cut into 10 s excerpts, the centre patch of each), `short3` as the clip is
    heard by the app (a clip of at most 45 s is one excerpt; its 3-patch budget spread over it)."""
    keys = ("path", "label", "set", "start_sec", "embedding", "tags")
    rows: dict[str, list] = {k: [] for k in keys}
    extra: dict[str, list] = {f"{v}_{k}": [] for v in ("long3", "short3") for k in ("path", "embedding", "tags")}
    lines = [json.loads(l) for l in args.plans.read_text().splitlines() if l.strip()]
    for i, r in enumerate(lines):
        pcms = []
        for ex in r["plan"]:
            pcm = decode(args.ffmpeg, args.dataset / r["file"], ex["startSec"], ex["durationSec"])
            pcms.append(pcm)
            patches = musicnn_patches(halve(pcm))
            tags, emb = sess.run(["tags", "embedding"], {"patches": patches.astype(np.float32)})
            for p in range(len(patches)):
                for k, v in (("path", r["file"]), ("label", r["label"]), ("set", r["set"]),
                             ("start_sec", ex["startSec"] + p * PATCH_SEC), ("embedding", emb[p]), ("tags", tags[p])):
                    rows[k].append(v)
        if len(pcms) == 1 and len(pcms[0]) >= 30 * SR:
            n = len(pcms[0]) // WINDOW
            long_ex = [pcms[0][j * WINDOW:(j + 1) * WINDOW] for j in range(n)]
            # a long track's plan: 3 excerpts; a clip of 40+ s would give more: keep 3 spread over it
            long_ex = [long_ex[j] for j in spread_indices(len(long_ex), 3)]
        else:
            long_ex = pcms
        for v, exs in (("long3", long_ex), ("short3", pcms)):
            tags, emb = sess.run(["tags", "embedding"], {"patches": app_patches(exs, 3).astype(np.float32)})
            for p in range(len(emb)):
                extra[f"{v}_path"].append(r["file"])
                extra[f"{v}_embedding"].append(emb[p])
                extra[f"{v}_tags"].append(tags[p])
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{len(lines)}", file=sys.stderr)
    np.savez(args.out, **{k: np.array(v) for k, v in {**rows, **extra}.items()})
    print(f"{len(rows['path'])} patches of {len(lines)} files -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
