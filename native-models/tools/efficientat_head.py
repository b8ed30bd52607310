#!/usr/bin/env python3
"""The two-backbone default genre head: research (cross-validation, nested model choice, AudioSet calibration)
and export. Features come from efficientat_features.py (EfficientAT mn04 per ~10 s window, musicnn MSD per
~3 s patch, both under the app's listening plan on ../shared/datasets/labelled-music); nothing here reads audio.

    /tmp/eat-venv/bin/python native-models/tools/efficientat_head.py cv --eat /tmp/eat-features/efficientat.npz \
        --musicnn /tmp/eat-features/musicnn-0.npz /tmp/eat-features/musicnn-1.npz /tmp/eat-features/musicnn-2.npz
    ... nested     (the honest estimate: the configuration is chosen inside each outer training split)
    ... calibrate  (AudioSet genre classes: per-class and shared Platt scaling on the dev labels)
    ... roles      (Video Game Music / Soundtrack on real game music, leave-one-game-out; needs --games)
    ... export --out native-models/genre-head-2/head.json [--games game-eat.npz]
    ... export-roles --games game-eat.npz --out native-models/genre-head-2/head.json  (only the roles, in place)

--games: EfficientAT features (efficientat_features.py) of the game-music folder that game_music.py builds (Debian's
free game-music packages, pinned): the positives of the Video Game Music entry.

Run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (5x faster here than threaded BLAS on small matrices).

Protocol (as the issue states it): restricted top-1 — the argmax over each set's own labels — on whole
recordings; 5-fold cross-validation stratified by (set, label), whole recordings on one side only; repeated
with seeds 0..R-1; mean ± std over repeats.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

HEAD_GENRES = ["blues", "classical", "country", "disco", "electronic", "hip-hop", "jazz", "metal", "pop", "reggae", "rock"]
LABEL_MAP = {"hiphop": "hip-hop", "dubstep": "electronic", "trapedm": "electronic", "drum_bass": "electronic", "house": "electronic"}
SET_LABELS = {
    "gtzan": ["blues", "classical", "country", "disco", "hip-hop", "jazz", "metal", "pop", "reggae", "rock"],
    "emotify": ["classical", "electronic", "pop", "rock"],
}
# AudioSet music-genre and music-role classes (Pop music .. Wedding music) plus Orchestra and Choir: the classes
# the shipped vocabulary speaks for (electron/shared/genre-vocabulary.ts)
GENRE_CLASSES = [i for i in range(216, 276) if i not in (218, 266)] + [184, 28]


def load(eat_path: Path, musicnn_paths: list[Path]) -> dict:
    eat = np.load(eat_path)
    mus = [np.load(p) for p in musicnn_paths]
    m_path = np.concatenate([m["path"] for m in mus]) if mus else eat["path"]
    m_emb = np.concatenate([m["embedding"] for m in mus]) if mus else np.zeros((len(eat["path"]), 1), dtype=np.float32)
    files = list(dict.fromkeys(eat["path"].tolist()))
    E, L, M, sets, labels, raw, n_windows = [], [], [], [], [], [], []
    for f in files:
        w = eat["path"] == f
        p = m_path == f
        if not p.any():
            raise SystemExit(f"{f}: no musicnn patches")
        E.append(eat["embedding"][w].mean(0))
        L.append(eat["logits"][w].mean(0))
        M.append(m_emb[p].mean(0))
        sets.append(str(eat["set"][w][0]))
        raw.append(str(eat["label"][w][0]))
        labels.append(LABEL_MAP.get(raw[-1], raw[-1]))
        n_windows.append(int(w.sum()))
    y = np.array([HEAD_GENRES.index(l) for l in labels])
    digest = hashlib.sha256()
    for a in (np.array(E), np.array(L), np.array(M)):
        digest.update(np.ascontiguousarray(a, dtype="<f4").tobytes())
    return {"files": files, "E": np.array(E), "L": np.array(L), "M": np.array(M), "set": np.array(sets),
            "label": np.array(labels), "raw_label": np.array(raw), "y": y, "windows": np.array(n_windows), "sha256": digest.hexdigest()}


MUSICNN_ONNX = Path(__file__).resolve().parents[1] / "musicnn-msd" / "musicnn-msd.onnx"


def msd_tag_layer() -> tuple[np.ndarray, np.ndarray]:
    """musicnn MSD's tag layer (200 -> 50, its batch norm folded in): tags = sigmoid(embedding @ K + b) per patch."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(MUSICNN_ONNX))
    w = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer if i.name in ("tags/kernel", "tags/bias")}
    return w["tags/kernel"].astype(np.float64), w["tags/bias"].astype(np.float64)


def mean_tags(m: np.ndarray) -> np.ndarray:
    """musicnn's 50 tag probabilities of the mean embedding: computable from the stored mean alone (unlike the mean
    of the patches' tags), so a head reading them still re-scores stored analyses."""
    k, b = msd_tag_layer()
    return 1 / (1 + np.exp(-(m.astype(np.float64) @ k + b)))


def features(d: dict, name: str) -> np.ndarray:
    return np.concatenate(blocks(d, name), axis=1)


def blocks(d: dict, name: str) -> list[np.ndarray]:
    parts = {"E": lambda: d["E"], "M": lambda: d["M"], "G": lambda: d["L"][:, GENRE_CLASSES], "L": lambda: d["L"],
             "T": lambda: mean_tags(d["M"])}
    return [parts[c]() for c in name]


# scaling "l2": each block (backbone output) to unit length, then x 10 (the scale its C grid was searched at),
# instead of standardising every column: concatenated backbones' embeddings differ ~6x in norm, and per-column
# standardisation blows up low-variance, noisy columns
L2_GAIN = 10.0


def scaled(d: dict, name: str, scaling: str) -> np.ndarray:
    if scaling == "standard":
        return features(d, name)
    if scaling == "l2":
        return np.concatenate([x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12) for x in blocks(d, name)], axis=1)
    raise ValueError(scaling)


class FixedScaler:
    """x * L2_GAIN for every column (after the per-block unit length): the scaler of scaling "l2"."""

    def fit(self, X):
        self.mean_, self.scale_ = np.zeros(X.shape[1]), np.full(X.shape[1], 1 / L2_GAIN)
        return self

    def transform(self, X):
        return (X - self.mean_) / self.scale_


def make_scaler(scaling: str):
    return StandardScaler() if scaling == "standard" else FixedScaler()


def make_model(kind: str, c: float):
    if kind == "lr":
        return LogisticRegression(C=c, max_iter=500, tol=1e-3, class_weight="balanced")
    if kind == "svm":
        return SVC(C=c, kernel="rbf", gamma="scale", probability=True, class_weight="balanced", random_state=0)
    raise ValueError(kind)


def fit_predict(X: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, kind: str, c: float) -> np.ndarray:
    """Probabilities over all 11 genres for the test rows (columns in HEAD_GENRES order)."""
    scaler = StandardScaler().fit(X[train])
    model = make_model(kind, c).fit(scaler.transform(X[train]), y[train])
    out = np.zeros((len(test), len(HEAD_GENRES)))
    out[:, model.classes_] = model.predict_proba(scaler.transform(X[test]))
    return out


def restricted_accuracy(probs: np.ndarray, d: dict, rows: np.ndarray) -> dict[str, float]:
    res = {}
    for s, labels in SET_LABELS.items():
        idx = [i for i, r in enumerate(rows) if d["set"][r] == s]
        if not idx:
            continue
        cols = [HEAD_GENRES.index(l) for l in labels]
        pred = np.array(cols)[np.argmax(probs[idx][:, cols], axis=1)]
        res[s] = float(np.mean(pred == d["y"][rows[idx]]))
    return res


def strata(d: dict) -> np.ndarray:
    return np.array([f"{s}:{l}" for s, l in zip(d["set"], d["label"])])


def oof(d: dict, X: np.ndarray, kind: str, c: float, seed: int) -> np.ndarray:
    probs = np.zeros((len(d["y"]), len(HEAD_GENRES)))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, strata(d)):
        probs[test] = fit_predict(X, d["y"], train, test, kind, c)
    return probs


CANDIDATES = [("E", "lr", 0.1), ("M", "lr", 0.1)] + [("EM", "lr", c) for c in (0.03, 0.1, 0.3)] + \
             [("EMG", "lr", c) for c in (0.1, 0.3)] + [(f, "svm", 3.0) for f in ("EM", "EMG")]


def cmd_cv(d: dict, repeats: int) -> None:
    print(f"{len(d['files'])} recordings; features sha256 {d['sha256'][:16]}")
    rows = np.arange(len(d["y"]))
    for feat, kind, c in CANDIDATES:
        X = features(d, feat)
        accs = [restricted_accuracy(oof(d, X, kind, c, seed), d, rows) for seed in range(repeats)]
        g = [a["gtzan"] for a in accs]
        e = [a["emotify"] for a in accs]
        print(f"{feat:4s} {kind:3s} C={c:<5} GTZAN-10 {100 * np.mean(g):5.1f} ± {100 * np.std(g):3.1f}   "
              f"Emotify-4 {100 * np.mean(e):5.1f} ± {100 * np.std(e):3.1f}", flush=True)


def cmd_nested(d: dict, repeats: int) -> None:
    """Outer 5-fold by recording; an inner 4-fold inside each outer training split picks the candidate with
    the best mean of (GTZAN, Emotify) restricted accuracy; the outer test split scores the pick."""
    rows_all = np.arange(len(d["y"]))
    st = strata(d)
    Xs = {f: features(d, f) for f in {c[0] for c in CANDIDATES}}
    scores, picks = [], []
    for seed in range(repeats):
        probs = np.zeros((len(d["y"]), len(HEAD_GENRES)))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=100 + seed).split(rows_all, st):
            best, best_score = None, -1.0
            for feat, kind, c in CANDIDATES:
                inner = np.zeros((len(train), len(HEAD_GENRES)))
                for itr, ite in StratifiedKFold(4, shuffle=True, random_state=seed).split(train, st[train]):
                    inner[ite] = fit_predict(Xs[feat], d["y"], train[itr], train[ite], kind, c)
                a = restricted_accuracy(inner, d, train)
                score = (a["gtzan"] + a["emotify"]) / 2
                if score > best_score:
                    best, best_score = (feat, kind, c), score
            picks.append(best)
            probs[test] = fit_predict(Xs[best[0]], d["y"], train, test, best[1], best[2])
        a = restricted_accuracy(probs, d, rows_all)
        scores.append(a)
        print(f"repeat {seed}: GTZAN-10 {100 * a['gtzan']:.1f}  Emotify-4 {100 * a['emotify']:.1f}", flush=True)
    g = [s["gtzan"] for s in scores]
    e = [s["emotify"] for s in scores]
    print(f"nested CV ({repeats} repeats): GTZAN-10 {100 * np.mean(g):.1f} ± {100 * np.std(g):.1f}  "
          f"Emotify-4 {100 * np.mean(e):.1f} ± {100 * np.std(e):.1f}")
    from collections import Counter
    print("picks:", Counter(picks).most_common())


VOCABULARY_TS = Path(__file__).resolve().parents[2] / "electron" / "shared" / "genre-vocabulary.ts"


def read_vocabulary() -> list[dict]:
    """(id, kind, parent, AudioSet classes) of every vocabulary entry, read from the TypeScript data file."""
    import re

    out = []
    pat = re.compile(r"^\s*([gsr])\('([^']+)', (?:'([^']*)'|\"([^\"]*)\"), (?:'([^']+)', )?\[([0-9, ]+)\]")
    for line in VOCABULARY_TS.read_text(encoding="utf-8").splitlines():
        m = pat.match(line)
        if m:
            kind = {"g": "genre", "s": "style", "r": "role"}[m.group(1)]
            out.append({"id": m.group(2), "kind": kind, "parent": m.group(5) if kind == "style" else None,
                        "classes": [int(x) for x in m.group(6).split(",")]})
    if len(out) < 50:
        raise SystemExit(f"{VOCABULARY_TS}: read only {len(out)} entries")
    return out


# which dev labels are positives for an entry: its own id, and for a genre, every label filed under it
DEV_LABEL_OF = {"hiphop": "hip-hop", "drum_bass": "drum-and-bass", "dubstep": "dubstep", "house": "house",
                "trapedm": "edm"}


def dev_positive(entry: dict, vocab: dict, raw_label: str) -> bool:
    lab = DEV_LABEL_OF.get(raw_label, raw_label)
    while lab is not None:
        if lab == entry["id"]:
            return True
        lab = vocab[lab]["parent"] if lab in vocab else None
    return False


def platt(scores: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """p = sigmoid(a * logit + b), fitted by (nearly unregularised) logistic regression."""
    m = LogisticRegression(C=100.0, max_iter=1000).fit(scores[:, None], target)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def auc(scores: np.ndarray, target: np.ndarray) -> float:
    pos, neg = scores[target == 1], scores[target == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def cmd_calibrate(d: dict, repeats: int, quiet: bool = False) -> dict:
    """AudioSet genre outputs on the dev data: per entry, the mean window logit of its class(es) (max over
    classes) against 'the recording is labelled this or a style under it'. Entries with at least 8 dev
    positives get their own Platt scaling (fitted out of fold to report it honestly, then on everything);
    the others get one shared scaling fitted on all labelled entries pooled. Prints per entry: positives,
    AUC, precision and recall at p >= 0.5, and how often it fires (p >= 0.5) on dev recordings that are
    not labelled with it (a false-alarm proxy for entries without dev labels)."""
    vocab_list = read_vocabulary()
    vocab = {e["id"]: e for e in vocab_list}
    raw_labels = [str(x) for x in d["raw_label"]]
    scores = {e["id"]: d["L"][:, e["classes"]].max(axis=1) for e in vocab_list}
    targets = {e["id"]: np.array([dev_positive(e, vocab, l) for l in raw_labels], dtype=int) for e in vocab_list}
    labelled = [e["id"] for e in vocab_list if targets[e["id"]].sum() >= 8]
    pooled_s = np.concatenate([scores[i] for i in labelled])
    pooled_t = np.concatenate([targets[i] for i in labelled])
    shared = platt(pooled_s, pooled_t)
    out = {"shared": {"a": shared[0], "b": shared[1], "fittedOn": labelled}, "entries": []}
    if not quiet:
        print(f"shared Platt scaling over {len(labelled)} labelled entries: a={shared[0]:.3f} b={shared[1]:.3f}")
        print(f"{'entry':18s} {'pos':>4s} {'AUC':>5s} {'scaling':8s} {'prec@.5':>7s} {'rec@.5':>6s} {'fires@.5':>8s}")
    for e in vocab_list:
        i = e["id"]
        s_, t_ = scores[i], targets[i]
        if i in labelled:
            # out-of-fold calibrated probabilities for the report
            p_oof = np.zeros(len(s_))
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(s_, t_):
                a, b = platt(s_[tr], t_[tr])
                p_oof[te] = 1 / (1 + np.exp(-(a * s_[te] + b)))
            a, b = platt(s_, t_)
            how = "own"
        else:
            a, b = shared
            p_oof = 1 / (1 + np.exp(-(a * s_ + b)))
            how = "shared"
        hit = p_oof >= 0.5
        prec = float(t_[hit].mean()) if hit.any() else float("nan")
        rec = float(hit[t_ == 1].mean()) if t_.any() else float("nan")
        fires = float(hit[t_ == 0].mean())
        out["entries"].append({"id": i, "classes": e["classes"], "a": round(a, 5), "b": round(b, 5), "scaling": how,
                               "devPositives": int(t_.sum()), "auc": auc(s_, t_), "precisionAt05": prec,
                               "recallAt05": rec, "firesOnOthersAt05": fires})
        if not quiet:
            print(f"{i:18s} {int(t_.sum()):4d} {auc(s_, t_):5.2f} {how:8s} {prec:7.2f} {rec:6.2f} {100 * fires:7.1f}%")
    return out


# Video Game Music: a logistic regression on the track's mean EfficientAT embedding, fitted with game music as
# positives and the dev recordings (songs, none a soundtrack) as negatives. Chosen by leave-one-game-out (`roles`):
# at 5 % false alarms on dev songs it finds 87 % of the tracks of unseen games, the "Video game music" logit alone 55 %.
VGM_C = 0.1


def load_games(path: Path) -> dict:
    """Per track of the game-music folder: mean embedding, mean logits, game (the manifest's label)."""
    z = np.load(path)
    files = list(dict.fromkeys(z["path"].tolist()))
    rows = [z["path"] == f for f in files]
    return {"files": files, "E": np.array([z["embedding"][r].mean(0) for r in rows]),
            "L": np.array([z["logits"][r].mean(0) for r in rows]), "game": np.array([str(z["label"][r][0]) for r in rows])}


def vgm_model(X: np.ndarray, y: np.ndarray, c: float):
    scaler = StandardScaler().fit(X)
    m = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(scaler.transform(X), y)
    return lambda Z: m.decision_function(scaler.transform(Z)), scaler, m


ROLE_CANDIDATES = {
    # name: (features of a track from (E, L), C)
    "'Video game music' logit, Platt": (lambda E, L: L[:, [272]], 100.0),
    "'Soundtrack music' logit, Platt": (lambda E, L: L[:, [270]], 100.0),
    "4 role logits (267 268 270 272)": (lambda E, L: L[:, [267, 268, 270, 272]], 1.0),
    "527 AudioSet logits, C 0.1": (lambda E, L: L, 0.1),
    "384-d embedding, C 0.1 (shipped)": (lambda E, L: E, VGM_C),
    "384-d embedding, C 1": (lambda E, L: E, 1.0),
}


def roles_oof(d: dict, g: dict, feat, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Leave one game out: each game's tracks scored by a model that never heard that game; the dev recordings in
    5 folds (one fold held out with each game, so every dev recording is scored by models that did not see it)."""
    games = list(dict.fromkeys(g["game"]))
    Xg, Xd = feat(g["E"], g["L"]), feat(d["E"], d["L"])
    fold = np.zeros(len(Xd), dtype=int)
    for k, (_, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(Xd, strata(d))):
        fold[te] = k
    zg, zd, nd = np.zeros(len(Xg)), np.zeros(len(Xd)), np.zeros(len(Xd))
    for gi, game in enumerate(games):
        held, k = g["game"] == game, gi % 5
        X = np.concatenate([Xg[~held], Xd[fold != k]])
        y = np.r_[np.ones((~held).sum()), np.zeros((fold != k).sum())]
        f, _, _ = vgm_model(X, y, c)
        zg[held] = f(Xg[held])
        zd[fold == k] += f(Xd[fold == k])
        nd[fold == k] += 1
    return zg, zd / np.maximum(nd, 1)


def cmd_roles(d: dict, g: dict) -> None:
    games = list(dict.fromkeys(g["game"]))
    print(f"{len(g['files'])} game tracks of {len(games)} games; {len(d['files'])} dev recordings (negatives)")
    sets = [("gtzan", d["set"] == "gtzan"), ("emotify", d["set"] == "emotify"), ("misc", d["set"] == "misc")]
    for name, (feat, c) in ROLE_CANDIDATES.items():
        zg, zd = roles_oof(d, g, feat, c)
        rec = {gm: float((zg[g["game"] == gm] >= 0).mean()) for gm in games}
        fa = {s: float((zd[m] >= 0).mean()) for s, m in sets}
        at = []
        for share in (0.02, 0.05, 0.10):
            th = np.quantile(zd, 1 - share)
            at.append(f"{100 * share:.0f}%: {100 * np.mean(zg > th):.0f}")
        print(f"\n{name}: at p 0.5 tracks {100 * np.mean(zg >= 0):.0f} %, games' mean {100 * np.mean(list(rec.values())):.0f} %, "
              f"worst game {100 * min(rec.values()):.0f} %; dev songs fired on {100 * np.mean(zd >= 0):.1f} % "
              f"({', '.join(f'{s} {100 * v:.1f} %' for s, v in fa.items())}); "
              f"tracks found at dev false alarms {', '.join(at)}")
        print("  " + "  ".join(f"{gm} {100 * r:.0f}" for gm, r in rec.items()))
        fired = [f"{d['files'][i]}" for i in np.where(zd >= 0)[0] if d["set"][i] == "misc"]
        if fired:
            print("  misc fired on: " + ", ".join(fired))


def vgm_entry(d: dict, g: dict) -> dict:
    """The Video Game Music model for head.json: the scaler folded into the weights, p = sigmoid(w · e + bias)."""
    X = np.concatenate([g["E"], d["E"]])
    y = np.r_[np.ones(len(g["E"])), np.zeros(len(d["E"]))]
    _, scaler, m = vgm_model(X, y, VGM_C)
    w = m.coef_[0] / scaler.scale_
    bias = float(m.intercept_[0] - np.dot(w, scaler.mean_))
    return {"input": "embedding", "weights": [round(float(v), 6) for v in w], "bias": round(bias, 6),
            "fittedOn": {"gameTracks": int(len(g["E"])), "games": sorted(set(g["game"].tolist())),
                         "devRecordings": int(len(d["E"])), "C": VGM_C, "classWeight": "balanced"}}


def set_roles(entries: list[dict], d: dict, g: dict) -> None:
    """Video Game Music becomes the embedding model; Soundtrack includes it."""
    for e in entries:
        if e["id"] == "video-game":
            e["scaling"] = "linear"
            e["linear"] = vgm_entry(d, g)
        if e["id"] == "soundtrack":
            # a game score is a soundtrack: what the game-music model hears counts for Soundtrack too (its own
            # "Soundtrack music" logit separates game music from songs poorly, see `roles`)
            e["includes"] = ["video-game"]


def cmd_export_roles(d: dict, g: dict, out: Path) -> None:
    """Writes the roles (set_roles) into an existing head file and changes nothing else in it: the head's softmax
    part and the other AudioSet entries stay byte for byte what `export` wrote (features recomputed on another
    machine differ in the last bits, and a re-export would move the head for no measured reason)."""
    head = json.loads(out.read_text())
    set_roles(head["audioset"]["entries"], d, g)
    sha = lambda *arrays: hashlib.sha256(b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in arrays)).hexdigest()
    # what the Video Game Music model was fitted on: mean EfficientAT embeddings and logits of both sets
    head["audioset"]["roles"] = {"devFeaturesSha256": sha(d["E"], d["L"]), "gameTracks": len(g["files"]),
                                 "gameFeaturesSha256": sha(g["E"], g["L"])}
    out.write_text(json.dumps(head, separators=(",", ":")) + "\n")
    print(f"wrote the roles into {out} ({out.stat().st_size} bytes)")


# AudioSet's "Music" class. The AudioSet entries were calibrated on music (and Video Game Music's embedding model
# fitted on music only): audio that EfficientAT does not hear as music at all lies outside what they were fitted on
# and must not get a genre from them. Measured with the app (`spectag predict`, mean logit of class 137): pink, white
# and brown noise -3.8 / -4.1 / -3.7, a sine tone -4.6, all of which the game-music model called Video Game Music at
# 0.83-1.00; the dev recordings' 1st percentile -0.06 and the game tracks' -0.65. The gate sits in that gap.
MUSIC_CLASS, MUSIC_MIN_LOGIT = 137, -2.5


def cmd_music_gate(d: dict, g: dict, out: Path) -> None:
    """Writes the music gate into an existing head file (nothing else changes) and prints what it leaves out."""
    head = json.loads(out.read_text())
    for name, L, files in (("dev recordings", d["L"], d["files"]), ("game tracks", g["L"], g["files"])):
        v = L[:, MUSIC_CLASS]
        below = [f"{files[i]} {v[i]:.2f}" for i in np.where(v < MUSIC_MIN_LOGIT)[0]]
        print(f"{name}: music logit 1st percentile {np.percentile(v, 1):.2f}, median {np.median(v):.2f}; "
              f"{len(below)} of {len(v)} below {MUSIC_MIN_LOGIT}: {', '.join(below) or '-'}")
    head["audioset"]["music"] = {"class": MUSIC_CLASS, "minLogit": MUSIC_MIN_LOGIT}
    out.write_text(json.dumps(head, separators=(",", ":")) + "\n")
    print(f"wrote the music gate into {out}")


def oof_logits(d: dict, X: np.ndarray, c: float, seed: int, scaling: str = "standard") -> np.ndarray:
    """Out-of-fold decision values (11 genres) of the linear head, for temperature and thresholds."""
    z = np.full((len(d["y"]), len(HEAD_GENRES)), -30.0)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, strata(d)):
        scaler = make_scaler(scaling).fit(X[train])
        m = make_model("lr", c).fit(scaler.transform(X[train]), d["y"][train])
        z[np.ix_(test, m.classes_)] = m.decision_function(scaler.transform(X[test]))
    return z


def softmax(z: np.ndarray, t: float) -> np.ndarray:
    e = np.exp((z - z.max(axis=1, keepdims=True)) / t)
    return e / e.sum(axis=1, keepdims=True)


def subset(d: dict, keep: set[str]) -> dict:
    """The recordings whose dataset paths are in keep (a held-out head: eval-personal-heldout-2.sh)."""
    unknown = keep - set(d["files"])
    if unknown:
        raise SystemExit(f"{len(unknown)} files have no features, e.g. {sorted(unknown)[0]}")
    rows = np.array([f in keep for f in d["files"]])
    return {k: ([f for f, r in zip(v, rows) if r] if k == "files" else v if k == "sha256" else v[rows]) for k, v in d.items()}


def cmd_export(d: dict, repeats: int, feat: str, c: float, out: Path, games: dict | None = None, scaling: str = "standard",
               audioset_from: Path | None = None, golden: Path | None = None) -> None:
    """Fits the linear head on every dev recording and writes it with its temperature (fitted on out-of-fold
    decision values, full 11-genre softmax NLL), its unsure threshold (from the out-of-fold reliability table)
    and the AudioSet calibration of the vocabulary (or that of audioset_from, a head file whose calibration is
    kept as it is). golden: probe inputs and this script's probabilities for them, for the TypeScript parity test."""
    X = scaled(d, feat, scaling)
    zs = [oof_logits(d, X, c, seed, scaling) for seed in range(repeats)]
    z, y = np.concatenate(zs), np.tile(d["y"], repeats)
    temps = np.arange(0.3, 3.01, 0.05)
    nll = [-np.mean(np.log(softmax(z, t)[np.arange(len(y)), y] + 1e-12)) for t in temps]
    t_best = float(temps[int(np.argmin(nll))])
    p = softmax(z, t_best)
    best, pred = p.max(axis=1), p.argmax(axis=1)
    table = []
    for th in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        sel = best >= th
        table.append({"threshold": th, "share": float(sel.mean()), "accuracy": float((pred[sel] == y[sel]).mean()) if sel.any() else None})
    # unsure below the lowest threshold whose confident tracks are right at least 85 % of the time (strict
    # 11-genre top-1, out of fold)
    confident = next((r["threshold"] for r in table if r["accuracy"] is not None and r["accuracy"] >= 0.85), 0.9)
    scaler = make_scaler(scaling).fit(X)
    model = make_model("lr", c).fit(scaler.transform(X), d["y"])
    assert list(model.classes_) == list(range(len(HEAD_GENRES)))
    if audioset_from:
        audioset = json.loads(audioset_from.read_text())["audioset"]
    else:
        calib = cmd_calibrate(d, repeats, quiet=True)
        entries = [{k: e[k] for k in ("id", "classes", "a", "b", "scaling")} for e in calib["entries"]]
        if games is not None:
            set_roles(entries, d, games)
        audioset = {"backbone": "efficientat-mn04", "output": "logits", "pooling": "mean",
                    "score": "max over the entry's classes of the mean window logit; p = sigmoid(a * score + b)",
                    "suggestThreshold": 0.5, "shared": calib["shared"], "entries": entries}
    widths = {"E": ("efficientat-mn04", "embedding", 384), "M": ("musicnn-msd", "embedding", 200),
              "G": ("efficientat-mn04", "logits", len(GENRE_CLASSES)), "L": ("efficientat-mn04", "logits", 527),
              "T": ("musicnn-msd", "embedding", 200)}

    def input_of(ch: str) -> dict:
        spec = {"backbone": widths[ch][0], "output": widths[ch][1], "width": widths[ch][2], "pooling": "mean"}
        if ch == "G":
            spec["classes"] = GENRE_CLASSES
        if ch == "T":
            k, b = msd_tag_layer()
            # float32 as in the model file: the head then computes what musicnn's tag layer computes
            f32 = lambda v: float(np.format_float_scientific(np.float32(v), unique=True))  # shortest exact float32
            spec["layer"] = {"kernel": [[f32(v) for v in row] for row in k], "bias": [f32(v) for v in b],
                             "activation": "sigmoid"}
        if scaling == "l2":
            spec["normalise"] = "l2"
        return spec
    head = {
        "format": "spectag-genre-head", "formatVersion": 3, "id": "spectag-genre", "version": "2",
        "genres": HEAD_GENRES,
        "inputs": [input_of(ch) for ch in feat],
        "scaler": {"mean": [round(float(v), 6) for v in scaler.mean_], "scale": [round(float(v), 6) for v in scaler.scale_]},
        "kernel": [[round(float(v), 6) for v in row] for row in model.coef_.T],
        "bias": [round(float(v), 6) for v in model.intercept_],
        "temperature": round(t_best, 3), "confidentThreshold": confident, "suggestThreshold": 0.25,
        # the app hears musicnn's patch at the centre of each of its three 10 s excerpts (what version 1 stored)
        "patchesPerTrack": 3,
        "reliability": table,
        "audioset": audioset,
        "training": {"features": feat, "scaling": scaling, "model": "multinomial logistic regression, class_weight balanced", "C": c,
                     "recordings": len(d["y"]), "featuresSha256": d["sha256"]},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(head, separators=(",", ":")) + "\n")
    print(f"temperature {t_best:.2f}; unsure below {confident}; reliability {json.dumps(table)}")
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    if golden:
        write_golden(golden, head, d, feat, scaling, scaler, model, t_best)


def write_golden(path: Path, head: dict, d: dict, feat: str, scaling: str, scaler, model, temperature: float) -> None:
    """Probe mean embeddings (synthetic: Gaussian around the dev means, ReLU for musicnn's) and this script's head
    probabilities for them (the fitted sklearn model, softmax with the temperature), so that the TypeScript head
    is checked against the very model that was exported."""
    rng = np.random.default_rng(0)
    probes = []
    for _ in range(8):
        e = d["E"].mean(0) + rng.normal(size=d["E"].shape[1]) * d["E"].std(0)
        m = np.maximum(0, d["M"].mean(0) + rng.normal(size=d["M"].shape[1]) * d["M"].std(0))
        probes.append((e.astype(np.float32), m.astype(np.float32)))
    pd = {"E": np.array([p[0] for p in probes], dtype=np.float64), "M": np.array([p[1] for p in probes], dtype=np.float64)}
    X = scaled(pd, feat, scaling)
    z = model.decision_function(scaler.transform(X))
    p = softmax(z, temperature)
    path.write_text(json.dumps({
        "head": f"{head['id']}@{head['version']}", "genres": HEAD_GENRES,
        "probes": [{"efficientat-mn04": pr[0].tolist(), "musicnn-msd": pr[1].tolist(),
                    "probabilities": [round(float(v), 6) for v in row]} for pr, row in zip(probes, p)],
    }) + "\n")
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["cv", "nested", "calibrate", "roles", "export", "export-roles", "music-gate"])
    ap.add_argument("--eat", type=Path, required=True)
    ap.add_argument("--musicnn", type=Path, nargs="*", default=[], help="musicnn npz parts (calibrate needs none)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--features", default="EMT", help="export: feature set (E mn04 embedding, M musicnn, T musicnn's tags "
                    "of the mean embedding, G AudioSet genre logits)")
    ap.add_argument("--C", type=float, default=1.0, help="export: inverse L2 strength")
    ap.add_argument("--games", type=Path, help="roles, export: EfficientAT features of game_music.py's folder")
    ap.add_argument("--out", type=Path, default=Path("native-models/genre-head-2/head.json"))
    ap.add_argument("--scaling", choices=["standard", "l2"], default="l2",
                    help="export: standardise every column, or each block to unit length (x 10)")
    ap.add_argument("--audioset-from", type=Path, help="export: keep the AudioSet calibration of this head file")
    ap.add_argument("--golden", type=Path, help="export: write probe inputs and their probabilities here (parity test)")
    ap.add_argument("--train-files", type=Path, help="export: only these dataset paths (a JSON list), a held-out head")
    args = ap.parse_args()
    d = load(args.eat, args.musicnn)
    if args.train_files:
        if args.command != "export" or args.out.resolve() == Path("native-models/genre-head-2/head.json").resolve():
            raise SystemExit("--train-files makes a held-out head: export only, with its own --out")
        d = subset(d, set(json.loads(args.train_files.read_text())))
    games = load_games(args.games) if args.games else None
    if args.command in ("roles", "export-roles", "music-gate") and games is None:
        raise SystemExit(f"{args.command} needs --games")
    if args.command == "roles":
        return cmd_roles(d, games)
    if args.command == "export-roles":
        return cmd_export_roles(d, games, args.out)
    if args.command == "music-gate":
        return cmd_music_gate(d, games, args.out)
    if args.command == "export":
        return cmd_export(d, args.repeats, args.features, args.C, args.out, games, args.scaling, args.audioset_from, args.golden)
    {"cv": cmd_cv, "nested": cmd_nested, "calibrate": cmd_calibrate}[args.command](d, args.repeats)


if __name__ == "__main__":
    main()
