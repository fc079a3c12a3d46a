# net/local.mk - the IMAP engine: transport, TLS, parser, client, SASL, probe.
libnet_a_SOURCES += \
	net/conn.c net/conn.h \
	net/mutf7.c net/mutf7.h \
	net/sasl.c net/sasl.h \
	net/sock.c net/sock.h \
	net/lookup.c net/lookup.h \
	net/ossl_lazy.c \
	net/imap_parse.c net/imap_parse.h \
	net/imap_internal.h \
	net/imap_client.c net/imap_client.h \
	net/imap_mailbox.c \
	net/imap_fetch.c \
	net/imap_append.c \
	net/imap_throttle.c net/imap_throttle.h \
	net/imap_subscribe.c net/imap_subscribe.h net/imap_target_ops.c \
	net/probe.c net/probe.h

# ---- unit tests (cmocka) ----
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_mutf7 tests/unit/test_sasl tests/unit/test_imap_parse tests/unit/test_imap_client
TESTS += tests/unit/test_mutf7 tests/unit/test_sasl tests/unit/test_imap_parse tests/unit/test_imap_client
check_PROGRAMS += tests/unit/test_imap_throttle
TESTS += tests/unit/test_imap_throttle
check_PROGRAMS += tests/unit/test_lookup
TESTS += tests/unit/test_lookup
tests_unit_test_lookup_SOURCES = tests/unit/test_lookup.c
tests_unit_test_lookup_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lookup_LDADD = libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_imap_throttle_SOURCES = tests/unit/test_imap_throttle.c
tests_unit_test_imap_throttle_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_imap_throttle_LDADD = libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_mutf7_SOURCES = tests/unit/test_mutf7.c
tests_unit_test_mutf7_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mutf7_LDADD = libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_sasl_SOURCES = tests/unit/test_sasl.c
tests_unit_test_sasl_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sasl_LDADD = libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_imap_parse_SOURCES = tests/unit/test_imap_parse.c
tests_unit_test_imap_parse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_imap_parse_LDADD = libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_imap_client_SOURCES = tests/unit/test_imap_client.c tests/unit/scripted_peer.c tests/unit/scripted_peer.h
tests_unit_test_imap_client_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_imap_client_LDADD = libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
endif

# ---- integration tests against real Dovecot (tests/lib/dovecot.sh) ----
check_PROGRAMS += tests/integration/net_driver
tests_integration_net_driver_SOURCES = tests/integration/net_driver.c
tests_integration_net_driver_LDADD = libnet.a libcommon.a $(MIGSH_EXT_LIBS)
TESTS += tests/integration/net_probe.sh tests/integration/net_fetch.sh tests/integration/net_resolve.sh
EXTRA_DIST += tests/integration/net_probe.sh tests/integration/net_fetch.sh tests/integration/net_resolve.sh

# ---- libFuzzer target for the response parser (configure --enable-fuzzing CC=clang) ----
if FUZZING
noinst_PROGRAMS += fuzz/fuzz_imap_parse
# the parser is compiled into the target itself so that it carries coverage instrumentation
fuzz_fuzz_imap_parse_SOURCES = fuzz/fuzz_imap_parse.c net/imap_parse.c
fuzz_fuzz_imap_parse_CFLAGS = $(AM_CFLAGS) -g -fsanitize=fuzzer,address,undefined
fuzz_fuzz_imap_parse_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
fuzz_fuzz_imap_parse_LDADD = libcommon.a
endif
