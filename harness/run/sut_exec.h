/* Running a SUT profile's actions: template expansion of a command, split
 * on spaces (no shell, sut/README.md), and execution in a node or on the
 * host. */
#ifndef KR_SUT_EXEC_H
#define KR_SUT_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"
#include "net/netns.h"
#include "run/sut_profile.h"

/* Directory of the running keyroll binary (the {bin} variable). */
int kr_bin_dir(char *out, size_t outsz);
/* Variables every action of p can use: {bin}, and {profile_dir} (the
 * absolute directory of the profile file, so a profile can name its own
 * scripts and templates from any working directory). 0 or -1. */
int kr_sut_base_vars(const struct kr_sut_profile *p, struct kr_sut_vars *v);
/* Whole file as a NUL-terminated string; NULL with errno. */
char *kr_read_text_file(const char *path, size_t *len);

/* Expand action a of p with v and split it into argv (NULL-terminated,
 * one allocation: free(*argv)). 0, or -1 with err. */
int kr_sut_argv(const struct kr_sut_profile *p, enum kr_sut_action a, const struct kr_sut_vars *v,
		char ***argv, struct kr_err *err);
struct kr_loop;
/* Run action a inside node (NULL: host) and wait for it to end by the
 * deadline, running loop meanwhile when given (so sessions keep being
 * served and timestamps stay true); output to log (NULL: discarded). Returns its exit code, or -1
 * with err (could not start, killed, or still running at the deadline). */
int kr_sut_run_action(const struct kr_net *n, const char *node, const struct kr_sut_profile *p,
		      enum kr_sut_action a, const struct kr_sut_vars *v, const char *log,
		      struct kr_loop *loop, int64_t deadline_ns, struct kr_err *err);
/* First line the version action prints (host namespace; base variables
 * and the --sut-opt options set). */
int kr_sut_version(const struct kr_sut_profile *p, char *const *opts, size_t nopts, char *line,
		   size_t linesz);

#endif
