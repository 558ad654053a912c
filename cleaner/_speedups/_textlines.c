/* segment.text_blocks in C: one block per non-blank line of a plain-text document.
 *
 * Lines end where str.splitlines ends them, and are stripped of what str.strip strips, so
 * the blocks are the Python function's (a test checks); that function stays as the fallback
 * when this module is not built. A text of 300 lines makes 300 blocks, and making them here
 * skips a Python step per line. longest_line tells long_lines.py whether any line needs
 * cutting, without splitting the text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The line boundaries of str.splitlines. */
static int
is_line_break(Py_UCS4 c)
{
    switch (c) {
    case '\n': case '\r': case 0x0B: case 0x0C: case 0x1C: case 0x1D: case 0x1E:
    case 0x85: case 0x2028: case 0x2029:
        return 1;
    default:
        return 0;
    }
}

/* A block_type(text, "", (), (), 0, 0, gap_before, False), made as tuple.__new__ makes it. */
static PyObject *
new_block(PyTypeObject *block_type, PyObject *text, PyObject *empty_str, PyObject *empty_tuple,
          PyObject *zero, int gap_before)
{
    PyObject *block = block_type->tp_alloc(block_type, 8);
    if (block == NULL) {
        Py_DECREF(text);
        return NULL;
    }
    PyTuple_SET_ITEM(block, 0, text);
    PyTuple_SET_ITEM(block, 1, Py_NewRef(empty_str));
    PyTuple_SET_ITEM(block, 2, Py_NewRef(empty_tuple));
    PyTuple_SET_ITEM(block, 3, Py_NewRef(empty_tuple));
    PyTuple_SET_ITEM(block, 4, Py_NewRef(zero));
    PyTuple_SET_ITEM(block, 5, Py_NewRef(zero));
    PyTuple_SET_ITEM(block, 6, Py_NewRef(gap_before ? Py_True : Py_False));
    PyTuple_SET_ITEM(block, 7, Py_NewRef(Py_False));
    return block;
}

/* Mark a block as followed by a blank line (or the end): its last field becomes True. */
static void
set_gap_after(PyObject *block)
{
    PyObject *old = PyTuple_GET_ITEM(block, 7);
    PyTuple_SET_ITEM(block, 7, Py_NewRef(Py_True));
    Py_DECREF(old);
}

static PyObject *
blocks(PyObject *self, PyObject *args)
{
    PyObject *text;
    PyTypeObject *block_type;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyType_Type, &block_type))
        return NULL;
    if (!PyType_IsSubtype(block_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "blocks: the block type must be a tuple subclass");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), start = 0;
    PyObject *out = PyList_New(0), *empty_str = PyUnicode_FromString(""), *empty_tuple = PyTuple_New(0);
    PyObject *zero = PyLong_FromLong(0);
    int pending_gap = 0, previous_line_was_block = 0;
    if (out == NULL || empty_str == NULL || empty_tuple == NULL || zero == NULL)
        goto fail;
    while (start < len) {
        Py_ssize_t end = start;
        while (end < len && !is_line_break(PyUnicode_READ(kind, data, end)))
            end++;
        Py_ssize_t next = end + 1;
        if (end + 1 < len && PyUnicode_READ(kind, data, end) == '\r' && PyUnicode_READ(kind, data, end + 1) == '\n')
            next = end + 2;
        Py_ssize_t a = start, b = end;
        while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a)))
            a++;
        while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1)))
            b--;
        if (a == b) { /* a blank line: a gap after the block above, before the next one */
            if (previous_line_was_block)
                set_gap_after(PyList_GET_ITEM(out, PyList_GET_SIZE(out) - 1));
            pending_gap = 1;
            previous_line_was_block = 0;
        } else {
            PyObject *line = PyUnicode_Substring(text, a, b);
            PyObject *block = line ? new_block(block_type, line, empty_str, empty_tuple, zero,
                                               pending_gap || PyList_GET_SIZE(out) == 0) : NULL;
            if (block == NULL || PyList_Append(out, block) < 0) {
                Py_XDECREF(block);
                goto fail;
            }
            Py_DECREF(block);
            pending_gap = 0;
            previous_line_was_block = 1;
        }
        start = next;
    }
    if (previous_line_was_block) /* the last line: nothing follows it */
        set_gap_after(PyList_GET_ITEM(out, PyList_GET_SIZE(out) - 1));
    Py_DECREF(empty_str);
    Py_DECREF(empty_tuple);
    Py_DECREF(zero);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(empty_str);
    Py_XDECREF(empty_tuple);
    Py_XDECREF(zero);
    return NULL;
}

/* The length of text's longest line, lines ended as str.splitlines ends them: whether
 * long_lines has any line to cut, without making the lines. */
static PyObject *
longest_line(PyObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text))
        return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), longest = 0, start = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        if (is_line_break(PyUnicode_READ(kind, data, i))) {
            if (i - start > longest)
                longest = i - start;
            start = i + 1;
        }
    }
    if (len - start > longest)
        longest = len - start;
    return PyLong_FromSsize_t(longest);
}

static PyMethodDef methods[] = {
    {"blocks", blocks, METH_VARARGS,
     "blocks(text, block_type) -> a block_type per non-blank line, with its gap flags."},
    {"longest_line", longest_line, METH_VARARGS,
     "longest_line(text) -> the length of the longest line, without its line break."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textlines", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__textlines(void)
{
    return PyModule_Create(&module);
}
