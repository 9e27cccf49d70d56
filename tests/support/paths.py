"""Where things are, from the project root, so the suite runs from any checkout.

The shared fixtures (the VSAQ questionnaires) live beside the checkout in `../shared`, as CI
clones the repository next to it; DILIGENCE_SHARED_DIR points elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_DIR = ROOT / "questionnaires" / "library"


def shared_dir() -> Path:
    """The shared folder: DILIGENCE_SHARED_DIR, or `shared` beside the project root."""
    configured = os.environ.get("DILIGENCE_SHARED_DIR")
    return Path(configured).resolve() if configured else ROOT.parent / "shared"


def shared_fixture(*parts: str) -> Path:
    """A folder or file under the shared fixtures; a clear error when it is not there, rather
    than a test failing later on a missing file."""
    path = shared_dir().joinpath("fixtures", *parts)
    if not path.exists():
        raise FileNotFoundError(
            f"shared test fixture {path} is missing: clone the shared repository beside the "
            f"project ({ROOT.parent / 'shared'}) or set DILIGENCE_SHARED_DIR to its folder")
    return path


def __getattr__(name: str) -> Path:
    # Resolved when imported, so that only the tests that read the VSAQ files fail
    # (clearly) where the shared folder is missing, not every test that needs ROOT.
    if name == "VSAQ_DIR":
        return shared_fixture("vsaq")
    raise AttributeError(name)
