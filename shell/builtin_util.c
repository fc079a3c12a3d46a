/*
 * builtin_util.c - helpers shared by the utility cmdlets (see builtin_util.h).
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/regex_net.h"
#include "common/mem.h"
#include "common/str.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mvlist_push(mvlist *l, mv *v)
{
	GROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = mv_ref(v);
}

void mvlist_free(mvlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		mv_unref(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

mv *bu_input(mg_ctx *c, mv *input, const char *param)
{
	if (input)
		return input;
	return param ? mg_arg(c, param) : NULL;
}

void bu_collect(mg_ctx *c, mv *input, mvlist *l)
{
	if (input) {
		mvlist_push(l, input);
		return;
	}
	/* -InputObject: PowerShell treats a given collection as one object;
	 * the pipeline form is what people use, so enumerate it for them. */
	mv *io = mg_arg(c, "InputObject");
	if (!io)
		return;
	if (io->kind == MV_ARRAY)
		for (size_t i = 0; i < io->u.arr.n; i++)
			mvlist_push(l, io->u.arr.items[i]);
	else
		mvlist_push(l, io);
}

char **bu_strv(const mv *v, size_t *count)
{
	if (count)
		*count = 0;
	if (!v || v->kind == MV_NULL)
		return NULL;
	size_t n = v->kind == MV_ARRAY ? v->u.arr.n : 1;
	char **out = xcalloc(n + 1, sizeof *out);
	if (v->kind == MV_ARRAY)
		for (size_t i = 0; i < n; i++)
			out[i] = mv_to_string(v->u.arr.items[i]);
	else
		out[0] = mv_to_string(v);
	if (count)
		*count = n;
	return out;
}

void bu_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int bu_emit_enum(mg_ctx *c, mv *v)
{
	if (!v)
		return 0;
	if (v->kind == MV_ARRAY) {
		for (size_t i = 0; i < v->u.arr.n; i++)
			if (mg_emit(c, v->u.arr.items[i]) < 0)
				return -1;
		return 0;
	}
	return mg_emit(c, v);
}

/* ---- property specs ---- */

static mv *hash_key(const mv *h, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		mv *v = mv_get(h, keys[i]);
		if (v)
			return v;
	}
	return NULL;
}

static bool known_key(const char *k)
{
	static const char *const ok[] = { "Name", "N", "Label", "L", "Expression", "E",
	                                  "Descending", "Ascending", "Width", "Alignment",
	                                  "FormatString", NULL };
	for (size_t i = 0; ok[i]; i++)
		if (strcasecmp(ok[i], k) == 0)
			return true;
	return false;
}

int bu_props_parse(mg_ctx *c, const mv *arg, bu_prop **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arg || arg->kind == MV_NULL)
		return 0;
	size_t cnt = arg->kind == MV_ARRAY ? arg->u.arr.n : 1;
	bu_prop *p = xcalloc(cnt ? cnt : 1, sizeof *p);
	for (size_t i = 0; i < cnt; i++) {
		const mv *it = arg->kind == MV_ARRAY ? arg->u.arr.items[i] : arg;
		if (it->kind == MV_SCRIPTBLOCK) {
			p[i].expr = mv_ref((mv *)it);
			p[i].name = xstrdup(it->u.sb.text);
			continue;
		}
		if (it->kind != MV_HASH) {
			p[i].name = mv_to_string(it);
			continue;
		}
		for (size_t k = 0; k < it->u.obj.n; k++) {
			if (!known_key(it->u.obj.props[k].name)) {
				mg_err_set(&c->err, MGC_INVALIDARG, "DictionaryKeyUnknownKey",
				           "The \"%s\" key is not valid. Use Name (or Label) and "
				           "Expression in a calculated property, e.g. "
				           "@{Name='Size'; Expression={$_.Length}}.",
				           it->u.obj.props[k].name);
				bu_props_free(p, cnt);
				return -1;
			}
		}
		static const char *const namek[] = { "Name", "N", "Label", "L", NULL };
		static const char *const exprk[] = { "Expression", "E", NULL };
		mv *nm = hash_key(it, namek), *ex = hash_key(it, exprk);
		mv *desc = mv_get(it, "Descending"), *asc = mv_get(it, "Ascending");
		if (desc) {
			p[i].has_desc = true;
			p[i].descending = mv_truthy(desc);
		} else if (asc) {
			p[i].has_desc = true;
			p[i].descending = !mv_truthy(asc);
		}
		if (ex && ex->kind == MV_SCRIPTBLOCK)
			p[i].expr = mv_ref(ex);
		else if (ex)
			p[i].expr_prop = mv_to_string(ex);
		if (nm)
			p[i].name = mv_to_string(nm);
		else if (p[i].expr_prop)
			p[i].name = xstrdup(p[i].expr_prop);
		else if (p[i].expr)
			p[i].name = xstrdup(p[i].expr->u.sb.text);
		else {
			mg_err_set(&c->err, MGC_INVALIDARG, "DictionaryKeyMissingKey",
			           "A calculated property needs an Expression key, e.g. "
			           "@{Name='Size'; Expression={$_.Length}}.");
			bu_props_free(p, cnt);
			return -1;
		}
	}
	*out = p;
	*n = cnt;
	return 0;
}

void bu_props_free(bu_prop *p, size_t n)
{
	if (!p)
		return;
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].expr_prop);
		mv_unref(p[i].expr);
	}
	free(p);
}

/* member enumeration goes this many nested arrays deep at most */
#define MEMBER_DEPTH 32

#define MEMBER_ARRAYS 100000   /* arrays visited at most (one may hold itself) */

static mv *member_at(const mv *obj, const char *name, int depth, size_t *arrays)
{
	if (!obj)
		return NULL;
	mv *v = mv_get(obj, name);
	if (v)
		return mv_ref(v);
	if (strcasecmp(name, "Count") == 0 || strcasecmp(name, "Length") == 0) {
		if (obj->kind == MV_STRING && strcasecmp(name, "Length") == 0)
			return mv_int((long long)obj->u.str.len);
		if (obj->kind == MV_ARRAY || obj->kind == MV_BYTES || obj->kind == MV_HASH)
			return mv_int((long long)mv_count(obj));
	}
	/* member access on a collection: each item's value */
	if (obj->kind == MV_ARRAY && depth < MEMBER_DEPTH && *arrays > 0) {
		--*arrays;
		mv *a = mv_array();
		for (size_t i = 0; i < obj->u.arr.n; i++) {
			mv *x = member_at(obj->u.arr.items[i], name, depth + 1, arrays);
			if (x)
				mv_array_push_take(a, x);
		}
		if (mv_count(a))
			return a;
		mv_unref(a);
	}
	/* an object with a string identity exposes .Name (MigrationBatchId) */
	return NULL;
}

mv *bu_member(const mv *obj, const char *name)
{
	size_t arrays = MEMBER_ARRAYS;
	return member_at(obj, name, 0, &arrays);
}

mv *bu_prop_value(mg_ctx *c, const bu_prop *p, mv *obj)
{
	if (p->expr) {
		mg_err e;
		mg_err_clear(&e);
		mv *r = mg_invoke_block(c, p->expr, obj, &e);
		if (!r) {
			mg_err_copy(&c->err, &e);
			return NULL;
		}
		if (r->kind == MV_ARRAY && r->u.arr.n <= 1) {
			mv *one = r->u.arr.n ? mv_ref(r->u.arr.items[0]) : mv_null();
			mv_unref(r);
			return one;
		}
		return r;
	}
	mv *v = bu_member(obj, p->expr_prop ? p->expr_prop : p->name);
	return v ? v : mv_null();
}

const char **bu_expand_names(const mv *obj, const bu_prop *p, size_t n, size_t *count)
{
	const char **names = NULL;
	size_t k = 0, cap = 0;
	GROW(names, cap, 1);
	bool rec = obj && (obj->kind == MV_OBJECT || obj->kind == MV_HASH);
	for (size_t i = 0; i < n; i++) {
		if (p[i].expr || p[i].expr_prop || !str_has_wildcard(p[i].name)) {
			bool dup = false;
			for (size_t j = 0; j < k; j++)
				if (strcasecmp(names[j], p[i].name) == 0)
					dup = true;
			if (!dup) {
				GROW(names, cap, k + 2);
				names[k++] = p[i].name;
			}
			continue;
		}
		if (!rec)
			continue;
		for (size_t j = 0; j < obj->u.obj.n; j++) {
			const char *nm = obj->u.obj.props[j].name;
			if (!str_wildcard(p[i].name, nm, true))
				continue;
			bool dup = false;
			for (size_t m = 0; m < k; m++)
				if (strcasecmp(names[m], nm) == 0)
					dup = true;
			if (!dup) {
				GROW(names, cap, k + 2);
				names[k++] = nm;
			}
		}
	}
	names[k] = NULL;
	if (count)
		*count = k;
	return names;
}

/* ---- -match ---- */

int bu_regex_match(const char *pattern, const char *s, bool icase)
{
	regex_t rx;
	if (mg_regcomp_net(&rx, pattern, icase, REG_NOSUB, NULL) != 0)
		return -1;
	int r = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	return r == 0 ? 1 : 0;
}

int bu_coll_process(mg_ctx *c, mv *input)
{
	bu_coll_state *st = c->state;
	bu_collect(c, input, &st->in);
	return 0;
}

void bu_coll_cleanup(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	mvlist_free(&st->in);
}
