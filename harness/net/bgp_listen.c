/* BGP listeners and socket addresses (bgp_session.h): the passive side of
 * sessions, apart from the session state machine in bgp_session.c. */
#include "net/bgp_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- listener and addresses ---------------------------------------------- */

struct kr_bgp_listener {
	struct kr_loop *loop;
	int fd;
	kr_bgp_accept_fn cb;
	void *arg;
};

static void on_listen(struct kr_loop *l, int fd, unsigned events, void *arg)
{
	struct kr_bgp_listener *ls = arg;
	for (int i = 0; i < 16; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int c = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return;
		ls->cb(c, (struct sockaddr *)&ss, sl, ls->arg);
	}
}

struct kr_bgp_listener *kr_bgp_listener_new(struct kr_loop *l, int listen_fd,
					    kr_bgp_accept_fn on_accept, void *arg)
{
	struct kr_bgp_listener *ls = calloc(1, sizeof *ls);
	if (!ls)
		return NULL;
	*ls = (struct kr_bgp_listener){ l, listen_fd, on_accept, arg };
	if (kr_loop_add_fd(l, listen_fd, KR_EV_READ, on_listen, ls) < 0) {
		free(ls);
		return NULL;
	}
	return ls;
}

void kr_bgp_listener_free(struct kr_bgp_listener *ls)
{
	if (!ls)
		return;
	kr_loop_del_fd(ls->loop, ls->fd);
	close(ls->fd);
	free(ls);
}

int kr_bgp_listen_socket(const struct sockaddr *addr, socklen_t alen, kr_bgp_socket_fn socket_fn,
			 void *socket_arg, struct kr_err *err)
{
	int fd = socket_fn ? socket_fn(socket_arg, addr->sa_family, SOCK_STREAM)
			   : socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		kr_err_set(err, errno, 0, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	char a[64];
	if (bind(fd, addr, alen) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		kr_sockaddr_format(addr, a, sizeof a);
		kr_err_set(err, e, 0, "listen on %s: %s", a, strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

int kr_sockaddr_parse(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof *a4;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof *a6;
		return 0;
	}
	return -1;
}

void kr_sockaddr_format(const struct sockaddr *sa, char *out, size_t outsz)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
		port = ntohs(a->sin_port);
		snprintf(out, outsz, "%s:%u", ip, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
		port = ntohs(a->sin6_port);
		snprintf(out, outsz, "[%s]:%u", ip, port);
	} else {
		snprintf(out, outsz, "?");
	}
}
