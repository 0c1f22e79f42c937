"""Errors the adapters turn into one readable line; kept free of heavy imports so the CLI can catch them cheaply."""


class StoreError(Exception):
    """The store could not do what was asked; the message is one line, fit to show a person."""


class StoreBusy(StoreError):
    """The database is there but could not be reached in time (locked, connection lost): worth trying again soon."""


class UnknownCase(StoreError):
    """No escalation has this case number."""


class InvalidTransition(StoreError):
    """The case is not in a status that allows this change (e.g. resolving a resolved case)."""


class Undeliverable(Exception):
    """A deliverer's refusal that no retry will change (Slack refused a card's content): give up, do not retry."""
