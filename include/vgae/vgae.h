/* libvgae: variational autoencoders on graphs and images. The umbrella header: it only includes the others. */
#ifndef VGAE_H
#define VGAE_H

/* core: status codes, the context, random streams, the version */
#include "vgae/core/export.h"
#include "vgae/core/status.h"
#include "vgae/core/version.h"
#include "vgae/core/rng.h"
#include "vgae/core/context.h"

/* nn: dense and sparse matrices, layers, parameters and Adam */
#include "vgae/nn/real.h"
#include "vgae/nn/dense.h"
#include "vgae/nn/sparse.h"
#include "vgae/nn/layers.h"
#include "vgae/nn/optim.h"
#include "vgae/nn/lstm.h"

/* vae: the shared stochastic-layer and ELBO core */
#include "vgae/vae/gaussian.h"
#include "vgae/vae/latent.h"
#include "vgae/vae/likelihood.h"
#include "vgae/vae/elbo.h"
#include "vgae/vae/kl_schedule.h"

/* graph: graphs, generators, normalization, splits, classical link scores */
#include "vgae/graph/graph.h"
#include "vgae/graph/generate.h"
#include "vgae/graph/normalize.h"
#include "vgae/graph/split.h"
#include "vgae/graph/heuristics.h"

/* io: every file format, reader and writer side by side */
#include "vgae/io/outfile.h"
#include "vgae/io/graph_file.h"
#include "vgae/io/features.h"
#include "vgae/io/dataset.h"
#include "vgae/io/split_file.h"
#include "vgae/io/pairs.h"
#include "vgae/io/embedding.h"
#include "vgae/io/images.h"
#include "vgae/io/sequences.h"
#include "vgae/io/png.h"
#include "vgae/io/plot.h"
#include "vgae/io/model_file.h"

/* eval: AUC, AP, Hits@K, MRR; the figures of a split */
#include "vgae/eval/metrics.h"
#include "vgae/eval/link.h"

/* dist: partitioned graphs */
#include "vgae/dist/partition.h"
#include "vgae/dist/part_file.h"
#include "vgae/dist/comm.h"
#include "vgae/dist/train.h"

/* models: the graph autoencoders, the link-prediction run, the image VAE */
#include "vgae/models/checkpoint.h"
#include "vgae/models/graph_ae.h"
#include "vgae/models/linkpred.h"
#include "vgae/models/image_vae.h"
#include "vgae/models/seq_vae.h"
#include "vgae/models/classifier.h"

#endif
