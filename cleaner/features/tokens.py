"""Blocks to hashed tokens: the first stage's evidence, made one way for training and cleaning.

A block's tokens are its words (`w=` for each of the first MAX_WORDS, `first=`, `last=`,
`len=` its length band) and its markup (`tag=`, `in=` enclosing tags, `parent=`, `attr=`
class/id words). Each is hashed with MurmurHash3 (seed 0) into HASH_FEATURES buckets.
`scan_blocks` makes the (block, bucket) pairs of a whole page in one pass: training builds
its sparse matrix from them and cleaning sums weights over them, so both read the same
buckets. The page vector folds all the page's buckets (and its URL's words) into one bag,
from which the page-type stage guesses what kind of page this is. The same pass counts
each block's character classes for the second stage (`context.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter

import mmh3
import numpy as np
import regex

from .. import _speedups
from ..types import Block
from .table_cache import cached_arrays, source_of

HASH_FEATURES = 2**18
PAGE_BUCKETS = 2**15  # the page vector folds the token buckets into this many
PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
MAX_WORDS = 40  # words per block that become tokens; the rest add little and cost time

TAG_OF = itemgetter(1)  # Block.tag, read at C speed
_PUNCT = regex.compile(r"[\p{P}\p{S}]")
WORD = regex.compile(r"\w+")  # a word, for tokens and counts; scan_blocks finds words with it too


def length_band(n_words: int) -> str:
    if n_words <= 2:
        return str(n_words)
    if n_words <= 6:
        return "3-6"
    if n_words <= 15:
        return "7-15"
    if n_words <= 40:
        return "16-40"
    return "41+"


def block_words(block: Block) -> list[str]:
    return WORD.findall(block.text.lower())


def markup_tokens(tag: str, path: tuple[str, ...], attr_words: tuple[str, ...]) -> list[str]:
    """Tokens of a block's markup; blocks of the same shape share them (`scan_blocks` caches them)."""
    if not tag:
        return []
    tokens = [f"tag={tag}"]
    tokens.extend(f"in={name}" for name in sorted(set(path[1:])))
    if len(path) > 1:
        tokens.append(f"parent={tag}/{path[1]}")
    tokens.extend(f"attr={word}" for word in attr_words)
    return tokens


def block_tokens(block: Block) -> list[str]:
    """The sparse evidence of one block, as strings for the hashing trick.

    Words: `w=` for each of the first MAX_WORDS words, `len=` the length band, `first=` and
    `last=` word; then the markup tokens. `scan_blocks` hashes the same tokens, a page at a time.
    """
    text_words = block_words(block)
    tokens = [f"w={word}" for word in text_words[:MAX_WORDS]]
    tokens.append(f"len={length_band(len(text_words))}")
    if text_words:
        tokens.append(f"first={text_words[0]}")
        tokens.append(f"last={text_words[-1]}")
    tokens.extend(markup_tokens(block.tag, block.path, block.attr_words))
    return tokens


_LETTER_BIT, _UPPER_BIT, _DIGIT_BIT, _PUNCT_BIT, _WORD_BIT, _SEP_BIT, _SENTENCE_END_BIT = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
)
_SEPARATORS = "|·•/»›>"
_SENTENCE_ENDS = frozenset(".!?。！？…\"'”’»)]:")


def _class_table() -> np.ndarray:
    """One byte of class bits per BMP code point, built once: the per-character work of
    `block_stats` then runs in numpy instead of a regex pass per block and class."""
    return _char_tables()["classes"]


def _build_class_table() -> np.ndarray:
    """`_class_table`, computed."""
    # Enumerating the decoded string: it joins the surrogate pair U+DBFF U+DC00 into one
    # character, so the slots from U+DC00 on hold the next code point's bits. The model was
    # trained on these columns: kept as they are.
    chars = (
        "".join(map(chr, range(0x10000))).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    )
    table = np.zeros(0x10001, dtype=np.uint8)  # the last slot: code points beyond the BMP
    for code, char in enumerate(chars):
        bits = 0
        if char.isalpha():
            bits |= _LETTER_BIT | _WORD_BIT
            if char.isupper():
                bits |= _UPPER_BIT
        elif char.isdigit():
            bits |= _DIGIT_BIT | _WORD_BIT
        elif _PUNCT.match(char):
            bits |= _PUNCT_BIT
        elif char == "_" or WORD.match(char):
            bits |= _WORD_BIT
        if char in _SEPARATORS:
            bits |= _SEP_BIT
        if char in _SENTENCE_ENDS:
            bits |= _SENTENCE_END_BIT
        table[code] = bits
    table[0x10000] = _PUNCT_BIT  # emoji and other astral symbols
    return table


# Character-class counts per block, the per-character part of `block_stats`, then two
# flags: the first character is upper case, the last ends a sentence. The optional C
# scanner (`_blockscan`) counts the same columns in the same way.
CHAR_COUNT_COLUMNS = (
    "letters",
    "uppers",
    "digits",
    "puncts",
    "separators",
    "word_chars",
    "word_starts",
    "starts_upper",
    "sentence_end",
)


def char_class_counts(texts: Sequence[str]) -> np.ndarray:
    """(blocks, CHAR_COUNT_COLUMNS) counts from the class table, in numpy: one array of all
    the document's characters, not a regex pass per block and class."""
    n = len(texts)
    counts = np.zeros((n, len(CHAR_COUNT_COLUMNS)), dtype=np.int64)
    if n == 0:
        return counts
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bits = _class_table()[np.minimum(codes, 0x10000)]
    owner = np.repeat(np.arange(n), lengths)
    is_word = (bits & _WORD_BIT) > 0
    follows_word = np.concatenate(([False], is_word[:-1]))
    starts_block = np.concatenate(([True], owner[1:] != owner[:-1]))
    word_starts = is_word & (~follows_word | starts_block)
    for column, mask in enumerate(
        (
            (bits & _LETTER_BIT) > 0,
            (bits & _UPPER_BIT) > 0,
            (bits & _DIGIT_BIT) > 0,
            (bits & _PUNCT_BIT) > 0,
            (bits & _SEP_BIT) > 0,
            is_word,
            word_starts,
        )
    ):
        counts[:, column] = np.bincount(owner[mask], minlength=n)
    counts[:, 7] = [text[:1].isupper() for text in texts]
    counts[:, 8] = [text[-1:] in _SENTENCE_ENDS for text in texts]
    return counts


_URL_WORD = regex.compile(r"[a-z]{2,20}")


def url_tokens(url: str | None) -> list[str]:
    """Words of a page's URL path, and its shape: `/t/` threads, `/products/`,
    `/docs/`, `/category/` pages say what kind of page this is. Nothing without a URL."""
    if not url:
        return []
    rest = url.split("://", 1)[-1].lower()
    path, _, query = rest.partition("/")[2].partition("?")
    segments = [segment for segment in path.split("/") if segment]
    tokens = [f"url={word}" for word in dict.fromkeys(_URL_WORD.findall(path))]
    tokens.append(f"url_depth={min(len(segments), 5)}")
    if query:
        tokens.append("url_query")
    if segments and any(char.isdigit() for char in segments[-1]):
        tokens.append("url_last_digits")
    return tokens


def page_vector(buckets: np.ndarray) -> np.ndarray:
    """The page as one bag of its blocks' token buckets (words and markup alike), folded
    into PAGE_BUCKETS, log-scaled and unit length: what kind of page it is shows in it."""
    counts = np.bincount(np.asarray(buckets, dtype=np.int64) % PAGE_BUCKETS, minlength=PAGE_BUCKETS)
    # log1p of each count through a table of the counts that occur: the same values as
    # log1p over all PAGE_BUCKETS entries, for a fraction of the time.
    vector = np.log1p(np.arange(int(counts.max(initial=0)) + 1, dtype=np.float64))[counts]
    norm = np.sqrt((vector * vector).sum())
    return (vector / norm if norm else vector).astype(np.float32)


_INT32_MIN = -(2**31)


@lru_cache(maxsize=1 << 20)
def _bucket(token: str) -> int:
    """Bucket of one token, as scikit-learn's FeatureHasher computes it (MurmurHash3, seed 0)."""
    h = mmh3.hash(token)
    if h == _INT32_MIN:
        return (2**31 - 1 - (HASH_FEATURES - 1)) % HASH_FEATURES
    return abs(h) % HASH_FEATURES


@lru_cache(maxsize=1 << 20)
def _word_bucket(word: str) -> int:
    """Bucket of a word's `w=` token: words recur, so each is formatted and hashed once."""
    return _bucket(f"w={word}")


@lru_cache(maxsize=1 << 16)
def _markup_buckets(tag: str, path: tuple[str, ...], attr_words: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(_bucket(token) for token in markup_tokens(tag, path, attr_words))


# Bucket of the `len=` token for each word count up to 41 (41 and more share a band).
_LENGTH_BUCKET_OF_COUNT = np.array(
    [_bucket(f"len={length_band(count)}") for count in range(42)], dtype=np.int64
)
# Joins a document's block texts so that one regex pass finds all their words; a word no
# text contains (checked), so the blocks' words can be told apart again.
_SEPARATOR_WORD = "qzxcleanerblockqzx"


@lru_cache(maxsize=1 << 18)
def _first_bucket(word: str) -> int:
    return _bucket(f"first={word}")


@lru_cache(maxsize=1 << 18)
def _last_bucket(word: str) -> int:
    return _bucket(f"last={word}")


def _words_by_block(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """All words of all blocks (as `block_words` finds them) in one flat list,
    each block's words followed by the separator word, and each block's word count."""
    joined = f" {_SEPARATOR_WORD} ".join(texts).lower()
    words = WORD.findall(joined)
    if words.count(_SEPARATOR_WORD) != len(texts) - 1:  # a text holds the word itself
        words, counts = [], []
        for text in texts:
            found = WORD.findall(text.lower())
            words.extend(found)
            words.append(_SEPARATOR_WORD)
            counts.append(len(found))
        return words[:-1], np.array(counts, dtype=np.int64)
    ends, at, index = [], -1, words.index
    for _ in range(len(texts) - 1):
        at = index(_SEPARATOR_WORD, at + 1)
        ends.append(at)
    ends.append(len(words))
    ends_array = np.array(ends, dtype=np.int64)
    starts = np.concatenate(([0], ends_array[:-1] + 1))
    return words, ends_array - starts


@lru_cache(maxsize=1)
def _char_tables() -> dict[str, np.ndarray]:
    """The class bits of every BMP code point (`classes`) and which code points `WORD`
    counts as word characters (`is_word`), kept on disk once built (`table_cache`)."""
    key = (source_of(__file__),)  # the patterns, the constants and the code that builds the tables
    return cached_arrays("char-tables", _build_char_tables, key)


def _build_char_tables() -> dict[str, np.ndarray]:
    return {"classes": _build_class_table(), "is_word": _build_is_word()}


def _build_is_word() -> np.ndarray:
    """Which code points `WORD` counts as word characters, found by running WORD itself
    over every code point."""
    codes = np.arange(0x110000, dtype=np.uint32)
    codes[0xD800:0xE000] = 0x20  # surrogates cannot be decoded; none is a word character
    every_char = codes.tobytes().decode("utf-32-le")
    edges = np.zeros(0x110001, dtype=np.int64)
    for match in WORD.finditer(every_char):  # a few hundred runs of word characters
        edges[match.start()] += 1
        edges[match.end()] -= 1
    return (np.cumsum(edges[:-1]) > 0).astype(np.uint8)


@lru_cache(maxsize=1)
def _scan_tables() -> tuple[bytes, bytes]:
    """The C scanner's tables: `is_word` and the class bits of `_class_table`."""
    tables = _char_tables()
    return tables["is_word"].tobytes(), tables["classes"].tobytes()


def _word_tokens_c(scanner, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What `_word_tokens_python` and `char_class_counts` give, from the C scanner."""
    n = len(texts)
    capacity = n * (MAX_WORDS + 2)  # at most MAX_WORDS `w=` tokens, `first=` and `last=`
    buckets = np.empty(capacity, dtype=np.int64)
    owners = np.empty(capacity, dtype=np.int64)
    word_counts = np.empty(n, dtype=np.int64)
    class_counts = np.empty((n, len(CHAR_COUNT_COLUMNS)), dtype=np.int64)
    words_table, class_table = _scan_tables()
    used = scanner.scan(
        texts, words_table, class_table, HASH_FEATURES, MAX_WORDS, buckets, owners, word_counts, class_counts
    )
    return buckets[:used], owners[:used], word_counts, class_counts


def _word_tokens_python(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Buckets of the `w=`, `first=` and `last=` tokens, their blocks, each block's word
    count: words of the whole document found in one regex pass, hashed through caches."""
    n = len(texts)
    words, counts = _words_by_block(texts)
    # Each block's slots: its words, then one separator (the last block has none).
    slot_owner = np.repeat(np.arange(n, dtype=np.int64), counts + 1)[: len(words)]
    starts = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))
    within = np.arange(len(words), dtype=np.int64) - starts[slot_owner]
    is_token = within < np.minimum(counts, MAX_WORDS)[slot_owner]
    parts = [np.fromiter(map(_word_bucket, words), dtype=np.int64, count=len(words))[is_token]]
    owner_parts = [slot_owner[is_token]]
    with_words = np.flatnonzero(counts > 0)
    if len(with_words):
        first_at, last_at = starts[with_words], starts[with_words] + counts[with_words] - 1
        parts.append(np.fromiter(map(_first_bucket, [words[i] for i in first_at.tolist()]), dtype=np.int64))
        parts.append(np.fromiter(map(_last_bucket, [words[i] for i in last_at.tolist()]), dtype=np.int64))
        owner_parts += [with_words, with_words]
    return np.concatenate(parts), np.concatenate(owner_parts), counts


def scan_blocks(blocks: Sequence[Block]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bucket of every token of `block_tokens`, the block it belongs to, and each
    block's `char_class_counts`.

    Same (block, bucket) pairs as hashing `block_tokens` of each block (a test checks), in
    another order. The word tokens and class counts come from the C scanner in one pass
    over the characters when it is built, else from one regex pass and numpy; markup
    tokens, shared by blocks of the same shape, through a cache.
    """
    n = len(blocks)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros((0, len(CHAR_COUNT_COLUMNS)), dtype=np.int64)
    texts = [block.text for block in blocks]
    scanner = _speedups.get("blockscan")
    if scanner is not None:
        word_buckets, word_owners, counts, class_counts = _word_tokens_c(scanner, texts)
    else:
        word_buckets, word_owners, counts = _word_tokens_python(texts)
        class_counts = char_class_counts(texts)
    parts = [word_buckets, _LENGTH_BUCKET_OF_COUNT[np.minimum(counts, 41)]]
    owner_parts = [word_owners, np.arange(n, dtype=np.int64)]
    if not any(map(TAG_OF, blocks)):  # plain text: no markup tokens
        return np.concatenate(parts), np.concatenate(owner_parts), class_counts
    markup = [
        _markup_buckets(block.tag, block.path, block.attr_words) if block.tag else () for block in blocks
    ]
    markup_counts = np.fromiter(map(len, markup), dtype=np.int64, count=n)
    if markup_counts.any():
        parts.append(np.fromiter(chain.from_iterable(markup), dtype=np.int64, count=int(markup_counts.sum())))
        owner_parts.append(np.repeat(np.arange(n, dtype=np.int64), markup_counts))
    return np.concatenate(parts), np.concatenate(owner_parts), class_counts


def with_url_buckets(buckets: np.ndarray, url: str | None) -> np.ndarray:
    """A page's token buckets and its URL's (`url_tokens`): what the page vector folds."""
    url_words = url_tokens(url)
    if not url_words:
        return buckets
    return np.concatenate((buckets, np.array([_bucket(token) for token in url_words], dtype=np.int64)))
