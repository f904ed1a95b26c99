"""Developer tool: merge English translations into a catalogue.

    python scripts/i18n_merge.py DOMAIN translations.json [SOURCE_PATHS...]

Extracts the Chinese message ids found under SOURCE_PATHS (prefixes; default the whole project), keeps every translation the
catalogue talent/translations/en/LC_MESSAGES/DOMAIN.po already has, adds those from the JSON mapping
{"中文": "English"}, writes the catalogue back and lists ids that still lack an English text.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    domain, mapping_path, *sources = sys.argv[1:]
    mapping = json.loads(Path(mapping_path).read_text(encoding="utf-8")) if mapping_path != "-" else {}
    with tempfile.NamedTemporaryFile(suffix=".pot") as pot:
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
             "-k", "_l", "-k", "lazy_gettext", "--omit-header", "-o", pot.name, "."],
            cwd=ROOT, check=True, capture_output=True,
        )
        template = read_po(open(pot.name, "rb"))
    po_path = ROOT / "talent" / "translations" / "en" / "LC_MESSAGES" / f"{domain}.po"
    existing = read_po(po_path.open("rb")) if po_path.exists() else Catalog(locale="en")
    catalogue = Catalog(locale="en", domain=domain, project="talent", language_team="talent")
    missing = []
    for message in template:
        if not message.id:
            continue
        if sources and not any(path.startswith(tuple(sources)) for path, _line in message.locations):
            continue
        old = existing.get(message.id)
        text = mapping.get(message.id) or (old.string if old else "")
        catalogue.add(message.id, text, locations=message.locations)
        if not text:
            missing.append(message.id)
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("wb") as handle:
        write_po(handle, catalogue, width=0, omit_header=False)
    for item in missing:
        print(f"untranslated: {item}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
