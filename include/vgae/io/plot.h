/* Charts as PNG or SVG files: line and scatter panels with axes, ticks, labels and a legend. */
#ifndef VGAE_IO_PLOT_H
#define VGAE_IO_PLOT_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vgae_plot_style {
    VGAE_PLOT_LINE = 0,   /* points joined in order; a NaN y breaks the line */
    VGAE_PLOT_POINTS = 1, /* a dot per point (scatter) */
    VGAE_PLOT_DASHED = 2  /* a dashed line (references: the chance diagonal) */
} vgae_plot_style;

/* One series of a panel. color: an index into the palette (10 colours that
 * stay apart for colour-blind readers, then again), or -1 for gray. */
typedef struct vgae_plot_series {
    const char *name; /* the legend's text; NULL: not in the legend */
    const double *x, *y;
    int64_t n;
    vgae_plot_style style;
    int color;
} vgae_plot_series;

typedef enum vgae_legend_place {
    VGAE_LEGEND_TOP_RIGHT = 0,
    VGAE_LEGEND_BOTTOM_RIGHT = 1,
    VGAE_LEGEND_TOP_LEFT = 2,
    VGAE_LEGEND_BOTTOM_LEFT = 3,
    VGAE_LEGEND_NONE = 4,
    VGAE_LEGEND_AUTO = 5 /* the corner where it hides the fewest points */
} vgae_legend_place;

/* One chart: its title, axis labels, range (NaN: from the data, widened to
 * round ticks) and series. */
typedef struct vgae_plot_panel {
    const char *title, *xlabel, *ylabel;
    double xmin, xmax, ymin, ymax;
    const vgae_plot_series *series;
    int n_series;
    vgae_legend_place legend;
    int log_y; /* 1: logarithmic y axis (positive values only) */
} vgae_plot_panel;

/* Writes n panels side by side, each width x height (in pixels of the PNG;
 * in CSS pixels of the SVG), to path: an SVG when path ends in ".svg", else
 * a PNG. The PNG is drawn at twice the size and averaged down (smooth lines
 * and text); its text uses vgae's own 5x7 font. Written whole or not at all
 * (a temporary file renamed). VGAE_EINVAL: no panels, a size outside
 * 160..4000, a series with n < 0 or missing x or y. */
VGAE_EXPORT vgae_status vgae_plot_write(vgae_ctx *ctx, const char *path, const vgae_plot_panel *panels,
                                        int n_panels, int width, int height);

/* The palette's colour i (i >= 0) as 0xRRGGBB; -1 gives the gray. */
VGAE_EXPORT uint32_t vgae_plot_color(int i);

#ifdef __cplusplus
}
#endif
#endif
