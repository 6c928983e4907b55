"""The procedural pencil-sketch renderer: realism (Haar face detection), determinism, attributes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from text2montage.data.synth.person import sample_person
from text2montage.data.synth.render import SKETCH_KEYS, render_person_sketches
from text2montage.data.vocab import ABSENT, PRESENT, Person
from text2montage.metrics.haar import haar_face_rate, shuffle_tiles

W, H = 135, 180  # a quarter of AIHub's 540x720: same proportions, fast
N_PERSONS = 60


def _person(org_id: int, **attributes: str) -> Person:
    person = sample_person(org_id, np.random.default_rng(org_id))
    return dataclasses.replace(person, attributes={**person.attributes, **attributes})


@pytest.fixture(scope="module")
def level_sketches() -> list[np.ndarray]:
    images = []
    for org_id in range(N_PERSONS):
        sketches = render_person_sketches(_person(org_id), seed=org_id, width=W, height=H)
        images += [sketches[key] for key in ("L", "M", "H")]
    return images


def test_output_shape_and_type() -> None:
    sketches = render_person_sketches(_person(1), seed=3, width=W, height=H)
    assert tuple(sketches) == SKETCH_KEYS
    for image in sketches.values():
        assert image.shape == (H, W) and image.dtype == np.uint8
        assert image.mean() > 120  # white paper, not a dark mess
        assert image.min() < 60  # dark hair and pencil lines


def test_haar_finds_faces_but_not_in_shuffled_tiles(level_sketches: list[np.ndarray]) -> None:
    assert haar_face_rate(level_sketches) >= 0.95
    rng = np.random.default_rng(0)
    assert haar_face_rate([shuffle_tiles(image, 4, rng) for image in level_sketches]) <= 0.05


def test_shuffle_tiles_keeps_pixels() -> None:
    image = np.arange(180 * 135, dtype=np.int64).reshape(180, 135) % 251
    image = image.astype(np.uint8)
    shuffled = shuffle_tiles(image, 4, np.random.default_rng(1))
    assert shuffled.shape == image.shape
    assert np.array_equal(np.sort(shuffled.ravel()), np.sort(image.ravel()))
    assert not np.array_equal(shuffled, image)


def test_deterministic_and_persons_differ() -> None:
    a = render_person_sketches(_person(5), seed=11, width=W, height=H)
    b = render_person_sketches(_person(5), seed=11, width=W, height=H)
    for key in SKETCH_KEYS:
        assert np.array_equal(a[key], b[key])
    other = render_person_sketches(_person(6), seed=11, width=W, height=H)
    assert np.abs(a["org"].astype(int) - other["org"].astype(int)).mean() > 5
    reseeded = render_person_sketches(_person(5), seed=12, width=W, height=H)
    assert not np.array_equal(a["org"], reseeded["org"])


def test_level_sketches_are_close_variants_of_the_same_face() -> None:
    sketches = render_person_sketches(_person(7), seed=2, width=W, height=H)
    org = sketches["org"].astype(int)
    stranger = render_person_sketches(_person(8), seed=2, width=W, height=H)["org"].astype(int)
    for key in ("L", "M", "H"):
        level = sketches[key].astype(int)
        assert not np.array_equal(level, org)
        assert np.abs(level - org).mean() < 0.5 * np.abs(stranger - org).mean()


def test_face_type_changes_the_outline() -> None:
    short_hair = {
        "hairstyle.type": "스포츠형",
        "hairstyle.sizeLength": "숏컷(귀보임)",
        "feature.sideburns": ABSENT,
    }
    images = {
        face_type: render_person_sketches(
            _person(9, **short_hair, **{"face.type": face_type}), seed=4, width=W, height=H
        )["org"]
        for face_type in ("역삼각형", "계란형", "긴형", "둥근형", "사각형", "마름모형")
    }
    types = list(images)
    for i, first in enumerate(types):
        for second in types[i + 1 :]:
            diff = np.abs(images[first].astype(int) - images[second].astype(int))
            assert (diff > 40).sum() > 40, (first, second)
    # at the jaw a round face is wider than a long one, a square one wider than an inverted triangle
    assert _jaw_width(images["둥근형"]) > _jaw_width(images["긴형"]) + 4
    assert _jaw_width(images["사각형"]) > _jaw_width(images["역삼각형"]) + 4


def _jaw_width(image: np.ndarray) -> int:
    """Width of the figure at jaw height: from the first non-paper pixel on the left to the last one
    on the right (the shaded face sides are far darker than the paper)."""
    row = image[int(0.7 * H)].astype(int)
    figure = np.flatnonzero(row < 215)
    return int(figure.max() - figure.min())


@pytest.mark.parametrize("place", ["left_cheek", "right_cheek"])
def test_mole_is_drawn_on_the_named_side(place: str) -> None:
    """'left' is the person's left, i.e. the image's right half."""
    base = _person(12, **{"feature.mole": PRESENT})
    other_place = "right_cheek" if place == "left_cheek" else "left_cheek"
    with_mole = render_person_sketches(dataclasses.replace(base, details={"mole": place}), seed=1)["org"]
    mirrored = render_person_sketches(dataclasses.replace(base, details={"mole": other_place}), seed=1)["org"]
    darker = np.argwhere(mirrored.astype(int) - with_mole.astype(int) > 60)
    assert len(darker) > 10
    centre_x = darker[:, 1].mean()
    width = with_mole.shape[1]
    assert centre_x > 0.6 * width if place == "left_cheek" else centre_x < 0.4 * width


def test_absent_mole_draws_nothing_there() -> None:
    base = _person(12, **{"feature.mole": PRESENT})
    with_mole = render_person_sketches(dataclasses.replace(base, details={"mole": "left_cheek"}), seed=1)[
        "org"
    ]
    without = dataclasses.replace(base, attributes={**base.attributes, "feature.mole": ABSENT}, details={})
    plain = render_person_sketches(without, seed=1)["org"]
    assert with_mole.astype(int).sum() < plain.astype(int).sum()


def test_unknown_and_unlisted_values_render() -> None:
    person = _person(13)
    odd = {key: "처음보는값" for key in person.attributes}
    odd.update({"hairstyle.type": "분류없음", "face.type": "분류 없음", "eyes.shape": "알수없음"})
    for attributes in (odd, {}):
        sketches = render_person_sketches(
            dataclasses.replace(person, attributes=attributes, details={"mole": "nowhere"}),
            seed=0,
            width=W,
            height=H,
        )
        assert sketches["org"].shape == (H, W)


@pytest.mark.parametrize("hair", ["직모(생머리)", "곱슬머리", "웨이브형", "스포츠형", "탈모형", "민머리"])
def test_every_hairstyle_renders_differently(hair: str) -> None:
    straight = render_person_sketches(
        _person(14, **{"hairstyle.type": "직모(생머리)"}), seed=0, width=W, height=H
    )
    styled = render_person_sketches(_person(14, **{"hairstyle.type": hair}), seed=0, width=W, height=H)
    if hair != "직모(생머리)":
        assert np.abs(styled["org"].astype(int) - straight["org"].astype(int)).mean() > 1
