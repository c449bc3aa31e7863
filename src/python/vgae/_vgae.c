/* vgae._vgae: the CPython extension under the vgae Python module (vgae/__init__.py).
 *
 * A thin layer over libvgae's public API. Arrays come in through the buffer
 * protocol (numpy arrays, C-contiguous, of the dtypes the Python layer
 * prepares) and are read in place; results go out as bytes that the Python
 * layer views with numpy.frombuffer. Library objects live in capsules that
 * free them. Training releases the GIL; Ctrl-C during a fit interrupts it
 * at the next epoch (vgae_ctx_interrupt) and raises KeyboardInterrupt. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgae/vgae.h"

/* ---- errors ---- */

/* Raises the Python exception that matches the context's error, with its message. */
static PyObject *raise_ctx(vgae_ctx *ctx)
{
    PyObject *type;
    switch (vgae_ctx_status(ctx)) {
    case VGAE_ENOMEM: type = PyExc_MemoryError; break;
    case VGAE_EIO: type = PyExc_OSError; break;
    case VGAE_ENOTFOUND: type = PyExc_FileNotFoundError; break;
    case VGAE_EINTR: type = PyExc_KeyboardInterrupt; break;
    case VGAE_EFORMAT:
    case VGAE_EUNSUPPORTED:
    case VGAE_ERANGE:
    case VGAE_EINVAL: type = PyExc_ValueError; break;
    default: type = PyExc_RuntimeError; break;
    }
    PyErr_SetString(type, vgae_ctx_message(ctx));
    vgae_ctx_clear(ctx);
    return NULL;
}

static vgae_ctx *new_ctx(uint64_t seed, int threads)
{
    vgae_ctx *ctx = vgae_ctx_new();
    if (!ctx) {
        PyErr_NoMemory();
        return NULL;
    }
    vgae_ctx_set_seed(ctx, seed);
    vgae_ctx_set_threads(ctx, threads);
    return ctx;
}

/* ---- capsules ---- */

#define CAP_DATASET "vgae.dataset"
#define CAP_SPLIT "vgae.split"
#define CAP_GAE "vgae.graph_ae"
#define CAP_VAE "vgae.image_vae"

static void free_dataset(PyObject *cap)
{
    vgae_dataset_free(PyCapsule_GetPointer(cap, CAP_DATASET));
}

static void free_split(PyObject *cap)
{
    vgae_split_free(PyCapsule_GetPointer(cap, CAP_SPLIT));
}

/* A model with the context it trains on (its seed and random streams). */
typedef struct {
    vgae_ctx *ctx;
    vgae_graph_ae *gae;
    vgae_image_vae *vae;
} model_box;

static void free_box(model_box *b)
{
    if (!b)
        return;
    vgae_graph_ae_free(b->gae);
    vgae_image_vae_free(b->vae);
    vgae_ctx_free(b->ctx);
    free(b);
}

static void free_gae(PyObject *cap)
{
    free_box(PyCapsule_GetPointer(cap, CAP_GAE));
}

static void free_vae(PyObject *cap)
{
    free_box(PyCapsule_GetPointer(cap, CAP_VAE));
}

static model_box *new_box(uint64_t seed, int threads)
{
    model_box *b = calloc(1, sizeof *b);
    if (!b) {
        PyErr_NoMemory();
        return NULL;
    }
    if (!(b->ctx = new_ctx(seed, threads))) {
        free(b);
        return NULL;
    }
    return b;
}

/* ---- Ctrl-C during a fit ---- */

static vgae_ctx *volatile sigint_target;
static unsigned long main_thread;

static void on_sigint(int sig)
{
    (void)sig;
    vgae_ctx *ctx = sigint_target;
    if (ctx)
        vgae_ctx_interrupt(ctx);
}

typedef struct {
    int installed;
    struct sigaction old;
} sigint_guard;

/* From the main thread only (Python's own handler stays elsewhere). */
static void guard_on(sigint_guard *g, vgae_ctx *ctx)
{
    g->installed = 0;
    if (PyThread_get_thread_ident() != main_thread)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigint_target = ctx;
    g->installed = sigaction(SIGINT, &sa, &g->old) == 0;
}

static void guard_off(sigint_guard *g)
{
    if (g->installed)
        sigaction(SIGINT, &g->old, NULL);
    sigint_target = NULL;
}

/* ---- buffers ---- */

/* Checks a buffer holds n items of itemsize bytes. */
static int check_buf(const Py_buffer *b, Py_ssize_t n, Py_ssize_t itemsize, const char *what)
{
    if (b->len != n * itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, expected %zd", what, b->len, n * itemsize);
        return -1;
    }
    return 0;
}

/* A matrix as (rows, cols, bytearray of its values): numpy views the
 * bytearray as a writable array without another copy. Destroys m. */
static PyObject *mat_result(vgae_mat *m)
{
    PyObject *data = PyByteArray_FromStringAndSize((const char *)m->data,
                                                   (Py_ssize_t)(m->rows * m->cols * (int64_t)sizeof(vgae_real)));
    const long long rows = m->rows, cols = m->cols;
    vgae_mat_destroy(m);
    return data ? Py_BuildValue("(LLN)", rows, cols, data) : NULL;
}

/* ---- datasets ---- */

static PyObject *dataset_info(const vgae_dataset *ds)
{
    return Py_BuildValue("{s:i,s:L,s:i,s:i,s:s,s:s}", "nodes", ds->graph->n, "edges",
                         (long long)ds->graph->n_edges, "features", ds->features ? ds->features->cols : 0,
                         "classes", ds->labels ? ds->labels->n_classes : 0, "note",
                         ds->note ? ds->note : NULL, "name", ds->name ? ds->name : NULL);
}

/* load_dataset(name or None, graph_path or None) -> (capsule, info dict) */
static PyObject *py_load_dataset(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name, *path;
    if (!PyArg_ParseTuple(args, "zz", &name, &path))
        return NULL;
    vgae_ctx *ctx = new_ctx(0, 1);
    if (!ctx)
        return NULL;
    vgae_dataset *ds = NULL;
    vgae_dataset_source src = {name, path, NULL, NULL, VGAE_FORMAT_AUTO};
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_dataset_load(ctx, &src, getenv("VGAE_DATA"), &ds);
    Py_END_ALLOW_THREADS
    if (st) {
        raise_ctx(ctx);
        vgae_ctx_free(ctx);
        return NULL;
    }
    vgae_ctx_free(ctx);
    PyObject *cap = PyCapsule_New(ds, CAP_DATASET, free_dataset);
    if (!cap) {
        vgae_dataset_free(ds);
        return NULL;
    }
    return Py_BuildValue("(NN)", cap, dataset_info(ds));
}

/* dataset_from_pairs(n, pairs int32 (m x 2), features (rows, cols, indptr int64,
 * indices int32, data float32) or None, labels int32 or None, names list or None) */
static PyObject *py_dataset_from_pairs(PyObject *self, PyObject *args)
{
    (void)self;
    int n;
    Py_buffer pairs;
    PyObject *feat, *labels, *names;
    if (!PyArg_ParseTuple(args, "iy*OOO", &n, &pairs, &feat, &labels, &names))
        return NULL;
    vgae_ctx *ctx = new_ctx(0, 1);
    vgae_dataset *ds = NULL;
    PyObject *result = NULL;
    if (!ctx)
        goto out;
    if (pairs.len % (2 * (Py_ssize_t)sizeof(int32_t))) {
        PyErr_SetString(PyExc_ValueError, "pairs: not a whole number of int32 pairs");
        goto out;
    }
    if (!(ds = calloc(1, sizeof *ds))) {
        PyErr_NoMemory();
        goto out;
    }
    if (vgae_graph_from_pairs(ctx, n, pairs.len / (2 * (Py_ssize_t)sizeof(int32_t)), pairs.buf, 0,
                              &ds->graph)) {
        raise_ctx(ctx);
        goto out;
    }
    if (names != Py_None) {
        Py_ssize_t k = PySequence_Length(names);
        if (k != n) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "names: %zd names for %d nodes", k, n);
            goto out;
        }
        if (!(ds->graph->names = calloc((size_t)n, sizeof(char *)))) {
            PyErr_NoMemory();
            goto out;
        }
        for (Py_ssize_t i = 0; i < k; i++) {
            PyObject *s = PySequence_GetItem(names, i);
            PyObject *str = s ? PyObject_Str(s) : NULL;
            const char *u = str ? PyUnicode_AsUTF8(str) : NULL;
            char *copy = u ? strdup(u) : NULL;
            Py_XDECREF(s);
            Py_XDECREF(str);
            if (!copy) {
                if (!PyErr_Occurred())
                    PyErr_NoMemory();
                goto out;
            }
            ds->graph->names[i] = copy;
        }
    }
    if (feat != Py_None) {
        int rows, cols;
        Py_buffer ip, ix, dv;
        if (!PyArg_ParseTuple(feat, "iiy*y*y*", &rows, &cols, &ip, &ix, &dv))
            goto out;
        const Py_ssize_t nnz = ix.len / (Py_ssize_t)sizeof(int32_t);
        int bad = rows != n ? (PyErr_Format(PyExc_ValueError, "features have %d rows for %d nodes", rows, n), 1)
                            : check_buf(&ip, (Py_ssize_t)rows + 1, sizeof(int64_t), "features indptr") ||
                                  check_buf(&dv, nnz, sizeof(float), "features data");
        if (!bad && vgae_csr_new(ctx, rows, cols, nnz, &ds->features)) {
            raise_ctx(ctx);
            bad = 1;
        }
        if (!bad) {
            memcpy(ds->features->rowptr, ip.buf, (size_t)ip.len);
            memcpy(ds->features->col, ix.buf, (size_t)ix.len);
            memcpy(ds->features->val, dv.buf, (size_t)dv.len);
            const int64_t *rp = ds->features->rowptr;
            for (int r = 0; !bad && r < rows; r++)
                bad = rp[r] > rp[r + 1];
            if (!bad && (rp[0] != 0 || rp[rows] != nnz))
                bad = 1;
            for (Py_ssize_t k = 0; !bad && k < nnz; k++)
                bad = ds->features->col[k] < 0 || ds->features->col[k] >= cols;
            if (bad)
                PyErr_SetString(PyExc_ValueError, "features: not a valid CSR matrix");
        }
        PyBuffer_Release(&ip);
        PyBuffer_Release(&ix);
        PyBuffer_Release(&dv);
        if (bad)
            goto out;
    }
    if (labels != Py_None) {
        Py_buffer lb;
        if (PyObject_GetBuffer(labels, &lb, PyBUF_C_CONTIGUOUS) < 0)
            goto out;
        int bad = check_buf(&lb, n, sizeof(int32_t), "labels");
        if (!bad && !(ds->labels = calloc(1, sizeof *ds->labels)))
            bad = (PyErr_NoMemory(), 1);
        if (!bad && !(ds->labels->y = malloc((size_t)n * sizeof(int32_t) + 1)))
            bad = (PyErr_NoMemory(), 1);
        if (!bad) {
            memcpy(ds->labels->y, lb.buf, (size_t)n * sizeof(int32_t));
            ds->labels->n = n;
            int32_t max = -1;
            for (int i = 0; i < n; i++) {
                if (ds->labels->y[i] < -1) {
                    PyErr_Format(PyExc_ValueError, "labels: node %d has label %d (classes are 0.., -1 = none)",
                                 i, ds->labels->y[i]);
                    bad = 1;
                    break;
                }
                if (ds->labels->y[i] > max)
                    max = ds->labels->y[i];
                ds->labels->n_unlabelled += ds->labels->y[i] < 0;
            }
            if (!bad) {
                char *seen = calloc((size_t)max + 2, 1);
                if (!seen)
                    bad = (PyErr_NoMemory(), 1);
                for (int i = 0; !bad && i < n; i++)
                    if (ds->labels->y[i] >= 0 && !seen[ds->labels->y[i]]) {
                        seen[ds->labels->y[i]] = 1;
                        ds->labels->n_classes++;
                    }
                free(seen);
            }
        }
        PyBuffer_Release(&lb);
        if (bad)
            goto out;
    }
    {
        PyObject *cap = PyCapsule_New(ds, CAP_DATASET, free_dataset);
        if (!cap)
            goto out;
        const vgae_dataset *keep = ds;
        ds = NULL;
        result = Py_BuildValue("(NN)", cap, dataset_info(keep));
    }
out:
    PyBuffer_Release(&pairs);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return result;
}

/* dataset_arrays(ds) -> (n, rowptr bytes int64, adj bytes int32, features or None,
 * labels bytes or None, names list or None) */
static PyObject *py_dataset_arrays(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    if (!PyArg_ParseTuple(args, "O", &cap))
        return NULL;
    const vgae_dataset *ds = PyCapsule_GetPointer(cap, CAP_DATASET);
    if (!ds)
        return NULL;
    const vgae_graph *g = ds->graph;
    const int64_t m2 = g->rowptr[g->n];
    PyObject *feat = Py_None, *labels = Py_None, *names = Py_None;
    Py_INCREF(Py_None);
    Py_INCREF(Py_None);
    Py_INCREF(Py_None);
    if (ds->features) {
        const vgae_csr *f = ds->features;
        Py_DECREF(feat);
        feat = Py_BuildValue("(iiy#y#y#)", f->rows, f->cols, (const char *)f->rowptr,
                             (Py_ssize_t)((f->rows + 1) * sizeof(int64_t)), (const char *)f->col,
                             (Py_ssize_t)(f->nnz * sizeof(int32_t)), (const char *)f->val,
                             (Py_ssize_t)(f->nnz * sizeof(float)));
    }
    if (ds->labels) {
        Py_DECREF(labels);
        labels = PyBytes_FromStringAndSize((const char *)ds->labels->y, (Py_ssize_t)g->n * 4);
    }
    if (g->names) {
        Py_DECREF(names);
        names = PyList_New(g->n);
        for (int i = 0; names && i < g->n; i++) {
            PyObject *s = PyUnicode_FromString(g->names[i]);
            if (!s) {
                Py_CLEAR(names);
                break;
            }
            PyList_SET_ITEM(names, i, s);
        }
    }
    if (!feat || !labels || !names) {
        Py_XDECREF(feat);
        Py_XDECREF(labels);
        Py_XDECREF(names);
        return NULL;
    }
    return Py_BuildValue("(iy#y#NNN)", g->n, (const char *)g->rowptr, (Py_ssize_t)((g->n + 1) * sizeof(int64_t)),
                         (const char *)g->adj, (Py_ssize_t)(m2 * sizeof(int32_t)), feat, labels, names);
}

/* ---- splits ---- */

static PyObject *split_info(const vgae_split *s)
{
    return Py_BuildValue("{s:L,s:L,s:L,s:L,s:d,s:d}", "train", (long long)s->n_train, "val", (long long)s->n_val,
                         "test", (long long)s->n_test, "hard_negatives", (long long)s->n_hard, "val_frac",
                         s->val_frac, "test_frac", s->test_frac);
}

static PyObject *wrap_split(vgae_split *s)
{
    PyObject *cap = PyCapsule_New(s, CAP_SPLIT, free_split);
    if (!cap) {
        vgae_split_free(s);
        return NULL;
    }
    return Py_BuildValue("(NN)", cap, split_info(s));
}

/* split_make(ds, val, test, hard_negatives (-1: auto), seed) */
static PyObject *py_split_make(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *dcap;
    double val, test;
    long long hard;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "OddLK", &dcap, &val, &test, &hard, &seed))
        return NULL;
    const vgae_dataset *ds = PyCapsule_GetPointer(dcap, CAP_DATASET);
    if (!ds)
        return NULL;
    vgae_ctx *ctx = new_ctx(seed, 1);
    if (!ctx)
        return NULL;
    vgae_linkpred_protocol p = vgae_linkpred_protocol_defaults();
    p.val_frac = val;
    p.test_frac = test;
    p.hard_negatives = hard;
    vgae_split *s = NULL;
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_linkpred_split(ctx, ds->graph, &p, &s);
    Py_END_ALLOW_THREADS
    PyObject *r = st ? raise_ctx(ctx) : wrap_split(s);
    vgae_ctx_free(ctx);
    return r;
}

/* split_save(split, path, ds, seed) */
static PyObject *py_split_save(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *scap, *dcap;
    const char *path;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "OsOK", &scap, &path, &dcap, &seed))
        return NULL;
    const vgae_split *s = PyCapsule_GetPointer(scap, CAP_SPLIT);
    const vgae_dataset *ds = PyCapsule_GetPointer(dcap, CAP_DATASET);
    if (!s || !ds)
        return NULL;
    vgae_ctx *ctx = new_ctx(0, 1);
    if (!ctx)
        return NULL;
    PyObject *r = vgae_split_write(ctx, path, s, ds->graph, seed) ? raise_ctx(ctx) : (Py_INCREF(Py_None), Py_None);
    vgae_ctx_free(ctx);
    return r;
}

/* split_load(path, ds, force) -> (capsule, info, seed) */
static PyObject *py_split_load(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *dcap;
    const char *path;
    int force;
    if (!PyArg_ParseTuple(args, "sOp", &path, &dcap, &force))
        return NULL;
    const vgae_dataset *ds = PyCapsule_GetPointer(dcap, CAP_DATASET);
    if (!ds)
        return NULL;
    vgae_ctx *ctx = new_ctx(0, 1);
    if (!ctx)
        return NULL;
    vgae_split *s = NULL;
    uint64_t seed = 0;
    PyObject *r = vgae_split_read(ctx, path, ds->graph, force, &s, &seed) ? raise_ctx(ctx) : wrap_split(s);
    vgae_ctx_free(ctx);
    return r ? Py_BuildValue("(NK)", r, (unsigned long long)seed) : NULL;
}

/* split_pairs(split, set) -> bytes of int32 pairs */
static PyObject *py_split_pairs(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *scap;
    int set;
    if (!PyArg_ParseTuple(args, "Oi", &scap, &set))
        return NULL;
    const vgae_split *s = PyCapsule_GetPointer(scap, CAP_SPLIT);
    if (!s)
        return NULL;
    if (set < VGAE_SET_TRAIN || set > VGAE_SET_TEST_HARD)
        return PyErr_Format(PyExc_ValueError, "no split set %d", set);
    int64_t n = 0;
    const vgae_pair *p = vgae_split_pairs(s, (vgae_split_set)set, &n);
    return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)(n * (int64_t)sizeof(vgae_pair)));
}

/* ---- graph autoencoders ---- */

/* Sets options from a dict of name: value (the CLI's option names, with _). */
static int set_options(vgae_graph_ae_options *o, PyObject *dict)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (!k)
            return -1;
        if (value == Py_None)
            continue;
#define INT_OPT(name, field)                          \
    if (strcmp(k, name) == 0) {                       \
        long x = PyLong_AsLong(value);                \
        if (x == -1 && PyErr_Occurred())              \
            return -1;                                \
        o->field = (int)x;                            \
        continue;                                     \
    }
#define REAL_OPT(name, field)                         \
    if (strcmp(k, name) == 0) {                       \
        double x = PyFloat_AsDouble(value);           \
        if (x == -1 && PyErr_Occurred())              \
            return -1;                                \
        o->field = x;                                 \
        continue;                                     \
    }
        INT_OPT("kind", kind)
        INT_OPT("hidden", hidden)
        INT_OPT("latent", latent)
        INT_OPT("epochs", epochs)
        INT_OPT("loss", loss)
        INT_OPT("features", features)
        INT_OPT("structure_input", structure_input)
        INT_OPT("condition", condition)
        INT_OPT("classes", classes)
        INT_OPT("layers", layers)
        INT_OPT("propagation", propagation)
        INT_OPT("bias", bias)
        INT_OPT("norm", norm)
        INT_OPT("residual", residual)
        INT_OPT("l2_learn", l2_learn)
        INT_OPT("decoder", decoder)
        INT_OPT("decoder_hidden", decoder_hidden)
        INT_OPT("degree_term", degree_term)
        INT_OPT("negatives", negatives)
        INT_OPT("val_every", val_every)
        INT_OPT("select", select)
        INT_OPT("patience", patience)
        REAL_OPT("lr", lr)
        REAL_OPT("beta", beta)
        REAL_OPT("dropout", dropout)
        REAL_OPT("l2_scale", l2_scale)
        REAL_OPT("mask_rate", mask_rate)
        REAL_OPT("adversarial", adversarial)
        REAL_OPT("weight_decay", weight_decay)
        REAL_OPT("encoder_decay", encoder_decay)
        REAL_OPT("kl_warmup", kl.warmup)
        INT_OPT("kl_cycles", kl.cycles)
        REAL_OPT("kl_ratio", kl.ratio)
        REAL_OPT("capacity", kl.capacity)
        REAL_OPT("capacity_epochs", kl.capacity_epochs)
        REAL_OPT("capacity_gamma", kl.gamma)
#undef INT_OPT
#undef REAL_OPT
        if (strcmp(k, "kl_anneal") == 0) {
            const char *name = PyUnicode_AsUTF8(value);
            vgae_kl_anneal a;
            if (!name)
                return -1;
            if (vgae_kl_anneal_from_name(NULL, name, &a) != VGAE_OK) {
                PyErr_Format(PyExc_ValueError, "unknown KL annealing '%s' (constant, linear or cyclical)", name);
                return -1;
            }
            o->kl.anneal = a;
            continue;
        }
        if (strcmp(k, "hops") == 0) {
            PyObject *seq = PySequence_Fast(value, "hops: a sequence of ints");
            if (!seq)
                return -1;
            Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
            for (int l = 0; l < VGAE_MAX_LAYERS && n > 0; l++) {
                long h = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, l < n ? l : n - 1));
                if (h == -1 && PyErr_Occurred()) {
                    Py_DECREF(seq);
                    return -1;
                }
                o->hops[l] = (int)h;
            }
            Py_DECREF(seq);
            continue;
        }
        PyErr_Format(PyExc_TypeError, "unknown model option '%s'", k);
        return -1;
    }
    return 0;
}

/* recipe(name, features) -> dict of the recipe's options over the defaults */
static PyObject *options_dict(const vgae_graph_ae_options *o)
{
    PyObject *hops = PyList_New(o->layers);
    for (int l = 0; hops && l < o->layers; l++)
        PyList_SET_ITEM(hops, l, PyLong_FromLong(o->hops[l]));
    if (!hops)
        return NULL;
    return Py_BuildValue(
        "{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,"
        "s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:N}",
        "kind", o->kind, "hidden", o->hidden, "latent", o->latent, "epochs", o->epochs, "loss", o->loss,
        "features", o->features, "structure_input", o->structure_input, "layers", o->layers, "propagation",
        o->propagation, "bias", o->bias, "norm", o->norm, "residual", o->residual, "l2_learn", o->l2_learn,
        "decoder", o->decoder, "decoder_hidden", o->decoder_hidden, "degree_term", o->degree_term, "negatives",
        o->negatives, "val_every", o->val_every, "select", o->select, "patience", o->patience, "condition",
        o->condition, "classes", o->classes, "lr", o->lr,
        "beta", o->beta, "dropout", o->dropout, "l2_scale", o->l2_scale, "mask_rate", o->mask_rate,
        "adversarial", o->adversarial, "weight_decay", o->weight_decay, "encoder_decay", o->encoder_decay,
        "hops", hops);
}

static PyObject *py_recipe(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name;
    int features;
    if (!PyArg_ParseTuple(args, "sp", &name, &features))
        return NULL;
    vgae_graph_ae_options o;
    if (vgae_graph_ae_recipe(NULL, name, features, &o)) {
        PyErr_Format(PyExc_ValueError, "unknown recipe '%s' (kipf2016 or tuned)", name);
        return NULL;
    }
    return options_dict(&o);
}

static PyObject *set_dict(const vgae_set_figures *f, const vgae_hits_ks *ks, const char *prefix, PyObject *d)
{
    char key[64];
#define PUT(name, x)                                                   \
    do {                                                               \
        snprintf(key, sizeof key, "%s_%s", prefix, name);              \
        PyObject *v = PyFloat_FromDouble(x);                           \
        if (!v || PyDict_SetItemString(d, key, v) < 0) {               \
            Py_XDECREF(v);                                             \
            return NULL;                                               \
        }                                                              \
        Py_DECREF(v);                                                  \
    } while (0)
    PUT("auc", f->auc);
    PUT("ap", f->ap);
    char name[32];
    for (int i = 0; i < ks->n; i++) {
        snprintf(name, sizeof name, "hits@%d", ks->k[i]);
        PUT(name, f->hits[i]);
    }
    PUT("mrr", f->mrr);
    for (int i = 0; i < ks->n; i++) {
        snprintf(name, sizeof name, "hard_hits@%d", ks->k[i]);
        PUT(name, f->hard_hits[i]);
    }
#undef PUT
    return d;
}

static PyObject *figures_dict(const vgae_link_figures *f)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    if (!set_dict(&f->test, &f->ks, "test", d) || !set_dict(&f->val, &f->ks, "val", d)) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* gae_new(ds, split, options dict, seed, threads) -> capsule */
static PyObject *py_gae_new(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *dcap, *scap, *opts;
    unsigned long long seed;
    int threads;
    if (!PyArg_ParseTuple(args, "OOO!Ki", &dcap, &scap, &PyDict_Type, &opts, &seed, &threads))
        return NULL;
    const vgae_dataset *ds = PyCapsule_GetPointer(dcap, CAP_DATASET);
    if (!ds)
        return NULL;
    const vgae_split *given = scap == Py_None ? NULL : PyCapsule_GetPointer(scap, CAP_SPLIT);
    if (scap != Py_None && !given)
        return NULL;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    if (set_options(&o, opts) < 0)
        return NULL;
    model_box *b = new_box(seed, threads);
    if (!b)
        return NULL;
    vgae_split *own = NULL;
    vgae_status st = VGAE_OK;
    Py_BEGIN_ALLOW_THREADS
    /* as vgae train: without a split, the split is drawn first, from the model's seed */
    if (!given) {
        vgae_linkpred_protocol p = vgae_linkpred_protocol_defaults();
        st = vgae_linkpred_split(b->ctx, ds->graph, &p, &own);
    }
    if (!st)
        st = vgae_graph_ae_new(b->ctx, &o, ds, given ? given : own, &b->gae);
    Py_END_ALLOW_THREADS
    vgae_split_free(own);
    if (st) {
        raise_ctx(b->ctx);
        free_box(b);
        return NULL;
    }
    PyObject *cap = PyCapsule_New(b, CAP_GAE, free_gae);
    if (!cap)
        free_box(b);
    return cap;
}

/* A fit's history, one row per reported epoch. */
typedef struct {
    double (*rows)[6]; /* epoch, loss, nll, kl, val_auc, val_ap */
    int n, cap, verbose, epochs;
    double seconds;
} history;

static void on_epoch(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                     double seconds)
{
    history *h = user;
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 64;
        void *grown = realloc(h->rows, (size_t)cap * sizeof *h->rows);
        if (!grown)
            return;
        h->rows = grown;
        h->cap = cap;
    }
    double *r = h->rows[h->n++];
    r[0] = epoch;
    r[1] = t->loss;
    r[2] = t->nll;
    r[3] = t->kl;
    r[4] = val_auc;
    r[5] = val_ap;
    h->seconds = seconds;
    if (h->verbose) {
        fprintf(stderr, "epoch %4d/%d  loss %.5f  val AUC %.4f  AP %.4f  %6.1f s\n", epoch, h->epochs, t->loss,
                val_auc, val_ap, seconds);
        fflush(stderr);
    }
}

/* gae_fit(model, every, verbose) -> (result dict, history list) */
static PyObject *py_gae_fit(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    int every, verbose;
    if (!PyArg_ParseTuple(args, "Oip", &cap, &every, &verbose))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_GAE);
    if (!b)
        return NULL;
    history h = {NULL, 0, 0, verbose, vgae_graph_ae_settings(b->gae)->epochs, 0};
    vgae_linkpred_result result;
    vgae_status st;
    sigint_guard g;
    guard_on(&g, b->ctx);
    Py_BEGIN_ALLOW_THREADS
    st = vgae_graph_ae_fit(b->ctx, b->gae, every, on_epoch, &h, &result);
    Py_END_ALLOW_THREADS
    guard_off(&g);
    if (st) {
        free(h.rows);
        return raise_ctx(b->ctx);
    }
    PyObject *hist = PyList_New(h.n);
    for (int i = 0; hist && i < h.n; i++) {
        PyObject *row = Py_BuildValue("{s:i,s:d,s:d,s:d,s:d,s:d}", "epoch", (int)h.rows[i][0], "loss",
                                      h.rows[i][1], "nll", h.rows[i][2], "kl", h.rows[i][3], "val_auc",
                                      h.rows[i][4], "val_ap", h.rows[i][5]);
        if (!row) {
            Py_CLEAR(hist);
            break;
        }
        PyList_SET_ITEM(hist, i, row);
    }
    free(h.rows);
    if (!hist)
        return NULL;
    PyObject *d = figures_dict(&result.figures);
    if (!d) {
        Py_DECREF(hist);
        return NULL;
    }
    PyObject *extra = Py_BuildValue("{s:d,s:d,s:i,s:i}", "train_seconds", result.train_seconds, "final_loss",
                                    result.final_loss, "epochs", result.epochs, "best_epoch", result.best_epoch);
    if (!extra || PyDict_Update(d, extra) < 0) {
        Py_XDECREF(extra);
        Py_DECREF(d);
        Py_DECREF(hist);
        return NULL;
    }
    Py_DECREF(extra);
    return Py_BuildValue("(NN)", d, hist);
}

/* gae_evaluate(model, split or None) -> dict */
static PyObject *py_gae_evaluate(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap, *scap;
    if (!PyArg_ParseTuple(args, "OO", &cap, &scap))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_GAE);
    const vgae_split *s = scap == Py_None ? NULL : PyCapsule_GetPointer(scap, CAP_SPLIT);
    if (!b || (scap != Py_None && !s))
        return NULL;
    vgae_link_figures f;
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_graph_ae_evaluate(b->ctx, b->gae, s, &f);
    Py_END_ALLOW_THREADS
    return st ? raise_ctx(b->ctx) : figures_dict(&f);
}

/* gae_embed(model, sample seed or None) -> (rows, cols, bytes float32) */
static PyObject *py_gae_embed(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap, *sample;
    if (!PyArg_ParseTuple(args, "OO", &cap, &sample))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_GAE);
    if (!b)
        return NULL;
    vgae_rng noise, *np = NULL;
    if (sample != Py_None) {
        unsigned long long s = PyLong_AsUnsignedLongLong(sample);
        if (PyErr_Occurred())
            return NULL;
        vgae_rng_init(&noise, s, VGAE_STREAM_NOISE);
        np = &noise;
    }
    vgae_mat z = {0};
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_graph_ae_embedding(b->ctx, b->gae, np, &z);
    Py_END_ALLOW_THREADS
    if (st) {
        vgae_mat_destroy(&z);
        return raise_ctx(b->ctx);
    }
    return mat_result(&z);
}

/* gae_score(model, pairs int32) -> bytes of doubles */
static PyObject *py_gae_score(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    Py_buffer pairs;
    if (!PyArg_ParseTuple(args, "Oy*", &cap, &pairs))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_GAE);
    PyObject *out = NULL;
    const Py_ssize_t n = pairs.len / (Py_ssize_t)sizeof(vgae_pair);
    if (!b)
        goto done;
    out = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (!out)
        goto done;
    {
        const vgae_pair *p = pairs.buf;
        const int32_t nodes = vgae_graph_ae_nodes(b->gae);
        for (Py_ssize_t i = 0; i < n; i++)
            if (p[i].u < 0 || p[i].u >= nodes || p[i].v < 0 || p[i].v >= nodes) {
                PyErr_Format(PyExc_IndexError, "pair %zd (%d, %d): nodes are 0..%d", i, p[i].u, p[i].v,
                             nodes - 1);
                Py_CLEAR(out);
                goto done;
            }
        vgae_status st;
        double *scores = (double *)PyByteArray_AS_STRING(out);
        Py_BEGIN_ALLOW_THREADS
        st = vgae_graph_ae_score_pairs(b->ctx, b->gae, p, n, scores);
        Py_END_ALLOW_THREADS
        if (st) {
            Py_CLEAR(out);
            raise_ctx(b->ctx);
        }
    }
done:
    PyBuffer_Release(&pairs);
    return out;
}

/* model_save(model, path): either kind */
static PyObject *py_model_save(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    const char *path;
    if (!PyArg_ParseTuple(args, "Os", &cap, &path))
        return NULL;
    const int graph = PyCapsule_IsValid(cap, CAP_GAE);
    model_box *b = PyCapsule_GetPointer(cap, graph ? CAP_GAE : CAP_VAE);
    if (!b)
        return NULL;
    if (graph ? vgae_graph_ae_save(b->ctx, b->gae, path) : vgae_image_vae_save(b->ctx, b->vae, path))
        return raise_ctx(b->ctx);
    Py_RETURN_NONE;
}

/* gae_checkpoints(model, path or None, every): the checkpoints of the next fits */
static PyObject *py_gae_checkpoints(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    const char *path;
    int every;
    if (!PyArg_ParseTuple(args, "Ozi", &cap, &path, &every))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_GAE);
    if (!b)
        return NULL;
    const vgae_checkpoint_options o = {path, every, NULL, NULL};
    if (vgae_graph_ae_set_checkpoints(b->ctx, b->gae, path ? &o : NULL))
        return raise_ctx(b->ctx);
    Py_RETURN_NONE;
}

/* gae_resume(model, path): the state of a checkpoint of the model's run */
static PyObject *py_gae_resume(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    const char *path;
    if (!PyArg_ParseTuple(args, "Os", &cap, &path))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_GAE);
    if (!b)
        return NULL;
    vgae_model_file *f = NULL;
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_model_file_read(b->ctx, path, &f);
    if (!st)
        st = vgae_graph_ae_resume(b->ctx, b->gae, f);
    Py_END_ALLOW_THREADS
    vgae_model_file_free(f);
    if (st)
        return raise_ctx(b->ctx);
    Py_RETURN_NONE;
}

/* gae_info(model) -> dict: options, nodes, seed, epochs, split capsule */
static PyObject *py_gae_info(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    if (!PyArg_ParseTuple(args, "O", &cap))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_GAE);
    if (!b)
        return NULL;
    vgae_split *copy = NULL;
    if (vgae_split_copy(b->ctx, vgae_graph_ae_split(b->gae), &copy))
        return raise_ctx(b->ctx);
    PyObject *split = wrap_split(copy);
    if (!split)
        return NULL;
    return Py_BuildValue("{s:N,s:i,s:i,s:K,s:L,s:N}", "options", options_dict(vgae_graph_ae_settings(b->gae)),
                         "nodes", vgae_graph_ae_nodes(b->gae), "feature_columns", vgae_graph_ae_features(b->gae),
                         "seed", (unsigned long long)vgae_graph_ae_seed(b->gae), "epochs",
                         (long long)vgae_graph_ae_epoch(b->gae), "split", split);
}

/* model_load(path, ds or None, force, threads) -> (kind, capsule, dataset capsule or None) */
static PyObject *py_model_load(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    PyObject *dcap;
    int force, threads;
    if (!PyArg_ParseTuple(args, "sOpi", &path, &dcap, &force, &threads))
        return NULL;
    const vgae_dataset *given = dcap == Py_None ? NULL : PyCapsule_GetPointer(dcap, CAP_DATASET);
    if (dcap != Py_None && !given)
        return NULL;
    model_box *b = new_box(0, threads);
    if (!b)
        return NULL;
    vgae_model_file *file = NULL;
    vgae_dataset *own = NULL;
    vgae_status st;
    int image = 0;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_model_file_read(b->ctx, path, &file);
    if (!st && strcmp(vgae_model_file_kind(file), "image-vae") == 0) {
        image = 1;
        st = vgae_image_vae_from_file(b->ctx, file, &b->vae);
    } else if (!st) {
        vgae_dataset_source src;
        if (!given && !(st = vgae_graph_ae_file_source(b->ctx, file, &src)))
            st = vgae_dataset_load(b->ctx, &src, getenv("VGAE_DATA"), &own);
        if (!st)
            st = vgae_graph_ae_from_file(b->ctx, file, given ? given : own, force, &b->gae);
    }
    Py_END_ALLOW_THREADS
    vgae_model_file_free(file);
    if (st) {
        raise_ctx(b->ctx);
        vgae_dataset_free(own);
        free_box(b);
        return NULL;
    }
    /* a loaded model draws from its own seed's streams, as the CLI's commands do */
    vgae_ctx_set_seed(b->ctx, image ? vgae_image_vae_seed(b->vae) : vgae_graph_ae_seed(b->gae));
    PyObject *cap = PyCapsule_New(b, image ? CAP_VAE : CAP_GAE, image ? free_vae : free_gae);
    if (!cap) {
        free_box(b);
        vgae_dataset_free(own);
        return NULL;
    }
    PyObject *dsr = Py_None;
    if (own) {
        PyObject *dc = PyCapsule_New(own, CAP_DATASET, free_dataset);
        if (!dc) {
            vgae_dataset_free(own);
            Py_DECREF(cap);
            return NULL;
        }
        dsr = Py_BuildValue("(NN)", dc, dataset_info(own));
    } else {
        Py_INCREF(Py_None);
    }
    return Py_BuildValue("(sNN)", image ? "image-vae" : "graph", cap, dsr);
}

/* ---- the image VAE ---- */

/* Images from Python: (pixels float32 n x h x w, n, h, w, labels uint8 or
 * None), viewed in place; release with images_release. */
typedef struct {
    Py_buffer px, lb;
    int has_labels;
    vgae_images im;
} py_images;

static void images_release(py_images *pi)
{
    PyBuffer_Release(&pi->px);
    if (pi->has_labels)
        PyBuffer_Release(&pi->lb);
}

static int parse_images(PyObject *arg, py_images *pi)
{
    long long n;
    int h, w;
    PyObject *labels;
    memset(pi, 0, sizeof *pi);
    if (!PyArg_ParseTuple(arg, "y*LiiO", &pi->px, &n, &h, &w, &labels))
        return -1;
    if (check_buf(&pi->px, (Py_ssize_t)(n * h * w), sizeof(float), "images") < 0) {
        PyBuffer_Release(&pi->px);
        return -1;
    }
    if (labels != Py_None) {
        if (PyObject_GetBuffer(labels, &pi->lb, PyBUF_C_CONTIGUOUS) < 0) {
            PyBuffer_Release(&pi->px);
            return -1;
        }
        pi->has_labels = 1;
        if (check_buf(&pi->lb, (Py_ssize_t)n, 1, "labels") < 0) {
            images_release(pi);
            return -1;
        }
    }
    pi->im = (vgae_images){n, h, w, pi->px.buf, pi->has_labels ? pi->lb.buf : NULL, NULL};
    return 0;
}

/* The arguments (model, images) of the image VAE's functions. */
static model_box *vae_and_images(PyObject *args, py_images *pi)
{
    PyObject *cap, *imgs;
    if (!PyArg_ParseTuple(args, "OO", &cap, &imgs))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_VAE);
    if (!b || parse_images(imgs, pi) < 0)
        return NULL;
    return b;
}

/* vae_new(images, hidden, latent, batch, lr, epochs, binarize, beta, seed, threads, classes,
 * (anneal, warmup, cycles, ratio, capacity, capacity_epochs, gamma),
 * (latent_kind, codes, codebook, commitment, ema, restart)) */
static PyObject *py_vae_new(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *imgs, *hidden;
    int latent, batch, epochs, binarize, threads, classes;
    double lr, beta;
    unsigned long long seed;
    const char *anneal;
    vgae_image_vae_options o = vgae_image_vae_defaults();
    vgae_kl_schedule *kl = &o.kl;
    if (!PyArg_ParseTuple(args, "OOiidiidKii(sdidddd)(iiiddp)", &imgs, &hidden, &latent, &batch, &lr, &epochs,
                          &binarize, &beta, &seed, &threads, &classes, &anneal, &kl->warmup, &kl->cycles,
                          &kl->ratio, &kl->capacity, &kl->capacity_epochs, &kl->gamma, &o.latent_kind,
                          &o.vq.codes, &o.vq.codebook, &o.vq.commitment, &o.vq.ema, &o.restart))
        return NULL;
    o.classes = classes;
    PyObject *seq = PySequence_Fast(hidden, "hidden: a sequence of ints");
    if (!seq)
        return NULL;
    Py_ssize_t nh = PySequence_Fast_GET_SIZE(seq);
    if (nh < 1 || nh > VGAE_VAE_MAX_HIDDEN) {
        Py_DECREF(seq);
        return PyErr_Format(PyExc_ValueError, "hidden: 1 to %d layer sizes", VGAE_VAE_MAX_HIDDEN);
    }
    o.n_hidden = (int)nh;
    for (Py_ssize_t i = 0; i < nh; i++)
        o.hidden[i] = (int)PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
    Py_DECREF(seq);
    if (PyErr_Occurred())
        return NULL;
    o.latent = latent;
    o.batch = batch;
    o.lr = lr;
    o.epochs = epochs;
    o.binarize = (vgae_binarize)binarize;
    o.beta = beta;
    py_images pi;
    if (parse_images(imgs, &pi) < 0)
        return NULL;
    model_box *b = new_box(seed, threads);
    if (!b) {
        images_release(&pi);
        return NULL;
    }
    vgae_status st = vgae_kl_anneal_from_name(b->ctx, anneal, &kl->anneal);
    if (!st)
        st = vgae_image_vae_new(b->ctx, &o, &pi.im, &b->vae);
    images_release(&pi);
    if (st) {
        raise_ctx(b->ctx);
        free_box(b);
        return NULL;
    }
    PyObject *cap = PyCapsule_New(b, CAP_VAE, free_vae);
    if (!cap)
        free_box(b);
    return cap;
}

/* vae_train_epoch(model, images) -> mean loss */
static PyObject *py_vae_train_epoch(PyObject *self, PyObject *args)
{
    (void)self;
    py_images pi;
    model_box *b = vae_and_images(args, &pi);
    if (!b)
        return NULL;
    double loss = NAN;
    vgae_status st;
    sigint_guard g; /* Ctrl-C stops the epoch at the end of its batch */
    guard_on(&g, b->ctx);
    Py_BEGIN_ALLOW_THREADS
    st = vgae_image_vae_train_epoch(b->ctx, b->vae, &pi.im, &loss);
    Py_END_ALLOW_THREADS
    guard_off(&g);
    images_release(&pi);
    return st ? raise_ctx(b->ctx) : PyFloat_FromDouble(loss);
}

/* vae_checkpoint(model, images, path) and vae_resume(model, images, path) */
static PyObject *vae_checkpoint_or_resume(PyObject *args, int resume)
{
    PyObject *cap, *imgs;
    const char *path;
    py_images pi;
    if (!PyArg_ParseTuple(args, "OOs", &cap, &imgs, &path))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_VAE);
    if (!b || parse_images(imgs, &pi) < 0)
        return NULL;
    vgae_model_file *f = NULL;
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    if (!resume) {
        st = vgae_image_vae_checkpoint(b->ctx, b->vae, &pi.im, path, NULL);
    } else {
        st = vgae_model_file_read(b->ctx, path, &f);
        if (!st)
            st = vgae_image_vae_resume(b->ctx, b->vae, &pi.im, f);
    }
    Py_END_ALLOW_THREADS
    vgae_model_file_free(f);
    images_release(&pi);
    if (st)
        return raise_ctx(b->ctx);
    Py_RETURN_NONE;
}

static PyObject *py_vae_checkpoint(PyObject *self, PyObject *args)
{
    (void)self;
    return vae_checkpoint_or_resume(args, 0);
}

static PyObject *py_vae_resume(PyObject *self, PyObject *args)
{
    (void)self;
    return vae_checkpoint_or_resume(args, 1);
}

/* vae_evaluate(model, images, prepare) -> dict; prepare: binarize a copy for a
 * dynamically binarized model, as the CLI does with its test images */
static PyObject *py_vae_evaluate(PyObject *self, PyObject *args)
{
    (void)self;
    py_images pi;
    model_box *b = vae_and_images(args, &pi);
    if (!b)
        return NULL;
    vgae_images im = pi.im;
    float *copy = NULL;
    vgae_image_figures f;
    vgae_status st = VGAE_OK;
    if (vgae_image_vae_settings(b->vae)->binarize != VGAE_BINARIZE_NONE) {
        copy = malloc((size_t)pi.px.len);
        if (!copy) {
            images_release(&pi);
            return PyErr_NoMemory();
        }
        memcpy(copy, pi.px.buf, (size_t)pi.px.len);
        im.pixels = copy;
        vgae_image_vae_prepare_test(b->vae, &im);
    }
    Py_BEGIN_ALLOW_THREADS
    st = vgae_image_vae_evaluate(b->ctx, b->vae, &im, 0, NULL, NULL, &f);
    Py_END_ALLOW_THREADS
    free(copy);
    images_release(&pi);
    if (st)
        return raise_ctx(b->ctx);
    return Py_BuildValue("{s:d,s:d,s:d,s:L}", "neg_elbo", f.neg_elbo, "recon", f.recon, "kl", f.kl, "images",
                         (long long)f.images);
}

/* vae_encode(model, images) -> (rows, cols, bytes) */
static PyObject *py_vae_encode(PyObject *self, PyObject *args)
{
    (void)self;
    py_images pi;
    model_box *b = vae_and_images(args, &pi);
    if (!b)
        return NULL;
    if (pi.im.height != vgae_image_vae_height(b->vae) || pi.im.width != vgae_image_vae_width(b->vae)) {
        images_release(&pi);
        return PyErr_Format(PyExc_ValueError, "images are %dx%d, the model's %dx%d", pi.im.height, pi.im.width,
                            vgae_image_vae_height(b->vae), vgae_image_vae_width(b->vae));
    }
    vgae_mat z = {0};
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_image_vae_encode(b->ctx, b->vae, pi.im.pixels, pi.im.labels, pi.im.n, &z);
    Py_END_ALLOW_THREADS
    images_release(&pi);
    if (st) {
        vgae_mat_destroy(&z);
        return raise_ctx(b->ctx);
    }
    return mat_result(&z);
}

/* vae_decode(model, z float32 buffer, rows, labels uint8 or None) -> (rows, pixels, bytes) */
static PyObject *py_vae_decode(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap, *labels;
    Py_buffer zb, lb = {0};
    long long rows;
    if (!PyArg_ParseTuple(args, "Oy*LO", &cap, &zb, &rows, &labels))
        return NULL;
    if (labels != Py_None && PyObject_GetBuffer(labels, &lb, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&zb);
        return NULL;
    }
    model_box *b = PyCapsule_GetPointer(cap, CAP_VAE);
    PyObject *r = NULL;
    vgae_mat z = {0}, x = {0};
    if (!b)
        goto done;
    const int latent = vgae_image_vae_settings(b->vae)->latent;
    if (check_buf(&zb, (Py_ssize_t)(rows * latent), sizeof(vgae_real), "codes") < 0)
        goto done;
    if (vgae_mat_init(b->ctx, &z, rows, latent)) {
        raise_ctx(b->ctx);
        goto done;
    }
    memcpy(z.data, zb.buf, (size_t)zb.len);
    if (lb.buf && lb.len != rows) {
        PyErr_Format(PyExc_ValueError, "labels: %zd for %lld codes", lb.len, rows);
        goto done;
    }
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_image_vae_decode(b->ctx, b->vae, &z, lb.buf, &x);
    Py_END_ALLOW_THREADS
    if (st) {
        raise_ctx(b->ctx);
        goto done;
    }
    r = mat_result(&x);
done:
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&x);
    PyBuffer_Release(&zb);
    if (lb.buf)
        PyBuffer_Release(&lb);
    return r;
}

static PyObject *py_vae_info(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *cap;
    if (!PyArg_ParseTuple(args, "O", &cap))
        return NULL;
    model_box *b = PyCapsule_GetPointer(cap, CAP_VAE);
    if (!b)
        return NULL;
    const vgae_image_vae_options *o = vgae_image_vae_settings(b->vae);
    PyObject *hidden = PyList_New(o->n_hidden);
    for (int i = 0; hidden && i < o->n_hidden; i++)
        PyList_SET_ITEM(hidden, i, PyLong_FromLong(o->hidden[i]));
    if (!hidden)
        return NULL;
    return Py_BuildValue("{s:N,s:i,s:i,s:d,s:i,s:i,s:d,s:i,s:i,s:K,s:L,s:i,s:(sdidddd),s:(iiiddi)}", "hidden", hidden,
                         "latent", o->latent,
                         "batch", o->batch, "lr", o->lr, "epochs", o->epochs, "binarize", (int)o->binarize, "beta",
                         o->beta, "height", vgae_image_vae_height(b->vae), "width", vgae_image_vae_width(b->vae),
                         "seed", (unsigned long long)vgae_image_vae_seed(b->vae), "epochs_trained",
                         (long long)vgae_image_vae_epoch(b->vae), "classes", o->classes, "kl",
                         vgae_kl_anneal_name(o->kl.anneal), o->kl.warmup, o->kl.cycles, o->kl.ratio, o->kl.capacity,
                         o->kl.capacity_epochs, o->kl.gamma, "vq", o->latent_kind, o->vq.codes, o->vq.codebook,
                         o->vq.commitment, o->vq.ema, o->restart);
}

/* load_images(dir, which) -> (n, h, w, pixels bytes float32, labels bytes or None, folder) */
static PyObject *py_load_images(PyObject *self, PyObject *args)
{
    (void)self;
    const char *dir, *which;
    if (!PyArg_ParseTuple(args, "ss", &dir, &which))
        return NULL;
    vgae_ctx *ctx = new_ctx(0, 1);
    if (!ctx)
        return NULL;
    vgae_images *im = NULL;
    vgae_status st;
    Py_BEGIN_ALLOW_THREADS
    st = vgae_images_read_split(ctx, dir, which, &im);
    Py_END_ALLOW_THREADS
    PyObject *r = NULL;
    if (st) {
        raise_ctx(ctx);
    } else {
        const Py_ssize_t px = (Py_ssize_t)(im->n * im->height * im->width);
        PyObject *labels = im->labels ? PyBytes_FromStringAndSize((const char *)im->labels, (Py_ssize_t)im->n)
                                      : (Py_INCREF(Py_None), Py_None);
        if (labels)
            r = Py_BuildValue("(Liiy#Ns)", (long long)im->n, im->height, im->width, (const char *)im->pixels,
                              px * (Py_ssize_t)sizeof(float), labels, im->folder ? im->folder : dir);
    }
    vgae_images_free(im);
    vgae_ctx_free(ctx);
    return r;
}

static PyObject *py_version(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyUnicode_FromString(vgae_version());
}

static PyObject *py_recipe_names(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    PyObject *l = PyList_New(0);
    for (int i = 0; l && vgae_graph_ae_recipe_name(i); i++) {
        PyObject *s = PyUnicode_FromString(vgae_graph_ae_recipe_name(i));
        if (!s || PyList_Append(l, s) < 0) {
            Py_XDECREF(s);
            Py_CLEAR(l);
            break;
        }
        Py_DECREF(s);
    }
    return l;
}

static PyMethodDef methods[] = {
    {"version", py_version, METH_NOARGS, "libvgae's version"},
    {"load_dataset", py_load_dataset, METH_VARARGS, NULL},
    {"dataset_from_pairs", py_dataset_from_pairs, METH_VARARGS, NULL},
    {"dataset_arrays", py_dataset_arrays, METH_VARARGS, NULL},
    {"split_make", py_split_make, METH_VARARGS, NULL},
    {"split_save", py_split_save, METH_VARARGS, NULL},
    {"split_load", py_split_load, METH_VARARGS, NULL},
    {"split_pairs", py_split_pairs, METH_VARARGS, NULL},
    {"recipe", py_recipe, METH_VARARGS, NULL},
    {"recipe_names", py_recipe_names, METH_NOARGS, NULL},
    {"gae_new", py_gae_new, METH_VARARGS, NULL},
    {"gae_fit", py_gae_fit, METH_VARARGS, NULL},
    {"gae_evaluate", py_gae_evaluate, METH_VARARGS, NULL},
    {"gae_embed", py_gae_embed, METH_VARARGS, NULL},
    {"gae_score", py_gae_score, METH_VARARGS, NULL},
    {"model_save", py_model_save, METH_VARARGS, NULL},
    {"gae_info", py_gae_info, METH_VARARGS, NULL},
    {"gae_checkpoints", py_gae_checkpoints, METH_VARARGS, NULL},
    {"gae_resume", py_gae_resume, METH_VARARGS, NULL},
    {"vae_checkpoint", py_vae_checkpoint, METH_VARARGS, NULL},
    {"vae_resume", py_vae_resume, METH_VARARGS, NULL},
    {"model_load", py_model_load, METH_VARARGS, NULL},
    {"vae_new", py_vae_new, METH_VARARGS, NULL},
    {"vae_train_epoch", py_vae_train_epoch, METH_VARARGS, NULL},
    {"vae_evaluate", py_vae_evaluate, METH_VARARGS, NULL},
    {"vae_encode", py_vae_encode, METH_VARARGS, NULL},
    {"vae_decode", py_vae_decode, METH_VARARGS, NULL},
    {"vae_info", py_vae_info, METH_VARARGS, NULL},
    {"load_images", py_load_images, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_vgae", "libvgae's functions under the vgae module (use vgae, not this)", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__vgae(void);
PyMODINIT_FUNC PyInit__vgae(void)
{
    main_thread = PyThread_get_thread_ident();
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    if (PyModule_AddIntConstant(m, "REAL_BYTES", (long)sizeof(vgae_real)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
