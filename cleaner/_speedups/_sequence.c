/* The element-wise part of one residual convolution of sequence.SequenceStage at cleaning.
 *
 * The network's products stay with numpy (BLAS); what follows each one is five numpy passes
 * over a page's states (the bias, the taps before and after added at their offsets, the
 * ReLU, the residual), each costing more in calls than in arithmetic on a page of a few
 * hundred blocks. Here they are one pass, adding in numpy's order in float32, so the states
 * are the same to the bit (a test checks). Optional: without this module sequence.py does
 * the same in numpy.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* h[i] += max(0, taps[i, c:2c] + bias + taps[i - d, :c] + taps[i + d, 2c:]), the outer taps
 * only where that neighbour is on the page. */
static PyObject *
conv_residual(PyObject *self, PyObject *args)
{
    Py_ssize_t n, c, d;
    Py_buffer taps_buf, bias_buf, h_buf;
    if (!PyArg_ParseTuple(args, "nnny*y*w*", &n, &c, &d, &taps_buf, &bias_buf, &h_buf))
        return NULL;
    PyObject *result = NULL;
    if (taps_buf.len != n * 3 * c * 4 || bias_buf.len != c * 4 || h_buf.len != n * c * 4 || d < 1) {
        PyErr_SetString(PyExc_ValueError, "conv_residual: buffers of the wrong size, or d < 1");
        goto done;
    }
    const float *taps = taps_buf.buf, *bias = bias_buf.buf;
    float *h = h_buf.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        const float *mid = taps + i * 3 * c + c;
        const float *before = i >= d ? taps + (i - d) * 3 * c : NULL;
        const float *after = i + d < n ? taps + (i + d) * 3 * c + 2 * c : NULL;
        float *row = h + i * c;
        for (Py_ssize_t k = 0; k < c; k++) {
            float z = mid[k] + bias[k];
            if (before)
                z += before[k];
            if (after)
                z += after[k];
            row[k] += z > 0.0f ? z : 0.0f;
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&taps_buf);
    PyBuffer_Release(&bias_buf);
    PyBuffer_Release(&h_buf);
    return result;
}

static PyMethodDef methods[] = {
    {"conv_residual", conv_residual, METH_VARARGS,
     "conv_residual(n, c, d, taps, bias, h): one residual convolution's element-wise part, in place."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sequence", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__sequence(void)
{
    return PyModule_Create(&module);
}
