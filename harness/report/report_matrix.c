/* `keyroll matrix`: cases by SUT for an interop day (runs.h). One column
 * per run (its SUT's name and version), one row per case id found in any
 * run, each cell the outcome linking to the case in that run's
 * index.html. Links are relative, so the folder of runs and the matrix
 * can be moved or published together. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/fsutil.h"
#include "report/report.h"
#include "report/runs.h"

struct col {
	struct kr_run_doc *d;
	char label[256];
	char link[PATH_MAX];      /* the run's index.html, relative to the matrix */
};

/* Path of `to` relative to the folder `from` (both existing). */
static int relpath(const char *from, const char *to, char *out, size_t outsz)
{
	char a[PATH_MAX + 1], b[PATH_MAX + 1];
	if (!realpath(from, a) || !realpath(to, b))
		return -1;
	/* Compare as "/x/y/" so a component is never matched by its prefix. */
	strcat(a, "/");
	strcat(b, "/");
	size_t common = 0;
	for (size_t i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i + 1;
	size_t off = 0;
	out[0] = 0;
	for (const char *p = a + common; *p; p++)
		if (*p == '/' && off + 3 < outsz) {
			memcpy(out + off, "../", 4);
			off += 3;
		}
	size_t rest = strlen(b + common);
	if (off + rest + 2 > outsz)
		return -1;
	memcpy(out + off, b + common, rest + 1);
	off += rest;
	if (off > 0 && out[off - 1] == '/')
		out[--off] = 0;
	if (!off)
		snprintf(out, outsz, ".");
	return 0;
}

static void esc(FILE *f, const char *s)
{
	kr_xml_escape(f, s ? s : "");
}

static void href(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (isalnum(*p) || strchr("/._-~", *p))
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every case id of every run, sorted, each once. */
static const char **all_ids(struct col *cols, size_t n, size_t *count)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += cols[i].d->rr.nresults;
	const char **ids = calloc(total ? total : 1, sizeof(*ids));
	if (!ids)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < cols[i].d->rr.nresults; j++)
			ids[k++] = cols[i].d->rr.results[j].c->id;
	qsort(ids, total, sizeof(*ids), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < total; i++)
		if (!u || strcmp(ids[u - 1], ids[i]))
			ids[u++] = ids[i];
	*count = u;
	return ids;
}

static const struct kr_result *cell(const struct col *c, const char *id)
{
	long i = kr_run_doc_find(c->d, id);
	return i < 0 ? NULL : &c->d->rr.results[i];
}

static const struct kr_result *any(const struct col *cols, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		const struct kr_result *r = cell(&cols[i], id);
		if (r)
			return r;
	}
	return NULL;
}

static void oclass(FILE *f, enum kr_outcome o)
{
	fputs("o-", f);
	for (const char *p = kr_outcome_name(o); *p; p++)
		fputc(isalnum((unsigned char)*p) ? tolower((unsigned char)*p) : '-', f);
}

static int write_html(const char *path, struct col *cols, size_t n, const char **ids, size_t nids)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>keyroll matrix</title><style>"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#1f2328}"
	      "table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}"
	      "thead th{position:sticky;top:0;background:#f6f8fa;font-weight:400;max-width:260px}thead th a{font-weight:700}td.c{text-align:center}"
	      "a.o{display:inline-block;min-width:54px;border-radius:10px;color:#fff;font-weight:600;font-size:12px;"
	      "text-decoration:none;background:#6e7781;padding:1px 8px}"
	      ".o-pass{background:#1a7f37!important}.o-fail,.o-xpass{background:#cf222e!important}"
	      ".o-error{background:#8250df!important}.o-warn{background:#bf8700!important}"
	      ".none{color:#8c959f}.t{color:#57606a;font-size:12px;word-break:break-all}"
	      "</style></head><body>\n<h1>keyroll: cases by SUT</h1>\n<table><thead><tr><th>case</th>", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<th><a href=\"", f);
		href(f, cols[i].link);
		fputs("\">", f);
		esc(f, cols[i].d->rr.sut_name);
		fputs("</a><div>", f);
		esc(f, cols[i].label + strlen(cols[i].d->rr.sut_name ? cols[i].d->rr.sut_name : "?") + 1);
		fputs("</div><div class=\"t\">run ", f);
		esc(f, cols[i].d->rr.run_id);
		size_t counts[KR_OUTCOME_COUNT];
		kr_report_count(&cols[i].d->rr, counts);
		for (int o = 0; o < KR_OUTCOME_COUNT; o++)
			if (counts[o])
				fprintf(f, " &middot; %zu %s", counts[o], kr_outcome_name(o));
		fputs("</div></th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	for (size_t k = 0; k < nids; k++) {
		const struct kr_result *a = any(cols, n, ids[k]);
		fputs("<tr><td><b>", f);
		esc(f, ids[k]);
		fprintf(f, "</b> <span class=\"t\">%s ", kr_level_name(a->c->level));
		esc(f, a->c->spec);
		fputs("</span><div class=\"t\">", f);
		esc(f, a->c->title);
		fputs("</div></td>", f);
		for (size_t i = 0; i < n; i++) {
			const struct kr_result *r = cell(&cols[i], ids[k]);
			if (!r) {
				fputs("<td class=\"c none\">not run</td>", f);
				continue;
			}
			fputs("<td class=\"c\"><a class=\"o ", f);
			oclass(f, r->outcome);
			fputs("\" href=\"", f);
			href(f, cols[i].link);
			fputs("#case-", f);
			href(f, ids[k]);
			fputs("\" title=\"", f);
			esc(f, r->actual ? r->actual : r->reason ? r->reason : kr_outcome_name(r->outcome));
			fprintf(f, "\">%s</a></td>", kr_outcome_name(r->outcome));
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n</body></html>\n", f);
	bool bad = ferror(f);
	return fclose(f) != 0 || bad ? -1 : 0;
}

static json_t *jstr(const char *s)
{
	json_t *j = s ? json_string(s) : json_null();
	return j ? j : json_string("(not valid UTF-8)");
}

static int write_json(const char *path, struct col *cols, size_t n, const char **ids, size_t nids)
{
	json_t *root = json_object(), *runs = json_array(), *cases = json_array();
	json_object_set_new(root, "tool", json_string("keyroll matrix"));
	for (size_t i = 0; i < n; i++) {
		const struct kr_run_report *r = &cols[i].d->rr;
		json_t *o = json_object();
		json_object_set_new(o, "label", jstr(cols[i].label));
		json_object_set_new(o, "sut", jstr(r->sut_name));
		json_object_set_new(o, "version", jstr(r->sut_version));
		json_object_set_new(o, "run_id", jstr(r->run_id));
		json_object_set_new(o, "report", jstr(cols[i].link));
		json_array_append_new(runs, o);
	}
	for (size_t k = 0; k < nids; k++) {
		const struct kr_result *a = any(cols, n, ids[k]);
		json_t *o = json_object(), *cells = json_array();
		json_object_set_new(o, "id", jstr(ids[k]));
		json_object_set_new(o, "title", jstr(a->c->title));
		json_object_set_new(o, "level", jstr(kr_level_name(a->c->level)));
		json_object_set_new(o, "spec", jstr(a->c->spec));
		for (size_t i = 0; i < n; i++) {
			const struct kr_result *r = cell(&cols[i], ids[k]);
			if (!r) {
				json_array_append_new(cells, json_null());
				continue;
			}
			json_t *c = json_object();
			char link[PATH_MAX + 300];
			snprintf(link, sizeof(link), "%s#case-%s", cols[i].link, ids[k]);
			json_object_set_new(c, "outcome", json_string(kr_outcome_name(r->outcome)));
			json_object_set_new(c, "link", jstr(link));
			json_array_append_new(cells, c);
		}
		json_object_set_new(o, "results", cells);
		json_array_append_new(cases, o);
	}
	json_object_set_new(root, "runs", runs);
	json_object_set_new(root, "cases", cases);
	int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return rc;
}

int kr_matrix(char *const *runs, size_t n, const char *out, char *msg, size_t msgsz)
{
	if (!n) {
		snprintf(msg, msgsz, "no runs given");
		return -1;
	}
	if (kr_mkdirs(out) < 0) {
		snprintf(msg, msgsz, "cannot create %s: %s", out, strerror(errno));
		return -1;
	}
	struct col *cols = calloc(n, sizeof(*cols));
	const char **ids = NULL;
	int rc = -1;
	if (!cols) {
		snprintf(msg, msgsz, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(cols[i].d = kr_run_doc_load(runs[i], msg, msgsz)))
			goto out;
		const struct kr_run_report *r = &cols[i].d->rr;
		if (relpath(out, cols[i].d->dir, cols[i].link, sizeof(cols[i].link)) < 0) {
			snprintf(msg, msgsz, "%s: cannot resolve its folder", cols[i].d->path);
			goto out;
		}
		strncat(cols[i].link, "/index.html", sizeof(cols[i].link) - strlen(cols[i].link) - 1);
		snprintf(cols[i].label, sizeof(cols[i].label), "%s %s", r->sut_name ? r->sut_name : "?",
			 r->sut_version ? r->sut_version : "(version unknown)");
		/* The same SUT and version again: number the columns. */
		unsigned same = 1;
		for (size_t j = 0; j < i; j++)
			same += !strncmp(cols[j].label, cols[i].label, strlen(cols[i].label)) &&
				(cols[j].label[strlen(cols[i].label)] == 0 || cols[j].label[strlen(cols[i].label)] == ' ');
		if (same > 1) {
			size_t l = strlen(cols[i].label);
			snprintf(cols[i].label + l, sizeof(cols[i].label) - l, " #%u", same);
		}
	}
	size_t nids = 0;
	if (!(ids = all_ids(cols, n, &nids))) {
		snprintf(msg, msgsz, "out of memory");
		goto out;
	}
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/matrix.html", out);
	if (write_html(path, cols, n, ids, nids) < 0) {
		snprintf(msg, msgsz, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/matrix.json", out);
	if (write_json(path, cols, n, ids, nids) < 0) {
		snprintf(msg, msgsz, "cannot write %s", path);
		goto out;
	}
	rc = 0;
out:
	free(ids);
	for (size_t i = 0; i < n; i++)
		kr_run_doc_free(cols[i].d);
	free(cols);
	return rc;
}
