"""The deterministic fixture signal of the golden-number scripts (mel_golden.py, efficientat_golden.py), repeated
exactly by test/spectrogram/mel-fixture.ts (float64 arithmetic, rounded to float32), so no audio is committed;
with the checksums a test uses to prove it made the same samples."""
import math

import numpy as np


def lcg_noise(n: int, seed: int) -> np.ndarray:
    """Uniform noise in [-1, 1) from a 32-bit LCG (Numerical Recipes constants); same in TypeScript."""
    out = np.empty(n, dtype=np.float64)
    state = seed & 0xFFFFFFFF
    for i in range(n):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out[i] = state / 4294967296.0 * 2.0 - 1.0
    return out


def mixture(n: int, sr: int) -> np.ndarray:
    """440 Hz tone + a 200->3200 Hz chirp + a 5 kHz burst from 0.4 s to 0.6 s + a little noise."""
    t = np.arange(n, dtype=np.float64) / sr
    s = 0.5 * np.sin(2 * math.pi * 440.0 * t)
    s += 0.25 * np.sin(2 * math.pi * (200.0 * t + 1500.0 * t * t))
    burst = (t >= 0.4) & (t < 0.6)
    s += np.where(burst, 0.2 * np.sin(2 * math.pi * 5000.0 * t), 0.0)
    s += 0.05 * lcg_noise(n, 12345)
    return s.astype(np.float32)


def checksum(y32: np.ndarray) -> dict:
    return {
        "sum": float(np.sum(y32.astype(np.float64))),
        "sumSquares": float(np.sum(y32.astype(np.float64) ** 2)),
        "first": [float(v) for v in y32[:4]],
        "last": [float(v) for v in y32[-4:]],
    }
