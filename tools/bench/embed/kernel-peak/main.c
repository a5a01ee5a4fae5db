/* This core's multiply-add peak: twelve independent accumulators, no memory traffic, in
 * bfloat16 (vdpbf16ps, 32 per instruction), Float32 AVX-512 FMA (16) and Float32 AVX2 FMA (8);
 * CPU time of the calling thread. The ceiling the bfloat16 kernel and OpenBLAS are measured
 * against (docs/BENCHMARKS.md). Built and run by ../kernels.sh. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { CHAINS = 12 };
static const long ITERATIONS = 50000000;

__attribute__((target("avx512f,avx512bf16"))) static double bfloat16_rate(void) {
    __m512 sums[CHAINS];
    for (int i = 0; i < CHAINS; i++) sums[i] = _mm512_set1_ps((float)i);
    __m512bh x = (__m512bh)_mm512_set1_epi32(0x3f803f80), w = (__m512bh)_mm512_set1_epi32(0x3c003c00);
    double start = cpu_seconds();
    for (long k = 0; k < ITERATIONS; k++) {
        for (int i = 0; i < CHAINS; i++) sums[i] = _mm512_dpbf16_ps(sums[i], x, w);
        __asm__ volatile("" : : "v"(sums[0]), "v"(sums[5]), "v"(sums[11]));
    }
    double elapsed = cpu_seconds() - start;
    float total = 0;
    for (int i = 0; i < CHAINS; i++) total += _mm512_reduce_add_ps(sums[i]);
    if (total == 1.5f) puts("");   /* keeps the sums live */
    return ITERATIONS * CHAINS * 32.0 / elapsed / 1e9;
}

__attribute__((target("avx512f"))) static double float32_avx512_rate(void) {
    __m512 sums[CHAINS];
    for (int i = 0; i < CHAINS; i++) sums[i] = _mm512_set1_ps((float)i);
    __m512 x = _mm512_set1_ps(1.0001f), w = _mm512_set1_ps(0.9999f);
    double start = cpu_seconds();
    for (long k = 0; k < ITERATIONS; k++) {
        for (int i = 0; i < CHAINS; i++) sums[i] = _mm512_fmadd_ps(sums[i], x, w);
        __asm__ volatile("" : : "v"(sums[0]), "v"(sums[5]), "v"(sums[11]));
    }
    double elapsed = cpu_seconds() - start;
    float total = 0;
    for (int i = 0; i < CHAINS; i++) total += _mm512_reduce_add_ps(sums[i]);
    if (total == 1.5f) puts("");
    return ITERATIONS * CHAINS * 16.0 / elapsed / 1e9;
}

__attribute__((target("avx2,fma"))) static double float32_avx2_rate(void) {
    __m256 sums[CHAINS];
    for (int i = 0; i < CHAINS; i++) sums[i] = _mm256_set1_ps((float)i);
    __m256 x = _mm256_set1_ps(1.0001f), w = _mm256_set1_ps(0.9999f);
    double start = cpu_seconds();
    for (long k = 0; k < ITERATIONS; k++) {
        for (int i = 0; i < CHAINS; i++) sums[i] = _mm256_fmadd_ps(sums[i], x, w);
        __asm__ volatile("" : : "x"(sums[0]), "x"(sums[5]), "x"(sums[11]));
    }
    double elapsed = cpu_seconds() - start;
    float total = 0;
    for (int i = 0; i < CHAINS; i++) total += sums[i][0];
    if (total == 1.5f) puts("");
    return ITERATIONS * CHAINS * 8.0 / elapsed / 1e9;
}

int main(void) {
    double bfloat16 = bfloat16_rate(), avx512 = float32_avx512_rate(), avx2 = float32_avx2_rate();
    printf("{\"peak_g_multiply_adds_per_s\":{\"bfloat16_vdpbf16ps\":%.1f,\"float32_avx512_fma\":%.1f,\"float32_avx2_fma\":%.1f}}\n",
           bfloat16, avx512, avx2);
    return 0;
}
