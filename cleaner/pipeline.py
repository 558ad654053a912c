"""The streaming pipeline: documents in, one output record each, in order, bounded memory.

One process cleans in a loop; `jobs > 1` spreads documents over worker processes, each
loading the model once, with at most a few documents per worker in flight so an endless
stream never piles up in memory. Every document is guarded by a size limit and a time
limit: a pathological page becomes an error record, not a crash or a hang.
"""

from __future__ import annotations

import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .clean import Cleaner
from .records import InputError, error_record, result_record
from .types import Document

IN_FLIGHT_PER_JOB = 4


@dataclass(frozen=True)
class Limits:
    """Per-document guards; 0 turns a limit off."""

    max_bytes: int = 16 * 1024 * 1024
    timeout: float = 60.0


@dataclass(frozen=True)
class Options:
    model_dir: Path | None = None
    threshold: float | None = None
    explain: bool = False
    limits: Limits = Limits()


class DocumentTimeout(Exception):
    pass


def _on_alarm(signum, frame):  # noqa: ARG001 (signal handler signature)
    raise DocumentTimeout


def clean_one(cleaner: Cleaner, doc: Document, options: Options) -> dict[str, Any]:
    """One document to one record; whatever goes wrong comes back as an error record."""
    limits = options.limits
    size = len(doc.content.encode("utf-8", "surrogatepass"))
    if limits.max_bytes and size > limits.max_bytes:
        return error_record(InputError(
            f"document is {size / 1e6:.1f} MB, over the limit of {limits.max_bytes / 1e6:.1f} MB "
            "(raise it with --max-bytes)", doc.id, None, doc.extra,
        ))
    # Alarms work only in a main thread; elsewhere (some embedders) the size limit still holds.
    use_alarm = (
        limits.timeout > 0 and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limits.timeout)
    try:
        result = cleaner.clean(doc)
        return result_record(result, doc, explain=options.explain)
    except DocumentTimeout:
        return error_record(InputError(
            f"cleaning took longer than {limits.timeout:g} s (raise it with --timeout)", doc.id, None, doc.extra,
        ))
    except RecursionError:
        return error_record(InputError("document is nested too deeply to clean", doc.id, None, doc.extra))
    except MemoryError:
        return error_record(InputError("out of memory cleaning this document", doc.id, None, doc.extra))
    except Exception as exc:  # one bad document must not end the stream
        return error_record(InputError(f"cleaning failed: {type(exc).__name__}: {exc}", doc.id, None, doc.extra))
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


_worker: tuple[Cleaner, Options] | None = None


def _init_worker(options: Options) -> None:
    """Load the model once per worker process; Ctrl-C is the parent's to handle."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = (Cleaner(options.model_dir, options.threshold), options)


def _work(doc: Document) -> dict[str, Any]:
    assert _worker is not None
    cleaner, options = _worker
    return clean_one(cleaner, doc, options)


def clean_records(items: Iterable[Document | InputError], options: Options, jobs: int = 1) -> Iterator[dict[str, Any]]:
    """Output records for the input items, in input order, one per item."""
    if jobs <= 1:
        cleaner = Cleaner(options.model_dir, options.threshold)
        for item in items:
            yield error_record(item) if isinstance(item, InputError) else clean_one(cleaner, item, options)
        return
    Cleaner(options.model_dir, options.threshold)  # fail fast, in the parent, on a bad model
    pending: deque[tuple[Document | InputError, Future | None]] = deque()
    executor = _new_pool(jobs, options)
    try:
        for item in items:
            future = None
            if isinstance(item, Document):
                try:
                    future = executor.submit(_work, item)
                except BrokenProcessPool:  # a worker died: start afresh for what follows
                    executor.shutdown(wait=False, cancel_futures=True)
                    executor = _new_pool(jobs, options)
                    future = executor.submit(_work, item)
            pending.append((item, future))
            while len(pending) > jobs * IN_FLIGHT_PER_JOB or (pending and _is_ready(pending[0])):
                yield _take(*pending.popleft())
        while pending:
            yield _take(*pending.popleft())
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


def _new_pool(jobs: int, options: Options) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,))


def _is_ready(entry: tuple[Document | InputError, Future | None]) -> bool:
    return entry[1] is None or entry[1].done()


def _take(item: Document | InputError, future: Future | None) -> dict[str, Any]:
    if isinstance(item, InputError):
        return error_record(item)
    try:
        return future.result()  # type: ignore[union-attr]
    except Exception as exc:  # the worker process died on this document or another one
        return error_record(InputError(f"worker failed: {type(exc).__name__}: {exc}", item.id, None, item.extra))
