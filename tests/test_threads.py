"""The Slack app answers from many threads at once: the engine's stemmer must not be shared between them."""

from __future__ import annotations

import threading

from faq import terms

WORDS = ["closing", "accounts", "payments", "services", "listings", "reporting", "deactivated", "fulfillment"]


def test_each_thread_stems_with_its_own_stemmer_and_gets_the_same_stems():
    expected = {word: terms._stemmer().stemWord(word) for word in WORDS}
    seen: list[object] = []
    results: list[dict[str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        stemmer = terms._stemmer()
        stems = {word: stemmer.stemWord(word) for _ in range(200) for word in WORDS}
        with lock:
            seen.append(stemmer)
            results.append(stems)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len({id(stemmer) for stemmer in seen}) == 8  # one per thread, none shared
    assert all(stems == expected for stems in results)
