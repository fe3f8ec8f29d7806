"""Async tests that pass whether or not a browser test ran before them."""

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor


def in_own_loop(test):
    """Run an async test in a thread with its own event loop.

    Once a browser test has run, the session's sync Playwright keeps an event
    loop running in the main thread, and pytest-asyncio can no longer start
    one there ("Runner.run() cannot be called from a running event loop").
    A worker thread has no running loop, so these tests pass in any order.
    """

    @functools.wraps(test)
    def run(*args, **kwargs):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, test(*args, **kwargs)).result()

    return run
