/* test_service.c - the background service as a process, without any IMAP
 * server: started on demand (this test program is the service executable:
 * "test_service --service"), one instance per data directory, status and
 * stop; a batch whose users all failed CSV validation ends Failed with its
 * error report; a user whose source refuses connections is stopped within
 * seconds by Stop (the sync engine is in its retry back-off) and a running
 * batch is removed (stopped first, records deleted). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/lifecycle.h"
#include "engine/reports.h"
#include "engine/service.h"
#include "engine/store.h"

static char *home;
static mg_store *st;

/* A loopback port nobody listens on (bound, then closed). */
static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t l = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &l);
	close(fd);
	return ntohs(a.sin_port);
}

static int setup(void **s)
{
	(void)s;
	char tmpl[] = "/tmp/migsh-test-service-XXXXXX";
	home = xstrdup(mkdtemp(tmpl));
	setenv("MIGSH_HOME", home, 1);
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_config c;
	mg_config_defaults(&c);
	c.service_poll_ms = 100;
	c.progress_write_seconds = 1;
	assert_int_equal(mg_store_config_save(st, &c, &err), 0);
	mg_endpoint *e = mg_endpoint_new("Dead");
	e->remote_server = xstrdup("127.0.0.1");
	e->port = closed_port();
	e->security = MG_SEC_NONE;
	assert_int_equal(mg_store_endpoint_create(st, e, &err), 0);
	mg_endpoint_free(e);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	mg_service_stop(home, 10, NULL);
	mg_store_close(st);
	mg_rm_rf(home, NULL);
	free(home);
	return 0;
}

static mg_batch_status wait_status(const char *batch, int seconds, mg_batch_status a, mg_batch_status b)
{
	mg_batch_status last = MG_BS_CORRUPTED;
	for (int i = 0; i < seconds * 10; i++) {
		mg_batch *x = NULL;
		if (mg_store_batch_load(st, batch, &x, NULL) == 0) {
			last = x->status;
			mg_batch_free(x);
			if (last == a || last == b)
				return last;
		}
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	return last;
}

static void test_single_instance(void **s)
{
	(void)s;
	mg_err err = { 0 };
	mg_service_info si;
	assert_int_equal(mg_service_status(home, &si, &err), 0);
	assert_false(si.running);
	assert_int_equal(mg_service_ensure_running(home, &err), 0);
	assert_int_equal(mg_service_status(home, &si, &err), 0);
	assert_true(si.running);
	assert_true(si.pid > 1);
	pid_t first = si.pid;
	assert_int_equal(mg_service_ensure_running(home, &err), 0);   /* no second one */
	assert_int_equal(mg_service_status(home, &si, &err), 0);
	assert_int_equal(si.pid, first);
	/* a second service for the same directory refuses to run */
	assert_int_equal(mg_service_main(home, true), 3);
	assert_int_equal(mg_service_stop(home, 10, &err), 0);
	assert_int_equal(mg_service_status(home, &si, &err), 0);
	assert_false(si.running);
	assert_int_equal(mg_service_stop(home, 10, &err), 0);   /* not running: fine */
}

static void test_all_invalid_fails(void **s)
{
	(void)s;
	static const char csv[] = "EmailAddress,UserName,Password\nbad-one,a,p\nb@x.example,,p\n";
	mg_err err = { 0 };
	mg_batch *t = mg_batch_new("AllBad");
	t->source_endpoint = xstrdup("Dead");
	t->auto_start = true;
	assert_int_equal(mg_batch_create_from_csv(st, t, csv, sizeof csv - 1, NULL, &err), 0);
	mg_batch_free(t);
	assert_int_equal(mg_service_ensure_running(home, &err), 0);
	assert_int_equal(wait_status("AllBad", 20, MG_BS_FAILED, MG_BS_FAILED), MG_BS_FAILED);
	char **rep = mg_reports_list(st, "AllBad");
	assert_non_null(rep);
	char *csvtext = NULL;
	size_t len;
	assert_int_equal(mg_read_file(rep[0], 1 << 20, &csvtext, &len, &err), 0);
	assert_non_null(strstr(csvtext, "EmailAddress,ErrorMessage\r\n"));
	assert_non_null(strstr(csvtext, "bad-one,The EmailAddress 'bad-one' is not a valid email address"));
	assert_non_null(strstr(csvtext, "b@x.example,UserName is empty"));
	free(csvtext);
	mg_strv_free_all(rep);
	bool gone = false;
	assert_int_equal(mg_batch_remove(st, "AllBad", 10, &gone, &err), 0);
	assert_true(gone);
}

static void test_stop_and_remove_running(void **s)
{
	(void)s;
	static const char csv[] = "EmailAddress,UserName,Password\nu1@x.example,u1,p1\n";
	mg_err err = { 0 };
	mg_batch *t = mg_batch_new("Running");
	t->source_endpoint = xstrdup("Dead");
	t->auto_start = true;
	assert_int_equal(mg_batch_create_from_csv(st, t, csv, sizeof csv - 1, NULL, &err), 0);
	mg_batch_free(t);
	assert_int_equal(mg_service_ensure_running(home, &err), 0);
	assert_int_equal(wait_status("Running", 10, MG_BS_SYNCING, MG_BS_SYNCING), MG_BS_SYNCING);
	/* the user is in its sync (connection refused, retrying); stop it */
	sleep(1);
	time_t t0 = time(NULL);
	assert_int_equal(mg_batch_stop(st, "Running", &err), 0);
	mg_batch_status got = wait_status("Running", 15, MG_BS_STOPPED, MG_BS_STOPPED);
	mg_user **u;
	size_t n;
	assert_int_equal(mg_store_user_list(st, "Running", &u, &n, &err), 0);
	fprintf(stderr, "after Stop: batch %s, user %s (%s)\n", mg_batch_status_name(got),
	        mg_user_status_name(u[0]->status), u[0]->error ? u[0]->error : "no error");
	if (got != MG_BS_STOPPED) {
		/* the retries ran out first: the user failed - also a consistent end */
		assert_int_equal(u[0]->status, MG_US_FAILED);
	} else {
		assert_true(time(NULL) - t0 <= 15);
		assert_true(u[0]->status == MG_US_STOPPED || u[0]->status == MG_US_FAILED);
	}
	mg_user_list_free(u, n);
	/* start again, then remove while it runs: stopped first, then deleted */
	assert_int_equal(mg_batch_start(st, "Running", &err), 0);
	assert_int_equal(wait_status("Running", 10, MG_BS_SYNCING, MG_BS_FAILED), MG_BS_SYNCING);
	bool gone = false;
	assert_int_equal(mg_batch_remove(st, "Running", 20, &gone, &err), 0);
	assert_true(gone);
	mg_batch *x = NULL;
	assert_int_equal(mg_store_batch_load(st, "Running", &x, &err), -1);
	assert_int_equal(err.category, MGC_NOTFOUND);
	assert_int_equal(mg_service_stop(home, 10, &err), 0);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--service")) {
		char *h = mg_store_default_home();
		int rc = mg_service_main(h, false);
		free(h);
		return rc;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_instance),
		cmocka_unit_test(test_all_invalid_fails),
		cmocka_unit_test(test_stop_and_remove_running),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
