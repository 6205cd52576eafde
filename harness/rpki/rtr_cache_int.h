/* Internals shared by rtr_cache.c, rtr_cache_data.c and rtr_transcript.c. */
#ifndef KR_RTR_CACHE_INT_H
#define KR_RTR_CACHE_INT_H

#include <sys/socket.h>

#include "rpki/rtr_cache.h"
#include "rpki/rtr_store.h"

#define KR_RTR_MAX_LISTEN 8

struct kr_rtr_client {
	struct kr_rtr_cache *c;
	struct kr_rtr_client *next;
	int fd;
	unsigned id;
	int version;            /* -1 until the first query */
	uint8_t in[KR_RTR_PDU_MAX];
	size_t inlen;
	struct kr_bytes out;
	size_t outoff;
	bool closing;           /* close once the output has drained */
	bool overflow;
	bool force_reset;       /* next Serial Query gets Cache Reset */
	bool got_eod;
	uint32_t eod_serial;
	uint16_t eod_session;
	unsigned queries;
	char peer[64];
	bool deferred;          /* a query waits for kr_rtr_defer_answers(false) */
	struct kr_rtr_pdu dq;
};

struct kr_rtr_tx_ent {
	int64_t t_ns;
	unsigned client;
	char dir;
	int type;
	size_t off, len;        /* into tx_data */
};

struct kr_rtr_cache {
	struct kr_loop *loop;
	int listen_fd[KR_RTR_MAX_LISTEN];
	int nlisten;
	struct kr_rtr_client *clients;
	unsigned nclients, max_clients, next_id;
	struct kr_rtr_store st;
	uint16_t session;
	uint32_t refresh, retry, expire;
	uint8_t max_version;
	int batch;
	bool hold, stopped, no_data, notify_pending;
	bool defer;                /* kr_rtr_defer_answers */
	bool fail_next;            /* kr_rtr_error_next_query armed */
	uint16_t fail_code;
	char fail_text[96];
	int64_t notify_interval_ns, last_notify_ns;
	uint64_t notify_timer;
	/* transcript */
	bool tx_on;
	FILE *tx_stream;
	struct kr_rtr_tx_ent *tx;
	size_t ntx, captx;
	struct kr_bytes tx_data;
};

struct kr_rtr_client *kr_rtr_client_by_id(const struct kr_rtr_cache *c, unsigned id);
/* Commit staged changes as a new serial and notify (unless in a batch). */
void kr_rtr_changed(struct kr_rtr_cache *c);
int kr_rtr_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl);

void kr_rtr_tx_pdu(struct kr_rtr_cache *c, unsigned client, char dir, const uint8_t *p, size_t n);
void kr_rtr_tx_event(struct kr_rtr_cache *c, unsigned client, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kr_rtr_tx_free(struct kr_rtr_cache *c);

#endif
