/*
 * eval_methods.c - .NET instance methods on values: strings, dates,
 * numbers, hashtables, arrays and script blocks ($s.Trim(), $d.AddDays(1)).
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------- instance methods ---------- */

/* the items a collection method walks: an array's, else the one value */
static size_t items_of(mv *obj, mv ***items)
{
	if (obj->kind == MV_ARRAY) {
		*items = obj->u.arr.items;
		return obj->u.arr.n;
	}
	*items = NULL;
	return obj->kind == MV_NULL ? 0 : 1;
}

/* Run block with $_ = it: its output's truth (1, 0), -1 on error. */
static int block_true(ev *e, mv *block, mv *it)
{
	mv *out = mv_array();
	int rc = ev_run_scriptblock(e, block, it, NULL, out);
	mv *r = rc == EV_OK ? ev_unwrap(out) : NULL;
	mv_unref(out);
	int t = r ? (mv_truthy(r) ? 1 : 0) : -1;
	mv_unref(r);
	return t;
}

/* .Where({ cond } [, mode [, count]]): the intrinsic method of every
 * collection (about_Arrays): modes Default, First, Last, SkipUntil, Until,
 * Split (two collections: the matches and the rest). */
static mv *intrinsic_where(ev *e, const ast *n, mv *obj, mv **args, size_t nargs)
{
	if (args[0]->kind != MV_SCRIPTBLOCK)
		return ev_throwf(e, n, MGC_INVALIDARG, "MethodArgumentConversionInvalidCastArgument",
		                 "Where() takes a script block: .Where({ $_ -gt 1 }).");
	char *mode = nargs > 1 ? mv_to_string(args[1]) : xstrdup("Default");
	long long count = 0;
	if (nargs > 2)
		mv_to_ll(args[2], &count);
	static const char *const modes[] = { "Default", "First", "Last", "SkipUntil", "Until", "Split", NULL };
	int mi = -1;
	for (int i = 0; modes[i]; i++)
		if (str_ieq(mode, modes[i]))
			mi = i;
	if (mi < 0) {
		ev_throwf(e, n, MGC_INVALIDARG, "MethodArgumentConversionInvalidCastArgument",
		          "Cannot convert argument \"mode\", with value: \"%s\", for \"Where\" to type "
		          "\"System.Management.Automation.WhereOperatorSelectionMode\": the possible values are "
		          "\"Default,First,Last,SkipUntil,Until,Split\".", mode);
		free(mode);
		return NULL;
	}
	free(mode);
	mv **items;
	size_t cnt = items_of(obj, &items);
	mv *res = mv_array(), *rest = mv_array();
	bool on = false;   /* SkipUntil: matched once; Until: stopped */
	for (size_t i = 0; i < cnt; i++) {
		mv *it = items ? items[i] : obj;
		if ((mi == 3 && on) || (mi == 4 && on)) {
			if (mi == 3)
				mv_array_push(res, it);
			continue;
		}
		int t = block_true(e, args[0], it);
		if (t < 0) {
			mv_unref(res);
			mv_unref(rest);
			return NULL;
		}
		if (mi == 3) {        /* SkipUntil: from the first match on */
			if (t) {
				on = true;
				mv_array_push(res, it);
			}
			continue;
		}
		if (mi == 4) {        /* Until: up to the first match */
			if (t)
				on = true;
			else
				mv_array_push(res, it);
			continue;
		}
		if (t)
			mv_array_push(res, it);
		else if (mi == 5)
			mv_array_push(rest, it);
		if (mi == 1 && (size_t)res->u.arr.n >= (size_t)(count > 0 ? count : 1))
			break;
		if (mi == 0 && count > 0 && (long long)res->u.arr.n >= count)
			break;
	}
	if (mi == 2) {        /* Last: the last count matches */
		size_t keep = (size_t)(count > 0 ? count : 1);
		if (res->u.arr.n > keep) {
			mv *tail = mv_array();
			for (size_t i = res->u.arr.n - keep; i < res->u.arr.n; i++)
				mv_array_push(tail, res->u.arr.items[i]);
			mv_unref(res);
			res = tail;
		}
	}
	if (mi == 5) {
		mv *two = mv_array();
		mv_array_push_take(two, res);
		mv_array_push_take(two, rest);
		return two;
	}
	mv_unref(rest);
	return res;
}

/* .ForEach({ block }) runs the block for each item ($_); .ForEach('Name')
 * takes each item's property, or calls its method of that name with the
 * remaining arguments. */
static mv *intrinsic_foreach(ev *e, const ast *n, mv *obj, mv **args, size_t nargs)
{
	mv **items;
	size_t cnt = items_of(obj, &items);
	mv *res = mv_array();
	char *name = args[0]->kind == MV_SCRIPTBLOCK ? NULL : mv_to_string(args[0]);
	for (size_t i = 0; i < cnt; i++) {
		mv *it = items ? items[i] : obj;
		mv *v;
		if (!name) {
			mv *out = mv_array();
			int rc = ev_run_scriptblock(e, args[0], it, NULL, out);
			v = rc == EV_OK ? mv_ref(out) : NULL;
			mv_unref(out);
		} else {
			mv *p = (it->kind == MV_OBJECT || it->kind == MV_HASH) && mv_get(it, name)
			        ? mv_ref(mv_get(it, name)) : nargs == 1 ? ev_member_of(e, n, it, name) : NULL;
			if (p && p->kind != MV_NULL) {
				v = p;
			} else {
				mv_unref(p);
				e->has_err = false;
				v = ev_call_method(e, n, it, name, args + 1, nargs - 1);
			}
		}
		if (!v) {
			free(name);
			mv_unref(res);
			return NULL;
		}
		ev_write_out(res, v);
		mv_unref(v);
	}
	free(name);
	return res;
}

/* DictionaryEntry, what $h.GetEnumerator() gives (Name is PowerShell's
 * alias of Key) */
static const char *const entry_props[] = { "Name", "Value", NULL };
static const mv_type_info entry_type = { "System.Collections.DictionaryEntry", entry_props, 1, NULL };

static mv *hash_method(ev *e, const ast *n, mv *h, const char *m, mv **args, size_t nargs)
{
	if (str_ieq(m, "Add") && nargs == 2) {
		char *k = mv_to_string(args[0]);
		if (mv_get(h, k)) {
			ev_throwf(e, n, MGC_INVALIDARG, "ArgumentException",
			          "Exception calling \"Add\" with \"2\" argument(s): \"Item has already been added. "
			          "Key in dictionary: '%s'  Key being added: '%s'\"", k, k);
			free(k);
			return NULL;
		}
		mv_set(h, k, args[1]);
		free(k);
		return mv_null();
	}
	if (str_ieq(m, "Remove") && nargs == 1) {
		char *k = mv_to_string(args[0]);
		mv_remove(h, k);
		free(k);
		return mv_null();
	}
	if (str_ieq(m, "Clear") && nargs == 0) {
		while (h->u.obj.n)
			mv_remove(h, h->u.obj.props[0].name);
		return mv_null();
	}
	if (str_ieq(m, "ContainsValue") && nargs == 1) {
		for (size_t i = 0; i < h->u.obj.n; i++)
			if (mv_equal(h->u.obj.props[i].val, args[0], false))
				return mv_bool(true);
		return mv_bool(false);
	}
	if (str_ieq(m, "GetEnumerator") && nargs == 0) {
		mv *a = mv_array();
		for (size_t i = 0; i < h->u.obj.n; i++) {
			mv *de = mv_object(&entry_type);
			mv_set_str(de, "Name", h->u.obj.props[i].name);
			mv_set_str(de, "Key", h->u.obj.props[i].name);
			mv_set(de, "Value", h->u.obj.props[i].val);
			mv_array_push_take(a, de);
		}
		return a;
	}
	return NULL;
}

mv *ev_call_method(ev *e, const ast *n, mv *obj, const char *m, mv **args, size_t nargs)
{
	if (obj->kind == MV_SCRIPTBLOCK && (str_ieq(m, "Invoke") || str_ieq(m, "InvokeReturnAsIs"))) {
		mv *a = mv_array();
		for (size_t i = 0; i < nargs; i++)
			mv_array_push(a, args[i]);
		mv *out = mv_array();
		/* in a child scope, like & { } */
		mg_scope_push(e->s, false);
		int rc = ev_run_scriptblock(e, obj, NULL, a, out);
		mg_scope_pop(e->s);
		mv_unref(a);
		mv *r = rc == EV_OK ? ev_unwrap(out) : NULL;
		mv_unref(out);
		return r;
	}
	if (obj->kind == MV_ARRAY && obj->u.arr.list) {
		bool handled;
		mv *r = ev_list_method(e, n, obj, m, args, nargs, &handled);
		if (handled)
			return r;
	}
	if ((str_ieq(m, "Where") || str_ieq(m, "ForEach")) && nargs >= 1 &&
	    !(obj->kind == MV_OBJECT && mv_get(obj, m))) {
		/* a list the block changes is walked as it was */
		mv *items = mv_array_snapshot(obj);
		mv *r = str_ieq(m, "Where") ? intrinsic_where(e, n, items, args, nargs)
		                            : intrinsic_foreach(e, n, items, args, nargs);
		mv_unref(items);
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
			/* no argument: white space; else the characters given */
			const char *b = s, *en = s + strlen(s);
			if (!str_ieq(m, "TrimEnd"))
				while (*b && (a0 ? strchr(a0, *b) != NULL : isspace((unsigned char)*b)))
					b++;
			if (!str_ieq(m, "TrimStart"))
				while (en > b && (a0 ? strchr(a0, en[-1]) != NULL : isspace((unsigned char)en[-1])))
					en--;
			r = mv_string_n(b, (size_t)(en - b));
		} else if (str_ieq(m, "Contains") && a0) {
			r = mv_bool(strstr(s, a0) != NULL);
		} else if (str_ieq(m, "StartsWith") && a0) {
			r = mv_bool(strncmp(s, a0, strlen(a0)) == 0);
		} else if (str_ieq(m, "EndsWith") && a0) {
			size_t ls = strlen(s), la = strlen(a0);
			r = mv_bool(ls >= la && strcmp(s + ls - la, a0) == 0);
		} else if ((str_ieq(m, "IndexOf") || str_ieq(m, "LastIndexOf")) && a0) {
			long long start = 0;
			size_t L = strlen(s);
			if (nargs > 1 && (mv_to_ll(args[1], &start) < 0 || start < 0 || (size_t)start > L)) {
				ev_throwf(e, n, MGC_INVALIDARG, "ArgumentOutOfRangeException",
				          "Exception calling \"%s\" with \"%zu\" argument(s): \"Index was out of range. Must be "
				          "non-negative and less than or equal to the size of the collection.\"", m, nargs);
			} else if (str_ieq(m, "IndexOf")) {
				const char *f = strstr(s + start, a0);
				r = mv_int(f ? (long long)(f - s) : -1);
			} else {
				long long hit = -1;
				size_t la = strlen(a0);
				for (size_t i = 0; i + la <= L; i++)
					if (!strncmp(s + i, a0, la))
						hit = (long long)i;
				r = mv_int(hit);
			}
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
		} else if (str_ieq(m, "Split")) {
			/* .NET (PowerShell 7): Split('--') splits on the whole string;
			 * Split() on white space; Split(sep, count) makes at most count parts */
			long long count = -1;
			if (nargs > 1)
				mv_to_ll(args[1], &count);
			r = mv_array();
			const char *q = s;
			size_t la = a0 ? strlen(a0) : 0;
			for (long long parts = 1;; parts++) {
				const char *hit = NULL;
				size_t hl = 0;
				if (count < 0 || parts < count) {
					if (!a0 || !la) {
						for (const char *c = q; *c && !hit; c++)
							if (isspace((unsigned char)*c))
								hit = c, hl = 1;
					} else {
						hit = strstr(q, a0);
						hl = la;
					}
				}
				if (!hit) {
					mv_array_push_take(r, mv_string(q));
					break;
				}
				mv_array_push_take(r, mv_string_n(q, (size_t)(hit - q)));
				q = hit + hl;
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
	if (obj->kind == MV_OBJECT && obj->u.obj.type == &ev_pscmdlet_type && str_ieq(m, "ShouldProcess") &&
	    nargs >= 1 && nargs <= 2) {
		/* $PSCmdlet.ShouldProcess(target[, action]): -WhatIf says what would be
		 * done and answers no ($WhatIfPreference, set by -WhatIf) */
		mv *wi = mg_var_get(e->s, "WhatIfPreference");
		if (!wi || !mv_truthy(wi))
			return mv_bool(true);
		char *target = mv_to_string(args[0]);
		char *action = nargs > 1 ? mv_to_string(args[1]) : xstrdup(mv_get_str(obj, "CommandName") ?
		                                                           mv_get_str(obj, "CommandName") : "");
		mg_session_flush_output(e->s);
		fprintf(e->s->out, "What if: Performing the operation \"%s\" on target \"%s\".\n", action, target);
		fflush(e->s->out);
		free(target);
		free(action);
		return mv_bool(false);
	}
	if (obj->kind == MV_HASH) {
		mv *r = hash_method(e, n, obj, m, args, nargs);
		if (r || e->has_err)
			return r;
	}
	if (obj->kind == MV_DATETIME && nargs == 0 && (str_ieq(m, "ToUniversalTime") || str_ieq(m, "ToLocalTime"))) {
		/* a UTC date shows UTC's wall clock: its instant moves by the
		 * offset, as .NET's Kind=Utc value differs from the local one */
		bool to_utc = str_ieq(m, "ToUniversalTime");
		if (obj->u.dt.utc == to_utc)
			return mv_ref(obj);
		if (to_utc)
			return mv_datetime_utc(obj->u.dt.sec, obj->u.dt.usec);
		time_t t = (time_t)obj->u.dt.sec;
		struct tm tm;
		localtime_r(&t, &tm);
		mv *d = mv_datetime(obj->u.dt.sec + tm.tm_gmtoff, obj->u.dt.usec);
		t = (time_t)d->u.dt.sec;   /* the offset at the local instant (daylight saving) */
		localtime_r(&t, &tm);
		d->u.dt.sec = obj->u.dt.sec + tm.tm_gmtoff;
		return d;
	}
	if (obj->kind == MV_SIZE && nargs == 0) {
		/* Exchange's ByteQuantifiedSize: whole units, rounded down */
		static const struct { const char *m; int shift; } units[] = {
			{ "ToBytes", 0 }, { "ToKB", 10 }, { "ToMB", 20 }, { "ToGB", 30 }, { "ToTB", 40 },
		};
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (str_ieq(m, units[i].m))
				return mv_int(obj->u.i < 0 ? 0 : obj->u.i >> units[i].shift);
	}
	if (obj->kind == MV_OBJECT && obj->u.obj.type && str_ieq(obj->u.obj.type->name, "System.Text.UTF8Encoding") &&
	    nargs == 1) {
		if (str_ieq(m, "GetBytes")) {
			char *t = mv_to_string(args[0]);
			return mv_bytes_take((unsigned char *)t, strlen(t));
		}
		if (str_ieq(m, "GetString")) {
			if (args[0]->kind == MV_BYTES)
				return mv_string_n((const char *)args[0]->u.bytes.p, args[0]->u.bytes.len);
			mg_param p = { "bytes", MPT_BYTES, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL };
			mg_err err;
			mv *b = mg_convert_arg(&p, args[0], &err);
			if (!b)
				return ev_throwf(e, n, MGC_INVALIDARG, "MethodArgumentConversionInvalidCastArgument",
				                 "Exception calling \"GetString\" with \"1\" argument(s): %s", err.msg);
			mv *r = mv_string_n((const char *)b->u.bytes.p, b->u.bytes.len);
			mv_unref(b);
			return r;
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

