/* Replay from pcap (draft-rogaglia-sidr-bgpsec-rollover §4: the replay
 * attack): select UPDATEs from a captured BGP session by prefix, index or
 * time and send them byte for byte into a live session.
 *
 * Loading goes through the capture reader and TCP reassembler
 * (pcap_read.h); selection is a pure filter over the reassembled messages
 * (kr_replay_add), so it is tested without files. */
#ifndef KR_REPLAY_H
#define KR_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "run/speaker.h"
#include "net/tcp_reasm.h"

struct kr_replay_sel {
	const struct kr_prefix *prefix; /* announces or withdraws it; NULL: any */
	long first, last;      /* index range among matching UPDATEs (0-based, -1 open) */
	double t_from, t_to;   /* seconds after the capture's first message (< 0 open) */
	int conn, dir;         /* connection index / direction (-1 any) */
	bool bgpsec_only;      /* only UPDATEs carrying BGPsec_PATH */
	bool with_withdrawals; /* with prefix: also UPDATEs that withdraw it */
};
void kr_replay_sel_init(struct kr_replay_sel *s);

struct kr_replay_msg {
	int64_t ts_ns;         /* capture timestamp */
	uint64_t pkt_no;
	unsigned conn, dir;
	size_t index;          /* among matching UPDATEs before the range filter */
	size_t off, len;       /* into kr_replay_set.data */
};

struct kr_replay_set {
	struct kr_bytes data;
	struct kr_replay_msg *m;
	size_t n, cap;
	/* selection state */
	size_t matched;
	int64_t t0;
	bool have_t0;
	struct kr_update *u;
};
void kr_replay_set_init(struct kr_replay_set *s);
void kr_replay_set_free(struct kr_replay_set *s);

/* Offer one reassembled message; keeps it when it is a selected UPDATE.
 * Returns 1 kept, 0 not, -1 ENOMEM. */
int kr_replay_add(struct kr_replay_set *s, const struct kr_replay_sel *sel, const struct kr_smsg *m);
/* Read a capture and keep the selected UPDATEs. 0, or -1 (err names the
 * file and packet). */
int kr_replay_load(const char *pcap, const struct kr_replay_sel *sel, struct kr_replay_set *s,
		   struct kr_err *err);
/* Send every kept UPDATE verbatim, with backpressure. 0 or -1. */
int kr_replay_send(struct kr_speaker *sp, const struct kr_replay_set *s, int64_t deadline_ns);

#endif
