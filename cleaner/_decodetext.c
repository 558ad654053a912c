/* The per-block text work of decode.py, without a Python step per block: each block's
 * count of white-space separated words (len(text.split())), each block's repeat key
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

static PyObject *
repeat_keys(PyObject *self, PyObject *args)
{
    PyObject *texts;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &texts))
        return NULL;
    if (!check_texts(texts))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    PyObject *keys = PyList_New(n);
    if (keys == NULL)
        return NULL;
    for (Py_ssize_t b = 0; b < n; b++) {
        int is_ascii;
        PyObject *key = collapsed(PyList_GET_ITEM(texts, b), &is_ascii);
        if (key != NULL && !is_ascii) {
            PyObject *folded = PyObject_CallMethod(key, "casefold", NULL);
            Py_DECREF(key);
            key = folded;
        }
        if (key == NULL) {
            Py_DECREF(keys);
            return NULL;
        }
        PyList_SET_ITEM(keys, b, key);
    }
    return keys;
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
    {"repeat_keys", repeat_keys, METH_VARARGS,
     "repeat_keys(texts) -> [' '.join(text.split()).casefold() for text in texts]."},
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
