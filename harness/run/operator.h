/* Operator steps (sut/README.md, "Operator steps"): an action a profile
 * writes `manual: TEXT` is one the harness cannot do (a router's console,
 * a vendor GUI). In an interactive run (--interactive, or a terminal on
 * stdin) the operator is shown the instruction, the configuration to
 * paste when there is one, and the deadline; the harness then waits, with
 * its event loop running (sessions stay up), for a line on stdin: empty
 * (Enter) = done, "skip" = cannot do it. Non-interactive runs never ask:
 * such cases SKIP with the instruction as the reason. */
#ifndef KR_OPERATOR_H
#define KR_OPERATOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct kr_loop;

struct kr_op_step {
	const char *case_id;     /* NULL outside a case (once per run) */
	const char *action;      /* "start", "rekey", "restart", ... */
	const char *instruction; /* the rendered manual: text */
	const char *paste;       /* configuration to paste, or NULL */
	const char *paste_path;  /* where that configuration is also written */
	int64_t deadline_ns;     /* kr_now_ns() clock */
};

enum kr_op_answer {
	KR_OP_DONE,    /* Enter */
	KR_OP_SKIP,    /* "skip" */
	KR_OP_TIMEOUT, /* no answer by the deadline */
	KR_OP_EOF,     /* stdin closed: nobody is there */
	KR_OP_ERROR,   /* the loop failed or was stopped */
};
const char *kr_op_answer_name(enum kr_op_answer a);

/* Interactive when asked, or when stdin is a terminal. */
bool kr_operator_interactive(bool asked);

/* Show the step on out and wait for the answer on infd, running loop
 * (NULL: plain blocking wait) until the deadline. Input typed ahead is
 * kept for the next step. */
enum kr_op_answer kr_operator_ask(struct kr_loop *loop, int infd, FILE *out, const struct kr_op_step *s);

#endif
