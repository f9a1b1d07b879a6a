"""Near-duplicate fingerprints: MinHash (datasketch) over word 3-shingles, with LSH bands
that live in SQLite so that every new article is checked against everything stored.

64 permutations in 16 bands of 4: two texts with Jaccard similarity 0.7 share at least one
band with probability 0.98 (0.9987 at 0.8), and a lookup is 16 probes of one index plus a
signature comparison on the handful of rows they return.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SEED = 20250424
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = 3) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


# Built once: datasketch derives the permutations from the seed on every MinHash otherwise.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED)


def signature(text: str) -> np.ndarray:
    """The MinHash signature (NUM_PERM unsigned 32-bit values in uint64) of a text.

    Shingles are hashed with CRC-32 (C speed; datasketch's affine scheme pre-mixes every
    input hash with the MurmurHash3 finalizer before permuting), so a signature costs well
    under a millisecond.
    """
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=zlib.crc32,
        permutations=_TEMPLATE.permutations,
        scheme=_TEMPLATE.scheme,
    )
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return minhash.hashvalues


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (the band's index is part of the key)."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].astype(np.uint32).tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype(np.uint32).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a.astype(np.uint32) == b.astype(np.uint32))) / NUM_PERM


def containment(copy: str, original: str) -> float:
    """Share of the copy's shingles the original has: 1.0 for a verbatim excerpt."""
    mine = set(shingles(copy))
    return len(mine & set(shingles(original))) / len(mine) if mine else 0.0
