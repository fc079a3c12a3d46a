/*
 * runtime.h - private to the shell: one running pipeline and its stages.
 *
 * eval.c builds the stages (binding each command), runtime.c implements
 * the cmdlet-facing API of cmdlet.h (mg_arg, mg_emit, mg_error, ...) over
 * them.  Objects are pushed downstream one at a time: mg_emit on stage i
 * runs stage i+1's process() with that object.
 */
#ifndef MIGSH_RUNTIME_H
#define MIGSH_RUNTIME_H

#include <stdbool.h>
#include "shell/binder.h"
#include "shell/cmdlet.h"
#include "shell/errors.h"
#include "shell/session.h"

struct mg_pipeline;

typedef struct mg_stage {
	mg_ctx  ctx;
	struct mg_pipeline *pl;
	struct mg_stage *next;
	int     index;            /* 1-based pipeline position */
	mg_bound base;            /* command-line binding */
	mg_bound cur;             /* binding for the current input (base + pipeline) */
	bool    have_cur;
	bool    pipe_input;       /* something upstream feeds this stage */
	size_t  pos, len;         /* source range of the command */
	const char *invname;      /* the command's name as typed (alias, "&"), or NULL */
	char  **tmp_strs;         /* strings handed out by mg_arg_str, freed after each call */
	size_t  ntmp, captmp;
	mv     *outvar;           /* -OutVariable collection */
	mv     *errvar;           /* -ErrorVariable collection */
	mv     *warnvar;
	bool    yes_all, no_all;  /* answers to the confirmation prompt */
	bool    progress_shown;
} mg_stage;

typedef struct mg_pipeline {
	mg_session *s;
	mv     *sink;             /* output of the last stage (array) */
	bool    stopped;          /* a terminating error happened */
	bool    had_error;        /* a non-terminating error was written ($? = false) */
	mg_errrec pend;           /* the terminating error to report */
	bool    has_pend;
	bool    stop_script;      /* -ErrorAction Stop: the error ends the script unless caught */
	char    pend_cmd[128];
	char    pend_target[512];
	char    pend_inv[128];
	const char *src;
	size_t  srclen;
	const char *origin;
} mg_pipeline;

/* Run one input object (NULL = no pipeline input) through stage st. */
int  mg_stage_input(mg_stage *st, mv *input);
/* Run st->cmd->end if any. */
int  mg_stage_end(mg_stage *st);
void mg_stage_free_tmp(mg_stage *st);
/* Make an error record for stage st (position of its command). */
void mg_stage_errrec(mg_stage *st, const mg_err *e, const char *target, mg_errrec *r);
/* Record a terminating error for the pipeline (first one wins). */
void mg_pipeline_fail(mg_pipeline *pl, const mg_errrec *r);
/* The terminating error the cmdlet is about to return (-1, c->err) ends
 * the script unless caught, like -ErrorAction Stop: a throw inside the
 * text Invoke-Expression runs. */
void mg_error_ends_script(mg_ctx *c);

#endif
