#include "sim/rng.h"

#include <math.h>

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t splitmix64_next(uint64_t *x) {
  *x += 0x9e3779b97f4a7c15ULL;
  return mix64(*x);
}

static uint64_t fnv1a64(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t sim_rng_stream_seed(uint64_t root, const char *name) {
  return mix64(root ^ mix64(fnv1a64(name ? name : "")));
}

void sim_rng_init(struct sim_rng *r, uint64_t root, const char *name) {
  uint64_t x = sim_rng_stream_seed(root, name);
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64_next(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sim_rng_u64(struct sim_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

double sim_rng_double(struct sim_rng *r) { return (double)(sim_rng_u64(r) >> 11) * 0x1.0p-53; }

uint64_t sim_rng_below(struct sim_rng *r, uint64_t n) {
  if (n == 0) return 0;
  unsigned __int128 m = (unsigned __int128)sim_rng_u64(r) * n;
  uint64_t low = (uint64_t)m;
  if (low < n) {
    uint64_t threshold = -n % n; /* 2^64 mod n */
    while (low < threshold) {
      m = (unsigned __int128)sim_rng_u64(r) * n;
      low = (uint64_t)m;
    }
  }
  return (uint64_t)(m >> 64);
}

int64_t sim_rng_range(struct sim_rng *r, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  uint64_t span = (uint64_t)hi - (uint64_t)lo; /* fits: two's complement */
  uint64_t off = span == UINT64_MAX ? sim_rng_u64(r) : sim_rng_below(r, span + 1);
  return (int64_t)((uint64_t)lo + off);
}

double sim_rng_uniform(struct sim_rng *r, double lo, double hi) {
  return lo + (hi - lo) * sim_rng_double(r);
}

int sim_rng_bernoulli(struct sim_rng *r, double p) {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return sim_rng_double(r) < p;
}

double sim_rng_exponential(struct sim_rng *r, double mean) {
  return -mean * log(1.0 - sim_rng_double(r));
}

double sim_rng_normal(struct sim_rng *r, double mean, double stddev) {
  double u, v, s;
  do {
    u = 2.0 * sim_rng_double(r) - 1.0;
    v = 2.0 * sim_rng_double(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return mean + stddev * u * sqrt(-2.0 * log(s) / s);
}
