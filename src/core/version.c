/* The library's version as built, and the versions of the libraries it runs on. */
#include <stdio.h>

#include <cholmod.h>
#include <igraph.h>
#include <zlib.h>

#include "vgae/core/version.h"

const char *vgae_version(void)
{
    return VGAE_VERSION_STRING;
}

const char *vgae_dependency_versions(void)
{
    static _Thread_local char text[128];
    int major, minor, patch;
    igraph_version(NULL, &major, &minor, &patch);
    snprintf(text, sizeof text, "igraph %d.%d.%d, CHOLMOD %d.%d.%d, zlib %s", major, minor, patch,
             CHOLMOD_MAIN_VERSION, CHOLMOD_SUB_VERSION, CHOLMOD_SUBSUB_VERSION, zlibVersion());
    return text;
}
