"""``faqbot slack try`` on a real terminal: the case card's "Resolve as…" menu is drawn and usable, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.store import SqlStore
from screen import Screen


@pytest.mark.parametrize("lang, placeholder, resolved", [
    ("en", "[ Resolve as… ▾ ]", "Resolved by @agent: out of scope."),
    ("zh", "[ 解决并标注为… ▾ ]", None),
])
def test_the_resolve_as_menu_is_drawn_and_choosing_an_option_resolves_the_case(tmp_path: Path, lang, placeholder,
                                                                               resolved):
    db = f"sqlite:///{tmp_path / 'try.sqlite3'}"
    env = {name: "" for name in ("SLACK_BOT_TOKEN", "FAQBOT_SUPPORT_CHANNEL")}
    screen = Screen("slack", "try", "--ui-lang", lang, "--db", db, columns=120, env={**env, "FAQBOT_SUPPORT_LANG": lang})
    try:
        screen.expect("you> ")
        screen.type("How much are FBA fulfillment fees?")
        card = screen.expect("you> ")
        menu = re.search(rf"^(\d+) {re.escape(placeholder)}$", card, re.MULTILINE)
        assert menu, card
        number = menu.group(1)
        options = dict(re.findall(rf"^ +{number}\.(\d+) (.+)$", card, re.MULTILINE))
        assert options["1"].startswith("oos-fees-fba · ")  # the closest entry first
        out_of_scope = next(k for k, text in options.items() if text.startswith(("Out of scope", "超出范围")))
        screen.type(f":{number}")
        hint = screen.expect("you> ")
        assert f"{number}.1" in hint and f"{number}.{len(options)}" in hint
        screen.type(f":{number} {out_of_scope}")
        updated = screen.expect("you> ")
        screen.type(":quit")
        screen.finish()
    finally:
        screen.close()
    if resolved:
        assert resolved in updated
    assert placeholder not in updated  # a resolved card has no menu left
    store = SqlStore.from_url(db)
    try:
        case = store.get(1)
        assert (case.status, case.label) == ("resolved", "out_of_scope")
    finally:
        store.close()
