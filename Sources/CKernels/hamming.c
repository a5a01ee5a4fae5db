/* Unsafe code allowed here: the fewest differing bits between token signatures (late interaction). */
#include "CKernels.h"

/* popcnt is part of x86-64-v2; the package requires x86-64-v3 (AVX2), so no run-time check. */
#define POPCNT_TARGET __attribute__((target("popcnt")))

/* Six words a token (MiniLM's 384 bits), unrolled: the loop over words and its branch go away. */
static POPCNT_TARGET void fewest_six(const uint64_t *question, long question_tokens, const uint64_t *chunk,
                                     long chunk_tokens, int32_t *fewest) {
    for (long u = 0; u < chunk_tokens; u++) {
        const uint64_t *c = chunk + u * 6;
        uint64_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5];
        for (long t = 0; t < question_tokens; t++) {
            const uint64_t *q = question + t * 6;
            int32_t distance = (int32_t)(__builtin_popcountll(q[0] ^ c0) + __builtin_popcountll(q[1] ^ c1)
                                         + __builtin_popcountll(q[2] ^ c2) + __builtin_popcountll(q[3] ^ c3)
                                         + __builtin_popcountll(q[4] ^ c4) + __builtin_popcountll(q[5] ^ c5));
            fewest[t] = distance < fewest[t] ? distance : fewest[t];
        }
    }
}

POPCNT_TARGET
void ckernels_fewest_differing_bits(const uint64_t *question, long question_tokens, const uint64_t *chunk,
                                    long chunk_tokens, long words_per_token, int32_t *fewest) {
    for (long t = 0; t < question_tokens; t++) fewest[t] = INT32_MAX;
    if (words_per_token == 6) {
        fewest_six(question, question_tokens, chunk, chunk_tokens, fewest);
        return;
    }
    /* Chunk tokens outside, question tokens inside: each chunk token is loaded once. */
    for (long u = 0; u < chunk_tokens; u++) {
        const uint64_t *c = chunk + u * words_per_token;
        for (long t = 0; t < question_tokens; t++) {
            const uint64_t *q = question + t * words_per_token;
            int32_t distance = 0;
            for (long w = 0; w < words_per_token; w++) distance += (int32_t)__builtin_popcountll(q[w] ^ c[w]);
            fewest[t] = distance < fewest[t] ? distance : fewest[t];
        }
    }
}
