/* Parallel signing and the on-disk cache of signed tables; see
 * table_sign.h. */
#include "vectors/table_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define MAGIC "KRTABLE1"
struct hdr {
	char magic[8];
	uint8_t hash[32];
	uint32_t n, count[2], pad;
	uint64_t len[2];
};

int kr_table_key(struct kr_key *k, uint32_t asn, unsigned gen, struct kr_err *err)
{
	/* d = SHA-256(label); a d beyond the group order (odds 2^-32) is
	 * retried with a counter, so every (asn, gen) has exactly one key. */
	for (unsigned ctr = 0; ctr < 8; ctr++) {
		char label[96];
		int n = snprintf(label, sizeof label, "keyroll table router key AS %u gen %u try %u", asn, gen, ctr);
		uint8_t d[32];
		unsigned dl = 0;
		if (EVP_Digest(label, (size_t)n, d, &dl, EVP_sha256(), NULL) != 1) {
			kr_err_set(err, EINVAL, 0, "SHA-256 failed");
			return -1;
		}
		if (kr_key_from_raw_d(k, asn, d, err) == 0)
			return 0;
	}
	return -1;
}

/* ---- the work ------------------------------------------------------------ */

struct shared {
	const struct kr_table_sign_cfg *c;
	const struct kr_table_route *routes; /* kr_table_sign */
	const uint8_t *const *base;          /* kr_table_resign: each message */
	const uint8_t *base_up;              /* and its upstream */
	size_t n;
	atomic_size_t done;
	atomic_int failed;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned running;
};

struct worker {
	struct shared *sh;
	size_t a, b;
	struct kr_bytes out[2];
	uint64_t sigs;
	struct kr_err err;
	int rc;
};

static const struct kr_key *inner_key(const struct kr_table_sign_cfg *c, uint32_t asn)
{
	for (size_t i = 0; i < c->ninner; i++)
		if (c->inner[i].asn == asn)
			return &c->inner[i];
	return NULL;
}

static int build(const struct kr_table_sign_cfg *c, int up, const struct kr_prefix *p, uint8_t origin,
		 const uint8_t *nh, uint8_t nh_len, const struct kr_bgpsec_path *bp, struct kr_bytes *out,
		 struct kr_err *err)
{
	uint8_t msg[KR_BGP_MAX_LEN];
	size_t len;
	struct kr_route_out r = { .prefix = *p, .origin = origin, .bgpsec = bp };
	if (nh) {
		r.next_hop = nh;
		r.next_hop_len = nh_len;
	} else {
		r.next_hop = p->afi == KR_AFI_IPV4 ? c->nh4[up] : c->nh6[up];
		r.next_hop_len = p->afi == KR_AFI_IPV4 ? 4 : 16;
	}
	if (kr_update_build(&r, KR_BGP_MAX_LEN, msg, sizeof msg, &len, err) < 0)
		return -1;
	return kr_bytes_append(out, msg, len);
}

/* One route from scratch: origin first, each hop signing towards the next
 * AS, the upstream towards the SUT. */
static int sign_route(struct worker *wk, struct kr_crypto_ctx *cc, struct kr_bgpsec_path *bp,
		      struct kr_sigstore *st, const struct kr_table_route *r)
{
	const struct kr_table_sign_cfg *c = wk->sh->c;
	for (int j = r->nhops - 1; j >= 0; j--) {
		const struct kr_key *k = j == 0 ? c->up[r->up] : inner_key(c, r->as[j]);
		if (!k) {
			kr_err_set(&wk->err, EINVAL, 0, "no key for AS %u", r->as[j]);
			return -1;
		}
		uint32_t target = j == 0 ? c->target_as : r->as[j - 1];
		if (kr_bgpsec_sign_ctx(cc, k, target, 1, 0, j == r->nhops - 1 ? NULL : bp, r->pfx.afi,
				       KR_SAFI_UNICAST, &r->pfx, NULL, bp, st, &wk->err) < 0)
			return -1;
		wk->sigs++;
	}
	return build(c, r->up, &r->pfx, 0, NULL, 0, bp, &wk->out[r->up], &wk->err);
}

/* One message of the base table with its newest (the upstream's) segment
 * signed again by c->up. */
static int resign_route(struct worker *wk, struct kr_crypto_ctx *cc, struct kr_bgpsec_path *bp,
			struct kr_sigstore *st, struct kr_update *u, const uint8_t *msg, int up)
{
	const struct kr_table_sign_cfg *c = wk->sh->c;
	size_t len = (size_t)msg[16] << 8 | msg[17];
	if (kr_update_decode(u, msg, len, KR_ATTR_BGPSEC_PATH, &wk->err) < 0)
		return -1;
	if (u->i_bgpsec < 0 || u->bgpsec_malformed || u->i_mp_reach < 0 || u->bgpsec.nhops == 0 ||
	    u->bgpsec.nblocks != 1) {
		kr_err_set(&wk->err, EINVAL, 0, "base table message is not a one-block BGPsec UPDATE");
		return -1;
	}
	*bp = u->bgpsec;
	bp->nhops--;
	memmove(bp->sp, bp->sp + 1, bp->nhops * sizeof bp->sp[0]);
	bp->blocks[0].nsegs--;
	memmove(bp->blocks[0].segs, bp->blocks[0].segs + 1, bp->nhops * sizeof bp->blocks[0].segs[0]);
	struct kr_nlri_iter it;
	struct kr_prefix p;
	kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
	if (!kr_nlri_next(&it, &p)) {
		kr_err_set(&wk->err, EINVAL, 0, "base table message without a prefix");
		return -1;
	}
	if (kr_bgpsec_sign_ctx(cc, c->up[up], c->target_as, 1, 0, bp->nhops ? bp : NULL, p.afi,
			       KR_SAFI_UNICAST, &p, NULL, bp, st, &wk->err) < 0)
		return -1;
	wk->sigs++;
	return build(c, up, &p, u->i_origin >= 0 ? u->origin : 0, u->mp_reach.nh, u->mp_reach.nh_len, bp,
		     &wk->out[up], &wk->err);
}

static void *work(void *arg)
{
	struct worker *wk = arg;
	struct shared *sh = wk->sh;
	struct kr_crypto_ctx *cc = kr_crypto_ctx_new();
	struct kr_bgpsec_path *bp = malloc(sizeof *bp);
	struct kr_sigstore *st = malloc(sizeof *st);
	struct kr_update *u = malloc(sizeof *u);
	wk->rc = -1;
	if (!cc || !bp || !st || !u) {
		kr_err_set(&wk->err, ENOMEM, 0, "out of memory");
		goto out;
	}
	wk->rc = 0;
	for (size_t i = wk->a; i < wk->b && !atomic_load(&sh->failed); i++) {
		int rc = sh->routes ? sign_route(wk, cc, bp, st, &sh->routes[i])
				    : resign_route(wk, cc, bp, st, u, sh->base[i], sh->base_up[i]);
		if (rc < 0) {
			if (!wk->err.msg[0])
				kr_err_set(&wk->err, ENOMEM, 0, "out of memory");
			wk->rc = -1;
			atomic_store(&sh->failed, 1);
			break;
		}
		if ((i - wk->a) % 256 == 255)
			atomic_fetch_add(&sh->done, 256);
	}
out:
	kr_crypto_ctx_free(cc);
	free(bp);
	free(st);
	free(u);
	pthread_mutex_lock(&sh->mu);
	sh->running--;
	pthread_cond_signal(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

static unsigned nthreads(const struct kr_table_sign_cfg *c)
{
	long n = c->threads ? (long)c->threads : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* Run the workers over sh->n items and concatenate their output per
 * upstream into out (heap). */
static int run(struct shared *sh, struct kr_signed_table *out, struct kr_err *err)
{
	const struct kr_table_sign_cfg *c = sh->c;
	unsigned nt = nthreads(c);
	struct worker *wk = calloc(nt, sizeof *wk);
	pthread_t *th = calloc(nt, sizeof *th);
	if (!wk || !th) {
		free(wk);
		free(th);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned started = 0;
	for (unsigned i = 0; i < nt; i++) {
		wk[i].sh = sh;
		wk[i].a = sh->n * i / nt;
		wk[i].b = sh->n * (i + 1) / nt;
		pthread_mutex_lock(&sh->mu);
		sh->running++;
		pthread_mutex_unlock(&sh->mu);
		if (pthread_create(&th[i], NULL, work, &wk[i]) != 0) {
			pthread_mutex_lock(&sh->mu);
			sh->running--;
			pthread_mutex_unlock(&sh->mu);
			atomic_store(&sh->failed, 1);
			kr_err_set(&wk[i].err, EAGAIN, 0, "cannot start a signing thread");
			wk[i].rc = -1;
			break;
		}
		started++;
	}
	pthread_mutex_lock(&sh->mu);
	while (sh->running) {
		struct timespec dl;
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_nsec += 200000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sh->cv, &sh->mu, &dl);
		if (c->progress && sh->running) {
			pthread_mutex_unlock(&sh->mu);
			c->progress(atomic_load(&sh->done), sh->n, c->arg);
			pthread_mutex_lock(&sh->mu);
		}
	}
	pthread_mutex_unlock(&sh->mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (c->progress)
		c->progress(sh->n, sh->n, c->arg);
	int rc = 0;
	for (unsigned i = 0; i < nt && rc == 0; i++)
		if (wk[i].rc < 0) {
			*err = wk[i].err;
			rc = -1;
		}
	memset(out, 0, sizeof *out);
	for (int up = 0; up < 2 && rc == 0; up++) {
		size_t total = 0;
		for (unsigned i = 0; i < nt; i++)
			total += wk[i].out[up].len;
		out->heap[up] = malloc(total ? total : 1);
		if (!out->heap[up]) {
			kr_err_set(err, ENOMEM, 0, "out of memory");
			rc = -1;
			break;
		}
		for (unsigned i = 0; i < nt; i++) {
			if (!wk[i].out[up].len)
				continue; /* a worker with nothing for this upstream */
			memcpy(out->heap[up] + out->len[up], wk[i].out[up].p, wk[i].out[up].len);
			out->len[up] += wk[i].out[up].len;
		}
		out->msgs[up] = out->heap[up];
	}
	for (unsigned i = 0; i < nt; i++) {
		out->signatures += wk[i].sigs;
		kr_bytes_free(&wk[i].out[0]);
		kr_bytes_free(&wk[i].out[1]);
	}
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	out->threads = nt;
	out->n = (uint32_t)sh->n;
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->mu);
	free(wk);
	free(th);
	if (rc < 0)
		kr_signed_table_free(out);
	return rc;
}

/* ---- cache ----------------------------------------------------------------- */

size_t kr_signed_table_next(const struct kr_signed_table *t, int up, size_t *off, const uint8_t **msg)
{
	if (*off + KR_BGP_HDR_LEN > t->len[up])
		return 0;
	const uint8_t *m = t->msgs[up] + *off;
	size_t len = (size_t)m[16] << 8 | m[17];
	if (len < KR_BGP_HDR_LEN || *off + len > t->len[up])
		return 0;
	*msg = m;
	*off += len;
	return len;
}

/* Message counts per upstream, and a sanity check of the framing. */
static int count_msgs(struct kr_signed_table *t)
{
	for (int up = 0; up < 2; up++) {
		size_t off = 0, len;
		const uint8_t *m;
		t->count[up] = 0;
		while ((len = kr_signed_table_next(t, up, &off, &m)))
			t->count[up]++;
		if (off != t->len[up])
			return -1;
	}
	return t->count[0] + t->count[1] == t->n ? 0 : -1;
}

static void hash_hex(const uint8_t h[32], char out[33])
{
	kr_hex_encode(out, 33, h, 16);
}

static int cache_path(const struct kr_table_sign_cfg *c, const uint8_t h[32], char *out, size_t sz)
{
	char hx[33];
	hash_hex(h, hx);
	return snprintf(out, sz, "%s/table-%s.bin", c->cache_dir, hx) < (int)sz ? 0 : -1;
}

static int cache_load(const struct kr_table_sign_cfg *c, const uint8_t h[32], struct kr_signed_table *t)
{
	char path[PATH_MAX];
	if (!c->cache_dir || cache_path(c, h, path, sizeof path) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat sb;
	void *map = MAP_FAILED;
	if (fstat(fd, &sb) == 0 && (size_t)sb.st_size >= sizeof(struct hdr))
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	struct hdr hd;
	memcpy(&hd, map, sizeof hd);
	memset(t, 0, sizeof *t);
	t->map = map;
	t->maplen = (size_t)sb.st_size;
	if (memcmp(hd.magic, MAGIC, 8) || memcmp(hd.hash, h, 32) ||
	    sizeof hd + hd.len[0] + hd.len[1] != (uint64_t)sb.st_size)
		goto bad;
	t->n = hd.n;
	t->msgs[0] = (const uint8_t *)map + sizeof hd;
	t->msgs[1] = t->msgs[0] + hd.len[0];
	t->len[0] = hd.len[0];
	t->len[1] = hd.len[1];
	if (count_msgs(t) < 0 || t->count[0] != hd.count[0])
		goto bad;
	t->cached = true;
	snprintf(t->path, sizeof t->path, "%s", path);
	return 0;
bad:
	munmap(map, t->maplen);
	memset(t, 0, sizeof *t);
	unlink(path); /* stale or truncated: signed again below */
	return -1;
}

static int mkdirs(const char *dir)
{
	char b[PATH_MAX];
	if (snprintf(b, sizeof b, "%s", dir) >= (int)sizeof b)
		return -1;
	for (char *p = b + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(b, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(b, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Best effort: a table that cannot be cached is still usable. */
static void cache_store(const struct kr_table_sign_cfg *c, struct kr_signed_table *t)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	if (!c->cache_dir || mkdirs(c->cache_dir) < 0 || cache_path(c, t->hash, path, sizeof path) < 0)
		return;
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return;
	struct hdr hd = { .n = t->n, .count = { t->count[0], t->count[1] }, .len = { t->len[0], t->len[1] } };
	memcpy(hd.magic, MAGIC, 8);
	memcpy(hd.hash, t->hash, 32);
	bool ok = fwrite(&hd, sizeof hd, 1, f) == 1 && fwrite(t->msgs[0], 1, t->len[0], f) == t->len[0] &&
		  fwrite(t->msgs[1], 1, t->len[1], f) == t->len[1];
	if (fclose(f) != 0 || !ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return;
	}
	snprintf(t->path, sizeof t->path, "%s", path);
}

/* What the octets depend on: format, table, keys, target AS, next hops. */
static void key_hash(const struct kr_table_sign_cfg *c, const char *what, const uint8_t *base_hash,
		     uint8_t out[32])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned ol = 0;
	EVP_DigestInit_ex(m, EVP_sha256(), NULL);
	EVP_DigestUpdate(m, what, strlen(what) + 1);
	if (base_hash)
		EVP_DigestUpdate(m, base_hash, 32);
	else
		EVP_DigestUpdate(m, c->spec, sizeof *c->spec);
	for (size_t i = 0; i < c->ninner && !base_hash; i++) {
		EVP_DigestUpdate(m, &c->inner[i].asn, 4);
		EVP_DigestUpdate(m, c->inner[i].ski, KR_SKI_LEN);
	}
	for (int up = 0; up < 2; up++) {
		EVP_DigestUpdate(m, &c->up[up]->asn, 4);
		EVP_DigestUpdate(m, c->up[up]->ski, KR_SKI_LEN);
	}
	EVP_DigestUpdate(m, &c->target_as, 4);
	EVP_DigestUpdate(m, c->nh4, sizeof c->nh4);
	EVP_DigestUpdate(m, c->nh6, sizeof c->nh6);
	EVP_DigestFinal_ex(m, out, &ol);
	EVP_MD_CTX_free(m);
}

static int finish(const struct kr_table_sign_cfg *c, struct kr_signed_table *out, const uint8_t h[32],
		  struct kr_err *err)
{
	memcpy(out->hash, h, 32);
	if (count_msgs(out) < 0) {
		kr_err_set(err, EINVAL, 0, "signed table: %u messages, %u + %u framed", out->n, out->count[0],
			   out->count[1]);
		kr_signed_table_free(out);
		return -1;
	}
	cache_store(c, out);
	return 0;
}

int kr_table_sign(const struct kr_table_sign_cfg *c, const struct kr_table_route *routes,
		  struct kr_signed_table *out, struct kr_err *err)
{
	uint8_t h[32];
	key_hash(c, "keyroll signed table v1", NULL, h);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cache_load(c, h, out) == 0) {
		memcpy(out->hash, h, 32);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		return 0;
	}
	struct shared sh = { .c = c, .routes = routes, .n = kr_table_count(c->spec) };
	if (run(&sh, out, err) < 0)
		return -1;
	return finish(c, out, h, err);
}

int kr_table_resign(const struct kr_table_sign_cfg *c, const struct kr_signed_table *base,
		    struct kr_signed_table *out, struct kr_err *err)
{
	uint8_t h[32];
	key_hash(c, "keyroll re-signed table v1", base->hash, h);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cache_load(c, h, out) == 0) {
		memcpy(out->hash, h, 32);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		return 0;
	}
	const uint8_t **msgs = malloc((base->n ? base->n : 1) * sizeof *msgs);
	uint8_t *ups = malloc(base->n ? base->n : 1);
	if (!msgs || !ups) {
		free(msgs);
		free(ups);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	size_t k = 0;
	for (int up = 0; up < 2; up++) {
		size_t off = 0;
		const uint8_t *m;
		while (k < base->n && kr_signed_table_next(base, up, &off, &m)) {
			msgs[k] = m;
			ups[k++] = (uint8_t)up;
		}
	}
	struct shared sh = { .c = c, .base = msgs, .base_up = ups, .n = k };
	int rc = run(&sh, out, err);
	free(msgs);
	free(ups);
	if (rc < 0)
		return -1;
	return finish(c, out, h, err);
}

void kr_signed_table_free(struct kr_signed_table *t)
{
	if (t->map)
		munmap(t->map, t->maplen);
	free(t->heap[0]);
	free(t->heap[1]);
	memset(t, 0, sizeof *t);
}
