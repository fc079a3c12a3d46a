/* complete.c - tab completion candidates from the cmdlet declarations, the
 * session's variables and functions, and the objects a pipeline makes (see
 * complete.h). */
#include "config.h"
#include "shell/complete.h"
#include "shell/binder.h"
#include "shell/builtins.h"
#include "shell/eval.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <stdio.h>
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

/* ---- variables, members, functions ---- */

/* Property names of v (its first item for a list) that start with prefix,
 * each added as before + name. */
static void add_props(list *l, const mv *v, const char *before, const char *prefix)
{
	if (v && v->kind == MV_ARRAY) {
		if (str_iprefix("Count", prefix)) {
			char *w = xasprintf("%sCount", before);
			add(l, w);
			free(w);
		}
		v = v->u.arr.n ? v->u.arr.items[0] : NULL;
	}
	if (!v)
		return;
	if (v->kind == MV_STRING && str_iprefix("Length", prefix)) {
		char *w = xasprintf("%sLength", before);
		add(l, w);
		free(w);
	}
	if (v->kind != MV_OBJECT && v->kind != MV_HASH)
		return;
	for (size_t i = 0; i < v->u.obj.n; i++)
		if (str_iprefix(v->u.obj.props[i].name, prefix)) {
			char *w = xasprintf("%s%s", before, v->u.obj.props[i].name);
			add(l, w);
			free(w);
		}
}

/* The value of "name.A.B" (a variable, then properties; a list stands for
 * its first item), borrowed or NULL. */
static const mv *var_path(mg_session *s, const char *path)
{
	char *copy = xstrdup(path);
	char *save = NULL;
	const mv *v = NULL;
	bool first = true;
	for (char *part = strtok_r(copy, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		if (first) {
			v = mg_var_get(s, part);
			first = false;
		} else {
			if (v && v->kind == MV_ARRAY)
				v = v->u.arr.n ? v->u.arr.items[0] : NULL;
			v = v && (v->kind == MV_OBJECT || v->kind == MV_HASH) ? mv_get(v, part) : NULL;
		}
		if (!v)
			break;
	}
	free(copy);
	return v;
}

/* $na<Tab>: variable names; $x.Na<Tab>: properties of the value of $x. */
static void variable_candidates(mg_session *s, const char *prefix, list *l)
{
	const char *dot = strrchr(prefix, '.');
	if (dot) {
		char *path = xstrndup(prefix + 1, (size_t)(dot - prefix - 1));
		char *before = xstrndup(prefix, (size_t)(dot - prefix + 1));
		add_props(l, var_path(s, path), before, dot + 1);
		free(path);
		free(before);
		return;
	}
	for (size_t i = 0; i < s->nvars; i++) {
		const char *nm = s->vars[i].name;
		if (strchr(nm, ':') || !str_iprefix(nm, prefix + 1))
			continue;
		char *w = xasprintf("$%s", nm);
		add(l, w);
		free(w);
	}
	static const char *const automatic[] = { "true", "false", "null", "_", "args", "Error", "LASTEXITCODE",
	                                         "PSVersionTable", "ErrorActionPreference", NULL };
	for (size_t i = 0; automatic[i]; i++)
		if (str_iprefix(automatic[i], prefix + 1)) {
			char *w = xasprintf("$%s", automatic[i]);
			add(l, w);
			free(w);
		}
}

static void function_candidates(mg_session *s, const char *prefix, list *l)
{
	for (size_t i = 0; i < s->nvars; i++)
		if (str_iprefix(s->vars[i].name, "function:") && str_iprefix(s->vars[i].name + 9, prefix))
			add(l, s->vars[i].name + 9);
}

/* ---- property names after a pipeline ---- */

static bool is_builtin(const mg_cmdlet *c)
{
	for (size_t i = 0; mg_builtin_cmdlets[i]; i++)
		if (mg_builtin_cmdlets[i] == c)
			return true;
	return false;
}

static char *no_input(mg_session *s, const char *prompt, bool secret)
{
	(void)s;
	(void)prompt;
	(void)secret;
	return NULL;
}

/* Run text (a Get- command: it changes nothing) quietly and add the
 * property names of its first object. */
static void sample_props(mg_session *s, const char *text, const char *prefix, list *l)
{
	char *src = xasprintf("%s -ErrorAction SilentlyContinue | Select-Object -First 1", text);
	FILE *null = fopen("/dev/null", "w");
	if (!null) {
		free(src);
		return;
	}
	FILE *errf = s->errf, *warnf = s->warnf;
	bool inter = s->interactive;
	mg_line_reader rl = s->read_line;
	bool last_ok = s->last_ok;
	s->errf = null;
	s->warnf = null;
	s->interactive = false;
	s->read_line = no_input;
	mv *out = NULL;
	mg_run_collect(s, src, strlen(src), NULL, &out);
	s->errf = errf;
	s->warnf = warnf;
	s->interactive = inter;
	s->read_line = rl;
	s->last_ok = last_ok;
	fclose(null);
	free(src);
	if (out && out->kind == MV_ARRAY && out->u.arr.n)
		add_props(l, out->u.arr.items[0], "", prefix);
	mv_unref(out);
}

/* Format-Table/Select-Object/Sort-Object <Tab>: the properties of what the
 * first element of the pipeline makes: a variable's objects, the default
 * display set of the cmdlet's output type, and for a Get- cmdlet of the
 * migration (not a utility one) the properties of the first object it
 * returns. */
static void property_candidates(mg_session *s, const char *line, size_t seg, const char *prefix, list *l)
{
	/* the statement's start: back over closed blocks and parentheses */
	size_t st = seg;
	int depth = 0;
	while (st > 0) {
		char ch = line[st - 1];
		if (ch == '}' || ch == ')')
			depth++;
		else if ((ch == '{' || ch == '(') && depth > 0)
			depth--;
		else if ((ch == '{' || ch == '(' || ch == ';') && depth == 0)
			break;
		st--;
	}
	size_t end = st;
	depth = 0;
	while (end < seg && !(line[end] == '|' && depth == 0)) {
		if (line[end] == '{' || line[end] == '(')
			depth++;
		else if ((line[end] == '}' || line[end] == ')') && depth > 0)
			depth--;
		end++;
	}
	if (end >= seg)
		return;   /* no pipeline before this command */
	char *first = xstrndup(line + st, end - st);
	str_trim(first);
	if (first[0] == '$') {
		bool plain = true;
		for (const char *q = first + 1; *q; q++)
			if (!isalnum((unsigned char)*q) && *q != '_' && *q != '.')
				plain = false;
		if (plain)
			add_props(l, var_path(s, first + 1), "", prefix);
		free(first);
		return;
	}
	char name[128];
	size_t k = 0;
	while (first[k] && first[k] != ' ' && first[k] != '\t' && k < sizeof name - 1) {
		name[k] = first[k];
		k++;
	}
	name[k] = '\0';
	const mg_cmdlet *cmd = mg_session_find_cmdlet(s, name);
	if (cmd && cmd->output_type && cmd->output_type->default_props)
		for (size_t i = 0; cmd->output_type->default_props[i]; i++)
			if (str_iprefix(cmd->output_type->default_props[i], prefix))
				add(l, cmd->output_type->default_props[i]);
	if (cmd && cmd->output_type && str_iprefix(cmd->name, "Get-") && !is_builtin(cmd) && !s->bind_only)
		sample_props(s, first, prefix, l);
	free(first);
}

char **mg_complete_line(mg_session *s, const char *line, size_t cursor, size_t *word_start, bool *want_files)
{
	list l = { NULL, 0, 0 };
	bool sorted = false;   /* in the order to offer (else sorted at the end) */
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
	char *head = NULL;
	if (prefix[0] == '$') {
		variable_candidates(s, prefix, &l);
		goto done;
	}
	/* words of the segment before the current one */
	head = xstrndup(line + seg, ws - seg);
	char *words[128];
	size_t nw = 0;
	char *save = NULL;
	for (char *w = strtok_r(head, " \t,", &save); w && nw < 128; w = strtok_r(NULL, " \t,", &save))
		words[nw++] = w;
	if (nw == 0) {
		/* PowerShell's order, which Tab cycles through: the cmdlets and
		 * functions alphabetically (Sel -> Select-Object, then
		 * Select-String), then the aliases (select) */
		size_t n;
		const mg_cmdlet *const *t = mg_session_cmdlets(s, &n);
		list al = { NULL, 0, 0 };
		for (size_t i = 0; i < n; i++) {
			if (str_iprefix(t[i]->name, prefix))
				add(&l, t[i]->name);
			add_words(&al, t[i]->aliases, prefix);
		}
		function_candidates(s, prefix, &l);
		if (l.n)
			qsort(l.v, l.n, sizeof *l.v, cmp);
		if (al.n)
			qsort(al.v, al.n, sizeof *al.v, cmp);
		for (size_t i = 0; i < al.n; i++) {
			add(&l, al.v[i]);   /* (a name already listed stays once, where it is) */
			free(al.v[i]);
		}
		free(al.v);
		if (!l.n && (strchr(prefix, '/') || strchr(prefix, '.')))
			*want_files = true;
		sorted = true;
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
	if (target && target->complete == MGCOMP_PROPERTY)
		property_candidates(s, line, seg, prefix, &l);
	else if (target)
		value_candidates(s, target, prefix, &l, want_files);
	else
		*want_files = true;
done:
	free(prefix);
	free(head);
	if (!l.v) {
		l.v = xcalloc(1, sizeof *l.v);
	} else if (!sorted) {
		qsort(l.v, l.n, sizeof *l.v, cmp);
	}
	return l.v;
}
