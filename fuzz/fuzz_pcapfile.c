/* libFuzzer target: whole capture files (pcap / pcapng parsed by libpcap)
 * through the frame decoder, the reassembler and the message formatter. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "net/pcap_decode.h"
#include "net/pcap_read.h"

static struct kr_pdec *dec;
static size_t sink;

static void on_msg(const struct kr_smsg *m, void *arg)
{
	char line[2048];
	kr_pdec_format(dec, m, line, sizeof line);
	sink += line[0];
}

static void on_err(const struct kr_serr *e, void *arg) { sink += (size_t)e->kind; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dec)
		dec = kr_pdec_new(NULL);
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	struct kr_err err = { 0 };
	struct kr_reasm_cfg cfg = { .max_held = 1 << 16, .max_conns = 8 };
	kr_pcap_messages_fp(f, "fuzz", &cfg, on_msg, on_err, NULL, &err);
	return 0;
}
