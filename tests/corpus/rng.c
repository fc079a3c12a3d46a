/* rng.c - splitmix64 pseudo-random numbers for the corpus generator. */
#include "config.h"

#include "tests/corpus/rng.h"

void cg_rng_seed(cg_rng *r, uint64_t seed)
{
	r->state = seed ^ 0x6a09e667f3bcc908ULL;
}

uint64_t cg_rng_next(cg_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t cg_rng_below(cg_rng *r, uint64_t n)
{
	return n ? cg_rng_next(r) % n : 0;
}

uint64_t cg_rng_range(cg_rng *r, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + cg_rng_below(r, hi - lo + 1);
}

int cg_rng_chance(cg_rng *r, unsigned percent)
{
	return cg_rng_below(r, 100) < percent;
}

void cg_rng_bytes(cg_rng *r, unsigned char *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = cg_rng_next(r);
		for (int i = 0; i < 8; i++)
			*p++ = (unsigned char)(v >> (8 * i));
		n -= 8;
	}
	if (n) {
		uint64_t v = cg_rng_next(r);
		for (size_t i = 0; i < n; i++)
			*p++ = (unsigned char)(v >> (8 * i));
	}
}

uint64_t cg_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}
