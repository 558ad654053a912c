/* features.context_matrix(block_stats(...)) in one pass over a page's blocks.
 *
 * A page has a few hundred blocks and each numpy call over them costs more than its
 * arithmetic: the seventy-odd calls of block_stats and context_matrix were a fifth of the
 * time of cleaning plain text. Here every column is computed as numpy computes it (double
 * arithmetic rounded to float32 at the end, float32 running sums where numpy sums float32,
 * libm's log1p), so the rows are the Python functions' (a test checks on real pages), and
 * those stay as the fallback and the reference. The column layout is documented in
 * features.context_matrix; the offsets and window radii come from Python. section_rows
 * makes features.section_columns the same way, for the same reason, and token_sums the
 * linear stages' per-block sums (runtime.token_sums), and page_decision the page-type
 * stage's decision values (runtime.PageStage).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define N_STATS 20   /* features.BLOCK_COLUMNS */
#define N_COUNTS 9   /* features.CHAR_COUNT_COLUMNS */
#define N_FIELDS 5   /* features.FIELD_COLUMNS */
#define N_SCORES 3   /* chrome, body, title */
#define N_OFFSETS 4  /* features.NEIGHBOUR_OFFSETS */
#define N_WINDOWS 2  /* features.WINDOWS */
#define N_PAGE 3     /* size, mean body score, share of likely body */
#define PREFETCH_AHEAD 8  /* tokens ahead whose weights token_sums asks the cache for */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)0)
#endif

static int
sized(Py_buffer *buf, Py_ssize_t bytes, const char *name)
{
    if (buf->len != bytes) {
        PyErr_Format(PyExc_ValueError, "context_rows: %s has %zd bytes, expected %zd", name,
                     buf->len, bytes);
        return 0;
    }
    return 1;
}

/* Mean of values over [i - radius, i + radius] for every i, from float32 running sums. */
static void
window_means(const float *values, Py_ssize_t n, int64_t radius, double *padded, float *out,
             Py_ssize_t stride)
{
    float running = 0.0f;
    padded[0] = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        running += values[i];
        padded[i + 1] = running;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t lo = i - radius < 0 ? 0 : i - radius;
        Py_ssize_t hi = i + radius + 1 > n ? n : i + radius + 1;
        out[i * stride] = (float)((padded[hi] - padded[lo]) / (double)(hi - lo));
    }
}

static PyObject *
context_rows(PyObject *self, PyObject *args)
{
    Py_ssize_t n, width;
    Py_buffer counts_buf, fields_buf, same_buf, groups_buf, heading_buf, first_buf, page_buf,
        types_buf, offsets_buf, radii_buf, out_buf;
    if (!PyArg_ParseTuple(args, "nny*y*y*y*y*y*y*y*y*y*w*", &n, &width, &counts_buf, &fields_buf,
                          &same_buf, &groups_buf, &heading_buf, &first_buf, &page_buf, &types_buf,
                          &offsets_buf, &radii_buf, &out_buf))
        return NULL;
    PyObject *result = NULL;
    double *group_chars = NULL, *group_body = NULL, *padded = NULL;
    int64_t *group_count = NULL;
    float *body = NULL, *weighted = NULL;
    Py_ssize_t n_types = types_buf.len / (Py_ssize_t)sizeof(float);
    Py_ssize_t fixed = N_STATS + N_SCORES + 4 * N_OFFSETS + 2 * N_WINDOWS + 1 + N_PAGE;
    if (!(sized(&counts_buf, n * N_COUNTS * 8, "class counts") &&
          sized(&fields_buf, n * N_FIELDS * 8, "fields") && sized(&same_buf, n * 8, "same-text counts") &&
          sized(&groups_buf, n * 8, "groups") && sized(&heading_buf, n, "heading flags") &&
          sized(&first_buf, n * N_SCORES * 4, "first scores") && sized(&page_buf, N_PAGE * 4, "page") &&
          sized(&offsets_buf, N_OFFSETS * 8, "offsets") && sized(&radii_buf, N_WINDOWS * 8, "radii") &&
          sized(&out_buf, n * width * 4, "out")))
        goto done;
    if (width != fixed + n_types) {
        PyErr_SetString(PyExc_ValueError, "context_rows: width does not match the column layout");
        goto done;
    }
    const int64_t *counts = counts_buf.buf, *fields = fields_buf.buf, *same = same_buf.buf;
    const int64_t *groups = groups_buf.buf, *offsets = offsets_buf.buf, *radii = radii_buf.buf;
    const uint8_t *heading = heading_buf.buf;
    const float *first = first_buf.buf, *page = page_buf.buf, *types = types_buf.buf;
    float *X = out_buf.buf;
    group_chars = PyMem_Calloc(n + 1, sizeof(double));
    group_body = PyMem_Calloc(n + 1, sizeof(double));
    group_count = PyMem_Calloc(n + 1, sizeof(int64_t));
    padded = PyMem_Malloc((n + 1) * sizeof(double));
    body = PyMem_Malloc((n + 1) * sizeof(float));
    weighted = PyMem_Malloc((n + 1) * sizeof(float));
    if (!group_chars || !group_body || !group_count || !padded || !body || !weighted) {
        PyErr_NoMemory();
        goto done;
    }
    double total = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t g = groups[i];
        if (g < 0 || g >= n) {
            PyErr_SetString(PyExc_ValueError, "context_rows: a group id out of range");
            goto done;
        }
        group_count[g]++;
        group_chars[g] += (double)fields[i * N_FIELDS];
        body[i] = first[i * N_SCORES + 1];
        group_body[g] += (double)body[i];
        total += (double)fields[i * N_FIELDS];
    }
    total = total > 1.0 ? total : 1.0;
    double before = 0.0; /* characters of the blocks above */
    for (Py_ssize_t i = 0; i < n; i++) {
        const int64_t *c = counts + i * N_COUNTS, *f = fields + i * N_FIELDS;
        float *row = X + i * width;
        double chars = (double)f[0], safe = f[0] > 1 ? (double)f[0] : 1.0;
        double letters = (double)c[0], words = (double)c[6];
        int64_t g = groups[i];
        row[0] = (float)log1p(chars);
        row[1] = (float)log1p(words);
        row[2] = (float)((double)c[2] / safe);
        row[3] = (float)((double)c[1] / (letters > 1.0 ? letters : 1.0));
        row[4] = (float)((double)c[3] / safe);
        row[5] = (float)(letters / safe);
        row[6] = (float)c[8];
        row[7] = (float)c[7];
        row[8] = (float)c[4];
        row[9] = (float)((double)c[5] / (words > 1.0 ? words : 1.0));
        row[10] = (float)((double)f[1] / safe);
        row[11] = (float)f[2];
        row[12] = (float)heading[i];
        row[13] = (float)f[3];
        row[14] = (float)f[4];
        row[15] = (float)(same[i] - 1);
        row[16] = (float)((double)i / (double)(n - 1 > 1 ? n - 1 : 1));
        row[17] = (float)(before / total);
        before += chars;
        row[18] = (float)log1p((double)(group_count[g] - 1));
        row[19] = (float)(group_chars[g] / total);
        for (int s = 0; s < N_SCORES; s++)
            row[N_STATS + s] = first[i * N_SCORES + s];
        weighted[i] = body[i] * row[0];
    }
    Py_ssize_t at = N_STATS + N_SCORES;
    for (int o = 0; o < N_OFFSETS; o++, at += 4) {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t j = i + offsets[o];
            float *cell = X + i * width + at;
            if (j < 0 || j >= n) {
                cell[0] = cell[1] = cell[2] = cell[3] = -1.0f;
            } else {
                const float *other = X + j * width;
                cell[0] = body[j];
                cell[1] = other[0];
                cell[2] = other[10];
                cell[3] = other[6];
            }
        }
    }
    for (int w = 0; w < N_WINDOWS; w++, at += 2) {
        window_means(body, n, radii[w], padded, X + at, width);
        window_means(weighted, n, radii[w], padded, X + at + 1, width);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        float *row = X + i * width + at;
        int64_t g = groups[i];
        row[0] = (float)(group_body[g] / (double)(float)group_count[g]);
        for (int p = 0; p < N_PAGE; p++)
            row[1 + p] = page[p];
        memcpy(row + 1 + N_PAGE, types, n_types * sizeof(float));
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(group_chars); PyMem_Free(group_body); PyMem_Free(group_count);
    PyMem_Free(padded); PyMem_Free(body); PyMem_Free(weighted);
    PyBuffer_Release(&counts_buf); PyBuffer_Release(&fields_buf); PyBuffer_Release(&same_buf);
    PyBuffer_Release(&groups_buf); PyBuffer_Release(&heading_buf); PyBuffer_Release(&first_buf);
    PyBuffer_Release(&page_buf); PyBuffer_Release(&types_buf); PyBuffer_Release(&offsets_buf);
    PyBuffer_Release(&radii_buf); PyBuffer_Release(&out_buf);
    return result;
}

#define N_SECTION 6          /* features.SECTION_COLUMNS */
#define TEXT_HEADING_WORDS 8 /* features.MAX_TEXT_HEADING_WORDS */
#define COUNT_WORDS 6        /* "word_starts" in features.CHAR_COUNT_COLUMNS */
#define COUNT_SENTENCE_END 8 /* "sentence_end" in features.CHAR_COUNT_COLUMNS */

/* features.section_columns: where each block sits among the page's headed sections. */
static PyObject *
section_rows(PyObject *self, PyObject *args)
{
    Py_ssize_t n;
    int plain_text;
    Py_buffer levels_buf, counts_buf, first_buf, out_buf;
    if (!PyArg_ParseTuple(args, "ny*y*y*pw*", &n, &levels_buf, &counts_buf, &first_buf, &plain_text,
                          &out_buf))
        return NULL;
    PyObject *result = NULL;
    int64_t *heading_of = NULL;
    double *section_sum = NULL;
    if (!(sized(&levels_buf, n * 8, "levels") && sized(&counts_buf, n * N_COUNTS * 8, "class counts") &&
          sized(&first_buf, n * N_SCORES * 4, "first scores") &&
          sized(&out_buf, n * N_SECTION * 4, "out")))
        goto done;
    const int64_t *levels = levels_buf.buf, *counts = counts_buf.buf;
    const float *first = first_buf.buf;
    float *out = out_buf.buf;
    heading_of = PyMem_Malloc((n + 1) * sizeof(int64_t));
    section_sum = PyMem_Calloc(n + 1, sizeof(double));
    if (!heading_of || !section_sum) {
        PyErr_NoMemory();
        goto done;
    }
    /* Each block's heading (-1 before the first); a section's blocks are consecutive. */
    int64_t heading = -1;
    Py_ssize_t title = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int is_heading;
        if (plain_text) {
            int64_t words = counts[i * N_COUNTS + COUNT_WORDS];
            is_heading = words <= TEXT_HEADING_WORDS && counts[i * N_COUNTS + COUNT_SENTENCE_END] == 0 &&
                         i + 1 < n && counts[(i + 1) * N_COUNTS + COUNT_WORDS] > words;
        } else {
            is_heading = levels[i] > 0;
        }
        if (is_heading)
            heading = i;
        heading_of[i] = heading;
        section_sum[heading + 1] += (double)first[i * N_SCORES + 1];
        if (first[i * N_SCORES + 2] > first[title * N_SCORES + 2])
            title = i;
    }
    Py_ssize_t start = 0;
    while (start < n) {
        Py_ssize_t end = start;
        while (end < n && heading_of[end] == heading_of[start])
            end++;
        int64_t h = heading_of[start];
        double size = (double)(end - start);
        float mean = (float)(section_sum[h + 1] / size), log_size = (float)log1p(size);
        for (Py_ssize_t i = start; i < end; i++) {
            float *row = out + i * N_SECTION;
            double offset = (double)(i - title);
            row[0] = h >= 0 ? first[h * N_SCORES + 1] : -1.0f;
            row[1] = mean;
            row[2] = log_size;
            row[3] = h >= 0 ? (float)levels[h] : -1.0f;
            row[4] = (float)((double)((offset > 0) - (offset < 0)) * log1p(fabs(offset)));
            row[5] = h >= 0 ? (float)log1p((double)(i - h)) : -1.0f;
        }
        start = end;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(heading_of); PyMem_Free(section_sum);
    PyBuffer_Release(&levels_buf); PyBuffer_Release(&counts_buf); PyBuffer_Release(&first_buf);
    PyBuffer_Release(&out_buf);
    return result;
}

/* runtime.token_sums: each block's sum of its tokens' weights, for every row of a linear
 * stage's weights, added in token order in double precision as numpy's bincount adds. */
static PyObject *
token_sums(PyObject *self, PyObject *args)
{
    Py_ssize_t n, rows, buckets_total, n_tokens;
    Py_buffer coef_buf, buckets_buf, owners_buf, out_buf;
    if (!PyArg_ParseTuple(args, "nnny*y*y*w*", &n, &rows, &buckets_total, &coef_buf, &buckets_buf,
                          &owners_buf, &out_buf))
        return NULL;
    PyObject *result = NULL;
    n_tokens = buckets_buf.len / 8;
    if (!(sized(&coef_buf, rows * buckets_total * 4, "coef") && sized(&buckets_buf, n_tokens * 8, "buckets") &&
          sized(&owners_buf, n_tokens * 8, "owners") &&
          sized(&out_buf, n * rows * 8, "out")))
        goto done;
    const float *coef = coef_buf.buf;
    const int64_t *buckets = buckets_buf.buf, *owners = owners_buf.buf;
    double *out = out_buf.buf;
    memset(out, 0, (size_t)(n * rows) * sizeof(double));
    for (Py_ssize_t i = 0; i < n_tokens; i++) {
        int64_t bucket = buckets[i], owner = owners[i];
        if (bucket < 0 || bucket >= buckets_total || owner < 0 || owner >= n) {
            PyErr_SetString(PyExc_ValueError, "token_sums: a bucket or owner is out of range");
            goto done;
        }
        /* the lookups miss the cache: ask for a later token's weights while adding these */
        if (i + PREFETCH_AHEAD < n_tokens && buckets[i + PREFETCH_AHEAD] >= 0 &&
            buckets[i + PREFETCH_AHEAD] < buckets_total)
            PREFETCH(coef + buckets[i + PREFETCH_AHEAD] * rows);
        for (Py_ssize_t row = 0; row < rows; row++)
            out[owner * rows + row] += (double)coef[bucket * rows + row];
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&coef_buf); PyBuffer_Release(&buckets_buf); PyBuffer_Release(&owners_buf);
    PyBuffer_Release(&out_buf);
    return result;
}

/* markup_guess.markup_columns: per guess, the line's own value, its neighbours' at the given
 * offsets (0 past the page's ends), the mean over +-radius lines from double running sums,
 * and the page's mean; column c of guess g at c * k + g, as numpy's hstack lays them out. */
static PyObject *
markup_rows(PyObject *self, PyObject *args)
{
    Py_ssize_t n, k;
    long long radius;
    Py_buffer guesses_buf, offsets_buf, out_buf;
    if (!PyArg_ParseTuple(args, "nny*Ly*w*", &n, &k, &guesses_buf, &radius, &offsets_buf, &out_buf))
        return NULL;
    PyObject *result = NULL;
    double *sums = NULL;
    Py_ssize_t n_offsets = offsets_buf.len / 8, columns = (n_offsets + 3) * k;
    if (!(sized(&guesses_buf, n * k * 4, "guesses") && sized(&offsets_buf, n_offsets * 8, "offsets") &&
          sized(&out_buf, n * columns * 4, "out")))
        goto done;
    const float *guesses = guesses_buf.buf;
    const int64_t *offsets = offsets_buf.buf;
    float *out = out_buf.buf;
    sums = PyMem_Calloc((n + 1) * k + 1, sizeof(double));
    if (!sums) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        for (Py_ssize_t g = 0; g < k; g++)
            sums[(i + 1) * k + g] = sums[i * k + g] + (double)guesses[i * k + g];
    for (Py_ssize_t i = 0; i < n; i++) {
        float *row = out + i * columns;
        Py_ssize_t lo = i - radius < 0 ? 0 : i - radius;
        Py_ssize_t hi = i + radius + 1 > n ? n : i + radius + 1;
        for (Py_ssize_t g = 0; g < k; g++) {
            row[g] = guesses[i * k + g];
            for (Py_ssize_t c = 0; c < n_offsets; c++) {
                Py_ssize_t j = i + offsets[c];
                row[(c + 1) * k + g] = j >= 0 && j < n ? guesses[j * k + g] : 0.0f;
            }
            row[(n_offsets + 1) * k + g] = (float)((sums[hi * k + g] - sums[lo * k + g]) / (double)(hi - lo));
            row[(n_offsets + 2) * k + g] = (float)(sums[n * k + g] / (double)n);
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(sums);
    PyBuffer_Release(&guesses_buf); PyBuffer_Release(&offsets_buf); PyBuffer_Release(&out_buf);
    return result;
}

/* Counts per folded bucket for page_decision, kept between calls: each call sets back to
 * zero every count it raised, so the array is clean without a calloc a page. Calls hold
 * the GIL, so one array serves them all. */
static int32_t *page_counts = NULL;
static Py_ssize_t page_counts_size = 0;

/* runtime.PageStage: coef @ features.page_vector(buckets) without the dense vector. Each
 * folded bucket's count is taken once, at its first token: its log1p adds its weights (by
 * bucket, as token_sums reads them) and its square to the norm; the sums are then scaled
 * by the vector's length. */
static PyObject *
page_decision(PyObject *self, PyObject *args)
{
    Py_ssize_t page_buckets, classes, n_tokens;
    Py_buffer coef_buf, buckets_buf, out_buf;
    if (!PyArg_ParseTuple(args, "nny*y*w*", &page_buckets, &classes, &coef_buf, &buckets_buf, &out_buf))
        return NULL;
    PyObject *result = NULL;
    n_tokens = buckets_buf.len / 8;
    if (!(sized(&coef_buf, page_buckets * classes * 4, "coef") && sized(&buckets_buf, n_tokens * 8, "buckets") &&
          sized(&out_buf, classes * 8, "out")))
        goto done;
    if (page_buckets <= 0) {
        PyErr_SetString(PyExc_ValueError, "page_decision: no page buckets");
        goto done;
    }
    const float *coef = coef_buf.buf;
    const int64_t *buckets = buckets_buf.buf;
    double *out = out_buf.buf, norm = 0.0;
    for (Py_ssize_t i = 0; i < n_tokens; i++) {
        if (buckets[i] < 0) {
            PyErr_SetString(PyExc_ValueError, "page_decision: a negative bucket");
            goto done;
        }
    }
    if (page_counts_size < page_buckets) {
        PyMem_Free(page_counts);
        page_counts_size = 0;
        page_counts = PyMem_Calloc((size_t)page_buckets, sizeof(int32_t));
        if (page_counts == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        page_counts_size = page_buckets;
    }
    int32_t *counts = page_counts;
    /* a power of two folds by a mask: a division per token cost more than the rest */
    int64_t mask = (page_buckets & (page_buckets - 1)) == 0 ? page_buckets - 1 : -1;
    for (Py_ssize_t i = 0; i < n_tokens; i++)
        counts[mask >= 0 ? buckets[i] & mask : buckets[i] % page_buckets]++;
    memset(out, 0, (size_t)classes * sizeof(double));
    for (Py_ssize_t i = 0; i < n_tokens; i++) {
        int64_t folded = mask >= 0 ? buckets[i] & mask : buckets[i] % page_buckets;
        if (counts[folded] == 0)  /* taken already */
            continue;
        double value = log1p((double)counts[folded]);
        counts[folded] = 0;
        norm += value * value;
        for (Py_ssize_t c = 0; c < classes; c++)
            out[c] += value * (double)coef[folded * classes + c];
    }
    if (norm > 0.0) {
        norm = sqrt(norm);
        for (Py_ssize_t c = 0; c < classes; c++)
            out[c] /= norm;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&coef_buf); PyBuffer_Release(&buckets_buf); PyBuffer_Release(&out_buf);
    return result;
}

static PyMethodDef methods[] = {
    {"context_rows", context_rows, METH_VARARGS,
     "context_rows(n, width, class_counts, fields, same_text_counts, groups, heading_flags, "
     "first_scores, page, page_types, offsets, radii, out): features.context_matrix's rows "
     "into the float32 buffer out."},
    {"section_rows", section_rows, METH_VARARGS,
     "section_rows(n, levels, class_counts, first_scores, plain_text, out): "
     "features.section_columns into the float32 buffer out."},
    {"markup_rows", markup_rows, METH_VARARGS,
     "markup_rows(n, k, guesses, radius, offsets, out): markup_guess.markup_columns into the "
     "float32 buffer out."},
    {"page_decision", page_decision, METH_VARARGS,
     "page_decision(page_buckets, classes, coef, buckets, out): out = coef @ page_vector(buckets)\n"
     "for coef stored bucket by bucket (page_buckets x classes float32)."},
    {"token_sums", token_sums, METH_VARARGS,
     "token_sums(n, rows, buckets_total, coef, buckets, owners, out): runtime.token_sums into the "
     "float64 buffer out (n x rows)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_context", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__context(void)
{
    return PyModule_Create(&module);
}
