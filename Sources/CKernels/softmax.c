/* Unsafe code allowed here: softmax over the rows of an attention-score matrix, eight lanes at a time. */
#include "CKernels.h"
#include "vector_math.h"

#include <math.h>
#include <string.h>

/* The lanes' sum in a fixed order (pairs, then pairs of pairs), so results never depend on the compiler. */
static inline AVX2_TARGET float horizontal_sum(__m256 v) {
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_movehdup_ps(half));
    return _mm_cvtss_f32(half);
}

static inline AVX2_TARGET float horizontal_max(__m256 v) {
    __m128 half = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    half = _mm_max_ps(half, _mm_movehl_ps(half, half));
    half = _mm_max_ss(half, _mm_movehdup_ps(half));
    return _mm_cvtss_f32(half);
}

AVX2_TARGET void ckernels_softmax_rows(float *scores, long rows, long width) {
    long full = width / 8 * 8;
    int has_tail = full < width;
    for (long row = 0; row < rows; row++) {
        float *s = scores + row * width;
        /* The partial last vector, padded with -∞: its padding lanes give e^-∞ = 0. */
        float tail[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
        if (has_tail) memcpy(tail, s + full, (size_t)(width - full) * sizeof(float));
        __m256 maximum = _mm256_loadu_ps(tail);
        for (long i = 0; i < full; i += 8) maximum = _mm256_max_ps(maximum, _mm256_loadu_ps(s + i));
        __m256 shift = _mm256_set1_ps(horizontal_max(maximum));
        __m256 totals = _mm256_setzero_ps();
        for (long i = 0; i < full; i += 8) {
            __m256 e = ckernels_exp8(_mm256_sub_ps(_mm256_loadu_ps(s + i), shift));
            totals = _mm256_add_ps(totals, e);
            _mm256_storeu_ps(s + i, e);
        }
        if (has_tail) {
            __m256 tail_e = ckernels_exp8(_mm256_sub_ps(_mm256_loadu_ps(tail), shift));
            totals = _mm256_add_ps(totals, tail_e);
            _mm256_storeu_ps(tail, tail_e);
        }
        __m256 inverse = _mm256_set1_ps(1.0f / horizontal_sum(totals));
        for (long i = 0; i < full; i += 8) _mm256_storeu_ps(s + i, _mm256_mul_ps(_mm256_loadu_ps(s + i), inverse));
        if (has_tail) {
            _mm256_storeu_ps(tail, _mm256_mul_ps(_mm256_loadu_ps(tail), inverse));
            memcpy(s + full, tail, (size_t)(width - full) * sizeof(float));
        }
    }
}
