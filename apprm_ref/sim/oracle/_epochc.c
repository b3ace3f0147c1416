/* The compiled part of the Oracle simulator: the draw loop of Transactions._epoch for
 * callers that keep no Commit objects, the main block of Files.encode_controlfile, the
 * frozen items of a dict of scalars (datafile and log headers, control-file entries),
 * FrozenCf.section for a dict of dicts (and memo._entry for its entries one level deep),
 * and the block loops of a commit batch and of DBWR (the buffer-cache update, DBWR's draw
 * and the grouping of payloads per file).
 *
 * The same calls on the same objects as the pure-Python code in transactions.py and
 * files.py, in the same order: the workload stream's getrandbits and random, the row grid,
 * the memo and cache lookups and the stage callback; the control file's entries, its frozen
 * sections and the section callback. So the stream advances identically and every record,
 * block and dict is the same; only the interpreter's per-operation overhead goes.
 * The pure-Python code stays the reference (APPRM_PURE_PYTHON=1 selects it) and the
 * tests compare the two digest for digest.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define VALUES 1000000L

/* getrandbits(nbits) drawn until below n, as Random._randbelow does; -1 on error. */
static long
draw_below(PyObject *bits, PyObject *nbits, long n)
{
    for (;;) {
        PyObject *r = PyObject_CallOneArg(bits, nbits);
        if (r == NULL)
            return -1;
        long v = PyLong_AsLong(r);
        Py_DECREF(r);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < n)
            return v;
    }
}

/* f"v{v}": the workload's value string, built directly as a compact ASCII str (the same
 * str the f-string makes: equal, same hash). PyUnicode_FromFormat parses its format and
 * goes through a writer, and cost about a tenth of this loop's instructions. */
static PyObject *
value_str(long v)
{
    if (v < 0)
        return PyUnicode_FromFormat("v%ld", v);
    char digits[24];
    Py_ssize_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    PyObject *s = PyUnicode_New(n + 1, 127);
    if (s == NULL)
        return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(s);
    out[0] = 'v';
    for (Py_ssize_t i = 0; i < n; i++)
        out[1 + i] = (Py_UCS1)digits[n - 1 - i];
    return s;
}

/* The block staged for loc: staged[loc], else a private copy of the memo's rows when the
 * memo still holds the cached payload, else stage(staged, loc). Borrowed reference. */
static PyObject *
staged_block(PyObject *staged, PyObject *memo, PyObject *cache, PyObject *stage, PyObject *loc)
{
    PyObject *block = PyDict_GetItemWithError(staged, loc);
    if (block != NULL || PyErr_Occurred())
        return block;
    PyObject *hit = PyDict_GetItemWithError(memo, loc);
    if (hit == NULL && PyErr_Occurred())
        return NULL;
    PyObject *payload = PyDict_GetItemWithError(cache, loc);
    if (payload == NULL && PyErr_Occurred())
        return NULL;
    if (hit != NULL && payload != NULL && PyTuple_Check(hit) && PyTuple_GET_SIZE(hit) >= 4
        && PyTuple_GET_ITEM(hit, 0) == payload) {
        PyObject *rows = PyDict_Copy(PyTuple_GET_ITEM(hit, 2));
        if (rows == NULL)
            return NULL;
        PyObject *fresh = PyList_New(3);
        if (fresh == NULL) {
            Py_DECREF(rows);
            return NULL;
        }
        Py_INCREF(PyTuple_GET_ITEM(hit, 3));
        PyList_SET_ITEM(fresh, 0, PyLong_FromLong(0));
        PyList_SET_ITEM(fresh, 1, rows);
        PyList_SET_ITEM(fresh, 2, PyTuple_GET_ITEM(hit, 3));
        if (PyList_GET_ITEM(fresh, 0) == NULL || PyDict_SetItem(staged, loc, fresh) < 0) {
            Py_DECREF(fresh);
            return NULL;
        }
        Py_DECREF(fresh); /* staged holds it */
        return fresh;
    }
    PyObject *made = PyObject_CallFunctionObjArgs(stage, staged, loc, NULL);
    if (made == NULL)
        return NULL;
    Py_DECREF(made); /* stage() put it in staged, which holds it */
    return made;
}

/* One operation of one commit; appends its change vector. 0 on success, -1 on error. */
static int
one_op(PyObject *const *a, long ntables, long keys, PyObject *scn_obj, PyObject *vectors)
{
    PyObject *bits = a[0], *random = a[1], *grid = a[2], *memo = a[3], *cache = a[4];
    PyObject *staged = a[5], *stage = a[6], *cell_of = a[7];
    PyObject *tbits = a[8], *kbits = a[9], *vbits = a[10];
    long t = draw_below(bits, tbits, ntables);
    if (t < 0)
        return -1;
    long k = draw_below(bits, kbits, keys);
    if (k < 0)
        return -1;
    PyObject *line = PyList_GetItem(grid, t);
    if (line == NULL)
        return -1;
    PyObject *cell = PyList_GetItem(line, k);
    if (cell == NULL)
        return -1;
    PyObject *owned = NULL;
    if (cell == Py_None) { /* a cell not filled yet (cells are None or 6-tuples) */
        owned = cell = PyObject_CallFunction(cell_of, "ll", t, k);
        if (cell == NULL)
            return -1;
    }
    int rc = -1;
    if (!PyTuple_Check(cell) || PyTuple_GET_SIZE(cell) != 6) {
        PyErr_SetString(PyExc_TypeError, "row grid cell is not a 6-tuple");
        goto done;
    }
    PyObject *row = PyTuple_GET_ITEM(cell, 0), *loc = PyTuple_GET_ITEM(cell, 1);
    PyObject *block = staged_block(staged, memo, cache, stage, loc);
    if (block == NULL)
        goto done;
    if (!PyList_Check(block) || PyList_GET_SIZE(block) < 3) {
        PyErr_SetString(PyExc_TypeError, "staged block is not a list of three");
        goto done;
    }
    if (PyList_SetItem(block, 0, Py_NewRef(scn_obj)) < 0)
        goto done;
    PyObject *rows = PyList_GET_ITEM(block, 1);
    int present = PyDict_Contains(rows, row);
    if (present < 0)
        goto done;
    PyObject *value;
    if (!present) {
        if (PyList_SetItem(block, 2, Py_NewRef(Py_False)) < 0)
            goto done;
    } else {
        PyObject *r = PyObject_CallNoArgs(random);
        if (r == NULL)
            goto done;
        double u = PyFloat_AsDouble(r);
        Py_DECREF(r);
        if (u == -1.0 && PyErr_Occurred())
            goto done;
        if (u < 0.2) {
            if (PyDict_DelItem(rows, row) < 0)
                goto done;
            PyObject *vec = PyTuple_Pack(5, PyTuple_GET_ITEM(cell, 2), PyTuple_GET_ITEM(cell, 3),
                                         PyTuple_GET_ITEM(cell, 4), PyTuple_GET_ITEM(cell, 5),
                                         Py_None);
            if (vec == NULL)
                goto done;
            rc = PyList_Append(vectors, vec);
            Py_DECREF(vec);
            goto done;
        }
    }
    long v = draw_below(bits, vbits, VALUES);
    if (v < 0)
        goto done;
    value = value_str(v);
    if (value == NULL)
        goto done;
    if (PyDict_SetItem(rows, row, value) < 0) {
        Py_DECREF(value);
        goto done;
    }
    PyObject *vec = PyTuple_Pack(5, PyTuple_GET_ITEM(cell, 2), PyTuple_GET_ITEM(cell, 3),
                                 PyTuple_GET_ITEM(cell, 4), PyTuple_GET_ITEM(cell, 5), value);
    Py_DECREF(value);
    if (vec == NULL)
        goto done;
    rc = PyList_Append(vectors, vec);
    Py_DECREF(vec);
done:
    Py_XDECREF(owned);
    return rc;
}

/* run(commits, ops_per_commit, ntables, keys, scn, now, records,
 *     bits, random, grid, memo, cache, staged, stage, cell_of, tbits, kbits, vbits) -> scn
 * Appends one (scn, now, "tx", vectors) record per commit; returns the last SCN. */
static PyObject *
run(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 18) {
        PyErr_SetString(PyExc_TypeError, "run() takes 18 arguments");
        return NULL;
    }
    long commits = PyLong_AsLong(args[0]);
    long per = PyLong_AsLong(args[1]);
    long ntables = PyLong_AsLong(args[2]);
    long keys = PyLong_AsLong(args[3]);
    long long scn = PyLong_AsLongLong(args[4]);
    if (PyErr_Occurred())
        return NULL;
    PyObject *now = args[5], *records = args[6];
    if (!PyList_Check(records) || !PyDict_Check(args[10]) || !PyDict_Check(args[11])
        || !PyDict_Check(args[12]) || !PyList_Check(args[9])) {
        PyErr_SetString(PyExc_TypeError, "run(): records and grid lists, memo/cache/staged dicts");
        return NULL;
    }
    PyObject *tx = PyUnicode_InternFromString("tx");
    if (tx == NULL)
        return NULL;
    for (long c = 0; c < commits; c++) {
        scn += 1;
        PyObject *scn_obj = PyLong_FromLongLong(scn);
        PyObject *vectors = PyList_New(0);
        if (scn_obj == NULL || vectors == NULL)
            goto fail_commit;
        for (long i = 0; i < per; i++) {
            if (one_op(args + 7, ntables, keys, scn_obj, vectors) < 0)
                goto fail_commit;
        }
        PyObject *vecs = PyList_AsTuple(vectors);
        if (vecs == NULL)
            goto fail_commit;
        PyObject *rec = PyTuple_Pack(4, scn_obj, now, tx, vecs);
        Py_DECREF(vecs);
        if (rec == NULL || PyList_Append(records, rec) < 0) {
            Py_XDECREF(rec);
            goto fail_commit;
        }
        Py_DECREF(rec);
        Py_DECREF(scn_obj);
        Py_DECREF(vectors);
        continue;
    fail_commit:
        Py_XDECREF(scn_obj);
        Py_XDECREF(vectors);
        Py_DECREF(tx);
        return NULL;
    }
    Py_DECREF(tx);
    return PyLong_FromLongLong(scn);
}

/* The exact scalar types of formats.SCALARS: str, int, float, bool, None. */
static int
is_scalar(PyObject *v)
{
    return v == Py_None || PyUnicode_CheckExact(v) || PyLong_CheckExact(v) || PyBool_Check(v)
           || PyFloat_CheckExact(v);
}

/* commit_blocks(staged, memo, cache, dirty, magic) -> None
 * The block loop of Transactions._commit_batch: each staged [scn, rows, ordered] becomes
 * the cached payload (magic, scn, row items in key order), its memo entry
 * (payload, scn, rows in key order, True) and a dirty mark, in staged order. */
static PyObject *
commit_blocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyDict_Check(args[0]) || !PyDict_Check(args[1]) || !PyDict_Check(args[2])
        || !PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "commit_blocks(staged, memo, cache, dirty: dict, magic)");
        return NULL;
    }
    PyObject *staged = args[0], *memo = args[1], *cache = args[2], *dirty = args[3];
    PyObject *magic = args[4];
    Py_ssize_t pos = 0;
    PyObject *loc, *block;
    while (PyDict_Next(staged, &pos, &loc, &block)) {
        if (!PyList_Check(block) || PyList_GET_SIZE(block) != 3
            || !PyDict_CheckExact(PyList_GET_ITEM(block, 1))) {
            PyErr_SetString(PyExc_TypeError, "a staged block is not [scn, rows, ordered]");
            return NULL;
        }
        PyObject *bscn = PyList_GET_ITEM(block, 0), *rows = PyList_GET_ITEM(block, 1);
        int ordered = PyObject_IsTrue(PyList_GET_ITEM(block, 2));
        if (ordered < 0)
            return NULL;
        PyObject *items = PyDict_Items(rows);
        if (items == NULL)
            return NULL;
        PyObject *kept; /* the memo's rows: the staged dict, or a copy in key order */
        if (ordered) {
            kept = Py_NewRef(rows);
        } else {
            kept = PyList_Sort(items) < 0 ? NULL : PyDict_New();
            if (kept != NULL && PyDict_MergeFromSeq2(kept, items, 1) < 0)
                Py_CLEAR(kept);
        }
        PyObject *tup = kept != NULL ? PyList_AsTuple(items) : NULL;
        Py_DECREF(items);
        PyObject *payload = tup != NULL ? PyTuple_Pack(3, magic, bscn, tup) : NULL;
        Py_XDECREF(tup);
        PyObject *entry =
            payload != NULL ? PyTuple_Pack(4, payload, bscn, kept, Py_True) : NULL;
        int bad = entry == NULL || PyDict_SetItem(cache, loc, payload) < 0
                  || PyDict_SetItem(memo, loc, entry) < 0 || PyDict_SetItem(dirty, loc, bscn) < 0;
        Py_XDECREF(kept);
        Py_XDECREF(payload);
        Py_XDECREF(entry);
        if (bad)
            return NULL;
    }
    Py_RETURN_NONE;
}

/* choose(dirty, random, fraction) -> list
 * DBWR's draw: [k for k in sorted(dirty) if random() < fraction], one draw per dirty
 * block in block order. */
static PyObject *
choose(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyDict_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "choose(dirty: dict, random, fraction)");
        return NULL;
    }
    PyObject *keys = PyDict_Keys(args[0]);
    if (keys == NULL || PyList_Sort(keys) < 0) {
        Py_XDECREF(keys);
        return NULL;
    }
    PyObject *out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < PyList_GET_SIZE(keys); i++) {
        PyObject *r = PyObject_CallNoArgs(args[1]);
        int below = r != NULL ? PyObject_RichCompareBool(r, args[2], Py_LT) : -1;
        Py_XDECREF(r);
        if (below < 0 || (below && PyList_Append(out, PyList_GET_ITEM(keys, i)) < 0))
            Py_CLEAR(out);
    }
    Py_DECREF(keys);
    return out;
}

/* per_file(blocks, dirty, cache) -> (per_file, top)
 * Transactions._per_file: the cached payloads of blocks (in the given order) grouped per
 * file as {block: payload}, and the highest block SCN per file. */
static PyObject *
per_file(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0]) || !PyDict_Check(args[1]) || !PyDict_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "per_file(blocks: list, dirty: dict, cache: dict)");
        return NULL;
    }
    PyObject *blocks = args[0], *dirty = args[1], *cache = args[2];
    PyObject *files = PyDict_New(), *top = PyDict_New(), *zero = PyLong_FromLong(0);
    if (files == NULL || top == NULL || zero == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(blocks); i++) {
        PyObject *k = PyList_GET_ITEM(blocks, i);
        if (!PyTuple_Check(k) || PyTuple_GET_SIZE(k) < 2) {
            PyErr_SetString(PyExc_TypeError, "a block is not (file, block)");
            goto fail;
        }
        PyObject *no = PyTuple_GET_ITEM(k, 0);
        PyObject *scn = PyDict_GetItemWithError(dirty, k);
        if (scn == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, k);
            goto fail;
        }
        PyObject *items = PyDict_GetItemWithError(files, no);
        if (items == NULL) {
            if (PyErr_Occurred())
                goto fail;
            items = PyDict_New();
            int bad = items == NULL || PyDict_SetItem(files, no, items) < 0
                      || PyDict_SetItem(top, no, zero) < 0;
            Py_XDECREF(items); /* files holds it */
            if (bad)
                goto fail;
        }
        PyObject *payload = PyDict_GetItemWithError(cache, k);
        if (payload == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, k);
            goto fail;
        }
        if (PyDict_SetItem(items, PyTuple_GET_ITEM(k, 1), payload) < 0)
            goto fail;
        PyObject *high = PyDict_GetItemWithError(top, no);
        if (high == NULL)
            goto fail;
        int above = PyObject_RichCompareBool(scn, high, Py_GT);
        if (above < 0 || (above && PyDict_SetItem(top, no, scn) < 0))
            goto fail;
    }
    Py_DECREF(zero);
    PyObject *out = PyTuple_Pack(2, files, top);
    Py_DECREF(files);
    Py_DECREF(top);
    return out;
fail:
    Py_XDECREF(files);
    Py_XDECREF(top);
    Py_XDECREF(zero);
    return NULL;
}

/* scalar_items(d) -> tuple | None
 * tuple(sorted(d.items())) when d is a dict whose values are all exact scalars (what a
 * datafile header, a log group of scalars or an archived-log record is), else None: the
 * frozen form formats.freeze gives such a dict, without the Python type check and sort. */
static PyObject *
scalar_items(PyObject *self, PyObject *d)
{
    if (!PyDict_CheckExact(d))
        Py_RETURN_NONE;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(d, &pos, &k, &v)) {
        if (!is_scalar(v))
            Py_RETURN_NONE;
    }
    PyObject *items = PyDict_Items(d);
    if (items == NULL)
        return NULL;
    if (PyList_Sort(items) < 0) {
        Py_DECREF(items);
        return NULL;
    }
    PyObject *out = PyList_AsTuple(items);
    Py_DECREF(items);
    return out;
}

static PyObject *list_tag; /* "[]": formats.freeze's tag of a list */

/* (snapshot, (tag, tuple(sorted(items)))): the pair a frozen section or entry is kept as.
 * Takes both references (released whatever happens); NULL on error. */
static PyObject *
snapshot_and_frozen(PyObject *snapshot, PyObject *items, PyObject *tag)
{
    PyObject *sorted = PyList_Sort(items) < 0 ? NULL : PyList_AsTuple(items);
    Py_DECREF(items);
    PyObject *frozen = sorted != NULL ? PyTuple_Pack(2, tag, sorted) : NULL;
    Py_XDECREF(sorted);
    PyObject *out = frozen != NULL ? PyTuple_Pack(2, snapshot, frozen) : NULL;
    Py_XDECREF(frozen);
    Py_DECREF(snapshot);
    return out;
}

/* snapshot[k] = snap and (k, frozen) appended to items: one key of a section or entry
 * being frozen (NULL snap or frozen: an error is already set). 0, or -1 on error. */
static int
put_entry(PyObject *snapshot, PyObject *items, PyObject *k, PyObject *snap, PyObject *frozen)
{
    if (snap == NULL || frozen == NULL)
        return -1;
    PyObject *pair = PyTuple_Pack(2, k, frozen);
    int bad = pair == NULL || PyDict_SetItem(snapshot, k, snap) < 0
              || PyList_Append(items, pair) < 0;
    Py_XDECREF(pair);
    return bad ? -1 : 0;
}

/* Every item of the exact list v an exact scalar: 1, else 0. */
static int
all_scalar_list(PyObject *v)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++)
        if (!is_scalar(PyList_GET_ITEM(v, i)))
            return 0;
    return 1;
}

/* entry_pair(value, tag) -> (snapshot, frozen) | None
 * memo._entry for a dict whose values are exact scalars, lists of exact scalars or dicts
 * of exact scalars (a log group and its members): the snapshot holds each scalar, a copy
 * of each list and dict; the frozen form is (tag, the sorted (key, frozen value) pairs),
 * a list frozen as ("[]", tuple(list)) and a dict as (tag, its sorted items). None for a
 * deeper value: the Python code decides it. */
static PyObject *
entry_pair_of(PyObject *value, PyObject *tag)
{
    if (!PyDict_CheckExact(value))
        Py_RETURN_NONE;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(value, &pos, &k, &v)) { /* decline before building anything */
        if (is_scalar(v))
            continue;
        if (PyList_CheckExact(v) && all_scalar_list(v))
            continue;
        if (PyDict_CheckExact(v)) {
            Py_ssize_t p2 = 0;
            PyObject *k2, *v2;
            int ok = 1;
            while (ok && PyDict_Next(v, &p2, &k2, &v2))
                ok = is_scalar(v2);
            if (ok)
                continue;
        }
        Py_RETURN_NONE;
    }
    PyObject *snapshot = PyDict_New(), *items = PyList_New(0);
    if (snapshot == NULL || items == NULL)
        goto fail;
    pos = 0;
    while (PyDict_Next(value, &pos, &k, &v)) {
        PyObject *copy, *frozen;
        if (is_scalar(v)) {
            copy = Py_NewRef(v);
            frozen = Py_NewRef(v);
        } else if (PyList_CheckExact(v)) {
            copy = PyList_GetSlice(v, 0, PyList_GET_SIZE(v));
            PyObject *tup = copy != NULL ? PyList_AsTuple(v) : NULL;
            frozen = tup != NULL ? PyTuple_Pack(2, list_tag, tup) : NULL;
            Py_XDECREF(tup);
        } else {
            copy = PyDict_Copy(v);
            PyObject *tup = copy != NULL ? scalar_items(NULL, v) : NULL;
            frozen = tup != NULL ? PyTuple_Pack(2, tag, tup) : NULL;
            Py_XDECREF(tup);
        }
        int bad = put_entry(snapshot, items, k, copy, frozen);
        Py_XDECREF(copy);
        Py_XDECREF(frozen);
        if (bad)
            goto fail;
    }
    return snapshot_and_frozen(snapshot, items, tag);
fail:
    Py_XDECREF(snapshot);
    Py_XDECREF(items);
    return NULL;
}

static PyObject *
entry_pair(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "entry_pair(value, tag)");
        return NULL;
    }
    return entry_pair_of(args[0], args[1]);
}

/* section_entries(value, entries, entry, tag) -> (snapshot, frozen)
 * FrozenCf.section for a dict of dicts (the datafiles, the log groups): each entry still
 * equal to its snapshot in entries keeps its (snapshot, frozen) pair; a changed one is
 * made again, as (dict(v), (tag, scalar items)) for a dict of exact scalars, else by
 * entry(v), and stored in entries; the snapshot maps each key to its entry's snapshot and
 * the frozen form is (tag, the sorted (key, frozen entry) pairs). */
static PyObject *
section_entries(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyDict_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "section_entries(value: dict, entries: dict, entry, tag)");
        return NULL;
    }
    PyObject *value = args[0], *entries = args[1], *make = args[2], *tag = args[3];
    PyObject *snapshot = PyDict_New();
    PyObject *items = PyList_New(0);
    if (snapshot == NULL || items == NULL)
        goto fail;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(value, &pos, &k, &v)) {
        PyObject *entry = PyDict_GetItemWithError(entries, k);
        if (entry == NULL && PyErr_Occurred())
            goto fail;
        int changed = 1;
        if (entry != NULL) {
            if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2) {
                PyErr_SetString(PyExc_TypeError, "a section entry is not a pair");
                goto fail;
            }
            changed = PyObject_RichCompareBool(PyTuple_GET_ITEM(entry, 0), v, Py_NE);
            if (changed < 0)
                goto fail;
        }
        PyObject *made = NULL;
        if (changed) {
            PyObject *scalars = scalar_items(NULL, v);
            if (scalars == NULL)
                goto fail;
            if (scalars != Py_None) {
                PyObject *copy = PyDict_Copy(v);
                PyObject *frozen = copy != NULL ? PyTuple_Pack(2, tag, scalars) : NULL;
                made = frozen != NULL ? PyTuple_Pack(2, copy, frozen) : NULL;
                Py_XDECREF(copy);
                Py_XDECREF(frozen);
            } else { /* memo._entry: compiled for values one level deep, else Python */
                made = entry_pair_of(v, tag);
                if (made == Py_None) {
                    Py_DECREF(made);
                    made = PyObject_CallOneArg(make, v);
                }
            }
            Py_DECREF(scalars);
            if (made == NULL)
                goto fail;
            if (!PyTuple_Check(made) || PyTuple_GET_SIZE(made) != 2) {
                Py_DECREF(made);
                PyErr_SetString(PyExc_TypeError, "a section entry is not a pair");
                goto fail;
            }
            if (PyDict_SetItem(entries, k, made) < 0) {
                Py_DECREF(made);
                goto fail;
            }
            entry = made;
        }
        int bad = put_entry(snapshot, items, k, PyTuple_GET_ITEM(entry, 0),
                            PyTuple_GET_ITEM(entry, 1));
        Py_XDECREF(made); /* entries holds it */
        if (bad)
            goto fail;
    }
    return snapshot_and_frozen(snapshot, items, tag);
fail:
    Py_XDECREF(snapshot);
    Py_XDECREF(items);
    return NULL;
}

/* cf_main(cf, sections, section, narch, order) -> tuple
 * The sorted items of a control file's main block, as Files.encode_controlfile builds them:
 * ("narch", narch), then every other entry of cf but "archives" and "narch" in dict order,
 * a non-scalar value replaced by its frozen section (sections[k][1] while sections[k][0]
 * still equals it, else section(k, value)); sorted as list.sort sorts; as a tuple.
 * Keys are unique, so the order depends on the keys alone: order (a list the caller keeps)
 * remembers the last keys in dict order and the permutation that sorted them, and while
 * the keys are the same the items are placed by it instead of sorted again. */
static PyObject *
cf_main(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyDict_Check(args[0]) || !PyDict_Check(args[1]) || !PyList_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "cf_main(cf: dict, sections: dict, section, narch, order: list)");
        return NULL;
    }
    PyObject *cf = args[0], *sections = args[1], *section = args[2], *order = args[4];
    static PyObject *s_archives = NULL, *s_narch = NULL;
    if (s_archives == NULL) {
        s_archives = PyUnicode_InternFromString("archives");
        s_narch = PyUnicode_InternFromString("narch");
        if (s_archives == NULL || s_narch == NULL)
            return NULL;
    }
    PyObject *items = PyList_New(0);
    PyObject *keys = PyList_New(0);
    if (items == NULL || keys == NULL)
        goto fail;
    PyObject *first = PyTuple_Pack(2, s_narch, args[3]);
    if (first == NULL || PyList_Append(items, first) < 0 || PyList_Append(keys, s_narch) < 0) {
        Py_XDECREF(first);
        goto fail;
    }
    Py_DECREF(first);
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(cf, &pos, &k, &v)) {
        int skip = PyObject_RichCompareBool(k, s_archives, Py_EQ);
        if (skip == 0)
            skip = PyObject_RichCompareBool(k, s_narch, Py_EQ);
        if (skip < 0)
            goto fail;
        if (skip)
            continue;
        Py_INCREF(k); /* the dict may change under a section() callback */
        Py_INCREF(v);
        PyObject *value = NULL;
        if (is_scalar(v)) {
            value = Py_NewRef(v);
        } else {
            PyObject *hit = PyDict_GetItemWithError(sections, k);
            if (hit == NULL && PyErr_Occurred())
                goto fail_kv;
            int same = 0;
            if (hit != NULL) {
                if (!PyTuple_Check(hit) || PyTuple_GET_SIZE(hit) != 2) {
                    PyErr_SetString(PyExc_TypeError, "a frozen section is not a pair");
                    goto fail_kv;
                }
                Py_INCREF(hit);
                same = PyObject_RichCompareBool(PyTuple_GET_ITEM(hit, 0), v, Py_EQ);
                if (same > 0)
                    value = Py_NewRef(PyTuple_GET_ITEM(hit, 1));
                Py_DECREF(hit);
                if (same < 0)
                    goto fail_kv;
            }
            if (!same) {
                value = PyObject_CallFunctionObjArgs(section, k, v, NULL);
                if (value == NULL)
                    goto fail_kv;
            }
        }
        PyObject *pair = PyTuple_Pack(2, k, value);
        Py_DECREF(value);
        int bad = pair == NULL || PyList_Append(items, pair) < 0 || PyList_Append(keys, k) < 0;
        Py_XDECREF(pair);
        Py_DECREF(k);
        Py_DECREF(v);
        if (bad)
            goto fail;
        continue;
    fail_kv:
        Py_DECREF(k);
        Py_DECREF(v);
        goto fail;
    }
    Py_ssize_t n = PyList_GET_SIZE(items);
    int known = 0; /* the keys are the ones order remembers, in the same dict order */
    if (PyList_GET_SIZE(order) == 2 && PyTuple_Check(PyList_GET_ITEM(order, 0))
        && PyTuple_Check(PyList_GET_ITEM(order, 1))
        && PyTuple_GET_SIZE(PyList_GET_ITEM(order, 0)) == n
        && PyTuple_GET_SIZE(PyList_GET_ITEM(order, 1)) == n) {
        PyObject *was = PyList_GET_ITEM(order, 0);
        known = 1;
        for (Py_ssize_t i = 0; known == 1 && i < n; i++) {
            PyObject *a = PyTuple_GET_ITEM(was, i), *b = PyList_GET_ITEM(keys, i);
            if (a != b)
                known = PyObject_RichCompareBool(a, b, Py_EQ);
        }
        if (known < 0)
            goto fail;
    }
    PyObject *out;
    if (known) {
        PyObject *perm = PyList_GET_ITEM(order, 1);
        out = PyTuple_New(n);
        if (out == NULL)
            goto fail;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t j = PyLong_AsSsize_t(PyTuple_GET_ITEM(perm, i));
            if (j < 0 || j >= n) {
                Py_DECREF(out);
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "a remembered order is out of range");
                goto fail;
            }
            PyTuple_SET_ITEM(out, i, Py_NewRef(PyList_GET_ITEM(items, j)));
        }
    } else {
        /* sort (key, index) pairs: the keys decide, as they decide the items' sort */
        PyObject *idx = PyList_New(n);
        if (idx == NULL)
            goto fail;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *ix = PyLong_FromSsize_t(i);
            PyObject *kp = ix != NULL ? PyTuple_Pack(2, PyList_GET_ITEM(keys, i), ix) : NULL;
            Py_XDECREF(ix);
            if (kp == NULL) {
                Py_DECREF(idx);
                goto fail;
            }
            PyList_SET_ITEM(idx, i, kp);
        }
        if (PyList_Sort(items) < 0 || PyList_Sort(idx) < 0) {
            Py_DECREF(idx);
            goto fail;
        }
        PyObject *perm = PyTuple_New(n);
        PyObject *was = perm != NULL ? PyList_AsTuple(keys) : NULL;
        if (was == NULL) {
            Py_XDECREF(perm);
            Py_DECREF(idx);
            goto fail;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            PyTuple_SET_ITEM(perm, i, Py_NewRef(PyTuple_GET_ITEM(PyList_GET_ITEM(idx, i), 1)));
        Py_DECREF(idx);
        PyObject *memo = PyTuple_Pack(2, was, perm);
        Py_DECREF(was);
        Py_DECREF(perm);
        if (memo == NULL)
            goto fail;
        PyObject *fresh = PyList_New(2);
        if (fresh == NULL) {
            Py_DECREF(memo);
            goto fail;
        }
        PyList_SET_ITEM(fresh, 0, Py_NewRef(PyTuple_GET_ITEM(memo, 0)));
        PyList_SET_ITEM(fresh, 1, Py_NewRef(PyTuple_GET_ITEM(memo, 1)));
        Py_DECREF(memo);
        int bad = PyList_SetSlice(order, 0, PyList_GET_SIZE(order), fresh);
        Py_DECREF(fresh);
        if (bad < 0)
            goto fail;
        out = PyList_AsTuple(items);
    }
    Py_DECREF(items);
    Py_DECREF(keys);
    return out;
fail:
    Py_XDECREF(items);
    Py_XDECREF(keys);
    return NULL;
}

static PyMethodDef methods[] = {
    {"run", (PyCFunction)(void (*)(void))run, METH_FASTCALL,
     "The epoch's draw loop (no Commit objects): appends its records, returns the last SCN."},
    {"commit_blocks", (PyCFunction)(void (*)(void))commit_blocks, METH_FASTCALL,
     "The block loop of Transactions._commit_batch."},
    {"choose", (PyCFunction)(void (*)(void))choose, METH_FASTCALL,
     "DBWR's draw of the dirty blocks it writes now."},
    {"per_file", (PyCFunction)(void (*)(void))per_file, METH_FASTCALL,
     "Transactions._per_file: payloads per file and the highest SCN per file."},
    {"scalar_items", scalar_items, METH_O,
     "tuple(sorted(d.items())) for a dict of exact scalars, else None."},
    {"entry_pair", (PyCFunction)(void (*)(void))entry_pair, METH_FASTCALL,
     "memo._entry for values one level deep: (snapshot, frozen), else None."},
    {"section_entries", (PyCFunction)(void (*)(void))section_entries, METH_FASTCALL,
     "FrozenCf.section for a dict of dicts: (snapshot, frozen)."},
    {"cf_main", (PyCFunction)(void (*)(void))cf_main, METH_FASTCALL,
     "The sorted items of a control file's main block (Files.encode_controlfile)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_epochc", "Compiled draw loop of the Oracle workload epoch and control-file main block.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__epochc(void)
{
    if ((list_tag = PyUnicode_InternFromString("[]")) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
