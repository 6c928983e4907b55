"""Montage codes: exact rebuilds, and clear errors for damaged, foreign and malformed codes."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_pipeline import build_tiny_pipeline

from text2montage.pipeline import MontageCodeError
from text2montage.pipeline.codes import bits_per_code, decode_montage_code, encode_montage_code

DIGEST = "ab" * 32


@pytest.mark.parametrize(("grid", "codebook"), [(8, 512), (16, 1024), (4, 32), (8, 2), (3, 65535)])
def test_round_trip_any_grid_and_codebook(grid, codebook):
    codes = np.random.default_rng(grid).integers(0, codebook, (grid, grid))
    code = encode_montage_code(codes, codebook, DIGEST)
    assert code.startswith("M") and code.isascii() and code.isprintable() and " " not in code
    assert np.array_equal(decode_montage_code(code, codebook, grid, DIGEST), codes)


def test_an_eight_by_eight_grid_of_512_codes_is_short():
    code = encode_montage_code(np.full((8, 8), 511), 512, DIGEST)
    assert len(code) == 109 and bits_per_code(512) == 9


def test_line_breaks_and_spaces_inside_a_pasted_code_are_ignored():
    codes = np.arange(16).reshape(4, 4)
    code = encode_montage_code(codes, 32, DIGEST)
    wrapped = "  " + code[:20] + "\n" + code[20:] + " "
    assert np.array_equal(decode_montage_code(wrapped, 32, 4, DIGEST), codes)


def test_damaged_foreign_and_malformed_codes():
    codes = np.arange(16).reshape(4, 4)
    code = encode_montage_code(codes, 32, DIGEST)
    typo = code[:12] + ("A" if code[12] != "A" else "B") + code[13:]
    cases = {
        typo: "damaged or mistyped",
        code[:-4]: "damaged|incomplete|characters",
        "hello": "not a montage code",
        "M!!!!####$$$$": "characters a code never has",
        "": "not a montage code",
    }
    for bad, message in cases.items():
        with pytest.raises(MontageCodeError, match=message):
            decode_montage_code(bad, 32, 4, DIGEST)
    with pytest.raises(MontageCodeError, match="another model"):
        decode_montage_code(code, 32, 4, "cd" * 32)
    with pytest.raises(MontageCodeError, match="grid"):
        decode_montage_code(code, 32, 8, DIGEST)
    with pytest.raises(MontageCodeError):
        decode_montage_code(12345, 32, 4, DIGEST)


def test_from_code_rebuilds_the_identical_montage(pipe):
    for candidate in pipe("눈이 작고 입술이 도톰하다.", num_candidates=3, seed=0).candidates:
        again = pipe.from_code(candidate.code)
        assert np.array_equal(np.asarray(again.image), np.asarray(candidate.image))
        assert np.array_equal(again.codes, candidate.codes) and again.code == candidate.code


def test_another_models_code_is_refused(pipe):
    other = build_tiny_pipeline(seed=9)
    code = other("눈이 작다", num_candidates=1, seed=0).best.code
    with pytest.raises(MontageCodeError, match="another model"):
        pipe.from_code(code)
