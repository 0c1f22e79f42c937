"""The error every loader of an author's file raises: a list of ``file:line`` problems, worded in either language.

Kept apart from the YAML parsing (``faq.loader``) so that code catching it imports no YAML library.
"""

from __future__ import annotations

from faq.notices import Problem


class KnowledgeError(Exception):
    """A knowledge base (or a coverage file) could not be loaded: one ``Problem`` per place in the file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(problem.render() for problem in problems))
        self.found = problems

    @property
    def problems(self) -> list[str]:
        """The problems as English ``file:line: message`` lines."""
        return self.lines("en")

    def lines(self, lang: str) -> list[str]:
        """The problems as ``file:line: message`` lines in ``lang``."""
        return [problem.render(lang) for problem in self.found]
