"""One bilingual text catalog: every layer's texts are a :class:`Catalog` with the same lookup and checks.

The engine's replies (``faq.messages``), the authors' notices
(``faq.notices``), the console's UI and the Slack adapter's labels each own a
catalog of their own; none of them repeats the lookup, the language fallback
or the placeholder check. A catalog is a read-only mapping ``key -> {lang: text}``.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping

LANGS = ("en", "zh")


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text expects (``{{`` and ``}}`` are literal braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalog(Mapping[str, Mapping[str, str]]):
    """Texts by key and language, with a fallback language (``fallback``, then any)."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]], *, fallback: str = "en") -> None:
        self._texts = {key: dict(by_lang) for key, by_lang in texts.items()}
        self.fallback = fallback

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._texts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def text(self, key: str, lang: str, /, overrides: Mapping[str, Mapping[str, str]] | None = None,
             **values: object) -> str:
        """Text ``key`` in ``lang`` with ``values`` filled in; ``overrides`` (e.g. a knowledge base's) come first.

        A language a text lacks falls back to ``fallback``, then to any. An
        overriding text whose placeholders do not fit is shown as written rather
        than failing. An unknown key raises ``KeyError``.
        """
        for source in ((overrides or {}).get(key) or {}, self._texts.get(key) or {}):
            raw = source.get(lang) or source.get(self.fallback) or next(iter(source.values()), None)
            if raw:
                try:
                    return raw.format(**values)
                except (KeyError, IndexError, ValueError):
                    return raw
        raise KeyError(key)

    def problems(self, langs: tuple[str, ...] = LANGS) -> list[str]:
        """What is wrong with the catalog: a text missing in a language, or languages expecting different placeholders."""
        found = []
        for key, by_lang in self._texts.items():
            missing = [lang for lang in langs if not by_lang.get(lang)]
            if missing:
                found.append(f"{key}: no text in {', '.join(missing)}")
                continue
            expected = {lang: placeholders(by_lang[lang]) for lang in langs}
            if len({frozenset(names) for names in expected.values()}) > 1:
                found.append(f"{key}: placeholders differ between languages: {expected}")
        return found
