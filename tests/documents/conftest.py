"""Fixtures that open real PDFs the way a reader would: poppler's pdffonts for fonts, pypdf for text and sizes."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

POINTS_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class EmbeddedFont:
    name: str
    embedded: bool


def fonts_of(pdf: bytes, tmp_path: Path) -> list[EmbeddedFont]:
    """The fonts listed by ``pdffonts`` (poppler-utils), with their "emb" column."""
    executable = shutil.which("pdffonts")
    assert executable, "pdffonts not found: install poppler-utils (apt-get install -y poppler-utils)"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    output = subprocess.run([executable, str(path)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in output.splitlines()[2:]:  # two header lines
        columns = line.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, generation
        fonts.append(EmbeddedFont(name=columns[0], embedded=columns[-5] == "yes"))
    return fonts


def assert_cjk_font_embedded(pdf: bytes, tmp_path: Path) -> None:
    fonts = fonts_of(pdf, tmp_path)
    cjk = [font for font in fonts if "WenQuanYi" in font.name or "CJK" in font.name]
    assert cjk, f"no CJK font in {fonts}"
    assert all(font.embedded for font in cjk), f"CJK font not embedded: {cjk}"


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (float(page.mediabox.width) / POINTS_PER_MM, float(page.mediabox.height) / POINTS_PER_MM)
        for page in PdfReader(BytesIO(pdf)).pages
    ]


class PdfInspector:
    """The helpers above bound to one temporary folder, handed to tests as the ``pdf`` fixture."""

    def __init__(self, tmp_path: Path) -> None:
        self._tmp_path = tmp_path

    def fonts(self, pdf: bytes) -> list[EmbeddedFont]:
        return fonts_of(pdf, self._tmp_path)

    def assert_cjk_font_embedded(self, pdf: bytes) -> None:
        assert_cjk_font_embedded(pdf, self._tmp_path)

    texts = staticmethod(page_texts)
    sizes_mm = staticmethod(page_sizes_mm)


@pytest.fixture
def pdf(tmp_path: Path) -> PdfInspector:
    return PdfInspector(tmp_path)
