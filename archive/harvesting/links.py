"""Public addresses of everything the harvesting formats link to.

Built from a base URL rather than ``url_for``, so that commands and benchmarks running
without a request make the same links as the web routes do.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit

from flask import current_app, g, has_request_context, request

# Characters left as they are in a URL path segment: what url_for leaves unquoted too.
PATH_SAFE = "!$&'()*+,:;=@"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def repository_id_for(base_url: str) -> str:
    """The domain part of OAI identifiers: the site's host name, without its port."""
    return urlsplit(base_url).hostname or "localhost"


@dataclass(frozen=True)
class Links:
    base_url: str
    repository_id: str

    @classmethod
    def for_app(cls) -> Links:
        """Links for the current app: PUBLIC_BASE_URL, or the request's own address."""
        base = current_app.config.get("PUBLIC_BASE_URL")
        if not base and has_request_context():
            base = request.host_url
            # The response now depends on the Host header, which the client chose: the app
            # marks it so that no cache keeps it for anyone else (see ``host_bound_response``).
            g.built_from_host = True
        elif not base:
            base = DEFAULT_BASE_URL
        base = base.rstrip("/")
        repository = current_app.config.get("OAI_REPOSITORY_ID") or repository_id_for(base)
        return cls(base, repository)

    def _seg(self, value: str) -> str:
        return quote(value, safe=PATH_SAFE)

    # the site
    def item(self, identifier: str) -> str:
        return f"{self.base_url}/items/{self._seg(identifier)}"

    def collection_page(self, slug: str) -> str:
        return f"{self.base_url}/collections/{self._seg(slug)}"

    def institution_page(self, slug: str) -> str:
        return f"{self.base_url}/institutions/{self._seg(slug)}"

    def iiif_institution(self, slug: str) -> str:
        return f"{self.base_url}/iiif/institutions/{self._seg(slug)}"

    # IIIF
    def manifest(self, identifier: str) -> str:
        return f"{self.base_url}/iiif/{self._seg(identifier)}/manifest"

    def canvas(self, identifier: str, position: int) -> str:
        return f"{self.base_url}/iiif/{self._seg(identifier)}/canvas/p{position + 1}"

    def iiif_collection(self, slug: str | None = None) -> str:
        if slug is None:
            return f"{self.base_url}/iiif/collections"
        return f"{self.base_url}/iiif/collections/{self._seg(slug)}"

    def image_service(self, sha256: str) -> str:
        return f"{self.base_url}/iiif/image/{sha256}"

    def image(self, sha256: str, width: int, height: int) -> str:
        return f"{self.image_service(sha256)}/full/{width},{height}/0/default.jpg"

    # annotations
    def annotation(self, note_id: int, part: str = "") -> str:
        suffix = f"/{part}" if part else ""
        return f"{self.base_url}/annotations/notes/{note_id}{suffix}"

    def annotation_collection(self, collection_slug: str | None = None) -> str:
        query = f"?{urlencode({'collection': collection_slug})}" if collection_slug else ""
        return f"{self.base_url}/annotations{query}"

    def annotation_page(self, page: int, collection_slug: str | None = None) -> str:
        query = f"?{urlencode({'collection': collection_slug})}" if collection_slug else ""
        return f"{self.base_url}/annotations/page/{page}{query}"

    # OAI-PMH
    def oai(self) -> str:
        return f"{self.base_url}/oai"

    def oai_identifier(self, identifier: str) -> str:
        return f"oai:{self.repository_id}:{self._seg(identifier)}"

    def item_identifier_from_oai(self, oai_identifier: str) -> str | None:
        prefix = f"oai:{self.repository_id}:"
        if not oai_identifier.startswith(prefix):
            return None
        return unquote(oai_identifier[len(prefix):]) or None

    def oai_record(self, identifier: str) -> str:
        query = urlencode({"verb": "GetRecord", "metadataPrefix": "oai_dc",
                           "identifier": self.oai_identifier(identifier)})
        return f"{self.oai()}?{query}"


def host_bound_response(response):
    """Mark a response built from the request's ``Host`` header (no ``PUBLIC_BASE_URL``).

    It varies with the host. Unless ``TRUSTED_HOSTS`` limits which hosts reach the app, the
    host may be forged, so no cache may keep the response at all: a shared cache would
    otherwise serve links to the forger's site to everyone asking afterwards.
    """
    if not g.get("built_from_host"):
        return response
    response.vary.add("Host")
    if not current_app.config.get("TRUSTED_HOSTS"):
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.cache_control.no_cache = None
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response
