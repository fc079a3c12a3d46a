/*
 * eval.c - the evaluator: statements, pipelines, expressions, variables,
 * operators, member access (also over collections), indexing, hashtables,
 * arrays, script blocks, casts and the few .NET static calls Microsoft's
 * examples use ([System.IO.File]::ReadAllBytes, ...).
 */
#include "config.h"
#include "shell/eval.h"
#include "shell/ast.h"
#include "shell/binder.h"
#include "shell/errors.h"
#include "shell/external.h"
#include "shell/format.h"
#include "shell/netfmt.h"
#include "shell/parser.h"
#include "shell/regex_net.h"
#include "shell/paths.h"
#include "shell/runtime.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVAL_DEPTH 200
#define MAX_FILE_BYTES (512u * 1024 * 1024)

/* statement results */
enum { EV_OK = 0, EV_ERR = -1, EV_EXIT = -2, EV_RETURN = -3, EV_BREAK = -4, EV_CONTINUE = -5 };

typedef struct ev {
	mg_session *s;
	ast_tree   *tree;
	/* the error being thrown (EV_ERR) */
	bool        has_err;
	mg_errrec   rec;
	char        cmd[128];
	char        target[512];
	int         nest;        /* pipelines being run (for bind_only) */
	int         in_try;      /* inside try { }: errors go to the catch block */
	bool        fatal;       /* the thrown error ends the script (throw) */
	/* output of the top-level statement being run, when it goes to the
	 * console: a long loop shows what it wrote so far (flush_slow) */
	mv         *top_out;
	int64_t     last_flush_ms;
	bool        native_failed;  /* a program run by the pipeline exited non-zero */
} ev;

static int  ev_statement(ev *e, const ast *n, mv *out);
static int  ev_block(ev *e, const ast *blk, mv *out, bool propagate);
static int  ev_switch(ev *e, const ast *n, mv *out);
static int  ev_pipeline(ev *e, const ast *pl, mv *out);
static mv  *ev_expr(ev *e, const ast *n);

/* ---------- errors ---------- */

static mv *throwf(ev *e, const ast *at, const char *cat, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* ---------- stack ----------
 * Every recursive step of the evaluator (statement, expression, script
 * block call, member enumeration, index lists) checks how far below the
 * outermost evaluation's frame it is; past the session's stack budget it
 * throws InsufficientExecutionStack (as .NET does) instead of overflowing.
 * The parser already refuses trees taller than it can walk; this bounds what
 * recursion at run time adds on top (functions calling functions, script
 * blocks run by cmdlets, ...). */

static bool stack_low(ev *e, const ast *at)
{
	const char *here = __builtin_frame_address(0);
	const char *base = e->s->stack_base;
	if (!base || here >= base || (size_t)(base - here) < e->s->stack_budget)
		return false;
	throwf(e, at, MGC_INVALIDOP, "InsufficientExecutionStack",
	       "Insufficient stack to continue executing the program safely. This can happen from having "
	       "too many functions on the call stack or function on the call stack using too much stack space.");
	e->fatal = true;   /* ends the script unless caught */
	return true;
}

/* Mark the start of the outermost evaluation; returns whether this call
 * did (and so must call stack_leave). */
static bool stack_enter(mg_session *s)
{
	if (s->stack_base)
		return false;
	s->stack_base = __builtin_frame_address(0);
	return true;
}

static void stack_leave(mg_session *s, bool mine)
{
	if (mine)
		s->stack_base = NULL;
}

/* Sizes that come from the input are checked against the session's limits
 * before anything is allocated: true (and an error thrown) when n is more
 * than max.  what names the thing ("string", "array"). */
static bool over_limit(ev *e, const ast *at, const char *what, unsigned long long n, size_t max)
{
	if (n <= max)
		return false;
	throwf(e, at, MGC_LIMIT, strcmp(what, "array") ? "StringTooLong" : "ArrayTooLarge",
	       "The %s would have %llu %s, more than the %zu migsh allows.", what, n,
	       strcmp(what, "array") ? "characters" : "items", max);
	return true;
}

static mv *throwf(ev *e, const ast *at, const char *cat, const char *id, const char *fmt, ...)
{
	if (e->has_err)
		return NULL;
	memset(&e->rec, 0, sizeof e->rec);
	e->rec.err.set = 1;
	snprintf(e->rec.err.category, sizeof e->rec.err.category, "%s", cat);
	snprintf(e->rec.err.id, sizeof e->rec.err.id, "%s", id);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->rec.err.msg, sizeof e->rec.err.msg, fmt, ap);
	va_end(ap);
	if (at && e->tree) {
		e->rec.src = e->tree->src;
		e->rec.srclen = e->tree->len;
		e->rec.origin = e->tree->origin;
		e->rec.pos = at->pos;
		e->rec.len = at->len;
	}
	e->has_err = true;
	return NULL;
}

static void throw_rec(ev *e, const mg_errrec *r)
{
	if (e->has_err)
		return;
	e->rec = *r;
	snprintf(e->cmd, sizeof e->cmd, "%s", r->cmdlet ? r->cmdlet : "");
	e->rec.cmdlet = r->cmdlet ? e->cmd : NULL;
	snprintf(e->target, sizeof e->target, "%s", r->target ? r->target : "");
	e->rec.target = r->target ? e->target : NULL;
	e->has_err = true;
}

static void report(ev *e)
{
	if (!e->has_err)
		return;
	if (mg_session_interrupted(e->s)) {
		/* Ctrl-C: back to the prompt quietly, like PowerShell */
		e->has_err = false;
		e->s->last_ok = false;
		return;
	}
	mg_errrec_report(e->s, &e->rec);
	e->has_err = false;
}

/* ---------- values ---------- */

/* 0 items -> $null, 1 -> the item, n -> the array (new reference). */
static mv *unwrap(mv *arr)
{
	size_t n = mv_count(arr);
	if (arr->kind != MV_ARRAY)
		return mv_ref(arr);
	if (n == 0)
		return mv_null();
	if (n == 1)
		return mv_ref(mv_index(arr, 0));
	return mv_ref(arr);
}

/* Append v to out the way a pipeline writes: arrays are unrolled. */
static void write_out(mv *out, mv *v)
{
	if (!out || !v)
		return;
	if (v->kind == MV_ARRAY) {
		for (size_t i = 0; i < v->u.arr.n; i++)
			mv_array_push(out, v->u.arr.items[i]);
	} else if (v->kind != MV_NULL) {
		mv_array_push(out, v);
	}
}

static mv *num_result(double d, bool as_int, long long i)
{
	return as_int ? mv_int(i) : mv_double(d);
}

/* ---------- script blocks ---------- */

typedef struct sbcode {
	ast_tree *tree;
	const ast *node;   /* N_SCRIPTBLOCK */
} sbcode;

static void sb_release(void *p)
{
	sbcode *c = p;
	ast_tree_unref(c->tree);
	free(c);
}

static mv *make_scriptblock(ev *e, const ast *n)
{
	sbcode *c = xmalloc(sizeof *c);
	c->tree = ast_tree_ref(e->tree);
	c->node = n;
	const ast *textnode = n->kind == N_FUNCDEF ? n->kids[0] : n;
	char *text = xstrndup(e->tree->src + textnode->pos, textnode->len);
	mv *v = mv_scriptblock(c, text, sb_release);
	free(text);
	return v;
}

static int run_scriptblock(ev *e, mv *block, mv *dollar_under, mv *args, mv *out)
{
	if (!block || block->kind != MV_SCRIPTBLOCK || block->u.sb.release != sb_release) {
		throwf(e, NULL, MGC_INVALIDARG, "NotAScriptBlock", "The value is not a script block.");
		return EV_ERR;
	}
	sbcode *c = block->u.sb.code;
	mg_session *s = e->s;
	if (s->depth > MAX_EVAL_DEPTH) {
		throwf(e, NULL, MGC_LIMIT, "CallDepthOverflow", "The script failed due to call depth overflow.");
		e->fatal = true;   /* ends the script (unless caught), as in PowerShell */
		return EV_ERR;
	}
	if (stack_low(e, NULL))
		return EV_ERR;
	mv *old_under = mg_var_get(s, "_");
	if (old_under)
		mv_ref(old_under);
	mv *old_args = mg_var_get(s, "args");
	if (old_args)
		mv_ref(old_args);
	if (dollar_under)
		mg_var_set(s, "_", dollar_under);
	if (args)
		mg_var_set(s, "args", args);
	ast_tree *saved = e->tree;
	e->tree = c->tree;
	s->depth++;
	const ast *body = c->node->kind == N_FUNCDEF ? c->node->kids[0]->kids[0] : c->node->kids[0];
	int rc = ev_block(e, body, out, false);
	s->depth--;
	e->tree = saved;
	if (dollar_under) {
		if (old_under)
			mg_var_set(s, "_", old_under);
		else
			mg_var_remove(s, "_");
	}
	if (args) {
		if (old_args)
			mg_var_set(s, "args", old_args);
		else
			mg_var_remove(s, "args");
	}
	mv_unref(old_under);
	mv_unref(old_args);
	if (rc == EV_RETURN)
		rc = EV_OK;
	return rc;
}

mv *mg_eval_scriptblock(mg_session *s, mv *block, mv *dollar_under, mv *args, mg_err *err)
{
	ev e;
	memset(&e, 0, sizeof e);
	e.s = s;
	mv *out = mv_array();
	bool mine = stack_enter(s);
	int rc = run_scriptblock(&e, block, dollar_under, args, out);
	stack_leave(s, mine);
	if (rc == EV_ERR) {
		mg_err_copy(err, &e.rec.err);
		mv_unref(out);
		return NULL;
	}
	if (rc == EV_EXIT) {
		mg_err_set(err, MGC_STOPPED, "ExitRequested", "exit was called in a script block.");
		mv_unref(out);
		return NULL;
	}
	return out;
}

/* ---------- variables ---------- */

static mv *get_var(ev *e, const char *name)
{
	mg_session *s = e->s;
	if (str_ieq(name, "true"))
		return mv_bool(true);
	if (str_ieq(name, "false"))
		return mv_bool(false);
	if (str_ieq(name, "null"))
		return mv_null();
	if (strcmp(name, "?") == 0)
		return mv_bool(s->last_ok);
	if (str_ieq(name, "Error"))
		return mv_ref(s->errors);
	if (str_ieq(name, "LASTEXITCODE"))
		return mv_int(s->last_exit_code);
	if (str_ieq(name, "PSItem"))
		name = "_";
	if (str_iprefix(name, "env:")) {
		const char *v = getenv(name + 4);
		return v ? mv_string(v) : mv_null();
	}
	if (str_iprefix(name, "global:") || str_iprefix(name, "script:"))
		name = strchr(name, ':') + 1;
	mv *v = mg_var_get(s, name);
	if (v)
		return mv_ref(v);
	if (str_ieq(name, "HOME")) {
		const char *h = getenv("HOME");
		return mv_string(h ? h : "");
	}
	if (str_ieq(name, "PWD")) {
		char buf[4096];
		return mv_string(getcwd(buf, sizeof buf) ? buf : ".");
	}
	if (str_ieq(name, "MIGSH_HOME"))
		return mv_string(s->home);
	/* preference variables read before anything set them: PowerShell 7's defaults */
	static const char *const prefs[][2] = {
		{ "ErrorActionPreference", "Continue" }, { "WarningPreference", "Continue" },
		{ "VerbosePreference", "SilentlyContinue" }, { "DebugPreference", "SilentlyContinue" },
		{ "InformationPreference", "SilentlyContinue" }, { "ProgressPreference", "Continue" },
		{ "ConfirmPreference", "High" },
	};
	for (size_t i = 0; i < sizeof prefs / sizeof prefs[0]; i++)
		if (str_ieq(name, prefs[i][0]))
			return mv_string(prefs[i][1]);
	if (str_ieq(name, "WhatIfPreference"))
		return mv_bool(false);
	return mv_null();
}

static int set_var(ev *e, const ast *at, const char *name, mv *val)
{
	if (str_ieq(name, "null"))
		return 0;   /* $null = ... discards */
	if (str_ieq(name, "true") || str_ieq(name, "false") || strcmp(name, "?") == 0 ||
	    str_ieq(name, "Error")) {
		throwf(e, at, MGC_WRITE, "VariableNotWritable", "Cannot overwrite variable %s because it is read-only or constant.", name);
		return -1;
	}
	if (str_iprefix(name, "global:") || str_iprefix(name, "script:"))
		name = strchr(name, ':') + 1;
	if (str_iprefix(name, "env:")) {
		char *sv = mv_to_string(val);
		setenv(name + 4, sv, 1);
		free(sv);
		return 0;
	}
	if (str_ieq(name, "LASTEXITCODE")) {
		long long n = 0;
		mv_to_ll(val, &n);
		e->s->last_exit_code = n;
		return 0;
	}
	mg_var_set(e->s, name, val);
	return 0;
}

/* ---------- members ---------- */

static mv *member_of(ev *e, const ast *at, mv *obj, const char *name);
static mv *member_enum(ev *e, const ast *at, mv *obj, const char *name, size_t *arrays);

static mv *member_scalar(ev *e, const ast *at, mv *obj, const char *name, bool *found)
{
	*found = true;
	switch (obj->kind) {
	case MV_OBJECT:
	case MV_HASH: {
		mv *v = mv_get(obj, name);
		if (v)
			return mv_ref(v);
		if (obj->kind == MV_HASH && (str_ieq(name, "Count") || str_ieq(name, "Length")))
			return mv_int((long long)obj->u.obj.n);
		if (obj->kind == MV_HASH && str_ieq(name, "Keys")) {
			mv *a = mv_array();
			for (size_t i = 0; i < obj->u.obj.n; i++)
				mv_array_push_take(a, mv_string(obj->u.obj.props[i].name));
			return a;
		}
		if (obj->kind == MV_HASH && str_ieq(name, "Values")) {
			mv *a = mv_array();
			for (size_t i = 0; i < obj->u.obj.n; i++)
				mv_array_push(a, obj->u.obj.props[i].val);
			return a;
		}
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int(1);
		if (obj->kind == MV_OBJECT && str_ieq(name, "PSObject"))
			return mv_ref(obj);
		break;
	}
	case MV_STRING:
		if (str_ieq(name, "Length"))
			return mv_int((long long)obj->u.str.len);
		if (str_ieq(name, "Count"))
			return mv_int(1);   /* every scalar counts as one item */
		break;
	case MV_BYTES:
		if (str_ieq(name, "Length") || str_ieq(name, "Count"))
			return mv_int((long long)obj->u.bytes.len);
		break;
	case MV_DATETIME: {
		time_t t = (time_t)obj->u.dt.sec;
		struct tm tm;
		localtime_r(&t, &tm);
		if (str_ieq(name, "Count"))
			return mv_int(1);
		if (str_ieq(name, "Year")) return mv_int(tm.tm_year + 1900);
		if (str_ieq(name, "Month")) return mv_int(tm.tm_mon + 1);
		if (str_ieq(name, "Day")) return mv_int(tm.tm_mday);
		if (str_ieq(name, "Hour")) return mv_int(tm.tm_hour);
		if (str_ieq(name, "Minute")) return mv_int(tm.tm_min);
		if (str_ieq(name, "Second")) return mv_int(tm.tm_sec);
		if (str_ieq(name, "DayOfWeek")) {
			static const char *const days[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };
			return mv_string(days[tm.tm_wday]);
		}
		break;
	}
	case MV_TIMESPAN:
	case MV_SIZE: {
		long long ms = obj->u.i;
		if (obj->kind == MV_SIZE) {
			if (str_ieq(name, "Value") || str_ieq(name, "Bytes"))
				return mv_int(ms);
			break;
		}
		if (str_ieq(name, "TotalMilliseconds")) return mv_double((double)ms);
		if (str_ieq(name, "TotalSeconds")) return mv_double(ms / 1000.0);
		if (str_ieq(name, "TotalMinutes")) return mv_double(ms / 60000.0);
		if (str_ieq(name, "TotalHours")) return mv_double(ms / 3600000.0);
		if (str_ieq(name, "TotalDays")) return mv_double(ms / 86400000.0);
		if (str_ieq(name, "Days")) return mv_int(ms / 86400000);
		if (str_ieq(name, "Hours")) return mv_int(ms / 3600000 % 24);
		if (str_ieq(name, "Minutes")) return mv_int(ms / 60000 % 60);
		if (str_ieq(name, "Seconds")) return mv_int(ms / 1000 % 60);
		if (str_ieq(name, "Milliseconds")) return mv_int(ms % 1000);
		break;
	}
	case MV_NULL:
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int(0);
		break;
	default:
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int(1);
		break;
	}
	(void)e;
	(void)at;
	*found = false;
	return mv_null();
}

/* member enumeration visits at most this many nested arrays (an array that
 * holds itself twice would otherwise take exponential time) */
#define MEMBER_ARRAYS 100000

static mv *member_of(ev *e, const ast *at, mv *obj, const char *name)
{
	size_t arrays = MEMBER_ARRAYS;
	return member_enum(e, at, obj, name, &arrays);
}

static mv *member_enum(ev *e, const ast *at, mv *obj, const char *name, size_t *arrays)
{
	if (obj->kind == MV_ARRAY) {
		if (stack_low(e, at))
			return NULL;
		if (*arrays == 0)
			return throwf(e, at, MGC_LIMIT, "MemberEnumerationTooLarge",
			              "Cannot get '%s' of each item: the arrays nest more than %d times.",
			              name, MEMBER_ARRAYS);
		--*arrays;
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int((long long)obj->u.arr.n);
		/* member enumeration: each item's value, flattened */
		mv *res = mv_array();
		for (size_t i = 0; i < obj->u.arr.n; i++) {
			bool found;
			mv *v = obj->u.arr.items[i]->kind == MV_ARRAY
			        ? member_enum(e, at, obj->u.arr.items[i], name, arrays)
			        : member_scalar(e, at, obj->u.arr.items[i], name, &found);
			if (!v) {
				mv_unref(res);
				return NULL;
			}
			if (v->kind == MV_ARRAY) {
				for (size_t k = 0; k < v->u.arr.n; k++)
					mv_array_push(res, v->u.arr.items[k]);
			} else if (v->kind != MV_NULL) {
				mv_array_push(res, v);
			}
			mv_unref(v);
		}
		mv *r = res->u.arr.n == 1 ? mv_ref(res->u.arr.items[0]) : mv_ref(res);
		if (res->u.arr.n == 0) {
			mv_unref(r);
			r = mv_null();
		}
		mv_unref(res);
		return r;
	}
	bool found;
	return member_scalar(e, at, obj, name, &found);
}

/* ---------- static calls and casts ---------- */

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
		throwf(e, at, MGC_NOTFOUND, "FileNotFoundException", "Exception calling \"%s\" with \"1\" argument(s): %s",
		       bytes ? "ReadAllBytes" : "ReadAllText", err.msg);
		return NULL;
	}
	char *data;
	size_t len;
	if (mg_read_file(local, MAX_FILE_BYTES, &data, &len, &err) < 0) {
		free(path);
		free(local);
		throwf(e, at, MGC_READ, "IOException", "Exception calling \"%s\" with \"1\" argument(s): %s",
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

static mv *cast_to(ev *e, const ast *at, const char *type, mv *v);

static mv *static_call(ev *e, const ast *n, const char *type, const char *method, mv **args, size_t nargs)
{
	const char *t = norm_type(type);
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
		return cast_to(e, n, "datetime", args[0]);
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
					return throwf(e, n, MGC_INVALIDARG, "MethodArgumentConversionInvalidCastArgument",
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
			over = over_limit(e, n, "string", (unsigned long long)sb.len + strlen(sep) + strlen(it), e->s->max_string);
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
	return throwf(e, n, MGC_INVALIDOP, "MethodNotFound",
	              "Method invocation failed because [%s] does not contain a method named '%s'.", type, method);
}

static mv *static_member(ev *e, const ast *n, const char *type, const char *name)
{
	const char *t = norm_type(type);
	if (str_ieq(t, "DateTime") && str_ieq(name, "Now"))
		return mv_datetime_now();
	if (str_ieq(t, "DateTime") && str_ieq(name, "UtcNow"))
		return mv_datetime_now();
	if ((str_ieq(t, "int") || str_ieq(t, "Int32")) && str_ieq(name, "MaxValue"))
		return mv_int(2147483647);
	if ((str_ieq(t, "int") || str_ieq(t, "Int32")) && str_ieq(name, "MinValue"))
		return mv_int(-2147483647 - 1);
	if (str_ieq(t, "String") && str_ieq(name, "Empty"))
		return mv_string("");
	return throwf(e, n, MGC_INVALIDOP, "PropertyNotFound", "The property '%s' cannot be found on type [%s].", name, type);
}

static mv *cast_to(ev *e, const ast *at, const char *type, mv *v)
{
	const char *t = norm_type(type);
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
		throwf(e, at, MGC_INVALIDARG, "InvalidCastFromStringToInteger",
		       "Cannot convert value \"%s\" to type \"System.%s\". Error: \"Input string was not in a correct format.\"",
		       sv, str_ieq(t, "long") || str_ieq(t, "Int64") ? "Int64" : "Int32");
		free(sv);
		return NULL;
	}
	if (str_ieq(t, "double") || str_ieq(t, "decimal") || str_ieq(t, "float")) {
		double d;
		if (mv_to_double(v, &d) == 0)
			return mv_double(d);
		return throwf(e, at, MGC_INVALIDARG, "InvalidCastToDouble", "Cannot convert the value to type \"System.Double\".");
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
		throwf(e, at, MGC_INVALIDARG, "InvalidCastParseTargetInvocation",
		       "Cannot convert value \"%s\" to type \"System.DateTime\". Give a date such as \"3/14/2025 10:00 PM\".", sv);
		free(sv);
		return NULL;
	}
	if (str_ieq(t, "timespan")) {
		mg_param p = { "TimeSpan", MPT_TIMESPAN, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL };
		mg_err err;
		mv *r = mg_convert_arg(&p, v, &err);
		if (!r)
			throwf(e, at, MGC_INVALIDARG, "InvalidCast", "%s", err.msg);
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
	if (str_ieq(t, "byte[]")) {
		mg_param p = { "Byte[]", MPT_BYTES, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL };
		if (v->kind == MV_STRING)
			return mv_bytes(v->u.str.s, v->u.str.len);
		mg_err err;
		mv *r = mg_convert_arg(&p, v, &err);
		if (!r)
			throwf(e, at, MGC_INVALIDARG, "InvalidCast", "%s", err.msg);
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
		return throwf(e, at, MGC_INVALIDARG, "InvalidCast", "Cannot convert the value to type \"System.Collections.Hashtable\".");
	}
	if (str_ieq(t, "object") || str_ieq(t, "void"))
		return str_ieq(t, "void") ? mv_null() : mv_ref(v);
	if (str_ieq(t, "scriptblock") && v->kind == MV_SCRIPTBLOCK)
		return mv_ref(v);
	return throwf(e, at, MGC_INVALIDOP, "TypeNotFound", "Unable to find type [%s].", type);
}

static bool type_is(const char *type, const mv *v)
{
	const char *t = norm_type(type);
	switch (v->kind) {
	case MV_STRING: return str_ieq(t, "string") || str_ieq(t, "object");
	case MV_INT: return str_ieq(t, "int") || str_ieq(t, "Int32") || str_ieq(t, "long") || str_ieq(t, "Int64") ||
	                    str_ieq(t, "ValueType") || str_ieq(t, "object");
	case MV_DOUBLE: return str_ieq(t, "double") || str_ieq(t, "ValueType") || str_ieq(t, "object");
	case MV_BOOL: return str_ieq(t, "bool") || str_ieq(t, "Boolean") || str_ieq(t, "object");
	case MV_ARRAY: return str_ieq(t, "array") || str_ieq(t, "object[]") || str_ieq(t, "object");
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

/* ---------- instance methods ---------- */

static mv *call_method(ev *e, const ast *n, mv *obj, const char *m, mv **args, size_t nargs)
{
	if (obj->kind == MV_SCRIPTBLOCK && (str_ieq(m, "Invoke") || str_ieq(m, "InvokeReturnAsIs"))) {
		mv *a = mv_array();
		for (size_t i = 0; i < nargs; i++)
			mv_array_push(a, args[i]);
		mv *out = mv_array();
		int rc = run_scriptblock(e, obj, NULL, a, out);
		mv_unref(a);
		mv *r = rc == EV_OK ? unwrap(out) : NULL;
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
			return throwf(e, n, MGC_INVALIDOP, "FormatException",
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
				throwf(e, n, MGC_INVALIDARG, "ArgumentOutOfRangeException",
				       "Exception calling \"%s\": the total width must be a number of 0 or more.", m);
			} else if (!over_limit(e, n, "string", (unsigned long long)w, e->s->max_string)) {
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
				throwf(e, n, MGC_INVALIDARG, "ArgumentOutOfRangeException",
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
	return throwf(e, n, MGC_INVALIDOP, "MethodNotFound",
	              "Method invocation failed because [%s] does not contain a method named '%s'.",
	              mv_kind_name(obj), m);
}

/* ---------- operators ---------- */

static bool regex_match(ev *e, const ast *at, const char *s, const char *pat, bool icase, bool set_matches, bool *ok)
{
	regex_t re;
	*ok = true;
	unsigned noncap;
	int rc = mg_regcomp_net(&re, pat, icase, 0, &noncap);
	if (rc != 0) {
		throwf(e, at, MGC_INVALIDOP, "InvalidRegularExpression",
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
		return throwf(e, at, MGC_INVALIDOP, "InvalidRegularExpression",
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
		if (over_limit(e, at, "string", (unsigned long long)sb.len + strlen(p), e->s->max_string)) {
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
static int compare_one(ev *e, const ast *at, const char *op, mv *l, mv *r, bool icase)
{
	if (!strcmp(op, "eq")) return mv_equal(l, r, icase);
	if (!strcmp(op, "ne")) return !mv_equal(l, r, icase);
	if (!strcmp(op, "gt") || !strcmp(op, "ge") || !strcmp(op, "lt") || !strcmp(op, "le")) {
		bool comparable;
		int c = mv_compare(l, r, icase, &comparable);
		if (!comparable) {
			if (l->kind == MV_NULL || r->kind == MV_NULL)
				c = l->kind == MV_NULL ? (r->kind == MV_NULL ? 0 : -1) : 1;
			else {
				throwf(e, at, MGC_INVALIDOP, "ComparisonFailure",
				       "Cannot compare \"%s\" because it is not IComparable.", mv_kind_name(l));
				return -1;
			}
		}
		if (!strcmp(op, "gt")) return c > 0;
		if (!strcmp(op, "ge")) return c >= 0;
		if (!strcmp(op, "lt")) return c < 0;
		return c <= 0;
	}
	if (!strcmp(op, "like") || !strcmp(op, "notlike")) {
		char *ls = mv_to_string(l), *rs = mv_to_string(r);
		bool m = str_wildcard(rs, ls, icase);
		free(ls);
		free(rs);
		return op[0] == 'n' ? !m : m;
	}
	if (!strcmp(op, "match") || !strcmp(op, "notmatch")) {
		char *ls = mv_to_string(l), *rs = mv_to_string(r);
		bool ok;
		bool m = regex_match(e, at, ls, rs, icase, true, &ok);
		free(ls);
		free(rs);
		if (!ok)
			return -1;
		return op[0] == 'n' ? !m : m;
	}
	return 0;
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
	return throwf(e, at, MGC_INVALIDOP, "FormatError", "Error formatting a string: %s.", why);
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
		if (over_limit(e, at, "string", sb.len, e->s->max_string)) {
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

static mv *arith(ev *e, const ast *n, const char *op, mv *l, mv *r)
{
	if (!strcmp(op, "+")) {
		if (l->kind == MV_ARRAY) {
			if (over_limit(e, n, "array", (unsigned long long)l->u.arr.n + mv_count(r), e->s->max_items))
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
			if (over_limit(e, n, "string", (unsigned long long)l->u.str.len + rl, e->s->max_string)) {
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
	if (!strcmp(op, "*") && (l->kind == MV_STRING || l->kind == MV_ARRAY)) {
		/* 'ab' * 3 repeats the string, @(1,2) * 3 the array */
		long long k;
		if (mv_to_ll(r, &k) == 0 && k >= 0) {
			bool str = l->kind == MV_STRING;
			size_t unit = str ? l->u.str.len : l->u.arr.n;
			unsigned long long total;
			if (__builtin_mul_overflow((unsigned long long)unit, (unsigned long long)k, &total))
				total = ULLONG_MAX;
			if (over_limit(e, n, str ? "string" : "array", total, str ? e->s->max_string : e->s->max_items))
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
	if (l->kind == MV_DATETIME && r->kind == MV_DATETIME && !strcmp(op, "-"))
		return mv_timespan_ms((l->u.dt.sec - r->u.dt.sec) * 1000 + (l->u.dt.usec - r->u.dt.usec) / 1000);
	double a = 0, b = 0;
	long long ai = 0, bi = 0;
	bool lnull = l->kind == MV_NULL;   /* $null + 1 = 1 */
	bool ok = (lnull || mv_to_double(l, &a) == 0) && mv_to_double(r, &b) == 0;
	bool ints = ok && (lnull || mv_to_ll(l, &ai) == 0) && mv_to_ll(r, &bi) == 0 &&
	            l->kind != MV_DOUBLE && r->kind != MV_DOUBLE && floor(a) == a && floor(b) == b;
	if (!ok || l->kind == MV_ARRAY || r->kind == MV_ARRAY || l->kind == MV_HASH) {
		return throwf(e, n, MGC_INVALIDOP, "OperatorFailed",
		              "The operator '%s' cannot be applied to values of type [%s] and [%s].", op,
		              mv_kind_name(l), mv_kind_name(r));
	}
	/* integer results unless they overflow (then double, like PowerShell) */
	long long ri = 0;
	bool ovf = false;
	if (!strcmp(op, "+")) {
		ovf = __builtin_add_overflow(ai, bi, &ri);
		return num_result(a + b, ints && !ovf, ri);
	}
	if (!strcmp(op, "-")) {
		ovf = __builtin_sub_overflow(ai, bi, &ri);
		return num_result(a - b, ints && !ovf, ri);
	}
	if (!strcmp(op, "*")) {
		ovf = __builtin_mul_overflow(ai, bi, &ri);
		return num_result(a * b, ints && !ovf, ri);
	}
	if (b == 0)
		return throwf(e, n, MGC_NOTSPECIFIED, "RuntimeException", "Attempted to divide by zero.");
	if (ints && bi == -1 && ai == LLONG_MIN)
		ints = false;
	if (!strcmp(op, "/")) return ints && ai % bi == 0 ? mv_int(ai / bi) : mv_double(a / b);
	if (!strcmp(op, "%")) return ints ? mv_int(ai % bi) : mv_double(fmod(a, b));
	return throwf(e, n, MGC_INVALIDOP, "OperatorFailed", "Unknown operator '%s'.", op);
}

static mv *binop(ev *e, const ast *n)
{
	const char *op = n->str;
	if (!strcmp(op, "and") || !strcmp(op, "or")) {
		mv *l = ev_expr(e, n->kids[0]);
		if (!l)
			return NULL;
		bool lt = mv_truthy(l);
		mv_unref(l);
		if (op[0] == 'a' ? !lt : lt)
			return mv_bool(lt);
		mv *r = ev_expr(e, n->kids[1]);
		if (!r)
			return NULL;
		bool rt = mv_truthy(r);
		mv_unref(r);
		return mv_bool(rt);
	}
	if ((!strcmp(op, "is") || !strcmp(op, "isnot") || !strcmp(op, "as")) && n->kids[1]->kind == N_TYPE) {
		mv *l = ev_expr(e, n->kids[0]);
		if (!l)
			return NULL;
		mv *res;
		if (!strcmp(op, "as")) {
			res = cast_to(e, n, n->kids[1]->str, l);
			if (!res) {
				e->has_err = false;
				res = mv_null();
			}
		} else {
			bool t = type_is(n->kids[1]->str, l);
			res = mv_bool(op[2] == 'n' ? !t : t);
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
	bool icase = true;
	const char *base = op;
	size_t ol = strlen(op);
	if (ol > 2 && (op[0] == 'c' || op[0] == 'i') && strcmp(op, "contains") && strcmp(op, "in") && strcmp(op, "is") &&
	    strcmp(op, "isnot")) {
		icase = op[0] == 'i';
		base = op + 1;
	}
	if (!strcmp(base, "eq") || !strcmp(base, "ne") || !strcmp(base, "gt") || !strcmp(base, "ge") ||
	    !strcmp(base, "lt") || !strcmp(base, "le") || !strcmp(base, "like") || !strcmp(base, "notlike") ||
	    !strcmp(base, "match") || !strcmp(base, "notmatch")) {
		if (l->kind == MV_ARRAY) {
			/* filter: the items for which the comparison holds */
			res = mv_array();
			for (size_t i = 0; i < l->u.arr.n; i++) {
				int c = compare_one(e, n, base, l->u.arr.items[i], r, icase);
				if (c < 0) {
					mv_unref(res);
					res = NULL;
					break;
				}
				if (c)
					mv_array_push(res, l->u.arr.items[i]);
			}
		} else {
			int c = compare_one(e, n, base, l, r, icase);
			res = c < 0 ? NULL : mv_bool(c);
		}
	} else if (!strcmp(base, "contains") || !strcmp(base, "notcontains")) {
		bool c = collection_contains(l, r, icase);
		res = mv_bool(base[0] == 'n' ? !c : c);
	} else if (!strcmp(base, "in") || !strcmp(base, "notin")) {
		bool c = collection_contains(r, l, icase);
		res = mv_bool(base[0] == 'n' ? !c : c);
	} else if (!strcmp(base, "replace")) {
		mv *pat = r->kind == MV_ARRAY ? mv_index(r, 0) : r;
		mv *rep = r->kind == MV_ARRAY ? mv_index(r, 1) : NULL;
		char *ls = mv_to_string(l), *ps = pat ? mv_to_string(pat) : xstrdup(""),
		     *rs = rep ? mv_to_string(rep) : xstrdup("");
		res = regex_replace(e, n, ls, ps, rs, icase);
		free(ls);
		free(ps);
		free(rs);
	} else if (!strcmp(base, "split")) {
		char *ls = mv_to_string(l), *ps = mv_to_string(r);
		res = mv_array();
		regex_t re;
		if (mg_regcomp_net(&re, ps, true, 0, NULL) != 0) {
			mv_unref(res);
			res = throwf(e, n, MGC_INVALIDOP, "InvalidRegularExpression",
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
	} else if (!strcmp(base, "join")) {
		char *sep = mv_to_string(r);
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "");
		size_t cnt = l->kind == MV_ARRAY ? l->u.arr.n : 1, seplen = strlen(sep);
		bool over = false;
		for (size_t i = 0; i < cnt && !over; i++) {
			char *it = mv_to_string(l->kind == MV_ARRAY ? l->u.arr.items[i] : l);
			over = over_limit(e, n, "string", (unsigned long long)sb.len + (i ? seplen : 0) + strlen(it),
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
	} else if (!strcmp(base, "f")) {
		res = format_op(e, n, l, r);
	} else if (!strcmp(base, "band") || !strcmp(base, "bor")) {
		long long a = 0, b = 0;
		mv_to_ll(l, &a);
		mv_to_ll(r, &b);
		res = mv_int(base[1] == 'a' ? (a & b) : (a | b));
	} else if (!strcmp(op, "xor")) {
		res = mv_bool(mv_truthy(l) != mv_truthy(r));
	} else if (!strcmp(op, "is") || !strcmp(op, "isnot") || !strcmp(op, "as")) {
		char *tn = mv_to_string(r);
		bool t = type_is(tn, l);
		res = !strcmp(op, "as") ? (t ? mv_ref(l) : mv_null()) : mv_bool(op[2] == 'n' ? !t : t);
		free(tn);
	} else {
		res = arith(e, n, op, l, r);
	}
	mv_unref(l);
	mv_unref(r);
	return res;
}

/* ---------- expressions ---------- */

static mv *eval_collect_block(ev *e, const ast *blk, bool force_array)
{
	mv *out = mv_array();
	int rc = ev_block(e, blk, out, true);
	if (rc != EV_OK) {
		mv_unref(out);
		return NULL;
	}
	if (force_array)
		return out;
	mv *r = unwrap(out);
	mv_unref(out);
	return r;
}

static mv *index_value(ev *e, const ast *n, mv *obj, mv *idx)
{
	if (idx->kind == MV_ARRAY) {
		if (stack_low(e, n))
			return NULL;
		mv *res = mv_array();
		for (size_t i = 0; i < idx->u.arr.n; i++) {
			mv *v = index_value(e, n, obj, idx->u.arr.items[i]);
			if (!v) {
				mv_unref(res);
				return NULL;
			}
			if (v->kind != MV_NULL)
				mv_array_push(res, v);
			mv_unref(v);
		}
		return res;
	}
	if (obj->kind == MV_HASH || obj->kind == MV_OBJECT) {
		char *k = mv_to_string(idx);
		mv *v = mv_get(obj, k);
		free(k);
		return v ? mv_ref(v) : mv_null();
	}
	long long i;
	if (mv_to_ll(idx, &i) < 0)
		return throwf(e, n, MGC_INVALIDARG, "InvalidIndex", "Array index must be a number.");
	if (obj->kind == MV_ARRAY) {
		mv *v = mv_index(obj, i);
		return v ? mv_ref(v) : mv_null();
	}
	if (obj->kind == MV_STRING) {
		long long L = (long long)obj->u.str.len;
		if (i < 0)
			i += L;
		return i >= 0 && i < L ? mv_string_n(obj->u.str.s + i, 1) : mv_null();
	}
	if (obj->kind == MV_BYTES) {
		long long L = (long long)obj->u.bytes.len;
		if (i < 0)
			i += L;
		return i >= 0 && i < L ? mv_int(obj->u.bytes.p[i]) : mv_null();
	}
	if (obj->kind == MV_NULL)
		return throwf(e, n, MGC_INVALIDOP, "NullArray", "Cannot index into a null array.");
	if (i == 0 || i == -1)
		return mv_ref(obj);
	return mv_null();
}

static mv *ev_expr(ev *e, const ast *n)
{
	if (stack_low(e, n))
		return NULL;
	switch (n->kind) {
	case N_NUMBER:
		return n->is_int ? mv_int(n->inum) : mv_double(n->num);
	case N_STRING:
		return mv_string(n->str);
	case N_XSTRING: {
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "");
		for (size_t i = 0; i < n->nkids; i++) {
			const ast *k = n->kids[i];
			if (k->kind == N_STRING) {
				strbuf_adds(&sb, k->str);
				continue;
			}
			mv *v = ev_expr(e, k);
			if (!v) {
				strbuf_free(&sb);
				return NULL;
			}
			char *t = mv_to_string(v);
			strbuf_adds(&sb, t);
			free(t);
			mv_unref(v);
		}
		return mv_string_take(strbuf_detach(&sb, NULL));
	}
	case N_VAR:
		return get_var(e, n->str);
	case N_MEMBER: {
		if (n->kids[0]->kind == N_TYPE && (n->flags & AF_STATIC))
			return static_member(e, n, n->kids[0]->str, n->str);
		mv *obj = ev_expr(e, n->kids[0]);
		if (!obj)
			return NULL;
		char *name = n->str ? xstrdup(n->str) : NULL;
		if (!name) {
			mv *nv = ev_expr(e, n->kids[1]);
			if (!nv) {
				mv_unref(obj);
				return NULL;
			}
			name = mv_to_string(nv);
			mv_unref(nv);
		}
		mv *r = member_of(e, n, obj, name);
		free(name);
		mv_unref(obj);
		return r;
	}
	case N_INVOKE: {
		size_t na = n->nkids - 1;
		mv **args = xcalloc(na + 1, sizeof *args);
		mv *res = NULL;
		size_t got = 0;
		for (; got < na; got++) {
			args[got] = ev_expr(e, n->kids[got + 1]);
			if (!args[got])
				goto done;
		}
		if (n->kids[0]->kind == N_TYPE && (n->flags & AF_STATIC)) {
			res = static_call(e, n, n->kids[0]->str, n->str, args, na);
		} else {
			mv *obj = ev_expr(e, n->kids[0]);
			if (obj) {
				res = call_method(e, n, obj, n->str, args, na);
				mv_unref(obj);
			}
		}
	done:
		for (size_t i = 0; i < got; i++)
			mv_unref(args[i]);
		free(args);
		return res;
	}
	case N_INDEX: {
		mv *obj = ev_expr(e, n->kids[0]);
		if (!obj)
			return NULL;
		mv *idx = ev_expr(e, n->kids[1]);
		if (!idx) {
			mv_unref(obj);
			return NULL;
		}
		mv *r = index_value(e, n, obj, idx);
		mv_unref(obj);
		mv_unref(idx);
		return r;
	}
	case N_SUBEXPR:
		return eval_collect_block(e, n->kids[0], false);
	case N_ARRAYEXPR:
		return eval_collect_block(e, n->kids[0], true);
	case N_PAREN: {
		const ast *k = n->kids[0];
		if (k->kind == N_PIPELINE && k->nkids == 1 && k->kids[0]->kind != N_COMMAND)
			return ev_expr(e, k->kids[0]);
		mv *out = mv_array();
		int rc = ev_statement(e, k, out);
		if (rc != EV_OK) {
			mv_unref(out);
			return NULL;
		}
		if (k->kind == N_ASSIGN) {
			mv_unref(out);
			return ev_expr(e, k->kids[0]);
		}
		mv *r = unwrap(out);
		mv_unref(out);
		return r;
	}
	case N_HASH: {
		mv *h = mv_hash();
		for (size_t i = 0; i + 1 < n->nkids; i += 2) {
			mv *k = ev_expr(e, n->kids[i]);
			if (!k) {
				mv_unref(h);
				return NULL;
			}
			mv *out = mv_array();
			int rc = ev_statement(e, n->kids[i + 1], out);
			if (rc != EV_OK) {
				mv_unref(out);
				mv_unref(k);
				mv_unref(h);
				return NULL;
			}
			mv *v = n->kids[i + 1]->kind == N_PIPELINE && n->kids[i + 1]->nkids == 1 &&
			        n->kids[i + 1]->kids[0]->kind != N_COMMAND
			        ? NULL : unwrap(out);
			if (!v) {
				/* a plain expression keeps its value as is (arrays stay arrays) */
				v = ev_expr(e, n->kids[i + 1]->kids[0]);
				if (!v) {
					mv_unref(out);
					mv_unref(k);
					mv_unref(h);
					return NULL;
				}
			}
			mv_unref(out);
			char *ks = mv_to_string(k);
			mv_set_take(h, ks, v);
			free(ks);
			mv_unref(k);
		}
		return h;
	}
	case N_SCRIPTBLOCK:
		return make_scriptblock(e, n);
	case N_TYPE:
		return mv_string(n->str);
	case N_CAST: {
		mv *v = ev_expr(e, n->kids[0]);
		if (!v)
			return NULL;
		mv *r = cast_to(e, n, n->str, v);
		mv_unref(v);
		return r;
	}
	case N_ARRAY: {
		mv *a = mv_array();
		for (size_t i = 0; i < n->nkids; i++) {
			mv *v = ev_expr(e, n->kids[i]);
			if (!v) {
				mv_unref(a);
				return NULL;
			}
			mv_array_push_take(a, v);
		}
		return a;
	}
	case N_RANGE: {
		mv *l = ev_expr(e, n->kids[0]);
		mv *r = l ? ev_expr(e, n->kids[1]) : NULL;
		long long a, b;
		if (!l || !r || mv_to_ll(l, &a) < 0 || mv_to_ll(r, &b) < 0) {
			mv_unref(l);
			mv_unref(r);
			return e->has_err ? NULL : throwf(e, n, MGC_INVALIDARG, "RangeNotNumeric", "The range operator needs two numbers.");
		}
		mv_unref(l);
		mv_unref(r);
		unsigned long long span = a > b ? (unsigned long long)a - (unsigned long long)b
		                                : (unsigned long long)b - (unsigned long long)a;
		if (span > 1000000)
			return throwf(e, n, MGC_LIMIT, "RangeTooLarge", "The range is too large (more than 1,000,000 numbers).");
		if (over_limit(e, n, "array", span + 1, e->s->max_items))
			return NULL;
		mv *arr = mv_array();
		for (long long i = a;; i += a <= b ? 1 : -1) {
			mv_array_push_take(arr, mv_int(i));
			if (i == b)
				break;
		}
		return arr;
	}
	case N_UNOP: {
		mv *v = ev_expr(e, n->kids[0]);
		if (!v)
			return NULL;
		mv *r;
		if (!strcmp(n->str, "not")) {
			r = mv_bool(!mv_truthy(v));
		} else {
			mv *zero = mv_int(0);
			r = !strcmp(n->str, "-") ? arith(e, n, "-", zero, v) : arith(e, n, "+", zero, v);
			mv_unref(zero);
		}
		mv_unref(v);
		return r;
	}
	case N_BINOP:
		return binop(e, n);
	case N_PIPELINE:
	case N_ASSIGN:
	case N_IF:
	case N_FOREACH:
	case N_EXIT:
	case N_WHILE:
	case N_FOR:
	case N_BREAK:
	case N_TRY:
	case N_THROW:
	case N_REDIR:
		return throwf(e, n, MGC_PARSER, "UnexpectedRedirection", "A redirection cannot be used as a value.");
	case N_FUNCDEF:
	case N_SWITCH:
	case N_BLOCK: {
		mv *out = mv_array();
		int rc = n->kind == N_BLOCK ? ev_block(e, n, out, true) : ev_statement(e, n, out);
		mv *r = rc == EV_OK ? unwrap(out) : NULL;
		mv_unref(out);
		return r;
	}
	case N_COMMAND:
	case N_CMDPARAM:
		break;
	}
	return throwf(e, n, MGC_PARSER, "UnexpectedNode", "Cannot evaluate a %s here.", ast_kind_name(n->kind));
}

/* ---------- assignment ---------- */

/* The value of an assignment's right side or a foreach collection: a bare
 * expression is evaluated directly; a pipeline is run and its output
 * collected (unwrapped to a scalar / $null like an assignment when
 * unwrap_output).  *out gets a new reference; EV_OK, or the error code. */
static int ev_value(ev *e, const ast *pl, bool unwrap_output, mv **out)
{
	*out = NULL;
	if (pl->kind == N_PIPELINE && pl->nkids == 1 && pl->kids[0]->kind != N_COMMAND) {
		*out = ev_expr(e, pl->kids[0]);
		return *out ? EV_OK : EV_ERR;
	}
	mv *o = mv_array();
	int rc = ev_statement(e, pl, o);
	if (rc != EV_OK) {
		mv_unref(o);
		return rc;
	}
	if (!unwrap_output) {
		*out = o;
		return EV_OK;
	}
	*out = unwrap(o);
	mv_unref(o);
	return EV_OK;
}

static int assign_value(ev *e, const ast *n, const ast *target, mv *val);

static int assign(ev *e, const ast *n, mv *out)
{
	(void)out;
	const ast *target = n->kids[0];
	const ast *rhs = n->kids[1];
	mv *val;
	int vrc = ev_value(e, rhs, true, &val);
	if (vrc != EV_OK)
		return vrc;
	if (target->kind == N_ARRAY && !strcmp(n->str, "=")) {
		/* $a, $b = 1, 2, 3: each target takes one item, the last one the rest */
		size_t nt = target->nkids, nv = val->kind == MV_ARRAY ? val->u.arr.n : 1;
		int rc = EV_OK;
		for (size_t i = 0; i < nt && rc == EV_OK; i++) {
			mv *part;
			if (val->kind != MV_ARRAY) {
				part = i == 0 ? mv_ref(val) : mv_null();
			} else if (i + 1 < nt || nv <= nt) {
				part = i < nv ? mv_ref(val->u.arr.items[i]) : mv_null();
			} else {
				part = mv_array();
				for (size_t k = i; k < nv; k++)
					mv_array_push(part, val->u.arr.items[k]);
			}
			rc = assign_value(e, n, target->kids[i], part);
		}
		mv_unref(val);
		return rc;
	}
	return assign_value(e, n, target, val);
}

/* Store val (consumed) in target; for op= the current value is combined. */
static int assign_value(ev *e, const ast *n, const ast *target, mv *val)
{
	if (strcmp(n->str, "=") != 0) {
		mv *cur = ev_expr(e, target);
		if (!cur) {
			mv_unref(val);
			return EV_ERR;
		}
		char op[2] = { n->str[0], 0 };
		mv *nv = arith(e, n, op, cur, val);
		mv_unref(cur);
		mv_unref(val);
		if (!nv)
			return EV_ERR;
		val = nv;
	}
	if (target->kind == N_CAST) {
		mv *cv = cast_to(e, target, target->str, val);
		mv_unref(val);
		if (!cv)
			return EV_ERR;
		val = cv;
		target = target->kids[0];
	}
	int rc = EV_OK;
	if (target->kind == N_VAR) {
		if (set_var(e, target, target->str, val) < 0)
			rc = EV_ERR;
	} else if (target->kind == N_MEMBER && target->str) {
		mv *obj = ev_expr(e, target->kids[0]);
		if (!obj) {
			rc = EV_ERR;
		} else if (obj->kind == MV_HASH || obj->kind == MV_OBJECT) {
			mv_set(obj, target->str, val);
			mv_unref(obj);
		} else {
			throwf(e, target, MGC_INVALIDOP, "PropertyAssignmentException",
			       "The property '%s' cannot be found on this object. Verify that the property exists and can be set.",
			       target->str);
			mv_unref(obj);
			rc = EV_ERR;
		}
	} else if (target->kind == N_INDEX) {
		mv *obj = ev_expr(e, target->kids[0]);
		mv *idx = obj ? ev_expr(e, target->kids[1]) : NULL;
		if (!obj || !idx) {
			rc = EV_ERR;
		} else if (obj->kind == MV_HASH || obj->kind == MV_OBJECT) {
			char *k = mv_to_string(idx);
			mv_set(obj, k, val);
			free(k);
		} else if (obj->kind == MV_ARRAY) {
			long long i;
			if (mv_to_ll(idx, &i) < 0 || (i < 0 ? i + (long long)obj->u.arr.n : i) >= (long long)obj->u.arr.n ||
			    (i < 0 && i + (long long)obj->u.arr.n < 0)) {
				throwf(e, target, MGC_INVALIDOP, "IndexOutOfRange", "Index was outside the bounds of the array.");
				rc = EV_ERR;
			} else {
				if (i < 0)
					i += (long long)obj->u.arr.n;
				mv_unref(obj->u.arr.items[i]);
				obj->u.arr.items[i] = mv_ref(val);
			}
		} else {
			throwf(e, target, MGC_INVALIDOP, "CannotIndex", "Cannot index into a %s.", mv_kind_name(obj));
			rc = EV_ERR;
		}
		mv_unref(obj);
		mv_unref(idx);
	} else {
		throwf(e, target, MGC_PARSER, "InvalidLeftHandSide", "The assignment expression is not valid: "
		       "the left side must be a variable or a property.");
		rc = EV_ERR;
	}
	mv_unref(val);
	return rc;
}

/* ---------- commands and pipelines ---------- */

static bool looks_like_script(const char *name)
{
	size_t l = strlen(name);
	return (l > 4 && str_ieq(name + l - 4, ".ps1")) || strchr(name, '/') || strchr(name, '\\');
}

/* Run a program that is not PowerShell: $LASTEXITCODE gets its status, a
 * non-zero status fails the pipeline ($? False).  A confined session (the
 * fuzzer's) runs none. */
static int run_program(ev *e, const ast *cmd, const char *path, mv *args, mv *out)
{
	if (e->s->file_root) {
		throwf(e, cmd, MGC_PERMISSION, "ProgramNotAllowed", "This session does not run programs ('%s').", path);
		return EV_ERR;
	}
	mg_err err;
	mv *lines = mv_array();
	int st = mg_run_program(e->s, path, args, lines, &err);
	if (st < 0) {
		mv_unref(lines);
		throwf(e, cmd, err.category, err.id, "%s", err.msg);
		return EV_ERR;
	}
	write_out(out, lines);
	mv_unref(lines);
	e->s->last_exit_code = st;
	if (st != 0)
		e->native_failed = true;
	return EV_OK;
}

static int run_script_file(ev *e, const ast *cmd, const char *name, mv *args, mv *out)
{
	{
		/* /bin/echo hi: a program, not a script */
		size_t l = strlen(name);
		char *prog = l > 4 && str_ieq(name + l - 4, ".ps1") ? NULL : mg_find_program(name);
		if (prog) {
			int rc = run_program(e, cmd, prog, args, out);
			free(prog);
			return rc;
		}
	}
	char *path = xstrdup(name);
	for (char *q = path; *q; q++)
		if (*q == '\\')
			*q = '/';
	char *data;
	size_t len;
	mg_err err;
	if (!mg_path_confined(e->s, path) || mg_read_file(path, MAX_FILE_BYTES, &data, &len, &err) < 0) {
		free(path);
		mg_command_not_found(e->s, name, &err);
		throwf(e, cmd, err.category, err.id, "%s", err.msg);
		return EV_ERR;
	}
	if (mg_is_binary(data, len)) {
		free(data);
		free(path);
		throwf(e, cmd, MGC_INVALIDDATA, "NotAScript",
		       "'%s' is a binary file, not a PowerShell script, and it is not executable; migsh does not run it.",
		       name);
		return EV_ERR;
	}
	mv *old_args = mg_var_get(e->s, "args");
	if (old_args)
		mv_ref(old_args);
	mg_var_set(e->s, "args", args);
	mv *res = NULL;
	int st = mg_run_collect(e->s, data, len, path, &res);
	if (old_args) {
		mg_var_set(e->s, "args", old_args);
		mv_unref(old_args);
	} else {
		mg_var_remove(e->s, "args");
	}
	write_out(out, res);
	mv_unref(res);
	free(data);
	free(path);
	if (e->s->exit_requested) {   /* exit in a called script ends only that script */
		e->s->exit_requested = false;
		e->s->last_exit_code = e->s->exit_code;
	}
	return st == MG_RUN_OK ? EV_OK : EV_OK;
}

typedef struct cmdargs {
	mg_rawarg *a;
	size_t n, cap;
	mv **vals;       /* owned values */
	size_t nv, capv;
	char **names;    /* owned parameter names (from splatting) */
	size_t nn, capn;
} cmdargs;

static void cmdargs_free(cmdargs *c)
{
	for (size_t i = 0; i < c->nv; i++)
		mv_unref(c->vals[i]);
	free(c->vals);
	for (size_t i = 0; i < c->nn; i++)
		free(c->names[i]);
	free(c->names);
	free(c->a);
}

static const char *keep_name(cmdargs *c, const char *name)
{
	GROW(c->names, c->capn, c->nn + 1);
	c->names[c->nn] = xstrdup(name);
	return c->names[c->nn++];
}

static mv *keep(cmdargs *c, mv *v)
{
	GROW(c->vals, c->capv, c->nv + 1);
	c->vals[c->nv++] = v;
	return v;
}

static int eval_cmdargs(ev *e, const ast *cmd, size_t first, cmdargs *c)
{
	for (size_t i = first; i < cmd->nkids; i++) {
		const ast *k = cmd->kids[i];
		if (k->kind == N_REDIR)
			continue;   /* applied around the whole pipeline (redir_begin) */
		GROW(c->a, c->cap, c->n + 1);
		mg_rawarg *ra = &c->a[c->n];
		memset(ra, 0, sizeof *ra);
		if (k->kind == N_CMDPARAM) {
			ra->name = k->str;
			ra->pos = k->pos;
			ra->len = k->len;
			ra->colon = k->nkids > 0;
			if (k->nkids) {
				mv *v = ev_expr(e, k->kids[0]);
				if (!v)
					return -1;
				ra->val = keep(c, v);
				ra->vpos = k->kids[0]->pos;
				ra->vlen = k->kids[0]->len;
				if (k->kids[0]->kind == N_NUMBER)
					ra->numtext = k->kids[0]->str;
			}
		} else if (k->kind == N_VAR && (k->flags & AF_SPLAT)) {
			/* @h: each key = value becomes -key:value; @a: each item a positional value */
			mv *v = keep(c, get_var(e, k->str));
			size_t cnt = v->kind == MV_HASH || v->kind == MV_OBJECT ? v->u.obj.n :
			             v->kind == MV_ARRAY ? v->u.arr.n : v->kind == MV_NULL ? 0 : 1;
			for (size_t j = 0; j < cnt; j++) {
				GROW(c->a, c->cap, c->n + 1);
				ra = &c->a[c->n];
				memset(ra, 0, sizeof *ra);
				ra->pos = ra->vpos = k->pos;
				ra->len = ra->vlen = k->len;
				if (v->kind == MV_HASH || v->kind == MV_OBJECT) {
					ra->name = keep_name(c, v->u.obj.props[j].name);
					ra->val = v->u.obj.props[j].val;
					ra->colon = true;
				} else {
					ra->val = v->kind == MV_ARRAY ? v->u.arr.items[j] : v;
				}
				c->n++;
			}
			continue;
		} else {
			mv *v = ev_expr(e, k);
			if (!v)
				return -1;
			ra->val = keep(c, v);
			ra->pos = ra->vpos = k->pos;
			ra->len = ra->vlen = k->len;
			if (k->kind == N_NUMBER)
				ra->numtext = k->str;
		}
		c->n++;
	}
	return 0;
}

/* Command-line arguments for a script: -Name, -Name:value as one word, values. */
static void script_args(const cmdargs *ca, mv *args)
{
	for (size_t i = 0; i < ca->n; i++) {
		if (ca->a[i].name && ca->a[i].colon) {
			char *v = mv_to_string(ca->a[i].val);
			mv_array_push_take(args, mv_stringf("-%s:%s", ca->a[i].name, v));
			free(v);
			continue;
		}
		if (ca->a[i].name)
			mv_array_push_take(args, mv_stringf("-%s", ca->a[i].name));
		if (ca->a[i].val)
			mv_array_push(args, ca->a[i].val);
	}
}

/* Run a script file (program == false) or a program with the command's
 * arguments from position skip on: the three ways a command name can name
 * something outside the shell. */
static int run_outside(ev *e, const ast *c, size_t skip, bool program, const char *path, mv *sink)
{
	cmdargs ca;
	memset(&ca, 0, sizeof ca);
	if (eval_cmdargs(e, c, skip, &ca) < 0) {
		cmdargs_free(&ca);
		return EV_ERR;
	}
	mv *args = mv_array();
	script_args(&ca, args);
	int rc = program ? run_program(e, c, path, args, sink) : run_script_file(e, c, path, args, sink);
	mv_unref(args);
	cmdargs_free(&ca);
	return rc;
}

static const mg_cmdlet *resolve_cmdlet(ev *e, const char *name)
{
	const mg_cmdlet *c = mg_session_find_cmdlet(e->s, name);
	if (c)
		return c;
	if (!strchr(name, '-')) {
		char buf[256];
		snprintf(buf, sizeof buf, "Get-%s", name);
		return mg_session_find_cmdlet(e->s, buf);
	}
	return NULL;
}

static void stage_destroy(mg_stage *st)
{
	if (st->ctx.cmd && st->ctx.cmd->cleanup && st->ctx.state)
		st->ctx.cmd->cleanup(&st->ctx);
	free(st->ctx.state);
	if (st->have_cur)
		mg_bound_clear(&st->cur);
	mg_bound_clear(&st->base);
	mg_stage_free_tmp(st);
	free(st->tmp_strs);
	mv_unref(st->outvar);
	mv_unref(st->errvar);
	mv_unref(st->warnvar);
}

/* Store a -OutVariable / -ErrorVariable collection ("+name" appends). */
static void store_var(mg_session *s, const char *name, mv *coll)
{
	if (!name || !coll)
		return;
	if (name[0] == '+') {
		name++;
		mv *cur = mg_var_get(s, name);
		mv *n = mv_array();
		if (cur && cur->kind == MV_ARRAY)
			for (size_t i = 0; i < cur->u.arr.n; i++)
				mv_array_push(n, cur->u.arr.items[i]);
		else if (cur && cur->kind != MV_NULL)
			mv_array_push(n, cur);
		for (size_t i = 0; i < coll->u.arr.n; i++)
			mv_array_push(n, coll->u.arr.items[i]);
		mg_var_set_take(s, name, n);
		return;
	}
	mg_var_set(s, name, coll);
}

/* $ErrorActionPreference / $WarningPreference / $VerbosePreference apply
 * when the command line does not say otherwise. */
static int preference(mg_session *s, const char *var, int dflt)
{
	mv *v = mg_var_get(s, var);
	if (!v || v->kind != MV_STRING)
		return dflt;
	const char *t = v->u.str.s;
	if (str_ieq(t, "Stop")) return MG_EA_STOP;
	if (str_ieq(t, "SilentlyContinue")) return MG_EA_SILENT;
	if (str_ieq(t, "Ignore")) return MG_EA_IGNORE;
	if (str_ieq(t, "Inquire")) return MG_EA_INQUIRE;
	if (str_ieq(t, "Continue")) return MG_EA_CONTINUE;
	return dflt;
}

static void apply_preferences(mg_session *s, mg_bound *b)
{
	if (!mg_bound_get(b, "ErrorAction"))
		b->error_action = preference(s, "ErrorActionPreference", MG_EA_CONTINUE);
	if (!mg_bound_get(b, "WarningAction"))
		b->warning_action = preference(s, "WarningPreference", MG_EA_CONTINUE);
	if (!mg_bound_get(b, "Verbose"))
		b->verbose = preference(s, "VerbosePreference", MG_EA_SILENT) == MG_EA_CONTINUE;
}

/* $ErrorActionPreference = 'Stop': any error ends the script. */
static bool stop_on_error(mg_session *s)
{
	return preference(s, "ErrorActionPreference", MG_EA_CONTINUE) == MG_EA_STOP;
}

static int run_block_element(ev *e, mv *block, mv *args, mv *out)
{
	return run_scriptblock(e, block, NULL, args, out);
}

static mv *find_function(ev *e, const char *name)
{
	if (!name)
		return NULL;
	char *key = xasprintf("function:%s", name);
	mv *v = mg_var_get(e->s, key);
	free(key);
	return v && v->kind == MV_SCRIPTBLOCK && v->u.sb.release == sb_release ? v : NULL;
}

/* Bind arguments to the parameters of a function or script: -Name value,
 * -Name:value, [switch] names, unique prefixes; positional values fill the
 * remaining parameters in order; the rest go to *rest ($args).  vals[k]
 * gets a new reference or stays NULL.  Errors are thrown (who = the name
 * shown in the record). */
static int bind_params(ev *e, const ast *const *prm, size_t np, const mg_rawarg *a, size_t n,
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
			throw_rec(e, &r);
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
			throwf(e, at, MGC_INVALIDARG, "MissingArgument",
			       "Missing an argument for parameter '%s'. Specify a parameter of type 'System.Object' and try again.",
			       prm[hit]->str);
			return -1;
		}
	}
	return 0;
}

/* Set parameter variables (defaults, evaluated in def_tree, for the missing
 * ones); the previous values go to saved[] for restore_params. */
static int set_params(ev *e, const ast *const *prm, size_t np, mv **vals, mv **saved, ast_tree *def_tree)
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
			mv *c = cast_to(e, prm[k], type->str, raw);
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

static void restore_params(ev *e, const ast *const *prm, size_t np, mv **saved)
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
static size_t block_params(const ast *def, const ast *const **prm)
{
	size_t np = (def->kind == N_FUNCDEF || def->kind == N_SCRIPTBLOCK) && def->nkids ? def->nkids - 1 : 0;
	*prm = np ? (const ast *const *)&def->kids[1] : NULL;
	return np;
}

/* Run a function or script block with arguments bound to its parameters. */
static int invoke_bound(ev *e, const ast *at, const char *who, mv *fn, const mg_rawarg *a, size_t na, mv *out)
{
	sbcode *c = fn->u.sb.code;
	const ast *const *prm;
	size_t np = block_params(c->node, &prm);
	mv **vals = xcalloc(np + 1, sizeof *vals);
	mv **saved = xcalloc(np + 1, sizeof *saved);
	mv *rest = mv_array();
	int rc = EV_ERR;
	if (bind_params(e, prm, np, a, na, vals, rest, who, at) == 0) {
		if (set_params(e, prm, np, vals, saved, c->tree) == 0)
			rc = run_scriptblock(e, fn, NULL, rest, out);
		restore_params(e, prm, np, saved);
	}
	for (size_t k = 0; k < np; k++)
		mv_unref(vals[k]);
	free(vals);
	free(saved);
	mv_unref(rest);
	return rc;
}

/* Call a function defined with `function`. */
static int call_function(ev *e, const ast *cmd, mv *fn, mv *out)
{
	cmdargs ca;
	memset(&ca, 0, sizeof ca);
	int rc = EV_ERR;
	if (eval_cmdargs(e, cmd, 0, &ca) == 0)
		rc = invoke_bound(e, cmd, cmd->str, fn, ca.a, ca.n, out);
	cmdargs_free(&ca);
	return rc;
}

/* ---------- redirections ----------
 * The six streams: 1 output, 2 error, 3 warning, 4 verbose, 5 debug,
 * 6 information (Write-Host); * is all of them.  A target is $null, a file
 * (> writes, >> appends; the output is formatted as on the console, like
 * Out-File) or, for N>&1, the output stream.  They apply while the
 * pipeline they are written in runs. */

typedef struct redir_state {
	bool   active;
	FILE  *errf, *warnf, *verbosef, *hostf;   /* the session's, restored after */
	int    merge;
	FILE  *opened[16];
	size_t nopened;
	FILE  *outf;          /* stream 1 to a file */
	bool   out_null;      /* stream 1 to $null */
	size_t out_mark;      /* output items before the pipeline ran */
	mv    *top_out;
} redir_state;

static void redir_collect(const ast *pl, const ast **list, size_t *n, size_t max)
{
	for (size_t i = 0; i < pl->nkids; i++) {
		const ast *k = pl->kids[i];
		if (k->kind == N_REDIR && *n < max)
			list[(*n)++] = k;
		else if (k->kind == N_COMMAND)
			for (size_t j = 0; j < k->nkids; j++)
				if (k->kids[j]->kind == N_REDIR && *n < max)
					list[(*n)++] = k->kids[j];
	}
}

static int redir_begin(ev *e, const ast *pl, mv *sink, redir_state *rs)
{
	mg_session *s = e->s;
	const ast *list[16];
	size_t nl = 0;
	memset(rs, 0, sizeof *rs);
	redir_collect(pl, list, &nl, 16);
	if (!nl)
		return 0;
	rs->active = true;
	rs->errf = s->errf;
	rs->warnf = s->warnf;
	rs->verbosef = s->verbosef;
	rs->hostf = s->hostf;
	rs->merge = s->merge_errors;
	rs->out_mark = sink->u.arr.n;
	rs->top_out = e->top_out;
	e->top_out = NULL;   /* nothing of this pipeline is shown early */
	for (size_t i = 0; i < nl; i++) {
		const ast *r = list[i];
		char st = r->str[0];
		if (r->flags & AF_REDIR_MERGE) {
			if (st == '2' || st == '*')
				s->merge_errors++;
			continue;
		}
		mv *tv = ev_expr(e, r->kids[0]);
		if (!tv)
			return -1;
		FILE *f;
		if (tv->kind == MV_NULL) {
			f = fopen("/dev/null", "w");
		} else if (s->file_root) {
			/* a confined session (the fuzzer's) writes no files */
			throwf(e, r, MGC_PERMISSION, "FileOpenFailure", "This session does not write files.");
			f = NULL;
		} else {
			char *path = mv_to_string(tv);
			char *local = mg_map_path_for_write(s, path);
			f = fopen(local, (r->flags & AF_REDIR_APPEND) ? "a" : "w");
			if (!f) {
				throwf(e, r, MGC_WRITE, "FileOpenFailure", "Could not open the file '%s' for the redirection: %s.",
				       path, strerror(errno));
			}
			free(local);
			free(path);
		}
		if (!f) {
			mv_unref(tv);
			return -1;
		}
		if (rs->nopened < sizeof rs->opened / sizeof rs->opened[0])
			rs->opened[rs->nopened++] = f;
		if (st == '1' || st == '*') {
			if (tv->kind == MV_NULL)
				rs->out_null = true;
			else
				rs->outf = f;
		}
		if (st == '2' || st == '*')
			s->errf = f;
		if (st == '3' || st == '*')
			s->warnf = f;
		if (st == '4' || st == '5' || st == '*')
			s->verbosef = f;
		if (st == '6' || st == '*')
			s->hostf = f;
		mv_unref(tv);
	}
	return 0;
}

/* rc: the pipeline's status; a command's error that went to a redirected
 * error stream is reported there (or, for 2>&1, becomes output) and does
 * not end the statement.  Returns the status to go on with. */
static int redir_end(ev *e, mv *sink, redir_state *rs, int rc)
{
	mg_session *s = e->s;
	if (!rs->active)
		return rc;
	if (rc == EV_ERR && e->has_err && !e->in_try && !e->fatal && (s->errf != rs->errf || s->merge_errors)) {
		if (s->merge_errors) {
			mv *rec = mg_errrec_value(&e->rec);
			mg_session_add_error(s, rec);
			mv_array_push_take(sink, rec);
			e->has_err = false;
		} else {
			report(e);
		}
		s->last_ok = false;
		rc = EV_OK;
	}
	if (rs->outf || rs->out_null) {
		size_t n = sink->u.arr.n - rs->out_mark;
		if (rs->outf && n)
			mg_format_default(s, sink->u.arr.items + rs->out_mark, n, rs->outf);
		for (size_t i = rs->out_mark; i < sink->u.arr.n; i++)
			mv_unref(sink->u.arr.items[i]);
		sink->u.arr.n = rs->out_mark;
	}
	s->errf = rs->errf;
	s->warnf = rs->warnf;
	s->verbosef = rs->verbosef;
	s->hostf = rs->hostf;
	s->merge_errors = rs->merge;
	for (size_t i = 0; i < rs->nopened; i++)
		fclose(rs->opened[i]);
	e->top_out = rs->top_out;
	return rc;
}

static int ev_pipeline(ev *e, const ast *pl, mv *out)
{
	mg_session *s = e->s;
	unsigned long errs_before = s->errors_written;
	e->native_failed = false;
	/* the elements; the pipeline's own redirections (of an expression) follow them */
	size_t n = 0;
	while (n < pl->nkids && pl->kids[n]->kind != N_REDIR)
		n++;
	size_t first_cmd = pl->kids[0]->kind == N_COMMAND ? 0 : 1;
	/* a function call as the first element feeds its output like an expression */
	mv *fn = pl->kids[0]->kind == N_COMMAND && !(pl->kids[0]->flags & AF_INVOKE) &&
	         !resolve_cmdlet(e, pl->kids[0]->str) ? find_function(e, pl->kids[0]->str) : NULL;
	if (fn)
		first_cmd = 1;
	mg_stage *stages = xcalloc(n, sizeof *stages);
	mg_pipeline P;
	memset(&P, 0, sizeof P);
	P.s = s;
	P.sink = out ? mv_ref(out) : mv_array();
	P.src = e->tree->src;
	P.srclen = e->tree->len;
	P.origin = e->tree->origin;
	int rc = EV_OK;
	size_t built = 0;
	redir_state rs;
	if (redir_begin(e, pl, P.sink, &rs) < 0) {
		rc = EV_ERR;
		goto out;
	}

	/* a single `& {block}` / script element is run directly */
	if (n == 1 && pl->kids[0]->kind == N_COMMAND && !fn) {
		const ast *c = pl->kids[0];
		char *prog = NULL;
		if (c->flags & AF_INVOKE) {
			mv *what = ev_expr(e, c->kids[0]);
			if (!what) {
				rc = EV_ERR;
				goto out;
			}
			if (what->kind == MV_SCRIPTBLOCK) {
				cmdargs ca;
				memset(&ca, 0, sizeof ca);
				if (eval_cmdargs(e, c, 1, &ca) < 0) {
					cmdargs_free(&ca);
					mv_unref(what);
					rc = EV_ERR;
					goto out;
				}
				const ast *const *prm;
				if (what->u.sb.release == sb_release &&
				    block_params(((sbcode *)what->u.sb.code)->node, &prm) > 0) {
					/* & { param($a) ... } 5: bound like a function's */
					rc = invoke_bound(e, c, "&", what, ca.a, ca.n, P.sink);
				} else {
					mv *args = mv_array();
					for (size_t i = 0; i < ca.n; i++)
						if (ca.a[i].val)
							mv_array_push(args, ca.a[i].val);
					rc = run_block_element(e, what, args, P.sink);
					mv_unref(args);
				}
				cmdargs_free(&ca);
				mv_unref(what);
				goto out;
			}
			char *wname = mv_to_string(what);
			mv_unref(what);
			if (looks_like_script(wname) && !resolve_cmdlet(e, wname)) {
				/* & 'C:\path\script.ps1' args */
				rc = run_outside(e, c, 1, false, wname, P.sink);
				free(wname);
				goto out;
			}
			free(wname);
		} else if (!looks_like_script(c->str) && !resolve_cmdlet(e, c->str) && !find_function(e, c->str) &&
		           !s->file_root && (prog = mg_find_program(c->str)) != NULL) {
			/* ls -l, whoami: a program on PATH */
			rc = run_outside(e, c, 0, true, prog, P.sink);
			free(prog);
			goto out;
		} else if (looks_like_script(c->str) && !resolve_cmdlet(e, c->str)) {
			rc = run_outside(e, c, 0, false, c->str, P.sink);
			goto out;
		}
	}

	/* build and bind every command first, like PowerShell */
	for (size_t i = first_cmd; i < n; i++) {
		const ast *c = pl->kids[i];
		if (c->kind != N_COMMAND) {
			throwf(e, c, MGC_PARSER, "ExpressionsMustBeFirstInPipeline",
			       "Expressions are only allowed as the first element of a pipeline.");
			rc = EV_ERR;
			goto out;
		}
		const char *name = c->str;
		char *owned_name = NULL;
		size_t argstart = 0;
		if (c->flags & AF_INVOKE) {
			mv *w = ev_expr(e, c->kids[0]);
			if (!w) {
				rc = EV_ERR;
				goto out;
			}
			owned_name = mv_to_string(w);
			mv_unref(w);
			name = owned_name;
			argstart = 1;
		}
		const mg_cmdlet *cmd = resolve_cmdlet(e, name);
		char *native = NULL;   /* a program in a pipeline (external.h) */
		if (!cmd && !s->file_root && !(strlen(name) > 4 && str_ieq(name + strlen(name) - 4, ".ps1")) &&
		    (native = mg_find_program(name)))
			cmd = &mg_cmd_native;
		if (!cmd) {
			mg_err err;
			mg_command_not_found(s, name, &err);
			mg_errrec r;
			memset(&r, 0, sizeof r);
			r.err = err;
			r.cmdlet = name;
			r.target = name;
			r.src = e->tree->src;
			r.srclen = e->tree->len;
			r.origin = e->tree->origin;
			r.pos = c->pos;
			r.len = strlen(c->str ? c->str : "&");
			throw_rec(e, &r);
			free(owned_name);
			rc = EV_ERR;
			goto out;
		}
		free(owned_name);
		mg_stage *st = &stages[i];
		built = i + 1;
		st->ctx.session = s;
		st->ctx.cmd = cmd;
		st->ctx.rt = st;
		st->ctx.state = cmd->state_size ? xcalloc(1, cmd->state_size) : NULL;
		st->pl = &P;
		st->index = (int)(i + 1);
		st->pos = c->pos;
		st->len = c->len;
		st->pipe_input = i > 0;
		mg_bound_init(&st->base, cmd);
		cmdargs ca;
		memset(&ca, 0, sizeof ca);
		if (eval_cmdargs(e, c, argstart, &ca) < 0) {
			cmdargs_free(&ca);
			free(native);
			rc = EV_ERR;
			goto out;
		}
		if (native) {   /* its arguments go to it as strings, unbound */
			mv *pa = mv_array();
			script_args(&ca, pa);
			mg_native_set(&st->ctx, native, pa, i > 0);
			mv_unref(pa);
			free(native);
			ca.n = 0;
		}
		/* `Cmdlet -?` shows the cmdlet's help, like PowerShell */
		const mg_cmdlet *help = NULL;
		for (size_t k = 0; k < ca.n; k++)
			if (ca.a[k].name && strcmp(ca.a[k].name, "?") == 0)
				help = mg_session_find_cmdlet(s, "Get-Help");
		if (help) {
			mv *nm = keep(&ca, mv_string(cmd->name));
			mg_rawarg ha;
			memset(&ha, 0, sizeof ha);
			ha.val = nm;
			ha.pos = ha.vpos = c->pos;
			ha.len = ha.vlen = c->len;
			if (st->ctx.state) {
				free(st->ctx.state);
				st->ctx.state = NULL;
			}
			cmd = help;
			st->ctx.cmd = help;
			st->ctx.state = help->state_size ? xcalloc(1, help->state_size) : NULL;
			mg_bound_init(&st->base, help);
			ca.n = 0;
			GROW(ca.a, ca.cap, 1);
			ca.a[0] = ha;
			ca.n = 1;
		}
		mg_bind_err be;
		memset(&be, 0, sizeof be);
		int br = mg_bind_args(s, &st->base, ca.a, ca.n, &be);
		cmdargs_free(&ca);
		if (br == 0) {
			mg_bind_common(&st->base);
			/* first stage: resolve now (prompting for mandatory ones);
			 * later stages: only what pipeline input cannot supply */
			br = mg_bind_finish(s, &st->base, st->pipe_input, &be);
			apply_preferences(s, &st->base);
		}
		if (br < 0) {
			mg_errrec r;
			mg_stage_errrec(st, &be.err, NULL, &r);
			if (be.has_pos) {
				r.pos = be.pos;
				r.len = be.len;
			}
			throw_rec(e, &r);
			rc = EV_ERR;
			goto out;
		}
		if (st->base.out_variable)
			st->outvar = mv_array();
		if (st->base.error_variable)
			st->errvar = mv_array();
		if (st->base.warning_variable)
			st->warnvar = mv_array();
		if (i > first_cmd)
			stages[i - 1].next = st;
	}

	/* run (unless only binding was asked for: tests of documented lines) */
	if (s->bind_only && e->nest <= 1) {
		rc = EV_OK;
		goto out;
	}
	if (first_cmd == 1) {
		mv *v;
		if (fn) {
			mv_ref(fn);   /* the function may redefine itself while it runs */
			v = mv_array();
			int frc = call_function(e, pl->kids[0], fn, v);
			mv_unref(fn);
			if (frc != EV_OK) {
				mv_unref(v);
				rc = frc;
				goto out;
			}
		} else {
			v = ev_expr(e, pl->kids[0]);
		}
		if (!v) {
			rc = EV_ERR;
			goto out;
		}
		if (n == 1) {
			write_out(P.sink, v);
		} else if (v->kind == MV_ARRAY) {
			for (size_t i = 0; i < v->u.arr.n && !P.stopped; i++)
				mg_stage_input(&stages[1], v->u.arr.items[i]);
		} else {
			mg_stage_input(&stages[1], v);
		}
		mv_unref(v);
	} else {
		/* the first command binds its final parameter set once, with no input */
		mg_stage *st = &stages[0];
		if (!P.stopped) {
			mg_bound_copy(&st->cur, &st->base);
			st->have_cur = true;
			mg_err_clear(&st->ctx.err);
			int r = st->ctx.cmd->process ? st->ctx.cmd->process(&st->ctx, NULL) : 0;
			mg_stage_free_tmp(st);
			if (r < 0 && !P.stopped) {
				mg_err er = st->ctx.err;
				if (!er.set)
					mg_err_set(&er, MGC_NOTSPECIFIED, "CommandFailed", "%s failed.", st->ctx.cmd->name);
				mg_errrec rr;
				mg_stage_errrec(st, &er, NULL, &rr);
				mg_pipeline_fail(&P, &rr);
			}
		}
	}
	for (size_t i = first_cmd; i < n && !P.stopped; i++)
		mg_stage_end(&stages[i]);

	for (size_t i = first_cmd; i < built; i++) {
		store_var(s, stages[i].base.out_variable, stages[i].outvar);
		store_var(s, stages[i].base.error_variable, stages[i].errvar);
		store_var(s, stages[i].base.warning_variable, stages[i].warnvar);
	}
	if (P.has_pend) {
		if (P.pend.cmdlet)
			P.pend.cmdlet = P.pend_cmd;
		throw_rec(e, &P.pend);
		if (P.stop_script)
			e->fatal = true;   /* -ErrorAction Stop: script-terminating unless caught */
		rc = EV_ERR;
	}
out:
	for (size_t i = 0; i < built; i++)
		if (stages[i].ctx.cmd)
			stage_destroy(&stages[i]);
	free(stages);
	bool redirected_err = rs.active && rc == EV_ERR;
	rc = redir_end(e, P.sink, &rs, rc);
	mv_unref(P.sink);
	s->last_ok = !(rc == EV_ERR || redirected_err || P.had_error || s->errors_written != errs_before ||
	               e->native_failed);
	e->native_failed = false;
	return rc;
}

/* ---------- statements ---------- */

/* Does a catch clause for the comma-separated .NET types match the error?
 * No types: always.  Errors in migsh carry an id, not a .NET type: a type
 * matches when its last name is the error's id (IOException,
 * ItemNotFoundException, ...), or a base every PowerShell error derives
 * from (Exception, SystemException, RuntimeException), or
 * DivideByZeroException/ArithmeticException for a division by zero. */
static bool catch_matches(const char *types, const mg_err *err)
{
	if (!types)
		return true;
	bool divide = strstr(err->msg, "divide by zero") != NULL;
	char *list = xstrdup(types);
	bool hit = false;
	for (char *t = strtok(list, ","); t && !hit; t = strtok(NULL, ",")) {
		const char *last = strrchr(t, '.') ? strrchr(t, '.') + 1 : t;
		hit = str_ieq(last, err->id) || str_ieq(last, "Exception") || str_ieq(last, "SystemException") ||
		      str_ieq(last, "RuntimeException") ||
		      (divide && (str_ieq(last, "DivideByZeroException") || str_ieq(last, "ArithmeticException")));
	}
	free(list);
	return hit;
}

static int ev_statement(ev *e, const ast *n, mv *out)
{
	mg_session *s = e->s;
	if (s->depth > MAX_EVAL_DEPTH) {
		throwf(e, n, MGC_LIMIT, "CallDepthOverflow", "The script failed due to call depth overflow.");
		e->fatal = true;
		return EV_ERR;
	}
	if (stack_low(e, n))
		return EV_ERR;
	switch (n->kind) {
	case N_PIPELINE: {
		e->nest++;
		int rc = ev_pipeline(e, n, out);
		e->nest--;
		return rc;
	}
	case N_ASSIGN: {
		int rc = assign(e, n, out);
		if (rc == EV_OK)
			s->last_ok = true;
		return rc;
	}
	case N_IF: {
		size_t pairs = (n->flags & AF_ELSE) ? (n->nkids - 1) / 2 : n->nkids / 2;
		for (size_t i = 0; i < pairs; i++) {
			mv *o = mv_array();
			int rc = ev_statement(e, n->kids[2 * i], o);
			if (rc != EV_OK) {
				mv_unref(o);
				return rc;
			}
			mv *v = unwrap(o);
			mv_unref(o);
			bool t = mv_truthy(v);
			mv_unref(v);
			if (t)
				return ev_block(e, n->kids[2 * i + 1], out, false);
		}
		if (n->flags & AF_ELSE)
			return ev_block(e, n->kids[n->nkids - 1], out, false);
		return EV_OK;
	}
	case N_FOREACH: {
		const ast *coll = n->kids[0];
		mv *v;
		int rc = ev_value(e, coll, false, &v);
		if (rc != EV_OK)
			return rc;
		size_t cnt = v->kind == MV_ARRAY ? v->u.arr.n : v->kind == MV_NULL ? 0 : 1;
		for (size_t i = 0; i < cnt; i++) {
			if (mg_session_interrupted(s)) {
				throwf(e, n, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
				rc = EV_ERR;
				break;
			}
			mv *it = v->kind == MV_ARRAY ? v->u.arr.items[i] : v;
			mg_var_set(s, n->str, it);
			rc = ev_block(e, n->kids[1], out, false);
			if (rc == EV_CONTINUE) {
				rc = EV_OK;
				continue;
			}
			if (rc == EV_BREAK) {
				rc = EV_OK;
				break;
			}
			if (rc != EV_OK)
				break;
		}
		mv_unref(v);
		return rc;
	}
	case N_EXIT: {
		if (n->flags & AF_RETURN) {
			if (n->nkids) {
				int rc = ev_statement(e, n->kids[0], out);
				if (rc != EV_OK)
					return rc;
			}
			return EV_RETURN;
		}
		{
		long long code = s->last_ok ? 0 : 1;
		if (n->nkids) {
			mv *o = mv_array();
			int rc = ev_statement(e, n->kids[0], o);
			if (rc != EV_OK) {
				mv_unref(o);
				return rc;
			}
			mv *v = unwrap(o);
			mv_unref(o);
			if (mv_to_ll(v, &code) < 0)
				code = mv_truthy(v) ? 1 : 0;
			mv_unref(v);
		}
		s->exit_requested = true;
		s->exit_code = (int)code;
		s->last_exit_code = code;
		return EV_EXIT;
		}
	}
	case N_WHILE:
	case N_FOR: {
		bool is_for = n->kind == N_FOR;
		const ast *cond = is_for ? n->kids[1] : n->kids[0];
		const ast *body = is_for ? n->kids[3] : n->kids[1];
		int rc;
		if (is_for && (rc = ev_block(e, n->kids[0], out, true)) != EV_OK)
			return rc;
		bool first = true;
		for (;;) {
			if (mg_session_interrupted(s)) {
				throwf(e, n, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
				return EV_ERR;
			}
			if (!(first && (n->flags & AF_DO)) && !(is_for && cond->nkids == 0)) {
				mv *o = mv_array();
				rc = is_for ? ev_block(e, cond, o, true) : ev_statement(e, cond, o);
				if (rc != EV_OK) {
					mv_unref(o);
					return rc;
				}
				mv *v = unwrap(o);
				mv_unref(o);
				bool t = mv_truthy(v);
				mv_unref(v);
				if ((n->flags & AF_UNTIL) ? t : !t)
					break;
			}
			first = false;
			rc = ev_block(e, body, out, false);
			if (rc == EV_BREAK)
				break;
			if (rc != EV_OK && rc != EV_CONTINUE)
				return rc;
			if (is_for && (rc = ev_block(e, n->kids[2], out, true)) != EV_OK)
				return rc;
		}
		return EV_OK;
	}
	case N_SWITCH:
		return ev_switch(e, n, out);
	case N_BREAK:
		return (n->flags & AF_CONTINUE) ? EV_CONTINUE : EV_BREAK;
	case N_FUNCDEF: {
		char *key = xasprintf("function:%s", n->str);
		mg_var_set_take(s, key, make_scriptblock(e, n));
		free(key);
		return EV_OK;
	}
	case N_THROW: {
		char *msg = xstrdup("ScriptHalted");
		if (n->nkids) {
			mv *o = mv_array();
			int rc = ev_statement(e, n->kids[0], o);
			if (rc != EV_OK) {
				mv_unref(o);
				free(msg);
				return rc;
			}
			mv *v = unwrap(o);
			mv_unref(o);
			free(msg);
			msg = v->kind == MV_OBJECT && mv_get(v, "Exception") && mv_get_str(v, "Message")
			      ? xstrdup(mv_get_str(v, "Message")) : mv_to_string(v);
			mv_unref(v);
		}
		throwf(e, n, MGC_STOPPED, "RuntimeException", "%s", msg);
		snprintf(e->rec.err.id, sizeof e->rec.err.id, "%s", msg);   /* PowerShell: the FQEID is the text */
		e->rec.exception = "RuntimeException";
		snprintf(e->target, sizeof e->target, "%s", msg);
		e->rec.target = e->target;
		e->fatal = true;   /* script-terminating unless caught */
		free(msg);
		return EV_ERR;
	}
	case N_TRY: {
		size_t ncatch = n->nkids - 1 - ((n->flags & AF_FINALLY) ? 1 : 0);
		size_t k = 1;
		e->in_try++;
		int rc = ev_block(e, n->kids[0], out, true);
		e->in_try--;
		/* the first catch clause whose types match the error (or has none) */
		size_t hit = ncatch;
		for (size_t c = 0; rc == EV_ERR && c < ncatch && hit == ncatch; c++)
			if (catch_matches(n->kids[1 + c]->str, &e->rec.err))
				hit = c;
		if (rc == EV_ERR && hit < ncatch && !mg_session_interrupted(s)) {
			k = 1 + hit;
			mv *rec = mg_errrec_value(&e->rec);
			e->has_err = false;
			e->fatal = false;
			mv *old = mg_var_get(s, "_");
			if (old)
				mv_ref(old);
			mg_var_set(s, "_", rec);
			mv_unref(rec);
			rc = ev_block(e, n->kids[k], out, false);
			if (old) {
				mg_var_set(s, "_", old);
				mv_unref(old);
			} else {
				mg_var_remove(s, "_");
			}
		}
		k = 1 + ncatch;
		if (n->flags & AF_FINALLY) {
			/* finally runs whatever happened; a pending error waits for it */
			bool had = e->has_err;
			mg_errrec saved = e->rec;
			char cmd[sizeof e->cmd], tgt[sizeof e->target];
			memcpy(cmd, e->cmd, sizeof cmd);
			memcpy(tgt, e->target, sizeof tgt);
			e->has_err = false;
			int frc = ev_block(e, n->kids[k], out, false);
			if (had && !e->has_err) {
				e->rec = saved;
				memcpy(e->cmd, cmd, sizeof cmd);
				memcpy(e->target, tgt, sizeof tgt);
				if (saved.cmdlet)
					e->rec.cmdlet = e->cmd;
				if (saved.target)
					e->rec.target = e->target;
				e->has_err = true;
			}
			if (frc != EV_OK)
				rc = frc;
		}
		return rc;
	}
	default: {
		mv *v = ev_expr(e, n);
		if (!v)
			return EV_ERR;
		write_out(out, v);
		mv_unref(v);
		return EV_OK;
	}
	}
}

/* Run a statement list.  propagate: a thrown error ends the list and is
 * passed up (sub-expressions); otherwise it is reported and the next
 * statement runs, like PowerShell's statement-terminating errors. */
static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A top-level statement prints its output when it ends.  One that runs long
 * (a while loop watching a batch, a foreach with Start-Sleep) prints what it
 * has written so far once a second, between the statements of its blocks,
 * so the console shows progress; quick statements still print one table. */
static void flush_now(ev *e)
{
	if (!e->top_out || !e->top_out->u.arr.n)
		return;
	mg_format_default(e->s, e->top_out->u.arr.items, e->top_out->u.arr.n, e->s->out);
	fflush(e->s->out);
	for (size_t i = 0; i < e->top_out->u.arr.n; i++)
		mv_unref(e->top_out->u.arr.items[i]);
	e->top_out->u.arr.n = 0;
	e->last_flush_ms = mono_ms();
}

/* the session's flush_output hook: host/warning/error text is about to be
 * written, so what the statement produced before it goes first */
static void flush_hook(void *ctx)
{
	flush_now(ctx);
}

static void flush_slow(ev *e)
{
	if (!e->top_out || !e->top_out->u.arr.n)
		return;
	int64_t now = mono_ms();
	if (now - e->last_flush_ms < 1000)
		return;
	mg_format_default(e->s, e->top_out->u.arr.items, e->top_out->u.arr.n, e->s->out);
	fflush(e->s->out);
	for (size_t i = 0; i < e->top_out->u.arr.n; i++)
		mv_unref(e->top_out->u.arr.items[i]);
	e->top_out->u.arr.n = 0;
	e->last_flush_ms = now;
}

/* Does the switch clause condition cond match the value v ($_ is v)?
 * 1 yes, 0 no, -1 error. */
static int switch_match(ev *e, const ast *sw, const ast *cond, mv *v)
{
	bool icase = !(sw->flags & AF_SW_CASE);
	if (cond->kind == N_SCRIPTBLOCK) {
		mv *o = mv_array();
		int rc = ev_block(e, cond->kids[0], o, true);
		mv *r = rc == EV_OK ? unwrap(o) : NULL;
		mv_unref(o);
		if (rc != EV_OK)
			return -1;
		int t = mv_truthy(r) ? 1 : 0;
		mv_unref(r);
		return t;
	}
	mv *c = ev_expr(e, cond);
	if (!c)
		return -1;
	int r;
	if (sw->flags & (AF_SW_WILDCARD | AF_SW_REGEX)) {
		char *pat = mv_to_string(c), *s = mv_to_string(v);
		if (sw->flags & AF_SW_REGEX) {
			regex_t re;
			if (mg_regcomp_net(&re, pat, icase, REG_NOSUB, NULL) != 0) {
				throwf(e, cond, MGC_INVALIDOP, "InvalidRegularExpression",
				       "The regular expression pattern %s is not valid.", pat);
				r = -1;
			} else {
				r = regexec(&re, s, 0, NULL, 0) == 0;
				regfree(&re);
			}
		} else {
			r = str_wildcard(pat, s, icase);
		}
		free(pat);
		free(s);
	} else {
		r = mv_equal(v, c, icase) ? 1 : 0;
	}
	mv_unref(c);
	return r;
}

/* switch: each element of the value (an array is enumerated) runs every
 * clause that matches it, in order; default when none did.  break leaves the
 * switch, continue goes on with the next element. */
static int ev_switch(ev *e, const ast *n, mv *out)
{
	mg_session *s = e->s;
	mv *v;
	int rc = ev_value(e, n->kids[0], false, &v);
	if (rc != EV_OK)
		return rc;
	mv *old_under = mg_var_get(s, "_");
	if (old_under)
		mv_ref(old_under);
	size_t cnt = v->kind == MV_ARRAY ? v->u.arr.n : 1;
	bool stop = false;
	for (size_t i = 0; i < cnt && !stop && rc == EV_OK; i++) {
		mv *it = v->kind == MV_ARRAY ? v->u.arr.items[i] : v;
		mg_var_set(s, "_", it);
		bool matched = false;
		for (size_t k = 1; k + 1 < n->nkids && rc == EV_OK; k += 2) {
			const ast *cond = n->kids[k];
			if (cond->flags & AF_SW_DEFAULT)
				continue;
			int m = switch_match(e, n, cond, it);
			if (m < 0) {
				rc = EV_ERR;
				break;
			}
			if (!m)
				continue;
			matched = true;
			rc = ev_block(e, n->kids[k + 1], out, false);
			if (rc == EV_CONTINUE) {
				rc = EV_OK;
				break;          /* the next element */
			}
			if (rc == EV_BREAK) {
				rc = EV_OK;
				stop = true;
				break;
			}
		}
		if (!matched && rc == EV_OK && !stop)
			for (size_t k = 1; k + 1 < n->nkids; k += 2)
				if (n->kids[k]->flags & AF_SW_DEFAULT) {
					rc = ev_block(e, n->kids[k + 1], out, false);
					if (rc == EV_CONTINUE)
						rc = EV_OK;
					else if (rc == EV_BREAK) {
						rc = EV_OK;
						stop = true;
					}
					break;
				}
	}
	if (old_under) {
		mg_var_set(s, "_", old_under);
		mv_unref(old_under);
	} else {
		mg_var_remove(s, "_");
	}
	mv_unref(v);
	return rc;
}

static int ev_block(ev *e, const ast *blk, mv *out, bool propagate)
{
	for (size_t i = 0; i < blk->nkids; i++) {
		flush_slow(e);
		int rc = ev_statement(e, blk->kids[i], out);
		if (rc == EV_ERR) {
			if (propagate || e->in_try || e->fatal || mg_session_interrupted(e->s) || stop_on_error(e->s))
				return rc;
			report(e);
			continue;
		}
		if (rc != EV_OK)
			return rc;
	}
	return EV_OK;
}

/* ---------- entry points ---------- */

static int run(mg_session *s, const char *src, size_t len, const char *origin, mv *collect)
{
	mg_parse_error pe;
	ast_tree *t = mg_parse(src, len, origin, &pe);
	if (!t) {
		mg_parse_error_print(s, src, len, origin, &pe);
		return MG_RUN_PARSE_ERROR;
	}
	ev e;
	memset(&e, 0, sizeof e);
	e.s = s;
	e.tree = t;
	bool last_ok = true;
	/* a script's param( ) block binds its arguments ($args: strings from the
	 * command line, "-Name" / "-Name:value" words name parameters) */
	size_t np = t->params ? t->params->nkids : 0;
	const ast *const *prm = np ? (const ast *const *)t->params->kids : NULL;
	mv **pvals = xcalloc(np + 1, sizeof *pvals), **psaved = xcalloc(np + 1, sizeof *psaved);
	bool params_set = false;
	if (np) {
		mv *args = mg_var_get(s, "args");
		size_t na = args && args->kind == MV_ARRAY ? args->u.arr.n : 0;
		mg_rawarg *ra = xcalloc(na + 1, sizeof *ra);
		char **names = xcalloc(na + 1, sizeof *names);
		mv **cvals = xcalloc(na + 1, sizeof *cvals);
		for (size_t i = 0; i < na; i++) {
			mv *a = args->u.arr.items[i];
			ra[i].val = a;
			if (a->kind == MV_STRING && a->u.str.s[0] == '-' && isalpha((unsigned char)a->u.str.s[1])) {
				names[i] = xstrdup(a->u.str.s + 1);
				char *colon = strchr(names[i], ':');
				if (colon) {
					*colon = '\0';
					cvals[i] = mv_string(colon + 1);
					ra[i].val = cvals[i];
					ra[i].colon = true;
				}
				ra[i].name = names[i];
			}
		}
		mv *rest = mv_array();
		int brc = bind_params(&e, prm, np, ra, na, pvals, rest, origin ? origin : "script", NULL);
		if (brc == 0) {
			mg_var_set(s, "args", rest);
			brc = set_params(&e, prm, np, pvals, psaved, t);
			params_set = true;
		}
		mv_unref(rest);
		for (size_t i = 0; i < na; i++) {
			free(names[i]);
			mv_unref(cvals[i]);
		}
		free(names);
		free(cvals);
		free(ra);
		if (brc < 0) {
			report(&e);
			if (params_set)
				restore_params(&e, prm, np, psaved);
			for (size_t k = 0; k < np; k++)
				mv_unref(pvals[k]);
			free(pvals);
			free(psaved);
			ast_tree_unref(t);
			return MG_RUN_FAILED;
		}
	}
	void (*saved_hook)(void *) = s->flush_output;
	void *saved_ctx = s->flush_ctx;
	if (!collect) {
		s->flush_output = flush_hook;
		s->flush_ctx = &e;
	}
	for (size_t i = 0; i < t->root->nkids && !mg_session_interrupted(s); i++) {
		mv *out = mv_array();
		e.top_out = collect ? NULL : out;
		e.last_flush_ms = mono_ms();
		int rc = ev_statement(&e, t->root->kids[i], out);
		e.top_out = NULL;
		if (collect) {
			write_out(collect, out);
		} else if (out->u.arr.n) {
			mg_format_default(s, out->u.arr.items, out->u.arr.n, s->out);
			fflush(s->out);
		}
		mv_unref(out);
		if (rc == EV_ERR) {
			bool fatal = e.fatal;
			e.fatal = false;
			report(&e);
			/* a statement that threw failed, whatever its last command set */
			s->last_ok = false;
			if (fatal || stop_on_error(s)) {
				last_ok = false;
				break;
			}
		}
		last_ok = s->last_ok;
		if (rc == EV_EXIT || rc == EV_RETURN || rc == EV_BREAK || rc == EV_CONTINUE || s->exit_requested)
			break;
	}
	s->flush_output = saved_hook;
	s->flush_ctx = saved_ctx;
	if (params_set)
		restore_params(&e, prm, np, psaved);
	for (size_t k = 0; k < np; k++)
		mv_unref(pvals[k]);
	free(pvals);
	free(psaved);
	ast_tree_unref(t);
	return last_ok ? MG_RUN_OK : MG_RUN_FAILED;
}

int mg_run_source(mg_session *s, const char *src, size_t len, const char *origin)
{
	bool mine = stack_enter(s);
	int rc = run(s, src, len, origin, NULL);
	stack_leave(s, mine);
	return rc;
}

int mg_run_collect(mg_session *s, const char *src, size_t len, const char *origin, mv **out)
{
	mv *c = mv_array();
	bool mine = stack_enter(s);
	int rc = run(s, src, len, origin, c);
	stack_leave(s, mine);
	*out = c;
	return rc;
}

char *mg_default_read_line(mg_session *s, const char *prompt, bool secret)
{
	FILE *in = stdin;
	struct termios old, quiet;
	bool restore = false;
	/* echo off before the prompt is shown (as getpass does): whatever is typed
	 * once the prompt is visible must neither be echoed nor be flushed away */
	if (secret && isatty(fileno(in)) && tcgetattr(fileno(in), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(in), TCSAFLUSH, &quiet) == 0;
	}
	fputs(prompt, s->out);
	fflush(s->out);
	strbuf sb = STRBUF_INIT;
	int c;
	bool got = false;
	while ((c = fgetc(in)) != EOF) {
		got = true;
		if (c == '\n')
			break;
		strbuf_addc(&sb, (char)c);
	}
	if (restore) {
		tcsetattr(fileno(in), TCSAFLUSH, &old);
		fputc('\n', s->out);
	}
	if (!got) {
		strbuf_free(&sb);
		return NULL;
	}
	strbuf_adds(&sb, "");
	if (sb.len && sb.buf[sb.len - 1] == '\r')
		sb.buf[--sb.len] = '\0';
	return strbuf_detach(&sb, NULL);
}
