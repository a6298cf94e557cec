"""Licences and rights as the harvesting formats publish them (URIs where they are known).

What is in public view, and the approved notes of items, are defined once in
:mod:`archive.queries`.
"""

from __future__ import annotations

from flask import current_app

# Licences notes may be published under, by the name a contribution records.
KNOWN_LICENCES = {
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC BY-NC 4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC BY-NC-SA 4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
}


def licence_url(licence: str) -> str | None:
    """The address of a licence named by a contribution, when it is known."""
    if licence == current_app.config.get("CONTRIBUTION_LICENCE"):
        return current_app.config.get("CONTRIBUTION_LICENCE_URL")
    if licence.startswith(("https://", "http://")):
        return licence
    return KNOWN_LICENCES.get(licence)


def rights_uri(rights: str) -> str | None:
    """An item's rights as a URI IIIF accepts (Creative Commons or RightsStatements.org)."""
    value = rights.strip()
    if value.startswith(("http://creativecommons.org/", "https://creativecommons.org/",
                         "http://rightsstatements.org/", "https://rightsstatements.org/")):
        return value.replace("https://", "http://", 1)
    uri = KNOWN_LICENCES.get(value)
    return uri.replace("https://", "http://", 1) if uri else None
