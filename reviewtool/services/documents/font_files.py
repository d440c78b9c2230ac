"""Where the documents look for font files, on Windows, Linux and macOS.

Three lists, best first, of files that may or may not exist:

- ``system_candidates``: a main Chinese font (宋体, 仿宋, 微软雅黑 …);
- ``extension_candidates``: fonts for the rare characters the main fonts
  lack — CJK Extension A/B and beyond (㠓 䶮 𠀀 𪚥 𡈼): SimSun-ExtB and
  MingLiU-ExtB on Windows, 花园明朝 (``fonts-hanazono``) on Debian;
- ``symbol_candidates``: a font for ☑ ☐ and Latin extensions.

``find_files`` walks each Linux font folder once (not once per name).
Noto CJK is not listed: its outlines are CFF, which reportlab cannot embed.

Thread-safety: pure functions; safe on any thread.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FontCandidate:
    path: Path
    subfont_index: int = 0


def _windows_folders() -> list[Path]:
    system = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    local = Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"
    return [system, local]


def _linux_roots() -> list[Path]:
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path.home() / ".local" / "share" / "fonts",
        Path.home() / ".fonts",
    ]


def find_files(names: list[str], roots: list[Path]) -> list[Path]:
    """Every file under ``roots`` whose name is in ``names``, ordered as ``names``."""
    wanted = {name.lower(): rank for rank, name in enumerate(names)}
    found: list[tuple[int, str, Path]] = []
    for root in roots:
        if not root.is_dir():
            continue
        for folder, _dirs, files in os.walk(root):
            for file in files:
                rank = wanted.get(file.lower())
                if rank is not None:
                    found.append((rank, str(Path(folder) / file), Path(folder) / file))
    return [path for _rank, _key, path in sorted(found)]


def _in_windows_folders(names: list[tuple[str, int]]) -> list[FontCandidate]:
    return [FontCandidate(folder / name, index) for folder in _windows_folders() for name, index in names]


_WINDOWS_MAIN = [
    ("simsun.ttc", 0),  # 宋体
    ("simsun.ttf", 0),
    ("simfang.ttf", 0),  # 仿宋
    ("msyh.ttc", 0),  # 微软雅黑
    ("msyh.ttf", 0),
    ("simhei.ttf", 0),  # 黑体
    ("simkai.ttf", 0),  # 楷体
]
_LINUX_MAIN = [
    "wqy-microhei.ttc",  # 文泉驿微米黑
    "wqy-zenhei.ttc",  # 文泉驿正黑
    "uming.ttc",  # AR PL UMing
    "ukai.ttc",  # AR PL UKai
    "gkai00mp.ttf",  # AR PL KaitiM GB
    "gbsn00lp.ttf",  # AR PL SungtiL GB
    "DroidSansFallbackFull.ttf",
]
_MAC_MAIN = [
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/Library/Fonts/Songti.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
]

_WINDOWS_EXTENSION = [
    ("simsunb.ttf", 0),  # SimSun-ExtB
    ("SimSunExtG.ttf", 0),  # SimSun-ExtG (Windows 11)
    ("mingliub.ttc", 0),  # MingLiU-ExtB
    ("mingliub.ttc", 1),  # PMingLiU-ExtB
    ("msjh.ttc", 0),  # 微軟正黑體 (some Ext-A)
]
_LINUX_EXTENSION = [
    "HanaMinA.ttf",  # 花园明朝 A: BMP and Extension A
    "HanaMinB.ttf",  # 花园明朝 B: Extensions B–F
    "HanaMinExA1.ttf",
    "HanaMinExB.ttf",
]
_MAC_EXTENSION = [
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/Library/Fonts/SimSun-ExtB.ttf",
]


def system_candidates(platform: str | None = None) -> list[FontCandidate]:
    """Main Chinese font files worth trying on this system, best first (existing or not)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return _in_windows_folders(_WINDOWS_MAIN)
    if platform == "darwin":
        return [FontCandidate(Path(p)) for p in _MAC_MAIN]
    return [FontCandidate(p) for p in find_files(_LINUX_MAIN, _linux_roots())]


def extension_candidates(platform: str | None = None) -> list[FontCandidate]:
    """Font files for CJK Extension A/B/… characters, best first."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return _in_windows_folders(_WINDOWS_EXTENSION)
    if platform == "darwin":
        return [FontCandidate(Path(p)) for p in _MAC_EXTENSION]
    return [FontCandidate(p) for p in find_files(_LINUX_EXTENSION, _linux_roots())]


def symbol_candidates(platform: str | None = None) -> list[FontCandidate]:
    """Fonts for ☑ ☐ and Latin extensions."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return _in_windows_folders([("seguisym.ttf", 0), ("segoeui.ttf", 0), ("arial.ttf", 0)])
    if platform == "darwin":
        return [FontCandidate(Path("/System/Library/Fonts/Supplemental/Arial Unicode.ttf"))]
    return [FontCandidate(p) for p in find_files(["DejaVuSans.ttf"], _linux_roots())]
