"""Schema.org JSON-LD for an item page: a Photograph, its notes as comments, its manifest."""

from __future__ import annotations

from collections.abc import Iterable

from archive.harvesting.links import Links
from archive.images.processing import DISPLAY_SIZE, derivative_sizes
from archive.models import Contribution, Item


def photograph(item: Item, notes: Iterable[Contribution], links: Links) -> dict:
    url = links.item(item.identifier)
    notes = list(notes)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Photograph",
        "@id": url,
        "url": url,
        "name": item.title,
        "identifier": item.reference,
        "isPartOf": {"@type": "Collection", "name": item.collection.title,
                     "url": links.collection_page(item.collection.slug)},
        "provider": {"@type": "ArchiveOrganization", "name": item.collection.institution.name,
                     "url": links.institution_page(item.collection.institution.slug)},
    }
    optional = {
        "description": item.description,
        "dateCreated": item.date_text,
        "creditText": item.rights,
    }
    data.update({key: value for key, value in optional.items() if value})
    if item.creator:
        data["creator"] = {"@type": "Person", "name": item.creator}
    if item.place:
        data["contentLocation"] = {"@type": "Place", "name": item.place}
    if item.people_list:
        data["about"] = [{"@type": "Person", "name": name} for name in item.people_list]
    if item.subject_list:
        data["keywords"] = item.subject_list
    image = item.primary_image
    if image is not None:
        # Every image of the item, the first one first (one image: its address alone).
        shown = [links.image(each.sha256, *_display_size(each)) for each in item.images]
        data["image"] = shown[0] if len(shown) == 1 else shown
        data["subjectOf"] = {
            "@type": "CreativeWork",
            "@id": links.manifest(item.identifier),
            "url": links.manifest(item.identifier),
            "encodingFormat": "application/ld+json",
            "additionalType": "https://iiif.io/api/presentation/3/",
            "name": "IIIF Presentation manifest",
        }
    data["commentCount"] = len(notes)
    if notes:
        data["comment"] = [
            {
                "@type": "Comment",
                "@id": f"{url}#note-{note.id}",
                "text": note.public_text,
                "author": {"@type": "Person", "name": note.credit},
                "dateCreated": note.decided_at.isoformat() if note.decided_at else None,
                "license": note.licence,
            }
            for note in notes
        ]
    return data


def _display_size(image) -> tuple[int, int]:
    sizes = derivative_sizes(image.width, image.height)
    _, w, h = next((s for s in sizes if s[0] >= min(DISPLAY_SIZE, sizes[-1][0])), sizes[-1])
    return w, h
