# engine/store.mk - the control plane: state store, records, CSV batch
# validation, batch/user life cycle, consistency score, reports and the
# background migration service.  Owned by the "store" engineer.
libengine_a_SOURCES += \
	engine/records.c engine/records.h \
	engine/store_yaml.c engine/store_yaml.h \
	engine/store_codec.c engine/store_codec.h \
	engine/store.c engine/store.h engine/store_sql.h \
	engine/store_records.c engine/store_convert.c engine/store_names.c engine/store_service.c \
	engine/csv_batch.c engine/csv_batch.h \
	engine/content_filter.c \
	engine/tz.c engine/tz.h \
	engine/lifecycle.c engine/lifecycle.h \
	engine/batch_ops.c \
	engine/user_ops.c \
	engine/consistency.c engine/consistency.h \
	engine/reports.c engine/reports.h \
	engine/service_client.c engine/service_daemon.c engine/service.h engine/service_internal.h \
	engine/scheduler.c \
	engine/worker.c

# ---- unit tests (cmocka) ----
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_store tests/unit/test_csv_batch tests/unit/test_lifecycle tests/unit/test_service tests/unit/test_tz
TESTS += tests/unit/test_store tests/unit/test_csv_batch tests/unit/test_lifecycle tests/unit/test_service tests/unit/test_tz
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_store_LDADD = libengine.a libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_csv_batch_SOURCES = tests/unit/test_csv_batch.c
tests_unit_test_csv_batch_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_csv_batch_LDADD = libengine.a libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_lifecycle_SOURCES = tests/unit/test_lifecycle.c
tests_unit_test_lifecycle_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lifecycle_LDADD = libengine.a libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_service_SOURCES = tests/unit/test_service.c
tests_unit_test_service_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_service_LDADD = libengine.a libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
tests_unit_test_tz_SOURCES = tests/unit/test_tz.c
tests_unit_test_tz_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tz_LDADD = libengine.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
endif

# ---- integration tests (real Dovecot; tests/lib/dovecot.sh) ----
check_PROGRAMS += tests/integration/engine_driver
tests_integration_engine_driver_SOURCES = tests/integration/engine_driver.c
tests_integration_engine_driver_LDADD = libengine.a libnet.a libcommon.a $(MIGSH_EXT_LIBS)
TESTS += tests/integration/engine_service.sh tests/integration/engine_target.sh
EXTRA_DIST += tests/integration/engine_service.sh tests/integration/engine_target.sh

# ---- the systemd unit (runs "migsh --service --foreground") ----
dist_noinst_DATA += engine/migsh-service.service.in
engine/migsh-service.service: $(srcdir)/engine/migsh-service.service.in Makefile
	@mkdir -p engine
	$(AM_V_GEN)sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/engine/migsh-service.service.in >$@
all-local: engine/migsh-service.service
CLEANFILES += engine/migsh-service.service

# the store under concurrent use: the service with 100 users beside a loop
# of cmdlets (real Dovecot); kill -9 of New-/Remove-MigrationBatch inside
# their transaction; conversion of the YAML layout
TESTS += tests/integration/store_concurrency.sh tests/integration/store_convert.sh \
	tests/integration/store_kill.sh
EXTRA_DIST += tests/integration/store_concurrency.sh tests/integration/store_convert.sh \
	tests/integration/store_convert.data tests/integration/store_kill.sh
