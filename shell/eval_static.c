/*
 * eval_static.c - .NET static members and calls ([math]::Max,
 * [string]::Join, [System.IO.File]::ReadAllBytes, ...), casts ([int]$x) and
 * the -is test.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- static calls and casts ---------- */

static mv *make_list(ev *e, const ast *at, const mv_list_type *lt, mv *v);

static const char *norm_type(const char *t)
{
	if (str_iprefix(t, "System."))
		t += 7;
	return t;
}

static mv *read_file_value(ev *e, const ast *at, mv *arg, bool bytes)
{
	char *path = mv_to_string(arg);
	mg_err err;
	char *local = mg_map_path(e->s, path, &err);
	if (!local) {
		free(path);
		ev_throwf(e, at, MGC_NOTFOUND, "FileNotFoundException", "Exception calling \"%s\" with \"1\" argument(s): %s",
		       bytes ? "ReadAllBytes" : "ReadAllText", err.msg);
		return NULL;
	}
	char *data;
	size_t len;
	if (mg_read_file(local, MAX_FILE_BYTES, &data, &len, &err) < 0) {
		free(path);
		free(local);
		ev_throwf(e, at, MGC_READ, "IOException", "Exception calling \"%s\" with \"1\" argument(s): %s",
		       bytes ? "ReadAllBytes" : "ReadAllText", err.msg);
		return NULL;
	}
	free(path);
	free(local);
	if (bytes)
		return mv_bytes_take((unsigned char *)data, len);
	/* drop a UTF-8 byte order mark like .NET does */
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF) {
		mv *r = mv_string_n(data + 3, len - 3);
		free(data);
		return r;
	}
	return mv_string_take(data);
}


/* System.Guid: shows as its Guid property */
static const char *const guid_props[] = { "Guid", NULL };
static const mv_type_info guid_type = { "System.Guid", guid_props, 1, "Guid" };

static mv *guid_value(const char *text)
{
	mv *g = mv_object(&guid_type);
	mv_set_str(g, "Guid", text);
	return g;
}

/* a version 4 (random) GUID, from /dev/urandom */
static mv *new_guid(ev *e, const ast *n)
{
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(b, 1, sizeof b, f) : 0;
	if (f)
		fclose(f);
	if (got != sizeof b)
		return ev_throwf(e, n, MGC_RESOURCE, "RandomUnavailable", "Cannot read /dev/urandom to make a GUID.");
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	char txt[37];
	snprintf(txt, sizeof txt, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return guid_value(txt);
}

/* System.Text.Encoding::UTF8 (GetBytes / GetString are in eval_methods.c) */
static const char *const enc_props[] = { "EncodingName", "WebName", "CodePage", NULL };
static const mv_type_info utf8_type = { "System.Text.UTF8Encoding", enc_props, 2, "EncodingName" };

static bool is_size_type(const char *t)
{
	return str_ieq(t, "Microsoft.Exchange.Data.ByteQuantifiedSize") || str_ieq(t, "ByteQuantifiedSize");
}

/* "1.5 MB", "300KB", "1024 B" or a number of bytes: Exchange's
 * ByteQuantifiedSize.Parse.  -1 when it is not a size. */
static int parse_size(const char *txt, long long *bytes)
{
	char *end;
	double d = strtod(txt, &end);
	if (end == txt || d < 0)
		return -1;
	while (*end == ' ')
		end++;
	static const struct { const char *u; double mult; } units[] = {
		{ "", 1 }, { "B", 1 }, { "KB", 1024.0 }, { "MB", 1048576.0 }, { "GB", 1073741824.0 },
		{ "TB", 1099511627776.0 },
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (str_ieq(end, units[i].u)) {
			double v = d * units[i].mult;
			if (v > 9.2e18)
				return -1;
			*bytes = (long long)v;
			return 0;
		}
	}
	/* "1.5 MB (1,572,864 bytes)": Exchange's own text */
	const char *paren = strchr(end, '(');
	if (paren) {
		long long v = 0;
		for (const char *c = paren + 1; *c && *c != ' '; c++)
			if (*c >= '0' && *c <= '9')
				v = v * 10 + (*c - '0');
		*bytes = v;
		return 0;
	}
	return -1;
}

mv *ev_static_call(ev *e, const ast *n, const char *type, const char *method, mv **args, size_t nargs)
{
	const char *t = norm_type(type);
	const mv_list_type *lt = mv_list_type_named(type);
	if (lt && str_ieq(method, "new") && nargs <= 1) {
		/* ::new(), ::new(capacity), ::new(collection) */
		bool capacity = nargs == 1 && (args[0]->kind == MV_INT || args[0]->kind == MV_DOUBLE);
		return make_list(e, n, lt, nargs == 1 && !capacity ? args[0] : NULL);
	}
	if (str_ieq(t, "Guid") && str_ieq(method, "NewGuid") && nargs == 0)
		return new_guid(e, n);
	if (str_ieq(t, "TimeSpan") && nargs == 1 && str_iprefix(method, "From")) {
		static const struct { const char *m; double ms; } from[] = {
			{ "FromMilliseconds", 1 }, { "FromSeconds", 1000 }, { "FromMinutes", 60000 },
			{ "FromHours", 3600000 }, { "FromDays", 86400000 },
		};
		double d;
		for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
			if (!str_ieq(method, from[i].m))
				continue;
			if (mv_to_double(args[0], &d) < 0)
				return ev_throwf(e, n, MGC_INVALIDARG, "MethodArgumentConversionInvalidCastArgument",
				                 "Cannot convert argument \"value\" for \"%s\" to type \"System.Double\".", method);
			double ms = d * from[i].ms;
			if (ms > 9.2e15 || ms < -9.2e15)
				return ev_throwf(e, n, MGC_INVALIDARG, "OverflowException",
				                 "Exception calling \"%s\" with \"1\" argument(s): \"TimeSpan overflowed because "
				                 "the duration is too long.\"", method);
			return mv_timespan_ms((long long)nearbyint(ms));
		}
	}
	if (is_size_type(t) && str_ieq(method, "Parse") && nargs == 1) {
		char *txt = mv_to_string(args[0]);
		long long b;
		int r = parse_size(txt, &b);
		if (r < 0) {
			ev_throwf(e, n, MGC_INVALIDARG, "FormatException",
			          "Exception calling \"Parse\" with \"1\" argument(s): \"'%s' is not a size such as 1.5 MB.\"",
			          txt);
			free(txt);
			return NULL;
		}
		free(txt);
		return mv_size(b);
	}
	if (str_ieq(t, "IO.File")) {
		if ((str_ieq(method, "ReadAllBytes") || str_ieq(method, "ReadAllText")) && nargs >= 1)
			return read_file_value(e, n, args[0], str_ieq(method, "ReadAllBytes"));
		if (str_ieq(method, "Exists") && nargs == 1) {
			char *p = mv_to_string(args[0]);
			char *l = mg_map_path(e->s, p, NULL);
			free(p);
			bool ok = l != NULL;
			free(l);
			return mv_bool(ok);
		}
	}
	if ((str_ieq(t, "DateTime") || str_ieq(t, "datetime")) && str_ieq(method, "Parse") && nargs >= 1)
		return ev_cast_to(e, n, "datetime", args[0]);
	if (str_ieq(t, "Math") && nargs >= 1) {
		double d;
		if (mv_to_double(args[0], &d) == 0) {
			if (str_ieq(method, "Round")) {
				long long digits = 0;
				if (nargs > 1)
					mv_to_ll(args[1], &digits);
				if (digits <= 0)
					return mv_double(nearbyint(d));
				double f = pow(10, (double)digits);
				return mv_double(nearbyint(d * f) / f);
			}
			if ((str_ieq(method, "Max") || str_ieq(method, "Min") || str_ieq(method, "Pow")) && nargs == 2) {
				double d2;
				long long a, b;
				if (mv_to_double(args[1], &d2) < 0)
					return ev_throwf(e, n, MGC_INVALIDARG, "MethodArgumentConversionInvalidCastArgument",
					              "Cannot convert the second argument of [math]::%s to a number.", method);
				if (str_ieq(method, "Pow"))
					return mv_double(pow(d, d2));
				bool max = str_ieq(method, "Max");
				if (args[0]->kind == MV_INT && args[1]->kind == MV_INT && mv_to_ll(args[0], &a) == 0 &&
				    mv_to_ll(args[1], &b) == 0)
					return mv_int(max ? (a > b ? a : b) : (a < b ? a : b));
				return mv_double(max ? fmax(d, d2) : fmin(d, d2));
			}
			if (str_ieq(method, "Sqrt")) return mv_double(sqrt(d));
			if (str_ieq(method, "Floor")) return mv_double(floor(d));
			if (str_ieq(method, "Ceiling")) return mv_double(ceil(d));
			if (str_ieq(method, "Abs")) return mv_double(fabs(d));
		}
	}
	if (str_ieq(t, "String") && str_ieq(method, "Join") && nargs >= 2) {
		/* [string]::Join(sep, items) or Join(sep, a, b, ...) */
		char *sep = mv_to_string(args[0]);
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "");
		bool one = nargs == 2 && args[1]->kind == MV_ARRAY;
		size_t cnt = one ? args[1]->u.arr.n : nargs - 1;
		bool over = false;
		for (size_t i = 0; i < cnt && !over; i++) {
			char *it = mv_to_string(one ? args[1]->u.arr.items[i] : args[1 + i]);
			over = ev_over_limit(e, n, "string", (unsigned long long)sb.len + strlen(sep) + strlen(it), e->s->max_string);
			if (!over)
				strbuf_addf(&sb, "%s%s", i ? sep : "", it);
			free(it);
		}
		free(sep);
		if (over) {
			strbuf_free(&sb);
			return NULL;
		}
		return mv_string_take(strbuf_detach(&sb, NULL));
	}
	if ((str_ieq(t, "String") || str_ieq(t, "string")) && str_ieq(method, "IsNullOrEmpty") && nargs == 1) {
		if (args[0]->kind == MV_NULL)
			return mv_bool(true);
		char *sv = mv_to_string(args[0]);
		bool r = !*sv;
		free(sv);
		return mv_bool(r);
	}
	return ev_throwf(e, n, MGC_INVALIDOP, "MethodNotFound",
	              "Method invocation failed because [%s] does not contain a method named '%s'.", type, method);
}

mv *ev_static_member(ev *e, const ast *n, const char *type, const char *name)
{
	const char *t = norm_type(type);
	if (str_ieq(t, "DateTime") && str_ieq(name, "Now"))
		return mv_datetime_now();
	if (str_ieq(t, "DateTime") && str_ieq(name, "UtcNow")) {
		mv *now = mv_datetime_now();
		mv *no = mv_null();
		mv *u = ev_call_method(e, n, now, "ToUniversalTime", &no, 0);
		mv_unref(no);
		mv_unref(now);
		return u;
	}
	if (str_ieq(t, "Guid") && str_ieq(name, "Empty"))
		return guid_value("00000000-0000-0000-0000-000000000000");
	if (str_ieq(t, "Text.Encoding") && str_ieq(name, "UTF8")) {
		mv *enc = mv_object(&utf8_type);
		mv_set_str(enc, "EncodingName", "Unicode (UTF-8)");
		mv_set_str(enc, "WebName", "utf-8");
		mv_set_int(enc, "CodePage", 65001);
		return enc;
	}
	if ((str_ieq(t, "int") || str_ieq(t, "Int32")) && str_ieq(name, "MaxValue"))
		return mv_int(2147483647);
	if ((str_ieq(t, "int") || str_ieq(t, "Int32")) && str_ieq(name, "MinValue"))
		return mv_int(-2147483647 - 1);
	if (str_ieq(t, "String") && str_ieq(name, "Empty"))
		return mv_string("");
	return ev_throwf(e, n, MGC_INVALIDOP, "PropertyNotFound", "The property '%s' cannot be found on type [%s].", name, type);
}

/* [System.Collections.ArrayList]$x, List[T]::new($x): a new list of the
 * items (converted to T); NULL with the error thrown. */
static mv *make_list(ev *e, const ast *at, const mv_list_type *lt, mv *v)
{
	mv *l = mv_list(lt);
	size_t k = !v || v->kind == MV_NULL ? 0 : v->kind == MV_ARRAY ? v->u.arr.n : 1;
	for (size_t i = 0; i < k; i++) {
		mv *it = v->kind == MV_ARRAY ? v->u.arr.items[i] : v;
		mv *c = lt->elem ? ev_cast_to(e, at, lt->elem, it) : mv_ref(it);
		if (!c) {
			mv_unref(l);
			return NULL;
		}
		mv_array_push_take(l, c);
	}
	return l;
}

mv *ev_cast_to(ev *e, const ast *at, const char *type, mv *v)
{
	const char *t = norm_type(type);
	const mv_list_type *lt = mv_list_type_named(type);
	if (lt && v->kind == MV_ARRAY && v->u.arr.list == lt)
		return mv_ref(v);   /* already one: the same list */
	if (lt)
		return make_list(e, at, lt, v);
	if (str_ieq(t, "int") || str_ieq(t, "Int32") || str_ieq(t, "long") || str_ieq(t, "Int64")) {
		double d;
		if (v->kind == MV_DOUBLE)
			return mv_int((long long)nearbyint(v->u.d));
		long long n;
		if (mv_to_ll(v, &n) == 0)
			return mv_int(n);
		if (mv_to_double(v, &d) == 0)
			return mv_int((long long)nearbyint(d));
		char *sv = mv_to_string(v);
		ev_throwf(e, at, MGC_INVALIDARG, "InvalidCastFromStringToInteger",
		       "Cannot convert value \"%s\" to type \"System.%s\". Error: \"Input string was not in a correct format.\"",
		       sv, str_ieq(t, "long") || str_ieq(t, "Int64") ? "Int64" : "Int32");
		free(sv);
		return NULL;
	}
	if (str_ieq(t, "double") || str_ieq(t, "decimal") || str_ieq(t, "float")) {
		double d;
		if (mv_to_double(v, &d) == 0)
			return mv_double(d);
		return ev_throwf(e, at, MGC_INVALIDARG, "InvalidCastToDouble", "Cannot convert the value to type \"System.Double\".");
	}
	if (str_ieq(t, "string"))
		return mv_string_take(mv_to_string(v));
	if (str_ieq(t, "bool") || str_ieq(t, "Boolean"))
		return mv_bool(mv_truthy(v));
	if (str_ieq(t, "datetime")) {
		if (v->kind == MV_DATETIME)
			return mv_ref(v);
		char *sv = mv_to_string(v);
		mv *d = mv_datetime_from_text(sv);
		if (d) {
			free(sv);
			return d;
		}
		ev_throwf(e, at, MGC_INVALIDARG, "InvalidCastParseTargetInvocation",
		       "Cannot convert value \"%s\" to type \"System.DateTime\". Give a date such as \"3/14/2025 10:00 PM\".", sv);
		free(sv);
		return NULL;
	}
	if (str_ieq(t, "timespan")) {
		mg_param p = { "TimeSpan", MPT_TIMESPAN, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL };
		mg_err err;
		mv *r = mg_convert_arg(&p, v, &err);
		if (!r)
			ev_throwf(e, at, MGC_INVALIDARG, "InvalidCast", "%s", err.msg);
		return r;
	}
	if (str_ieq(t, "array") || str_ieq(t, "object[]") || str_ieq(t, "string[]")) {
		mv *a = mv_array();
		if (v->kind == MV_ARRAY) {
			for (size_t i = 0; i < v->u.arr.n; i++)
				mv_array_push_take(a, str_ieq(t, "string[]") ? mv_string_take(mv_to_string(v->u.arr.items[i]))
				                                               : mv_ref(v->u.arr.items[i]));
		} else if (v->kind != MV_NULL) {
			mv_array_push_take(a, str_ieq(t, "string[]") ? mv_string_take(mv_to_string(v)) : mv_ref(v));
		}
		return a;
	}
	if (str_ieq(t, "guid")) {
		if (v->kind == MV_OBJECT && v->u.obj.type == &guid_type)
			return mv_ref(v);
		char *sv = mv_to_string(v);
		size_t l = strlen(sv), hex = 0;
		for (size_t i = 0; i < l; i++)
			hex += isxdigit((unsigned char)sv[i]) != 0;
		if (l == 36 && hex == 32 && sv[8] == '-' && sv[13] == '-' && sv[18] == '-' && sv[23] == '-') {
			for (char *c = sv; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			mv *g = guid_value(sv);
			free(sv);
			return g;
		}
		ev_throwf(e, at, MGC_INVALIDARG, "InvalidCastParseTargetInvocation",
		          "Cannot convert value \"%s\" to type \"System.Guid\". Error: \"Guid should contain 32 digits "
		          "with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).\"", sv);
		free(sv);
		return NULL;
	}
	if (is_size_type(t)) {
		long long b;
		if (v->kind == MV_SIZE)
			return mv_ref(v);
		if (v->kind == MV_INT)
			return mv_size(v->u.i);
		char *sv = mv_to_string(v);
		int r = parse_size(sv, &b);
		if (r < 0) {
			ev_throwf(e, at, MGC_INVALIDARG, "InvalidCast",
			          "Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.ByteQuantifiedSize\".", sv);
			free(sv);
			return NULL;
		}
		free(sv);
		return mv_size(b);
	}
	size_t tl = strlen(t);
	if (tl > 2 && !strcmp(t + tl - 2, "[]") && !str_ieq(t, "byte[]") && !str_ieq(t, "object[]") &&
	    !str_ieq(t, "string[]")) {
		/* [int[]]: each item converted to the element type */
		char *elem = xstrndup(t, tl - 2);
		mv *a = mv_array();
		size_t cnt = v->kind == MV_ARRAY ? v->u.arr.n : v->kind == MV_NULL ? 0 : 1;
		for (size_t i = 0; i < cnt; i++) {
			mv *it = ev_cast_to(e, at, elem, v->kind == MV_ARRAY ? v->u.arr.items[i] : v);
			if (!it) {
				free(elem);
				mv_unref(a);
				return NULL;
			}
			mv_array_push_take(a, it);
		}
		free(elem);
		return a;
	}
	if (str_ieq(t, "byte[]")) {
		mg_param p = { "Byte[]", MPT_BYTES, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL };
		if (v->kind == MV_STRING)
			return mv_bytes(v->u.str.s, v->u.str.len);
		mg_err err;
		mv *r = mg_convert_arg(&p, v, &err);
		if (!r)
			ev_throwf(e, at, MGC_INVALIDARG, "InvalidCast", "%s", err.msg);
		return r;
	}
	if (str_ieq(t, "pscustomobject") || str_ieq(t, "psobject") || str_ieq(t, "Management.Automation.PSObject")) {
		if (v->kind == MV_HASH) {
			mv *o = mv_object(NULL);
			for (size_t i = 0; i < v->u.obj.n; i++)
				mv_set(o, v->u.obj.props[i].name, v->u.obj.props[i].val);
			return o;
		}
		return mv_ref(v);
	}
	if (str_ieq(t, "hashtable") || str_ieq(t, "ordered")) {
		if (v->kind == MV_HASH)
			return mv_ref(v);
		return ev_throwf(e, at, MGC_INVALIDARG, "InvalidCast", "Cannot convert the value to type \"System.Collections.Hashtable\".");
	}
	if (str_ieq(t, "object") || str_ieq(t, "void"))
		return str_ieq(t, "void") ? mv_null() : mv_ref(v);
	if (str_ieq(t, "scriptblock") && v->kind == MV_SCRIPTBLOCK)
		return mv_ref(v);
	return ev_throwf(e, at, MGC_INVALIDOP, "TypeNotFound", "Unable to find type [%s].", type);
}

bool ev_type_is(const char *type, const mv *v)
{
	const char *t = norm_type(type);
	switch (v->kind) {
	case MV_STRING: return str_ieq(t, "string") || str_ieq(t, "object");
	case MV_INT: return str_ieq(t, "int") || str_ieq(t, "Int32") || str_ieq(t, "long") || str_ieq(t, "Int64") ||
	                    str_ieq(t, "ValueType") || str_ieq(t, "object");
	case MV_DOUBLE: return str_ieq(t, "double") || str_ieq(t, "ValueType") || str_ieq(t, "object");
	case MV_BOOL: return str_ieq(t, "bool") || str_ieq(t, "Boolean") || str_ieq(t, "object");
	case MV_ARRAY:
		if (str_ieq(t, "object") || str_ieq(t, "Collections.IList") || str_ieq(t, "Collections.ICollection") ||
		    str_ieq(t, "Collections.IEnumerable"))
			return true;
		if (v->u.arr.list)
			return mv_list_type_named(type) == v->u.arr.list;
		return str_ieq(t, "array") || str_ieq(t, "object[]");
	case MV_HASH: return str_ieq(t, "hashtable") || str_ieq(t, "object");
	case MV_DATETIME: return str_ieq(t, "datetime") || str_ieq(t, "object");
	case MV_TIMESPAN: return str_ieq(t, "timespan") || str_ieq(t, "object");
	case MV_BYTES: return str_ieq(t, "byte[]") || str_ieq(t, "object");
	case MV_SCRIPTBLOCK: return str_ieq(t, "scriptblock") || str_ieq(t, "object");
	case MV_OBJECT: return str_ieq(t, "pscustomobject") || str_ieq(t, "psobject") || str_ieq(t, "object") ||
	                       (v->u.obj.type && str_ieq(v->u.obj.type->name, t));
	default: return false;
	}
}

