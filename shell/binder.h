/*
 * binder.h - PowerShell parameter binding against mg_cmdlet declarations.
 *
 * Order (like PowerShell's CmdletParameterBinderController): named
 * arguments (exact name, alias, then unique prefix; common parameters
 * counted), positional arguments, then for each pipeline input object:
 * by value, by property name, by value with conversion.  Then the
 * parameter set is resolved and mandatory parameters are checked
 * (prompted for on a terminal).  Values are converted to the declared
 * types (Int32, Unlimited, Boolean, enums, Byte[], DateTime, TimeSpan,
 * String[]); errors carry the position of the offending token.
 */
#ifndef MIGSH_BINDER_H
#define MIGSH_BINDER_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "shell/cmdlet.h"

struct mg_session;

/* One argument as written on the command line (already evaluated). */
typedef struct mg_rawarg {
	const char *name;    /* parameter name as typed (no '-'), NULL for a positional value */
	mv   *val;           /* borrowed; NULL for a bare -Switch */
	bool  colon;         /* written -Name:value */
	size_t pos, len;     /* source range of the parameter token (or of the value) */
	size_t vpos, vlen;   /* source range of the value, if any */
	const char *numtext; /* a number written bare (007): its text, used for string parameters */
} mg_rawarg;

typedef struct mg_bound_arg {
	const mg_param *param;
	mv   *val;           /* owned reference, converted */
	int   choice;        /* MPT_ENUM: the value's index in param->allowed; else -1 */
	bool  from_pipe;
	size_t pos, len;
} mg_bound_arg;

typedef struct mg_bound {
	const mg_cmdlet *cmd;
	mg_bound_arg *args;
	size_t n, cap;
	const char *set;     /* resolved parameter set (borrowed from a declaration), or NULL */
	/* common parameters, read out of args by mg_bind_common */
	int   error_action;  /* MG_EA_* */
	int   warning_action;
	bool  verbose, debug, whatif;
	int   confirm;       /* -1 not given, 0 -Confirm:$false, 1 -Confirm */
	const char *error_variable, *out_variable, *warning_variable;
} mg_bound;

enum { MG_EA_CONTINUE, MG_EA_STOP, MG_EA_SILENT, MG_EA_IGNORE, MG_EA_INQUIRE };

/* Binding error: an mg_err plus the range of the offending token. */
typedef struct mg_bind_err {
	mg_err err;
	size_t pos, len;
	bool   has_pos;
} mg_bind_err;

void mg_bound_init(mg_bound *b, const mg_cmdlet *cmd);
void mg_bound_clear(mg_bound *b);
void mg_bound_copy(mg_bound *dst, const mg_bound *src);
mg_bound_arg *mg_bound_get(const mg_bound *b, const char *canonical_name);

/* Common parameters (Verbose, ErrorAction, ...) and the ShouldProcess pair. */
extern const mg_param mg_common_params[];
extern const mg_param mg_shouldprocess_params[];

/* Resolve a typed parameter name (exact name, alias, unique prefix).
 * Returns NULL with e filled (NamedParameterNotFound / AmbiguousParameter). */
const mg_param *mg_find_param(const mg_cmdlet *cmd, const char *typed, mg_err *e);

/* Named + positional binding.  Returns 0 or -1 with e filled. */
int mg_bind_args(struct mg_session *s, mg_bound *b, const mg_rawarg *args, size_t n, mg_bind_err *e);
/* Pipeline input binding for one object (on a copy of the command-line
 * binding).  Returns 1 when something was bound, 0 when nothing could be
 * bound (InputObjectNotBound in e), -1 on a conversion error. */
int mg_bind_pipeline(struct mg_session *s, mg_bound *b, mv *input, mg_bind_err *e);
/* Resolve the parameter set and check mandatory parameters.  pipe_pending:
 * pipeline input will still come, so pipeline-bindable parameters may be
 * missing.  Prompts on a terminal (s->interactive) for missing ones. */
int mg_bind_finish(struct mg_session *s, mg_bound *b, bool pipe_pending, mg_bind_err *e);
/* Read the common parameters out of the binding into b's fields. */
void mg_bind_common(mg_bound *b);

/* Convert v to the parameter's declared type (new reference) or NULL + e. */
mv *mg_convert_arg(const mg_param *p, mv *v, mg_err *e);

/* Names of the parameter types for messages: "System.Int32", ... */
const char *mg_ptype_name(const mg_param *p);

/* Enumerate every parameter a cmdlet accepts (its own, then common, then
 * ShouldProcess when supported).  Returns NULL after the last one. */
const mg_param *mg_param_iter(const mg_cmdlet *cmd, size_t *i);

#endif
