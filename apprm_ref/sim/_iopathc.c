/* The compiled part of the host write path: a file write on a host
 * (FileOps.write_file), the EVA's block write (EvaBackend.block_write) and the XP's
 * (XpBackend.block_write, with the difference tracking of XpBackend.touch), and the
 * copy-on-write filter of the EVA's writes that need it (EvaBackend._new_cow).
 *
 * Each function handles the usual case only and declines (returns False) before it
 * changes anything when a case is not usual: a dentry not cached, a file not in one PV
 * run, a read-only or frozen mount, a block or extent out of range, a vdisk that is not
 * usable or not presented, a copy-on-write the disk group has no room for (or one the
 * compiled code does not plan: more than MAX_COW vsnaps, a RAID level or a total it does
 * not know), a family not materialized, an index not built, an XP
 * copy completion that may be due, a reserved LDEV, a protected S-VOL, a CA S-VOL, a
 * P-VOL being restored. The Python method then runs as before and decides (and refuses
 * with the array's error). Where it accepts, it makes the same changes as the Python code
 * in the same order, so the world is the same object for object (tests/unit/sim/
 * test_iopath.py compares the two; APPRM_PURE_PYTHON=1 selects the Python code).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *s_cache, *s_files, *s_host, *s_crashed, *s_mnt, *s_read_only, *s_frozen,
    *s_entry, *s_length, *s_direct, *s_name, *s_world, *s_arrays, *s_block_write,
    *s_vdisks, *s_state, *s_presentations, *s_data, *s_size_extents, *s_ix, *s_kind, *s_id,
    *s_family, *s_covered, *s_delta, *s_host_written, *s_due, *s_ldevs, *s_reserved,
    *s_index, *s_count, *s_pairs, *s_by_svol, *s_by_pvol, *s_bc_by_pvol, *s_ca_primary,
    *s_swap_freeze, *s_pdiff, *s_sdiff, *s_touch, *s_svol, *s_cow, *s_vraid, *s_disk_group,
    *s_disk_groups, *s_capacity_extents, *s_used, *kw_host;

/* The constants the Python code compares with (configure_eva, configure_xp). */
static PyObject *eva_failed, *eva_invalid, *eva_original, *eva_snapshot, *eva_vsnap;
static PyObject *eva_type, *xp_type, *eva_overhead; /* VRAID_OVERHEAD: vraid -> (num, den) */
static PyObject *xp_none_due, *xp_svol_writable, *xp_copy_rs_r, *xp_tracking, *xp_mirroring,
    *xp_pair;

#define DECLINED 0
#define DONE 1
#define FAILED (-1)

/* In a function that leaves through ``done`` with ``result``: decline when a test gives
 * 1 (DECLINE_IF) or 0 (DECLINE_UNLESS), fail when it gives -1 (an error is set). */
#define DECLINE_IF(test)                                                                   \
    do {                                                                                   \
        int t_ = (test);                                                                   \
        if (t_ != 0) {                                                                     \
            result = t_ < 0 ? FAILED : DECLINED;                                           \
            goto done;                                                                     \
        }                                                                                  \
    } while (0)
#define DECLINE_UNLESS(test)                                                               \
    do {                                                                                   \
        int t_ = (test);                                                                   \
        if (t_ <= 0) {                                                                     \
            result = t_ < 0 ? FAILED : DECLINED;                                           \
            goto done;                                                                     \
        }                                                                                  \
    } while (0)

static int
eq(PyObject *a, PyObject *b)
{
    if (a == b)
        return 1;
    return PyObject_RichCompareBool(a, b, Py_EQ);
}

/* The truth of obj.name (-1 on error). */
static int
attr_true(PyObject *obj, PyObject *name)
{
    PyObject *v = PyObject_GetAttr(obj, name);
    if (v == NULL)
        return -1;
    int t = PyObject_IsTrue(v);
    Py_DECREF(v);
    return t;
}

/* d[key] for an exact dict d: 1 with a new reference in *out; 0 when d is no exact dict or
 * holds no such key (the caller declines); -1 on error. */
static int
dict_item(PyObject *d, PyObject *key, PyObject **out)
{
    if (!PyDict_CheckExact(d))
        return 0;
    PyObject *v = PyDict_GetItemWithError(d, key);
    if (v == NULL)
        return PyErr_Occurred() ? -1 : 0;
    *out = Py_NewRef(v);
    return 1;
}

/* Every key of ``items`` an exact int in [0, size): 1, 0 otherwise, -1 on error. */
static int
keys_in_range(PyObject *items, PyObject *size_obj)
{
    if (!PyLong_CheckExact(size_obj))
        return 0;
    long size = PyLong_AsLong(size_obj);
    if (size == -1 && PyErr_Occurred())
        return -1;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(items, &pos, &key, &value)) {
        if (!PyLong_CheckExact(key))
            return 0;
        int overflow = 0;
        long e = PyLong_AsLongAndOverflow(key, &overflow);
        if (overflow || e < 0 || e >= size)
            return 0;
    }
    return 1;
}

/* --- EVA ---------------------------------------------------------------------------- */

/* EvaBackend._new_cow(vsnaps, extents): for each vsnap in order, the extents (sorted,
 * distinct) it has not allocated yet, in order, by vsnap id; vsnaps with none left out.
 * The same dict the Python loop builds (its filter, its copy of a vsnap with no COW). */
static PyObject *
cow_needs(PyObject *vsnaps_seq, PyObject *extents_seq)
{
    PyObject *vsnaps = PySequence_Fast(vsnaps_seq, "vsnaps must be a sequence");
    if (vsnaps == NULL)
        return NULL;
    PyObject *extents = PySequence_Fast(extents_seq, "extents must be a sequence");
    PyObject *out = extents != NULL ? PyDict_New() : NULL;
    if (out == NULL)
        goto fail;
    Py_ssize_t nv = PySequence_Fast_GET_SIZE(vsnaps), ne = PySequence_Fast_GET_SIZE(extents);
    PyObject **ext = PySequence_Fast_ITEMS(extents);
    for (Py_ssize_t i = 0; i < nv; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(vsnaps, i);
        PyObject *cow = PyObject_GetAttr(s, s_cow);
        if (cow == NULL)
            goto fail;
        int held = PyObject_IsTrue(cow);
        PyObject *fresh = held >= 0 ? PyList_New(0) : NULL;
        for (Py_ssize_t j = 0; fresh != NULL && j < ne; j++) {
            int in = held ? PySequence_Contains(cow, ext[j]) : 0;
            if (in < 0 || (!in && PyList_Append(fresh, ext[j]) < 0))
                Py_CLEAR(fresh);
        }
        Py_DECREF(cow);
        if (fresh == NULL)
            goto fail;
        int bad = 0;
        if (PyList_GET_SIZE(fresh) > 0) {
            PyObject *sid = PyObject_GetAttr(s, s_id);
            bad = sid == NULL || PyDict_SetItem(out, sid, fresh) < 0;
            Py_XDECREF(sid);
        }
        Py_DECREF(fresh);
        if (bad)
            goto fail;
    }
    Py_DECREF(vsnaps);
    Py_DECREF(extents);
    return out;
fail:
    Py_DECREF(vsnaps);
    Py_XDECREF(extents);
    Py_XDECREF(out);
    return NULL;
}

/* An exact int that fits a long long: 1 with it in *out, 0 if not (the caller declines). */
static int
small_int(PyObject *o, long long *out)
{
    if (o == NULL || !PyLong_CheckExact(o))
        return 0;
    int overflow = 0;
    *out = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (*out == -1 && PyErr_Occurred())
        return -1;
    return overflow ? 0 : 1;
}

/* models.raw_extents(n, vraid): ceil(n * num / den) with (num, den) = VRAID_OVERHEAD[vraid],
 * for exact small ints num >= 0 and den > 0. 1 with it in *out, 0 to decline, -1 on error. */
static int
raw_of(PyObject *vraid, Py_ssize_t n, long long *out)
{
    PyObject *nd = PyDict_GetItemWithError(eva_overhead, vraid);
    if (nd == NULL)
        return PyErr_Occurred() ? -1 : 0;
    if (!PyTuple_CheckExact(nd) || PyTuple_GET_SIZE(nd) != 2)
        return 0;
    long long num, den;
    int t = small_int(PyTuple_GET_ITEM(nd, 0), &num);
    if (t <= 0)
        return t;
    if ((t = small_int(PyTuple_GET_ITEM(nd, 1), &den)) <= 0)
        return t;
    if (num < 0 || den <= 0 || num > (1LL << 20) || n > (1LL << 40))
        return 0;
    *out = ((long long)n * num + den - 1) / den;
    return 1;
}

#define MAX_COW 64 /* vsnaps one write may allocate in; more: the Python code decides */

/* EvaBackend.block_write for a usable original (or clone) vdisk: the extents every live
 * vsnap already holds are written at once; the others first make each live vsnap that
 * lacks them allocate them (copy-on-write), when the disk group has the room. A write
 * the disk group has no room for is declined unchanged: the Python code fails the vsnaps
 * and refuses it (E11). Every check is made before the first change. */
static int
eva_write_impl(PyObject *self, PyObject *volume, PyObject *items, PyObject *host)
{
    int result = FAILED, t;
    PyObject *vdisks = NULL, *v = NULL, *state = NULL, *pres = NULL, *data = NULL,
             *size = NULL, *ix = NULL, *kind = NULL, *vid = NULL, *families = NULL,
             *family = NULL, *coverage = NULL, *covered = NULL, *delta = NULL,
             *fresh = NULL, *live = NULL, *needs = NULL, *used = NULL, *groups = NULL,
             *group = NULL, *dg = NULL, *cap = NULL;
    PyObject *ncow[MAX_COW], *ngroup[MAX_COW], *next[MAX_COW]; /* owned, owned, borrowed */
    long long nraw[MAX_COW];
    Py_ssize_t nneeds = 0, planned = 0;
    if (eva_failed == NULL || !PyDict_CheckExact(items) || PyDict_GET_SIZE(items) == 0)
        return DECLINED;
    if ((vdisks = PyObject_GetAttr(self, s_vdisks)) == NULL)
        goto done;
    DECLINE_UNLESS(dict_item(vdisks, volume, &v));
    if ((state = PyObject_GetAttr(v, s_state)) == NULL)
        goto done;
    DECLINE_IF(eq(state, eva_failed));
    DECLINE_IF(eq(state, eva_invalid));
    if ((t = PyObject_IsTrue(host)) < 0)
        goto done;
    if (t) {
        if ((pres = PyObject_GetAttr(v, s_presentations)) == NULL)
            goto done;
        DECLINE_UNLESS(PySequence_Contains(pres, host));
    }
    DECLINE_IF(attr_true(v, s_read_only));
    if ((data = PyObject_GetAttr(v, s_data)) == NULL
        || (size = PyObject_GetAttr(data, s_size_extents)) == NULL)
        goto done;
    DECLINE_UNLESS(keys_in_range(items, size));
    if ((ix = PyObject_GetAttr(self, s_ix)) == NULL)
        goto done;
    DECLINE_IF(ix == Py_None);
    if ((kind = PyObject_GetAttr(v, s_kind)) == NULL)
        goto done;
    DECLINE_IF(eq(kind, eva_vsnap)); /* a target: the Python code decides */
    DECLINE_IF(eq(kind, eva_snapshot));
    if ((vid = PyObject_GetAttr(v, s_id)) == NULL
        || (families = PyObject_GetAttr(ix, s_family)) == NULL)
        goto done;
    DECLINE_IF(vid == Py_None);
    DECLINE_UNLESS(dict_item(families, vid, &family)); /* not materialized yet */
    DECLINE_UNLESS(PyTuple_CheckExact(family));
    Py_ssize_t n = PyTuple_GET_SIZE(family);
    for (Py_ssize_t i = 0; i < n; i++) { /* a failed vsnap freezes the origin (E11) */
        PyObject *target = PyTuple_GET_ITEM(family, i);
        PyObject *tstate = PyObject_GetAttr(target, s_state);
        if (tstate == NULL)
            goto done;
        t = eq(tstate, eva_failed);
        Py_DECREF(tstate);
        if (t < 0)
            goto done;
        if (t) {
            PyObject *tkind = PyObject_GetAttr(target, s_kind);
            if (tkind == NULL)
                goto done;
            t = eq(tkind, eva_vsnap);
            Py_DECREF(tkind);
            DECLINE_IF(t);
        }
    }
    int fresh_any = 0; /* an extent no live vsnap is known to hold (or none known) */
    if (n > 0) {
        if ((coverage = PyObject_GetAttr(ix, s_covered)) == NULL)
            goto done;
        DECLINE_UNLESS(PyDict_CheckExact(coverage));
        covered = PyDict_GetItemWithError(coverage, vid);
        if (covered == NULL && PyErr_Occurred())
            goto done;
        Py_XINCREF(covered);
        if (covered != NULL)
            DECLINE_UNLESS(PyDict_CheckExact(covered));
        Py_ssize_t pos = 0; /* the list is made at the first miss: most writes have none */
        PyObject *key, *value;
        while (PyDict_Next(items, &pos, &key, &value)) {
            int in = covered != NULL ? PyDict_Contains(covered, key) : 0;
            if (in < 0 || (!in && fresh == NULL && (fresh = PyList_New(0)) == NULL))
                goto done;
            if (!in && PyList_Append(fresh, key) < 0)
                goto done;
        }
        fresh_any = fresh != NULL;
    }
    if (fresh_any) { /* _new_cow(_live_vsnaps(family), sorted(fresh)) */
        if (PyList_Sort(fresh) < 0 || (live = PyList_New(0)) == NULL)
            goto done;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *target = PyTuple_GET_ITEM(family, i);
            PyObject *tkind = PyObject_GetAttr(target, s_kind);
            if (tkind == NULL)
                goto done;
            t = eq(tkind, eva_vsnap);
            Py_DECREF(tkind);
            if (t < 0)
                goto done;
            if (!t)
                continue;
            PyObject *tstate = PyObject_GetAttr(target, s_state);
            if (tstate == NULL)
                goto done;
            t = eq(tstate, eva_invalid);
            Py_DECREF(tstate);
            if (t < 0 || (!t && PyList_Append(live, target) < 0))
                goto done;
        }
        if ((needs = cow_needs(live, fresh)) == NULL)
            goto done;
        nneeds = PyDict_GET_SIZE(needs);
    }
    if (nneeds > 0) { /* the allocation, planned and checked before any change */
        DECLINE_IF(nneeds > MAX_COW);
        if ((used = PyObject_GetAttr(ix, s_used)) == NULL)
            goto done;
        DECLINE_UNLESS(PyDict_CheckExact(used));
        long long need_raw = 0;
        Py_ssize_t pos = 0;
        PyObject *sid, *extents;
        while (PyDict_Next(needs, &pos, &sid, &extents)) {
            PyObject *snap = NULL, *vraid = NULL, *cow = NULL, *sgroup = NULL;
            long long before, after, fresh_raw, now;
            DECLINE_UNLESS(dict_item(vdisks, sid, &snap));
            vraid = PyObject_GetAttr(snap, s_vraid);
            cow = vraid != NULL ? PyObject_GetAttr(snap, s_cow) : NULL;
            sgroup = cow != NULL ? PyObject_GetAttr(snap, s_disk_group) : NULL;
            Py_DECREF(snap);
            t = sgroup == NULL ? -1 : 1;
            if (t > 0 && (!PyDict_CheckExact(cow) || !PyList_CheckExact(extents)))
                t = 0;
            Py_ssize_t held = t > 0 ? PyDict_GET_SIZE(cow) : 0;
            if (t > 0)
                t = raw_of(vraid, PyList_GET_SIZE(extents), &fresh_raw);
            if (t > 0)
                t = raw_of(vraid, held, &before);
            if (t > 0) /* the extents are new to this vsnap and distinct (cow_needs) */
                t = raw_of(vraid, held + PyList_GET_SIZE(extents), &after);
            if (t > 0) {
                PyObject *u = PyDict_GetItemWithError(used, sgroup); /* used[g] must exist */
                t = u == NULL ? (PyErr_Occurred() ? -1 : 0) : small_int(u, &now);
            }
            Py_XDECREF(vraid);
            if (t <= 0) {
                Py_XDECREF(cow);
                Py_XDECREF(sgroup);
                result = t < 0 ? FAILED : DECLINED;
                goto done;
            }
            ncow[planned] = cow;
            ngroup[planned] = sgroup;
            next[planned] = extents;
            nraw[planned] = after - before;
            planned++;
            need_raw += fresh_raw;
        }
        if (need_raw > 0) { /* free_raw(v.disk_group): capacity minus the index's total */
            long long capacity, taken = 0;
            if ((group = PyObject_GetAttr(v, s_disk_group)) == NULL
                || (groups = PyObject_GetAttr(self, s_disk_groups)) == NULL)
                goto done;
            DECLINE_UNLESS(dict_item(groups, group, &dg));
            if ((cap = PyObject_GetAttr(dg, s_capacity_extents)) == NULL)
                goto done;
            DECLINE_UNLESS(small_int(cap, &capacity));
            PyObject *u = PyDict_GetItemWithError(used, group);
            if (u == NULL && PyErr_Occurred())
                goto done;
            if (u != NULL)
                DECLINE_UNLESS(small_int(u, &taken));
            DECLINE_IF(need_raw > capacity - taken); /* full: the Python code refuses */
        }
    }
    /* accepted: the changes of the Python code, in its order */
    if ((delta = PyObject_GetAttr(data, s_delta)) == NULL)
        goto done;
    DECLINE_UNLESS(PyDict_CheckExact(delta));
    if (PyDict_Update(delta, items) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < planned; i++) { /* _allocate_cow */
        Py_ssize_t m = PyList_GET_SIZE(next[i]);
        for (Py_ssize_t j = 0; j < m; j++)
            if (PyDict_SetItem(ncow[i], PyList_GET_ITEM(next[i], j), Py_True) < 0)
                goto done;
        PyObject *u = PyDict_GetItemWithError(used, ngroup[i]);
        PyObject *d = u != NULL ? PyLong_FromLongLong(nraw[i]) : NULL;
        PyObject *sum = d != NULL ? PyNumber_Add(u, d) : NULL;
        Py_XDECREF(d);
        if (sum == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, ngroup[i]);
            goto done;
        }
        t = PyDict_SetItem(used, ngroup[i], sum);
        Py_DECREF(sum);
        if (t < 0)
            goto done;
    }
    if (n > 0 && (fresh_any || covered == NULL)) { /* the write's extents are covered now */
        PyObject *cov = covered;
        if (cov == NULL) {
            if ((cov = covered = PyDict_New()) == NULL || PyDict_SetItem(coverage, vid, cov) < 0)
                goto done;
        }
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(items, &pos, &key, &value))
            if (PyDict_SetItem(cov, key, Py_None) < 0)
                goto done;
    }
    if ((t = eq(kind, eva_original)) < 0)
        goto done;
    if (!t && PyObject_SetAttr(v, s_host_written, Py_True) < 0)
        goto done;
    result = DONE;
done:
    for (Py_ssize_t i = 0; i < planned; i++) {
        Py_DECREF(ncow[i]);
        Py_DECREF(ngroup[i]);
    }
    Py_XDECREF(fresh);
    Py_XDECREF(live);
    Py_XDECREF(needs);
    Py_XDECREF(used);
    Py_XDECREF(groups);
    Py_XDECREF(group);
    Py_XDECREF(dg);
    Py_XDECREF(cap);
    Py_XDECREF(vdisks);
    Py_XDECREF(v);
    Py_XDECREF(state);
    Py_XDECREF(pres);
    Py_XDECREF(data);
    Py_XDECREF(size);
    Py_XDECREF(ix);
    Py_XDECREF(kind);
    Py_XDECREF(vid);
    Py_XDECREF(families);
    Py_XDECREF(family);
    Py_XDECREF(coverage);
    Py_XDECREF(covered);
    Py_XDECREF(delta);
    return result;
}

/* EvaBackend._new_cow(vsnaps, extents) for the Python caller (see cow_needs). */
static PyObject *
new_cow(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "new_cow(vsnaps, extents)");
        return NULL;
    }
    return cow_needs(args[0], args[1]);
}

/* --- XP ----------------------------------------------------------------------------- */

/* A mirroring BC pair whose S-VOL passes a change no further (touch's second branch
 * finds nothing to do): no cascaded pair from the S-VOL, the S-VOL's own pair is this
 * one, the S-VOL is no CA S-VOL. 1 if so, 0 if touch must go on, -1 on error. */
static int
xp_mirror_ends(PyObject *pair, PyObject *by_pvol, PyObject *by_svol, PyObject *ldevs)
{
    PyObject *kind = PyObject_GetAttr(pair, s_kind);
    if (kind == NULL)
        return -1;
    int t = PyUnicode_Check(kind) ? PyUnicode_CompareWithASCIIString(kind, "CA") != 0 : 0;
    Py_DECREF(kind);
    if (t <= 0)
        return t; /* a CA pair passes every change to its remote S-VOL */
    PyObject *svol = PyObject_GetAttr(pair, s_svol);
    if (svol == NULL)
        return -1;
    int result = -1;
    if ((t = PyDict_Contains(by_pvol, svol)) != 0) {
        result = t < 0 ? -1 : 0;
        goto done;
    }
    PyObject *own = PyDict_GetItemWithError(by_svol, svol); /* borrowed */
    if (own != pair) {
        result = PyErr_Occurred() ? -1 : 0;
        goto done;
    }
    PyObject *ldev = PyDict_GetItemWithError(ldevs, svol); /* borrowed */
    if (ldev == NULL) {
        result = PyErr_Occurred() ? -1 : 0;
        goto done;
    }
    t = attr_true(ldev, s_ca_primary);
    result = t < 0 ? -1 : !t;
done:
    Py_DECREF(svol);
    return result;
}

/* What touch does for one pair of the P-VOL: 1 record in pdiff, 2 nothing, 0 more than
 * this code does (mirror to a cascaded, CA or remote volume), -1 on error. */
static int
xp_pdiff_case(PyObject *pair, PyObject *by_pvol, PyObject *by_svol, PyObject *ldevs)
{
    PyObject *state = PyObject_GetAttr(pair, s_state);
    if (state == NULL)
        return -1;
    int t = PySet_Contains(xp_tracking, state);
    if (t == 0 && (t = eq(state, xp_pair)) > 0)
        t = attr_true(pair, s_swap_freeze);
    if (t == 0) {
        t = PySet_Contains(xp_mirroring, state);
        if (t > 0) {
            t = xp_mirror_ends(pair, by_pvol, by_svol, ldevs);
            t = t < 0 ? -1 : (t ? 2 : 0);
        } else {
            t = t < 0 ? -1 : 2;
        }
    }
    Py_DECREF(state);
    return t;
}

/* XpBackend.touch(lid, set(items)) when every pair of the P-VOL records in pdiff (or is
 * in a state touch passes over, or mirrors to an S-VOL that passes it no further): 1
 * done, 0 declined (nothing changed), -1 on error. */
static int
xp_touch_simple(PyObject *ix, PyObject *lid, PyObject *own, PyObject *items, PyObject *by_svol,
                PyObject *ldevs)
{
    PyObject *by_pvol = PyObject_GetAttr(ix, s_by_pvol);
    if (by_pvol == NULL)
        return -1;
    int result = 0;
    PyObject *plist = NULL, *tracks = NULL;
    if (!PyDict_CheckExact(by_pvol))
        goto done;
    plist = PyDict_GetItemWithError(by_pvol, lid);
    if (plist == NULL && PyErr_Occurred()) {
        result = -1;
        goto done;
    }
    Py_XINCREF(plist);
    if (plist != NULL && !PyList_CheckExact(plist))
        goto done;
    Py_ssize_t n = plist != NULL ? PyList_GET_SIZE(plist) : 0;
    int cases[64];
    if (n > 64)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        int c = xp_pdiff_case(PyList_GET_ITEM(plist, i), by_pvol, by_svol, ldevs);
        if (c <= 0) {
            result = c;
            goto done;
        }
        cases[i] = c;
    }
    if ((tracks = PySet_New(items)) == NULL) {
        result = -1;
        goto done;
    }
    result = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (cases[i] != 1)
            continue;
        PyObject *pair = PyList_GET_ITEM(plist, i);
        PyObject *pdiff = PyObject_GetAttr(pair, s_pdiff);
        if (pdiff == NULL)
            goto done;
        PyObject *merged = PyNumber_InPlaceOr(pdiff, tracks);
        Py_DECREF(pdiff);
        if (merged == NULL)
            goto done;
        int err = PyObject_SetAttr(pair, s_pdiff, merged);
        Py_DECREF(merged);
        if (err < 0)
            goto done;
    }
    if (own != Py_None) {
        PyObject *ostate = PyObject_GetAttr(own, s_state);
        if (ostate == NULL)
            goto done;
        int t = PySet_Contains(xp_tracking, ostate);
        Py_DECREF(ostate);
        if (t < 0)
            goto done;
        if (t) {
            PyObject *sdiff = PyObject_GetAttr(own, s_sdiff);
            if (sdiff == NULL)
                goto done;
            PyObject *merged = PyNumber_InPlaceOr(sdiff, tracks);
            Py_DECREF(sdiff);
            if (merged == NULL)
                goto done;
            int err = PyObject_SetAttr(own, s_sdiff, merged);
            Py_DECREF(merged);
            if (err < 0)
                goto done;
        }
    }
    result = 1;
done:
    Py_DECREF(by_pvol);
    Py_XDECREF(plist);
    Py_XDECREF(tracks);
    return result;
}

/* XpBackend.block_write when no copy completion is scheduled, the LDEV is a plain one
 * (not reserved, not a CA S-VOL), its own BC pair (if any) lets hosts write and none of
 * its pairs is restoring it. */
static int
xp_write_impl(PyObject *self, PyObject *volume, PyObject *items)
{
    int result = FAILED, t;
    PyObject *due = NULL, *ldevs = NULL, *ldev = NULL, *ix = NULL, *count = NULL,
             *pairs = NULL, *lid = NULL, *by_svol = NULL, *own = NULL, *bc = NULL,
             *data = NULL, *size = NULL, *delta = NULL, *by_pvol = NULL;
    if (xp_none_due == NULL || !PyDict_CheckExact(items) || PyDict_GET_SIZE(items) == 0)
        return DECLINED;
    if ((due = PyObject_GetAttr(self, s_due)) == NULL)
        goto done;
    DECLINE_IF(due == Py_None); /* settle may have work: the Python code settles first */
    DECLINE_UNLESS(eq(due, xp_none_due));
    if ((ldevs = PyObject_GetAttr(self, s_ldevs)) == NULL)
        goto done;
    DECLINE_UNLESS(dict_item(ldevs, volume, &ldev)); /* another name for it: ldev() */
    DECLINE_IF(attr_true(ldev, s_reserved));
    DECLINE_IF(attr_true(ldev, s_ca_primary));
    if ((ix = PyObject_GetAttr(self, s_index)) == NULL)
        goto done;
    DECLINE_IF(ix == Py_None);
    if ((count = PyObject_GetAttr(ix, s_count)) == NULL
        || (pairs = PyObject_GetAttr(self, s_pairs)) == NULL)
        goto done;
    Py_ssize_t npairs = PyObject_Length(pairs);
    if (npairs < 0)
        goto done;
    long built = PyLong_AsLong(count);
    if (built == -1 && PyErr_Occurred())
        goto done;
    DECLINE_IF(built != (long)npairs); /* stale: the Python code rebuilds it */
    if ((lid = PyObject_GetAttr(ldev, s_id)) == NULL
        || (by_svol = PyObject_GetAttr(ix, s_by_svol)) == NULL)
        goto done;
    DECLINE_UNLESS(PyDict_CheckExact(by_svol));
    own = PyDict_GetItemWithError(by_svol, lid);
    if (own == NULL && PyErr_Occurred())
        goto done;
    own = own != NULL ? own : Py_None;
    Py_INCREF(own);
    if (own != Py_None) {
        PyObject *ostate = PyObject_GetAttr(own, s_state);
        if (ostate == NULL)
            goto done;
        t = PySet_Contains(xp_svol_writable, ostate);
        Py_DECREF(ostate);
        DECLINE_UNLESS(t);
    }
    if ((bc = PyObject_GetAttr(ix, s_bc_by_pvol)) == NULL)
        goto done;
    DECLINE_UNLESS(PyDict_CheckExact(bc));
    PyObject *bclist = PyDict_GetItemWithError(bc, lid); /* borrowed */
    if (bclist == NULL && PyErr_Occurred())
        goto done;
    if (bclist != NULL) {
        DECLINE_UNLESS(PyList_CheckExact(bclist));
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(bclist); i++) {
            PyObject *pstate = PyObject_GetAttr(PyList_GET_ITEM(bclist, i), s_state);
            if (pstate == NULL)
                goto done;
            t = eq(pstate, xp_copy_rs_r);
            Py_DECREF(pstate);
            DECLINE_IF(t);
        }
    }
    if ((data = PyObject_GetAttr(ldev, s_data)) == NULL
        || (size = PyObject_GetAttr(data, s_size_extents)) == NULL)
        goto done;
    DECLINE_UNLESS(keys_in_range(items, size));
    if ((by_pvol = PyObject_GetAttr(ix, s_by_pvol)) == NULL)
        goto done;
    int tracked = own != Py_None;
    if (!tracked && (tracked = PySequence_Contains(by_pvol, lid)) < 0)
        goto done;
    if ((delta = PyObject_GetAttr(data, s_delta)) == NULL)
        goto done;
    DECLINE_UNLESS(PyDict_CheckExact(delta));
    /* accepted: the changes of the Python code, in its order */
    if (PyDict_Update(delta, items) < 0)
        goto done;
    if (tracked) {
        t = xp_touch_simple(ix, lid, own, items, by_svol, ldevs);
        if (t < 0)
            goto done;
        if (t == 0) { /* a mirroring pair: the whole of touch, in Python */
            PyObject *tracks = PySet_New(items);
            if (tracks == NULL)
                goto done;
            PyObject *r = PyObject_CallMethodObjArgs(self, s_touch, lid, tracks, NULL);
            Py_DECREF(tracks);
            if (r == NULL)
                goto done;
            Py_DECREF(r);
        }
    }
    result = DONE;
done:
    Py_XDECREF(due);
    Py_XDECREF(ldevs);
    Py_XDECREF(ldev);
    Py_XDECREF(ix);
    Py_XDECREF(count);
    Py_XDECREF(pairs);
    Py_XDECREF(lid);
    Py_XDECREF(by_svol);
    Py_XDECREF(own);
    Py_XDECREF(bc);
    Py_XDECREF(data);
    Py_XDECREF(size);
    Py_XDECREF(delta);
    Py_XDECREF(by_pvol);
    return result;
}

/* --- the host ----------------------------------------------------------------------- */

/* arrays[name].block_write(volume, items, host=host): the array's own fast path when it
 * is an EVA or an XP and it accepts, else its Python method. */
static int
array_write(PyObject *array, PyObject *volume, PyObject *items, PyObject *host)
{
    int t = DECLINED;
    if (eva_type != NULL && Py_TYPE(array) == (PyTypeObject *)eva_type)
        t = eva_write_impl(array, volume, items, host);
    else if (xp_type != NULL && Py_TYPE(array) == (PyTypeObject *)xp_type)
        t = xp_write_impl(array, volume, items);
    if (t != DECLINED)
        return t;
    PyObject *method = PyObject_GetAttr(array, s_block_write);
    if (method == NULL)
        return FAILED;
    PyObject *args[3] = {volume, items, host};
    PyObject *r = PyObject_Vectorcall(method, args, 2, kw_host);
    Py_DECREF(method);
    if (r == NULL)
        return FAILED;
    Py_DECREF(r);
    return DONE;
}

/* FileOps.write_file for a cached dentry of a writable mount whose file lies in one PV
 * run (the direct map) and blocks inside the file. */
static int
host_write_impl(PyObject *self, PyObject *host_name, PyObject *path, PyObject *blocks)
{
    int result = FAILED, t;
    PyObject *caches = NULL, *hc = NULL, *files = NULL, *d = NULL, *host = NULL, *mnt = NULL,
             *entry = NULL, *length = NULL, *direct = NULL, *items = NULL, *name = NULL,
             *world = NULL, *arrays = NULL, *array = NULL;
    if (!PyDict_CheckExact(blocks))
        return DECLINED;
    if ((caches = PyObject_GetAttr(self, s_cache)) == NULL)
        goto done;
    DECLINE_UNLESS(dict_item(caches, host_name, &hc));
    if ((files = PyObject_GetAttr(hc, s_files)) == NULL)
        goto done;
    DECLINE_UNLESS(dict_item(files, path, &d));
    if ((host = PyObject_GetAttr(d, s_host)) == NULL)
        goto done;
    DECLINE_IF(attr_true(host, s_crashed));
    if ((mnt = PyObject_GetAttr(d, s_mnt)) == NULL)
        goto done;
    DECLINE_IF(attr_true(mnt, s_read_only));
    DECLINE_IF(attr_true(mnt, s_frozen));
    if ((entry = PyObject_GetAttr(d, s_entry)) == NULL
        || (length = PyObject_GetAttr(entry, s_length)) == NULL
        || (direct = PyObject_GetAttr(d, s_direct)) == NULL)
        goto done;
    DECLINE_IF(!PyTuple_CheckExact(direct) || PyTuple_GET_SIZE(direct) != 3
               || !PyLong_CheckExact(PyTuple_GET_ITEM(direct, 2)) || !PyLong_CheckExact(length));
    long base = PyLong_AsLong(PyTuple_GET_ITEM(direct, 2));
    if (base == -1 && PyErr_Occurred())
        goto done;
    long size = PyLong_AsLong(length);
    if (size == -1 && PyErr_Occurred())
        goto done;
    if ((items = PyDict_New()) == NULL)
        goto done;
    Py_ssize_t pos = 0;
    PyObject *block, *payload;
    while (PyDict_Next(blocks, &pos, &block, &payload)) {
        int overflow = 0;
        long b = PyLong_CheckExact(block) ? PyLong_AsLongAndOverflow(block, &overflow) : -1;
        DECLINE_IF(overflow || b < 0 || b >= size); /* EFBIG, or not an int: Python says */
        PyObject *extent = PyLong_FromLong(base + b);
        if (extent == NULL)
            goto done;
        t = PyDict_SetItem(items, extent, payload);
        Py_DECREF(extent);
        if (t < 0)
            goto done;
    }
    if ((name = PyObject_GetAttr(host, s_name)) == NULL
        || (world = PyObject_GetAttr(self, s_world)) == NULL
        || (arrays = PyObject_GetAttr(world, s_arrays)) == NULL)
        goto done;
    array = PyObject_GetItem(arrays, PyTuple_GET_ITEM(direct, 0));
    if (array == NULL)
        goto done;
    result = array_write(array, PyTuple_GET_ITEM(direct, 1), items, name);
done:
    Py_XDECREF(caches);
    Py_XDECREF(hc);
    Py_XDECREF(files);
    Py_XDECREF(d);
    Py_XDECREF(host);
    Py_XDECREF(mnt);
    Py_XDECREF(entry);
    Py_XDECREF(length);
    Py_XDECREF(direct);
    Py_XDECREF(items);
    Py_XDECREF(name);
    Py_XDECREF(world);
    Py_XDECREF(arrays);
    Py_XDECREF(array);
    return result;
}

/* --- the module ---------------------------------------------------------------------- */

static PyObject *
answer(int r)
{
    if (r < 0)
        return NULL;
    return PyBool_FromLong(r == DONE);
}

static PyObject *
eva_write(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "eva_write(backend, volume, items, host)");
        return NULL;
    }
    return answer(eva_write_impl(args[0], args[1], args[2], args[3]));
}

static PyObject *
xp_write(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "xp_write(backend, volume, items)");
        return NULL;
    }
    return answer(xp_write_impl(args[0], args[1], args[2]));
}

static PyObject *
host_write(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "host_write(hosts, host_name, path, blocks)");
        return NULL;
    }
    return answer(host_write_impl(args[0], args[1], args[2], args[3]));
}

static void
keep(PyObject **slot, PyObject *value)
{
    Py_INCREF(value);
    Py_XSETREF(*slot, value);
}

static PyObject *
configure_eva(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 || !PyType_Check(args[5]) || !PyDict_CheckExact(args[6])) {
        PyErr_SetString(PyExc_TypeError, "configure_eva(FAILED, INVALID, ORIGINAL, SNAPSHOT, "
                                         "VSNAP, EvaBackend, VRAID_OVERHEAD: dict)");
        return NULL;
    }
    keep(&eva_failed, args[0]);
    keep(&eva_invalid, args[1]);
    keep(&eva_original, args[2]);
    keep(&eva_snapshot, args[3]);
    keep(&eva_vsnap, args[4]);
    keep(&eva_type, args[5]);
    keep(&eva_overhead, args[6]);
    Py_RETURN_NONE;
}

static PyObject *
configure_xp(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 || !PyType_Check(args[6]) || !PyFrozenSet_Check(args[1])
        || !PyFrozenSet_Check(args[3]) || !PyFrozenSet_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "configure_xp(NONE_DUE, SVOL_WRITABLE, COPY_RS_R, TRACKING, MIRRORING, "
                        "PAIR, XpBackend)");
        return NULL;
    }
    keep(&xp_none_due, args[0]);
    keep(&xp_svol_writable, args[1]);
    keep(&xp_copy_rs_r, args[2]);
    keep(&xp_tracking, args[3]);
    keep(&xp_mirroring, args[4]);
    keep(&xp_pair, args[5]);
    keep(&xp_type, args[6]);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"host_write", (PyCFunction)(void (*)(void))host_write, METH_FASTCALL,
     "FileOps.write_file's usual case: True when written, False when declined unchanged."},
    {"eva_write", (PyCFunction)(void (*)(void))eva_write, METH_FASTCALL,
     "EvaBackend.block_write's usual case: True when written, False when declined."},
    {"new_cow", (PyCFunction)(void (*)(void))new_cow, METH_FASTCALL,
     "EvaBackend._new_cow: the extents each vsnap must newly allocate, by vsnap id."},
    {"xp_write", (PyCFunction)(void (*)(void))xp_write, METH_FASTCALL,
     "XpBackend.block_write's usual case: True when written, False when declined."},
    {"configure_eva", (PyCFunction)(void (*)(void))configure_eva, METH_FASTCALL,
     "The EVA's states, kinds and backend type the write path compares with."},
    {"configure_xp", (PyCFunction)(void (*)(void))configure_xp, METH_FASTCALL,
     "The XP's pair states and backend type the write path compares with."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_iopathc",
    "Compiled usual case of the host write path (host, EVA, XP).", -1, methods,
};

#define INTERN(var, text)                                                                  \
    if ((var = PyUnicode_InternFromString(text)) == NULL)                                  \
        return NULL;

PyMODINIT_FUNC
PyInit__iopathc(void)
{
    INTERN(s_cache, "_cache");
    INTERN(s_files, "files");
    INTERN(s_host, "host");
    INTERN(s_crashed, "crashed");
    INTERN(s_mnt, "mnt");
    INTERN(s_read_only, "read_only");
    INTERN(s_frozen, "frozen");
    INTERN(s_entry, "entry");
    INTERN(s_length, "length");
    INTERN(s_direct, "direct");
    INTERN(s_name, "name");
    INTERN(s_world, "world");
    INTERN(s_arrays, "arrays");
    INTERN(s_block_write, "block_write");
    INTERN(s_vdisks, "vdisks");
    INTERN(s_state, "state");
    INTERN(s_presentations, "presentations");
    INTERN(s_data, "data");
    INTERN(s_size_extents, "size_extents");
    INTERN(s_ix, "_ix");
    INTERN(s_kind, "kind");
    INTERN(s_id, "id");
    INTERN(s_family, "family");
    INTERN(s_covered, "covered");
    INTERN(s_delta, "delta");
    INTERN(s_host_written, "host_written");
    INTERN(s_due, "_due");
    INTERN(s_ldevs, "ldevs");
    INTERN(s_reserved, "reserved");
    INTERN(s_index, "_index");
    INTERN(s_count, "count");
    INTERN(s_pairs, "pairs");
    INTERN(s_by_svol, "by_svol");
    INTERN(s_by_pvol, "by_pvol");
    INTERN(s_bc_by_pvol, "bc_by_pvol");
    INTERN(s_ca_primary, "ca_primary");
    INTERN(s_swap_freeze, "swap_freeze");
    INTERN(s_pdiff, "pdiff");
    INTERN(s_sdiff, "sdiff");
    INTERN(s_touch, "touch");
    INTERN(s_svol, "svol");
    INTERN(s_cow, "cow");
    INTERN(s_vraid, "vraid");
    INTERN(s_disk_group, "disk_group");
    INTERN(s_disk_groups, "disk_groups");
    INTERN(s_capacity_extents, "capacity_extents");
    INTERN(s_used, "used");
    if ((kw_host = Py_BuildValue("(s)", "host")) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
