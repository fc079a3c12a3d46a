/*
 * lexer.h - PowerShell tokens with positions.
 *
 * PowerShell tokenizes differently in "argument mode" (after a command name:
 * barewords such as C:\Users\x.csv or imap.contoso.com are strings, -Name is
 * a parameter) and "expression mode" (-eq is an operator, words are member
 * names and keywords).  The parser asks for one token at a time and says
 * which mode it is in; lx_save/lx_restore give it cheap lookahead.
 */
#ifndef MIGSH_LEXER_H
#define MIGSH_LEXER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum tok_kind {
	TK_EOF, TK_NEWLINE, TK_SEMI, TK_PIPE, TK_AMP,
	TK_LPAREN, TK_RPAREN, TK_LBRACE, TK_RBRACE, TK_LBRACKET, TK_RBRACKET,
	TK_COMMA, TK_DOT, TK_COLONCOLON, TK_DOTDOT,
	TK_SUBEXPR,    /* $(  */
	TK_ARRAYEXPR,  /* @(  */
	TK_HASH,       /* @{  */
	TK_ASSIGN,     /* = += -= *= /=  (text = the operator) */
	TK_VAR,        /* $name ${name}, or @name in argument mode (splat) (text = name) */
	TK_NUMBER,
	TK_SQSTRING,   /* text = decoded literal */
	TK_DQSTRING,   /* text = raw inner text (expanded by the parser) */
	TK_PARAM,      /* -Name or -Name: (text = Name, colon = true) */
	TK_OP,         /* text = lower-case operator: eq, like, and, not, +, -, *, /, %, ! */
	TK_WORD,       /* bareword: command name, argument, keyword, member name */
	TK_REDIR,      /* > >> N> N>> N>&1 *> *>> *>&1 (text = stream "1".."6" or "*", then
	                  ">" or ">>" or ">&1") */
	TK_ERROR
} tok_kind;

typedef struct token {
	tok_kind kind;
	size_t   pos, len;     /* byte range in the source */
	char    *text;         /* malloc'd (may be NULL) */
	bool     is_int;
	long long inum;
	double   num;
	bool     colon;        /* TK_PARAM written as -Name: */
	bool     space_before; /* white space (or start) right before the token */
	bool     quoted_word;  /* TK_WORD contained a backtick escape */
	bool     splat;        /* TK_VAR written @name (argument mode) */
} token;

typedef enum lx_mode { LX_EXPR, LX_ARG } lx_mode;

typedef struct lexer {
	const char *src;
	size_t      len;
	size_t      pos;
	/* error of the last TK_ERROR token */
	char        err_id[64];
	char        err_msg[256];
	size_t      err_pos;
	bool        err_incomplete;  /* more input would fix it (REPL continues) */
} lexer;

void lx_init(lexer *lx, const char *src, size_t len);
/* Next token in the given mode; newlines are tokens, comments and line
 * continuations are skipped.  The caller frees tok->text (tok_free). */
token lx_next(lexer *lx, lx_mode mode);
void  tok_free(token *t);
static inline size_t lx_save(const lexer *lx) { return lx->pos; }
static inline void   lx_restore(lexer *lx, size_t p) { lx->pos = p; }
/* Skip spaces, tabs, comments and backtick-newlines (not newlines). */
void lx_skip_space(lexer *lx);
/* Raw character at the current position after skipping space (0 at end). */
int  lx_peekc(lexer *lx);
/* Read a type name after '[' up to ']' (for [System.IO.File]); returns
 * malloc'd name or NULL when no ']' follows. */
char *lx_type_name(lexer *lx);
/* Parse a PowerShell number literal (123, 0x1F, 1.5, 10MB); 0 ok. */
int lx_parse_number(const char *s, size_t n, bool *is_int, long long *inum, double *num);

/* Is c a character that ends a bareword in argument mode? */
bool lx_arg_terminator(int c);

#endif
