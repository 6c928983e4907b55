"""Draw a synthetic person: demographics, every categorical attribute, and the placement details
(which side a mole is on, ...) that both the drawing and the description must agree on."""

from __future__ import annotations

import numpy as np

from text2montage.data.vocab import ABSENT, PRESENT, VOCAB, Person

MALE_SHARE = 0.62  # aihub-format.md: ~62% of the 10,000 persons are male
AGE_RANGE = (20, 69)

# Where a present feature sits; descriptions name the place, the renderer draws it there.
FEATURE_PLACES: dict[str, tuple[str, ...]] = {
    "mole": ("left_cheek", "right_cheek", "chin", "left_eye", "right_mouth", "forehead"),
    "scar": ("left_cheek", "right_cheek", "forehead", "left_eyebrow", "chin"),
    "dimple": ("both_cheeks", "left_cheek", "right_cheek"),
    "frekles": ("both_cheeks", "nose"),
    "spots": ("left_cheek", "right_cheek", "forehead"),
    "tatoo": ("neck_left", "neck_right"),
    "mustache": ("full", "thin", "goatee"),
    "sideburns": ("long", "short"),
    "makeup": ("eyes", "lips"),
}

# Attribute values a person of this gender/age should (almost) never get, as in the real data.
_MALE_ONLY = {("feature", "mustache"), ("feature", "sideburns")}
_FEMALE_ONLY = {("feature", "makeup")}


def _choose(rng: np.random.Generator, options: tuple[tuple[str, float], ...]) -> str:
    values = [v for v, _ in options]
    weights = np.array([w for _, w in options], dtype=float)
    return values[rng.choice(len(values), p=weights / weights.sum())]


def _hair_options(gender: str, age: int) -> dict[str, tuple[tuple[str, float], ...]]:
    """Hair vocabularies re-weighted by gender and age: long hair mostly women, balding older men."""
    hair = dict(VOCAB["hairstyle"])
    if gender == "M":
        bald = 30.0 if age >= 45 else 3.0
        hair["type"] = tuple((v, w * (bald if v in ("탈모형", "민머리") else 1)) for v, w in hair["type"])
        hair["sizeLength"] = (
            ("분류없음", 1),
            ("긴머리", 0.2),
            ("단발머리", 0.4),
            ("짧은머리", 5),
            ("숏컷(귀보임)", 6),
        )
    else:
        hair["type"] = tuple(
            (v, 0.0 if v in ("탈모형", "민머리", "스포츠형") else w) for v, w in hair["type"]
        )
        hair["sizeLength"] = (
            ("분류없음", 1),
            ("긴머리", 6),
            ("단발머리", 5),
            ("짧은머리", 2),
            ("숏컷(귀보임)", 1),
        )
    return hair


def _wrinkle_options(age: int) -> tuple[tuple[str, float], ...]:
    old = (age - 20) / 49  # 0 at 20, 1 at 69
    return (("많다", 0.2 + 4 * old**2), ("보통", 1 + 3 * old), ("없다", 5 * (1 - old) + 0.2))


def sample_person(org_id: int, rng: np.random.Generator) -> Person:
    """A random person with every field filled (a level-3 record's worth) and feature placements."""
    gender = "M" if rng.random() < MALE_SHARE else "F"
    age = int(rng.integers(AGE_RANGE[0], AGE_RANGE[1] + 1))
    attributes: dict[str, str] = {}
    hair = _hair_options(gender, age)
    for section, fields in VOCAB.items():
        for field, options in fields.items():
            if section == "hairstyle":
                options = hair[field]
            elif section == "wrinkle":
                options = _wrinkle_options(age)
            elif (gender == "F" and (section, field) in _MALE_ONLY) or (
                gender == "M" and (section, field) in _FEMALE_ONLY
            ):
                options = ((ABSENT, 1),)
            attributes[f"{section}.{field}"] = _choose(rng, options)
    details = {
        name: str(rng.choice(places))
        for name, places in FEATURE_PLACES.items()
        if attributes.get(f"feature.{name}") == PRESENT
    }
    return Person(org_id=org_id, gender=gender, age=age, attributes=attributes, details=details)
