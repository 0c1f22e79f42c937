"""faqbot starts OpenBLAS with one thread (it multiplies with one everywhere), unless the user chose otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = (
    "import json, os, bot.cli\n"
    "from threadpoolctl import threadpool_info\n"
    "blas = [pool['num_threads'] for pool in threadpool_info() if pool['internal_api'] == 'openblas']\n"
    "print(json.dumps({'env': os.environ.get('OPENBLAS_NUM_THREADS'), 'openblas': blas}))\n"
)


def _probe(**env: str) -> dict:
    """What a fresh process that imports faqbot's command line sees."""
    environment = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    environment.update(env)
    done = subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_openblas_starts_with_one_thread_by_default():
    seen = _probe()
    assert seen["env"] == "1"
    assert all(threads == 1 for threads in seen["openblas"])


def test_a_thread_count_the_user_set_is_kept():
    assert _probe(OPENBLAS_NUM_THREADS="2")["env"] == "2"
