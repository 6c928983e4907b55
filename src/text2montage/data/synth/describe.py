"""Korean free-text descriptions of a synthetic person, in the AIHub annotators' register.

Every section's text is assembled from *clauses*: full Korean sentences ending in '다', drawn from
tables of phrase variants per field value (the first variant of each value is the plain, canonical
one that `attribute_sentences` uses). An optional hedge (약간, 살짝, ...) fills the `{h}` slot of a
variant, clauses are shuffled a little and joined into 1-3 sentences with ~고 / ~며 / ~는데
connectives (`_connect` conjugates the predicate), so one attribute has many surface forms but the
text never contradicts the attributes. Left/right are the person's own left and right, as in
synth.sample.FEATURE_PLACES.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from text2montage.data.vocab import PRESENT, SECTIONS, VOCAB, Person, fields_for_level, is_known

# ----------------------------------------------------------------------------------------------------
# Hangul helpers
# ----------------------------------------------------------------------------------------------------
_BASE, _NJONG = 0xAC00, 28
_J_NIEUN, _J_RIEUL, _J_BIEUP, _J_BS, _J_SS, _J_HIEUH = 4, 8, 17, 18, 20, 27
_REGULAR_BIEUP = frozenset("좁잡입씹업굽")
_REGULAR_HIEUH = frozenset("좋놓넣낳닿쌓")
_BATCHIM_ASCII = frozenset("0136789lmnrLMNR")  # 영 일 삼 육 칠 팔 구(no) ... 엘 엠 엔 알


def _jong(ch: str) -> int:
    """Final-consonant index of a Hangul syllable (0: none), -1 for anything else."""
    code = ord(ch) - _BASE
    return code % _NJONG if 0 <= code < 11172 else -1


def _with_jong(ch: str, jong: int) -> str:
    code = ord(ch) - _BASE
    return chr(_BASE + code - code % _NJONG + jong)


def _has_batchim(word: str) -> bool:
    word = word.rstrip(" .)")
    if not word:
        return False
    j = _jong(word[-1])
    return j > 0 if j >= 0 else word[-1] in _BATCHIM_ASCII and word[-1] != "9"


def _josa(word: str, pair: str) -> str:
    """`word` plus the particle of `pair` ('은는', '이가', '을를', '과와', '으로로') that fits it."""
    if pair == "으로로":
        rieul = word and _jong(word[-1]) == _J_RIEUL
        return word + ("으로" if _has_batchim(word) and not rieul else "로")
    half = len(pair) // 2
    return word + (pair[:half] if _has_batchim(word) else pair[half:])


def _connect(clause: str, ending: str) -> str:
    """Turn a clause ending in '다' into its connective form: ending is '고', '며' or '는데'."""
    if not clause.endswith("다") or len(clause) < 2:
        return clause + ","
    body, last = clause[:-2], clause[-2]
    jong = _jong(last)
    if jong < 0:
        return clause + ","
    if last == "는" and body:  # 덮는다, 않는다: verb with a consonant stem
        return body + {"고": "고", "며": "으며", "는데": "는데"}[ending]
    if jong == _J_NIEUN:  # 보인다, 준다: verb with a vowel stem
        stem = body + _with_jong(last, 0)
        return stem + ending
    stem = body + last
    if jong in (_J_SS, _J_BS):  # 있다, 없다, 올라갔다
        return stem + {"고": "고", "며": "으며", "는데": "는데"}[ending]
    if ending == "고":
        return stem + "고"
    vowel_stem = jong == 0
    if jong == _J_RIEUL:
        return stem + "며" if ending == "며" else body + _with_jong(last, _J_NIEUN) + "데"
    if jong == _J_BIEUP and last not in _REGULAR_BIEUP:  # 두껍다, 부드럽다, 가깝다
        stem, vowel_stem = body + _with_jong(last, 0) + "우", True
    elif jong == _J_HIEUH and last not in _REGULAR_HIEUH:  # 동그랗다
        stem, vowel_stem = body + _with_jong(last, 0), True
    if vowel_stem:
        return stem + "며" if ending == "며" else stem[:-1] + _with_jong(stem[-1], _J_NIEUN) + "데"
    return stem + ("으며" if ending == "며" else "은데")


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# ----------------------------------------------------------------------------------------------------
# Phrase tables. '{h}' marks where an optional hedge goes (only in non-neutral variants).
# ----------------------------------------------------------------------------------------------------
HEDGES: tuple[str, ...] = ("약간", "살짝", "다소", "조금", "꽤", "비교적", "좀")

# adjective -> (modifier form, 아/어 form)
_ADJ: dict[str, tuple[str, str]] = {
    "크다": ("큰", "커"), "작다": ("작은", "작아"), "길다": ("긴", "길어"), "짧다": ("짧은", "짧아"),
    "넓다": ("넓은", "넓어"), "좁다": ("좁은", "좁아"), "두껍다": ("두꺼운", "두꺼워"),
    "얇다": ("얇은", "얇아"), "높다": ("높은", "높아"), "낮다": ("낮은", "낮아"),
    "진하다": ("진한", "진해"), "흐리다": ("흐린", "흐려"),
}


def _adj_preds(adj: str) -> list[str]:
    mod, eo = _ADJ[adj]
    return [f"{{h}}{adj}", f"{{h}}{mod} 편이다", f"{{h}}{eo} 보인다", f"{{h}}{mod} 편에 속한다"]


# field -> (subject nouns, neutral subject nouns, big adjective, small adjective, dimension noun)
_SCALE_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, str, str]] = {
    "face.size": (("얼굴", "얼굴 전체"), ("얼굴 크기", "얼굴의 크기"), "크다", "작다", "크기"),
    "face.foreheadSize": (("이마", "이마 면적"), ("이마 넓이", "이마의 폭"), "넓다", "좁다", "넓이"),
    "face.chinSize": (("턱", "턱 길이"), ("턱 길이", "턱의 길이"), "길다", "짧다", "길이"),
    "eyebrows.deep": (("눈썹", "눈썹 색"), ("눈썹 농도", "눈썹의 진하기"), "진하다", "흐리다", "농도"),
    "eyebrows.length": (("눈썹", "눈썹 길이"), ("눈썹 길이", "눈썹의 길이"), "길다", "짧다", "길이"),
    "eyebrows.thick": (("눈썹", "눈썹 두께"), ("눈썹 두께", "눈썹의 굵기"), "두껍다", "얇다", "두께"),
    "eyebrows.glabella": (("미간", "눈썹 사이"), ("미간 폭", "미간의 너비"), "넓다", "좁다", "폭"),
    "eyes.size": (("눈", "두 눈"), ("눈 크기", "눈의 크기"), "크다", "작다", "크기"),
    "eyes.distance": (("눈 사이", "두 눈 사이의 간격"), ("눈 사이 간격", "양쪽 눈 사이의 거리"),
                      "넓다", "좁다", "간격"),
    "eyes.eyelids": (("눈두덩", "눈꺼풀 부분"), ("눈두덩 폭", "눈꺼풀의 폭"), "넓다", "좁다", "폭"),
    "nose.size": (("코", "코 전체"), ("코 크기", "코의 크기"), "크다", "작다", "크기"),
    "nose.length": (("코", "콧대"), ("코 길이", "콧대 길이"), "길다", "짧다", "길이"),
    "nose.height": (("콧대", "코"), ("코 높이", "콧대 높이"), "높다", "낮다", "높이"),
    "nose.nostrils": (("콧볼", "콧방울"), ("콧볼 크기", "콧볼의 폭"), "넓다", "좁다", "폭"),
    "nose.philtrum": (("인중", "코와 입 사이"), ("인중 길이", "인중의 길이"), "길다", "짧다", "길이"),
    "mouth.size": (("입", "입 크기"), ("입 크기", "입의 크기"), "크다", "작다", "크기"),
    "mouth.thick": (("입술", "입술 두께"), ("입술 두께", "입술의 두께"), "두껍다", "얇다", "두께"),
}


def _scale_table(subjects: Sequence[str], names: Sequence[str], big: str, small: str, dim: str) -> dict:
    table: dict[str, list[str]] = {}
    for adj in (big, small):
        table[adj] = [f"{_josa(s, '이가')} {p}" for s in subjects for p in _adj_preds(adj)]
    plain = ("보통이다", "보통 정도이다", "평범한 편이다")
    neutral = [f"{_josa(n, '은는')} {p}" for n in names for p in plain]
    neutral += [f"{_josa(s, '은는')} {big[:-1]}지도 {small[:-1]}지도 않다" for s in subjects]
    neutral += [f"{_josa(subjects[0], '은는')} 적당한 {dim}이다",
                f"{_josa(subjects[0], '은는')} 무난한 {dim}이다"]
    table["보통"] = neutral
    return table


def _nouns(forms: Sequence[str], frames: Sequence[str]) -> list[str]:
    """Noun-valued field: every frame ('{n}' = the noun, '{n이다}' etc. with particles) per noun form."""
    out = []
    for frame in frames:
        for n in forms:
            out.append(frame.replace("{n으로}", _josa(n, "으로로")).replace("{n}", n))
    return out


_FACE_FRAMES = ("얼굴형은 {n}이다", "{n} 얼굴이다", "얼굴은 {h}{n}에 가깝다", "{n}의 얼굴형을 가지고 있다",
                "얼굴 윤곽이 {n으로} 보인다", "전체적인 얼굴형이 {n}이다")
_FACE_TYPES = {"계란형": ("계란형", "달걀형"), "둥근형": ("둥근형", "원형"), "긴형": ("긴형",),
               "사각형": ("사각형", "각진형"), "역삼각형": ("역삼각형",), "마름모형": ("마름모형",)}
_FACE_EXTRA = {
    "계란형": ["갸름한 계란형 얼굴이다", "얼굴선이 부드러운 계란형이다"],
    "둥근형": ["얼굴이 전체적으로 {h}동그란 편이다", "얼굴선이 둥글둥글하다"],
    "긴형": ["얼굴이 세로로 {h}긴 편이다", "얼굴 길이가 폭에 비해 {h}길다"],
    "사각형": ["턱선이 각진 사각형 얼굴이다", "얼굴 윤곽이 {h}각져 있다"],
    "역삼각형": ["턱 쪽으로 갈수록 좁아지는 역삼각형 얼굴이다"],
    "마름모형": ["광대 부분이 가장 넓은 마름모형 얼굴이다"],
}

_PHRASES: dict[str, dict[str, list[str]]] = {
    key: _scale_table(*spec) for key, spec in _SCALE_FIELDS.items()
}
_PHRASES["face.type"] = {v: _nouns(forms, _FACE_FRAMES) + _FACE_EXTRA[v] for v, forms in _FACE_TYPES.items()}

_EXTRA: dict[str, dict[str, list[str]]] = {
    "face.foreheadType": {
        "둥근형": [
            "이마는 둥근형이다", "이마 라인이 {h}둥글다", "둥근 이마를 가지고 있다",
            "이마가 {h}둥그스름한 모양이다"],
        "일자형": [
            "이마는 일자형이다", "이마 라인이 일자로 반듯하다", "헤어라인이 일자 모양이다",
            "이마선이 곧게 일자로 나 있다"],
        "M자형": [
            "이마는 M자형이다", "이마 라인이 M자 모양이다", "이마 양옆이 들어간 M자 이마이다",
            "이마라인 가운데가 아래로 {h}내려와 있어 M모양을 띤다"],
        "각진형(사각형)": ["이마는 각진형이다", "이마 라인이 {h}각져 있다", "이마가 각진 사각형 모양이다"],
        "화산형(사다리꼴)": [
            "이마는 화산형이다", "이마 라인이 사다리꼴 모양이다",
            "이마가 위로 갈수록 좁아지는 사다리꼴 형태이다"],
    },
    "face.chinType": {
        "둥근형": [
            "턱은 둥근형이다", "턱끝이 {h}둥글다", "턱선이 {h}둥글게 떨어진다",
            "턱끝으로 내려오는 턱모양은 {h}둥근형으로 보인다"],
        "V자형": ["턱은 V자형이다", "턱선이 V자로 {h}갸름하다", "턱끝이 {h}뾰족한 V자 모양이다"],
        "각진형(사각)": [
            "턱은 각진형이다", "턱이 {h}각져 있다", "각진 턱을 가지고 있다",
            "턱의 각진 부분이 {h}도드라진다"],
        "이중형": ["턱은 이중형이다", "이중턱이 있다", "턱 아래에 살이 있어 이중턱처럼 보인다"],
        "주걱형": [
            "턱은 주걱형이다", "턱끝이 앞으로 나온 주걱턱이다", "턱이 {h}앞으로 튀어나온 주걱턱 형태이다"],
    },
    "face.cheek": {
        "광대돌출(예: 비대칭은 분류 없음 선택 후 기술)": [
            "광대가 돌출되어 있다", "광대가 {h}튀어나와 있다", "광대뼈가 {h}도드라진다",
            "양쪽 광대가 {h}나와 있다"],
        "볼살많음(예: 비대칭은 분류 없음 선택 후 기술)": [
            "볼살이 많다", "볼에 살이 {h}많은 편이다", "볼살이 {h}통통하게 올라 있다", "볼이 {h}도톰하다"],
        "볼패임(예: 비대칭은 분류 없음 선택 후 기술)": [
            "볼이 패어 있다", "볼이 {h}움푹 패어 있다", "볼살이 없어 {h}홀쭉해 보인다",
            "볼이 안쪽으로 {h}들어가 있다"],
    },
    "hairstyle.type": {
        "직모(생머리)": [
            "머리는 직모이다", "생머리이다", "머리카락이 곧게 뻗은 직모이다", "곧은 생머리를 하고 있다",
            "머릿결이 곧은 직모이다"],
        "곱슬머리": [
            "머리는 곱슬머리이다", "곱슬머리이다", "머리카락이 {h}곱슬거린다", "{h}곱슬기가 있는 머리이다",
            "곱슬한 머리카락을 가지고 있다"],
        "웨이브형": [
            "머리는 웨이브형이다", "웨이브가 들어간 머리이다", "머리에 {h}웨이브가 있다",
            "파마를 한 듯 웨이브가 있다", "머리카락이 물결치듯 웨이브져 있다"],
        "스포츠형": [
            "머리는 스포츠형이다", "스포츠형 머리이다", "스포츠머리를 하고 있다", "머리 모양은 스포츠형이다"],
        "탈모형": [
            "머리는 탈모형이다", "탈모가 진행된 머리이다", "머리숱이 {h}적고 탈모가 있다",
            "정수리 쪽 머리숱이 {h}빠져 있다"],
        "민머리": ["머리는 민머리이다", "머리카락이 없는 민머리이다", "삭발한 민머리이다"],
    },
    "hairstyle.topLength": {
        "눈썹위": [
            "앞머리는 눈썹 위 길이이다", "앞머리가 눈썹 위까지 내려온다", "앞머리가 눈썹 위에서 잘려 있다",
            "이마를 덮은 앞머리가 눈썹 위에 닿는다"],
        "눈썹아래": [
            "앞머리는 눈썹 아래 길이이다", "앞머리가 눈썹을 덮을 만큼 길다",
            "앞머리가 눈썹 아래까지 내려와 있다", "앞머리가 눈썹을 가린다"],
        "앞머리올림": [
            "앞머리는 올린 머리이다", "앞머리를 위로 올려 이마가 드러난다", "앞머리를 올린 머리이다",
            "앞머리 없이 모두 올려져 있다", "앞머리를 뒤로 넘겨 이마가 보인다"],
    },
    "hairstyle.sizeLength": {
        "긴머리": [
            "머리 길이는 긴머리이다", "긴 머리를 하고 있다", "머리카락이 {h}길다",
            "어깨 아래로 내려오는 긴 머리이다"],
        "단발머리": [
            "머리 길이는 단발머리이다", "단발머리이다", "옆머리가 턱선 근처까지 오는 단발이다",
            "머리 길이는 단발 정도이다"],
        "짧은머리": [
            "머리 길이는 짧은머리이다", "짧은 머리이다", "머리카락이 {h}짧은 편이다",
            "머리를 짧게 자른 모습이다", "옆머리가 {h}짧다"],
        "숏컷(귀보임)": [
            "머리 길이는 숏컷이다", "귀가 드러나는 짧은 숏컷이다", "옆머리가 짧아 귀가 보인다",
            "옆머리를 짧게 깎아 귀가 다 드러난다", "숏컷 머리로 귀가 보인다"],
    },
    "hairstyle.part": {
        "왼쪽가르마": [
            "가르마는 왼쪽 가르마이다", "가르마가 왼쪽으로 타져 있다", "왼쪽 가르마를 하고 있다",
            "머리를 왼쪽 가르마로 나누었다"],
        "오른쪽가르마": [
            "가르마는 오른쪽 가르마이다", "가르마가 오른쪽으로 타져 있다", "오른쪽 가르마를 하고 있다",
            "머리를 오른쪽 가르마로 나누었다"],
        "중간가르마": [
            "가르마는 중간 가르마이다", "가운데 가르마를 타고 있다", "가르마가 정가운데에 있다",
            "머리를 가운데로 나누었다"],
    },
    "eyebrows.type": {
        "직선형": [
            "눈썹은 직선형이다", "눈썹이 일자로 곧게 뻗어 있다", "일자 눈썹이다",
            "눈썹 모양이 {h}일자에 가깝다"],
        "물결형": ["눈썹은 물결형이다", "물결 모양의 눈썹이다", "눈썹이 {h}구불구불한 물결형이다"],
        "각진형": [
            "눈썹은 각진형이다", "눈썹산이 각진 형태이다", "눈썹 중간이 {h}각지게 꺾여 있다",
            "각진 눈썹을 가지고 있다"],
        "둥근형": [
            "눈썹은 둥근형이다", "눈썹이 {h}둥글게 휘어 있다", "아치형으로 둥근 눈썹이다",
            "둥근 눈썹을 가지고 있다"],
    },
    "eyes.type": {
        "쌍꺼풀": [
            "눈은 쌍꺼풀이 있다", "쌍꺼풀이 있다", "쌍꺼풀이 {h}뚜렷하다", "쌍꺼풀 진 눈이다",
            "눈에 쌍꺼풀이 있다"],
        "외꺼풀": ["눈은 외꺼풀이다", "쌍꺼풀이 없는 외꺼풀이다", "외꺼풀 눈이다", "홑꺼풀 눈이다"],
        "속쌍꺼풀": [
            "눈은 속쌍꺼풀이다", "속쌍꺼풀이 있다", "쌍꺼풀이 안쪽으로 접힌 속쌍꺼풀이다",
            "얇은 속쌍꺼풀이 보인다"],
        "오른쪽비대칭": [
            "눈은 오른쪽이 비대칭이다", "오른쪽 눈꺼풀 모양이 왼쪽과 달라 비대칭으로 보인다",
            "오른쪽 눈의 꺼풀이 왼쪽과 다르게 생겼다", "두 눈이 비대칭인데 오른쪽 눈꺼풀이 다르다"],
        "왼쪽비대칭": [
            "눈은 왼쪽이 비대칭이다", "왼쪽 눈꺼풀 모양이 오른쪽과 달라 비대칭으로 보인다",
            "왼쪽 눈의 꺼풀이 오른쪽과 다르게 생겼다", "두 눈이 비대칭인데 왼쪽 눈꺼풀이 다르다"],
    },
    "eyes.slant": {
        "올라감": [
            "눈꼬리가 올라가 있다", "눈꼬리가 {h}올라갔다", "눈끝이 {h}위로 올라가 있다",
            "눈꼬리가 {h}치켜 올라간 눈매이다", "{h}올라간 눈꼬리를 가지고 있다"],
        "보통": [
            "눈꼬리는 수평이다", "눈꼬리는 수평에 가깝다", "눈꼬리가 올라가지도 처지지도 않았다",
            "눈꼬리의 기울기는 보통이다"],
        "내려감": [
            "눈꼬리가 내려가 있다", "눈꼬리가 {h}처진 눈매이다", "눈끝이 {h}아래로 내려갔다",
            "{h}처진 눈꼬리를 가지고 있다", "눈꼬리가 {h}아래로 내려와 있다"],
    },
    "eyes.shape": {
        "졸린눈": [
            "눈 모양은 졸린눈이다", "눈꺼풀이 {h}덮여 졸린 듯한 눈이다", "졸린 눈매를 하고 있다",
            "눈이 {h}졸려 보인다"],
        "실눈": [
            "눈 모양은 실눈이다", "가늘게 뜬 실눈이다", "눈이 실처럼 {h}가늘다", "가느다란 실눈을 하고 있다"],
        "돌출눈": [
            "눈 모양은 돌출눈이다", "눈이 {h}튀어나온 돌출눈이다", "안구가 {h}돌출되어 보인다",
            "눈알이 앞으로 {h}나와 있다"],
        "오목눈": [
            "눈 모양은 오목눈이다", "눈이 {h}움푹 들어간 오목눈이다", "눈두덩이 깊어 눈이 들어가 보인다",
            "눈이 안쪽으로 {h}쑥 들어가 있다"],
        "째진눈": [
            "눈 모양은 째진눈이다", "눈꼬리가 길게 째진 눈이다", "옆으로 길게 째진 눈매이다",
            "눈이 가로로 길게 째져 있다"],
    },
    "eyes.bottom": {
        "있다": [
            "눈 밑에 살이 있다", "눈 밑이 {h}불룩하다", "눈 아래 애교살이 보인다", "눈 밑 살이 {h}도톰하다"],
        "없다": ["눈 밑에 살이 없다", "눈 밑은 평평하다", "눈 밑이 매끈하고 밋밋하다", "애교살이 없다"],
    },
    "nose.top": {
        "각진형": [
            "코끝은 각진형이다", "코끝이 {h}각져 있다", "콧등이 각진 형태이다", "각진 코끝을 가지고 있다"],
        "둥근형": [
            "코끝은 둥근형이다", "코끝이 {h}둥글다", "둥근 코끝을 가지고 있다", "코끝이 {h}동그란 편이다"],
        "뭉툭형": ["코끝은 뭉툭형이다", "코끝이 {h}뭉툭하다", "뭉툭한 코끝이다", "코끝이 둥글고 뭉툭하다"],
        "매부리코": [
            "코는 매부리코이다", "콧등이 휘어 내려온 매부리코이다", "매부리코 형태이다",
            "콧대 중간이 튀어나온 매부리코이다"],
        "들창코": [
            "코는 들창코이다", "콧구멍이 정면에서 보이는 들창코이다", "코끝이 위로 들린 들창코이다",
            "코끝이 {h}들려 있다"],
        "주먹코": [
            "코는 주먹코이다", "코끝이 동그랗게 뭉친 주먹코이다", "주먹코 모양이다",
            "코끝이 둥글게 뭉쳐 있는 주먹코이다"],
        "휜코": [
            "코는 휜코이다", "콧대가 {h}한쪽으로 휘어 있다", "휜 코를 가지고 있다", "코가 {h}비뚤어져 있다"],
        "버선코": [
            "코는 버선코이다", "코끝이 버선코처럼 {h}들려 있다", "버선코 모양이다",
            "콧등이 휘었다가 코끝이 올라간 버선코이다"],
        "화살코": [
            "코는 화살코이다", "코끝이 화살촉처럼 {h}뾰족하다", "코끝이 뾰족한 화살코이다",
            "화살코 모양이다"],
    },
    "mouth.type": {
        "보통형": [
            "입은 보통형이다", "입 모양은 평범하다", "입매는 무난한 편이다",
            "입은 튀어나오거나 들어가지 않았다"],
        "돌출형": [
            "입은 돌출형이다", "입이 {h}앞으로 튀어나와 있다", "입이 돌출된 형태이다",
            "입 주변이 {h}나와 있다"],
        "오목형": [
            "입은 오목형이다", "입이 {h}안으로 들어가 있다", "입이 오목하게 들어간 형태이다",
            "입 부분이 {h}들어가 보인다"],
    },
    "mouth.shape": {
        "ㅡ모양": [
            "입술은 ㅡ모양이다", "입술이 일자로 다물어져 있다", "입 모양이 ㅡ자 형태이다",
            "입이 일자 모양이다"],
        "V모양": [
            "입술은 V모양이다", "입술 가운데가 V자 모양이다", "입술선이 V자 형태이다", "V자 모양의 입이다"],
        "M모양": [
            "입술은 M모양이다", "윗입술이 M자 모양이다", "입술산이 뚜렷한 M자 모양이다", "M모양의 입술이다"],
        "O모양": [
            "입술은 O모양이다", "입술이 {h}동그란 O자 모양이다", "입이 둥근 O모양이다",
            "입 모양이 {h}동그랗다"],
    },
    "mouth.ratio": {
        "아랫입술이 크다": [
            "아랫입술이 크다", "아랫입술이 윗입술보다 {h}두껍다", "아랫입술이 {h}더 크다",
            "윗입술보다 아랫입술이 {h}도톰하다"],
        "윗입술이 크다": [
            "윗입술이 크다", "윗입술이 아랫입술보다 {h}두껍다", "윗입술이 {h}더 크다",
            "아랫입술보다 윗입술이 {h}도톰하다"],
        "위아래가 같다": [
            "입술은 위아래가 같다", "윗입술과 아랫입술의 두께가 비슷하다", "위아래 입술 크기가 같다",
            "입술 위아래가 균형 잡혀 있다"],
    },
    "mouth.side": {
        "올라감": [
            "입꼬리가 올라가 있다", "입꼬리가 {h}올라갔다", "입꼬리가 {h}위로 올라가 미소 짓는 듯하다",
            "{h}올라간 입꼬리를 가지고 있다"],
        "보통": [
            "입꼬리는 수평이다", "입꼬리가 올라가지도 처지지도 않았다", "입꼬리는 평평한 편이다",
            "입꼬리는 보통이다"],
        "처짐": [
            "입꼬리가 처져 있다", "입꼬리가 {h}처졌다", "입꼬리가 {h}아래로 내려가 있다",
            "{h}처진 입꼬리를 가지고 있다"],
    },
    "mouth.line": {
        "뚜렷함": [
            "입술 선이 뚜렷하다", "입술 선이 {h}또렷하다", "입술 라인이 선명하다",
            "입술 윤곽이 {h}뚜렷한 편이다"],
        "흐림": [
            "입술 선이 흐리다", "입술 선이 {h}흐릿하다", "입술 경계가 뚜렷하지 않다",
            "입술 라인이 {h}흐린 편이다"],
    },
    "mouth.thick": {
        "두껍다": ["입술이 {h}도톰하다", "{h}도톰한 입술을 가지고 있다", "입술이 {h}두툼한 편이다"],
        "얇다": ["{h}얇은 입술을 가지고 있다", "입술이 {h}얇아 보인다"],
    },
    "nose.height": {
        "높다": ["콧대가 {h}오뚝하다", "콧대가 {h}높게 솟아 있다"],
        "낮다": ["콧대가 {h}낮게 내려앉아 있다", "코가 {h}납작한 편이다"],
    },
    "eyes.distance": {
        "넓다": ["두 눈 사이가 {h}멀다", "눈과 눈 사이가 {h}떨어져 있다"],
        "좁다": ["두 눈 사이가 {h}가깝다", "두 눈이 {h}가까이 붙어 있다"],
    },
    "eyebrows.deep": {
        "진하다": ["눈썹이 {h}짙다", "{h}짙은 눈썹을 가지고 있다"],
        "흐리다": ["눈썹이 {h}옅다", "눈썹 색이 {h}연한 편이다"],
    },
    "eyebrows.thick": {
        "두껍다": ["눈썹이 {h}굵다", "{h}굵은 눈썹을 가지고 있다"],
        "얇다": ["눈썹이 {h}가늘다", "{h}가는 눈썹을 가지고 있다"],
    },
}
for _key, _values in _EXTRA.items():
    _table = _PHRASES.setdefault(_key, {})
    for _value, _variants in _values.items():
        _table.setdefault(_value, []).extend(_variants)

WRINKLE_PLACES: dict[str, str] = {"forehead": "이마", "glabella": "미간", "eyes": "눈가", "mouth": "입가",
                                  "cheek": "볼", "lib": "입술", "neck": "목"}
# '{P}' = the places ("이마와 눈가")
_WRINKLE_TEMPLATES: dict[str, list[str]] = {
    "많다": [
        "{P}에 주름이 많다", "{P}에 주름이 {h}많은 편이다", "{P}에 주름이 많이 잡혀 있다",
        "{P} 주름이 깊고 많다", "{P}에 굵은 주름이 여러 줄 보인다"],
    "보통": [
        "{P} 주름은 보통이다", "{P}에 주름이 약간 있다", "{P}에 잔주름이 조금 보인다",
        "{P}에 옅은 주름이 있다", "{P} 주름은 보통 정도이다"],
    "없다": [
        "{P}에 주름이 없다", "{P}에는 주름이 거의 보이지 않는다", "{P}에 주름 없이 매끈하다",
        "{P} 주름은 없다"],
}
_NO_WRINKLES = ["얼굴에 주름이 거의 없다", "주름이 없는 매끈한 피부이다", "얼굴 전체에 주름이 보이지 않는다"]
for _field, _place in WRINKLE_PLACES.items():
    _PHRASES[f"wrinkle.{_field}"] = {
        v: [t.replace("{P}", _place) for t in ts] for v, ts in _WRINKLE_TEMPLATES.items()}

FEATURE_NOUNS: dict[str, str] = {
    "mustache": "수염", "sideburns": "구레나룻", "dimple": "보조개", "scar": "흉터", "mole": "점",
    "frekles": "주근깨", "spots": "잡티", "tatoo": "문신", "makeup": "화장",
}
for _field, _noun in FEATURE_NOUNS.items():
    _PHRASES[f"feature.{_field}"] = {
        PRESENT: ["화장을 하고 있다"] if _field == "makeup" else [f"{_josa(_noun, '이가')} 있다"]}

# where a feature is (synth.sample.FEATURE_PLACES): variants of '<place>에'
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

IMPRESSIONS: dict[str, list[str]] = {
    "어려보임": [
        "어려 보이는 인상이다", "나이에 비해 {h}어려 보이는 인상이다", "동안이라 실제 나이보다 젊어 보인다",
        "앳된 얼굴이라 어려 보인다", "나이보다 어려 보이는 동안이다"],
    "공격적임": [
        "공격적인 인상이다", "{h}공격적인 인상을 준다", "날카롭고 공격적인 느낌을 준다",
        "쉽게 다가가기 어려운 공격적인 인상이다"],
    "비열함": [
        "비열한 인상이다", "어딘가 비열해 보이는 인상이다", "교활하고 비열한 느낌을 준다",
        "속을 알 수 없는 비열한 인상을 준다"],
    "권위적임": [
        "권위적인 인상이다", "고집이 세고 권위적인 인상을 준다", "근엄하고 권위적인 분위기가 느껴진다",
        "위엄 있어 보이는 권위적인 인상이다"],
    "매력적임": [
        "매력적인 인상이다", "이목구비가 조화로워 매력적인 인상을 준다", "호감 가는 매력적인 얼굴이다",
        "매력적이고 세련된 분위기가 느껴진다"],
    "정직함": [
        "정직한 인상이다", "성실하고 정직한 인상을 준다", "거짓말을 못 할 것 같은 정직한 얼굴이다",
        "반듯하고 정직해 보이는 인상이다", "온화하고 정직한 인상을 준다"],
    "지적임": [
        "지적인 인상이다", "지적이고 차분한 인상을 준다", "똑똑해 보이는 지적인 인상이다",
        "학자 같은 지적인 분위기가 느껴진다"],
}
_PHRASES["impression.type"] = {k: v[:1] for k, v in IMPRESSIONS.items()}
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
        for v, forms in _FACE_TYPES.items()}),
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

FIELD_LABELS: dict[str, str] = {
    "face.type": "얼굴형", "face.size": "얼굴 크기", "face.foreheadType": "이마 모양",
    "face.foreheadSize": "이마 넓이",
    "face.chinType": "턱 모양", "face.chinSize": "턱 길이", "face.cheek": "볼",
    "hairstyle.type": "머리 유형", "hairstyle.topLength": "앞머리", "hairstyle.sizeLength": "머리 길이",
    "hairstyle.part": "가르마",
    "eyebrows.type": "눈썹 모양", "eyebrows.deep": "눈썹 농도", "eyebrows.length": "눈썹 길이",
    "eyebrows.thick": "눈썹 두께", "eyebrows.glabella": "미간",
    "eyes.size": "눈 크기", "eyes.type": "눈꺼풀", "eyes.distance": "눈 사이 간격", "eyes.slant": "눈꼬리",
    "eyes.shape": "눈 모양", "eyes.eyelids": "눈두덩", "eyes.bottom": "눈 밑",
    "nose.size": "코 크기", "nose.length": "코 길이", "nose.height": "코 높이", "nose.top": "코끝 모양",
    "nose.nostrils": "콧볼", "nose.philtrum": "인중",
    "mouth.type": "입 형태", "mouth.size": "입 크기", "mouth.shape": "입술 모양", "mouth.thick": "입술 두께",
    "mouth.ratio": "입술 비율", "mouth.side": "입꼬리", "mouth.line": "입술 선", "impression.type": "인상",
    **{f"wrinkle.{k}": f"{v} 주름" for k, v in WRINKLE_PLACES.items()},
    **{f"feature.{k}": v for k, v in FEATURE_NOUNS.items()},
}
FIELD_ORDER: tuple[str, ...] = tuple(f"{s}.{f}" for s in SECTIONS for f in VOCAB[s])


def _core(value: str) -> str:
    """A value without an annotation-tool hint in brackets: '광대돌출(예: ...)' -> '광대돌출'."""
    return re.sub(r"\s*\(.*?\)\s*$", "", value).replace(" ", "")


# key -> alias -> canonical vocabulary value (so '광대돌출', '직모' or '숏컷' find their phrases)
_ALIASES: dict[str, dict[str, str]] = {}
for _key, _table in _PHRASES.items():
    _alias = _ALIASES.setdefault(_key, {})
    for _value in _table:
        _alias[_value.replace(" ", "")] = _value
        _alias.setdefault(_core(_value), _value)
_ALIASES["hairstyle.type"].update({"생머리": "직모(생머리)", "스포츠머리": "스포츠형"})
_ALIASES["hairstyle.sizeLength"].update({"숏컷": "숏컷(귀보임)", "짧은머리": "짧은머리"})


def _canonical(key: str, value: str) -> str | None:
    """The vocabulary value `value` stands for in the tables of `key`, or None for an unlisted one."""
    table = _PHRASES.get(key)
    if table is None:
        return None
    if value in table:
        return value
    alias = _ALIASES.get(key, {})
    squashed = value.replace(" ", "")
    return alias.get(squashed) or alias.get(_core(value))


def _display_value(value: str) -> str:
    return _clean(value).rstrip(" .。")


def _generic(key: str, value: str) -> str | None:
    """'<label>은 <value>이다' for a value the tables do not know; None when there is no label."""
    label, text = FIELD_LABELS.get(key), _display_value(value)
    if not label or not text:
        return None
    return f"{_josa(label, '은는')} {text}" if text.endswith("다") else f"{_josa(label, '은는')} {text}이다"


# ----------------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------------
def attribute_sentences(attributes: Mapping[str, str]) -> list[str]:
    """One plain, deterministic Korean sentence per known categorical field ('section.field' -> value),
    e.g. 'face.type'='계란형' -> '얼굴형은 계란형이다.'. Unknown markers are skipped, unlisted values are
    rendered generically ('<label>은 <value>이다.'); keys outside the vocabulary are skipped; any string value
    is accepted. Sentences come in vocabulary (SECTIONS) order."""
    sentences = []
    for key in (k for k in FIELD_ORDER if k in attributes):
        raw = attributes.get(key)
        value = _clean(raw) if isinstance(raw, str) else ""
        if not is_known(value) or not is_known(_core(value)):
            continue
        canonical = _canonical(key, value)
        text = _PHRASES[key][canonical][0].replace("{h}", "") if canonical else _generic(key, value)
        if text:
            sentences.append(_clean(text) + ".")
    return sentences


def describe_person(person: Person, level: int, rng: np.random.Generator) -> dict[str, str]:
    """Korean description text for each section in vocab.SECTIONS (face, hairstyle, eyebrows, eyes, nose,
    mouth, neck, wrinkle, feature, impression), in the AIHub annotators' register, mentioning the fields this
    level fills. Draws one integer from `rng` (deterministic given its state)."""
    ctx = _Ctx(person, level, random.Random(int(rng.integers(0, 2**62))))
    out = {}
    for section in SECTIONS:
        ctx.used.clear()
        out[section] = _clean(_BUILDERS.get(section, _plain_section)(ctx, section))
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
            value = _clean(raw) if isinstance(raw, str) else ""
            if key in fields and is_known(value) and is_known(_core(value)):
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
    canonical = _canonical(key, value)
    if canonical is None:
        return _generic(key, value)
    return ctx.pick(_PHRASES[key][canonical])


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
        parts.append(_connect(clause, ending))
    parts.append(group[-1])
    return " ".join(parts) + "."


def _section_clauses(ctx: _Ctx, section: str) -> list[str]:
    keys = [f"{section}.{f}" for f in VOCAB[section]]
    values = {k: v for k in keys if (v := ctx.value(k)) is not None}
    clauses: list[str] = []
    combo = _COMBOS.get(section)
    if combo and combo[0] in values and combo[1] in values and ctx.rnd.random() < 0.35:
        scale_key, other_key, templates = combo
        other = _canonical(other_key, values[other_key])
        size = values[scale_key]
        if other in templates and (size in _ADJ or size == "보통"):
            mod = "{h}" + _ADJ[size][0] if size != "보통" else ctx.rnd.choice(("보통 크기의",
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
        clauses = [f"{_josa(noun, '은는')} 특별한 특징이 없는 평범한 모습이다"]
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
                       else _generic("wrinkle.neck", wrinkle) or "")
    if ctx.value("feature.tatoo") == PRESENT:
        place = ctx.person.details.get("tatoo", "")
        where = rnd.choice(PLACE_WORDS[place]) if place in PLACE_WORDS else "목에"
        clauses.append(ctx.pick([t.replace("{p}", where) for t in _FEATURE_TEMPLATES["tatoo"]]))
    return _compose(clauses, rnd)


def _places(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-2] + [_josa(words[-2], "과와") + " " + words[-1]])


def _wrinkle(ctx: _Ctx, section: str) -> str:
    groups: dict[str, list[str]] = {}
    generic = []
    for field, place in WRINKLE_PLACES.items():
        value = ctx.value(f"wrinkle.{field}")
        if value in _WRINKLE_TEMPLATES:
            groups.setdefault(value, []).append(place)
        elif value:
            generic.append(_generic(f"wrinkle.{field}", value) or "")
    if not groups and not generic:
        return ""
    if list(groups) == ["없다"] and len(groups["없다"]) == len(WRINKLE_PLACES) and ctx.rnd.random() < 0.6:
        return _compose([ctx.rnd.choice(_NO_WRINKLES)], ctx.rnd)
    order = list(groups)
    ctx.rnd.shuffle(order)
    clauses = [ctx.pick([t.replace("{P}", _places(groups[v])) for t in _WRINKLE_TEMPLATES[v]]) for v in order]
    return _compose(clauses + generic, ctx.rnd)


def _feature_clause(ctx: _Ctx, name: str, value: str) -> str:
    if value != PRESENT:
        return _generic(f"feature.{name}", value) or ""
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
        return f"{_josa(noun, '으로로')} 보인다"
    age = f"{decade}0대 {part}"
    return ctx.rnd.choice([f"{age}의 {noun}이다", f"{age} 정도로 보이는 {noun}이다",
                           f"나이는 {age} 정도로 보인다", f"{decade}0대 {_josa(noun, '으로로')} 보인다"])


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
        canonical = _canonical("impression.type", kind)
        core = ctx.pick(IMPRESSIONS[canonical]) if canonical else _generic("impression.type", kind) or ""
        causal = canonical is None or re.search("(라|워|해|서) ", core)  # already says why
        sentences.append(core if causal else _cause(ctx, canonical in _SOFT_TYPES) + core)
    elif ctx.level == 3:
        sentences.append(rnd.choice(_PLAIN_IMPRESSION))
    else:  # levels 1-2: what the visible fields suggest (in the person's impression tone), or who it is
        tone = _canonical("impression.type", str(ctx.person.attributes.get("impression.type") or ""))
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
