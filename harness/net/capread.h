/* Every BGP and RTR message of one or more captures (one per link, or
 * one with every link), in time order, with where each octet came from:
 * what the wire lint and the judge read (lint_pcap.h, run/judge.h). Either
 * streamed (kr_capstream: the captures are read side by side and merged,
 * so memory stays flat however long they are) or all held (kr_capread). */
#ifndef KR_CAPREAD_H
#define KR_CAPREAD_H

#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"
#include "net/tcp_reasm.h"

struct kr_cmsg {
	int64_t ts;            /* capture time of the completing packet */
	uint64_t seq;          /* reading order (breaks ties) */
	unsigned file;         /* index into the paths */
	unsigned conn, dir;    /* connection in that file, direction (0: initiator) */
	enum kr_sproto proto;
	uint64_t pkt_no;       /* completing frame */
	struct kr_endpoint src, dst;
	uint8_t *msg;
	size_t len;
	struct kr_spiece *pieces;
	size_t npieces;
};

/* Bytes in a stream that are no BGP message / RTR PDU. */
struct kr_cferr {
	unsigned file;
	struct kr_serr e;
};

struct kr_capread {
	struct kr_cmsg *m;     /* in time order */
	size_t n;
	struct kr_cferr *fe;
	size_t nfe;
	char **notes;          /* other capture problems: gaps, cut packets */
	size_t nnotes;
};

/* A merge of the captures' messages in time order: each capture is read
 * as far as its next message; ties go to the capture named first. Every
 * capture's own messages keep their order. */
struct kr_capstream;
/* NULL with err naming the file when one cannot be opened. */
struct kr_capstream *kr_capstream_open(const char *const *paths, size_t npaths, const struct kr_reasm_cfg *cfg,
				       struct kr_err *err);
/* 1: the next message in *m (its msg and pieces are the caller's: free
 * with kr_cmsg_free), 0: no more, -1: err names the file and offset that
 * cannot be read. */
int kr_capstream_next(struct kr_capstream *s, struct kr_cmsg *m, struct kr_err *err);
/* Framing errors and notes so far (n and m stay empty). */
struct kr_capread *kr_capstream_problems(struct kr_capstream *s);
/* Octets of messages read ahead and waiting in the merge. */
size_t kr_capstream_queued(const struct kr_capstream *s);
void kr_capstream_close(struct kr_capstream *s);
void kr_cmsg_free(struct kr_cmsg *m);

/* Every message held in memory, in time order. Returns 0, or -1 with err
 * naming the file and the offset that cannot be read. */
int kr_capread(const char *const *paths, size_t npaths, const struct kr_reasm_cfg *cfg,
	       struct kr_capread *out, struct kr_err *err);
void kr_capread_free(struct kr_capread *r);
/* Add a note (at most 100 are kept). */
void kr_capread_note(struct kr_capread *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "sut-exa" for ".../sut-exa.pcap". */
const char *kr_capread_link(const char *path, char *buf, size_t sz);

#endif
