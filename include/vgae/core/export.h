/* VGAE_EXPORT: marks the functions of the public API, the only symbols libvgae.so exports. */
#ifndef VGAE_CORE_EXPORT_H
#define VGAE_CORE_EXPORT_H

/* The library is compiled with hidden visibility: a function is part of
 * the shared library's interface only if its declaration in an installed
 * header carries VGAE_EXPORT. (A test compares `nm -D libvgae.so` with the
 * declarations of these headers.) */
#if defined(__GNUC__) || defined(__clang__)
#define VGAE_EXPORT __attribute__((visibility("default")))
#else
#define VGAE_EXPORT
#endif

#endif
