// cblas-reference M N K REPS
//
// The yardstick for the Swift OpenBLAS path: times cblas_sgemm (row-major, no
// transposes, alpha 1, beta 0) on M x K times K x N after one warm-up call and prints
// one JSON line with the median time of REPS calls. It reads the same environment
// (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS, ...) as the process that starts it.
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out) {
    fprintf(out, "usage: cblas-reference M N K REPS   (positive integers)\n");
}

// Parses a positive integer; returns 0 on any error.
static long parse_positive(const char *text) {
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value <= 0 || value > 1000000) return 0;
    return value;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

// Uniform values in [-1, 1) from a 64-bit LCG: deterministic, no denormals.
static void fill(float *data, size_t count, uint64_t seed) {
    uint64_t state = seed;
    for (size_t i = 0; i < count; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        data[i] = (float)((double)(state >> 40) / (double)(1ULL << 24) * 2.0 - 1.0);
    }
}

static float *allocate(size_t count) {
    void *memory = NULL;
    size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    if (posix_memalign(&memory, 64, bytes) != 0) return NULL;
    return (float *)memory;
}

// Writes text as a JSON string body (quotes and control characters escaped).
static void print_json_string(const char *text) {
    putchar('"');
    for (const char *p = text; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\') printf("\\%c", ch);
        else if (ch < 0x20) printf("\\u%04x", ch);
        else putchar(ch);
    }
    putchar('"');
}

int main(int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc != 5) {
        usage(stderr);
        return 2;
    }
    long m = parse_positive(argv[1]), n = parse_positive(argv[2]);
    long k = parse_positive(argv[3]), reps = parse_positive(argv[4]);
    if (m == 0 || n == 0 || k == 0 || reps == 0) {
        fprintf(stderr, "cblas-reference: M, N, K and REPS must be positive integers (at most 1000000)\n");
        usage(stderr);
        return 2;
    }

    float *a = allocate((size_t)m * (size_t)k);
    float *b = allocate((size_t)k * (size_t)n);
    float *c = allocate((size_t)m * (size_t)n);
    double *times = malloc((size_t)reps * sizeof(double));
    if (!a || !b || !c || !times) {
        fprintf(stderr, "cblas-reference: out of memory\n");
        return 1;
    }
    fill(a, (size_t)m * (size_t)k, 1);
    fill(b, (size_t)k * (size_t)n, 2);
    memset(c, 0, (size_t)m * (size_t)n * sizeof(float));

    // Warm-up: starts the OpenBLAS thread pool and faults in every page.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m, (blasint)n, (blasint)k,
                1.0f, a, (blasint)k, b, (blasint)n, 0.0f, c, (blasint)n);
    for (long r = 0; r < reps; r++) {
        double start = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m, (blasint)n, (blasint)k,
                    1.0f, a, (blasint)k, b, (blasint)n, 0.0f, c, (blasint)n);
        times[r] = now_seconds() - start;
    }
    qsort(times, (size_t)reps, sizeof(double), compare_doubles);
    double median = (reps % 2 == 1) ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
    double gflops = 2.0 * (double)m * (double)n * (double)k / median / 1e9;

    // openblas_get_corename may pad the name; trim trailing blanks.
    char corename[64];
    const char *raw = openblas_get_corename();
    snprintf(corename, sizeof corename, "%s", raw ? raw : "unknown");
    for (size_t len = strlen(corename); len > 0 && isspace((unsigned char)corename[len - 1]); len--)
        corename[len - 1] = '\0';

    printf("{\"corename\":");
    print_json_string(corename);
    printf(",\"threads\":%d,\"m\":%ld,\"n\":%ld,\"k\":%ld,\"reps\":%ld,\"seconds\":%.9g,\"gflops\":%.6g}\n",
           openblas_get_num_threads(), m, n, k, reps, median, gflops);

    free(a); free(b); free(c); free(times);
    return 0;
}
