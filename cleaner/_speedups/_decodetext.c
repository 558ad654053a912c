/* The per-block text work of decode.py, without a Python step per block: each block's
 * count of white-space separated words (len(text.split())), which blocks share a repeat key
 * (" ".join(text.split()).casefold()), and the line shapes that the plain-text rules read
 * (line_shapes.py: length, first word's length, marks).
 *
 * White space is what str.split splits on (Py_UNICODE_ISSPACE); ASCII text is lower-cased
 * here, anything else by Python's own str.casefold, so nothing here restates Unicode rules
 * and the results are the Python functions' (a test checks). Optional: without this module
 * decode.py does the same in Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static int
check_texts(PyObject *texts)
{
    Py_ssize_t n = PyList_GET_SIZE(texts);
    for (Py_ssize_t b = 0; b < n; b++) {
        PyObject *text = PyList_GET_ITEM(texts, b);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "block %zd is not a str", b);
            return 0;
        }
        if (PyUnicode_READY(text) < 0)
            return 0;
    }
    return 1;
}

static PyObject *
word_counts(PyObject *self, PyObject *args)
{
    PyObject *texts;
    Py_buffer out;
    if (!PyArg_ParseTuple(args, "O!w*", &PyList_Type, &texts, &out))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    if (out.len != n * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "word_counts: output buffer of the wrong size");
        PyBuffer_Release(&out);
        return NULL;
    }
    if (!check_texts(texts)) {
        PyBuffer_Release(&out);
        return NULL;
    }
    int64_t *counts = out.buf;
    for (Py_ssize_t b = 0; b < n; b++) {
        PyObject *text = PyList_GET_ITEM(texts, b);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        int64_t count = 0;
        int in_word = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            int space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i));
            count += !space && !in_word;
            in_word = !space;
        }
        counts[b] = count;
    }
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

/* " ".join(text.split()) as a new string, ASCII lower-cased when the text is ASCII. */
static PyObject *
collapsed(PyObject *text, int *is_ascii)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), size = 0;
    Py_UCS4 max_char = 0;
    int in_word = 0, words = 0;
    for (Py_ssize_t i = 0; i < len; i++) { /* the result's length and widest character */
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            in_word = 0;
            continue;
        }
        if (!in_word && words++)
            size++;
        in_word = 1;
        size++;
        if (c > max_char)
            max_char = c;
    }
    *is_ascii = max_char < 0x80;
    PyObject *out = PyUnicode_New(size, max_char < 0x80 ? 0x7F : max_char);
    if (out == NULL)
        return NULL;
    int out_kind = PyUnicode_KIND(out);
    void *out_data = PyUnicode_DATA(out);
    Py_ssize_t at = 0;
    in_word = 0;
    words = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            in_word = 0;
            continue;
        }
        if (!in_word && words++)
            PyUnicode_WRITE(out_kind, out_data, at++, ' ');
        in_word = 1;
        if (*is_ascii && c >= 'A' && c <= 'Z')
            c += 32;
        PyUnicode_WRITE(out_kind, out_data, at++, c);
    }
    return out;
}

/* The repeat key of text, as decode._repeat_key makes it. */
static PyObject *
repeat_key(PyObject *text)
{
    int is_ascii;
    PyObject *key = collapsed(text, &is_ascii);
    if (key != NULL && !is_ascii) {
        PyObject *folded = PyObject_CallMethod(key, "casefold", NULL);
        Py_DECREF(key);
        key = folded;
    }
    return key;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* str.casefold maps each character on its own (full case folding, no context) to at most
   three characters, and never to or from white space: so a key's characters are the folds
   of the text's characters, word by word. The folds of the first FOLD_CACHED code points
   (Latin, Greek, Cyrillic, typographic punctuation) are asked of Python once per process
   and kept; FOLD_UNKNOWN marks one not asked yet. A text with a character beyond them has
   its key made, as before. */
#define FOLD_CACHED 0x3000
#define FOLD_UNKNOWN 0xFF
static Py_UCS4 fold_chars[FOLD_CACHED][3];
static unsigned char fold_lengths[FOLD_CACHED];
static int fold_cache_ready = 0;

/* c's case fold into out (up to 3 characters), for c < FOLD_CACHED; its length, or -1 on
   an error. */
static int
fold_of(Py_UCS4 c, Py_UCS4 out[3])
{
    if (!fold_cache_ready) {
        memset(fold_lengths, FOLD_UNKNOWN, sizeof fold_lengths);
        fold_cache_ready = 1;
    }
    if (fold_lengths[c] == FOLD_UNKNOWN) {
        PyObject *single = PyUnicode_FromOrdinal((int)c);
        if (single == NULL)
            return -1;
        PyObject *folded = PyObject_CallMethod(single, "casefold", NULL);
        Py_DECREF(single);
        if (folded == NULL)
            return -1;
        Py_ssize_t len = PyUnicode_GET_LENGTH(folded);
        if (len > 3) {
            Py_DECREF(folded);
            PyErr_SetString(PyExc_ValueError, "repeat_groups: a case fold of over three characters");
            return -1;
        }
        for (Py_ssize_t j = 0; j < len; j++)
            fold_chars[c][j] = PyUnicode_READ_CHAR(folded, j);
        Py_DECREF(folded);
        fold_lengths[c] = (unsigned char)len;
    }
    memcpy(out, fold_chars[c], sizeof fold_chars[c]);
    return fold_lengths[c];
}

/* FNV-1a over the code points of a made key. */
static int
made_key_hash(PyObject *text, uint64_t *hash)
{
    PyObject *key = repeat_key(text);
    if (key == NULL)
        return 0;
    int kind = PyUnicode_KIND(key);
    const void *data = PyUnicode_DATA(key);
    uint64_t h = FNV_OFFSET;
    for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(key); j++)
        h = (h ^ (uint64_t)PyUnicode_READ(kind, data, j)) * FNV_PRIME;
    Py_DECREF(key);
    *hash = h;
    return 1;
}

/* FNV-1a over the code points of text's repeat key, without making the key, unless the
   text holds a character beyond the fold cache (CJK text, say): then the key is made, as
   one str.casefold of a line costs less than a call per character. */
static int
key_hash(PyObject *text, uint64_t *hash)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    uint64_t h = FNV_OFFSET;
    int in_word = 0, words = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            in_word = 0;
            continue;
        }
        if (!in_word && words++)
            h = (h ^ (uint64_t)' ') * FNV_PRIME;
        in_word = 1;
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                c += 32;
            h = (h ^ (uint64_t)c) * FNV_PRIME;
            continue;
        }
        if (c >= FOLD_CACHED)
            return made_key_hash(text, hash);
        Py_UCS4 folded[3];
        int n_folded = fold_of(c, folded);
        if (n_folded < 0)
            return 0;
        for (int j = 0; j < n_folded; j++)
            h = (h ^ (uint64_t)folded[j]) * FNV_PRIME;
    }
    *hash = h;
    return 1;
}

/* 1 when the two texts have the same repeat key, 0 when not, -1 on an error. */
static int
same_key(PyObject *a, PyObject *b)
{
    PyObject *key_a = repeat_key(a);
    if (key_a == NULL)
        return -1;
    PyObject *key_b = repeat_key(b);
    if (key_b == NULL) {
        Py_DECREF(key_a);
        return -1;
    }
    int same = PyUnicode_Compare(key_a, key_b) == 0;
    Py_DECREF(key_a);
    Py_DECREF(key_b);
    return PyErr_Occurred() ? -1 : same;
}

/* decode.repeat_groups: out[b] is the first block with b's repeat key (b itself when none
   came before), or -1 for a text shorter than min_chars. Keys are compared by hash in an
   open-addressed table, and made only to confirm a match. */
static PyObject *
repeat_groups(PyObject *self, PyObject *args)
{
    PyObject *texts;
    Py_ssize_t min_chars;
    Py_buffer out;
    if (!PyArg_ParseTuple(args, "O!nw*", &PyList_Type, &texts, &min_chars, &out))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    if (out.len != n * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "repeat_groups: output buffer of the wrong size");
        PyBuffer_Release(&out);
        return NULL;
    }
    if (!check_texts(texts)) {
        PyBuffer_Release(&out);
        return NULL;
    }
    int64_t *groups = out.buf;
    size_t slots = 16;
    while (slots < 2 * (size_t)n)
        slots *= 2;
    uint64_t *hashes = PyMem_Malloc(slots * sizeof(uint64_t));
    int64_t *firsts = PyMem_Malloc(slots * sizeof(int64_t));
    PyObject *result = NULL;
    if (hashes == NULL || firsts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t s = 0; s < slots; s++)
        firsts[s] = -1;
    for (Py_ssize_t b = 0; b < n; b++) {
        PyObject *text = PyList_GET_ITEM(texts, b);
        groups[b] = -1;
        if (PyUnicode_GET_LENGTH(text) < min_chars)
            continue;
        uint64_t h;
        if (!key_hash(text, &h))
            goto done;
        size_t s = (size_t)(h ^ (h >> 32)) & (slots - 1);
        groups[b] = b;
        for (; firsts[s] >= 0; s = (s + 1) & (slots - 1)) {
            if (hashes[s] != h)
                continue;
            int same = same_key(PyList_GET_ITEM(texts, firsts[s]), text);
            if (same < 0)
                goto done;
            if (same) {
                groups[b] = firsts[s];
                break;
            }
        }
        if (groups[b] == b) {
            hashes[s] = h;
            firsts[s] = b;
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(hashes);
    PyMem_Free(firsts);
    PyBuffer_Release(&out);
    return result;
}

/* Whether text holds mark as a substring (never, for an empty mark). One-byte text is
 * searched with memchr for the mark's first character; other text character by character
 * (a call to CPython's own search costs more than the search, on lines this short). */
static int
contains(PyObject *text, PyObject *mark)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), mark_len = PyUnicode_GET_LENGTH(mark);
    if (mark_len == 0)
        return 0;
    if (PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND && PyUnicode_KIND(mark) == PyUnicode_1BYTE_KIND) {
        const char *data = PyUnicode_DATA(text), *want = PyUnicode_DATA(mark);
        const char *at = data, *last = data + len - mark_len;
        while (at <= last && (at = memchr(at, want[0], (size_t)(last - at + 1))) != NULL) {
            if (memcmp(at, want, (size_t)mark_len) == 0)
                return 1;
            at++;
        }
        return 0;
    }
    int kind = PyUnicode_KIND(text), mark_kind = PyUnicode_KIND(mark);
    const void *data = PyUnicode_DATA(text), *want = PyUnicode_DATA(mark);
    Py_UCS4 first = PyUnicode_READ(mark_kind, want, 0);
    for (Py_ssize_t i = 0; i + mark_len <= len; i++) {
        if (PyUnicode_READ(kind, data, i) != first)
            continue;
        Py_ssize_t j = 1;
        while (j < mark_len && PyUnicode_READ(kind, data, i + j) == PyUnicode_READ(mark_kind, want, j))
            j++;
        if (j == mark_len)
            return 1;
    }
    return 0;
}

/* line_shapes.says_it_twice: a run of at least min_words words, then the run again, after
   one space (odd length) or glued to it (even length). */
static int
says_it_twice(int kind, const void *data, Py_ssize_t len, int min_words)
{
    Py_ssize_t half = len / 2, second = half;
    if (len % 2 == 1) {
        if (PyUnicode_READ(kind, data, half) != ' ')
            return 0;
        second = half + 1;
    }
    for (Py_ssize_t i = 0; i < half; i++)
        if (PyUnicode_READ(kind, data, i) != PyUnicode_READ(kind, data, second + i))
            return 0;
    int words = 0, in_word = 0;
    for (Py_ssize_t i = 0; i < half; i++) {
        int space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i));
        words += !space && !in_word;
        in_word = !space;
    }
    return words >= min_words;
}

static PyObject *
line_shapes(PyObject *self, PyObject *args)
{
    PyObject *texts, *url_mark, *control_marks, *list_markers;
    int min_words;
    Py_buffer lengths_buf, firsts_buf, flags_buf;
    if (!PyArg_ParseTuple(args, "O!UO!Uiw*w*w*", &PyList_Type, &texts, &url_mark, &PyTuple_Type, &control_marks,
                          &list_markers, &min_words, &lengths_buf, &firsts_buf, &flags_buf))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    PyObject *result = NULL;
    if (lengths_buf.len != n * (Py_ssize_t)sizeof(int64_t) || firsts_buf.len != n * (Py_ssize_t)sizeof(int64_t)
        || flags_buf.len != n) {
        PyErr_SetString(PyExc_ValueError, "line_shapes: output buffers of the wrong size");
        goto done;
    }
    if (!check_texts(texts))
        goto done;
    for (Py_ssize_t m = 0; m < PyTuple_GET_SIZE(control_marks); m++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(control_marks, m))) {
            PyErr_SetString(PyExc_TypeError, "line_shapes: control marks must be str");
            goto done;
        }
    }
    int markers_kind = PyUnicode_KIND(list_markers);
    const void *markers_data = PyUnicode_DATA(list_markers);
    Py_ssize_t markers_len = PyUnicode_GET_LENGTH(list_markers);
    int64_t *lengths = lengths_buf.buf, *firsts = firsts_buf.buf;
    uint8_t *flags = flags_buf.buf;
    for (Py_ssize_t b = 0; b < n; b++) {
        PyObject *text = PyList_GET_ITEM(texts, b);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text), start = 0, end;
        while (start < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start)))
            start++;
        end = start;
        while (end < len && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end)))
            end++;
        uint8_t mark = 0;
        if (contains(text, url_mark))
            mark |= 1;
        if (len > 0 && PyUnicode_READ(kind, data, len - 1) == ']')
            mark |= 2;
        for (Py_ssize_t m = 0; m < PyTuple_GET_SIZE(control_marks); m++) {
            if (contains(text, PyTuple_GET_ITEM(control_marks, m))) {
                mark |= 4;
                break;
            }
        }
        if (says_it_twice(kind, data, len, min_words))
            mark |= 8;
        if (end > start) {
            Py_UCS4 first = PyUnicode_READ(kind, data, start);
            int numbered = 0;
            for (Py_ssize_t k = 0; k < markers_len && !numbered; k++)
                numbered = first == PyUnicode_READ(markers_kind, markers_data, k);
            if (!numbered && Py_UNICODE_ISDIGIT(first)) { /* first.rstrip(".)").isdigit() */
                Py_ssize_t stop = end;
                while (stop > start && (PyUnicode_READ(kind, data, stop - 1) == '.' || PyUnicode_READ(kind, data, stop - 1) == ')'))
                    stop--;
                numbered = 1;
                for (Py_ssize_t k = start; k < stop && numbered; k++)
                    numbered = Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, k));
            }
            if (numbered)
                mark |= 16;
        }
        Py_ssize_t next = end; /* where a second word would start */
        while (next < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, next)))
            next++;
        if (next < len)
            mark |= 32;
        lengths[b] = len;
        firsts[b] = end - start;
        flags[b] = mark;
    }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&lengths_buf);
    PyBuffer_Release(&firsts_buf);
    PyBuffer_Release(&flags_buf);
    return result;
}

static PyMethodDef methods[] = {
    {"word_counts", word_counts, METH_VARARGS,
     "word_counts(texts, out): out[b] = len(texts[b].split()), into an int64 buffer."},
    {"repeat_groups", repeat_groups, METH_VARARGS,
     "repeat_groups(texts, min_chars, out): out[b] = the first block with b's repeat key, or -1\n"
     "for a text shorter than min_chars, into an int64 buffer."},
    {"line_shapes", line_shapes, METH_VARARGS,
     "line_shapes(texts, url_mark, control_marks, list_markers, min_words, lengths, first_lengths, flags):\n"
     "each text's length, first word's length and marks, as line_shapes.py computes them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_decodetext", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__decodetext(void)
{
    return PyModule_Create(&module);
}
