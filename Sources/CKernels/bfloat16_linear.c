/* Unsafe code allowed here: the AVX-512 BF16 linear layer (see include/CKernels.h) and the CPU check
 * that guards it. docs/decisions/0003-bfloat16-question-kernel.md says why. */
#include "CKernels.h"

#include <cpuid.h>
#include <immintrin.h>
#include <string.h>

/* The OS saves the AVX-512 state (XCR0: SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM, bits 1, 2, 5, 6, 7). */
static int os_saves_zmm(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    return (xcr0_low & 0xE6) == 0xE6 && __get_cpuid_max(0, 0) >= 7;
}

int ckernels_has_avx512(void) {
    if (!os_saves_zmm()) return 0;
    unsigned eax, ebx, ecx, edx;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    int has_foundation = (ebx >> 16) & 1, has_dq = (ebx >> 17) & 1;
    return has_foundation && has_dq;
}

int ckernels_has_avx512_bf16(void) {
    if (!os_saves_zmm()) return 0;
    unsigned eax, ebx, ecx, edx;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    int has_foundation = (ebx >> 16) & 1, has_bw = (ebx >> 30) & 1, has_vl = (ebx >> 31) & 1;
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    int has_bf16 = (eax >> 5) & 1;
    return has_foundation && has_bw && has_vl && has_bf16;
}

uint16_t ckernels_bfloat16_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x40);   /* quiet NaN */
    bits += 0x7FFFu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

long ckernels_bfloat16_packed_index(long row, long column, long in) {
    return (row / 16) * (16 * in) + (column / 2) * 32 + (row % 16) * 2 + (column % 2);
}

void ckernels_bfloat16_pack_row(const float *values, long row, long in, uint16_t *packed) {
    for (long column = 0; column < in; column++)
        packed[ckernels_bfloat16_packed_index(row, column, in)] = ckernels_bfloat16_from_float(values[column]);
}

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

/* The most rows one block holds: 24 accumulators, one weight register and the broadcasts fit the
 * 32 ZMM registers, and a question (15-20 tokens) is one block, so its weights stream from memory
 * exactly once. */
#define BLOCK_ROWS 24

/* Rows whose inputs one pass over the panels keeps in L2 (1 MiB a core on Zen 4): 8 blocks. A
 * 2048-row batch without groups ran at half the 256-row rate, its inputs streaming from L3 once
 * per panel. Each row's sums do not depend on the grouping, so vectors stay batch-independent. */
#define GROUP_ROWS (8 * BLOCK_ROWS)

/* `count` rows of bf16(input) · weightsᵀ for one panel of 16 outputs: every accumulator starts
 * from the bias and stays in a register, and each 64-byte load of weights feeds `count`
 * vdpbf16ps. Inlined with a constant `count`, so the row loop unrolls. */
static inline __attribute__((always_inline)) BF16_TARGET void
block(int count, const uint32_t *pairs, long pairs_per_row, const uint16_t *panel, const float *bias, float *output, long out) {
    __m512 sums[BLOCK_ROWS];
    __m512 start = _mm512_loadu_ps(bias);
#pragma clang loop unroll(full)
    for (int r = 0; r < count; r++) sums[r] = start;
    for (long k = 0; k < pairs_per_row; k++) {
        /* Weights come once from memory for a question: ask for them 1 KiB ahead. */
        _mm_prefetch((const char *)(panel + 32 * k) + 1024, _MM_HINT_T0);
        __m512bh weights = (__m512bh)_mm512_loadu_si512(panel + 32 * k);
#pragma clang loop unroll(full)
        for (int r = 0; r < count; r++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)pairs[r * pairs_per_row + k]);
            sums[r] = _mm512_dpbf16_ps(sums[r], weights, x);   /* x second: folds into an embedded {1to16} broadcast */
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < count; r++) _mm512_storeu_ps(output + r * out, sums[r]);
}

#define CASE(n) case n: block(n, pairs, half, panel, bias + o, y, out); break;

BF16_TARGET void ckernels_bfloat16_linear(const float *input, long rows, long in, const uint16_t *packed, long out,
                                          const float *bias, float *output, uint32_t *scratch) {
    /* The inputs once in bfloat16, (rows, in): each 32-bit word a column pair, as vdpbf16ps reads it. */
    for (long i = 0; i < rows * in; i += 16) {
        __m256bh rounded = _mm512_cvtneps_pbh(_mm512_loadu_ps(input + i));
        _mm256_storeu_si256((__m256i *)(scratch + i / 2), (__m256i)rounded);
    }
    long half = in / 2;
    /* Row groups outermost: a group's inputs in bfloat16 (at most GROUP_ROWS × in × 2 bytes, 590 KB
     * for in = 1536) stay in L2 while every panel passes over them. Inside a group, panels in
     * memory order: the weights are one sequential stream, and a panel (in × 16 bf16, 12-48 KB)
     * stays in cache for the group's row blocks. A question is one group. */
    for (long g = 0; g < rows; g += GROUP_ROWS) {
        long group_end = rows - g < GROUP_ROWS ? rows : g + GROUP_ROWS;
        for (long o = 0; o < out; o += 16) {
            const uint16_t *panel = packed + o * in;
            for (long r = g; r < group_end; r += BLOCK_ROWS) {
                long count = group_end - r < BLOCK_ROWS ? group_end - r : BLOCK_ROWS;
                const uint32_t *pairs = scratch + r * half;
                float *y = output + r * out + o;
                switch (count) {
                CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12)
                CASE(13) CASE(14) CASE(15) CASE(16) CASE(17) CASE(18) CASE(19) CASE(20) CASE(21) CASE(22) CASE(23)
                default: block(BLOCK_ROWS, pairs, half, panel, bias + o, y, out); break;
                }
            }
        }
    }
}
