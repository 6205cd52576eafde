/* Several captures into one, packets in time order (nanosecond
 * timestamps kept): the one-pcap-with-every-link form of a case's per-link
 * captures, for fixtures (`keyroll record --scenario`). */
#ifndef KR_PCAP_MERGE_H
#define KR_PCAP_MERGE_H

#include <stddef.h>

#include "wire/kr_util.h"

/* Every input must have the same link type. Returns the number of
 * packets written, or -1 with err naming the file. */
long kr_pcap_merge(const char *const *in, size_t n, const char *out, struct kr_err *err);

#endif
