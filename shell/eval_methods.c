/*
 * eval_methods.c - .NET instance methods on values: strings, dates,
 * numbers, hashtables, arrays and script blocks ($s.Trim(), $d.AddDays(1)).
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---------- instance methods ---------- */

mv *ev_call_method(ev *e, const ast *n, mv *obj, const char *m, mv **args, size_t nargs)
{
	if (obj->kind == MV_SCRIPTBLOCK && (str_ieq(m, "Invoke") || str_ieq(m, "InvokeReturnAsIs"))) {
		mv *a = mv_array();
		for (size_t i = 0; i < nargs; i++)
			mv_array_push(a, args[i]);
		mv *out = mv_array();
		int rc = ev_run_scriptblock(e, obj, NULL, a, out);
		mv_unref(a);
		mv *r = rc == EV_OK ? ev_unwrap(out) : NULL;
		mv_unref(out);
		return r;
	}
	if (str_ieq(m, "ToString") && nargs == 0)
		return mv_string_take(mv_to_string(obj));
	if (str_ieq(m, "ToString") && nargs == 1 && (obj->kind == MV_INT || obj->kind == MV_DOUBLE)) {
		/* (1234.5).ToString('N2'): .NET numeric formats */
		char *fmt = mv_to_string(args[0]);
		strbuf o = STRBUF_INIT;
		strbuf_adds(&o, "");
		int r = mg_netfmt_number(obj, fmt, &o);
		free(fmt);
		if (r < 0) {
			strbuf_free(&o);
			return ev_throwf(e, n, MGC_INVALIDOP, "FormatException",
			              "Exception calling \"ToString\" with \"1\" argument(s): \"Format specifier was invalid.\"");
		}
		if (r > 0) {
			strbuf_free(&o);
			return mv_string_take(mv_to_string(obj));
		}
		return mv_string_take(strbuf_detach(&o, NULL));
	}
	if (obj == e->s->errors && str_ieq(m, "Clear") && nargs == 0) {
		/* $Error.Clear() */
		mv_unref(e->s->errors);
		e->s->errors = mv_array();
		return mv_null();
	}
	if (str_ieq(m, "GetType") && nargs == 0) {
		const char *k = mv_kind_name(obj);
		mv *o = mv_object(NULL);
		const char *dot = strrchr(k, '.');
		mv_set_str(o, "Name", dot ? dot + 1 : k);
		mv_set_str(o, "FullName", k);
		return o;
	}
	if (obj->kind == MV_STRING) {
		const char *s = obj->u.str.s;
		char *a0 = nargs > 0 ? mv_to_string(args[0]) : NULL;
		char *a1 = nargs > 1 ? mv_to_string(args[1]) : NULL;
		mv *r = NULL;
		if (str_ieq(m, "ToUpper") || str_ieq(m, "ToLower") || str_ieq(m, "ToUpperInvariant") ||
		    str_ieq(m, "ToLowerInvariant")) {
			char *c = xstrdup(s);
			bool up = str_iprefix(m, "ToUpper");
			for (char *q = c; *q; q++)
				*q = (char)(up ? toupper((unsigned char)*q) : tolower((unsigned char)*q));
			r = mv_string_take(c);
		} else if (str_ieq(m, "Trim") || str_ieq(m, "TrimStart") || str_ieq(m, "TrimEnd")) {
			const char *b = s, *en = s + strlen(s);
			if (!str_ieq(m, "TrimEnd"))
				while (*b && isspace((unsigned char)*b))
					b++;
			if (!str_ieq(m, "TrimStart"))
				while (en > b && isspace((unsigned char)en[-1]))
					en--;
			r = mv_string_n(b, (size_t)(en - b));
		} else if (str_ieq(m, "Contains") && a0) {
			r = mv_bool(strstr(s, a0) != NULL);
		} else if (str_ieq(m, "StartsWith") && a0) {
			r = mv_bool(strncmp(s, a0, strlen(a0)) == 0);
		} else if (str_ieq(m, "EndsWith") && a0) {
			size_t ls = strlen(s), la = strlen(a0);
			r = mv_bool(ls >= la && strcmp(s + ls - la, a0) == 0);
		} else if (str_ieq(m, "IndexOf") && a0) {
			const char *f = strstr(s, a0);
			r = mv_int(f ? (long long)(f - s) : -1);
		} else if (str_ieq(m, "Replace") && a0 && a1) {
			strbuf sb = STRBUF_INIT;
			strbuf_adds(&sb, "");
			size_t la = strlen(a0);
			for (const char *q = s; *q; ) {
				if (la && strncmp(q, a0, la) == 0) {
					strbuf_adds(&sb, a1);
					q += la;
				} else {
					strbuf_addc(&sb, *q++);
				}
			}
			r = mv_string_take(strbuf_detach(&sb, NULL));
		} else if (str_ieq(m, "Split") && a0) {
			r = mv_array();
			const char *q = s;
			for (;;) {
				size_t span = strcspn(q, a0);
				mv_array_push_take(r, mv_string_n(q, span));
				if (!q[span])
					break;
				q += span + 1;
			}
		} else if ((str_ieq(m, "PadLeft") || str_ieq(m, "PadRight")) && a0) {
			/* 'x'.PadLeft(5), 'x'.PadRight(5, '.'): the width is capped like any string */
			long long w = 0;
			size_t L = strlen(s);
			if (mv_to_ll(args[0], &w) < 0 || w < 0) {
				ev_throwf(e, n, MGC_INVALIDARG, "ArgumentOutOfRangeException",
				       "Exception calling \"%s\": the total width must be a number of 0 or more.", m);
			} else if (!ev_over_limit(e, n, "string", (unsigned long long)w, e->s->max_string)) {
				char pad = a1 && *a1 ? a1[0] : ' ';
				size_t k = (size_t)w > L ? (size_t)w - L : 0;
				char *c = xmalloc(L + k + 1);
				bool left = str_ieq(m, "PadLeft");
				memset(left ? c : c + L, pad, k);
				memcpy(left ? c + k : c, s, L);
				c[L + k] = '\0';
				r = mv_string_take(c);
			}
		} else if (str_ieq(m, "Substring") && a0) {
			long long st = 0, ln = -1;
			mv_to_ll(args[0], &st);
			if (nargs > 1)
				mv_to_ll(args[1], &ln);
			size_t L = strlen(s);
			if (st < 0 || (size_t)st > L || (ln >= 0 && (size_t)(st + ln) > L)) {
				ev_throwf(e, n, MGC_INVALIDARG, "ArgumentOutOfRangeException",
				       "Exception calling \"Substring\": the start index and length must refer to a location within the string.");
			} else {
				r = mv_string_n(s + st, ln < 0 ? L - (size_t)st : (size_t)ln);
			}
		}
		free(a0);
		free(a1);
		if (r || e->has_err)
			return r;
	}
	if (obj->kind == MV_DATETIME && nargs == 1 && str_ieq(m, "ToString")) {
		char *fmt = mv_to_string(args[0]);
		strbuf o = STRBUF_INIT;
		strbuf_adds(&o, "");
		mg_format_datetime_as(obj->u.dt.sec, obj->u.dt.usec, fmt ? fmt : "G", &o);
		free(fmt);
		return mv_string_take(strbuf_detach(&o, NULL));
	}
	if (obj->kind == MV_DATETIME && nargs == 1) {
		double d;
		if (mv_to_double(args[0], &d) == 0) {
			double mult = str_ieq(m, "AddDays") ? 86400 : str_ieq(m, "AddHours") ? 3600 :
			              str_ieq(m, "AddMinutes") ? 60 : str_ieq(m, "AddSeconds") ? 1 : 0;
			if (mult != 0)
				return mv_datetime(obj->u.dt.sec + (int64_t)(d * mult), obj->u.dt.usec);
		}
	}
	if (obj->kind == MV_HASH && (str_ieq(m, "ContainsKey") || str_ieq(m, "Contains")) && nargs == 1) {
		char *k = mv_to_string(args[0]);
		bool r = mv_get(obj, k) != NULL;
		free(k);
		return mv_bool(r);
	}
	if (obj->kind == MV_ARRAY && str_ieq(m, "Contains") && nargs == 1) {
		for (size_t i = 0; i < obj->u.arr.n; i++)
			if (mv_equal(obj->u.arr.items[i], args[0], false))
				return mv_bool(true);
		return mv_bool(false);
	}
	return ev_throwf(e, n, MGC_INVALIDOP, "MethodNotFound",
	              "Method invocation failed because [%s] does not contain a method named '%s'.",
	              mv_kind_name(obj), m);
}

