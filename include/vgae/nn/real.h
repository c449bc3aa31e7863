/* vgae_real, the element type of the dense core: float. */
#ifndef VGAE_NN_REAL_H
#define VGAE_NN_REAL_H

/* Matrices, layers, likelihoods and the ELBO compute in vgae_real. (The
 * test suite builds the core a second time in double precision for its
 * finite-difference gradient checks; that build puts its own copy of this
 * header first on the include path. Programs using the library see float.) */
typedef float vgae_real;

#endif
