"""Where the built front-end lives: ``web/`` builds into this package's ``static/`` folder
(git-ignored; `make web` writes it, and a wheel carries it as a build artifact)."""

from __future__ import annotations

from pathlib import Path

from leonet.errors import InputError

STATIC_DIR = Path(__file__).resolve().parent / "static"


def static_dir() -> Path:
    """The built front-end's folder, or a one-line error telling how to build it."""
    if not (STATIC_DIR / "index.html").is_file():
        raise InputError(f"the dashboard's front-end is not built ({STATIC_DIR} has no "
                         "index.html): run `make web`")
    return STATIC_DIR
