"""The agents' console.

- ``repl``: the session (:class:`Console`) and :func:`run_console`;
- ``cases``: the case commands (``:queue``, ``:take N``...), passed in as a command set;
- ``why``: the "why" view; ``texts``: everything the console says; ``reader``: input lines.
"""

from bot.console.repl import Console, run_console

__all__ = ["Console", "run_console"]
