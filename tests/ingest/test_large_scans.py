"""Large scans are processed in bounded memory, with orientation applied and metadata stripped;
images whose decoding would take more than the memory budget are refused before decoding."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image

from archive.images.processing import store_image

WIDTH, HEIGHT = 6000, 4000
FULL_DECODE_BYTES = WIDTH * HEIGHT * 4  # how Pillow holds a decoded RGB image in memory

PEAK_SCRIPT = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from PIL import Image
    from archive.images.processing import store_image
    warm = Path(sys.argv[2]) / "warm.jpg"
    Image.new("RGB", (64, 64)).save(warm)
    store_image(warm, Path(sys.argv[2]) / "media")  # imports and first-use allocations
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    store_image(Path(sys.argv[1]), Path(sys.argv[2]) / "media")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) * 1024)
""")


@pytest.mark.slow
def test_a_6000_by_4000_jpeg_never_needs_a_full_size_decode(tmp_path):
    scan = tmp_path / "scan.jpg"
    Image.effect_noise((WIDTH, HEIGHT), 40).convert("RGB").save(scan, quality=90)

    result = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(scan), str(tmp_path)],
                            capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    peak_growth = int(result.stdout.strip())

    assert peak_growth < 0.85 * FULL_DECODE_BYTES, f"{peak_growth / 2**20:.0f} MiB"
    display = store_image(scan, tmp_path / "media")
    assert (display.width, display.height) == (WIDTH, HEIGHT)
    with Image.open(tmp_path / "media" / display.display_path) as im:
        assert im.size == (1600, 1067)


def test_orientation_is_applied_and_gps_and_metadata_are_stripped(tmp_path):
    source = tmp_path / "phone.jpg"
    im = Image.new("RGB", (1200, 800), (200, 30, 30))
    im.paste((30, 30, 200), (0, 0, 600, 800))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(0x8825)
    gps[2] = (53.0, 48.0, 0.0)
    source_bytes_exif = exif.tobytes()
    im.save(source, exif=source_bytes_exif, comment=b"private comment")

    stored = store_image(source, tmp_path / "media")

    assert (stored.width, stored.height) == (800, 1200)
    with Image.open(tmp_path / "media" / stored.display_path) as out:
        assert out.size == (800, 1200) and out.mode == "RGB"
        assert not out.getexif() and "exif" not in out.info and "comment" not in out.info
        assert "icc_profile" not in out.info
        top = out.getpixel((400, 50))
        assert top[2] > 150 and top[0] < 100  # the blue half is now at the top
    # The original is kept byte for byte.
    assert (tmp_path / "media" / stored.original_path).read_bytes() == source.read_bytes()


# --- the memory budget ------------------------------------------------------------------------

BUDGET_SCRIPT = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from PIL import Image
    from archive.images.processing import ImageError, store_image
    warm = Path(sys.argv[2]) / "warm.png"
    Image.new("RGBA", (64, 64)).save(warm)
    store_image(warm, Path(sys.argv[2]) / "media")  # imports and first-use allocations
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        store_image(Path(sys.argv[1]), Path(sys.argv[2]) / "media")
        outcome = "stored"
    except ImageError as error:
        outcome = f"refused: {error}"
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) * 1024)
    print(outcome)
""")


def flat_png(path: Path, width: int, height: int, channels: int) -> Path:
    """A PNG of one colour, written row by row: a small file holding a huge picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    colour_type = {3: 2, 4: 6}[channels]
    row = b"\x00" + bytes([90, 120, 150, 200][:channels]) * width
    compressor = zlib.compressobj(9)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
            ">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)))
        pending = b""
        for _ in range(height):
            pending += compressor.compress(row)
            if len(pending) > 1 << 20:
                fh.write(chunk(b"IDAT", pending))
                pending = b""
        fh.write(chunk(b"IDAT", pending + compressor.flush()) + chunk(b"IEND", b""))
    return path


def peak_while_storing(path: Path, tmp_path: Path) -> tuple[int, str]:
    """(growth of the peak memory in bytes, "stored" or "refused: …"), in a fresh process."""
    result = subprocess.run([sys.executable, "-c", BUDGET_SCRIPT, str(path), str(tmp_path)],
                            capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    growth, outcome = result.stdout.strip().split("\n", 1)
    return int(growth), outcome


@pytest.mark.slow
def test_a_small_png_of_a_huge_picture_is_refused_before_it_is_decoded(tmp_path):
    png = flat_png(tmp_path / "flat.png", 13_000, 13_000, 3)
    assert png.stat().st_size < 1_000_000  # under the pixel limit, and a tiny file

    growth, outcome = peak_while_storing(png, tmp_path)

    assert outcome.startswith("refused: the image is too large to process (13000x13000 pixels "
                              "would take 645 MiB of memory; the limit is 512 MiB)"), outcome
    assert growth < 32 * 2**20, f"{growth / 2**20:.0f} MiB"
    sha = hashlib.sha256(png.read_bytes()).hexdigest()
    assert not list((tmp_path / "media").rglob(f"{sha}*"))  # nothing of it kept


@pytest.mark.slow
@pytest.mark.parametrize(("channels", "frames"), [(3, 1.6), (4, 2.5)])
def test_a_large_png_within_the_budget_is_processed_in_bounded_memory(tmp_path, channels,
                                                                       frames):
    """Decoded, the picture takes 4 bytes a pixel; processing it takes at most a little over
    that (a transparent one, laid on white, twice that and a little more)."""
    png = flat_png(tmp_path / "large.png", 8000, 4000, channels)
    decoded = 8000 * 4000 * 4

    growth, outcome = peak_while_storing(png, tmp_path)

    assert outcome == "stored"
    assert growth < frames * decoded, f"{growth / 2**20:.0f} MiB, {growth / decoded:.2f}x"


def test_the_budget_is_a_setting(tmp_path):
    from archive.images.processing import ImageError

    png = flat_png(tmp_path / "medium.png", 2000, 1000, 3)  # 8 MB once decoded

    with pytest.raises(ImageError, match="the limit is 7 MiB"):
        store_image(png, tmp_path / "media", decode_budget=7 * 2**20)
    stored = store_image(png, tmp_path / "media", decode_budget=8 * 2**20)
    assert (stored.width, stored.height) == (2000, 1000)
