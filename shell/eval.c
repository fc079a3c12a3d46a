/*
 * eval.c - the evaluator's core: errors and the stack guard, script blocks,
 * variables, statements (if, loops, switch, try, throw, function
 * definitions), statement lists and the entry points.  Expressions are in
 * eval_expr.c, operators in eval_ops.c, members in eval_member.c, .NET
 * statics and casts in eval_static.c, instance methods in eval_methods.c,
 * pipelines and commands in pipeline.c, functions' parameter binding in
 * eval_func.c, redirections in eval_redir.c (eval_internal.h joins them).
 */
#include "config.h"
#include "common/clock.h"
#include "shell/eval_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* ---------- stack ----------
 * Every recursive step of the evaluator (statement, expression, script
 * block call, member enumeration, index lists) checks how far below the
 * outermost evaluation's frame it is; past the session's stack budget it
 * throws InsufficientExecutionStack (as .NET does) instead of overflowing.
 * The parser already refuses trees taller than it can walk; this bounds what
 * recursion at run time adds on top (functions calling functions, script
 * blocks run by cmdlets, ...). */

bool ev_stack_low(ev *e, const ast *at)
{
	const char *here = __builtin_frame_address(0);
	const char *base = e->s->stack_base;
	if (!base || here >= base || (size_t)(base - here) < e->s->stack_budget)
		return false;
	ev_throwf(e, at, MGC_INVALIDOP, "InsufficientExecutionStack",
	       "Insufficient stack to continue executing the program safely. This can happen from having "
	       "too many functions on the call stack or function on the call stack using too much stack space.");
	e->fatal = true;   /* ends the script unless caught */
	return true;
}

/* Mark the start of the outermost evaluation; returns whether this call
 * did (and so must call stack_leave). */
bool ev_stack_enter(mg_session *s)
{
	if (s->stack_base)
		return false;
	s->stack_base = __builtin_frame_address(0);
	return true;
}

void ev_stack_leave(mg_session *s, bool mine)
{
	if (mine)
		s->stack_base = NULL;
}

/* Sizes that come from the input are checked against the session's limits
 * before anything is allocated: true (and an error thrown) when n is more
 * than max.  what names the thing ("string", "array"). */
bool ev_over_limit(ev *e, const ast *at, const char *what, unsigned long long n, size_t max)
{
	if (n <= max)
		return false;
	ev_throwf(e, at, MGC_LIMIT, strcmp(what, "array") ? "StringTooLong" : "ArrayTooLarge",
	       "The %s would have %llu %s, more than the %zu migsh allows.", what, n,
	       strcmp(what, "array") ? "characters" : "items", max);
	return true;
}

mv *ev_throwf(ev *e, const ast *at, mg_err_cat cat, const char *id, const char *fmt, ...)
{
	if (e->has_err)
		return NULL;
	memset(&e->rec, 0, sizeof e->rec);
	e->rec.err.set = 1;
	mg_err_name(&e->rec.err, cat, id);
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

void ev_throw_rec(ev *e, const mg_errrec *r)
{
	if (e->has_err)
		return;
	e->rec = *r;
	snprintf(e->cmd, sizeof e->cmd, "%s", r->cmdlet ? r->cmdlet : "");
	e->rec.cmdlet = r->cmdlet ? e->cmd : NULL;
	snprintf(e->target, sizeof e->target, "%s", r->target ? r->target : "");
	e->rec.target = r->target ? e->target : NULL;
	snprintf(e->invname, sizeof e->invname, "%s", r->invname ? r->invname : "");
	e->rec.invname = r->invname ? e->invname : NULL;
	e->has_err = true;
}

/* r goes on in to as its error, its source text copied (r's is about to go) */
static void take_rec(ev *to, const mg_errrec *from, bool fatal)
{
	if (to->has_err)
		return;
	mg_errrec r = *from;
	char *src = NULL, *origin = NULL;
	if (r.src) {
		src = xmalloc(r.srclen + 1);
		memcpy(src, r.src, r.srclen);
		src[r.srclen] = '\0';
	}
	if (r.origin)
		origin = xstrdup(r.origin);
	r.src = src;
	r.origin = origin;
	ev_throw_rec(to, &r);
	free(to->err_src);
	free(to->err_origin);
	to->err_src = src;
	to->err_origin = origin;
	to->fatal = fatal;
}

void ev_take_error(ev *to, ev *from, bool fatal)
{
	if (!from->has_err)
		return;
	from->has_err = false;
	take_rec(to, &from->rec, fatal);
}

/* the end of an evaluation state */
static void ev_done(ev *e)
{
	free(e->err_src);
	free(e->err_origin);
	e->err_src = e->err_origin = NULL;
}

void ev_report(ev *e)
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
mv *ev_unwrap(mv *arr)
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
void ev_write_out(mv *out, mv *v)
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


/* ---------- script blocks ---------- */

void ev_sb_release(void *p)
{
	sbcode *c = p;
	ast_tree_unref(c->tree);
	free(c);
}

mv *ev_make_scriptblock(ev *e, const ast *n)
{
	sbcode *c = xmalloc(sizeof *c);
	c->tree = ast_tree_ref(e->tree);
	c->node = n;
	const ast *textnode = n->kind == N_FUNCDEF ? n->kids[0] : n;
	char *text = xstrndup(e->tree->src + textnode->pos, textnode->len);
	mv *v = mv_scriptblock(c, text, ev_sb_release);
	free(text);
	return v;
}

int ev_run_scriptblock(ev *e, mv *block, mv *dollar_under, mv *args, mv *out)
{
	if (!block || block->kind != MV_SCRIPTBLOCK || block->u.sb.release != ev_sb_release) {
		ev_throwf(e, NULL, MGC_INVALIDARG, "NotAScriptBlock", "The value is not a script block.");
		return EV_ERR;
	}
	sbcode *c = block->u.sb.code;
	mg_session *s = e->s;
	if (s->depth > MAX_EVAL_DEPTH) {
		ev_throwf(e, NULL, MGC_LIMIT, "CallDepthOverflow", "The script failed due to call depth overflow.");
		e->fatal = true;   /* ends the script (unless caught), as in PowerShell */
		return EV_ERR;
	}
	if (ev_stack_low(e, NULL))
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
	/* begin, process and end blocks run once each, in order */
	const ast *blocks[3];
	ev_body_blocks(c->node, &blocks[0], &blocks[1], &blocks[2]);
	int rc = EV_OK;
	for (int i = 0; i < 3 && (rc == EV_OK || rc == EV_RETURN); i++)
		if (blocks[i])
			rc = ev_block(e, blocks[i], out, false);
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
	bool mine = ev_stack_enter(s);
	int rc = ev_run_scriptblock(&e, block, dollar_under, args, out);
	ev_stack_leave(s, mine);
	if (rc == EV_ERR)
		mg_err_copy(err, &e.rec.err);
	ev_done(&e);
	if (rc == EV_ERR) {
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

mv *ev_get_var(ev *e, const char *name)
{
	mg_session *s = e->s;
	/* the automatic variables kept by the session: one of each, in any scope */
	const char *plain = strchr(name, ':') ? ev_unqualified(name) : name;
	if (str_ieq(plain, "true"))
		return mv_bool(true);
	if (str_ieq(plain, "false"))
		return mv_bool(false);
	if (str_ieq(plain, "null"))
		return mv_null();
	if (strcmp(plain, "?") == 0)
		return mv_bool(s->last_ok);
	if (str_ieq(plain, "Error"))
		return mv_ref(s->errors);
	if (str_ieq(plain, "LASTEXITCODE"))
		return mv_int(s->last_exit_code);
	if (str_ieq(name, "PSItem"))
		name = "_";
	if (str_iprefix(name, "env:")) {
		const char *v = getenv(name + 4);
		return v ? mv_string(v) : mv_null();
	}
	mv *v = mg_var_get(s, name);
	if (v)
		return mv_ref(v);
	name = ev_unqualified(name);
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
	if (str_ieq(name, "MyInvocation")) {
		/* the running script (inside a function too): MyCommand.Name / Path,
		 * ScriptName, PSScriptRoot, PSCommandPath */
		mv *path = ev_get_var(e, "PSCommandPath"), *root = ev_get_var(e, "PSScriptRoot");
		const char *p = path->u.str.s;
		const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		mv *cmd = mv_object(NULL);
		mv_set_str(cmd, "Name", base);
		mv_set(cmd, "Path", path);
		mv *inv = mv_object(NULL);
		mv_set_take(inv, "MyCommand", cmd);
		mv_set(inv, "ScriptName", path);
		mv_set(inv, "PSScriptRoot", root);
		mv_set(inv, "PSCommandPath", path);
		mv_set_str(inv, "InvocationName", base);
		mv_unref(path);
		mv_unref(root);
		return inv;
	}
	if (str_ieq(name, "PSScriptRoot") || str_ieq(name, "PSCommandPath")) {
		/* the running script file's directory / full path ("" outside a script) */
		const char *origin = e->tree ? e->tree->origin : NULL;
		char *full = origin ? realpath(origin, NULL) : NULL;
		if (!full)
			return mv_string("");
		if (str_ieq(name, "PSScriptRoot")) {
			char *slash = strrchr(full, '/');
			if (slash)
				*(slash == full ? slash + 1 : slash) = '\0';
		}
		return mv_string_take(full);
	}
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

/* The name without a scope qualifier (global:, script:, local:, private:). */
const char *ev_unqualified(const char *name)
{
	static const char *const quals[] = { "global:", "script:", "local:", "private:" };
	for (size_t i = 0; i < sizeof quals / sizeof quals[0]; i++)
		if (str_iprefix(name, quals[i]))
			return name + strlen(quals[i]);
	return name;
}

int ev_set_var(ev *e, const ast *at, const char *name, mv *val)
{
	const char *base = ev_unqualified(name);
	if (str_ieq(base, "null"))
		return 0;   /* $null = ... discards */
	if (str_ieq(base, "true") || str_ieq(base, "false") || strcmp(base, "?") == 0 ||
	    str_ieq(base, "Error")) {
		ev_throwf(e, at, MGC_WRITE, "VariableNotWritable", "Cannot overwrite variable %s because it is read-only or constant.", base);
		return -1;
	}
	if (str_iprefix(name, "env:")) {
		char *sv = mv_to_string(val);
		setenv(name + 4, sv, 1);
		free(sv);
		return 0;
	}
	if (str_ieq(base, "LASTEXITCODE")) {
		long long n = 0;
		mv_to_ll(val, &n);
		e->s->last_exit_code = n;
		return 0;
	}
	/* the current scope's (or the qualified one's) */
	mg_var_set(e->s, name, val);
	return 0;
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

/* A loop (or switch) n got break / continue: is it for n?  An unlabelled
 * one is for the innermost loop; `break outer` for the loop labelled outer
 * (PowerShell: labels are compared without regard to case). */
static bool flow_mine(ev *e, const ast *n)
{
	if (!e->flow_label[0])
		return true;
	if (!n->label || !str_ieq(n->label, e->flow_label))
		return false;
	e->flow_label[0] = '\0';
	return true;
}

int ev_statement(ev *e, const ast *n, mv *out)
{
	mg_session *s = e->s;
	if (s->depth > MAX_EVAL_DEPTH) {
		ev_throwf(e, n, MGC_LIMIT, "CallDepthOverflow", "The script failed due to call depth overflow.");
		e->fatal = true;
		return EV_ERR;
	}
	if (ev_stack_low(e, n))
		return EV_ERR;
	switch (n->kind) {
	case N_PIPELINE: {
		e->nest++;
		int rc = ev_pipeline(e, n, out);
		e->nest--;
		return rc;
	}
	case N_ASSIGN: {
		int rc = ev_assign(e, n, out);
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
			mv *v = ev_unwrap(o);
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
		if (v->kind == MV_ARRAY && v->u.arr.list) {
			/* a list the body changes is walked as it was */
			mv *snap = mv_array_snapshot(v);
			mv_unref(v);
			v = snap;
		}
		size_t cnt = v->kind == MV_ARRAY ? v->u.arr.n : v->kind == MV_NULL ? 0 : 1;
		for (size_t i = 0; i < cnt; i++) {
			if (mg_session_interrupted(s)) {
				ev_throwf(e, n, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
				rc = EV_ERR;
				break;
			}
			mv *it = v->kind == MV_ARRAY ? v->u.arr.items[i] : v;
			mg_var_set(s, n->str, it);
			rc = ev_block(e, n->kids[1], out, false);
			if ((rc == EV_CONTINUE || rc == EV_BREAK) && !flow_mine(e, n))
				break;   /* break outer: for an enclosing loop */
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
			mv *v = ev_unwrap(o);
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
				ev_throwf(e, n, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
				return EV_ERR;
			}
			if (!(first && (n->flags & AF_DO)) && !(is_for && cond->nkids == 0)) {
				mv *o = mv_array();
				rc = is_for ? ev_block(e, cond, o, true) : ev_statement(e, cond, o);
				if (rc != EV_OK) {
					mv_unref(o);
					return rc;
				}
				mv *v = ev_unwrap(o);
				mv_unref(o);
				bool t = mv_truthy(v);
				mv_unref(v);
				if ((n->flags & AF_UNTIL) ? t : !t)
					break;
			}
			first = false;
			rc = ev_block(e, body, out, false);
			if ((rc == EV_CONTINUE || rc == EV_BREAK) && !flow_mine(e, n))
				return rc;
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
		snprintf(e->flow_label, sizeof e->flow_label, "%s", n->str ? n->str : "");
		return (n->flags & AF_CONTINUE) ? EV_CONTINUE : EV_BREAK;
	case N_FUNCDEF: {
		/* defined in the current scope (function global:f: in the global one) */
		char *key = ev_function_key(n->str);
		mg_var_set_take(s, key, ev_make_scriptblock(e, n));
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
			mv *v = ev_unwrap(o);
			mv_unref(o);
			free(msg);
			msg = v->kind == MV_OBJECT && mv_get(v, "Exception") && mv_get_str(v, "Message")
			      ? xstrdup(mv_get_str(v, "Message")) : mv_to_string(v);
			mv_unref(v);
		}
		ev_throwf(e, n, MGC_STOPPED, "RuntimeException", "%s", msg);
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
		s->try_depth++;
		int rc = ev_block(e, n->kids[0], out, true);
		s->try_depth--;
		e->in_try--;
		/* the first catch clause whose types match the error (or has none) */
		size_t hit = ncatch;
		for (size_t c = 0; rc == EV_ERR && c < ncatch && hit == ncatch; c++)
			if (catch_matches(n->kids[1 + c]->str, &e->rec.err))
				hit = c;
		if (rc == EV_ERR && hit < ncatch && !mg_session_interrupted(s)) {
			k = 1 + hit;
			mv *rec = mg_errrec_value(s, &e->rec);
			mg_session_add_error(s, rec);   /* a caught error is in $Error too */
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
			char cmd[sizeof e->cmd], tgt[sizeof e->target], inv[sizeof e->invname];
			memcpy(cmd, e->cmd, sizeof cmd);
			memcpy(tgt, e->target, sizeof tgt);
			memcpy(inv, e->invname, sizeof inv);
			char *ssrc = e->err_src, *sorigin = e->err_origin;   /* saved's text, maybe */
			e->err_src = e->err_origin = NULL;
			e->has_err = false;
			/* after Ctrl-C the finally block still runs, as in PowerShell */
			sig_atomic_t stop = s->interrupted ? *s->interrupted : 0;
			if (stop)
				*s->interrupted = 0;
			int frc = ev_block(e, n->kids[k], out, false);
			if (stop)
				*s->interrupted = stop;
			if (had && !e->has_err) {
				e->rec = saved;
				memcpy(e->cmd, cmd, sizeof cmd);
				memcpy(e->target, tgt, sizeof tgt);
				memcpy(e->invname, inv, sizeof inv);
				if (saved.cmdlet)
					e->rec.cmdlet = e->cmd;
				if (saved.target)
					e->rec.target = e->target;
				if (saved.invname)
					e->rec.invname = e->invname;
				e->has_err = true;
				free(e->err_src);
				free(e->err_origin);
				e->err_src = ssrc;
				e->err_origin = sorigin;
				ssrc = sorigin = NULL;
			}
			free(ssrc);
			free(sorigin);
			if (frc != EV_OK)
				rc = frc;
		}
		return rc;
	}
	default: {
		mv *v = ev_expr(e, n);
		if (!v)
			return EV_ERR;
		ev_write_out(out, v);
		mv_unref(v);
		return EV_OK;
	}
	}
}

/* Run a statement list.  propagate: a thrown error ends the list and is
 * passed up (sub-expressions); otherwise it is reported and the next
 * statement runs, like PowerShell's statement-terminating errors. */
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
	e->last_flush_ms = mg_mono_ms();
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
	int64_t now = mg_mono_ms();
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
		mv *r = rc == EV_OK ? ev_unwrap(o) : NULL;
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
				ev_throwf(e, cond, MGC_INVALIDOP, "InvalidRegularExpression",
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
int ev_switch(ev *e, const ast *n, mv *out)
{
	mg_session *s = e->s;
	mv *v;
	int rc = ev_value(e, n->kids[0], false, &v);
	if (rc != EV_OK)
		return rc;
	if (v->kind == MV_ARRAY && v->u.arr.list) {
		mv *snap = mv_array_snapshot(v);   /* walked as it was */
		mv_unref(v);
		v = snap;
	}
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
			if ((rc == EV_CONTINUE || rc == EV_BREAK) && !flow_mine(e, n))
				break;
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
					if ((rc == EV_CONTINUE || rc == EV_BREAK) && !flow_mine(e, n))
						break;
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

int ev_block(ev *e, const ast *blk, mv *out, bool propagate)
{
	for (size_t i = 0; i < blk->nkids; i++) {
		flush_slow(e);
		if (mg_session_interrupted(e->s)) {
			ev_throwf(e, blk->kids[i], MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
			return EV_ERR;
		}
		int rc = ev_statement(e, blk->kids[i], out);
		if (rc == EV_ERR) {
			if (propagate || e->in_try || e->s->try_depth || e->fatal || mg_session_interrupted(e->s) ||
			    ev_stop_on_error(e->s))
				return rc;
			ev_report(e);
			continue;
		}
		if (rc != EV_OK)
			return rc;
	}
	return EV_OK;
}

/* ---------- entry points ---------- */

/* A script's [Parameter(Mandatory)] parameters must be given (a script
 * does not prompt for them), and its validation attributes hold. */
static int script_params_check(ev *e, ast_tree *t, const ast *const *prm, size_t np, mv **vals, const char *who)
{
	mg_errrec r;
	memset(&r, 0, sizeof r);
	strbuf miss = STRBUF_INIT;
	for (size_t k = 0; k < np; k++) {
		const ast *pa = ev_param_attr(prm[k], "Parameter");
		bool mandatory = false;
		for (size_t i = 0; pa && i < pa->nkids && !mandatory; i++) {
			const ast *a = pa->kids[i];
			mandatory = a->kind == N_CMDPARAM && str_ieq(a->str, "Mandatory") &&
			            (!a->nkids || !(a->kids[0]->kind == N_VAR && str_ieq(a->kids[0]->str, "false")));
		}
		if (mandatory && !vals[k])
			strbuf_addf(&miss, "%s%s", miss.len ? " " : "", prm[k]->str);
	}
	if (miss.len) {
		mg_err_set(&r.err, MGC_INVALIDARG, "MissingMandatoryParameter",
		           "Cannot process command because of one or more missing mandatory parameters: %s.", miss.buf);
		strbuf_free(&miss);
	} else {
		strbuf_free(&miss);
		for (size_t k = 0; k < np && !r.err.set; k++)
			if (vals[k] && ev_validate_param(e, t, prm[k], vals[k], &r.err) < 0 && !r.err.set)
				mg_err_set(&r.err, MGC_INVALIDARG, "ParameterArgumentValidationError", "%s", e->rec.err.msg);
		if (!r.err.set)
			return 0;
	}
	r.cmdlet = who;
	ev_throw_rec(e, &r);
	return -1;
}

/* Run a script's text.  caller: the evaluation that runs it as a command
 * (a script file: ev_run_file), NULL for the outermost run; an error that
 * ends the script goes on to the caller then, instead of being reported. */
static int run(mg_session *s, const char *src, size_t len, const char *origin, mv *collect, ev *caller)
{
	mg_parse_error pe;
	ast_tree *t = mg_parse(src, len, origin, &pe);
	if (!t && caller && s->try_depth) {
		/* a script that does not parse, run under a try: the command fails
		 * with the parse error, which the try catches (a ParseException) */
		mg_errrec r;
		memset(&r, 0, sizeof r);
		r.err.set = 1;
		mg_err_name(&r.err, MGC_PARSER, pe.id[0] ? pe.id : "ParseException");
		snprintf(r.err.msg, sizeof r.err.msg, "%s", pe.msg);
		r.exception = "ParseException";
		r.src = src;
		r.srclen = len;
		r.origin = origin;
		r.pos = pe.pos;
		r.len = pe.len;
		take_rec(caller, &r, false);
		return MG_RUN_PARSE_ERROR;
	}
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
		const char *who = origin ? origin : "script";
		int brc = ev_bind_params(&e, prm, np, ra, na, pvals, rest, who, NULL);
		if (brc == 0)
			brc = script_params_check(&e, t, prm, np, pvals, who);
		if (brc == 0) {
			mg_var_set(s, "args", rest);
			brc = ev_set_params(&e, prm, np, pvals, psaved, t);
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
			if (caller)   /* the command that runs the script failed: a try around it catches it */
				ev_take_error(caller, &e, false);
			else
				ev_report(&e);
			ev_done(&e);
			if (params_set)
				ev_restore_params(&e, prm, np, psaved);
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
		e.last_flush_ms = mg_mono_ms();
		int rc = ev_statement(&e, t->root->kids[i], out);
		e.top_out = NULL;
		if (collect) {
			ev_write_out(collect, out);
		} else if (out->u.arr.n) {
			mg_format_default(s, out->u.arr.items, out->u.arr.n, s->out);
			fflush(s->out);
		}
		mv_unref(out);
		if (rc == EV_ERR) {
			bool fatal = e.fatal;
			e.fatal = false;
			/* run as a command of another script: what ends this one (a
			 * throw, a Stop, Ctrl-C; any error while a try runs in a caller)
			 * ends the caller's statement in turn, as in PowerShell, where a
			 * try catches it; an uncaught throw or Stop ends the callers too */
			bool stop = fatal || ev_stop_on_error(s);
			if (caller && (stop || s->try_depth || mg_session_interrupted(s))) {
				ev_take_error(caller, &e, stop);
				last_ok = false;
				break;
			}
			ev_report(&e);
			/* a statement that threw failed, whatever its last command set */
			s->last_ok = false;
			if (fatal || ev_stop_on_error(s)) {
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
		ev_restore_params(&e, prm, np, psaved);
	for (size_t k = 0; k < np; k++)
		mv_unref(pvals[k]);
	free(pvals);
	free(psaved);
	ev_done(&e);
	ast_tree_unref(t);
	return last_ok ? MG_RUN_OK : MG_RUN_FAILED;
}

int mg_run_source(mg_session *s, const char *src, size_t len, const char *origin)
{
	bool mine = ev_stack_enter(s);
	/* the outermost run of a script (not the REPL's): Ctrl-C stops it */
	struct sigaction old;
	bool caught = mine && mg_session_catch_interrupt(s, &old);
	/* a script file (-File) runs in a script scope under the global one */
	bool script = origin && s->scope == &s->global;
	if (script)
		mg_scope_push(s, true);
	int rc = run(s, src, len, origin, NULL, NULL);
	if (script)
		mg_scope_pop(s);
	if (caught)
		mg_session_release_interrupt(s, &old);
	ev_stack_leave(s, mine);
	return rc;
}

/* run(), its output collected in *out */
static int run_collect(mg_session *s, const char *src, size_t len, const char *origin, mv **out, ev *caller)
{
	mv *c = mv_array();
	bool mine = ev_stack_enter(s);
	int rc = run(s, src, len, origin, c, caller);
	ev_stack_leave(s, mine);
	*out = c;
	return rc;
}

int mg_run_collect(mg_session *s, const char *src, size_t len, const char *origin, mv **out)
{
	return run_collect(s, src, len, origin, out, NULL);
}

int ev_run_file(ev *e, const char *src, size_t len, const char *origin, mv **out)
{
	return run_collect(e->s, src, len, origin, out, e);
}

int mg_eval_text(mg_session *s, const char *src, size_t len, mv *out, mg_err *err, bool *fatal)
{
	*fatal = false;
	mg_parse_error pe;
	memset(&pe, 0, sizeof pe);
	ast_tree *t = mg_parse(src, len, NULL, &pe);
	if (!t) {
		mg_err_set(err, MGC_PARSER, pe.id[0] ? pe.id : "ParseException", "%s", pe.msg);
		return -1;
	}
	ev e;
	memset(&e, 0, sizeof e);
	e.s = s;
	e.tree = t;
	bool mine = ev_stack_enter(s);
	/* its statements run like a block's: an error ends one statement and is
	 * reported, unless a try, a throw or Stop makes it end the text */
	int rc = ev_block(&e, t->root, out, false);
	ev_stack_leave(s, mine);
	int r = 0;
	if (rc == EV_ERR) {
		mg_err_copy(err, &e.rec.err);
		*fatal = e.fatal || ev_stop_on_error(s);
		r = -1;
	}
	ev_done(&e);
	ast_tree_unref(t);
	return r;
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

