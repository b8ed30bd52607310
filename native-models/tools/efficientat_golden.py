#!/usr/bin/env python3
"""Golden numbers for Spectag's TypeScript EfficientAT front end (electron/core/spectrogram/efficientat-mel.ts)
and for the converted network (native-models/efficientat-mn04/model.onnx).

One-off tool: run it when the front end or the ONNX file changes, and commit its small output
(test/golden/efficientat/golden.json). `npm test` never runs Python; it compares against the file.

    /tmp/eat-venv/bin/pip install -r native-models/tools/requirements-efficientat.txt
    /tmp/eat-venv/bin/python native-models/tools/efficientat_golden.py \
        [--reference ../shared/reference-models/efficientat-mn04-as] > test/golden/efficientat/golden.json

The front end is written here in numpy, float64, from EfficientAT's published preprocessing (pre-emphasis
0.97, torch.stft with n_fft 1024, an 800-sample symmetric Hann window padded centrally, hop 320, centred
with reflect padding; torchaudio's Kaldi mel banks, 128 bands 0-15 kHz with the Nyquist bin's weight 0;
ln(x + 1e-5); (x + 4.5) / 5). With --reference it is first checked against the reference's golden log-mel
(PyTorch, float32) and the ONNX outputs against its golden logits; those distances go into the JSON, the
reference's own numbers and audio do not.

The fixture signal is the formula of test/spectrogram/mel-fixture.ts at 32 kHz (float64, rounded to
float32), so no audio samples need to be committed.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from fixture_signal import checksum, mixture

SR = 32000
N_FFT = 1024
WIN = 800
HOP = 320
N_MELS = 128
F_MIN = 0.0
F_MAX = 15000.0
PRE = 0.97
DECIMALS = 5
MODEL = Path(__file__).resolve().parents[1] / "efficientat-mn04" / "model.onnx"


def kaldi_mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_banks() -> np.ndarray:
    """[128, 513]: torchaudio.compliance.kaldi.get_mel_banks (no VTLN warp) plus a zero Nyquist column."""
    bins = N_FFT // 2
    lo, hi = kaldi_mel(F_MIN), kaldi_mel(F_MAX)
    delta = (hi - lo) / (N_MELS + 1)
    mel = kaldi_mel((SR / N_FFT) * np.arange(bins))
    left = lo + np.arange(N_MELS)[:, None] * delta
    centre, right = left + delta, left + 2 * delta
    up = (mel[None, :] - left) / (centre - left)
    down = (right - mel[None, :]) / (right - centre)
    banks = np.maximum(0.0, np.minimum(up, down))
    return np.pad(banks, ((0, 0), (0, 1)))


def window() -> np.ndarray:
    w = 0.5 - 0.5 * np.cos(2 * math.pi * np.arange(WIN) / (WIN - 1))  # periodic=False
    left = (N_FFT - WIN) // 2
    return np.pad(w, (left, N_FFT - WIN - left))


def logmel(pcm: np.ndarray) -> np.ndarray:
    """[frames, 128] (frame-major like the TypeScript side)."""
    x = pcm.astype(np.float64)
    y = x[1:] - PRE * x[:-1]
    # numpy's reflect repeats the reflection for signals shorter than the padding (torch refuses them)
    padded = np.pad(y, N_FFT // 2, mode="reflect")
    frames = 1 + len(y) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(frames)[:, None]
    spec = np.fft.rfft(padded[idx] * window()[None, :], axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    mel = power @ mel_banks().T
    return (np.log(mel + 1e-5) + 4.5) / 5.0


def run_onnx(lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(MODEL), opts, providers=["CPUExecutionProvider"])
    logits, emb = sess.run(["logits", "embedding"], {"logmel": lm.T[None, None].astype(np.float32)})
    return logits[0], emb[0]


def check_reference(ref: Path) -> list[dict]:
    meta = json.loads((ref / "golden" / "golden.json").read_text())
    out = []
    for clip in meta["clips"]:
        name = clip["name"]
        pcm = np.fromfile(ref / "golden" / f"{name}.pcm32k.f32", dtype="<f4")
        want = np.fromfile(ref / "golden" / f"{name}.logmel.f32", dtype="<f4").reshape(clip["logmelShape"])[0].T
        ours = logmel(pcm)
        assert ours.shape == want.shape, (ours.shape, want.shape)
        logits, emb = run_onnx(ours)
        want_logits = np.fromfile(ref / "golden" / f"{name}.logits.f32", dtype="<f4")
        want_emb = np.fromfile(ref / "golden" / f"{name}.embedding.f32", dtype="<f4")
        out.append({
            "clip": name,
            "logmelMaxAbsDiff": float(np.abs(ours - want).max()),
            "logmelMeanAbsDiff": float(np.abs(ours - want).mean()),
            "logitsMaxAbsDiff": float(np.abs(logits - want_logits).max()),
            "embeddingMaxAbsDiff": float(np.abs(emb - want_emb).max()),
        })
        print(f"{name}: numpy front end vs PyTorch log-mel max {out[-1]['logmelMaxAbsDiff']:.2e} "
              f"(mean {out[-1]['logmelMeanAbsDiff']:.1e}); logits through our ONNX max {out[-1]['logitsMaxAbsDiff']:.2e}",
              file=sys.stderr)
    return out


def rounded(a: np.ndarray) -> list[float]:
    return [round(float(v), DECIMALS) for v in a.reshape(-1)]


def case(name: str, y32: np.ndarray, with_model: bool) -> dict:
    lm = logmel(y32)
    c = {
        "name": name,
        "samples": int(y32.shape[0]),
        "checksum": checksum(y32),
        "frames": int(lm.shape[0]),
        "logmel": rounded(lm),
    }
    if with_model:
        logits, emb = run_onnx(lm)
        c["logits"] = rounded(logits)
        c["embedding"] = rounded(emb)
    return c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", type=Path, help="the reference model folder (golden PyTorch numbers), to check against")
    args = ap.parse_args()
    reference = check_reference(args.reference) if args.reference else None
    full = mixture(SR, SR)  # 1 s: 100 frames, the burst's onset and offset
    out = {
        "about": "EfficientAT log-mel, frame-major (frames x 128), and model.onnx outputs; see native-models/tools/efficientat_golden.py",
        "versions": {"numpy": np.__version__},
        "params": {"sampleRate": SR, "nFft": N_FFT, "winLength": WIN, "hop": HOP, "nMels": N_MELS, "fMin": F_MIN,
                   "fMax": F_MAX, "preEmphasis": PRE, "padMode": "reflect"},
        "decimals": DECIMALS,
        "referenceCheck": reference,
        "cases": [
            case("mixture-1s", full, True),
            case("mixture-2000", full[:2000], False),  # 6 frames, every one touches the padding
            case("mixture-300", full[:300], False),  # shorter than the padding: repeated reflection
        ],
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
