"""Compile the project's translation catalogs (.po → .mo) in pure Python, with Babel.

Run as `python -m alliance.catalogs`; needs no GNU gettext and no database. Fuzzy entries are left out.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [ROOT / "locale", ROOT / "locale_vendor"]


def compile_all() -> int:
    count = 0
    for folder in FOLDERS:
        for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as source:
                catalog = read_po(source, abort_invalid=True)
            with mo_path.open("wb") as target:
                write_mo(target, catalog, use_fuzzy=False)
            count += 1
    return count


if __name__ == "__main__":
    compiled = compile_all()
    print(f"catalogs: {compiled} compiled", file=sys.stderr)
