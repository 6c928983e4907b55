"""Korean free-text descriptions of a synthetic person, in the AIHub annotators' register.

Every section's text is assembled from *clauses*: full Korean sentences ending in '다', drawn from
the phrase tables of data/phrases.py (the vocabulary's Korean, which the real-data loader uses too)
and from the tables below, which only a describer needs. An optional hedge (약간, 살짝, ...) fills the
`{h}` slot of a variant, clauses are shuffled a little and joined into 1-3 sentences with ~고 / ~며 /
~는데 connectives (text.korean.connect conjugates the predicate), so one attribute has many surface
forms but the text never contradicts the attributes. Left/right are the person's own left and right,
as in synth.person.FEATURE_PLACES.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

import numpy as np

from text2montage.data.phrases import (
    ADJECTIVES,
    FACE_TYPES,
    IMPRESSIONS,
    PHRASES,
    WRINKLE_PLACES,
    WRINKLE_TEMPLATES,
    canonical_value,
    core_value,
    generic_sentence,
)
from text2montage.data.vocab import PRESENT, SECTIONS, VOCAB, Person, fields_for_level, is_known
from text2montage.text.korean import connect, josa
from text2montage.text.normalize import normalize_text

# --------------------------------------------------------------------------------------------------
# What only the describer says: hedges, places, features, impressions, causes, flourishes
# --------------------------------------------------------------------------------------------------
HEDGES: tuple[str, ...] = ("약간", "살짝", "다소", "조금", "꽤", "비교적", "좀")

_NO_WRINKLES = ["얼굴에 주름이 거의 없다", "주름이 없는 매끈한 피부이다", "얼굴 전체에 주름이 보이지 않는다"]

# where a feature is (synth.person.FEATURE_PLACES): variants of '<place>에'
PLACE_WORDS: dict[str, tuple[str, ...]] = {
    "left_cheek": ("왼쪽 볼에", "왼쪽 뺨에", "왼 볼에"),
    "right_cheek": ("오른쪽 볼에", "오른쪽 뺨에", "오른 볼에"),
    "both_cheeks": ("양쪽 볼에", "두 볼에", "양 볼에"),
    "chin": ("턱에", "턱 끝에", "턱 부분에"),
    "left_eye": ("왼쪽 눈가에", "왼쪽 눈 옆에", "왼쪽 눈 근처에"),
    "right_mouth": ("오른쪽 입가에", "입 오른쪽에"),
    "forehead": ("이마에", "이마 한쪽에"),
    "left_eyebrow": ("왼쪽 눈썹에", "왼쪽 눈썹 부근에"),
    "nose": ("코 주변에", "콧등에", "코와 그 주변에"),
    "neck_left": ("목 왼쪽에", "왼쪽 목에"),
    "neck_right": ("목 오른쪽에", "오른쪽 목에"),
}
# feature -> templates with '{p}' = a place word
_FEATURE_TEMPLATES: dict[str, list[str]] = {
    "mole": ["{p} 점이 있다", "{p} 작은 점이 있다", "{p} 점이 하나 있다", "{p} 눈에 띄는 점이 있다"],
    "scar": ["{p} 흉터가 있다", "{p} 작은 흉터 자국이 보인다", "{p} 상처 자국이 남아 있다"],
    "dimple": ["{p} 보조개가 있다", "웃을 때 {p} 보조개가 들어간다", "{p} 보조개가 보인다"],
    "frekles": ["{p} 주근깨가 있다", "{p} 주근깨가 퍼져 있다", "{p} 주근깨가 조금 보인다"],
    "spots": ["{p} 잡티가 있다", "{p} 기미가 보인다", "{p} 잡티가 {h}눈에 띈다"],
    "tatoo": ["{p} 문신이 있다", "{p} 작은 문신이 보인다", "{p} 문신이 새겨져 있다"],
}
# features whose 'place' is a kind rather than a location
_FEATURE_KINDS: dict[str, dict[str, list[str]]] = {
    "mustache": {
        "full": [
            "콧수염과 턱수염을 함께 기르고 있다", "입 주변에 수염이 {h}덥수룩하다",
            "코밑과 턱에 수염이 나 있다"],
        "thin": ["코 밑에 얇은 콧수염이 있다", "가는 콧수염을 길렀다", "인중에 얇게 콧수염이 나 있다"],
        "goatee": ["턱 끝에 염소수염이 있다", "턱끝에만 수염을 길렀다", "턱 아래에 짧은 턱수염이 있다"],
    },
    "sideburns": {
        "long": ["구레나룻이 길게 내려와 있다", "귀 옆으로 긴 구레나룻이 있다", "구레나룻을 {h}길게 길렀다"],
        "short": ["짧은 구레나룻이 있다", "귀 옆에 구레나룻이 짧게 나 있다", "구레나룻이 {h}짧게 보인다"],
    },
    "makeup": {
        "eyes": ["눈 화장을 하고 있다", "아이라인을 그린 눈 화장이 보인다", "눈가에 화장을 했다"],
        "lips": ["입술에 립스틱을 발랐다", "입술 화장이 되어 있다", "입술에 색조 화장을 했다"],
    },
}
_NO_FEATURES = ["특별한 점이나 흉터는 없다", "눈에 띄는 점이나 흉터는 없다", "얼굴에 특별한 특징은 없다",
                "점이나 흉터 같은 특징은 보이지 않는다"]
_NO_BEARD = ["수염은 없다", "수염 없이 깔끔한 얼굴이다", "수염을 기르지 않았다"]

_PLAIN_IMPRESSION = ["평범하고 무난한 인상이다", "특별히 튀지 않는 평범한 인상이다",
                     "수수하고 평범한 인상을 준다"]
_SOFT_TYPES = frozenset({"어려보임", "매력적임", "정직함", "지적임"})
_SHARP_TYPES = frozenset({"공격적임", "비열함", "권위적임"})
# (field, value) -> cause phrases ending in a connective, split by tone
_SOFT_CAUSES: dict[tuple[str, str], tuple[str, ...]] = {
    ("eyes.slant", "내려감"): ("눈꼬리가 내려가 있어", "눈매가 부드러워", "처진 눈매 덕분에"),
    ("mouth.side", "올라감"): ("입꼬리가 올라가 있어", "웃는 듯한 입매 때문에", "입매가 부드러워"),
    ("eyebrows.type", "둥근형"): ("둥근 눈썹 덕분에",),
}
_SHARP_CAUSES: dict[tuple[str, str], tuple[str, ...]] = {
    ("eyes.slant", "올라감"): ("눈꼬리가 올라가 있어", "눈매가 날카로워", "치켜 올라간 눈매 때문에"),
    ("eyebrows.deep", "진하다"): ("눈썹이 진해", "진한 눈썹 때문에"),
    ("mouth.side", "처짐"): ("입꼬리가 처져 있어", "굳게 다문 듯한 입매 때문에"),
    ("eyes.shape", "째진눈"): ("째진 눈매 때문에",),
    ("eyebrows.type", "각진형"): ("각진 눈썹 때문에",),
}

# section flourishes: (field, value) -> sentences added now and then at levels 2-3
_FLOURISH: dict[tuple[str, str], list[str]] = {
    ("eyes.slant", "내려감"): ["전체적으로 순한 눈매이다", "눈매가 선해 보인다"],
    ("eyes.slant", "올라감"): ["눈매가 {h}날카로워 보인다", "매서운 눈매이다"],
    ("mouth.side", "올라감"): ["웃는 듯한 입매이다", "입매가 부드러워 보인다"],
    ("mouth.side", "처짐"): ["입매가 {h}무뚝뚝해 보인다", "뚱한 듯한 입매이다"],
    ("nose.height", "높다"): ["콧대가 서 있어 얼굴이 입체적으로 보인다"],
    ("eyebrows.deep", "진하다"): ["눈썹이 뚜렷해 얼굴에서 눈에 띈다"],
    ("face.type", "계란형"): ["전체적으로 갸름한 얼굴선이다"],
}

# combined clauses for two fields of one section: (scale field, other field, templates per other value)
_COMBOS: dict[str, tuple[str, str, dict[str, list[str]]]] = {
    "face": ("face.size", "face.type", {
        v: [f"{{m}} {f} 얼굴이다" for f in forms[:1]] + [f"얼굴은 {{m}} {forms[0]}이다"]
        for v, forms in FACE_TYPES.items()}),
    "eyes": ("eyes.size", "eyes.type", {
        "쌍꺼풀": ["쌍꺼풀이 있는 {m} 눈이다", "{m} 쌍꺼풀 눈이다"],
        "외꺼풀": ["{m} 외꺼풀 눈이다", "쌍꺼풀이 없는 {m} 눈이다"],
        "속쌍꺼풀": ["속쌍꺼풀이 있는 {m} 눈이다", "{m} 눈에 속쌍꺼풀이 있다"]}),
    "nose": ("nose.size", "nose.top", {
        "둥근형": ["코끝이 둥근 {m} 코이다"], "뭉툭형": ["코끝이 뭉툭한 {m} 코이다"],
        "매부리코": ["{m} 매부리코이다"], "들창코": ["{m} 들창코이다"],
        "화살코": ["코끝이 뾰족한 {m} 코이다"], "각진형": ["코끝이 각진 {m} 코이다"]}),
    "mouth": ("mouth.size", "mouth.thick", {
        "두껍다": ["입술이 도톰한 {m} 입이다", "{m} 입에 입술이 두툼하다"],
        "얇다": ["입술이 얇은 {m} 입이다", "{m} 입에 입술이 얇은 편이다"]}),
}



def describe_person(person: Person, level: int, rng: np.random.Generator) -> dict[str, str]:
    """Korean description text for each section in vocab.SECTIONS (face, hairstyle, eyebrows, eyes, nose,
    mouth, neck, wrinkle, feature, impression), in the AIHub annotators' register, mentioning the fields this
    level fills. Draws one integer from `rng` (deterministic given its state)."""
    ctx = _Ctx(person, level, random.Random(int(rng.integers(0, 2**62))))
    out = {}
    for section in SECTIONS:
        ctx.used.clear()
        out[section] = normalize_text(_BUILDERS.get(section, _plain_section)(ctx, section))
    return out


# ----------------------------------------------------------------------------------------------------
# Section builders
# ----------------------------------------------------------------------------------------------------
class _Ctx:
    """What the section builders share: the person, the known values this level fills, the random source and
    the predicates already used in the current section (so '평범한 편이다' is not said three times)."""

    __slots__ = ("person", "fields", "known", "level", "rnd", "used")

    def __init__(self, person: Person, level: int, rnd: random.Random) -> None:
        self.fields = fields = fields_for_level(level)
        self.person, self.level, self.rnd = person, level, rnd
        self.used: set[str] = set()
        self.known: dict[str, str] = {}
        for key, raw in person.attributes.items():
            value = normalize_text(raw) if isinstance(raw, str) else ""
            if key in fields and is_known(value) and is_known(core_value(value)):
                self.known[key] = value

    def value(self, key: str) -> str | None:
        """The attribute value if this level fills the field and it says something, else None."""
        return self.known.get(key)

    def hedge(self, template: str) -> str:
        if "{h}" not in template:
            return template
        word = self.rnd.choice(HEDGES) + " " if self.rnd.random() < 0.4 else ""
        return template.replace("{h}", word, 1).replace("{h}", "")

    def pick(self, options: Sequence[str]) -> str:
        """A random variant (hedged), avoiding predicates this section has already used when it can."""
        for _ in range(3):
            choice = self.rnd.choice(options)
            tail = _predicate(choice)
            if tail not in self.used:
                break
        self.used.add(tail)
        return self.hedge(choice)


def _predicate(clause: str) -> str:
    """The predicate ending a clause: '미간 폭은 보통이다' -> '보통이다',
    '눈이 평범한 편이다' -> '평범한 편이다'."""
    words = clause.split()
    if len(words) >= 2 and words[-2][-1] not in "은는이가" and "{" not in words[-2]:
        return " ".join(words[-2:])
    return words[-1]


def _clause(ctx: _Ctx, key: str, value: str) -> str | None:
    canonical = canonical_value(key, value)
    if canonical is None:
        return generic_sentence(key, value)
    return ctx.pick(PHRASES[key][canonical])


def _compose(clauses: list[str], rnd: random.Random) -> str:
    """Join clauses into 1-3 sentences of at most 3 clauses each (more sentences only past 9 clauses)."""
    clauses = [c for c in clauses if c]
    if not clauses:
        return ""
    n = len(clauses)
    n_sent = rnd.randint(-(-n // 3), max(-(-n // 3), min(3, n)))
    sizes = [1] * n_sent
    for _ in range(n - n_sent):
        sizes[rnd.choice([i for i, size in enumerate(sizes) if size < 3])] += 1
    sentences, start = [], 0
    for size in sizes:
        sentences.append(_join(clauses[start : start + size], rnd))
        start += size
    return " ".join(sentences)


def _join(group: list[str], rnd: random.Random) -> str:
    parts, contrast = [], False
    for clause in group[:-1]:
        r = rnd.random()
        ending = "고" if r < 0.45 else "며" if r < 0.88 or contrast else "는데"
        contrast = contrast or ending == "는데"
        parts.append(connect(clause, ending))
    parts.append(group[-1])
    return " ".join(parts) + "."


def _section_clauses(ctx: _Ctx, section: str) -> list[str]:
    keys = [f"{section}.{f}" for f in VOCAB[section]]
    values = {k: v for k in keys if (v := ctx.value(k)) is not None}
    clauses: list[str] = []
    combo = _COMBOS.get(section)
    if combo and combo[0] in values and combo[1] in values and ctx.rnd.random() < 0.35:
        scale_key, other_key, templates = combo
        other = canonical_value(other_key, values[other_key])
        size = values[scale_key]
        if other in templates and (size in ADJECTIVES or size == "보통"):
            mod = "{h}" + ADJECTIVES[size][0] if size != "보통" else ctx.rnd.choice(("보통 크기의",
                                                                               "적당한 크기의"))
            clauses.append(ctx.hedge(ctx.rnd.choice(templates[other]).replace("{m}", mod)))
            del values[scale_key], values[other_key]
    for key, value in values.items():
        clause = _clause(ctx, key, value)
        if clause:
            clauses.append(clause)
    if len(clauses) > 2 and ctx.rnd.random() < 0.4:  # a little word-order variety, main field first
        i = ctx.rnd.randrange(1, len(clauses) - 1)
        clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    if ctx.level >= 2 and ctx.rnd.random() < 0.3:
        flourish = [f for (k, v),
                    fs in _FLOURISH.items() if k.startswith(section + ".") and values.get(k) == v
                    for f in fs]
        if flourish:
            clauses.append(ctx.pick(flourish))
    return clauses


def _plain_section(ctx: _Ctx, section: str) -> str:
    clauses = _section_clauses(ctx, section)
    if not clauses and section in ("face", "hairstyle", "eyes", "nose", "mouth"):
        noun = {"face": "얼굴", "hairstyle": "머리", "eyes": "눈", "nose": "코", "mouth": "입"}[section]
        clauses = [f"{josa(noun, '은는')} 특별한 특징이 없는 평범한 모습이다"]
    return _compose(clauses, ctx.rnd)


def _face(ctx: _Ctx, section: str) -> str:
    clauses = _section_clauses(ctx, section)
    bangs = ctx.value("hairstyle.topLength") in ("눈썹위", "눈썹아래")
    if "face.foreheadType" in ctx.fields and ctx.value("face.foreheadType") is None and bangs:
        clauses.append(ctx.rnd.choice(["앞머리가 이마를 가리고 있어 이마 모양은 보이지 않는다",
                                       "이마는 앞머리에 가려 모양을 알 수 없다"]))
    if not clauses:
        clauses = ["얼굴은 특별한 특징이 없는 평범한 모습이다"]
    return _compose(clauses, ctx.rnd)


def _hairstyle(ctx: _Ctx, section: str) -> str:
    if ctx.value("hairstyle.type") == "민머리":  # no hair: length, bangs and parting say nothing
        return _compose([_clause(ctx, "hairstyle.type", "민머리") or ""], ctx.rnd)
    return _plain_section(ctx, section)


def _neck(ctx: _Ctx, section: str) -> str:
    rnd = ctx.rnd
    clauses = []
    if ctx.level >= 2 and rnd.random() < 0.6:
        clauses.append(rnd.choice(["목은 보통 굵기이다", "목 길이와 굵기는 평범하다",
                                   "목은 특별한 특징이 없다",
                                   "목선이 자연스럽게 이어진다"]))
    if ctx.level >= 2 and ctx.person.gender == "M" and rnd.random() < 0.3:
        clauses.append(ctx.pick(["목젖이 {h}도드라져 보인다", "목젖이 보인다", "목젖이 {h}튀어나와 있다"]))
    wrinkle = ctx.value("wrinkle.neck")
    if wrinkle:
        neck_wrinkles = {"많다": ["목에 주름이 {h}많다", "목에 가로 주름이 여러 줄 있다",
                                  "목 주름이 {h}깊게 보인다"],
                         "보통": ["목에 주름이 약간 있다", "목에 옅은 주름이 보인다"],
                         "없다": ["목에 주름이 없다", "목 주름 없이 매끈하다", "목에는 주름이 보이지 않는다"]}
        clauses.append(ctx.pick(neck_wrinkles[wrinkle]) if wrinkle in neck_wrinkles
                       else generic_sentence("wrinkle.neck", wrinkle) or "")
    if ctx.value("feature.tatoo") == PRESENT:
        place = ctx.person.details.get("tatoo", "")
        where = rnd.choice(PLACE_WORDS[place]) if place in PLACE_WORDS else "목에"
        clauses.append(ctx.pick([t.replace("{p}", where) for t in _FEATURE_TEMPLATES["tatoo"]]))
    return _compose(clauses, rnd)


def _places(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-2] + [josa(words[-2], "과와") + " " + words[-1]])


def _wrinkle(ctx: _Ctx, section: str) -> str:
    groups: dict[str, list[str]] = {}
    generic = []
    for field, place in WRINKLE_PLACES.items():
        value = ctx.value(f"wrinkle.{field}")
        if value in WRINKLE_TEMPLATES:
            groups.setdefault(value, []).append(place)
        elif value:
            generic.append(generic_sentence(f"wrinkle.{field}", value) or "")
    if not groups and not generic:
        return ""
    if list(groups) == ["없다"] and len(groups["없다"]) == len(WRINKLE_PLACES) and ctx.rnd.random() < 0.6:
        return _compose([ctx.rnd.choice(_NO_WRINKLES)], ctx.rnd)
    order = list(groups)
    ctx.rnd.shuffle(order)
    clauses = [ctx.pick([t.replace("{P}", _places(groups[v])) for t in WRINKLE_TEMPLATES[v]]) for v in order]
    return _compose(clauses + generic, ctx.rnd)


def _feature_clause(ctx: _Ctx, name: str, value: str) -> str:
    if value != PRESENT:
        return generic_sentence(f"feature.{name}", value) or ""
    place = ctx.person.details.get(name, "")
    if name in _FEATURE_KINDS:
        options = _FEATURE_KINDS[name].get(place) or [v for vs in _FEATURE_KINDS[name].values() for v in vs]
        return ctx.pick(options)
    where = ctx.rnd.choice(PLACE_WORDS[place]) if place in PLACE_WORDS else "얼굴에"
    return ctx.pick([t.replace("{p}", where) for t in _FEATURE_TEMPLATES[name]])


def _feature(ctx: _Ctx, section: str) -> str:
    clauses = []
    for name in VOCAB["feature"]:
        value = ctx.value(f"feature.{name}")
        if value:
            clauses.append(_feature_clause(ctx, name, value))
    rnd = ctx.rnd
    if not clauses:
        if ctx.level == 1:
            if ctx.person.gender == "M" and "feature.mustache" in ctx.fields and rnd.random() < 0.5:
                clauses = [rnd.choice(_NO_BEARD)]
        elif rnd.random() < 0.7:
            clauses = [rnd.choice(_NO_FEATURES)]
    return _compose(clauses, rnd)


def _age_gender(ctx: _Ctx) -> str:
    decade, rest = divmod(ctx.person.age, 10)
    part = "초반" if rest <= 3 else "중반" if rest <= 6 else "후반"
    who = {"M": ("남성", "남자"), "F": ("여성", "여자")}.get(ctx.person.gender, ("사람", "인물"))
    noun = ctx.rnd.choice(who)
    if not 1 <= decade <= 9:
        return f"{josa(noun, '으로로')} 보인다"
    age = f"{decade}0대 {part}"
    return ctx.rnd.choice([f"{age}의 {noun}이다", f"{age} 정도로 보이는 {noun}이다",
                           f"나이는 {age} 정도로 보인다", f"{decade}0대 {josa(noun, '으로로')} 보인다"])


def _cause(ctx: _Ctx, soft: bool) -> str:
    table = _SOFT_CAUSES if soft else _SHARP_CAUSES
    options = [c for (k, v), cs in table.items() if ctx.value(k) == v for c in cs]
    return ctx.rnd.choice(options) + " " if options and ctx.rnd.random() < 0.6 else ""


def _impression(ctx: _Ctx, section: str) -> str:
    rnd = ctx.rnd
    kind = ctx.value("impression.type")
    if ctx.level < 3 and rnd.random() < 0.5:
        return ""
    sentences = []
    if kind is not None:
        canonical = canonical_value("impression.type", kind)
        generic = generic_sentence("impression.type", kind) or ""
        core = ctx.pick(IMPRESSIONS[canonical]) if canonical else generic
        causal = canonical is None or re.search("(라|워|해|서) ", core)  # already says why
        sentences.append(core if causal else _cause(ctx, canonical in _SOFT_TYPES) + core)
    elif ctx.level == 3:
        sentences.append(rnd.choice(_PLAIN_IMPRESSION))
    else:  # levels 1-2: what the visible fields suggest (in the person's impression tone), or who it is
        tone = canonical_value("impression.type", str(ctx.person.attributes.get("impression.type") or ""))
        soft = _cause(ctx, True) if tone not in _SHARP_TYPES else ""
        sharp = _cause(ctx, False) if tone not in _SOFT_TYPES else ""
        if soft and not sharp:
            sentences.append(soft + rnd.choice(["부드러운 인상을 준다", "온화한 느낌을 준다", "순해 보인다"]))
        elif sharp and not soft:
            sentences.append(sharp + rnd.choice(["강한 인상을 준다", "다소 날카로운 느낌을 준다",
                                                 "차가워 보인다"]))
    if not sentences or rnd.random() < 0.5:
        sentences.append(_age_gender(ctx))
    if rnd.random() < 0.5:
        sentences.reverse()
    return " ".join(s + "." for s in sentences if s)


_BUILDERS: dict[str, Callable[[_Ctx, str], str]] = {
    "face": _face, "hairstyle": _hairstyle, "neck": _neck, "wrinkle": _wrinkle, "feature": _feature,
    "impression": _impression,
}
