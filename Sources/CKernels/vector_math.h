/* Unsafe code allowed here: eight-lane exp and erf for the activation kernels (gelu.c,
 * softmax.c), in AVX2 registers with FMA, the instruction set the whole package is built for
 * (x86-64-v3). Included by those files only; static inline, so each gets its own copy. */
#ifndef CKERNELS_VECTOR_MATH_H
#define CKERNELS_VECTOR_MATH_H

#include <immintrin.h>

#define AVX2_TARGET __attribute__((target("avx2,fma")))

/* e^x, relative error below 2e-7 for x in [-87, 88]; 0 below -87.3, clamped above 88.3.
 * Cody–Waite range reduction x = n·ln 2 + r, then Cephes' expf polynomial for e^r, in FMAs. */
static inline __attribute__((always_inline)) AVX2_TARGET __m256 ckernels_exp8(__m256 x) {
    __m256 clamped = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(clamped, _mm256_set1_ps(1.44269504f)),   /* 1/ln 2 */
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), clamped);             /* ln 2, high part (exact) */
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);                       /* ln 2, low part */
    __m256 p = _mm256_set1_ps(1.98756915e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.39819995e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.33345190e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.16657959e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.66666655e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.00000012e-1f));
    __m256 mantissa = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* 2^n built in the exponent field; n is in [-126, 127], so the result stays normal. */
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    __m256 result = _mm256_mul_ps(mantissa, _mm256_castsi256_ps(exponent));
    __m256 underflows = _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_LT_OQ);
    return _mm256_andnot_ps(underflows, result);
}

/* erf(x), absolute error below 1.5e-7 (Abramowitz & Stegun 7.1.26), odd by construction. */
static inline __attribute__((always_inline)) AVX2_TARGET __m256 ckernels_erf8(__m256 x) {
    __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.0f));
    __m256 magnitude = _mm256_xor_ps(x, sign);
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(magnitude, _mm256_set1_ps(0.3275911f), _mm256_set1_ps(1.0f)));
    __m256 p = _mm256_set1_ps(1.061405429f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
    __m256 decay = ckernels_exp8(_mm256_mul_ps(_mm256_mul_ps(magnitude, magnitude), _mm256_set1_ps(-1.0f)));
    __m256 y = _mm256_fnmadd_ps(_mm256_mul_ps(p, t), decay, _mm256_set1_ps(1.0f));
    return _mm256_xor_ps(y, sign);
}

/* The two functions above in sixteen AVX-512 lanes (F and DQ), for CPUs that have them: the same
 * constants and operations in the same order, so each lane gives the bits the eight-lane version
 * gives. (On Zen 4 a 512-bit operation costs two 256-bit ones, but half the instructions pass
 * through the front end, which is what limits these chains of dependent operations.) */
#define AVX512_TARGET __attribute__((target("avx512f,avx512dq")))

static inline __attribute__((always_inline)) AVX512_TARGET __m512 ckernels_exp16(__m512 x) {
    __m512 clamped = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(clamped, _mm512_set1_ps(1.44269504f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), clamped);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.98756915e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.39819995e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.33345190e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.16657959e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.66666655e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.00000012e-1f));
    __m512 mantissa = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i exponent = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    __m512 result = _mm512_mul_ps(mantissa, _mm512_castsi512_ps(exponent));
    __mmask16 underflows = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_LT_OQ);
    return _mm512_maskz_mov_ps((__mmask16)~underflows, result);
}

static inline __attribute__((always_inline)) AVX512_TARGET __m512 ckernels_erf16(__m512 x) {
    __m512 sign = _mm512_and_ps(x, _mm512_set1_ps(-0.0f));
    __m512 magnitude = _mm512_xor_ps(x, sign);
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(magnitude, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(1.061405429f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    __m512 decay = ckernels_exp16(_mm512_mul_ps(_mm512_mul_ps(magnitude, magnitude), _mm512_set1_ps(-1.0f)));
    __m512 y = _mm512_fnmadd_ps(_mm512_mul_ps(p, t), decay, _mm512_set1_ps(1.0f));
    return _mm512_xor_ps(y, sign);
}

#endif
