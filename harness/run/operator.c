/* Operator steps (operator.h). */
#include "run/operator.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/evloop.h"
#include "wire/kr_util.h"

const char *kr_op_answer_name(enum kr_op_answer a)
{
	static const char *const n[] = { "done", "skip", "timeout", "eof", "error" };
	return (unsigned)a < sizeof(n) / sizeof(n[0]) ? n[a] : "?";
}

bool kr_operator_interactive(bool asked)
{
	return asked || isatty(STDIN_FILENO);
}

/* Input read so far that has no newline yet, and answers typed ahead. */
static char pending[1024];
static size_t npending;

struct wait {
	int fd;
	bool eof, got;
	char line[256];
};

/* Take one line out of pending, if there is one. */
static bool take_line(struct wait *w)
{
	char *nl = memchr(pending, '\n', npending);
	if (!nl)
		return false;
	size_t ll = (size_t)(nl - pending);
	size_t cp = ll < sizeof(w->line) - 1 ? ll : sizeof(w->line) - 1;
	memcpy(w->line, pending, cp);
	w->line[cp] = 0;
	if (cp && w->line[cp - 1] == '\r')
		w->line[cp - 1] = 0;
	memmove(pending, nl + 1, npending - ll - 1);
	npending -= ll + 1;
	w->got = true;
	return true;
}

static void read_some(struct wait *w)
{
	if (npending == sizeof(pending))
		npending = 0; /* a line that long is no answer */
	ssize_t n = read(w->fd, pending + npending, sizeof(pending) - npending);
	if (n > 0)
		npending += (size_t)n;
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		w->eof = true;
	take_line(w);
}

static void on_input(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	(void)l;
	(void)fd;
	(void)ev;
	read_some(arg);
}

static bool answered(void *arg)
{
	struct wait *w = arg;
	return w->got || w->eof;
}

static void show(FILE *out, const struct kr_op_step *s)
{
	time_t dl = time(NULL) + (time_t)((s->deadline_ns - kr_now_ns()) / 1000000000);
	struct tm tm;
	char hms[16];
	localtime_r(&dl, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	fprintf(out, "\n=== operator step: %s%s%s ===\n", s->action, s->case_id ? " for case " : "",
		s->case_id ? s->case_id : "");
	fprintf(out, "%s\n", s->instruction);
	if (s->paste) {
		fprintf(out, "configuration to paste%s%s%s:\n----- 8< -----\n%s%s----- 8< -----\n",
			s->paste_path ? " (also in " : "", s->paste_path ? s->paste_path : "",
			s->paste_path ? ")" : "", s->paste,
			s->paste[0] && s->paste[strlen(s->paste) - 1] != '\n' ? "\n" : "");
	}
	fprintf(out, "deadline %s (%.0f s): press Enter when done, or type skip and Enter\n> ", hms,
		kr_ns_to_s(s->deadline_ns - kr_now_ns()));
	fflush(out);
}

enum kr_op_answer kr_operator_ask(struct kr_loop *loop, int infd, FILE *out, const struct kr_op_step *s)
{
	struct wait w = { .fd = infd };
	show(out, s);
	if (!take_line(&w)) {
		bool watched = loop && kr_loop_add_fd(loop, infd, KR_EV_READ, on_input, &w) == 0;
		if (watched) {
			int rc = kr_loop_run_until(loop, answered, &w, s->deadline_ns);
			kr_loop_del_fd(loop, infd);
			if (rc < 0)
				return KR_OP_ERROR;
		} else {
			/* No loop, or a regular file on stdin (not pollable by
			 * epoll): poll() it directly. */
			while (!answered(&w)) {
				int64_t left = s->deadline_ns - kr_now_ns();
				if (left <= 0)
					break;
				struct pollfd p = { infd, POLLIN, 0 };
				int r = poll(&p, 1, (int)(left / 1000000 + 1));
				if (r > 0)
					read_some(&w);
				else if (r < 0 && errno != EINTR)
					return KR_OP_ERROR;
			}
		}
	}
	if (w.got) {
		const char *a = w.line + strspn(w.line, " \t");
		bool skip = !strncmp(a, "skip", 4);
		fprintf(out, "%s\n", skip ? "(skipped)" : "(confirmed)");
		fflush(out);
		return skip ? KR_OP_SKIP : KR_OP_DONE;
	}
	fprintf(out, "\n(%s)\n", w.eof ? "no operator: stdin closed" : "no answer by the deadline");
	fflush(out);
	return w.eof ? KR_OP_EOF : KR_OP_TIMEOUT;
}
