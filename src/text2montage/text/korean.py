"""Korean grammar the phrase tables and the synthesizer share: final consonants (batchim), the
particle that fits a word (은/는, 이/가, 을/를, 과/와, 으로/로) and the connective forms of a clause
(~고, ~며, ~는데)."""

from __future__ import annotations

_BASE, _NJONG = 0xAC00, 28
_J_NIEUN, _J_RIEUL, _J_BIEUP, _J_BS, _J_SS, _J_HIEUH = 4, 8, 17, 18, 20, 27
_REGULAR_BIEUP = frozenset("좁잡입씹업굽")
_REGULAR_HIEUH = frozenset("좋놓넣낳닿쌓")
_BATCHIM_ASCII = frozenset("0136789lmnrLMNR")  # 영 일 삼 육 칠 팔 구(no) ... 엘 엠 엔 알


def final_consonant(ch: str) -> int:
    """Final-consonant index of a Hangul syllable (0: none), -1 for anything else."""
    code = ord(ch) - _BASE
    return code % _NJONG if 0 <= code < 11172 else -1


def with_final_consonant(ch: str, jong: int) -> str:
    code = ord(ch) - _BASE
    return chr(_BASE + code - code % _NJONG + jong)


def has_batchim(word: str) -> bool:
    word = word.rstrip(" .)")
    if not word:
        return False
    j = final_consonant(word[-1])
    return j > 0 if j >= 0 else word[-1] in _BATCHIM_ASCII and word[-1] != "9"


def josa(word: str, pair: str) -> str:
    """`word` plus the particle of `pair` ('은는', '이가', '을를', '과와', '으로로') that fits it."""
    if pair == "으로로":
        rieul = word and final_consonant(word[-1]) == _J_RIEUL
        return word + ("으로" if has_batchim(word) and not rieul else "로")
    half = len(pair) // 2
    return word + (pair[:half] if has_batchim(word) else pair[half:])


def connect(clause: str, ending: str) -> str:
    """Turn a clause ending in '다' into its connective form: ending is '고', '며' or '는데'."""
    if not clause.endswith("다") or len(clause) < 2:
        return clause + ","
    body, last = clause[:-2], clause[-2]
    jong = final_consonant(last)
    if jong < 0:
        return clause + ","
    if last == "는" and body:  # 덮는다, 않는다: verb with a consonant stem
        return body + {"고": "고", "며": "으며", "는데": "는데"}[ending]
    if jong == _J_NIEUN:  # 보인다, 준다: verb with a vowel stem
        stem = body + with_final_consonant(last, 0)
        return stem + ending
    stem = body + last
    if jong in (_J_SS, _J_BS):  # 있다, 없다, 올라갔다
        return stem + {"고": "고", "며": "으며", "는데": "는데"}[ending]
    if ending == "고":
        return stem + "고"
    vowel_stem = jong == 0
    if jong == _J_RIEUL:
        return stem + "며" if ending == "며" else body + with_final_consonant(last, _J_NIEUN) + "데"
    if jong == _J_BIEUP and last not in _REGULAR_BIEUP:  # 두껍다, 부드럽다, 가깝다
        stem, vowel_stem = body + with_final_consonant(last, 0) + "우", True
    elif jong == _J_HIEUH and last not in _REGULAR_HIEUH:  # 동그랗다
        stem, vowel_stem = body + with_final_consonant(last, 0), True
    if vowel_stem:
        return stem + "며" if ending == "며" else stem[:-1] + with_final_consonant(stem[-1], _J_NIEUN) + "데"
    return stem + ("으며" if ending == "며" else "은데")
