/*
 * examples_dump.c - write every example of every cmdlet declaration (the
 * single source of Get-Help and the man pages) into a directory, for the
 * examples test (tests/integration/e2e_examples.sh):
 *
 *   examples_dump DIR
 *     DIR/NNNN.code   the example's code, exactly as declared
 *     DIR/index       one line per example:
 *                     NNNN <TAB> cmdlet <TAB> flags <TAB> expect
 *                     flags: any of "fails" "tty" "bash" joined by ',' or "-";
 *                     expect: the substring to look for, or "-".
 *
 * Exit status 1 if a declaration is incomplete (a cmdlet without synopsis,
 * description or examples, a parameter without help), so the examples test
 * also checks that the help is complete.
 */
#include "config.h"
#include "shell/cmdlet.h"

#include <stdio.h>
#include <string.h>

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fputs(text, f);
	fputc('\n', f);
	return fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/index", argv[1]);
	FILE *idx = fopen(path, "w");
	if (!idx) {
		perror(path);
		return 2;
	}
	size_t n = 0;
	const mg_cmdlet *const *t = mg_cmdlet_table(&n);
	int bad = 0, count = 0;
	for (size_t i = 0; i < n; i++) {
		const mg_cmdlet *c = t[i];
		if (!c->synopsis || !*c->synopsis || !c->description || !*c->description) {
			fprintf(stderr, "%s: synopsis or description missing\n", c->name);
			bad = 1;
		}
		for (const mg_param *p = c->params; p && p->name; p++)
			if (!p->help || !*p->help) {
				fprintf(stderr, "%s: parameter -%s has no help\n", c->name, p->name);
				bad = 1;
			}
		if (!c->examples || !c->examples[0].code) {
			fprintf(stderr, "%s: no examples\n", c->name);
			if (!(c->flags & MCF_NO_COMMON))
				bad = 1;
			continue;
		}
		for (const mg_example *e = c->examples; e->code; e++) {
			count++;
			snprintf(path, sizeof path, "%s/%04d.code", argv[1], count);
			if (write_file(path, e->code) < 0)
				return 2;
			char flags[64] = "";
			if (e->flags & MG_EXAMPLE_FAILS)
				strcat(flags, "fails,");
			if (e->flags & MG_EXAMPLE_TTY)
				strcat(flags, "tty,");
			if (e->flags & MG_EXAMPLE_BASH)
				strcat(flags, "bash,");
			size_t fl = strlen(flags);
			if (fl)
				flags[fl - 1] = '\0';
			fprintf(idx, "%04d\t%s\t%s\t%s\n", count, c->name, fl ? flags : "-",
			        e->expect && *e->expect ? e->expect : "-");
			if (!e->remarks || !*e->remarks) {
				fprintf(stderr, "%s: example %d has no remarks\n", c->name, count);
				bad = 1;
			}
		}
	}
	if (fclose(idx) != 0)
		return 2;
	fprintf(stderr, "%d examples from %zu cmdlets\n", count, n);
	return bad;
}
