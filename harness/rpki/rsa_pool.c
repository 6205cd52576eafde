/* Key pairs made ahead; see rsa_pool.h. */
#include "rpki/rsa_pool.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#define MAX_DEPTH 32

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t want = PTHREAD_COND_INITIALIZER;
static EVP_PKEY *ready[MAX_DEPTH];
static unsigned nready, depth;
static bool running, stopping;
static pthread_t thr;

static void *maker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		if (nready >= depth) {
			pthread_cond_wait(&want, &mu);
			continue;
		}
		pthread_mutex_unlock(&mu);
		EVP_PKEY *k = EVP_RSA_gen(2048);
		pthread_mutex_lock(&mu);
		if (!k)
			break;
		if (nready < depth && !stopping)
			ready[nready++] = k;
		else
			EVP_PKEY_free(k);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void pool_stop(void)
{
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_signal(&want);
	pthread_mutex_unlock(&mu);
	pthread_join(thr, NULL);
	while (nready)
		EVP_PKEY_free(ready[--nready]);
}

int kr_rsa_pool_start(unsigned n)
{
	pthread_mutex_lock(&mu);
	int rc = 0;
	if (!running) {
		depth = n < MAX_DEPTH ? n : MAX_DEPTH;
		/* signals belong to the harness's main thread */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		rc = pthread_create(&thr, NULL, maker, NULL) ? -1 : 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rc == 0) {
			running = true;
			atexit(pool_stop);
		}
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

EVP_PKEY *kr_rsa_pool_take(void)
{
	EVP_PKEY *k = NULL;
	pthread_mutex_lock(&mu);
	if (nready)
		k = ready[--nready];
	pthread_cond_signal(&want);
	pthread_mutex_unlock(&mu);
	return k ? k : EVP_RSA_gen(2048);
}
