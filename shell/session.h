/*
 * session.h - one shell session: every piece of per-session mutable state.
 *
 * Variables (in scopes, below), $Error, $?, $LASTEXITCODE, the data directory, terminal and
 * colour flags, the cmdlet lookup, slots other layers hang their handles on
 * (mg_session_slot / mg_session_set_slot in cmdlet.h) and the completion
 * name sources.  Nothing else in the shell keeps mutable globals.
 */
#ifndef MIGSH_SESSION_H
#define MIGSH_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include "common/err.h"
#include "shell/cmdlet.h"
#include "shell/value.h"

struct mg_session;

/* Completion hook: names of existing things of one kind (MGCOMP_ENDPOINT,
 * MGCOMP_BATCH, MGCOMP_USER) that start with prefix (the word typed so far,
 * case-insensitive; a source may return more, the caller filters).  Returns
 * a NULL-terminated malloc'd array of malloc'd strings (or NULL); the
 * caller frees both. */
typedef char **(*mg_name_source)(struct mg_session *s, mg_complete kind, const char *prefix);

/* Cmdlet lookup used by the evaluator, binder and completion.  app/main.c uses
 * the real dispatch table (cmdlets/table.c); unit tests pass their own. */
typedef struct mg_cmdlet_source {
	const mg_cmdlet *(*find)(const char *name_or_alias);
	const mg_cmdlet *const *(*table)(size_t *count);
} mg_cmdlet_source;

/* Reads one line from the user for mandatory-parameter and confirmation
 * prompts.  Returns malloc'd text or NULL on EOF.  Replaceable for tests. */
typedef char *(*mg_line_reader)(struct mg_session *s, const char *prompt, bool secret);

/* A variable of one scope.  Functions are variables too, named
 * "function:NAME", so they are scoped the same way. */
typedef struct mg_var {
	char *name;
	mv   *val;
	bool  private_;   /* $private:x: not seen from child scopes */
} mg_var;

/* A variable scope (about_Scopes).  The global scope is the session's;
 * each script file run with & (or -File) gets a script scope; each call of
 * a function or of a script block with & gets a local scope whose parent is
 * the caller's (dynamic scoping).  Dot-sourcing runs in the caller's scope.
 * A read looks in the current scope, then in each parent up to the global
 * one; an assignment writes in the current scope. */
typedef struct mg_scope {
	mg_var *vars;
	size_t  nvars, capvars;
	struct mg_scope *parent;   /* NULL for the global scope */
	bool    script;            /* a script scope ($script:); the global one is one too */
} mg_scope;

typedef struct mg_slot {
	char *key;
	void *p;
	void (*release)(void *);
} mg_slot;

typedef struct mg_session {
	/* variables: the global scope (its table also reads as s->vars /
	 * s->nvars: the variables of the REPL's prompt) and the current scope */
	union {
		mg_scope global;
		struct {
			mg_var *vars;
			size_t  nvars, capvars;
		};
	};
	mg_scope *scope;
	mv     *errors;            /* $Error: newest first (MV_ARRAY) */
	bool    last_ok;           /* $? */
	long long last_exit_code;  /* $LASTEXITCODE */

	char   *home;              /* data directory, created 0700 */
	bool    interactive;       /* input and output are a terminal */
	bool    color;             /* colours allowed on stdout/stderr */
	FILE   *out;               /* pipeline output (stdout) */
	FILE   *errf;              /* error stream (stderr) */

	mg_cmdlet_source cmdlets;
	mg_line_reader   read_line;

	mg_slot *slots;
	size_t   nslots, capslots;
	mg_name_source *name_sources;
	size_t   nsources, capsources;

	/* script context for error positions */
	const char *script_name;   /* NULL for interactive / -Command */

	/* exit request from `exit N` */
	bool    exit_requested;
	int     exit_code;
	int     depth;             /* nesting of evaluations (recursion guard) */
	/* try blocks being run, in every evaluation: a script block a cmdlet
	 * runs (ForEach-Object, Invoke-Expression) inside one hands its errors
	 * to the catch instead of reporting them and going on */
	int     try_depth;
	bool    bind_only;         /* parse and bind top-level commands without running them (tests) */
	/* set (by the REPL's SIGINT handler) when the user pressed Ctrl-C: the
	 * running pipeline stops at its next object; NULL = never */
	volatile sig_atomic_t *interrupted;

	/* Resource limits on what a script may build (mg_session_new sets the
	 * defaults below; tests and the fuzzer lower them).  A string, a -f
	 * result or a -join result longer than max_string bytes, or an array
	 * (range, multiplication) of more than max_items items, is refused with a
	 * LimitsExceeded error before anything is allocated. */
	size_t  max_string;
	size_t  max_items;
	/* Stack use of the evaluator: the frame address where the outermost
	 * evaluation started (NULL when none is running) and how many bytes
	 * below it evaluation may go before it stops with an
	 * InsufficientExecutionStack error (from RLIMIT_STACK). */
	const char *stack_base;
	size_t  stack_budget;
	/* error records written to the error stream so far: a pipeline whose
	 * commands (functions, script blocks) wrote one has failed ($? False) */
	unsigned long errors_written;
	/* NULL, or the real path of the one directory whose files this session
	 * may read (the evaluator's fuzzer): see mg_path_confined */
	const char *file_root;
	/* Redirections in force for the running pipeline (3> file, 6>$null,
	 * 2>&1, ...): NULL means the default stream (errf for warnings and
	 * verbose/debug text, out for Write-Host's information stream). */
	FILE   *warnf;
	FILE   *verbosef;
	FILE   *hostf;
	int     merge_errors;      /* 2>&1: error records go to the output as objects */
	/* Set by the evaluator while a top-level statement's output goes to the
	 * console: writes the objects it has produced so far.  Host, warning,
	 * verbose and error text call mg_session_flush_output first, so that the
	 * console shows everything in the order it was produced. */
	void  (*flush_output)(void *ctx);
	void   *flush_ctx;
} mg_session;

static inline void mg_session_flush_output(mg_session *s)
{
	if (s && s->flush_output)
		s->flush_output(s->flush_ctx);
}

#define MG_DEFAULT_MAX_STRING ((size_t)256 * 1024 * 1024)
#define MG_DEFAULT_MAX_ITEMS  ((size_t)32 * 1024 * 1024)

/* Create a session.  home may be NULL: $MIGSH_HOME, else
 * $XDG_DATA_HOME/migsh, else ~/.local/share/migsh; created 0700.
 * src may be NULL only if the caller sets s->cmdlets later. */
mg_session *mg_session_new(const char *home, const mg_cmdlet_source *src, mg_err *err);
void mg_session_free(mg_session *s);

/* The default data directory (malloc'd) following the rule above. */
char *mg_session_default_home(void);

/* Variables: names without '$', case-insensitive, optionally with a scope
 * qualifier ("global:x", "script:x", "local:x", "private:x").  get looks
 * the name up from the current scope outwards (a qualified name: in that
 * scope only) and returns a borrowed value or NULL; set writes in the
 * current scope (or the qualified one; "private:" marks the variable
 * private); remove removes the visible one (or the qualified one). */
mv  *mg_var_get(mg_session *s, const char *name);
void mg_var_set(mg_session *s, const char *name, mv *val);       /* borrows val */
void mg_var_set_take(mg_session *s, const char *name, mv *val);  /* consumes val */
void mg_var_remove(mg_session *s, const char *name);

/* Scopes.  push makes a child of the current scope and enters it; pop
 * leaves the current scope (pushed by the caller) and frees it.  new/free
 * make a scope that someone else enters by setting s->scope (a function
 * stage keeps one from its begin block to its end block). */
mg_scope *mg_scope_push(mg_session *s, bool script);
void      mg_scope_pop(mg_session *s);
mg_scope *mg_scope_new(mg_scope *parent, bool script);
void      mg_scope_free(mg_scope *sc);
/* The scope a -Scope argument names: Global, Script, Local (or Private),
 * or a number (0 = current, 1 = its parent, ...).  NULL with err set when
 * the text names none or the number is past the global scope. */
mg_scope *mg_scope_named(mg_session *s, const char *spec, mg_err *err);
/* The variable name in that one scope (borrowed, or NULL). */
mg_var   *mg_scope_find(mg_scope *sc, const char *name);
void      mg_scope_set_take(mg_scope *sc, const char *name, mv *val, bool private_);
bool      mg_scope_remove(mg_scope *sc, const char *name);
/* The variables visible from the current scope (the nearest of each name;
 * private ones of parent scopes left out), unsorted: a malloc'd array of
 * borrowed pointers, *n set. */
mg_var  **mg_vars_visible(mg_session *s, size_t *n);

/* Prepend an error record object to $Error (borrows rec). */
void mg_session_add_error(mg_session *s, mv *rec);

/* Completion name sources (other layers register theirs at start-up). */
void mg_session_add_name_source(mg_session *s, mg_name_source fn);
/* The names of one kind that start with prefix from every source:
 * NULL-terminated, caller frees each string and the array (never NULL). */
char **mg_session_names(mg_session *s, mg_complete kind, const char *prefix);

/* Has the user asked to stop the running command (Ctrl-C)? */
static inline bool mg_session_interrupted(const mg_session *s)
{
	return s->interrupted && *s->interrupted;
}

/* Wait ms milliseconds, or less when the user presses Ctrl-C: every
 * blocking step of the shell (Start-Sleep, -Wait loops) waits through this.
 * Returns true when the time passed, false when interrupted. */
bool mg_session_sleep(mg_session *s, long long ms);

/* Ctrl-C outside the REPL (-Command, -File, stdin): while a script runs,
 * SIGINT sets the session's interrupted flag instead of killing the
 * process, so the pipeline stops and finally blocks run, as in PowerShell.
 * catch returns whether it took SIGINT (not when the REPL already has it,
 * or when SIGINT was ignored, as for a background job); release puts the
 * old disposition back and, when Ctrl-C was pressed, ends the process by
 * SIGINT like any program the user interrupted (exit status 130). */
bool mg_session_catch_interrupt(mg_session *s, struct sigaction *old);
void mg_session_release_interrupt(mg_session *s, const struct sigaction *old);

/* Cmdlet lookup through the session's source (NULL when unknown). */
const mg_cmdlet *mg_session_find_cmdlet(mg_session *s, const char *name);
const mg_cmdlet *const *mg_session_cmdlets(mg_session *s, size_t *count);

#endif
