/*
 * eval_func.c - functions and script blocks with parameters: argument
 * binding to declared parameters, defaults, typed parameters.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <stdlib.h>
#include <string.h>

/* The variable that holds function name: "function:NAME", or with the
 * name's scope qualifier first ("global:function:NAME"). */
char *ev_function_key(const char *name)
{
	const char *base = ev_unqualified(name);
	return xasprintf("%.*sfunction:%s", (int)(base - name), name, base);
}

mv *ev_find_function(ev *e, const char *name)
{
	if (!name)
		return NULL;
	char *key = ev_function_key(name);
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
		mv *v = ev_param_value(e, def_tree, prm[k], vals[k]);
		if (!v)
			return -1;
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
