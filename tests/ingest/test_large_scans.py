"""Large scans are processed in bounded memory, with orientation applied and metadata stripped."""

from __future__ import annotations

import subprocess
import sys
import textwrap
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
