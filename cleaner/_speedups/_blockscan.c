/* One pass over every character of a document's blocks, for the two per-character jobs
 * of cleaning that Python does slowly: hashing each block's word tokens and counting its
 * character classes. Optional, like _treescore: without it, runtime.py and features.py
 * compute the same numbers in Python and numpy (tests check that both agree).
 *
 * Words are what features.WORD (`\w+`) finds in the block's lower-cased text; which code
 * points are word characters comes from a table built in Python from that same pattern,
 * and non-ASCII text is lower-cased by Python's own str.lower, so nothing here restates
 * Unicode rules. A token's bucket is scikit-learn's FeatureHasher bucket: MurmurHash3
 * (x86, 32-bit, seed 0) of the token's UTF-8 bytes, absolute value, modulo the width.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define N_CLASSES 9 /* columns of the class counts; see features.CHAR_COUNT_COLUMNS */
enum { LETTER = 1, UPPER = 2, DIGIT = 4, PUNCT = 8, WORDISH = 16, SEPARATOR = 32, SENTENCE_END = 64 };
#define MAX_CODE 0x110000

static uint32_t
rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static int32_t
murmur3_32(const unsigned char *data, Py_ssize_t len)
{
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    uint32_t h = 0, k;
    Py_ssize_t blocks = len / 4, i;
    for (i = 0; i < blocks; i++) {
        const unsigned char *p = data + 4 * i;
        k = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
        k *= c1; k = rotl32(k, 15); k *= c2;
        h ^= k; h = rotl32(h, 13); h = h * 5 + 0xe6546b64;
    }
    const unsigned char *tail = data + 4 * blocks;
    k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1: k ^= tail[0];
        k *= c1; k = rotl32(k, 15); k *= c2; h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
    return (int32_t)h;
}

static int64_t
bucket_of(const unsigned char *data, Py_ssize_t len, int64_t width)
{
    int32_t h = murmur3_32(data, len);
    if (h == INT32_MIN) /* FeatureHasher's special case: abs() would overflow */
        return (INT32_MAX - (width - 1)) % width;
    int64_t magnitude = h < 0 ? -(int64_t)h : h;
    /* a power of two (the shipped width) by a mask: the same for a value >= 0, and a
       division per token was a tenth of the scan */
    return (width & (width - 1)) == 0 ? magnitude & (width - 1) : magnitude % width;
}

/* A growable byte buffer for one token: its prefix ("w=", "first=", ...) and a word. */
typedef struct {
    unsigned char *data;
    Py_ssize_t cap;
    unsigned char local[512];
} Buffer;

static int
reserve(Buffer *buf, Py_ssize_t need)
{
    if (need <= buf->cap)
        return 1;
    unsigned char *bigger = PyMem_Malloc(need);
    if (bigger == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    if (buf->data != buf->local)
        PyMem_Free(buf->data);
    buf->data = bigger;
    buf->cap = need;
    return 1;
}

/* Bucket of prefix + the code points [start, end) of a lower-cased text, or of an ASCII
   text lower-cased on the way, as UTF-8. */
static int
token_bucket(Buffer *buf, const char *prefix, int kind, const void *data, Py_ssize_t start,
             Py_ssize_t end, int64_t width, int64_t *out)
{
    Py_ssize_t plen = (Py_ssize_t)strlen(prefix);
    if (!reserve(buf, plen + 4 * (end - start)))
        return 0;
    unsigned char *p = buf->data;
    memcpy(p, prefix, plen);
    p += plen;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) { /* ASCII lower-cased here: a text left as it is was ASCII */
            *p++ = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        } else if (c < 0x800) {
            *p++ = 0xC0 | (c >> 6);
            *p++ = 0x80 | (c & 0x3F);
        } else if (c < 0x10000) { /* surrogates are not word characters: never here */
            *p++ = 0xE0 | (c >> 12);
            *p++ = 0x80 | ((c >> 6) & 0x3F);
            *p++ = 0x80 | (c & 0x3F);
        } else {
            *p++ = 0xF0 | (c >> 18);
            *p++ = 0x80 | ((c >> 12) & 0x3F);
            *p++ = 0x80 | ((c >> 6) & 0x3F);
            *p++ = 0x80 | (c & 0x3F);
        }
    }
    *out = bucket_of(buf->data, p - buf->data, width);
    return 1;
}

/* Count the character classes of one block (original case) into counts[0..N_CLASSES):
 * the seven counts, then whether its first character is upper case (str.isupper) and
 * whether its last ends a sentence. */
static void
count_classes(PyObject *text, const unsigned char *classes, int64_t *counts)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int previous_wordish = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        unsigned char bits = classes[c < 0x10000 ? c : 0x10000];
        counts[0] += (bits & LETTER) != 0;
        counts[1] += (bits & UPPER) != 0;
        counts[2] += (bits & DIGIT) != 0;
        counts[3] += (bits & PUNCT) != 0;
        counts[4] += (bits & SEPARATOR) != 0;
        int wordish = (bits & WORDISH) != 0;
        counts[5] += wordish;
        counts[6] += wordish && !previous_wordish;
        previous_wordish = wordish;
    }
    if (n > 0) {
        Py_UCS4 last = PyUnicode_READ(kind, data, n - 1);
        counts[7] = Py_UNICODE_ISUPPER(PyUnicode_READ(kind, data, 0)) != 0;
        counts[8] = (classes[last < 0x10000 ? last : 0x10000] & SENTENCE_END) != 0;
    }
}

static PyObject *
scan(PyObject *self, PyObject *args)
{
    PyObject *texts;
    Py_buffer words_table, class_table, buckets, owners, word_counts, class_counts;
    long long width_arg, max_words_arg;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O!y*y*LLw*w*w*w*", &PyList_Type, &texts, &words_table,
                          &class_table, &width_arg, &max_words_arg, &buckets, &owners,
                          &word_counts, &class_counts))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    int64_t width = width_arg, max_words = max_words_arg;
    Py_ssize_t capacity = buckets.len / (Py_ssize_t)sizeof(int64_t);
    Buffer buf = {NULL, sizeof(buf.local), {0}};
    buf.data = buf.local;
    if (words_table.len != MAX_CODE || class_table.len != 0x10001 || width <= 0 || max_words < 0 ||
        owners.len != buckets.len || capacity < n * (max_words + 2) ||
        word_counts.len != n * (Py_ssize_t)sizeof(int64_t) ||
        class_counts.len != n * N_CLASSES * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "scan: tables or output buffers of the wrong size");
        goto done;
    }
    const unsigned char *is_word = words_table.buf, *classes = class_table.buf;
    int64_t *bucket_out = buckets.buf, *owner_out = owners.buf;
    int64_t *words_out = word_counts.buf, *class_out = class_counts.buf;
    memset(class_out, 0, class_counts.len);
    Py_ssize_t used = 0;
    for (Py_ssize_t b = 0; b < n; b++) {
        PyObject *text = PyList_GET_ITEM(texts, b);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "scan: block %zd is not a str", b);
            goto done;
        }
        if (PyUnicode_READY(text) < 0)
            goto done;
        count_classes(text, classes, class_out + b * N_CLASSES);
        /* ASCII text is lower-cased by token_bucket as it copies a word (the word table reads
           the same in either case), so most blocks need no lower-cased copy */
        PyObject *lower = PyUnicode_IS_ASCII(text) ? Py_NewRef(text) : PyObject_CallMethod(text, "lower", NULL);
        if (lower == NULL)
            goto done;
        int kind = PyUnicode_KIND(lower);
        const void *data = PyUnicode_DATA(lower);
        Py_ssize_t len = PyUnicode_GET_LENGTH(lower), i = 0;
        Py_ssize_t first_start = -1, first_end = -1, last_start = -1, last_end = -1;
        int64_t count = 0;
        int ok = 1;
        while (i < len && ok) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c >= MAX_CODE || !is_word[c]) {
                i++;
                continue;
            }
            Py_ssize_t start = i;
            while (i < len) {
                c = PyUnicode_READ(kind, data, i);
                if (c >= MAX_CODE || !is_word[c])
                    break;
                i++;
            }
            if (count == 0) {
                first_start = start;
                first_end = i;
            }
            last_start = start;
            last_end = i;
            if (count < max_words) {
                ok = token_bucket(&buf, "w=", kind, data, start, i, width, bucket_out + used);
                owner_out[used++] = b;
            }
            count++;
        }
        if (ok && count > 0) {
            ok = token_bucket(&buf, "first=", kind, data, first_start, first_end, width, bucket_out + used);
            owner_out[used++] = b;
            ok = ok && token_bucket(&buf, "last=", kind, data, last_start, last_end, width, bucket_out + used);
            owner_out[used++] = b;
        }
        Py_DECREF(lower);
        if (!ok)
            goto done;
        words_out[b] = count;
    }
    result = PyLong_FromSsize_t(used);
done:
    if (buf.data != buf.local)
        PyMem_Free(buf.data);
    PyBuffer_Release(&words_table); PyBuffer_Release(&class_table);
    PyBuffer_Release(&buckets); PyBuffer_Release(&owners);
    PyBuffer_Release(&word_counts); PyBuffer_Release(&class_counts);
    return result;
}

/* The numbers of each Block (a tuple: text, tag, path, attr_words, link_chars, depth,
 * gap_before, gap_after) as one int64 row: len(text), link_chars, depth, gap_before,
 * gap_after; the columns of features.FIELD_COLUMNS. */
static PyObject *
fields(PyObject *self, PyObject *args)
{
    PyObject *blocks;
    Py_buffer out;
    if (!PyArg_ParseTuple(args, "O!w*", &PyList_Type, &blocks, &out))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(blocks);
    PyObject *result = NULL;
    if (out.len != n * 5 * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "fields: output buffer of the wrong size");
        goto done;
    }
    int64_t *row = out.buf;
    for (Py_ssize_t b = 0; b < n; b++, row += 5) {
        PyObject *block = PyList_GET_ITEM(blocks, b);
        if (!PyTuple_Check(block) || PyTuple_GET_SIZE(block) != 8 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(block, 0))) {
            PyErr_Format(PyExc_TypeError, "fields: block %zd is not a Block", b);
            goto done;
        }
        row[0] = PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(block, 0));
        for (int i = 0; i < 2; i++) {
            row[1 + i] = PyLong_AsLongLong(PyTuple_GET_ITEM(block, 4 + i));
            if (row[1 + i] == -1 && PyErr_Occurred())
                goto done;
        }
        for (int i = 0; i < 2; i++) {
            int truth = PyObject_IsTrue(PyTuple_GET_ITEM(block, 6 + i));
            if (truth < 0)
                goto done;
            row[3 + i] = truth;
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"fields", fields, METH_VARARGS,
     "fields(blocks, out): each block's len(text), link_chars, depth, gap_before, gap_after "
     "as a row of an (n, 5) int64 buffer."},
    {"scan", scan, METH_VARARGS,
     "scan(texts, word_table, class_table, width, max_words, buckets, owners, word_counts, "
     "class_counts) -> tokens written. For each block: buckets of its first max_words `w=` "
     "tokens and of its `first=`/`last=` tokens (owners: the block index), its word count, "
     "and its character-class counts."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_blockscan", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__blockscan(void)
{
    return PyModule_Create(&module);
}
