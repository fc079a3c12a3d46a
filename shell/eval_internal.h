/*
 * eval_internal.h - private to the evaluator: the evaluation state (ev)
 * and what the evaluator's files (eval.c, eval_expr.c, eval_ops.c,
 * eval_member.c, eval_static.c, eval_methods.c, eval_func.c, eval_redir.c,
 * pipeline.c) call in one another.
 *
 * Conventions: a function returning mv * gives a new reference, or NULL
 * with the error thrown (ev_throwf: e->has_err and e->rec set); a function
 * returning int gives one of the EV_* statement results.
 */
#ifndef MIGSH_EVAL_INTERNAL_H
#define MIGSH_EVAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
	char        invname[128];  /* rec.invname's copy */
	int         nest;        /* pipelines being run (for bind_only) */
	int         in_try;      /* inside try { }: errors go to the catch block */
	bool        fatal;       /* the thrown error ends the script (throw) */
	/* output of the top-level statement being run, when it goes to the
	 * console: a long loop shows what it wrote so far (flush_slow) */
	mv         *top_out;
	int64_t     last_flush_ms;
	bool        native_failed;  /* a program run by the pipeline exited non-zero */
	/* the label of the break / continue being run (`break outer`), "" for none */
	char        flow_label[128];
	/* rec.src and rec.origin's copies when the error came out of a script
	 * file run as a command (ev_take_error: the file's tree is gone); owned,
	 * freed when the next such error comes or the evaluation ends */
	char       *err_src;
	char       *err_origin;
} ev;

/* the code of a script block value made by the evaluator */
typedef struct sbcode {
	ast_tree *tree;
	const ast *node;   /* N_SCRIPTBLOCK or N_FUNCDEF */
} sbcode;

/* a command's evaluated arguments */
typedef struct cmdargs {
	mg_rawarg *a;
	size_t n, cap;
	mv **vals;       /* owned values */
	size_t nv, capv;
	char **names;    /* owned parameter names (from splatting) */
	size_t nn, capn;
} cmdargs;

/* the session's streams while a pipeline's redirections apply */
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

/* eval.c: errors, stack, values, script blocks, variables, statements */
mv  *ev_throwf(ev *e, const ast *at, mg_err_cat cat, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void ev_throw_rec(ev *e, const mg_errrec *r);
/* from's pending error goes on in to (fatal: it ends to's script unless
 * caught), its source text copied: from's tree is about to be freed */
void ev_take_error(ev *to, ev *from, bool fatal);
/* Run a script file as a command of e (pipeline.c): its output in *out (a
 * new array); an error that ends the file and must end e's statement too (a
 * throw, a Stop, Ctrl-C, any error under a try) is then thrown in e.  Returns
 * MG_RUN_*. */
int  ev_run_file(ev *e, const char *src, size_t len, const char *origin, mv **out);
void ev_report(ev *e);
bool ev_stack_low(ev *e, const ast *at);
bool ev_stack_enter(mg_session *s);
void ev_stack_leave(mg_session *s, bool mine);
bool ev_over_limit(ev *e, const ast *at, const char *what, unsigned long long n, size_t max);
mv  *ev_unwrap(mv *arr);
void ev_write_out(mv *out, mv *v);
void ev_sb_release(void *p);
mv  *ev_make_scriptblock(ev *e, const ast *n);
int  ev_run_scriptblock(ev *e, mv *block, mv *dollar_under, mv *args, mv *out);
mv  *ev_get_var(ev *e, const char *name);
int  ev_set_var(ev *e, const ast *at, const char *name, mv *val);
const char *ev_unqualified(const char *name);
char *ev_function_key(const char *name);
int  ev_statement(ev *e, const ast *n, mv *out);
int  ev_block(ev *e, const ast *blk, mv *out, bool propagate);
int  ev_switch(ev *e, const ast *n, mv *out);

/* eval_expr.c */
mv  *ev_expr(ev *e, const ast *n);
int  ev_value(ev *e, const ast *pl, bool unwrap_output, mv **out);
int  ev_assign(ev *e, const ast *n, mv *out);

/* eval_ops.c */
mv  *ev_binop(ev *e, const ast *n);
mv  *ev_arith(ev *e, const ast *n, ast_op op, mv *l, mv *r);

/* eval_member.c */
mv  *ev_member_of(ev *e, const ast *at, mv *obj, const char *name);

/* eval_list.c: ArrayList and List[T] methods (*handled false: not one of them) */
mv  *ev_list_method(ev *e, const ast *n, mv *obj, const char *m, mv **args, size_t nargs, bool *handled);

/* eval_static.c */
mv  *ev_static_call(ev *e, const ast *n, const char *type, const char *method, mv **args, size_t nargs);
mv  *ev_static_member(ev *e, const ast *n, const char *type, const char *name);
mv  *ev_cast_to(ev *e, const ast *at, const char *type, mv *v);
bool ev_type_is(const char *type, const mv *v);

/* eval_methods.c */
mv  *ev_call_method(ev *e, const ast *n, mv *obj, const char *m, mv **args, size_t nargs);

/* pipeline.c */
int  ev_pipeline(ev *e, const ast *pl, mv *out);
void ev_apply_preferences(mg_session *s, mg_bound *b);
int  ev_cmdargs_eval(ev *e, const ast *cmd, size_t first, cmdargs *c);
void ev_cmdargs_free(cmdargs *c);
mv  *ev_cmdargs_keep(cmdargs *c, mv *v);
bool ev_stop_on_error(mg_session *s);
int  ev_run_block_element(ev *e, mv *block, mv *args, mv *out);

/* eval_func.c */
mv  *ev_find_function(ev *e, const char *name);
int  ev_bind_params(ev *e, const ast *const *prm, size_t np, const mg_rawarg *a, size_t n,
                    mv **vals, mv *rest, const char *who, const ast *at);
int  ev_set_params(ev *e, const ast *const *prm, size_t np, mv **vals, mv **saved, ast_tree *def_tree);
void ev_restore_params(ev *e, const ast *const *prm, size_t np, mv **saved);
size_t ev_block_params(const ast *def, const ast *const **prm);

/* eval_fnstage.c: a function or script block as a pipeline stage */
void ev_body_blocks(const ast *node, const ast **begin, const ast **process, const ast **end);
const ast *ev_param_attr(const ast *prm, const char *name);
bool ev_is_advanced(const ast *node);
int  ev_validate_param(ev *e, ast_tree *t, const ast *prm, mv *val, mg_err *err);
mv  *ev_param_value(ev *e, ast_tree *t, const ast *prm, mv *given);
/* Make st run fn (called as who) with the command's arguments: 0; -1 a
 * binding error in *be (advanced functions: the cmdlets' binder); -2 an
 * error thrown. */
int  ev_fn_stage_init(ev *e, mg_stage *st, const char *who, mv *fn, const cmdargs *ca, const ast *at,
                      mg_bind_err *be);
int  ev_fn_stage_begin(mg_stage *st);
bool ev_is_fn_stage(const mg_stage *st);
int  ev_fn_stage_flow(const mg_stage *st);
extern const mv_type_info ev_pscmdlet_type;   /* $PSCmdlet of an advanced function */

/* eval_redir.c */
int  ev_redir_begin(ev *e, const ast *pl, mv *sink, redir_state *rs);
int  ev_redir_end(ev *e, mv *sink, redir_state *rs, int rc);

#endif
