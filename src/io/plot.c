/* Charts as PNG (drawn here, with vgae's own 5x7 font) or SVG: panels with
 * axes, round ticks, grid, labels, line and scatter series and a legend. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "vgae/io/outfile.h"
#include "vgae/io/plot.h"
#include "vgae/io/png.h"

/* ---- the font: ASCII 32..126, 5 columns x 7 rows, bit 4 the leftmost column;
 * g, p, q and y are drawn 2 rows lower (their tails hang below the line) ---- */
static const uint8_t font5x7[95][7] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ' ' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}, /* '!' */
    {0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00}, /* '"' */
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a}, /* '#' */
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04}, /* '$' */
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}, /* '%' */
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d}, /* '&' */
    {0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, /* "'" */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, /* '(' */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, /* ')' */
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00}, /* '*' */
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00}, /* '+' */
    {0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08}, /* ',' */
    {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}, /* '-' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c}, /* '.' */
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}, /* '/' */
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}, /* '0' */
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* '1' */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}, /* '2' */
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e}, /* '3' */
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}, /* '4' */
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e}, /* '5' */
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}, /* '6' */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* '7' */
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}, /* '8' */
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c}, /* '9' */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00}, /* ':' */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x04, 0x08}, /* ';' */
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}, /* '<' */
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00}, /* '=' */
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}, /* '>' */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}, /* '?' */
    {0x0e, 0x11, 0x01, 0x0d, 0x15, 0x15, 0x0e}, /* '@' */
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}, /* 'A' */
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e}, /* 'B' */
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e}, /* 'C' */
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c}, /* 'D' */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f}, /* 'E' */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10}, /* 'F' */
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f}, /* 'G' */
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}, /* 'H' */
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* 'I' */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}, /* 'J' */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, /* 'K' */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f}, /* 'L' */
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11}, /* 'M' */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, /* 'N' */
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}, /* 'O' */
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10}, /* 'P' */
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d}, /* 'Q' */
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11}, /* 'R' */
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e}, /* 'S' */
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* 'T' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}, /* 'U' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04}, /* 'V' */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a}, /* 'W' */
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11}, /* 'X' */
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04}, /* 'Y' */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f}, /* 'Z' */
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e}, /* '[' */
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00}, /* '\\' */
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e}, /* ']' */
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00}, /* '^' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f}, /* '_' */
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, /* '`' */
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f}, /* 'a' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e}, /* 'b' */
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e}, /* 'c' */
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f}, /* 'd' */
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e}, /* 'e' */
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08}, /* 'f' */
    {0x0f, 0x11, 0x11, 0x13, 0x0d, 0x01, 0x0e}, /* 'g' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'h' */
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e}, /* 'i' */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0c}, /* 'j' */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, /* 'k' */
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* 'l' */
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x11, 0x11}, /* 'm' */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'n' */
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e}, /* 'o' */
    {0x1e, 0x11, 0x11, 0x11, 0x1e, 0x10, 0x10}, /* 'p' */
    {0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x01}, /* 'q' */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, /* 'r' */
    {0x00, 0x00, 0x0e, 0x10, 0x0e, 0x01, 0x1e}, /* 's' */
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06}, /* 't' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d}, /* 'u' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04}, /* 'v' */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a}, /* 'w' */
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11}, /* 'x' */
    {0x11, 0x11, 0x11, 0x13, 0x0d, 0x01, 0x0e}, /* 'y' */
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f}, /* 'z' */
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02}, /* '{' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* '|' */
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08}, /* '}' */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00}, /* '~' */
};

/* ---- colours ---- */

/* Tableau's ten (blue, orange, green, red, purple, brown, pink, gray,
 * olive, cyan): distinct for most colour-blind readers in the first six. */
static const uint32_t palette[10] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                     0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
#define GRAY 0x999999u
#define INK 0x222222u
#define AXIS 0x555555u
#define GRID 0xe6e6e6u
#define WHITE 0xffffffu

uint32_t vgae_plot_color(int i)
{
    return i < 0 ? GRAY : palette[i % 10];
}

/* ---- the canvas: one set of drawing calls, two back ends ----
 * Coordinates are in output pixels (x right, y down). The raster back end
 * draws at S times the size and averages S x S blocks down. */
enum { S = 2 };
enum { SMALL = 0, MEDIUM = 1 };           /* text sizes */
static const int glyph_px[2] = {3, 4};     /* raster: supersampled pixels per font pixel */
static const int svg_size[2] = {12, 15};   /* SVG: font size */

typedef struct canvas {
    int svg;
    int width, height;
    /* raster */
    uint8_t *rgb; /* (width * S) x (height * S) x 3 */
    int clip_x0, clip_y0, clip_x1, clip_y1; /* in supersampled pixels, inclusive-exclusive */
    /* SVG */
    FILE *f;
    int clip_id, clipping;
    int failed; /* out of memory while drawing: the picture would lack a part; not written */
} canvas;

static double text_advance(int size)
{
    return 6.0 * glyph_px[size] / S;
}

static double text_width(const char *s, int size)
{
    size_t n = strlen(s);
    return n ? (double)n * text_advance(size) - (double)glyph_px[size] / S : 0.0;
}

static double text_height(int size)
{
    return 7.0 * glyph_px[size] / S;
}

static void put(canvas *c, int x, int y, uint32_t color)
{
    if (x < c->clip_x0 || y < c->clip_y0 || x >= c->clip_x1 || y >= c->clip_y1)
        return;
    uint8_t *p = c->rgb + ((size_t)y * (size_t)(c->width * S) + (size_t)x) * 3;
    p[0] = (uint8_t)(color >> 16);
    p[1] = (uint8_t)(color >> 8);
    p[2] = (uint8_t)color;
}

static void svg_color(FILE *f, uint32_t color)
{
    fprintf(f, "#%06x", (unsigned)color);
}

static void c_clip(canvas *c, double x0, double y0, double x1, double y1)
{
    if (c->svg) {
        c->clip_id++;
        fprintf(c->f, "<clipPath id=\"c%d\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/></clipPath>\n"
                      "<g clip-path=\"url(#c%d)\">\n",
                c->clip_id, x0, y0, x1 - x0, y1 - y0, c->clip_id);
        c->clipping = 1;
        return;
    }
    c->clip_x0 = (int)floor(x0 * S);
    c->clip_y0 = (int)floor(y0 * S);
    c->clip_x1 = (int)ceil(x1 * S);
    c->clip_y1 = (int)ceil(y1 * S);
}

static void c_unclip(canvas *c)
{
    if (c->svg) {
        if (c->clipping)
            fputs("</g>\n", c->f);
        c->clipping = 0;
        return;
    }
    c->clip_x0 = c->clip_y0 = 0;
    c->clip_x1 = c->width * S;
    c->clip_y1 = c->height * S;
}

static void c_rect(canvas *c, double x0, double y0, double x1, double y1, uint32_t fill, uint32_t stroke)
{
    if (c->svg) {
        fprintf(c->f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"", x0, y0, x1 - x0, y1 - y0);
        svg_color(c->f, fill);
        fputs("\"", c->f);
        if (stroke != fill) {
            fputs(" stroke=\"", c->f);
            svg_color(c->f, stroke);
            fputs("\" stroke-width=\"1\"", c->f);
        }
        fputs("/>\n", c->f);
        return;
    }
    const int X0 = (int)lround(x0 * S), Y0 = (int)lround(y0 * S), X1 = (int)lround(x1 * S), Y1 = (int)lround(y1 * S);
    for (int y = Y0; y < Y1; y++)
        for (int x = X0; x < X1; x++)
            put(c, x, y, (x < X0 + S || x >= X1 - S || y < Y0 + S || y >= Y1 - S) ? stroke : fill);
}

/* A segment of width w (output pixels); dashed: 6 on, 4 off along its length,
 * phase carried in *dash (the length drawn so far). */
static void raster_segment(canvas *c, double x0, double y0, double x1, double y1, double w, uint32_t color,
                           int dashed, double dash_from)
{
    const double ax = x0 * S, ay = y0 * S, bx = x1 * S, by = y1 * S, r = w * S / 2;
    const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    int xa = (int)floor(fmin(ax, bx) - r), xb = (int)ceil(fmax(ax, bx) + r);
    int ya = (int)floor(fmin(ay, by) - r), yb = (int)ceil(fmax(ay, by) + r);
    if (xa < c->clip_x0)
        xa = c->clip_x0;
    if (ya < c->clip_y0)
        ya = c->clip_y0;
    if (xb > c->clip_x1)
        xb = c->clip_x1;
    if (yb > c->clip_y1)
        yb = c->clip_y1;
    for (int y = ya; y < yb; y++)
        for (int x = xa; x < xb; x++) {
            const double px = x + 0.5 - ax, py = y + 0.5 - ay;
            double t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            const double ex = px - t * dx, ey = py - t * dy;
            if (ex * ex + ey * ey > r * r)
                continue;
            if (dashed && fmod(dash_from + t * sqrt(len2) / S, 10.0) >= 6.0)
                continue;
            put(c, x, y, color);
        }
}

/* A polyline through n points (NaN or infinite ones break it). */
static void c_polyline(canvas *c, const double *xs, const double *ys, int64_t n, double w, uint32_t color, int dashed)
{
    if (c->svg) {
        int open = 0;
        for (int64_t i = 0; i <= n; i++) {
            const int ok = i < n && isfinite(xs[i]) && isfinite(ys[i]);
            if (ok && !open) {
                fprintf(c->f, "<polyline fill=\"none\" stroke=\"");
                svg_color(c->f, color);
                fprintf(c->f, "\" stroke-width=\"%.1f\" stroke-linejoin=\"round\"%s points=\"", w,
                        dashed ? " stroke-dasharray=\"6 4\"" : "");
                open = 1;
            }
            if (ok)
                fprintf(c->f, "%.2f,%.2f ", xs[i], ys[i]);
            else if (open) {
                fputs("\"/>\n", c->f);
                open = 0;
            }
        }
        return;
    }
    double dash = 0;
    for (int64_t i = 0; i + 1 < n; i++) {
        if (!isfinite(xs[i]) || !isfinite(ys[i]) || !isfinite(xs[i + 1]) || !isfinite(ys[i + 1]))
            continue;
        raster_segment(c, xs[i], ys[i], xs[i + 1], ys[i + 1], w, color, dashed, dash);
        dash += hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]);
    }
    if (n == 1 && isfinite(xs[0]) && isfinite(ys[0]))
        raster_segment(c, xs[0], ys[0], xs[0], ys[0], w * 1.5, color, 0, 0);
}

static void c_dot(canvas *c, double x, double y, double r, uint32_t color)
{
    if (!isfinite(x) || !isfinite(y))
        return;
    if (c->svg) {
        fprintf(c->f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"", x, y, r);
        svg_color(c->f, color);
        fputs("\"/>\n", c->f);
        return;
    }
    raster_segment(c, x, y, x, y, 2 * r, color, 0, 0);
}

/* Text with its anchor point at (x, y): align 0 left, 1 centre, 2 right of x;
 * y the middle of the capitals. vertical: turned to read bottom to top,
 * centred on (x, y). */
static void c_text(canvas *c, double x, double y, const char *s, int size, int align, int vertical, uint32_t color)
{
    const double w = text_width(s, size);
    if (c->svg) {
        const char *anchor = vertical ? "middle" : align == 0 ? "start" : align == 1 ? "middle" : "end";
        if (vertical)
            fprintf(c->f, "<text transform=\"translate(%.2f,%.2f) rotate(-90)\" x=\"0\" y=\"%.2f\"", x, y,
                    0.35 * svg_size[size]);
        else
            fprintf(c->f, "<text x=\"%.2f\" y=\"%.2f\"", x, y + 0.35 * svg_size[size]);
        fprintf(c->f, " font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"%d\" text-anchor=\"%s\" fill=\"",
                svg_size[size], anchor);
        svg_color(c->f, color);
        fputs("\">", c->f);
        for (const char *p = s; *p; p++) {
            if (*p == '&')
                fputs("&amp;", c->f);
            else if (*p == '<')
                fputs("&lt;", c->f);
            else if (*p == '>')
                fputs("&gt;", c->f);
            else
                fputc(*p, c->f);
        }
        fputs("</text>\n", c->f);
        return;
    }
    const int g = glyph_px[size];
    /* the top-left of the first glyph, in supersampled pixels */
    double left = vertical ? 0 : align == 0 ? x : align == 1 ? x - w / 2 : x - w;
    const int X = (int)lround(left * S), Y = (int)lround(y * S - 3.5 * g);
    const int VX = (int)lround(x * S - 3.5 * g), VY = (int)lround((y + w / 2) * S);
    int k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, k++) {
        const unsigned ch = *p >= 32 && *p < 127 ? *p : '?';
        const uint8_t *rows = font5x7[ch - 32];
        for (int r = 0; r < 7; r++)
            for (int col = 0; col < 5; col++) {
                if (!(rows[r] >> (4 - col) & 1))
                    continue;
                const int drop = (ch == 'g' || ch == 'p' || ch == 'q' || ch == 'y') ? 2 : 0;
                const int along = k * 6 * g + col * g, across = (r + drop) * g;
                for (int a = 0; a < g; a++)
                    for (int b = 0; b < g; b++) {
                        if (vertical)
                            put(c, VX + across + b, VY - along - a - 1, color);
                        else
                            put(c, X + along + a, Y + across + b, color);
                    }
            }
    }
}

/* ---- axes ---- */

typedef struct axis {
    double lo, hi;   /* the range shown (log10 of it for a log axis) */
    double step;     /* between ticks (a decade for a log axis) */
    int log;
} axis;

/* A round step (1, 2 or 5 times a power of 10) near span / 5. */
static double nice_step(double span)
{
    const double raw = span / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static axis make_axis(double lo, double hi, double fixed_lo, double fixed_hi, int log_scale)
{
    axis a = {0, 1, 0.2, log_scale};
    if (log_scale) {
        lo = lo > 0 ? log10(lo) : NAN;
        hi = hi > 0 ? log10(hi) : NAN;
        fixed_lo = fixed_lo > 0 ? log10(fixed_lo) : NAN;
        fixed_hi = fixed_hi > 0 ? log10(fixed_hi) : NAN;
    }
    if (isfinite(fixed_lo))
        lo = fixed_lo;
    if (isfinite(fixed_hi))
        hi = fixed_hi;
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi <= lo) {
        const double pad = lo != 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
    }
    if (log_scale) {
        a.step = 1;
        a.lo = isfinite(fixed_lo) ? lo : floor(lo);
        a.hi = isfinite(fixed_hi) ? hi : ceil(hi);
        if (a.hi - a.lo < 1) {
            a.lo = floor(lo);
            a.hi = a.lo + 1;
        }
        return a;
    }
    a.step = nice_step(hi - lo);
    a.lo = isfinite(fixed_lo) ? lo : floor(lo / a.step + 1e-9) * a.step;
    a.hi = isfinite(fixed_hi) ? hi : ceil(hi / a.step - 1e-9) * a.step;
    return a;
}

static double axis_frac(const axis *a, double v)
{
    if (a->log)
        v = v > 0 ? log10(v) : NAN;
    return (v - a->lo) / (a->hi - a->lo);
}

static void tick_label(const axis *a, double t, char *buf, size_t cap)
{
    if (a->log) {
        const double v = pow(10, t);
        if (t >= -3 && t <= 4)
            snprintf(buf, cap, "%g", v);
        else
            snprintf(buf, cap, "1e%d", (int)lround(t));
        return;
    }
    if (fabs(t) < a->step * 1e-9)
        t = 0;
    const double big = fmax(fabs(a->lo), fabs(a->hi));
    if (big >= 1e6 || (big < 1e-3 && big > 0)) {
        snprintf(buf, cap, "%.3g", t);
        return;
    }
    int decimals = (int)ceil(-log10(a->step) - 1e-9);
    snprintf(buf, cap, "%.*f", decimals < 0 ? 0 : decimals > 6 ? 6 : decimals, t);
}

/* ---- a panel ---- */

enum { M_LEFT = 66, M_RIGHT = 18, M_TOP = 34, M_BOTTOM = 50 };

static void draw_panel(canvas *c, const vgae_plot_panel *p, double ox, double w, double h)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int s = 0; s < p->n_series; s++)
        for (int64_t i = 0; i < p->series[s].n; i++) {
            const double x = p->series[s].x[i], y = p->series[s].y[i];
            if (!isfinite(x) || !isfinite(y) || (p->log_y && y <= 0))
                continue;
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
            ylo = fmin(ylo, y);
            yhi = fmax(yhi, y);
        }
    const axis ax = make_axis(xlo, xhi, p->xmin, p->xmax, 0);
    const axis ay = make_axis(ylo, yhi, p->ymin, p->ymax, p->log_y);
    char buf[64];
    /* room on the left for the widest y tick label and the y axis label */
    double widest = 0;
    for (double t = ceil(ay.lo / ay.step - 1e-9) * ay.step; t <= ay.hi + ay.step * 1e-9; t += ay.step) {
        tick_label(&ay, t, buf, sizeof buf);
        widest = fmax(widest, text_width(buf, SMALL));
    }
    const double left = fmax(M_LEFT, widest + 14 + text_height(MEDIUM) + 14);
    const double x0 = ox + left, x1 = ox + w - M_RIGHT, y0 = M_TOP, y1 = h - M_BOTTOM;
#define PX(v) (x0 + axis_frac(&ax, (v)) * (x1 - x0))
#define PY(v) (y1 - axis_frac(&ay, (v)) * (y1 - y0))
    /* grid and tick labels */
    for (double t = ceil(ax.lo / ax.step - 1e-9) * ax.step; t <= ax.hi + ax.step * 1e-9; t += ax.step) {
        const double X = x0 + (t - ax.lo) / (ax.hi - ax.lo) * (x1 - x0);
        double gx[2] = {X, X}, gy[2] = {y0, y1};
        c_polyline(c, gx, gy, 2, 1, GRID, 0);
        tick_label(&ax, t, buf, sizeof buf);
        c_text(c, X, y1 + 6 + text_height(SMALL) / 2, buf, SMALL, 1, 0, INK);
    }
    for (double t = ceil(ay.lo / ay.step - 1e-9) * ay.step; t <= ay.hi + ay.step * 1e-9; t += ay.step) {
        const double Y = y1 - (t - ay.lo) / (ay.hi - ay.lo) * (y1 - y0);
        double gx[2] = {x0, x1}, gy[2] = {Y, Y};
        c_polyline(c, gx, gy, 2, 1, GRID, 0);
        tick_label(&ay, t, buf, sizeof buf);
        c_text(c, x0 - 6, Y, buf, SMALL, 2, 0, INK);
    }
    /* the series, clipped to the plot */
    c_clip(c, x0, y0, x1, y1);
    for (int s = 0; s < p->n_series; s++) {
        const vgae_plot_series *se = &p->series[s];
        const uint32_t color = vgae_plot_color(se->color);
        if (se->style == VGAE_PLOT_POINTS) {
            for (int64_t i = 0; i < se->n; i++)
                c_dot(c, PX(se->x[i]), PY(se->y[i]), 1.8, color);
            continue;
        }
        double *xs = malloc((size_t)(se->n ? se->n : 1) * 2 * sizeof *xs);
        if (!xs) {
            c->failed = 1; /* a picture without this series would mislead: not written */
            continue;
        }
        double *ys = xs + se->n;
        for (int64_t i = 0; i < se->n; i++) {
            xs[i] = PX(se->x[i]);
            ys[i] = PY(se->y[i]);
        }
        c_polyline(c, xs, ys, se->n, se->style == VGAE_PLOT_DASHED ? 1.2 : 1.8, color,
                   se->style == VGAE_PLOT_DASHED);
        free(xs);
    }
    c_unclip(c);
    /* the frame, title and axis labels */
    {
        double fx[5] = {x0, x1, x1, x0, x0}, fy[5] = {y0, y0, y1, y1, y0};
        c_polyline(c, fx, fy, 5, 1, AXIS, 0);
    }
    if (p->title) {
        /* cut to the panel's width, with "..." */
        char t[256];
        snprintf(t, sizeof t, "%s", p->title);
        for (size_t len = strlen(t); len > 4 && text_width(t, MEDIUM) > w - 12; len--)
            memcpy(t + len - 4, "...", 4);
        c_text(c, ox + w / 2, M_TOP / 2.0, t, MEDIUM, 1, 0, INK);
    }
    if (p->xlabel)
        c_text(c, (x0 + x1) / 2, h - 14, p->xlabel, MEDIUM, 1, 0, INK);
    if (p->ylabel)
        c_text(c, x0 - 6 - widest - 8 - text_height(MEDIUM) / 2, (y0 + y1) / 2, p->ylabel, MEDIUM, 1, 1, INK);
    /* the legend */
    int entries = 0;
    double longest = 0;
    for (int s = 0; s < p->n_series; s++)
        if (p->series[s].name) {
            entries++;
            longest = fmax(longest, text_width(p->series[s].name, SMALL));
        }
    if (entries && p->legend != VGAE_LEGEND_NONE) {
        const double row = text_height(SMALL) + 7, bw = longest + 38, bh = entries * row + 8;
        vgae_legend_place place = p->legend;
        if (place == VGAE_LEGEND_AUTO) {
            /* the corner whose box covers the fewest points (lines: their vertices) */
            int64_t best = -1;
            for (int k = 0; k < 4; k++) {
                const int r = k == 0 || k == 1, b = k == 1 || k == 3;
                const double bx = r ? x1 - 8 - bw : x0 + 8, by = b ? y1 - 8 - bh : y0 + 8;
                int64_t under = 0;
                for (int s = 0; s < p->n_series; s++)
                    for (int64_t i = 0; i < p->series[s].n; i++) {
                        const double X = PX(p->series[s].x[i]), Y = PY(p->series[s].y[i]);
                        under += X >= bx - 4 && X <= bx + bw + 4 && Y >= by - 4 && Y <= by + bh + 4;
                    }
                if (best < 0 || under < best) {
                    best = under;
                    place = (vgae_legend_place)k;
                }
            }
        }
        const int right = place == VGAE_LEGEND_TOP_RIGHT || place == VGAE_LEGEND_BOTTOM_RIGHT;
        const int bottom = place == VGAE_LEGEND_BOTTOM_RIGHT || place == VGAE_LEGEND_BOTTOM_LEFT;
        const double lx = right ? x1 - 8 - bw : x0 + 8, ly = bottom ? y1 - 8 - bh : y0 + 8;
        c_rect(c, lx, ly, lx + bw, ly + bh, WHITE, 0xbbbbbbu);
        int k = 0;
        for (int s = 0; s < p->n_series; s++) {
            const vgae_plot_series *se = &p->series[s];
            if (!se->name)
                continue;
            const double cy = ly + 4 + row * (k++ + 0.5);
            const uint32_t color = vgae_plot_color(se->color);
            if (se->style == VGAE_PLOT_POINTS) {
                c_dot(c, lx + 16, cy, 3.5, color);
            } else {
                double sx[2] = {lx + 6, lx + 26}, sy[2] = {cy, cy};
                c_polyline(c, sx, sy, 2, se->style == VGAE_PLOT_DASHED ? 1.2 : 2.2, color,
                           se->style == VGAE_PLOT_DASHED);
            }
            c_text(c, lx + 32, cy, se->name, SMALL, 0, 0, INK);
        }
    }
#undef PX
#undef PY
}

/* ---- writing ---- */

static int ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[n - k + i]) != suffix[i])
            return 0;
    return 1;
}

vgae_status vgae_plot_write(vgae_ctx *ctx, const char *path, const vgae_plot_panel *panels, int n_panels, int width,
                            int height)
{
    if (!path || !panels || n_panels < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "a plot needs a path and at least one panel");
    if (width < 160 || width > 4000 || height < 160 || height > 4000 || (int64_t)width * n_panels > 16000)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "plot panels of %d x %d (x %d) are outside 160..4000",
                            width, height, n_panels);
    for (int k = 0; k < n_panels; k++)
        for (int s = 0; s < panels[k].n_series; s++) {
            const vgae_plot_series *se = &panels[k].series[s];
            if (se->n < 0 || (se->n > 0 && (!se->x || !se->y)))
                return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "panel %d, series %d has no data", k + 1, s + 1);
        }
    canvas c = {0};
    c.svg = ends_with(path, ".svg");
    c.width = width * n_panels;
    c.height = height;
    vgae_status st;
    if (c.svg) {
        vgae_outfile *out;
        if ((st = vgae_outfile_open(ctx, path, &out)))
            return st;
        c.f = vgae_outfile_stream(out);
        fprintf(c.f,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
                c.width, c.height, c.width, c.height);
        for (int k = 0; k < n_panels; k++)
            draw_panel(&c, &panels[k], (double)k * width, width, height);
        fputs("</svg>\n", c.f);
        if (c.failed) {
            vgae_outfile_abort(out);
            return vgae_fail_at(ctx, VGAE_ENOMEM, path, 0, "out of memory drawing the plot");
        }
        return vgae_outfile_commit(ctx, out);
    }
    const size_t big = (size_t)(c.width * S) * (size_t)(c.height * S) * 3;
    c.rgb = vgae_alloc(ctx, big, 1);
    uint8_t *small = c.rgb ? vgae_alloc(ctx, (size_t)c.width * (size_t)c.height * 3, 1) : NULL;
    if (!small) {
        free(c.rgb);
        return VGAE_ENOMEM;
    }
    memset(c.rgb, 0xff, big);
    c_unclip(&c);
    for (int k = 0; k < n_panels; k++)
        draw_panel(&c, &panels[k], (double)k * width, width, height);
    /* average each S x S block: edges and text come out smooth */
    const size_t W = (size_t)c.width * S;
    for (int y = 0; y < c.height; y++)
        for (int x = 0; x < c.width; x++)
            for (int ch = 0; ch < 3; ch++) {
                unsigned sum = 0;
                for (int b = 0; b < S; b++)
                    for (int a = 0; a < S; a++)
                        sum += c.rgb[(((size_t)y * S + (size_t)b) * W + (size_t)x * S + (size_t)a) * 3 + (size_t)ch];
                small[((size_t)y * (size_t)c.width + (size_t)x) * 3 + (size_t)ch] = (uint8_t)((sum + S * S / 2) / (S * S));
            }
    free(c.rgb);
    if (c.failed) {
        free(small);
        return vgae_fail_at(ctx, VGAE_ENOMEM, path, 0, "out of memory drawing the plot");
    }
    st = vgae_png_write_rgb(ctx, path, small, c.width, c.height);
    free(small);
    return st;
}
