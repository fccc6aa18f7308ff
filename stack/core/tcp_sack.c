/* SACK (RFC 2018) and SACK-based loss recovery (RFC 6675).
 *
 * The sender keeps a scoreboard: up to TCP_SACK_RANGES ranges of sequence
 * space above snd_una that the peer reported holding, sorted and disjoint.
 * The receiver reports its out-of-order queue, the range holding the most
 * recent arrival first. */
#include "stack/core/tcp_priv.h"

/* Room for one more range; 0 when the scoreboard is at its limit or the
 * heap is out (then the newest information is dropped: recovery falls
 * back on the retransmission timer). */
static int sb_grow(struct tcp_pcb *pcb) {
  if (pcb->nsacked < pcb->cap_sacked) return 1;
  if (pcb->cap_sacked >= TCP_SACK_RANGES) return 0;
  uint16_t cap = pcb->cap_sacked ? (uint16_t)(pcb->cap_sacked * 2) : 8;
  struct tcp_sack_block *v = st_calloc(pcb->st, cap, sizeof *v);
  if (!v) return 0;
  for (int i = 0; i < pcb->nsacked; i++) v[i] = pcb->sacked[i];
  st_free(pcb->st, pcb->sacked, (size_t)pcb->cap_sacked * sizeof *v);
  pcb->sacked = v;
  pcb->cap_sacked = cap;
  return 1;
}

static void sb_insert(struct tcp_pcb *pcb, uint32_t l, uint32_t r) {
  int full = !sb_grow(pcb);
  struct tcp_sack_block *v = pcb->sacked;
  int n = pcb->nsacked, i = 0;
  while (i < n && seq_lt(v[i].right, l)) i++;
  /* v[i..] end at or after l: merge every range touching [l, r) */
  int j = i;
  while (j < n && seq_leq(v[j].left, r)) {
    if (seq_lt(v[j].left, l)) l = v[j].left;
    if (seq_gt(v[j].right, r)) r = v[j].right;
    j++;
  }
  int removed = j - i;
  if (removed == 0 && full) {
    /* full: keep the lowest ranges, which recovery needs first */
    if (i == n) return;
    n--;
  }
  /* replace v[i..j) by one range */
  int shift = 1 - removed;
  if (shift > 0)
    for (int k = n - 1; k >= j; k--) v[k + shift] = v[k];
  else if (shift < 0)
    for (int k = j; k < n; k++) v[k + shift] = v[k];
  v[i].left = l;
  v[i].right = r;
  pcb->nsacked = (uint16_t)(n + shift);
}

void tcp_sack_prune(struct tcp_pcb *pcb) {
  int k = 0;
  for (int i = 0; i < pcb->nsacked; i++) {
    struct tcp_sack_block b = pcb->sacked[i];
    if (seq_leq(b.right, pcb->snd_una)) continue;
    if (seq_lt(b.left, pcb->snd_una)) b.left = pcb->snd_una;
    pcb->sacked[k++] = b;
  }
  pcb->nsacked = (uint16_t)k;
}

void tcp_sack_update(struct tcp_pcb *pcb, const struct tcp_repr *t) {
  for (int i = 0; i < t->nsack; i++) {
    uint32_t l = t->sack[i].left, r = t->sack[i].right;
    /* only blocks inside what we sent and above what is acked count */
    if (!seq_lt(l, r) || seq_leq(r, t->ack) || seq_gt(r, pcb->snd_max) || seq_lt(l, pcb->snd_una))
      continue;
    sb_insert(pcb, l, r);
  }
  tcp_sack_prune(pcb);
}

uint32_t tcp_sack_above(const struct tcp_pcb *pcb, uint32_t seq) {
  uint32_t n = 0;
  for (int i = 0; i < pcb->nsacked; i++) {
    const struct tcp_sack_block *b = &pcb->sacked[i];
    if (seq_leq(b->right, seq)) continue;
    n += b->right - (seq_gt(b->left, seq) ? b->left : seq);
  }
  return n;
}

uint32_t tcp_sack_total(const struct tcp_pcb *pcb) {
  uint32_t n = 0;
  for (int i = 0; i < pcb->nsacked; i++) n += pcb->sacked[i].right - pcb->sacked[i].left;
  return n;
}

int tcp_sack_is_lost(const struct tcp_pcb *pcb, uint32_t seq) {
  return tcp_sack_above(pcb, seq) >= 3u * pcb->mss;
}

/* Holes are the gaps below the highest SACKed byte, from snd_una on. A
 * hole's start has every range from the next one up above it, so walking
 * up with a running total of the ranges passed gives IsLost for each hole
 * in one pass. */
uint32_t tcp_sack_pipe(const struct tcp_pcb *pcb) {
  uint32_t total = tcp_sack_total(pcb), below = 0, lost = 0;
  uint32_t at = pcb->snd_una, lost_min = 3u * pcb->mss;
  for (int i = 0; i < pcb->nsacked; i++) {
    const struct tcp_sack_block *b = &pcb->sacked[i];
    /* hole [at, b->left): lost when enough lies SACKed above it; the part
     * above rexmit_high has not been resent yet */
    if (seq_lt(at, b->left) && total - below >= lost_min) {
      uint32_t from = seq_gt(pcb->rexmit_high, at) ? pcb->rexmit_high : at;
      if (seq_lt(from, b->left)) lost += b->left - from;
    }
    below += b->right - b->left;
    at = b->right;
  }
  uint32_t out = pcb->snd_max - pcb->snd_una, minus = total + lost;
  return out > minus ? out - minus : 0;
}

int tcp_sack_next_hole(const struct tcp_pcb *pcb, uint32_t *seq, uint32_t *len) {
  uint32_t total = tcp_sack_total(pcb), below = 0, lost_min = 3u * pcb->mss;
  uint32_t at = pcb->snd_una;
  for (int i = 0; i < pcb->nsacked; i++) {
    const struct tcp_sack_block *b = &pcb->sacked[i];
    if (total - below < lost_min) break; /* nothing higher is lost either */
    uint32_t from = seq_gt(pcb->rexmit_high, at) ? pcb->rexmit_high : at;
    if (seq_lt(from, b->left)) {
      uint32_t n = b->left - from;
      *seq = from;
      *len = n < pcb->mss ? n : pcb->mss;
      return 1;
    }
    below += b->right - b->left;
    at = b->right;
  }
  return 0;
}

uint32_t tcp_sack_skip(const struct tcp_pcb *pcb, uint32_t seq, uint32_t *room) {
  *room = UINT32_MAX;
  for (int i = 0; i < pcb->nsacked; i++) {
    const struct tcp_sack_block *b = &pcb->sacked[i];
    if (seq_leq(b->right, seq)) continue;
    if (seq_leq(b->left, seq)) {
      seq = b->right;
      continue;
    }
    *room = b->left - seq;
    break;
  }
  return seq;
}

int tcp_sack_blocks(const struct tcp_pcb *pcb, struct tcp_sack_block *out, int max) {
  int n = 0;
  /* The contiguous run of the out-of-order queue holding the latest
   * arrival first, then the runs after it, then those before: the most
   * recent news first, and over successive ACKs every run gets reported. */
  struct tcp_sack_block cur = {0, 0};
  int have = 0, after_first = 0;
  struct tcp_sack_block before[4];
  int nbefore = 0;
  for (const struct tcp_seg *s = pcb->ooseq;; s = s->next) {
    if (s && have && cur.right == s->seq) {
      cur.right = s->seq + s->len;
      continue;
    }
    if (have) { /* a run ends */
      int holds = seq_leq(cur.left, pcb->sack_last) && seq_lt(pcb->sack_last, cur.right);
      if (holds) {
        if (n < max) {
          for (int k = n; k > 0; k--) out[k] = out[k - 1];
          out[0] = cur;
          n++;
        }
        after_first = 1;
      } else if (after_first) {
        if (n < max) out[n++] = cur;
      } else if (nbefore < 4) {
        before[nbefore++] = cur;
      }
    }
    if (!s) break;
    cur = (struct tcp_sack_block){s->seq, s->seq + s->len};
    have = 1;
  }
  for (int i = 0; i < nbefore && n < max; i++) out[n++] = before[i];
  return n;
}
