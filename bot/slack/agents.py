"""Who may act on cases: the agent allow-list (user ids and/or a Slack user group).

The support channel may be public, so being able to click a card's button
proves nothing. Only the users in ``FAQBOT_AGENTS`` or in the user group
``FAQBOT_AGENT_GROUP`` may take or resolve a case. The group's members are
asked of Slack (``usergroups.users.list``) and kept for ``ttl`` seconds, so a
click costs no Web API call most of the time; when Slack cannot be asked, the
last known members are used (or none, before the first answer: refusing an
agent for a minute is better than letting anyone in).

With neither setting, everyone is an agent (as before this list existed) and
start-up warns loudly (:meth:`AgentList.warning`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("faqbot.slack")

OPEN_WARNING = (
    "no agent list: FAQBOT_AGENTS and FAQBOT_AGENT_GROUP are both unset, so ANYONE who can see the support "
    "channel can take and resolve cases; set one of them (see `faqbot slack manifest`)"
)


class AgentList:
    """Answers "may this Slack user act on cases?" from fixed ids and a cached user group."""

    def __init__(
        self,
        client: WebClient | None = None,
        agents: Iterable[str] = (),
        group: str | None = None,
        *,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.agents = frozenset(agents)
        self.group = group or None
        if self.group and client is None:
            raise ValueError("an agent user group needs a Web API client to resolve it")
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._members: frozenset[str] | None = None
        self._fetched_at = 0.0

    @property
    def configured(self) -> bool:
        """Whether any list is set (if not, everyone may act)."""
        return bool(self.agents or self.group)

    def warning(self) -> str | None:
        """The start-up warning when no list is configured, else None."""
        return None if self.configured else OPEN_WARNING

    def allows(self, user: str | None) -> bool:
        """Whether ``user`` may take or resolve cases."""
        if not self.configured:
            return True
        if not user:
            return False
        return user in self.agents or user in self.group_members()

    def group_members(self) -> frozenset[str]:
        """The user group's members, asked of Slack at most once per ``ttl`` (the last known on failure)."""
        if not self.group:
            return frozenset()
        with self._lock:
            fresh = self._members is not None and self._clock() - self._fetched_at < self.ttl
            if fresh:
                return self._members  # type: ignore[return-value]
            try:
                response = self.client.usergroups_users_list(usergroup=self.group)  # type: ignore[union-attr]
                users = response.get("users") or []
                self._members = frozenset(user for user in users if isinstance(user, str))
            except (SlackApiError, OSError) as exc:
                log.warning("could not read the agent group %s (usergroups.users.list): %s; using the last known "
                            "members", self.group, exc)
                if self._members is None:
                    return frozenset()
            self._fetched_at = self._clock()
            return self._members
