#!/usr/bin/env python3
"""Labelled game music for calibrating the vocabulary's roles (Soundtrack, Video Game Music) on real game scores:
the music of free games packaged by Debian, downloaded by pinned package version, extracted outside the
repository, and laid out as a labelled folder (manifest.csv: file, label, set) that listening-plans.ts and
efficientat_features.py read like ../shared/datasets/labelled-music.

    python3 native-models/tools/game_music.py /work/gamemusic      # needs apt-get download, dpkg-deb, unzip, ffmpeg
    node .build/native-models/tools/listening-plans.js /work/gamemusic/set > /tmp/game-plans.jsonl

Every row's label is the game (leave-one-game-out evaluation groups by it), set "gamemusic". Only music is kept:
the games' music folders (never their sound-effect folders), tracks of at least MIN_SEC (win/lose stings and
jingles are not what a person tags), at most CAP per game (evenly spaced over the sorted list) so that one game's
sound does not dominate a fit. Nothing here is committed: the audio stays in the output folder.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

CAP = 25
MIN_SEC = 30.0

# game: (package, version, where its music lies inside the package (a folder, or "<pk3>!<folder>"), style note)
GAMES = {
    "wesnoth": ("wesnoth-1.16-music", "1:1.16.9-1", "usr/share/games/wesnoth/1.16/data/core/music", "orchestral fantasy score"),
    "flare": ("flare-game", "1.14-1", "usr/share/games/flare/mods/fantasycore/music", "orchestral fantasy RPG"),
    "ufoai": ("ufoai-music", "2.5-2", "usr/share/games/ufoai/base/0music.pk3!music", "orchestral / electronic strategy"),
    "nexuiz": ("nexuiz-music", "2.5.2-12", "usr/share/games/nexuiz/data/music.pk3!sound/cdtracks", "electronic / rock / metal shooter"),
    "warzone2100": ("warzone2100-music", "4.3.3-3", "usr/share/games/warzone2100/music", "electronic / orchestral strategy"),
    "hyperrogue": ("hyperrogue-music", "12.0q-1", "usr/share/hyperrogue/music", "ambient / various"),
    "singularity": ("singularity-music", "007-2", "usr/share/games/singularity/music", "ambient electronic"),
    "planetblupi": ("planetblupi-music-ogg", "1.14.2-3", "usr/share/planetblupi/music", "children's game"),
    "supertux": ("supertux-data", "0.6.3-2", "usr/share/games/supertux2/music", "platformer, chiptune-like and orchestral"),
    "extremetuxracer": ("extremetuxracer-data", "0.8.2-1", "usr/share/games/etr/music", "arcade racing, pop / rock"),
    "drascula": ("drascula-music", "1.0+ds4-2", "usr/share/scummvm/drascula/audio", "adventure game"),
    "hedgewars": ("hedgewars-data", "1.0.2-6", "usr/share/games/hedgewars/Data/Music", "party game, themed (pirate, oriental, rock...)"),
    "lincity-ng": ("lincity-ng-data", "2.9~git20150314-5", "usr/share/games/lincity-ng/music/default", "city builder (ambient, blues)"),
    "asc": ("asc-music", "1.3-6", "usr/share/games/asc/music", "strategy, rock"),
}
AUDIO = re.compile(r"\.(ogg|mp3|flac|wav|opus)$", re.I)


def run(*cmd: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)


def duration(ffmpeg: str, path: Path) -> float | None:
    err = subprocess.run([ffmpeg, "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, text=True).stderr
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", err)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None


def evenly(items: list, n: int) -> list:
    if len(items) <= n:
        return items
    return [items[(i * len(items)) // n] for i in range(n)]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/gamemusic").resolve()
    ffmpeg = sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).resolve().parents[2] / "node_modules/@ffmpeg-installer/linux-x64/ffmpeg")
    debs, extracted, dataset = out / "debs", out / "x", out / "set"
    debs.mkdir(parents=True, exist_ok=True)
    if dataset.exists():
        shutil.rmtree(dataset)
    rows = ["file,label,set,source"]
    for game, (pkg, version, where, _note) in GAMES.items():
        deb = next(debs.glob(f"{pkg}_*.deb"), None)
        if deb is None:
            run("apt-get", "download", f"{pkg}={version}", cwd=debs)
            deb = next(debs.glob(f"{pkg}_*.deb"))
        root = extracted / pkg
        if not root.exists():
            root.mkdir(parents=True)
            run("dpkg-deb", "-x", str(deb), str(root))
        if "!" in where:
            pk3, folder = where.split("!")
            unpacked = root / (pk3 + ".d")
            if not unpacked.exists():
                with zipfile.ZipFile(root / pk3) as z:
                    z.extractall(unpacked)
            src = unpacked / folder
        else:
            src = root / where
        files = sorted(p for p in src.rglob("*") if p.is_file() and AUDIO.search(p.name))
        long_enough = [p for p in files if (duration(ffmpeg, p) or 0) >= MIN_SEC]
        chosen = evenly(long_enough, CAP)
        (dataset / game).mkdir(parents=True)
        for i, p in enumerate(chosen):
            name = f"{i:02d}-" + re.sub(r"[^A-Za-z0-9._-]+", "_", p.name)
            shutil.copyfile(p, dataset / game / name)
            rows.append(f"{game}/{name},{game},gamemusic,{pkg}={version}:{p.relative_to(root)}".replace("\n", ""))
        print(f"{game:16s} {pkg}={version}: {len(files)} audio files, {len(long_enough)} >= {MIN_SEC:.0f} s, kept {len(chosen)}")
    (dataset / "manifest.csv").write_text("\n".join(rows) + "\n")
    print(f"{len(rows) - 1} tracks -> {dataset}/manifest.csv")


if __name__ == "__main__":
    main()
