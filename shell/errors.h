/*
 * errors.h - PowerShell-style error records.
 *
 * Layout (cmdlets.md section 11, console NormalView), to stderr:
 *   New-MigrationBatch : <message>
 *   At line:1 char:1
 *   + <the whole input line>
 *   + ~~~~~~~~~~~~~~~~~~~~~~
 *       + CategoryInfo          : <Category>: (<target>:<type>) [Cmdlet], <Exception>
 *       + FullyQualifiedErrorId : <ErrorId>,<Cmdlet>
 * Parse errors put the position first and the message after the caret
 * line, like PowerShell does.
 * The echoed line never shows a secret: with a session, the tokens
 * secret_mask.h finds (a -Password value, the password of -Credentials
 * user,pw, ConvertTo-SecureString's text) are printed as a fixed mask, so
 * the echo tells neither the password nor its length; the caret moves with
 * the masked text while "char:N" keeps the column in the source.  The
 * renderers without a session (for tests) mask nothing.
 *
 * As a value (mg_errrec_value: $_ in catch, $Error, -ErrorVariable, the
 * records of 2>&1) a record carries InvocationInfo: ScriptLineNumber,
 * OffsetInLine, Line and PositionMessage of its position (Line and
 * PositionMessage masked the same way as the printed echo), ScriptName /
 * PSCommandPath / PSScriptRoot of the script file (empty for -c and the
 * REPL), MyCommand (a CmdletInfo or FunctionInfo that prints as its name;
 * $null for a throw statement and an unknown command) and InvocationName
 * (the name as typed: an alias, "&").  ScriptStackTrace names the error's
 * line in PowerShell's form (one frame: migsh keeps no call stack).
 */
#ifndef MIGSH_ERRORS_H
#define MIGSH_ERRORS_H

#include <stdbool.h>
#include <stdio.h>
#include "common/err.h"
#include "common/mem.h"
#include "shell/value.h"

struct mg_session;
struct mg_parse_error;

typedef struct mg_errrec {
	mg_err      err;         /* category, id, message */
	const char *cmdlet;      /* command name or NULL */
	const char *target;      /* target object text, or NULL */
	const char *target_type; /* "String" when NULL and target set */
	const char *exception;   /* exception type name, or NULL: derived from id/category */
	/* where: the source text and the offending range (src NULL = no position) */
	const char *src;
	size_t      srclen;
	const char *origin;      /* script file name or NULL */
	size_t      pos, len;
	const char *invname;     /* the command's name as typed (alias, "&"), NULL: cmdlet */
} mg_errrec;

/* The exception type name shown in CategoryInfo for this record. */
const char *mg_errrec_exception(const mg_errrec *r);
/* Render the record (no colours) into out. */
void mg_errrec_render(const mg_errrec *r, strbuf *out);
/* Print to the session's error stream (red on a terminal unless NO_COLOR). */
void mg_errrec_print(struct mg_session *s, const mg_errrec *r);
/* An ErrorRecord object for $Error / -ErrorVariable / $_ (new reference),
 * with its InvocationInfo; s (may be NULL: nothing masked) masks the secrets
 * of its Line and PositionMessage. */
mv  *mg_errrec_value(struct mg_session *s, const mg_errrec *r);
/* Print + append to $Error + set $? = false. */
void mg_errrec_report(struct mg_session *s, const mg_errrec *r);

/* Parse errors: print in PowerShell's ParserError layout. */
void mg_parse_error_render(const char *src, size_t len, const char *origin,
                           const struct mg_parse_error *pe, strbuf *out);
void mg_parse_error_print(struct mg_session *s, const char *src, size_t len, const char *origin,
                          const struct mg_parse_error *pe);

/* Unknown command: fill e with the "is not recognized" message, with the
 * closest cmdlet names (str_distance_ci) appended as suggestions. */
void mg_command_not_found(struct mg_session *s, const char *name, mg_err *e);

#endif
