"""Where the app's own files are: inside the installed package, or in the checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent


def resource(name: str, *, in_checkout: str | None = None) -> Path:
    """A folder the app serves or reads: inside the installed package, else in the checkout.

    A wheel carries ``templates``, ``static``, ``migrations`` and the browser libraries inside
    the package (see pyproject.toml); a checkout (or an editable install) keeps them at the top.
    """
    packaged = PACKAGE_ROOT / name
    return packaged if packaged.is_dir() else PROJECT_ROOT / (in_checkout or name)
