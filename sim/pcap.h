/* Packet capture in pcap format, in virtual time.
 *
 * Files use the nanosecond-resolution pcap header (magic 0xa1b23c4d,
 * version 2.4, written in host byte order as the format allows) with
 * LINKTYPE_ETHERNET (1). A record's timestamp is the virtual time of the
 * capture. Wireshark and tshark read these files.
 *
 * One writer may be shared by several capture points (media attach it to
 * ports and links); records are written in the order they are captured,
 * which is virtual-time order.
 */
#ifndef LWSIM_SIM_PCAP_H
#define LWSIM_SIM_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"

#define SIM_PCAP_MAGIC_NS 0xa1b23c4du
#define SIM_PCAP_LINKTYPE_ETHERNET 1u
#define SIM_PCAP_SNAPLEN 262144u

struct sim_pcap;

/* Create the file and write the global header. snaplen 0 means
 * SIM_PCAP_SNAPLEN; longer frames are truncated to it (orig_len kept).
 * SIM_EIO (errno tells why) when the file cannot be created. */
int sim_pcap_open(struct sim_pcap **out, const char *path, uint32_t snaplen);
/* Append one frame captured at virtual time t (t >= 0, else SIM_EINVAL). */
int sim_pcap_write(struct sim_pcap *p, sim_time_t t, const void *frame, size_t len);
/* Frames written so far. */
uint64_t sim_pcap_frames(const struct sim_pcap *p);
/* Flush, close and free; returns 0 or the first error (SIM_EIO). */
int sim_pcap_close(struct sim_pcap *p);

#endif
