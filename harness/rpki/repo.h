/* A test RPKI repository in a directory: a trust anchor and CAs under it,
 * each CA with its publication point (RFC 6481 §2), laid out as the rsync
 * URIs name them (rsync://HOST/PATH -> DIR/HOST/PATH), plus the TAL
 * (RFC 8630) that points a relying party at it. Objects are staged with
 * kr_repo_put / kr_repo_remove and reach the disk only with
 * kr_repo_publish, which rewrites the point with a new CRL and manifest,
 * as a CA's publication does. Every publication is logged in LOG. */
#ifndef KR_REPO_H
#define KR_REPO_H

#include <stddef.h>

#include "rpki/ca.h"

struct kr_repo;

/* A repository whose trust anchor (named ta_name, holding `as`) uses the
 * RSA key ta_key (shared, not consumed). dir is created; log may be NULL.
 * Publish every point (kr_repo_publish) before a relying party looks. */
struct kr_repo *kr_repo_new(const char *dir, const char *log, const char *ta_name, EVP_PKEY *ta_key,
			    const struct kr_as_range *as, size_t nas, struct kr_err *err);
void kr_repo_free(struct kr_repo *r);

/* A CA under the TA with exactly the AS resources `as` (RSA key shared,
 * not consumed); its certificate is staged at the TA's point (index 0).
 * Returns the CA's index, or -1. */
int kr_repo_add_ca(struct kr_repo *r, const char *name, EVP_PKEY *key, const struct kr_as_range *as,
		   size_t nas, struct kr_err *err);
struct kr_ca *kr_repo_ca(struct kr_repo *r, int ca);
/* Stage a certificate at ca's point as NAME (replacing one of that name),
 * or take NAME away. 0 / -1; remove returns 1 when NAME was not there. */
int kr_repo_put(struct kr_repo *r, int ca, const char *name, X509 *cert, struct kr_err *err);
int kr_repo_remove(struct kr_repo *r, int ca, const char *name);
/* Publish ca's point: new CRL (its revocations so far), the staged
 * objects, a manifest over them; files it no longer lists are removed.
 * bad_hash: an object the manifest lists with a wrong hash (a fault), or
 * NULL. `why` goes to the log. */
int kr_repo_publish(struct kr_repo *r, int ca, const char *bad_hash, const char *why, struct kr_pub_info *info,
		    struct kr_err *err);
/* The point's rsync URI and directory. */
const char *kr_repo_point_uri(struct kr_repo *r, int ca);

/* The TAL file (rsync URI of the TA certificate, its SPKI). */
int kr_repo_write_tal(struct kr_repo *r, const char *path, struct kr_err *err);
/* Mirror the repository into a relying party's cache, as an rsync fetch
 * would: CACHE/HOST/PATH per point (files gone from a point leave the
 * cache too) and the TA certificate in CACHE/ta/TAL_NAME/. */
int kr_repo_sync(struct kr_repo *r, const char *cache, const char *tal_name, struct kr_err *err);

#endif
