/* SUT profile actions (sut_exec.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/evloop.h"
#include "net/proc.h"
#include "run/sut_exec.h"

int kr_bin_dir(char *out, size_t outsz)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *slash = strrchr(buf, '/');
	if (!slash)
		return -1;
	*slash = 0;
	if (snprintf(out, outsz, "%s", buf) >= (int)outsz)
		return -1;
	return 0;
}

int kr_sut_base_vars(const struct kr_sut_profile *p, struct kr_sut_vars *v)
{
	char bin[PATH_MAX], prof[PATH_MAX];
	if (kr_bin_dir(bin, sizeof(bin)) < 0 || kr_sut_vars_set(v, "bin", bin) < 0)
		return -1;
	if (!p->file || !realpath(p->file, prof))
		return 0; /* a profile parsed from memory has no directory */
	char *slash = strrchr(prof, '/');
	if (slash)
		*(slash == prof ? slash + 1 : slash) = 0;
	return kr_sut_vars_set(v, "profile_dir", prof);
}

int kr_sut_argv(const struct kr_sut_profile *p, enum kr_sut_action a, const struct kr_sut_vars *v,
		char ***argv, struct kr_err *err)
{
	char buf[256];
	const char *na = kr_sut_action_unavailable(p, a, buf, sizeof(buf));
	if (na) {
		kr_err_set(err, ENOENT, 0, "%s action of profile %s: %s", kr_sut_action_name(a), p->name, na);
		return -1;
	}
	const char *tmpl = p->action[a];
	struct kr_bytes out = { 0 };
	char tname[300];
	snprintf(tname, sizeof(tname), "%s [%s]", p->file ? p->file : p->name, kr_sut_action_name(a));
	if (kr_sut_expand(tmpl, strlen(tmpl), tname, v, &out, err) < 0)
		return -1;
	/* argv pointers and the strings in one block. */
	size_t nwords = 0;
	for (size_t i = 0; i < out.len; i++)
		if (out.p[i] != ' ' && (i == 0 || out.p[i - 1] == ' '))
			nwords++;
	if (nwords == 0) {
		kr_bytes_free(&out);
		kr_err_set(err, EINVAL, 0, "%s action of profile %s expands to nothing",
			   kr_sut_action_name(a), p->name);
		return -1;
	}
	char **av = malloc((nwords + 1) * sizeof(char *) + out.len + 1);
	if (!av) {
		kr_bytes_free(&out);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	char *s = (char *)(av + nwords + 1);
	memcpy(s, out.p, out.len);
	s[out.len] = 0;
	kr_bytes_free(&out);
	size_t k = 0;
	for (char *tok = strtok(s, " "); tok; tok = strtok(NULL, " "))
		av[k++] = tok;
	av[k] = NULL;
	*argv = av;
	return 0;
}

static void proc_noop(struct kr_proc *p, void *arg)
{
	(void)p;
	(void)arg;
}

static bool proc_ended(void *arg)
{
	return kr_proc_poll(arg);
}

int kr_sut_run_action(const struct kr_net *n, const char *node, const struct kr_sut_profile *p,
		      enum kr_sut_action a, const struct kr_sut_vars *v, const char *log,
		      struct kr_loop *loop, int64_t deadline_ns, struct kr_err *err)
{
	char **argv;
	if (kr_sut_argv(p, a, v, &argv, err) < 0)
		return -1;
	struct kr_proc_opts o = { .node = node, .argv = (const char *const *)argv, .log = log };
	struct kr_proc *pr = kr_proc_start(n, &o, err);
	int rc = -1;
	if (!pr)
		goto out;
	if (loop && kr_proc_watch(loop, pr, proc_noop, NULL) < 0)
		loop = NULL; /* no pidfd: block instead */
	bool ended = loop ? kr_loop_run_until(loop, proc_ended, pr, deadline_ns) == 1
			  : kr_proc_wait_exit(pr, deadline_ns) == 1;
	if (!ended) {
		kr_err_set(err, ETIMEDOUT, 0, "%s action (%s) still running at its deadline",
			   kr_sut_action_name(a), argv[0]);
		goto out;
	}
	struct kr_proc_status st = kr_proc_status(pr);
	if (st.state != KR_PROC_EXITED) {
		char b[64];
		kr_err_set(err, EIO, 0, "%s action (%s) %s", kr_sut_action_name(a), argv[0],
			   kr_proc_status_str(pr, b, sizeof(b)));
		goto out;
	}
	rc = st.code;
out:
	kr_proc_free(pr);
	free(argv);
	return rc;
}

int kr_sut_version(const struct kr_sut_profile *p, char *const *opts, size_t nopts, char *line,
		   size_t linesz)
{
	char log[] = "/tmp/kr-version-XXXXXX";
	struct kr_sut_vars *v = kr_sut_vars_new();
	struct kr_err err = { 0 };
	int rc = -1, fd = -1;
	if (!v || kr_sut_base_vars(p, v) < 0 || kr_sut_apply_options(p, opts, nopts, v, &err) < 0)
		goto out;
	if ((fd = mkstemp(log)) < 0)
		goto out;
	if (kr_sut_run_action(NULL, NULL, p, KR_SUT_VERSION, v, log, NULL, kr_now_ns() + 5000000000LL, &err) != 0)
		goto out;
	FILE *f = fdopen(fd, "r");
	if (!f)
		goto out;
	fd = -1;
	if (fgets(line, (int)linesz, f)) {
		line[strcspn(line, "\r\n")] = 0;
		rc = line[0] ? 0 : -1;
	}
	fclose(f);
out:
	if (fd >= 0)
		close(fd);
	unlink(log);
	kr_sut_vars_free(v);
	return rc;
}
