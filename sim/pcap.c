#include "sim/pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/err.h"

struct sim_pcap {
  FILE *f;
  uint32_t snaplen;
  int err;
  uint64_t frames;
};

static int put32(struct sim_pcap *p, uint32_t v) { return fwrite(&v, 4, 1, p->f) == 1; }
static int put16(struct sim_pcap *p, uint16_t v) { return fwrite(&v, 2, 1, p->f) == 1; }

int sim_pcap_open(struct sim_pcap **out, const char *path, uint32_t snaplen) {
  *out = NULL;
  struct sim_pcap *p = calloc(1, sizeof *p);
  if (!p) return SIM_ENOMEM;
  p->snaplen = snaplen ? snaplen : SIM_PCAP_SNAPLEN;
  p->f = fopen(path, "wb");
  if (!p->f) {
    int e = errno;
    free(p);
    errno = e;
    return SIM_EIO;
  }
  /* Global header: magic, version 2.4, thiszone, sigfigs, snaplen, network. */
  int ok = put32(p, SIM_PCAP_MAGIC_NS) && put16(p, 2) && put16(p, 4) && put32(p, 0) &&
           put32(p, 0) && put32(p, p->snaplen) && put32(p, SIM_PCAP_LINKTYPE_ETHERNET);
  if (!ok) p->err = SIM_EIO;
  *out = p;
  return SIM_OK;
}

int sim_pcap_write(struct sim_pcap *p, sim_time_t t, const void *frame, size_t len) {
  if (t < 0 || (len && !frame) || len > UINT32_MAX) return SIM_EINVAL;
  uint32_t incl = len > p->snaplen ? p->snaplen : (uint32_t)len;
  int ok = put32(p, (uint32_t)(t / SIM_SEC)) && put32(p, (uint32_t)(t % SIM_SEC)) &&
           put32(p, incl) && put32(p, (uint32_t)len) && fwrite(frame, 1, incl, p->f) == incl;
  if (!ok) {
    if (!p->err) p->err = SIM_EIO;
    return SIM_EIO;
  }
  p->frames++;
  return SIM_OK;
}

uint64_t sim_pcap_frames(const struct sim_pcap *p) { return p->frames; }

int sim_pcap_close(struct sim_pcap *p) {
  if (!p) return SIM_OK;
  int err = p->err;
  if (fclose(p->f) != 0 && !err) err = SIM_EIO;
  free(p);
  return err;
}
