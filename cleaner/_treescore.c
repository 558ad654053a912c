/* Sum the leaf values of a gradient-boosted ensemble for every row: the one loop of
 * cleaning that numpy cannot express without walking every tree to its full depth.
 *
 * The arrays are runtime.TreeStage's: all trees' nodes in one table, a leaf pointing to
 * itself. A row goes left when its feature value is <= the node's threshold, right
 * otherwise (NaN included), exactly as TreeStage's numpy walk does. Optional: when this
 * module is not built, cleaner falls back on that numpy walk.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static int
check(Py_buffer *buf, Py_ssize_t itemsize, Py_ssize_t count, const char *name)
{
    if (buf->len != itemsize * count) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd bytes, got %zd", name,
                     itemsize * count, buf->len);
        return 0;
    }
    return 1;
}

static PyObject *
leaf_sums(PyObject *self, PyObject *args)
{
    Py_ssize_t n_rows, n_features, n_nodes, n_trees;
    Py_buffer X, feature, threshold, left, right, value, roots, out;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "nnnny*y*y*y*y*y*y*w*", &n_rows, &n_features, &n_nodes, &n_trees,
                          &X, &feature, &threshold, &left, &right, &value, &roots, &out))
        return NULL;
    if (check(&X, sizeof(double), n_rows * n_features, "X") &&
        check(&feature, sizeof(int64_t), n_nodes, "feature") &&
        check(&threshold, sizeof(double), n_nodes, "threshold") &&
        check(&left, sizeof(int64_t), n_nodes, "left") &&
        check(&right, sizeof(int64_t), n_nodes, "right") &&
        check(&value, sizeof(double), n_nodes, "value") &&
        check(&roots, sizeof(int64_t), n_trees, "roots") &&
        check(&out, sizeof(double), n_rows, "out")) {
        const double *x = X.buf, *thr = threshold.buf, *val = value.buf;
        const int64_t *feat = feature.buf, *lo = left.buf, *hi = right.buf, *root = roots.buf;
        double *sums = out.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t r = 0; r < n_rows; r++) {
            const double *row = x + r * n_features;
            double sum = 0.0;
            for (Py_ssize_t t = 0; t < n_trees; t++) {
                int64_t node = root[t];
                while (lo[node] != node)
                    node = row[feat[node]] <= thr[node] ? lo[node] : hi[node];
                sum += val[node];
            }
            sums[r] = sum;
        }
        Py_END_ALLOW_THREADS
        result = Py_None;
        Py_INCREF(result);
    }
    PyBuffer_Release(&X); PyBuffer_Release(&feature); PyBuffer_Release(&threshold);
    PyBuffer_Release(&left); PyBuffer_Release(&right); PyBuffer_Release(&value);
    PyBuffer_Release(&roots); PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"leaf_sums", leaf_sums, METH_VARARGS,
     "leaf_sums(n_rows, n_features, n_nodes, n_trees, X, feature, threshold, left, right, "
     "value, roots, out): out[r] = sum over trees of the leaf value row r reaches."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_treescore", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__treescore(void)
{
    return PyModule_Create(&module);
}
