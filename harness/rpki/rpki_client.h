/* Debian's rpki-client as a case's relying party, offline (rpki-client(8)
 * -n: no fetch): it validates the cache the harness filled from the test
 * repository (repo.h, kr_repo_sync) and writes its JSON output (-j),
 * which StayRTR serves. Work directory DIR (mode 0755): DIR/TAL, DIR/cache
 * and DIR/out/json. Paths are given relative to DIR, so rpki-client, which
 * drops to its own user, needs no access to the directories above it. */
#ifndef KR_RPKI_CLIENT_H
#define KR_RPKI_CLIENT_H

#include "net/proc.h"
#include "rpki/rtr_set.h"

#define KR_RPKI_CLIENT_USER "_rpki-client"

struct kr_rpki_client_opts {
	const struct kr_net *net;  /* NULL with node NULL: the harness namespace */
	const char *node;
	const char *dir;           /* work directory (absolute) */
	const char *tal;           /* TAL file name inside dir ("keyroll.tal") */
	const char *log;           /* rpki-client's output for this run */
};

/* Hand cache/ and out/ to rpki-client's user and start one run. */
struct kr_proc *kr_rpki_client_start(const struct kr_rpki_client_opts *o, struct kr_err *err);

/* What a run said at its end (its statistics lines). */
struct kr_rpki_client_stats {
	int router_certs;             /* "BGPsec Router Certificates: N" */
	int certs, invalid_certs;     /* "Certificates: N (M invalid)" */
	int mfts, failed_mfts, stale_mfts;
	int crls;
};
/* After the run ended: its router keys (out/json) and statistics. */
int kr_rpki_client_result(const struct kr_rpki_client_opts *o, struct kr_rtr_set *keys,
			  struct kr_rpki_client_stats *st, struct kr_err *err);
/* Give dir's tree back to the harness's user (after the case). */
void kr_rpki_client_release(const char *dir);

#endif
