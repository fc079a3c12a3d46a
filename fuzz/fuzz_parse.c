/*
 * fuzz_parse.c - libFuzzer target for the shell's lexer and parser: any
 * input must either parse into a tree or give a parse error, never crash,
 * hang or leak.  Built with --enable-fuzzing CC=clang; fuzz/run_fuzz_parse.sh
 * runs it for a bounded time.
 */
#include "config.h"
#include "shell/lexer.h"
#include "shell/parser.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	const char *src = (const char *)data;
	/* the tokenizer alone, in both modes, must always reach the end */
	for (int mode = 0; mode < 2; mode++) {
		lexer lx;
		lx_init(&lx, src, size);
		for (size_t guard = 0; guard <= size + 1; guard++) {
			token t = lx_next(&lx, mode ? LX_ARG : LX_EXPR);
			tok_kind k = t.kind;
			tok_free(&t);
			if (k == TK_EOF || k == TK_ERROR)
				break;
			if (guard == size + 1)
				__builtin_trap();   /* no progress: a lexer bug */
		}
	}
	mg_parse_error pe;
	ast_tree *t = mg_parse(src, size, NULL, &pe);
	if (t) {
		ast_tree_unref(t);
	} else if (pe.pos > size + 1 || !pe.msg[0]) {
		__builtin_trap();   /* an error must point into the input and say something */
	}
	return 0;
}
