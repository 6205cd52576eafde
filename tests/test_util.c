/* kr_util and evloop unit tests. */
#include <string.h>
#include <unistd.h>

#include "cu.h"
#include "net/evloop.h"
#include "wire/kr_util.h"

static void t_hex(void)
{
	uint8_t b[4];
	char s[16];
	CU_ASSERT_EQUAL(kr_hex_decode(b, sizeof b, "0aFf10", 6), 3);
	CU_ASSERT(b[0] == 0x0a && b[1] == 0xff && b[2] == 0x10);
	CU_ASSERT_EQUAL(kr_hex_decode(b, sizeof b, "0aF", 3), -1);
	CU_ASSERT_EQUAL(kr_hex_decode(b, sizeof b, "zz", 2), -1);
	CU_ASSERT_EQUAL(kr_hex_decode(b, 1, "0102", 4), -1);
	kr_hex_encode(s, sizeof s, b, 3);
	CU_ASSERT_STRING_EQUAL(s, "0AFF10");
}

static void t_reader_bounds(void)
{
	const uint8_t d[] = { 1, 2, 3 };
	struct kr_rd r = kr_rd_init(d, sizeof d);
	CU_ASSERT_EQUAL(kr_rd_u16(&r), 0x0102);
	CU_ASSERT(kr_rd_ok(&r));
	CU_ASSERT_EQUAL(kr_rd_u16(&r), 0); /* only one byte left */
	CU_ASSERT(!kr_rd_ok(&r));
	CU_ASSERT_PTR_NULL(kr_rd_bytes(&r, 1));
}

static void t_writer_bounds(void)
{
	uint8_t o[3];
	struct kr_wr w = kr_wr_init(o, sizeof o);
	kr_wr_u16(&w, 0xabcd);
	CU_ASSERT(!w.bad);
	kr_wr_u16(&w, 1);
	CU_ASSERT(w.bad);
	CU_ASSERT_EQUAL(w.off, 2);
	CU_ASSERT(o[0] == 0xab && o[1] == 0xcd);
}

static int fired[4];
static void on_timer(struct kr_loop *l, void *arg) { fired[(long)arg] = 1; }
static bool both_fired(void *a) { return fired[1] && fired[2]; }

static void t_loop_timers(void)
{
	struct kr_loop *l = kr_loop_new();
	memset(fired, 0, sizeof fired);
	kr_loop_timer(l, 2000000, on_timer, (void *)2L);
	kr_loop_timer(l, 1000000, on_timer, (void *)1L);
	uint64_t c = kr_loop_timer(l, 1000000, on_timer, (void *)3L);
	kr_loop_cancel(l, c);
	CU_ASSERT_EQUAL(kr_loop_run_until(l, both_fired, NULL, kr_now_ns() + 2000000000LL), 1);
	CU_ASSERT_EQUAL(fired[3], 0);
	/* deadline path: predicate never true */
	CU_ASSERT_EQUAL(kr_loop_run_until(l, NULL, NULL, kr_now_ns() + 5000000), 0);
	kr_loop_free(l);
}

static int got_read;
static void on_fd(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	char b[8];
	if (ev & KR_EV_READ && read(fd, b, sizeof b) > 0)
		got_read = 1;
	kr_loop_del_fd(l, fd);
}
static bool have_read(void *a) { return got_read; }

static void t_loop_fd(void)
{
	int p[2];
	CU_ASSERT_EQUAL(pipe(p), 0);
	struct kr_loop *l = kr_loop_new();
	got_read = 0;
	CU_ASSERT_EQUAL(kr_loop_add_fd(l, p[0], KR_EV_READ, on_fd, NULL), 0);
	CU_ASSERT_EQUAL(kr_loop_run_until(l, have_read, NULL, kr_now_ns() + 20000000), 0);
	CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
	CU_ASSERT_EQUAL(kr_loop_run_until(l, have_read, NULL, kr_now_ns() + 2000000000LL), 1);
	kr_loop_free(l);
	close(p[0]);
	close(p[1]);
}

KR_TESTS("util",
	 { "hex", t_hex },
	 { "reader bounds", t_reader_bounds },
	 { "writer bounds", t_writer_bounds },
	 { "loop timers", t_loop_timers },
	 { "loop fd", t_loop_fd });
