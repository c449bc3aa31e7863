/* Standard normals in float from random words (Box-Muller), vectorized. */
#ifndef VGAE_CORE_NORMALS_H
#define VGAE_CORE_NORMALS_H

#include <stdint.h>

/* Two standard normals per pair of 32-bit words: out[2k], out[2k+1] from
 * w[2k], w[2k+1]. */
void vgae_normals_from_words(const uint32_t *w, int64_t pairs, float *out);

#endif
