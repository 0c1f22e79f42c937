"""What the learning loop reads: logged questions, people's labels and "not helpful" votes.

Plain frozen records with no database code, so the store (any backend) only has
to produce them and every proposal, proof and chart can be tested with lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Sequence

from faq.model import Action

#: what a person said about a question: it is answered by an entry, it is a topic the FAQ
#: lacks, it is outside what the FAQ covers, or (a seller's pick) none of the offered choices fit
Label = Literal["entry", "new_topic", "out_of_scope", "none_of_these"]
#: who labelled it: an agent resolving a case, or the seller picking a "did you mean" choice
LabelSource = Literal["resolve", "pick"]


@dataclass(frozen=True)
class Asked:
    """One logged question and what the bot did with it (``entry_id``: the entry answered or best guessed)."""

    question: str
    lang: str
    at: datetime
    outcome: Action
    entry_id: str | None = None


@dataclass(frozen=True)
class Labelled:
    """A question a person labelled; ``entry_id`` is set exactly when ``label == "entry"``."""

    question: str
    lang: str
    at: datetime
    label: Label
    entry_id: str | None = None
    source: LabelSource = "resolve"

    def __post_init__(self) -> None:
        if (self.label == "entry") != bool(self.entry_id):
            raise ValueError("a Labelled record names an entry exactly when its label is 'entry'")


@dataclass(frozen=True)
class Vote:
    """A seller's "helpful" / "not helpful" on an answer, with the question and the entry that answered it."""

    question: str
    lang: str
    at: datetime
    entry_id: str
    helpful: bool


@dataclass(frozen=True)
class Traffic:
    """Everything the learning loop reads from the log, already filtered to the period of interest."""

    asked: Sequence[Asked] = ()
    labelled: Sequence[Labelled] = ()
    votes: Sequence[Vote] = ()

    def since(self, moment: datetime | None) -> "Traffic":
        """Only the records at or after ``moment`` (all of them when None)."""
        if moment is None:
            return self
        return Traffic(
            asked=[r for r in self.asked if r.at >= moment],
            labelled=[r for r in self.labelled if r.at >= moment],
            votes=[r for r in self.votes if r.at >= moment],
        )


@dataclass(frozen=True)
class CaseRecord:
    """An escalation case as the report needs it: when it opened and, if so, when it was resolved."""

    opened_at: datetime
    resolved_at: datetime | None = None
    lang: str = "en"


@dataclass(frozen=True)
class ResolvedCase:
    """A resolved case with its label, for exporting coverage cases (``expect``: an entry id or escalate)."""

    question: str
    label: Label
    entry_id: str | None = None
    lang: str = "en"
    case: int | None = None
    note: str = field(default="", compare=False)
