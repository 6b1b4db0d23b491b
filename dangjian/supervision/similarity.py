"""疑似雷同记录: near-duplicate minutes, found without comparing every pair. Pure: no database.

1. Normalise: Unicode NFKC, lower case, and drop whitespace, punctuation and symbols, so that re-spacing or
   re-punctuating a copied text changes nothing.
2. Shingles: the set of character n-grams (3-grams by default) — words are not separated in Chinese, so
   characters are the unit.
3. MinHash signatures and LSH (banding as datasketch's MinHashLSH, computed with numpy: all signatures in a few
   array operations, each band sorted to find equal bands) give candidate pairs in about linear time; the LSH
   threshold is set below the asked one so that few true pairs are missed.
4. Each candidate pair is then measured exactly: the Jaccard similarity of the two shingle sets. That exact
   figure is what is reported and compared with the threshold.
Texts shorter than MIN_CHARS after normalising are too short to judge and are skipped, never flagged.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

SHINGLE = 3
MIN_CHARS = 40
NUM_PERM = 128
LSH_MARGIN = 0.15  # the LSH threshold sits this far below the asked threshold
MIN_LSH_THRESHOLD = 0.1
SIGNATURE_CHUNK = 1 << 17  # shingles hashed at once: NUM_PERM × this × 4 bytes of scratch
_NOT_TEXT = re.compile(r"[\W_]+")  # whitespace, punctuation and symbols (CJK characters are word characters)
_rng = np.random.RandomState(1)  # fixed: the same texts always give the same signatures
# Affine permutations h -> a·h + b mod 2^32 with odd a (bijective), as datasketch's "affine32" scheme.
_PERM_A = _rng.randint(0, 1 << 31, size=NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
_PERM_B = _rng.randint(0, 1 << 32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
_PERMS = np.array([_PERM_A, _PERM_B])


def _normalise_slow(text: str) -> str:
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text).lower())


def _plain(ch: str) -> bool:
    """ASCII, CJK ideographs and punctuation that NFKC/NFKD leave alone: no composition can involve it."""
    cp = ord(ch)
    if cp < 0x80 or 0x4E00 <= cp <= 0x9FFF:
        return True
    return (
        (0x2010 <= cp <= 0x2027 or 0x3000 <= cp <= 0x303F)
        and unicodedata.combining(ch) == 0
        and unicodedata.normalize("NFKD", ch) == ch
        and unicodedata.normalize("NFKC", ch) == ch
    )


def _char_class(cps: list[int]) -> str:
    ranges, lo = [], None
    for i, cp in enumerate(cps):
        lo = cp if lo is None else lo
        if i + 1 == len(cps) or cps[i + 1] != cp + 1:
            ranges.append(re.escape(chr(lo)) + ("-" + re.escape(chr(cp)) if cp != lo else ""))
            lo = None
    return "[" + "".join(ranges) + "]"


@functools.cache
def _fast_path() -> tuple[re.Pattern, re.Pattern, dict[int, str]]:
    """The characters of ordinary Chinese minutes — ASCII, CJK ideographs and punctuation, full-width forms —
    for which NFKC + lower case + removal can be done without NFKC. Each is a starter (combining class 0) whose
    NFKC form is made of plain characters, which never compose with a neighbour: for a text made only of them,
    NFKC of the whole is the concatenation of NFKC of each character. Kept are those that are either removed
    both before and after NFKC (punctuation, symbols, spaces) or kept both before and after, then mapped
    (full-width letters and digits) or left as they are."""
    safe, mapped = [], {}
    for lo, hi in [(0x0, 0x7F), (0x2010, 0x2027), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E)]:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            nfkc = unicodedata.normalize("NFKC", ch)
            if unicodedata.combining(ch) or not all(_plain(x) for x in nfkc):
                continue
            want = _NOT_TEXT.sub("", nfkc.lower())
            if _NOT_TEXT.fullmatch(ch):
                if want == "":
                    safe.append(cp)
            elif want == ch.lower():
                safe.append(cp)
            elif want and not _NOT_TEXT.search(want):
                safe.append(cp)
                mapped[cp] = want
    safe_re = re.compile(_char_class(safe) + "*")
    mapped_re = re.compile(_char_class(sorted(mapped)))
    return safe_re, mapped_re, mapped


def normalise(text: str) -> str:
    """NFKC, lower case, without whitespace, punctuation and symbols. A text made only of `_fast_path`'s
    characters (nearly every minute) is done with two regular expressions; any other takes NFKC — the result
    is the same."""
    if not text:
        return ""
    safe_re, mapped_re, mapped = _fast_path()
    if not safe_re.fullmatch(text):
        return _normalise_slow(text)
    out = _NOT_TEXT.sub("", text)
    if mapped_re.search(out):
        out = out.translate(mapped)
    return out.lower()


def shingles(text: str, n: int = SHINGLE) -> frozenset[str]:
    """Character n-grams of an already normalised text."""
    if len(text) < n:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + n] for i in range(len(text) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def shingle_codes(text: str) -> np.ndarray:
    """The 3-gram set of a normalised text as sorted unique integers.

    A code point needs 21 bits, so a 3-gram packs into 63 bits without loss: equal codes are equal shingles,
    and the Jaccard similarity of two code sets is exactly that of the shingle sets.
    """
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    packed = cp if len(cp) < SHINGLE else (cp[:-2] << np.uint64(42)) | (cp[1:-1] << np.uint64(21)) | cp[2:]
    packed.sort()
    return packed[np.concatenate(([True], packed[1:] != packed[:-1]))] if len(packed) else packed


def code_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - inter
    return inter / union if union else 0.0


def signature(codes: np.ndarray) -> np.ndarray:
    """MinHash signature, vectorised with numpy: each shingle code mixed to 32 bits (multiplicative hashing,
    the high half of code × the golden-ratio constant), then the minimum under each affine permutation."""
    hv = ((codes * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)).astype(np.uint32)
    return (np.multiply.outer(_PERM_A, hv) + _PERM_B[:, None]).min(axis=1)


@dataclass(frozen=True)
class Pair:
    a: int
    b: int
    similarity: float


@functools.cache
def lsh_params(threshold: float) -> tuple[int, int]:
    """Bands × rows of the LSH for an asked threshold: what datasketch's MinHashLSH chooses (equal weights of
    false positives and negatives) at the lowered LSH threshold."""
    from datasketch.lsh import _optimal_param

    return _optimal_param(max(MIN_LSH_THRESHOLD, threshold - LSH_MARGIN), NUM_PERM, 0.5, 0.5)


def _chunk_codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The 3-gram codes of several normalised texts (each at least SHINGLE long) in one array — with repeats,
    which a minimum does not mind — and the offset where each text's codes start."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    packed = (cp[:-2] << np.uint64(42)) | (cp[1:-1] << np.uint64(21)) | cp[2:]
    ends = np.cumsum(lengths)
    keep = np.ones(len(packed), dtype=bool)
    inner_ends = ends[:-1]  # the 3-grams straddling two texts start at each text's last two characters
    keep[inner_ends - 2] = False
    keep[inner_ends - 1] = False
    starts = np.zeros(len(texts), dtype=np.intp)
    np.cumsum(lengths[:-1] - (SHINGLE - 1), out=starts[1:])
    return packed[keep], starts


def signatures(norms: list[str], chunk: int = SIGNATURE_CHUNK) -> np.ndarray:
    """MinHash signatures of many normalised, non-empty texts at once (rows of a len × NUM_PERM matrix), the
    same values as `signature` of each: the codes of about `chunk` shingles are made in one go and the minimum
    of each text's segment taken with one `minimum.reduceat`."""
    out = np.empty((len(norms), NUM_PERM), dtype=np.uint32)
    i = 0
    while i < len(norms):
        j, size = i, 0
        while j < len(norms) and (j == i or size + len(norms[j]) <= chunk):
            size += len(norms[j])
            j += 1
        part = norms[i:j]
        if min(map(len, part)) >= SHINGLE:
            codes, starts = _chunk_codes(part)
        else:
            sets = [shingle_codes(t) for t in part]
            codes = np.concatenate(sets)
            starts = np.zeros(len(part), dtype=np.intp)
            np.cumsum([len(c) for c in sets[:-1]], out=starts[1:])
        hv = ((codes * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)).astype(np.uint32)
        mixed = np.multiply.outer(_PERM_A, hv)
        mixed += _PERM_B[:, None]
        out[i:j] = np.minimum.reduceat(mixed, starts, axis=1).T
        i = j
    return out


def candidate_pairs(keys: np.ndarray, sigs: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs (a < b) of keys whose signatures agree on every row of at least one band: exactly the candidates a
    datasketch MinHashLSH with these bands and rows returns, found by sorting each band instead of hashing."""
    found: set[tuple[int, int]] = set()
    if len(keys) < 2:
        return found
    for band in range(bands):
        block = sigs[:, band * rows : (band + 1) * rows]
        order = np.lexsort(block.T[::-1])
        ordered = block[order]
        same = (ordered[1:] == ordered[:-1]).all(axis=1)
        if not same.any():
            continue
        # runs of equal band values: every pair inside a run is a candidate
        edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
        for lo, hi in zip(edges[::2], edges[1::2], strict=True):
            members = sorted(int(k) for k in keys[order[lo : hi + 1]])
            found.update(
                (members[x], members[y]) for x in range(len(members)) for y in range(x + 1, len(members))
            )
    return found


def find_pairs(
    texts: Iterable[tuple[int, str]], threshold: float = 0.8, *, min_chars: int = MIN_CHARS
) -> list[Pair]:
    """Pairs (a < b) whose shingle sets have Jaccard similarity ≥ threshold, most similar first.

    Memory holds each usable text once (normalised) and one signature; the exact comparison is made only for the
    LSH candidates (the very candidates datasketch's MinHashLSH would give, found with numpy).
    """
    if not 0 < threshold <= 1:
        raise ValueError("相似度阈值须大于 0 且不超过 1")
    bands, rows = lsh_params(threshold)
    kept: dict[int, str] = {}
    for key, text in texts:
        norm = normalise(text)
        if len(norm) < min_chars or key in kept:
            continue
        kept[key] = norm
    if any(not t for t in kept.values()):
        raise ValueError("空文本无法计算签名")
    keys = np.fromiter(kept, dtype=np.int64, count=len(kept))
    candidates = candidate_pairs(keys, signatures(list(kept.values())), bands, rows)
    codes: dict[int, np.ndarray] = {}

    def codes_of(k: int) -> np.ndarray:
        if k not in codes:
            codes[k] = shingle_codes(kept[k])
        return codes[k]

    pairs = []
    for a, b in candidates:
        sim = code_jaccard(codes_of(a), codes_of(b))
        if sim >= threshold:
            pairs.append(Pair(a, b, round(sim, 4)))
    pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    return pairs


def diff_html(a: str, b: str) -> tuple[str, str]:
    """Two HTML fragments: each text with the characters that differ from the other marked.

    Everything is escaped; only <del>/<ins> wrappers are added.
    """
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        pa, pb = html.escape(a[i1:i2]), html.escape(b[j1:j2])
        if op == "equal":
            left.append(pa)
            right.append(pb)
            continue
        if pa:
            left.append(f'<del class="diff-del">{pa}</del>')
        if pb:
            right.append(f'<ins class="diff-ins">{pb}</ins>')
    return "".join(left), "".join(right)
