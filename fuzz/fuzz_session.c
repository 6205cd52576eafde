/* libFuzzer target: arbitrary octets from a peer into a passive BGP session
 * (FSM tables, framing across reads, OPEN checks and negotiation, UPDATE
 * decode, NOTIFICATION handling) whose UPDATEs feed an observer. Seeds are
 * the signer sides of the pcap fixtures. Any outcome is fine; crashes,
 * out-of-bounds reads and hangs are not. */
#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/bgp_session.h"
#include "run/observer.h"

static struct kr_loop *loop;
static struct kr_obs *obs;

static void on_update(struct kr_bgp_session *s, const uint8_t *m, size_t len, const struct kr_update *u,
		      const struct kr_err *e, void *arg)
{
	kr_obs_ingest(obs, m, len, u, kr_now_ns());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!loop)
		loop = kr_loop_new();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	struct kr_obs_cfg oc;
	kr_obs_cfg_init(&oc);
	oc.my_as = 65537;
	obs = kr_obs_new(&oc);
	struct kr_bgp_cfg c;
	kr_bgp_cfg_init(&c);
	c.open.asn = 65537;
	c.open.bgp_id = 0xC6120002;
	c.open.mp[1] = c.open.mp[2] = true;
	c.open.ext_msg = true;
	c.open.bgpsec_send[1] = c.open.bgpsec_recv[1] = true;
	c.open.bgpsec_send[2] = c.open.bgpsec_recv[2] = true;
	c.passive = true;
	/* both ways of meeting a bad UPDATE */
	c.update_err = size && (data[size - 1] & 1) ? KR_UPD_ERR_DELIVER : KR_UPD_ERR_NOTIFY;
	struct kr_bgp_cbs cb = { .on_update = on_update };
	struct kr_bgp_session *s = kr_bgp_session_new(loop, &c, &cb, NULL);
	kr_bgp_session_start(s);
	kr_bgp_session_accept(s, sv[0]);
	/* in two pieces, so framing across reads is exercised */
	size_t half = size / 2;
	if (send(sv[1], data, half, MSG_NOSIGNAL) < 0)
		goto out;
	for (int i = 0; i < 4; i++)
		kr_loop_run_once(loop, 0);
	if (send(sv[1], data + half, size - half, MSG_NOSIGNAL) < 0)
		goto out;
	shutdown(sv[1], SHUT_WR);
	for (int i = 0; i < 16 && kr_bgp_session_fd(s) >= 0; i++)
		kr_loop_run_once(loop, 0);
out:
	kr_bgp_session_free(s);
	close(sv[1]);
	kr_obs_free(obs);
	return 0;
}
