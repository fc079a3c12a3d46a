/*
 * engine_driver.c - drives the control plane (store, CSV batches, life
 * cycle, background service) without the shell, for the engine_*.sh
 * integration tests.  The data directory is $MIGSH_HOME.  It is also the
 * program the service is started as: "engine_driver --service" runs
 * mg_service_main, exactly as "migsh --service" does.
 *
 *   engine_driver endpoint NAME HOST PORT SECURITY [max=N] [ADMINUSER ADMINPASS [master]]
 *   engine_driver batch NAME SOURCE CSVFILE [autostart] [target=EP] [exclude=F]
 *                       [notify=ADDR] [filter=TEXT] [badlimit=N]
 *   engine_driver start|stop|complete|syncnow|approve NAME
 *   engine_driver remove NAME [WAITSECONDS]
 *   engine_driver status NAME             prints the batch status
 *   engine_driver users NAME              one line per user: email status synced skipped score error
 *   engine_driver report NAME EMAIL       the per-user report
 *   engine_driver wait NAME SECONDS STATUS...   until the batch has one of the statuses
 *   engine_driver config interval SECONDS
 *   engine_driver service-start | service-status | service-stop [SECONDS]
 * Exit status 0 ok, 1 error (message on stderr), 2 wait timed out.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/consistency.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"

static int die(const mg_err *e)
{
	fprintf(stderr, "engine_driver: %s\n", e->msg);
	return 1;
}

static int cmd_endpoint(mg_store *st, int argc, char **argv, mg_err *err)
{
	if (argc < 6)
		return mg_err_set(err, MGC_INVALIDARG, "Usage", "endpoint NAME HOST PORT SECURITY [ADMIN PASS [master]]");
	mg_endpoint *e = mg_endpoint_new(argv[2]);
	e->remote_server = xstrdup(argv[3]);
	e->port = atoi(argv[4]);
	if (mg_security_parse(argv[5], &e->security) < 0) {
		mg_endpoint_free(e);
		return mg_err_set(err, MGC_INVALIDARG, "Usage", "bad security '%s'", argv[5]);
	}
	e->accept_untrusted = false;
	if (argc >= 7 && !strncmp(argv[6], "max=", 4)) {
		e->max_concurrent_migrations = atoll(argv[6] + 4);
		argv++;
		argc--;
	}
	if (argc >= 8) {
		e->admin_user = xstrdup(argv[6]);
		e->admin_password = xstrdup(argv[7]);
	}
	if (argc >= 9 && !strcmp(argv[8], "master"))
		e->target_login = MG_TLOGIN_MASTER;
	int rc = mg_store_endpoint_create(st, e, err);
	mg_endpoint_free(e);
	return rc;
}

static char **push(char **v, const char *s)
{
	size_t n = mg_strv_len(v);
	v = xrealloc(v, (n + 2) * sizeof *v);
	v[n] = xstrdup(s);
	v[n + 1] = NULL;
	return v;
}

static int cmd_batch(mg_store *st, int argc, char **argv, mg_err *err)
{
	if (argc < 5)
		return mg_err_set(err, MGC_INVALIDARG, "Usage", "batch NAME SOURCE CSVFILE [options]");
	char *csv = NULL;
	size_t len = 0;
	if (mg_read_file(argv[4], 64L << 20, &csv, &len, err) < 0)
		return -1;
	mg_batch *t = mg_batch_new(argv[2]);
	t->source_endpoint = xstrdup(argv[3]);
	for (int i = 5; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "autostart"))
			t->auto_start = true;
		else if (!strncmp(a, "target=", 7))
			t->target_endpoint = xstrdup(a + 7);
		else if (!strncmp(a, "exclude=", 8))
			t->exclude_folders = push(t->exclude_folders, a + 8);
		else if (!strncmp(a, "notify=", 7))
			t->notification_emails = push(t->notification_emails, a + 7);
		else if (!strncmp(a, "filter=", 7))
			t->content_filter = xstrdup(a + 7);
		else if (!strncmp(a, "badlimit=", 9)) {
			t->bad_item_limit = atoll(a + 9);
			t->bad_item_limit_set = true;
		}
	}
	mg_batch *b = NULL;
	int rc = mg_batch_create_from_csv(st, t, csv, len, &b, err);
	if (rc == 0) {
		printf("%s %s\n", b->name, mg_batch_status_name(b->status));
		if (b->auto_start)
			rc = mg_service_ensure_running(mg_store_home(st), err);
	}
	mg_batch_free(b);
	mg_batch_free(t);
	free(csv);
	return rc;
}

static int cmd_users(mg_store *st, const char *batch, mg_err *err)
{
	mg_user **u;
	size_t n;
	if (mg_store_user_list(st, batch, &u, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		printf("%s %s synced=%lld skipped=%lld total=%lld score=%s error=%s\n", u[i]->email,
		       mg_user_status_name(u[i]->status), u[i]->synced_items, u[i]->skipped_items,
		       u[i]->total_in_source, mg_consistency_name(u[i]->consistency),
		       u[i]->error ? u[i]->error : "-");
	mg_user_list_free(u, n);
	return 0;
}

static int cmd_wait(mg_store *st, int argc, char **argv, mg_err *err)
{
	if (argc < 5)
		return mg_err_set(err, MGC_INVALIDARG, "Usage", "wait NAME SECONDS STATUS...");
	int secs = atoi(argv[3]);
	for (int t = 0; t < secs * 10; t++) {
		mg_batch *b = NULL;
		if (mg_store_batch_load(st, argv[2], &b, err) < 0)
			return -1;
		const char *s = mg_batch_status_name(b->status);
		for (int i = 4; i < argc; i++)
			if (str_ieq(s, argv[i])) {
				printf("%s\n", s);
				mg_batch_free(b);
				return 0;
			}
		mg_batch_free(b);
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	mg_batch *b = NULL;
	if (mg_store_batch_load(st, argv[2], &b, err) == 0) {
		fprintf(stderr, "engine_driver: timed out; batch %s is %s\n", argv[2], mg_batch_status_name(b->status));
		mg_batch_free(b);
	}
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--service")) {
		char *home = mg_store_default_home();
		int rc = mg_service_main(home, argc >= 3 && !strcmp(argv[2], "--foreground"));
		free(home);
		return rc;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: engine_driver COMMAND ... (see the source)\n");
		return 1;
	}
	char *home = mg_store_default_home();
	mg_store *st = NULL;
	mg_err err = { 0 };
	if (mg_store_open(home, &st, &err) < 0) {
		free(home);
		return die(&err);
	}
	const char *cmd = argv[1];
	const char *name = argc >= 3 ? argv[2] : "";
	int rc = 0;
	if (!strcmp(cmd, "endpoint"))
		rc = cmd_endpoint(st, argc, argv, &err);
	else if (!strcmp(cmd, "batch"))
		rc = cmd_batch(st, argc, argv, &err);
	else if (!strcmp(cmd, "start") || !strcmp(cmd, "syncnow") || !strcmp(cmd, "complete")) {
		rc = !strcmp(cmd, "start") ? mg_batch_start(st, name, &err)
		   : !strcmp(cmd, "syncnow") ? mg_batch_sync_now(st, name, &err)
		   : mg_batch_complete(st, name, &err);
		if (rc == 0)
			rc = mg_service_ensure_running(home, &err);
	} else if (!strcmp(cmd, "stop"))
		rc = mg_batch_stop(st, name, &err);
	else if (!strcmp(cmd, "approve"))
		rc = mg_batch_approve_skipped(st, name, &err);
	else if (!strcmp(cmd, "remove")) {
		bool gone = false;
		rc = mg_batch_remove(st, name, argc >= 4 ? atoi(argv[3]) : 30, &gone, &err);
		if (rc == 0)
			printf("%s\n", gone ? "removed" : "removing");
	} else if (!strcmp(cmd, "status")) {
		mg_batch *b = NULL;
		rc = mg_store_batch_load(st, name, &b, &err);
		if (rc == 0)
			printf("%s\n", mg_batch_status_name(b->status));
		mg_batch_free(b);
	} else if (!strcmp(cmd, "users"))
		rc = cmd_users(st, name, &err);
	else if (!strcmp(cmd, "report") && argc >= 4) {
		char *text = NULL;
		rc = mg_store_user_report_read(st, name, argv[3], &text, &err);
		if (rc == 0)
			fputs(text, stdout);
		free(text);
	} else if (!strcmp(cmd, "wait")) {
		rc = cmd_wait(st, argc, argv, &err);
		if (rc == 2) {
			mg_store_close(st);
			free(home);
			return 2;
		}
	} else if (!strcmp(cmd, "config") && argc >= 4 && !strcmp(argv[2], "interval")) {
		mg_config c;
		rc = mg_store_config_load(st, &c, &err);
		c.incremental_sync_interval = atoll(argv[3]);
		if (rc == 0)
			rc = mg_store_config_save(st, &c, &err);
	} else if (!strcmp(cmd, "service-start"))
		rc = mg_service_ensure_running(home, &err);
	else if (!strcmp(cmd, "service-status")) {
		mg_service_info si;
		rc = mg_service_status(home, &si, &err);
		if (rc == 0)
			printf("%s %ld\n", si.running ? "running" : "stopped", (long)si.pid);
	} else if (!strcmp(cmd, "service-stop"))
		rc = mg_service_stop(home, argc >= 3 ? atoi(argv[2]) : 10, &err);
	else
		rc = mg_err_set(&err, MGC_INVALIDARG, "Usage", "unknown command '%s'", cmd);
	mg_store_close(st);
	free(home);
	return rc < 0 ? die(&err) : 0;
}
