"""Procedural pencil-sketch faces in the look of AIHub's montage sketches.

One person is laid out once (`_Layout`: every landmark and shape, in design units), then drawn into
three kinds of layer that are multiplied onto paper:

- tone: soft shading (face sides, eye sockets, under nose and lip, hair mass), drawn at a reduced
  resolution, Gaussian-blurred and upscaled: blur is cheap there and shading is low-frequency anyway;
- hair: the blurred hair mask times a cached strand texture, plus explicit strands along the hair flow;
- lines: anti-aliased pencil strokes at full resolution (contours, lids, brows, lips, wrinkles, marks).

Tone and hair are shared by the four sketches; each sketch re-draws the line layer with its own stroke
jitter, shading strength and a few optional strokes, which is how AIHub's org/L/M/H sketches of one
person differ. All geometry lives in design units (DU): a 540x720 frame mapped onto the output size,
so proportions follow width and height.

Side convention: attribute values and FEATURE_PLACES say 'left'/'right' from the PERSON's point of
view. The person faces the viewer, so the person's left is the image's right:
x = cx + PERSON_LEFT * dx, with PERSON_LEFT = +1.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import cv2
import numpy as np

from text2montage.data.vocab import PRESENT, Person

SKETCH_KEYS: tuple[str, ...] = ("org", "L", "M", "H")
DESIGN_W, DESIGN_H = 540.0, 720.0
PERSON_LEFT, PERSON_RIGHT = +1, -1  # image-x sign of the person's left / right side
SUBPIXEL_BITS = 4  # cv2 fixed-point fraction bits: strokes land between pixels
SUBPIXEL = 1 << SUBPIXEL_BITS
TONE_FACTOR_MAX = 4  # tone layers are drawn at 1/4 resolution (at most)
TONE_MIN_WIDTH = 64  # ... but never narrower than this many pixels
TEXTURE_MARGIN = 48  # cached textures are this much larger than the image, for random offsets
SHADE_SIGMA_DU = 9.0  # blur of broad shading (face sides, sockets)
SOFT_SIGMA_DU = 3.0  # blur of soft shading (lips, nostrils, brow halo)
HAIR_EDGE_SIGMA_DU = 2.5  # softness of the hair silhouette
EDGE_SHADE_SIGMA_DU = 28.0  # how far the face-side shading reaches inwards
PAPER_LIGHTNESS = 247  # mean paper value (uint8)
PAPER_GRAIN = 5.0  # paper grain standard deviation (uint8 levels)
OUTLINE_POINTS = 48  # points per side of the face outline
MIN_RENDER_WIDTH = 270  # narrower sketches are drawn at a multiple of their size and reduced: pencil
# lines, grain and strands thinner than a pixel would otherwise turn into aliased dots


# ----------------------------------------------------------------------------------------------------
# Attribute lookup


def _attr(person: Person, key: str, table: dict, rng: np.random.Generator, ordinary: tuple = ()) -> object:
    """The table entry for the person's value of `key`; unknown or unlisted values get a random
    ordinary entry (from `ordinary` when given, else any entry) so nothing ever crashes."""
    value = person.attributes.get(key, "")
    if value in table:
        return table[value]
    choices = ordinary or tuple(table)
    return table[choices[int(rng.integers(len(choices)))]]


def _present(person: Person, name: str) -> str | None:
    """Where a present feature sits (FEATURE_PLACES value), or None when absent."""
    if person.attributes.get(f"feature.{name}") != PRESENT:
        return None
    return person.details.get(name, "")


def _wrinkle(person: Person, name: str, age_factor: float) -> float:
    """Wrinkle strength 0..1: 많다 > 보통 > 없다, a little more with age."""
    level = {"많다": 0.85, "보통": 0.45, "없다": 0.0}.get(person.attributes.get(f"wrinkle.{name}", ""), 0.2)
    return float(min(1.0, level + 0.25 * age_factor * (level > 0)))


# ----------------------------------------------------------------------------------------------------
# Layout: every landmark of one person, in design units


FACE_TYPES: dict[str, dict] = {
    # half-width profile (hairline .. chin) as fractions of the cheek half-width, flat chin width,
    # and width/height multipliers
    "계란형": {"w": (0.86, 0.95, 1.0, 0.98, 0.88, 0.72, 0.50), "chin": 0.20, "sx": 1.0, "sy": 1.0},
    "둥근형": {"w": (0.90, 0.98, 1.0, 1.0, 0.96, 0.86, 0.64), "chin": 0.30, "sx": 1.07, "sy": 0.92},
    "긴형": {"w": (0.86, 0.91, 0.94, 0.93, 0.86, 0.72, 0.50), "chin": 0.22, "sx": 0.9, "sy": 1.12},
    "사각형": {"w": (0.96, 0.99, 1.0, 1.0, 0.99, 0.95, 0.80), "chin": 0.46, "sx": 1.03, "sy": 0.98},
    "역삼각형": {"w": (1.0, 1.02, 1.0, 0.92, 0.76, 0.56, 0.34), "chin": 0.10, "sx": 1.0, "sy": 1.02},
    "마름모형": {"w": (0.72, 0.84, 1.03, 0.99, 0.82, 0.60, 0.38), "chin": 0.11, "sx": 1.0, "sy": 1.04},
}
PROFILE_T = (0.0, 0.18, 0.40, 0.55, 0.70, 0.82, 0.92)  # where the half-widths above are measured
FACE_SIZES = {"크다": 1.07, "보통": 1.0, "작다": 0.93}
CHIN_TYPES = {
    "둥근형": (1.0, 0),
    "V자형": (0.55, 0),
    "각진형(사각)": (1.9, 0),
    "이중형": (1.1, 1),
    "주걱형": (1.4, 2),
}  # (chin flat-width multiplier, 1 double chin / 2 jutting chin)
CHIN_SIZES = {"길다": 16.0, "보통": 0.0, "짧다": -14.0}
FOREHEAD_SIZES = {"넓다": -16.0, "보통": 0.0, "좁다": 14.0}
FOREHEAD_TYPES = ("둥근형", "일자형", "M자형", "각진형(사각형)", "화산형(사다리꼴)")
CHEEKS = {"광대돌출": "cheekbones", "볼살많음": "full", "볼패임": "hollow"}

BASE_HALF_WIDTH = 160.0  # cheek half-width of an ordinary face (DU)
BASE_HAIRLINE_Y = 172.0
BASE_FACE_HEIGHT = 445.0  # hairline to chin
HAIR_ABOVE_HAIRLINE = 0.2  # skull top above the hairline, as a share of the face height
HEAD_MID_Y = 372.0  # every head's (skull top + chin) / 2 is placed here, so one fixed crop frames them all
FACE_CX = DESIGN_W / 2


@dataclass
class _Head:
    cx: float
    hairline_y: float
    chin_y: float
    half_w: float
    profile_y: np.ndarray  # outline sample heights (hairline .. chin)
    profile_w: np.ndarray  # half-widths at those heights
    chin_flat: float  # half-width of the flat part of the chin
    chin_kind: int  # 0 plain, 1 double chin, 2 jutting chin
    forehead_type: str
    cheek: str  # "", cheekbones, full, hollow
    age: float  # 0 at 20 years, 1 at 69
    male: bool

    @property
    def height(self) -> float:
        return self.chin_y - self.hairline_y

    def y_at(self, t: float) -> float:
        """Height of the fraction t between hairline (0) and chin (1)."""
        return self.hairline_y + t * self.height

    def w_at(self, y: float) -> float:
        """Face half-width at height y."""
        return float(np.interp(y, self.profile_y, self.profile_w))

    @property
    def brow_y(self) -> float:
        return self.y_at(0.31)

    @property
    def eye_y(self) -> float:
        return self.y_at(0.395)

    @property
    def head_top_y(self) -> float:
        return self.hairline_y - HAIR_ABOVE_HAIRLINE * self.height

    def outline(self) -> np.ndarray:
        """Face contour from the right temple (image left) around the chin to the left temple."""
        side = np.stack([self.cx - self.profile_w, self.profile_y], axis=1)
        flat = np.linspace(-self.chin_flat, self.chin_flat, 7)
        bottom = np.stack([self.cx + flat, self.chin_y + 4.0 * (1 - (flat / max(self.chin_flat, 1)) ** 2)], 1)
        mirrored = np.stack([2 * self.cx - side[::-1, 0], side[::-1, 1]], axis=1)
        return _smooth(np.concatenate([side, bottom, mirrored]), passes=2)


def _make_head(person: Person, rng: np.random.Generator) -> _Head:
    male = person.gender == "M"
    age = float(np.clip((person.age - 20) / 49, 0, 1))
    ftype = _attr(person, "face.type", FACE_TYPES, rng)
    chin_mult, chin_kind = _attr(
        person, "face.chinType", CHIN_TYPES, rng, ("둥근형", "V자형", "각진형(사각)")
    )
    half_w = BASE_HALF_WIDTH * ftype["sx"] * (1.03 if male else 0.96) * rng.normal(1, 0.025)
    height = BASE_FACE_HEIGHT * ftype["sy"] * rng.normal(1, 0.02)
    hairline = BASE_HAIRLINE_Y + _attr(person, "face.foreheadSize", FOREHEAD_SIZES, rng) + rng.normal(0, 4)
    chin_y = hairline + height + _attr(person, "face.chinSize", CHIN_SIZES, rng, ("보통",))
    widths = np.array(ftype["w"]) * rng.normal(1, 0.02, len(ftype["w"]))
    jaw_gain = (1.05 if male else 0.95) + 0.04 * age  # men's wider jaw; jowls sag with age
    widths[4:] *= jaw_gain
    t = np.linspace(0, PROFILE_T[-1], OUTLINE_POINTS)
    profile_y = hairline + t * (chin_y - hairline)
    profile_w = half_w * np.interp(t, PROFILE_T, widths)
    cheek = next((v for k, v in CHEEKS.items() if person.attributes.get("face.cheek", "").startswith(k)), "")
    if cheek == "full":
        profile_w *= 1 + 0.05 * np.exp(-(((t - 0.72) / 0.12) ** 2))
    return _Head(
        cx=FACE_CX,
        hairline_y=hairline,
        chin_y=chin_y,
        half_w=half_w,
        profile_y=profile_y,
        profile_w=profile_w,
        chin_flat=half_w * ftype["chin"] * chin_mult * jaw_gain,
        chin_kind=chin_kind,
        forehead_type=str(_attr(person, "face.foreheadType", {v: v for v in FOREHEAD_TYPES}, rng)),
        cheek=cheek,
        age=age,
        male=male,
    )


# ----------------------------------------------------------------------------------------------------
# Geometry helpers (all in DU)


def _smooth(points: np.ndarray, passes: int = 1) -> np.ndarray:
    """Round the corners of an open polyline by averaging neighbours (ends stay fixed)."""
    pts = points.astype(np.float64)
    for _ in range(passes):
        pts[1:-1] = 0.25 * pts[:-2] + 0.5 * pts[1:-1] + 0.25 * pts[2:]
    return pts


@functools.lru_cache(maxsize=64)
def _unit(n: int) -> np.ndarray:
    """np.linspace(0, 1, n), cached: geometry asks for the same few sizes thousands of times."""
    u = np.linspace(0, 1, n)
    u.flags.writeable = False
    return u


def _ellipse(
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    angle_deg: float = 0.0,
    start: float = 0.0,
    end: float = 360.0,
    n: int = 24,
) -> np.ndarray:
    """Points on an (arc of an) ellipse; angles in degrees, 0 = +x, 90 = +y (downwards)."""
    a = np.radians(start + (end - start) * _unit(n))
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    x, y = rx * np.cos(a), ry * np.sin(a)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def _curve(x0: float, y0: float, x1: float, y1: float, bulge: float, n: int = 12) -> np.ndarray:
    """A quadratic arc from (x0, y0) to (x1, y1) bulging `bulge` DU to the left of its direction."""
    t = _unit(n)[:, None]
    p0, p1 = np.array([x0, y0]), np.array([x1, y1])
    d = p1 - p0
    normal = np.array([d[1], -d[0]]) / max(float(np.hypot(*d)), 1e-6)
    ctrl = (p0 + p1) / 2 + 2 * bulge * normal
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t**2 * p1


def _resample(points: np.ndarray, n: int) -> np.ndarray:
    """n points evenly spaced by arc length along a polyline."""
    seg = np.hypot(*np.diff(points, axis=0).T)
    s = np.concatenate([[0], np.cumsum(seg)])
    u = np.linspace(0, s[-1], n)
    return np.stack([np.interp(u, s, points[:, 0]), np.interp(u, s, points[:, 1])], axis=1)


def _mirror(points: np.ndarray, cx: float) -> np.ndarray:
    return np.stack([2 * cx - points[:, 0], points[:, 1]], axis=1)


# ----------------------------------------------------------------------------------------------------
# Layers


class _Layer:
    """A darkness map (0 = paper, 1 or 255 = black) addressed in DU through an affine map."""

    def __init__(self, shape: tuple[int, int], affine: np.ndarray, px_per_du: float, dtype: type) -> None:
        self.img = np.zeros(shape, dtype)
        self.affine = affine  # 2x3: DU -> pixels
        self.px_per_du = px_per_du
        self.full = 255.0 if dtype == np.uint8 else 1.0
        self.aa = cv2.LINE_AA if dtype == np.uint8 else cv2.LINE_8

    def px(self, pts: np.ndarray) -> np.ndarray:
        p = pts @ self.affine[:, :2].T + self.affine[:, 2]
        return np.round(p * SUBPIXEL).astype(np.int32).reshape(-1, 1, 2)

    def stroke(self, pts: np.ndarray, dark: float, width_du: float, closed: bool = False) -> None:
        self.stroke_px(self.px(pts), dark, width_du, closed)

    def stroke_px(
        self,
        poly: np.ndarray,
        dark: float,
        width_du: float,
        closed: bool = False,
        thin_is_lighter: bool = True,
    ) -> None:
        """A pencil line; lines thinner than a pixel are drawn one pixel wide but lighter (unless they
        replace a darker tone, like strands inside the hair mass)."""
        width_px = width_du * self.px_per_du
        if thin_is_lighter:
            dark *= min(1.0, width_px)
        thickness = max(1, int(round(width_px)))
        cv2.polylines(self.img, [poly], closed, float(dark * self.full), thickness, self.aa, SUBPIXEL_BITS)

    def fill(self, pts: np.ndarray, dark: float) -> None:
        self.fill_px(self.px(pts), dark)

    def fill_px(self, poly: np.ndarray, dark: float) -> None:
        cv2.fillPoly(self.img, [poly], float(dark * self.full), self.aa, SUBPIXEL_BITS)

    def add_fill(self, pts: np.ndarray, dark: float) -> None:
        """Accumulate darkness (tone layers): overlapping shadows deepen instead of replacing."""
        scratch = np.zeros_like(self.img)
        cv2.fillPoly(scratch, [self.px(pts)], float(dark * self.full), self.aa, SUBPIXEL_BITS)
        self.img += scratch

    def add_stroke(self, pts: np.ndarray, dark: float, width_du: float) -> None:
        scratch = np.zeros_like(self.img)
        thickness = max(1, int(round(width_du * self.px_per_du)))
        cv2.polylines(
            scratch, [self.px(pts)], False, float(dark * self.full), thickness, self.aa, SUBPIXEL_BITS
        )
        self.img += scratch

    def blurred(self, sigma_du: float) -> np.ndarray:
        sigma = max(0.5, sigma_du * self.px_per_du)
        return cv2.GaussianBlur(self.img, (0, 0), sigma)


@dataclass
class _Frame:
    """Output size and the DU -> pixel maps (per person: size zoom, head tilt, position jitter)."""

    width: int
    height: int
    affine: np.ndarray
    tone_factor: int

    @property
    def px_per_du(self) -> float:
        return float(np.sqrt(abs(np.linalg.det(self.affine[:, :2]))))

    def layer(self, dtype: type = np.uint8) -> _Layer:
        return _Layer((self.height, self.width), self.affine, self.px_per_du, dtype)

    def tone_layer(self, factor: int | None = None, dtype: type = np.float32) -> _Layer:
        """A reduced-resolution layer (1/factor of the output) for blurred, low-frequency content."""
        f = factor or self.tone_factor
        shape = (-(-self.height // f), -(-self.width // f))
        return _Layer(shape, self.affine / f, self.px_per_du / f, dtype)

    def upscale(self, low: np.ndarray) -> np.ndarray:
        """A reduced-resolution darkness map (float 0..1 or uint8) as a full-size uint8 map."""
        u8 = low if low.dtype == np.uint8 else cv2.convertScaleAbs(low, alpha=255.0)
        if u8.shape == (self.height, self.width):
            return u8
        return cv2.resize(u8, (self.width, self.height), interpolation=cv2.INTER_LINEAR)


def _make_frame(head: _Head, person: Person, rng: np.random.Generator, width: int, height: int) -> _Frame:
    zoom = _attr(person, "face.size", FACE_SIZES, rng, ("보통",)) * rng.normal(1, 0.015)
    tilt = np.radians(rng.normal(0, 1.6))  # a slight head tilt, as real photos have
    shift = rng.normal(0, (7.0, 6.0)) + (0.0, HEAD_MID_Y - (head.head_top_y + head.chin_y) / 2)
    pivot = np.array([head.cx, head.eye_y])
    c, s = np.cos(tilt) * zoom, np.sin(tilt) * zoom
    rot = np.array([[c, -s], [s, c]])
    offset = pivot - rot @ pivot + shift
    scale = np.diag([width / DESIGN_W, height / DESIGN_H])
    affine = np.concatenate([scale @ rot, (scale @ offset)[:, None]], axis=1)
    tone_factor = int(max(1, min(TONE_FACTOR_MAX, width // TONE_MIN_WIDTH)))
    return _Frame(width, height, affine, tone_factor)


# ----------------------------------------------------------------------------------------------------
# Cached textures: paper grain and hair strands, sliced at random offsets


@functools.lru_cache(maxsize=8)
def _paper(height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(1234)
    h, w = height + TEXTURE_MARGIN, width + TEXTURE_MARGIN
    grain = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.7)
    fibres = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 6.0)
    paper = PAPER_LIGHTNESS + PAPER_GRAIN * grain / grain.std() + 2.0 * fibres / fibres.std()
    return np.clip(paper, 0, 255).astype(np.uint8)


HATCH_MEAN = 152  # mean of the hatching texture: multiplying by it keeps the shading's mean tone


@functools.lru_cache(maxsize=8)
def _hatching(height: int, width: int) -> np.ndarray:
    """Diagonal pencil hatching (uint8 around HATCH_MEAN) that modulates the shading."""
    rng = np.random.default_rng(4321)
    h, w = height + TEXTURE_MARGIN, width + TEXTURE_MARGIN
    scale = width / DESIGN_W
    img = np.full((h, w), 140, np.uint8)
    count = int(h * w / 60)
    start = rng.uniform(0, 1, (count, 2)) * [w, h]
    length = rng.uniform(12, 36, (count, 1)) * scale
    angle = np.radians(rng.normal(-55, 6, (count, 1)))
    end = start + length * np.concatenate([np.cos(angle), np.sin(angle)], 1)
    lines = np.round(np.stack([start, end], 1) * SUBPIXEL).astype(np.int32)
    for value in (160, 180, 200):
        chunk = lines[rng.random(count) < 0.33]
        cv2.polylines(img, list(chunk), False, value, 1, cv2.LINE_AA, SUBPIXEL_BITS)
    return cv2.GaussianBlur(img, (0, 0), max(0.5, 0.6 * scale))


HAIR_TEXTURES = ("straight", "curly", "wave", "stubble")


@functools.lru_cache(maxsize=16)
def _hair_texture(kind: str, height: int, width: int) -> np.ndarray:
    """A darkness multiplier (uint8, 255 = full hair tone) with light gaps between strands."""
    rng = np.random.default_rng(HAIR_TEXTURES.index(kind) + 77)
    h, w = height + TEXTURE_MARGIN, width + TEXTURE_MARGIN
    scale = width / DESIGN_W
    gaps = np.zeros((h, w), np.uint8)
    count = int(4.0 * h * w / max(scale, 0.2) ** 2 / 1e3 * scale**2)
    for _ in range(count):
        _texture_stroke(gaps, kind, rng, scale)
    gaps = cv2.GaussianBlur(gaps, (0, 0), max(0.5, 0.8 * scale))
    return cv2.subtract(np.full_like(gaps, 255), cv2.convertScaleAbs(gaps, alpha=0.35))


def _texture_stroke(img: np.ndarray, kind: str, rng: np.random.Generator, scale: float) -> None:
    h, w = img.shape
    x, y = rng.uniform(0, w), rng.uniform(0, h)
    light = int(rng.uniform(60, 200))
    if kind == "curly":
        r = rng.uniform(3, 8) * scale
        pts = _ellipse(x, y, r, r * rng.uniform(0.6, 1.0), rng.uniform(0, 180), 0, rng.uniform(160, 300), 10)
    elif kind == "stubble":
        a = rng.normal(-90, 25)
        length = rng.uniform(2, 5) * scale
        pts = np.array([[x, y], [x + length * np.cos(np.radians(a)), y + length * np.sin(np.radians(a))]])
    else:
        length = rng.uniform(30, 90) * scale
        yy = np.linspace(y, y + length, 10)
        amp = 3 * scale if kind == "wave" else 0.8 * scale
        xx = x + rng.normal(0, 0.15) * (yy - y) + amp * np.sin((yy - y) / (9 * scale) + rng.uniform(0, 6))
        pts = np.stack([xx, yy], 1)
    cv2.polylines(
        img, [np.round(pts * SUBPIXEL).astype(np.int32)], False, light, 1, cv2.LINE_AA, SUBPIXEL_BITS
    )


def _slice(texture: np.ndarray, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    y, x = rng.integers(0, TEXTURE_MARGIN, 2)
    return texture[y : y + height, x : x + width]


# ----------------------------------------------------------------------------------------------------
# Hair


HAIR_TYPES = {
    "직모(생머리)": "straight",
    "곱슬머리": "curly",
    "웨이브형": "wave",
    "스포츠형": "crop",
    "탈모형": "receding",
    "민머리": "bald",
}
HAIR_ORDINARY = ("직모(생머리)", "곱슬머리", "웨이브형")
BANGS = {"눈썹위": "above", "눈썹아래": "below", "앞머리올림": "up"}
HAIR_LENGTHS = {"긴머리": "long", "단발머리": "bob", "짧은머리": "short", "숏컷(귀보임)": "shortcut"}
PARTS = {"왼쪽가르마": PERSON_LEFT, "오른쪽가르마": PERSON_RIGHT, "중간가르마": 0}


@dataclass
class _Hair:
    kind: str  # straight curly wave crop receding bald
    bangs: str  # above below up none
    length: str  # long bob short shortcut
    part: int | None  # image-x sign of the part (0 middle), None: no visible part
    tone: float  # darkness of the mass (greyer hair is lighter)
    volume: float  # DU above the skull
    outer: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    inner: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))

    @property
    def covers_ears(self) -> bool:
        return self.kind not in ("crop", "bald", "receding") and self.length in ("long", "bob")

    @property
    def bangs_bottom(self) -> float | None:
        return None if self.inner.size == 0 else float(self.inner[len(self.inner) // 2, 1])


def _make_hair(person: Person, head: _Head, rng: np.random.Generator) -> _Hair:
    kind = str(_attr(person, "hairstyle.type", HAIR_TYPES, rng, HAIR_ORDINARY))
    bangs = str(_attr(person, "hairstyle.topLength", BANGS, rng))
    length = str(_attr(person, "hairstyle.sizeLength", HAIR_LENGTHS, rng))
    value = person.attributes.get("hairstyle.part", "")
    part = PARTS.get(value, int(rng.choice([-1, 1])) if rng.random() < 0.5 else None)
    grey = head.age * rng.uniform(0.3, 1.0)  # how far the hair has greyed
    tone = float(np.clip(rng.normal(0.95, 0.03) - 0.5 * grey, 0.3, 0.98))
    volume = {"straight": 16.0, "curly": 30.0, "wave": 26.0, "crop": 5.0, "receding": 6.0, "bald": 0.0}[kind]
    if kind in ("crop", "receding", "bald"):
        bangs, length = "none", "shortcut"
    if bangs == "up":
        volume += 14
    hair = _Hair(kind, bangs, length, part, tone, volume * rng.uniform(0.8, 1.2))
    if kind != "bald":
        hair.outer, hair.inner = _hair_outline(hair, head, rng)
    return hair


def _hair_end_y(hair: _Hair, head: _Head) -> float:
    return {
        "long": DESIGN_H + 20,
        "bob": head.chin_y - 8,
        "short": head.eye_y + 12,
        "shortcut": head.brow_y + 6,
    }[hair.length]


def _hair_outline(hair: _Hair, head: _Head, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Outer silhouette and inner boundary (along the face), both image-left to image-right, with
    matching point counts so strands can be interpolated between them."""
    n = 64
    temple_y = head.brow_y - 6
    rx = head.w_at(temple_y) + 4 + 0.5 * hair.volume
    top = head.head_top_y - hair.volume
    cap = _ellipse(head.cx, temple_y, rx, temple_y - top, 0, 180, 270, 20)  # image-left quarter
    end_y = _hair_end_y(hair, head)
    if hair.length in ("long", "bob"):  # the hair falls and flares below the temples
        flare = {"long": 70.0, "bob": 30.0}[hair.length] * rng.uniform(0.7, 1.2)
        side = np.array([[head.cx - rx - flare, end_y], [head.cx - rx - 0.4 * flare, (end_y + temple_y) / 2]])
    else:  # short hair tapers onto the head above (or over the top of) the ear
        side = np.array([[head.cx - head.w_at(end_y) - 2, end_y]])
    left = np.concatenate([side, cap])
    outer = np.concatenate([left, _mirror(left, head.cx)[::-1][1:]])
    outer = _resample(_smooth(outer, 3), n)
    if hair.kind in ("curly", "wave"):
        outer = _bumpy(
            outer, head, 4.0 if hair.kind == "curly" else 2.5, 14 if hair.kind == "curly" else 6, rng
        )
    inner = _resample(_hair_inner(hair, head, end_y, rng), n)
    return outer, inner


def _bumpy(outline: np.ndarray, head: _Head, amp: float, waves: int, rng: np.random.Generator) -> np.ndarray:
    """Push the silhouette in and out: curly/wavy hair has an irregular edge."""
    centre = np.array([head.cx, head.brow_y])
    radial = outline - centre
    radial /= np.maximum(np.linalg.norm(radial, axis=1, keepdims=True), 1e-6)
    phase = np.linspace(0, waves * 2 * np.pi, len(outline)) + rng.uniform(0, 6)
    return outline + radial * (amp * (1 + np.sin(phase)))[:, None]


def _hair_inner(hair: _Hair, head: _Head, end_y: float, rng: np.random.Generator) -> np.ndarray:
    """Inner hair boundary: down the image-left side of the face, across the forehead, back down."""
    front = _hairline(hair, head, rng)
    x_left, y_left = front[0]
    side_ys = np.linspace(end_y, y_left, 32)
    face_edge = np.array([head.w_at(min(y, head.chin_y - 30)) for y in side_ys]) - 3
    if hair.length == "long":  # below the jaw long hair falls beside the neck
        face_edge = np.where(side_ys > head.chin_y - 40, np.minimum(face_edge, 0.62 * head.half_w), face_edge)
    left = np.stack([head.cx - face_edge, side_ys], 1)
    left[-1, 0] = x_left
    return np.concatenate([left, front[1:-1], _mirror(left[::-1], head.cx)])


def _hairline(hair: _Hair, head: _Head, rng: np.random.Generator) -> np.ndarray:
    """The front edge of the hair over the forehead, image-left to image-right."""
    u = np.linspace(-1, 1, 21)
    if hair.bangs == "above":
        y = head.brow_y - rng.uniform(16, 26) + 14 * u**2
    elif hair.bangs == "below":
        y = head.eye_y - rng.uniform(18, 22) + 8 * u**2
    else:
        y = head.hairline_y + _forehead_curve(head.forehead_type, u)
        if hair.kind == "receding":
            y -= 45 * np.exp(-(((np.abs(u) - 0.55) / 0.3) ** 2)) + 22
    temple_y = head.brow_y - 6
    if hair.bangs not in ("above", "below"):  # the hairline curves down into the temples
        corner = np.clip((np.abs(u) - 0.6) / 0.4, 0, 1) ** 1.5
        y = y + (temple_y - y) * corner
    edge = np.array([head.w_at(min(max(yy, head.hairline_y), temple_y)) for yy in y]) - 2
    x = head.cx + u * edge
    if hair.bangs in ("above", "below"):  # the hair edge of bangs is ragged
        y = y + np.where(np.arange(len(u)) % 2 == 0, rng.uniform(0, 3, len(u)), rng.uniform(-9, -3, len(u)))
    y[0] = y[-1] = max(y[0], temple_y)
    return np.stack([x, y], 1)


def _forehead_curve(forehead_type: str, u: np.ndarray) -> np.ndarray:
    """Hairline shape by forehead type (DU below the nominal hairline)."""
    if forehead_type == "일자형":
        return 4 * u**4
    if forehead_type == "M자형":
        return -16 * np.exp(-(((np.abs(u) - 0.6) / 0.2) ** 2)) + 6 * u**2
    if forehead_type == "각진형(사각형)":
        return 10 * np.abs(u) ** 6
    if forehead_type == "화산형(사다리꼴)":
        return 18 * np.abs(u) ** 1.5
    return 12 * u**2


def _draw_hair_mask(mask: _Layer, hair: _Hair, head: _Head) -> None:
    """The hair mass as a silhouette (tone-layer resolution); thinning hair is lighter on top."""
    if hair.kind == "bald":
        return
    mask.fill(np.concatenate([hair.outer, hair.inner[::-1]]), 1.0)
    if hair.part is not None and hair.kind not in ("crop", "receding"):
        x = head.cx + hair.part * 0.35 * head.half_w
        top = head.head_top_y - hair.volume + 8
        part_line = _curve(x, top, x - 3 * hair.part, top + 0.6 * (head.hairline_y - top), 3, 6)
        mask.stroke(part_line, 0.55, 3.0)
    if hair.kind == "receding":  # thin crown: the scalp shows through
        mask.fill(_ellipse(head.cx, head.head_top_y + 40, 0.78 * head.half_w, 60), 0.25)


def _hair_layer(frame: _Frame, hair: _Hair, head: _Head, rng: np.random.Generator) -> np.ndarray:
    """Full-resolution hair darkness (uint8): blurred mask x strand texture, then explicit strands."""
    mask = frame.tone_layer(max(1, frame.tone_factor // 2), np.uint8)  # finer: the hair edge shows
    _draw_hair_mask(mask, hair, head)
    mask_u8 = frame.upscale(cv2.convertScaleAbs(mask.blurred(HAIR_EDGE_SIGMA_DU), alpha=hair.tone))
    kind = {"curly": "curly", "wave": "wave", "crop": "stubble", "receding": "stubble"}.get(
        hair.kind, "straight"
    )
    texture = _slice(_hair_texture(kind, frame.height, frame.width), frame.height, frame.width, rng)
    layer = frame.layer()
    layer.img = cv2.multiply(mask_u8, texture, scale=1 / 255)
    if hair.kind != "bald":
        _draw_strands(layer, hair, rng)
    return layer.img


STRAND_POINTS = 16
STRAND_COUNTS = {"straight": 40, "curly": 34, "wave": 36, "crop": 0, "receding": 8, "bald": 0}
SHEEN_SHARE = 0.3  # share of light strands (the hair's sheen)


def _draw_strands(layer: _Layer, hair: _Hair, rng: np.random.Generator) -> None:
    """Pencil strands: locks flowing from the part along the hair mass, and front locks falling from
    the crown to the hairline (or swept up from it). Most are dark; a few light ones are the sheen."""
    fronts = 0 if hair.kind in ("crop", "receding") else (30 if hair.bangs in ("above", "below") else 16)
    strands = np.concatenate(
        [_flow_strands(hair, STRAND_COUNTS.get(hair.kind, 30), rng), _front_strands(hair, fronts, rng)]
    )
    k = len(strands)
    if k == 0:
        return
    sheen = np.where(rng.random(k) < SHEEN_SHARE, rng.uniform(0.55, 0.75, k), 1.0)
    dark = hair.tone * sheen * rng.uniform(0.9, 1.0, k)
    widths = rng.uniform(0.8, 1.6, k)
    polys = layer.px(strands.reshape(-1, 2)).reshape(k, STRAND_POINTS, 1, 2)
    for poly, d, w in zip(polys, dark, widths, strict=True):
        layer.stroke_px(poly, float(d), float(w), thin_is_lighter=False)


def _band_point(hair: _Hair, index: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Points inside the hair mass: fractional index along the outline, v from inner (0) to outer (1)."""
    grid = np.arange(len(hair.outer))
    inner = np.stack([np.interp(index, grid, hair.inner[:, 0]), np.interp(index, grid, hair.inner[:, 1])], -1)
    outer = np.stack([np.interp(index, grid, hair.outer[:, 0]), np.interp(index, grid, hair.outer[:, 1])], -1)
    return inner * (1 - v[..., None]) + outer * v[..., None]


def _flow_strands(hair: _Hair, count: int, rng: np.random.Generator) -> np.ndarray:
    n = len(hair.outer)
    part = n // 2 + (hair.part or 0) * 0.18 * n
    going_left = rng.random(count) < part / n
    start = part + rng.uniform(-2, 2, count)
    stop = np.where(going_left, rng.uniform(0, part / 2, count), rng.uniform((n + part) / 2, n - 1, count))
    index = start[:, None] + (stop - start)[:, None] * _unit(STRAND_POINTS)
    v = rng.uniform(0.35, 0.92, count)[:, None] + _strand_wiggle(hair.kind, count, rng)
    return _band_point(hair, index, v)


def _front_strands(hair: _Hair, count: int, rng: np.random.Generator) -> np.ndarray:
    n = len(hair.outer)
    top_index = rng.uniform(n / 4, 3 * n / 4, count)
    end_index = np.clip(top_index + rng.uniform(-2, 2, count) + (hair.part or 0) * 2, 0, n - 1)
    top = _band_point(hair, top_index, np.full(count, 0.85))
    bottom = _band_point(hair, end_index, np.full(count, 0.03))
    t = _unit(STRAND_POINTS)[None, :, None]
    pts = top[:, None] * (1 - t) + bottom[:, None] * t
    pts[..., 0] += 60 * _strand_wiggle(hair.kind, count, rng)
    return pts


def _strand_wiggle(kind: str, count: int, rng: np.random.Generator) -> np.ndarray:
    """Per-strand waviness as a fraction of the hair band: curls are tight, waves broad."""
    amp, freq = {"curly": (0.05, (12, 20)), "wave": (0.08, (5, 8))}.get(kind, (0.015, (3, 3)))
    phase = _unit(STRAND_POINTS)[None, :] * rng.uniform(*freq, (count, 1)) + rng.uniform(0, 6, (count, 1))
    return amp * np.sin(phase)


# ----------------------------------------------------------------------------------------------------
# Face parts: parameters


@dataclass
class _Parts:
    """Shape parameters of brows, eyes, nose and mouth (DU and unitless factors)."""

    brow_shape: str
    brow_dark: float
    brow_thick: float
    brow_len: float
    brow_gap: float  # half the glabella width
    eye_dx: float
    eye_w: float  # half-width of one eye
    eye_h: float  # upper-lid height above the corner line
    eye_low: float  # lower-lid depth below it
    eye_slant: float  # outer corner lift (DU, + = up)
    lids: tuple[str, str]  # image-left eye, image-right eye: double / mono / inner
    crease_gap: float
    eye_shape: str
    under_eye: bool
    nose_w: float  # alar half-width
    nose_y: float  # nose base
    nose_top: str
    nose_height: float  # 0.6 low .. 1.4 high: bridge shading contrast
    mouth_y: float
    mouth_w: float
    upper_lip: float
    lower_lip: float
    mouth_side: float  # corner lift (DU, + = up)
    mouth_shape: str
    lip_line: float  # outline darkness
    mouth_protrude: float


EYE_SIZES = {"크다": 1.25, "보통": 1.0, "작다": 0.78}
EYE_DISTANCES = {"넓다": 1.16, "보통": 1.0, "좁다": 0.86}
EYE_SLANTS = {"올라감": 10.0, "보통": 0.0, "내려감": -9.0}
EYELIDS = {"넓다": 11.0, "보통": 7.0, "좁다": 4.0}
# image-left eye is the person's right eye
EYE_TYPES = {
    "쌍꺼풀": ("double", "double"),
    "외꺼풀": ("mono", "mono"),
    "속쌍꺼풀": ("inner", "inner"),
    "오른쪽비대칭": ("double", "mono"),
    "왼쪽비대칭": ("mono", "double"),
}
EYE_SHAPES = {"졸린눈": "sleepy", "실눈": "slit", "돌출눈": "bulging", "오목눈": "deep", "째진눈": "long"}
BROW_TYPES = {"직선형": "straight", "물결형": "wavy", "각진형": "angled", "둥근형": "round"}
BROW_DEEP = {"진하다": 1.0, "흐리다": 0.45}
BROW_THICK = {"두껍다": 19.0, "보통": 12.0, "얇다": 6.5}
SIZE3 = {"길다": 1.2, "크다": 1.25, "넓다": 1.3, "보통": 1.0, "짧다": 0.8, "작다": 0.8, "좁다": 0.75}
NOSE_TOPS = ("각진형", "둥근형", "뭉툭형", "매부리코", "들창코", "주먹코", "휜코", "버선코", "화살코")
NOSE_HEIGHTS = {"높다": 1.6, "보통": 1.0, "낮다": 0.4}
MOUTH_THICK = {"두껍다": 1.5, "보통": 1.0, "얇다": 0.6}
MOUTH_RATIOS = {"아랫입술이 크다": (0.85, 1.2), "윗입술이 크다": (1.2, 0.9), "위아래가 같다": (1.0, 1.0)}
MOUTH_SIDES = {"올라감": 9.0, "보통": 0.0, "처짐": -9.0}
MOUTH_SHAPES = ("ㅡ모양", "V모양", "M모양", "O모양")
MOUTH_TYPES = {"보통형": 1.0, "돌출형": 1.8, "오목형": 0.4}
LIP_LINES = {"뚜렷함": 0.9, "흐림": 0.35}


def _make_parts(person: Person, head: _Head, rng: np.random.Generator) -> _Parts:
    a = person.attributes
    g = rng.normal(1, 0.025, 12)  # per-person proportions: no two faces alike
    hw = head.half_w
    eye_size = _attr(person, "eyes.size", EYE_SIZES, rng) * g[0]
    shape = str(
        _attr(person, "eyes.shape", EYE_SHAPES, rng, ("",)) if a.get("eyes.shape") in EYE_SHAPES else ""
    )
    eye_w = 0.2 * hw * eye_size * (1.18 if shape == "long" else 1.0)
    eye_h = eye_w * {"sleepy": 0.34, "slit": 0.18, "bulging": 0.56, "long": 0.3}.get(shape, 0.44) * g[1]
    eye_low = eye_w * {"slit": 0.1, "bulging": 0.32}.get(shape, 0.22)
    nose_len = _attr(person, "nose.length", SIZE3, rng, ("보통",)) * g[2]
    nose_y = head.y_at(0.64) + 0.64 * head.height * 0.1 * (nose_len - 1) * 3.0
    philtrum = 0.085 * head.height * _attr(person, "nose.philtrum", SIZE3, rng, ("보통",)) * g[3]
    up, low = _attr(person, "mouth.ratio", MOUTH_RATIOS, rng)
    thick = _attr(person, "mouth.thick", MOUTH_THICK, rng) * g[4] * (1 - 0.2 * head.age)
    m_shape = str(_attr(person, "mouth.shape", {v: v for v in MOUTH_SHAPES}, rng, ("ㅡ모양", "M모양")))
    return _Parts(
        brow_shape=str(_attr(person, "eyebrows.type", BROW_TYPES, rng)),
        brow_dark=float(_attr(person, "eyebrows.deep", BROW_DEEP, rng, ("진하다", "흐리다"))) * g[5],
        brow_thick=_attr(person, "eyebrows.thick", BROW_THICK, rng) * (1.06 if head.male else 0.94) * g[6],
        brow_len=0.55 * hw * _attr(person, "eyebrows.length", SIZE3, rng, ("보통",)) * g[7],
        brow_gap=0.13 * hw * _attr(person, "eyebrows.glabella", SIZE3, rng, ("보통",)),
        eye_dx=0.44 * hw * _attr(person, "eyes.distance", EYE_DISTANCES, rng) * g[8],
        eye_w=eye_w,
        eye_h=eye_h,
        eye_low=eye_low,
        eye_slant=_attr(person, "eyes.slant", EYE_SLANTS, rng) + (5.0 if shape == "long" else 0.0),
        lids=_attr(person, "eyes.type", EYE_TYPES, rng),
        crease_gap=_attr(person, "eyes.eyelids", EYELIDS, rng),
        eye_shape=shape,
        under_eye=a.get("eyes.bottom") == "있다" or head.age > 0.6,
        nose_w=0.2
        * hw
        * _attr(person, "nose.size", SIZE3, rng, ("보통",))
        * _attr(person, "nose.nostrils", {"넓다": 1.2, "보통": 1.0, "좁다": 0.82}, rng, ("보통",))
        * g[9],
        nose_y=nose_y,
        nose_top=str(_attr(person, "nose.top", {v: v for v in NOSE_TOPS}, rng, ("둥근형", "뭉툭형"))),
        nose_height=_attr(person, "nose.height", NOSE_HEIGHTS, rng),
        mouth_y=nose_y + philtrum + 9 * up * thick,
        mouth_w=0.37
        * hw
        * _attr(person, "mouth.size", SIZE3, rng, ("보통",))
        * g[10]
        * (0.85 if m_shape == "O모양" else 1.0),
        upper_lip=8.0 * up * thick,
        lower_lip=10.0 * low * thick,
        mouth_side=_attr(person, "mouth.side", MOUTH_SIDES, rng) - 2.0 * head.age,
        mouth_shape=m_shape,
        lip_line=float(_attr(person, "mouth.line", LIP_LINES, rng)),
        mouth_protrude=_attr(person, "mouth.type", MOUTH_TYPES, rng, ("보통형",)),
    )


# ----------------------------------------------------------------------------------------------------
# Shading (tone layers)


def _mask(layer: _Layer, polygon: np.ndarray) -> np.ndarray:
    m = np.zeros_like(layer.img)
    cv2.fillPoly(m, [layer.px(polygon)], 1.0, cv2.LINE_8, SUBPIXEL_BITS)
    return m


def _edge_shade(mask: np.ndarray, sigma_px: float) -> np.ndarray:
    """Darkness that is strongest just inside a mask's edge and fades inwards: the turning-away sides
    of a rounded form (face, neck) that pencil montages shade."""
    return mask * (1 - cv2.GaussianBlur(mask, (0, 0), sigma_px))


def _face_polygon(head: _Head) -> np.ndarray:
    top = head.brow_y - 6
    cap = _ellipse(head.cx, top, head.w_at(top), top - head.head_top_y, 0, 0, -180, 20)
    return np.concatenate([head.outline(), cap])


def _shade_face(shade: _Layer, soft: _Layer, head: _Head, parts: _Parts) -> None:
    """Broad tonal shading: skin tone, darker face and neck sides, shadow of the jaw on the neck."""
    sigma = EDGE_SHADE_SIGMA_DU * shade.px_per_du
    face = _mask(shade, _face_polygon(head))
    neck = _mask(shade, _neck_polygon(head)) * (1 - face)
    jaw_shadow = _mask(shade, _ellipse(head.cx, head.chin_y + 10, 0.55 * head.half_w, 34))
    shade.img += 0.08 * face + 1.2 * _edge_shade(face, sigma)
    shade.img += neck * (0.12 + 0.8 * _edge_shade(neck, sigma) + 0.3 * jaw_shadow)
    cx = head.cx
    for s in (-1, 1):
        shade.add_fill(
            _ellipse(cx + s * 0.8 * head.half_w, parts.nose_y - 10, 22, 70, -s * 12), 0.1
        )  # cheeks
        shade.add_fill(_ellipse(cx + s * 0.82 * head.half_w, head.brow_y - 10, 20, 40), 0.1)  # temples
    _shade_cheeks(shade, head, parts)
    _shade_nose(shade, soft, head, parts)
    soft.add_fill(
        _ellipse(cx, parts.mouth_y + parts.lower_lip + 7, parts.mouth_w * 0.6, 7), 0.3 * parts.mouth_protrude
    )  # under the lower lip
    shade.add_fill(_ellipse(cx, parts.mouth_y + parts.lower_lip + 10, parts.mouth_w * 0.8, 12), 0.08)


def _shade_nose(shade: _Layer, soft: _Layer, head: _Head, p: _Parts) -> None:
    cx = head.cx
    for s in (-1, 1):
        shade.add_fill(_ellipse(cx + s * (p.brow_gap + 8), head.eye_y - 4, 11, 24, s * 20), 0.3)  # nose root
        bridge = _curve(cx + s * 11, head.brow_y + 12, cx + s * (p.nose_w * 0.8), p.nose_y - 16, -s * 3, 8)
        shade.add_stroke(bridge, 0.16 * p.nose_height, 9)
        soft.add_fill(_ellipse(cx + s * p.nose_w * 0.85, p.nose_y - 8, p.nose_w * 0.3, 10), 0.18)  # wings
    soft.add_fill(_ellipse(cx, p.nose_y + 4, p.nose_w * 0.95, 6), 0.4)  # under the nose
    shade.add_fill(_ellipse(cx, p.nose_y + 10, p.nose_w * 1.1, 12), 0.1)


def _shade_cheeks(shade: _Layer, head: _Head, parts: _Parts) -> None:
    gain = {"cheekbones": 0.18, "hollow": 0.2, "full": 0.0}.get(head.cheek, 0.05) + 0.08 * head.age
    for s in (-1, 1):
        x = head.cx + s * 0.62 * head.half_w
        shade.add_fill(_ellipse(x, parts.nose_y + 10, 14, 40, -s * 25), gain)


# ----------------------------------------------------------------------------------------------------
# Line drawing (per sketch, with jitter)


LINE, CLOSED_LINE, FILL = 0, 1, 2


class _Pen:
    """Records a person's pencil strokes (DU) once; `_ink` replays them onto each sketch with that
    sketch's own jitter, line weight and choice of optional strokes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng  # for drawing decisions shared by all four sketches (e.g. freckle positions)
        self.points: list[np.ndarray] = []
        self.strokes: list[tuple[int, float, float, bool]] = []  # kind, darkness, width (DU), optional

    def line(self, pts: np.ndarray, dark: float, width: float = 1.2, closed: bool = False) -> None:
        self._add(pts, CLOSED_LINE if closed else LINE, dark, width, False)

    def maybe(self, pts: np.ndarray, dark: float, width: float = 1.0) -> None:
        """A stroke that some sketches leave out."""
        self._add(pts, LINE, dark, width, True)

    def fill(self, pts: np.ndarray, dark: float) -> None:
        self._add(pts, FILL, dark, 0.0, False)

    def _add(self, pts: np.ndarray, kind: int, dark: float, width: float, optional: bool) -> None:
        self.points.append(np.asarray(pts, np.float64))
        self.strokes.append((kind, float(dark), float(width), optional))


@dataclass
class _Style:
    jitter: float  # DU of per-point wobble
    weight: float  # darkness gain
    width: float  # line width gain
    optional: float  # probability of keeping an optional stroke


def _ink(pen: _Pen, layer: _Layer, style: _Style, rng: np.random.Generator) -> np.ndarray:
    """Draw the recorded strokes with jitter; one vectorised transform for all points."""
    lengths = np.array([len(p) for p in pen.points])
    kinds = np.array([k for k, *_ in pen.strokes])
    pts = np.concatenate(pen.points)
    per_point = rng.normal(0, style.jitter, pts.shape) * np.repeat(kinds != FILL, lengths)[:, None]
    per_stroke = np.repeat(rng.normal(0, style.jitter, (len(lengths), 2)), lengths, axis=0)
    polys = np.split(layer.px(pts + per_point + per_stroke), np.cumsum(lengths)[:-1])
    keep = rng.random(len(lengths)) < style.optional
    for poly, (kind, dark, width, optional), kept in zip(polys, pen.strokes, keep, strict=True):
        if optional and not kept:
            continue
        dark = min(1.0, dark * style.weight)
        if kind == FILL:
            layer.fill_px(poly, dark)
        else:
            layer.stroke_px(poly, dark, width * style.width, kind == CLOSED_LINE)
    return layer.img


def _draw_outline(pen: _Pen, head: _Head, hair: _Hair) -> None:
    outline = head.outline()
    pen.line(outline, 0.5, 1.6)
    pen.maybe(outline[6:-6] + pen.rng.normal(0, 1.5, 2), 0.25, 1.0)  # a second, sketchy pass
    if head.chin_kind == 1:  # double chin
        pen.line(
            _curve(
                head.cx - 0.3 * head.half_w,
                head.chin_y + 10,
                head.cx + 0.3 * head.half_w,
                head.chin_y + 10,
                7,
            ),
            0.35,
            1.2,
        )
    if head.chin_kind == 2:  # jutting chin: a chin ball
        pen.line(
            _curve(
                head.cx - 0.22 * head.half_w,
                head.chin_y - 14,
                head.cx + 0.22 * head.half_w,
                head.chin_y - 14,
                6,
            ),
            0.3,
            1.0,
        )
    if hair.kind in ("bald", "crop", "receding"):  # the skull shows
        temple = head.brow_y - 6
        rx = head.w_at(temple) + 3
        pen.line(_ellipse(head.cx, temple, rx, temple - head.head_top_y, 0, 185, 355, 30), 0.45, 1.4)
    if head.cheek == "cheekbones":
        for s in (-1, 1):
            x = head.cx + s * 0.93 * head.half_w
            pen.line(_curve(x, head.eye_y + 10, x - s * 8, head.eye_y + 55, -s * 5, 8), 0.3, 1.0)


def _ear_outline(head: _Head, s: int) -> np.ndarray:
    top, bottom = head.brow_y - 2, head.y_at(0.62)
    x0 = head.cx + s * (head.w_at(top) - 4)
    x1 = head.cx + s * (head.w_at(bottom) - 4)
    return np.concatenate(
        [
            _curve(x0, top, x0 + s * 24, top + 30, s * 10, 8),
            _curve(x0 + s * 24, top + 30, x1, bottom, s * 14, 10)[1:],
        ]
    )


def _draw_ears(pen: _Pen, head: _Head) -> None:
    for s in (-1, 1):
        ear = _ear_outline(head, s)
        pen.line(ear, 0.6, 1.7)
        x0, y0 = ear[2]
        x1, y1 = ear[-3]
        pen.line(_curve(x0 - s * 2, y0 + 6, x1, y1 - 8, s * 8, 8), 0.4, 1.2)  # the helix rim inside


def _shade_ears(soft: _Layer, head: _Head) -> None:
    for s in (-1, 1):
        ear = _ear_outline(head, s)
        soft.add_fill(ear, 0.22)
        soft.add_fill(_ellipse(ear[9, 0] - s * 9, ear[9, 1] + 4, 6, 16), 0.2)


def _neck_half_width(head: _Head) -> float:
    return head.half_w * (0.56 if head.male else 0.47)


def _neck_side(head: _Head) -> np.ndarray:
    """The image-right neck edge and shoulder line, top down (DU): neck width by gender."""
    nw = _neck_half_width(head)
    wide = head.profile_y[head.profile_w >= nw + 6]  # the neck meets the jaw where the face is wider
    y0 = float(wide[-1]) if len(wide) and wide[-1] < head.profile_y[-1] else head.chin_y - 10
    base = head.chin_y + 80
    return np.concatenate(
        [
            _curve(head.cx + nw, y0, head.cx + nw + 4, base, 3, 8),
            _curve(head.cx + nw + 4, base, DESIGN_W + 10, DESIGN_H - 10, -14, 10)[1:],
        ]
    )


def _neck_polygon(head: _Head) -> np.ndarray:
    """Neck and shoulders as one polygon (DU)."""
    right = _neck_side(head)
    return np.concatenate(
        [right, [[DESIGN_W + 10, DESIGN_H + 10], [-10, DESIGN_H + 10]], _mirror(right, head.cx)[::-1]]
    )


def _draw_neck(pen: _Pen, head: _Head, wrinkle: float) -> None:
    right = _neck_side(head)
    pen.line(right, 0.5, 1.5)
    pen.line(_mirror(right, head.cx), 0.5, 1.5)
    collar_y = head.chin_y + 110
    nw = _neck_half_width(head)
    pen.line(_curve(head.cx - nw - 30, collar_y - 8, head.cx + nw + 30, collar_y - 8, -26, 14), 0.4, 1.3)
    if head.male:  # Adam's apple
        pen.line(_curve(head.cx - 7, head.chin_y + 48, head.cx + 7, head.chin_y + 48, 4, 6), 0.35, 1.0)
    for i in range(int(round(3 * wrinkle))):
        y = head.chin_y + 30 + 18 * i
        pen.line(_curve(head.cx - 0.7 * nw, y, head.cx + 0.7 * nw, y, -4, 10), 0.18 + 0.15 * wrinkle, 1.0)


def _draw_brows(pen: _Pen, head: _Head, p: _Parts) -> None:
    u = np.linspace(0, 1, 14)
    lift = {
        "straight": 3 * u,
        "round": 9 * np.sin(np.pi * u * 0.85),
        "angled": np.where(u < 0.65, 13 * u / 0.65, 13 - 22 * (u - 0.65)),
        "wavy": 7 * np.sin(np.pi * u * 0.85) + 2.2 * np.sin(3 * np.pi * u),
    }[p.brow_shape]
    thick = p.brow_thick * (1 - 0.55 * u**1.3)
    for s in (-1, 1):
        x = head.cx + s * (p.brow_gap + u * p.brow_len)
        y = head.brow_y - lift + 2 * u
        shape = np.concatenate([np.stack([x, y - thick * 0.45], 1), np.stack([x, y + thick * 0.55], 1)[::-1]])
        pen.fill(shape, p.brow_dark * 0.85)
        for k in range(0, 13, 2):  # hair strokes along the brow
            pen.line(
                np.array([[x[k], y[k] + 0.4 * thick[k]], [x[k + 1] + s * 3, y[k + 1] - 0.4 * thick[k]]]),
                p.brow_dark,
                1.0,
            )


def _eye_curves(p: _Parts, head: _Head, s: int, eye_shape: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper and lower lid curves (inner corner -> outer corner) and the x range parameter."""
    u = np.linspace(0, 1, 16)
    ex = head.cx + s * p.eye_dx
    x = ex + s * p.eye_w * (2 * u - 1)
    base = head.eye_y + 2 - u * (p.eye_slant + 2)
    peak = 0.38 if eye_shape != "sleepy" else 0.55
    upper = base - p.eye_h * np.sin(np.pi * u ** (np.log(0.5) / np.log(peak))) ** 0.8
    lower = base + p.eye_low * np.sin(np.pi * u**0.8)
    return np.stack([x, upper], 1), np.stack([x, lower], 1), u


def _draw_eye(pen: _Pen, head: _Head, p: _Parts, s: int, lid: str, makeup: bool) -> None:
    upper, lower, u = _eye_curves(p, head, s, p.eye_shape)
    ex = head.cx + s * p.eye_dx
    iris_r = p.eye_w * 0.43
    iris_cy = head.eye_y - 0.5 * p.eye_h + iris_r * 0.5
    circle = _ellipse(ex - s * 1.5, iris_cy, iris_r, iris_r, n=28)
    t = np.clip((circle[:, 0] - upper[0, 0]) / (upper[-1, 0] - upper[0, 0]), 0, 1)
    top = np.interp(t, u, upper[:, 1])
    bottom = np.interp(t, u, lower[:, 1])
    iris = np.stack([circle[:, 0], np.clip(circle[:, 1], top + 0.5, bottom - 0.3)], 1)
    pen.fill(iris, 0.72)
    pen.fill(_ellipse(ex - s * 1.5, iris_cy, iris_r * 0.45, iris_r * 0.45, n=12), 0.95)
    pen.fill(_ellipse(ex - s * 1.5 + iris_r * 0.3, iris_cy - iris_r * 0.35, 1.6, 1.6, n=8), 0.0)  # glint
    lid_w = (4.2 if lid == "mono" else 2.6) + (1.0 if makeup else 0.0)
    pen.line(upper, 0.92, lid_w)
    pen.line(lower[2:], 0.5, 1.8)
    _draw_crease(pen, upper, p, lid)
    if makeup or not head.male:
        for k in range(9, 16, 2):  # lashes at the outer half
            x, y = upper[k]
            pen.line(np.array([[x, y], [x + s * 3, y - 4]]), 0.8 if makeup else 0.5, 1.0)


def _draw_crease(pen: _Pen, upper: np.ndarray, p: _Parts, lid: str) -> None:
    """쌍꺼풀: a fold line above the lid; 속쌍꺼풀: only its outer half, close to the lid."""
    if lid == "double":
        pen.line(upper[2:] + [0, -p.crease_gap - 0.5 * p.eye_h * 0.3], 0.8, 2.6)
    elif lid == "inner":
        pen.line(upper[8:] + [0, -3.5], 0.65, 2.2)


def _draw_eyes(pen: _Pen, head: _Head, p: _Parts, makeup: bool) -> None:
    for s, lid in zip((-1, 1), p.lids, strict=True):
        _draw_eye(pen, head, p, s, lid, makeup)
        upper, lower, _ = _eye_curves(p, head, s, p.eye_shape)
        if p.eye_shape == "sleepy":  # heavy drooping upper lid
            pen.line(upper[3:] + [0, -3], 0.75, 3.2)
        if p.eye_shape == "deep":  # a socket fold under the brow
            pen.line(upper[1:] + [0, -p.eye_h - 6], 0.65, 3.2)
        if p.eye_shape == "bulging":
            pen.line(upper[2:] + [0, -p.eye_h * 0.9], 0.55, 2.6)
        if p.under_eye or p.eye_shape == "bulging":
            pen.maybe(lower[3:-1] + [0, 6 + 3 * head.age], 0.45 + 0.2 * head.age, 2.2)


def _shade_eyes(shade: _Layer, head: _Head, p: _Parts) -> None:
    gain = {"deep": 0.4, "sleepy": 0.2, "bulging": 0.08}.get(p.eye_shape, 0.14)
    for s in (-1, 1):
        ex = head.cx + s * p.eye_dx
        shade.add_fill(_ellipse(ex - s * 4, head.eye_y - p.eye_h - 4, p.eye_w * 1.1, p.eye_h + 6), gain)


def _draw_nose(pen: _Pen, head: _Head, p: _Parts) -> None:
    cx, y, w = head.cx, p.nose_y, p.nose_w
    top = p.nose_top
    bend = 6.0 if top == "휜코" else 0.0  # a crooked nose leans to the image right
    tip_y = y - 8 + {"들창코": -5, "매부리코": 4, "화살코": 5}.get(top, 0)
    tip_r = w * {"주먹코": 0.62, "뭉툭형": 0.55, "화살코": 0.32, "각진형": 0.4}.get(top, 0.45)
    nostril = {"들창코": (0.36, 0.2, 0.95), "매부리코": (0.22, 0.12, 0.6)}.get(top, (0.28, 0.15, 0.8))
    for s in (-1, 1):
        nx = cx + bend + s * w * 0.45
        pen.fill(_ellipse(nx, y - 3, w * nostril[0], w * nostril[1], s * 15, n=12), nostril[2])
        wing = _curve(cx + bend + s * w * 0.95, y - 16, nx + s * w * 0.2, y - 1, s * 7, 10)
        pen.line(wing, 0.7, 2.6)
    _draw_nose_tip(pen, cx + bend, tip_y, tip_r, top)
    _draw_bridge(pen, head, p, bend)


def _draw_nose_tip(pen: _Pen, x: float, y: float, r: float, top: str) -> None:
    if top == "각진형":
        pen.line(
            np.array(
                [[x - r, y - 4], [x - r * 0.5, y + r * 0.4], [x + r * 0.5, y + r * 0.4], [x + r, y - 4]]
            ),
            0.6,
            2.4,
        )
    elif top == "화살코":
        pen.line(np.array([[x - r, y - 6], [x, y + r * 0.6], [x + r, y - 6]]), 0.6, 2.4)
    else:
        pen.line(_ellipse(x, y - r * 0.3, r, r * 0.75, 0, 20, 160, 12), 0.55, 2.4)
    if top in ("주먹코", "뭉툭형"):
        pen.line(_ellipse(x, y - r * 0.4, r * 1.1, r, 0, 200, 340, 10), 0.45, 2.2)


def _draw_bridge(pen: _Pen, head: _Head, p: _Parts, bend: float) -> None:
    cx, y0, y1 = head.cx, head.brow_y + 14, p.nose_y - 22
    side = -1
    bridge = _curve(cx + side * 9, y0, cx + side * 12 + bend, y1, 2 + bend, 10)
    pen.line(bridge, 0.3 * p.nose_height, 2.4)
    if p.nose_top == "매부리코":  # the hump of a hooked nose
        ym = (y0 + y1) / 2 + 6
        for s in (-1, 1):
            pen.line(_curve(cx + s * 10, ym - 10, cx + s * 10, ym + 10, s * 4, 6), 0.6, 2.4)
    if p.nose_top == "버선코":  # scooped bridge
        pen.line(_curve(cx - 8, y1 - 30, cx - 8, y1, 3, 6), 0.5, 2.2)


def _mouth_curves(p: _Parts, cx: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lip parting line, upper-lip outline and lower-lip outline (image-left corner to right)."""
    u = np.linspace(-1, 1, 21)
    x = cx + p.mouth_w * u
    y = p.mouth_y - p.mouth_side * u**2
    parting = {
        "V모양": y + 3 * (1 - np.abs(u)),
        "M모양": y + 1.5 * np.cos(np.pi * u) * (np.abs(u) < 0.5),
        "O모양": y - 1 + 2 * u**2,
    }.get(p.mouth_shape, y + 0.8 * (1 - u**2))
    bow = {"M모양": 0.55, "V모양": 0.75, "O모양": 0.1}.get(p.mouth_shape, 0.3)
    upper_h = p.upper_lip * (np.abs(np.sin(np.pi * u)) ** 0.6 * (1 - bow * np.exp(-((u / 0.18) ** 2))))
    upper_h = np.maximum(upper_h, p.upper_lip * 0.6 * (1 - u**2) ** 0.5)
    lower_h = p.lower_lip * (1 - u**2) ** 0.8 * (1.2 if p.mouth_shape == "O모양" else 1.0)
    return np.stack([x, parting], 1), np.stack([x, parting - upper_h], 1), np.stack([x, parting + lower_h], 1)


def _shade_mouth(soft: _Layer, head: _Head, p: _Parts, makeup: bool) -> None:
    """Lip tone: the upper lip faces down and is darker; lipstick darkens both."""
    parting, upper, lower = _mouth_curves(p, head.cx)
    soft.add_fill(np.concatenate([upper, parting[::-1]]), 0.35 + (0.3 if makeup else 0))
    soft.add_fill(np.concatenate([parting, lower[::-1]]), 0.16 + (0.25 if makeup else 0))


def _draw_mouth(pen: _Pen, head: _Head, p: _Parts) -> None:
    parting, upper, lower = _mouth_curves(p, head.cx)
    pen.line(parting, 0.9, 2.8)
    pen.line(upper[2:-2], p.lip_line * 0.7, 2.2)
    pen.line(lower[4:-4], p.lip_line * 0.5, 2.2)
    for s in (-1, 1):  # philtrum ridges
        pen.maybe(np.array([[head.cx + s * 4, p.nose_y + 4], [head.cx + s * 3, upper[10, 1] - 2]]), 0.22, 1.0)


# ----------------------------------------------------------------------------------------------------
# Wrinkles and features


def _draw_wrinkles(pen: _Pen, person: Person, head: _Head, p: _Parts, hair: _Hair) -> None:
    age = head.age
    cx = head.cx
    forehead = _wrinkle(person, "forehead", age)
    bangs = hair.bangs_bottom
    for i in range(int(round(4 * forehead))):
        y = head.brow_y - 26 - 12 * i
        if bangs is not None and y < bangs + 4:  # hidden under the bangs
            break
        pen.line(
            _curve(cx - 0.45 * head.half_w, y, cx + 0.45 * head.half_w, y, 3, 12), 0.3 + 0.35 * forehead, 2.6
        )
    glabella = _wrinkle(person, "glabella", age)
    for s in (-1, 1)[: 1 + int(glabella > 0.5)]:
        if glabella > 0:
            pen.line(
                _curve(cx + s * 5, head.brow_y - 8, cx + s * 6, head.brow_y + 12, s * 2, 5),
                0.35 + 0.4 * glabella,
                2.6,
            )
    eyes = _wrinkle(person, "eyes", age)
    mouth = _wrinkle(person, "mouth", age)
    mouth_wrinkle = mouth  # everyone has (faint) nasolabial folds; wrinkled ones are darker
    cheek = _wrinkle(person, "cheek", age)
    for s in (-1, 1):
        ox = cx + s * (p.eye_dx + p.eye_w + 5)
        for i in range(int(round(3 * eyes))):
            pen.line(
                _curve(ox, head.eye_y - 4 + 7 * i, ox + s * 14, head.eye_y - 8 + 11 * i, 2, 5),
                0.4 * eyes + 0.15,
                2.4,
            )
        fold = _curve(
            cx + s * p.nose_w * 1.05, p.nose_y - 12, cx + s * (p.mouth_w + 10), p.mouth_y + 14, s * 7, 10
        )
        pen.line(fold, 0.08 + 0.55 * mouth_wrinkle + 0.15 * age, 2.6)
        if cheek > 0:
            x = cx + s * 0.62 * head.half_w
            pen.line(_curve(x, p.nose_y, x + s * 6, p.mouth_y + 20, s * 4, 8), 0.15 + 0.3 * cheek)
        if mouth > 0.5:  # marionette lines from the mouth corners
            pen.line(
                _curve(
                    cx + s * (p.mouth_w + 2), p.mouth_y + 6, cx + s * (p.mouth_w + 8), p.mouth_y + 36, 2, 6
                ),
                0.45 * mouth,
                2.4,
            )
    lip = _wrinkle(person, "lib", age)
    for i in range(int(round(5 * lip))):
        x = cx + (i - 2) * p.mouth_w * 0.28
        pen.line(
            np.array([[x, p.mouth_y - p.upper_lip - 8], [x + 1, p.mouth_y - p.upper_lip - 1]]),
            0.35 * lip + 0.1,
            2.0,
        )


def _feature_point(place: str, head: _Head, p: _Parts, hair: _Hair) -> tuple[float, float]:
    """Where a mark sits (DU). Sides are the person's: 'left' is the image right."""
    side = PERSON_LEFT if place.startswith("left") else PERSON_RIGHT
    if place.endswith("cheek"):
        return head.cx + side * 0.55 * head.half_w, p.nose_y - 6
    if place == "chin":
        return head.cx + 8, head.chin_y - 22
    if place == "left_eye":
        return head.cx + PERSON_LEFT * (p.eye_dx + p.eye_w * 0.7), head.eye_y + p.eye_low + 12
    if place == "right_mouth":
        return head.cx + PERSON_RIGHT * (p.mouth_w + 14), p.mouth_y + 4
    if place == "left_eyebrow":
        return head.cx + PERSON_LEFT * (p.brow_gap + 0.6 * p.brow_len), head.brow_y - 4
    # forehead: below the bangs, above the brows
    low = head.brow_y - 22
    bangs = hair.bangs_bottom if hair.inner.size else None
    y = head.brow_y - 45 if bangs is None else min(max(bangs + 10, head.brow_y - 45), low)
    return head.cx - 12, y


def _draw_features(pen: _Pen, person: Person, head: _Head, p: _Parts, hair: _Hair) -> None:
    rng = pen.rng
    if (place := _present(person, "mole")) is not None:
        x, y = _feature_point(place or "left_cheek", head, p, hair)
        pen.fill(_ellipse(x, y, 6.0, 5.5, n=12), 0.9)
    if (place := _present(person, "scar")) is not None:
        x, y = _feature_point(place or "left_cheek", head, p, hair)
        pen.line(np.array([[x - 14, y - 7], [x + 14, y + 7]]), 0.75, 3.0)
        for k in (-6, 0, 6):
            pen.line(np.array([[x + k - 2, y + k / 2 + 5], [x + k + 2, y + k / 2 - 5]]), 0.6, 2.2)
    if (place := _present(person, "dimple")) is not None:
        sides = (PERSON_LEFT, PERSON_RIGHT) if place in ("both_cheeks", "") else (_side(place),)
        for s in sides:
            x = head.cx + s * (p.mouth_w + 16)
            pen.line(_curve(x, p.mouth_y - 8, x, p.mouth_y + 4, -s * 2.5, 5), 0.5, 1.2)
    for name, count, dark in (("frekles", 24, 0.3), ("spots", 4, 0.22)):
        if (place := _present(person, name)) is not None:
            _draw_dots(pen, place, count, dark, head, p, hair, rng)
    _draw_facial_hair(pen, person, head, p, hair)
    if (place := _present(person, "tatoo")) is not None:
        s = PERSON_LEFT if place.endswith("left") else PERSON_RIGHT
        x, y = head.cx + s * head.half_w * 0.38, head.chin_y + 45
        pen.line(_ellipse(x, y, 9, 9, n=14), 0.7, 1.4, closed=True)
        pen.line(np.array([[x - 12, y + 14], [x, y + 4], [x + 12, y + 14]]), 0.7, 1.4)


def _side(place: str) -> int:
    return PERSON_LEFT if place.startswith("left") else PERSON_RIGHT


def _draw_dots(
    pen: _Pen,
    place: str,
    count: int,
    dark: float,
    head: _Head,
    p: _Parts,
    hair: _Hair,
    rng: np.random.Generator,
) -> None:
    if place in ("both_cheeks", ""):
        centres = [_feature_point("left_cheek", head, p, hair), _feature_point("right_cheek", head, p, hair)]
    elif place == "nose":
        centres = [(head.cx, p.nose_y - 30)]
    else:
        centres = [_feature_point(place, head, p, hair)]
    for x, y in centres:
        for dx, dy in rng.normal(0, (18, 11), (count // len(centres), 2)):
            r = rng.uniform(0.9, 1.6) if count > 10 else rng.uniform(4, 7)
            pen.fill(_ellipse(x + dx, y + dy, r, r * 0.9, n=8), dark)


def _draw_facial_hair(pen: _Pen, person: Person, head: _Head, p: _Parts, hair: _Hair) -> None:
    style = _present(person, "mustache")
    if style is not None:
        if style != "goatee":
            _draw_mustache(pen, head, p, thin=style == "thin")
        else:
            _draw_mustache(pen, head, p, thin=True)
            _draw_goatee(pen, head, p)
    if (style := _present(person, "sideburns")) is not None:
        _draw_sideburns(pen, head, style)


def _draw_mustache(pen: _Pen, head: _Head, p: _Parts, thin: bool) -> None:
    """A hair band over the upper lip (full: filling the philtrum; thin: a narrow line) with strokes."""
    cx, lip_top = head.cx, p.mouth_y - p.upper_lip - 1
    depth = 5.0 if thin else 0.75 * (lip_top - p.nose_y - 4)
    w = p.mouth_w * (0.85 if thin else 1.08)
    u = np.linspace(-1, 1, 13)
    bottom = np.stack([cx + w * u, lip_top + 2 + 3 * u**2], 1)
    top = np.stack([cx + 0.8 * w * u, lip_top - depth * (1 - 0.5 * u**2)], 1)
    pen.fill(np.concatenate([bottom, top[::-1]]), 0.5 if thin else 0.62)
    for k in range(0, 13, 1 if not thin else 2):
        pen.line(np.array([top[k], bottom[k] + [3 * u[k], 0]]), 0.75, 1.0)


def _draw_goatee(pen: _Pen, head: _Head, p: _Parts) -> None:
    top = p.mouth_y + p.lower_lip + 6
    bottom = head.chin_y - 2
    w = p.mouth_w * 0.45
    patch = np.array(
        [
            [head.cx - w, top + 4],
            [head.cx + w, top + 4],
            [head.cx + 0.7 * w, bottom],
            [head.cx - 0.7 * w, bottom],
        ]
    )
    pen.fill(patch, 0.45)
    for k in np.linspace(-1, 1, 9):
        pen.line(np.array([[head.cx + k * w * 0.9, top + 6], [head.cx + k * w * 0.7, bottom - 2]]), 0.7, 1.0)


def _draw_sideburns(pen: _Pen, head: _Head, style: str) -> None:
    """Tapered hair strips in front of the ears, drawn as a soft fill with strokes."""
    top, bottom = head.brow_y - 10, head.y_at(0.64 if style == "long" else 0.52)
    for s in (-1, 1):
        x_top = head.cx + s * (head.w_at(top) - 10)
        x_bottom = head.cx + s * (head.w_at(bottom) - 8)
        pen.fill(
            np.array(
                [[x_top - 7, top], [x_top + 7, top], [x_bottom + 4 * s, bottom], [x_bottom - 2 * s, bottom]]
            ),
            0.45,
        )
        for k in range(5):
            f = k / 4
            pen.line(
                np.array([[x_top - 6 + 12 * f, top], [x_bottom - s * 2 + 5 * f * s, bottom - 4]]), 0.7, 1.0
            )


# ----------------------------------------------------------------------------------------------------
# Composition


@dataclass
class _Person:
    """Everything drawn once per person."""

    head: _Head
    hair: _Hair
    parts: _Parts
    tone: np.ndarray  # full-size uint8 darkness of the shading
    hair_img: np.ndarray  # full-size uint8 darkness of the hair
    frame: _Frame


def _prepare(person: Person, rng: np.random.Generator, width: int, height: int) -> _Person:
    head = _make_head(person, rng)
    hair = _make_hair(person, head, rng)
    parts = _make_parts(person, head, rng)
    frame = _make_frame(head, person, rng, width, height)
    shade, soft = frame.tone_layer(), frame.tone_layer()
    _shade_face(shade, soft, head, parts)
    _shade_eyes(shade, head, parts)
    makeup = _present(person, "makeup") == "lips"
    _shade_mouth(soft, head, parts, makeup)
    if not hair.covers_ears:
        _shade_ears(soft, head)
    tone = shade.blurred(SHADE_SIGMA_DU) * rng.uniform(0.85, 1.15) + soft.blurred(SOFT_SIGMA_DU)
    return _Person(
        head, hair, parts, frame.upscale(np.clip(tone, 0, 1)), _hair_layer(frame, hair, head, rng), frame
    )


def _draw_lines(pen: _Pen, person: Person, face: _Person) -> None:
    head, hair, parts = face.head, face.hair, face.parts
    makeup = _present(person, "makeup")
    if not hair.covers_ears:
        _draw_ears(pen, head)
    _draw_neck(pen, head, _wrinkle(person, "neck", head.age))
    _draw_outline(pen, head, hair)
    _draw_brows(pen, head, parts)
    _draw_eyes(pen, head, parts, makeup == "eyes")
    _draw_nose(pen, head, parts)
    _draw_mouth(pen, head, parts)
    _draw_wrinkles(pen, person, head, parts, hair)
    _draw_features(pen, person, head, parts, hair)


def _compose(face: _Person, lines: np.ndarray, tone_gain: float, rng: np.random.Generator) -> np.ndarray:
    """Multiply paper by the lightness of each layer (uint8 all the way: cv2 saturating arithmetic)."""
    f = face.frame
    paper = _slice(_paper(f.height, f.width), f.height, f.width, rng)
    hatch = _slice(_hatching(f.height, f.width), f.height, f.width, rng)
    tone = cv2.multiply(face.tone, hatch, scale=tone_gain / HATCH_MEAN)  # shading laid in with strokes
    out = cv2.multiply(paper, cv2.bitwise_not(tone), scale=1 / 255)
    out = cv2.multiply(out, cv2.bitwise_not(face.hair_img), scale=1 / 255)
    lines = cv2.GaussianBlur(lines, (3, 3), 0) if f.width >= 256 else lines
    return cv2.multiply(out, cv2.bitwise_not(lines), scale=1 / 255)


def render_person_sketches(
    person: Person, *, seed: int, width: int = 540, height: int = 720
) -> dict[str, np.ndarray]:
    """Return {'org': ..., 'L': ..., 'M': ..., 'H': ...}: uint8 (height, width) grayscale pencil sketches.

    The four are the same face; each has its own stroke jitter, line weight, shading strength and a
    few optional strokes. Deterministic in (person, seed).
    """
    if width < 1 or height < 1:
        raise ValueError(f"sketch size must be positive, got {width}x{height}")
    supersample = -(-MIN_RENDER_WIDTH // width)  # small sketches are drawn larger, then reduced
    seeds = np.random.SeedSequence([seed & 0xFFFFFFFF, person.org_id & 0xFFFFFFFF]).spawn(
        1 + len(SKETCH_KEYS)
    )
    person_rng = np.random.default_rng(seeds[0])
    face = _prepare(person, person_rng, width * supersample, height * supersample)
    pen = _Pen(person_rng)
    _draw_lines(pen, person, face)
    sketches = {}
    for key, seq in zip(SKETCH_KEYS, seeds[1:], strict=True):
        rng = np.random.default_rng(seq)
        style = ORG_STYLE if key == "org" else _level_style(rng)
        lines = _ink(pen, face.frame.layer(), style, rng)
        sketch = _compose(face, lines, 1.0 if key == "org" else rng.uniform(0.85, 1.15), rng)
        if supersample > 1:
            sketch = cv2.resize(sketch, (width, height), interpolation=cv2.INTER_AREA)
        sketches[key] = sketch
    return sketches


ORG_STYLE = _Style(jitter=0.35, weight=1.0, width=1.0, optional=1.0)


def _level_style(rng: np.random.Generator) -> _Style:
    """A level sketch: a looser hand, slightly different weight, some optional strokes left out."""
    return _Style(
        jitter=rng.uniform(0.4, 0.9),
        weight=rng.uniform(0.88, 1.1),
        width=rng.uniform(0.9, 1.15),
        optional=0.7,
    )
