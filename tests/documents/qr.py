"""Reading QR codes back from real PDFs: pages rendered to pixels by poppler's pdftoppm, decoded by zbarimg
(zbar-tools, in the Makefile's TEST_DEBS), so a test sees what a phone camera would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def decoded_qr_codes(pdf: bytes, folder: Path) -> list[str]:
    """Every QR code zbarimg finds on the PDF's pages, rendered at 300 dpi."""
    pdftoppm, zbarimg = shutil.which("pdftoppm"), shutil.which("zbarimg")
    assert pdftoppm, "pdftoppm not found: install poppler-utils"
    assert zbarimg, "zbarimg not found: install zbar-tools (Makefile TEST_DEBS)"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "card.pdf").write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "300", "-png", str(folder / "card.pdf"), str(folder / "page")], check=True)
    pages = sorted(folder.glob("page*.png"))
    assert len(pages) == 2  # front and back
    found = []
    for page in pages:
        # exit status 4: no symbol on this page (the front); 0: found
        run = subprocess.run([zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                             capture_output=True, text=True, check=False)
        assert run.returncode in (0, 4), run.stderr
        found += [line for line in run.stdout.splitlines() if line]
    return found
