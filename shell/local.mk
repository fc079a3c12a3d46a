# shell/ - lexer, parser, evaluator, binder, runtime, errors, REPL (language owner)
libshell_a_SOURCES += \
	shell/session.c shell/session.h \
	shell/paths.c shell/paths.h \
	shell/lexer.c shell/lexer.h \
	shell/ast.c shell/ast.h \
	shell/parser.c shell/parser.h \
	shell/binder.c shell/binder.h \
	shell/errors.c shell/errors.h \
	shell/secret_mask.c shell/secret_mask.h \
	shell/runtime.c shell/runtime.h \
	shell/eval.c shell/eval.h shell/eval_internal.h \
	shell/eval_expr.c shell/eval_ops.c shell/eval_member.c \
	shell/eval_static.c shell/eval_methods.c shell/eval_list.c shell/eval_func.c shell/eval_redir.c \
	shell/pipeline.c shell/eval_fnstage.c \
	shell/netfmt.c shell/netfmt.h \
	shell/external.c shell/external.h shell/program_feed.c shell/program_feed.h \
	shell/regex_net.c shell/regex_net.h \
	shell/complete.c shell/complete.h

SHELL_TEST_LIBS = libshell.a libcommon.a $(CMOCKA_LIBS) -lm

if UNIT_TESTS
check_PROGRAMS += tests/unit/test_lexer tests/unit/test_parser tests/unit/test_binder \
	tests/unit/test_eval tests/unit/test_errors tests/unit/test_examples tests/unit/test_complete \
	tests/unit/test_limits tests/unit/test_program_feed
TESTS += tests/unit/test_lexer tests/unit/test_parser tests/unit/test_binder \
	tests/unit/test_eval tests/unit/test_errors tests/unit/test_examples tests/unit/test_complete \
	tests/unit/test_limits tests/unit/test_program_feed
tests_unit_test_lexer_SOURCES = tests/unit/test_lexer.c
tests_unit_test_lexer_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lexer_LDADD = $(SHELL_TEST_LIBS)
tests_unit_test_parser_SOURCES = tests/unit/test_parser.c
tests_unit_test_parser_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_parser_LDADD = $(SHELL_TEST_LIBS)
tests_unit_test_binder_SOURCES = tests/unit/test_binder.c tests/unit/shell_testcmds.c tests/unit/shell_testcmds.h
tests_unit_test_binder_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_binder_LDADD = $(SHELL_TEST_LIBS)
tests_unit_test_eval_SOURCES = tests/unit/test_eval.c tests/unit/shell_testcmds.c tests/unit/shell_testcmds.h
tests_unit_test_eval_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_eval_LDADD = $(SHELL_TEST_LIBS)
tests_unit_test_errors_SOURCES = tests/unit/test_errors.c tests/unit/shell_testcmds.c tests/unit/shell_testcmds.h
tests_unit_test_errors_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_errors_LDADD = $(SHELL_TEST_LIBS)
# hostile input: depth and size limits, exit status of failing statements
tests_unit_test_limits_SOURCES = tests/unit/test_limits.c tests/unit/shell_testcmds.c tests/unit/shell_testcmds.h
tests_unit_test_limits_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_limits_LDADD = $(SHELL_TEST_LIBS)
tests_unit_test_complete_SOURCES = tests/unit/test_complete.c tests/unit/shell_testcmds.c tests/unit/shell_testcmds.h
tests_unit_test_complete_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_complete_LDADD = $(SHELL_TEST_LIBS)
# the writer thread that feeds a program in a pipeline
tests_unit_test_program_feed_SOURCES = tests/unit/test_program_feed.c
tests_unit_test_program_feed_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_program_feed_LDADD = $(SHELL_TEST_LIBS)
# Microsoft's documented lines, parsed and bound against the real declarations
tests_unit_test_examples_SOURCES = tests/unit/test_examples.c
tests_unit_test_examples_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_examples_LDADD = $(MIGSH_LIBS) $(MIGSH_EXT_LIBS) $(CMOCKA_LIBS)
endif

TESTS += tests/integration/shell_cli.sh tests/integration/shell_repl.sh tests/integration/shell_interrupt.sh \
	tests/integration/shell_unsupported.sh tests/integration/shell_program_stream.sh
# the PowerShell conformance suite: tests/conformance/<area>.txt, each case
# an input and PowerShell 7's exact output
TESTS += tests/conformance/run.sh
# the whole folder, so a new area file is never left out of the tarball
EXTRA_DIST += tests/conformance
EXTRA_DIST += tests/integration/shell_cli.sh tests/integration/shell_repl.sh tests/integration/shell_interrupt.sh tests/integration/shell_unsupported.sh tests/integration/shell_program_stream.sh fuzz/run_fuzz_parse.sh fuzz/run_fuzz_imap.sh fuzz/run_fuzz_eval.sh

if FUZZING
noinst_PROGRAMS += fuzz/fuzz_parse
# the lexer and parser are compiled into the target so that they carry the
# fuzzer's coverage instrumentation
fuzz_fuzz_parse_SOURCES = fuzz/fuzz_parse.c shell/lexer.c shell/parser.c shell/ast.c
fuzz_fuzz_parse_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined
fuzz_fuzz_parse_LDFLAGS = -fsanitize=fuzzer,address,undefined
fuzz_fuzz_parse_LDADD = libcommon.a -lm
# the evaluator target: the whole shell library compiled in (instrumented)
noinst_PROGRAMS += fuzz/fuzz_eval
fuzz_fuzz_eval_SOURCES = fuzz/fuzz_eval.c $(libshell_a_SOURCES)
fuzz_fuzz_eval_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined
fuzz_fuzz_eval_LDFLAGS = -fsanitize=fuzzer,address,undefined
fuzz_fuzz_eval_LDADD = libcommon.a -lm -lrt
endif
