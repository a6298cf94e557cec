"""The standard documents the suite validates against are the published ones, unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

STANDARDS = Path(__file__).resolve().parent / "standards"

# SHA-256 of each file as published (tests/standards/README.md names the sources).
PUBLISHED = {
    "OAI-PMH.xsd": "76f609ca7bfe39411df9bbcc9d9e48643e82c187ce05042b64687488906cc822",
    "oai_dc.xsd": "7b6e646c22ae1c73d288e8f5614a93a4f8e8ea777691bd0ea14d9e61fa825a93",
    "simpledc20021212.xsd": "e9542e0cd08b59ad3ad994f50226dd7e6707792327b08f46eaa6250dd728d3aa",
    "anno.jsonld": "48c6e5e80f86bb1bf812233d13e70fab8b19516ac4e57e1e4576473f0bbd062e",
    "iiif-auth-1-context.json": "961b3cda21b5c425a708ee9a3169727d9df9da993d65e255d9302f14fbf2bc7d",
    "iiif-image-1-context.json": "65eb74a58b5cd05360e85390d496a0178d2980720f284c13a5bbd0392859aeb9",
    "iiif-image-2-context.json": "882f94b0e637a74645081d58d334228defad9d786e60be733b3cb05cd7af050d",
    "iiif-image-3-context.json": "fcfa6075c7b1dbf5dbc9628c8942d5bda03aa4051e4d011c55b61e4af247db9f",
    "iiif-presentation-3-context.json":
        "4bef9062347af702919b625655735a67a700f847f29f6501708c426159eda02d",
    "iiif-search-1-context.json":
        "554fdd25500bc33ba50322310b0bf4e5cefa01893bc3712344e0fedb71fcd237",
    "iiif-selectors-context.json":
        "4b777ae7f13813fa3b1545f8f3cec6219c3ad3fe9131a6b63e40f105d9ea4435",
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_the_suites_copy_of_a_standard_is_unchanged(name):
    assert hashlib.sha256((STANDARDS / name).read_bytes()).hexdigest() == PUBLISHED[name]


def test_every_copy_is_listed_with_its_source_and_licence():
    readme = (STANDARDS / "README.md").read_text(encoding="utf-8")
    copies = {p.name for p in STANDARDS.iterdir() if p.name != "README.md"}
    assert copies == set(PUBLISHED)
    assert all(name in readme for name in copies)
