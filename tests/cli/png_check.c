/* Decodes a PNG with libpng and prints what a test checks of a picture:
 * "WIDTH HEIGHT COLOURS INK", COLOURS the distinct RGB values, INK the
 * per-mille of pixels that are not white, then for each RRGGBB given the
 * pixels of exactly that colour. Exit 1 if it does not decode.
 * usage: png_check FILE.png [RRGGBB...] */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
    const unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: png_check FILE.png [RRGGBB...]\n");
        return 2;
    }
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, argv[1])) {
        fprintf(stderr, "png_check: %s: %s\n", argv[1], im.message);
        return 1;
    }
    im.format = PNG_FORMAT_RGB;
    const size_t n = (size_t)im.width * im.height;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
    unsigned *colours = malloc(n * sizeof *colours);
    if (!px || !colours || !png_image_finish_read(&im, NULL, px, 0, NULL)) {
        fprintf(stderr, "png_check: %s: %s\n", argv[1], px && colours ? im.message : "out of memory");
        return 1;
    }
    size_t ink = 0;
    for (size_t i = 0; i < n; i++) {
        colours[i] = (unsigned)px[3 * i] << 16 | (unsigned)px[3 * i + 1] << 8 | px[3 * i + 2];
        ink += colours[i] != 0xffffffu;
    }
    qsort(colours, n, sizeof *colours, cmp_u32);
    size_t distinct = n > 0;
    for (size_t i = 1; i < n; i++)
        distinct += colours[i] != colours[i - 1];
    printf("%u %u %zu %zu", im.width, im.height, distinct, n ? ink * 1000 / n : 0);
    for (int a = 2; a < argc; a++) {
        const unsigned want = (unsigned)strtoul(argv[a], NULL, 16);
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            count += colours[i] == want;
        printf(" %zu", count);
    }
    printf("\n");
    free(px);
    free(colours);
    return 0;
}
