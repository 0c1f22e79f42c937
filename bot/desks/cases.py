"""The case desk: taking, resolving (with a label) and reopening a case, and every refusal, written once.

Every adapter (the console's ``:take``/``:resolve``/``:reopen``, the Slack
card's Take / Resolve / "Resolve as…", the test channel) hands the desk the
case number, the agent and what the agent wants, and gets back one
:class:`CaseOutcome`: done, or refused for a named reason (:data:`REFUSALS`)
that the adapter words in its own catalog. The rules are data
(:data:`RULES`): which statuses each change starts from, and that a case
taken by one agent is theirs alone, for resolving and reopening as for
taking. The store applies the same rule atomically, so two agents at once
never both win; the desk names the refusal from the case as it then stands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import InvalidTransition, StoreError, UnknownCase

if TYPE_CHECKING:
    from bot.store import CaseStore, Escalation
    from faq import KnowledgeBase

log = logging.getLogger("faqbot.desk")

CASE_MAX = 2**63 - 1  # the largest case number any database can hold

#: Why a change was refused. ``not_its_card``: the clicked card shows another case (a forged click).
REFUSALS = ("not_an_agent", "unknown_entry", "no_case", "not_its_card", "taken_by_other", "already_open",
            "already_resolved", "store_failed")


@dataclass(frozen=True)
class CaseRule:
    """A change of a case: the statuses it starts from; a taken case may be changed by its holder only."""

    action: str
    starts_from: frozenset[str]

    def refusal(self, case: Escalation, agent: str) -> str | None:
        """Why ``agent`` may not make this change to ``case`` as it stands, or None when they may."""
        if case.status == "taken" and case.agent != agent:
            return "taken_by_other"
        if case.status not in self.starts_from and not (self.action == "take" and case.status == "taken"):
            return f"already_{case.status}"
        return None


RULES = {
    "take": CaseRule("take", frozenset({"open"})),  # taking a case you hold already changes nothing
    "resolve": CaseRule("resolve", frozenset({"open", "taken"})),
    "reopen": CaseRule("reopen", frozenset({"taken", "resolved"})),
}


@dataclass(frozen=True)
class CaseOutcome:
    """What became of one change: ``case`` as it stands afterwards (None when there is no such case), and the refusal.

    ``closest``: for ``unknown_entry``, the knowledge base's ids that read most
    like the one given; ``error``: for ``store_failed``, what the store said.
    """

    action: str
    number: int
    agent: str
    case: Escalation | None = None
    refusal: str | None = None
    label: str | None = None
    entry_id: str | None = None
    closest: tuple[str, ...] = ()
    error: StoreError | None = None

    @property
    def done(self) -> bool:
        return self.refusal is None

    @property
    def holder(self) -> str | None:
        """Who holds the case now (the other agent of ``taken_by_other``)."""
        return self.case.agent if self.case is not None else None


class CaseDesk:
    """Takes, resolves and reopens cases in ``store`` for agents that ``may_act`` (default: anyone)."""

    def __init__(self, store: CaseStore, *, may_act: Callable[[str], bool] = lambda agent: True) -> None:
        self.store = store
        self.may_act = may_act

    def take(self, number: int, agent: str, *, card: str | None = None) -> CaseOutcome:
        """Give an open case to ``agent``. ``card`` (``channel:ts``): the card clicked, which the adapter redraws."""
        return self._change("take", number, agent, card, lambda redrawn: self._take(number, agent, redrawn))

    def resolve(self, number: int, agent: str, note: str = "", *, label: str | None = None,
                entry_id: str | None = None, kb: KnowledgeBase | None = None, card: str | None = None) -> CaseOutcome:
        """Close a case, saying what it was (``label``: ``entry`` with ``entry_id``, ``new_topic``, ``out_of_scope``).

        With ``kb``, an entry id it does not hold is refused (``unknown_entry``) with the closest ids.
        """
        if self.may_act(agent) and label == "entry" and kb is not None and kb.entry(entry_id or "") is None:
            return CaseOutcome("resolve", number, agent, refusal="unknown_entry", label=label, entry_id=entry_id,
                               closest=tuple(closest_ids(entry_id or "", [e.id for e in kb.entries])))
        outcome = self._change("resolve", number, agent, card, lambda redrawn: self.store.resolve(
            number, agent, note, card_redrawn=redrawn, label=label, entry_id=entry_id))
        return CaseOutcome(**{**outcome.__dict__, "label": label, "entry_id": entry_id})

    def reopen(self, number: int, agent: str, *, card: str | None = None) -> CaseOutcome:
        """Put a case back in the queue: a resolved one, or one ``agent`` holds."""
        return self._change("reopen", number, agent, card,
                            lambda redrawn: self.store.reopen(number, agent=agent, card_redrawn=redrawn))

    def _take(self, number: int, agent: str, redrawn: bool) -> Escalation | None:
        if not self.store.take(number, agent, card_redrawn=redrawn):
            raise InvalidTransition(f"case {number} is taken by another agent")
        return None

    def _change(self, action: str, number: int, agent: str, card: str | None,
                change: Callable[[bool], Escalation | None]) -> CaseOutcome:
        """Check who asks and for which case, make the change, and name the refusal when the rule says no."""
        def refused(reason: str, case: Escalation | None = None, error: StoreError | None = None) -> CaseOutcome:
            return CaseOutcome(action, number, agent, case=case, refusal=reason, error=error)

        if not self.may_act(agent):
            return refused("not_an_agent")
        try:
            case = self.store.get(number) if 0 < number <= CASE_MAX else None  # 10**30 is no case, not an error
            if case is None:
                return refused("no_case")
            if card is not None and not _is_card_of(case, card):
                return refused("not_its_card", case)
            reason = RULES[action].refusal(case, agent)
            if reason is not None:
                return refused(reason, case)
            try:
                changed = change(card is not None)
            except InvalidTransition:  # another agent was quicker: the rule names why, from the case as it is now
                now = self.store.get(number) or case
                return refused(RULES[action].refusal(now, agent) or f"already_{now.status}", now)
            return CaseOutcome(action, number, agent, case=changed or self.store.get(number))
        except UnknownCase:
            return refused("no_case")
        except StoreError as exc:  # a locked or unreachable database: the agent must know nothing happened
            log.error("could not %s case %d: %s", action, number, exc)
            return refused("store_failed", error=exc)


def _is_card_of(case: Escalation, card: str) -> bool:
    """Whether ``card`` (``channel:ts``) is this case's card (unknown yet, just after posting, counts as yes)."""
    return not case.forward_ref or case.forward_ref == card


def closest_ids(wanted: str, ids: list[str], limit: int = 3) -> list[str]:
    """The knowledge base's ids that read most like ``wanted`` (a typo's likely targets)."""
    from rapidfuzz import fuzz, process

    return [match[0] for match in process.extract(wanted, ids, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)]
