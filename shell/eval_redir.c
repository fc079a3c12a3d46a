/*
 * eval_redir.c - redirections of a pipeline's streams (> >> 2>&1 *>$null).
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- redirections ----------
 * The six streams: 1 output, 2 error, 3 warning, 4 verbose, 5 debug,
 * 6 information (Write-Host); * is all of them.  A target is $null, a file
 * (> writes, >> appends; the output is formatted as on the console, like
 * Out-File) or, for N>&1, the output stream.  They apply while the
 * pipeline they are written in runs. */

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

int ev_redir_begin(ev *e, const ast *pl, mv *sink, redir_state *rs)
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
			ev_throwf(e, r, MGC_PERMISSION, "FileOpenFailure", "This session does not write files.");
			f = NULL;
		} else {
			char *path = mv_to_string(tv);
			char *local = mg_map_path_for_write(s, path);
			f = fopen(local, (r->flags & AF_REDIR_APPEND) ? "a" : "w");
			if (!f) {
				ev_throwf(e, r, MGC_WRITE, "FileOpenFailure", "Could not open the file '%s' for the redirection: %s.",
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
int ev_redir_end(ev *e, mv *sink, redir_state *rs, int rc)
{
	mg_session *s = e->s;
	if (!rs->active)
		return rc;
	if (rc == EV_ERR && e->has_err && !e->in_try && !e->fatal && (s->errf != rs->errf || s->merge_errors)) {
		if (s->merge_errors) {
			mv *rec = mg_errrec_value(s, &e->rec);
			mg_session_add_error(s, rec);
			mv_array_push_take(sink, rec);
			e->has_err = false;
		} else {
			ev_report(e);
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

