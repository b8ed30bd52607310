#!/usr/bin/env python3
"""Golden log-mel numbers for Spectag's TypeScript spectrogram (electron/core/spectrogram/mel.ts).

One-off tool: run it only when the spectrogram convention changes, and commit its small output
(test/golden/mel/logmel-golden.json). `npm test` never runs Python; it compares against the file.

    python3 -m venv /tmp/melvenv
    /tmp/melvenv/bin/pip install -r native-models/tools/requirements-mel.txt
    /tmp/melvenv/bin/python native-models/tools/mel_golden.py > test/golden/mel/logmel-golden.json

The fixture signals are generated from a formula that test/spectrogram/mel-fixture.ts repeats exactly
(float64 arithmetic, then rounded to float32), so no audio samples need to be committed. The JSON
carries checksums of the samples so the TypeScript side can prove it made the same signal.

Convention (musicnn's input, librosa's melspectrogram as musicnn called it):
  16 kHz mono, n_fft 512, hop 256, Hann (periodic) window, centred frames with REFLECT padding
  (librosa <= 0.9's default, the versions musicnn was trained and released with; librosa 0.10
  switched the default to zero padding, so it is passed explicitly here), power 2, 96 Slaney mel
  bands with Slaney area normalisation, fmin 0, fmax 8000, then log10(1 + 10000 * mel).
The reference is computed in float64 from the float32 samples. The float32 librosa pipeline
(what musicnn itself ran) is also computed, and its distance to the float64 reference is reported
in the JSON, so a reader can see how much float32 arithmetic alone moves the numbers.
"""
import json
import sys

import librosa
import numpy as np
import scipy

from fixture_signal import checksum, mixture

SR = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
FMIN = 0.0
FMAX = 8000.0
DECIMALS = 5


def logmel(y: np.ndarray) -> np.ndarray:
    mel = librosa.feature.melspectrogram(
        y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, window="hann", center=True, pad_mode="reflect",
        power=2.0, n_mels=N_MELS, fmin=FMIN, fmax=FMAX, htk=False, norm="slaney",
    )
    return np.log10(1.0 + 10000.0 * mel).T  # (frames, mels): frame-major like the TypeScript side


def case(name: str, y32: np.ndarray) -> dict:
    ref = logmel(y32.astype(np.float64))
    f32 = logmel(y32)
    return {
        "name": name,
        "samples": int(y32.shape[0]),
        "checksum": checksum(y32),
        "frames": int(ref.shape[0]),
        "float32PipelineMaxAbsDiff": float(np.max(np.abs(ref - f32))),
        # frame-major, rounded: rounding adds at most 0.5e-5 to the comparison
        "logmel": [round(float(v), DECIMALS) for v in ref.reshape(-1)],
    }


def main() -> None:
    full = mixture(SR, SR)  # 1 s: 63 frames, reflect padding at both ends, the burst's onset and offset
    cases = [
        case("mixture-1s", full),
        case("mixture-1000", full[:1000]),  # 4 frames: every frame touches the padding
        case("mixture-200", full[:200]),  # shorter than n_fft/2: numpy's repeated reflection
    ]
    out = {
        "about": "log10(1 + 10000 * librosa melspectrogram), frame-major (frames x 96); see native-models/tools/mel_golden.py",
        "versions": {"librosa": librosa.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "params": {
            "sampleRate": SR, "nFft": N_FFT, "hop": HOP, "nMels": N_MELS, "fMin": FMIN, "fMax": FMAX,
            "window": "hann", "center": True, "padMode": "reflect", "power": 2.0, "melScale": "slaney", "norm": "slaney",
        },
        "decimals": DECIMALS,
        "cases": cases,
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
