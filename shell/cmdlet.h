/*
 * cmdlet.h - cmdlets are data.
 *
 * Every cmdlet (utility or migration) is one `mg_cmdlet` declaration: name,
 * help text, parameters (type, mandatory, position, switch, allowed values,
 * pipeline binding, parameter sets), output type and examples.  The binder,
 * tab completion, Get-Help and the man-page generator all read this one
 * declaration; nothing about a cmdlet is written down twice.
 *
 * All declarations are listed in the single dispatch table (cmdlets/table.c,
 * mg_cmdlet_table()).
 *
 * Runtime: for each pipeline input object the runtime binds parameters
 * (named, positional, then pipeline by value / by property name) and calls
 * process(ctx, input) (input NULL when nothing is piped in); once at the end
 * it calls end(ctx) if set.  Cmdlets write objects with mg_emit(), errors
 * with mg_error() (non-terminating) or by returning -1 with ctx->err filled
 * (terminating for this command).
 */
#ifndef MIGSH_CMDLET_H
#define MIGSH_CMDLET_H

#include <stdbool.h>
#include <stdio.h>
#include "common/err.h"
#include "shell/value.h"

struct mg_session;
struct mg_ctx;

typedef enum mg_ptype {
	MPT_STRING,       /* System.String */
	MPT_STRINGS,      /* String[] / MultiValuedProperty: one value or a list */
	MPT_INT,          /* System.Int32 */
	MPT_UNLIMITED,    /* non-negative integer or the word Unlimited (bound as MV_INT, -1 = Unlimited) */
	MPT_BOOL,         /* System.Boolean ($true/$false), takes a value */
	MPT_SWITCH,       /* SwitchParameter: no value, or -X:$false */
	MPT_ENUM,         /* one of `allowed`, bound with the canonical spelling and its index (mg_arg_enum) */
	MPT_BYTES,        /* Byte[] (CSVData) */
	MPT_DATETIME,
	MPT_TIMESPAN,
	MPT_SCRIPTBLOCK,
	MPT_OBJECT,       /* anything (InputObject) */
	MPT_CREDENTIAL    /* user,password pair or PSCredential-like object */
} mg_ptype;

/* A list of names in a declaration (parameter sets, aliases, related links): a
 * NULL-terminated array, e.g. .aliases = MG_NAMES("gc", "cat", "type")
 * (common/str.h str_list_has() looks a name up in one). */
#define MG_NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* parameter flags */
#define MPF_MANDATORY      0x01u
#define MPF_PIPE_VALUE     0x02u  /* ValueFromPipeline */
#define MPF_PIPE_PROPNAME  0x04u  /* ValueFromPipelineByPropertyName */
#define MPF_SECRET         0x08u  /* never echo (passwords) */
#define MPF_IGNORED        0x10u  /* accepted for compatibility, has no effect */
#define MPF_EXTENSION      0x20u  /* migsh extension, not in Exchange */
#define MPF_REMAINING      0x40u  /* ValueFromRemainingArguments: extra positional values join it as a list */

/* what tab completion offers for a value */
typedef enum mg_complete {
	MGCOMP_NONE, MGCOMP_ENUM, MGCOMP_FILE, MGCOMP_ENDPOINT, MGCOMP_BATCH, MGCOMP_USER,
	MGCOMP_CMDLET, MGCOMP_PROPERTY
} mg_complete;

typedef struct mg_param {
	const char *name;
	mg_ptype    type;
	unsigned    flags;
	int         position;           /* 0-based position, or -1 for named only */
	const char *const *allowed;     /* NULL-terminated allowed values (MPT_ENUM) */
	const char *const *sets;        /* parameter set names, MG_NAMES("A", "B"); NULL = all sets */
	const char *const *aliases;     /* aliases, MG_NAMES("a"), or NULL */
	const char *defval;             /* default as shown by Get-Help, or NULL */
	mg_complete complete;
	const char *help;               /* description for Get-Help / man */
} mg_param;

#define MG_EXAMPLE_FAILS   0x01u   /* example demonstrates an error; test checks it errors */
#define MG_EXAMPLE_TTY     0x02u   /* interactive: the test runs it on a terminal and answers
                                    * every prompt, Y to a confirmation and a test password
                                    * to any other question */
#define MG_EXAMPLE_BASH    0x04u   /* a bash command line (migsh -c ...), not a shell line */

typedef struct mg_example {
	const char *code;
	const char *remarks;
	unsigned    flags;
	const char *expect;   /* substring the output (or error, for FAILS) must contain, or NULL */
} mg_example;

/* cmdlet flags */
#define MCF_SHOULD_PROCESS  0x01u  /* supports -WhatIf/-Confirm */
#define MCF_CONFIRM_HIGH    0x02u  /* ConfirmImpact High: asks by default (Remove-*) */
#define MCF_EXTENSION       0x04u  /* migsh extension, not an Exchange cmdlet */
#define MCF_NO_COMMON       0x08u  /* language built-in without common parameters */

typedef struct mg_cmdlet {
	const char *name;               /* Verb-Noun */
	const char *const *aliases;     /* MG_NAMES("fl"), or NULL */
	const char *synopsis;
	const char *description;
	const mg_param *params;         /* terminated by an entry with name == NULL */
	const char *default_set;        /* default parameter set name, or NULL */
	const char *inputs;             /* INPUTS section text */
	const char *outputs;            /* OUTPUTS section text */
	const mv_type_info *output_type;/* type of emitted objects, or NULL */
	const mg_example *examples;     /* terminated by code == NULL */
	const char *notes;
	const char *const *related;     /* related cmdlets / topics, MG_NAMES("Get-X", "about_y"), or NULL */
	unsigned flags;
	size_t state_size;              /* bytes of zeroed per-invocation state in ctx->state */
	int  (*process)(struct mg_ctx *ctx, mv *input);
	int  (*end)(struct mg_ctx *ctx);     /* optional */
	void (*cleanup)(struct mg_ctx *ctx); /* optional: free ctx->state contents */
} mg_cmdlet;

/* Per-invocation context handed to a cmdlet. */
typedef struct mg_ctx {
	struct mg_session *session;
	const mg_cmdlet   *cmd;
	void              *state;       /* state_size bytes, zeroed, owned by the runtime */
	mg_err             err;         /* fill and return -1 for a terminating error */
	void              *rt;          /* runtime private data */
} mg_ctx;

/* ---- the dispatch table (cmdlets/table.c) ---- */
const mg_cmdlet *const *mg_cmdlet_table(size_t *count);
const mg_cmdlet *mg_cmdlet_find(const char *name_or_alias); /* case-insensitive */

/* ---- bound parameters (valid inside process/end) ---- */
mv   *mg_arg(mg_ctx *c, const char *name);        /* borrowed, NULL if not given */
bool  mg_has(mg_ctx *c, const char *name);        /* given explicitly (switches: given, any value) */
bool  mg_switch(mg_ctx *c, const char *name);     /* switch/bool value, false if absent */
const char *mg_arg_str(mg_ctx *c, const char *name); /* string form (borrowed, lives for the call) or NULL */
/* An MPT_ENUM parameter as the binder matched it: the index of its value in
 * the declaration's allowed list, or dflt when not given.  Declare allowed as
 * the enum's name table (indexed by the enum) and this is the enum value. */
int   mg_arg_enum(mg_ctx *c, const char *name, int dflt);
const char *mg_param_set(mg_ctx *c);              /* resolved parameter set name or NULL */

/* ---- output and streams ---- */
int  mg_emit(mg_ctx *c, mv *obj);                 /* borrows obj */
int  mg_emit_take(mg_ctx *c, mv *obj);            /* consumes obj */
/* Non-terminating error record: the runtime prints it PowerShell-style,
 * appends it to $Error and -ErrorVariable, honours -ErrorAction. target may
 * be NULL.  Returns 0 to continue, -1 if -ErrorAction Stop made it terminating. */
int  mg_error(mg_ctx *c, const mg_err *e, const char *target);
void mg_warning(mg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_verbose(mg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool mg_verbose_on(mg_ctx *c);
/* Write-Host style text straight to the host (not the pipeline). */
void mg_host(mg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Progress (Write-Progress): shown on a terminal only; percent < 0 = unknown;
 * completed=true removes the bar. */
void mg_progress(mg_ctx *c, const char *activity, const char *status, int percent, bool completed);

/* ShouldProcess: handles -WhatIf (prints "What if: ..." and returns false)
 * and -Confirm / ConfirmImpact High (prompts on a terminal; without a
 * terminal it fails with an error telling to add -Confirm:$false).
 * Returns true to go ahead. On refusal from a non-interactive session it
 * also sets c->err and *fatal = true (caller returns -1). */
bool mg_should_process(mg_ctx *c, const char *target, const char *action, bool *fatal);

/* Run a script block with $_ = dollar_under and optional $args; returns the
 * collected output (array, new ref) or NULL on error (err filled). */
mv  *mg_invoke_block(mg_ctx *c, mv *block, mv *dollar_under, mg_err *err);

/* Is the session interactive (a terminal for input and output)? */
bool mg_interactive(mg_ctx *c);
/* Read one line from the user (prompting); NULL when not interactive / EOF.
 * secret=true disables echo. Caller frees. */
char *mg_prompt(mg_ctx *c, const char *prompt, bool secret);

/* Session services the cmdlets need. */
const char *mg_home(mg_ctx *c);                   /* data directory ($MIGSH_HOME) */
void *mg_session_slot(struct mg_session *s, const char *key);               /* borrowed */
void  mg_session_set_slot(struct mg_session *s, const char *key, void *p, void (*release)(void *));

#endif
