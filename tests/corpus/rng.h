/*
 * rng.h - the corpus generator's seeded pseudo-random numbers (splitmix64).
 *
 * Our own generator, not libc rand(), so that the same seed gives the same
 * corpus on every machine and C library.
 */
#ifndef MIGSH_CORPUS_RNG_H
#define MIGSH_CORPUS_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct cg_rng {
	uint64_t state;
} cg_rng;

void cg_rng_seed(cg_rng *r, uint64_t seed);
uint64_t cg_rng_next(cg_rng *r);
/* Uniform in [0, n); n == 0 gives 0. */
uint64_t cg_rng_below(cg_rng *r, uint64_t n);
/* Uniform in [lo, hi] (inclusive). */
uint64_t cg_rng_range(cg_rng *r, uint64_t lo, uint64_t hi);
/* True with probability percent/100. */
int cg_rng_chance(cg_rng *r, unsigned percent);
void cg_rng_bytes(cg_rng *r, unsigned char *p, size_t n);
/* FNV-1a hash of a string (mixes user names into seeds). */
uint64_t cg_hash(const char *s);

#endif
