"""Great Expectations in a helper process started first thing, so that its import overlaps start-up.

Importing GX costs about 3 s of CPU (it imports pandas, scipy and altair). A thread would fight
Dagster's own start-up for the GIL; a process of its own imports GX on the second core while
this one imports Dagster and loads the definitions. ``make run`` runs inside
:func:`validation_helper`; the GX checks then send their validations to the helper. Without one
(runs launched from the UI, most tests), :func:`validate` runs in the calling process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_helper: multiprocessing.pool.Pool | None = None


def _import_great_expectations() -> None:
    import great_expectations  # noqa: F401


@contextmanager
def validation_helper() -> Iterator[None]:
    """A helper process for the duration of the block; it starts importing GX at once.

    On exit the helper is terminated, not asked to finish: it holds no open file by then, and
    an orderly interpreter shutdown with GX loaded takes 0.6 s.
    """
    global _helper
    _helper = multiprocessing.get_context("spawn").Pool(1, initializer=_import_great_expectations)
    try:
        yield
    finally:
        helper, _helper = _helper, None
        helper.terminate()


def validate(warehouse: Path, suites: list[dict], docs_dir: Path | None = None) -> list:
    """:func:`runner.validate`, in the helper process when there is one."""
    from dagster_project.validation import runner

    if _helper is None:
        return runner.validate(warehouse, suites, docs_dir)
    return _helper.apply(runner.validate, (warehouse, suites, docs_dir))
