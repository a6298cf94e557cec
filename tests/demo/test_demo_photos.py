"""The demo archive's made-up photographs and catalogue.

The pictures must be deterministic, the right size and mode, and look like old prints (toned,
not blank); the catalogue must hang together (every reference resolves, enough gaps for the
public to fill) and agree with what the pictures show.
"""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageChops, ImageStat

from archive.demo import photos as demo_photos
from archive.demo.data import DEMO_COLLECTIONS, DEMO_CONTRIBUTIONS, DEMO_ITEMS
from archive.demo.photos import KINDS, render_photo

REQUIRED_KINDS = {
    "street", "portrait", "building", "group", "tram", "market", "bridge", "shopfront",
}
# Small sizes keep the suite quick; every code path that depends on size still runs.
LANDSCAPE = (480, 360)
PORTRAIT = (360, 480)
ITEMS = {item["identifier"]: item for item in DEMO_ITEMS}


def chroma(image: Image.Image) -> float:
    """Mean over pixels of max(r, g, b) - min(r, g, b): 0 for pure grey."""
    r, g, b = image.split()
    high = ImageChops.lighter(ImageChops.lighter(r, g), b)
    low = ImageChops.darker(ImageChops.darker(r, g), b)
    return ImageStat.Stat(ImageChops.difference(high, low)).mean[0]


def percentile(histogram: list[int], fraction: float) -> int:
    wanted = sum(histogram) * fraction
    seen = 0
    for value, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            return value
    return len(histogram) - 1


# --------------------------------------------------------------------------- pictures


def test_kinds_include_every_subject_the_demo_needs():
    assert set(KINDS) >= REQUIRED_KINDS
    assert len(KINDS) == len(set(KINDS))


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_an_rgb_image_of_the_requested_size(kind, size):
    image = render_photo(kind, 7, size)

    assert isinstance(image, Image.Image)
    assert image.mode == "RGB"
    assert image.size == size


def test_default_size_is_1200_by_900():
    assert render_photo("street", 1).size == (1200, 900)


@pytest.mark.parametrize("size", [(16, 16), (17, 300), (300, 17), (1001, 333)])
def test_odd_sizes_come_out_exactly(size):
    for kind in KINDS:
        assert render_photo(kind, 3, size).size == size


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_gives_identical_pixels(kind):
    first = render_photo(kind, 42, LANDSCAPE)
    again = render_photo(kind, 42, LANDSCAPE)

    assert first.tobytes() == again.tobytes()


@pytest.mark.parametrize("kind", KINDS)
def test_different_seeds_give_different_pictures(kind):
    one = render_photo(kind, 1, LANDSCAPE)
    two = render_photo(kind, 2, LANDSCAPE)

    assert one.tobytes() != two.tobytes()
    # Not a few stray pixels: the compositions differ across a good part of the frame.
    diff = ImageChops.difference(one.convert("L"), two.convert("L"))
    assert ImageStat.Stat(diff).mean[0] > 8


def test_kinds_are_drawn_differently_for_the_same_seed():
    pictures = {render_photo(kind, 5, LANDSCAPE).tobytes() for kind in KINDS}
    assert len(pictures) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_pictures_are_toned_like_old_prints(kind):
    # Sepia, silver and faded blue prints are all nearly grey: a colour photograph of a
    # street scores well above this.
    for seed in range(6):
        size = LANDSCAPE if seed % 2 else PORTRAIT
        assert chroma(render_photo(kind, seed, size)) < 45, (kind, seed)


@pytest.mark.parametrize("kind", KINDS)
def test_pictures_are_not_blank(kind):
    for seed in range(4):
        grey = render_photo(kind, seed, LANDSCAPE).convert("L")
        histogram = grey.histogram()

        assert percentile(histogram, 0.95) - percentile(histogram, 0.05) > 50, (kind, seed)
        assert ImageStat.Stat(grey).stddev[0] > 18, (kind, seed)


def test_a_full_size_picture_has_real_tonal_range():
    grey = render_photo("tram", 11).convert("L")
    histogram = grey.histogram()

    assert percentile(histogram, 0.02) < 90
    assert percentile(histogram, 0.98) > 170


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        render_photo("spaceship", 1)


@pytest.mark.parametrize("size", [(0, 100), (100, -5), (8, 8), ("wide", 3), (100,)])
def test_unusable_sizes_are_refused(size):
    with pytest.raises(ValueError):
        render_photo("street", 1, size)


# --------------------------------------------------------------------------- catalogue


def test_collections_have_unique_slugs_and_real_descriptions():
    slugs = [c["slug"] for c in DEMO_COLLECTIONS]

    assert len(DEMO_COLLECTIONS) >= 3
    assert len(slugs) == len(set(slugs))
    for collection in DEMO_COLLECTIONS:
        assert collection["title"].strip()
        assert collection["description"].count(". ") >= 1


def test_items_have_every_field():
    keys = {
        "identifier", "collection", "title", "description", "date_text", "place", "creator",
        "rights", "people", "subjects", "needs_help", "help_question", "kind", "seed",
        "orientation",
    }
    assert len(DEMO_ITEMS) >= 40
    for item in DEMO_ITEMS:
        # "back": the lines pencilled on the back of the card, its second image.
        assert set(item) - {"back"} == keys, item["identifier"]
        assert item["title"].strip() and item["description"].strip()
        assert item["rights"].strip() and item["creator"].strip()
        assert isinstance(item["seed"], int)
        assert item["orientation"] in {"landscape", "portrait"}


def test_identifiers_and_seeds_are_unique():
    identifiers = [item["identifier"] for item in DEMO_ITEMS]
    seeds = [item["seed"] for item in DEMO_ITEMS]

    assert len(identifiers) == len(set(identifiers))
    assert len(seeds) == len(set(seeds))
    for identifier in identifiers:
        assert re.fullmatch(r"CB-[A-Z]{3}-\d{4}", identifier), identifier


def test_every_item_points_at_a_collection_and_a_kind_that_exist():
    slugs = {c["slug"] for c in DEMO_COLLECTIONS}
    for item in DEMO_ITEMS:
        assert item["collection"] in slugs, item["identifier"]
        assert item["kind"] in KINDS, item["identifier"]
    assert {item["collection"] for item in DEMO_ITEMS} == slugs


def test_every_kind_appears_in_the_catalogue():
    assert {item["kind"] for item in DEMO_ITEMS} == set(KINDS)


def test_portraits_are_mostly_upright():
    portraits = [item for item in DEMO_ITEMS if item["kind"] == "portrait"]
    upright = [item for item in portraits if item["orientation"] == "portrait"]
    assert len(upright) * 2 > len(portraits)


def test_items_needing_help_ask_their_own_question():
    needing = [item for item in DEMO_ITEMS if item["needs_help"]]
    questions = [item["help_question"] for item in needing]

    assert len(needing) >= 8
    assert len(questions) == len(set(questions))
    for item in needing:
        assert item["help_question"].strip().endswith("?"), item["identifier"]
    for item in DEMO_ITEMS:
        if not item["needs_help"]:
            assert item["help_question"] == "", item["identifier"]


def test_people_and_subjects_are_semicolon_lists():
    for item in DEMO_ITEMS:
        for field in ("people", "subjects"):
            parts = [p.strip() for p in item[field].split(";")] if item[field] else []
            assert all(parts), (item["identifier"], field)
        assert item["subjects"], item["identifier"]


def test_contributions_refer_to_items_that_exist():
    keys = {
        "item", "body", "suggested_date", "suggested_place", "suggested_people", "credit_name",
        "show_name", "email", "status", "days_ago", "region",
    }
    assert len(DEMO_CONTRIBUTIONS) >= 14
    for note in DEMO_CONTRIBUTIONS:
        # "region_image": the image the box is on, counted from 1 (else the first).
        assert set(note) - {"region_image"} == keys
        if "region_image" in note:
            item = next(i for i in DEMO_ITEMS if i["identifier"] == note["item"])
            assert note["region"] and note["region_image"] <= 1 + bool(item.get("back"))
        assert note["item"] in ITEMS
        assert note["body"].strip()
        assert 1 <= note["days_ago"] <= 120
        assert note["email"] is None or note["email"].endswith("@example.org")
        if note["show_name"]:
            assert note["credit_name"].strip()


def test_contributions_are_both_approved_and_pending():
    statuses = [note["status"] for note in DEMO_CONTRIBUTIONS]

    assert set(statuses) == {"approved", "pending"}
    assert statuses.count("approved") >= 6
    assert statuses.count("pending") >= 6
    items = [note["item"] for note in DEMO_CONTRIBUTIONS]
    assert len(items) > len(set(items)), "some items should have several notes"


def test_regions_are_fractions_inside_the_picture():
    regions = [note["region"] for note in DEMO_CONTRIBUTIONS if note["region"] is not None]

    assert regions
    for x, y, w, h in regions:
        assert 0 <= x < 1 and 0 <= y < 1
        assert 0 < w <= 1 and 0 < h <= 1
        assert x + w <= 1 and y + h <= 1


# --------------------------------------------------------------------------- picture and record


def items_of(kind: str) -> list[dict]:
    return [item for item in DEMO_ITEMS if item["kind"] == kind]


def text_of(item: dict) -> str:
    return " ".join((item["title"], item["description"], item["help_question"])).lower()


def test_shop_records_name_the_shop_on_the_fascia():
    for item in items_of("shopfront"):
        seed = item["seed"]
        name = demo_photos.SHOP_NAMES[seed % len(demo_photos.SHOP_NAMES)]
        trade = demo_photos.SHOP_TRADES[seed // len(demo_photos.SHOP_NAMES)
                                        % len(demo_photos.SHOP_TRADES)]
        surname = name.split()[-1].lower()
        first_word = trade.split()[0].lower().rstrip("s")
        assert surname in item["title"].lower(), item["identifier"]
        assert first_word in text_of(item), item["identifier"]


def test_portrait_records_match_the_sitter():
    women = ("mrs ", "miss ", "woman", "aunt", "ada ", "her ")
    men = ("mr ", "man", "grandfather", "albert", "councillor", "his ")
    for item in items_of("portrait"):
        words = f" {text_of(item)} "
        if item["seed"] % 2 == 0:
            assert any(w in words for w in women), item["identifier"]
            assert "young man" not in words, item["identifier"]
        else:
            assert any(w in words for w in men), item["identifier"]
            assert "woman" not in words, item["identifier"]


def test_building_records_match_the_building_drawn():
    for item in items_of("building"):
        seed = item["seed"]
        variant = seed % 3
        title = item["title"].lower()
        if variant == 0:
            name = demo_photos.CHAPEL_NAMES[seed // 3 % len(demo_photos.CHAPEL_NAMES)]
            assert "chapel" in title and name.lower() in title, item["identifier"]
        elif variant == 1:
            assert "town hall" in title, item["identifier"]
        else:
            name = demo_photos.MILL_NAMES[seed // 3 % len(demo_photos.MILL_NAMES)]
            assert name.split()[0].lower() in title, item["identifier"]


def test_group_records_match_the_slate():
    for item in items_of("group"):
        seed = item["seed"]
        if seed % 3 == 0:
            slate = demo_photos.CLUB_SLATES[seed // 3 % len(demo_photos.CLUB_SLATES)]
            assert "school" not in text_of(item), item["identifier"]
        else:
            slate = demo_photos.SCHOOL_SLATES[seed % len(demo_photos.SCHOOL_SLATES)]
            assert "school" in text_of(item) or "class" in text_of(item), item["identifier"]
        wording = slate.lower().replace("std ", "standard ")
        assert wording in text_of(item), item["identifier"]


def test_tram_records_name_the_destination_on_the_blind():
    places = {d.lower() for d in demo_photos.TRAM_DESTINATIONS}
    for item in items_of("tram"):
        shown = demo_photos.TRAM_DESTINATIONS[item["seed"] % len(places)].lower()
        text = text_of(item)
        assert shown in text, item["identifier"]
        for other in places - {shown}:
            assert f"bound for {other}" not in text, item["identifier"]


def test_a_catalogue_item_renders_in_its_orientation():
    item = ITEMS["CB-HAR-0102"]
    size = (300, 400) if item["orientation"] == "portrait" else (400, 300)
    assert render_photo(item["kind"], item["seed"], size).size == size
