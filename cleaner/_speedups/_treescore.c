/* Sum the leaf values of a gradient-boosted ensemble for every row: the one loop of
 * cleaning that numpy cannot express without walking every tree to its full depth.
 *
 * The nodes are runtime.TreeStage's, packed by runtime.pack_nodes into one 24-byte record
 * each (threshold, feature, children, leaf flag), so that a step down a tree reads one
 * record rather than four arrays. A row goes left when its feature value is <= the node's
 * threshold, right otherwise (NaN included), exactly as TreeStage's numpy walk does.
 *
 * Rows are taken CHUNK_ROWS at a time, and within a chunk trees are the outer loop: the
 * chunk's features and one tree's nodes stay in the fastest cache together. Rows go down a
 * tree LANES at a time, each the tree's depth in steps, with no leaf test (a leaf leads to
 * itself) and no branch (the child is read at an index, not chosen by an if), so the
 * lanes' steps wait neither on one another nor on a mispredicted branch. On WCXB
 * plain-text pages, one row at a time with a leaf test took 0.68 ms a page, lanes 0.48 ms,
 * and lanes in chunks 10 to 30% less again (each pair measured side by side).
 * Optional: when this module is not built, cleaner falls back on numpy.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    double threshold;
    int32_t feature, left, right, is_leaf; /* left and right adjacent: (&left)[go_right] */
} Node; /* the layout of runtime.NODE_DTYPE */

#define LANES 16
#define CHUNK_ROWS 64 /* rows whose features (64 x ~54 doubles) stay in the first-level cache */

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
    Py_buffer X, nodes, values, roots, depths, out;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "nnnny*y*y*y*y*w*", &n_rows, &n_features, &n_nodes, &n_trees,
                          &X, &nodes, &values, &roots, &depths, &out))
        return NULL;
    if (check(&X, sizeof(double), n_rows * n_features, "X") &&
        check(&nodes, sizeof(Node), n_nodes, "nodes") &&
        check(&values, sizeof(double), n_nodes, "values") &&
        check(&roots, sizeof(int64_t), n_trees, "roots") &&
        check(&depths, sizeof(int64_t), n_trees, "depths") &&
        check(&out, sizeof(double), n_rows, "out")) {
        const double *x = X.buf;
        const Node *node = nodes.buf;
        const double *value = values.buf;
        const int64_t *root = roots.buf, *depth = depths.buf;
        double *sums = out.buf;
        Py_BEGIN_ALLOW_THREADS
        memset(sums, 0, n_rows * sizeof(double));
        for (Py_ssize_t chunk = 0; chunk < n_rows; chunk += CHUNK_ROWS) {
            Py_ssize_t end = chunk + CHUNK_ROWS < n_rows ? chunk + CHUNK_ROWS : n_rows;
            for (Py_ssize_t t = 0; t < n_trees; t++) {
                const Node *top = node + root[t];
                Py_ssize_t r = chunk;
                for (; r + LANES <= end; r += LANES) {
                    const double *rows = x + r * n_features;
                    int32_t at[LANES];
                    for (int k = 0; k < LANES; k++)
                        at[k] = (int32_t)root[t];
                    for (int64_t step = 0; step < depth[t]; step++) {
                        for (int k = 0; k < LANES; k++) {
                            const Node *n = node + at[k];
                            int go_right = !(rows[k * n_features + n->feature] <= n->threshold);
                            at[k] = (&n->left)[go_right];
                        }
                    }
                    for (int k = 0; k < LANES; k++)
                        sums[r + k] += value[at[k]];
                }
                for (; r < end; r++) {
                    const double *row = x + r * n_features;
                    const Node *n = top;
                    while (!n->is_leaf)
                        n = node + (row[n->feature] <= n->threshold ? n->left : n->right);
                    sums[r] += value[n - node];
                }
            }
        }
        Py_END_ALLOW_THREADS
        result = Py_None;
        Py_INCREF(result);
    }
    PyBuffer_Release(&X); PyBuffer_Release(&nodes); PyBuffer_Release(&values);
    PyBuffer_Release(&roots); PyBuffer_Release(&depths); PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"leaf_sums", leaf_sums, METH_VARARGS,
     "leaf_sums(n_rows, n_features, n_nodes, n_trees, X, nodes, values, roots, depths, out): "
     "out[r] = sum over trees of the value of the leaf that row r reaches (depths: the steps "
     "from each tree's root to its deepest leaf)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_treescore", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__treescore(void)
{
    return PyModule_Create(&module);
}
