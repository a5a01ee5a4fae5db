/* Unsafe code allowed here: the exact (erf) GELU over a buffer, eight lanes at a time. */
#include "CKernels.h"
#include "vector_math.h"

#include <string.h>

/* 0.5·x·(1 + erf(x/√2)) for eight lanes. */
static inline __attribute__((always_inline)) AVX2_TARGET __m256 gelu8(__m256 x) {
    __m256 cdf = _mm256_add_ps(_mm256_set1_ps(1.0f), ckernels_erf8(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f))));   /* 1/√2 */
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), cdf);
}

AVX2_TARGET void ckernels_gelu(float *values, long count) {
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
