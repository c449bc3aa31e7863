/* libvgae: variational graph autoencoders. Include this one header. */
#ifndef VGAE_H
#define VGAE_H

#include "vgae/status.h"
#include "vgae/context.h"
#include "vgae/graph.h"
#include "vgae/generate.h"
#include "vgae/csr.h"
#include "vgae/normalize.h"
#include "vgae/features.h"
#include "vgae/dataset.h"
#include "vgae/split.h"
#include "vgae/metrics.h"
#include "vgae/model.h"
#include "vgae/model_file.h"
#include "vgae/embed_io.h"
#include "vgae/image_vae.h"
#include "vgae/images.h"
#include "vgae/png.h"
#include "vgae/rng.h"
#include "vgae/dense.h"
#include "vgae/layers.h"
#include "vgae/optim.h"
#include "vgae/stochastic.h"
#include "vgae/likelihood.h"
#include "vgae/elbo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *vgae_version(void);

/* The instruction set of the library's own vectorized kernels (the full
 * loss, Bernoulli terms, Adam), picked for this CPU when the library loads:
 * "x86-64-v4 (AVX-512)", "x86-64-v3 (AVX2, FMA)" or "x86-64 (SSE2)". */
const char *vgae_kernel_isa(void);

/* The shortest "%.15g".."%.17g" text of x that reads back as exactly x
 * (0.05 rather than 0.050000000000000003). buf holds at least 32 bytes. */
const char *vgae_format_double(char *buf, double x);


#ifdef __cplusplus
}
#endif
#endif
