/* The block walk of segment.html_blocks in C, over lexbor's serialization of the parsed page.
 *
 * Why the serialization: lexbor has already built the tree (implied end tags, misnested
 * markup, foster parenting), and its serialization is that tree written out well-formed:
 * every element but the void ones has its end tag, attribute values are double-quoted,
 * and text escapes only &, <, > and no-break space (attributes: &, " and no-break space).
 * Reading it back needs no HTML parsing rules, and one pass over the string replaces a
 * Python step per DOM node. The rules of the walk (which tags end a block, which are
 * skipped, what a block records) are the Python walk's, which stays as the fallback when
 * this module is not built; a test checks that both give the same blocks.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* Tag flags, as segment._tag_info() gives them. */
enum {
    T_BLOCK = 1, T_SKIP = 2, T_CELL = 4, T_VOID = 8, T_RAW = 16, T_BR = 32, T_LINK = 64,
    T_PRE = 128, T_NO_GAP = 256,
};
#define MAX_PATH 8        /* segment.MAX_PATH */
#define MAX_ATTR_LEVELS 6 /* segment.MAX_ATTR_LEVELS */
#define N_WORD_ATTRS 4    /* class, id, role, itemprop: the attributes words come from */

typedef struct {
    PyObject *name;  /* owned */
    int flags;
    int hidden;
    Py_ssize_t word_start[N_WORD_ATTRS], word_end[N_WORD_ATTRS]; /* value ranges; -1: absent */
    PyObject *words; /* owned tuple, made when a block first needs it */
} Element;

/* One block's fields, in the order of types.Block. */
typedef struct {
    PyObject *text, *tag, *path, *attr_words;
    Py_ssize_t link_chars, depth;
    int gap_before, gap_after;
} BlockFields;

typedef struct {
    PyObject *src;      /* the serialized page */
    Py_UCS4 *chars;     /* its code points, copied once: plain loads in the loops below */
    Py_ssize_t len;
    PyObject *tag_info, *preformat, *is_hidden_style, *hidden_word, *empty;
    Element *stack;
    Py_ssize_t depth, cap;
    Py_ssize_t skip_level; /* stack index of the skipped subtree's root, or -1 */
    Py_UCS4 *raw;          /* the current block's text pieces, joined */
    Py_ssize_t raw_len, raw_cap;
    Py_ssize_t link_chars;
    int pending_gap, hidden_open, links_open, pre_open;
    BlockFields *blocks; /* owned references; Block objects are made at the end */
    Py_ssize_t n_blocks, blocks_cap;
} Walk;

#define AT(w, i) ((w)->chars[i])

static int
is_space(Py_UCS4 c)
{
    return Py_UNICODE_ISSPACE(c);
}

/* Does the ASCII string `s` start at position i? */
static int
starts(Walk *w, Py_ssize_t i, const char *s)
{
    for (; *s; s++, i++)
        if (i >= w->len || AT(w, i) != (Py_UCS4)(unsigned char)*s)
            return 0;
    return 1;
}

static Py_ssize_t
find(Walk *w, Py_ssize_t from, const char *s)
{
    Py_UCS4 first = (unsigned char)s[0];
    for (Py_ssize_t i = from; i < w->len; i++)
        if (AT(w, i) == first && starts(w, i, s))
            return i;
    return -1;
}

/* The character an escape at i stands for, with its length; 0 when there is none. */
static Py_ssize_t
escape_at(Walk *w, Py_ssize_t i, Py_UCS4 *c)
{
    if (starts(w, i, "&amp;")) { *c = '&'; return 5; }
    if (starts(w, i, "&lt;")) { *c = '<'; return 4; }
    if (starts(w, i, "&gt;")) { *c = '>'; return 4; }
    if (starts(w, i, "&quot;")) { *c = '"'; return 6; }
    if (starts(w, i, "&nbsp;")) { *c = 0xA0; return 6; }
    return 0;
}

static int
raw_reserve(Walk *w, Py_ssize_t extra)
{
    if (w->raw_len + extra <= w->raw_cap)
        return 1;
    Py_ssize_t cap = (w->raw_len + extra) * 2 + 64;
    Py_UCS4 *bigger = PyMem_Realloc(w->raw, cap * sizeof(Py_UCS4));
    if (bigger == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    w->raw = bigger;
    w->raw_cap = cap;
    return 1;
}

/* A str of the range [start, end), escapes decoded unless `literal`. */
static PyObject *
decoded(Walk *w, Py_ssize_t start, Py_ssize_t end, int literal)
{
    Py_UCS4 *buf = PyMem_Malloc((end - start + 1) * sizeof(Py_UCS4));
    if (buf == NULL)
        return PyErr_NoMemory();
    Py_ssize_t n = 0;
    for (Py_ssize_t i = start; i < end; n++) {
        Py_UCS4 c = AT(w, i);
        Py_ssize_t step = (!literal && c == '&') ? escape_at(w, i, &c) : 0;
        buf[n] = c;
        i += step ? step : 1;
    }
    PyObject *s = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n);
    PyMem_Free(buf);
    return s;
}

/* ---------------------------------------------------------------- class/id words */

/* Does the list hold this very object? Words are interned, so this is equality. */
static int
holds(PyObject *list, PyObject *item)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++)
        if (PyList_GET_ITEM(list, i) == item)
            return 1;
    return 0;
}

/* Words of one element as segment._words_of finds them: runs of [a-z] in the lower-cased
 * values, cut into pieces of at most 20, pieces of one letter dropped, each word once. */
static PyObject *
element_words(Walk *w, Element *e)
{
    PyObject *words = PyList_New(0);
    if (words == NULL)
        return NULL;
    char run[21];
    int run_len = 0;
    for (int a = 0; a < N_WORD_ATTRS; a++) {
        if (e->word_start[a] < 0)
            continue;
        for (Py_ssize_t i = e->word_start[a]; i <= e->word_end[a]; i++) {
            int letter = 0, breaks_after = 0;
            Py_UCS4 c = i < e->word_end[a] ? AT(w, i) : ' '; /* values are joined by a space */
            if (c == '&' && i < e->word_end[a]) {
                Py_UCS4 unused;
                Py_ssize_t step = escape_at(w, i, &unused);
                if (step)
                    i += step - 1; /* an escape is one character, and not a letter */
            } else if (c >= 'a' && c <= 'z') {
                letter = (int)c;
            } else if (c >= 'A' && c <= 'Z') {
                letter = (int)c + 32;
            } else if (c == 0x212A) { /* KELVIN SIGN lower-cases to k */
                letter = 'k';
            } else if (c == 0x130) { /* I WITH DOT ABOVE lower-cases to i and a combining dot */
                letter = 'i';
                breaks_after = 1;
            }
            if (letter)
                run[run_len++] = (char)letter;
            if ((!letter || breaks_after || run_len == 20) && run_len) {
                if (run_len >= 2) {
                    PyObject *word = PyUnicode_FromStringAndSize(run, run_len);
                    if (word != NULL) /* one object per word: repeats are found by identity */
                        PyUnicode_InternInPlace(&word);
                    if (word == NULL || (!holds(words, word) && PyList_Append(words, word) < 0)) {
                        Py_XDECREF(word);
                        Py_DECREF(words);
                        return NULL;
                    }
                    Py_DECREF(word);
                }
                run_len = 0;
            }
        }
    }
    PyObject *tuple = PyList_AsTuple(words);
    Py_DECREF(words);
    return tuple;
}

/* ---------------------------------------------------------------- blocks */

static int
flush(Walk *w, int preformatted)
{
    if (w->raw_len == 0)
        return 1;
    PyObject *text;
    if (preformatted) {
        PyObject *raw = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, w->raw, w->raw_len);
        text = raw ? PyObject_CallOneArg(w->preformat, raw) : NULL;
        Py_XDECREF(raw);
    } else { /* white space runs to one space, as " ".join(raw.split()) */
        Py_ssize_t n = 0;
        int gap = 0;
        for (Py_ssize_t i = 0; i < w->raw_len; i++) {
            Py_UCS4 c = w->raw[i];
            if (is_space(c)) {
                gap = 1;
                continue;
            }
            if (gap && n)
                w->raw[n++] = ' ';
            gap = 0;
            w->raw[n++] = c;
        }
        text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, w->raw, n);
    }
    w->raw_len = 0;
    Py_ssize_t link_chars = w->link_chars;
    w->link_chars = 0;
    if (text == NULL)
        return 0;
    if (!PyUnicode_Check(text)) {
        Py_DECREF(text);
        PyErr_SetString(PyExc_TypeError, "preformat must return a str");
        return 0;
    }
    Py_ssize_t text_len = PyUnicode_GET_LENGTH(text);
    if (text_len == 0) {
        Py_DECREF(text);
        return 1;
    }
    Py_ssize_t n_path = w->depth < MAX_PATH ? w->depth : MAX_PATH;
    PyObject *path = PyTuple_New(n_path);
    PyObject *words = PyList_New(0);
    if (path == NULL || words == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < n_path; k++) {
        PyObject *name = w->stack[w->depth - 1 - k].name;
        Py_INCREF(name);
        PyTuple_SET_ITEM(path, k, name);
    }
    for (Py_ssize_t k = w->depth > MAX_ATTR_LEVELS ? w->depth - MAX_ATTR_LEVELS : 0; k < w->depth; k++) {
        Element *e = &w->stack[k];
        if (e->words == NULL && (e->words = element_words(w, e)) == NULL)
            goto fail;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(e->words); j++) {
            PyObject *word = PyTuple_GET_ITEM(e->words, j);
            if (!holds(words, word) && PyList_Append(words, word) < 0)
                goto fail;
        }
    }
    if (w->hidden_open && !holds(words, w->hidden_word) && PyList_Append(words, w->hidden_word) < 0)
        goto fail;
    if (w->n_blocks == w->blocks_cap) {
        Py_ssize_t cap = w->blocks_cap * 2 + 64;
        BlockFields *bigger = PyMem_Realloc(w->blocks, cap * sizeof(BlockFields));
        if (bigger == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        w->blocks = bigger;
        w->blocks_cap = cap;
    }
    PyObject *word_tuple = PyList_AsTuple(words);
    if (word_tuple == NULL)
        goto fail;
    Py_CLEAR(words);
    if (w->n_blocks && w->pending_gap)
        w->blocks[w->n_blocks - 1].gap_after = 1;
    BlockFields *b = &w->blocks[w->n_blocks++];
    b->text = text;
    b->tag = n_path ? Py_NewRef(PyTuple_GET_ITEM(path, 0)) : Py_NewRef(w->empty);
    b->path = path;
    b->attr_words = word_tuple;
    b->link_chars = link_chars < text_len ? link_chars : text_len;
    b->depth = w->depth;
    b->gap_before = w->pending_gap;
    b->gap_after = 0;
    w->pending_gap = 0;
    return 1;
fail:
    Py_DECREF(text);
    Py_XDECREF(path);
    Py_XDECREF(words);
    return 0;
}

/* A run of text between tags: one text node of the DOM. */
static int
text_piece(Walk *w, Py_ssize_t start, Py_ssize_t end, int literal)
{
    if (w->skip_level >= 0 || start >= end)
        return 1;
    if (!raw_reserve(w, end - start))
        return 0;
    Py_ssize_t first = w->raw_len, i = start;
    while (i < end) {
        Py_UCS4 c = AT(w, i);
        Py_ssize_t step = (!literal && c == '&') ? escape_at(w, i, &c) : 0;
        w->raw[w->raw_len++] = c;
        i += step ? step : 1;
    }
    Py_ssize_t lo = first, hi = w->raw_len;
    while (lo < hi && is_space(w->raw[lo]))
        lo++;
    if (lo == hi && first == 0) { /* white space that would open a block: dropped */
        w->raw_len = 0;
        return 1;
    }
    if (w->links_open) {
        while (hi > lo && is_space(w->raw[hi - 1]))
            hi--;
        w->link_chars += hi - lo;
    }
    return 1;
}

static void
pop_element(Walk *w)
{
    Element *e = &w->stack[--w->depth];
    Py_CLEAR(e->name);
    Py_CLEAR(e->words);
}

/* Leave the innermost element. */
static int
close_element(Walk *w)
{
    Element *e = &w->stack[w->depth - 1];
    if (w->skip_level >= 0) {
        if (w->skip_level == w->depth - 1)
            w->skip_level = -1;
        pop_element(w);
        return 1;
    }
    if (e->flags & T_BLOCK) {
        if (w->raw_len && !flush(w, w->pre_open > 0))
            return 0;
        w->pending_gap = w->pending_gap || !(e->flags & T_NO_GAP);
    } else if (w->raw_len && (e->flags & T_CELL)) {
        if (!raw_reserve(w, 1))
            return 0;
        w->raw[w->raw_len++] = ' ';
    }
    if (e->flags & T_LINK)
        w->links_open--;
    else if (e->flags & T_PRE)
        w->pre_open--;
    if (e->hidden)
        w->hidden_open--;
    pop_element(w);
    return 1;
}

static Element *
push_element(Walk *w, PyObject *name, int flags)
{
    if (w->depth == w->cap) {
        Py_ssize_t cap = w->cap * 2 + 16;
        Element *bigger = PyMem_Realloc(w->stack, cap * sizeof(Element));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        w->stack = bigger;
        w->cap = cap;
    }
    Element *e = &w->stack[w->depth++];
    e->name = Py_NewRef(name);
    e->flags = flags;
    e->hidden = 0;
    e->words = NULL;
    for (int a = 0; a < N_WORD_ATTRS; a++)
        e->word_start[a] = e->word_end[a] = -1;
    return e;
}

/* Does the attribute name at [start, end) equal the ASCII string s? */
static int
name_is(Walk *w, Py_ssize_t start, Py_ssize_t end, const char *s)
{
    return (Py_ssize_t)strlen(s) == end - start && starts(w, start, s);
}

static int
contains_folded(Walk *w, Py_ssize_t start, Py_ssize_t end, const char *s)
{
    Py_ssize_t n = (Py_ssize_t)strlen(s);
    for (Py_ssize_t i = start; i + n <= end; i++) {
        Py_ssize_t k = 0;
        for (; k < n; k++) {
            Py_UCS4 c = AT(w, i + k);
            if (c >= 'A' && c <= 'Z')
                c += 32;
            if (c != (Py_UCS4)(unsigned char)s[k])
                break;
        }
        if (k == n)
            return 1;
    }
    return 0;
}

/* The name's flags (segment._tag_info), and the name as a str: the table's own object for
 * known tags, so that blocks share them. */
static PyObject *
tag_name(Walk *w, Py_ssize_t start, Py_ssize_t end, int *flags)
{
    PyObject *name = PyUnicode_Substring(w->src, start, end);
    if (name == NULL)
        return NULL;
    PyObject *info = PyDict_GetItemWithError(w->tag_info, name); /* borrowed (name, flags) */
    *flags = 0;
    if (info == NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(name);
            return NULL;
        }
        return name;
    }
    Py_DECREF(name);
    *flags = (int)PyLong_AsLong(PyTuple_GET_ITEM(info, 1));
    return Py_NewRef(PyTuple_GET_ITEM(info, 0));
}

/* After a raw-text element's start tag (script, style, xmp...): its text runs to its end tag. */
static Py_ssize_t
raw_text(Walk *w, Py_ssize_t from, PyObject *name, int keep)
{
    /* The parser ends such text at its end tag, so the text cannot hold "</name>" itself. */
    PyObject *closing = PyUnicode_FromFormat("</%U>", name);
    if (closing == NULL)
        return -1;
    Py_ssize_t end = PyUnicode_Find(w->src, closing, from, w->len, 1);
    Py_DECREF(closing);
    if (end == -2)
        return -1;
    if (end < 0)
        end = w->len;
    if (keep && !text_piece(w, from, end, 1))
        return -1;
    return end;
}

/* A start tag at i ('<' and a letter): the element opens (and a void one closes again).
 * Returns the position after the tag and any raw text, or -1 on error. */
static Py_ssize_t
start_tag(Walk *w, Py_ssize_t i)
{
    Py_ssize_t k = i + 1;
    while (k < w->len) {
        Py_UCS4 c = AT(w, k);
        if (c == '>' || c == '/' || is_space(c))
            break;
        k++;
    }
    int flags;
    PyObject *name = tag_name(w, i + 1, k, &flags);
    if (name == NULL)
        return -1;
    /* Attributes: name="value", the value free of '"' (escaped as &quot;). */
    Py_ssize_t attr_start[N_WORD_ATTRS] = {-1, -1, -1, -1}, attr_end[N_WORD_ATTRS] = {-1, -1, -1, -1};
    Py_ssize_t style_start = -1, style_end = -1;
    int has_attrs = 0, hidden_attr = 0;
    while (k < w->len) {
        Py_UCS4 c = AT(w, k);
        if (c == '>') {
            k++;
            break;
        }
        if (c == '/' || is_space(c)) {
            k++;
            continue;
        }
        Py_ssize_t an = k++; /* a name may begin with '=' */
        while (k < w->len && AT(w, k) != '=' && AT(w, k) != '>' && !is_space(AT(w, k)))
            k++;
        Py_ssize_t an_end = k, value = k, value_end = k;
        if (starts(w, k, "=\"")) {
            value = k + 2;
            value_end = find(w, value, "\"");
            if (value_end < 0)
                value_end = w->len;
            k = value_end + 1;
        }
        has_attrs = 1;
        if (name_is(w, an, an_end, "class")) { attr_start[0] = value; attr_end[0] = value_end; }
        else if (name_is(w, an, an_end, "id")) { attr_start[1] = value; attr_end[1] = value_end; }
        else if (name_is(w, an, an_end, "role")) { attr_start[2] = value; attr_end[2] = value_end; }
        else if (name_is(w, an, an_end, "itemprop")) { attr_start[3] = value; attr_end[3] = value_end; }
        else if (name_is(w, an, an_end, "hidden")) hidden_attr = 1;
        else if (name_is(w, an, an_end, "aria-hidden"))
            hidden_attr = hidden_attr || (value_end - value == 4 && starts(w, value, "true"));
        else if (name_is(w, an, an_end, "style")) { style_start = value; style_end = value_end; }
    }
    int is_void = (flags & T_VOID) != 0, skip = w->skip_level >= 0 || (flags & T_SKIP);
    if (!skip && (flags & T_BR)) {
        Py_DECREF(name);
        if (w->pre_open) {
            if (!raw_reserve(w, 1))
                return -1;
            w->raw[w->raw_len++] = '\n';
        } else if (w->raw_len && !flush(w, 0)) {
            return -1;
        }
        return k;
    }
    int hidden = 0;
    if (!skip && has_attrs) {
        hidden = hidden_attr;
        if (!hidden && style_start >= 0 &&
            (contains_folded(w, style_start, style_end, "none") ||
             contains_folded(w, style_start, style_end, "hidden"))) {
            PyObject *style = decoded(w, style_start, style_end, 0);
            PyObject *answer = style ? PyObject_CallOneArg(w->is_hidden_style, style) : NULL;
            Py_XDECREF(style);
            if (answer == NULL) {
                Py_DECREF(name);
                return -1;
            }
            hidden = PyObject_IsTrue(answer);
            Py_DECREF(answer);
        }
        if (hidden && !(flags & T_BLOCK))
            skip = 1; /* hidden inline text: icons' labels, tooltips, screen-reader hints */
    }
    if (skip) { /* the element and all inside it are passed over, but still matched */
        if (!is_void) {
            if (push_element(w, name, flags) == NULL) {
                Py_DECREF(name);
                return -1;
            }
            if (w->skip_level < 0)
                w->skip_level = w->depth - 1;
        }
        Py_ssize_t end = (flags & T_RAW) ? raw_text(w, k, name, 0) : k;
        Py_DECREF(name);
        return end;
    }
    if (w->raw_len && (flags & T_BLOCK) && !flush(w, w->pre_open > 0)) {
        Py_DECREF(name);
        return -1;
    }
    Element *e = push_element(w, name, flags);
    if (e == NULL) {
        Py_DECREF(name);
        return -1;
    }
    e->hidden = hidden;
    w->hidden_open += hidden;
    for (int a = 0; a < N_WORD_ATTRS; a++) {
        e->word_start[a] = attr_start[a];
        e->word_end[a] = attr_end[a];
    }
    if (flags & T_LINK)
        w->links_open++;
    else if (flags & T_PRE)
        w->pre_open++;
    if (flags & T_RAW)
        k = raw_text(w, k, name, 1);
    Py_DECREF(name);
    if (k < 0)
        return -1;
    if (is_void && !close_element(w))
        return -1;
    return k;
}

/* An end tag at i ("</"): closes the innermost element of that name, and any inside it. */
static Py_ssize_t
end_tag(Walk *w, Py_ssize_t i)
{
    Py_ssize_t k = i + 2;
    while (k < w->len && AT(w, k) != '>' && !is_space(AT(w, k)))
        k++;
    Py_ssize_t close = find(w, k, ">");
    close = close < 0 ? w->len : close + 1;
    PyObject *name = PyUnicode_Substring(w->src, i + 2, k);
    if (name == NULL)
        return -1;
    Py_ssize_t at = w->depth - 1;
    while (at >= 0) {
        int same = PyUnicode_Compare(w->stack[at].name, name);
        if (same == -1 && PyErr_Occurred()) {
            Py_DECREF(name);
            return -1;
        }
        if (same == 0)
            break;
        at--;
    }
    Py_DECREF(name);
    while (at >= 0 && w->depth > at)
        if (!close_element(w))
            return -1;
    return close;
}

static int
run(Walk *w)
{
    Py_ssize_t i = 0;
    while (i < w->len) {
        Py_UCS4 c = AT(w, i);
        if (c == '<' && i + 1 < w->len) {
            Py_UCS4 next = AT(w, i + 1);
            if (next == '!') {
                Py_ssize_t end = starts(w, i, "<!--") ? find(w, i + 4, "-->") : find(w, i, ">");
                i = end < 0 ? w->len : end + (starts(w, i, "<!--") ? 3 : 1);
                continue;
            }
            if (next == '/') {
                if ((i = end_tag(w, i)) < 0)
                    return 0;
                continue;
            }
            if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z')) {
                if ((i = start_tag(w, i)) < 0)
                    return 0;
                continue;
            }
        }
        Py_ssize_t end = find(w, i + 1, "<");
        if (end < 0)
            end = w->len;
        if (!text_piece(w, i, end, 0))
            return 0;
        i = end;
    }
    while (w->depth)
        if (!close_element(w))
            return 0;
    return flush(w, 0);
}

/* The blocks as instances of `block_type`, a tuple subclass (a NamedTuple), made the way
 * tuple.__new__ makes them; the fields' references move into the blocks. */
static PyObject *
make_blocks(Walk *w, PyTypeObject *block_type)
{
    PyObject *list = PyList_New(w->n_blocks);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < w->n_blocks; i++) {
        BlockFields *b = &w->blocks[i];
        PyObject *block = block_type->tp_alloc(block_type, 8);
        PyObject *link = PyLong_FromSsize_t(b->link_chars), *depth = PyLong_FromSsize_t(b->depth);
        if (block == NULL || link == NULL || depth == NULL) {
            Py_XDECREF(block); Py_XDECREF(link); Py_XDECREF(depth);
            Py_DECREF(list);
            return NULL;
        }
        PyTuple_SET_ITEM(block, 0, b->text);
        PyTuple_SET_ITEM(block, 1, b->tag);
        PyTuple_SET_ITEM(block, 2, b->path);
        PyTuple_SET_ITEM(block, 3, b->attr_words);
        PyTuple_SET_ITEM(block, 4, link);
        PyTuple_SET_ITEM(block, 5, depth);
        PyTuple_SET_ITEM(block, 6, Py_NewRef(b->gap_before ? Py_True : Py_False));
        PyTuple_SET_ITEM(block, 7, Py_NewRef(b->gap_after ? Py_True : Py_False));
        b->text = b->tag = b->path = b->attr_words = NULL;
        PyList_SET_ITEM(list, i, block);
    }
    return list;
}

static PyObject *
walk(PyObject *self, PyObject *args)
{
    Walk w;
    PyTypeObject *block_type;
    memset(&w, 0, sizeof(w));
    if (!PyArg_ParseTuple(args, "UO!O!OOU", &w.src, &PyType_Type, &block_type, &PyDict_Type,
                          &w.tag_info, &w.preformat, &w.is_hidden_style, &w.hidden_word))
        return NULL;
    if (!PyType_IsSubtype(block_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "walk: the block type must be a tuple subclass");
        return NULL;
    }
    w.len = PyUnicode_GET_LENGTH(w.src);
    w.chars = PyUnicode_AsUCS4Copy(w.src);
    if (w.chars == NULL)
        return NULL;
    w.skip_level = -1;
    w.pending_gap = 1;
    w.empty = PyUnicode_FromString("");
    PyObject *result = NULL;
    if (w.empty != NULL && run(&w))
        result = make_blocks(&w, block_type);
    while (w.depth)
        pop_element(&w);
    for (Py_ssize_t i = 0; i < w.n_blocks; i++) {
        BlockFields *b = &w.blocks[i];
        Py_XDECREF(b->text); Py_XDECREF(b->tag); Py_XDECREF(b->path); Py_XDECREF(b->attr_words);
    }
    Py_XDECREF(w.empty);
    PyMem_Free(w.blocks);
    PyMem_Free(w.stack);
    PyMem_Free(w.raw);
    PyMem_Free(w.chars);
    return result;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS,
     "walk(serialized, block_type, tag_info, preformat, is_hidden_style, hidden_word) -> the "
     "page's blocks, as block_type(text, tag, path, attr_words, link_chars, depth, gap_before, "
     "gap_after)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_htmlwalk", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__htmlwalk(void)
{
    return PyModule_Create(&module);
}
