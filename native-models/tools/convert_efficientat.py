"""Convert EfficientAT mn04_as (Schmid, Koutini & Widmer, MIT licence) into the ONNX file Spectag ships.

Reproduce (from the repository root; the source folder holds the release weights, see the model card):
    python3 -m venv /tmp/eat-venv
    /tmp/eat-venv/bin/pip install -r native-models/tools/requirements-efficientat.txt
    /tmp/eat-venv/bin/python native-models/tools/convert_efficientat.py --source ../shared/reference-models/efficientat-mn04-as

Needs only numpy + onnx (onnxruntime for the checks): the network is written here layer by layer from the
state dict (`mn04_as_state_dict.npz`, the release `.pt` dumped to numpy arrays; both sha256-checked), batch
norms folded into the convolutions in float64. Every convolution is a plain 2-D Conv with explicit
attributes, the squeeze-excitation fully-connected layers are 1x1 convolutions on the pooled [B, C, 1, 1]
tensor, so the batch axis survives everywhere (also for a batch of 1).

Writes native-models/efficientat-mn04/: model.onnx, backbone.json (what the app loads), labels.json (AudioSet's
527 classes in output order), MODEL_CARD.md. With --check it also compares against the reference export and golden numbers of the source
folder when they are there (for checking only; nothing of them is shipped).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

NPZ = "mn04_as_state_dict.npz"
PT = "mn04_as_mAP_432.pt"
LABELS = "class_labels_indices.csv"
# sha256 of the EfficientAT v0.0.1 release file (the hash public code pins for it), of its numpy dump, and
# of AudioSet's label list; a different file stops the conversion.
SHA256 = {
    PT: "899a8c6217063f6941793102a2780b3dd788ab11fce468d9cf5f0577c453321c",
    NPZ: "70b4c1d89f0e215712940f0a2d67fbde0107c22ec4efc4a7b47afbd424a3f6ae",
    LABELS: "cdd1049833c4b86127c2773ac0d14a2754b6a6d0d1798002ed5c66e699708429",
}
BN_EPSILON = 0.001  # EfficientAT's MobileNetV3 norm layer: BatchNorm2d(eps=0.001, momentum=0.01)
OPSET = 17

# MobileNetV3-large blocks at width 0.4, as the state dict's shapes give them:
# (kernel, expanded channels, output channels, squeeze-excitation, activation, stride).
# The input channels are the previous block's output; the first block has no expansion conv.
BLOCKS = [
    (3, 8, 8, False, "relu", 1),
    (3, 24, 16, False, "relu", 2),
    (3, 32, 16, False, "relu", 1),
    (5, 32, 16, True, "relu", 2),
    (5, 48, 16, True, "relu", 1),
    (5, 48, 16, True, "relu", 1),
    (3, 96, 32, False, "hardswish", 2),
    (3, 80, 32, False, "hardswish", 1),
    (3, 72, 32, False, "hardswish", 1),
    (3, 72, 32, False, "hardswish", 1),
    (3, 192, 48, True, "hardswish", 1),
    (3, 272, 48, True, "hardswish", 1),
    (5, 272, 64, True, "hardswish", 2),
    (5, 384, 64, True, "hardswish", 1),
    (5, 384, 64, True, "hardswish", 1),
]
STEM_CHANNELS = 8
LAST_CHANNELS = 384
N_CLASSES = 527

FRONT_END = {
    "sampleRate": 32000, "preEmphasis": 0.97, "nFft": 1024, "winLength": 800, "window": "hann-symmetric",
    "hop": 320, "center": True, "padMode": "reflect", "nMels": 128, "melScale": "kaldi", "fMin": 0.0,
    "fMax": 15000.0, "logOffset": 1e-5, "shift": 4.5, "scale": 5.0,
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_hash(path: Path) -> str:
    digest = sha256(path)
    if digest != SHA256[path.name]:
        raise SystemExit(f"{path}: sha256 {digest}, expected {SHA256[path.name]}: not the release file, refusing to convert")
    return digest


class Builder:
    """Collects nodes and initializers; every tensor name is unique."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.w = weights
        self.used: set[str] = set()
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []

    def param(self, key: str) -> np.ndarray:
        self.used.add(key)
        return self.w[key].astype(np.float64)

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(value.astype(np.float32), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def conv_bn(self, x: str, prefix: str, out: str, stride: int = 1, groups: int = 1) -> str:
        """Conv (no bias) + BatchNorm, folded: w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε)."""
        w = self.param(f"{prefix}.0.weight")
        gamma, beta = self.param(f"{prefix}.1.weight"), self.param(f"{prefix}.1.bias")
        mean, var = self.param(f"{prefix}.1.running_mean"), self.param(f"{prefix}.1.running_var")
        self.used.add(f"{prefix}.1.num_batches_tracked")
        scale = gamma / np.sqrt(var + BN_EPSILON)
        k = w.shape[2]
        return self.node(
            "Conv", [x, self.const(f"{out}.w", w * scale[:, None, None, None]), self.const(f"{out}.b", beta - mean * scale)], out,
            kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, dilations=[1, 1], group=groups,
        )

    def act(self, x: str, kind: str, out: str) -> str:
        return self.node({"relu": "Relu", "hardswish": "HardSwish"}[kind], [x], out)

    def squeeze_excitation(self, x: str, prefix: str, out: str) -> str:
        """Channel SE: mean over frequency and time, fc → ReLU → fc → sigmoid, scale the input (1x1 convs keep [B,C,1,1])."""
        pooled = self.node("ReduceMean", [x], f"{out}.pool", axes=[2, 3], keepdims=1)
        h = pooled
        for i, fc in enumerate(("fc1", "fc2")):
            w = self.param(f"{prefix}.{fc}.weight")
            b = self.param(f"{prefix}.{fc}.bias")
            h = self.node("Conv", [h, self.const(f"{out}.{fc}.w", w[:, :, None, None]), self.const(f"{out}.{fc}.b", b)], f"{out}.{fc}",
                          kernel_shape=[1, 1], strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1)
            h = self.node("Relu" if i == 0 else "Sigmoid", [h], f"{out}.{fc}.act")
        return self.node("Mul", [x, h], out)


def build(weights: dict[str, np.ndarray]) -> tuple[onnx.ModelProto, set[str]]:
    b = Builder(weights)
    x = b.conv_bn("logmel", "features.0", "stem", stride=2)
    x = b.act(x, "hardswish", "stem.act")
    channels = STEM_CHANNELS
    for i, (k, expanded, out_ch, se, act, stride) in enumerate(BLOCKS, start=1):
        p = f"features.{i}.block"
        name = f"block{i}"
        h = x
        step = 0
        if expanded != channels:
            h = b.act(b.conv_bn(h, f"{p}.{step}", f"{name}.expand", 1), act, f"{name}.expand.act")
            step += 1
        h = b.act(b.conv_bn(h, f"{p}.{step}", f"{name}.depthwise", stride, groups=expanded), act, f"{name}.depthwise.act")
        step += 1
        if se:
            # EfficientAT's "concurrent" SE with one branch (channel): the max over one branch is that branch
            h = b.squeeze_excitation(h, f"{p}.{step}.conc_se_layers.0", f"{name}.se")
            step += 1
        h = b.conv_bn(h, f"{p}.{step}", f"{name}.project")
        assert weights[f"{p}.{step}.0.weight"].shape[0] == out_ch, f"block {i}: output channels"
        if stride == 1 and channels == out_ch:
            h = b.node("Add", [h, x], f"{name}.residual")
        x, channels = h, out_ch
    x = b.act(b.conv_bn(x, "features.16", "last"), "hardswish", "last.act")
    pooled = b.node("GlobalAveragePool", [x], "pooled")
    emb = b.node("Flatten", [pooled], "embedding", axis=1)
    w1, b1 = b.param("classifier.2.weight"), b.param("classifier.2.bias")
    h = b.node("Gemm", [emb, b.const("head.fc1.w", w1), b.const("head.fc1.b", b1)], "head.fc1", transB=1)
    h = b.act(h, "hardswish", "head.fc1.act")
    w2, b2 = b.param("classifier.5.weight"), b.param("classifier.5.bias")
    b.node("Gemm", [h, b.const("head.fc2.w", w2), b.const("head.fc2.b", b2)], "logits", transB=1)

    graph = helper.make_graph(
        b.nodes, "efficientat_mn04_as",
        [helper.make_tensor_value_info("logmel", TensorProto.FLOAT, ["batch", 1, 128, "frames"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", N_CLASSES]),
         helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", LAST_CHANNELS])],
        b.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="spectag convert_efficientat.py")
    model.ir_version = 8  # readable by onnxruntime >= 1.14
    model.doc_string = "EfficientAT mn04_as (MIT, (c) 2022 Florian Schmid), AudioSet 527 classes; input: log-mel [B,1,128,T]"
    onnx.checker.check_model(model, full_check=True)
    return model, b.used


def read_labels(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["index"]) for r in rows] == list(range(N_CLASSES)), "labels must be indexed 0..526"
    return [{"index": int(r["index"]), "mid": r["mid"], "name": r["display_name"]} for r in rows]


def run(model_path: Path, logmel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
    logits, emb = sess.run(["logits", "embedding"], {"logmel": logmel.astype(np.float32)})
    return logits, emb


def check(model_path: Path, source: Path) -> dict:
    """Our export against the golden numbers (PyTorch eval mode) and the reference export, batch 1 and 3."""
    golden_dir = source / "golden"
    meta = json.loads((golden_dir / "golden.json").read_text())
    report: dict = {"clips": []}
    batch = []
    for clip in meta["clips"]:
        name = clip["name"]
        logmel = np.fromfile(golden_dir / f"{name}.logmel.f32", dtype="<f4").reshape(clip["logmelShape"])[:, None]
        want_logits = np.fromfile(golden_dir / f"{name}.logits.f32", dtype="<f4").reshape(clip["logitsShape"])
        want_emb = np.fromfile(golden_dir / f"{name}.embedding.f32", dtype="<f4").reshape(clip["embeddingShape"])
        logits, emb = run(model_path, logmel)
        assert logits.shape == (1, N_CLASSES) and emb.shape == (1, LAST_CHANNELS), "batch axis kept for a batch of 1"
        row = {"clip": name, "logitsMaxAbsDiff": float(np.abs(logits - want_logits).max()),
               "embeddingMaxAbsDiff": float(np.abs(emb - want_emb).max()),
               "top5": [int(i) for i in np.argsort(-logits[0])[:5]], "goldenTop5": clip["top5"]}
        ref = source / "reference-mn04_as.onnx"
        if ref.exists():
            import onnxruntime as ort

            quiet = ort.SessionOptions()
            quiet.log_severity_level = 3  # the reference export drops the batch axis of a batch of 1 and says so
            sess = ort.InferenceSession(str(ref), quiet, providers=["CPUExecutionProvider"])
            rl, re_ = sess.run(["logits", "embedding"], {"logmel": logmel.astype(np.float32)})
            row["vsReferenceOnnx"] = {"logits": float(np.abs(logits.reshape(-1) - rl.reshape(-1)).max()),
                                      "embedding": float(np.abs(emb.reshape(-1) - re_.reshape(-1)).max())}
        report["clips"].append(row)
        batch.append((logmel, logits, emb))
    stacked = np.concatenate([b[0] for b in batch])
    logits, emb = run(model_path, stacked)
    report["batchOf3VsSingle"] = {
        "logits": float(max(np.abs(logits[i] - batch[i][1][0]).max() for i in range(len(batch)))),
        "embedding": float(max(np.abs(emb[i] - batch[i][2][0]).max() for i in range(len(batch)))),
    }
    return report


CARD = """# EfficientAT mn04_as (converted)

Generated by `native-models/tools/convert_efficientat.py`; do not edit by hand.

- Source: EfficientAT release v0.0.1, file `{pt}` (sha256 `{pt_sha}`), read through its numpy dump
  `{npz}` (sha256 `{npz_sha}`, the same 312 state-dict entries; the converter checks both hashes).
- Authors: Florian Schmid, Khaled Koutini, Gerhard Widmer. Paper: *Efficient Large-Scale Audio Tagging via
  Transformer-to-CNN Knowledge Distillation*, ICASSP 2023.
- Network: MobileNetV3-style, width 0.4, 983,599 parameters ({params:,} after folding the batch norms); an
  AudioSet tagger (527 classes, multi-label: sigmoid of `logits`), mAP 0.432 on AudioSet's evaluation set
  as published.
- Training data: AudioSet (Google), i.e. the audio of YouTube videos, with labels from its ontology. What
  AudioSet over- or under-represents (Western popular music, the sound of YouTube uploads) this model
  inherits.
- Licences: weights MIT (notice below); AudioSet class labels (`labels.json`) CC BY 4.0, © Google
  (Gemmeke et al., *Audio Set: An ontology and human-labeled dataset for audio events*, ICASSP 2017).

## Input

`logmel`: `[batch, 1, 128, frames]` float32, frames of 10 ms. Front end (implemented in
`electron/core/spectrogram/efficientat-mel.ts`, parity-tested against `tools/efficientat_golden.py`):
32 kHz mono (channels averaged), pre-emphasis y[n] = x[n+1] − 0.97·x[n] (one sample shorter), STFT 1024
points with an 800-sample symmetric Hann window zero-padded centrally, hop 320, centred with reflect
padding, power; 128 Kaldi triangular mel bands (mel = 1127·ln(1 + f/700)), 0–15,000 Hz, over the 512
positive bins below Nyquist; ln(mel + 1e-5); then (x + 4.5) / 5. 10 s → 1000 frames. Any length works
(global pooling).

## Outputs

- `logits`: `[batch, 527]`, AudioSet class order (`labels.json`); sigmoid gives per-class probabilities.
- `embedding`: `[batch, 384]`, the globally pooled features the classifier reads.

## Conversion checks

Against the golden numbers of the PyTorch reference (eval mode) for three 10 s clips:

| clip | max abs diff logits | max abs diff embedding | top 5 = reference |
|---|---|---|---|
{rows}

Batch of 3 against single clips: logits {b_logits:.1e}, embedding {b_emb:.1e}.

## Files (sha256)

| file | sha256 |
|---|---|
{files}

## Licence of the weights (MIT)

```
MIT License

Copyright (c) 2022 Florian Schmid

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
```
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, required=True, help="folder with the release weights and AudioSet labels")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "efficientat-mn04")
    args = ap.parse_args()
    src: Path = args.source
    npz_sha = check_hash(src / NPZ)
    pt_sha = check_hash(src / PT) if (src / PT).exists() else SHA256[PT]
    check_hash(src / LABELS)

    weights = dict(np.load(src / NPZ))
    model, used = build(weights)
    unused = sorted(set(weights) - used)
    if unused:
        raise SystemExit(f"state dict entries the network does not use: {unused[:5]} ... ({len(unused)})")
    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / "model.onnx"
    onnx.save(model, model_path)
    labels = read_labels(src / LABELS)
    (args.out / "labels.json").write_text(json.dumps(
        {"about": "AudioSet class labels (CC BY 4.0, Google) in the order of the model's logits",
         "frontEnd": FRONT_END, "classes": labels}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    # what the app loads (electron/core/model/backbone.ts): windows of any length (the app cuts ~10 s windows,
    # 1000 frames; a short track's are longer or shorter)
    (args.out / "backbone.json").write_text(json.dumps({
        "format": "spectag-backbone", "formatVersion": 1, "id": "efficientat-mn04", "onnx": "model.onnx",
        "frontEnd": "efficientat-logmel-32k", "input": {"name": "logmel", "shape": [None, 1, 128, None]},
        "outputs": {"logits": N_CLASSES, "embedding": LAST_CHANNELS}, "labels": "labels.json"}, indent=2) + "\n")
    report = check(model_path, src)
    print(json.dumps(report, indent=1))
    for row in report["clips"]:
        if row["logitsMaxAbsDiff"] > 1e-4 or row["embeddingMaxAbsDiff"] > 1e-4 or row["top5"] != row["goldenTop5"]:
            raise SystemExit(f"{row['clip']}: the conversion does not reproduce the reference")
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    rows = "\n".join(
        f"| {r['clip']} | {r['logitsMaxAbsDiff']:.1e} | {r['embeddingMaxAbsDiff']:.1e} | {'yes' if r['top5'] == r['goldenTop5'] else 'NO'} |"
        for r in report["clips"])
    files = "\n".join(f"| `{p.name}` | `{sha256(p)}` |" for p in sorted(args.out.iterdir()) if p.name != "MODEL_CARD.md")
    (args.out / "MODEL_CARD.md").write_text(CARD.format(
        pt=PT, pt_sha=pt_sha, npz=NPZ, npz_sha=npz_sha, params=params, rows=rows, files=files,
        b_logits=report["batchOf3VsSingle"]["logits"], b_emb=report["batchOf3VsSingle"]["embedding"]), encoding="utf-8")
    print(f"wrote {model_path} ({model_path.stat().st_size} bytes), labels.json, MODEL_CARD.md")


if __name__ == "__main__":
    main()
