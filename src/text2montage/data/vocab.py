"""The AIHub montage schema: sections, categorical fields, their vocabularies and which level fills them.

Values and field names follow ../shared/aihub-format.md exactly, misspellings included (`frekles`,
`tatoo`, `lib`, `sizeLength`). Weights are the sampling frequencies the synthetic corpus uses: the
hairstyle counts are the real training counts; the others favour the values seen in real records and
"보통" (ordinary), as annotators do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Section keys in the order captions list them (the `full` caption mode uses this order).
SECTIONS: tuple[str, ...] = (
    "face",
    "hairstyle",
    "eyebrows",
    "eyes",
    "nose",
    "mouth",
    "neck",
    "wrinkle",
    "feature",
    "impression",
)

# Caption modes of a prepared record (data prepare --captions): the original project's caption, every
# section's description in SECTIONS order, the categorical fields as Korean sentences (data/phrases.py).
CAPTION_MODES: tuple[str, ...] = ("impression", "full", "attributes")

SECTION_NAMES_KO: dict[str, str] = {
    "face": "얼굴",
    "hairstyle": "머리",
    "eyebrows": "눈썹",
    "eyes": "눈",
    "nose": "코",
    "mouth": "입",
    "neck": "목",
    "wrinkle": "주름",
    "feature": "특징",
    "impression": "인상",
}

UNKNOWN_VALUES: frozenset[str] = frozenset({"알수없음", "분류없음", "분류 없음", "해당사항없음", ""})

PRESENT = "서술하기"  # feature fields: the section's description says what and where
ABSENT = "해당사항없음"

CHEEK_VALUES = (
    ("광대돌출(예: 비대칭은 분류 없음 선택 후 기술)", 3),
    ("볼살많음(예: 비대칭은 분류 없음 선택 후 기술)", 3),
    ("볼패임(예: 비대칭은 분류 없음 선택 후 기술)", 2),
    ("분류 없음", 4),
)

# section -> field -> ((value, weight), ...)
VOCAB: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {
    "face": {
        "type": (("역삼각형", 2), ("계란형", 5), ("긴형", 3), ("둥근형", 4), ("사각형", 3), ("마름모형", 2)),
        "size": (("크다", 2), ("보통", 5), ("작다", 2)),
        "foreheadType": (
            ("알수없음", 3),
            ("둥근형", 3),
            ("일자형", 3),
            ("M자형", 2),
            ("각진형(사각형)", 1),
            ("화산형(사다리꼴)", 1),
        ),
        "foreheadSize": (("알수없음", 2), ("넓다", 3), ("보통", 5), ("좁다", 2)),
        "chinType": (
            ("분류없음", 2),
            ("둥근형", 4),
            ("V자형", 3),
            ("각진형(사각)", 3),
            ("이중형", 1),
            ("주걱형", 1),
        ),
        "chinSize": (("분류없음", 1), ("길다", 2), ("짧다", 2), ("보통", 5)),
        "cheek": CHEEK_VALUES,
    },
    "hairstyle": {
        "type": (
            ("직모(생머리)", 4467),
            ("곱슬머리", 2392),
            ("웨이브형", 976),
            ("스포츠형", 199),
            ("탈모형", 37),
            ("민머리", 5),
        ),
        "topLength": (("분류없음", 1), ("눈썹위", 4), ("눈썹아래", 2), ("앞머리올림", 4)),
        "sizeLength": (("분류없음", 1), ("긴머리", 2), ("단발머리", 2), ("짧은머리", 4), ("숏컷(귀보임)", 4)),
        "part": (("분류없음", 4), ("왼쪽가르마", 3), ("오른쪽가르마", 3), ("중간가르마", 2)),
    },
    "eyebrows": {
        "type": (("분류없음", 1), ("직선형", 4), ("물결형", 2), ("각진형", 3), ("둥근형", 3)),
        "deep": (("분류없음", 1), ("진하다", 4), ("흐리다", 3)),
        "length": (("길다", 2), ("보통", 5), ("짧다", 2)),
        "thick": (("두껍다", 3), ("보통", 5), ("얇다", 3)),
        "glabella": (("넓다", 2), ("보통", 5), ("좁다", 2)),
    },
    "eyes": {
        "size": (("크다", 3), ("보통", 5), ("작다", 3)),
        "type": (("쌍꺼풀", 4), ("외꺼풀", 4), ("속쌍꺼풀", 3), ("오른쪽비대칭", 1), ("왼쪽비대칭", 1)),
        "distance": (("넓다", 2), ("보통", 5), ("좁다", 2)),
        "slant": (("올라감", 3), ("보통", 5), ("내려감", 3)),
        "shape": (("분류없음", 4), ("졸린눈", 1), ("실눈", 1), ("돌출눈", 1), ("오목눈", 2), ("째진눈", 1)),
        "eyelids": (("넓다", 2), ("보통", 5), ("좁다", 2)),
        "bottom": (("분류없음", 1), ("있다", 4), ("없다", 4)),
    },
    "nose": {
        "size": (("크다", 3), ("보통", 5), ("작다", 3)),
        "length": (("길다", 3), ("보통", 5), ("짧다", 2)),
        "height": (("높다", 3), ("보통", 5), ("낮다", 2)),
        "top": (
            ("분류없음", 3),
            ("각진형", 1),
            ("둥근형", 3),
            ("뭉툭형", 2),
            ("매부리코", 1),
            ("들창코", 1),
            ("주먹코", 1),
            ("휜코", 1),
            ("버선코", 1),
            ("화살코", 1),
        ),
        "nostrils": (("분류없음", 1), ("넓다", 3), ("보통", 5), ("좁다", 2)),
        "philtrum": (("길다", 2), ("보통", 5), ("짧다", 2)),
    },
    "mouth": {
        "type": (("분류없음", 1), ("보통형", 6), ("돌출형", 2), ("오목형", 1)),
        "size": (("크다", 3), ("보통", 5), ("작다", 3)),
        "shape": (("분류없음", 2), ("ㅡ모양", 4), ("V모양", 2), ("M모양", 3), ("O모양", 1)),
        "thick": (("두껍다", 3), ("보통", 5), ("얇다", 3)),
        "ratio": (("아랫입술이 크다", 4), ("윗입술이 크다", 1), ("위아래가 같다", 4)),
        "side": (("올라감", 3), ("보통", 5), ("처짐", 3)),
        "line": (("분류없음", 1), ("뚜렷함", 5), ("흐림", 3)),
    },
    "neck": {},
    "wrinkle": {
        field: (("많다", 2), ("보통", 4), ("없다", 5))
        for field in ("forehead", "glabella", "eyes", "mouth", "cheek", "lib", "neck")
    },
    "feature": {
        "mustache": ((ABSENT, 8), (PRESENT, 2)),
        "sideburns": ((ABSENT, 8), (PRESENT, 2)),
        "dimple": ((ABSENT, 9), (PRESENT, 1)),
        "scar": ((ABSENT, 9), (PRESENT, 1)),
        "mole": ((ABSENT, 7), (PRESENT, 3)),
        "frekles": ((ABSENT, 9), (PRESENT, 1)),
        "spots": ((ABSENT, 9), (PRESENT, 1)),
        "tatoo": ((ABSENT, 19), (PRESENT, 1)),
        "makeup": ((ABSENT, 8), (PRESENT, 2)),
    },
    "impression": {
        "type": (
            ("분류없음", 1),
            ("어려보임", 2),
            ("공격적임", 2),
            ("비열함", 1),
            ("권위적임", 2),
            ("매력적임", 3),
            ("정직함", 3),
            ("지적임", 3),
        ),
    },
}

# Fields each level fills (aihub-format.md, "Levels"): level 1 the basics, level 3 everything.
LEVEL1_FIELDS: frozenset[str] = frozenset(
    {
        "face.type",
        "face.size",
        "face.foreheadType",
        "hairstyle.type",
        "hairstyle.topLength",
        "hairstyle.sizeLength",
        "eyebrows.type",
        "eyebrows.deep",
        "eyes.size",
        "eyes.type",
        "nose.size",
        "nose.length",
        "mouth.type",
        "mouth.size",
        "feature.mustache",
        "feature.sideburns",
    }
)
LEVEL3_ONLY_FIELDS: frozenset[str] = frozenset(
    {
        "face.chinSize",
        "face.cheek",
        "eyes.eyelids",
        "eyes.bottom",
        "nose.philtrum",
        "mouth.line",
        "impression.type",
    }
)
ALL_FIELDS: tuple[str, ...] = tuple(f"{s}.{f}" for s in SECTIONS for f in VOCAB[s])
LEVEL_LETTERS: dict[int, str] = {1: "L", 2: "M", 3: "H"}
LETTER_LEVELS: dict[str, int] = {v: k for k, v in LEVEL_LETTERS.items()}


def fields_for_level(level: int) -> frozenset[str]:
    """The `section.field` keys a record of this level (1, 2 or 3) fills."""
    if level == 1:
        return LEVEL1_FIELDS
    if level == 2:
        return frozenset(ALL_FIELDS) - LEVEL3_ONLY_FIELDS
    if level == 3:
        return frozenset(ALL_FIELDS)
    raise ValueError(f"level must be 1, 2 or 3, got {level}")


def is_known(value: str | None) -> bool:
    """True when an attribute value says something (not empty and not one of the 'unknown' markers)."""
    return value is not None and value.strip() not in UNKNOWN_VALUES


@dataclass(frozen=True)
class Person:
    """One synthetic or real person: identity, demographics and every categorical attribute.

    `attributes` maps `section.field` to a vocabulary value (all fields, as a level-3 record has them).
    `details` maps a present feature (e.g. "mole") to where it is (e.g. "left_cheek"); see
    synth.person.FEATURE_PLACES.
    """

    org_id: int
    gender: str  # "M" or "F"
    age: int
    attributes: dict[str, str]
    details: dict[str, str] = field(default_factory=dict)
