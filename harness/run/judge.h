/* `keyroll judge`: verdicts on a router from captures of its links alone
 * (issue 13 point 4). The captures (one pcap per link, or one with every
 * link) hold its BGP sessions and the RTR stream from its cache (RTR on
 * any port); the judge follows that stream to know which router keys the
 * router held at every moment (rtr_follow.h, with Expire) and judges what
 * the router sent:
 *
 *   judge/8205-5/not-valid   routes propagated while Not Valid under the
 *                            keys it held (RFC 8205 §5, RFC 8634 §3.1)
 *   judge/8634-3.1-5/gone    routes signed with a key the cache withdrew
 *                            still advertised after the deadline
 *   judge/8634-3.1-3/twilight  its own key switch, and every route
 *                            re-advertised to every BGPsec peer with the new
 *                            key within the deadline; the old key unused after
 *   judge/rollover-4/replay  a replayed UPDATE (bytes seen before, a key of
 *                            it withdrawn since) propagated
 *   judge/lint               the wire lint of every message it sent
 *   judge/4271-8/sessions    sessions lost (NOTIFICATION other than Cease,
 *                            sessions established again)
 *
 * Each verdict is a struct kr_result (the report layer prints it as for a
 * run); every finding cites the link and the frame numbers. */
#ifndef KR_JUDGE_H
#define KR_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"
#include "run/case.h"

#define KR_JUDGE_NVERDICTS 6

struct kr_judge_opts {
	const char *const *paths;
	size_t npaths;
	const char *keys_json;   /* rpki-client JSON: keys held all along when no RTR stream; NULL */
	uint32_t router_as;      /* 0: the speaker on every link */
	double withdraw_s;       /* routes of a withdrawn key gone within (RTR deadline) */
	double twilight_s;       /* re-advertisement after the router's key switch within */
	double grace_s;          /* a key withdrawn this recently still counts for what is sent */
	uint16_t bgp_ports[4];   /* 0-terminated, all zero: 179 */
	uint16_t rtr_ports[4];   /* all zero: 323 (BGP and RTR are also found on any port) */
	size_t max_cited;        /* findings cited per verdict in the timeline; 0: 20 */
};

/* Judge the captures: fills res[0..KR_JUDGE_NVERDICTS) (kr_result_free
 * each). Returns 0, or -1 with err when a capture cannot be read or
 * nothing in it is the router's. */
int kr_judge_captures(const struct kr_judge_opts *o, struct kr_result *res, struct kr_err *err);
/* The suite the judge's verdicts belong to (for the printers). */
extern const struct kr_suite kr_judge_suite;

#endif
