/*
 * value.c - the shell's object model (see value.h): reference-counted
 * values, arrays, ordered case-insensitive properties, PowerShell-style
 * conversions and comparisons.
 */
#include "config.h"
#include "shell/value.h"
#include "common/date_text.h"
#include "shell/scalar_fmt.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

static mv *mv_new(mv_kind k)
{
	mv *v = xcalloc(1, sizeof *v);
	v->refs = 1;
	v->kind = k;
	return v;
}

mv *mv_null(void) { return mv_new(MV_NULL); }

mv *mv_bool(bool b)
{
	mv *v = mv_new(MV_BOOL);
	v->u.b = b;
	return v;
}

mv *mv_int(long long i)
{
	mv *v = mv_new(MV_INT);
	v->u.i = i;
	return v;
}

mv *mv_double(double d)
{
	mv *v = mv_new(MV_DOUBLE);
	v->u.d = d;
	return v;
}

mv *mv_string_n(const char *s, size_t n)
{
	mv *v = mv_new(MV_STRING);
	v->u.str.s = xmalloc(n + 1);
	if (n)
		memcpy(v->u.str.s, s, n);
	v->u.str.s[n] = '\0';
	v->u.str.len = n;
	return v;
}

mv *mv_string(const char *s)
{
	if (!s)
		s = "";
	return mv_string_n(s, strlen(s));
}

mv *mv_string_take(char *s)
{
	if (!s)
		return mv_string("");
	mv *v = mv_new(MV_STRING);
	v->u.str.s = s;
	v->u.str.len = strlen(s);
	return v;
}

mv *mv_stringf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return mv_string_take(s);
}

mv *mv_bytes(const void *p, size_t n)
{
	unsigned char *c = xmalloc(n ? n : 1);
	if (n)
		memcpy(c, p, n);
	return mv_bytes_take(c, n);
}

mv *mv_bytes_take(unsigned char *p, size_t n)
{
	mv *v = mv_new(MV_BYTES);
	v->u.bytes.p = p;
	v->u.bytes.len = n;
	return v;
}

mv *mv_size(long long bytes)
{
	mv *v = mv_new(MV_SIZE);
	v->u.i = bytes;
	return v;
}

mv *mv_datetime(int64_t sec, int32_t usec)
{
	mv *v = mv_new(MV_DATETIME);
	v->u.dt.sec = sec;
	v->u.dt.usec = usec;
	return v;
}

mv *mv_datetime_utc(int64_t sec, int32_t usec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	localtime_r(&t, &tm);
	mv *v = mv_datetime(sec - tm.tm_gmtoff, usec);
	v->u.dt.utc = true;
	return v;
}

mv *mv_datetime_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return mv_datetime((int64_t)tv.tv_sec, (int32_t)tv.tv_usec);
}

mv *mv_timespan_ms(long long ms)
{
	mv *v = mv_new(MV_TIMESPAN);
	v->u.i = ms;
	return v;
}

mv *mv_array(void) { return mv_new(MV_ARRAY); }

mv *mv_list(const mv_list_type *t)
{
	mv *v = mv_new(MV_ARRAY);
	v->u.arr.list = t;
	return v;
}

static const mv_list_type list_types[] = {
	{ "System.Collections.ArrayList", NULL, true },
	{ "System.Collections.Generic.List`1", NULL, false },
	{ "System.Collections.Generic.List`1", "string", false },
	{ "System.Collections.Generic.List`1", "int", false },
	{ "System.Collections.Generic.List`1", "long", false },
	{ "System.Collections.Generic.List`1", "double", false },
	{ "System.Collections.Generic.List`1", "bool", false },
};

const mv_list_type *mv_list_type_named(const char *type)
{
	const char *t = type;
	if (str_iprefix(t, "System."))
		t += 7;
	if (str_iprefix(t, "Collections."))
		t += 12;
	if (str_ieq(t, "ArrayList"))
		return &list_types[0];
	if (str_iprefix(t, "Generic."))
		t += 8;
	if (!str_iprefix(t, "List"))
		return NULL;
	t += 4;
	if (str_iprefix(t, "`1"))
		t += 2;
	if (*t != '[')
		return NULL;
	/* List[T] / List[[T]]: the element type, without System. */
	char el[64];
	size_t n = 0;
	for (t++; *t == '['; t++)
		;
	if (str_iprefix(t, "System."))
		t += 7;
	while (*t && *t != ']' && *t != ',' && n + 1 < sizeof el)
		el[n++] = *t++;
	el[n] = '\0';
	static const char *const alias[][2] = {
		{ "String", "string" }, { "Int32", "int" }, { "Int64", "long" }, { "Double", "double" },
		{ "Boolean", "bool" },
	};
	const char *elem = el;
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (str_ieq(el, alias[i][0]))
			elem = alias[i][1];
	for (size_t i = 2; i < sizeof list_types / sizeof list_types[0]; i++)
		if (str_ieq(elem, list_types[i].elem))
			return &list_types[i];
	return &list_types[1];   /* List[object], List[psobject], List[anything else]: any object */
}

mv *mv_array_snapshot(mv *v)
{
	if (!v || v->kind != MV_ARRAY)
		return mv_ref(v);
	mv *a = mv_array();
	for (size_t i = 0; i < v->u.arr.n; i++)
		mv_array_push(a, v->u.arr.items[i]);
	return a;
}
mv *mv_hash(void) { return mv_new(MV_HASH); }

mv *mv_object(const mv_type_info *type)
{
	mv *v = mv_new(MV_OBJECT);
	v->u.obj.type = type;
	return v;
}

mv *mv_scriptblock(void *code, const char *text, void (*release)(void *))
{
	mv *v = mv_new(MV_SCRIPTBLOCK);
	v->u.sb.code = code;
	v->u.sb.text = xstrdup(text ? text : "");
	v->u.sb.release = release;
	return v;
}

mv *mv_ref(mv *v)
{
	if (v)
		v->refs++;
	return v;
}

/* Iterative: a value nested a million levels deep (a loop of $a = @(,$a))
 * must not need a million stack frames to be freed.  Values whose count
 * reaches zero wait on a local work list. */
void mv_unref(mv *v)
{
	if (!v || --v->refs > 0)
		return;
	mv **todo = NULL;
	size_t ntodo = 0, captodo = 0;
	for (;;) {
		switch (v->kind) {
		case MV_STRING:
			free(v->u.str.s);
			break;
		case MV_BYTES:
			free(v->u.bytes.p);
			break;
		case MV_ARRAY:
			for (size_t i = 0; i < v->u.arr.n; i++) {
				mv *k = v->u.arr.items[i];
				if (k && --k->refs == 0) {
					GROW(todo, captodo, ntodo + 1);
					todo[ntodo++] = k;
				}
			}
			free(v->u.arr.items);
			break;
		case MV_HASH:
		case MV_OBJECT:
			for (size_t i = 0; i < v->u.obj.n; i++) {
				free(v->u.obj.props[i].name);
				mv *k = v->u.obj.props[i].val;
				if (k && --k->refs == 0) {
					GROW(todo, captodo, ntodo + 1);
					todo[ntodo++] = k;
				}
			}
			free(v->u.obj.props);
			break;
		case MV_SCRIPTBLOCK:
			if (v->u.sb.release && v->u.sb.code)
				v->u.sb.release(v->u.sb.code);
			free(v->u.sb.text);
			break;
		default:
			break;
		}
		free(v);
		if (!ntodo)
			break;
		v = todo[--ntodo];
	}
	free(todo);
}

/* ---- arrays ---- */

void mv_array_push_take(mv *arr, mv *item)
{
	if (!arr || arr->kind != MV_ARRAY) {
		mv_unref(item);
		return;
	}
	GROW(arr->u.arr.items, arr->u.arr.cap, arr->u.arr.n + 1);
	arr->u.arr.items[arr->u.arr.n++] = item ? item : mv_null();
}

void mv_array_push(mv *arr, mv *item)
{
	mv_array_push_take(arr, mv_ref(item));
}

size_t mv_count(const mv *v)
{
	if (!v || v->kind == MV_NULL)
		return 0;
	if (v->kind == MV_ARRAY)
		return v->u.arr.n;
	if (v->kind == MV_HASH)
		return v->u.obj.n;
	if (v->kind == MV_BYTES)
		return v->u.bytes.len;
	return 1;
}

mv *mv_index(const mv *v, long long i)
{
	if (!v)
		return NULL;
	if (v->kind == MV_ARRAY) {
		long long n = (long long)v->u.arr.n;
		if (i < 0)
			i += n;
		if (i < 0 || i >= n)
			return NULL;
		return v->u.arr.items[i];
	}
	if (v->kind == MV_NULL || v->kind == MV_BYTES)
		return NULL;
	/* a scalar behaves like a one-element array */
	if (i == 0 || i == -1)
		return (mv *)v;
	return NULL;
}

/* ---- properties ---- */

static mv_prop *find_prop(const mv *obj, const char *name)
{
	if (!obj || (obj->kind != MV_OBJECT && obj->kind != MV_HASH) || !name)
		return NULL;
	for (size_t i = 0; i < obj->u.obj.n; i++)
		if (strcasecmp(obj->u.obj.props[i].name, name) == 0)
			return &obj->u.obj.props[i];
	return NULL;
}

void mv_set_take(mv *obj, const char *name, mv *val)
{
	if (!obj || (obj->kind != MV_OBJECT && obj->kind != MV_HASH) || !name) {
		mv_unref(val);
		return;
	}
	if (!val)
		val = mv_null();
	mv_prop *p = find_prop(obj, name);
	if (p) {
		mv_unref(p->val);
		p->val = val;
		return;
	}
	GROW(obj->u.obj.props, obj->u.obj.cap, obj->u.obj.n + 1);
	p = &obj->u.obj.props[obj->u.obj.n++];
	p->name = xstrdup(name);
	p->val = val;
}

void mv_set(mv *obj, const char *name, mv *val)
{
	mv_set_take(obj, name, mv_ref(val));
}

void mv_set_str(mv *obj, const char *name, const char *s)
{
	mv_set_take(obj, name, s ? mv_string(s) : mv_null());
}

void mv_set_int(mv *obj, const char *name, long long i)
{
	mv_set_take(obj, name, mv_int(i));
}

void mv_set_bool(mv *obj, const char *name, bool b)
{
	mv_set_take(obj, name, mv_bool(b));
}

mv *mv_get(const mv *obj, const char *name)
{
	mv_prop *p = find_prop(obj, name);
	return p ? p->val : NULL;
}

bool mv_remove(mv *obj, const char *name)
{
	if (obj->kind != MV_OBJECT && obj->kind != MV_HASH)
		return false;
	for (size_t i = 0; i < obj->u.obj.n; i++) {
		if (!str_ieq(obj->u.obj.props[i].name, name))
			continue;
		free(obj->u.obj.props[i].name);
		mv_unref(obj->u.obj.props[i].val);
		memmove(&obj->u.obj.props[i], &obj->u.obj.props[i + 1], (obj->u.obj.n - i - 1) * sizeof obj->u.obj.props[0]);
		obj->u.obj.n--;
		return true;
	}
	return false;
}

const char *mv_get_str(const mv *obj, const char *name)
{
	mv *v = mv_get(obj, name);
	return v && v->kind == MV_STRING ? v->u.str.s : NULL;
}

/* ---- conversions ---- */

bool mv_truthy(const mv *v)
{
	/* a one-element array is as true as its element (unwrapped in a loop:
	 * @(,@(,...)) may nest arbitrarily deep) */
	while (v && v->kind == MV_ARRAY && v->u.arr.n == 1)
		v = v->u.arr.items[0];
	if (!v)
		return false;
	switch (v->kind) {
	case MV_NULL:
		return false;
	case MV_BOOL:
		return v->u.b;
	case MV_INT:
	case MV_SIZE:
	case MV_TIMESPAN:
		return v->u.i != 0;
	case MV_DOUBLE:
		return v->u.d != 0.0;
	case MV_STRING:
		return v->u.str.len > 0;
	case MV_ARRAY:
		if (v->u.arr.n == 0)
			return false;
		return v->u.arr.n > 1;
	default:
		return true;
	}
}

static void double_to_buf(double d, strbuf *out)
{
	if (isnan(d)) {
		strbuf_adds(out, "NaN");
		return;
	}
	if (isinf(d)) {
		strbuf_adds(out, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	char buf[64];
	snprintf(buf, sizeof buf, "%.15g", d);
	/* PowerShell writes 1E+20, not 1e+20 */
	for (char *p = buf; *p; p++)
		if (*p == 'e')
			*p = 'E';
	strbuf_adds(out, buf);
}

/* Arrays and objects nest (and may hold themselves: $a[0] = $a): past
 * TO_STRING_DEPTH levels a container is written as its type name, and after
 * TO_STRING_NODES containers the rest is left out, so that neither the stack
 * nor the time is unbounded. */
#define TO_STRING_DEPTH 32
#define TO_STRING_NODES 1000000

static void to_string_buf(const mv *v, strbuf *out, int depth, size_t *nodes)
{
	if (!v)
		return;
	if (v->kind == MV_ARRAY || v->kind == MV_OBJECT) {
		if (*nodes == 0)
			return;
		--*nodes;
		if (depth > TO_STRING_DEPTH) {
			strbuf_adds(out, v->kind == MV_ARRAY ? "System.Object[]" : "System.Management.Automation.PSCustomObject");
			return;
		}
	}
	switch (v->kind) {
	case MV_NULL:
		break;
	case MV_BOOL:
		strbuf_adds(out, v->u.b ? "True" : "False");
		break;
	case MV_INT:
		strbuf_addf(out, "%lld", v->u.i);
		break;
	case MV_DOUBLE:
		double_to_buf(v->u.d, out);
		break;
	case MV_STRING:
		strbuf_add(out, v->u.str.s, v->u.str.len);
		break;
	case MV_BYTES:
		for (size_t i = 0; i < v->u.bytes.len; i++)
			strbuf_addf(out, i ? " %u" : "%u", v->u.bytes.p[i]);
		break;
	case MV_SIZE:
		mg_format_size(v->u.i, out);
		break;
	case MV_DATETIME:
		mg_format_datetime(v->u.dt.sec, v->u.dt.usec, out);
		break;
	case MV_TIMESPAN:
		mg_format_timespan(v->u.i, out);
		break;
	case MV_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++) {
			if (i)
				strbuf_addc(out, ' ');
			to_string_buf(v->u.arr.items[i], out, depth + 1, nodes);
		}
		break;
	case MV_HASH:
		strbuf_adds(out, "System.Collections.Hashtable");
		break;
	case MV_OBJECT: {
		const mv_type_info *t = v->u.obj.type;
		if (t && t->to_string_prop) {
			mv *p = mv_get(v, t->to_string_prop);
			if (p && p != v) {
				to_string_buf(p, out, depth + 1, nodes);
				break;
			}
		}
		/* PSCustomObject: @{A=1; B=2} */
		strbuf_adds(out, "@{");
		for (size_t i = 0; i < v->u.obj.n; i++) {
			if (i)
				strbuf_adds(out, "; ");
			strbuf_adds(out, v->u.obj.props[i].name);
			strbuf_addc(out, '=');
			to_string_buf(v->u.obj.props[i].val, out, depth + 1, nodes);
		}
		strbuf_addc(out, '}');
		break;
	}
	case MV_SCRIPTBLOCK:
		strbuf_adds(out, v->u.sb.text);
		break;
	}
}

char *mv_to_string(const mv *v)
{
	strbuf sb = STRBUF_INIT;
	strbuf_grow(&sb, 1);
	sb.buf[0] = '\0';   /* strbuf_detach of an empty buffer needs this */
	size_t nodes = TO_STRING_NODES;
	to_string_buf(v, &sb, 0, &nodes);
	return strbuf_detach(&sb, NULL);
}

/* Parse a PowerShell number literal-ish string: decimal, 0x hex, with
 * optional KB/MB/GB/TB suffix; surrounding blanks allowed. */
static int parse_ll(const char *s, long long *out)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	long long v;
	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ||
	    (s[0] == '-' && s[1] == '0' && (s[2] == 'x' || s[2] == 'X')))
		v = strtoll(s, &end, 16);
	else
		v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	long long mul = 1;
	if (strncasecmp(end, "kb", 2) == 0) { mul = 1024LL; end += 2; }
	else if (strncasecmp(end, "mb", 2) == 0) { mul = 1024LL * 1024; end += 2; }
	else if (strncasecmp(end, "gb", 2) == 0) { mul = 1024LL * 1024 * 1024; end += 2; }
	else if (strncasecmp(end, "tb", 2) == 0) { mul = 1024LL * 1024 * 1024 * 1024; end += 2; }
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	long long ll;
	if (parse_ll(s, &ll) == 0) {
		*out = (double)ll;
		return 0;
	}
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (errno || end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	/* refuse "nan"/"inf" spellings that strtod accepts */
	if (!isfinite(d))
		return -1;
	*out = d;
	return 0;
}

int mv_to_ll(const mv *v, long long *out)
{
	while (v && v->kind == MV_ARRAY && v->u.arr.n == 1)
		v = v->u.arr.items[0];
	if (!v)
		return -1;
	switch (v->kind) {
	case MV_NULL:
		*out = 0;
		return 0;
	case MV_BOOL:
		*out = v->u.b;
		return 0;
	case MV_INT:
	case MV_SIZE:
	case MV_TIMESPAN:
		*out = v->u.i;
		return 0;
	case MV_DOUBLE:
		if (!isfinite(v->u.d) || v->u.d > 9.2e18 || v->u.d < -9.2e18)
			return -1;
		/* PowerShell rounds half to even when casting to an integer */
		*out = (long long)nearbyint(v->u.d);
		return 0;
	case MV_STRING: {
		if (parse_ll(v->u.str.s, out) == 0)
			return 0;
		double d;
		if (parse_double(v->u.str.s, &d) == 0 && d < 9.2e18 && d > -9.2e18) {
			*out = (long long)nearbyint(d);
			return 0;
		}
		return -1;
	}
	case MV_ARRAY:
		return -1;
	default:
		return -1;
	}
}

int mv_to_double(const mv *v, double *out)
{
	while (v && v->kind == MV_ARRAY && v->u.arr.n == 1)
		v = v->u.arr.items[0];
	if (!v)
		return -1;
	switch (v->kind) {
	case MV_DOUBLE:
		*out = v->u.d;
		return 0;
	case MV_STRING:
		return parse_double(v->u.str.s, out);
	case MV_ARRAY:
		return -1;
	default: {
		long long ll;
		if (mv_to_ll(v, &ll) < 0)
			return -1;
		*out = (double)ll;
		return 0;
	}
	}
}

static bool is_numeric(const mv *v)
{
	return v->kind == MV_INT || v->kind == MV_DOUBLE || v->kind == MV_SIZE ||
	       v->kind == MV_TIMESPAN;
}

static int cmp_double(double a, double b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

/* A date typed as text: common/date_text.c reads it; a wall-clock time is
 * the machine's local time here (the shell's culture), Z an instant. */
static int parse_date(const char *s, int64_t *sec)
{
	mg_date_text dt;
	if (mg_date_text_parse(s, &dt) < 0)
		return -1;
	if (dt.utc) {
		*sec = dt.wall;
		return 0;
	}
	time_t w = (time_t)dt.wall;
	struct tm tm;
	if (!gmtime_r(&w, &tm))
		return -1;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1 && dt.wall > 86400 * 2)
		return -1;
	*sec = (int64_t)t;
	return 0;
}

int mv_compare(const mv *a, const mv *b, bool icase, bool *comparable)
{
	bool dummy;
	if (!comparable)
		comparable = &dummy;
	*comparable = true;
	bool an = !a || a->kind == MV_NULL, bn = !b || b->kind == MV_NULL;
	if (an || bn) {
		if (an && bn)
			return 0;
		/* $null sorts before everything; an empty string equals nothing */
		return an ? -1 : 1;
	}
	/* a one-element array compares as its element; an array that holds
	 * itself ($a[0] = $a) would unwrap for ever, so the unwrapping stops
	 * after MV_UNWRAP_MAX levels and what is left is not comparable */
	if ((a->kind == MV_ARRAY && a->u.arr.n == 1) || (b->kind == MV_ARRAY && b->u.arr.n == 1)) {
		enum { MV_UNWRAP_MAX = 64 };
		for (int d = 0; d < MV_UNWRAP_MAX && a && a->kind == MV_ARRAY && a->u.arr.n == 1; d++)
			a = a->u.arr.items[0];
		for (int d = 0; d < MV_UNWRAP_MAX && b && b->kind == MV_ARRAY && b->u.arr.n == 1; d++)
			b = b->u.arr.items[0];
		if ((a && a->kind == MV_ARRAY && a->u.arr.n == 1) || (b && b->kind == MV_ARRAY && b->u.arr.n == 1)) {
			*comparable = false;
			return 1;
		}
		return mv_compare(a, b, icase, comparable);   /* once: neither is one-element now */
	}

	if (a->kind == MV_BOOL) {
		bool bb = mv_truthy(b);
		return (int)a->u.b - (int)bb;
	}
	if (a->kind == MV_DATETIME) {
		int64_t bs;
		int32_t bu = 0;
		if (b->kind == MV_DATETIME) {
			bs = b->u.dt.sec;
			bu = b->u.dt.usec;
		} else if (b->kind == MV_STRING && parse_date(b->u.str.s, &bs) == 0) {
			/* compared at second precision */
		} else {
			*comparable = false;
			return 1;
		}
		if (a->u.dt.sec != bs)
			return a->u.dt.sec < bs ? -1 : 1;
		return a->u.dt.usec < bu ? -1 : a->u.dt.usec > bu ? 1 : 0;
	}
	if (is_numeric(a)) {
		if (a->kind != MV_DOUBLE && (is_numeric(b) ? b->kind != MV_DOUBLE : true)) {
			long long bl;
			if (b->kind != MV_DOUBLE && mv_to_ll(b, &bl) == 0 &&
			    !(b->kind == MV_STRING && strpbrk(b->u.str.s, ".eE") &&
			      !str_iprefix(b->u.str.s, "0x")))
				return a->u.i < bl ? -1 : a->u.i > bl ? 1 : 0;
		}
		double ad, bd;
		if (mv_to_double(a, &ad) == 0 && mv_to_double(b, &bd) == 0)
			return cmp_double(ad, bd);
		*comparable = false;
		return 1;
	}
	if (a->kind == MV_STRING) {
		char *bs = mv_to_string(b);
		int r = icase ? strcasecmp(a->u.str.s, bs) : strcmp(a->u.str.s, bs);
		free(bs);
		return r < 0 ? -1 : r > 0 ? 1 : 0;
	}
	if (a == b)
		return 0;
	if (a->kind == MV_OBJECT && a->u.obj.type && a->u.obj.type->to_string_prop) {
		/* objects with a string identity compare by it */
		char *as = mv_to_string(a), *bs = mv_to_string(b);
		int r = icase ? strcasecmp(as, bs) : strcmp(as, bs);
		free(as);
		free(bs);
		return r < 0 ? -1 : r > 0 ? 1 : 0;
	}
	if (a->kind == MV_BYTES && b->kind == MV_BYTES) {
		size_t n = a->u.bytes.len < b->u.bytes.len ? a->u.bytes.len : b->u.bytes.len;
		int r = n ? memcmp(a->u.bytes.p, b->u.bytes.p, n) : 0;
		if (r)
			return r < 0 ? -1 : 1;
		return a->u.bytes.len < b->u.bytes.len ? -1 : a->u.bytes.len > b->u.bytes.len ? 1 : 0;
	}
	*comparable = false;
	return 1;
}

bool mv_equal(const mv *a, const mv *b, bool icase)
{
	bool comparable;
	int r = mv_compare(a, b, icase, &comparable);
	return comparable && r == 0;
}

const char *mv_kind_name(const mv *v)
{
	if (!v)
		return "null";
	switch (v->kind) {
	case MV_NULL: return "null";
	case MV_BOOL: return "System.Boolean";
	case MV_INT: return (v->u.i >= INT32_MIN && v->u.i <= INT32_MAX) ? "System.Int32" : "System.Int64";
	case MV_DOUBLE: return "System.Double";
	case MV_STRING: return "System.String";
	case MV_BYTES: return "System.Byte[]";
	case MV_SIZE: return "Microsoft.Exchange.Data.ByteQuantifiedSize";
	case MV_DATETIME: return "System.DateTime";
	case MV_TIMESPAN: return "System.TimeSpan";
	case MV_ARRAY: return v->u.arr.list ? v->u.arr.list->full_name : "System.Object[]";
	case MV_HASH: return "System.Collections.Hashtable";
	case MV_OBJECT:
		return v->u.obj.type && v->u.obj.type->name ? v->u.obj.type->name
		       : "System.Management.Automation.PSCustomObject";
	case MV_SCRIPTBLOCK: return "System.Management.Automation.ScriptBlock";
	}
	return "System.Object";
}

mv *mv_clone(const mv *v)
{
	if (!v)
		return mv_null();
	if (v->kind != MV_OBJECT && v->kind != MV_HASH)
		return mv_ref((mv *)v);
	mv *c = v->kind == MV_HASH ? mv_hash() : mv_object(v->u.obj.type);
	for (size_t i = 0; i < v->u.obj.n; i++)
		mv_set(c, v->u.obj.props[i].name, v->u.obj.props[i].val);
	return c;
}

/* Exposed for Get-Date and casts: parse a date string (see parse_date). */
int mv_parse_datetime(const char *s, int64_t *sec)
{
	return parse_date(s, sec);
}

mv *mv_datetime_from_text(const char *s)
{
	mg_date_text dt;
	int64_t sec;
	if (mg_date_text_parse(s, &dt) < 0 || parse_date(s, &sec) < 0)
		return NULL;
	mv *d = mv_datetime(sec, 0);
	d->u.dt.wall = !dt.utc;
	d->u.dt.wall_sec = dt.wall;
	return d;
}
