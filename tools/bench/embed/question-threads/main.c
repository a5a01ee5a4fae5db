/* How many threads one question's matrix products can use: the 36 bfloat16 products of a
 * MiniLM-L6 question (6 layers: 4 of 384x384, 384->1536, 1536->384; ROWS tokens), timed on one
 * thread and split by output panels over two, with a barrier after every product as a real split
 * would need. Wall-clock time per question, both in this invocation, and the one-thread rate. Random weights: the work,
 * not the values, matters here. Built and run by ../kernels.sh. */
#include "CKernels.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { MATRICES = 36 };
static const long shapes[6][2] = {{384, 384}, {384, 384}, {384, 384}, {384, 384}, {1536, 384}, {384, 1536}};  /* (out, in) */
static uint16_t *weights[MATRICES];
static float bias[1536];
static long rows;
static float *input;
static pthread_barrier_t after_product;

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct { int part, parts, passes; } Work;

/* Thread `part` of `parts` computes its share of every product's output panels, `passes` times. */
static void *run(void *argument) {
    Work *work = argument;
    float *output = malloc(sizeof(float) * rows * 1536);
    uint32_t *scratch = malloc(sizeof(uint32_t) * rows * 768);
    for (int pass = 0; pass < work->passes; pass++) {
        for (int m = 0; m < MATRICES; m++) {
            long out = shapes[m % 6][0], in = shapes[m % 6][1];
            long share = out / work->parts, first = share * work->part;   /* multiples of 16 here */
            ckernels_bfloat16_linear(input, rows, in, weights[m] + first * in, share, bias + first, output, scratch);
            if (work->parts > 1) pthread_barrier_wait(&after_product);
        }
    }
    free(output);
    free(scratch);
    return NULL;
}

static double perQuestion(int parts, int passes) {
    pthread_t threads[2];
    Work work[2];
    pthread_barrier_init(&after_product, NULL, parts);
    double start = seconds();
    for (int t = 0; t < parts; t++) {
        work[t] = (Work){t, parts, passes};
        pthread_create(&threads[t], NULL, run, &work[t]);
    }
    for (int t = 0; t < parts; t++) pthread_join(threads[t], NULL);
    double elapsed = seconds() - start;
    pthread_barrier_destroy(&after_product);
    return elapsed / passes * 1000;
}

int main(int argc, char **argv) {
    rows = argc > 1 ? atol(argv[1]) : 16;
    int passes = argc > 2 ? atoi(argv[2]) : 300;
    if (!ckernels_has_avx512_bf16()) { fprintf(stderr, "question-threads: this CPU lacks AVX512_BF16\n"); return 1; }
    srand(1);
    input = malloc(sizeof(float) * rows * 1536);
    for (long i = 0; i < rows * 1536; i++) input[i] = (float)((double)rand() / RAND_MAX) - 0.5f;
    float row[1536];
    for (int m = 0; m < MATRICES; m++) {
        long out = shapes[m % 6][0], in = shapes[m % 6][1];
        weights[m] = malloc(sizeof(uint16_t) * out * in);
        for (long r = 0; r < out; r++) {
            for (long c = 0; c < in; c++) row[c] = ((float)((double)rand() / RAND_MAX) - 0.5f) * 0.1f;
            ckernels_bfloat16_pack_row(row, r, in, weights[m]);
        }
    }
    perQuestion(1, 20);   /* warm-up */
    double one = 1e9, two = 1e9;
    for (int round = 0; round < 3; round++) {   /* alternate, keep the best of each */
        double a = perQuestion(1, passes), b = perQuestion(2, passes);
        if (a < one) one = a;
        if (b < two) two = b;
    }
    double multiply_adds = 0;
    for (int m = 0; m < MATRICES; m++) multiply_adds += (double)shapes[m % 6][0] * shapes[m % 6][1] * rows;
    printf("{\"rows\":%ld,\"one_thread_ms\":%.3f,\"one_thread_g_multiply_adds_per_s\":%.1f,\"two_threads_ms\":%.3f,\"speedup\":%.2f}\n",
           rows, one, multiply_adds / one / 1e6, two, one / two);
    return 0;
}
