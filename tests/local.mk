# tests/local.mk - the test bed: Dovecot harness helpers, corpus generator,
# the harness's own tests.  Modules register their own tests in their own
# fragments; this file holds only what the harness owns.

# Small C helpers used by tests/lib/dovecot.sh (and by demo/quickstart.sh,
# so they are built by plain `make`, not only by `make check`).
noinst_PROGRAMS += tests/lib/mg-freeport tests/lib/mg-waitport tests/lib/mg-silent-listener \
	tests/lib/mg-imapcat
tests_lib_mg_imapcat_SOURCES = tests/lib/imapcat.c
tests_lib_mg_freeport_SOURCES = tests/lib/freeport.c
tests_lib_mg_waitport_SOURCES = tests/lib/waitport.c
tests_lib_mg_silent_listener_SOURCES = tests/lib/silent_listener.c
check_PROGRAMS += tests/lib/mg-silent-dns
tests_lib_mg_silent_dns_SOURCES = tests/lib/silent_dns.c
EXTRA_DIST += tests/lib/hang_dns.sh

EXTRA_DIST += tests/lib/dovecot.sh tests/lib/packages.txt tests/lib/install-deps.sh \
	run-tests.sh demo/quickstart.sh

# The deterministic corpus generator (tests, demo, benchmarks).
noinst_PROGRAMS += tests/corpus/migsh-corpus
tests_corpus_migsh_corpus_SOURCES = \
	tests/corpus/corpus_main.c \
	tests/corpus/rng.c tests/corpus/rng.h \
	tests/corpus/textgen.c tests/corpus/textgen.h \
	tests/corpus/msggen.c tests/corpus/msggen.h \
	tests/corpus/maildir_out.c tests/corpus/maildir_out.h
tests_corpus_migsh_corpus_LDADD = libcommon.a

# The harness's own tests.
TESTS += tests/integration/testbed_corpus.sh tests/integration/testbed_dovecot.sh \
	tests/integration/testbed_configure.sh
EXTRA_DIST += tests/integration/testbed_corpus.sh tests/integration/testbed_dovecot.sh \
	tests/integration/testbed_configure.sh

# Unit test of the corpus generator's building blocks.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_corpus
TESTS += tests/unit/test_corpus
tests_unit_test_corpus_SOURCES = tests/unit/test_corpus.c \
	tests/corpus/rng.c tests/corpus/textgen.c tests/corpus/msggen.c
tests_unit_test_corpus_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_corpus_LDADD = libcommon.a $(CMOCKA_LIBS)
endif

# Secrets never echoed: errors, history, transcript (shell/secret_mask.c).
TESTS += tests/integration/shell_secrets.sh
EXTRA_DIST += tests/integration/shell_secrets.sh
