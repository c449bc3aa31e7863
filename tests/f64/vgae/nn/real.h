/* vgae_real for the test suite's double-precision build of the core (it is first on that build's include path). */
#ifndef VGAE_NN_REAL_H
#define VGAE_NN_REAL_H

/* The finite-difference gradient checks (unit/gradcheck.c) need double
 * precision: the library's float core is compiled again with this header
 * in place of include/vgae/nn/real.h, and with VGAE_REAL_DOUBLE, which
 * selects double BLAS and libm in the core's private files. */
typedef double vgae_real;

#endif
