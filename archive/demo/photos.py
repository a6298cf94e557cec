"""Procedural "old photographs" for the demo archive.

Every picture is drawn with plain ImageDraw shapes in greyscale (sky, hills, terraces in
perspective, figures as silhouettes), then aged: softened, unevenly faded, vignetted, given
film grain, dust and scratches, toned (sepia, neutral silver or a faded blue) and sometimes
mounted on a card, a paper border or an album page.

Rendering is deterministic: the same kind, seed and size always give the same pixels. All
randomness comes from one ``random.Random`` per picture; even the grain is built from its
bytes, because ``Image.effect_noise`` draws from an unseeded C generator.

What a catalogue might describe is tied to the seed by simple rules, so that a record can
say what its picture shows (see ``Scene.pick``):

- portrait: a woman for an even seed, a man for an odd one;
- group: grown-ups (a works or club group) when ``seed % 3 == 0``, otherwise a school class,
  whose slate reads ``SCHOOL_SLATES[seed % len]`` (grown-ups: ``CLUB_SLATES[seed // 3 % len]``);
- building: a chapel, town hall or mill for ``seed % 3`` = 0, 1, 2; the chapel's name is
  ``CHAPEL_NAMES[seed // 3 % len]`` and the mill's ``MILL_NAMES[seed // 3 % len]``;
- shopfront: the fascia reads ``SHOP_NAMES[seed % len]`` and
  ``SHOP_TRADES[seed // len(SHOP_NAMES) % len]``;
- tram: the destination blind reads ``TRAM_DESTINATIONS[seed % len]``.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypeVar

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

KINDS: tuple[str, ...] = (
    "street",
    "portrait",
    "building",
    "group",
    "tram",
    "market",
    "bridge",
    "shopfront",
)

T = TypeVar("T")
Point = tuple[float, float]
Box = tuple[float, float, float, float]
RGB = tuple[int, int, int]

MIN_SIDE = 16


def render_photo(kind: str, seed: int, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """Draw one made-up archive photograph of the given kind as an RGB image of ``size``."""
    painter = _PAINTERS.get(kind)
    if painter is None:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    width, height = _checked_size(size)
    rng = random.Random(f"{kind}:{seed}")
    finish = choose_finish(kind, rng, (width, height))
    scene = Scene(finish.photo_size, rng, _seed_number(seed))
    painter(scene)
    photo = age_photo(scene, finish, softness=2.0 if kind == "portrait" else 1.0)
    return mount_photo(photo, finish, rng)


def _seed_number(seed: object) -> int:
    if isinstance(seed, int):
        return abs(seed)
    return zlib.crc32(str(seed).encode())


def _checked_size(size: Sequence[int]) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"size must be a (width, height) pair, not {size!r}") from exc
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ValueError(f"size must be at least {MIN_SIDE}x{MIN_SIDE}, not {width}x{height}")
    return width, height


# --------------------------------------------------------------------------- basics


def clamp(value: float) -> int:
    return 0 if value < 0 else 255 if value > 255 else int(value)


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


class Scene:
    """A greyscale canvas, its size and the random source that decides what goes on it."""

    def __init__(self, size: tuple[int, int], rng: random.Random, seed: int = 0) -> None:
        self.w, self.h = size
        self.rng = rng
        self.seed = seed
        self.img = Image.new("L", size, 200)
        self.draw = ImageDraw.Draw(self.img)
        self.u = min(size) / 900.0  # one pixel of a 1200x900 picture

    def poly(self, points: Sequence[Point], tone: float) -> None:
        self.draw.polygon(list(points), fill=clamp(tone))

    def rect(self, x0: float, y0: float, x1: float, y1: float, tone: float) -> None:
        self.draw.rectangle(
            (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), fill=clamp(tone)
        )

    def oval(self, x0: float, y0: float, x1: float, y1: float, tone: float) -> None:
        self.draw.ellipse((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), fill=clamp(tone))

    def line(self, points: Sequence[Point], tone: float, width: float = 1.0) -> None:
        self.draw.line(list(points), fill=clamp(tone), width=max(1, round(width)))

    def jitter(self, tone: float, spread: float) -> float:
        return tone + self.rng.uniform(-spread, spread)

    def pick(self, options: Sequence[T], every: int = 1) -> T:
        """The option the seed stands for: what a catalogue record can rely on being shown."""
        return options[(self.seed // every) % len(options)]


@contextmanager
def translucent(sc: Scene, alpha: float, box: Box | None = None) -> Iterator[None]:
    """Whatever is drawn inside ``box`` shows at ``alpha``: someone who moved in the exposure."""
    if box is None:
        box = (0, 0, sc.w, sc.h)
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(sc.w, math.ceil(box[2])), min(sc.h, math.ceil(box[3]))
    if x1 <= x0 or y1 <= y0:
        yield
        return
    before = sc.img.crop((x0, y0, x1, y1))
    yield
    after = sc.img.crop((x0, y0, x1, y1))
    sc.img.paste(Image.blend(before, after, alpha), (x0, y0))


def soft_paint(
    sc: Scene, box: Box, tone: float, radius: float, paint: Callable[[ImageDraw.ImageDraw], None]
) -> None:
    """Paint shapes into a mask (coordinates relative to ``box``), blur it, lay ``tone`` through."""
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(sc.w, int(box[2])), min(sc.h, int(box[3]))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    mask = Image.new("L", (int(box[2]) - int(box[0]), int(box[3]) - int(box[1])), 0)
    paint(ImageDraw.Draw(mask))
    mask = mask.filter(ImageFilter.GaussianBlur(max(0.5, radius)))
    mask = mask.crop((x0 - int(box[0]), y0 - int(box[1]), x1 - int(box[0]), y1 - int(box[1])))
    sc.img.paste(clamp(tone), (x0, y0, x1, y1), mask)


def _ramp_tones(width: int, height: int, profile: Callable[[float], float]) -> Image.Image:
    """A ``width`` x ``height`` image whose tone runs left to right as ``profile(0..1)``."""
    row = bytes(clamp(profile(i / max(1, width - 1))) for i in range(width))
    return Image.frombytes("L", (width, 1), row).resize((width, height), Image.Resampling.NEAREST)


def shaded(
    sc: Scene, box: Box, profile: Callable[[float], float], *, shape: str = "ellipse"
) -> None:
    """A shape whose tone runs across it from left to right as ``profile(0..1)`` says."""
    x0, y0, x1, y1 = (round(v) for v in box)
    w, h = x1 - x0, y1 - y0
    if w < 3 or h < 3:
        sc.oval(x0, y0, x1, y1, profile(0.5))
        return
    tones = _ramp_tones(w, h, profile)
    if shape != "ellipse":
        sc.img.paste(tones, (x0, y0))
        return
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, w - 1, h - 1), fill=255)
    sc.img.paste(tones, (x0, y0), mask)


def shaded_poly(sc: Scene, points: Sequence[Point], profile: Callable[[float], float]) -> None:
    """A polygon whose tone runs across it from left to right as ``profile(0..1)`` says."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, y0 = math.floor(min(xs)), math.floor(min(ys))
    w, h = math.ceil(max(xs)) - x0 + 1, math.ceil(max(ys)) - y0 + 1
    if w < 3 or h < 3:
        sc.poly(points, profile(0.5))
        return
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).polygon([(x - x0, y - y0) for x, y in points], fill=255)
    sc.img.paste(_ramp_tones(w, h, profile), (x0, y0), mask)


def side_lit(light: float, dark: float, from_left: bool = True) -> Callable[[float], float]:
    def profile(t: float) -> float:
        t = t if from_left else 1 - t
        return lerp(light, dark, min(1.0, max(0.0, (t - 0.25) / 0.75)) ** 1.3)

    return profile


def cylinder(light: float, dark: float, from_left: bool = True) -> Callable[[float], float]:
    peak = 0.3 if from_left else 0.7

    def profile(t: float) -> float:
        return lerp(light, dark, min(1.0, abs(t - peak) / 0.7) ** 1.2)

    return profile


def egg(cx: float, cy: float, rx: float, ry: float, chin: float = 0.22) -> list[Point]:
    """An oval narrowing towards the bottom: a face."""
    points = []
    for i in range(36):
        a = 2 * math.pi * i / 36
        down = max(0.0, -math.cos(a))
        points.append((cx + rx * math.sin(a) * (1 - chin * down**2), cy - ry * math.cos(a)))
    return points


@lru_cache(maxsize=64)
def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=px)
    except (ImportError, OSError):
        return ImageFont.load_default()


def draw_label(sc: Scene, box: Box, text: str, tone: float, fill: float = 0.62) -> None:
    """Centre ``text`` in ``box`` as large as fits; tiny boxes get dabs that read as lettering."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    px = int(bh * fill)
    if px >= 7:
        font = _font(px)
        left, top, right, bottom = sc.draw.textbbox((0, 0), text, font=font)
        if right - left > bw * 0.9:
            px = int(px * bw * 0.9 / (right - left))
            font = _font(max(px, 1))
            left, top, right, bottom = sc.draw.textbbox((0, 0), text, font=font)
        if px >= 7:
            x = x0 + (bw - (right - left)) / 2 - left
            y = y0 + (bh - (bottom - top)) / 2 - top
            sc.draw.text((x, y), text, fill=clamp(tone), font=font)
            return
    draw_letter_dabs(sc, box, len(text), tone)


def draw_letter_dabs(sc: Scene, box: Box, letters: int, tone: float) -> None:
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    if bw < 3 or bh < 2:
        return
    step = bw * 0.9 / max(letters, 1)
    for i in range(letters):
        if sc.rng.random() < 0.12:
            continue
        lx = x0 + bw * 0.05 + i * step
        sc.rect(lx, y0 + bh * 0.3, lx + step * 0.6, y1 - bh * 0.3, tone)


# --------------------------------------------------------------------------- perspective


@dataclass(frozen=True)
class Camera:
    """A pinhole camera looking straight down a street (along +z), y up, metres."""

    vx: float  # vanishing point, pixels
    vy: float  # horizon, pixels
    f: float  # focal length, pixels
    eye: float = 1.6  # height of the lens
    x: float = 0.0  # sideways position of the lens
    haze: float = 212.0  # tone that distance fades towards (smoke and mist)
    clear: float = 110.0  # distance over which things fade most of the way into the haze
    gain: float = 1.0  # light falling on what is drawn: below 1 in shade, above in sun

    def at(self, x: float, y: float, z: float) -> Point:
        z = max(z, 0.05)
        return (self.vx + (x - self.x) * self.f / z, self.vy + (self.eye - y) * self.f / z)

    def scale(self, z: float) -> float:
        """Pixels per metre at depth ``z``."""
        return self.f / max(z, 0.05)

    def tone(self, tone: float, z: float) -> float:
        return self.haze + (tone * self.gain - self.haze) * math.exp(-max(z, 0.0) / self.clear)

    def lit(self, gain: float) -> Camera:
        return replace(self, gain=gain)

    def wall(self, x: float, z0: float, z1: float, y0: float, y1: float) -> list[Point]:
        """A rectangle in the plane x = const (a facade along the street)."""
        return [self.at(x, y0, z0), self.at(x, y1, z0), self.at(x, y1, z1), self.at(x, y0, z1)]

    def front(self, z: float, x0: float, x1: float, y0: float, y1: float) -> list[Point]:
        """A rectangle in the plane z = const (facing the camera)."""
        return [self.at(x0, y0, z), self.at(x0, y1, z), self.at(x1, y1, z), self.at(x1, y0, z)]

    def floor(self, y: float, x0: float, x1: float, z0: float, z1: float) -> list[Point]:
        """A rectangle in the plane y = const (road, pavement, table top)."""
        return [self.at(x0, y, z0), self.at(x1, y, z0), self.at(x1, y, z1), self.at(x0, y, z1)]

    def nearest_visible_z(self, h: int) -> float:
        """Depth at which the ground leaves the bottom of the picture."""
        below = h - self.vy
        return max(0.5, self.eye * self.f / below) if below > 1 else 0.5


def cast_shadow(sc: Scene, points: Sequence[Point], depth: float) -> None:
    """Darken what is already drawn inside ``points`` (0 < depth < 1: how dark the shade)."""
    mask = Image.new("L", (sc.w, sc.h), 0)
    ImageDraw.Draw(mask).polygon(list(points), fill=255)
    shade = sc.img.point([clamp(v * (1 - depth)) for v in range(256)])
    sc.img.paste(shade, (0, 0), mask)


def street_camera(sc: Scene, eye: float = 1.6, x: float = 0.0) -> Camera:
    rng = sc.rng
    portrait = sc.h > sc.w
    return Camera(
        vx=sc.w * rng.uniform(0.38, 0.62),
        vy=sc.h * (rng.uniform(0.46, 0.56) if portrait else rng.uniform(0.40, 0.52)),
        f=max(sc.w, sc.h) * rng.uniform(0.6, 0.8),
        eye=eye,
        x=x,
        haze=rng.uniform(205, 222),
        clear=rng.uniform(55, 130),
    )


Drawable = tuple[float, Callable[[], None]]


def draw_far_to_near(objects: list[Drawable]) -> None:
    for _, paint in sorted(objects, key=lambda item: -item[0]):
        paint()


# --------------------------------------------------------------------------- sky and land


def draw_sky(sc: Scene, horizon: float, top: float = 200, bottom: float = 234) -> None:
    height = max(1, min(sc.h, int(horizon) + 2))
    lut = [clamp(lerp(top, bottom, (i / 255) ** 0.8)) for i in range(256)]
    sc.img.paste(Image.linear_gradient("L").resize((sc.w, height)).point(lut), (0, 0))


def ridge_line(sc: Scene, base: float, amp: float, bumps: int) -> list[Point]:
    rng = sc.rng
    heights = [rng.uniform(0.2, 1.0) for _ in range(bumps + 2)]
    points = []
    steps = 48
    for i in range(steps + 1):
        t = i / steps * (bumps + 1)
        k = int(t)
        frac = (1 - math.cos((t - k) * math.pi)) / 2
        height = lerp(heights[k], heights[min(k + 1, bumps + 1)], frac)
        points.append((sc.w * i / steps, base - amp * height))
    return points


def draw_hills(sc: Scene, horizon: float, far_tone: float = 198, near_tone: float = 186) -> None:
    """Moorland ridges above the town, pale with distance, with field walls on the nearer one."""
    rng = sc.rng
    for tone, amp, lift in ((far_tone, 0.10, 0.03), (near_tone, 0.06, 0.0)):
        ridge = ridge_line(sc, horizon - sc.h * lift, sc.h * amp, rng.randint(2, 4))
        sc.poly([*ridge, (sc.w, horizon + 3), (0, horizon + 3)], tone)
    for _ in range(rng.randint(3, 8)):
        x = rng.uniform(0, sc.w)
        y = horizon - rng.uniform(0.0, 0.05) * sc.h
        length = rng.uniform(0.05, 0.2) * sc.w
        sc.line([(x, y), (x + length, y + rng.uniform(-0.02, 0.02) * sc.h)], near_tone - 9, sc.u)


def draw_smoke(sc: Scene, x: float, y: float, size: float, tone: float) -> None:
    rng = sc.rng
    drift = rng.choice((-1, 1)) * rng.uniform(2.0, 5.0) * size
    rise = rng.uniform(1.5, 3.5) * size
    box = (x - abs(drift) - 4 * size, y - rise - 4 * size, x + abs(drift) + 4 * size, y + size)

    def paint(d: ImageDraw.ImageDraw) -> None:
        for i in range(9):
            t = i / 8
            cx = x + drift * t - box[0]
            cy = y - rise * math.sin(t * math.pi / 2) - box[1]
            r = size * (0.5 + 1.6 * t)
            d.ellipse((cx - r, cy - r * 0.7, cx + r, cy + r * 0.7), fill=int(150 * (1 - t * 0.6)))

    soft_paint(sc, box, tone, size * 0.7, paint)


def draw_mill_chimney(
    sc: Scene, x: float, base: float, height: float, width: float, tone: float, smoke: bool = True
) -> None:
    top = base - height
    sc.poly(
        [(x - width / 2, base), (x - width * 0.3, top),
         (x + width * 0.3, top), (x + width / 2, base)],
        tone,
    )
    sc.rect(x - width * 0.4, top - width * 0.35, x + width * 0.4, top + width * 0.15, tone - 10)
    if smoke and height > 8:
        draw_smoke(sc, x, top - width * 0.3, width * 1.1, tone + 10)


def draw_distant_town(sc: Scene, horizon: float, tone: float) -> None:
    """Roofs, a spire and mill chimneys on the far side of the valley."""
    rng = sc.rng
    x = -rng.uniform(0, 40) * sc.u
    while x < sc.w:
        width = rng.uniform(30, 110) * sc.u
        height = rng.uniform(6, 28) * sc.u
        sc.rect(x, horizon - height, x + width, horizon + 2, sc.jitter(tone, 6))
        x += width
    for _ in range(rng.randint(1, 3)):
        cx = rng.uniform(0.05, 0.95) * sc.w
        draw_mill_chimney(sc, cx, horizon, rng.uniform(50, 120) * sc.u, 9 * sc.u, tone - 8)
    if rng.random() < 0.6:
        cx = rng.uniform(0.1, 0.9) * sc.w
        sw = 12 * sc.u
        sc.rect(cx - sw, horizon - 60 * sc.u, cx + sw, horizon, tone - 4)
        sc.poly([(cx - sw, horizon - 60 * sc.u), (cx, horizon - 120 * sc.u),
                 (cx + sw, horizon - 60 * sc.u)], tone - 4)


def draw_tree(sc: Scene, x: float, base: float, size: float, tone: float) -> None:
    rng = sc.rng
    sc.line([(x, base), (x, base - size * 0.6)], tone - 25, max(1, size * 0.05))
    for _ in range(14):
        cx = x + rng.uniform(-0.45, 0.45) * size
        cy = base - size * rng.uniform(0.5, 1.05)
        r = size * rng.uniform(0.14, 0.28)
        sc.oval(cx - r, cy - r * 0.85, cx + r, cy + r * 0.85, tone + rng.uniform(-18, 18))


# --------------------------------------------------------------------------- figures


def draw_figure(
    sc: Scene,
    fx: float,
    fy: float,
    height: float,
    style: str,
    tone: Callable[[float], float],
    facing: bool = True,
) -> None:
    """A person standing on (fx, fy), ``height`` pixels tall, as a period silhouette.

    Styles: "man" (cap or bowler, jacket or overcoat), "woman" (shawl or hat, long skirt,
    perhaps an apron) and "child" (a smaller figure of either).
    """
    rng = sc.rng
    if height < 4:
        sc.line([(fx, fy), (fx, fy - height)], tone(50), 1)
        return
    if style == "child":
        style = rng.choice(("man", "woman"))
        height *= 0.68
        child = True
    else:
        child = False
    coat = tone(rng.uniform(26, 66))
    face = tone(rng.uniform(135, 175)) if facing else None
    if style == "woman":
        _draw_woman(sc, fx, fy, height, coat, face, tone, child)
    else:
        _draw_man(sc, fx, fy, height, coat, face, tone, child)


def _fig(fx: float, fy: float, h: float, points: Sequence[Point], dx: float = 0.0) -> list[Point]:
    """Figure-space points (x across, y up, in heights) to pixels."""
    return [(fx + (x + dx) * h, fy - y * h) for x, y in points]


def _fig_oval(sc: Scene, fx: float, fy: float, h: float, box: Box, tone: float) -> None:
    x0, y0, x1, y1 = box
    sc.oval(fx + x0 * h, fy - y1 * h, fx + x1 * h, fy - y0 * h, tone)


def _draw_man(
    sc: Scene, fx: float, fy: float, h: float, coat: float, face: float | None,
    tone: Callable[[float], float], child: bool,
) -> None:
    rng = sc.rng
    stride = rng.uniform(0.0, 0.06) if rng.random() < 0.6 else 0.0
    legs = tone(rng.uniform(22, 50)) if not child else tone(rng.uniform(30, 110))
    sc.poly(_fig(fx, fy, h, ((-0.055, 0.48), (0.0, 0.48), (-0.015 - stride, 0.03),
                             (-0.045 - stride, 0.03))), legs)
    sc.poly(_fig(fx, fy, h, ((0.0, 0.48), (0.055, 0.48), (0.045 + stride, 0.03),
                             (0.015 + stride, 0.03))), legs)
    boots = tone(22)
    _fig_oval(sc, fx, fy, h, (-0.06 - stride, 0.0, -0.008 - stride, 0.04), boots)
    _fig_oval(sc, fx, fy, h, (0.008 + stride, 0.0, 0.06 + stride, 0.04), boots)
    hem = 0.45 if child else rng.choice((0.43, 0.43, 0.27))
    flare = 0.015 if hem < 0.3 else 0.0
    sc.poly(_fig(fx, fy, h, ((-0.03, 0.865), (0.03, 0.865), (0.08, 0.845), (0.1, 0.81),
                             (0.1, 0.62), (0.095 + flare, hem), (-0.095 - flare, hem),
                             (-0.1, 0.62), (-0.1, 0.81), (-0.08, 0.845))), coat)
    swing = rng.uniform(-0.025, 0.025)
    for side in (-1, 1):
        arm = ((0.075, 0.83), (0.108, 0.8), (0.118 + swing * side, 0.5),
               (0.085 + swing * side, 0.49), (0.08, 0.7))
        sc.poly([(fx + side * x * h, fy - y * h) for x, y in arm], coat - 8)
        if face is not None:
            hx = fx + side * (0.102 + swing * side) * h
            sc.oval(hx - 0.018 * h, fy - 0.5 * h, hx + 0.018 * h, fy - 0.455 * h, face - 15)
    skin = face if face is not None else tone(40)
    sc.poly(_fig(fx, fy, h, ((-0.024, 0.885), (0.024, 0.885), (0.026, 0.845), (-0.026, 0.845))),
            skin - 25)
    _fig_oval(sc, fx, fy, h, (-0.045, 0.87, 0.045, 0.99), skin)
    if face is None:
        _fig_oval(sc, fx, fy, h, (-0.045, 0.885, 0.045, 0.99), tone(35))
    else:  # a shadowed brow under the hat
        _fig_oval(sc, fx, fy, h, (-0.035, 0.925, 0.035, 0.945), skin - 40)
    hat = tone(rng.uniform(18, 45))
    if rng.random() < 0.7:  # flat cap
        sc.poly(_fig(fx, fy, h, ((-0.052, 0.945), (0.052, 0.945), (0.05, 0.98), (0.015, 0.998),
                                 (-0.04, 0.99))), hat)
        if face is not None:
            sc.poly(_fig(fx, fy, h, ((-0.045, 0.95), (0.055, 0.95), (0.04, 0.932),
                                     (-0.035, 0.936))), hat)
    else:  # bowler
        _fig_oval(sc, fx, fy, h, (-0.04, 0.945, 0.04, 1.035), hat)
        _fig_oval(sc, fx, fy, h, (-0.062, 0.942, 0.062, 0.96), hat)


def _draw_woman(
    sc: Scene, fx: float, fy: float, h: float, coat: float, face: float | None,
    tone: Callable[[float], float], child: bool,
) -> None:
    rng = sc.rng
    sway = rng.uniform(-0.015, 0.015)
    hem_y = 0.26 if child else 0.0
    if child:
        legs = tone(rng.uniform(25, 60))
        sc.poly(_fig(fx, fy, h, ((-0.04, 0.3), (0.04, 0.3), (0.035, 0.02), (-0.035, 0.02))), legs)
        _fig_oval(sc, fx, fy, h, (-0.05, 0.0, 0.05, 0.035), tone(22))
    sc.poly(_fig(fx, fy, h, ((-0.065, 0.57), (0.065, 0.57), (0.09, 0.35), (0.12, hem_y + 0.02),
                             (0.1, hem_y), (-0.1, hem_y), (-0.12, hem_y + 0.02), (-0.09, 0.35)),
                 dx=sway), coat)
    if rng.random() < 0.35:  # apron
        apron = tone(rng.uniform(125, 175))
        sc.poly(_fig(fx, fy, h, ((-0.05, 0.56), (0.05, 0.56), (0.07, hem_y + 0.12),
                                 (-0.07, hem_y + 0.12)), dx=sway * 0.5), apron)
    sc.poly(_fig(fx, fy, h, ((-0.026, 0.855), (0.026, 0.855), (0.07, 0.83), (0.085, 0.78),
                             (0.065, 0.56), (-0.065, 0.56), (-0.085, 0.78), (-0.07, 0.83))),
            coat - 6)
    skin = face if face is not None else tone(40)
    _fig_oval(sc, fx, fy, h, (-0.04, 0.845, 0.04, 0.96), skin)
    wrap = tone(rng.uniform(22, 75))
    if rng.random() < 0.55:  # shawl over head and shoulders, crossed in front
        sc.poly(_fig(fx, fy, h, ((0.0, 0.99), (0.045, 0.975), (0.06, 0.9), (0.1, 0.83),
                                 (0.11, 0.7), (0.05, 0.6), (-0.05, 0.6), (-0.11, 0.7),
                                 (-0.1, 0.83), (-0.06, 0.9), (-0.045, 0.975))), wrap)
        if face is not None:
            _fig_oval(sc, fx, fy, h, (-0.032, 0.855, 0.032, 0.945), skin)
    else:  # hair up under a hat
        _fig_oval(sc, fx, fy, h, (-0.045, 0.91, 0.045, 0.985), tone(35))
        _fig_oval(sc, fx, fy, h, (-0.085, 0.955, 0.085, 0.985), wrap)
        _fig_oval(sc, fx, fy, h, (-0.045, 0.965, 0.045, 1.04), wrap)


def people_styles(rng: random.Random) -> str:
    return rng.choices(("man", "woman", "child"), weights=(45, 35, 20))[0]


def figure_in_street(sc: Scene, cam: Camera, x: float, z: float, style: str) -> Callable[[], None]:
    def paint() -> None:
        fx, fy = cam.at(x, 0, z)
        height = {"man": 1.72, "woman": 1.6, "child": 1.2}[style] * cam.scale(z)

        def tone(t: float) -> float:
            return cam.tone(t, z)

        facing = sc.rng.random() < 0.5
        if sc.rng.random() < 0.15:  # moved during the exposure
            box = (fx - height * 0.3, fy - height * 1.1, fx + height * 0.3, fy + 2)
            with translucent(sc, sc.rng.uniform(0.3, 0.55), box):
                draw_figure(sc, fx, fy, height, style, tone, facing)
        else:
            draw_figure(sc, fx, fy, height, style, tone, facing)

    return paint


def draw_lamp_post(sc: Scene, cam: Camera, x: float, z: float) -> None:
    """A cast-iron gas lamp: post, ladder bar, glazed lantern with a cap."""
    s = cam.scale(z)
    dark = cam.tone(32, z)
    sc.line([cam.at(x, 0, z), cam.at(x, 3.6, z)], dark, 0.11 * s)
    sc.poly(cam.front(z, x - 0.13, x + 0.13, 0, 0.7), dark)
    sc.line([cam.at(x - 0.35, 3.25, z), cam.at(x + 0.35, 3.25, z)], dark, 0.04 * s)
    sc.poly([cam.at(x - 0.12, 3.6, z), cam.at(x - 0.2, 4.15, z),
             cam.at(x + 0.2, 4.15, z), cam.at(x + 0.12, 3.6, z)], cam.tone(150, z))
    sc.line([cam.at(x, 3.6, z), cam.at(x, 4.15, z)], dark, 0.025 * s)
    sc.poly([cam.at(x - 0.25, 4.15, z), cam.at(x, 4.42, z), cam.at(x + 0.25, 4.15, z)], dark)
    sc.line([cam.at(x, 4.4, z), cam.at(x, 4.55, z)], dark, 0.03 * s)


def draw_cart(sc: Scene, cam: Camera, x: float, z: float) -> None:
    """A horse and cart going away from the camera: tailboard, wheels, carter and horse's ears."""
    dark = cam.tone(40, z)
    sc.poly(cam.front(z + 3.0, x - 0.5, x + 0.5, 1.1, 2.0), cam.tone(35, z + 3))
    sc.poly(cam.front(z + 3.0, x - 0.35, x - 0.2, 2.0, 2.25), cam.tone(35, z + 3))
    sc.poly(cam.front(z + 3.0, x + 0.2, x + 0.35, 2.0, 2.25), cam.tone(35, z + 3))
    for side in (-1, 1):
        wx = x + side * 0.95
        (ax, ay), (bx, by) = cam.at(wx - 0.07, 1.3, z + 0.4), cam.at(wx + 0.07, 0, z + 0.4)
        sc.oval(ax, ay, bx, by, dark)
    sc.poly(cam.front(z, x - 0.9, x + 0.9, 0.75, 1.55), cam.tone(78, z))
    for i in range(1, 4):
        y = 0.75 + i * 0.2
        sc.line([cam.at(x - 0.9, y, z), cam.at(x + 0.9, y, z)], cam.tone(55, z), 1)
    carter = cam.at(x + 0.3, 1.45, z + 1.0)
    draw_figure(sc, carter[0], carter[1], 0.9 * cam.scale(z + 1.0), "man",
                lambda t: cam.tone(t, z + 1.0))


# --------------------------------------------------------------------------- streets


@dataclass
class House:
    z0: float
    z1: float
    eave: float
    tone: float
    shop: bool
    door_near: bool
    whitened_step: bool


def plan_terrace(
    rng: random.Random, z_start: float, z_end: float, shops: float, storeys: int = 2
) -> list[House]:
    houses = []
    z = z_start
    eave = 2.9 * storeys + rng.uniform(0.4, 1.1)
    base = rng.uniform(70, 110)
    while z < z_end:
        width = rng.uniform(4.3, 5.6)
        step = rng.uniform(-0.6, 1.2) if rng.random() < 0.2 else 0.0
        houses.append(
            House(z, z + width, eave + step, base + rng.uniform(-12, 12), rng.random() < shops,
                  rng.random() < 0.5, rng.random() < 0.6)
        )
        z += width
    return houses


def draw_terrace(
    sc: Scene,
    cam: Camera,
    x_face: float,
    houses: list[House],
    objects: list[Drawable],
) -> None:
    """A row of houses along the plane x = x_face, drawn far to near so nearer ones overlap."""
    for house in reversed(houses):
        draw_house(sc, cam, x_face, house, objects)


def draw_house(
    sc: Scene, cam: Camera, xf: float, house: House, objects: list[Drawable]
) -> None:
    side = 1 if xf > cam.x else -1
    z0, z1 = house.z0, house.z1

    def t(v: float) -> float:
        return cam.tone(v, z0)

    ridge_x, ridge_y = xf + side * 3.8, house.eave + 2.3
    sc.poly([cam.at(xf, house.eave, z0), cam.at(xf, house.eave, z1),
             cam.at(ridge_x, ridge_y, z1), cam.at(ridge_x, ridge_y, z0)], t(58))
    draw_chimney_stack(sc, cam, xf + side * 2.6, z0, ridge_y, side)
    sc.poly(cam.wall(xf, z0, z1, 0, house.eave), t(house.tone))
    pixels = cam.scale(z1) * (z1 - z0)
    if pixels > 40:
        draw_stone_courses(sc, cam, xf, house)
    sc.line([cam.at(xf, house.eave, z0), cam.at(xf, house.eave, z1)], t(30), cam.scale(z0) * 0.12)
    if pixels < 5:
        return
    if house.shop:
        draw_house_shop(sc, cam, xf, house, objects)
    else:
        draw_house_ground_floor(sc, cam, xf, house)
    draw_house_upper_floor(sc, cam, xf, house)
    pipe = z1 - 0.15
    sc.line([cam.at(xf, 0, pipe), cam.at(xf, house.eave, pipe)], t(35), cam.scale(pipe) * 0.07)


def draw_stone_courses(sc: Scene, cam: Camera, xf: float, house: House) -> None:
    rng = sc.rng
    y = 0.3
    while y < house.eave - 0.2:
        course = rng.uniform(0.25, 0.4)
        sc.poly(cam.wall(xf, house.z0, house.z1, y, y + course),
                cam.tone(house.tone + rng.uniform(-9, 9), house.z0))
        y += course
    if rng.random() < 0.7:  # soot run down from the eaves
        z = rng.uniform(house.z0, house.z1 - 0.6)
        sc.poly(cam.wall(xf, z, z + rng.uniform(0.3, 1.0), house.eave * rng.uniform(0.3, 0.7),
                         house.eave), cam.tone(house.tone - 18, house.z0))


def draw_chimney_stack(
    sc: Scene, cam: Camera, x: float, z: float, ridge_y: float, side: int
) -> None:
    top = ridge_y + 1.1
    near = x - side * 0.45
    sc.poly(cam.wall(near, z - 0.4, z + 0.4, ridge_y - 1.8, top), cam.tone(48, z))
    sc.poly(cam.front(z - 0.4, near, x + side * 0.45, ridge_y - 1.8, top), cam.tone(62, z))
    sc.poly(cam.front(z - 0.45, near - side * 0.05, x + side * 0.5, top - 0.12, top + 0.05),
            cam.tone(90, z))
    count = sc.rng.randint(2, 4)
    for i in range(count):
        px = lerp(near, x + side * 0.45, (i + 0.5) / count)
        height = sc.rng.uniform(0.35, 0.7)
        sc.poly(cam.front(z - 0.3, px - 0.09, px + 0.09, top, top + height), cam.tone(70, z))


def draw_sash_window(
    sc: Scene, cam: Camera, xf: float, z0: float, z1: float, y0: float, y1: float,
) -> None:
    """A sash window set back in the wall: lintel, sill, reveal, frame, glass and net curtains."""
    side = 1 if xf > cam.x else -1
    rng = sc.rng

    def t(v: float) -> float:
        return cam.tone(v, z0)

    sc.poly(cam.wall(xf, z0 - 0.12, z1 + 0.12, y1, y1 + 0.24), t(165))
    sc.poly(cam.wall(xf, z0 - 0.15, z1 + 0.15, y0 - 0.13, y0), t(180))
    back = xf + side * 0.2
    sc.poly(cam.wall(xf, z0, z1, y0, y1), t(30))
    sc.poly(cam.front(z1, xf, back, y0, y1), t(105))
    sc.poly(cam.wall(back, z0, z1, y0, y1), t(150))
    fr = 0.05
    glass = rng.uniform(18, 48)
    mid = (y0 + y1) / 2
    sc.poly(cam.wall(back, z0 + fr, z1 - fr, mid + 0.025, y1 - fr), t(glass))
    lower = rng.uniform(85, 135) if rng.random() < 0.55 else glass + 6
    sc.poly(cam.wall(back, z0 + fr, z1 - fr, y0 + fr, mid - 0.025), t(lower))
    if rng.random() < 0.3:  # blind part drawn
        sc.poly(cam.wall(back, z0 + fr, z1 - fr, y1 - fr - (y1 - y0) * 0.22, y1 - fr), t(150))
    if rng.random() < 0.5:  # sky reflected in the upper panes
        sc.poly(cam.wall(back, z0 + fr, lerp(z0, z1, 0.4), lerp(mid, y1, 0.4), y1 - fr),
                t(glass + 45))
    if cam.scale(z0) * (z1 - z0) > 25:
        zm = (z0 + z1) / 2
        sc.line([cam.at(back, y0, zm), cam.at(back, y1, zm)], t(140), cam.scale(zm) * 0.035)


def draw_door(sc: Scene, cam: Camera, xf: float, z0: float, z1: float, whitened: bool) -> None:
    side = 1 if xf > cam.x else -1
    rng = sc.rng

    def t(v: float) -> float:
        return cam.tone(v, z0)

    back = xf + side * 0.25
    sc.poly(cam.wall(xf, z0 - 0.1, z1 + 0.1, 2.35, 2.55), t(165))
    sc.poly(cam.wall(xf, z0, z1, 0.18, 2.35), t(30))
    sc.poly(cam.front(z1, xf, back, 0.18, 2.35), t(95))
    sc.poly(cam.wall(back, z0, z1, 2.05, 2.35), t(rng.uniform(60, 120)))  # fanlight
    door = rng.uniform(30, 85)
    sc.poly(cam.wall(back, z0, z1, 0.18, 2.0), t(door))
    if cam.scale(z0) * (z1 - z0) > 20:
        for y0, y1 in ((0.35, 1.0), (1.15, 1.85)):
            sc.poly(cam.wall(back, z0 + 0.12, z1 - 0.12, y0, y1), t(door + 14))
    step = 205 if whitened else 150
    sc.poly(cam.floor(0.2, xf, xf - side * 0.32, z0 - 0.05, z1 + 0.05), t(step))
    sc.poly(cam.wall(xf - side * 0.32, z0 - 0.05, z1 + 0.05, 0.0, 0.2), t(step - 35))


def draw_house_ground_floor(sc: Scene, cam: Camera, xf: float, house: House) -> None:
    z0, z1 = house.z0, house.z1
    if house.door_near:
        draw_sash_window(sc, cam, xf, z1 - 2.2, z1 - 0.6, 0.85, 2.35)
        draw_door(sc, cam, xf, z0 + 0.5, z0 + 1.45, house.whitened_step)
    else:
        draw_door(sc, cam, xf, z1 - 1.45, z1 - 0.5, house.whitened_step)
        draw_sash_window(sc, cam, xf, z0 + 0.6, z0 + 2.2, 0.85, 2.35)


def draw_house_upper_floor(sc: Scene, cam: Camera, xf: float, house: House) -> None:
    z0, z1 = house.z0, house.z1
    floors = max(1, int((house.eave - 0.3) / 2.9) - 1)
    for level in range(floors):
        y0 = 3.5 + level * 2.9
        y1 = min(y0 + 1.6, house.eave - 0.35)
        if house.door_near:
            draw_sash_window(sc, cam, xf, z1 - 2.2, z1 - 0.6, y0, y1)
            draw_sash_window(sc, cam, xf, z0 + 0.6, z0 + 1.35, y0 + 0.2, y1)
        else:
            draw_sash_window(sc, cam, xf, z0 + 0.6, z0 + 2.2, y0, y1)
            draw_sash_window(sc, cam, xf, z1 - 1.35, z1 - 0.6, y0 + 0.2, y1)


def draw_house_shop(
    sc: Scene, cam: Camera, xf: float, house: House, objects: list[Drawable]
) -> None:
    """A corner-shop front on the ground floor: fascia with lettering, big window, stall riser."""
    side = 1 if xf > cam.x else -1
    rng = sc.rng
    z0, z1 = house.z0, house.z1

    def t(v: float) -> float:
        return cam.tone(v, z0)

    sc.poly(cam.wall(xf, z0 + 0.15, z1 - 0.15, 2.5, 3.1), t(rng.uniform(25, 50)))
    sc.poly(cam.wall(xf, z0 + 0.1, z1 - 0.1, 3.1, 3.22), t(150))
    if cam.scale(z0) * (z1 - z0) > 30:
        draw_wall_lettering(sc, cam, xf, z0 + 0.5, z1 - 0.5, 2.62, 2.98, t(200))
    sc.poly(cam.wall(xf, z0 + 0.2, z1 - 0.2, 0, 2.5), t(150))
    back = xf + side * 0.12
    glass_end = z1 - 1.3
    sc.poly(cam.wall(back, z0 + 0.3, glass_end, 0.65, 2.4), t(rng.uniform(35, 65)))
    sc.poly(cam.wall(back, z0 + 0.3, glass_end, 0.0, 0.6), t(45))
    if cam.scale(z0) * (z1 - z0) > 25:
        draw_window_goods(sc, cam, back, z0 + 0.4, glass_end - 0.1, t)
    sc.poly(cam.wall(xf, glass_end + 0.1, z1 - 0.3, 0, 2.35), t(28))
    if rng.random() < 0.45:
        def awning() -> None:
            out = xf - side * 1.7
            sc.poly([cam.at(xf, 2.95, z0 + 0.3), cam.at(xf, 2.95, z1 - 0.3),
                     cam.at(out, 2.35, z1 - 0.3), cam.at(out, 2.35, z0 + 0.3)], t(185))
            sc.poly(cam.wall(out, z0 + 0.3, z1 - 0.3, 2.1, 2.35), t(160))

        objects.append((z0, awning))


def draw_wall_lettering(
    sc: Scene, cam: Camera, xf: float, z0: float, z1: float, y0: float, y1: float, tone: float
) -> None:
    rng = sc.rng
    z = z0
    while z < z1:
        width = rng.uniform(0.16, 0.26)
        if rng.random() > 0.15:
            sc.poly(cam.wall(xf, z, min(z + width * 0.7, z1), y0, y1), tone)
        z += width


def draw_window_goods(
    sc: Scene, cam: Camera, x: float, z0: float, z1: float, t: Callable[[float], float]
) -> None:
    rng = sc.rng
    for shelf in (0.75, 1.25, 1.75):
        z = z0
        while z < z1:
            width = rng.uniform(0.1, 0.25)
            sc.poly(cam.wall(x, z, z + width * 0.8, shelf, shelf + rng.uniform(0.12, 0.3)),
                    t(rng.uniform(60, 150)))
            z += width
    sc.poly(cam.wall(x, z0, z1, 2.0, 2.4), t(rng.uniform(90, 140)))


def draw_roadway(sc: Scene, cam: Camera, kerb: float, building_line: float, far: float) -> None:
    """Setts in the carriageway, flagged pavements, kerbs and gutters."""
    near = cam.nearest_visible_z(sc.h)
    sc.poly(cam.floor(0, -kerb, kerb, near, far), cam.tone(118, 30))
    for side in (-1, 1):
        sc.poly(cam.floor(0.12, side * kerb, side * (building_line + 0.5), near, far),
                cam.tone(150, 20))
    draw_setts(sc, cam, kerb, near, far)
    draw_flags(sc, cam, kerb, building_line, near, far)
    for side in (-1, 1):
        sc.poly(cam.wall(side * kerb, near, far, 0, 0.12), cam.tone(180, 20))
        sc.line([cam.at(side * (kerb - 0.05), 0, near), cam.at(side * (kerb - 0.05), 0, far)],
                cam.tone(50, 30), max(1, 0.05 * cam.scale(near)))


def sett_tone(z: float) -> float:
    """Wet setts shine more the flatter the angle they are seen at."""
    return 92 + 78 * (1 - math.exp(-z / 28))


def draw_setts(sc: Scene, cam: Camera, kerb: float, near: float, far: float) -> None:
    rng = sc.rng
    depth, width, gap = 0.16, 0.3, 0.025
    z = near
    row = 0
    while z < far:
        row_px = cam.scale(z) * cam.eye * depth / z
        base = cam.tone(sett_tone(z), z)
        if row_px < 2.2:
            y0 = cam.at(0, 0, z)[1]
            y1 = cam.at(0, 0, z + depth)[1]
            sc.poly(cam.floor(0, -kerb, kerb, z, z + depth), base + rng.uniform(-6, 6))
            z += depth * max(1.0, 2.2 / max(row_px, 0.01)) if y0 - y1 < 1 else depth
            continue
        x = -kerb - (width / 2 if row % 2 else 0)
        while x < kerb:
            xa, xb = max(x + gap, -kerb), min(x + width - gap, kerb)
            sx0 = cam.at(xa, 0, z)[0]
            sx1 = cam.at(xb, 0, z)[0]
            if sx1 >= -5 and sx0 <= sc.w + 5:
                sc.poly(cam.floor(0, xa, xb, z + gap, z + depth - gap), base + rng.gauss(0, 11))
            x += width
        z += depth
        row += 1


def draw_flags(
    sc: Scene, cam: Camera, kerb: float, building_line: float, near: float, far: float
) -> None:
    rng = sc.rng
    for side in (-1, 1):
        z = near
        while z < min(far, 45):
            length = rng.uniform(0.75, 1.0)
            sc.line([cam.at(side * kerb, 0.12, z), cam.at(side * building_line, 0.12, z)],
                    cam.tone(112, z), max(1, 0.025 * cam.scale(z)))
            z += length
        mid = side * (kerb + building_line) / 2
        sc.line([cam.at(mid, 0.12, near), cam.at(mid, 0.12, min(far, 45))], cam.tone(125, 20),
                max(1, 0.02 * cam.scale(near)))


def draw_street_end(sc: Scene, cam: Camera, far: float, half: float) -> None:
    """Close the view: a mill across the end of the street, or a chapel front."""
    rng = sc.rng
    height = rng.uniform(10, 18)
    tone = cam.tone(80, far)
    sc.poly(cam.front(far, -half * 6, half * 6, 0, height), tone)
    floors = int(height / 3.2)
    x = -half * 6 + 1.5
    while x < half * 6 - 1:
        for level in range(floors):
            y = 1.2 + level * 3.2
            sc.poly(cam.front(far, x, x + 1.2, y, y + 1.8), cam.tone(40, far))
        x += 2.6
    if rng.random() < 0.7:
        cx, base = cam.at(rng.uniform(-half * 3, half * 3), height, far)
        scale = cam.scale(far)
        draw_mill_chimney(sc, cx, base, rng.uniform(20, 35) * scale, 2.6 * scale, tone - 10)


def add_street_life(
    sc: Scene, cam: Camera, objects: list[Drawable], kerb: float, half: float, far: float,
    count: int,
) -> None:
    rng = sc.rng
    for _ in range(count):
        z = min(far - 4, 6.0 + rng.expovariate(1 / 16))
        if rng.random() < 0.72:
            side = rng.choice((-1, 1))
            x = side * rng.uniform(kerb + 0.3, half - 0.4)
        else:
            x = rng.uniform(-kerb + 0.5, kerb - 0.5)
        objects.append((z, figure_in_street(sc, cam, x, z, people_styles(rng))))


def add_lamps(
    sc: Scene, cam: Camera, objects: list[Drawable], kerb: float, far: float
) -> None:
    rng = sc.rng
    sides = rng.choice(((-1,), (1,), (-1, 1)))
    for side in sides:
        z = rng.uniform(5, 14)
        while z < far - 10:
            objects.append((z, _lamp(sc, cam, side * (kerb - 0.35), z)))
            z += rng.uniform(22, 34)


def _lamp(sc: Scene, cam: Camera, x: float, z: float) -> Callable[[], None]:
    return lambda: draw_lamp_post(sc, cam, x, z)


def _cart(sc: Scene, cam: Camera, x: float, z: float) -> Callable[[], None]:
    return lambda: draw_cart(sc, cam, x, z)


@dataclass
class Street:
    cam: Camera
    kerb: float
    half: float
    far: float
    objects: list[Drawable]


def lay_out_street(sc: Scene, eye: float = 1.6, cam_x: float | None = None) -> Street:
    """Sky, hills, the far end, the road and both terraces; street furniture left to the caller."""
    rng = sc.rng
    half = rng.uniform(5.0, 6.8)
    kerb = half - rng.uniform(1.5, 2.1)
    x = rng.uniform(-kerb + 1, kerb - 1) if cam_x is None else cam_x
    cam = street_camera(sc, eye=eye, x=x)
    far = rng.uniform(70, 150)
    sunny = rng.random() < 0.6
    sun_side = rng.choice((-1, 1))
    draw_sky(sc, cam.vy, top=rng.uniform(190, 212), bottom=rng.uniform(228, 240))
    draw_hills(sc, cam.vy, far_tone=cam.haze - 10, near_tone=cam.haze - 20)
    if rng.random() < 0.45:
        draw_street_end(sc, cam, far, half)
    else:
        draw_distant_town(sc, cam.vy, cam.haze - 25)
    draw_roadway(sc, cam, kerb, half, far + 300)
    storeys = (rng.choice((2, 2, 2, 3)), rng.choice((2, 2, 3)))
    if sunny:
        reach = 2.9 * max(storeys) * rng.uniform(0.5, 1.6)
        near = cam.nearest_visible_z(sc.h) * 0.5
        edge = sun_side * max(half - reach, -half)
        cast_shadow(sc, cam.floor(0.13, sun_side * half, edge, near, far + 300), 0.42)
    objects: list[Drawable] = []
    shops = rng.uniform(0.0, 0.5)
    near = cam.nearest_visible_z(sc.h) * 0.5
    for side, floors in zip((-1, 1), storeys, strict=True):
        gain = 1.0 if not sunny else (0.68 if side == sun_side else 1.18)
        houses = plan_terrace(rng, near, far, shops, floors)
        draw_terrace(sc, cam.lit(gain), side * half, houses, objects)
    return Street(cam, kerb, half, far, objects)


def paint_street(sc: Scene) -> None:
    rng = sc.rng
    street = lay_out_street(sc, eye=rng.choice((1.6, 1.7, 2.2, 3.4)))
    cam, objects = street.cam, street.objects
    add_lamps(sc, cam, objects, street.kerb, street.far)
    add_street_life(sc, cam, objects, street.kerb, street.half, street.far, rng.randint(4, 14))
    if rng.random() < 0.45:
        z = rng.uniform(10, 35)
        objects.append((z, _cart(sc, cam, rng.uniform(-street.kerb + 1.2, street.kerb - 1.2), z)))
    draw_far_to_near(objects)


# --------------------------------------------------------------------------- trams


def draw_rails(sc: Scene, cam: Camera, centre: float, near: float, far: float) -> None:
    for rail in (centre - 0.72, centre + 0.72):
        sc.poly(cam.floor(0.005, rail - 0.05, rail - 0.01, near, far), cam.tone(50, 15))
        sc.poly(cam.floor(0.005, rail - 0.01, rail + 0.04, near, far), cam.tone(215, 10))


def draw_overhead(sc: Scene, cam: Camera, centre: float, kerb: float, far: float) -> None:
    """Trolley wires over the track and the span wires that hold them from traction poles."""
    rng = sc.rng
    wire = cam.tone(45, 20)
    for x in (centre - 0.3, centre + 0.3):
        sc.line([cam.at(x, 6.4, 1.0), cam.at(x, 6.4, far)], wire, max(1, sc.u * 1.6))
    z = rng.uniform(6, 12)
    while z < far * 0.7:
        s = cam.scale(z)
        pole = cam.tone(35, z)
        for side in (-1, 1):
            x = side * (kerb - 0.3)
            sc.line([cam.at(x, 0, z), cam.at(x, 7.6, z)], pole, 0.22 * s)
            sc.line([cam.at(x, 1.1, z), cam.at(x, 1.25, z)], pole, 0.34 * s)
            sc.poly(cam.front(z, x - 0.12, x + 0.12, 7.6, 8.0), pole)
        sc.line([cam.at(-kerb + 0.3, 6.9, z), cam.at(kerb - 0.3, 6.9, z)], pole, max(1, 0.03 * s))
        z += rng.uniform(28, 40)


@dataclass
class Tram:
    centre: float
    front: float
    length: float
    enclosed_top: bool
    destination: str
    number: str


def draw_tram(sc: Scene, cam: Camera, tram: Tram) -> None:
    """A double-deck tram coming towards the camera, seen three-quarter on."""
    x0, x1 = tram.centre - 1.08, tram.centre + 1.08
    zf, zb = tram.front, tram.front + tram.length
    sx = x1 if cam.x > tram.centre else x0

    def t(v: float) -> float:
        return cam.tone(v, zf)

    sc.poly(cam.floor(0.01, x0 - 0.15, x1 + 0.15, zf - 0.1, zb), t(30))
    draw_tram_side(sc, cam, tram, sx, t)
    draw_tram_front(sc, cam, tram, x0, x1, sx, t)
    top = 4.8 if tram.enclosed_top else 3.95
    mid = zf + tram.length * 0.5
    pole_base = cam.at(tram.centre, top + 0.15, mid)
    pole_head = cam.at(tram.centre - 0.3, 6.4, mid + 5.5)
    sc.line([pole_base, pole_head], t(28), max(1, 0.06 * cam.scale(mid)))
    sc.poly(cam.front(mid, tram.centre - 0.25, tram.centre + 0.25, top, top + 0.25), t(35))


def draw_tram_side(
    sc: Scene, cam: Camera, tram: Tram, sx: float, t: Callable[[float], float]
) -> None:
    """Truck and wheels, lower saloon with its lining and windows, decency boards, upper deck."""
    rng = sc.rng
    zf, zb = tram.front, tram.front + tram.length
    inner = sx - math.copysign(0.25, sx - tram.centre)
    sc.poly(cam.wall(inner, zf + 1.2, zb - 1.2, 0.2, 0.9), t(22))
    for zw in (zf + 2.9, zf + 4.6):
        (ax, ay), (bx, by) = cam.at(inner, 0.84, zw - 0.42), cam.at(inner, 0.0, zw + 0.42)
        sc.oval(ax, ay, bx, by, t(38))
        (ax, ay), (bx, by) = cam.at(inner, 0.52, zw - 0.1), cam.at(inner, 0.32, zw + 0.1)
        sc.oval(ax, ay, bx, by, t(90))
    lo, hi = zf + 1.5, zb - 1.5
    sc.poly(cam.wall(sx, lo, hi, 0.85, 1.65), t(46))
    sc.poly(cam.wall(sx, lo + 0.15, hi - 0.15, 0.98, 1.52), t(58))
    sc.poly(cam.wall(sx, lo + 0.2, hi - 0.2, 1.03, 1.47), t(46))
    sc.poly(cam.wall(sx, lo, hi, 1.65, 2.62), t(150))
    bays = 4
    bay = (hi - lo) / bays
    for i in range(bays):
        za = lo + i * bay + 0.1
        sc.poly(cam.wall(sx, za, za + bay - 0.2, 1.72, 2.3), t(rng.uniform(26, 48)))
        sc.poly(cam.wall(sx, za, za + bay - 0.2, 2.36, 2.55), t(rng.uniform(90, 130)))
        if rng.random() < 0.65:
            head = cam.wall(sx, za + bay * 0.35, za + bay * 0.6, 1.85, 2.25)
            sc.oval(head[1][0], head[1][1], head[3][0], head[3][1], t(rng.uniform(70, 150)))
    sc.poly(cam.wall(sx, zf + 0.6, zb - 0.6, 2.62, 2.9), t(185))
    sc.poly(cam.wall(sx, zf, zb, 2.9, 3.85), t(205))
    for za, zz in ((zf + 1.6, mid_z(tram) - 0.2), (mid_z(tram) + 0.2, zb - 1.6)):
        sc.poly(cam.wall(sx, za, zz, 3.05, 3.7), t(rng.uniform(170, 215)))
        draw_wall_lettering(sc, cam, sx, za + 0.3, zz - 0.3, 3.2, 3.55, t(45))
    if tram.enclosed_top:
        sc.poly(cam.wall(sx, zf + 1.3, zb - 1.3, 3.85, 4.7), t(120))
        panes = 5
        pane = (tram.length - 2.6) / panes
        for i in range(panes):
            za = zf + 1.3 + i * pane
            sc.poly(cam.wall(sx, za + 0.08, za + pane - 0.08, 3.95, 4.55), t(rng.uniform(28, 55)))
        sc.poly(cam.wall(sx, zf + 1.2, zb - 1.2, 4.7, 4.85), t(175))
        draw_railing(sc, cam, sx, zb - 1.3, zb, 3.85, 4.45, t)
    else:
        draw_railing(sc, cam, sx, zf, zb, 3.85, 4.45, t)
        for _ in range(rng.randint(2, 6)):
            z = rng.uniform(zf + 0.8, zb - 0.5)
            fx, fy = cam.at(sx - math.copysign(0.6, sx - tram.centre), 3.0, z)
            draw_figure(sc, fx, fy, 1.55 * cam.scale(z), people_styles(sc.rng), t, False)
        draw_railing(sc, cam, sx, zf, zb, 3.85, 4.45, t)


def mid_z(tram: Tram) -> float:
    return tram.front + tram.length / 2


def draw_railing(
    sc: Scene, cam: Camera, x: float, z0: float, z1: float, y0: float, y1: float,
    t: Callable[[float], float],
) -> None:
    sc.line([cam.at(x, y1, z0), cam.at(x, y1, z1)], t(40), max(1, 0.05 * cam.scale(z0)))
    z = z0
    while z < z1:
        sc.line([cam.at(x, y0, z), cam.at(x, y1, z)], t(40), max(1, 0.025 * cam.scale(z)))
        z += 0.25


def draw_tram_front(
    sc: Scene, cam: Camera, tram: Tram, x0: float, x1: float, sx: float,
    t: Callable[[float], float],
) -> None:
    """Bulkhead, motorman on the open platform, curved dash with headlamp, balcony and sign."""
    rng = sc.rng
    zf = tram.front
    c = tram.centre
    bulk = zf + 1.5
    sc.poly(cam.front(bulk, x0, x1, 0.85, 2.9), t(70))
    sc.poly(cam.front(bulk, c - 0.35, c + 0.35, 1.0, 2.5), t(35))
    for xa in (x0 + 0.12, c + 0.45):
        sc.poly(cam.front(bulk, xa, xa + 0.5, 1.7, 2.35), t(rng.uniform(40, 70)))
    motorman = cam.at(c + rng.uniform(-0.4, 0.3), 0.55, zf + 0.45)
    draw_figure(sc, motorman[0], motorman[1], 1.72 * cam.scale(zf + 0.45), "man", t, True)
    sc.line([cam.at(sx, 0.55, zf + 1.45), cam.at(sx, 2.9, zf + 1.45)], t(40),
            max(1, 0.05 * cam.scale(zf)))
    sc.line([cam.at(sx, 0.55, zf + 0.05), cam.at(sx, 2.9, zf + 0.05)], t(40),
            max(1, 0.05 * cam.scale(zf)))
    sc.poly(cam.wall(sx, zf, zf + 0.7, 0.55, 1.45), t(44))
    sc.poly(cam.wall(sx, zf + 0.7, zf + 1.5, 0.35, 0.5), t(60))
    sc.poly(cam.front(zf, x0, x1, 0.2, 0.5), t(26))
    for i in range(7):
        xa = lerp(x0 + 0.1, x1 - 0.1, i / 6)
        sc.line([cam.at(xa, 0.22, zf - 0.05), cam.at(xa, 0.48, zf - 0.05)], t(70), 1)
    sc.poly(cam.front(zf, x0, x1, 0.5, 1.45), t(44))
    sc.poly(cam.front(zf - 0.01, x0 + 0.12, x1 - 0.12, 0.62, 1.33), t(56))
    sc.poly(cam.front(zf - 0.02, x0 + 0.17, x1 - 0.17, 0.67, 1.28), t(44))
    (ax, ay), (bx, by) = cam.at(c - 0.16, 1.2, zf - 0.03), cam.at(c + 0.16, 0.9, zf - 0.03)
    sc.oval(ax, ay, bx, by, t(230))
    number = cam.front(zf - 0.03, c - 0.3, c + 0.3, 0.7, 0.88)
    draw_label(sc, (number[1][0], number[1][1], number[3][0], number[3][1]), tram.number,
               t(205), 0.95)
    sc.poly(cam.front(zf, x0, x1, 2.9, 3.05), t(185))
    sc.poly(cam.front(zf, x0, x1, 3.05, 3.85), t(205))
    if tram.enclosed_top:
        sc.poly(cam.front(zf + 1.3, x0, x1, 3.85, 4.85), t(110))
        for xa in (x0 + 0.1, c + 0.05):
            sc.poly(cam.front(zf + 1.3, xa, xa + 0.9, 3.95, 4.55), t(rng.uniform(30, 55)))
    sign = cam.front(zf - 0.02, c - 0.8, c + 0.8, 3.95, 4.35)
    sc.poly(sign, t(22))
    draw_label(sc, (sign[1][0], sign[1][1], sign[3][0], sign[3][1]), tram.destination, t(220), 0.7)
    draw_railing(sc, cam, x0, zf, zf + 1.3, 3.85, 4.45, t)
    sc.line([cam.at(x0, 4.45, zf), cam.at(x1, 4.45, zf)], t(40), max(1, 0.05 * cam.scale(zf)))
    x = x0
    while x <= x1 + 0.01:
        sc.line([cam.at(x, 3.85, zf), cam.at(x, 4.45, zf)], t(40), max(1, 0.025 * cam.scale(zf)))
        x += 0.27


TRAM_DESTINATIONS = (
    "TOWN HALL", "HOLMEROYD", "CALDER VALE", "STATION", "KNOWLE TOP", "DEPOT", "BRIGG LANE",
)


def paint_tram(sc: Scene) -> None:
    rng = sc.rng
    centre = rng.uniform(-0.8, 0.8)
    offset = rng.choice((-1, 1)) * rng.uniform(2.8, 3.8)
    street = lay_out_street(sc, eye=rng.uniform(1.5, 1.9), cam_x=centre + offset)
    cam, objects = street.cam, street.objects
    near = cam.nearest_visible_z(sc.h)
    draw_rails(sc, cam, centre, near, street.far + 200)
    if rng.random() < 0.4:
        draw_rails(sc, cam, centre + offset * 0.85, near, street.far + 200)
    tram = Tram(centre, rng.uniform(7.5, 11), rng.uniform(8.5, 9.5), rng.random() < 0.6,
                sc.pick(TRAM_DESTINATIONS), str(rng.randint(3, 96)))
    objects.append((tram.front, lambda: draw_tram(sc, cam, tram)))
    add_lamps(sc, cam, objects, street.kerb, street.far)
    add_street_life(sc, cam, objects, street.kerb, street.half, street.far, rng.randint(3, 10))
    draw_far_to_near(objects)
    draw_overhead(sc, cam, centre, street.kerb, street.far)


# --------------------------------------------------------------------------- markets


def draw_stall(sc: Scene, cam: Camera, x: float, z: float, depth: float, striped: bool) -> None:
    """A trestle stall with goods, a canvas ridge roof and a valance, seen from above."""
    rng = sc.rng
    width = 2.2

    def t(v: float) -> float:
        return cam.tone(v, z)

    sc.poly(cam.front(z, x, x + width, 0, 0.9), t(rng.uniform(140, 185)))
    sc.poly(cam.floor(0.9, x, x + width, z, z + depth), t(80))
    goods = rng.uniform(70, 170)
    heaps = int(30 * depth) if cam.scale(z) * width > 60 else 0
    for _ in range(heaps):
        gx = rng.uniform(x + 0.05, x + width - 0.2)
        gz = rng.uniform(z + 0.05, z + depth - 0.1)
        size = rng.uniform(0.08, 0.16)
        (ax, ay), (bx, by) = cam.at(gx, 0.9 + size, gz), cam.at(gx + size, 0.9, gz)
        sc.oval(ax, ay, bx, by, t(goods + rng.uniform(-35, 35)))
    for px in (x + 0.05, x + width - 0.05):
        sc.line([cam.at(px, 0, z), cam.at(px, 2.3, z)], t(40), max(1, 0.05 * cam.scale(z)))
    ridge = x + width / 2
    canvas = rng.uniform(175, 220)
    sides = (x, x + width) if cam.x < ridge else (x + width, x)
    for eave in sides:
        sc.poly([cam.at(eave, 2.3, z), cam.at(ridge, 2.85, z), cam.at(ridge, 2.85, z + depth),
                 cam.at(eave, 2.3, z + depth)], t(canvas - (0 if eave == sides[1] else 22)))
        if striped:
            zz = z
            while zz < z + depth:
                sc.poly([cam.at(eave, 2.3, zz), cam.at(ridge, 2.85, zz),
                         cam.at(ridge, 2.85, zz + 0.2), cam.at(eave, 2.3, zz + 0.2)],
                        t(canvas - 70))
                zz += 0.4
    sc.poly([cam.at(x, 2.3, z), cam.at(ridge, 2.85, z), cam.at(x + width, 2.3, z)], t(canvas - 8))
    sc.poly(cam.front(z, x - 0.05, x + width + 0.05, 2.05, 2.3), t(canvas - 30))


def _stall(
    sc: Scene, cam: Camera, x: float, z: float, depth: float, striped: bool
) -> Callable[[], None]:
    return lambda: draw_stall(sc, cam, x, z, depth, striped)


def draw_square_ground(sc: Scene, cam: Camera, near: float, far: float) -> None:
    """The market place's setts: bands that close up with distance, and a little litter."""
    rng = sc.rng
    sc.poly(cam.floor(0, -60, 60, near, far), cam.tone(140, 20))
    z = near
    while z < far:
        depth = max(0.15, z * 0.03)
        sc.poly(cam.floor(0, -60, 60, z, z + depth * 0.5), cam.tone(rng.uniform(128, 146), z))
        z += depth
    for _ in range(60):
        x, z = rng.uniform(-14, 14), rng.uniform(near, far * 0.6)
        (ax, ay), (bx, by) = cam.at(x, 0.0, z), cam.at(x + 0.25, 0.0, z + 0.15)
        sc.rect(ax, ay, bx, by, cam.tone(rng.choice((90, 200)), z))


def draw_market_hall(sc: Scene, cam: Camera, z: float, span: float) -> None:
    """The back of the square: a market hall with a clock tower between older buildings."""
    rng = sc.rng
    tone = cam.tone(95, z)
    height = rng.uniform(9, 13)
    sc.poly(cam.front(z, -span, span, 0, height), tone)
    for level in range(int(height / 3.5)):
        y = 1.0 + level * 3.5
        x = -span + 1.0
        while x < span - 1.5:
            sc.poly(cam.front(z, x, x + 1.1, y, y + 2.2), cam.tone(40, z))
            x += 2.3
    tx = rng.uniform(-4, 4)
    sc.poly(cam.front(z - 0.5, tx - 2, tx + 2, 0, height + 9), cam.tone(105, z))
    ax, ay = cam.at(tx - 1.3, height + 7.5, z - 0.6)
    bx, by = cam.at(tx + 1.3, height + 4.9, z - 0.6)
    sc.oval(ax, ay, bx, by, cam.tone(215, z))
    cx, cy = (ax + bx) / 2, (ay + by) / 2
    r = (bx - ax) / 2
    sc.line([(cx, cy), (cx + r * 0.1, cy - r * 0.7)], cam.tone(30, z), max(1, r * 0.08))
    sc.line([(cx, cy), (cx + r * 0.5, cy + r * 0.2)], cam.tone(30, z), max(1, r * 0.08))
    sc.poly([cam.at(tx - 2.2, height + 9, z - 0.5), cam.at(tx, height + 13, z - 0.5),
             cam.at(tx + 2.2, height + 9, z - 0.5)], cam.tone(80, z))


def paint_market(sc: Scene) -> None:
    rng = sc.rng
    cam = street_camera(sc, eye=rng.uniform(3.0, 5.0), x=rng.uniform(-2, 2))
    cam = replace(cam, vy=sc.h * rng.uniform(0.3, 0.4))
    draw_sky(sc, cam.vy, top=rng.uniform(195, 212), bottom=rng.uniform(228, 238))
    draw_hills(sc, cam.vy, cam.haze - 10, cam.haze - 20)
    back = rng.uniform(45, 65)
    near = cam.nearest_visible_z(sc.h)
    draw_square_ground(sc, cam, near, back)
    draw_market_hall(sc, cam, back, 40)
    objects: list[Drawable] = []
    side_houses = plan_terrace(rng, near * 0.5, back, 0.7, 3)
    draw_terrace(sc, cam, -16, side_houses, objects)
    draw_terrace(sc, cam, 16, plan_terrace(rng, near * 0.5, back, 0.7, 3), objects)
    striped = rng.random() < 0.5
    for lane in (-11.5, -6.0, -0.5, 5.0, 10.5):
        z = rng.uniform(4, 7)
        while z < back - 6:
            depth = rng.uniform(1.6, 2.4)
            objects.append((z, _stall(sc, cam, lane, z, depth, striped)))
            if rng.random() < 0.5:  # stallholder or customer at the front
                fx = lane + rng.uniform(0.3, 1.9)
                objects.append((z - 0.4, figure_in_street(sc, cam, fx, z - 0.4,
                                                          people_styles(rng))))
            z += depth + rng.uniform(0.2, 1.2)
    for _ in range(rng.randint(35, 70)):
        z = near + 1 + rng.expovariate(1 / 14)
        if z > back - 5:
            continue
        x = rng.choice((-12.8, -7.3, -1.8, 3.7, 9.2)) + rng.uniform(-1.0, 1.0)
        objects.append((z - 0.3, figure_in_street(sc, cam, x, z, people_styles(rng))))
    draw_far_to_near(objects)


# --------------------------------------------------------------------------- facades seen square on


CHAPEL_NAMES = ("EBENEZER", "BETHEL", "ZION", "PROVIDENCE", "SALEM")
MILL_NAMES = ("ALBION MILLS", "CALDER MILLS", "PROSPECT MILL", "VICTORIA MILLS")


def draw_window_2d(
    sc: Scene, box: Box, *, arched: bool = False, panes: tuple[int, int] = (2, 2),
    frame: float = 165, glass: float | None = None, sill: bool = True,
) -> None:
    """A frontal window: stone surround, painted frame, glazing bars, dark or curtained glass."""
    rng = sc.rng
    x0, y0, x1, y1 = box
    w = x1 - x0
    glass = rng.uniform(28, 60) if glass is None else glass
    if sill:
        sc.rect(x0 - w * 0.1, y1, x1 + w * 0.1, y1 + w * 0.12, 180)
    if arched:
        sc.oval(x0 - w * 0.08, y0 - w * 0.08, x1 + w * 0.08, y0 + w * 1.08, 165)
        sc.oval(x0, y0, x1, y0 + w, frame)
        sc.rect(x0, y0 + w / 2, x1, y1, frame)
        inset = max(1.0, w * 0.08)
        sc.oval(x0 + inset, y0 + inset, x1 - inset, y0 + w - inset, glass)
        sc.rect(x0 + inset, y0 + w / 2, x1 - inset, y1 - inset, glass)
        top = y0 + w / 2
    else:
        sc.rect(x0 - w * 0.06, y0 - w * 0.22, x1 + w * 0.06, y0, 172)
        sc.rect(x0, y0, x1, y1, frame)
        inset = max(1.0, w * 0.08)
        sc.rect(x0 + inset, y0 + inset, x1 - inset, y1 - inset, glass)
        top = y0
    if rng.random() < 0.5:
        sc.rect(x0 + inset, (top + y1) / 2, x1 - inset, y1 - inset, rng.uniform(120, 175))
    bar = max(1.0, w * 0.035)
    cols, rows = panes
    for i in range(1, cols):
        x = lerp(x0, x1, i / cols)
        sc.line([(x, top), (x, y1)], frame, bar)
    for j in range(1, rows):
        y = lerp(top, y1, j / rows)
        sc.line([(x0, y), (x1, y)], frame, bar)


def draw_column(sc: Scene, x: float, y0: float, y1: float, width: float, tone: float) -> None:
    sc.rect(x - width * 0.75, y1 - width * 0.35, x + width * 0.75, y1, tone - 10)
    shaded(sc, (x - width / 2, y0, x + width / 2, y1 - width * 0.3),
           cylinder(tone + 40, tone - 45), shape="rect")
    sc.rect(x - width * 0.8, y0 - width * 0.35, x + width * 0.8, y0, tone + 15)


def draw_clock(sc: Scene, cx: float, cy: float, r: float) -> None:
    sc.oval(cx - r * 1.12, cy - r * 1.12, cx + r * 1.12, cy + r * 1.12, 60)
    sc.oval(cx - r, cy - r, cx + r, cy + r, 222)
    for i in range(12):
        a = i * math.pi / 6
        sc.line([(cx + math.sin(a) * r * 0.78, cy - math.cos(a) * r * 0.78),
                 (cx + math.sin(a) * r * 0.93, cy - math.cos(a) * r * 0.93)], 40, max(1, r * 0.06))
    hour = sc.rng.uniform(0, 2 * math.pi)
    minute = sc.rng.uniform(0, 2 * math.pi)
    sc.line([(cx, cy), (cx + math.sin(hour) * r * 0.5, cy - math.cos(hour) * r * 0.5)], 25,
            max(1, r * 0.08))
    sc.line([(cx, cy), (cx + math.sin(minute) * r * 0.8, cy - math.cos(minute) * r * 0.8)], 25,
            max(1, r * 0.05))


def draw_railings(sc: Scene, x0: float, x1: float, y: float, height: float) -> None:
    step = max(3.0, height * 0.12)
    sc.line([(x0, y - height * 0.85), (x1, y - height * 0.85)], 30, max(1, height * 0.03))
    sc.line([(x0, y - height * 0.12), (x1, y - height * 0.12)], 30, max(1, height * 0.03))
    x = x0
    while x <= x1:
        sc.line([(x, y), (x, y - height)], 30, max(1, height * 0.025))
        sc.poly([(x - height * 0.03, y - height), (x, y - height * 1.08),
                 (x + height * 0.03, y - height)], 30)
        x += step


def draw_foreground_road(sc: Scene, top: float) -> None:
    """Setts in the foreground of a frontal view, rows closer together towards the building."""
    rng = sc.rng
    sc.rect(0, top, sc.w, sc.h, 120)
    y = top
    row = max(2.0, sc.h * 0.006)
    while y < sc.h:
        tone = 110 + 40 * (1 - (y - top) / max(1, sc.h - top))
        x = -rng.uniform(0, row * 2)
        while x < sc.w:
            width = row * rng.uniform(1.6, 2.2)
            sc.rect(x + 1, y + 1, x + width - 1, y + row - 1, tone + rng.gauss(0, 10))
            x += width
        y += row
        row *= 1.07


def draw_flat_terrace(sc: Scene, x0: float, x1: float, ground: float, height: float) -> None:
    """Plain houses either side of the subject: frontal, smaller and darker."""
    rng = sc.rng
    tone = rng.uniform(70, 105)
    sc.rect(x0, ground - height, x1, ground, tone)
    sc.rect(x0, ground - height - height * 0.08, x1, ground - height, 55)
    bay = height * 0.42
    x = x0 + bay * 0.3
    while x + bay * 0.4 < x1:
        for level in (0.18, 0.6):
            y = ground - height + height * level
            draw_window_2d(sc, (x, y, x + bay * 0.4, y + height * 0.28))
        x += bay
    cx = x0 + rng.uniform(0.2, 0.8) * (x1 - x0)
    top = ground - height * 1.08
    sc.rect(cx - height * 0.08, top - height * 0.25, cx + height * 0.08, top, 50)


def draw_ashlar(
    sc: Scene, left: float, right: float, top: float, bottom: float, stone: float
) -> None:
    """Stone courses with staggered joints and a little variety from block to block."""
    rng = sc.rng
    course = max(3.0, (bottom - top) * 0.08)
    joint = clamp(stone - 30)
    y = top
    while y < bottom:
        x = left - rng.uniform(0, course * 3)
        while x < right:
            length = course * rng.uniform(1.8, 3.2)
            sc.draw.rectangle((x, y, x + length, y + course), outline=joint,
                              fill=clamp(stone + rng.uniform(-10, 10)), width=1)
            x += length
        y += course


def draw_soot_streaks(sc: Scene, left: float, right: float, top: float, bottom: float) -> None:
    """Soot washed down a facade by the rain, darker towards the top."""
    rng = sc.rng
    box = (left, top, right, bottom)

    def paint(d: ImageDraw.ImageDraw) -> None:
        for _ in range(rng.randint(6, 14)):
            x = rng.uniform(0, right - left)
            d.rectangle((x, 0, x + rng.uniform(0.01, 0.04) * sc.w,
                         (bottom - top) * rng.uniform(0.3, 1.0)), fill=rng.randint(40, 110))

    soft_paint(sc, box, 25, 6 * sc.u, paint)


def add_frontal_people(sc: Scene, base: float, height: float, count: int) -> None:
    rng = sc.rng
    for _ in range(count):
        depth = rng.uniform(0, 1)
        fy = base + depth * (sc.h - base) * 0.7
        draw_figure(sc, rng.uniform(0.05, 0.95) * sc.w, fy, height * (1 + depth * 0.5),
                    people_styles(rng), lambda t: t, rng.random() < 0.6)


def paint_building(sc: Scene) -> None:
    variant = sc.pick((paint_chapel, paint_town_hall, paint_mill))
    variant(sc)


def paint_chapel(sc: Scene) -> None:
    """A Nonconformist chapel: pediment with a date stone, two tiers of arched windows."""
    rng = sc.rng
    w, h = sc.w, sc.h
    ground = h * rng.uniform(0.76, 0.84)
    draw_sky(sc, ground, rng.uniform(195, 215), rng.uniform(228, 240))
    draw_hills(sc, ground - h * 0.35)
    fw = w * (0.62 if w >= h else 0.86)
    cx = w / 2 + rng.uniform(-0.05, 0.05) * w
    left, right = cx - fw / 2, cx + fw / 2
    top = ground - fw * rng.uniform(0.55, 0.7)
    draw_flat_terrace(sc, 0, left, ground, (ground - top) * 0.55)
    draw_flat_terrace(sc, right, w, ground, (ground - top) * 0.5)
    stone = rng.uniform(95, 130)
    sc.rect(left, top, right, ground, stone)
    for y in range(int(top), int(ground), max(3, int(fw * 0.018))):
        sc.line([(left, y), (right, y)], stone - 12, 1)
    peak = top - fw * 0.2
    sc.poly([(left - fw * 0.03, top), (cx, peak), (right + fw * 0.03, top)], stone + 12)
    sc.poly([(left + fw * 0.06, top - fw * 0.01), (cx, peak + fw * 0.05),
             (right - fw * 0.06, top - fw * 0.01)], stone - 8)
    sc.rect(left - fw * 0.03, top, right + fw * 0.03, top + fw * 0.03, stone + 22)
    plaque = (cx - fw * 0.13, peak + fw * 0.075, cx + fw * 0.13, top - fw * 0.025)
    sc.oval(*plaque, 200)
    draw_label(sc, plaque, sc.pick(CHAPEL_NAMES, 3), 50, 0.45)
    bays = rng.choice((3, 5))
    bay = fw / bays
    for i in range(bays):
        x = left + i * bay + bay * 0.3
        if i != bays // 2:
            draw_window_2d(sc, (x, ground - (ground - top) * 0.42, x + bay * 0.4,
                                ground - (ground - top) * 0.1), arched=True, panes=(2, 3))
        draw_window_2d(sc, (x, top + (ground - top) * 0.12, x + bay * 0.4,
                            top + (ground - top) * 0.48), arched=True, panes=(2, 4))
    door_w = bay * 0.5
    sc.oval(cx - door_w / 2, ground - (ground - top) * 0.4, cx + door_w / 2,
            ground - (ground - top) * 0.4 + door_w, 40)
    sc.rect(cx - door_w / 2, ground - (ground - top) * 0.4 + door_w / 2, cx + door_w / 2, ground,
            40)
    for col in (-1, 1):
        draw_column(sc, cx + col * door_w * 0.85, ground - (ground - top) * 0.44, ground,
                    door_w * 0.2, stone + 20)
    for i in range(3):
        sc.rect(left - fw * 0.02 * i, ground + i * h * 0.012, right + fw * 0.02 * i,
                ground + (i + 1) * h * 0.012, 190 - i * 12)
    draw_foreground_road(sc, ground + 3 * h * 0.012)
    draw_railings(sc, left - fw * 0.08, cx - door_w, ground + h * 0.05, h * 0.07)
    draw_railings(sc, cx + door_w, right + fw * 0.08, ground + h * 0.05, h * 0.07)
    add_frontal_people(sc, ground + h * 0.06, (ground - top) * 0.2, rng.randint(0, 4))


def paint_town_hall(sc: Scene) -> None:
    """A town hall: three storeys of windows, portico and a clock tower with a cupola."""
    rng = sc.rng
    w, h = sc.w, sc.h
    ground = h * rng.uniform(0.8, 0.86)
    draw_sky(sc, ground, rng.uniform(195, 215), rng.uniform(228, 240))
    stone = rng.uniform(100, 135)
    top = ground - h * 0.4
    margin = w * 0.04
    from_left = rng.random() < 0.5
    shaded(sc, (margin, top, w - margin, ground), side_lit(stone + 15, stone - 20, from_left),
           shape="rect")
    sc.rect(margin - w * 0.01, top - h * 0.02, w - margin + w * 0.01, top, stone + 25)
    cols = max(5, int(w / (h * 0.12)))
    bay = (w - 2 * margin) / cols
    for level in range(3):
        y0 = top + h * 0.03 + level * (ground - top) * 0.32
        for i in range(cols):
            if level == 0 and i == cols // 2:
                continue
            x = margin + i * bay + bay * 0.3
            draw_window_2d(sc, (x, y0, x + bay * 0.4, y0 + (ground - top) * 0.2),
                           arched=level == 0, panes=(2, 3))
    draw_soot_streaks(sc, margin, w - margin, top, ground)
    cx = w / 2
    tw = max(bay * 1.4, w * 0.1)
    tower_top = max(h * 0.16, top - h * 0.26)
    shaded(sc, (cx - tw / 2, tower_top, cx + tw / 2, top),
           side_lit(stone + 22, stone - 15, from_left), shape="rect")
    sc.rect(cx - tw * 0.6, tower_top - h * 0.015, cx + tw * 0.6, tower_top, stone + 28)
    draw_clock(sc, cx, (tower_top + top) / 2, min(tw * 0.32, (top - tower_top) * 0.3))
    drum = tower_top - tw * 0.35
    sc.rect(cx - tw * 0.38, drum, cx + tw * 0.38, tower_top - h * 0.015, stone + 10)
    for i in range(4):
        x = cx - tw * 0.3 + i * tw * 0.2
        sc.rect(x, drum + tw * 0.07, x + tw * 0.08, tower_top - h * 0.03, 45)
    shaded(sc, (cx - tw * 0.4, drum - tw * 0.38, cx + tw * 0.4, drum + tw * 0.38),
           side_lit(stone + 50, stone - 40, from_left))
    sc.rect(cx - tw * 0.42, drum, cx + tw * 0.42, drum + tw * 0.05, stone + 30)
    sc.rect(cx - tw * 0.06, drum - tw * 0.55, cx + tw * 0.06, drum - tw * 0.35, stone + 10)
    sc.line([(cx, drum - tw * 0.55), (cx, drum - tw * 0.8)], 40, max(1, tw * 0.03))
    portico = (ground - top) * 0.36
    for i in range(4):
        draw_column(sc, cx - bay * 1.2 + i * bay * 0.8, ground - portico, ground,
                    bay * 0.18, stone + 25)
    sc.rect(cx - bay * 1.45, ground - portico - h * 0.03, cx + bay * 1.45, ground - portico,
            stone + 30)
    sc.rect(cx - bay * 0.3, ground - portico * 0.8, cx + bay * 0.3, ground, 35)
    draw_foreground_road(sc, ground)
    add_frontal_people(sc, ground + h * 0.04, h * 0.1, rng.randint(1, 7))


def paint_mill(sc: Scene) -> None:
    """A five-storey spinning mill: chimney, stair tower, taking-in doors, its name on top."""
    rng = sc.rng
    w, h = sc.w, sc.h
    ground = h * rng.uniform(0.78, 0.86)
    draw_sky(sc, ground, rng.uniform(190, 210), rng.uniform(225, 238))
    draw_hills(sc, ground - h * 0.42)
    top = ground - h * rng.uniform(0.36, 0.46)
    stone = rng.uniform(80, 110)
    chimney_left = rng.random() < 0.5
    chim_x = w * (rng.uniform(0.06, 0.16) if chimney_left else rng.uniform(0.84, 0.94))
    chim_base = top + h * 0.05
    draw_mill_chimney(sc, chim_x, chim_base, chim_base - h * rng.uniform(0.03, 0.1), w * 0.05,
                      stone - 15)
    shaded(sc, (0, top, w, ground), side_lit(stone + 18, stone - 22, rng.random() < 0.5),
           shape="rect")
    floors = 5
    cols = max(8, int(w / (h * 0.055)))
    bay = w / cols
    storey = (ground - top) / (floors + 0.3)
    doors = rng.randrange(2, cols - 2)
    for level in range(floors):
        for i in range(cols):
            x = i * bay + bay * 0.22
            y = top + storey * (0.35 + level)
            if i == doors:  # taking-in doors, one above the other
                sc.rect(x - bay * 0.05, y - storey * 0.1, x + bay * 0.6, y + storey * 0.75, 45)
                continue
            sc.rect(x, y, x + bay * 0.56, y + storey * 0.62, rng.uniform(30, 70))
            sc.rect(x - 1, y + storey * 0.62, x + bay * 0.56 + 1, y + storey * 0.68, 150)
    draw_soot_streaks(sc, 0, w, top, ground)
    band = (w * 0.25, top - storey * 0.55, w * 0.75, top)
    sc.rect(*band, stone + 12)
    draw_label(sc, band, sc.pick(MILL_NAMES, 3), 215, 0.7)
    tower = w * (rng.uniform(0.78, 0.86) if chimney_left else rng.uniform(0.1, 0.18))
    sc.rect(tower, top - storey * 1.3, tower + bay * 1.6, ground, stone - 8)
    sc.poly([(tower - bay * 0.1, top - storey * 1.3), (tower + bay * 0.8, top - storey * 2.0),
             (tower + bay * 1.7, top - storey * 1.3)], 60)
    for level in range(floors):
        y = top + storey * (0.5 + level)
        sc.rect(tower + bay * 0.6, y, tower + bay * 1.0, y + storey * 0.4, 45)
    gate = w * rng.uniform(0.3, 0.6)
    sc.oval(gate, ground - storey * 1.1, gate + bay * 1.2, ground - storey * 0.5, 35)
    sc.rect(gate, ground - storey * 0.8, gate + bay * 1.2, ground, 35)
    draw_foreground_road(sc, ground)
    add_frontal_people(sc, ground + h * 0.06, h * 0.12, rng.randint(0, 8))


# --------------------------------------------------------------------------- shopfronts


SHOP_TRADES = (
    "FAMILY GROCER", "BUTCHER", "TOBACCONIST", "DRAPER", "IRONMONGER", "CONFECTIONER",
    "BOOTS & SHOES", "PORK BUTCHER", "TRIPE DRESSER", "NEWSAGENT",
)
SHOP_NAMES = (
    "J. HAIGH", "A. SUTCLIFFE", "T. GREENWOOD", "H. ACKROYD", "W. MITCHELL", "E. BARRACLOUGH",
    "R. CROWTHER", "S. HOLROYD", "M. PRIESTLEY",
)


def paint_shopfront(sc: Scene) -> None:
    """One shop seen square on: upper storey, fascia, plate glass, door, shopkeeper."""
    rng = sc.rng
    w, h = sc.w, sc.h
    pave = h * rng.uniform(0.8, 0.88)
    wall = rng.uniform(85, 120)
    sc.rect(0, 0, w, pave, wall)
    draw_ashlar(sc, 0, w, 0, pave, wall)
    fascia_top = pave - h * 0.62
    upper = min(w * 0.2, h * 0.2)
    for x in (w * 0.18, w * 0.62):
        draw_window_2d(sc, (x, max(h * 0.03, fascia_top - h * 0.08 - upper * 1.3), x + upper,
                            fascia_top - h * 0.08), panes=(2, 2))
    left, right = w * 0.05, w * 0.95
    sc.rect(left - w * 0.01, fascia_top - h * 0.04, right + w * 0.01, fascia_top, 175)
    fascia = (left, fascia_top, right, fascia_top + h * 0.1)
    sc.rect(*fascia, rng.uniform(20, 45))
    sc.draw.rectangle(fascia, outline=clamp(rng.uniform(150, 200)), width=max(1, round(3 * sc.u)))
    name = f"{sc.pick(SHOP_NAMES)}  {sc.pick(SHOP_TRADES, len(SHOP_NAMES))}"
    draw_label(sc, fascia, name, rng.uniform(200, 235), 0.55)
    body_top = fascia[3]
    door_left = rng.random() < 0.5
    door_w = (right - left) * 0.2
    door_x = left + w * 0.03 if door_left else right - w * 0.03 - door_w
    glass = (door_x + door_w + w * 0.02, body_top + h * 0.02, right - w * 0.03, pave - h * 0.12)
    if not door_left:
        glass = (left + w * 0.03, body_top + h * 0.02, door_x - w * 0.02, pave - h * 0.12)
    sc.rect(left, body_top, right, pave, rng.uniform(45, 75))
    for x in (left, right - w * 0.025):
        sc.rect(x, body_top, x + w * 0.025, pave, 160)
        sc.rect(x - w * 0.005, body_top, x + w * 0.03, body_top + h * 0.05, 180)
    draw_shop_window(sc, glass)
    sc.rect(glass[0], glass[3], glass[2], pave, 35)
    for i in range(3):
        px = lerp(glass[0], glass[2], (i + 0.15) / 3)
        sc.draw.rectangle((px, glass[3] + h * 0.02, px + (glass[2] - glass[0]) / 3.6,
                           pave - h * 0.02), outline=70, width=max(1, round(2 * sc.u)))
    draw_shop_door(sc, (door_x, body_top + h * 0.01, door_x + door_w, pave))
    draw_wall_lamp(sc, door_x + door_w * 0.5, body_top - h * 0.16, h * 0.06)
    draw_enamel_sign(sc, (w * 0.01, body_top + h * 0.28, w * 0.045, body_top + h * 0.4))
    draw_pavement_front(sc, pave)
    fx = door_x + door_w / 2 + rng.uniform(-0.1, 0.1) * door_w
    draw_shopkeeper(sc, fx, pave - h * 0.005, (pave - body_top) * 0.82)
    for _ in range(rng.choice((0, 0, 1, 2))):
        fx = lerp(glass[0], glass[2], rng.uniform(0.15, 0.85))
        draw_figure(sc, fx, h * rng.uniform(0.95, 1.0), (pave - body_top) * 0.95, "child",
                    lambda t: t, False)


def draw_shop_window(sc: Scene, box: Box) -> None:
    """Plate glass: goods on shelves, things hung from the top rail, tickets, reflections."""
    rng = sc.rng
    x0, y0, x1, y1 = box
    sc.rect(x0, y0, x1, y1, rng.uniform(30, 50))
    shelves = rng.randint(3, 4)
    for i in range(shelves):
        y = lerp(y0, y1, (i + 1) / (shelves + 0.3))
        sc.rect(x0, y, x1, y + max(2, (y1 - y0) * 0.012), 95)
        draw_shelf_goods(sc, x0 + 3, x1 - 6, y, (y1 - y0) / (shelves + 1))
    if rng.random() < 0.6:  # hams, brushes or buckets hung from the top rail
        x = x0 + (x1 - x0) * 0.05
        while x < x1 - 10:
            size = (y1 - y0) * rng.uniform(0.06, 0.1)
            sc.line([(x, y0), (x, y0 + size * 0.5)], 150, 1)
            sc.oval(x - size * 0.35, y0 + size * 0.5, x + size * 0.35, y0 + size * 1.6,
                    rng.uniform(60, 140))
            x += size * rng.uniform(1.0, 1.8)
    mullions = rng.randint(1, 3)
    for i in range(1, mullions + 1):
        x = lerp(x0, x1, i / (mullions + 1))
        sc.rect(x - 2 * sc.u, y0, x + 2 * sc.u, y1, 140)

    def reflection(d: ImageDraw.ImageDraw) -> None:
        width, height = x1 - x0, y1 - y0
        d.rectangle((0, 0, width, height * 0.22), fill=110)
        for _ in range(2):
            a = rng.uniform(0.1, 0.9) * width
            d.polygon([(a, 0), (a + width * 0.1, 0), (a - height * 0.3, height),
                       (a - height * 0.3 - width * 0.07, height)], fill=70)

    soft_paint(sc, box, 215, 6 * sc.u, reflection)
    sc.draw.rectangle((x0, y0, x1, y1), outline=140, width=max(1, round(4 * sc.u)))


def draw_shelf_goods(sc: Scene, x0: float, x1: float, shelf: float, room: float) -> None:
    """A shelf's worth of tins, jars, packets and the odd pyramid or price ticket."""
    rng = sc.rng
    x = x0
    while x < x1:
        kind = rng.random()
        size = room * rng.uniform(0.3, 0.6)
        tone = rng.uniform(60, 175)
        if kind < 0.2:  # a pyramid of tins
            n = rng.randint(2, 4)
            tin = size * 0.45
            for row in range(n):
                for k in range(n - row):
                    tx = x + row * tin / 2 + k * tin
                    ty = shelf - (row + 1) * tin
                    sc.rect(tx, ty, tx + tin * 0.9, ty + tin * 0.95, tone + rng.uniform(-15, 15))
                    sc.rect(tx, ty + tin * 0.3, tx + tin * 0.9, ty + tin * 0.55, tone + 40)
            x += n * tin + room * 0.15
            continue
        width = size * rng.uniform(0.4, 0.9)
        if kind < 0.6:  # jar with a lid and a label
            sc.rect(x, shelf - size, x + width, shelf, tone)
            sc.rect(x - 1, shelf - size, x + width + 1, shelf - size * 0.88, tone - 35)
            sc.rect(x + width * 0.15, shelf - size * 0.6, x + width * 0.85, shelf - size * 0.3,
                    tone + 45)
        else:  # bottle or packet
            sc.oval(x, shelf - size, x + width, shelf, tone)
        if rng.random() < 0.12:
            sc.rect(x, shelf - size * 0.25, x + width * 0.8, shelf - 1, 225)
        x += width + room * rng.uniform(0.03, 0.15)


def draw_shop_door(sc: Scene, box: Box) -> None:
    rng = sc.rng
    x0, y0, x1, y1 = box
    sc.rect(x0, y0, x1, y1, 20)
    inset = (x1 - x0) * 0.12
    sc.rect(x0 + inset, y0 + (y1 - y0) * 0.08, x1 - inset, y1 - 2, rng.uniform(40, 70))
    sc.rect(x0 + inset * 1.6, y0 + (y1 - y0) * 0.14, x1 - inset * 1.6, y0 + (y1 - y0) * 0.55, 45)
    sc.rect(x0 + inset * 1.6, y0 + (y1 - y0) * 0.62, x1 - inset * 1.6, y1 - (y1 - y0) * 0.08, 70)
    sc.rect(x0, y0, x1, y0 + (y1 - y0) * 0.06, 150)


def draw_enamel_sign(sc: Scene, box: Box) -> None:
    x0, y0, x1, y1 = box
    sc.rect(x0, y0, x1, y1, 215)
    sc.rect(x0 + 2, y0 + 2, x1 - 2, y1 - 2, 60)
    draw_letter_dabs(sc, (x0 + 3, y0 + 4, x1 - 3, y1 - 4), 5, 220)


def draw_pavement_front(sc: Scene, top: float) -> None:
    rng = sc.rng
    sc.rect(0, top, sc.w, sc.h, 150)
    row = (sc.h - top) / 3
    for i in range(3):
        y = top + i * row
        sc.line([(0, y), (sc.w, y)], 110, max(1, sc.u * 2))
        x = rng.uniform(-sc.w * 0.1, 0)
        while x < sc.w:
            sc.line([(x, y), (x - row * 0.4, y + row)], 115, max(1, sc.u * 2))
            x += sc.w * rng.uniform(0.16, 0.24)
    sc.rect(0, top, sc.w, top + max(2, sc.h * 0.01), 185)


def draw_shopkeeper(sc: Scene, fx: float, fy: float, height: float) -> None:
    """The proprietor in the doorway: jacket or shirt sleeves, a long white apron."""
    rng = sc.rng
    h = height
    draw_figure(sc, fx, fy, h, "man", lambda t: t, True)
    apron = rng.uniform(195, 235)
    sc.poly([(fx - 0.045 * h, 0 + fy - 0.78 * h), (fx + 0.045 * h, fy - 0.78 * h),
             (fx + 0.06 * h, fy - 0.56 * h), (fx - 0.06 * h, fy - 0.56 * h)], apron)
    sc.poly([(fx - 0.085 * h, fy - 0.56 * h), (fx + 0.085 * h, fy - 0.56 * h),
             (fx + 0.1 * h, fy - 0.2 * h), (fx - 0.1 * h, fy - 0.2 * h)], apron)
    sc.line([(fx - 0.095 * h, fy - 0.57 * h), (fx + 0.095 * h, fy - 0.57 * h)], apron - 60,
            max(1, 0.008 * h))


def draw_wall_lamp(sc: Scene, x: float, y: float, size: float) -> None:
    """A gas lamp on a bracket over the shop door."""
    sc.line([(x, y), (x + size * 1.2, y), (x + size * 1.2, y + size * 0.3)], 35,
            max(1, size * 0.06))
    lx = x + size * 1.2
    sc.poly([(lx - size * 0.25, y + size * 0.3), (lx + size * 0.25, y + size * 0.3),
             (lx + size * 0.17, y + size * 0.95), (lx - size * 0.17, y + size * 0.95)], 150)
    sc.poly([(lx - size * 0.32, y + size * 0.3), (lx, y + size * 0.05),
             (lx + size * 0.32, y + size * 0.3)], 35)


# --------------------------------------------------------------------------- bridges


def paint_bridge(sc: Scene) -> None:
    """A stone arch bridge over the river, the town climbing the hill beyond, all reflected."""
    rng = sc.rng
    w, h = sc.w, sc.h
    water = h * (rng.uniform(0.6, 0.68) if w >= h else rng.uniform(0.62, 0.7))
    draw_sky(sc, water, rng.uniform(195, 215), rng.uniform(228, 240))
    draw_hills(sc, water - h * 0.4)
    sc.rect(0, water - h * 0.4, w, water, rng.uniform(150, 170))
    draw_hillside_town(sc, water - h * 0.42, water - h * 0.04)
    draw_far_bank(sc, water)
    deck = water - h * rng.uniform(0.13, 0.19)
    span = w * rng.uniform(1.0, 1.25)
    left = -rng.uniform(0.0, span - w)
    draw_arch_bridge(sc, left, left + span, deck, water, rng.randint(1, 3))
    draw_reflection(sc, water)
    draw_near_bank(sc, water)


def draw_hillside_town(sc: Scene, top: float, bottom: float) -> None:
    """Terraces stepping up the far side of the valley, a mill and its chimney among them."""
    rng = sc.rng
    rows = 7
    row_h = (bottom - top) / rows
    for r in range(rows):
        y = top + r * row_h + rng.uniform(-0.3, 0.3) * row_h
        tone = lerp(170, 120, r / rows)
        x = -rng.uniform(0, 80) * sc.u
        while x < sc.w:
            width = rng.uniform(0.06, 0.25) * sc.w
            if rng.random() < 0.7:
                draw_distant_terrace(sc, x, y, width, row_h * rng.uniform(0.8, 1.3), tone)
            elif rng.random() < 0.5:
                draw_tree(sc, x + width / 2, y + row_h, row_h * 1.4, tone - 30)
            x += width + rng.uniform(0, 0.04) * sc.w
    for _ in range(rng.randint(1, 2)):
        x = rng.uniform(0.1, 0.9) * sc.w
        base = lerp(top, bottom, rng.uniform(0.5, 0.9))
        sc.rect(x - 0.08 * sc.w, base - row_h * 2.5, x + 0.08 * sc.w, base, 150)
        for j in range(3):
            for i in range(14):
                wx = x - 0.075 * sc.w + i * 0.0107 * sc.w
                wy = base - row_h * 2.3 + j * row_h * 0.75
                sc.rect(wx, wy, wx + 0.005 * sc.w, wy + row_h * 0.35, 110)
        draw_mill_chimney(sc, x + 0.1 * sc.w, base, (bottom - top) * rng.uniform(0.6, 0.9),
                          10 * sc.u, 125)


def draw_distant_terrace(
    sc: Scene, x: float, y: float, width: float, height: float, tone: float
) -> None:
    """A far-off row of houses: slate roof, chimney stacks, a line of dark windows."""
    roof = height * 0.35
    sc.rect(x, y + roof, x + width, y + height, tone)
    sc.poly([(x, y + roof), (x + height * 0.2, y), (x + width - height * 0.2, y),
             (x + width, y + roof)], tone - 35)
    step = max(4.0, height * 0.5)
    wx = x + step * 0.4
    while wx < x + width - step * 0.5:
        sc.rect(wx, y + roof + height * 0.2, wx + step * 0.3, y + roof + height * 0.45,
                tone - 50)
        wx += step
    cx = x + step
    while cx < x + width - step:
        sc.rect(cx, y - height * 0.15, cx + height * 0.12, y + 1, tone - 30)
        cx += step * 2


def draw_far_bank(sc: Scene, water: float) -> None:
    rng = sc.rng
    wall = water - sc.h * 0.035
    sc.rect(0, wall, sc.w, water, 120)
    for _ in range(rng.randint(4, 10)):
        draw_tree(sc, rng.uniform(0, sc.w), wall, rng.uniform(0.06, 0.14) * sc.h,
                  rng.uniform(85, 130))


def draw_arch_bridge(
    sc: Scene, left: float, right: float, deck: float, water: float, arches: int
) -> None:
    """Masonry with arches you can see through, voussoirs, cutwaters, a coped parapet."""
    rng = sc.rng
    stone = rng.uniform(100, 135)
    parapet = sc.h * 0.045
    span = (right - left) / arches
    rise = (water - deck) * rng.uniform(0.62, 0.78)
    half = min(span * rng.uniform(0.36, 0.42), rise * rng.uniform(1.4, 2.0))
    beyond = sc.img.copy()
    draw_ashlar(sc, left, right, deck, water, stone)
    for i in range(arches):
        cx = left + span * (i + 0.5)
        draw_arch_opening(sc, beyond, cx, water, half, rise, stone)
        if i > 0:
            px = left + span * i
            sc.poly([(px - span * 0.05, water), (px, water + sc.h * 0.012),
                     (px + span * 0.05, water), (px + span * 0.035, water - rise * 0.45),
                     (px, water - rise * 0.5), (px - span * 0.035, water - rise * 0.45)],
                    stone - 22)
    sc.rect(left, deck - sc.h * 0.006, right, deck + sc.h * 0.008, stone + 25)
    for _ in range(rng.randint(0, 5)):
        draw_figure(sc, rng.uniform(0.05, 0.95) * sc.w, deck - sc.h * 0.002,
                    parapet * rng.uniform(1.6, 1.9), people_styles(rng), lambda t: t,
                    rng.random() < 0.5)
    draw_ashlar(sc, left, right, deck - parapet, deck - sc.h * 0.006, stone + 5)
    sc.rect(left, deck - parapet - sc.h * 0.01, right, deck - parapet, stone + 38)
    for _ in range(rng.randint(0, 3)):
        x = rng.uniform(0.1, 0.9) * sc.w
        sc.line([(x, deck - parapet), (x, deck - parapet * 3.2)], 35, max(1, 3 * sc.u))
        sc.poly([(x - 6 * sc.u, deck - parapet * 3.2), (x - 9 * sc.u, deck - parapet * 3.7),
                 (x + 9 * sc.u, deck - parapet * 3.7), (x + 6 * sc.u, deck - parapet * 3.2)],
                160)


def draw_arch_opening(
    sc: Scene, beyond: Image.Image, cx: float, water: float, half: float, rise: float,
    stone: float,
) -> None:
    """The dark barrel of the arch, the far end open to the river, a ring of voussoirs."""
    ring = half * 0.13
    sc.oval(cx - half - ring, water - rise - ring, cx + half + ring, water + rise + ring,
            stone + 12)
    count = 21
    for i in range(count + 1):
        a = math.pi * i / count
        sc.line([(cx - math.cos(a) * half, water - math.sin(a) * rise),
                 (cx - math.cos(a) * (half + ring), water - math.sin(a) * (rise + ring))],
                stone - 30, max(1, sc.u * 1.5))
    shaded(sc, (cx - half, water - rise, cx + half, water + rise), side_lit(62, 22))
    inner = (cx - half * 0.9, water - rise * 0.68, cx + half * 0.9, water + rise)
    mask = Image.new("L", (sc.w, sc.h), 0)
    ImageDraw.Draw(mask).ellipse(inner, fill=255)
    ImageDraw.Draw(mask).rectangle((0, water, sc.w, sc.h), fill=0)
    sc.img.paste(beyond.point([clamp(v * 0.8) for v in range(256)]), (0, 0), mask)


def draw_near_bank(sc: Scene, water: float) -> None:
    """Grass and reeds at one corner of the foreground, or a canal towpath's stone edge."""
    rng = sc.rng
    if rng.random() < 0.4:
        y = sc.h - sc.h * rng.uniform(0.06, 0.1)
        sc.rect(0, y, sc.w, sc.h, 135)
        sc.rect(0, y, sc.w, y + sc.h * 0.015, 180)
        return
    side = rng.choice((-1, 1))
    x0 = 0 if side < 0 else sc.w
    reach = sc.w * rng.uniform(0.2, 0.35)
    top = water + (sc.h - water) * rng.uniform(0.2, 0.5)
    edge: list[tuple[float, float]] = [(x0, top)]
    for i in range(1, 9):
        t = i / 8
        edge.append((x0 - side * reach * math.sin(t * math.pi / 2) * rng.uniform(0.9, 1.1),
                     lerp(top, sc.h, t)))
    sc.poly([*edge, (x0, sc.h)], 80)
    for _ in range(70):
        t = rng.random()
        by = lerp(top, sc.h, t) + 3
        bx = x0 - side * reach * math.sin(t * math.pi / 2) * rng.uniform(0.0, 1.0)
        sc.line([(bx, by), (bx + rng.uniform(-10, 10) * sc.u, by - rng.uniform(15, 50) * sc.u)],
                rng.uniform(40, 140), max(1, sc.u * 1.5))


def draw_reflection(sc: Scene, water: float) -> None:
    """Mirror everything above the waterline into the river, softened, darkened and rippled."""
    rng = sc.rng
    top = int(water)
    depth = sc.h - top
    if depth < 2:
        return
    src_top = max(0, top - depth)
    above = sc.img.crop((0, src_top, sc.w, top)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if above.height < depth:
        padded = Image.new("L", (sc.w, depth), 205)
        padded.paste(above, (0, 0))
        above = padded
    soft = above.resize((max(1, sc.w // 3), max(1, depth // 6)), Image.Resampling.BILINEAR)
    soft = soft.resize((sc.w, depth), Image.Resampling.BILINEAR)
    soft = soft.point([clamp(40 + v * 0.6) for v in range(256)])
    rippled = soft.copy()
    y = 0
    band = 2
    while y < depth:
        shift = round(rng.uniform(-1, 1) * (2 + 10 * y / depth) * sc.u)
        rippled.paste(soft.crop((0, y, sc.w, min(depth, y + band))), (shift, y))
        y += band
        band = 2 + int(6 * y / depth)
    sc.img.paste(rippled, (0, top))
    for _ in range(int(depth / 4)):
        y = top + depth * rng.random() ** 1.3
        x = rng.uniform(-0.1, 1.0) * sc.w
        length = rng.uniform(0.02, 0.12) * sc.w * (1 + (y - top) / depth)
        sc.line([(x, y), (x + length, y)], rng.choice((190, 55)),
                max(1, sc.u * rng.uniform(1, 2.2)))
    sc.line([(0, top), (sc.w, top)], 60, max(1, sc.u * 2))


# --------------------------------------------------------------------------- studio portraits


def draw_backdrop(sc: Scene) -> None:
    """A studio's painted backdrop: mottled, lighter behind the sitter, a drape at one side."""
    rng = sc.rng
    cols, rows = 5, 6
    base = rng.uniform(120, 170)
    cells = bytes(clamp(base + rng.uniform(-30, 30)) for _ in range(cols * rows))
    mottle = Image.frombytes("L", (cols, rows), cells).resize((sc.w, sc.h),
                                                              Image.Resampling.BICUBIC)
    sc.img.paste(mottle)
    glow = (sc.w * 0.15, sc.h * 0.05, sc.w * 0.85, sc.h * 0.75)
    soft_paint(sc, glow, base + 45, sc.w * 0.08,
               lambda d: d.ellipse((sc.w * 0.1, sc.h * 0.1, sc.w * 0.6, sc.h * 0.6), fill=150))
    if rng.random() < 0.6:
        x = sc.w * rng.choice((0.0, 0.8))
        width = sc.w * 0.2

        def drape(d: ImageDraw.ImageDraw) -> None:
            for i in range(7):
                fx = width * i / 7
                d.rectangle((fx, 0, fx + width / 14, sc.h), fill=200)

        soft_paint(sc, (x, 0, x + width, sc.h), 40, sc.w * 0.012, drape)
    if rng.random() < 0.5:
        x = sc.w * rng.uniform(0.05, 0.2)
        soft_paint(sc, (x, sc.h * 0.3, x + sc.w * 0.12, sc.h), base + 35, sc.w * 0.01,
                   lambda d: d.rectangle((0, 0, sc.w * 0.12, sc.h), fill=120))


def shoulders(cx: float, chin: float, hh: float, bottom: float, width: float) -> list[Point]:
    """Neck to sloping shoulders to the bottom of the picture."""
    half = [(0.25, 0.2), (0.55, 0.34), (0.82, 0.48), (1.0, 0.7), (1.08, 1.0), (1.12, 1.6)]
    right = [(cx + x * hh * width, chin + y * hh) for x, y in half]
    right.append((cx + 1.14 * hh * width, bottom))
    left = [(2 * cx - x, y) for x, y in reversed(right)]
    return left + right


def draw_sitter(sc: Scene, cx: float, head_top: float, head_h: float, woman: bool) -> None:
    """Head and shoulders of a studio sitter, lit from one side."""
    rng = sc.rng
    hh = head_h
    hw = hh * 0.72
    from_left = rng.random() < 0.65
    skin = rng.uniform(175, 205)
    coat = rng.uniform(24, 50)
    chin = head_top + hh
    bottom = sc.h + 2
    shaded_poly(sc, shoulders(cx, chin, hh, bottom, 0.9 if woman else 1.0),
                side_lit(coat + 38, coat - 12, from_left))
    neck = [(cx - hw * 0.27, chin - hh * 0.3), (cx + hw * 0.27, chin - hh * 0.3),
            (cx + hw * 0.3, chin + hh * 0.32), (cx - hw * 0.3, chin + hh * 0.32)]
    shaded_poly(sc, neck, side_lit(skin - 25, skin - 95, from_left))
    if woman:
        draw_dress_front(sc, cx, chin, hh, coat)
    else:
        draw_suit_front(sc, cx, chin, hh, coat)
    hair = rng.uniform(22, 60)
    if woman:
        draw_hair_up(sc, cx, head_top, hh, hw, hair)
    for side in (-1, 1):
        if not woman or rng.random() < 0.5:
            sc.oval(cx + side * hw * 0.5 - hw * 0.08, head_top + hh * 0.42,
                    cx + side * hw * 0.5 + hw * 0.08, head_top + hh * 0.64, skin - 40)
    shaded_poly(sc, egg(cx, head_top + hh * 0.5, hw / 2, hh / 2),
                side_lit(skin, skin - 80, from_left))
    draw_face(sc, cx, head_top, hh, hw, skin, woman, from_left)
    if woman:
        sc.poly(egg(cx, head_top + hh * 0.2, hw * 0.52, hh * 0.24, chin=0.7)[27:] +
                egg(cx, head_top + hh * 0.2, hw * 0.52, hh * 0.24, chin=0.7)[:10], hair)
    else:
        draw_short_hair(sc, cx, head_top, hh, hw, hair)


def draw_short_hair(sc: Scene, cx: float, top: float, hh: float, hw: float, hair: float) -> None:
    """Short hair close to the skull, parted at one side, down to the tops of the ears."""
    rng = sc.rng
    part = rng.choice((-1, 1))
    crown = [(cx - hw * 0.5, top + hh * 0.45), (cx - hw * 0.53, top + hh * 0.28),
             (cx - hw * 0.45, top + hh * 0.1), (cx - hw * 0.25, top - hh * 0.01),
             (cx, top - hh * 0.03), (cx + hw * 0.25, top - hh * 0.01),
             (cx + hw * 0.45, top + hh * 0.1), (cx + hw * 0.53, top + hh * 0.28),
             (cx + hw * 0.5, top + hh * 0.45), (cx + hw * 0.44, top + hh * 0.3),
             (cx + hw * 0.3, top + hh * 0.2), (cx + part * hw * 0.15, top + hh * 0.16),
             (cx - hw * 0.3, top + hh * 0.2), (cx - hw * 0.44, top + hh * 0.3)]
    sc.poly(crown, hair)
    sc.line([(cx + part * hw * 0.22, top + hh * 0.0), (cx + part * hw * 0.26, top + hh * 0.15)],
            hair + 35, max(1, hh * 0.012))


def draw_hair_up(sc: Scene, cx: float, top: float, hh: float, hw: float, hair: float) -> None:
    """Hair parted in the middle and drawn back, with a bun or a fringe of curls on top."""
    sc.oval(cx - hw * 0.6, top - hh * 0.08, cx + hw * 0.6, top + hh * 0.62, hair)
    if sc.rng.random() < 0.6:
        sc.oval(cx - hw * 0.32, top - hh * 0.28, cx + hw * 0.32, top + hh * 0.06, hair - 6)
    else:
        for i in range(5):
            x = cx + (i - 2) * hw * 0.18
            sc.oval(x - hw * 0.12, top - hh * 0.06, x + hw * 0.12, top + hh * 0.12, hair + 12)


def draw_face(
    sc: Scene, cx: float, top: float, hh: float, hw: float, skin: float, woman: bool,
    from_left: bool,
) -> None:
    """Soft shadows for sockets, nose, mouth and chin, then small sharp eyes and brows."""
    rng = sc.rng
    shade = 1 if from_left else -1
    eye_y = top + hh * 0.46
    box = (cx - hw, top, cx + hw, top + hh * 1.15)
    ox, oy = box[0], box[1]

    def shadows(d: ImageDraw.ImageDraw) -> None:
        for side in (-1, 1):
            ex = cx + side * hw * 0.21 - ox
            d.ellipse((ex - hw * 0.16, eye_y - hh * 0.08 - oy, ex + hw * 0.16,
                       eye_y + hh * 0.06 - oy), fill=150)
        d.polygon([(cx - ox, eye_y - oy), (cx + shade * hw * 0.1 - ox, top + hh * 0.7 - oy),
                   (cx - shade * hw * 0.02 - ox, top + hh * 0.72 - oy)], fill=170)
        d.ellipse((cx - hw * 0.1 - ox, top + hh * 0.7 - oy, cx + hw * 0.1 - ox,
                   top + hh * 0.76 - oy), fill=120)
        mouth = top + hh * 0.83 - oy
        d.line([(cx - hw * 0.15 - ox, mouth), (cx + hw * 0.15 - ox, mouth)], fill=210,
               width=max(1, int(hh * 0.02)))
        d.ellipse((cx - hw * 0.12 - ox, top + hh * 0.88 - oy, cx + hw * 0.12 - ox,
                   top + hh * 0.93 - oy), fill=90)
        d.ellipse((cx - hw * 0.45 - ox, top + hh * 0.98 - oy, cx + hw * 0.45 - ox,
                   top + hh * 1.12 - oy), fill=200)

    soft_paint(sc, box, skin - 95, hh * 0.025, shadows)
    for side in (-1, 1):
        ex = cx + side * hw * 0.21
        sc.oval(ex - hw * 0.1, eye_y - hh * 0.022, ex + hw * 0.1, eye_y + hh * 0.022,
                skin - 30)
        sc.oval(ex - hw * 0.045, eye_y - hh * 0.025, ex + hw * 0.045, eye_y + hh * 0.025, 30)
        sc.oval(ex - hw * 0.012 - shade * hw * 0.015, eye_y - hh * 0.015,
                ex + hw * 0.012 - shade * hw * 0.015, eye_y - hh * 0.005, 220)
        brow = [(ex - hw * 0.14, eye_y - hh * 0.075), (ex, eye_y - hh * 0.1),
                (ex + hw * 0.14, eye_y - hh * 0.085)]
        sc.line(brow if side > 0 else brow[::-1], skin - 110, max(1, hh * 0.018))
    if not woman and rng.random() < 0.6:  # moustache
        mouth = top + hh * 0.83
        sc.poly([(cx - hw * 0.26, mouth + hh * 0.02), (cx - hw * 0.1, top + hh * 0.765),
                 (cx, top + hh * 0.775), (cx + hw * 0.1, top + hh * 0.765),
                 (cx + hw * 0.26, mouth + hh * 0.02), (cx, mouth - hh * 0.01)], 40)


def draw_suit_front(sc: Scene, cx: float, chin: float, hh: float, coat: float) -> None:
    """Wing collar, tie, waistcoat and jacket lapels."""
    rng = sc.rng
    shirt = rng.uniform(205, 238)
    bottom = sc.h + 2
    sc.poly([(cx - hh * 0.28, chin + hh * 0.06), (cx + hh * 0.28, chin + hh * 0.06),
             (cx + hh * 0.2, chin + hh * 0.9), (cx - hh * 0.2, chin + hh * 0.9)], shirt)
    waistcoat = coat + rng.uniform(-8, 20)
    sc.poly([(cx - hh * 0.28, chin + hh * 0.62), (cx - hh * 0.12, chin + hh * 0.7),
             (cx, chin + hh * 0.95), (cx + hh * 0.12, chin + hh * 0.7),
             (cx + hh * 0.28, chin + hh * 0.62), (cx + hh * 0.36, bottom),
             (cx - hh * 0.36, bottom)], waistcoat)
    for i in range(4):
        y = chin + hh * (1.05 + i * 0.24)
        sc.oval(cx - hh * 0.025, y, cx + hh * 0.025, y + hh * 0.05, waistcoat + 50)
    tie = rng.uniform(20, 90)
    sc.poly([(cx - hh * 0.07, chin + hh * 0.14), (cx + hh * 0.07, chin + hh * 0.14),
             (cx + hh * 0.1, chin + hh * 0.85), (cx, chin + hh * 0.95),
             (cx - hh * 0.1, chin + hh * 0.85)], tie)
    for side in (-1, 1):
        sc.poly([(cx + side * hh * 0.29, chin - hh * 0.02), (cx + side * hh * 0.04,
                 chin + hh * 0.12), (cx + side * hh * 0.06, chin + hh * 0.22),
                 (cx + side * hh * 0.31, chin + hh * 0.14)], shirt + 8)
        sc.poly([(cx + side * hh * 0.36, chin + hh * 0.2), (cx + side * hh * 0.3, chin + hh * 0.7),
                 (cx + side * hh * 0.38, bottom), (cx + side * hh * 0.62, bottom),
                 (cx + side * hh * 0.62, chin + hh * 1.0), (cx + side * hh * 0.5,
                 chin + hh * 0.25)], coat + 16)
    if rng.random() < 0.5:  # watch chain across the waistcoat
        y = chin + hh * 1.55
        chain = [(cx - hh * 0.34 + i * hh * 0.05, y + math.sin(i / 7 * math.pi) * hh * 0.12)
                 for i in range(8)]
        sc.line(chain, 200, max(1, hh * 0.012))


def draw_dress_front(sc: Scene, cx: float, chin: float, hh: float, coat: float) -> None:
    """High-necked bodice: lace collar, brooch, a row of buttons, perhaps a locket chain."""
    rng = sc.rng
    lace = rng.uniform(185, 230)
    sc.poly([(cx - hh * 0.24, chin - hh * 0.02), (cx + hh * 0.24, chin - hh * 0.02),
             (cx + hh * 0.34, chin + hh * 0.4), (cx - hh * 0.34, chin + hh * 0.4)], coat + 10)
    for i in range(11):
        a = math.pi * (0.1 + 0.8 * i / 10)
        x = cx - math.cos(a) * hh * 0.62
        y = chin + hh * 0.12 + math.sin(a) * hh * 0.3
        sc.oval(x - hh * 0.09, y - hh * 0.06, x + hh * 0.09, y + hh * 0.06, lace)
    sc.oval(cx - hh * 0.06, chin + hh * 0.04, cx + hh * 0.06, chin + hh * 0.16, 225)
    sc.oval(cx - hh * 0.035, chin + hh * 0.065, cx + hh * 0.035, chin + hh * 0.135, 120)
    for i in range(5):
        y = chin + hh * (0.75 + i * 0.22)
        sc.oval(cx - hh * 0.025, y, cx + hh * 0.025, y + hh * 0.05, coat + 70)
    if rng.random() < 0.5:
        sc.line([(cx - hh * 0.3, chin + hh * 0.3), (cx, chin + hh * 0.9),
                 (cx + hh * 0.3, chin + hh * 0.3)], 200, max(1, hh * 0.012))


def paint_portrait(sc: Scene) -> None:
    rng = sc.rng
    draw_backdrop(sc)
    if sc.h >= sc.w:
        head_h = min(sc.h * rng.uniform(0.22, 0.26), sc.w * 0.34)
        head_top = sc.h * rng.uniform(0.13, 0.19)
    else:
        head_h = sc.h * rng.uniform(0.28, 0.32)
        head_top = sc.h * rng.uniform(0.1, 0.14)
    cx = sc.w * rng.uniform(0.46, 0.54)
    draw_sitter(sc, cx, head_top, head_h, woman=sc.seed % 2 == 0)


# --------------------------------------------------------------------------- groups


SCHOOL_SLATES = ("STD IV", "STD II", "CLASS 3", "INFANTS", "STD VI")
CLUB_SLATES = ("ALBION MILLS", "CO-OP CHOIR", "WHIT WALK", "BOWLING CLUB")


def paint_group(sc: Scene) -> None:
    """A school class or a works outing in rows against a wall, a slate held at the front."""
    rng = sc.rng
    w, h = sc.w, sc.h
    adult = sc.seed % 3 == 0
    draw_group_wall(sc)
    per_row = max(4, round(w / h * rng.uniform(5.5, 7.5)))
    spacing = w * 0.92 / per_row
    hh = spacing * 0.44
    rows = rng.choice((3, 4)) if w >= h else rng.choice((4, 5))
    step = hh * 1.9
    front_top = h - hh * 4.6
    top = front_top - step * (rows - 1)
    if top < h * 0.12:
        shrink = (h * 0.88) / (h - top)
        hh, step = hh * shrink, step * shrink
        spacing = hh / 0.44
        front_top = h - hh * 4.6
        top = front_top - step * (rows - 1)
    for r in range(rows):
        head_top = top + r * step + rng.uniform(-0.08, 0.08) * hh
        seated = r == rows - 1
        count = per_row - (r % 2)
        start = (w - spacing * count) / 2 + spacing / 2
        scale = 1 + r * 0.04
        for i in range(count):
            cx = start + i * spacing + rng.uniform(-0.1, 0.1) * spacing
            size = hh * scale * rng.uniform(0.92, 1.08)
            draw_group_member(sc, cx, head_top + rng.uniform(-0.1, 0.1) * hh, size,
                              adult=adult, seated=seated, bottom=h + 2)
    if not adult:
        teacher = w * rng.choice((0.03, 0.97))
        draw_figure(sc, teacher, h * 1.02, (h * 1.02 - top) * 1.06, "woman", lambda t: t, True)
    label = sc.pick(CLUB_SLATES, 3) if adult else sc.pick(SCHOOL_SLATES)
    slate_w = min(w * 0.2, hh * 5)
    slate = (w / 2 - slate_w / 2, h - hh * 1.5, w / 2 + slate_w / 2, h - hh * 0.3)
    sc.rect(slate[0] - 3, slate[1] - 3, slate[2] + 3, slate[3] + 3, 150)
    sc.rect(*slate, 35)
    draw_label(sc, slate, label, 215, 0.4)


def draw_group_wall(sc: Scene) -> None:
    """School yard wall: brick courses, a tall window, a flagged yard at the bottom."""
    rng = sc.rng
    brick = rng.uniform(80, 120)
    sc.rect(0, 0, sc.w, sc.h, brick)
    course = max(3.0, sc.h * 0.016)
    y = 0.0
    row = 0
    while y < sc.h:
        sc.line([(0, y), (sc.w, y)], brick + 35, max(1, sc.u))
        x = (course * 1.1) if row % 2 else 0.0
        while x < sc.w:
            sc.line([(x, y), (x, y + course)], brick + 30, max(1, sc.u))
            x += course * 2.2
        y += course
        row += 1
    if rng.random() < 0.7:
        x = sc.w * rng.uniform(0.15, 0.6)
        draw_window_2d(sc, (x, -sc.h * 0.05, x + sc.w * 0.25, sc.h * 0.3), panes=(4, 4))


def draw_group_member(
    sc: Scene, cx: float, head_top: float, hh: float, *, adult: bool, seated: bool,
    bottom: float,
) -> None:
    """One person in a group photograph: head, shoulders and body down to ``bottom``."""
    rng = sc.rng
    girl = rng.random() < 0.5
    hw = hh * 0.78
    chin = head_top + hh
    clothes = rng.uniform(25, 75)
    body = [(cx - hw * 0.3, chin), (cx + hw * 0.3, chin), (cx + hw * 0.95, chin + hh * 0.3),
            (cx + hw * 1.15, chin + hh * 0.8), (cx + hw * 1.2, bottom), (cx - hw * 1.2, bottom),
            (cx - hw * 1.15, chin + hh * 0.8), (cx - hw * 0.95, chin + hh * 0.3)]
    shaded_poly(sc, body, side_lit(clothes + 25, clothes - 10))
    if seated:
        lap = chin + hh * 2.3
        sc.poly([(cx - hw * 1.2, lap), (cx + hw * 1.2, lap), (cx + hw * 1.25, lap + hh * 0.6),
                 (cx - hw * 1.25, lap + hh * 0.6)], clothes + 12)
        for side in (-1, 1):
            sc.oval(cx + side * hw * 0.3 - hw * 0.28, lap - hh * 0.15,
                    cx + side * hw * 0.3 + hw * 0.28, lap + hh * 0.2, rng.uniform(150, 190))
            sc.rect(cx + side * hw * 0.55 - hw * 0.2, lap + hh * 0.6,
                    cx + side * hw * 0.55 + hw * 0.2, bottom, rng.uniform(20, 60))
    if girl and not adult and rng.random() < 0.7:  # white pinafore with frilled shoulders
        pinafore = rng.uniform(195, 235)
        sc.poly([(cx - hw * 0.55, chin + hh * 0.35), (cx + hw * 0.55, chin + hh * 0.35),
                 (cx + hw * 0.7, bottom), (cx - hw * 0.7, bottom)], pinafore)
        for side in (-1, 1):
            sc.oval(cx + side * hw * 0.75 - hw * 0.3, chin + hh * 0.15,
                    cx + side * hw * 0.75 + hw * 0.3, chin + hh * 0.55, pinafore)
    elif not girl:
        collar = rng.uniform(190, 235)
        if rng.random() < 0.6:  # broad Eton collar
            sc.poly([(cx - hw * 0.75, chin + hh * 0.12), (cx + hw * 0.75, chin + hh * 0.12),
                     (cx + hw * 0.3, chin + hh * 0.45), (cx, chin + hh * 0.3),
                     (cx - hw * 0.3, chin + hh * 0.45)], collar)
        else:
            sc.poly([(cx - hw * 0.25, chin + hh * 0.05), (cx + hw * 0.25, chin + hh * 0.05),
                     (cx, chin + hh * 0.45)], collar)
    draw_group_head(sc, cx, head_top, hh, hw, girl=girl, adult=adult)


def draw_group_head(
    sc: Scene, cx: float, top: float, hh: float, hw: float, *, girl: bool, adult: bool
) -> None:
    rng = sc.rng
    skin = rng.uniform(165, 210)
    hair = rng.uniform(18, 110)
    if girl:
        sc.poly([(cx - hw * 0.6, top + hh * 0.1), (cx + hw * 0.6, top + hh * 0.1),
                 (cx + hw * 0.75, top + hh * 1.2), (cx - hw * 0.75, top + hh * 1.2)], hair)
    shaded_poly(sc, egg(cx, top + hh * 0.5, hw / 2, hh / 2), side_lit(skin, skin - 65))
    sc.poly(egg(cx, top + hh * 0.22, hw * 0.54, hh * 0.26, chin=0.8)[26:] +
            egg(cx, top + hh * 0.22, hw * 0.54, hh * 0.26, chin=0.8)[:11], hair)
    if girl and rng.random() < 0.5:  # hair ribbon
        sc.oval(cx + hw * 0.15, top - hh * 0.12, cx + hw * 0.65, top + hh * 0.15, 230)
    if adult and rng.random() < 0.6:
        hat = rng.uniform(20, 60)
        if girl:
            sc.oval(cx - hw * 0.95, top + hh * 0.02, cx + hw * 0.95, top + hh * 0.2, hat)
            sc.oval(cx - hw * 0.55, top - hh * 0.25, cx + hw * 0.55, top + hh * 0.15, hat)
        else:
            sc.poly([(cx - hw * 0.6, top + hh * 0.22), (cx + hw * 0.7, top + hh * 0.22),
                     (cx + hw * 0.55, top - hh * 0.05), (cx - hw * 0.5, top - hh * 0.02)], hat)
    eye = top + hh * 0.52
    for side in (-1, 1):
        ex = cx + side * hw * 0.21
        sc.oval(ex - hw * 0.08, eye - hh * 0.035, ex + hw * 0.08, eye + hh * 0.035, skin - 95)
    sc.oval(cx - hw * 0.06, top + hh * 0.66, cx + hw * 0.06, top + hh * 0.74, skin - 45)
    sc.line([(cx - hw * 0.13, top + hh * 0.82), (cx + hw * 0.13, top + hh * 0.82)], skin - 70,
            max(1, hh * 0.04))


# --------------------------------------------------------------------------- ageing


@dataclass(frozen=True)
class Finish:
    """How the print is toned, worn and mounted."""

    size: tuple[int, int]
    box: tuple[int, int, int, int]  # where the photograph sits on the mount
    mount: str  # "bleed", "border", "card" or "album"
    palette: tuple[RGB, RGB, RGB]  # black, middle and white of the print
    paper: RGB
    card: RGB
    oval: bool
    imprint: bool  # the studio's name on the card

    @property
    def photo_size(self) -> tuple[int, int]:
        return (self.box[2] - self.box[0], self.box[3] - self.box[1])


PALETTES: dict[str, tuple[RGB, RGB, RGB]] = {
    "sepia": ((46, 34, 24), (140, 117, 92), (238, 228, 208)),
    "brown": ((34, 27, 22), (128, 112, 95), (237, 230, 215)),
    "silver": ((23, 23, 25), (122, 122, 121), (234, 233, 229)),
    "blue": ((40, 48, 60), (122, 131, 140), (226, 229, 230)),
}
MOUNT_WEIGHTS: dict[str, tuple[int, int, int, int]] = {  # bleed, border, card, album
    "portrait": (15, 15, 65, 5),
    "group": (30, 25, 30, 15),
}
CARDS: tuple[RGB, ...] = ((96, 80, 60), (210, 196, 166), (142, 138, 128), (60, 58, 54))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour ``t`` of the way from ``a`` to ``b``."""
    return (round(lerp(a[0], b[0], t)), round(lerp(a[1], b[1], t)), round(lerp(a[2], b[2], t)))


def choose_finish(kind: str, rng: random.Random, size: tuple[int, int]) -> Finish:
    """Decide the mount (and so where the photograph sits on it), the toning and the fading."""
    w, h = size
    short = min(w, h)
    weights = MOUNT_WEIGHTS.get(kind, (50, 38, 0, 12))
    mount = rng.choices(("bleed", "border", "card", "album"), weights=weights)[0]
    if mount == "border":
        m = round(short * rng.uniform(0.025, 0.06))
        box = (m, m, w - m, h - m)
    elif mount == "card":
        side = round(short * rng.uniform(0.06, 0.09))
        bottom = round(short * rng.uniform(0.13, 0.18))
        box = (side, side, w - side, h - bottom)
    elif mount == "album":
        m = round(short * rng.uniform(0.07, 0.1))
        box = (m, m, w - m, h - m)
    else:
        box = (0, 0, w, h)
    if box[2] - box[0] < MIN_SIDE or box[3] - box[1] < MIN_SIDE:
        mount, box = "bleed", (0, 0, w, h)
    black, mid, white = PALETTES[rng.choices(tuple(PALETTES), weights=(38, 20, 30, 12))[0]]
    fade = rng.uniform(0.0, 0.22)  # faded prints lose their blacks first
    return Finish(
        size=size,
        box=box,
        mount=mount,
        palette=(mix(black, white, fade), mix(mid, white, fade * 0.5), white),
        paper=mix(white, (236, 228, 206), 0.5),
        card=rng.choice(CARDS),
        oval=kind == "portrait" and rng.random() < 0.6,
        imprint=kind == "portrait",
    )


def age_photo(sc: Scene, finish: Finish, softness: float = 1.0) -> Image.Image:
    """Turn the clean greyscale drawing into a worn, toned print (RGB, photo size)."""
    rng = sc.rng
    add_dust_and_scratches(sc)
    add_weathering(sc, rng.uniform(5, 10))
    img = sc.img.filter(ImageFilter.GaussianBlur(sc.u * softness * rng.uniform(1.3, 2.0)))
    img = add_halation(img, rng.uniform(0.15, 0.35))
    if finish.oval:
        img = oval_vignette(img)
    img = add_fading(img, rng, rng.uniform(10, 45))
    if not finish.oval:
        img = ImageChops.subtract(img, vignette(img.size, rng.uniform(35, 90)))
    img = add_grain(img, rng, rng.uniform(14, 30))
    add_print_marks(img, rng)
    black, mid, white = finish.palette
    return ImageOps.colorize(
        img, black, white, mid=mid, blackpoint=rng.randint(5, 25), whitepoint=rng.randint(232, 252)
    )


def add_dust_and_scratches(sc: Scene) -> None:
    """Dust on the negative prints as pale specks and hairs; emulsion scratches as pale lines."""
    rng = sc.rng
    u = sc.u
    for _ in range(rng.randint(15, 70)):
        x, y = rng.uniform(0, sc.w), rng.uniform(0, sc.h)
        r = rng.uniform(0.7, 3.2) * u
        sc.oval(x - r, y - r * rng.uniform(0.6, 1.0), x + r, y + r, rng.uniform(200, 250))
    for _ in range(rng.randint(0, 3)):
        x, y = rng.uniform(0, sc.w), rng.uniform(0, sc.h)
        points = [(x, y)]
        for _ in range(6):
            x += rng.uniform(-12, 12) * u
            y += rng.uniform(-12, 12) * u
            points.append((x, y))
        sc.line(points, rng.uniform(190, 240), max(1, u))
    for _ in range(rng.choice((0, 1, 1, 2, 3, 5))):
        x = rng.uniform(0, sc.w)
        y0, y1 = rng.uniform(-0.2, 0.6) * sc.h, rng.uniform(0.4, 1.2) * sc.h
        drift = rng.uniform(-0.03, 0.03) * sc.w
        tone = rng.uniform(150, 235)
        sc.line([(x, y0), (x + drift * 0.5, (y0 + y1) / 2), (x + drift, y1)], tone, max(1, u))


def add_weathering(sc: Scene, amount: float) -> None:
    """Blotches a few dozen pixels across over everything: soot, damp, uneven development."""
    cw, ch = max(2, sc.w // 40), max(2, sc.h // 40)
    cells = Image.frombytes("L", (cw, ch), sc.rng.randbytes(cw * ch))
    field = cells.resize((sc.w, sc.h), Image.Resampling.BICUBIC)
    field = field.point([clamp(128 + (v - 128) * amount / 128) for v in range(256)])
    sc.img.paste(ImageChops.add(sc.img, field, scale=1.0, offset=-128))


def add_halation(img: Image.Image, amount: float) -> Image.Image:
    """An old lens's glow: light spreads into the shadows next to it."""
    w, h = img.size
    glow = img.reduce(8) if min(w, h) >= 64 else img
    glow = glow.resize((w, h), Image.Resampling.BILINEAR)
    return Image.blend(img, ImageChops.lighter(img, glow), amount)


def oval_vignette(img: Image.Image) -> Image.Image:
    """The cabinet-card oval: the picture melts into the pale paper towards the edges."""
    w, h = img.size
    small = (max(8, w // 8), max(8, h // 8))
    mask = Image.new("L", small, 0)
    ImageDraw.Draw(mask).ellipse(
        (small[0] * 0.1, small[1] * 0.04, small[0] * 0.9, small[1] * 1.05), fill=255
    )
    mask = mask.filter(ImageFilter.GaussianBlur(min(small) * 0.07)).resize(
        (w, h), Image.Resampling.BILINEAR
    )
    return Image.composite(img, Image.new("L", (w, h), 242), mask)


def add_fading(img: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Uneven fading: broad pale patches from light and damp."""
    cols, rows = 5, 4
    cells = bytes(clamp(rng.random() ** 2 * 255) for _ in range(cols * rows))
    field = Image.frombytes("L", (cols, rows), cells).resize(img.size, Image.Resampling.BICUBIC)
    return ImageChops.add(img, field.point([clamp(v * amount / 255) for v in range(256)]))


def vignette(size: tuple[int, int], strength: float) -> Image.Image:
    """How much to darken each pixel: nothing in the middle, ``strength`` in the corners."""
    w, h = size
    sw, sh = max(2, w // 4), max(2, h // 4)
    big = (max(2, round(sw * 1.42)), max(2, round(sh * 1.42)))
    radial = Image.radial_gradient("L").resize(big, Image.Resampling.BILINEAR)
    left, top = (big[0] - sw) // 2, (big[1] - sh) // 2
    radial = radial.crop((left, top, left + sw, top + sh)).resize(size, Image.Resampling.BILINEAR)
    return radial.point([clamp(strength * (v / 255) ** 2.4) for v in range(256)])


def add_grain(img: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Film grain from seeded bytes: fine noise plus a clumpier half-resolution layer."""
    w, h = img.size
    fine = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    cw, ch = (w + 1) // 2, (h + 1) // 2
    coarse = Image.frombytes("L", (cw, ch), rng.randbytes(cw * ch))
    noise = ImageChops.add(fine, coarse.resize((w, h), Image.Resampling.BILINEAR), scale=2.0)
    noise = noise.point([clamp(128 + (v - 128) * amount / 128) for v in range(256)])
    return ImageChops.add(img, noise, scale=1.0, offset=-128)


def add_print_marks(img: Image.Image, rng: random.Random) -> None:
    """Dark specks and the odd fine scratch on the print's own surface."""
    w, h = img.size
    u = min(w, h) / 900
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(4, 25)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.5, 1.6) * u
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(20, 70))
    for _ in range(rng.choice((0, 0, 1, 2))):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        angle = rng.uniform(0, math.pi)
        length = rng.uniform(0.05, 0.3) * min(w, h)
        draw.line((x, y, x + math.cos(angle) * length, y + math.sin(angle) * length),
                  fill=rng.randint(170, 230), width=1)


# --------------------------------------------------------------------------- mounts


STUDIOS = ("J. W. HARDCASTLE  CALDERBRIDGE", "HARDCASTLE & SON  MARKET ST  CALDERBRIDGE")


def mount_photo(photo: Image.Image, finish: Finish, rng: random.Random) -> Image.Image:
    """Put the print on its paper border, album page or card (or leave it bare)."""
    if finish.mount == "bleed":
        return photo
    if finish.mount == "border":
        page = paper_sheet(finish.size, finish.paper, rng)
    elif finish.mount == "album":
        page = paper_sheet(finish.size, (34, 32, 30), rng)
    else:
        page = card_mount(finish, rng)
    page.paste(photo, finish.box[:2])
    if finish.mount == "album":
        add_photo_corners(page, finish.box)
    return page


def paper_sheet(size: tuple[int, int], colour: RGB, rng: random.Random) -> Image.Image:
    """A sheet of card or paper, a little unevenly discoloured."""
    cells = bytes(clamp(rng.random() ** 2 * 22) for _ in range(5 * 4))
    stain = Image.frombytes("L", (5, 4), cells).resize(size, Image.Resampling.BICUBIC)
    return ImageChops.subtract(Image.new("RGB", size, colour), stain.convert("RGB"))


def card_mount(finish: Finish, rng: random.Random) -> Image.Image:
    """A cabinet card: rounded corners on a dark ground, a gilt rule and the studio's name."""
    w, h = finish.size
    short = min(w, h)
    page = Image.new("RGB", finish.size, (40, 38, 36))
    card = paper_sheet(finish.size, finish.card, rng)
    mask = Image.new("L", finish.size, 0)
    inset = max(1, round(short * 0.008))
    ImageDraw.Draw(mask).rounded_rectangle(
        (inset, inset, w - 1 - inset, h - 1 - inset), radius=max(2, round(short * 0.035)), fill=255
    )
    page.paste(card, (0, 0), mask)
    light = sum(finish.card) / 3 > 128
    ink = tuple(max(0, c - 90) for c in finish.card) if light else (196, 170, 110)
    draw = ImageDraw.Draw(page)
    x0, y0, x1, y1 = finish.box
    gap = max(2, round(short * 0.012))
    draw.rectangle((x0 - gap, y0 - gap, x1 + gap - 1, y1 + gap - 1), outline=ink, width=1)
    band = (x0, y1 + gap * 2, x1, h - inset * 3)
    if finish.imprint and band[3] - band[1] >= 10:
        label_box = (band[0], band[1], band[2], band[1] + (band[3] - band[1]) * 0.6)
        draw_card_text(draw, label_box, rng.choice(STUDIOS), ink)
    return page


def draw_card_text(draw: ImageDraw.ImageDraw, box: Box, text: str, ink: tuple[int, ...]) -> None:
    x0, y0, x1, y1 = box
    px = int((y1 - y0) * 0.45)
    if px < 7:
        return
    font = _font(px)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    if right - left > (x1 - x0) * 0.8:
        px = int(px * (x1 - x0) * 0.8 / (right - left))
        if px < 7:
            return
        font = _font(px)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = x0 + ((x1 - x0) - (right - left)) / 2 - left
    y = y0 + ((y1 - y0) - (bottom - top)) / 2 - top
    draw.text((x, y), text, fill=tuple(ink), font=font)


def add_photo_corners(page: Image.Image, box: tuple[int, int, int, int]) -> None:
    """Black paper corners holding a print in an album."""
    draw = ImageDraw.Draw(page)
    x0, y0, x1, y1 = box
    size = max(4, round(min(x1 - x0, y1 - y0) * 0.07))
    reach = size // 3
    for cx, cy, dx, dy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
        corner = [(cx - dx * reach, cy - dy * reach), (cx + dx * size, cy - dy * reach),
                  (cx - dx * reach, cy + dy * size)]
        draw.polygon(corner, fill=(24, 23, 22))
        draw.line([corner[1], corner[2]], fill=(70, 68, 64), width=1)


_PAINTERS: dict[str, Callable[[Scene], None]] = {
    "street": paint_street,
    "portrait": paint_portrait,
    "building": paint_building,
    "group": paint_group,
    "tram": paint_tram,
    "market": paint_market,
    "bridge": paint_bridge,
    "shopfront": paint_shopfront,
}


def render_card_back(seed: int, lines: Sequence[str], studio: str,
                     size: tuple[int, int] = (1000, 1350)) -> Image.Image:
    """The back of a studio card: the studio's printed device at the top, and ``lines``
    pencilled by hand below it (slanted, uneven, in grey), on cream card aged like the fronts."""
    width, height = _checked_size(size)
    rng = random.Random(f"card-back:{seed}")
    short = min(width, height)
    card = paper_sheet((width, height), (232, 222, 198), rng)
    draw = ImageDraw.Draw(card)
    ink = (120, 92, 60)
    # The printed device: a rule, the studio's name and "Negatives kept", as the studios did.
    top = round(height * 0.08)
    rule = max(1, round(short * 0.004))
    draw.line((width * 0.2, top, width * 0.8, top), fill=ink, width=rule)
    draw_card_text(draw, (width * 0.15, top + short * 0.02, width * 0.85, top + short * 0.09),
                   studio.upper(), ink)
    draw_card_text(draw, (width * 0.3, top + short * 0.1, width * 0.7, top + short * 0.14),
                   "Negatives kept. Copies may always be had.", ink)
    draw.line((width * 0.2, top + short * 0.16, width * 0.8, top + short * 0.16), fill=ink,
              width=rule)
    # The pencil: each line drawn on its own strip, rotated a little, then laid on the card.
    px = max(8, round(short * 0.055))
    font = _font(px)
    y = height * 0.42
    for text in lines:
        left, up, right, down = draw.textbbox((0, 0), text, font=font)
        strip = Image.new("L", (int(right - left) + px, int(down - up) + px), 0)
        ImageDraw.Draw(strip).text((px // 2 - left, px // 2 - up), text, fill=255, font=font)
        strip = strip.rotate(rng.uniform(-4, 1), resample=Image.Resampling.BICUBIC, expand=True)
        strip = strip.filter(ImageFilter.GaussianBlur(max(0.6, px / 40)))
        alpha = strip.point(lambda v: round(v * 0.6))
        x = round(width * rng.uniform(0.12, 0.2))
        card.paste(Image.new("RGB", strip.size, (96, 94, 100)), (x, round(y)), alpha)
        y += px * rng.uniform(1.7, 2.0)
    card = card.filter(ImageFilter.GaussianBlur(0.6))
    grain = Image.effect_noise((width, height), 12).point(lambda v: abs(v - 128) // 2)
    return ImageChops.subtract(card, grain.convert("RGB"))
