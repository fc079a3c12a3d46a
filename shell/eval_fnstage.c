/*
 * eval_fnstage.c - a function or script block as a stage of a pipeline,
 * like a cmdlet: its begin block runs before any input, its process block
 * once per input object ($_), its end block (a plain body is an end block)
 * after the last one, with $input holding what was piped to a function that
 * has no process block.  `filter` bodies are process blocks.
 *
 * An advanced function ([CmdletBinding()] or a [Parameter()] attribute) is
 * bound by the cmdlets' binder (binder.c) against a declaration made from
 * its param( ) block: named, positional, pipeline by value and by property
 * name, mandatory parameters, the common parameters (-Verbose and
 * -ErrorAction set $VerbosePreference / $ErrorActionPreference inside).  A
 * simple function keeps PowerShell's simple rules: extra arguments go to
 * $args.  Both run the validation attributes and get $PSBoundParameters.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* variables a block run overwrote, restored after it */
typedef struct varsave {
	char  **names;
	mv    **old;      /* NULL: the variable did not exist */
	size_t  n, cap;
} varsave;

static void vs_set(varsave *vs, mg_session *s, const char *name, mv *val)
{
	bool have = false;
	for (size_t i = 0; i < vs->n && !have; i++)
		have = str_ieq(vs->names[i], name);
	if (!have) {
		GROW(vs->names, vs->cap, vs->n + 1);
		vs->old = xrealloc(vs->old, vs->cap * sizeof *vs->old);
		mv *o = mg_var_get(s, name);
		vs->names[vs->n] = xstrdup(name);
		vs->old[vs->n] = o ? mv_ref(o) : NULL;
		vs->n++;
	}
	if (val)
		mg_var_set(s, name, val);
	else
		mg_var_remove(s, name);
}

/* Put the old values back (restore), or only forget them (a function's
 * own scope: the variables go with the scope). */
static void vs_finish(varsave *vs, mg_session *s, bool restore)
{
	for (size_t i = vs->n; i-- > 0; ) {
		if (!restore)
			mv_unref(vs->old[i]);
		else if (vs->old[i])
			mg_var_set_take(s, vs->names[i], vs->old[i]);
		else
			mg_var_remove(s, vs->names[i]);
		free(vs->names[i]);
	}
	free(vs->names);
	free(vs->old);
	memset(vs, 0, sizeof *vs);
}

typedef struct fnstage {
	ev        *e;
	mv        *fn;             /* the script block (a reference) */
	sbcode    *code;
	const ast *sb;             /* its N_SCRIPTBLOCK */
	const ast *begin, *process, *end;
	const ast *const *prm;
	size_t     np;
	bool       advanced;
	mg_cmdlet  decl;           /* advanced: what the binder binds against */
	mg_param  *params;
	char     **strs;           /* strings the declaration points at */
	size_t     nstrs, capstrs;
	mv       **vals;           /* simple: the values bound from the command line */
	mv        *rest;           /* simple: $args */
	mv        *input;          /* $input */
	mg_stage  *st;
	int        flow;           /* EV_EXIT / EV_BREAK / EV_CONTINUE that ended it */
	/* the call's local scope (a child of the caller's), entered while a
	 * block runs; NULL when dot-sourced (`. f`, `. { }`): the caller's
	 * scope, where the variables a block run set are put back after it */
	mg_scope  *scope;
} fnstage;

static const char *keep_str(fnstage *fs, char *s)
{
	GROW(fs->strs, fs->capstrs, fs->nstrs + 1);
	fs->strs[fs->nstrs++] = s;
	return s;
}

/* A list of names the declaration points at (MG_NAMES form: NULL-terminated),
 * kept like the strings; NULL when empty.  Takes the strings of v[0..n). */
typedef struct namelist {
	char  **v;
	size_t  n, cap;
} namelist;

static void namelist_add(namelist *l, char *s)
{
	GROW(l->v, l->cap, l->n + 2);
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static const char *const *keep_list(fnstage *fs, namelist *l)
{
	if (!l->n) {
		free(l->v);
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++)
		keep_str(fs, l->v[i]);
	keep_str(fs, (char *)l->v);
	return (const char *const *)l->v;
}

/* ---------- the function's body ---------- */

/* The begin / process / end blocks of a script block's node. */
void ev_body_blocks(const ast *node, const ast **begin, const ast **process, const ast **end)
{
	const ast *sb = node->kind == N_FUNCDEF ? node->kids[0] : node;
	const ast *body = sb->kids[0];
	*begin = *process = *end = NULL;
	if (!(body->flags & AF_NAMEDBLOCKS)) {
		if (node->kind == N_FUNCDEF && (node->flags & AF_FILTER))
			*process = body;
		else
			*end = body;
		return;
	}
	for (size_t i = 0; i < body->nkids; i++) {
		const ast *nb = body->kids[i];
		const ast *b = nb->kids[0];
		if (!strcmp(nb->str, "begin"))
			*begin = b;
		else if (!strcmp(nb->str, "process"))
			*process = b;
		else
			*end = b;
	}
}

/* ---------- attributes ---------- */

static bool attr_is(const ast *a, const char *name)
{
	const char *n = a->str;
	if (str_iprefix(n, "System.Management.Automation."))
		n += strlen("System.Management.Automation.");
	size_t l = strlen(name);
	/* [Parameter()] and [ParameterAttribute()] are the same */
	return str_ieq(n, name) || (strlen(n) == l + 9 && !strncasecmp(n, name, l) && str_ieq(n + l, "Attribute"));
}

const ast *ev_param_attr(const ast *prm, const char *name)
{
	for (size_t i = 0; i < prm->nkids; i++)
		if (prm->kids[i]->kind == N_ATTR && attr_is(prm->kids[i], name))
			return prm->kids[i];
	return NULL;
}

/* A named argument of an attribute (Mandatory, Position = 0), or NULL. */
static const ast *attr_named(const ast *a, const char *name)
{
	for (size_t i = 0; i < a->nkids; i++)
		if (a->kids[i]->kind == N_CMDPARAM && str_ieq(a->kids[i]->str, name))
			return a->kids[i];
	return NULL;
}

/* The value of an attribute argument, evaluated in the function's tree
 * (a bare Mandatory is $true).  NULL with the error thrown. */
static mv *attr_value(ev *e, ast_tree *t, const ast *arg)
{
	if (arg->kind == N_CMDPARAM && !arg->nkids)
		return mv_bool(true);
	const ast *x = arg->kind == N_CMDPARAM ? arg->kids[0] : arg;
	ast_tree *saved = e->tree;
	e->tree = t;
	mv *v = ev_expr(e, x);
	e->tree = saved;
	return v;
}

static bool attr_flag(ev *e, ast_tree *t, const ast *a, const char *name)
{
	const ast *k = attr_named(a, name);
	if (!k)
		return false;
	mv *v = attr_value(e, t, k);
	bool r = v && mv_truthy(v);
	mv_unref(v);
	e->has_err = false;
	return r;
}

static const char *const known_attrs[] = {
	"Parameter", "Alias", "AllowNull", "AllowEmptyString", "AllowEmptyCollection", "ValidateSet",
	"ValidateNotNull", "ValidateNotNullOrEmpty", "ValidateNotNullOrWhiteSpace", "ValidateRange",
	"ValidatePattern", "ValidateLength", "ValidateCount", "ValidateScript", "SupportsWildcards",
	"PSDefaultValue", "ArgumentCompleter", "Credential", NULL
};

bool ev_is_advanced(const ast *node)
{
	const ast *sb = node->kind == N_FUNCDEF ? node->kids[0] : node;
	if (sb->flags & AF_CMDLETBINDING)
		return true;
	for (size_t k = 1; k < node->nkids; k++)
		if (ev_param_attr(node->kids[k], "Parameter"))
			return true;
	return false;
}

/* "Cannot validate argument on parameter 'X'. <why>" */
static int invalid(ev *e, mg_err *err, const ast *prm, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int invalid(ev *e, mg_err *err, const ast *prm, const char *fmt, ...)
{
	(void)e;
	char why[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	mg_err_set(err, MGC_INVALIDDATA, "ParameterArgumentValidationError",
	           "Cannot validate argument on parameter '%s'. %s", prm->str, why);
	return -1;
}

static bool null_or_empty(const mv *v)
{
	return !v || v->kind == MV_NULL || (v->kind == MV_STRING && !v->u.str.len) ||
	       (v->kind == MV_ARRAY && !v->u.arr.n);
}

/* Check one bound value against the parameter's validation attributes
 * (PowerShell's texts).  0, or -1 with err filled. */
int ev_validate_param(ev *e, ast_tree *t, const ast *prm, mv *val, mg_err *err)
{
	for (size_t i = 0; i < prm->nkids; i++) {
		const ast *a = prm->kids[i];
		if (a->kind != N_ATTR)
			continue;
		bool known = false;
		for (size_t k = 0; known_attrs[k] && !known; k++)
			known = attr_is(a, known_attrs[k]);
		if (!known) {
			mg_err_set(err, MGC_INVALIDOP, "AttributeNotSupported",
			           "The attribute [%s()] on parameter '%s' is not supported by migsh.", a->str, prm->str);
			return -1;
		}
		size_t nitems = val && val->kind == MV_ARRAY ? val->u.arr.n : 1;
		if (attr_is(a, "ValidateNotNullOrEmpty") || attr_is(a, "ValidateNotNullOrWhiteSpace")) {
			bool bad = null_or_empty(val);
			for (size_t k = 0; !bad && val->kind == MV_ARRAY && k < val->u.arr.n; k++)
				bad = null_or_empty(val->u.arr.items[k]);
			if (!bad && attr_is(a, "ValidateNotNullOrWhiteSpace") && val->kind == MV_STRING) {
				bad = true;
				for (const char *c = val->u.str.s; *c && bad; c++)
					bad = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
			}
			if (bad)
				return invalid(e, err, prm, attr_is(a, "ValidateNotNullOrEmpty")
				               ? "The argument is null or empty. Provide an argument that is not null or empty, "
				                 "and then try the command again."
				               : "The argument is null, empty, or consists of only white-space characters. Provide an "
				                 "argument that contains non white-space characters, and then try the command again.");
			continue;
		}
		if (attr_is(a, "ValidateNotNull")) {
			if (!val || val->kind == MV_NULL)
				return invalid(e, err, prm, "The argument is null. Provide a valid value for the argument, "
				               "and then run the command again.");
			continue;
		}
		if (!val || val->kind == MV_NULL)
			continue;
		if (attr_is(a, "ValidateSet")) {
			bool icase = true;
			const ast *ic = attr_named(a, "IgnoreCase");
			if (ic) {
				mv *v = attr_value(e, t, ic);
				icase = !v || mv_truthy(v);
				mv_unref(v);
			}
			mv *set = mv_array();
			for (size_t k = 0; k < a->nkids; k++) {
				if (a->kids[k]->kind == N_CMDPARAM)
					continue;
				mv *v = attr_value(e, t, a->kids[k]);
				if (!v) {
					mv_unref(set);
					mg_err_copy(err, &e->rec.err);
					e->has_err = false;
					return -1;
				}
				mv_array_push_take(set, v);
			}
			for (size_t j = 0; j < nitems; j++) {
				mv *it = val->kind == MV_ARRAY ? val->u.arr.items[j] : val;
				bool hit = false;
				for (size_t k = 0; k < set->u.arr.n && !hit; k++)
					hit = mv_equal(set->u.arr.items[k], it, icase);
				if (!hit) {
					strbuf sb = STRBUF_INIT;
					strbuf_adds(&sb, "");
					for (size_t k = 0; k < set->u.arr.n; k++) {
						char *x = mv_to_string(set->u.arr.items[k]);
						strbuf_addf(&sb, "%s%s", k ? "," : "", x);
						free(x);
					}
					char *x = mv_to_string(it);
					invalid(e, err, prm, "The argument \"%s\" does not belong to the set \"%s\" specified by the "
					        "ValidateSet attribute. Supply an argument that is in the set and then try the command "
					        "again.", x, sb.buf);
					free(x);
					strbuf_free(&sb);
					mv_unref(set);
					return -1;
				}
			}
			mv_unref(set);
			continue;
		}
		if (attr_is(a, "ValidateRange") || attr_is(a, "ValidateLength") || attr_is(a, "ValidateCount")) {
			double lim[2] = { 0, 0 };
			size_t got = 0;
			for (size_t k = 0; k < a->nkids && got < 2; k++) {
				if (a->kids[k]->kind == N_CMDPARAM)
					continue;
				mv *v = attr_value(e, t, a->kids[k]);
				if (!v || mv_to_double(v, &lim[got]) < 0) {
					mv_unref(v);
					e->has_err = false;
					mg_err_set(err, MGC_INVALIDOP, "AttributeNotSupported",
					           "The arguments of [%s()] on parameter '%s' must be two numbers in migsh.",
					           a->str, prm->str);
					return -1;
				}
				mv_unref(v);
				got++;
			}
			if (got < 2)
				continue;
			if (attr_is(a, "ValidateCount")) {
				double c = val->kind == MV_ARRAY ? (double)val->u.arr.n : 1;
				if (c < lim[0])
					return invalid(e, err, prm, "The parameter requires at least %g value(s) and no more than %g "
					               "value(s) - %g value(s) were provided.", lim[0], lim[1], c);
				if (c > lim[1])
					return invalid(e, err, prm, "The parameter requires at least %g value(s) and no more than %g "
					               "value(s) - %g value(s) were provided.", lim[0], lim[1], c);
				continue;
			}
			for (size_t j = 0; j < nitems; j++) {
				mv *it = val->kind == MV_ARRAY ? val->u.arr.items[j] : val;
				if (attr_is(a, "ValidateLength")) {
					char *x = mv_to_string(it);
					double l = 0;
					for (const char *c = x; *c; c++)
						l += ((unsigned char)*c & 0xC0) != 0x80;
					free(x);
					if (l < lim[0])
						return invalid(e, err, prm, "The character length (%g) of the argument is too short. "
						               "Specify an argument with a length that is greater than or equal to \"%g\", "
						               "and then try the command again.", l, lim[0]);
					if (l > lim[1])
						return invalid(e, err, prm, "The character length of the %g argument is too long. "
						               "Shorten the character length of the argument so it is fewer than or equal "
						               "to \"%g\" characters, and then try the command again.", l, lim[1]);
					continue;
				}
				double d;
				char *x = mv_to_string(it);
				if (mv_to_double(it, &d) < 0) {
					free(x);
					continue;
				}
				if (d < lim[0])
					invalid(e, err, prm, "The %s argument is less than the minimum allowed range of %g. Supply "
					        "an argument that is greater than or equal to %g and then try the command again.",
					        x, lim[0], lim[0]);
				else if (d > lim[1])
					invalid(e, err, prm, "The %s argument is greater than the maximum allowed range of %g. "
					        "Supply an argument that is less than or equal to %g and then try the command again.",
					        x, lim[1], lim[1]);
				free(x);
				if (err && err->set)
					return -1;
			}
			continue;
		}
		if (attr_is(a, "ValidatePattern")) {
			mv *pv = a->nkids && a->kids[0]->kind != N_CMDPARAM ? attr_value(e, t, a->kids[0]) : NULL;
			char *pat = pv ? mv_to_string(pv) : xstrdup("");
			mv_unref(pv);
			e->has_err = false;
			regex_t re;
			if (mg_regcomp_net(&re, pat, true, REG_NOSUB, NULL) != 0) {
				mg_err_set(err, MGC_INVALIDOP, "InvalidRegularExpression",
				           "The regular expression pattern %s is not valid.", pat);
				free(pat);
				return -1;
			}
			for (size_t j = 0; j < nitems; j++) {
				char *x = mv_to_string(val->kind == MV_ARRAY ? val->u.arr.items[j] : val);
				bool ok = regexec(&re, x, 0, NULL, 0) == 0;
				if (!ok)
					invalid(e, err, prm, "The argument \"%s\" does not match the \"%s\" pattern. Supply an "
					        "argument that matches \"%s\" and try the command again.", x, pat, pat);
				free(x);
				if (!ok) {
					regfree(&re);
					free(pat);
					return -1;
				}
			}
			regfree(&re);
			free(pat);
			continue;
		}
		if (attr_is(a, "ValidateScript")) {
			mv *blk = a->nkids && a->kids[0]->kind != N_CMDPARAM ? attr_value(e, t, a->kids[0]) : NULL;
			if (!blk || blk->kind != MV_SCRIPTBLOCK) {
				mv_unref(blk);
				e->has_err = false;
				continue;
			}
			for (size_t j = 0; j < nitems; j++) {
				mv *it = val->kind == MV_ARRAY ? val->u.arr.items[j] : val;
				mv *out = mv_array();
				int rc = ev_run_scriptblock(e, blk, it, NULL, out);
				mv *r = rc == EV_OK ? ev_unwrap(out) : NULL;
				mv_unref(out);
				bool ok = r && mv_truthy(r);
				mv_unref(r);
				if (rc != EV_OK) {
					mg_err_copy(err, &e->rec.err);
					e->has_err = false;
					mv_unref(blk);
					return -1;
				}
				if (!ok) {
					char *x = mv_to_string(it);
					invalid(e, err, prm, "The \"%s\" validation script for the argument with value \"%s\" did "
					        "not return a result of True. Determine why the validation script failed, and then "
					        "try the command again.", blk->u.sb.text ? blk->u.sb.text : "", x);
					free(x);
					mv_unref(blk);
					return -1;
				}
			}
			mv_unref(blk);
		}
	}
	return 0;
}

/* ---------- the declaration the binder binds against ---------- */

/* a simple function takes pipeline input into $input / $_ through this
 * parameter, which no argument can name */
#define INPUT_PARAM " input"

static void build_decl(fnstage *fs, const char *who)
{
	ev *e = fs->e;
	ast_tree *t = fs->code->tree;
	fs->decl.name = keep_str(fs, xstrdup(who));
	fs->decl.synopsis = "";
	fs->decl.process = NULL;
	if (!fs->advanced) {
		fs->params = xcalloc(2, sizeof *fs->params);
		fs->params[0].name = INPUT_PARAM;
		fs->params[0].type = MPT_OBJECT;
		fs->params[0].flags = MPF_PIPE_VALUE;
		fs->params[0].position = -1;
		fs->decl.params = fs->params;
		fs->decl.flags = MCF_NO_COMMON;
		return;
	}
	fs->params = xcalloc(fs->np + 1, sizeof *fs->params);
	bool any_pos = false;
	for (size_t k = 0; k < fs->np; k++)
		for (size_t i = 0; i < fs->prm[k]->nkids; i++)
			if (fs->prm[k]->kids[i]->kind == N_ATTR && attr_is(fs->prm[k]->kids[i], "Parameter") &&
			    attr_named(fs->prm[k]->kids[i], "Position"))
				any_pos = true;
	int next_pos = 0;
	for (size_t k = 0; k < fs->np; k++) {
		const ast *prm = fs->prm[k];
		mg_param *p = &fs->params[k];
		p->name = prm->str;
		p->type = (prm->flags & AF_SWITCHPARAM) ? MPT_SWITCH : MPT_OBJECT;
		p->position = -1;
		p->help = "";
		namelist sets = { 0 }, aliases = { 0 };
		for (size_t i = 0; i < prm->nkids; i++) {
			const ast *a = prm->kids[i];
			if (a->kind != N_ATTR)
				continue;
			if (attr_is(a, "Alias")) {
				for (size_t j = 0; j < a->nkids; j++) {
					if (a->kids[j]->kind == N_CMDPARAM)
						continue;
					mv *v = attr_value(e, t, a->kids[j]);
					e->has_err = false;
					if (!v)
						continue;
					size_t cnt = v->kind == MV_ARRAY ? v->u.arr.n : 1;
					for (size_t q = 0; q < cnt; q++) {
						namelist_add(&aliases, mv_to_string(v->kind == MV_ARRAY ? v->u.arr.items[q] : v));
					}
					mv_unref(v);
				}
				continue;
			}
			if (!attr_is(a, "Parameter"))
				continue;
			if (attr_flag(e, t, a, "Mandatory"))
				p->flags |= MPF_MANDATORY;
			if (attr_flag(e, t, a, "ValueFromPipeline"))
				p->flags |= MPF_PIPE_VALUE;
			if (attr_flag(e, t, a, "ValueFromPipelineByPropertyName"))
				p->flags |= MPF_PIPE_PROPNAME;
			if (attr_flag(e, t, a, "ValueFromRemainingArguments"))
				p->flags |= MPF_REMAINING;
			const ast *pos = attr_named(a, "Position");
			if (pos) {
				mv *v = attr_value(e, t, pos);
				long long n;
				if (v && mv_to_ll(v, &n) == 0 && n >= 0 && n < 1000)
					p->position = (int)n;
				mv_unref(v);
				e->has_err = false;
			}
			const ast *set = attr_named(a, "ParameterSetName");
			if (set) {
				mv *v = attr_value(e, t, set);
				char *x = v ? mv_to_string(v) : NULL;
				if (x && *x && strcmp(x, "__AllParameterSets"))
					namelist_add(&sets, x);
				else
					free(x);
				mv_unref(v);
				e->has_err = false;
			}
		}
		if (!any_pos && !(fs->sb->flags & AF_NOPOSITIONAL) && p->type != MPT_SWITCH && p->position < 0)
			p->position = next_pos++;
		p->sets = keep_list(fs, &sets);
		p->aliases = keep_list(fs, &aliases);
	}
	fs->decl.params = fs->params;
	fs->decl.default_set = fs->sb->str;
	if (fs->sb->flags & AF_SHOULDPROCESS)
		fs->decl.flags |= MCF_SHOULD_PROCESS;   /* -WhatIf and -Confirm */
}

/* $PSCmdlet: the parameter set, and ShouldProcess (eval_methods.c) */
static const char *const pscmdlet_props[] = { "ParameterSetName", NULL };
const mv_type_info ev_pscmdlet_type = { "System.Management.Automation.PSScriptCmdlet", pscmdlet_props, 2, NULL };

/* ---------- running the blocks ---------- */

/* The value of parameter prm: the bound one (given), else its default
 * (evaluated in the function's tree), converted to its declared type.  New
 * reference, or NULL with the error thrown. */
mv *ev_param_value(ev *e, ast_tree *t, const ast *prm, mv *given)
{
	const ast *type = NULL, *def = NULL;
	for (size_t i = 0; i < prm->nkids; i++) {
		if (prm->kids[i]->kind == N_TYPE)
			type = prm->kids[i];
		else if (prm->kids[i]->kind != N_ATTR && !def)
			def = prm->kids[i];
	}
	mv *v = given ? mv_ref(given) : NULL;
	if (!v && def) {
		ast_tree *caller = e->tree;
		e->tree = t;
		v = ev_expr(e, def);
		e->tree = caller;
		if (!v)
			return NULL;
	}
	if (!v && !type)
		return (prm->flags & AF_SWITCHPARAM) ? mv_bool(false) : mv_null();
	if (!type)
		return v;
	/* [int]$n: the value converted, or the type's default ($null as [int] is 0) */
	mv *raw = v ? v : mv_null();
	mv *c = ev_cast_to(e, prm, type->str, raw);
	if (!c && given) {
		mv_unref(raw);
		return NULL;
	}
	if (!c) {
		e->has_err = false;
		c = mv_ref(raw);
	}
	mv_unref(raw);
	return c;
}

/* Turn the block's status into the stage's: 0, or -1 with the pipeline
 * stopped (an error: ctx.err; exit / break / continue: fs->flow). */
static int finish(fnstage *fs, int rc, const mg_err *err)
{
	mg_stage *st = fs->st;
	if (rc == EV_OK)
		return 0;
	if (rc == EV_ERR) {
		mg_err_copy(&st->ctx.err, err && err->set ? err : &fs->e->rec.err);
		if (!st->ctx.err.set)
			mg_err_set(&st->ctx.err, MGC_NOTSPECIFIED, "CommandFailed", "%s failed.", fs->decl.name);
		return -1;
	}
	fs->flow = rc;
	st->pl->stopped = true;
	return -1;
}

static int run_block(fnstage *fs, const ast *blk, mv *input)
{
	ev *e = fs->e;
	mg_session *s = e->s;
	mg_stage *st = fs->st;
	ast_tree *t = fs->code->tree;
	if (s->depth > MAX_EVAL_DEPTH) {
		ev_throwf(e, NULL, MGC_LIMIT, "CallDepthOverflow", "The script failed due to call depth overflow.");
		e->fatal = true;
		return finish(fs, EV_ERR, NULL);
	}
	if (ev_stack_low(e, NULL))
		return finish(fs, EV_ERR, NULL);
	varsave vs;
	memset(&vs, 0, sizeof vs);
	mg_scope *caller = s->scope;
	if (fs->scope)
		s->scope = fs->scope;
	/* on the heap: a function calling itself repeats this frame */
	mg_err *errp = xcalloc(1, sizeof *errp);
	mv **vals = xcalloc(fs->np + 1, sizeof *vals);
	mv *bound = mv_hash();
	if (fs->advanced) {
		const mg_bound *b = st->have_cur ? &st->cur : &st->base;
		for (size_t i = 0; i < b->n; i++) {
			const mg_param *p = b->args[i].param;
			mv_set(bound, p->name, b->args[i].val);
			for (size_t k = 0; k < fs->np; k++)
				if (p == &fs->params[k])
					vals[k] = mv_ref(b->args[i].val);
		}
		/* -Verbose, -ErrorAction, ... hold for what the function runs */
		static const char *const prefs[][2] = {
			{ "ErrorAction", "ErrorActionPreference" }, { "WarningAction", "WarningPreference" },
		};
		for (size_t i = 0; i < 2; i++) {
			mg_bound_arg *a = mg_bound_get(b, prefs[i][0]);
			if (a)
				vs_set(&vs, s, prefs[i][1], a->val);
		}
		if (mg_bound_get(b, "Verbose")) {
			mv *v = mv_string(b->verbose ? "Continue" : "SilentlyContinue");
			vs_set(&vs, s, "VerbosePreference", v);
			mv_unref(v);
		}
		if (mg_bound_get(b, "Debug")) {
			mv *v = mv_string(b->debug ? "Continue" : "SilentlyContinue");
			vs_set(&vs, s, "DebugPreference", v);
			mv_unref(v);
		}
		if (b->whatif) {
			mv *yes = mv_bool(true);
			vs_set(&vs, s, "WhatIfPreference", yes);
			mv_unref(yes);
		}
		mv *cmdlet = mv_object(&ev_pscmdlet_type);
		const char *set = b->set;
		mv_set_str(cmdlet, "ParameterSetName", set ? set : "__AllParameterSets");
		mv_set_str(cmdlet, "CommandName", fs->decl.name);
		vs_set(&vs, s, "PSCmdlet", cmdlet);
		mv_unref(cmdlet);
	} else {
		for (size_t k = 0; k < fs->np; k++)
			if (fs->vals[k]) {
				vals[k] = mv_ref(fs->vals[k]);
				mv_set(bound, fs->prm[k]->str, fs->vals[k]);
			}
	}
	int rc = EV_OK;
	for (size_t k = 0; k < fs->np && rc == EV_OK; k++)
		if (vals[k] && ev_validate_param(e, t, fs->prm[k], vals[k], errp) < 0)
			rc = EV_ERR;
	for (size_t k = 0; k < fs->np && rc == EV_OK; k++) {
		mv *v = ev_param_value(e, t, fs->prm[k], vals[k]);
		if (!v) {
			mg_err_copy(errp, &e->rec.err);
			e->has_err = false;
			rc = EV_ERR;
			break;
		}
		vs_set(&vs, s, fs->prm[k]->str, v);
		mv_unref(v);
	}
	if (rc == EV_OK) {
		vs_set(&vs, s, "PSBoundParameters", bound);
		if (!fs->advanced)
			vs_set(&vs, s, "args", fs->rest);
		vs_set(&vs, s, "input", fs->input);
		if (input)
			vs_set(&vs, s, "_", input);
		/* the last stage writes straight into the pipeline's output, so that
		 * its objects and Write-Host text keep their order on the console */
		bool direct = !st->next && !st->outvar;
		mv *out = direct ? mv_ref(st->pl->sink) : mv_array();
		ast_tree *saved = e->tree;
		e->tree = t;
		s->depth++;
		rc = ev_block(e, blk, out, false);
		s->depth--;
		e->tree = saved;
		if (rc == EV_RETURN)
			rc = EV_OK;
		vs_finish(&vs, s, !fs->scope);
		s->scope = caller;
		if (!direct)
			for (size_t i = 0; i < out->u.arr.n && !st->pl->stopped; i++)
				if (mg_emit(&st->ctx, out->u.arr.items[i]) < 0)
					break;
		mv_unref(out);
	} else {
		vs_finish(&vs, s, !fs->scope);
		s->scope = caller;
	}
	for (size_t k = 0; k < fs->np; k++)
		mv_unref(vals[k]);
	free(vals);
	mv_unref(bound);
	int r = finish(fs, rc, errp);
	free(errp);
	return r;
}

static int fn_process(mg_ctx *c, mv *input)
{
	fnstage *fs = c->state;
	if (!fs->process) {
		if (input)
			mv_array_push(fs->input, input);
		return 0;
	}
	return run_block(fs, fs->process, input);
}

static int fn_end(mg_ctx *c)
{
	fnstage *fs = c->state;
	return fs->end ? run_block(fs, fs->end, NULL) : 0;
}

static void fn_cleanup(mg_ctx *c)
{
	fnstage *fs = c->state;
	mv_unref(fs->fn);
	for (size_t k = 0; k < fs->np; k++)
		mv_unref(fs->vals[k]);
	free(fs->vals);
	mv_unref(fs->rest);
	mv_unref(fs->input);
	mg_scope_free(fs->scope);
	free(fs->params);
	for (size_t i = 0; i < fs->nstrs; i++)
		free(fs->strs[i]);
	free(fs->strs);
}

bool ev_is_fn_stage(const mg_stage *st)
{
	return st->ctx.cmd && st->ctx.cmd->cleanup == fn_cleanup;
}

int ev_fn_stage_flow(const mg_stage *st)
{
	return ev_is_fn_stage(st) ? ((fnstage *)st->ctx.state)->flow : EV_OK;
}

int ev_fn_stage_begin(mg_stage *st)
{
	fnstage *fs = st->ctx.state;
	if (!fs->begin)
		return 0;
	int r = run_block(fs, fs->begin, NULL);
	if (r < 0 && !st->pl->stopped) {
		mg_errrec rr;
		mg_stage_errrec(st, &st->ctx.err, NULL, &rr);
		mg_pipeline_fail(st->pl, &rr);
	}
	return r;
}

int ev_fn_stage_init(ev *e, mg_stage *st, const char *who, mv *fn, const cmdargs *ca, const ast *at,
                     mg_bind_err *be)
{
	fnstage *fs = xcalloc(1, sizeof *fs);
	fs->e = e;
	fs->fn = mv_ref(fn);
	fs->code = fn->u.sb.code;
	fs->st = st;
	const ast *node = fs->code->node;
	fs->sb = node->kind == N_FUNCDEF ? node->kids[0] : node;
	ev_body_blocks(node, &fs->begin, &fs->process, &fs->end);
	fs->np = ev_block_params(node, &fs->prm);
	fs->advanced = ev_is_advanced(node);
	fs->input = mv_array();
	fs->rest = mv_array();
	if (!(at && (at->flags & AF_DOTSOURCE)))
		fs->scope = mg_scope_new(e->s->scope, false);
	fs->vals = xcalloc(fs->np + 1, sizeof *fs->vals);
	build_decl(fs, who);
	fs->decl.process = fn_process;
	fs->decl.end = fn_end;
	fs->decl.cleanup = fn_cleanup;
	st->ctx.cmd = &fs->decl;
	st->ctx.state = fs;
	mg_bound_init(&st->base, &fs->decl);
	if (fs->advanced)
		return mg_bind_args(e->s, &st->base, ca->a, ca->n, be) < 0 ? -1 : 0;
	return ev_bind_params(e, fs->prm, fs->np, ca->a, ca->n, fs->vals, fs->rest, who, at) < 0 ? -2 : 0;
}
