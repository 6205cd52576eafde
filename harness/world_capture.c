/* Packet capture on every SUT-facing link, started before the SUT and
 * stopped (drained, flushed) at teardown; the pcaps are case evidence. */
#include "world_int.h"

#if __has_include("capture.h")
#include "capture.h"

int kr_w_capture_start(struct kr_world *w)
{
	struct kr_err err = { 0 };
	w->caps = kr_capture_sut_links(w->net, w->ctx->dir, &err);
	if (!w->caps)
		return kr_error(w->ctx, "capture: %s", err.msg);
	return 0;
}

void kr_w_capture_stop(struct kr_world *w)
{
	if (!w->caps)
		return;
	for (size_t i = 0; i < kr_capset_count(w->caps); i++)
		kr_artifact(w->ctx, kr_capture_path(kr_capset_get(w->caps, i)));
	kr_capset_free(w->caps);
	w->caps = NULL;
}
#else
/* The capture subsystem is not in this tree yet: runs go without pcaps. */
int kr_w_capture_start(struct kr_world *w)
{
	kr_log(w->ctx, "capture: not available in this build (no pcaps)");
	return 0;
}

void kr_w_capture_stop(struct kr_world *w)
{
	(void)w;
}
#endif
