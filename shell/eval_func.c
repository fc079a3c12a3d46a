/*
 * eval_func.c - functions and script blocks with parameters: argument
 * binding to declared parameters, defaults, typed parameters.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <stdlib.h>
#include <string.h>

mv *ev_find_function(ev *e, const char *name)
{
	if (!name)
		return NULL;
	char *key = xasprintf("function:%s", name);
	mv *v = mg_var_get(e->s, key);
	free(key);
	return v && v->kind == MV_SCRIPTBLOCK && v->u.sb.release == ev_sb_release ? v : NULL;
}

/* Bind arguments to the parameters of a function or script: -Name value,
 * -Name:value, [switch] names, unique prefixes; positional values fill the
 * remaining parameters in order; the rest go to *rest ($args).  vals[k]
 * gets a new reference or stays NULL.  Errors are thrown (who = the name
 * shown in the record). */
int ev_bind_params(ev *e, const ast *const *prm, size_t np, const mg_rawarg *a, size_t n,
                       mv **vals, mv *rest, const char *who, const ast *at)
{
	for (size_t i = 0; i < n; i++) {
		if (!a[i].name) {
			size_t k = 0;
			while (k < np && (vals[k] || (prm[k]->flags & AF_SWITCHPARAM)))
				k++;
			if (k < np)
				vals[k] = mv_ref(a[i].val);
			else
				mv_array_push(rest, a[i].val);
			continue;
		}
		size_t hit = np, nhits = 0;
		for (size_t k = 0; k < np; k++) {
			if (str_ieq(prm[k]->str, a[i].name)) {
				hit = k;
				nhits = 1;
				break;
			}
			if (str_iprefix(prm[k]->str, a[i].name)) {
				hit = k;
				nhits++;
			}
		}
		if (nhits != 1) {
			mg_errrec r;
			memset(&r, 0, sizeof r);
			if (nhits == 0)
				mg_err_set(&r.err, MGC_INVALIDARG, "NamedParameterNotFound",
				           "A parameter cannot be found that matches parameter name '%s'.", a[i].name);
			else
				mg_err_set(&r.err, MGC_INVALIDARG, "AmbiguousParameter",
				           "Parameter cannot be processed because the parameter name '%s' is ambiguous.", a[i].name);
			r.cmdlet = who;
			if (at && e->tree) {
				r.src = e->tree->src;
				r.srclen = e->tree->len;
				r.origin = e->tree->origin;
				r.pos = a[i].len ? a[i].pos : at->pos;
				r.len = a[i].len ? a[i].len : at->len;
			}
			ev_throw_rec(e, &r);
			return -1;
		}
		mv_unref(vals[hit]);
		vals[hit] = NULL;
		if (prm[hit]->flags & AF_SWITCHPARAM) {
			const mv *cv = a[i].val;
			bool on = !a[i].colon || (mv_truthy(cv) &&
			          !(cv->kind == MV_STRING && (str_ieq(cv->u.str.s, "False") || str_ieq(cv->u.str.s, "$false") ||
			                                      strcmp(cv->u.str.s, "0") == 0)));
			vals[hit] = mv_bool(on);
		} else if (a[i].colon) {
			vals[hit] = mv_ref(a[i].val);
		} else if (i + 1 < n && !a[i + 1].name) {
			vals[hit] = mv_ref(a[++i].val);
		} else {
			ev_throwf(e, at, MGC_INVALIDARG, "MissingArgument",
			       "Missing an argument for parameter '%s'. Specify a parameter of type 'System.Object' and try again.",
			       prm[hit]->str);
			return -1;
		}
	}
	return 0;
}

/* Set parameter variables (defaults, evaluated in def_tree, for the missing
 * ones); the previous values go to saved[] for restore_params. */
int ev_set_params(ev *e, const ast *const *prm, size_t np, mv **vals, mv **saved, ast_tree *def_tree)
{
	for (size_t k = 0; k < np; k++) {
		mv *old = mg_var_get(e->s, prm[k]->str);
		saved[k] = old ? mv_ref(old) : NULL;
	}
	for (size_t k = 0; k < np; k++) {
		mv *v = vals[k] ? mv_ref(vals[k]) : NULL;
		/* kids: the default value, then the declared type (N_TYPE) */
		const ast *type = prm[k]->nkids && prm[k]->kids[prm[k]->nkids - 1]->kind == N_TYPE
		                  ? prm[k]->kids[prm[k]->nkids - 1] : NULL;
		const ast *def = prm[k]->nkids && prm[k]->kids[0]->kind != N_TYPE ? prm[k]->kids[0] : NULL;
		if (!v && def) {
			ast_tree *caller = e->tree;
			e->tree = def_tree;
			v = ev_expr(e, def);
			e->tree = caller;
			if (!v)
				return -1;
		}
		if (!v && !type)
			v = (prm[k]->flags & AF_SWITCHPARAM) ? mv_bool(false) : mv_null();
		if (type) {
			/* [int]$n: the value converted, or the type's default ($null as [int] is 0) */
			mv *raw = v ? v : mv_null();
			mv *c = ev_cast_to(e, prm[k], type->str, raw);
			if (!c && vals[k]) {
				mv_unref(raw);
				return -1;
			}
			if (!c) {
				e->has_err = false;
				c = mv_ref(raw);
			}
			mv_unref(raw);
			v = c;
		}
		mg_var_set_take(e->s, prm[k]->str, v);
	}
	return 0;
}

void ev_restore_params(ev *e, const ast *const *prm, size_t np, mv **saved)
{
	for (size_t k = 0; k < np; k++) {
		if (saved[k])
			mg_var_set_take(e->s, prm[k]->str, saved[k]);
		else
			mg_var_remove(e->s, prm[k]->str);
		saved[k] = NULL;
	}
}

/* The declared parameters of a function or a script block (kids[1..]). */
size_t ev_block_params(const ast *def, const ast *const **prm)
{
	size_t np = (def->kind == N_FUNCDEF || def->kind == N_SCRIPTBLOCK) && def->nkids ? def->nkids - 1 : 0;
	*prm = np ? (const ast *const *)&def->kids[1] : NULL;
	return np;
}

/* Run a function or script block with arguments bound to its parameters. */
int ev_invoke_bound(ev *e, const ast *at, const char *who, mv *fn, const mg_rawarg *a, size_t na, mv *out)
{
	sbcode *c = fn->u.sb.code;
	const ast *const *prm;
	size_t np = ev_block_params(c->node, &prm);
	mv **vals = xcalloc(np + 1, sizeof *vals);
	mv **saved = xcalloc(np + 1, sizeof *saved);
	mv *rest = mv_array();
	int rc = EV_ERR;
	if (ev_bind_params(e, prm, np, a, na, vals, rest, who, at) == 0) {
		if (ev_set_params(e, prm, np, vals, saved, c->tree) == 0)
			rc = ev_run_scriptblock(e, fn, NULL, rest, out);
		ev_restore_params(e, prm, np, saved);
	}
	for (size_t k = 0; k < np; k++)
		mv_unref(vals[k]);
	free(vals);
	free(saved);
	mv_unref(rest);
	return rc;
}

/* Call a function defined with `function`. */
int ev_call_function(ev *e, const ast *cmd, mv *fn, mv *out)
{
	cmdargs ca;
	memset(&ca, 0, sizeof ca);
	int rc = EV_ERR;
	if (ev_cmdargs_eval(e, cmd, 0, &ca) == 0)
		rc = ev_invoke_bound(e, cmd, cmd->str, fn, ca.a, ca.n, out);
	ev_cmdargs_free(&ca);
	return rc;
}

