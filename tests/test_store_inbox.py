"""The Slack inbox's SQL on SQLite and PostgreSQL: one row per request, leases, takeover, settling; writability."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import make_url

from bot.store import SqlStore, StoreError

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, store, open_store

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
PAYLOAD = {"body": {"event": {"channel": "C1", "ts": "1.1", "text": "你好 \u2603"}}, "bot_user_id": "UBOT"}


def test_a_request_is_recorded_once_and_leased_to_its_receiver(store):
    first = store.record_request("msg:C1:1.1", "event", PAYLOAD, now=T0, token="a" * 32, lease_seconds=60)
    assert first is not None and first.payload == PAYLOAD and first.kind == "event"
    again = store.record_request("msg:C1:1.1", "event", PAYLOAD, now=T0, token="b" * 32, lease_seconds=60)
    assert again is None  # a redelivery: nothing to do
    assert store.unhandled_requests() == 1
    later = T0 + timedelta(seconds=30)
    assert store.lease_requests(now=later, token="c" * 32, lease_seconds=60, limit=10,
                                received_after=T0 - timedelta(days=1)) == []  # still its receiver's
    assert store.renew_request(first.id, token="a" * 32, now=later, lease_seconds=60) is True
    assert store.mark_request_done(first.id, token="a" * 32, now=later) is True
    assert store.unhandled_requests() == 0


def test_a_dead_receivers_request_is_taken_over_once_and_unsure(store):
    request = store.record_request("cmd:T1", "command", PAYLOAD, now=T0, token="a" * 32, lease_seconds=60)
    expired = T0 + timedelta(seconds=61)
    taken = store.lease_requests(now=expired, token="c" * 32, lease_seconds=60, limit=10,
                                 received_after=T0 - timedelta(days=1))
    assert [(row.item.id, row.unsure) for row in taken] == [(request.id, True)]
    assert store.lease_requests(now=expired, token="d" * 32, lease_seconds=60, limit=10,
                                received_after=T0 - timedelta(days=1)) == []  # one taker only
    # The old holder wakes up: its renewal and its settlement no longer count.
    assert store.renew_request(request.id, token="a" * 32, now=expired, lease_seconds=60) is False
    assert store.mark_request_done(request.id, token="a" * 32, now=expired) is False
    assert store.mark_request_failed(request.id, token="c" * 32, error="boom", retry_at=expired + timedelta(seconds=5),
                                     now=expired) is True
    retried = store.lease_requests(now=expired + timedelta(seconds=6), token="e" * 32, lease_seconds=60, limit=10,
                                   received_after=T0 - timedelta(days=1))
    assert [(row.item.attempts, row.unsure) for row in retried] == [(1, False)]  # settled as failed: not unsure
    assert store.prune_requests(before=T0 + timedelta(seconds=1)) == 1 and store.unhandled_requests() == 0


def test_a_writable_database_passes_the_check(store):
    store.check_writable()
    store.check_writable()  # the probe changes nothing
    assert store.schema_version() >= 5


def test_a_database_that_refuses_writes_fails_the_check_in_one_line(db_url, open_store, tmp_path):
    open_store().migrate()
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        read_only = f"sqlite:///file:{url.database}?mode=ro&uri=true"
    else:  # a read-only replica behaves like a session whose transactions are read-only
        options = url.query.get("options", "")
        read_only = url.update_query_dict({"options": f"{options} -cdefault_transaction_read_only=on".strip()}
                                          ).render_as_string(hide_password=False)
    with pytest.raises(StoreError) as error:
        SqlStore.from_url(read_only).check_writable()
    assert "\n" not in str(error.value) and "cannot be written" in str(error.value)
