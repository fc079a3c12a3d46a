/*
 * runtime.c - the cmdlet-facing runtime of cmdlet.h: bound arguments,
 * output and error streams, ShouldProcess (-WhatIf / -Confirm), progress,
 * prompts and session services, over the pipeline stages of runtime.h.
 */
#include "config.h"
#include "shell/runtime.h"
#include "shell/eval.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static mg_stage *ST(mg_ctx *c)
{
	return (mg_stage *)c->rt;
}

static const mg_bound *bound_of(mg_ctx *c)
{
	mg_stage *st = ST(c);
	return st->have_cur ? &st->cur : &st->base;
}

mv *mg_arg(mg_ctx *c, const char *name)
{
	mg_bound_arg *a = mg_bound_get(bound_of(c), name);
	return a ? a->val : NULL;
}

bool mg_has(mg_ctx *c, const char *name)
{
	return mg_bound_get(bound_of(c), name) != NULL;
}

bool mg_switch(mg_ctx *c, const char *name)
{
	mv *v = mg_arg(c, name);
	return v && mv_truthy(v);
}

int mg_arg_enum(mg_ctx *c, const char *name, int dflt)
{
	mg_bound_arg *a = mg_bound_get(bound_of(c), name);
	return a && a->choice >= 0 ? a->choice : dflt;
}

const char *mg_arg_str(mg_ctx *c, const char *name)
{
	mv *v = mg_arg(c, name);
	if (!v)
		return NULL;
	if (v->kind == MV_STRING)
		return v->u.str.s;
	mg_stage *st = ST(c);
	GROW(st->tmp_strs, st->captmp, st->ntmp + 1);
	st->tmp_strs[st->ntmp] = mv_to_string(v);
	return st->tmp_strs[st->ntmp++];
}

const char *mg_param_set(mg_ctx *c)
{
	return bound_of(c)->set;
}

void mg_stage_free_tmp(mg_stage *st)
{
	for (size_t i = 0; i < st->ntmp; i++)
		free(st->tmp_strs[i]);
	st->ntmp = 0;
}

/* ---- output ---- */

/* Ctrl-C: stop the pipeline with PowerShell's "pipeline stopped" error. */
static bool check_interrupt(mg_stage *st)
{
	if (!mg_session_interrupted(st->pl->s))
		return false;
	if (!st->pl->stopped) {
		mg_err e;
		mg_err_set(&e, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
		mg_errrec r;
		mg_stage_errrec(st, &e, NULL, &r);
		mg_pipeline_fail(st->pl, &r);
	}
	return true;
}

int mg_emit(mg_ctx *c, mv *obj)
{
	mg_stage *st = ST(c);
	if (st->pl->stopped || check_interrupt(st))
		return -1;
	if (!obj)
		return 0;
	if (st->outvar)
		mv_array_push(st->outvar, obj);
	if (st->next)
		return mg_stage_input(st->next, obj);
	mv_array_push(st->pl->sink, obj);
	return 0;
}

int mg_emit_take(mg_ctx *c, mv *obj)
{
	int rc = mg_emit(c, obj);
	mv_unref(obj);
	return rc;
}

/* ---- errors ---- */

void mg_stage_errrec(mg_stage *st, const mg_err *e, const char *target, mg_errrec *r)
{
	memset(r, 0, sizeof *r);
	mg_err_copy(&r->err, e);
	r->cmdlet = st->ctx.cmd->name;
	r->target = target;
	r->src = st->pl->src;
	r->srclen = st->pl->srclen;
	r->origin = st->pl->origin;
	r->pos = st->pos;
	r->len = st->len;
	r->invname = st->invname;
}

void mg_error_ends_script(mg_ctx *c)
{
	ST(c)->pl->stop_script = true;
}

void mg_pipeline_fail(mg_pipeline *pl, const mg_errrec *r)
{
	pl->stopped = true;
	if (pl->has_pend)
		return;
	pl->pend = *r;
	snprintf(pl->pend_cmd, sizeof pl->pend_cmd, "%s", r->cmdlet ? r->cmdlet : "");
	pl->pend.cmdlet = r->cmdlet ? pl->pend_cmd : NULL;
	snprintf(pl->pend_target, sizeof pl->pend_target, "%s", r->target ? r->target : "");
	pl->pend.target = r->target ? pl->pend_target : NULL;
	snprintf(pl->pend_inv, sizeof pl->pend_inv, "%s", r->invname ? r->invname : "");
	pl->pend.invname = r->invname ? pl->pend_inv : NULL;
	pl->has_pend = true;
}

int mg_error(mg_ctx *c, const mg_err *e, const char *target)
{
	mg_stage *st = ST(c);
	mg_session *s = c->session;
	mg_errrec r;
	mg_stage_errrec(st, e, target, &r);
	const mg_bound *b = &st->base;
	mv *rec = mg_errrec_value(s, &r);
	if (st->errvar)
		mv_array_push(st->errvar, rec);
	st->pl->had_error = true;
	switch (b->error_action) {
	case MG_EA_IGNORE:
		break;
	case MG_EA_SILENT:
		mg_session_add_error(s, rec);
		break;
	case MG_EA_STOP:
		mv_unref(rec);
		mg_pipeline_fail(st->pl, &r);
		st->pl->stop_script = true;
		if (!c->err.set)
			mg_err_copy(&c->err, e);
		return -1;
	case MG_EA_INQUIRE:
		mg_errrec_print(s, &r);
		mg_session_add_error(s, rec);
		if (s->interactive && s->read_line) {
			fprintf(s->out, "\nConfirm\nContinue with this operation?\n");
			fflush(s->out);
			char *ans = s->read_line(s, "[Y] Yes  [A] Yes to All  [H] Halt Command  [?] Help (default is \"Y\"): ",
			                         false);
			bool halt = !ans || str_ieq(str_trim(ans), "h");
			free(ans);
			if (halt) {
				mv_unref(rec);
				mg_err stop;
				mg_err_set(&stop, MGC_STOPPED, "ActionPreferenceStop",
				           "The running command stopped because the user selected the Stop option.");
				mg_errrec hr;
				mg_stage_errrec(st, &stop, NULL, &hr);
				mg_pipeline_fail(st->pl, &hr);
				st->pl->stop_script = true;
				if (!c->err.set)
					mg_err_copy(&c->err, &stop);
				return -1;
			}
		}
		break;
	case MG_EA_CONTINUE:
	default:
		if (s->merge_errors) {
			/* 2>&1: the record joins the command's output */
			mg_session_add_error(s, rec);
			mg_emit(c, rec);
			break;
		}
		mg_errrec_print(s, &r);
		mg_session_add_error(s, rec);
		break;
	}
	mv_unref(rec);
	return 0;
}

static bool color_on(mg_session *s)
{
	return s->color && !getenv("NO_COLOR");
}

void mg_warning(mg_ctx *c, const char *fmt, ...)
{
	mg_stage *st = ST(c);
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (st->warnvar)
		mv_array_push_take(st->warnvar, mv_string(msg));
	int wa = st->base.warning_action;
	if (wa != MG_EA_SILENT && wa != MG_EA_IGNORE) {
		mg_session *s = c->session;
		mg_session_flush_output(s);
		fflush(s->out);
		if (color_on(s))
			fprintf((s->warnf ? s->warnf : s->errf), "\033[33mWARNING: %s\033[0m\n", msg);
		else
			fprintf((s->warnf ? s->warnf : s->errf), "WARNING: %s\n", msg);
		fflush((s->warnf ? s->warnf : s->errf));
	}
	free(msg);
}

bool mg_verbose_on(mg_ctx *c)
{
	return ST(c)->base.verbose;
}

void mg_verbose(mg_ctx *c, const char *fmt, ...)
{
	if (!mg_verbose_on(c))
		return;
	mg_session *s = c->session;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	mg_session_flush_output(s);
	fflush(s->out);
	if (color_on(s))
		fprintf((s->verbosef ? s->verbosef : s->errf), "\033[33mVERBOSE: %s\033[0m\n", msg);
	else
		fprintf((s->verbosef ? s->verbosef : s->errf), "VERBOSE: %s\n", msg);
	fflush((s->verbosef ? s->verbosef : s->errf));
	free(msg);
}

void mg_host(mg_ctx *c, const char *fmt, ...)
{
	mg_session *s = c->session;
	va_list ap;
	va_start(ap, fmt);
	mg_session_flush_output(s);
	vfprintf(s->hostf ? s->hostf : s->out, fmt, ap);
	va_end(ap);
	fflush(s->hostf ? s->hostf : s->out);
}

void mg_progress(mg_ctx *c, const char *activity, const char *status, int percent, bool completed)
{
	mg_session *s = c->session;
	mg_stage *st = ST(c);
	if (!s->interactive || !isatty(fileno(s->errf)))
		return;
	if (completed) {
		if (st->progress_shown)
			fprintf(s->errf, "\r\033[K");
		st->progress_shown = false;
		fflush(s->errf);
		return;
	}
	char bar[40];
	int width = 30;
	if (percent < 0) {
		snprintf(bar, sizeof bar, "%s", "[ ... ]");
	} else {
		if (percent > 100)
			percent = 100;
		int fill = percent * width / 100;
		bar[0] = '[';
		for (int i = 0; i < width; i++)
			bar[1 + i] = i < fill ? '#' : ' ';
		bar[width + 1] = ']';
		bar[width + 2] = '\0';
	}
	char line[256];
	if (percent >= 0)
		snprintf(line, sizeof line, "%s %3d%% %s%s%s", bar, percent, activity ? activity : "",
		         status ? ": " : "", status ? status : "");
	else
		snprintf(line, sizeof line, "%s %s%s%s", bar, activity ? activity : "", status ? ": " : "",
		         status ? status : "");
	int cols = 80;
	const char *ce = getenv("COLUMNS");
	if (ce && atoi(ce) > 20)
		cols = atoi(ce);
	if ((int)strlen(line) >= cols)
		line[cols - 1] = '\0';
	fprintf(s->errf, "\r\033[K%s", line);
	fflush(s->errf);
	st->progress_shown = true;
}

/* ---- ShouldProcess ---- */

bool mg_should_process(mg_ctx *c, const char *target, const char *action, bool *fatal)
{
	mg_stage *st = ST(c);
	mg_session *s = c->session;
	bool dummy;
	if (!fatal)
		fatal = &dummy;
	*fatal = false;
	if (!action)
		action = c->cmd->name;
	if (!target)
		target = "";
	if (st->base.whatif) {
		fprintf(s->out, "What if: Performing the operation \"%s\" on target \"%s\".\n", action, target);
		fflush(s->out);
		return false;
	}
	bool ask = st->base.confirm == 1 || ((c->cmd->flags & MCF_CONFIRM_HIGH) && st->base.confirm != 0);
	if (!ask || st->yes_all)
		return true;
	if (st->no_all)
		return false;
	if (!s->interactive || !s->read_line) {
		mg_err_set(&c->err, MGC_INVALIDOP, "ConfirmationRequired",
		           "%s needs confirmation for the operation \"%s\" on target \"%s\", but there is no "
		           "terminal to ask on. Add -Confirm:$false to the command to go ahead without asking.",
		           c->cmd->name, action, target);
		*fatal = true;
		return false;
	}
	fflush(s->out);
	for (;;) {
		fprintf(s->out, "\nConfirm\nAre you sure you want to perform this action?\n"
		        "Performing the operation \"%s\" on target \"%s\".\n", action, target);
		fflush(s->out);
		char *ans = s->read_line(s, "[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is \"Y\"): ",
		                         false);
		if (!ans) {
			st->no_all = true;
			return false;
		}
		str_trim(ans);
		bool yes = !*ans || str_ieq(ans, "y") || str_ieq(ans, "yes");
		bool all = str_ieq(ans, "a");
		bool no = str_ieq(ans, "n") || str_ieq(ans, "no");
		bool nall = str_ieq(ans, "l");
		bool help = str_ieq(ans, "?");
		free(ans);
		if (yes)
			return true;
		if (all) {
			st->yes_all = true;
			return true;
		}
		if (no)
			return false;
		if (nall) {
			st->no_all = true;
			return false;
		}
		if (help)
			fprintf(s->out, "Y - Continue with only the next step of the operation.\n"
			        "A - Continue with all the steps of the operation.\n"
			        "N - Skip this operation and proceed with the next operation.\n"
			        "L - Skip this operation and all subsequent operations.\n");
	}
}

mv *mg_invoke_block(mg_ctx *c, mv *block, mv *dollar_under, mg_err *err)
{
	return mg_eval_scriptblock(c->session, block, dollar_under, NULL, err);
}

bool mg_interactive(mg_ctx *c)
{
	return c->session->interactive;
}

char *mg_prompt(mg_ctx *c, const char *prompt, bool secret)
{
	mg_session *s = c->session;
	if (!s->interactive || !s->read_line)
		return NULL;
	return s->read_line(s, prompt, secret);
}

const char *mg_home(mg_ctx *c)
{
	return c->session->home;
}

/* ---- running a stage ---- */

/* A stage's process or end returned -1: its ctx.err (or "failed") stops
 * the pipeline.  Not inlined: the error record stays off the stack of the
 * running stage, which a function calling itself repeats. */
static __attribute__((noinline)) void stage_failed(mg_stage *st)
{
	mg_err e = st->ctx.err;
	if (!e.set)
		mg_err_set(&e, MGC_NOTSPECIFIED, "CommandFailed", "%s failed.", st->ctx.cmd->name);
	mg_errrec r;
	mg_stage_errrec(st, &e, NULL, &r);
	mg_pipeline_fail(st->pl, &r);
}

/* Pipeline input that cannot be bound: a non-terminating error for that
 * object (terminating without input).  Not inlined, as above. */
static __attribute__((noinline)) int bind_failed(mg_stage *st, mv *input, const mg_bind_err *be)
{
	if (input) {
		char *t = mv_to_string(input);
		int rc = mg_error(&st->ctx, &be->err, t);
		free(t);
		return rc;
	}
	mg_errrec r;
	mg_stage_errrec(st, &be->err, NULL, &r);
	mg_pipeline_fail(st->pl, &r);
	return -1;
}

static __attribute__((noinline)) int bind_input(mg_stage *st, mv *input)
{
	mg_session *s = st->pl->s;
	mg_bind_err be;
	memset(&be, 0, sizeof be);
	if (input) {
		int r = mg_bind_pipeline(s, &st->cur, input, &be);
		if (r <= 0)
			return bind_failed(st, input, &be) < 0 ? -1 : 1;
	}
	if (mg_bind_finish(s, &st->cur, false, &be) < 0)
		return bind_failed(st, input, &be) < 0 ? -1 : 1;
	return 0;
}

int mg_stage_input(mg_stage *st, mv *input)
{
	mg_pipeline *pl = st->pl;
	if (pl->stopped || check_interrupt(st))
		return -1;
	if (st->have_cur) {
		mg_bound_clear(&st->cur);
		st->have_cur = false;
	}
	mg_bound_copy(&st->cur, &st->base);
	st->have_cur = true;
	int br = bind_input(st, input);
	if (br < 0)
		return -1;
	if (br > 0)
		return 0;   /* reported for this object; the pipeline goes on */
	mg_err_clear(&st->ctx.err);
	int rc = st->ctx.cmd->process ? st->ctx.cmd->process(&st->ctx, input) : 0;
	mg_stage_free_tmp(st);
	if (rc < 0 && !pl->stopped)
		stage_failed(st);
	return rc < 0 || pl->stopped ? -1 : 0;
}

int mg_stage_end(mg_stage *st)
{
	mg_pipeline *pl = st->pl;
	if (pl->stopped || !st->ctx.cmd->end)
		return pl->stopped ? -1 : 0;
	mg_err_clear(&st->ctx.err);
	int rc = st->ctx.cmd->end(&st->ctx);
	mg_stage_free_tmp(st);
	if (rc < 0 && !pl->stopped)
		stage_failed(st);
	return rc < 0 || pl->stopped ? -1 : 0;
}
