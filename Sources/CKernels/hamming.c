/* Unsafe code allowed here: the fewest differing bits between token signatures (late interaction). */
#include "CKernels.h"

/* popcnt is part of x86-64-v2; the package requires x86-64-v3 (AVX2), so no run-time check. */
__attribute__((target("popcnt")))
void ckernels_fewest_differing_bits(const uint64_t *question, long question_tokens, const uint64_t *chunk,
                                    long chunk_tokens, long words_per_token, int32_t *fewest) {
    for (long t = 0; t < question_tokens; t++) fewest[t] = INT32_MAX;
    /* Chunk tokens outside, question tokens inside: each chunk token is loaded once. */
    for (long u = 0; u < chunk_tokens; u++) {
        const uint64_t *c = chunk + u * words_per_token;
        for (long t = 0; t < question_tokens; t++) {
            const uint64_t *q = question + t * words_per_token;
            int32_t distance = 0;
            for (long w = 0; w < words_per_token; w++) distance += (int32_t)__builtin_popcountll(q[w] ^ c[w]);
            if (distance < fewest[t]) fewest[t] = distance;
        }
    }
}
