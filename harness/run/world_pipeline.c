/* --rpki pipeline: the SUT learns router keys only through a real RPKI
 * chain. The harness's CA publishes a repository in the case folder (a
 * trust anchor and one CA per AS, RFC 6481 publication points with CRLs
 * and manifests, RFC 8209 router certificates); after every CA change
 * Debian's rpki-client validates it offline; StayRTR serves rpki-client's
 * JSON output; the SUT's RTR link capture shows when the change reached
 * the SUT. The world's key verbs become CA actions (world.h):
 *   kr_w_publish    issue and publish the router certificate (step 1)
 *   kr_w_revoke     a CRL and manifest revoking it (step 4); the relying
 *                   party drops the key, hence the RTR withdrawal (step 5)
 *   kr_w_unpublish  take the certificate out of the publication point
 * and the relying party's output is the truth the observers validate with.
 * Case folder: rpki/repository (the CA side), rpki/publications.txt,
 * rpki/rp (rpki-client's TAL, cache, out/json), rpki/rpki-client.log,
 * rpki/rpki-client-N.json (each run's output), stayrtr.log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "net/capture.h"
#include "net/evloop.h"
#include "net/teardown.h"
#include "rpki/repo.h"
#include "rpki/rpki_client.h"
#include "rpki/rsa_pool.h"
#include "rpki/rtr_json.h"
#include "run/world_int.h"

#define TAL_NAME "keyroll"
#define RP_TIMEOUT_NS (60 * 1000000000LL)
#define WIRE_POLL_NS 20000000LL
/* AS that no CA of a case holds but the trust anchor does (RFC 5398
 * documentation range): what an AS-outside certificate claims. */
#define OUTSIDE_ASN 65540u
/* CAs per case: up1, up2, the SUT and the ASes behind up1 */
#define KR_W_PIPE_CAS 12

struct kr_wpipe {
	struct kr_repo *repo;
	struct {
		uint32_t asn;
		int ca;                 /* its publication point in repo */
	} cas[KR_W_PIPE_CAS];       /* one CA per AS, made at first use */
	size_t ncas;
	char dir[PATH_MAX];         /* <case>/rpki */
	char rp[PATH_MAX + 16];     /* <case>/rpki/rp: rpki-client's work directory */
	struct kr_rtr_set out;      /* rpki-client's latest output */
	unsigned runs;
	double rp_s;                /* duration of the latest run */
	double latency_s;           /* largest publication -> End of Data at the SUT */
	int64_t t_pub, t_rp;        /* latest CA publication, end of the latest run */
	int64_t t_eod;              /* End of Data of the latest update reported */
	int64_t t_change;           /* Router Key PDU of the latest change (kr_now_ns) */
	const char *change_action;
	uint64_t td;                /* teardown action giving rp/ back on a signal */
	bool up;                    /* the world-up synchronisation is done */
};

/* RSA keys of the trust anchor and the CAs: generating one takes up to a
 * second, and a key holds no case state, so a run shares them; every case
 * builds its own certificates, CRLs and manifests with them. */
#define NRSA (1 + KR_W_PIPE_CAS)
static EVP_PKEY *rsa[NRSA];

static void rsa_free(void)
{
	for (int i = 0; i < NRSA; i++)
		EVP_PKEY_free(rsa[i]);
}

static EVP_PKEY *rsa_key(int i)
{
	static bool registered;
	if (!registered)
		registered = atexit(rsa_free) == 0;
	if (!rsa[i])
		rsa[i] = kr_rsa_pool_take();
	return rsa[i];
}

bool kr_w_pipeline(const struct kr_world *w)
{
	return w->pipe != NULL;
}

double kr_w_pipeline_latency(const struct kr_world *w)
{
	if (!w->pipe)
		return 0;
	/* Before any measurement: StayRTR's file poll after an rpki-client
	 * run as long as the last one. */
	double prior = KR_W_STAYRTR_REFRESH_S + w->pipe->rp_s;
	return w->pipe->latency_s > prior ? w->pipe->latency_s : prior;
}

bool kr_w_key_published(const struct kr_world *w, const struct kr_wkey *k)
{
	(void)w;
	return k->published;
}

bool kr_w_rtr_change_time(struct kr_world *w, int64_t *t, const char **action)
{
	if (!w->pipe || !w->pipe->t_change)
		return false;
	*t = w->pipe->t_change;
	*action = w->pipe->change_action;
	w->pipe->t_change = 0;
	return true;
}

/* The publication point of asn's CA, made (and published, with the TA's
 * point that lists it) at first use; -1 with ERROR recorded. */
static int ca_of(struct kr_world *w, uint32_t asn, const char *label)
{
	struct kr_wpipe *p = w->pipe;
	for (size_t i = 0; i < p->ncas; i++)
		if (p->cas[i].asn == asn)
			return p->cas[i].ca;
	if (p->ncas >= KR_W_PIPE_CAS)
		return kr_error(w->ctx, "CA: more than %d ASes in one case", KR_W_PIPE_CAS);
	struct kr_as_range as = { asn, asn };
	struct kr_err err = { 0 };
	char name[40];
	snprintf(name, sizeof(name), "keyroll-%s", label);
	EVP_PKEY *key = rsa_key(1 + (int)p->ncas);
	int ca = key ? kr_repo_add_ca(p->repo, name, key, &as, 1, &err) : -1;
	if (ca < 0)
		return kr_error(w->ctx, "CA: %s", key ? err.msg : "RSA key generation failed");
	p->cas[p->ncas].asn = asn;
	p->cas[p->ncas++].ca = ca;
	/* RFC 8209 §3: the AS's resource holder certifies its routers */
	kr_log(w->ctx, "CA: %s holds AS %u (%s)", name, asn, kr_repo_point_uri(p->repo, ca));
	if (p->t_pub && (kr_repo_publish(p->repo, 0, NULL, name, NULL, &err) < 0 ||
			 kr_repo_publish(p->repo, ca, NULL, "new CA", NULL, &err) < 0))
		return kr_error(w->ctx, "CA: %s", err.msg);
	return ca;
}

static int key_ca(struct kr_world *w, const struct kr_wkey *k)
{
	char label[24];
	if (k->owner == KR_NPEERS || k->owner < KR_NPEERS)
		snprintf(label, sizeof(label), "%s", kr_peer_name(k->owner));
	else
		snprintf(label, sizeof(label), "AS%u", k->k.asn);
	return ca_of(w, k->k.asn, label);
}

struct kr_ca *kr_w_pipe_issuer(struct kr_world *w, const struct kr_wkey *k)
{
	int ca = key_ca(w, k);
	return ca > 0 ? kr_repo_ca(w->pipe->repo, ca) : NULL;
}

static const char *cert_name(const struct kr_wkey *k)
{
	const char *b = strrchr(k->cert, '/');
	return b ? b + 1 : k->cert;
}

static const char *key_name(struct kr_world *w, uint32_t asn, const uint8_t *ski, char *buf, size_t sz)
{
	for (size_t i = 0; i < w->nkeys; i++)
		if (w->keys[i]->k.asn == asn && !memcmp(w->keys[i]->k.ski, ski, KR_SKI_LEN) && !w->keys[i]->forged)
			return w->keys[i]->name;
	char hex[2 * KR_SKI_LEN + 1];
	kr_hex_encode(hex, sizeof(hex), ski, KR_SKI_LEN);
	snprintf(buf, sz, "AS %u SKI %.8s", asn, hex);
	return buf;
}

static bool in_set(const struct kr_rtr_set *s, uint32_t asn, const uint8_t *ski)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (s->keys[i].asn == asn && !memcmp(s->keys[i].ski, ski, KR_SKI_LEN))
			return true;
	return false;
}

/* ---- the relying party ------------------------------------------------ */

static bool proc_ended(void *arg)
{
	return *(bool *)arg;
}

static void on_end(struct kr_proc *p, void *arg)
{
	(void)p;
	*(bool *)arg = true;
}

/* "rpki-client: HOST/PATH/FILE.EXT: why": an object it rejected or
 * questioned (not its progress lines). */
static bool names_object(const char *line)
{
	if (strncmp(line, "rpki-client: ", 13))
		return false;
	const char *end = strstr(line + 13, ": ");
	const char *slash = end ? memrchr(line + 13, '/', (size_t)(end - line - 13)) : NULL;
	const char *dot = slash ? memchr(slash, '.', (size_t)(end - slash)) : NULL;
	return dot != NULL;
}

/* The run's log joins rpki/rpki-client.log; its output is kept as
 * rpki/rpki-client-N.json. Warning lines ("rpki-client: FILE: why") go to
 * the timeline: they say why a key was dropped. */
static void keep_evidence(struct kr_world *w, const char *runlog, const char *why)
{
	struct kr_wpipe *p = w->pipe;
	char path[PATH_MAX + 64], line[1024];
	snprintf(path, sizeof(path), "%s/rpki-client.log", p->dir);
	FILE *out = fopen(path, "a"), *in = fopen(runlog, "r");
	if (out)
		fprintf(out, "### run %u (%s)\n", p->runs, why);
	unsigned shown = 0;
	while (in && fgets(line, sizeof(line), in)) {
		if (out)
			fputs(line, out);
		if (names_object(line) && shown++ < 8) {
			line[strcspn(line, "\n")] = 0;
			kr_log(w->ctx, "%s", line);
		}
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	if (p->runs == 1)
		kr_artifact(w->ctx, path);
	struct kr_err err = { 0 };
	snprintf(path, sizeof(path), "%s/rpki-client-%u.json", p->dir, p->runs);
	if (kr_rtr_json_save(path, &p->out, &err) == 0)
		kr_artifact(w->ctx, path);
}

/* The observers validate with what the relying party outputs. */
static int adopt_output(struct kr_world *w, struct kr_rtr_set *keys)
{
	struct kr_wpipe *p = w->pipe;
	struct kr_err err = { 0 };
	char buf[64], list[512];
	size_t off = 0;
	list[0] = 0;
	for (size_t i = 0; i < p->out.nkeys; i++)
		if (!in_set(keys, p->out.keys[i].asn, p->out.keys[i].ski))
			off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0, "%s%s",
						off ? ", " : "drops ",
						key_name(w, p->out.keys[i].asn, p->out.keys[i].ski, buf, sizeof(buf)));
	for (size_t i = 0; i < keys->nkeys && off < sizeof(list); i++)
		if (!in_set(&p->out, keys->keys[i].asn, keys->keys[i].ski))
			off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0, "%s%s",
						off ? "; adds " : "adds ",
						key_name(w, keys->keys[i].asn, keys->keys[i].ski, buf, sizeof(buf)));
	kr_rtr_set_free(&p->out);
	p->out = *keys;
	memset(keys, 0, sizeof(*keys));
	kr_keytab_clear(w->keytab);
	for (size_t i = 0; i < p->out.nkeys; i++) {
		const struct kr_rtr_rkey *k = &p->out.keys[i];
		if (kr_keytab_add(w->keytab, k->asn, k->ski, k->spki, k->spki_len, &err) < 0)
			return kr_error(w->ctx, "key table: %s", err.msg);
	}
	for (size_t i = 0; i < w->nkeys; i++)
		w->keys[i]->published = !w->keys[i]->forged && in_set(&p->out, w->keys[i]->k.asn, w->keys[i]->k.ski);
	kr_log(w->ctx, "relying party: %zu router keys%s%s", p->out.nkeys, off ? "; " : " (no change)", list);
	return 0;
}

/* Mirror the repository into rpki-client's cache (an rsync fetch) and let
 * it validate. */
static int rp_run(struct kr_world *w, const char *why)
{
	struct kr_wpipe *p = w->pipe;
	struct kr_err err = { 0 };
	char cache[PATH_MAX + 48], runlog[PATH_MAX + 48];
	snprintf(cache, sizeof(cache), "%s/cache", p->rp);
	snprintf(runlog, sizeof(runlog), "%s/run.log", p->rp);
	if (kr_repo_sync(p->repo, cache, TAL_NAME, &err) < 0)
		return kr_error(w->ctx, "repository -> rpki-client cache: %s", err.msg);
	struct kr_rpki_client_opts o = { .net = w->net, .node = "rtr", .dir = p->rp, .tal = TAL_NAME ".tal",
					 .log = runlog };
	int64_t t0 = kr_now_ns();
	struct kr_proc *proc = kr_rpki_client_start(&o, &err);
	if (!proc)
		return kr_error(w->ctx, "rpki-client: %s", err.msg);
	p->runs++;
	bool ended = false;
	if (kr_proc_watch(w->ctx->loop, proc, on_end, &ended) < 0) {
		kr_proc_free(proc);
		return kr_error(w->ctx, "rpki-client: cannot watch the process");
	}
	int rc = kr_loop_run_until(w->ctx->loop, proc_ended, &ended, t0 + RP_TIMEOUT_NS);
	char st[96];
	kr_proc_status_str(proc, st, sizeof(st));
	struct kr_proc_status ps = kr_proc_status(proc);
	kr_proc_free(proc);
	if (rc < 0)
		return kr_error(w->ctx, "interrupted");
	if (rc == 0)
		return kr_error(w->ctx, "rpki-client did not finish within %lld s (log: %s)",
				RP_TIMEOUT_NS / 1000000000LL, runlog);
	p->rp_s = kr_ns_to_s(kr_now_ns() - t0);
	struct kr_rtr_set keys = { 0 };
	struct kr_rpki_client_stats s;
	if (ps.state != KR_PROC_EXITED || ps.code != 0 || kr_rpki_client_result(&o, &keys, &s, &err) < 0) {
		kr_rtr_set_free(&keys);
		keep_evidence(w, runlog, why);
		return kr_error(w->ctx, "rpki-client run %u (%s) %s%s%s (rpki/rpki-client.log)", p->runs, why, st,
				err.msg[0] ? ": " : "", err.msg);
	}
	kr_log(w->ctx, "rpki-client run %u (%s) done in %.3f s: %d router certificate%s, %d certificates "
		       "(%d invalid), %d manifests (%d failed), %d CRLs",
	       p->runs, why, p->rp_s, s.router_certs, s.router_certs == 1 ? "" : "s", s.certs, s.invalid_certs,
	       s.mfts, s.failed_mfts, s.crls);
	if (adopt_output(w, &keys) < 0)
		return -1;
	keep_evidence(w, runlog, why);
	return 0;
}

/* ---- the SUT's RTR link ------------------------------------------------ */

/* Wait until the SUT holds exactly what rpki-client output, as its RTR
 * link's capture shows; t_pub: when the CA published (0: set-up). */
static int wire_wait(struct kr_world *w, int64_t t_pub, int64_t t_rp, const char *action, bool any_eod)
{
	struct kr_wpipe *p = w->pipe;
	struct kr_wire_sync s;
	int64_t t0 = kr_now_ns(), deadline = kr_w_deadline(w, KR_W_RTR);
	for (;;) {
		if (kr_w_wire_scan(w, &p->out, &s) < 0)
			return -1;
		if (s.synced || (any_eod && s.eods))
			break;
		if (kr_now_ns() > deadline) {
			if (kr_proc_poll(kr_stayrtr_proc(w->srtr)))
				return kr_error(w->ctx, "StayRTR ended (stayrtr.log)");
			kr_expect(w->ctx, "the SUT holds rpki-client's output (%zu router keys) within %.2f s of rpki-client's "
					  "run (StayRTR file poll %u s, RTR Refresh %u s)", p->out.nkeys,
				  kr_w_deadline_s(w, KR_W_RTR), KR_W_STAYRTR_REFRESH_S, kr_w_stayrtr_rtr_refresh(w));
			return kr_fail_pre(w->ctx, "after %.2f s it holds %zu router keys at serial %u (%zu End of Data "
					   "received%s)%s", kr_ns_to_s(kr_now_ns() - t0), s.nheld, s.serial, s.eods,
					   s.newer_notified ? "; StayRTR's last Serial Notify went unanswered" : "",
					   s.sut_versions[0] && !s.sut_versions[1] ? "; its RTR client speaks version 0, "
					   "which has no Router Key PDUs" : "");
		}
		if (kr_loop_run_until(w->ctx->loop, NULL, NULL, kr_now_ns() + WIRE_POLL_NS) < 0)
			return kr_error(w->ctx, "interrupted");
	}
	if (!s.synced) {
		kr_log(w->ctx, "RTR: the SUT fetched from StayRTR (End of Data serial %u, %zu router keys); what it "
			       "holds is the case's to judge", s.serial, s.nheld);
		return 0;
	}
	if (!s.t_eod || s.t_eod < t_pub || s.t_eod <= p->t_eod) {
		if (action) /* an action that changed nothing: no reaction to time */
			p->t_change = 0;
		kr_log(w->ctx, "RTR: the SUT holds the %zu router keys rpki-client output (serial %u)", s.nheld,
		       s.serial);
		return 0;
	}
	p->t_eod = s.t_eod;
	char buf[64], name[96];
	if (!action) {
		/* set-up: the SUT's first data; its PDUs predate what the
		 * timeline shows of the SUT's start, so one line now */
		kr_log(w->ctx, "RTR: End of Data serial %u: the SUT holds the %zu router keys rpki-client output "
			       "(%.3f s after the publication)", s.serial, s.nheld, kr_ns_to_s(s.t_eod - t_pub));
		return 0;
	}
	if (s.t_notify && s.t_notify >= t_pub)
		kr_result_log(w->ctx->r, s.t_notify, "StayRTR: Serial Notify serial %u on the SUT's RTR link (%.3f s "
				"after the publication)", s.notify_serial, kr_ns_to_s(s.t_notify - t_pub));
	for (size_t i = 0; i < s.nch; i++)
		kr_result_log(w->ctx->r, s.ch[i].t, "RTR: Router Key %s %s reaches the SUT (%.3f s after the "
				"publication)", s.ch[i].announce ? "announce" : "withdraw",
			      key_name(w, s.ch[i].asn, s.ch[i].ski, buf, sizeof(buf)), kr_ns_to_s(s.ch[i].t - t_pub));
	kr_result_log(w->ctx->r, s.t_eod, "RTR: End of Data serial %u: the SUT holds the %zu router keys "
			"rpki-client output (%.3f s after the publication)", s.serial, s.nheld,
		      kr_ns_to_s(s.t_eod - t_pub));
	double lat = kr_ns_to_s(s.t_eod - t_pub);
	if (lat > p->latency_s)
		p->latency_s = lat;
	snprintf(name, sizeof(name), "rpki_rp_%s", action);
	kr_metric(w->ctx, name, kr_ns_to_s(t_rp - t_pub), "s");
	if (s.t_eod < t_rp)
		kr_log(w->ctx, "the change left StayRTR before rpki-client's run: StayRTR itself drops a key when "
			       "the 'expires' time rpki-client gave it has passed");
	if (s.t_notify && s.t_notify >= t_pub) {
		snprintf(name, sizeof(name), "rpki_notify_%s", action);
		kr_metric(w->ctx, name, kr_ns_to_s(s.t_notify - t_pub), "s");
	}
	if (s.nch) {
		snprintf(name, sizeof(name), "rpki_propagation_%s", action);
		kr_metric(w->ctx, name, kr_ns_to_s(s.ch[0].t - t_pub), "s");
		if (strcmp(action, "barrier")) {
			p->t_change = s.ch[s.nch - 1].t;
			p->change_action = action;
		}
	}
	return 0;
}

int kr_w_pipe_wait_synced(struct kr_world *w)
{
	/* at set-up, a case that judges the RTR session itself only needs
	 * the SUT to have fetched something */
	bool any = !w->pipe->up && w->cfg.no_rtr_barrier;
	w->pipe->up = true;
	return wire_wait(w, w->pipe->t_pub, w->pipe->t_rp, NULL, any);
}

/* ---- CA actions ------------------------------------------------------- */

/* Publish ca's point, let the relying party run, check it did what the
 * action means for k (want: k in its output afterwards), and wait until
 * the SUT holds the result. */
static int ca_change(struct kr_world *w, int ca, const char *bad_hash, struct kr_wkey *k, bool want,
		     const char *action, const char *why, bool nowait)
{
	struct kr_wpipe *p = w->pipe;
	struct kr_err err = { 0 };
	struct kr_pub_info pi;
	if (kr_repo_publish(p->repo, ca, bad_hash, why, &pi, &err) < 0)
		return kr_error(w->ctx, "CA: %s", err.msg);
	int64_t t_pub = p->t_pub = kr_now_ns(); /* on disk */
	kr_log(w->ctx, "CA: publishes %s (CRL #%llu, manifest #%llu): %s", kr_repo_point_uri(p->repo, ca),
	       (unsigned long long)pi.crl_number, (unsigned long long)pi.mft_number, why);
	if (rp_run(w, why) < 0)
		return -1;
	int64_t t_rp = p->t_rp = kr_now_ns();
	if (k && k->published != want)
		return kr_error(w->ctx, "the relying party %s %s after: %s (rpki/rpki-client.log)",
				want ? "does not output" : "still outputs", k->name, why);
	if (!w->sut && !nowait)
		kr_log(w->ctx, "the SUT is down: it fetches rpki-client's output when it starts");
	return nowait || !w->sut ? 0 : wire_wait(w, t_pub, t_rp, action, false);
}

static int stage(struct kr_world *w, struct kr_wkey *k)
{
	struct kr_err err = { 0 };
	if (kr_w_certify(w, k) < 0)
		return -1;
	if (kr_repo_put(w->pipe->repo, key_ca(w, k), cert_name(k), k->x509, &err) < 0)
		return kr_error(w->ctx, "CA: %s", err.msg);
	return 0;
}

static int publish(struct kr_world *w, struct kr_wkey *k, bool nowait)
{
	if (stage(w, k) < 0)
		return -1;
	char why[200];
	snprintf(why, sizeof(why), "router certificate serial %llu of %s published%s",
		 (unsigned long long)kr_x509_serial(k->x509), k->name, nowait ? " (not waiting for the SUT)" : "");
	/* an RTR barrier's key (world_peers.c) is no rollover step */
	return ca_change(w, key_ca(w, k), NULL, k, true, k->gen >= 100 ? "barrier" : "publish", why, nowait);
}

int kr_w_pipe_publish(struct kr_world *w, struct kr_wkey *k)
{
	return publish(w, k, false);
}

int kr_w_pipe_publish_nowait(struct kr_world *w, struct kr_wkey *k)
{
	return publish(w, k, true);
}

int kr_w_pipe_unpublish(struct kr_world *w, struct kr_wkey *k)
{
	if (!k->published || !k->x509) {
		/* Already dropped by the relying party (a revocation): the
		 * withdrawal has reached the SUT already. */
		kr_log(w->ctx, "the relying party no longer outputs %s: the SUT had its RTR withdrawal", k->name);
		return kr_w_pipe_wait_synced(w);
	}
	int ca = key_ca(w, k);
	kr_repo_remove(w->pipe->repo, ca, cert_name(k));
	char why[200];
	snprintf(why, sizeof(why), "router certificate serial %llu of %s no longer published",
		 (unsigned long long)kr_x509_serial(k->x509), k->name);
	return ca_change(w, ca, NULL, k, false, "unpublish", why, false);
}

int kr_w_pipe_revoke(struct kr_world *w, struct kr_wkey *k)
{
	if (kr_w_certify(w, k) < 0)
		return -1;
	struct kr_ca *ca = kr_w_pipe_issuer(w, k);
	kr_ca_revoke_cert(ca, k->x509, time(NULL));
	char why[200];
	snprintf(why, sizeof(why), "CRL revokes router certificate serial %llu of %s",
		 (unsigned long long)kr_x509_serial(k->x509), k->name);
	/* A key never published stays out of the relying party's output. */
	return ca_change(w, key_ca(w, k), NULL, k->published ? k : NULL, false, "revoke", why, false);
}

int kr_w_publish_expiring(struct kr_world *w, struct kr_wkey *k, double valid_s)
{
	if (!w->pipe)
		return kr_skip(w->ctx, "needs --rpki pipeline (a certificate that expires reaches the SUT only "
				       "through a relying party)");
	if (k->x509)
		return kr_error(w->ctx, "%s already has a certificate", k->name);
	/* X.509 validity is in whole seconds: round up. */
	k->not_after = (int64_t)time(NULL) + (int64_t)valid_s + 1;
	kr_log(w->ctx, "CA: the certificate of %s is valid until %+.0f s from now", k->name,
	       (double)(k->not_after - time(NULL)));
	return kr_w_publish(w, k);
}

int kr_w_rp_drop(struct kr_world *w, struct kr_wkey *k, enum kr_w_drop why)
{
	if (!w->pipe)
		return kr_skip(w->ctx, "needs --rpki pipeline (a relying party that validates the CA's repository)");
	if (!k->published)
		return kr_error(w->ctx, "%s is not in the relying party's output", k->name);
	int ca = key_ca(w, k);
	char text[400];
	struct kr_err err = { 0 };
	switch (why) {
	case KR_W_DROP_EXPIRY: {
		if (!k->not_after)
			return kr_error(w->ctx, "%s was not published with kr_w_publish_expiring", k->name);
		/* notAfter is the last valid second: from the next one on the
		 * certificate is expired (RFC 5280 §4.1.2.5) */
		int64_t t_exp = kr_wall_to_mono_ns((k->not_after + 1) * 1000000000LL);
		kr_log(w->ctx, "stage period: the certificate of %s expires in %.3f s", k->name,
		       kr_ns_to_s(t_exp - kr_now_ns()));
		if (kr_loop_run_until(w->ctx->loop, NULL, NULL, t_exp) < 0)
			return kr_error(w->ctx, "interrupted");
		kr_log(w->ctx, "CA: the certificate of %s has expired", k->name);
		/* the relying party's periodic run after the expiry */
		w->pipe->t_pub = t_exp;
		snprintf(text, sizeof(text), "periodic run after the certificate of %s expired", k->name);
		if (rp_run(w, text) < 0)
			return -1;
		w->pipe->t_rp = kr_now_ns();
		if (k->published)
			return kr_error(w->ctx, "the relying party still outputs %s after its certificate expired",
					k->name);
		return wire_wait(w, t_exp, w->pipe->t_rp, "expire", false);
	}
	case KR_W_DROP_AS_OUTSIDE: {
		uint32_t asns[] = { k->k.asn, OUTSIDE_ASN };
		struct kr_router_req rq = { .asns = asns, .nasns = 2, .no_router_id = true,
					    .faults = KR_CERT_FAULT_AS_OUTSIDE };
		X509 *x = kr_ca_issue_router(kr_w_pipe_issuer(w, k), k->k.pkey, &rq, &err);
		if (!x)
			return kr_error(w->ctx, "CA: %s", err.msg);
		int rc = kr_repo_put(w->pipe->repo, ca, cert_name(k), x, &err);
		snprintf(text, sizeof(text), "renewed router certificate serial %llu of %s lists AS %u and AS %u; "
			 "its CA holds only AS %u", (unsigned long long)kr_x509_serial(x), k->name, k->k.asn,
			 OUTSIDE_ASN, k->k.asn);
		X509_free(x);
		if (rc < 0)
			return kr_error(w->ctx, "CA: %s", err.msg);
		return ca_change(w, ca, NULL, k, false, "as_outside", text, false);
	}
	case KR_W_DROP_MFT_HASH:
		snprintf(text, sizeof(text), "routine manifest re-issue lists %.64s (certificate of %s) with a wrong hash",
			 cert_name(k), k->name);
		return ca_change(w, ca, cert_name(k), k, false, "mft_hash", text, false);
	}
	return kr_error(w->ctx, "unknown drop cause");
}

/* ---- set-up and teardown --------------------------------------------------- */

static void release(void *dir)
{
	kr_rpki_client_release(dir);
}

static int mkdir_755(struct kr_world *w, const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return kr_error(w->ctx, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

int kr_w_pipe_start(struct kr_world *w)
{
	struct kr_wpipe *p = calloc(1, sizeof(*p));
	if (!p)
		return kr_error(w->ctx, "out of memory");
	w->pipe = p;
	struct kr_err err = { 0 };
	if (snprintf(p->dir, sizeof(p->dir), "%s/rpki", w->ctx->dir) >= (int)sizeof(p->dir) ||
	    snprintf(p->rp, sizeof(p->rp), "%s/rp", p->dir) >= (int)sizeof(p->rp))
		return kr_error(w->ctx, "path too long");
	if (mkdir_755(w, p->dir) < 0 || mkdir_755(w, p->rp) < 0)
		return -1;
	p->td = kr_teardown_add(release, p->rp);
	char repo[PATH_MAX + 16], log[PATH_MAX + 32], tal[PATH_MAX + 32];
	snprintf(repo, sizeof(repo), "%s/repository", p->dir);
	snprintf(log, sizeof(log), "%s/publications.txt", p->dir);
	static const struct kr_as_range ta_as[] = { { 64496, 64511 }, { 65536, 65551 } };
	int64_t t0 = kr_now_ns();
	/* one-time manifest keys, made while the case waits on the wire */
	if (kr_rsa_pool_start(16) < 0)
		return kr_error(w->ctx, "cannot start the key pool thread");
	if (!rsa_key(0))
		return kr_error(w->ctx, "CA: RSA key generation failed");
	p->repo = kr_repo_new(repo, log, "keyroll-TA", rsa_key(0), ta_as, 2, &err);
	if (!p->repo)
		return kr_error(w->ctx, "CA: %s", err.msg);
	kr_artifact(w->ctx, log);
	/* One CA per AS, holding exactly that AS */
	static const enum kr_peer owners[] = { KR_UP1, KR_UP2, KR_NPEERS };
	for (size_t i = 0; i < 3; i++)
		if (ca_of(w, kr_peer_asn(owners[i]), kr_peer_name(owners[i])) < 0)
			return -1;
	snprintf(tal, sizeof(tal), "%s/%s.tal", p->rp, TAL_NAME);
	if (kr_repo_write_tal(p->repo, tal, &err) < 0)
		return kr_error(w->ctx, "TAL: %s", err.msg);
	kr_artifact(w->ctx, tal);
	/* Generation 0 of every key is published before the SUT starts. */
	for (size_t i = 0; i < w->nkeys; i++)
		if (w->keys[i]->gen == 0 && stage(w, w->keys[i]) < 0)
			return -1;
	if (kr_repo_publish(p->repo, 0, NULL, "the CAs' certificates", NULL, &err) < 0)
		return kr_error(w->ctx, "CA: %s", err.msg);
	for (size_t i = 0; i < p->ncas; i++)
		if (kr_repo_publish(p->repo, p->cas[i].ca, NULL, "first router certificates", NULL, &err) < 0)
			return kr_error(w->ctx, "CA: %s", err.msg);
	kr_log(w->ctx, "CA: repository with a trust anchor and %zu CAs in %.3f s (rpki/repository)", p->ncas,
	       kr_ns_to_s(kr_now_ns() - t0));
	p->t_pub = kr_now_ns();
	if (rp_run(w, "initial") < 0)
		return -1;
	p->t_rp = kr_now_ns();
	for (size_t i = 0; i < w->nkeys; i++)
		if (w->keys[i]->gen == 0 && !w->keys[i]->published)
			return kr_error(w->ctx, "rpki-client does not output %s (rpki/rpki-client.log)", w->keys[i]->name);
	char listen[96], metrics[96], json[PATH_MAX + 48];
	snprintf(listen, sizeof(listen), "%s:%u", w->rtr_addr, KR_W_RTR_PORT);
	snprintf(metrics, sizeof(metrics), "%s:%u", w->rtr_addr, KR_W_STAYRTR_METRICS_PORT);
	snprintf(json, sizeof(json), "%s/out/json", p->rp);
	struct kr_stayrtr_opts o = {
		.net = w->net, .node = "rtr", .listen = listen, .metrics = metrics, .dir = w->ctx->dir,
		.refresh = KR_W_STAYRTR_REFRESH_S, .rtr_refresh = kr_w_stayrtr_rtr_refresh(w), .rtr_retry = 5,
		.rtr_expire = 600, .cache_file = json,
	};
	w->srtr = kr_stayrtr_start(&o, NULL, kr_now_ns() + 15 * (int64_t)1000000000, &err);
	if (!w->srtr)
		return kr_error(w->ctx, "StayRTR: %s", err.msg);
	kr_artifact(w->ctx, kr_stayrtr_log_path(w->srtr));
	kr_log(w->ctx, "RTR cache: StayRTR on %s serving rpki-client's output rpki/rp/out/json (file poll %u s, "
		       "RTR Refresh %u s)", listen, o.refresh, o.rtr_refresh);
	return 0;
}

void kr_w_pipe_stop(struct kr_world *w)
{
	struct kr_wpipe *p = w->pipe;
	if (!p)
		return;
	/* rpki-client's files go back to the harness's user with the case
	 * (on a signal, the teardown action does it). */
	kr_teardown_forget(p->td);
	kr_rpki_client_release(p->rp);
	kr_repo_free(p->repo);
	kr_rtr_set_free(&p->out);
	free(p);
	w->pipe = NULL;
}
