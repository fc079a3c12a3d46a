/*
 * pipeline.c - commands and pipelines: each command is resolved (cmdlet,
 * function, script file, program on PATH), bound and run as a stage of the
 * runtime (runtime.c); expressions feed the first stage.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <stdlib.h>
#include <string.h>

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
		ev_throwf(e, cmd, MGC_PERMISSION, "ProgramNotAllowed", "This session does not run programs ('%s').", path);
		return EV_ERR;
	}
	mg_err err;
	mv *lines = mv_array();
	int st = mg_run_program(e->s, path, args, lines, &err);
	if (st < 0) {
		mv_unref(lines);
		ev_throwf(e, cmd, err.category, err.id, "%s", err.msg);
		return EV_ERR;
	}
	ev_write_out(out, lines);
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
		ev_throwf(e, cmd, err.category, err.id, "%s", err.msg);
		return EV_ERR;
	}
	if (mg_is_binary(data, len)) {
		free(data);
		free(path);
		ev_throwf(e, cmd, MGC_INVALIDDATA, "NotAScript",
		       "'%s' is a binary file, not a PowerShell script, and it is not executable; migsh does not run it.",
		       name);
		return EV_ERR;
	}
	/* & ./x.ps1 runs in a script scope of its own; . ./x.ps1 in the caller's */
	bool dot = (cmd->flags & AF_DOTSOURCE) != 0;
	mv *old_args = NULL;
	if (dot) {
		old_args = mg_var_get(e->s, "args");
		if (old_args)
			mv_ref(old_args);
	} else {
		mg_scope_push(e->s, true);
	}
	mg_var_set(e->s, "args", args);
	mv *res = NULL;
	ev_run_file(e, data, len, path, &res);   /* an error that ends it is thrown in e */
	if (!dot) {
		mg_scope_pop(e->s);
	} else if (old_args) {
		mg_var_set(e->s, "args", old_args);
		mv_unref(old_args);
	} else {
		mg_var_remove(e->s, "args");
	}
	ev_write_out(out, res);
	mv_unref(res);
	free(data);
	free(path);
	if (e->s->exit_requested) {   /* exit in a called script ends only that script */
		e->s->exit_requested = false;
		e->s->last_exit_code = e->s->exit_code;
	}
	return e->has_err ? EV_ERR : EV_OK;
}

void ev_cmdargs_free(cmdargs *c)
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

mv *ev_cmdargs_keep(cmdargs *c, mv *v)
{
	GROW(c->vals, c->capv, c->nv + 1);
	c->vals[c->nv++] = v;
	return v;
}

int ev_cmdargs_eval(ev *e, const ast *cmd, size_t first, cmdargs *c)
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
				ra->val = ev_cmdargs_keep(c, v);
				ra->vpos = k->kids[0]->pos;
				ra->vlen = k->kids[0]->len;
				if (k->kids[0]->kind == N_NUMBER)
					ra->numtext = k->kids[0]->str;
			}
		} else if (k->kind == N_VAR && (k->flags & AF_SPLAT)) {
			/* @h: each key = value becomes -key:value; @a: each item a positional value */
			mv *v = ev_cmdargs_keep(c, ev_get_var(e, k->str));
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
			ra->val = ev_cmdargs_keep(c, v);
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
	if (ev_cmdargs_eval(e, c, skip, &ca) < 0) {
		ev_cmdargs_free(&ca);
		return EV_ERR;
	}
	mv *args = mv_array();
	script_args(&ca, args);
	int rc = program ? run_program(e, c, path, args, sink) : run_script_file(e, c, path, args, sink);
	mv_unref(args);
	ev_cmdargs_free(&ca);
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
	/* the bindings first: a function's declaration lives in its state */
	if (st->have_cur)
		mg_bound_clear(&st->cur);
	mg_bound_clear(&st->base);
	st->have_cur = false;
	if (st->ctx.cmd && st->ctx.cmd->cleanup && st->ctx.state)
		st->ctx.cmd->cleanup(&st->ctx);
	free(st->ctx.state);
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

void ev_apply_preferences(mg_session *s, mg_bound *b)
{
	if (!mg_bound_get(b, "ErrorAction"))
		b->error_action = preference(s, "ErrorActionPreference", MG_EA_CONTINUE);
	if (!mg_bound_get(b, "WarningAction"))
		b->warning_action = preference(s, "WarningPreference", MG_EA_CONTINUE);
	if (!mg_bound_get(b, "Verbose"))
		b->verbose = preference(s, "VerbosePreference", MG_EA_SILENT) == MG_EA_CONTINUE;
}

/* $ErrorActionPreference = 'Stop': any error ends the script. */
bool ev_stop_on_error(mg_session *s)
{
	return preference(s, "ErrorActionPreference", MG_EA_CONTINUE) == MG_EA_STOP;
}

int ev_run_block_element(ev *e, mv *block, mv *args, mv *out)
{
	return ev_run_scriptblock(e, block, NULL, args, out);
}
/* Bind a function or script block stage (0, or -1 with the error thrown).
 * Not inlined: its binding error records stay off the stack of the
 * pipeline, which recursion (a function calling itself) repeats. */
static __attribute__((noinline)) int build_fn_stage(ev *e, mg_stage *st, const char *name, mv *fnv,
                                                     const cmdargs *ca, const ast *c)
{
	mg_session *s = e->s;
	mg_bind_err be;
	memset(&be, 0, sizeof be);
	int fr = ev_fn_stage_init(e, st, name, fnv, ca, c, &be);
	if (fr == 0) {
		mg_bind_common(&st->base);
		fr = mg_bind_finish(s, &st->base, st->pipe_input, &be);
		ev_apply_preferences(s, &st->base);
	}
	if (fr == -1) {
		mg_errrec r;
		mg_stage_errrec(st, &be.err, NULL, &r);
		if (be.has_pos) {
			r.pos = be.pos;
			r.len = be.len;
		}
		ev_throw_rec(e, &r);
	}
	return fr == 0 ? 0 : -1;
}

/* Stage i is built: the arrays its -OutVariable, -ErrorVariable and
 * -WarningVariable collect into, and the link from the stage before it. */
static void link_stage(mg_stage *stages, size_t i, size_t first_cmd)
{
	mg_stage *st = &stages[i];
	if (st->base.out_variable)
		st->outvar = mv_array();
	if (st->base.error_variable)
		st->errvar = mv_array();
	if (st->base.warning_variable)
		st->warnvar = mv_array();
	if (i > first_cmd)
		stages[i - 1].next = st;
}

int ev_pipeline(ev *e, const ast *pl, mv *out)
{
	mg_session *s = e->s;
	unsigned long errs_before = s->errors_written;
	e->native_failed = false;
	/* the elements; the pipeline's own redirections (of an expression) follow them */
	size_t n = 0;
	while (n < pl->nkids && pl->kids[n]->kind != N_REDIR)
		n++;
	size_t first_cmd = pl->kids[0]->kind == N_COMMAND ? 0 : 1;
	mv *invoked = NULL;   /* `& expr` of the first element, evaluated once */
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
	if (ev_redir_begin(e, pl, P.sink, &rs) < 0) {
		rc = EV_ERR;
		goto out;
	}

	/* a single `& script.ps1` / script / program element is run directly */
	if (n == 1 && pl->kids[0]->kind == N_COMMAND) {
		const ast *c = pl->kids[0];
		char *prog = NULL;
		if (c->flags & AF_INVOKE) {
			invoked = ev_expr(e, c->kids[0]);
			if (!invoked) {
				rc = EV_ERR;
				goto out;
			}
			if (invoked->kind == MV_SCRIPTBLOCK && invoked->u.sb.release != ev_sb_release) {
				cmdargs ca;
				memset(&ca, 0, sizeof ca);
				if (ev_cmdargs_eval(e, c, 1, &ca) < 0) {
					ev_cmdargs_free(&ca);
					rc = EV_ERR;
					goto out;
				}
				mv *args = mv_array();
				for (size_t i = 0; i < ca.n; i++)
					if (ca.a[i].val)
						mv_array_push(args, ca.a[i].val);
				rc = ev_run_block_element(e, invoked, args, P.sink);
				mv_unref(args);
				ev_cmdargs_free(&ca);
				goto out;
			}
			if (invoked->kind != MV_SCRIPTBLOCK) {
				char *wname = mv_to_string(invoked);
				if (looks_like_script(wname) && !resolve_cmdlet(e, wname) && !ev_find_function(e, wname)) {
					/* & 'C:\path\script.ps1' args */
					rc = run_outside(e, c, 1, false, wname, P.sink);
					free(wname);
					goto out;
				}
				free(wname);
			}
		} else if (!looks_like_script(c->str) && !resolve_cmdlet(e, c->str) && !ev_find_function(e, c->str) &&
		           !s->file_root && (prog = mg_find_program(c->str)) != NULL) {
			/* ls -l, whoami: a program on PATH */
			rc = run_outside(e, c, 0, true, prog, P.sink);
			free(prog);
			goto out;
		} else if (looks_like_script(c->str) && !resolve_cmdlet(e, c->str) && !ev_find_function(e, c->str)) {
			rc = run_outside(e, c, 0, false, c->str, P.sink);
			goto out;
		}
	}

	/* build and bind every command first, like PowerShell */
	for (size_t i = first_cmd; i < n; i++) {
		const ast *c = pl->kids[i];
		if (c->kind != N_COMMAND) {
			ev_throwf(e, c, MGC_PARSER, "ExpressionsMustBeFirstInPipeline",
			       "Expressions are only allowed as the first element of a pipeline.");
			rc = EV_ERR;
			goto out;
		}
		const char *name = c->str;
		char *owned_name = NULL;
		size_t argstart = 0;
		mv *fnv = NULL;   /* a function or script block run as this stage */
		if (c->flags & AF_INVOKE) {
			mv *w = i == 0 && invoked ? mv_ref(invoked) : ev_expr(e, c->kids[0]);
			if (!w) {
				rc = EV_ERR;
				goto out;
			}
			argstart = 1;
			if (w->kind == MV_SCRIPTBLOCK && w->u.sb.release == ev_sb_release) {
				fnv = w;
				name = "&";
			} else {
				owned_name = mv_to_string(w);
				mv_unref(w);
				name = owned_name;
			}
		}
		/* a function comes before a cmdlet of the same name, as in PowerShell */
		if (!fnv && (fnv = ev_find_function(e, name)) != NULL)
			mv_ref(fnv);
		const mg_cmdlet *cmd = fnv ? NULL : resolve_cmdlet(e, name);
		char *native = NULL;   /* a program in a pipeline (external.h) */
		if (!cmd && !fnv && !s->file_root &&
		    !(strlen(name) > 4 && str_ieq(name + strlen(name) - 4, ".ps1")) &&
		    (native = mg_find_program(name)))
			cmd = &mg_cmd_native;
		if (!cmd && !fnv) {
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
			r.invname = name;
			ev_throw_rec(e, &r);
			free(owned_name);
			rc = EV_ERR;
			goto out;
		}
		mg_stage *st = &stages[i];
		built = i + 1;
		st->ctx.session = s;
		st->ctx.cmd = cmd;
		st->ctx.rt = st;
		st->ctx.state = cmd && cmd->state_size ? xcalloc(1, cmd->state_size) : NULL;
		st->pl = &P;
		st->index = (int)(i + 1);
		st->pos = c->pos;
		st->len = c->len;
		st->invname = (c->flags & AF_INVOKE) ? "&" : c->str;
		st->pipe_input = i > 0;
		if (cmd)
			mg_bound_init(&st->base, cmd);
		cmdargs ca;
		memset(&ca, 0, sizeof ca);
		if (ev_cmdargs_eval(e, c, argstart, &ca) < 0) {
			ev_cmdargs_free(&ca);
			free(owned_name);
			free(native);
			mv_unref(fnv);
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
		if (fnv) {
			int fr = build_fn_stage(e, st, name, fnv, &ca, c);
			free(owned_name);
			mv_unref(fnv);
			ev_cmdargs_free(&ca);
			if (fr != 0) {
				rc = EV_ERR;
				goto out;
			}
			link_stage(stages, i, first_cmd);
			continue;
		}
		free(owned_name);
		/* `Cmdlet -?` shows the cmdlet's help, like PowerShell */
		const mg_cmdlet *help = NULL;
		for (size_t k = 0; k < ca.n; k++)
			if (ca.a[k].name && strcmp(ca.a[k].name, "?") == 0)
				help = mg_session_find_cmdlet(s, "Get-Help");
		if (help) {
			mv *nm = ev_cmdargs_keep(&ca, mv_string(cmd->name));
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
		ev_cmdargs_free(&ca);
		if (br == 0) {
			mg_bind_common(&st->base);
			/* first stage: resolve now (prompting for mandatory ones);
			 * later stages: only what pipeline input cannot supply */
			br = mg_bind_finish(s, &st->base, st->pipe_input, &be);
			ev_apply_preferences(s, &st->base);
		}
		if (br < 0) {
			mg_errrec r;
			mg_stage_errrec(st, &be.err, NULL, &r);
			if (be.has_pos) {
				r.pos = be.pos;
				r.len = be.len;
			}
			ev_throw_rec(e, &r);
			rc = EV_ERR;
			goto out;
		}
		link_stage(stages, i, first_cmd);
	}

	/* run (unless only binding was asked for: tests of documented lines) */
	if (s->bind_only && e->nest <= 1) {
		rc = EV_OK;
		goto out;
	}
	/* the begin blocks of the functions, in order, before any input; the
	 * programs start then too (their input and output then stream) */
	for (size_t i = first_cmd; i < n && !P.stopped; i++) {
		if (ev_is_fn_stage(&stages[i])) {
			ev_fn_stage_begin(&stages[i]);
		} else if (stages[i].ctx.cmd == &mg_cmd_native && mg_native_begin(&stages[i].ctx) < 0) {
			mg_errrec rr;
			mg_stage_errrec(&stages[i], &stages[i].ctx.err, NULL, &rr);
			mg_pipeline_fail(&P, &rr);
		}
	}
	if (P.stopped) {
		/* nothing more runs */
	} else if (first_cmd == 1) {
		mv *v = ev_expr(e, pl->kids[0]);
		if (!v) {
			rc = EV_ERR;
			goto out;
		}
		if (n == 1) {
			ev_write_out(P.sink, v);
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
	/* a program that ended non-zero fails the pipeline ($? False) */
	for (size_t i = first_cmd; i < built; i++)
		if (stages[i].ctx.cmd == &mg_cmd_native && mg_native_status(&stages[i].ctx) > 0)
			e->native_failed = true;

	for (size_t i = first_cmd; i < built; i++) {
		store_var(s, stages[i].base.out_variable, stages[i].outvar);
		store_var(s, stages[i].base.error_variable, stages[i].errvar);
		store_var(s, stages[i].base.warning_variable, stages[i].warnvar);
	}
	if (P.has_pend) {
		if (P.pend.cmdlet)
			P.pend.cmdlet = P.pend_cmd;
		ev_throw_rec(e, &P.pend);
		if (P.stop_script)
			e->fatal = true;   /* -ErrorAction Stop: script-terminating unless caught */
		rc = EV_ERR;
	} else {
		/* exit, or break / continue out of a function, ends the pipeline and
		 * goes on in the caller */
		for (size_t i = first_cmd; i < built && rc == EV_OK; i++)
			if (stages[i].ctx.cmd)
				rc = ev_fn_stage_flow(&stages[i]);
	}
out:
	mv_unref(invoked);
	for (size_t i = 0; i < built; i++)
		if (stages[i].ctx.cmd)
			stage_destroy(&stages[i]);
	free(stages);
	bool redirected_err = rs.active && rc == EV_ERR;
	rc = ev_redir_end(e, P.sink, &rs, rc);
	mv_unref(P.sink);
	s->last_ok = !(rc == EV_ERR || redirected_err || P.had_error || s->errors_written != errs_before ||
	               e->native_failed);
	e->native_failed = false;
	return rc;
}

