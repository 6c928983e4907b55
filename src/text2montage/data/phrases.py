"""Korean phrases for every attribute value of the AIHub schema, and the attribute sentences built from them.

Vocabulary knowledge, not synthesis: the AIHub loader writes a record's `attributes` caption with
`attribute_sentences` ('face.type'='계란형' -> '얼굴형은 계란형이다.'), training captions add them, and the
synthetic describer (data/synth/describe.py) draws its varied clauses from the same tables. In each table
the first variant of a value is the plain, canonical one; '{h}' marks where the describer may put a hedge
(약간, 살짝, ...), and attribute sentences drop it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from text2montage.data.vocab import ALL_FIELDS, PRESENT, is_known
from text2montage.text.korean import josa
from text2montage.text.normalize import normalize_text

# adjective -> (modifier form, 아/어 form)
ADJECTIVES: dict[str, tuple[str, str]] = {
    "크다": ("큰", "커"), "작다": ("작은", "작아"), "길다": ("긴", "길어"), "짧다": ("짧은", "짧아"),
    "넓다": ("넓은", "넓어"), "좁다": ("좁은", "좁아"), "두껍다": ("두꺼운", "두꺼워"),
    "얇다": ("얇은", "얇아"), "높다": ("높은", "높아"), "낮다": ("낮은", "낮아"),
    "진하다": ("진한", "진해"), "흐리다": ("흐린", "흐려"),
}


def _adj_preds(adj: str) -> list[str]:
    mod, eo = ADJECTIVES[adj]
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
        table[adj] = [f"{josa(s, '이가')} {p}" for s in subjects for p in _adj_preds(adj)]
    plain = ("보통이다", "보통 정도이다", "평범한 편이다")
    neutral = [f"{josa(n, '은는')} {p}" for n in names for p in plain]
    neutral += [f"{josa(s, '은는')} {big[:-1]}지도 {small[:-1]}지도 않다" for s in subjects]
    neutral += [f"{josa(subjects[0], '은는')} 적당한 {dim}이다",
                f"{josa(subjects[0], '은는')} 무난한 {dim}이다"]
    table["보통"] = neutral
    return table


def _nouns(forms: Sequence[str], frames: Sequence[str]) -> list[str]:
    """Noun-valued field: every frame ('{n}' = the noun, '{n이다}' etc. with particles) per noun form."""
    out = []
    for frame in frames:
        for n in forms:
            out.append(frame.replace("{n으로}", josa(n, "으로로")).replace("{n}", n))
    return out


_FACE_FRAMES = ("얼굴형은 {n}이다", "{n} 얼굴이다", "얼굴은 {h}{n}에 가깝다", "{n}의 얼굴형을 가지고 있다",
                "얼굴 윤곽이 {n으로} 보인다", "전체적인 얼굴형이 {n}이다")
FACE_TYPES = {"계란형": ("계란형", "달걀형"), "둥근형": ("둥근형", "원형"), "긴형": ("긴형",),
               "사각형": ("사각형", "각진형"), "역삼각형": ("역삼각형",), "마름모형": ("마름모형",)}
_FACE_EXTRA = {
    "계란형": ["갸름한 계란형 얼굴이다", "얼굴선이 부드러운 계란형이다"],
    "둥근형": ["얼굴이 전체적으로 {h}동그란 편이다", "얼굴선이 둥글둥글하다"],
    "긴형": ["얼굴이 세로로 {h}긴 편이다", "얼굴 길이가 폭에 비해 {h}길다"],
    "사각형": ["턱선이 각진 사각형 얼굴이다", "얼굴 윤곽이 {h}각져 있다"],
    "역삼각형": ["턱 쪽으로 갈수록 좁아지는 역삼각형 얼굴이다"],
    "마름모형": ["광대 부분이 가장 넓은 마름모형 얼굴이다"],
}

PHRASES: dict[str, dict[str, list[str]]] = {
    key: _scale_table(*spec) for key, spec in _SCALE_FIELDS.items()
}
PHRASES["face.type"] = {v: _nouns(forms, _FACE_FRAMES) + _FACE_EXTRA[v] for v, forms in FACE_TYPES.items()}

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
    _table = PHRASES.setdefault(_key, {})
    for _value, _variants in _values.items():
        _table.setdefault(_value, []).extend(_variants)

WRINKLE_PLACES: dict[str, str] = {"forehead": "이마", "glabella": "미간", "eyes": "눈가", "mouth": "입가",
                                  "cheek": "볼", "lib": "입술", "neck": "목"}
# '{P}' = the places ("이마와 눈가")
WRINKLE_TEMPLATES: dict[str, list[str]] = {
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
for _field, _place in WRINKLE_PLACES.items():
    PHRASES[f"wrinkle.{_field}"] = {
        v: [t.replace("{P}", _place) for t in ts] for v, ts in WRINKLE_TEMPLATES.items()}

FEATURE_NOUNS: dict[str, str] = {
    "mustache": "수염", "sideburns": "구레나룻", "dimple": "보조개", "scar": "흉터", "mole": "점",
    "frekles": "주근깨", "spots": "잡티", "tatoo": "문신", "makeup": "화장",
}
for _field, _noun in FEATURE_NOUNS.items():
    PHRASES[f"feature.{_field}"] = {
        PRESENT: ["화장을 하고 있다"] if _field == "makeup" else [f"{josa(_noun, '이가')} 있다"]}

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
PHRASES["impression.type"] = {k: v[:1] for k, v in IMPRESSIONS.items()}

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


def core_value(value: str) -> str:
    """A value without an annotation-tool hint in brackets: '광대돌출(예: ...)' -> '광대돌출'."""
    return re.sub(r"\s*\(.*?\)\s*$", "", value).replace(" ", "")


# key -> alias -> canonical vocabulary value (so '광대돌출', '직모' or '숏컷' find their phrases)
_ALIASES: dict[str, dict[str, str]] = {}
for _key, _table in PHRASES.items():
    _alias = _ALIASES.setdefault(_key, {})
    for _value in _table:
        _alias[_value.replace(" ", "")] = _value
        _alias.setdefault(core_value(_value), _value)
_ALIASES["hairstyle.type"].update({"생머리": "직모(생머리)", "스포츠머리": "스포츠형"})
_ALIASES["hairstyle.sizeLength"].update({"숏컷": "숏컷(귀보임)", "짧은머리": "짧은머리"})


def canonical_value(key: str, value: str) -> str | None:
    """The vocabulary value `value` stands for in the tables of `key`, or None for an unlisted one."""
    table = PHRASES.get(key)
    if table is None:
        return None
    if value in table:
        return value
    alias = _ALIASES.get(key, {})
    squashed = value.replace(" ", "")
    return alias.get(squashed) or alias.get(core_value(value))


def _display_value(value: str) -> str:
    return normalize_text(value).rstrip(" .。")


def generic_sentence(key: str, value: str) -> str | None:
    """'<label>은 <value>이다' for a value the tables do not know; None when there is no label."""
    label, text = FIELD_LABELS.get(key), _display_value(value)
    if not label or not text:
        return None
    return f"{josa(label, '은는')} {text}" if text.endswith("다") else f"{josa(label, '은는')} {text}이다"


def attribute_sentences(attributes: Mapping[str, str]) -> list[str]:
    """One plain, deterministic Korean sentence per known categorical field ('section.field' -> value),
    e.g. 'face.type'='계란형' -> '얼굴형은 계란형이다.'. Unknown markers are skipped, unlisted values are
    rendered generically ('<label>은 <value>이다.'); keys outside the vocabulary are skipped; any string value
    is accepted. Sentences come in vocabulary (SECTIONS) order."""
    sentences = []
    for key in (k for k in ALL_FIELDS if k in attributes):
        raw = attributes.get(key)
        value = normalize_text(raw) if isinstance(raw, str) else ""
        if not is_known(value) or not is_known(core_value(value)):
            continue
        canonical = canonical_value(key, value)
        text = PHRASES[key][canonical][0].replace("{h}", "") if canonical else generic_sentence(key, value)
        if text:
            sentences.append(normalize_text(text) + ".")
    return sentences
