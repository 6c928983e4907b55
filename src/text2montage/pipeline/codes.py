"""Montage codes: a short printable string that rebuilds one montage exactly.

A code holds the montage's VQGAN code grid and the fingerprint of the VQGAN that decodes it (the image is
a pure function of the two), so the same code gives the identical image on any machine with the same
image tokenizer, and a code from another tokenizer is refused instead of drawing a different face.

Layout (bytes, then base64url without padding, after the prefix "M"):
    [0]      format version (1)
    [1:5]    the VQGAN fingerprint (first 4 bytes of the sha256 of its folder)
    [5]      grid size G
    [6]      bits per code B (ceil(log2(codebook size)))
    [7:-2]   the G*G codes, row-major, B bits each, big-endian, zero-padded to whole bytes
    [-2:]    check: the first 2 bytes of sha256 over everything before (catches typos and cut-offs)
An 8x8 grid of 512 codes is 81 bytes: a 109-character code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import numpy as np

from text2montage.pipeline.errors import MontageCodeError

PREFIX = "M"
VERSION = 1
FINGERPRINT_BYTES = 4
CHECK_BYTES = 2
_HEADER = 1 + FINGERPRINT_BYTES + 2
NOT_A_CODE = "not a montage code (they start with 'M' and are about 100 characters long)"


def bits_per_code(codebook_size: int) -> int:
    return max(1, int(codebook_size - 1).bit_length())


def fingerprint_bytes(vqgan_digest: str) -> bytes:
    """The VQGAN fingerprint a code carries: the first bytes of its sha256 hex digest."""
    return bytes.fromhex(vqgan_digest)[:FINGERPRINT_BYTES]


def encode_montage_code(grid: np.ndarray, codebook_size: int, vqgan_digest: str) -> str:
    """(G, G) integer code grid -> montage code string."""
    grid = np.asarray(grid)
    if grid.ndim != 2 or grid.shape[0] != grid.shape[1] or not 1 <= grid.shape[0] <= 255:
        raise MontageCodeError(f"a montage is a square code grid, got shape {grid.shape}")
    if grid.size and (grid.min() < 0 or grid.max() >= codebook_size):
        raise MontageCodeError(f"codes must lie in [0, {codebook_size})")
    bits = bits_per_code(codebook_size)
    header = bytes([VERSION]) + fingerprint_bytes(vqgan_digest) + bytes([grid.shape[0], bits])
    payload = header + _pack(grid.reshape(-1).astype(np.uint32), bits)
    payload += hashlib.sha256(payload).digest()[:CHECK_BYTES]
    return PREFIX + base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def decode_montage_code(code: str, codebook_size: int, grid_size: int, vqgan_digest: str) -> np.ndarray:
    """Montage code -> (G, G) int64 grid for this VQGAN; MontageCodeError saying what is wrong."""
    payload = _payload(code)
    if payload[0] != VERSION:
        raise MontageCodeError(f"montage code format {payload[0]} is not known to this text2montage")
    if payload[1:5] != fingerprint_bytes(vqgan_digest):
        raise MontageCodeError(
            f"this montage code was made by another model (image tokenizer {payload[1:5].hex()}; this "
            f"pipeline's is {fingerprint_bytes(vqgan_digest).hex()}): load the pipeline that made it"
        )
    grid, bits = payload[5], payload[6]
    if grid != grid_size or bits != bits_per_code(codebook_size):
        raise MontageCodeError(f"this montage code holds a {grid}x{grid} grid of {bits}-bit codes; this "
                               f"pipeline draws {grid_size}x{grid_size} grids")
    body = payload[_HEADER:-CHECK_BYTES]
    if len(body) != -(-grid * grid * bits // 8):
        raise MontageCodeError("this montage code has the wrong length: it is incomplete or damaged")
    codes = _unpack(body, bits, grid * grid)
    if codes.max(initial=0) >= codebook_size:
        raise MontageCodeError(f"this montage code holds codes outside the codebook of {codebook_size}")
    return codes.reshape(grid, grid).astype(np.int64)


def _payload(code: str) -> bytes:
    if not isinstance(code, str):
        raise MontageCodeError(f"a montage code is text, got {type(code).__name__}")
    text = "".join(code.split())
    if not text.startswith(PREFIX) or len(text) < 8 or len(text) > 4096:
        raise MontageCodeError(NOT_A_CODE)
    body = text[len(PREFIX):]
    try:
        payload = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as err:
        raise MontageCodeError("not a montage code: it holds characters a code never has") from err
    if len(payload) <= _HEADER + CHECK_BYTES:
        raise MontageCodeError("this montage code is too short: it is incomplete")
    if hashlib.sha256(payload[:-CHECK_BYTES]).digest()[:CHECK_BYTES] != payload[-CHECK_BYTES:]:
        raise MontageCodeError("this montage code is damaged or mistyped (its check does not match)")
    return payload


def _pack(values: np.ndarray, bits: int) -> bytes:
    """(n,) non-negative ints -> bytes, `bits` bits each, big-endian."""
    shifts = np.arange(bits - 1, -1, -1, dtype=np.uint32)  # (B,)
    bit_array = ((values[:, None] >> shifts) & 1).astype(np.uint8)  # (n, B)
    return np.packbits(bit_array.reshape(-1)).tobytes()


def _unpack(data: bytes, bits: int, count: int) -> np.ndarray:
    bit_array = np.unpackbits(np.frombuffer(data, dtype=np.uint8))[: count * bits]  # (n*B,)
    weights = (1 << np.arange(bits - 1, -1, -1, dtype=np.int64))  # (B,)
    return bit_array.reshape(count, bits).astype(np.int64) @ weights  # (n,)
