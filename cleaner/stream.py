"""The streaming pipeline: input items in, one output line each, in order, bounded memory.

An item is a JSON Lines record as raw bytes, or a document (or error) read whole: an HTML
or text file, a WARC record. `render` turns one item into its finished JSON line: parse,
clean, serialize. One process renders in a loop; `jobs > 1` sends small batches of items to
worker processes, each loading the model once, so that the parent only reads bytes and
writes strings and the work spreads over the workers. At most a few batches per worker are
in flight, so an endless stream never piles up in memory. Every document is guarded by a
size limit and a time limit: a pathological page becomes an error record, not a crash or
a hang.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .read import RawLine, parse_jsonl_line
from .schemas import in_schema
from .types import Document
from .write import dumps, error_record, name_source, result_record

if TYPE_CHECKING:  # the process pool when `jobs > 1` asks for it, the model with the first document
    from concurrent.futures import Future, ProcessPoolExecutor

    from .clean import Cleaner

Item = Document | InputError | RawLine
Output = tuple[str, bool]  # an output record's JSON line (no newline), and whether it is an error
# A task for a worker is a batch of items, up to so many or so many bytes: small documents
# share the cost of a round trip, and big ones still go a few at a time.
BATCH_ITEMS = 16
BATCH_BYTES = 1 << 20
IN_FLIGHT_PER_JOB = 2  # batches per worker sent ahead, so no worker waits for the parent
MIB = 1 << 20  # sizes are counted and shown in MiB, as --max-bytes takes them


@dataclass(frozen=True)
class Limits:
    """Per-document guards; 0 turns a limit off."""

    max_bytes: int = 16 * MIB
    timeout: float = 60.0


@dataclass(frozen=True)
class Options:
    model_dir: Path | None = None
    threshold: float | None = None
    explain: bool = False
    limits: Limits = Limits()
    schema: str = "cleaner"  # or "dolma" (`schemas.py`)


class DocumentTimeout(Exception):
    pass


def _on_alarm(signum, frame):  # the signal handler signature
    raise DocumentTimeout


def clean_one(cleaner: Cleaner, doc: Document, options: Options) -> dict[str, Any]:
    """One document to one record; whatever goes wrong comes back as an error record."""
    limits = options.limits
    size = len(doc.content.encode("utf-8", "surrogatepass"))
    if limits.max_bytes and size > limits.max_bytes:
        return error_record(
            InputError(
                f"document is {size / MIB:.1f} MiB, over the limit of {limits.max_bytes / MIB:g} MiB "
                "(raise it with --max-bytes)",
                doc.id,
                None,
                doc.extra,
            )
        )
    # Alarms work only in a main thread; elsewhere (some embedders) the size limit still holds.
    use_alarm = (
        limits.timeout > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limits.timeout)
    try:
        result = cleaner.clean(doc)
        return result_record(result, doc, explain=options.explain)
    except DocumentTimeout:
        return error_record(
            InputError(
                f"cleaning took longer than {limits.timeout:g} s (raise it with --timeout)",
                doc.id,
                None,
                doc.extra,
            )
        )
    except RecursionError:
        return error_record(InputError("document is nested too deeply to clean", doc.id, None, doc.extra))
    except MemoryError:
        return error_record(InputError("out of memory cleaning this document", doc.id, None, doc.extra))
    except Exception as exc:  # one bad document must not end the stream
        return error_record(
            InputError(f"cleaning failed: {type(exc).__name__}: {exc}", doc.id, None, doc.extra)
        )
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def clean_record(cleaner: Cleaner, item: Item, options: Options) -> dict[str, Any]:
    """One input item to its output record (in cleaner's schema): parsed, cleaned, not yet
    serialized."""
    source = None
    if isinstance(item, RawLine):
        source = item.source
        item = parse_jsonl_line(item)
    record = error_record(item) if isinstance(item, InputError) else clean_one(cleaner, item, options)
    return record if source is None else name_source(record, source)


def render(cleaner: Cleaner, item: Item, options: Options) -> Output:
    """One input item to its output line: the parsing, cleaning and serializing all in one place."""
    record = clean_record(cleaner, item, options)
    failed = "error" in record
    if options.schema != "cleaner":
        record = in_schema(record, options.schema, _content_of(item))
    return dumps(record), failed


def _content_of(item: Item) -> str | None:
    """The input document as text, for a stable id where the record has none."""
    if isinstance(item, RawLine):
        return item.data.decode("utf-8", "replace")
    return item.content if isinstance(item, Document) else None


def clean_lines(items: Iterable[Item], options: Options, jobs: int = 1) -> Iterator[Output]:
    """The output lines for the input items, in input order, one per item."""
    from .clean import cached_cleaner  # numpy and the model: imported when the first document comes

    cleaner = cached_cleaner(options.model_dir, options.threshold)  # with jobs: fail fast, in the parent
    if jobs <= 1:
        for item in items:
            yield render(cleaner, item, options)
    else:
        yield from _clean_in_workers(items, options, jobs)


_worker: tuple[Cleaner, Options] | None = None


def _init_worker(options: Options) -> None:
    """Load the model once per worker process (a forked worker finds the parent's already
    loaded); Ctrl-C is the parent's to handle."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .clean import cached_cleaner

    _worker = (cached_cleaner(options.model_dir, options.threshold), options)


def _work(batch: list[Item]) -> list[Output]:
    assert _worker is not None
    cleaner, options = _worker
    return [render(cleaner, item, options) for item in batch]


def _clean_in_workers(items: Iterable[Item], options: Options, jobs: int) -> Iterator[Output]:
    """Batches out to the workers, their lines back in input order.

    A batch goes out when it is full, or when a worker is free and no more input is waiting,
    so a slow stream is not held back to fill batches. A dead worker costs only the batches
    in flight (as error records), and a fresh pool takes what follows.
    """
    inbox = _ReadAhead(items, BATCH_ITEMS)
    pending: deque[tuple[list[Item], Future]] = deque()
    from concurrent.futures.process import BrokenProcessPool

    executor = _new_pool(jobs, options)
    batch: list[Item] = []
    size, reading = 0, True
    try:
        while reading or batch or pending:
            if reading:
                event = inbox.get()  # an item, the end, or word that a batch is done
                if event is _END:
                    reading = False
                elif event is not _WAKE:
                    batch.append(event)
                    size += _size(event)
            if batch and (
                not reading
                or len(batch) == BATCH_ITEMS
                or size >= BATCH_BYTES
                or (inbox.empty() and _running(pending) < jobs)
            ):
                if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                    yield from _take(*pending.popleft(), options.schema)
                try:
                    future = executor.submit(_work, batch)
                except BrokenProcessPool:  # a worker died: start afresh for what follows
                    executor.shutdown(wait=False, cancel_futures=True)
                    executor = _new_pool(jobs, options)
                    future = executor.submit(_work, batch)
                future.add_done_callback(inbox.wake)
                pending.append((batch, future))
                batch, size = [], 0
            while pending and (pending[0][1].done() or not reading):
                yield from _take(*pending.popleft(), options.schema)
    finally:
        inbox.close()
        for _, future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


_END = object()
_WAKE = object()


class _ReadAhead:
    """The items, read a few ahead by a thread of their own, so that the parent can write
    finished lines while the input pauses, and see that it paused.

    The thread is a daemon, blocked in a read when the parent ends early: give it a stream
    of its own, not `sys.stdin.buffer`, which the interpreter closes at exit.
    """

    def __init__(self, items: Iterable[Item], size: int):
        self.queue: queue.Queue = queue.Queue(maxsize=size)
        self.closed = False
        threading.Thread(target=self._read, args=(items,), daemon=True).start()

    def _read(self, items: Iterable[Item]) -> None:
        try:
            for item in items:
                self.queue.put(item)
                if self.closed:
                    return
            self.queue.put(_END)
        except BaseException as exc:  # raised again in the parent's thread
            self.queue.put(exc)

    def get(self) -> Any:
        event = self.queue.get()
        if isinstance(event, BaseException):
            raise event
        return event

    def empty(self) -> bool:
        return self.queue.empty()

    def wake(self, _future: Future | None = None) -> None:
        """End the parent's wait for input; a full queue wakes it anyway."""
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(_WAKE)

    def close(self) -> None:
        """Let the thread end at its next item (making room for the one it may be putting)."""
        self.closed = True
        with contextlib.suppress(queue.Empty):
            while True:
                self.queue.get_nowait()


def _running(pending: deque[tuple[list[Item], Future]]) -> int:
    return sum(not future.done() for _, future in pending)


def _new_pool(jobs: int, options: Options) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,))


def _size(item: Item) -> int:
    if isinstance(item, RawLine):
        return len(item.data)
    return len(item.content) if isinstance(item, Document) else 0


def _take(batch: list[Item], future: Future, schema: str) -> list[Output]:
    try:
        return future.result()
    except Exception as exc:  # the worker process died on this batch or another one
        return [_worker_failed(item, exc, schema) for item in batch]


def _worker_failed(item: Item, exc: Exception, schema: str = "cleaner") -> Output:
    """The error record for an item whose worker died, with the id and fields read here."""
    line, source = None, None
    if isinstance(item, RawLine):
        line, source, item = item.number, item.source, parse_jsonl_line(item)
    if isinstance(item, Document):
        item = InputError(f"worker failed: {type(exc).__name__}: {exc}", item.id, line, item.extra)
    record = error_record(item)
    record = record if source is None else name_source(record, source)
    return dumps(in_schema(record, schema)), True
