/* The partition methods' names, in vgae_partition_method order, NULL-terminated: for the CLI's choices and the manifest's key. */
#ifndef VGAE_DIST_PARTITION_NAMES_H
#define VGAE_DIST_PARTITION_NAMES_H

extern const char *const vgae_partition_method_names[];

#endif
