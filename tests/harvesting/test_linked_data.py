"""Schema.org JSON-LD and alternate links on the item page."""

from __future__ import annotations

import html
import json
import re


def linked_data(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_item_page_describes_the_photograph_and_links_its_exports(client, sample):
    page = client.get("/items/LDS-1").text

    data = linked_data(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Photograph"
    assert data["url"] == data["@id"] == "http://localhost/items/LDS-1"
    assert data["name"] == "Market day"
    assert data["dateCreated"] == "1931"
    assert data["contentLocation"] == {"@type": "Place", "name": "Leeds"}
    assert [p["name"] for p in data["about"]] == ["Alice Smith", "Edith Brown"]
    assert data["subjectOf"]["url"] == "http://localhost/iiif/LDS-1/manifest"
    assert data["commentCount"] == 2
    assert [c["author"]["name"] for c in data["comment"]] == ["Mary Jones",
                                                             "Anonymous contributor"]
    assert data["comment"][1]["text"] == "The boy on the left is the contributor's uncle."
    assert "mary@example.net" not in page
    links = {html.unescape(m[1]): html.unescape(m[0]) for m in re.findall(
        r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', page)}
    assert links["http://localhost/iiif/LDS-1/manifest"].startswith("application/ld+json")
    assert links["http://localhost/oai?verb=GetRecord&metadataPrefix=oai_dc"
                 "&identifier=oai%3Alocalhost%3ALDS-1"] == "text/xml"
    oai = client.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:LDS-1")
    assert b"<dc:title>Market day</dc:title>" in oai.data


def test_text_cannot_break_out_of_the_json_block(client, make_item):
    make_item(identifier="X-1", title="</script><script>alert(1)</script>", with_image=False)

    page = client.get("/items/X-1").text

    assert "<script>alert(1)" not in page
    data = linked_data(page)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert "subjectOf" not in data  # no image, no manifest
    assert "iiif" not in page.split("</head>")[0]
