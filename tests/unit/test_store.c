/* test_store.c - unit tests of the state store (engine/store.h): layout and
 * modes, round trips of every record, safe names, schema refusal, unreadable
 * records, transactions across handles, secrets only in 0600 files. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/store.h"
#include "engine/store_codec.h"

static char *mkhome(void)
{
	char tmpl[] = "/tmp/migsh-test-store-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return xasprintf("%s/home", d);
}

static void rmhome(char *home)
{
	char *parent = xstrdup(home);
	*strrchr(parent, '/') = '\0';
	mg_rm_rf(parent, NULL);
	free(parent);
	free(home);
}

static mode_t mode_of(const char *p)
{
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	return sb.st_mode & 07777;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* migsh.db and its WAL files exist only as 0600 */
static void assert_db_files_private(const char *home)
{
	static const char *const f[] = { "migsh.db", "migsh.db-wal", "migsh.db-shm" };
	for (size_t i = 0; i < 3; i++) {
		char *p = mg_path_join(home, f[i]);
		if (i == 0 || access(p, F_OK) == 0)
			assert_int_equal(mode_of(p), 0600);
		free(p);
	}
}

/* Change the database behind the store's back (a damaged record). */
static void db_exec(const char *home, const char *sql)
{
	char *p = mg_path_join(home, "migsh.db");
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(p);
}

static void test_open_layout(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	assert_int_equal(mode_of(home), 0700);
	const char *dirs[] = { "batches", "mail", "state", "logs" };
	for (size_t i = 0; i < 4; i++) {
		char *p = mg_path_join(home, dirs[i]);
		assert_int_equal(mode_of(p), 0700);
		free(p);
	}
	char *schema = mg_path_join(home, "schema");
	assert_int_equal(mode_of(schema), 0600);
	char *data = NULL;
	size_t len;
	assert_int_equal(mg_read_file(schema, 100, &data, &len, &err), 0);
	assert_string_equal(data, "migsh-store 3\n");
	free(data);
	free(schema);
	char *db = mg_path_join(home, "migsh.db");
	assert_int_equal(mode_of(db), 0600);
	free(db);
	mg_store_close(st);
	/* reopen works */
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_store_close(st);
	rmhome(home);
}

static void test_schema_newer_refused(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_store_close(st);
	char *schema = mg_path_join(home, "schema");
	write_file(schema, "migsh-store 99\n");
	assert_int_equal(mg_store_open(home, &st, &err), -1);
	assert_non_null(strstr(err.msg, "newer migsh"));
	assert_non_null(strstr(err.msg, "schema 99"));
	write_file(schema, "garbage\n");
	assert_int_equal(mg_store_open(home, &st, &err), -1);
	assert_non_null(strstr(err.msg, "schema file"));
	free(schema);
	rmhome(home);
}

/* A database written by a build that knew fewer columns (no 'columns' mark,
 * or another build's mark) gets the missing ones on open, rows kept; the mark
 * lets later opens skip the check. */
static void test_missing_columns_added(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	static const char *const marks[] = {
		"DELETE FROM meta WHERE key = 'columns';",                    /* an older build */
		"UPDATE meta SET value = 'another build' WHERE key = 'columns';" /* a newer one */
	};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(mg_store_open(home, &st, &err), 0);
		mg_store_close(st);
		db_exec(home, "ALTER TABLE users DROP COLUMN \"CompleteAfter\";");
		db_exec(home, marks[i]);
		assert_int_equal(mg_store_open(home, &st, &err), 0);
		mg_store_close(st);
		char *p = mg_path_join(home, "migsh.db");
		sqlite3 *db = NULL;
		sqlite3_stmt *q = NULL;
		assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('users') "
		                                    "WHERE name = 'CompleteAfter'", -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), 1);
		sqlite3_finalize(q);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'columns'", -1, &q, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_not_equal((const char *)sqlite3_column_text(q, 0), "another build");
		sqlite3_finalize(q);
		sqlite3_close(db);
		free(p);
	}
	rmhome(home);
}

static void test_safe_name(void **state)
{
	(void)state;
	const char *bad[] = { "../../etc/passwd", "/abs", ".hidden", "..", ".", "a/b", "", "x\ny" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *s = mg_safe_name(bad[i]);
		assert_true(*s);
		assert_null(strchr(s, '/'));
		assert_true(s[0] != '.');
		assert_null(strchr(s, '\n'));
		free(s);
	}
	char *a = mg_safe_name("Terry.Adams@Contoso.EDU");
	assert_string_equal(a, "terry.adams@contoso.edu");
	free(a);
	/* case-insensitive identity: the same key */
	char *x = mg_safe_name("IMAPBatch1"), *y = mg_safe_name("imapbatch1");
	assert_string_equal(x, y);
	free(x);
	free(y);
	/* long names stay short */
	char longname[600];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	char *l = mg_safe_name(longname);
	assert_true(strlen(l) < 220);
	free(l);
}

static void test_endpoint_roundtrip(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_endpoint *e = mg_endpoint_new("IMAPEndpoint");
	e->remote_server = xstrdup("imap.contoso.com");
	e->port = 143;
	e->security = MG_SEC_TLS;
	e->accept_untrusted = true;
	e->max_concurrent_migrations = 50;
	e->max_concurrent_incremental = MG_UNLIMITED;
	e->admin_user = xstrdup("mailadmin");
	e->admin_password = xstrdup("s3cr\"et\\pw");
	e->target_login = MG_TLOGIN_MASTER;
	assert_int_equal(mg_store_endpoint_create(st, e, &err), 0);
	/* duplicate name, any case */
	free(e->name);
	e->name = xstrdup("imapendpoint");
	assert_int_equal(mg_store_endpoint_create(st, e, &err), -1);
	assert_int_equal(err.category, MGC_EXISTS);
	mg_endpoint *r = NULL;
	assert_int_equal(mg_store_endpoint_load(st, "IMAPENDPOINT", &r, &err), 0);
	assert_string_equal(r->name, "IMAPEndpoint");
	assert_string_equal(r->remote_server, "imap.contoso.com");
	assert_int_equal(r->port, 143);
	assert_int_equal(r->security, MG_SEC_TLS);
	assert_true(r->accept_untrusted);
	assert_int_equal(r->max_concurrent_migrations, 50);
	assert_int_equal(r->max_concurrent_incremental, MG_UNLIMITED);
	assert_string_equal(r->admin_password, "s3cr\"et\\pw");
	assert_int_equal(r->target_login, MG_TLOGIN_MASTER);
	assert_string_equal(r->guid, e->guid);
	/* by Guid */
	mg_endpoint *g = NULL;
	assert_int_equal(mg_store_endpoint_load(st, e->guid, &g, &err), 0);
	assert_string_equal(g->name, "IMAPEndpoint");
	mg_endpoint_free(g);
	/* the files holding the password are 0600 */
	assert_db_files_private(home);
	/* not found: Exchange's wording */
	assert_int_equal(mg_store_endpoint_load(st, "Nope", &g, &err), -1);
	assert_int_equal(err.category, MGC_NOTFOUND);
	assert_string_equal(err.msg, "The migration endpoint 'Nope' couldn't be found. Reason: The migration endpoint 'Nope' couldn't be found.");
	/* list, remove */
	mg_endpoint **v;
	size_t n;
	assert_int_equal(mg_store_endpoint_list(st, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	mg_endpoint_list_free(v, n);
	assert_int_equal(mg_store_endpoint_remove(st, "imapendpoint", &err), 0);
	assert_int_equal(mg_store_endpoint_list(st, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	mg_endpoint_list_free(v, n);
	mg_endpoint_free(r);
	mg_endpoint_free(e);
	mg_store_close(st);
	rmhome(home);
}

static mg_batch *sample_batch(const char *name)
{
	mg_batch *b = mg_batch_new(name);
	b->source_endpoint = xstrdup("IMAPEndpoint");
	b->exclude_folders = xcalloc(3, sizeof(char *));
	b->exclude_folders[0] = xstrdup("Deleted Items");
	b->exclude_folders[1] = xstrdup("Junk \"Email\"/*");
	b->content_filter = xstrdup("Received -gt '8/23/2020'");
	b->notification_emails = xcalloc(2, sizeof(char *));
	b->notification_emails[0] = xstrdup("admin@contoso.edu");
	b->bad_item_limit = 10;
	b->bad_item_limit_set = true;
	b->start_after = 1700000000;
	return b;
}

static void test_batch_user_roundtrip(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_batch *b = sample_batch("IMAPBatch1");
	mg_user *u[2];
	u[0] = mg_user_new("terrya@contoso.edu", b->name);
	u[0]->user_name = xstrdup("contoso-students/mailadmin/terry.adams");
	u[0]->password = xstrdup("pässwörd, \"quoted\"");
	u[0]->user_root = xstrdup("/users/terry.adams");
	u[0]->csv_line = 2;
	u[1] = mg_user_new("ann@contoso.edu", b->name);
	u[1]->user_name = xstrdup("#ann@contoso.edu#mailadmin#");
	u[1]->password = xstrdup("x");
	u[1]->csv_line = 3;
	u[1]->status = MG_US_FAILED;
	u[1]->error = xstrdup("line1\nline2\ttab");
	assert_int_equal(mg_store_batch_create(st, b, u, 2, &err), 0);
	assert_int_equal(mg_store_batch_create(st, b, u, 2, &err), -1);
	assert_int_equal(err.category, MGC_EXISTS);

	mg_batch *r = NULL;
	assert_int_equal(mg_store_batch_load(st, "imapbatch1", &r, &err), 0);
	assert_string_equal(r->name, "IMAPBatch1");
	assert_string_equal(r->exclude_folders[1], "Junk \"Email\"/*");
	assert_null(r->exclude_folders[2]);
	assert_null(r->include_folders);
	assert_string_equal(r->content_filter, "Received -gt '8/23/2020'");
	assert_string_equal(r->notification_emails[0], "admin@contoso.edu");
	assert_int_equal(r->bad_item_limit, 10);
	assert_true(r->bad_item_limit_set);
	assert_int_equal(r->large_item_limit, MG_UNLIMITED);
	assert_int_equal(r->start_after, 1700000000);
	assert_int_equal(r->status, MG_BS_CREATED);
	assert_null(r->target_endpoint);
	mg_batch *g = NULL;
	assert_int_equal(mg_store_batch_load(st, b->guid, &g, &err), 0);
	mg_batch_free(g);

	mg_user **v;
	size_t n;
	assert_int_equal(mg_store_user_list(st, "IMAPBatch1", &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->email, "terrya@contoso.edu");   /* CSV order */
	assert_string_equal(v[0]->user_name, "contoso-students/mailadmin/terry.adams");
	assert_string_equal(v[0]->password, "pässwörd, \"quoted\"");
	assert_string_equal(v[0]->user_root, "/users/terry.adams");
	assert_string_equal(v[1]->error, "line1\nline2\ttab");
	assert_int_equal(v[1]->status, MG_US_FAILED);
	mg_user_list_free(v, n);

	/* find by email in any batch, any case */
	mg_user *f = NULL;
	assert_int_equal(mg_store_user_find(st, "TerryA@Contoso.edu", &f, &err), 0);
	assert_string_equal(f->batch, "IMAPBatch1");
	f->synced_items = 42;
	f->status = MG_US_SYNCED;
	assert_int_equal(mg_store_user_save(st, f, &err), 0);
	mg_user_free(f);
	assert_int_equal(mg_store_user_load(st, "IMAPBatch1", "terrya@contoso.edu", &f, &err), 0);
	assert_int_equal(f->synced_items, 42);
	assert_int_equal(f->status, MG_US_SYNCED);
	mg_user_free(f);
	char *other = NULL;
	assert_true(mg_store_email_in_use(st, "ANN@contoso.edu", NULL, &other));
	assert_string_equal(other, "IMAPBatch1");
	free(other);
	assert_false(mg_store_email_in_use(st, "ann@contoso.edu", "imapbatch1", NULL));
	assert_false(mg_store_email_in_use(st, "nobody@contoso.edu", NULL, NULL));

	/* passwords only in 0600 files */
	assert_db_files_private(home);

	/* skipped items */
	mg_skipped_rec sk[2] = {
		{ xstrdup("Inbox"), 7, xstrdup("Big \"one\""), 40000000, 1600000000, xstrdup("LargeItem"), xstrdup("over 35 MB") },
		{ xstrdup("Sent"), 9, NULL, 10, 0, xstrdup("BadItem"), NULL },
	};
	assert_int_equal(mg_store_skipped_save(st, "IMAPBatch1", "terrya@contoso.edu", sk, 2, &err), 0);
	mg_skipped_rec *sr;
	size_t sn;
	assert_int_equal(mg_store_skipped_load(st, "IMAPBatch1", "terrya@contoso.edu", &sr, &sn, &err), 0);
	assert_int_equal(sn, 2);
	assert_string_equal(sr[0].subject, "Big \"one\"");
	assert_int_equal(sr[0].size, 40000000);
	assert_null(sr[1].subject);
	assert_int_equal(sr[1].uid, 9);
	mg_skipped_recs_free(sr, sn);
	for (int i = 0; i < 2; i++) {
		free(sk[i].folder); free(sk[i].subject); free(sk[i].kind); free(sk[i].reason);
	}
	assert_int_equal(mg_store_skipped_load(st, "IMAPBatch1", "ann@contoso.edu", &sr, &sn, &err), 0);
	assert_int_equal(sn, 0);
	mg_skipped_recs_free(sr, sn);

	/* per-user report */
	assert_int_equal(mg_store_user_report_append(st, "IMAPBatch1", "ann@contoso.edu", "Connected.", &err), 0);
	char *rep = NULL;
	assert_int_equal(mg_store_user_report_read(st, "IMAPBatch1", "ann@contoso.edu", &rep, &err), 0);
	assert_non_null(strstr(rep, "Connected."));
	free(rep);

	/* delete user, delete batch */
	assert_int_equal(mg_store_user_delete(st, "IMAPBatch1", "ann@contoso.edu", &err), 0);
	assert_int_equal(mg_store_user_list(st, "IMAPBatch1", &v, &n, &err), 0);
	assert_int_equal(n, 1);
	mg_user_list_free(v, n);
	/* mail is never deleted with the batch */
	char *mail = mg_store_user_mail_dir(st, "terrya@contoso.edu");
	assert_int_equal(mg_mkdir_p(mail, 0700, &err), 0);
	assert_int_equal(mg_store_batch_delete(st, "IMAPBatch1", &err), 0);
	assert_int_equal(mg_store_batch_load(st, "IMAPBatch1", &g, &err), -1);
	assert_int_equal(err.category, MGC_NOTFOUND);
	assert_int_equal(access(mail, F_OK), 0);
	free(mail);
	/* the user's sync state is left for the service to remove */
	long long cid = 0;
	char **cp = mg_store_cleanup_take(st, 10, &cid);
	char *want = mg_store_user_state_dir(st, "terrya@contoso.edu", NULL);
	assert_non_null(cp);
	assert_string_equal(cp[0], want);
	assert_null(cp[1]);
	assert_int_equal(mg_store_cleanup_done(st, cid, &err), 0);
	assert_null(mg_store_cleanup_take(st, 10, &cid));
	mg_strv_free_all(cp);
	free(want);
	/* removed, then added to another batch before the service got to it:
	 * its sync state stays */
	mg_batch *b2 = mg_batch_new("Again1"), *b3 = mg_batch_new("Again2");
	assert_int_equal(mg_store_batch_create(st, b2, u, 1, &err), 0);
	assert_int_equal(mg_store_batch_delete(st, "Again1", &err), 0);
	free(u[0]->batch);
	u[0]->batch = xstrdup("Again2");
	assert_int_equal(mg_store_batch_create(st, b3, u, 1, &err), 0);
	assert_null(mg_store_cleanup_take(st, 10, &cid));
	mg_batch_free(b2);
	mg_batch_free(b3);

	for (int i = 0; i < 2; i++)
		mg_user_free(u[i]);
	mg_batch_free(r);
	mg_batch_free(b);
	mg_store_close(st);
	rmhome(home);
}

static void test_corrupt_batch_listed(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_batch *b1 = sample_batch("Good"), *b2 = sample_batch("Broken"), *b3 = sample_batch("Cut");
	assert_int_equal(mg_store_batch_create(st, b1, NULL, 0, &err), 0);
	assert_int_equal(mg_store_batch_create(st, b2, NULL, 0, &err), 0);
	assert_int_equal(mg_store_batch_create(st, b3, NULL, 0, &err), 0);
	/* damaged records: an unknown status, an unknown list of folders is fine */
	db_exec(home, "UPDATE batches SET \"Status\" = 'Exploded' WHERE name_key = 'broken'");
	db_exec(home, "UPDATE batches SET \"Status\" = NULL WHERE name_key = 'cut'");

	mg_batch *r = NULL;
	assert_int_equal(mg_store_batch_load(st, "Broken", &r, &err), -1);
	assert_int_equal(err.category, MGC_INVALIDDATA);
	assert_non_null(strstr(err.msg, "Exploded"));
	assert_int_equal(mg_store_batch_load(st, "Cut", &r, &err), -1);
	assert_int_equal(err.category, MGC_INVALIDDATA);

	mg_batch **v;
	size_t n;
	assert_int_equal(mg_store_batch_list(st, &v, &n, &err), 0);
	assert_int_equal(n, 3);   /* never silently dropped */
	int corrupted = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i]->status == MG_BS_CORRUPTED) {
			corrupted++;
			assert_non_null(v[i]->message);
			assert_true(strstr(v[i]->message, "'Broken'") || strstr(v[i]->message, "'Cut'"));
		}
	}
	assert_int_equal(corrupted, 2);
	mg_batch_list_free(v, n);

	/* a damaged user record is listed as Corrupted, not dropped */
	mg_user *u = mg_user_new("a@b.example", "Good");
	assert_int_equal(mg_store_user_save(st, u, &err), 0);
	db_exec(home, "UPDATE users SET \"Status\" = 'Melted' WHERE email_key = 'a@b.example'");
	mg_user **uv;
	size_t un;
	assert_int_equal(mg_store_user_list(st, "Good", &uv, &un, &err), 0);
	assert_int_equal(un, 1);
	assert_int_equal(uv[0]->status, MG_US_CORRUPTED);
	assert_string_equal(uv[0]->email, "a@b.example");
	assert_non_null(strstr(uv[0]->error, "Melted"));
	mg_user_list_free(uv, un);
	mg_user_free(u);
	mg_batch_free(b1);
	mg_batch_free(b2);
	mg_batch_free(b3);
	mg_store_close(st);
	rmhome(home);
}

static void test_config(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_config c;
	assert_int_equal(mg_store_config_load(st, &c, &err), 0);
	assert_int_equal(c.max_batches, 100);
	assert_int_equal(c.max_concurrent_migrations, 300);
	assert_int_equal(c.incremental_sync_interval, 86400);
	assert_true(mg_config_can_submit(&c, 99));
	assert_false(mg_config_can_submit(&c, 100));
	c.incremental_sync_interval = 5;
	assert_int_equal(mg_store_config_save(st, &c, &err), 0);
	mg_config d;
	assert_int_equal(mg_store_config_load(st, &d, &err), 0);
	assert_int_equal(d.incremental_sync_interval, 5);
	mg_store_close(st);
	rmhome(home);
}

static void test_lock_two_handles(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *a = NULL, *b = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &a, &err), 0);
	assert_int_equal(mg_store_open(home, &b, &err), 0);
	mg_store_set_busy_timeout(b, 200);
	assert_int_equal(mg_store_lock(a, &err), 0);
	assert_int_equal(mg_store_lock(a, &err), 0);   /* recursive */
	/* another handle (= another process) cannot change the store now */
	mg_batch *bb = mg_batch_new("Meanwhile");
	assert_int_equal(mg_store_lock(b, &err), -1);
	assert_non_null(strstr(err.msg, "busy"));
	assert_int_equal(mg_store_batch_create(b, bb, NULL, 0, &err), -1);
	mg_store_unlock(a);
	assert_int_equal(mg_store_lock(b, &err), -1);   /* still held once */
	/* but it reads what was committed, without waiting */
	assert_int_equal(mg_store_batch_count(b), 0);
	mg_store_unlock(a);
	assert_int_equal(mg_store_lock(b, &err), 0);
	assert_int_equal(mg_store_batch_create(b, bb, NULL, 0, &err), 0);
	mg_store_unlock(b);
	assert_int_equal(mg_store_batch_count(a), 1);
	mg_batch_free(bb);
	mg_store_close(a);
	mg_store_close(b);
	rmhome(home);
}

static void test_paths_stay_inside(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	char *m = mg_store_user_mail_dir(st, "../../../etc/x@y.z");
	char *s1 = mg_store_user_state_dir(st, "../x@y.z", NULL);
	char *s2 = mg_store_user_state_dir(st, "x@y.z", "../Target");
	char *bd = mg_store_batch_dir(st, "../../evil");
	const char *v[] = { m, s1, s2, bd };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(strncmp(v[i], home, strlen(home)), 0);
		assert_null(strstr(v[i] + strlen(home), "/.."));
	}
	free(m); free(s1); free(s2); free(bd);
	/* a batch named with a path is stored under its encoded name */
	mg_batch *b = mg_batch_new("../../evil");
	assert_int_equal(mg_store_batch_create(st, b, NULL, 0, &err), 0);
	mg_batch *r = NULL;
	assert_int_equal(mg_store_batch_load(st, "../../evil", &r, &err), 0);
	assert_string_equal(r->name, "../../evil");
	mg_batch_free(r);
	mg_batch_free(b);
	mg_store_close(st);
	rmhome(home);
}

/* Every truncation and many byte flips of a record give an error or a
 * record, never a crash (run under ASan in CI). */
static void test_codec_robust(void **state)
{
	(void)state;
	mg_user *u = mg_user_new("robust@x.example", "B");
	u->user_name = xstrdup("r*admin");
	u->password = xstrdup("pw");
	u->error = xstrdup("line\nwith \"quotes\"");
	char *text = mg_user_to_yaml(u);
	size_t len = strlen(text);
	size_t ok = 0;
	for (size_t i = 0; i <= len; i++) {
		mg_user *r = NULL;
		mg_err err = { 0 };
		char *cut = xstrndup(text, i);
		if (mg_user_from_yaml(cut, i, "cut.yaml", &r, &err) == 0) {
			ok++;
			mg_user_free(r);
		} else {
			assert_non_null(strstr(err.msg, "cut.yaml"));
		}
		free(cut);
	}
	assert_int_equal(ok, 2);   /* only the whole file, with or without its last newline */
	unsigned x = 12345;
	for (int round = 0; round < 2000; round++) {
		char *m = xstrdup(text);
		for (int k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			m[(x >> 8) % len] = (char)(x >> 16);
		}
		mg_user *r = NULL;
		if (mg_user_from_yaml(m, strlen(m), "flip.yaml", &r, NULL) == 0)
			mg_user_free(r);
		mg_batch *b = NULL;
		if (mg_batch_from_yaml(m, strlen(m), "flip.yaml", &b, NULL) == 0)
			mg_batch_free(b);
		free(m);
	}
	free(text);
	mg_user_free(u);
}

/* ---- conversion of the YAML layout (schema 1) ---- */

static void put_file(const char *dir, const char *name, char *text)
{
	assert_int_equal(mg_mkdir_p(dir, 0700, NULL), 0);
	char *p = mg_path_join(dir, name);
	write_file(p, text);
	chmod(p, 0600);
	free(p);
	free(text);
}

/* A schema-1 data directory as the YAML store wrote it: endpoints, two
 * batches, users with every kind of field, skipped items, report lines and
 * one unreadable user file. */
typedef struct old_home {
	mg_endpoint *ep[2];
	mg_batch    *b[2];
	mg_user     *u[4];      /* u[0..2] in b[0], u[3] in b[1] */
} old_home;

static void write_old_home(const char *home, old_home *o)
{
	assert_int_equal(mg_mkdir_p(home, 0700, NULL), 0);
	put_file(home, "schema", xstrdup("migsh-store 1\n"));
	char *ed = mg_path_join(home, "endpoints");
	o->ep[0] = mg_endpoint_new("Source IMAP");
	o->ep[0]->remote_server = xstrdup("imap.contoso.edu");
	o->ep[0]->port = 143;
	o->ep[0]->security = MG_SEC_TLS;
	o->ep[0]->admin_user = xstrdup("mailadmin");
	o->ep[0]->admin_password = xstrdup("pw \"with\" quotes\\");
	o->ep[1] = mg_endpoint_new("Target");
	o->ep[1]->target_login = MG_TLOGIN_MASTER;
	o->ep[1]->master_separator = xstrdup("%");
	o->ep[1]->max_concurrent_incremental = MG_UNLIMITED;
	for (int i = 0; i < 2; i++) {
		char *k = mg_safe_name(o->ep[i]->name);
		char *f = xasprintf("%s.yaml", k);
		put_file(ed, f, mg_endpoint_to_yaml(o->ep[i]));
		free(f);
		free(k);
	}
	free(ed);
	o->b[0] = sample_batch("Spring Wave/1");
	o->b[0]->status = MG_BS_SYNCED_WITH_ERRORS;
	o->b[0]->target_endpoint = xstrdup("Target");
	o->b[0]->message = xstrdup("two lines\nof message");
	o->b[0]->include_folders = xcalloc(1, sizeof(char *));   /* empty, not absent */
	o->b[0]->started = 1700000100;
	o->b[0]->req_sync_now = true;
	o->b[1] = mg_batch_new("Second");
	o->b[1]->source_endpoint = xstrdup("Source IMAP");
	o->b[1]->status = MG_BS_COMPLETED;
	o->b[1]->created = o->b[0]->created + 5;
	for (int i = 0; i < 4; i++) {
		mg_batch *b = o->b[i < 3 ? 0 : 1];
		char *em = xasprintf("User%d@Contoso.edu", i);
		o->u[i] = mg_user_new(em, b->name);
		free(em);
		o->u[i]->user_name = xasprintf("user%d", i);
		o->u[i]->password = xasprintf("p\xc3\xa4ss%d, \"q\"", i);
		o->u[i]->csv_line = 2 + i;
		o->u[i]->status = (mg_user_status)(MG_US_SYNCED + i);
		o->u[i]->synced_items = 1000 + i;
		o->u[i]->bytes_transferred = 1LL << 40;
		o->u[i]->last_successful_sync = 1700000200 + i;
		o->u[i]->consistency = MG_DCS_INVESTIGATE;
		o->u[i]->error = i == 1 ? xstrdup("line1\nline2\ttab") : NULL;
		o->u[i]->user_root = i == 2 ? xstrdup("/users/two") : NULL;
		o->u[i]->skipped_approved = i == 0;
		o->u[i]->start_after = i == 0 ? 1800000000 : 0;
	}
	for (int bi = 0; bi < 2; bi++) {
		char *bk = mg_safe_name(o->b[bi]->name);
		char *bd = xasprintf("%s/batches/%s", home, bk);
		put_file(bd, "batch.yaml", mg_batch_to_yaml(o->b[bi]));
		char *rd = mg_path_join(bd, "reports");
		put_file(rd, "MigrationErrors.csv", xstrdup("EmailAddress,Error\n"));
		free(rd);
		char *ud = mg_path_join(bd, "users");
		for (int i = 0; i < 4; i++) {
			if ((i < 3) != (bi == 0))
				continue;
			char *k = mg_safe_name(o->u[i]->email);
			char *f = xasprintf("%s.yaml", k);
			put_file(ud, f, mg_user_to_yaml(o->u[i]));
			free(f);
			free(k);
		}
		if (bi == 0) {
			mg_skipped_rec sk[2] = {
				{ (char *)"Inbox", 7, (char *)"Big \"one\"", 40000000, 1600000000, (char *)"LargeItem", (char *)"over 35 MB" },
				{ (char *)"Sent", 9, NULL, 10, 0, (char *)"BadItem", NULL },
			};
			put_file(ud, "user0@contoso.edu.skipped.yaml", mg_skipped_to_yaml(sk, 2));
			put_file(ud, "user1@contoso.edu.log",
			         xstrdup("2026-01-02 03:04:05 UTC Connected.\n2026-01-02 03:04:06 UTC Copied 5 items.\n"));
			put_file(ud, "broken@contoso.edu.yaml", xstrdup("\x01 not yaml: ["));
		}
		free(ud);
		free(bd);
		free(bk);
	}
}

static void old_home_free(old_home *o)
{
	for (int i = 0; i < 2; i++) {
		mg_endpoint_free(o->ep[i]);
		mg_batch_free(o->b[i]);
	}
	for (int i = 0; i < 4; i++)
		mg_user_free(o->u[i]);
}

/* Same record: every field, compared through the YAML encoding. */
#define assert_same(enc, a, b) do { \
		char *x_ = enc(a), *y_ = enc(b); \
		assert_string_equal(x_, y_); \
		free(x_); free(y_); \
	} while (0)

static void test_convert_yaml_layout(void **state)
{
	(void)state;
	char *home = mkhome();
	old_home o;
	write_old_home(home, &o);
	mg_store *st = NULL;
	mg_err err = { 0 };

	/* a conversion that fails leaves the YAML layout as it was */
	char *epath = xasprintf("%s/endpoints/target.yaml", home);
	char *good = NULL;
	size_t len;
	assert_int_equal(mg_read_file(epath, 1 << 20, &good, &len, &err), 0);
	write_file(epath, "Name: [unclosed\n");
	assert_int_equal(mg_store_open(home, &st, &err), -1);
	assert_non_null(strstr(err.msg, "YAML files are unchanged"));
	char *schema = mg_path_join(home, "schema"), *data = NULL;
	assert_int_equal(mg_read_file(schema, 100, &data, &len, &err), 0);
	assert_string_equal(data, "migsh-store 1\n");
	free(data);
	char *db = mg_path_join(home, "migsh.db");
	assert_int_equal(access(db, F_OK), -1);
	/* a crash half-way left a partial database behind: ignored, redone */
	char *partial = xasprintf("%s.converting", db);
	write_file(partial, "half a database");
	write_file(epath, good);
	free(good);

	assert_int_equal(mg_store_open(home, &st, &err), 0);
	assert_int_equal(access(partial, F_OK), -1);
	assert_int_equal(mode_of(db), 0600);
	assert_int_equal(mg_read_file(schema, 100, &data, &len, &err), 0);
	assert_string_equal(data, "migsh-store 3\n");
	free(data);

	/* every record */
	for (int i = 0; i < 2; i++) {
		mg_endpoint *e = NULL;
		assert_int_equal(mg_store_endpoint_load(st, o.ep[i]->name, &e, &err), 0);
		assert_same(mg_endpoint_to_yaml, e, o.ep[i]);
		mg_endpoint_free(e);
		mg_batch *b = NULL;
		assert_int_equal(mg_store_batch_load(st, o.b[i]->name, &b, &err), 0);
		assert_same(mg_batch_to_yaml, b, o.b[i]);
		mg_batch_free(b);
	}
	for (int i = 0; i < 4; i++) {
		mg_user *u = NULL;
		assert_int_equal(mg_store_user_load(st, o.u[i]->batch, o.u[i]->email, &u, &err), 0);
		assert_same(mg_user_to_yaml, u, o.u[i]);
		mg_user_free(u);
	}
	mg_batch **bv;
	size_t bn;
	assert_int_equal(mg_store_batch_list(st, &bv, &bn, &err), 0);
	assert_int_equal(bn, 2);
	assert_string_equal(bv[0]->name, "Spring Wave/1");
	mg_batch_list_free(bv, bn);
	mg_user **uv;
	size_t un;
	assert_int_equal(mg_store_user_list(st, "Spring Wave/1", &uv, &un, &err), 0);
	assert_int_equal(un, 4);   /* three users and the unreadable one, Corrupted */
	assert_string_equal(uv[0]->email, "User0@Contoso.edu");
	assert_int_equal(uv[3]->status, MG_US_CORRUPTED);
	assert_string_equal(uv[3]->email, "broken@contoso.edu");
	assert_non_null(strstr(uv[3]->error, "broken@contoso.edu.yaml"));
	mg_user_list_free(uv, un);
	mg_skipped_rec *sr;
	size_t sn;
	assert_int_equal(mg_store_skipped_load(st, "Spring Wave/1", "user0@contoso.edu", &sr, &sn, &err), 0);
	assert_int_equal(sn, 2);
	assert_string_equal(sr[0].subject, "Big \"one\"");
	assert_int_equal(sr[0].size, 40000000);
	assert_int_equal(sr[0].date, 1600000000);
	assert_string_equal(sr[0].reason, "over 35 MB");
	assert_null(sr[1].subject);
	assert_int_equal(sr[1].uid, 9);
	mg_skipped_recs_free(sr, sn);
	char *rep = NULL;
	assert_int_equal(mg_store_user_report_read(st, "Spring Wave/1", "user1@contoso.edu", &rep, &err), 0);
	assert_string_equal(rep, "2026-01-02 03:04:05 UTC Connected.\n2026-01-02 03:04:06 UTC Copied 5 items.\n");
	free(rep);
	/* reports directories stay where they were */
	char *rd = mg_store_reports_dir(st, "Spring Wave/1");
	char *csv = mg_path_join(rd, "MigrationErrors.csv");
	assert_int_equal(access(csv, F_OK), 0);
	free(csv);
	free(rd);
	/* a change, then reopen: converted once, never again */
	mg_user *u = NULL;
	assert_int_equal(mg_store_user_find(st, "user2@contoso.edu", &u, &err), 0);
	u->synced_items = 7;
	assert_int_equal(mg_store_user_save(st, u, &err), 0);
	mg_user_free(u);
	mg_store_close(st);
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	assert_int_equal(mg_store_user_find(st, "user2@contoso.edu", &u, &err), 0);
	assert_int_equal(u->synced_items, 7);
	mg_user_free(u);
	assert_int_equal(mg_store_user_count(st, NULL), 5);
	mg_store_close(st);

	free(partial);
	free(db);
	free(schema);
	free(epath);
	old_home_free(&o);
	rmhome(home);
}

/* A crash after the database was complete but before the schema file said
 * so: the next open finishes without converting again. */
static void test_convert_finish_after_crash(void **state)
{
	(void)state;
	char *home = mkhome();
	old_home o;
	write_old_home(home, &o);
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_user *u = NULL;
	assert_int_equal(mg_store_user_find(st, "user3@contoso.edu", &u, &err), 0);
	u->passes = 99;
	assert_int_equal(mg_store_user_save(st, u, &err), 0);
	mg_user_free(u);
	mg_store_close(st);
	char *schema = mg_path_join(home, "schema");
	write_file(schema, "migsh-store 1\n");
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	assert_int_equal(mg_store_user_find(st, "user3@contoso.edu", &u, &err), 0);
	assert_int_equal(u->passes, 99);   /* not overwritten by a second conversion */
	mg_user_free(u);
	mg_store_close(st);
	free(schema);
	old_home_free(&o);
	rmhome(home);
}

/* Dump and restore: a readable copy that comes back identical. */
static void test_dump_restore(void **state)
{
	(void)state;
	char *home = mkhome();
	old_home o;
	write_old_home(home, &o);
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	char *dump = xasprintf("%s-dump", home);
	assert_int_equal(mg_store_dump(st, dump, &err), 0);
	assert_int_equal(mg_store_dump(st, dump, &err), -1);   /* never over an existing one */
	char *p = xasprintf("%s/batches/spring%%20wave%%2f1/users/user1@contoso.edu.yaml", dump);
	assert_int_equal(mode_of(p), 0600);
	free(p);
	/* refused over records unless replace */
	assert_int_equal(mg_store_restore(st, dump, false, &err), -1);
	assert_non_null(strstr(err.msg, "-Replace"));
	assert_int_equal(mg_store_batch_delete(st, "Second", &err), 0);
	assert_int_equal(mg_store_restore(st, dump, true, &err), 0);
	for (int i = 0; i < 4; i++) {
		mg_user *u = NULL;
		assert_int_equal(mg_store_user_load(st, o.u[i]->batch, o.u[i]->email, &u, &err), 0);
		assert_same(mg_user_to_yaml, u, o.u[i]);
		mg_user_free(u);
	}
	for (int i = 0; i < 2; i++) {
		mg_batch *b = NULL;
		assert_int_equal(mg_store_batch_load(st, o.b[i]->name, &b, &err), 0);
		assert_same(mg_batch_to_yaml, b, o.b[i]);
		mg_batch_free(b);
	}
	char *rep = NULL;
	assert_int_equal(mg_store_user_report_read(st, "Spring Wave/1", "user1@contoso.edu", &rep, &err), 0);
	assert_non_null(strstr(rep, "Copied 5 items."));
	free(rep);
	mg_store_close(st);
	char *parent = xstrdup(dump);
	mg_rm_rf(dump, NULL);
	free(parent);
	free(dump);
	old_home_free(&o);
	rmhome(home);
}

/* Tab completion asks the store by prefix: only matching names, at most
 * max of them, and the last match when more match (so the common prefix
 * of the answer is right). */
static size_t strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static void test_names_by_prefix(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	enum { N = 3000 };
	mg_user **u = xcalloc(N, sizeof *u);
	mg_batch *b = sample_batch("Spring Wave");
	for (int i = 0; i < N; i++) {
		char email[64];
		snprintf(email, sizeof email, "User%05d@Contoso.edu", i);
		u[i] = mg_user_new(email, b->name);
		u[i]->csv_line = i + 2;
	}
	assert_int_equal(mg_store_batch_create(st, b, u, N, &err), 0);
	mg_batch *b2 = sample_batch("Summer");
	assert_int_equal(mg_store_batch_create(st, b2, NULL, 0, &err), 0);
	mg_endpoint *e = mg_endpoint_new("IMAPEndpoint");
	assert_int_equal(mg_store_endpoint_create(st, e, &err), 0);

	/* ten matches, any case typed, in order, as stored */
	char **v = mg_store_names(st, MG_NAMES_USER, "uSER0012", 50, &err);
	assert_non_null(v);
	assert_int_equal(strv_len(v), 10);
	assert_string_equal(v[0], "User00120@Contoso.edu");
	assert_string_equal(v[9], "User00129@Contoso.edu");
	mg_strv_free_all(v);
	/* a thousand matches, at most 50 + the last one */
	v = mg_store_names(st, MG_NAMES_USER, "user01", 50, &err);
	assert_int_equal(strv_len(v), 51);
	assert_string_equal(v[0], "User01000@Contoso.edu");
	assert_string_equal(v[49], "User01049@Contoso.edu");
	assert_string_equal(v[50], "User01999@Contoso.edu");
	mg_strv_free_all(v);
	/* nothing typed: the first ones and the very last */
	v = mg_store_names(st, MG_NAMES_USER, "", 20, &err);
	assert_int_equal(strv_len(v), 21);
	assert_string_equal(v[0], "User00000@Contoso.edu");
	assert_string_equal(v[20], "User02999@Contoso.edu");
	mg_strv_free_all(v);
	/* exactly max matches: no extra */
	v = mg_store_names(st, MG_NAMES_USER, "user0012", 10, &err);
	assert_int_equal(strv_len(v), 10);
	mg_strv_free_all(v);
	/* no match; a character that is encoded in keys */
	v = mg_store_names(st, MG_NAMES_USER, "nobody", 50, &err);
	assert_int_equal(strv_len(v), 0);
	mg_strv_free_all(v);
	v = mg_store_names(st, MG_NAMES_USER, "user00001@contoso.edu%", 50, &err);
	assert_int_equal(strv_len(v), 0);
	mg_strv_free_all(v);
	/* batches (a space is encoded in the key) and endpoints */
	v = mg_store_names(st, MG_NAMES_BATCH, "spring w", 50, &err);
	assert_int_equal(strv_len(v), 1);
	assert_string_equal(v[0], "Spring Wave");
	mg_strv_free_all(v);
	v = mg_store_names(st, MG_NAMES_BATCH, NULL, 50, &err);
	assert_int_equal(strv_len(v), 2);
	mg_strv_free_all(v);
	v = mg_store_names(st, MG_NAMES_ENDPOINT, "imap", 50, &err);
	assert_int_equal(strv_len(v), 1);
	assert_string_equal(v[0], "IMAPEndpoint");
	mg_strv_free_all(v);

	mg_endpoint_free(e);
	mg_batch_free(b2);
	mg_batch_free(b);
	mg_user_list_free(u, N);
	mg_store_close(st);
	rmhome(home);
}

/* The service's bookkeeping lives in the database: saved by the service,
 * read by the shell from the data directory alone; a service.yaml of
 * schema 2 is moved in at the first open and removed. */
static void test_service_bookkeeping(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	mg_service_rec r;
	long ini = -1, inc = -1;
	/* no store yet: nothing, and no database made */
	assert_int_equal(mkdir(home, 0700), 0);
	assert_int_equal(mg_store_service_read(home, "Src", &r, &ini, &inc, &err), 0);
	assert_int_equal(r.pid, 0);
	assert_int_equal(ini, 0);
	char *db = mg_path_join(home, "migsh.db");
	assert_int_equal(access(db, F_OK), -1);

	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_service_rec w = { .pid = 4242, .started = 1700000000, .heartbeat = 1700000100,
	                     .active_initial = 2, .active_incremental = 1 };
	mg_service_job_rec jobs[] = {
		{ "B1", "a@contoso.edu", "Src", "Initial" },
		{ "B1", "b@contoso.edu", "src", "Initial" },
		{ "B2", "c@contoso.edu", "SRC", "Final" },
		{ "B3", "d@contoso.edu", "Other", "Incremental" },
	};
	assert_int_equal(mg_store_service_save(st, &w, jobs, 4, &err), 0);
	assert_int_equal(mg_store_service_read(home, "Src", &r, &ini, &inc, &err), 0);
	assert_int_equal(r.pid, 4242);
	assert_int_equal(r.started, 1700000000);
	assert_int_equal(r.heartbeat, 1700000100);
	assert_int_equal(r.active_initial, 2);
	assert_int_equal(r.active_incremental, 1);
	assert_int_equal(ini, 2);
	assert_int_equal(inc, 1);
	/* saved again: replaced, not added to */
	w.heartbeat = 1700000200;
	assert_int_equal(mg_store_service_save(st, &w, jobs + 3, 1, &err), 0);
	assert_int_equal(mg_store_service_read(home, "src", &r, &ini, &inc, &err), 0);
	assert_int_equal(r.heartbeat, 1700000200);
	assert_int_equal(ini, 0);
	assert_int_equal(inc, 0);
	assert_int_equal(mg_store_service_read(home, "OTHER", &r, &ini, &inc, &err), 0);
	assert_int_equal(inc, 1);
	mg_store_close(st);
	char *yaml = mg_path_join(home, "service.yaml");
	assert_int_equal(access(yaml, F_OK), -1);   /* never written as a file */

	/* a data directory of schema 2 with the service's file */
	char *schema = mg_path_join(home, "schema");
	write_file(schema, "migsh-store 2\n");
	write_file(yaml, "# migsh migration service status\nPid: 777\nStarted: 1600000000\n"
	                 "Heartbeat: 1600000050\nActiveInitialSyncs: 1\nActiveIncrementalSyncs: 1\nJobs:\n"
	                 "  - Batch: \"B\"\n    User: \"x@contoso.edu\"\n    Endpoint: \"Old\"\n    Kind: \"Initial\"\n"
	                 "  - Batch: \"B\"\n    User: \"y@contoso.edu\"\n    Endpoint: \"old\"\n    Kind: \"Final\"\n"
	                 "_end: true\n");
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_store_close(st);
	assert_int_equal(access(yaml, F_OK), -1);   /* moved, not left behind */
	char *data = NULL;
	size_t len;
	assert_int_equal(mg_read_file(schema, 100, &data, &len, &err), 0);
	assert_string_equal(data, "migsh-store 3\n");
	free(data);
	assert_int_equal(mg_store_service_read(home, "Old", &r, &ini, &inc, &err), 0);
	assert_int_equal(r.pid, 777);
	assert_int_equal(r.started, 1600000000);
	assert_int_equal(r.heartbeat, 1600000050);
	assert_int_equal(r.active_initial, 1);
	assert_int_equal(ini, 1);
	assert_int_equal(inc, 1);
	assert_db_files_private(home);
	free(schema);
	free(yaml);
	free(db);
	rmhome(home);
}

/* The users the service looks at each poll: working ones, due synced ones,
 * and only as many Queued ones as it can start (never one whose own
 * StartAfter is to come). */
static void test_runnable_users(void **state)
{
	(void)state;
	char *home = mkhome();
	mg_store *st = NULL;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	int64_t now = 1800000000;
	mg_batch *b = sample_batch("B");
	b->start_after = 0;
	mg_user *u[10];
	for (int i = 0; i < 10; i++) {
		char email[32];
		snprintf(email, sizeof email, "u%d@contoso.edu", i);
		u[i] = mg_user_new(email, "B");
		u[i]->csv_line = i + 2;
		u[i]->status = MG_US_QUEUED;
	}
	u[6]->start_after = now + 3600;   /* its own StartAfter is to come */
	u[7]->status = MG_US_SYNCING;
	u[8]->status = MG_US_SYNCED;
	u[8]->next_sync_due = now - 1;    /* due */
	u[9]->status = MG_US_SYNCED;
	u[9]->sync_finished = now - 10;   /* not due for a day */
	assert_int_equal(mg_store_batch_create(st, b, u, 10, &err), 0);
	mg_user **v = NULL;
	size_t n = 0;
	assert_int_equal(mg_store_user_list_runnable(st, "B", now, 86400, false, 2, &v, &n, &err), 0);
	assert_int_equal(n, 4);   /* u0, u1 (two places), u7, u8 */
	size_t queued = 0;
	for (size_t i = 0; i < n; i++) {
		queued += v[i]->status == MG_US_QUEUED;
		assert_string_not_equal(v[i]->email, "u6@contoso.edu");
		assert_string_not_equal(v[i]->email, "u9@contoso.edu");
	}
	assert_int_equal(queued, 2);
	assert_string_equal(v[n - 1]->email, "u8@contoso.edu");   /* CSV order */
	mg_user_list_free(v, n);
	assert_int_equal(mg_store_user_list_runnable(st, "B", now, 86400, false, 0, &v, &n, &err), 0);
	assert_int_equal(n, 2);   /* no place: u7, u8 */
	mg_user_list_free(v, n);
	assert_int_equal(mg_store_user_list_runnable(st, "B", now, 86400, false, -1, &v, &n, &err), 0);
	assert_int_equal(n, 8);   /* u0-u5, u7, u8 */
	mg_user_list_free(v, n);
	assert_int_equal(mg_store_user_list_runnable(st, "B", now + 7200, 86400, true, -1, &v, &n, &err), 0);
	assert_int_equal(n, 10);  /* u6's StartAfter has come; -SyncNow: u9 too */
	mg_user_list_free(v, n);
	for (int i = 0; i < 10; i++)
		mg_user_free(u[i]);
	mg_batch_free(b);
	mg_store_close(st);
	rmhome(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_layout),
		cmocka_unit_test(test_schema_newer_refused),
		cmocka_unit_test(test_missing_columns_added),
		cmocka_unit_test(test_safe_name),
		cmocka_unit_test(test_endpoint_roundtrip),
		cmocka_unit_test(test_batch_user_roundtrip),
		cmocka_unit_test(test_corrupt_batch_listed),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_lock_two_handles),
		cmocka_unit_test(test_paths_stay_inside),
		cmocka_unit_test(test_codec_robust),
		cmocka_unit_test(test_convert_yaml_layout),
		cmocka_unit_test(test_convert_finish_after_crash),
		cmocka_unit_test(test_dump_restore),
		cmocka_unit_test(test_names_by_prefix),
		cmocka_unit_test(test_service_bookkeeping),
		cmocka_unit_test(test_runnable_users),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
