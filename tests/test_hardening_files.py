"""Hardening, round two, on real files through the real ``faqbot`` command: hostile YAML, atomic writes, modes,
line endings, secrets in database URLs, terminal escapes and long questions in every view.

Every command runs as a subprocess with a clean environment (no Slack or faqbot
setting from the machine), on files in a fresh temporary folder.
"""

from __future__ import annotations

import resource
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from bot.config import child_environment
from bot.testkit.slack_traffic import faqbot_command

REPO = Path(__file__).resolve().parents[1]


def limited_memory() -> None:
    """Run the child with at most 2 GB of address space, so a runaway parse cannot take the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


def faqbot(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120,
           stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*faqbot_command(), *args], cwd=cwd, env=child_environment(env or {}), input=stdin,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=limited_memory)


# --- 3. an alias bomb is refused in one line, quickly ---------------------------------------------------------

BOMB_IN_KEY = """version: "1"
a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
? *a8
: 1
entries: []
"""


def phrasing_flood(entries: int = 2000, phrasings: int = 300) -> str:
    """A ~150 KB file whose entries all point at one list of phrasings: ``entries * phrasings`` of them."""
    listed = "\n".join(f"  - how do I close my account, way {n}?" for n in range(phrasings))
    rows = "\n".join(f"  - {{id: e{n}, question: {{en: q{n}}}, alternates: {{en: *all}}, answer: {{en: a}}}}"
                     for n in range(entries))
    return f"version: \"1\"\nshared: &all\n{listed}\nentries:\n{rows}\n"


@pytest.mark.parametrize("text", [BOMB_IN_KEY, phrasing_flood()], ids=["bomb-in-a-key", "phrasing-flood"])
def test_an_alias_bomb_is_refused_in_one_line_within_seconds(tmp_path, text):
    (tmp_path / "knowledge.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    done = faqbot("check", "--kb", "knowledge.yaml", cwd=tmp_path, timeout=60)
    assert time.monotonic() - started < 20
    assert done.returncode != 0 and "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    said = (done.stdout + done.stderr).strip().splitlines()
    assert any("alias" in line.lower() for line in said), said[:5]
    assert len(said) <= 3, said[:5]


# --- 4. tune --write and suggest --write replace the file whole, or not at all ---------------------------------


def limited_file_size(limit: int):
    def apply() -> None:
        limited_memory()
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # a full disk: a write past it fails (EFBIG)
    return apply


def test_tune_write_on_a_full_disk_leaves_the_knowledge_base_whole(tmp_path):
    kb = tmp_path / "knowledge.yaml"
    shutil.copy(REPO / "knowledge.yaml", kb)
    kb.chmod(0o640)
    before = kb.read_bytes()
    assert faqbot("tune", "--kb", "knowledge.yaml", cwd=tmp_path).returncode == 0  # caches written, unlimited
    done = subprocess.run([*faqbot_command(), "tune", "--kb", "knowledge.yaml", "--write"], cwd=tmp_path,
                          env=child_environment({}), capture_output=True, text=True, timeout=120,
                          preexec_fn=limited_file_size(4096))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "knowledge.yaml" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert kb.read_bytes() == before and stat.S_IMODE(kb.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".knowledge")) == []  # no temp file left
    done = faqbot("tune", "--kb", "knowledge.yaml", "--write", cwd=tmp_path)
    assert done.returncode == 0 and kb.read_bytes() != before and stat.S_IMODE(kb.stat().st_mode) == 0o640


def labelled_log(tmp_path: Path) -> str:
    """A database whose log holds one question an agent labelled with an entry: ``suggest`` proposes it."""
    from bot.store import SqlStore
    from faq.model import Candidate, Reply

    url = f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"
    question = "I no longer want my shop, remove it"
    reply = Reply(question=question, lang="en", action="escalate", text="...", score=20.0,
                  candidates=(Candidate("payment", 20.0),))
    with SqlStore.from_url(url) as store:
        store.log_question(reply, "console")
        case, _ = store.open_escalation(reply, source="console")
        store.resolve(case.case, "ana", label="entry", entry_id="close-account")
    return url


def crlf_with_bom(path: Path) -> bytes:
    data = b"\xef\xbb\xbf" + (REPO / "knowledge.yaml").read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    path.write_bytes(data)
    return data


def test_suggest_write_on_a_full_disk_leaves_the_knowledge_base_whole(tmp_path):
    kb = tmp_path / "knowledge.yaml"
    padding = "".join(f"# note {n:06d}: kept as the authors wrote it\n" for n in range(8000))  # ~350 KB
    kb.write_bytes((REPO / "knowledge.yaml").read_bytes() + padding.encode())
    before = kb.read_bytes()
    url = labelled_log(tmp_path)
    # the model's arrays and the vectors cached first, unlimited: the one write the limit meets is knowledge.yaml
    warm = faqbot("ask", "--kb", "knowledge.yaml", "close my account", cwd=tmp_path)
    assert warm.returncode == 0, warm.stderr[-2000:]
    done = subprocess.run([*faqbot_command(), "suggest", "--kb", "knowledge.yaml", "--db", url, "--write",
                           "knowledge.yaml"], cwd=tmp_path, env=child_environment({}), capture_output=True,
                          text=True, timeout=300, preexec_fn=limited_file_size(200_000))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "knowledge.yaml" in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr[-2000:]
    assert kb.read_bytes() == before


# --- 10. files holding sellers' questions are private -------------------------------------------------------


def test_the_database_and_the_html_report_are_created_readable_by_their_owner_only(tmp_path):
    url = f"sqlite:///{(tmp_path / 'new.sqlite3').as_posix()}"
    done = faqbot("report", "--db", url, "--html", "report.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("new.sqlite3", "report.html"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    (tmp_path / "report.html").chmod(0o644)  # an existing report keeps the mode its owner chose
    assert faqbot("report", "--db", url, "--html", "report.html", cwd=tmp_path).returncode == 0
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o644


# --- 12. suggest and tune keep the file's line endings and byte-order mark ---------------------------------------


def test_suggest_keeps_crlf_and_the_bom_and_its_diff_applies_with_patch(tmp_path):
    kb = tmp_path / "knowledge.yaml"
    original = crlf_with_bom(kb)
    url = labelled_log(tmp_path)
    with open(tmp_path / "kb.diff", "wb") as out:  # bytes as written: no newline translation on the way
        diff = subprocess.run([*faqbot_command(), "suggest", "--kb", "knowledge.yaml", "--db", url], cwd=tmp_path,
                              env=child_environment({}), stdout=out, stderr=subprocess.PIPE, timeout=300)
    assert diff.returncode == 0 and b"remove it" in (tmp_path / "kb.diff").read_bytes(), diff.stderr[-2000:]
    written = faqbot("suggest", "--kb", "knowledge.yaml", "--db", url, "--write", "edited.yaml", cwd=tmp_path,
                     timeout=300)
    assert written.returncode == 0, written.stderr[-2000:]
    edited = (tmp_path / "edited.yaml").read_bytes()
    assert edited.startswith(b"\xef\xbb\xbf") and edited != original and b"remove it" in edited
    assert edited.count(b"\n") == edited.count(b"\r\n")
    patched = subprocess.run(["patch", "-p1", "--quiet"], input=(tmp_path / "kb.diff").read_bytes(), cwd=tmp_path,
                             capture_output=True, timeout=60)
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert kb.read_bytes() == edited


def test_tune_write_keeps_crlf_and_the_bom(tmp_path):
    kb = tmp_path / "knowledge.yaml"
    original = crlf_with_bom(kb)
    done = faqbot("tune", "--kb", "knowledge.yaml", "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    tuned = kb.read_bytes()
    assert tuned != original and tuned.startswith(b"\xef\xbb\xbf") and tuned.count(b"\n") == tuned.count(b"\r\n")


# --- 5. a password in a database URL's query is masked like user:pw@host ----------------------------------------

SECRET_URL = "postgresql+psycopg://faq@127.0.0.1:1/faq?password=s%40cret-pw&sslpassword=k3y-pw&sslmode=disable"


@pytest.mark.parametrize("command", [["report"], ["escalations", "export"], ["prune", "--older-than", "30d"],
                                     ["console"], ["suggest"]], ids=lambda c: c[0] if len(c) == 1 else "-".join(c))
def test_a_password_in_the_query_of_a_database_url_is_never_printed(tmp_path, command):
    shutil.copy(REPO / "knowledge.yaml", tmp_path / "knowledge.yaml")
    done = faqbot(*command, cwd=tmp_path, env={"FAQBOT_DB_URL": SECRET_URL, "FAQBOT_KB": "knowledge.yaml"},
                  stdin=":quit\n")
    said = done.stdout + done.stderr
    assert "127.0.0.1" in said, said  # the error says which database
    assert "cret-pw" not in said and "s@cret" not in said and "k3y" not in said, said


def test_slack_start_up_with_a_password_in_the_query_prints_it_nowhere(tmp_path):
    shutil.copy(REPO / "knowledge.yaml", tmp_path / "knowledge.yaml")
    from bot.testkit.fake_slack import FakeSlack

    fake = FakeSlack().start()
    try:
        done = faqbot("slack", "--http", "--port", "0", cwd=tmp_path, env={
            "FAQBOT_DB_URL": SECRET_URL, "FAQBOT_KB": "knowledge.yaml", "SLACK_BOT_TOKEN": "xoxb-t",
            "SLACK_SIGNING_SECRET": "s", "FAQBOT_SUPPORT_CHANNEL": "CSUPPORT", "SLACK_API_URL": fake.base_url})
    finally:
        fake.stop()
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "127.0.0.1" in said and "cret-pw" not in said and "k3y" not in said, said


# --- 6 and 11. sellers' text reaches terminals escaped, and cut ---------------------------------------------------

HOSTILE = ("payout question \x1b]52;c;cm0gLXJmIH4=\x07 then \x1b[2J cleared \x1b[8mhidden text\x1b[0m "
           "and \u202egnp.exe\u202c end")
RAW = ("\x1b", "\x07", "\u202e", "\u202c")


def hostile_log(tmp_path: Path, *, huge: int = 0) -> str:
    """A database with the hostile question escalated (and, with ``huge``, two questions that long) and labelled new."""
    from bot.store import SqlStore
    from faq.model import Candidate, Reply

    url = f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"
    questions = [HOSTILE, HOSTILE + " again"] + [f"huge {n} " + "word " * (huge // 5) for n in range(2 if huge else 0)]
    with SqlStore.from_url(url) as store:
        for question in questions:
            reply = Reply(question=question, lang="en", action="escalate", text="...", score=20.0,
                          candidates=(Candidate("payment", 20.0),))
            store.log_question(reply, "slack")
            case, _ = store.open_escalation(reply, source="slack")
            store.resolve(case.case, "ana", label="new_topic")
        store.reopen(1)
    return url


def test_sellers_control_characters_are_shown_escaped_in_every_terminal_view(tmp_path):
    shutil.copy(REPO / "knowledge.yaml", tmp_path / "knowledge.yaml")
    url = hostile_log(tmp_path)
    env = {"FAQBOT_DB_URL": url, "FAQBOT_KB": "knowledge.yaml"}
    views = {
        "console": faqbot("console", cwd=tmp_path, env=env, stdin=":queue\n:case 1\n:quit\n").stdout,
        "report": faqbot("report", cwd=tmp_path, env=env).stdout,
        "suggest": faqbot("suggest", cwd=tmp_path, env=env, timeout=300).stderr,
    }
    for name, text in views.items():
        assert "payout question" in text, (name, text[-2000:])
        assert not any(char in text for char in RAW), (name, text)
        assert "\\x1b]52;" in text and "\\u202e" in text, name
    from bot.store import SqlStore
    with SqlStore.from_url(url) as store:
        assert store.get(1).question == HOSTILE  # stored as it came


def test_long_questions_are_cut_in_the_report_and_its_html_page(tmp_path):
    url = hostile_log(tmp_path, huge=1_000_000)
    printed = faqbot("report", "--db", url, cwd=tmp_path)
    assert printed.returncode == 0 and "huge 0" in printed.stdout and "more characters]" in printed.stdout
    assert len(printed.stdout) < 20_000
    page = faqbot("report", "--db", url, "--html", "report.html", cwd=tmp_path)
    assert page.returncode == 0 and (tmp_path / "report.html").stat().st_size < 200_000
    assert "more characters]" in (tmp_path / "report.html").read_text(encoding="utf-8")


# --- 9. prune deletes only finished work -----------------------------------------------------------------------


def test_prune_keeps_requests_and_replies_still_inside_their_retry_window(tmp_path):
    from datetime import datetime, timedelta, timezone

    from bot.store import SqlStore

    url = f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"
    two_hours_ago = datetime.now(timezone.utc) - timedelta(hours=2)
    with SqlStore.from_url(url) as store:
        for n, finished in ((1, False), (2, True)):
            request = store.record_request(f"ev:{n}", "event", {"n": n}, now=two_hours_ago, token=f"t{n}",
                                           lease_seconds=1)
            store.hold_reply(channel="C1", thread_ts=None, text=f"reply {n}", blocks=None, event_key=None,
                             error="Slack down", now=two_hours_ago, retry_at=two_hours_ago)
            if finished:
                store.mark_request_done(request.id, token=f"t{n}", now=two_hours_ago)
                [leased] = store.lease_replies(now=two_hours_ago, token="r", lease_seconds=60, limit=5, after=1,
                                               created_after=two_hours_ago - timedelta(days=1))
                store.mark_reply_posted(leased.item.id, token="r", ref="C1:1.0", now=two_hours_ago)
    done = faqbot("prune", "--older-than", "1h", "--db", url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with SqlStore.from_url(url) as store:
        assert store.unhandled_requests() == 1 and store.pending_replies() == 1  # the unfinished ones stay
        later = datetime.now(timezone.utc) + timedelta(days=2)
        counts = store.prune(before=later, now=later, dry_run=True)
        assert counts.slack_requests == 1 and counts.held_replies == 1  # ... until their window has passed
