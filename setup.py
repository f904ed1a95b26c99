"""Build hook: ship the pages with the package.

`templates/` and `static/` sit at the repository root (DESIGN.md) and stay there; a built wheel carries copies
inside the package as talent/templates and talent/static (where talent.app and talent.documents look when they
do not run from a checkout), and the translation catalogues compiled to .mo. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED_TREES = ("templates", "static")


class build_py_with_pages(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        package = Path(self.build_lib) / "talent"
        for name in SHIPPED_TREES:
            target = package / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        self._compile_catalogues(package / "translations")

    @staticmethod
    def _compile_catalogues(translations: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in sorted(translations.glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as handle:
                catalogue = read_po(handle, locale=po_path.parent.parent.name, domain=po_path.stem)
            with po_path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalogue)


setup(cmdclass={"build_py": build_py_with_pages})
