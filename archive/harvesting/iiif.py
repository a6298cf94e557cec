"""IIIF: Image API 3 (level 0) for every image, Presentation API 3 manifests and collections.

The image service offers exactly the JPEG derivatives that ingest made
(:func:`archive.images.processing.derivative_sizes`), so every size it lists is a file on
disk. A manifest has one canvas per image; the approved notes of the item are W3C Web
Annotations on the first canvas (see :mod:`archive.harvesting.annotations`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.harvesting.annotations import note_annotations, placement
from archive.harvesting.dublin_core import solved_description
from archive.harvesting.links import Links
from archive.harvesting.published import rights_uri
from archive.images.processing import derivative_sizes
from archive.models import Collection, Contribution, Image, Institution, Item

IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
IMAGE_MEDIA_TYPE = f'application/ld+json;profile="{IMAGE_CONTEXT}"'
PRESENTATION_MEDIA_TYPE = f'application/ld+json;profile="{PRESENTATION_CONTEXT}"'


def _lang(*values: str, language: str = "none") -> dict:
    return {language: [v for v in values if v]}


def image_info(image: Image, links: Links) -> dict:
    """The info.json of a level 0 image service."""
    sizes = derivative_sizes(image.width, image.height)
    _, max_width, max_height = sizes[-1]
    return {
        "@context": IMAGE_CONTEXT,
        "id": links.image_service(image.sha256),
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": image.width,
        "height": image.height,
        "maxWidth": max_width,
        "maxHeight": max_height,
        "sizes": [{"width": w, "height": h} for _, w, h in sizes],
    }


def _image_body(image: Image, links: Links, edge_index: int = -1) -> dict:
    _, width, height = derivative_sizes(image.width, image.height)[edge_index]
    return {
        "id": links.image(image.sha256, width, height),
        "type": "Image",
        "format": "image/jpeg",
        "width": width,
        "height": height,
        "service": [{"id": links.image_service(image.sha256), "type": "ImageService3",
                     "profile": "level0"}],
    }


def _metadata(item: Item, notes: Iterable[Contribution]) -> list[dict]:
    rows = [
        ("Date", item.date_text), ("Place", item.place),
        ("People shown", "; ".join(item.people_list)),
        ("Subjects", "; ".join(item.subject_list)), ("Photographer", item.creator),
        ("Collection", item.collection.title), ("Reference", item.reference),
        ("Rights", item.rights),
        ("Question", solved_description(item, notes)),
    ]
    return [{"label": {"en": [label]}, "value": _lang(value)} for label, value in rows if value]


def manifest(item: Item, notes: Iterable[Contribution], links: Links, *, archive_name: str,
             language: str) -> dict:
    """The Presentation 3 manifest of an item that has at least one image."""
    if not item.images:
        raise ValueError("an item without images has no manifest")
    notes = list(notes)
    manifest_id = links.manifest(item.identifier)
    canvases: list[dict[str, Any]] = []
    for position, image in enumerate(item.images):
        canvas_id = links.canvas(item.identifier, position)
        canvases.append({
            "id": canvas_id,
            "type": "Canvas",
            "label": _lang(f"Image {position + 1}"),
            "width": image.width,
            "height": image.height,
            "items": [{
                "id": f"{canvas_id}/page",
                "type": "AnnotationPage",
                "items": [{
                    "id": f"{canvas_id}/page/image",
                    "type": "Annotation",
                    "motivation": "painting",
                    "body": _image_body(image, links),
                    "target": canvas_id,
                }],
            }],
        })
    first = item.images[0]
    # Each note on the canvas of the image it is about (see annotations.placement).
    on_canvas: dict[int, list[dict]] = {}
    for note in notes:
        index, about, region = placement(note, list(item.images))
        assert about is not None  # the item has images
        on_canvas.setdefault(index, []).extend(note_annotations(
            note, links, target=canvases[index]["id"], width=about.width,
            height=about.height, region=region, language=language))
    for index, made in sorted(on_canvas.items()):
        canvases[index]["annotations"] = [{
            "id": f"{canvases[index]['id']}/notes",
            "type": "AnnotationPage",
            "items": made,
        }]
    document = {
        "@context": PRESENTATION_CONTEXT,
        "id": manifest_id,
        "type": "Manifest",
        "label": _lang(item.title),
        "metadata": _metadata(item, notes),
        "requiredStatement": {"label": {"en": ["Attribution"]},
                              "value": _lang(item.collection.institution.name or archive_name)},
        "provider": [provider(item.collection.institution, links)],
        "homepage": [{"id": links.item(item.identifier), "type": "Text",
                      "label": _lang(item.title), "format": "text/html"}],
        "seeAlso": [{"id": links.oai_record(item.identifier), "type": "Dataset",
                     "format": "text/xml",
                     "profile": "http://www.openarchives.org/OAI/2.0/oai_dc/"}],
        "partOf": [{"id": links.iiif_collection(item.collection.slug), "type": "Collection"},
                   {"id": links.iiif_institution(item.collection.institution.slug),
                    "type": "Collection"}],
        "thumbnail": [_image_body(first, links, edge_index=0)],
        "items": canvases,
    }
    if item.description:
        document["summary"] = _lang(item.description)
    rights = rights_uri(item.rights)
    if rights:
        document["rights"] = rights
    return document


def collection_document(collection: Collection, items: Iterable[Item], links: Links) -> dict:
    """A IIIF Collection of the manifests of one collection's public items with images."""
    document = {
        "@context": PRESENTATION_CONTEXT,
        "id": links.iiif_collection(collection.slug),
        "type": "Collection",
        "label": _lang(collection.title),
        "homepage": [{"id": links.collection_page(collection.slug), "type": "Text",
                      "label": _lang(collection.title), "format": "text/html"}],
        "partOf": [{"id": links.iiif_collection(), "type": "Collection"},
                   {"id": links.iiif_institution(collection.institution.slug),
                    "type": "Collection"}],
        "provider": [provider(collection.institution, links)],
        "items": [
            {"id": links.manifest(item.identifier), "type": "Manifest",
             "label": _lang(item.title),
             "thumbnail": [_image_body(item.images[0], links, edge_index=0)]}
            for item in items if item.images
        ],
    }
    if collection.description:
        document["summary"] = _lang(collection.description)
    return document


def provider(institution: Institution, links: Links) -> dict:
    """The institution holding a resource, as a IIIF ``provider`` (an Agent)."""
    agent: dict[str, Any] = {
        "id": links.institution_page(institution.slug),
        "type": "Agent",
        "label": _lang(institution.name),
        "homepage": [{"id": institution.website or links.institution_page(institution.slug),
                      "type": "Text", "label": _lang(institution.name),
                      "format": "text/html"}],
    }
    return agent


def institution_collection_document(institution: Institution,
                                    collections: Iterable[Collection], links: Links) -> dict:
    """One institution's holdings: a IIIF Collection of its collections."""
    document: dict[str, Any] = {
        "@context": PRESENTATION_CONTEXT,
        "id": links.iiif_institution(institution.slug),
        "type": "Collection",
        "label": _lang(institution.name),
        "homepage": [{"id": links.institution_page(institution.slug), "type": "Text",
                      "label": _lang(institution.name), "format": "text/html"}],
        "partOf": [{"id": links.iiif_collection(), "type": "Collection"}],
        "provider": [provider(institution, links)],
        "items": [{"id": links.iiif_collection(c.slug), "type": "Collection",
                   "label": _lang(c.title)} for c in collections],
    }
    if institution.description:
        document["summary"] = _lang(institution.description)
    return document


def archive_collection_document(collections: Iterable[Collection], links: Links, *,
                                archive_name: str) -> dict:
    """The whole archive: a IIIF Collection of the collections."""
    return {
        "@context": PRESENTATION_CONTEXT,
        "id": links.iiif_collection(),
        "type": "Collection",
        "label": _lang(archive_name),
        "homepage": [{"id": f"{links.base_url}/", "type": "Text", "label": _lang(archive_name),
                      "format": "text/html"}],
        "items": [{"id": links.iiif_collection(c.slug), "type": "Collection",
                   "label": _lang(c.title)} for c in collections],
    }
