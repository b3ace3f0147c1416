/* The body of the __init__ frozen_init.fast_init gives a frozen dataclass: every field
 * value stored with the generic attribute store object.__setattr__ makes (so a frozen
 * class's own __setattr__, which refuses, is bypassed exactly as the dataclass's
 * __init__ bypasses it), in declaration order, in one call instead of one Python-level
 * call per field. tests/unit/test_frozen_init.py compares it with the dataclass's own.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* fill(self, names, *values): self.<names[i]> = values[i], as object.__setattr__ does. */
static PyObject *
fill(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 2 || !PyTuple_CheckExact(args[1])
        || PyTuple_GET_SIZE(args[1]) != nargs - 2) {
        PyErr_SetString(PyExc_TypeError, "fill(self, names, *values): one value per name");
        return NULL;
    }
    PyObject *self = args[0], *names = args[1];
    for (Py_ssize_t i = 2; i < nargs; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i - 2);
        if (!PyUnicode_CheckExact(name)) {
            PyErr_SetString(PyExc_TypeError, "fill: a field name must be a str");
            return NULL;
        }
        if (PyObject_GenericSetAttr(self, name, args[i]) < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"fill", (PyCFunction)(void (*)(void))fill, METH_FASTCALL,
     "fill(self, names, *values): each field stored as object.__setattr__ stores it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_frozenc", "Compiled body of frozen dataclasses' __init__.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__frozenc(void)
{
    return PyModule_Create(&module);
}
