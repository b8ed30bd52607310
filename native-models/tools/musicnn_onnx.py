"""Write the musicnn backbones as ONNX files, from the shipped TF.js weights in native-models/musicnn-*/.

Reproduce (from the repository root):
    python3 -m venv /tmp/onnx-venv
    /tmp/onnx-venv/bin/pip install -r native-models/tools/requirements-onnx.txt
    /tmp/onnx-venv/bin/python native-models/tools/musicnn_onnx.py
Only numpy and onnx: no TensorFlow, no PyTorch. The graph is the same network as
electron/core/model/musicnn.ts (the TF.js rebuild): input batch norm, two timbral and three temporal
convolutions each followed by ReLU, batch norm and a max over frequency, three 7-frame mid-end
convolutions (the last two residual), max and mean over time, then the two dense layers with the batch
norms before them folded into their weights. Every convolution is written as a 2-D Conv in NCHW with
explicit kernel_shape, pads, strides, dilations and group: 1-D convolutions and implicit attributes broke
onnxruntime-web's WebGPU kernels. Outputs: `tags` [N, 50], `embedding` [N, 200], `pooled` [N, 1506].
Each model's backbone.json (what the app loads) and the "ONNX files" section of MODEL_CARD.md (sha256)
are rewritten too. The output is deterministic: the same weights give byte-identical files.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, checker, helper, numpy_helper

MODELS = ("musicnn-msd", "musicnn-mtt")
OPSET = 17
IR_VERSION = 8  # understood by every onnxruntime since 1.10 (Node, web, mobile)
CARD_MARKER = "<!-- onnx files: written by tools/musicnn_onnx.py -->"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_weights(folder: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The TF.js weights manifest + shards as named float32 arrays."""
    spec = json.loads((folder / "model.json").read_text())
    if spec.get("format") != "spectag-musicnn" or spec.get("formatVersion") != 1:
        raise SystemExit(f"{folder}/model.json: unsupported format")
    weights: dict[str, np.ndarray] = {}
    for group in spec["weightsManifest"]:
        raw = b"".join((folder / p).read_bytes() for p in group["paths"])
        at = 0
        for w in group["weights"]:
            if w["dtype"] != "float32":
                raise SystemExit(f"{w['name']}: dtype {w['dtype']}")
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            weights[w["name"]] = np.frombuffer(raw, dtype="<f4", count=n, offset=at).reshape(w["shape"]).astype(np.float32)
            at += 4 * n
        if at != len(raw):
            raise SystemExit(f"{folder}: shard size {len(raw)} != manifest {at}")
    return spec, weights


class Graph:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], name: str | None = None, **attrs: object) -> str:
        self.count += 1
        out = name or f"{kind.lower()}_{self.count}"
        self.nodes.append(helper.make_node(kind, inputs, [out], name=f"n{self.count}_{kind}", **attrs))
        return out


def build(spec: dict, w: dict[str, np.ndarray], model_id: str) -> onnx.ModelProto:
    eps = float(spec["modelTopology"]["batchNormEpsilon"])
    g = Graph()

    def bn(layer: str) -> tuple[np.ndarray, np.ndarray]:
        scale = w[f"{layer}/gamma"] / np.sqrt(w[f"{layer}/moving_variance"] + np.float32(eps))
        shift = w[f"{layer}/beta"] - w[f"{layer}/moving_mean"] * scale
        return scale.astype(np.float32), shift.astype(np.float32)

    def affine(x: str, layer: str, channels_shape: tuple[int, ...]) -> str:
        scale, shift = bn(layer)
        y = g.op("Mul", [x, g.const(f"{layer}/scale", scale.reshape(channels_shape))])
        return g.op("Add", [y, g.const(f"{layer}/shift", shift.reshape(channels_shape))])

    def conv(x: str, layer: str, kernel_hwio: np.ndarray, pads: list[int], sign: np.ndarray | None = None) -> str:
        """2-D convolution, NCHW; kernel given as TF's [H, W, I, O]; `sign` (±1 per output channel) negates channels."""
        kernel = np.transpose(kernel_hwio, (3, 2, 0, 1))  # OIHW
        bias = w[f"{layer}/bias"]
        if sign is not None:
            kernel = (kernel * sign[:, None, None, None]).astype(np.float32)
            bias = (bias * sign).astype(np.float32)
        return g.op(
            "Conv",
            [x, g.const(f"{layer}/kernel", kernel), g.const(f"{layer}/bias", bias)],
            kernel_shape=list(kernel.shape[2:]),
            pads=pads,
            strides=[1, 1],
            dilations=[1, 1],
            group=1,
        )

    def front_branch(x: str, layer: str, pads: list[int], freq_out: int) -> str:
        """relu(conv) → batch norm → max over the remaining frequency bins: [N, C, T, 1].

        Computed as max → clamp → batch norm, so that the large [N, C, T, F] tensor sees only the convolution
        and the max (batch norm and ReLU on it were ~40 % of the CPU time). Exact in float32: per channel with
        scale a > 0, max_F(a·relu(z) + b) = a·max(max_F z, 0) + b; with a < 0 it is a·min_F relu(z) + b, which
        with the channel's kernel and bias negated (z' = −z exactly) is |a|·min(max_F z', 0) + b.
        """
        scale, shift = bn(f"bn_{layer}")
        c = w[f"{layer}/kernel"].shape[3]
        negative = scale < 0
        sign = np.where(negative, -1.0, 1.0).astype(np.float32)
        z = conv(x, layer, w[f"{layer}/kernel"], pads, sign)
        m = g.op("MaxPool", [z], kernel_shape=[1, freq_out], strides=[1, freq_out], pads=[0, 0, 0, 0])
        lo = np.where(negative, -np.inf, 0.0).astype(np.float32).reshape(1, c, 1, 1)
        hi = np.where(negative, 0.0, np.inf).astype(np.float32).reshape(1, c, 1, 1)
        m = g.op("Min", [g.op("Max", [m, g.const(f"bn_{layer}/low", lo)]), g.const(f"bn_{layer}/high", hi)])
        m = g.op("Mul", [m, g.const(f"bn_{layer}/scale", np.abs(scale).reshape(1, c, 1, 1))])
        return g.op("Add", [m, g.const(f"bn_{layer}/shift", shift.reshape(1, c, 1, 1))])

    # [N, 187, 96] → [N, 1, 187, 96]: channels first, time as height, mel bands as width
    x = g.op("Unsqueeze", ["patches", g.const("axis1", np.array([1], dtype=np.int64))])
    x = affine(x, "bn_input", (1, 1, 1, 1))
    bands = 96
    branches = []
    for name in ("timbral74", "timbral77"):
        kt, kf = w[f"{name}/kernel"].shape[:2]
        # musicnn pads time by (kt - 1) / 2 zeros on both sides, frequency 'valid'
        branches.append(front_branch(x, name, [(kt - 1) // 2, 0, (kt - 1) // 2, 0], bands - kf + 1))
    for name in ("temporal128", "temporal64", "temporal32"):
        kt = w[f"{name}/kernel"].shape[0]
        # TF 'same' padding for an even kernel: the extra zero goes after
        branches.append(front_branch(x, name, [(kt - 1) // 2, 0, kt // 2, 0], bands))
    front = g.op("Concat", branches, axis=1)  # [N, 561, T, 1]

    mids = []
    h = front
    for i, name in enumerate(("midend1", "midend2", "midend3")):
        k = w[f"{name}/kernel"]  # [7, C, 1, 64]: a 1-D convolution over time across all channels
        kt, c, _, f = k.shape
        kernel = k.reshape(kt, 1, c, f)  # as 2-D [H=7, W=1, I=C, O=64]
        y = g.op("Relu", [conv(h, name, kernel, [(kt - 1) // 2, 0, (kt - 1) // 2, 0])])
        y = affine(y, f"bn_{name}", (1, f, 1, 1))
        h = y if i == 0 else g.op("Add", [y, h])
        mids.append(h)
    features = g.op("Concat", [front, *mids], axis=1)  # [N, 753, T, 1]

    # max and mean over time, interleaved per channel (max0, mean0, max1, ...) like musicnn's flatten
    tmax = g.op("ReduceMax", [features], axes=[2, 3], keepdims=0)  # [N, 753]
    tmean = g.op("ReduceMean", [features], axes=[2, 3], keepdims=0)
    two = g.const("axis2", np.array([2], dtype=np.int64))
    stacked = g.op("Concat", [g.op("Unsqueeze", [tmax, two]), g.op("Unsqueeze", [tmean, two])], axis=2)  # [N, 753, 2]
    pooled = g.op("Flatten", [stacked], name="pooled", axis=1)  # [N, 1506]

    def fold_dense(bn_layer: str, dense: str) -> tuple[np.ndarray, np.ndarray]:
        # (x*s + b) W + c = x (diag(s) W) + (b W + c)
        scale, shift = bn(bn_layer)
        k = w[f"{dense}/kernel"]
        return (k * scale[:, None]).astype(np.float32), (w[f"{dense}/bias"] + shift @ k).astype(np.float32)

    k1, b1 = fold_dense("bn_pool", "penultimate")
    emb_linear = g.op("Gemm", [pooled, g.const("dense/kernel", k1), g.const("dense/bias", b1)], alpha=1.0, beta=1.0, transA=0, transB=0)
    embedding = g.op("Relu", [emb_linear], name="embedding")
    k2, b2 = fold_dense("bn_penultimate", "tags")
    logits = g.op("Gemm", [embedding, g.const("tags/kernel", k2), g.const("tags/bias", b2)], alpha=1.0, beta=1.0, transA=0, transB=0)
    g.op("Sigmoid", [logits], name="tags")

    n_tags = k2.shape[1]
    graph = helper.make_graph(
        g.nodes,
        model_id,
        [helper.make_tensor_value_info("patches", TensorProto.FLOAT, ["N", 187, bands])],
        [
            helper.make_tensor_value_info("tags", TensorProto.FLOAT, ["N", n_tags]),
            helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", k1.shape[1]]),
            helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["N", 2 * 753]),
        ],
        g.inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="spectag native-models/tools/musicnn_onnx.py",
        producer_version="1",
        ir_version=IR_VERSION,
    )
    model.doc_string = f"{model_id}: {spec.get('generatedBy', '')}"
    checker.check_model(model, full_check=True)
    return model


def backbone_json(model_id: str, onnx_name: str, n_tags: int) -> dict:
    """What the app needs to run a backbone: the ONNX file, its front end, its input and named outputs."""
    return {
        "format": "spectag-backbone",
        "formatVersion": 1,
        "id": model_id,
        "onnx": onnx_name,
        "tfjs": "model.json",
        "frontEnd": "musicnn-logmel-16k",
        "input": {"name": "patches", "shape": [None, 187, 96]},
        "outputs": {"tags": n_tags, "embedding": 200, "pooled": 1506},
        "labels": "tags.json",
    }


def update_card(root: Path, written: list[Path]) -> None:
    card = root / "MODEL_CARD.md"
    text = card.read_text()
    head = text.split(CARD_MARKER)[0].rstrip("\n")
    lines = [
        "",
        CARD_MARKER,
        "## ONNX files",
        "",
        "Written by `native-models/tools/musicnn_onnx.py` from the TF.js weights above (numpy + onnx only,",
        "`tools/requirements-onnx.txt`): the same network, opset 17, every convolution a 2-D `Conv` with",
        "explicit attributes; outputs `tags`, `embedding`, `pooled`. Parity with the golden outputs:",
        "`test/model/onnx-parity.test.ts`. `backbone.json` tells the app which file, front end and outputs.",
        "",
        "| file | sha256 |",
        "|---|---|",
    ]
    for p in written:
        lines.append(f"| `{p.relative_to(root)}` | `{sha256(p)}` |")
    card.write_text(head + "\n" + "\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    written: list[Path] = []
    for model_id in MODELS:
        folder = args.root / model_id
        spec, weights = read_weights(folder)
        model = build(spec, weights, model_id)
        out = folder / f"{model_id}.onnx"
        out.write_bytes(model.SerializeToString(deterministic=True))
        n_tags = weights["tags/kernel"].shape[1]
        bj = folder / "backbone.json"
        bj.write_text(json.dumps(backbone_json(model_id, out.name, n_tags), indent=2) + "\n")
        written += [out, bj]
        print(f"{out}: {out.stat().st_size} bytes, {len(model.graph.node)} nodes, sha256 {sha256(out)}")
    update_card(args.root, written)


if __name__ == "__main__":
    main()
