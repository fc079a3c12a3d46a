/*
 * ast.h - the syntax tree the parser builds and the evaluator walks.
 *
 * A tree is reference-counted because script blocks ({ ... } values) point
 * into it and may outlive the statement that made them (e.g. stored in a
 * variable).  Nodes are plain structs with a kind, a source range and kids.
 */
#ifndef MIGSH_AST_H
#define MIGSH_AST_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ast_kind {
	N_BLOCK,        /* statement list: kids = statements */
	N_PIPELINE,     /* kids = elements (N_COMMAND or expressions) */
	N_COMMAND,      /* str = command name; kids = N_CMDPARAM / argument expressions;
	                   flags AF_INVOKE: kids[0] is the expression naming the command (&) */
	N_CMDPARAM,     /* str = parameter name (no '-'); kids[0] = value if -Name:value */
	N_ASSIGN,       /* str = "=", "+=", ...; kids[0] = target, kids[1] = value statement */
	N_IF,           /* kids = cond, block, cond, block, ... [, else block] (AF_ELSE) */
	N_FOREACH,      /* str = variable name; kids[0] = collection, kids[1] = body */
	N_EXIT,         /* kids[0] optional value; AF_RETURN for `return` */
	N_BINOP,        /* str = operator ("eq", "+", "and", ...); kids[0], kids[1] */
	N_UNOP,         /* str = "not", "-", "+"; kids[0] */
	N_ARRAY,        /* a,b,c: kids = items */
	N_RANGE,        /* a..b */
	N_NUMBER,       /* inum/num/is_int; str = source text */
	N_STRING,       /* str = literal text; AF_BAREWORD when unquoted */
	N_XSTRING,      /* "...": kids = N_STRING pieces and expressions */
	N_VAR,          /* str = variable name */
	N_MEMBER,       /* kids[0] = object; str = member name; AF_STATIC for :: */
	N_INVOKE,       /* method call: kids[0] = object; str = method; kids[1..] = args; AF_STATIC */
	N_INDEX,        /* kids[0] = object, kids[1] = index */
	N_SUBEXPR,      /* $( ): kids[0] = block */
	N_ARRAYEXPR,    /* @( ): kids[0] = block */
	N_PAREN,        /* ( ): kids[0] = pipeline/statement */
	N_HASH,         /* kids = key, value, key, value ... */
	N_SCRIPTBLOCK,  /* kids[0] = block; pos/len = the text between the braces; kids[1..] = the
	                   parameters (N_VAR, see N_FUNCDEF); AF_CMDLETBINDING; str = the
	                   DefaultParameterSetName of [CmdletBinding()], or NULL */
	N_TYPE,         /* [TypeName]: str = name */
	N_CAST,         /* str = type name; kids[0] = value */
	N_WHILE,        /* kids[0] = condition, kids[1] = body; AF_DO: do { } while/until; AF_UNTIL */
	N_FOR,          /* kids = init, condition, step (N_BLOCK, may be empty), body */
	N_BREAK,        /* AF_CONTINUE for `continue`; str = the loop label (break outer), or NULL */
	N_TRY,          /* kids[0] = body, then catch block (AF_CATCH), then finally block (AF_FINALLY) */
	N_THROW,        /* kids[0] optional value */
	N_FUNCDEF,      /* str = name; kids[0] = N_SCRIPTBLOCK body; kids[1..] = N_VAR parameters
	                   (AF_SWITCHPARAM for [switch]; a parameter's kids: its default value
	                   (any expression), its type (N_TYPE), its attributes (N_ATTR));
	                   AF_FILTER for `filter` */
	N_SWITCH,       /* kids[0] = the value; then pairs of condition, block: a condition is a
	                   value, a wildcard or regex pattern, or a script block; AF_SW_DEFAULT marks
	                   the default clause's condition; AF_SW_WILDCARD / AF_SW_REGEX / AF_SW_CASE */
	N_ATTR,         /* an attribute before a parameter or a param( ) block: str = its name
	                   (Parameter, ValidateSet, CmdletBinding, ...); kids = the positional
	                   arguments (expressions) and named ones (N_CMDPARAM: str = name,
	                   kids[0] = value, none for a bare Mandatory) */
	N_NAMEDBLOCK,   /* begin / process / end { }: str = the name; kids[0] = N_BLOCK */
	N_REDIR         /* a redirection of a command (a kid of its N_COMMAND): str = the stream
	                   ("1".."6" or "*"); kids[0] = the target ($null, a path); AF_REDIR_APPEND
	                   for >>; AF_REDIR_MERGE for N>&1 (no kid) */
} ast_kind;

#define AF_BAREWORD 0x01u
#define AF_ELSE     0x02u
#define AF_STATIC   0x04u
#define AF_RETURN   0x08u
#define AF_INVOKE   0x10u
#define AF_DO       0x20u
#define AF_UNTIL    0x40u
#define AF_CONTINUE 0x80u
#define AF_CATCH    0x100u
#define AF_FINALLY  0x200u
#define AF_SPLAT    0x400u  /* N_VAR written @name as a command argument */
#define AF_SWITCHPARAM 0x800u /* function parameter declared [switch] */
#define AF_SW_WILDCARD 0x1000u /* switch -Wildcard */
#define AF_SW_REGEX    0x2000u /* switch -Regex */
#define AF_SW_CASE     0x4000u /* switch -CaseSensitive */
#define AF_SW_DEFAULT  0x8000u /* the default clause of a switch */
#define AF_REDIR_APPEND 0x10000u /* >> */
#define AF_REDIR_MERGE  0x20000u /* 2>&1 */
#define AF_OP_CASE      0x40000u /* N_BINOP written -cxxx: case-sensitive */
#define AF_NAMEDBLOCKS  0x80000u /* N_BLOCK of a body made of begin/process/end blocks */
#define AF_CMDLETBINDING 0x100000u /* N_SCRIPTBLOCK (or a script's params) with [CmdletBinding()] */
#define AF_FILTER       0x200000u /* N_FUNCDEF written `filter`: the body is a process block */
#define AF_DOTSOURCE    0x400000u /* N_COMMAND written `. cmd`: run in the caller's scope */
#define AF_NOPOSITIONAL 0x800000u /* [CmdletBinding(PositionalBinding = $false)] */
#define AF_SHOULDPROCESS 0x1000000u /* [CmdletBinding(SupportsShouldProcess)] */

/* The operator of an N_BINOP, N_UNOP or compound N_ASSIGN, set by the
 * parser so that the evaluator never compares operator text. */
typedef enum ast_op {
	OP_NONE,
	OP_AND, OP_OR, OP_XOR,
	OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE,
	OP_LIKE, OP_NOTLIKE, OP_MATCH, OP_NOTMATCH,
	OP_CONTAINS, OP_NOTCONTAINS, OP_IN, OP_NOTIN,
	OP_REPLACE, OP_SPLIT, OP_JOIN, OP_IS, OP_ISNOT, OP_AS,
	OP_BAND, OP_BOR, OP_FORMAT,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
	OP_NOT, OP_NEG, OP_PLUS
} ast_op;

/* The operator named by its source text ("eq", "ceq", "+", "+=", "not"):
 * *case_sensitive is set for the -cxxx forms.  OP_NONE when unknown.
 * unary: the text is a prefix operator ("-" is OP_NEG, not OP_SUB). */
ast_op ast_op_from_text(const char *text, bool unary, bool *case_sensitive);
/* The operator as written in messages ("-eq", "+"). */
const char *ast_op_text(ast_op op);

typedef struct ast {
	ast_kind kind;
	unsigned flags;
	size_t   pos, len;      /* source range (bytes) */
	char    *str;
	char    *label;         /* :name of a loop or switch; the label of break / continue is str */
	bool     is_int;
	ast_op   op;            /* N_BINOP, N_UNOP, N_ASSIGN (OP_NONE for plain =) */
	long long inum;
	double   num;
	struct ast **kids;
	size_t   nkids, capkids;
	unsigned height;        /* longest path to a leaf (0 = leaf); kept by ast_add */
} ast;

typedef struct ast_tree {
	int    refs;
	char  *src;      /* copy of the source text (NUL-terminated) */
	size_t len;
	char  *origin;   /* script file name, or NULL */
	ast   *root;     /* N_BLOCK */
	ast   *params;   /* the script's param( ) block: N_BLOCK of N_VAR parameters, or NULL */
} ast_tree;

ast  *ast_new(ast_kind kind, size_t pos, size_t len);
void  ast_add(ast *parent, ast *kid);    /* kid may be NULL: ignored; updates parent->height */
void  ast_free(ast *n);
ast_tree *ast_tree_ref(ast_tree *t);
void  ast_tree_unref(ast_tree *t);
const char *ast_kind_name(ast_kind k);

#endif
