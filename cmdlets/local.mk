# cmdlets/ - the migration cmdlets and the dispatch table
libcmdlets_a_SOURCES += cmdlets/table.c
# migration cmdlets (owner: migration cmdlets engineer)
libcmdlets_a_SOURCES += \
	cmdlets/types.c cmdlets/types.h \
	cmdlets/cmd_common.c cmdlets/cmd_common.h \
	cmdlets/objects.c cmdlets/objects.h \
	cmdlets/endpoint_conn.h \
	cmdlets/cmd_endpoint.c \
	cmdlets/cmd_test_server.c \
	cmdlets/cmd_batch.c \
	cmdlets/cmd_batch_lifecycle.c \
	cmdlets/cmd_user_lifecycle.c \
	cmdlets/cmd_user.c \
	cmdlets/cmd_statistics.c \
	cmdlets/cmd_config.c \
	cmdlets/cmd_state.c \
	cmdlets/cmd_service.c \
	cmdlets/completion.c cmdlets/completion.h \
	cmdlets/migration_list.c

# the examples test's helper: dumps every example of every declaration
check_PROGRAMS += tests/examples_dump
tests_examples_dump_SOURCES = tests/examples_dump.c
tests_examples_dump_LDADD = $(MIGSH_LIBS) $(MIGSH_EXT_LIBS)

# integration tests of the migration cmdlets (real Dovecot, tests/lib/dovecot.sh)
TESTS += \
	tests/integration/cmdlets_endpoint.sh \
	tests/integration/cmdlets_csv.sh \
	tests/integration/cmdlets_lifecycle.sh \
	tests/integration/cmdlets_user_lifecycle.sh \
	tests/integration/e2e_workflow.sh \
	tests/integration/e2e_options.sh \
	tests/integration/e2e_timezone.sh \
	tests/integration/e2e_reports.sh \
	tests/integration/e2e_examples.sh
EXTRA_DIST += \
	tests/integration/cmdlets_lib.sh \
	tests/integration/cmdlets_endpoint.sh \
	tests/integration/cmdlets_csv.sh \
	tests/integration/cmdlets_lifecycle.sh \
	tests/integration/cmdlets_user_lifecycle.sh \
	tests/integration/e2e_workflow.sh \
	tests/integration/e2e_workflow_1.ps1 \
	tests/integration/e2e_workflow_2.ps1 \
	tests/integration/e2e_workflow_3.ps1 \
	tests/integration/e2e_workflow_4.ps1 \
	tests/integration/e2e_options.sh \
	tests/integration/e2e_timezone.sh \
	tests/integration/e2e_reports.sh \
	tests/integration/e2e_examples.sh

# unit tests: declarations and objects
check_PROGRAMS += tests/unit/test_cmdlet_decls
TESTS += tests/unit/test_cmdlet_decls
tests_unit_test_cmdlet_decls_SOURCES = tests/unit/test_cmdlet_decls.c
tests_unit_test_cmdlet_decls_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cmdlet_decls_LDADD = $(MIGSH_LIBS) $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
