#!/usr/bin/env python3
"""Cheap variations of the default genre head, each judged like the shipped one (efficientat_head.py): plain CV
(5-fold stratified by (set, label), seeds 0..R-1, restricted top-1 per set) and nested CV (an inner 4-fold inside
each outer training split picks the regularisation C of that variation; outer seeds 100..100+R-1, the same outer
folds for every variation, so differences between variations are paired). Features: efficientat_features.py's
npz files (EfficientAT windows; musicnn MSD patches with their tag outputs and the app's 3-patch positions;
optionally musicnn MTT the same way). Nothing here reads audio.

    export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
    /tmp/eat-venv/bin/python native-models/tools/head_ideas.py --eat /tmp/eat.npz --musicnn /tmp/musicnn.npz \
        [--mtt /tmp/mtt.npz] [--only NAME ...] [--repeats 3]

Blocks (per recording, pooled over its windows / patches): E mean mn04 embedding (384), Es its std over windows,
M mean musicnn MSD embedding (200), Ms std over patches, T mean MSD tag probabilities (50), L / Lx mean / max over
windows of the 527 AudioSet logits, G / Gx the same for the 62 genre classes, U the music classes (137-282),
N / NT mean MTT embedding / tags, M3 / T3 musicnn MSD embedding / tags averaged over the 3 patches the app hears
on a long track.
"""
from __future__ import annotations

import argparse
import warnings
import sys
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
from efficientat_head import GENRE_CLASSES, HEAD_GENRES, LABEL_MAP, restricted_accuracy, strata  # noqa: E402

MUSIC_CLASSES = list(range(137, 283))
# misc has labels with one recording: StratifiedKFold warns about them every split
warnings.filterwarnings("ignore", message="The least populated class")


def load(eat_path: Path, musicnn_path: Path, mtt_path: Path | None) -> dict:
    eat, mus = np.load(eat_path), np.load(musicnn_path)
    mtt = np.load(mtt_path) if mtt_path else None
    files = list(dict.fromkeys(eat["path"].tolist()))
    B: dict[str, list] = {}
    sets, labels = [], []

    def add(k, v):
        B.setdefault(k, []).append(v)

    for f in files:
        w, p = eat["path"] == f, mus["path"] == f
        e, lg, m, t = eat["embedding"][w], eat["logits"][w], mus["embedding"][p], mus["tags"][p]
        add("E", e.mean(0)); add("Es", e.std(0)); add("Ex", e.max(0))
        add("L", lg.mean(0)); add("Lx", lg.max(0))
        add("G", lg[:, GENRE_CLASSES].mean(0)); add("Gx", lg[:, GENRE_CLASSES].max(0))
        add("U", lg[:, MUSIC_CLASSES].mean(0)); add("Ux", lg[:, MUSIC_CLASSES].max(0))
        add("M", m.mean(0)); add("Ms", m.std(0)); add("Mx", m.max(0)); add("T", t.mean(0))
        q = mus["long3_path"] == f
        add("M3", mus["long3_embedding"][q].mean(0)); add("T3", mus["long3_tags"][q].mean(0))
        q = mus["short3_path"] == f
        add("M3s", mus["short3_embedding"][q].mean(0))
        if mtt is not None:
            r = mtt["path"] == f
            add("N", mtt["embedding"][r].mean(0)); add("NT", mtt["tags"][r].mean(0))
            q = mtt["long3_path"] == f
            add("N3", mtt["long3_embedding"][q].mean(0))
        sets.append(str(eat["set"][w][0]))
        raw = str(eat["label"][w][0])
        labels.append(LABEL_MAP.get(raw, raw))
    d = {k: np.array(v, dtype=np.float64) for k, v in B.items()}
    # musicnn's tag layer applied to the mean embedding (its tags are sigmoid(embedding @ K + b) per patch, so
    # this is computable from the stored mean embedding alone): the tag probabilities "of the mean patch"
    K, b = msd_tag_layer()
    d["Tm"] = 1 / (1 + np.exp(-(d["M"] @ K + b)))
    d["Tm3"] = 1 / (1 + np.exp(-(d["M3"] @ K + b)))
    d.update({"files": files, "set": np.array(sets), "label": np.array(labels),
              "y": np.array([HEAD_GENRES.index(l) for l in labels])})
    return d


def msd_tag_layer() -> tuple[np.ndarray, np.ndarray]:
    """musicnn MSD's tag layer (200 -> 50, batch norm folded in) from its ONNX file."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(Path(__file__).resolve().parents[1] / "musicnn-msd" / "musicnn-msd.onnx"))
    w = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer if i.name in ("tags/kernel", "tags/bias")}
    return w["tags/kernel"].astype(np.float64), w["tags/bias"].astype(np.float64)


def logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


class Variation:
    """blocks: feature blocks concatenated; prep: how they are scaled; model: lr | svm | ens (mean of lr and svm
    probabilities); Cs: the C grid nested CV picks from."""

    def __init__(self, name, blocks, prep="std", model="lr", Cs=(0.03, 0.1, 0.3), transform=None):
        self.name, self.blocks, self.prep, self.model, self.Cs, self.transform = name, blocks, prep, model, Cs, transform

    def X(self, d, heard=None):
        """heard: block substitutions for what the app hears at run time (e.g. M -> M3)."""
        parts = []
        for b in self.blocks:
            x = d[(heard or {}).get(b, b)]
            if self.transform and b in self.transform:
                x = self.transform[b](x)
            parts.append(x)
        return parts

    def fit_predict(self, parts, y, train, test, c, test_parts=None):
        if self.prep in ("l2", "l2raw", "l2centre"):
            # each backbone's block to unit length before concatenation (scale-free per block)
            unit = lambda ps: [x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12) for x in ps]
            parts = unit(parts)
            test_parts = unit(test_parts) if test_parts is not None else None
        X = np.concatenate(parts, axis=1)
        if test_parts is not None:
            # the test rows as heard at run time: train rows from X, test rows from X2 (same row indices)
            X2 = np.concatenate(test_parts, axis=1)
            X = X.copy()
            X[test] = X2[test]
        if self.prep in ("l2raw", "raw"):
            Xtr, Xte = X[train] * 10, X[test] * 10
        elif self.prep in ("l2centre", "centre"):
            mu = X[train].mean(0)
            Xtr, Xte = (X[train] - mu) * 10, (X[test] - mu) * 10
        else:
            sc = StandardScaler().fit(X[train])
            Xtr, Xte = sc.transform(X[train]), sc.transform(X[test])
        if self.prep == "block":
            # each block weighs the same in the L2 penalty: divide by sqrt(width)
            w = np.concatenate([np.full(x.shape[1], 1 / np.sqrt(x.shape[1])) for x in parts]) * np.sqrt(X.shape[1] / len(parts))
            Xtr, Xte = Xtr * w, Xte * w
        if self.prep.startswith("pca"):
            pca = PCA(n_components=float(self.prep[3:]) if "." in self.prep else int(self.prep[3:]), whiten=True,
                      random_state=0).fit(Xtr)
            Xtr, Xte = pca.transform(Xtr), pca.transform(Xte)
        out = np.zeros((len(test), len(HEAD_GENRES)))
        models = []
        if self.model in ("lr", "ens"):
            models.append(LogisticRegression(C=c, max_iter=2000, tol=1e-3, class_weight="balanced"))
        if self.model in ("svm", "ens"):
            models.append(SVC(C=3.0 if self.model == "ens" else c, kernel="rbf", gamma="scale", probability=True,
                              class_weight="balanced", random_state=0))
        for m in models:
            m.fit(Xtr, y[train])
            out[:, m.classes_] += m.predict_proba(Xte) / len(models)
        return out


def cv(d, v, c, seed, heard=None):
    parts = v.X(d)
    test_parts = v.X(d, heard) if heard else None
    probs = np.zeros((len(d["y"]), len(HEAD_GENRES)))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(parts[0], strata(d)):
        probs[test] = v.fit_predict(parts, d["y"], train, test, c, test_parts)
    return probs


def nested(d, v, seed):
    parts = v.X(d)
    st = strata(d)
    rows = np.arange(len(d["y"]))
    probs = np.zeros((len(d["y"]), len(HEAD_GENRES)))
    picks = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=100 + seed).split(rows, st):
        best, best_score = v.Cs[0], -1.0
        if len(v.Cs) > 1:
            for c in v.Cs:
                inner = np.zeros((len(train), len(HEAD_GENRES)))
                for itr, ite in StratifiedKFold(4, shuffle=True, random_state=seed).split(train, st[train]):
                    inner[ite] = v.fit_predict(parts, d["y"], train[itr], train[ite], c)
                a = restricted_accuracy(inner, d, train)
                s = (a["gtzan"] + a["emotify"]) / 2
                if s > best_score:
                    best, best_score = c, s
        picks.append(best)
        probs[test] = v.fit_predict(parts, d["y"], train, test, best)
    return restricted_accuracy(probs, d, rows), picks


SQRT = {b: (lambda x: np.sign(x) * np.sqrt(np.abs(x))) for b in ("E", "M")}
LOGIT_T = {"T": logit, "T3": logit, "NT": logit}

VARIATIONS = [
    Variation("base EM", ["E", "M"]),
    Variation("a: EM + MSD tags (mean prob)", ["E", "M", "T"]),
    Variation("a: EM + MSD tags (logit of mean prob)", ["E", "M", "T"], transform=LOGIT_T),
    Variation("b: EM + 62 genre logits mean+max", ["E", "M", "G", "Gx"]),
    Variation("b: EM + 146 music logits mean", ["E", "M", "U"]),
    Variation("b: EM + 146 music logits mean+max", ["E", "M", "U", "Ux"]),
    Variation("b: EM + 527 logits mean+max", ["E", "M", "L", "Lx"]),
    Variation("c: E mean+std, M mean+std", ["E", "Es", "M", "Ms"]),
    Variation("c: E mean+max, M mean+max", ["E", "Ex", "M", "Mx"]),
    Variation("c: E mean+std, M mean", ["E", "Es", "M"]),
    Variation("d: EM + MTT embedding", ["E", "M", "N"]),
    Variation("d: EM + MTT embedding + MTT tags", ["E", "M", "N", "NT"]),
    Variation("e: EM, L2 per block then standardise", ["E", "M"], prep="l2"),
    Variation("e: EM, L2 per block, no standardisation", ["E", "M"], prep="l2raw", Cs=(0.3, 1.0, 3.0)),
    Variation("e: EM, equal block weight", ["E", "M"], prep="block"),
    Variation("e: EM, PCA whitened 64", ["E", "M"], prep="pca64", Cs=(0.01, 0.03, 0.1)),
    Variation("e: EM, PCA whitened 128", ["E", "M"], prep="pca128", Cs=(0.01, 0.03, 0.1)),
    Variation("e: EM, logistic + SVM (C 3) average", ["E", "M"], model="ens"),
    Variation("e: EM, RBF SVM", ["E", "M"], model="svm", Cs=(1.0, 3.0, 10.0)),
    Variation("f: EM, signed sqrt", ["E", "M"], transform=SQRT),
    Variation("f: EM, C grid 0.01-1", ["E", "M"], Cs=(0.01, 0.03, 0.1, 0.3, 1.0)),
    Variation("f: EM + tags, L2 per block", ["E", "M", "T"], prep="l2", transform=LOGIT_T),
    Variation("g: EM, L2 per block, no standardisation, C to 30", ["E", "M"], prep="l2raw", Cs=(0.3, 1.0, 3.0, 10.0, 30.0)),
    Variation("g: EM, L2 per block, centred", ["E", "M"], prep="l2centre", Cs=(0.3, 1.0, 3.0, 10.0, 30.0)),
    Variation("g: EM, raw (no scaling)", ["E", "M"], prep="raw", Cs=(0.01, 0.03, 0.1, 0.3, 1.0)),
    Variation("g: EM, centred only", ["E", "M"], prep="centre", Cs=(0.01, 0.03, 0.1, 0.3, 1.0)),
    Variation("g: EM + MSD tags, L2 per block, no standardisation", ["E", "M", "T"], prep="l2raw", Cs=(0.3, 1.0, 3.0, 10.0)),
    Variation("h: EM + tags of the mean embedding, L2 per block, no standardisation", ["E", "M", "Tm"], prep="l2raw", Cs=(0.3, 1.0, 3.0, 10.0)),
    Variation("h: EM + tags of the mean embedding, standardised", ["E", "M", "Tm"]),
    Variation("g: EM + MTT embedding, L2 per block, no standardisation", ["E", "M", "N"], prep="l2raw", Cs=(0.3, 1.0, 3.0, 10.0)),
    Variation("g: E mean+std, M mean+std, L2 per block, no standardisation", ["E", "Es", "M", "Ms"], prep="l2raw", Cs=(0.3, 1.0, 3.0, 10.0)),
    Variation("g: EM, L2 per block, logistic + SVM average", ["E", "M"], prep="l2", model="ens"),
]


def patches_effect(d, repeats, head_path):
    """What hearing 3 musicnn patches instead of 10 does to the head: out of fold, the head trained on one musicnn
    mean (10 patches of each clip, or the app's 3) scores the held-out recordings from either mean; `long3` is the
    app's long-track rule (the centre patch of each 10 s excerpt), `short3` its rule for a clip of at most 45 s
    (3 patches spread over it). Also the shipped head file itself on the dev data (in-sample: it was trained on
    these clips' 10-patch means) and how often its best genre changes."""
    rows = np.arange(len(d["y"]))
    st = strata(d)
    res = {}
    for train_m in ("M", "M3"):
        for test_m in ("M", "M3", "M3s"):
            accs = []
            for seed in range(repeats):
                probs = np.zeros((len(d["y"]), len(HEAD_GENRES)))
                for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(rows, st):
                    Xtr = np.concatenate([d["E"][train], d[train_m][train]], axis=1)
                    Xte = np.concatenate([d["E"][test], d[test_m][test]], axis=1)
                    sc = StandardScaler().fit(Xtr)
                    m = LogisticRegression(C=0.1, max_iter=500, tol=1e-3, class_weight="balanced").fit(sc.transform(Xtr), d["y"][train])
                    probs[np.ix_(test, m.classes_)] = m.predict_proba(sc.transform(Xte))
                accs.append(restricted_accuracy(probs, d, rows))
            g, e = [100 * a["gtzan"] for a in accs], [100 * a["emotify"] for a in accs]
            res[(train_m, test_m)] = (g, e)
            print(f"train on E + {train_m:3s} test on E + {test_m:3s}: GTZAN-10 {np.mean(g):.1f} ± {np.std(g):.1f}  "
                  f"Emotify-4 {np.mean(e):.1f} ± {np.std(e):.1f}", flush=True)
    for tm in ("M3", "M3s"):
        dg = np.array(res[("M", tm)][0]) - np.array(res[("M", "M")][0])
        de = np.array(res[("M", tm)][1]) - np.array(res[("M", "M")][1])
        print(f"paired change, head trained on 10 patches, heard {tm}: GTZAN {dg.mean():+.1f} ± {dg.std():.1f}  Emotify {de.mean():+.1f} ± {de.std():.1f}")
    if head_path:
        import json
        h = json.loads(Path(head_path).read_text())
        mean, scale = np.array(h["scaler"]["mean"]), np.array(h["scaler"]["scale"])
        W, b = np.array(h["kernel"]), np.array(h["bias"])
        preds = {}
        for tm in ("M", "M3", "M3s"):
            z = ((np.concatenate([d["E"], d[tm]], axis=1) - mean) / scale) @ W + b
            preds[tm] = z
            a = restricted_accuracy(z, d, rows)
            print(f"shipped head.json (in-sample), musicnn mean of {tm:3s}: GTZAN-10 {100 * a['gtzan']:.1f}  Emotify-4 {100 * a['emotify']:.1f}  "
                  f"strict 11-genre {100 * np.mean(z.argmax(1) == d['y']):.1f}")
        for tm in ("M3", "M3s"):
            print(f"best genre changes from 10 patches to {tm}: {100 * np.mean(preds[tm].argmax(1) != preds['M'].argmax(1)):.1f} % of recordings")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eat", type=Path, required=True)
    ap.add_argument("--musicnn", type=Path, required=True)
    ap.add_argument("--mtt", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="variation names starting with these")
    ap.add_argument("--no-nested", action="store_true")
    ap.add_argument("--patches", action="store_true", help="only the 3-vs-10 musicnn patches comparison")
    ap.add_argument("--head", help="--patches: also apply this head.json to the dev features")
    ap.add_argument("--heard3", action="store_true", help="plain CV only, the held-out recordings' musicnn blocks "
                    "from the 3 patches the app hears on a long track (trained on 10-patch means)")
    args = ap.parse_args()
    d = load(args.eat, args.musicnn, args.mtt)
    if args.patches:
        return patches_effect(d, args.repeats, args.head)
    rows = np.arange(len(d["y"]))
    base_nested = None
    print(f"{len(rows)} recordings; columns: plain CV at each C (GTZAN-10 / Emotify-4, mean over {args.repeats} "
          f"seeds), nested CV mean ± std, paired difference to the baseline's nested CV per repeat")
    for v in VARIATIONS:
        if args.only and not any(v.name.startswith(o) for o in args.only):
            continue
        if any(b not in d for b in v.blocks):
            print(f"{v.name}: skipped (no {[b for b in v.blocks if b not in d]})")
            continue
        plain = []
        heard = {"M": "M3", "T": "T3", "Tm": "Tm3"} if args.heard3 else None
        for c in v.Cs:
            accs = [restricted_accuracy(cv(d, v, c, s, heard), d, rows) for s in range(args.repeats)]
            g, e = [100 * a["gtzan"] for a in accs], [100 * a["emotify"] for a in accs]
            plain.append(f"C {c}: {np.mean(g):.1f}±{np.std(g):.1f} / {np.mean(e):.1f}±{np.std(e):.1f}")
        line = f"{v.name:45s} | " + "; ".join(plain)
        if not args.no_nested and not args.heard3:
            res = [nested(d, v, s) for s in range(args.repeats)]
            g = np.array([100 * r[0]["gtzan"] for r in res])
            e = np.array([100 * r[0]["emotify"] for r in res])
            line += f" | nested {g.mean():.1f}±{g.std():.1f} / {e.mean():.1f}±{e.std():.1f}"
            if base_nested is None and v.name == "base EM":
                base_nested = (g, e)
            elif base_nested is not None:
                dg, de = g - base_nested[0], e - base_nested[1]
                line += f" | Δ {dg.mean():+.1f}±{dg.std():.1f} / {de.mean():+.1f}±{de.std():.1f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
