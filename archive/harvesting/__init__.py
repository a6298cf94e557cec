"""Formats in and out: OAI-PMH, Dublin Core, IIIF, Web Annotations, CSV and JSON.

One module per format, each fed by the streaming record reader in ``records``; ``routes`` serves
``/oai``, ``/iiif`` and ``/annotations`` to harvesters and viewers, ``cli`` the export command.
"""

from flask import Blueprint

bp = Blueprint("harvesting", __name__)

from archive.harvesting import routes  # noqa: E402,F401
