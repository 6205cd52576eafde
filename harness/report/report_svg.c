/* A case's timeline drawn as SVG (timeline.h).
 *
 * Lanes, top to bottom: the harness (rollover steps, expectations with
 * their deadlines, notes), the RTR cache (Router Key PDUs), the keys the
 * cache has published as the SUT was told, one row per direction of every
 * BGP link (UPDATEs coloured by the key that signed them, withdrawals),
 * and the keys the SUT signed with. A vertical line marks where the
 * verdict was decided, and the picture opens with the verdict's expected
 * and observed text, so a failing case reads without anything else.
 *
 * Time runs left to right on a compressed axis: every gap between two
 * events is drawn log-scaled, so a burst of messages within a millisecond
 * stays readable next to a two-second wait; gaps of 20 ms and more are
 * shaded and labelled with their length, and tick labels give the case
 * time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/timeline.h"

#define W_MIN 1300.0
#define W_MAX 6000.0
#define X0 170.0          /* left edge of the plot; lane names to its left */
#define RIGHT 30.0
#define PX_PER_UNIT 5.0   /* at least this much per log-gap unit (see xmap) */
#define GAP_TAU_NS 50000.0
#define BAND_NS 20000000  /* gaps this long are shaded and labelled */
#define CHAR_W 5.4        /* estimated width of a 9 px label character */

static const char *const palette[] = {
	"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
	"#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#1f3a93",
};
#define NPAL (sizeof(palette) / sizeof(palette[0]))

static const char *key_color(int k)
{
	return k < 0 ? "#bdbdbd" : palette[(size_t)k % NPAL];
}

/* ---- the time axis ---------------------------------------------------- */

struct xmap {
	int64_t *t;
	double *x;
	size_t n;
	double width;     /* of the whole picture */
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void add_t(int64_t *t, size_t *n, int64_t v)
{
	t[(*n)++] = v < 0 ? 0 : v;
}

static int xmap_build(struct xmap *m, const struct kr_tview *v, const struct kr_result *r)
{
	size_t ndrops = r->sut_crash ? r->sut_crash->ndrops : 0;
	size_t cap = 5 + ndrops + v->nev + 2 * v->nspans + 2 * v->nexpects + v->nnotes;
	m->t = malloc(cap * sizeof(*m->t));
	m->x = malloc(cap * sizeof(*m->x));
	if (!m->t || !m->x)
		return -1;
	size_t n = 0;
	add_t(m->t, &n, 0);
	add_t(m->t, &n, v->end_ns);
	if (v->verdict_t >= 0)
		add_t(m->t, &n, v->verdict_t);
	if (v->crash_t >= 0)
		add_t(m->t, &n, v->crash_t);
	for (size_t i = 0; i < ndrops; i++)
		add_t(m->t, &n, (int64_t)(r->sut_crash->drops[i].t_s * 1e9));
	for (size_t i = 0; i < v->nev; i++)
		add_t(m->t, &n, v->ev[i].t_ns);
	for (size_t i = 0; i < v->nspans; i++) {
		add_t(m->t, &n, v->spans[i].t0);
		if (v->spans[i].t1 >= 0)
			add_t(m->t, &n, v->spans[i].t1);
	}
	for (size_t i = 0; i < v->nexpects; i++) {
		add_t(m->t, &n, v->expects[i].t0);
		add_t(m->t, &n, v->expects[i].t1);
	}
	for (size_t i = 0; i < v->nnotes; i++)
		add_t(m->t, &n, v->notes[i].t);
	qsort(m->t, n, sizeof(*m->t), cmp_i64);
	/* Times closer than 10 us share a position. */
	size_t u = 1;
	for (size_t i = 1; i < n; i++)
		if (m->t[i] - m->t[u - 1] >= 10000)
			m->t[u++] = m->t[i];
	m->n = u;
	double units = 0;
	m->x[0] = 0;
	for (size_t i = 1; i < u; i++) {
		units += log1p((double)(m->t[i] - m->t[i - 1]) / GAP_TAU_NS);
		m->x[i] = units;
	}
	double plot = W_MIN - X0 - RIGHT;
	if (units * PX_PER_UNIT > plot)
		plot = fmin(units * PX_PER_UNIT, W_MAX - X0 - RIGHT);
	m->width = plot + X0 + RIGHT;
	for (size_t i = 0; i < u; i++)
		m->x[i] = X0 + (units > 0 ? m->x[i] / units * plot : 0);
	return 0;
}

static double X(const struct xmap *m, int64_t t)
{
	if (t <= m->t[0])
		return m->x[0];
	if (t >= m->t[m->n - 1])
		return m->x[m->n - 1];
	size_t lo = 0, hi = m->n - 1;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (m->t[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	double f = (double)(t - m->t[lo]) / (double)(m->t[hi] - m->t[lo]);
	return m->x[lo] + f * (m->x[hi] - m->x[lo]);
}

/* ---- drawing helpers -------------------------------------------------- */

static void esc(FILE *f, const char *s)
{
	kr_xml_escape(f, s ? s : "");
}

static void title_el(FILE *f, int64_t t, const char *who, const char *what)
{
	fprintf(f, "<title>+%.6f s", t / 1e9);
	if (who) {
		fputs(" ", f);
		esc(f, who);
		fputs(":", f);
	}
	fputs(" ", f);
	esc(f, what);
	fputs("</title>", f);
}

/* Labels of one row: placed on the first of `levels` lines where they do
 * not overlap the previous label on that line. */
struct labels {
	double end[3];
	int levels;
	double right;     /* labels end before this x */
};

static void label(FILE *f, struct labels *L, double x, double y, const char *text, const char *cls)
{
	if (!text || !*text)
		return;
	double w = (double)strlen(text) * CHAR_W;
	if (L->right > 0 && x - 3 + w > L->right)
		x = L->right - w + 3; /* near the right edge: end there */
	for (int i = 0; i < L->levels; i++) {
		if (x - 2 < L->end[i])
			continue;
		L->end[i] = x + w + 4;
		fprintf(f, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">", cls, x - 3, y + 9.0 * i);
		esc(f, text);
		fputs("</text>", f);
		return;
	}
}

static const char *outcome_color(enum kr_outcome o)
{
	switch (o) {
	case KR_PASS: return "#1a7f37";
	case KR_WARN: return "#b8860b";
	case KR_SKIP: case KR_XFAIL: return "#6e7781";
	case KR_NOT_JUDGED: return "#1b7c83";
	default: return "#cf222e"; /* FAIL, ERROR, XPASS and any newer kind */
	}
}

/* Wrapped text lines (at spaces, never inside a UTF-8 sequence). */
static double text_block(FILE *f, double x, double y, const char *prefix, const char *s, size_t width,
			 const char *cls)
{
	size_t len = strlen(s), off = 0;
	bool first = true;
	while (off < len || first) {
		size_t room = width - (first ? strlen(prefix) : 4), n = len - off;
		if (n > room) {
			n = room;
			size_t sp = n;
			while (sp > room / 2 && s[off + sp] != ' ')
				sp--;
			if (s[off + sp] == ' ')
				n = sp;
			while (n > 1 && ((unsigned char)s[off + n] & 0xc0) == 0x80)
				n--;
		}
		char *part = strndup(s + off, n);
		fprintf(f, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">", cls, x, y);
		if (first && *prefix) {
			fputs("<tspan class=\"k\">", f);
			esc(f, prefix);
			fputs("</tspan>", f);
		} else if (!first) {
			fputs("    ", f);
		}
		esc(f, part ? part : "");
		fputs("</text>\n", f);
		free(part);
		y += 14;
		off += n;
		while (off < len && s[off] == ' ')
			off++;
		first = false;
	}
	return y;
}

/* ---- parts of the picture --------------------------------------------- */

static double header(FILE *f, const struct kr_result *r, double width)
{
	size_t chars = (size_t)((width - 20) / 6.3);
	double y = 18;
	fprintf(f, "<text class=\"h\" x=\"10\" y=\"%.1f\"><tspan fill=\"%s\">%s</tspan> ", y,
		outcome_color(r->outcome), kr_outcome_name(r->outcome));
	esc(f, r->c->id);
	fputs(" \xe2\x80\x94 ", f);
	esc(f, r->c->title);
	fputs("</text>\n", f);
	y += 17;
	if (r->sut_crash)
		y = text_block(f, 10, y, "SUT crash: ", r->sut_crash->summary ? r->sut_crash->summary : "?", chars, "cap");
	if (r->expected)
		y = text_block(f, 10, y, "expected: ", r->expected, chars, "cap");
	if (r->actual)
		y = text_block(f, 10, y, "observed: ", r->actual, chars, "cap");
	if (r->reason)
		y = text_block(f, 10, y, "reason: ", r->reason, chars, "cap");
	return y + 4;
}

static void axis(FILE *f, const struct xmap *m, double y, double y_end)
{
	double last = -1e9;
	fprintf(f, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", X0, y, m->width - RIGHT, y);
	for (size_t i = 0; i < m->n; i++) {
		double x = m->x[i];
		if (i > 0 && m->t[i] - m->t[i - 1] >= BAND_NS) {
			double x0 = m->x[i - 1];
			fprintf(f, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x0 + 3,
				y + 2, x - x0 - 6 > 0 ? x - x0 - 6 : 0, y_end - y - 2);
			if (x - x0 > 44)
				fprintf(f, "<text class=\"gap\" x=\"%.1f\" y=\"%.1f\">%.2f s</text>\n", (x0 + x) / 2,
					y + 12, (m->t[i] - m->t[i - 1]) / 1e9);
		}
		if (x - last >= 62 || i == m->n - 1) {
			if (i == m->n - 1 && x - last < 62)
				continue;
			fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				   "<text class=\"tl\" x=\"%.1f\" y=\"%.1f\"%s>%.3f</text>\n",
				x, y - 4, x, y, x, y - 6, i ? "" : " text-anchor=\"start\"", m->t[i] / 1e9);
			last = x;
		}
	}
	fprintf(f, "<text class=\"lane\" x=\"%.1f\" y=\"%.1f\">case time (s)</text>\n", X0 - 8, y - 6);
}

static void lane_name(FILE *f, double y, double h, const char *name, bool shade)
{
	if (shade)
		fprintf(f, "<rect class=\"row\" x=\"0\" y=\"%.1f\" width=\"100%%\" height=\"%.1f\"/>", y, h);
	fprintf(f, "<text class=\"lane\" x=\"%.1f\" y=\"%.1f\">", X0 - 8, y + 13);
	esc(f, name);
	fputs("</text>\n", f);
}

/* text cut to about width pixels of 9 px labels, with an ellipsis. */
static void fit(char *out, size_t outsz, const char *text, double width)
{
	size_t max = width > 0 ? (size_t)(width / CHAR_W) : 0, n = strlen(text);
	if (max < 4) {
		out[0] = 0;
		return;
	}
	if (n <= max && n < outsz) {
		snprintf(out, outsz, "%s", text);
		return;
	}
	n = max - 1 < outsz - 4 ? max - 1 : outsz - 4;
	while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;
	snprintf(out, outsz, "%.*s\xe2\x80\xa6", (int)n, text);
}

/* Expectation bars, packed into as few lines as keep them apart. */
static double expectations(FILE *f, const struct kr_tview *v, const struct xmap *m, double y)
{
	double end[8] = { 0 };
	int used = 1;
	for (size_t i = 0; i < v->nexpects; i++) {
		const struct kr_tv_expect *e = &v->expects[i];
		double x0 = X(m, e->t0), x1 = X(m, e->t1);
		int line = 0;
		while (line < 7 && end[line] > x0)
			line++;
		if (line >= used)
			used = line + 1;
		double yy = y + 4 + 13 * line, bh = e->failed ? 11 : 7;
		bool point = e->t1 == e->t0;
		char lab[160];
		if (point)
			lab[0] = 0;
		else
			snprintf(lab, sizeof(lab), "\xe2\x89\xa4 %.2f s", (e->t1 - e->t0) / 1e9);
		fprintf(f, "<g class=\"%s\">", e->failed ? "xf" : "xp");
		if (point)
			fprintf(f, "<path d=\"M%.1f %.1fl4 4l-4 4l-4 -4z\"/>", x0, yy);
		else {
			/* The window up to the deadline, and how much of it passed
			 * until the expectation was met (or the verdict came). */
			double xd = X(m, e->done < e->t1 ? e->done : e->t1);
			fprintf(f, "<rect class=\"win\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"2\"/>"
				   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"2\"/>"
				   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
				x0, yy, x1 - x0 > 1 ? x1 - x0 : 1, bh, x0, yy, xd - x0 > 2 ? xd - x0 : 2, bh, x1, yy - 2, x1,
				yy + bh + 2);
		}
		title_el(f, e->t0, "expect", e->text);
		fputs("</g>", f);
		double lx = (point ? x0 + 6 : x1 + 3);
		if (e->failed) {
			/* The broken expectation names itself, inside its bar when
			 * there is more room there than to the right. */
			double right = m->width - RIGHT - lx, inside = x1 - x0 - 8, left = x0 - X0 - 8;
			bool in = inside > right && inside >= left;
			bool before = !in && left > right; /* ends at the bar's start */
			fit(lab, sizeof(lab), e->text, in ? inside : before ? left : right);
			if (in)
				lx = x0 + 4;
			fprintf(f, "<text class=\"lbf\" x=\"%.1f\" y=\"%.1f\"%s>", before ? x0 - 6 : lx, yy + 8.5,
				before ? " text-anchor=\"end\"" : "");
			esc(f, lab);
			fputs("</text>", f);
			end[line] = in ? x1 + 4 : before ? x1 + 4 : lx + (double)strlen(lab) * CHAR_W + 8;
		} else {
			if (*lab)
				fprintf(f, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\">%s</text>", lx, yy + 7, lab);
			end[line] = lx + (double)strlen(lab) * CHAR_W + 8;
		}
		fputc('\n', f);
	}
	return 8 + 13.0 * used;
}

static double harness(FILE *f, const struct kr_tview *v, const struct xmap *m, double y)
{
	/* The lane's background goes first; its height is known after the bars. */
	char *bars = NULL;
	size_t blen = 0;
	FILE *b = open_memstream(&bars, &blen);
	if (!b)
		return 0;
	double total = 16 + expectations(b, v, m, y + 14);
	fclose(b);
	lane_name(f, y, total, "harness", true);
	fwrite(bars, 1, blen, f);
	free(bars);
	fprintf(f, "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\">expectations</text>\n", X0 - 8, y + 27);
	for (size_t i = 0; i < v->nnotes; i++) {
		const struct kr_tv_note *n = &v->notes[i];
		if (n->label[0])
			continue;
		fprintf(f, "<circle class=\"note\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\">", X(m, n->t), y + 8);
		title_el(f, n->t, "harness", n->text);
		fputs("</circle>", f);
	}
	fputc('\n', f);
	return total;
}

static void marker(FILE *f, const struct kr_tview *v, const struct kr_tv_ev *e, double x, double y,
		   const char *who)
{
	const char *c = key_color(e->key);
	fputs("<g>", f);
	switch (e->kind) {
	case KR_TV_ANNOUNCE:
		fprintf(f, "<circle class=\"ann\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>", x, y, c);
		if (e->origin >= 0 && e->origin != e->key)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\"/>", x, y,
				key_color(e->origin));
		break;
	case KR_TV_WITHDRAW:
		fprintf(f, "<path class=\"wd\" d=\"M%.1f %.1fl8 8m0 -8l-8 8\"/>", x - 4, y - 4);
		break;
	case KR_TV_KEY_ADD:
		fprintf(f, "<path class=\"ka\" d=\"M%.1f %.1fl6 10h-12z\" fill=\"%s\"/>", x, y - 6, c);
		break;
	case KR_TV_KEY_DEL:
		fprintf(f, "<path class=\"kd\" d=\"M%.1f %.1fl6 -10h-12z\" stroke=\"%s\"/>", x, y + 5, c);
		break;
	case KR_TV_RTR_RESET:
	case KR_TV_RTR_ERROR:
	case KR_TV_NOTIFICATION:
	case KR_TV_BAD:
		fprintf(f, "<path class=\"alarm\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\"/>", x, y - 6);
		break;
	case KR_TV_OPEN:
		fprintf(f, "<rect class=\"open\" x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\"/>", x - 3.5, y - 3.5);
		break;
	case KR_TV_CEASE:
		fprintf(f, "<path class=\"cease\" d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\"/>", x, y - 5);
		break;
	default:
		fprintf(f, "<line class=\"minor\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, y - 4, x, y + 4);
		break;
	}
	title_el(f, e->t_ns, who, e->detail[0] ? e->detail : e->label);
	fputs("</g>", f);
	(void)v;
}

static bool labelled(enum kr_tv_ev_kind k)
{
	return k != KR_TV_OPEN && k != KR_TV_EOR && k != KR_TV_RTR_OTHER && k != KR_TV_CEASE;
}

/* One row of wire events: lane l, direction dir (-1: both). */
static double events_row(FILE *f, const struct kr_tview *v, const struct xmap *m, double y, size_t l,
			 int dir, const char *name, const char *who)
{
	const double h = 36;
	lane_name(f, y, h, name, true);
	fprintf(f, "<line class=\"base\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", X0, y + 11,
		m->width - RIGHT, y + 11);
	struct labels L = { { 0, 0, 0 }, 2, m->width - 4 };
	for (size_t i = 0; i < v->nev; i++) {
		const struct kr_tv_ev *e = &v->ev[i];
		if (e->lane != l || (dir >= 0 && (int)e->dir != dir))
			continue;
		double x = X(m, e->t_ns);
		marker(f, v, e, x, y + 11, who);
		if (labelled(e->kind))
			label(f, &L, x, y + 25, e->label, e->kind == KR_TV_WITHDRAW ? "lw" : "lbl");
	}
	if (v->lanes[l].dropped)
		fprintf(f, "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\">+%zu more not drawn</text>", X0 - 8, y + 26,
			v->lanes[l].dropped);
	fputc('\n', f);
	return h;
}

static double spans(FILE *f, const struct kr_tview *v, const struct xmap *m, double y,
		    enum kr_tv_span_kind kind, const char *name)
{
	bool used[KR_TV_MAX_KEYS] = { false };
	size_t rows = 0;
	for (size_t i = 0; i < v->nspans; i++)
		if (v->spans[i].kind == kind && v->spans[i].key >= 0 && !used[v->spans[i].key]) {
			used[v->spans[i].key] = true;
			rows++;
		}
	if (!rows)
		return 0;
	double h = 8 + 13.0 * (double)rows;
	lane_name(f, y, h, name, true);
	double yy = y + 5;
	for (size_t k = 0; k < v->nkeys; k++) {
		if (!used[k])
			continue;
		bool named = false;
		for (size_t i = 0; i < v->nspans; i++) {
			const struct kr_tv_span *s = &v->spans[i];
			if (s->kind != kind || s->key != (int)k)
				continue;
			double x0 = X(m, s->t0), x1 = s->t1 < 0 ? m->width - RIGHT : X(m, s->t1);
			fprintf(f, "<rect class=\"span\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" fill=\"%s\">",
				x0, yy, x1 - x0 > 2 ? x1 - x0 : 2, key_color((int)k));
			char what[160];
			snprintf(what, sizeof(what), "%s (SKI %s) %s from +%.6f s%s", v->keys[k].name[0] ? v->keys[k].name : "key",
				 v->keys[k].hex8, kind == KR_TV_IN_CACHE ? "published by the cache" : "signed with by the SUT",
				 s->t0 / 1e9, s->t1 < 0 ? " to the end" : "");
			title_el(f, s->t0, NULL, what);
			fputs("</rect>", f);
			if (!named) {
				fprintf(f, "<text class=\"kn\" x=\"%.1f\" y=\"%.1f\">", x0 + 3, yy + 7);
				esc(f, v->keys[k].name[0] ? v->keys[k].name : v->keys[k].hex8);
				fputs("</text>", f);
				named = true;
			}
		}
		yy += 13;
	}
	fputc('\n', f);
	return h;
}

static double legend(FILE *f, const struct kr_tview *v, double y, double width)
{
	bool used[KR_TV_MAX_KEYS] = { false };
	for (size_t i = 0; i < v->nev; i++) {
		if (v->ev[i].key >= 0)
			used[v->ev[i].key] = true;
		if (v->ev[i].origin >= 0)
			used[v->ev[i].origin] = true;
	}
	for (size_t i = 0; i < v->nspans; i++)
		if (v->spans[i].key >= 0)
			used[v->spans[i].key] = true;
	double x = 10, yy = y + 14;
	fprintf(f, "<text class=\"lg\" x=\"10\" y=\"%.1f\">keys:</text>", yy);
	x = 48;
	for (size_t k = 0; k < v->nkeys; k++) {
		if (!used[k])
			continue;
		char t[96];
		snprintf(t, sizeof(t), "%s SKI %s%s", v->keys[k].name[0] ? v->keys[k].name : "(unnamed)",
			 v->keys[k].hex8, "");
		double w = 16 + (double)strlen(t) * 5.8;
		if (x + w > width - 10) {
			x = 48;
			yy += 15;
		}
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			   "<text class=\"lg\" x=\"%.1f\" y=\"%.1f\">", x, yy - 9, key_color((int)k), x + 14, yy);
		esc(f, t);
		fputs("</text>", f);
		x += w + 10;
	}
	yy += 18;
	fprintf(f, "<g class=\"lg\">"
		   "<circle class=\"ann\" cx=\"16\" cy=\"%.1f\" r=\"5\" fill=\"#0072b2\"/><circle cx=\"16\" cy=\"%.1f\" r=\"2.2\" fill=\"#e69f00\"/>"
		   "<text x=\"26\" y=\"%.1f\">UPDATE: fill = key of the sender's signature, dot = origin's key (grey: unsigned)</text>"
		   "<path class=\"wd\" d=\"M%.1f %.1fl8 8m0 -8l-8 8\"/><text x=\"%.1f\" y=\"%.1f\">withdrawal</text>"
		   "<path class=\"ka\" d=\"M%.1f %.1fl6 10h-12z\" fill=\"#009e73\"/><path class=\"kd\" d=\"M%.1f %.1fl6 -10h-12z\" stroke=\"#009e73\"/>"
		   "<text x=\"%.1f\" y=\"%.1f\">Router Key announced / withdrawn</text>"
		   "<path class=\"alarm\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\"/><text x=\"%.1f\" y=\"%.1f\">Cache Reset, error, NOTIFICATION</text>"
		   "<rect class=\"xpr\" x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"7\"/><text x=\"%.1f\" y=\"%.1f\">expectation until its deadline</text>"
		   "</g>\n",
		yy - 4, yy - 4, yy, 555.0, yy - 8, 569.0, yy, 650.0, yy - 10, 668.0, yy - 1, 684.0, yy,
		890.0, yy - 10, 902.0, yy, 1090.0, yy - 8, 1112.0, yy);
	return yy + 8 - y;
}

void kr_tview_svg(FILE *f, const struct kr_tview *v, const struct kr_result *r)
{
	struct xmap m = { 0 };
	if (xmap_build(&m, v, r) < 0) {
		fputs("<p class=\"problem\">timeline: out of memory</p>\n", f);
		free(m.t);
		free(m.x);
		return;
	}
	if (m.width < 1260)
		m.width = 1260; /* room for the legend */
	/* Drawn into a buffer first: the height is known only at the end. */
	char *body = NULL;
	size_t blen = 0;
	FILE *b = open_memstream(&body, &blen);
	if (!b) {
		free(m.t);
		free(m.x);
		return;
	}
	double y = header(b, r, m.width) + 14;
	double axis_y = y;
	y += 6;
	double top = y;
	y += harness(b, v, &m, y);
	double lane_y[KR_TV_MAX_LANES]; /* first row of each link, for session drops */
	for (size_t l = 0; l < v->nlanes; l++) {
		const struct kr_tv_lane *ln = &v->lanes[l];
		char name[64];
		lane_y[l] = y;
		if (ln->kind == KR_TV_RTR) {
			snprintf(name, sizeof(name), "RTR cache (%s)", ln->name);
			y += events_row(b, v, &m, y, l, -1, name, "RTR cache <-> SUT");
			y += spans(b, v, &m, y, KR_TV_IN_CACHE, "keys in the cache");
			continue;
		}
		bool up = !strncmp(ln->name, "up", 2);
		/* Upstream links: what the peer sends first; others: what the SUT sends. */
		for (int k = 0; k < 2; k++) {
			int dir = up ? k : 1 - k;
			if (!ln->count[dir])
				continue;
			char who[64];
			snprintf(name, sizeof(name), dir ? "SUT \xe2\x86\x92 %s" : "%s \xe2\x86\x92 SUT", ln->name);
			snprintf(who, sizeof(who), dir ? "SUT -> %s" : "%s -> SUT", ln->name);
			y += events_row(b, v, &m, y, l, dir, name, who);
		}
	}
	y += spans(b, v, &m, y, KR_TV_SUT_SIGNS, "SUT signs with");
	double bottom = y;
	/* Steps and the verdict across every lane. */
	for (size_t i = 0; i < v->nnotes; i++) {
		const struct kr_tv_note *n = &v->notes[i];
		if (!n->label[0])
			continue;
		double x = X(&m, n->t);
		fprintf(b, "<g class=\"step\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, top, x, bottom);
		fprintf(b, "<text x=\"%.1f\" y=\"%.1f\">", x + 2, top + 10);
		esc(b, n->label);
		fputs("</text>", b);
		title_el(b, n->t, NULL, n->text);
		fputs("</g>\n", b);
	}
	if (v->verdict_t >= 0 && X(&m, v->end_ns) < m.width - RIGHT - 4) {
		/* What the captures hold after the case ended is teardown:
		 * sessions closing, routes withdrawn because of that. */
		double x = X(&m, v->end_ns);
		fprintf(b, "<rect class=\"after\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
			   "<text class=\"gap\" x=\"%.1f\" y=\"%.1f\">teardown</text>\n",
			x + 2, top, m.width - RIGHT - x - 2, bottom - top, (x + m.width - RIGHT) / 2, bottom - 3);
	}
	if (r->sut_crash) {
		/* The breakdown across every lane, and each session it took down
		 * on its link. */
		double x = X(&m, v->crash_t);
		bool near_end = x > m.width - RIGHT - 110; /* labels go left of the line there */
		fprintf(b, "<g class=\"crash\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\"%s>SUT crash</text>", x, top - 4, x, bottom,
			near_end ? x - 4 : x + 3, top + 22, near_end ? " text-anchor=\"end\"" : "");
		title_el(b, v->crash_t, "SUT crash", r->sut_crash->summary ? r->sut_crash->summary : "?");
		fputs("</g>\n", b);
		for (size_t i = 0; i < r->sut_crash->ndrops; i++) {
			const struct kr_sut_drop *d = &r->sut_crash->drops[i];
			for (size_t l = 0; d->peer && l < v->nlanes; l++) {
				if (strcmp(v->lanes[l].name, d->peer))
					continue;
				int64_t t = (int64_t)(d->t_s * 1e9);
				fprintf(b, "<g><path class=\"alarm\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\"/>", X(&m, t), lane_y[l] + 5);
				title_el(b, t, d->peer, d->text ? d->text : "session down");
				fprintf(b, "</g><text class=\"lw\" x=\"%.1f\" y=\"%.1f\"%s>session down</text>\n",
					near_end ? X(&m, t) - 9 : X(&m, t) + 8, lane_y[l] + 14,
					near_end ? " text-anchor=\"end\"" : "");
			}
		}
	}
	if (v->verdict_t >= 0) {
		double x = X(&m, v->verdict_t);
		const char *c = outcome_color(r->outcome);
		fprintf(b, "<g class=\"verdict\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s at +%.3f s</text>",
			x, top - 4, x, bottom, c, x - 4, bottom + 12, c, kr_outcome_name(r->outcome), v->verdict_t / 1e9);
		title_el(b, v->verdict_t, "verdict", r->actual ? r->actual : r->reason ? r->reason : kr_outcome_name(r->outcome));
		fputs("</g>\n", b);
	}
	y += 18;
	if (v->problem[0]) {
		fprintf(b, "<text class=\"problem\" x=\"10\" y=\"%.1f\">", y + 8);
		esc(b, v->problem);
		fputs("</text>\n", b);
		y += 16;
	}
	y += legend(b, v, y, m.width);
	axis(b, &m, axis_y, bottom);
	fclose(b);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tl\" width=\"%.0f\" height=\"%.0f\" "
		   "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n", m.width, y + 6, m.width, y + 6);
	fwrite(body, 1, blen, f);
	fputs("</svg>\n", f);
	free(body);
	free(m.t);
	free(m.x);
}
