"""Reading rendered PDFs back: their text (pypdf) and their pages as pictures (pdftoppm)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from pypdf import PdfReader


def pdf_pages_text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def rasterise(pdf: Path, out_dir: Path, *, resolution: int = 40) -> list[Path]:
    """Every page as a PNG, by poppler's pdftoppm."""
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(pdf), str(out_dir / "page")],
                   check=True, timeout=120)
    return sorted(out_dir.glob("page-*.png"))
