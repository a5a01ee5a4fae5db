/* Unsafe code allowed here: C numeric kernels for Embeddings (the only module that imports
 * CKernels). Each AVX-512 function is compiled for that instruction set alone, with
 * __attribute__((target)), and is called only after ckernels_has_avx512_bf16() (or, for the
 * GELU, ckernels_has_avx512()) says the CPU and the OS support it; the activations (GELU,
 * softmax) are compiled the same way for AVX2 and FMA, and the signature bit counts for popcnt,
 * which the whole package requires (x86-64-v3). */
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/* 1 when this CPU and OS run AVX-512 F/BW/VL with AVX512_BF16 (cpuid leaf 7, XCR0 ZMM state). */
int ckernels_has_avx512_bf16(void);

/* 1 when this CPU and OS run AVX-512 F and DQ (what the sixteen-lane GELU needs). */
int ckernels_has_avx512(void);

/* Rounds a float to bfloat16, to nearest even (NaN stays NaN). Portable. */
uint16_t ckernels_bfloat16_from_float(float value);

/* The index in a packed bfloat16 matrix of weight (row, column) of a matrix `in` columns wide:
 * panels of 16 rows (output features), each panel column pair after column pair, the pair of each
 * row adjacent (the operand layout of vdpbf16ps). Requires `in` even and the row count a multiple of 16. */
long ckernels_bfloat16_packed_index(long row, long column, long in);

/* Rounds weight row `row` (`in` floats) to bfloat16 into its places in `packed`. Portable. */
void ckernels_bfloat16_pack_row(const float *values, long row, long in, uint16_t *packed);

/* output (rows, out) <- bf16(input) (rows, in) . packedᵀ + bias, with AVX512_BF16's vdpbf16ps:
 * inputs rounded to bfloat16, products summed in float, starting from the bias.
 * `scratch` holds rows * in / 2 words (the inputs in bfloat16, a column pair per word). Requires in % 32 == 0, out % 16 == 0, and
 * ckernels_has_avx512_bf16(). */
void ckernels_bfloat16_linear(const float *input, long rows, long in, const uint16_t *packed, long out,
                              const float *bias, float *output, uint32_t *scratch);

/* values[0..<count] <- GELU(values) = x·½(1 + erf(x/√2)), the exact (erf) form BERT's "gelu"
 * names, with an erf of absolute error below 1.5e-7 (gelu.c). Every element, the tail's too,
 * goes through the same lane arithmetic, so a value's result never depends on its place.
 * Sixteen lanes with AVX-512 when ckernels_has_avx512(), else eight with AVX2: the same
 * operations in the same order, so the same bits either way (ckernels_gelu_avx2 and
 * ckernels_gelu_avx512 are declared so the tests can hold one to the other). */
void ckernels_gelu(float *values, long count);
void ckernels_gelu_avx2(float *values, long count);
void ckernels_gelu_avx512(float *values, long count);

/* fewest[t] <- min over u of the bits that differ between question signature t and chunk
 * signature u (each `words_per_token` 64-bit words), for t < question_tokens; INT32_MAX when
 * chunk_tokens is 0. With the popcnt instruction (hamming.c). */
void ckernels_fewest_differing_bits(const uint64_t *question, long question_tokens, const uint64_t *chunk,
                                    long chunk_tokens, long words_per_token, int32_t *fewest);

/* scores (rows, width) <- softmax of each row, the row's maximum subtracted first, e^x with
 * relative error below 2e-7 (softmax.c). */
void ckernels_softmax_rows(float *scores, long rows, long width);

#endif
