/* The compiled twin of replica_cache.plain_copy: a deep copy of what json.loads returns.
 *
 * Exact dicts and lists are copied (new containers, in the same order, with the same
 * keys), exact JSON scalars (str, int, float, bool, None) are shared; any other value is
 * handed to the Python function given to configure() (a frozen model is shared there,
 * anything else deep-copied), so only the loop over containers is compiled and the
 * result is what the Python reference gives (tests/unit/idb/test_json_columns.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *other_copy; /* the Python copy of a value that is no JSON container */

static int
is_scalar(PyObject *v)
{
    return v == Py_None || PyUnicode_CheckExact(v) || PyLong_CheckExact(v) || PyBool_Check(v)
           || PyFloat_CheckExact(v);
}

static PyObject *copy_value(PyObject *value);

static PyObject *
copy_dict(PyObject *d)
{
    Py_ssize_t pos = 0;
    PyObject *key, *item;
    int plain = 1;
    while (PyDict_Next(d, &pos, &key, &item)) {
        if (!is_scalar(item)) {
            plain = 0;
            break;
        }
    }
    if (plain)
        return PyDict_Copy(d);
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    pos = 0;
    while (PyDict_Next(d, &pos, &key, &item)) {
        PyObject *copied = copy_value(item);
        if (copied == NULL || PyDict_SetItem(out, key, copied) < 0) {
            Py_XDECREF(copied);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(copied);
    }
    return out;
}

static PyObject *
copy_list(PyObject *l)
{
    Py_ssize_t n = PyList_GET_SIZE(l);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        /* a copy of an item may run Python (the other copy), which may change the list */
        if (i >= PyList_GET_SIZE(l)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_RuntimeError, "list changed size during plain_copy");
            return NULL;
        }
        PyObject *copied = copy_value(PyList_GET_ITEM(l, i));
        if (copied == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, copied);
    }
    return out;
}

static PyObject *
copy_value(PyObject *value)
{
    if (is_scalar(value))
        return Py_NewRef(value);
    if (Py_EnterRecursiveCall(" in plain_copy"))
        return NULL;
    PyObject *out;
    if (PyDict_CheckExact(value))
        out = copy_dict(value);
    else if (PyList_CheckExact(value))
        out = copy_list(value);
    else if (other_copy == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_copyc.configure was not called");
        out = NULL;
    }
    else
        out = PyObject_CallOneArg(other_copy, value);
    Py_LeaveRecursiveCall();
    return out;
}

static PyObject *
plain_copy(PyObject *module, PyObject *value)
{
    return copy_value(value);
}

static PyObject *
configure(PyObject *module, PyObject *other)
{
    if (!PyCallable_Check(other)) {
        PyErr_SetString(PyExc_TypeError, "configure: the other copy must be callable");
        return NULL;
    }
    Py_XSETREF(other_copy, Py_NewRef(other));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"plain_copy", plain_copy, METH_O,
     "replica_cache.plain_copy: new dicts and lists, JSON scalars shared."},
    {"configure", configure, METH_O,
     "The Python copy of a value that is no JSON container or scalar."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_copyc", "Compiled copy of the IDB cache's JSON parts.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__copyc(void)
{
    return PyModule_Create(&module);
}
