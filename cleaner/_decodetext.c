/* The per-block text work of decode.py, without a Python step per block: each block's
 * count of white-space separated words (len(text.split())), and each block's repeat key
 * (" ".join(text.split()).casefold()).
 *
 * White space is what str.split splits on (Py_UNICODE_ISSPACE); ASCII text is lower-cased
 * here, anything else by Python's own str.casefold, so nothing here restates Unicode rules
 * and the results are the Python functions' (a test checks). Optional: without this module
 * decode.py does the same in Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

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

static PyMethodDef methods[] = {
    {"word_counts", word_counts, METH_VARARGS,
     "word_counts(texts, out): out[b] = len(texts[b].split()), into an int64 buffer."},
    {"repeat_keys", repeat_keys, METH_VARARGS,
     "repeat_keys(texts) -> [' '.join(text.split()).casefold() for text in texts]."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_decodetext", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__decodetext(void)
{
    return PyModule_Create(&module);
}
