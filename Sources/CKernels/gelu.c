/* Unsafe code allowed here: the exact (erf) GELU over a buffer, eight or sixteen lanes at a time. */
#include "CKernels.h"
#include "vector_math.h"

#include <string.h>

/* 0.5·x·(1 + erf(x/√2)) for eight lanes. */
static inline __attribute__((always_inline)) AVX2_TARGET __m256 gelu8(__m256 x) {
    __m256 cdf = _mm256_add_ps(_mm256_set1_ps(1.0f), ckernels_erf8(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f))));   /* 1/√2 */
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), cdf);
}

AVX2_TARGET void ckernels_gelu_avx2(float *values, long count) {
    long i = 0;
    /* Two vectors an iteration: the division and exp of one overlap the other's. */
    for (; i + 16 <= count; i += 16) {
        __m256 a = gelu8(_mm256_loadu_ps(values + i)), b = gelu8(_mm256_loadu_ps(values + i + 8));
        _mm256_storeu_ps(values + i, a);
        _mm256_storeu_ps(values + i + 8, b);
    }
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(values + i, gelu8(_mm256_loadu_ps(values + i)));
    if (i < count) {
        /* The tail through the same lanes, so every element gets the same arithmetic. */
        float lanes[8] = {0};
        memcpy(lanes, values + i, (size_t)(count - i) * sizeof(float));
        _mm256_storeu_ps(lanes, gelu8(_mm256_loadu_ps(lanes)));
        memcpy(values + i, lanes, (size_t)(count - i) * sizeof(float));
    }
}

/* The same for sixteen lanes, with the same arithmetic as gelu8 (see ckernels_erf16). */
static inline __attribute__((always_inline)) AVX512_TARGET __m512 gelu16(__m512 x) {
    __m512 cdf = _mm512_add_ps(_mm512_set1_ps(1.0f), ckernels_erf16(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f))));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), cdf);
}

AVX512_TARGET void ckernels_gelu_avx512(float *values, long count) {
    long i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512 a = gelu16(_mm512_loadu_ps(values + i)), b = gelu16(_mm512_loadu_ps(values + i + 16));
        _mm512_storeu_ps(values + i, a);
        _mm512_storeu_ps(values + i + 16, b);
    }
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(values + i, gelu16(_mm512_loadu_ps(values + i)));
    if (i < count) {
        float lanes[16] = {0};
        memcpy(lanes, values + i, (size_t)(count - i) * sizeof(float));
        _mm512_storeu_ps(lanes, gelu16(_mm512_loadu_ps(lanes)));
        memcpy(values + i, lanes, (size_t)(count - i) * sizeof(float));
    }
}

void ckernels_gelu(float *values, long count) {
    /* The CPU is asked once; threads racing on the first call store the same answer. */
    static int has_avx512 = -1;
    int known = __atomic_load_n(&has_avx512, __ATOMIC_RELAXED);
    if (known < 0) {
        known = ckernels_has_avx512();
        __atomic_store_n(&has_avx512, known, __ATOMIC_RELAXED);
    }
    if (known) ckernels_gelu_avx512(values, count); else ckernels_gelu_avx2(values, count);
}
