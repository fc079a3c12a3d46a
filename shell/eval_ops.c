/*
 * eval_ops.c - the operators: comparison (with the array filter form),
 * -like/-match/-replace/-split/-join, -f (the .NET composite format
 * grammar), -is/-as, the bitwise and logical operators and arithmetic.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static mv *num_result(double d, bool as_int, long long i)
{
	return as_int ? mv_int(i) : mv_double(d);
}
/* ---------- operators ---------- */

static bool regex_match(ev *e, const ast *at, const char *s, const char *pat, bool icase, bool set_matches, bool *ok)
{
	regex_t re;
	*ok = true;
	unsigned noncap;
	int rc = mg_regcomp_net(&re, pat, icase, 0, &noncap);
	if (rc != 0) {
		ev_throwf(e, at, MGC_INVALIDOP, "InvalidRegularExpression",
		       "The regular expression pattern %s is not valid.", pat);
		*ok = false;
		return false;
	}
	regmatch_t m[32];
	bool hit = regexec(&re, s, 32, m, 0) == 0;
	if (hit && set_matches) {
		mv *h = mv_hash();
		for (int i = 0; i < 10; i++) {
			int g = mg_regex_group(noncap, i);
			if (g < 0 || m[g].rm_so < 0)
				break;
			char key[4];
			snprintf(key, sizeof key, "%d", i);
			mv_set_take(h, key, mv_string_n(s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so)));
		}
		mg_var_set_take(e->s, "Matches", h);
	}
	regfree(&re);
	return hit;
}

static mv *regex_replace(ev *e, const ast *at, const char *s, const char *pat, const char *rep, bool icase)
{
	regex_t re;
	unsigned noncap;
	if (mg_regcomp_net(&re, pat, icase, 0, &noncap) != 0)
		return ev_throwf(e, at, MGC_INVALIDOP, "InvalidRegularExpression",
		              "The regular expression pattern %s is not valid.", pat);
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	const char *p = s;
	regmatch_t m[32];
	int flags = 0;
	while (*p && regexec(&re, p, 32, m, flags) == 0) {
		strbuf_add(&sb, p, (size_t)m[0].rm_so);
		for (const char *r = rep; *r; r++) {
			if (*r == '$' && isdigit((unsigned char)r[1])) {
				int g = mg_regex_group(noncap, r[1] - '0');
				if (g >= 0 && m[g].rm_so >= 0)
					strbuf_add(&sb, p + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
				r++;
			} else {
				strbuf_addc(&sb, *r);
			}
		}
		if (m[0].rm_eo == 0) {   /* empty match: move on one char */
			strbuf_addc(&sb, *p);
			p++;
		} else {
			p += m[0].rm_eo;
		}
		flags = REG_NOTBOL;
		if (ev_over_limit(e, at, "string", (unsigned long long)sb.len + strlen(p), e->s->max_string)) {
			regfree(&re);
			strbuf_free(&sb);
			return NULL;
		}
	}
	strbuf_adds(&sb, p);
	regfree(&re);
	return mv_string_take(strbuf_detach(&sb, NULL));
}

/* Scalar comparison; returns 1 true, 0 false, -1 error. */
static int compare_one(ev *e, const ast *at, ast_op op, mv *l, mv *r, bool icase)
{
	switch (op) {
	case OP_EQ: return mv_equal(l, r, icase);
	case OP_NE: return !mv_equal(l, r, icase);
	case OP_GT: case OP_GE: case OP_LT: case OP_LE: {
		bool comparable;
		int c = mv_compare(l, r, icase, &comparable);
		if (!comparable) {
			if (l->kind == MV_NULL || r->kind == MV_NULL)
				c = l->kind == MV_NULL ? (r->kind == MV_NULL ? 0 : -1) : 1;
			else {
				ev_throwf(e, at, MGC_INVALIDOP, "ComparisonFailure",
				       "Cannot compare \"%s\" because it is not IComparable.", mv_kind_name(l));
				return -1;
			}
		}
		if (op == OP_GT) return c > 0;
		if (op == OP_GE) return c >= 0;
		if (op == OP_LT) return c < 0;
		return c <= 0;
	}
	case OP_LIKE: case OP_NOTLIKE: {
		char *ls = mv_to_string(l), *rs = mv_to_string(r);
		bool m = str_wildcard(rs, ls, icase);
		free(ls);
		free(rs);
		return op == OP_NOTLIKE ? !m : m;
	}
	case OP_MATCH: case OP_NOTMATCH: {
		char *ls = mv_to_string(l), *rs = mv_to_string(r);
		bool ok;
		bool m = regex_match(e, at, ls, rs, icase, true, &ok);
		free(ls);
		free(rs);
		if (!ok)
			return -1;
		return op == OP_NOTMATCH ? !m : m;
	}
	default:
		return 0;
	}
}

static bool collection_contains(mv *coll, mv *item, bool icase)
{
	if (coll->kind != MV_ARRAY)
		return mv_equal(coll, item, icase);
	for (size_t i = 0; i < coll->u.arr.n; i++)
		if (mv_equal(coll->u.arr.items[i], item, icase))
			return true;
	return false;
}

/* .NET refuses an index or an alignment of 1,000,000 or more in a
 * composite format string (System.Text.StringBuilder.AppendFormat) */
#define FORMAT_LIMIT 1000000

static mv *format_error(ev *e, const ast *at, const char *why)
{
	return ev_throwf(e, at, MGC_INVALIDOP, "FormatError", "Error formatting a string: %s.", why);
}

#define BAD_FORMAT "Input string was not in a correct format."

/* One argument formatted by a format-string component: numbers by .NET's
 * numeric formats (netfmt.h), dates by the custom date formats, anything
 * else as its string.  Returns NULL with *why set when .NET would throw. */
static char *format_item(mv *a, const char *spec, size_t speclen, const char **why)
{
	if (!a)
		return xstrdup("");
	if (!speclen)
		return mv_to_string(a);
	char *fs = xstrndup(spec, speclen);
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	mv *v = a;
	while (v->kind == MV_ARRAY && v->u.arr.n == 1)
		v = v->u.arr.items[0];
	int r = 1;
	if (v->kind == MV_DATETIME) {
		mg_format_datetime_as(v->u.dt.sec, v->u.dt.usec, fs, &sb);
		r = 0;
	} else {
		r = mg_netfmt_number(v, fs, &sb);
	}
	free(fs);
	if (r < 0) {
		strbuf_free(&sb);
		*why = "Format specifier was invalid.";
		return NULL;
	}
	if (r > 0) {
		strbuf_free(&sb);
		return mv_to_string(a);
	}
	return strbuf_detach(&sb, NULL);
}

/* The .NET composite format grammar (String.Format): {{ and }} are braces;
 * {index[,alignment][:formatString]} takes an argument; anything else with a
 * brace is a FormatError, as in PowerShell. */
static mv *format_op(ev *e, const ast *at, mv *fmtv, mv *args)
{
	char *f = mv_to_string(fmtv);
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	size_t nargs = args->kind == MV_ARRAY ? args->u.arr.n : 1;
	const char *why = NULL;
	for (const char *p = f; *p && !why; p++) {
		if (*p == '{' && p[1] == '{') {
			strbuf_addc(&sb, '{');
			p++;
			continue;
		}
		if (*p == '}' && p[1] == '}') {
			strbuf_addc(&sb, '}');
			p++;
			continue;
		}
		if (*p == '}') {
			why = BAD_FORMAT;
			break;
		}
		if (*p != '{') {
			strbuf_addc(&sb, *p);
			continue;
		}
		const char *q = p + 1;
		if (!isdigit((unsigned char)*q)) {
			why = BAD_FORMAT;
			break;
		}
		long idx = 0;
		while (isdigit((unsigned char)*q) && idx < FORMAT_LIMIT)
			idx = idx * 10 + (*q++ - '0');
		while (*q == ' ')
			q++;
		long width = 0;
		if (*q == ',') {
			q++;
			while (*q == ' ')
				q++;
			bool neg = *q == '-';
			if (neg)
				q++;
			if (!isdigit((unsigned char)*q)) {
				why = BAD_FORMAT;
				break;
			}
			while (isdigit((unsigned char)*q) && width < FORMAT_LIMIT)
				width = width * 10 + (*q++ - '0');
			if (neg)
				width = -width;
			while (*q == ' ')
				q++;
		}
		if (idx >= FORMAT_LIMIT || width >= FORMAT_LIMIT || width <= -FORMAT_LIMIT) {
			why = BAD_FORMAT;
			break;
		}
		const char *spec = NULL;
		size_t speclen = 0;
		if (*q == ':') {
			spec = ++q;
			while (*q && *q != '}')
				q++;
			speclen = (size_t)(q - spec);
		}
		if (*q != '}') {
			why = BAD_FORMAT;
			break;
		}
		if ((size_t)idx >= nargs) {
			why = "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.";
			break;
		}
		mv *a = args->kind == MV_ARRAY ? args->u.arr.items[idx] : args;
		char *txt = format_item(a, spec, speclen, &why);
		if (!txt)
			break;
		size_t tl = 0;   /* characters, not bytes (UTF-8) */
		for (const char *c = txt; *c; c++)
			tl += ((unsigned char)*c & 0xC0) != 0x80;
		if (width > 0 && (size_t)width > tl)
			for (size_t k = tl; k < (size_t)width; k++)
				strbuf_addc(&sb, ' ');
		strbuf_adds(&sb, txt);
		if (width < 0 && (size_t)(-width) > tl)
			for (size_t k = tl; k < (size_t)(-width); k++)
				strbuf_addc(&sb, ' ');
		free(txt);
		p = q;
		if (ev_over_limit(e, at, "string", sb.len, e->s->max_string)) {
			free(f);
			strbuf_free(&sb);
			return NULL;
		}
	}
	free(f);
	if (why) {
		strbuf_free(&sb);
		return format_error(e, at, why);
	}
	return mv_string_take(strbuf_detach(&sb, NULL));
}

mv *ev_arith(ev *e, const ast *n, ast_op op, mv *l, mv *r)
{
	if (op == OP_ADD) {
		if (l->kind == MV_ARRAY) {
			if (ev_over_limit(e, n, "array", (unsigned long long)l->u.arr.n + mv_count(r), e->s->max_items))
				return NULL;
			mv *a = mv_array();
			for (size_t i = 0; i < l->u.arr.n; i++)
				mv_array_push(a, l->u.arr.items[i]);
			if (r->kind == MV_ARRAY)
				for (size_t i = 0; i < r->u.arr.n; i++)
					mv_array_push(a, r->u.arr.items[i]);
			else
				mv_array_push(a, r);
			return a;
		}
		if (l->kind == MV_STRING) {
			char *rs = mv_to_string(r);
			size_t rl = strlen(rs);
			if (ev_over_limit(e, n, "string", (unsigned long long)l->u.str.len + rl, e->s->max_string)) {
				free(rs);
				return NULL;
			}
			mv *res = mv_stringf("%s%s", l->u.str.s, rs);
			free(rs);
			return res;
		}
		if (l->kind == MV_HASH && r->kind == MV_HASH) {
			mv *h = mv_clone(l);
			for (size_t i = 0; i < r->u.obj.n; i++)
				mv_set(h, r->u.obj.props[i].name, r->u.obj.props[i].val);
			return h;
		}
		if (l->kind == MV_DATETIME && r->kind == MV_TIMESPAN)
			return mv_datetime(l->u.dt.sec + r->u.i / 1000, l->u.dt.usec);
		if (l->kind == MV_NULL)
			return mv_ref(r);
	}
	if (op == OP_MUL && (l->kind == MV_STRING || l->kind == MV_ARRAY)) {
		/* 'ab' * 3 repeats the string, @(1,2) * 3 the array */
		long long k;
		if (mv_to_ll(r, &k) == 0 && k >= 0) {
			bool str = l->kind == MV_STRING;
			size_t unit = str ? l->u.str.len : l->u.arr.n;
			unsigned long long total;
			if (__builtin_mul_overflow((unsigned long long)unit, (unsigned long long)k, &total))
				total = ULLONG_MAX;
			if (ev_over_limit(e, n, str ? "string" : "array", total, str ? e->s->max_string : e->s->max_items))
				return NULL;
			if (!str) {
				mv *a = mv_array();
				for (long long i = 0; i < k; i++)
					for (size_t j = 0; j < unit; j++)
						mv_array_push(a, l->u.arr.items[j]);
				return a;
			}
			strbuf sb = STRBUF_INIT;
			strbuf_grow(&sb, (size_t)total + 1);
			strbuf_adds(&sb, "");
			for (long long i = 0; i < k; i++)
				strbuf_add(&sb, l->u.str.s, unit);
			return mv_string_take(strbuf_detach(&sb, NULL));
		}
	}
	if (l->kind == MV_DATETIME && r->kind == MV_DATETIME && op == OP_SUB)
		return mv_timespan_ms((l->u.dt.sec - r->u.dt.sec) * 1000 + (l->u.dt.usec - r->u.dt.usec) / 1000);
	double a = 0, b = 0;
	long long ai = 0, bi = 0;
	bool lnull = l->kind == MV_NULL;   /* $null + 1 = 1 */
	bool ok = (lnull || mv_to_double(l, &a) == 0) && mv_to_double(r, &b) == 0;
	bool ints = ok && (lnull || mv_to_ll(l, &ai) == 0) && mv_to_ll(r, &bi) == 0 &&
	            l->kind != MV_DOUBLE && r->kind != MV_DOUBLE && floor(a) == a && floor(b) == b;
	if (!ok || l->kind == MV_ARRAY || r->kind == MV_ARRAY || l->kind == MV_HASH) {
		return ev_throwf(e, n, MGC_INVALIDOP, "OperatorFailed",
		              "The operator '%s' cannot be applied to values of type [%s] and [%s].", ast_op_text(op),
		              mv_kind_name(l), mv_kind_name(r));
	}
	/* integer results unless they overflow (then double, like PowerShell) */
	long long ri = 0;
	bool ovf = false;
	if (op == OP_ADD) {
		ovf = __builtin_add_overflow(ai, bi, &ri);
		return num_result(a + b, ints && !ovf, ri);
	}
	if (op == OP_SUB) {
		ovf = __builtin_sub_overflow(ai, bi, &ri);
		return num_result(a - b, ints && !ovf, ri);
	}
	if (op == OP_MUL) {
		ovf = __builtin_mul_overflow(ai, bi, &ri);
		return num_result(a * b, ints && !ovf, ri);
	}
	if (b == 0)
		return ev_throwf(e, n, MGC_NOTSPECIFIED, "RuntimeException", "Attempted to divide by zero.");
	if (ints && bi == -1 && ai == LLONG_MIN)
		ints = false;
	if (op == OP_DIV) return ints && ai % bi == 0 ? mv_int(ai / bi) : mv_double(a / b);
	if (op == OP_MOD) return ints ? mv_int(ai % bi) : mv_double(fmod(a, b));
	return ev_throwf(e, n, MGC_INVALIDOP, "OperatorFailed", "Unknown operator '%s'.", ast_op_text(op));
}

mv *ev_binop(ev *e, const ast *n)
{
	ast_op op = n->op;
	if (op == OP_AND || op == OP_OR) {
		mv *l = ev_expr(e, n->kids[0]);
		if (!l)
			return NULL;
		bool lt = mv_truthy(l);
		mv_unref(l);
		if (op == OP_AND ? !lt : lt)
			return mv_bool(lt);
		mv *r = ev_expr(e, n->kids[1]);
		if (!r)
			return NULL;
		bool rt = mv_truthy(r);
		mv_unref(r);
		return mv_bool(rt);
	}
	if ((op == OP_IS || op == OP_ISNOT || op == OP_AS) && n->kids[1]->kind == N_TYPE) {
		mv *l = ev_expr(e, n->kids[0]);
		if (!l)
			return NULL;
		mv *res;
		if (op == OP_AS) {
			res = ev_cast_to(e, n, n->kids[1]->str, l);
			if (!res) {
				e->has_err = false;
				res = mv_null();
			}
		} else {
			bool t = ev_type_is(n->kids[1]->str, l);
			res = mv_bool(op == OP_ISNOT ? !t : t);
		}
		mv_unref(l);
		return res;
	}
	mv *l = ev_expr(e, n->kids[0]);
	if (!l)
		return NULL;
	mv *r = ev_expr(e, n->kids[1]);
	if (!r) {
		mv_unref(l);
		return NULL;
	}
	mv *res = NULL;
	bool icase = !(n->flags & AF_OP_CASE);
	switch (op) {
	case OP_EQ: case OP_NE: case OP_GT: case OP_GE: case OP_LT: case OP_LE:
	case OP_LIKE: case OP_NOTLIKE: case OP_MATCH: case OP_NOTMATCH:
		if (l->kind == MV_ARRAY) {
			/* filter: the items for which the comparison holds */
			res = mv_array();
			for (size_t i = 0; i < l->u.arr.n; i++) {
				int c = compare_one(e, n, op, l->u.arr.items[i], r, icase);
				if (c < 0) {
					mv_unref(res);
					res = NULL;
					break;
				}
				if (c)
					mv_array_push(res, l->u.arr.items[i]);
			}
		} else {
			int c = compare_one(e, n, op, l, r, icase);
			res = c < 0 ? NULL : mv_bool(c);
		}
		break;
	case OP_CONTAINS: case OP_NOTCONTAINS: {
		bool c = collection_contains(l, r, icase);
		res = mv_bool(op == OP_NOTCONTAINS ? !c : c);
		break;
	}
	case OP_IN: case OP_NOTIN: {
		bool c = collection_contains(r, l, icase);
		res = mv_bool(op == OP_NOTIN ? !c : c);
		break;
	}
	case OP_REPLACE: {
		mv *pat = r->kind == MV_ARRAY ? mv_index(r, 0) : r;
		mv *rep = r->kind == MV_ARRAY ? mv_index(r, 1) : NULL;
		char *ls = mv_to_string(l), *ps = pat ? mv_to_string(pat) : xstrdup(""),
		     *rs = rep ? mv_to_string(rep) : xstrdup("");
		res = regex_replace(e, n, ls, ps, rs, icase);
		free(ls);
		free(ps);
		free(rs);
		break;
	}
	case OP_SPLIT: {
		char *ls = mv_to_string(l), *ps = mv_to_string(r);
		res = mv_array();
		regex_t re;
		if (mg_regcomp_net(&re, ps, true, 0, NULL) != 0) {
			mv_unref(res);
			res = ev_throwf(e, n, MGC_INVALIDOP, "InvalidRegularExpression",
			             "The regular expression pattern %s is not valid.", ps);
		} else {
			const char *p = ls;
			regmatch_t m;
			while (regexec(&re, p, 1, &m, 0) == 0 && m.rm_eo > 0) {
				mv_array_push_take(res, mv_string_n(p, (size_t)m.rm_so));
				p += m.rm_eo;
			}
			mv_array_push_take(res, mv_string(p));
			regfree(&re);
		}
		free(ls);
		free(ps);
		break;
	}
	case OP_JOIN: {
		if (l->kind == MV_BYTES) {   /* a byte array joins byte by byte */
			mv *a = mv_array();
			for (size_t i = 0; i < l->u.bytes.len; i++)
				mv_array_push_take(a, mv_int(l->u.bytes.p[i]));
			mv_unref(l);
			l = a;
		}
		char *sep = mv_to_string(r);
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "");
		size_t cnt = l->kind == MV_ARRAY ? l->u.arr.n : 1, seplen = strlen(sep);
		bool over = false;
		for (size_t i = 0; i < cnt && !over; i++) {
			char *it = mv_to_string(l->kind == MV_ARRAY ? l->u.arr.items[i] : l);
			over = ev_over_limit(e, n, "string", (unsigned long long)sb.len + (i ? seplen : 0) + strlen(it),
			                  e->s->max_string);
			if (!over)
				strbuf_addf(&sb, "%s%s", i ? sep : "", it);
			free(it);
		}
		free(sep);
		if (over)
			strbuf_free(&sb);
		else
			res = mv_string_take(strbuf_detach(&sb, NULL));
		break;
	}
	case OP_FORMAT:
		res = format_op(e, n, l, r);
		break;
	case OP_BAND: case OP_BOR: {
		long long a = 0, b = 0;
		mv_to_ll(l, &a);
		mv_to_ll(r, &b);
		res = mv_int(op == OP_BAND ? (a & b) : (a | b));
		break;
	}
	case OP_XOR:
		res = mv_bool(mv_truthy(l) != mv_truthy(r));
		break;
	case OP_IS: case OP_ISNOT: case OP_AS: {
		char *tn = mv_to_string(r);
		bool t = ev_type_is(tn, l);
		res = op == OP_AS ? (t ? mv_ref(l) : mv_null()) : mv_bool(op == OP_ISNOT ? !t : t);
		free(tn);
		break;
	}
	default:
		res = ev_arith(e, n, op, l, r);
		break;
	}
	mv_unref(l);
	mv_unref(r);
	return res;
}

