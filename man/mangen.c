/*
 * mangen.c - writes the manual pages from the cmdlet declarations and the
 * help topics (shell/help.c does the rendering; nothing here is text).
 *
 *   mangen OUTDIR      write OUTDIR/<Cmdlet>.1, migsh.1, migsh-*.7
 *   mangen --list      print the file names it writes, one per line
 *   mangen --check     check every declaration is complete enough for a
 *                      page (synopsis, description, help for every
 *                      parameter, inputs, outputs, an example); exit 1 and
 *                      name what is missing otherwise
 *
 * The date in the pages is $SOURCE_DATE_EPOCH (reproducible builds) or today.
 */
#include "config.h"
#include "shell/cmdlet.h"
#include "shell/help.h"
#include "common/fileio.h"
#include "common/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void page_date(char *buf, size_t n)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}

static int check(const mg_cmdlet *const *t, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const mg_cmdlet *c = t[i];
#define MISSING(what) do { fprintf(stderr, "mangen: %s: %s\n", c->name, what); bad = 1; } while (0)
		if (!c->synopsis || !*c->synopsis)
			MISSING("no synopsis");
		if (!c->description || !*c->description)
			MISSING("no description");
		if (!c->inputs)
			MISSING("no INPUTS text");
		if (!c->outputs && !c->output_type)
			MISSING("no OUTPUTS text");
		if (!c->examples || !c->examples[0].code)
			MISSING("no example");
		for (const mg_param *p = c->params; p && p->name; p++)
			if (!p->help || !*p->help) {
				fprintf(stderr, "mangen: %s: parameter -%s has no help text\n", c->name, p->name);
				bad = 1;
			}
#undef MISSING
	}
	return bad;
}

static int write_page(const char *dir, const char *name, int section, strbuf *sb)
{
	char *path = xasprintf("%s/%s.%d", dir, name, section);
	mg_err e;
	int r = mg_write_atomic(path, sb->buf, sb->len, 0644, &e);
	if (r < 0)
		fprintf(stderr, "mangen: %s\n", e.msg);
	free(path);
	return r;
}

int main(int argc, char **argv)
{
	size_t n;
	const mg_cmdlet *const *t = mg_cmdlet_table(&n);
	size_t np;
	const mg_man_page *pages = mg_help_man_pages(&np);
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < np; i++)
			printf("%s.%d\n", pages[i].name, pages[i].section);
		for (size_t i = 0; i < n; i++)
			printf("%s.1\n", t[i]->name);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--check") == 0)
		return check(t, n);
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: mangen OUTDIR | --list | --check\n");
		return 2;
	}
	const char *dir = argv[1];
	mg_err e;
	if (mg_mkdir_p(dir, 0755, &e) < 0) {
		fprintf(stderr, "mangen: %s\n", e.msg);
		return 1;
	}
	char date[32];
	page_date(date, sizeof date);
	int rc = 0;
	for (size_t i = 0; i < np; i++) {
		strbuf sb = STRBUF_INIT;
		mg_help_man_page(&pages[i], t, n, date, PACKAGE_VERSION, &sb);
		if (write_page(dir, pages[i].name, pages[i].section, &sb) < 0)
			rc = 1;
		strbuf_free(&sb);
	}
	for (size_t i = 0; i < n; i++) {
		strbuf sb = STRBUF_INIT;
		mg_help_man_cmdlet(t[i], date, PACKAGE_VERSION, &sb);
		if (write_page(dir, t[i]->name, 1, &sb) < 0)
			rc = 1;
		strbuf_free(&sb);
	}
	return rc;
}
