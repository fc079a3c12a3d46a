/* complete.c - tab completion candidates from the cmdlet declarations (see complete.h). */
#include "config.h"
#include "shell/complete.h"
#include "shell/binder.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct list {
	char **v;
	size_t n, cap;
} list;

static void add(list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (str_ieq(l->v[i], s))
			return;
	GROW(l->v, l->cap, l->n + 2);
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

static int cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

void mg_complete_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static bool is_break(char c)
{
	return c == ' ' || c == '\t' || c == '|' || c == ';' || c == '(' || c == ')' || c == '{' || c == '}' ||
	       c == ',' || c == '=';
}

static void add_words(list *l, const char *const *names, const char *prefix)
{
	for (size_t i = 0; names && names[i]; i++)
		if (str_iprefix(names[i], prefix))
			add(l, names[i]);
}

static void value_candidates(mg_session *s, const mg_param *p, const char *prefix, list *l, bool *want_files)
{
	if (p->type == MPT_ENUM && p->allowed) {
		for (size_t i = 0; p->allowed[i]; i++)
			if (str_iprefix(p->allowed[i], prefix))
				add(l, p->allowed[i]);
		return;
	}
	if (p->complete == MGCOMP_ENDPOINT || p->complete == MGCOMP_BATCH || p->complete == MGCOMP_USER) {
		char **names = mg_session_names(s, p->complete, prefix);
		for (size_t i = 0; names[i]; i++) {
			if (str_iprefix(names[i], prefix))
				add(l, names[i]);
			free(names[i]);
		}
		free(names);
		return;
	}
	if (p->complete == MGCOMP_CMDLET) {
		size_t n;
		const mg_cmdlet *const *t = mg_session_cmdlets(s, &n);
		for (size_t i = 0; i < n; i++)
			if (str_iprefix(t[i]->name, prefix))
				add(l, t[i]->name);
		return;
	}
	*want_files = true;
}

char **mg_complete_line(mg_session *s, const char *line, size_t cursor, size_t *word_start, bool *want_files)
{
	list l = { NULL, 0, 0 };
	*want_files = false;
	size_t len = strlen(line);
	if (cursor > len)
		cursor = len;
	/* segment start: after the last | ; ( { outside quotes */
	size_t seg = 0;
	char q = 0;
	for (size_t i = 0; i < cursor; i++) {
		char c = line[i];
		if (q) {
			if (c == q)
				q = 0;
			continue;
		}
		if (c == '\'' || c == '"')
			q = c;
		else if (c == '|' || c == ';' || c == '(' || c == '{')
			seg = i + 1;
	}
	size_t ws = cursor;
	while (ws > seg && !is_break(line[ws - 1]))
		ws--;
	*word_start = ws;
	char *prefix = xstrndup(line + ws, cursor - ws);
	/* words of the segment before the current one */
	char *head = xstrndup(line + seg, ws - seg);
	char *words[128];
	size_t nw = 0;
	char *save = NULL;
	for (char *w = strtok_r(head, " \t,", &save); w && nw < 128; w = strtok_r(NULL, " \t,", &save))
		words[nw++] = w;
	if (nw == 0) {
		size_t n;
		const mg_cmdlet *const *t = mg_session_cmdlets(s, &n);
		for (size_t i = 0; i < n; i++) {
			if (str_iprefix(t[i]->name, prefix))
				add(&l, t[i]->name);
			add_words(&l, t[i]->aliases, prefix);
		}
		if (!l.n && (strchr(prefix, '/') || strchr(prefix, '.')))
			*want_files = true;
		goto done;
	}
	const mg_cmdlet *cmd = mg_session_find_cmdlet(s, words[0]);
	if (!cmd) {
		*want_files = true;
		goto done;
	}
	if (prefix[0] == '-') {
		size_t i = 0;
		const mg_param *p;
		while ((p = mg_param_iter(cmd, &i)))
			if (str_iprefix(p->name, prefix + 1)) {
				char buf[160];
				snprintf(buf, sizeof buf, "-%s", p->name);
				add(&l, buf);
			}
		goto done;
	}
	/* the value of the parameter before, or a positional one */
	const mg_param *target = NULL;
	if (nw >= 2 && words[nw - 1][0] == '-') {
		char *nm = words[nw - 1] + 1;
		char *colon = strchr(nm, ':');
		if (colon)
			*colon = '\0';
		target = mg_find_param(cmd, nm, NULL);
		if (target && target->type == MPT_SWITCH)
			target = NULL;
	}
	if (!target) {
		/* count positional words so far */
		int posn = 0;
		for (size_t i = 1; i < nw; i++) {
			if (words[i][0] == '-') {
				const mg_param *p = mg_find_param(cmd, words[i] + 1, NULL);
				if (p && p->type != MPT_SWITCH && !strchr(words[i], ':'))
					i++;
				continue;
			}
			posn++;
		}
		size_t i = 0;
		const mg_param *p;
		while ((p = mg_param_iter(cmd, &i)))
			if (p->position == posn) {
				target = p;
				break;
			}
	}
	if (target)
		value_candidates(s, target, prefix, &l, want_files);
	else
		*want_files = true;
done:
	free(prefix);
	free(head);
	if (!l.v) {
		l.v = xcalloc(1, sizeof *l.v);
	} else {
		qsort(l.v, l.n, sizeof *l.v, cmp);
	}
	return l.v;
}
