"""Writing the files faqbot's tools write: whole or not at all, private when new, in the file's own style.

Why not ``Path.write_text``: it empties the file first, so a process killed (or
a disk filled) in the middle of the write leaves a knowledge base of 0 bytes or
cut mid-line. :func:`write_atomically` writes a temporary file in the same
folder, flushes it to disk, gives it the mode (and owner) of the file it
replaces, and renames it over the original in one step: readers see the old
file or the new one, never a part. A new file is created ``0600`` when it holds
sellers' questions (``private=True``), else with the usual umask.

:class:`TextStyle` is how a text file was written (line endings, a UTF-8
byte-order mark), so an edited knowledge base keeps its Windows line endings
and its BOM, and a diff of it applies with ``patch``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"


@dataclass(frozen=True)
class TextStyle:
    """A text file's line ending (``"\\n"`` or ``"\\r\\n"``) and whether it starts with a UTF-8 BOM."""

    newline: str = "\n"
    bom: bool = False

    @classmethod
    def of(cls, raw: str) -> TextStyle:
        """The style of ``raw`` (decoded without newline translation): CRLF when most line breaks are CRLF."""
        crlf = raw.count("\r\n")
        return cls(newline="\r\n" if crlf and crlf * 2 >= raw.count("\n") else "\n", bom=raw.startswith(BOM))

    def apply(self, text: str) -> str:
        """``text`` (``\\n`` line ends, no BOM) written in this style."""
        body = text.replace("\r\n", "\n")
        if self.newline != "\n":
            body = body.replace("\n", self.newline)
        return (BOM if self.bom else "") + body


def read_styled(path: Path) -> tuple[str, TextStyle]:
    """A UTF-8 file's text with ``\\n`` line ends and no BOM, and the style to write it back in. Raises ``OSError``."""
    with open(path, encoding="utf-8", newline="") as handle:
        raw = handle.read()
    style = TextStyle.of(raw)
    return raw.removeprefix(BOM).replace("\r\n", "\n"), style


def write_atomically(path: str | Path, text: str, *, private: bool = False, exclusive: bool = False) -> None:
    """Replace (or create) ``path`` with ``text`` (UTF-8, written as given) in one step. Raises ``OSError``.

    ``exclusive``: refuse (``FileExistsError``) if ``path`` exists, even one made meanwhile.
    ``private``: a new file is readable by its owner only; an existing one keeps its mode and owner.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        _take_over_mode(temporary, target, private)
        if exclusive:
            os.link(temporary, target)  # fails if the target exists: never replaces a file
            os.unlink(temporary)
        else:
            os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_folder(folder)


def _take_over_mode(temporary: str, target: Path, private: bool) -> None:
    """Give the temporary file the mode and owner of ``target``, or a new file's mode."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        return
    os.chmod(temporary, existing.st_mode & 0o7777)
    if hasattr(os, "chown"):
        try:
            os.chown(temporary, existing.st_uid, existing.st_gid)
        except PermissionError:
            pass  # only root may give a file away; the file is then ours, with the same mode


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk (POSIX); where a folder cannot be opened this is skipped."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
