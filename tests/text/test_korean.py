"""Korean grammar helpers: batchim, particles, connective forms."""

from __future__ import annotations

import pytest

from text2montage.text.korean import connect, has_batchim, josa


def test_particles_follow_the_final_consonant() -> None:
    assert [has_batchim(w) for w in ("눈", "코", "입술", "M", "3")] == [True, False, True, True, True]
    assert josa("눈", "은는") == "눈은" and josa("코", "은는") == "코는"
    assert josa("입술", "이가") == "입술이" and josa("이마", "이가") == "이마가"
    assert josa("주름", "과와") == "주름과" and josa("이마", "과와") == "이마와"
    assert josa("원형", "으로로") == "원형으로" and josa("일자", "으로로") == "일자로"
    assert josa("얼굴", "으로로") == "얼굴로"  # ㄹ takes 로


@pytest.mark.parametrize(("clause", "go", "myeo", "neunde"), [
    ("얼굴형은 계란형이다", "얼굴형은 계란형이고", "얼굴형은 계란형이며", "얼굴형은 계란형인데"),
    ("눈이 작다", "눈이 작고", "눈이 작으며", "눈이 작은데"),
    ("눈이 크다", "눈이 크고", "눈이 크며", "눈이 큰데"),
    ("코가 길다", "코가 길고", "코가 길며", "코가 긴데"),
    ("입술이 두껍다", "입술이 두껍고", "입술이 두꺼우며", "입술이 두꺼운데"),
    ("미간이 좁다", "미간이 좁고", "미간이 좁으며", "미간이 좁은데"),
    ("쌍꺼풀이 있다", "쌍꺼풀이 있고", "쌍꺼풀이 있으며", "쌍꺼풀이 있는데"),
    ("눈꼬리가 올라갔다", "눈꼬리가 올라갔고", "눈꼬리가 올라갔으며", "눈꼬리가 올라갔는데"),
    ("코가 작아 보인다", "코가 작아 보이고", "코가 작아 보이며", "코가 작아 보이는데"),
    ("주름이 보이지 않는다", "주름이 보이지 않고", "주름이 보이지 않으며", "주름이 보이지 않는데"),
    ("입 모양이 동그랗다", "입 모양이 동그랗고", "입 모양이 동그라며", "입 모양이 동그란데"),
    ("눈썹이 가늘다", "눈썹이 가늘고", "눈썹이 가늘며", "눈썹이 가는데"),
])
def test_connect(clause: str, go: str, myeo: str, neunde: str) -> None:
    forms = tuple(connect(clause, ending) for ending in ("고", "며", "는데"))
    assert forms == (go, myeo, neunde)
