/* Seeded random streams.
 *
 * Every consumer of randomness draws from its own stream, named by a string
 * and derived from (root seed, name) only. Adding, removing or draining one
 * stream never changes the values of another, so a new consumer does not
 * shift the rest of a run.
 *
 * Derivation (stable; changing it changes every golden value):
 *   h    = FNV-1a 64 of the name's bytes (offset basis 0xcbf29ce484222325,
 *          prime 0x100000001b3), no terminating NUL
 *   seed = mix64(root ^ mix64(h))        with mix64 the SplitMix64 finaliser:
 *          z = (z ^ z>>30) * 0xbf58476d1ce4e5b9; z = (z ^ z>>27) *
 *          0x94d049bb133111eb; z ^ z>>31
 *   the four 64-bit words of xoshiro256** state are the next four outputs
 *   of SplitMix64 started at `seed` (x += 0x9e3779b97f4a7c15; out = mix64(x)).
 * Outputs are xoshiro256** (Blackman and Vigna, 2018).
 *
 * The distributions below are exact functions of the raw 64-bit outputs and
 * documented with each function, so values are the same on every build of
 * the same libm (exponential and normal call log/sqrt).
 */
#ifndef LWSIM_SIM_RNG_H
#define LWSIM_SIM_RNG_H

#include <stdint.h>

struct sim_rng {
  uint64_t s[4];
};

/* Seed r as stream `name` of root seed `root`. */
void sim_rng_init(struct sim_rng *r, uint64_t root, const char *name);
/* The 64-bit stream seed of (root, name), as derived above. */
uint64_t sim_rng_stream_seed(uint64_t root, const char *name);

uint64_t sim_rng_u64(struct sim_rng *r);
/* Uniform in [0, 1): the top 53 bits of one output, times 2^-53. */
double sim_rng_double(struct sim_rng *r);
/* Uniform in [0, n), unbiased (Lemire's multiply-and-reject); 0 when n == 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);
/* Uniform integer in [lo, hi] (inclusive); lo when hi <= lo. */
int64_t sim_rng_range(struct sim_rng *r, int64_t lo, int64_t hi);
/* Uniform real in [lo, hi). */
double sim_rng_uniform(struct sim_rng *r, double lo, double hi);
/* 1 with probability p (p <= 0: never draws and returns 0; p >= 1: never
 * draws and returns 1), else 0. One draw: sim_rng_double() < p. */
int sim_rng_bernoulli(struct sim_rng *r, double p);
/* Exponential with the given mean: -mean * log(1 - u), u = sim_rng_double. */
double sim_rng_exponential(struct sim_rng *r, double mean);
/* Normal(mean, stddev) by Marsaglia's polar method; each call draws fresh
 * pairs until one lies in the unit disc and returns the first value of it. */
double sim_rng_normal(struct sim_rng *r, double mean, double stddev);

#endif
