"""Convert musicnn (Pons & Serra, ISC) from its PyPI wheel into the TF.js weight format in native-models/.

Reproduce (from the repository root):
    python3 -m venv /tmp/musicnn-venv
    /tmp/musicnn-venv/bin/pip install -r native-models/tools/requirements.txt
    /tmp/musicnn-venv/bin/python native-models/tools/convert_musicnn.py
The script downloads the pinned wheel with `pip download`, checks its sha256, reads the TF1
checkpoints with tf_checkpoint.py (numpy only), and writes per model: model.json (TF.js weights
manifest + our topology description), one weight shard, tags.json; then the model card.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from tf_checkpoint import read_checkpoint

PACKAGE = "musicnn"
VERSION = "0.1.0"
WHEEL = f"musicnn-{VERSION}-py3-none-any.whl"
# sha256 of the wheel as served by PyPI when this converter was written; a different file stops the run.
WHEEL_SHA256 = "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa"
MODELS = ("MSD_musicnn", "MTT_musicnn")
SHARD_LIMIT = 4 * 1024 * 1024
BN_EPSILON = 0.001  # tf.compat.v1.layers.batch_normalization default, used by musicnn

# TF1 variable scope → our layer name. Order = the order the layers run in musicnn/models.py.
LAYERS: list[tuple[str, str, str]] = [
    # (our name, checkpoint scope, kind)
    ("bn_input", "batch_normalization", "bn"),
    ("timbral74", "conv2d", "conv"),
    ("bn_timbral74", "batch_normalization_1", "bn"),
    ("timbral77", "conv2d_1", "conv"),
    ("bn_timbral77", "batch_normalization_2", "bn"),
    ("temporal128", "conv2d_2", "conv"),
    ("bn_temporal128", "batch_normalization_3", "bn"),
    ("temporal64", "conv2d_3", "conv"),
    ("bn_temporal64", "batch_normalization_4", "bn"),
    ("temporal32", "conv2d_4", "conv"),
    ("bn_temporal32", "batch_normalization_5", "bn"),
    ("midend1", "conv2d_5", "conv"),
    ("bn_midend1", "batch_normalization_6", "bn"),
    ("midend2", "conv2d_6", "conv"),
    ("bn_midend2", "batch_normalization_7", "bn"),
    ("midend3", "conv2d_7", "conv"),
    ("bn_midend3", "batch_normalization_8", "bn"),
    ("bn_pool", "batch_normalization_9", "bn"),
    ("penultimate", "dense", "dense"),
    ("bn_penultimate", "batch_normalization_10", "bn"),
    ("tags", "dense_1", "dense"),
]
# Same layers in the musicnn-keras HDF5 (reference copy, for --check-h5 only).
H5_NAMES = {
    "batch_normalization": "batch_normalization", "conv2d": "conv2d", "batch_normalization_1": "batch_normalization_1",
    "conv2d_1": "conv2d_1", "batch_normalization_2": "batch_normalization_2", "conv2d_2": "conv2d_2",
    "batch_normalization_3": "batch_normalization_3", "conv2d_3": "conv2d_3", "batch_normalization_4": "batch_normalization_4",
    "conv2d_4": "conv2d_4", "batch_normalization_5": "batch_normalization_5", "conv2d_5": "midend_conv1",
    "batch_normalization_6": "bn_midend_conv1", "conv2d_6": "midend_conv2", "batch_normalization_7": "bn_midend_conv2",
    "conv2d_7": "midend_conv3", "batch_normalization_8": "bn_midend_conv3", "batch_normalization_9": "bn_flatpool",
    "dense": "dense", "batch_normalization_10": "bn_dense", "dense_1": "dense_1",
}
PARAMS = {"bn": ("gamma", "beta", "moving_mean", "moving_variance"), "conv": ("kernel", "bias"), "dense": ("kernel", "bias")}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_wheel(cache: Path) -> Path:
    wheel = cache / WHEEL
    if not wheel.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        "-d", str(cache), f"{PACKAGE}=={VERSION}"], check=True)
    digest = sha256(wheel)
    if not WHEEL_SHA256.startswith("@") and digest != WHEEL_SHA256:
        raise SystemExit(f"{WHEEL}: sha256 {digest} differs from the pinned {WHEEL_SHA256}")
    return wheel


def read_tags(extracted: Path) -> dict[str, list[str]]:
    # configuration.py holds MSD_LABELS / MTT_LABELS as Python list literals; evaluate only those lines.
    tags: dict[str, list[str]] = {}
    for line in (extracted / "musicnn" / "configuration.py").read_text().splitlines():
        for key in ("MSD_LABELS", "MTT_LABELS"):
            if line.startswith(key + " ="):
                tags[key[:3]] = json.loads(line.split("=", 1)[1].strip().replace("'", '"'))
    return tags


def convert(name: str, extracted: Path, out: Path, tags: list[str], h5: Path | None) -> dict[str, object]:
    ckpt = read_checkpoint(f"{extracted / 'musicnn' / name}/")
    weights: list[dict[str, object]] = []
    blobs: list[bytes] = []
    layers: list[dict[str, object]] = []
    for ours, scope, kind in LAYERS:
        layers.append({"name": ours, "kind": kind, "source": scope})
        for p in PARAMS[kind]:
            arr = np.ascontiguousarray(ckpt[f"{scope}/{p}"], dtype="<f4")
            weights.append({"name": f"{ours}/{p}", "shape": list(arr.shape), "dtype": "float32"})
            blobs.append(arr.tobytes())
    data = b"".join(blobs)
    if len(data) > SHARD_LIMIT:
        raise SystemExit("weights exceed one 4 MB shard; add sharding")
    out.mkdir(parents=True, exist_ok=True)
    shard = "group1-shard1of1.bin"
    (out / shard).write_bytes(data)
    model_json = {
        "format": "spectag-musicnn",
        "formatVersion": 1,
        "generatedBy": f"native-models/tools/convert_musicnn.py from PyPI {PACKAGE}=={VERSION} ({name})",
        "modelTopology": {
            "architecture": "musicnn (Pons & Serra 2019): timbral+temporal front-end, dense mid-end, global pooling back-end",
            "input": {"name": "patches", "shape": [None, 187, 96], "dtype": "float32",
                      "description": "log10(1 + 10000*mel) patches, 16 kHz, nFft 512, hop 256, 96 mel bands (librosa slaney mel)"},
            "outputs": [
                {"name": "tags", "shape": [None, len(tags)], "description": "sigmoid tag probabilities"},
                {"name": "embedding", "shape": [None, 200], "description": "penultimate dense layer after ReLU (before its batch norm)"},
            ],
            "batchNormEpsilon": BN_EPSILON,
            "layers": layers,
        },
        "weightsManifest": [{"paths": [shard], "weights": weights}],
    }
    (out / "model.json").write_text(json.dumps(model_json, indent=1) + "\n")
    (out / "tags.json").write_text(json.dumps(tags, indent=1) + "\n")
    report: dict[str, object] = {"weights": len(weights), "bytes": len(data)}
    if h5 is not None:
        import h5py  # only for the optional cross-check against an independent copy

        worst = 0.0
        with h5py.File(h5, "r") as f:
            group = f["model_weights"]
            for ours, scope, kind in LAYERS:
                hname = H5_NAMES[scope]
                ds = {k.split("/")[-1].split(":")[0].removesuffix("_1"): v for k, v in _datasets(group[hname]).items()}
                for p in PARAMS[kind]:
                    worst = max(worst, float(np.max(np.abs(np.asarray(ds[p]) - ckpt[f"{scope}/{p}"]))))
        report["maxAbsDiffVsH5"] = worst
    return report


def _datasets(group) -> dict[str, object]:  # type: ignore[no-untyped-def]
    found: dict[str, object] = {}
    group.visititems(lambda n, o: found.__setitem__(n, o[()]) if hasattr(o, "shape") else None)
    return found


def write_card(root: Path, extracted: Path, wheel_sha: str, reports: dict[str, dict[str, object]]) -> None:
    licence = (extracted / "musicnn-0.1.0.dist-info" / "LICENSE.md").read_text().strip()
    (root / "LICENSE-musicnn.md").write_text(licence + "\n")
    files = sorted(p for p in root.rglob("*") if p.is_file() and "tools" not in p.parts and p.name != "MODEL_CARD.md"
                   and "genre-head" not in p.parts and p.suffix != ".onnx" and p.name != "backbone.json")
    lines = [
        "# musicnn backbones (converted)",
        "",
        "Generated by `native-models/tools/convert_musicnn.py`; do not edit by hand.",
        "",
        f"- Source: PyPI package `{PACKAGE}=={VERSION}`, file `{WHEEL}`, sha256 `{wheel_sha}`.",
        "- Authors: Jordi Pons, Xavier Serra (Music Technology Group, Universitat Pompeu Fabra).",
        "  Paper: Pons & Serra, *musicnn: pre-trained convolutional neural networks for music audio tagging*, ISMIR LBD 2019.",
        "- Licence: ISC (text below and in `LICENSE-musicnn.md`).",
        "- Models: `musicnn-msd/` (MSD_musicnn, 50 Last.fm tags of the Million Song Dataset) and",
        "  `musicnn-mtt/` (MTT_musicnn, 50 MagnaTagATune tags). Tag order: `tags.json` in each folder.",
        "",
        "## Input",
        "",
        "`[N, 187, 96]` float32 patches (187 frames ≈ 3 s) of log10(1 + 10000·mel): audio at 16 kHz mono",
        "(channels averaged, as librosa `load(mono=True)`), STFT 512 points, hop 256, Hann window, centred,",
        "power spectrum, 96 Slaney mel bands 0–8000 Hz. Produced by `electron/core/spectrogram/mel.ts`.",
        "",
        "## Outputs",
        "",
        "- `tags`: `[N, 50]` sigmoid probabilities, order of `tags.json`.",
        "- `embedding`: `[N, 200]` penultimate dense layer after ReLU (before its batch norm).",
        "",
        "The network is rebuilt with TF.js ops in `electron/core/model/musicnn.ts`; `model.json` holds the",
        "TF.js weights manifest plus the layer list (`format: spectag-musicnn`).",
        "",
        "## Conversion checks",
        "",
    ]
    for name, rep in reports.items():
        lines.append(f"- {name}: {rep['weights']} weight arrays, {rep['bytes']} bytes"
                     + (f"; max |difference| against an independent Keras HDF5 copy: {rep['maxAbsDiffVsH5']:.3g}"
                        if "maxAbsDiffVsH5" in rep else ""))
    lines += ["", "## Reproduce", "", "```sh",
              "python3 -m venv /tmp/musicnn-venv",
              "/tmp/musicnn-venv/bin/pip install -r native-models/tools/requirements.txt",
              "/tmp/musicnn-venv/bin/python native-models/tools/convert_musicnn.py",
              "```", "", "## Files (sha256)", "", "| file | sha256 |", "|---|---|"]
    for p in files:
        lines.append(f"| `{p.relative_to(root)}` | `{sha256(p)}` |")
    lines += ["", "## Licence (ISC, from the wheel)", "", "```", licence, "```", ""]
    # the ONNX section belongs to musicnn_onnx.py (run it after this script: the weights may have changed)
    card = root / "MODEL_CARD.md"
    marker = "<!-- onnx files: written by tools/musicnn_onnx.py -->"
    onnx_section = card.read_text().partition(marker)[1:] if card.exists() else ("", "")
    card.write_text("\n".join(lines) + ("\n" + "".join(onnx_section) if onnx_section[0] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "musicnn-wheel")
    parser.add_argument("--check-h5", type=Path, default=None,
                        help="folder with MSD_musicnn.h5 / MTT_musicnn.h5 (independent copy) to compare weights; never shipped")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    wheel = fetch_wheel(args.cache)
    extracted = args.cache / "extracted"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(extracted)
    tags = read_tags(extracted)
    reports: dict[str, dict[str, object]] = {}
    for name in MODELS:
        folder = "musicnn-" + name.split("_")[0].lower()
        h5 = args.check_h5 / f"{name}.h5" if args.check_h5 else None
        reports[name] = convert(name, extracted, args.out / folder, tags[name[:3]], h5)
        print(name, reports[name])
    write_card(args.out, extracted, sha256(wheel), reports)


if __name__ == "__main__":
    main()
