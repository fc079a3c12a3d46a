/*
 * test_rename_objectid.c - a folder renamed at the source is recognised by
 * its RFC 8474 MAILBOXID when the server offers OBJECTID (Dovecot 2.3 does
 * not, so a scripted server plays the source): the new name's MAILBOXID is
 * the one noted for the vanished folder, so the destination folder is
 * renamed even though the UIDVALIDITY changed (which the fallback would
 * take for another folder); a different MAILBOXID is never taken for a
 * rename; and the end of a pass notes the MAILBOXID of each folder with a
 * journal (once).  Local Maildir destination; engine/sync_rename.c.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/sync_internal.h"
#include "engine/maildir_store.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "tests/unit/scripted_peer.h"

typedef struct fixture {
	char root[64];
	char *state, *mdroot;
	mg_sync_job job;
	mg_sync_stats st;
	mg_maildir *md;
} fixture;

static void setup_state(fixture *fx, const char *mailboxid)
{
	strcpy(fx->root, "/tmp/mg-objectid-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	fx->state = mg_path_join(fx->root, "state");
	fx->mdroot = mg_path_join(fx->root, "md");
	char *folders = mg_path_join(fx->state, "folders");
	mg_err e = { 0 };
	assert_int_equal(mg_mkdir_p(folders, 0700, &e), 0);
	free(folders);
	memset(&fx->job, 0, sizeof fx->job);
	memset(&fx->st, 0, sizeof fx->st);
	fx->job.state_dir = fx->state;
	fx->job.dest_kind = MG_DEST_MAILDIR;
	fx->job.maildir_root = fx->mdroot;
	/* the journal of folder "Old" after a pass: one message, UIDVALIDITY 5 */
	char *jp = sync_journal_path(&fx->job, "Old");
	mg_journal *j;
	assert_int_equal(mg_journal_open(jp, &j, &e), 0);
	mg_journal_set_folder(j, "Old");
	mg_journal_set_uidvalidity(j, 5);
	mg_journal_add(j, 1, 10, 1000, "", "base1");
	mg_journal_pass_done(j, 2, 0);
	assert_int_equal(mg_journal_flush(j, &e), 0);
	mg_journal_close(j);
	char *idp = xasprintf("%s.mboxid", jp), *txt = xasprintf("%s\n", mailboxid);
	assert_int_equal(mg_write_atomic(idp, txt, strlen(txt), 0600, &e), 0);
	free(idp);
	free(txt);
	free(jp);
	/* its destination folder */
	assert_int_equal(mg_maildir_open(fx->mdroot, &fx->md, &e), 0);
	char *comps[] = { "Old" };
	mg_mdfolder *f;
	assert_int_equal(mg_mdfolder_open(fx->md, comps, 1, &f, &e), 0);
	mg_mdfolder_close(f);
}

static void teardown_state(fixture *fx)
{
	mg_maildir_close(fx->md);
	char *cmd = xasprintf("rm -rf '%s'", fx->root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(fx->state);
	free(fx->mdroot);
	mg_sync_stats_free(&fx->st);
}

/* The source (engine/source.h) over the scripted client: the operations
 * renames and MAILBOXIDs use (the others are not called here). */
static int t_status(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err)
{ return mg_imap_status(s->state, wire, st, err); }
static int t_examine(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err)
{ return mg_imap_examine(s->state, wire, st, err); }
static int t_fetch_meta(mg_source *s, const char *set, uint64_t changedsince, mg_imap_meta_cb cb, void *arg,
                        mg_err *err)
{ return mg_imap_fetch_meta(s->state, set, changedsince, cb, arg, err); }
static bool t_has_cap(mg_source *s, const char *cap)
{ return mg_imap_has_cap(s->state, cap); }
static char *t_mailbox_wire(mg_source *s, const char *name, mg_err *err)
{ return mg_imap_mailbox_wire(s->state, name, err); }
static void t_close(mg_source *s) { (void)s; }
static const mg_source_ops scripted_source_ops = {
	.kind = "imap", .close = t_close, .status = t_status, .examine = t_examine,
	.fetch_meta = t_fetch_meta, .has_cap = t_has_cap, .mailbox_wire = t_mailbox_wire,
};

/* x over the scripted client c and the Maildir destination of fx (opened) */
static void sctx_init(sctx *x, fixture *fx, mg_source *src, mg_dest *d, mg_imap *c)
{
	memset(x, 0, sizeof *x);
	memset(src, 0, sizeof *src);
	memset(d, 0, sizeof *d);
	x->job = &fx->job;
	x->st = &fx->st;
	src->ops = &scripted_source_ops;
	src->state = c;
	src->sep = '/';
	x->src = src;
	mg_err e = { 0 };
	assert_int_equal(mg_dest_maildir_init(&fx->job, d, &e), 0);
	assert_int_equal(d->ops->open(d, x, &e), MG_DS_OK);
	x->dest = d;
	x->dest_open = true;
}

static bool exists_in(const char *dir, const char *name)
{
	char *p = mg_path_join(dir, name);
	bool yes = access(p, F_OK) == 0;
	free(p);
	return yes;
}

/* A client logged in to a scripted source that plays steps (*srv: for server_finish). */
static mg_imap *scripted_login(const step *steps, server **srv)
{
	*srv = server_start(steps);
	mg_conn_params p = { .host = "127.0.0.1", .port = (*srv)->port, .security = MG_SEC_NONE,
	                     .connect_timeout_ms = 2000, .io_timeout_ms = 2000 };
	mg_err e = { 0 };
	mg_imap *c = mg_imap_connect(&p, &e);
	assert_non_null(c);
	assert_int_equal(mg_imap_login(c, "user1", "pw", NULL, &e), 0);
	return c;
}

/* The folder mapping of these tests: no prefix, '/' at the source, '.' in the Maildir. */
static void plain_fmap_opts(mg_fmap_opts *o)
{
	memset(o, 0, sizeof *o);
	o->prefix = "";
	o->src_sep = '/';
	o->dst_sep = '.';
	o->max_name_bytes = 240;
}

/* the source lists only "New"; its STATUS answers MAILBOXID new_id */
static void run_renames(fixture *fx, const char *new_id, const char *reply_uidvalidity)
{
	char status_reply[512];
	snprintf(status_reply, sizeof status_reply,
	         "* STATUS New (MESSAGES 1 UIDNEXT 2 UIDVALIDITY %s UNSEEN 0 MAILBOXID (%s))\r\n$T OK done\r\n",
	         reply_uidvalidity, new_id);
	const step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] scripted ready\r\n" },
		{ "AUTHENTICATE PLAIN", "$T OK [CAPABILITY IMAP4rev1 OBJECTID] Logged in\r\n" },
		{ "STATUS New (MESSAGES UIDNEXT UIDVALIDITY UNSEEN MAILBOXID)", status_reply },
		{ NULL, NULL }
	};
	server *s;
	mg_imap *c = scripted_login(steps, &s);
	mg_err e = { 0 };
	mg_imap_set_readonly(c, true);

	sctx x;
	mg_source src;
	mg_dest d;
	sctx_init(&x, fx, &src, &d, c);
	mg_imap_mailbox mb = { "New", "New", '/', MG_MBX_HASNOCHILDREN };
	mg_fmap_opts o;
	plain_fmap_opts(&o);
	mg_folder_plan *plans;
	size_t np;
	assert_int_equal(mg_fmap_build(&mb, 1, &o, &plans, &np, &e), 0);
	assert_int_equal(np, 1);
	if (sync_follow_renames(&x, &o, plans, np, &e) < 0)
		fail_msg("sync_follow_renames: %s", e.msg);
	mg_fmap_free(plans, np);
	mg_dest_free(&d);
	server_finish(s, c);
}

static void test_renamed_by_mailboxid(void **st)
{
	(void)st;
	fixture fx;
	setup_state(&fx, "F0123-abc");
	/* another UIDVALIDITY: without MAILBOXID this would be another folder */
	run_renames(&fx, "F0123-abc", "999");
	assert_true(exists_in(fx.mdroot, ".New"));
	assert_false(exists_in(fx.mdroot, ".Old"));
	char *jo = sync_journal_path(&fx.job, "Old"), *jn = sync_journal_path(&fx.job, "New");
	assert_int_equal(access(jo, F_OK), -1);
	assert_int_equal(access(jn, F_OK), 0);
	char *idn = xasprintf("%s.mboxid", jn);
	assert_int_equal(access(idn, F_OK), 0);    /* the MAILBOXID moved with the journal */
	free(idn);
	free(jo);
	free(jn);
	teardown_state(&fx);
}

static void test_other_mailboxid_is_another_folder(void **st)
{
	(void)st;
	fixture fx;
	setup_state(&fx, "F0123-abc");
	/* the same UIDVALIDITY but another MAILBOXID: not the renamed folder */
	run_renames(&fx, "F9999-xyz", "5");
	assert_true(exists_in(fx.mdroot, ".Old"));
	assert_false(exists_in(fx.mdroot, ".New"));
	char *jo = sync_journal_path(&fx.job, "Old");
	assert_int_equal(access(jo, F_OK), 0);
	free(jo);
	teardown_state(&fx);
}

/* the end of a pass: STATUS of the folder whose MAILBOXID is not noted yet */
static void test_note_mailboxids(void **st)
{
	(void)st;
	fixture fx;
	setup_state(&fx, "F0123-abc");
	char *jo = sync_journal_path(&fx.job, "Old"), *ido = xasprintf("%s.mboxid", jo);
	assert_int_equal(unlink(ido), 0);
	const step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] scripted ready\r\n" },
		{ "AUTHENTICATE PLAIN", "$T OK [CAPABILITY IMAP4rev1 OBJECTID] Logged in\r\n" },
		{ "STATUS Old (MESSAGES UIDNEXT UIDVALIDITY UNSEEN MAILBOXID)",
		  "* STATUS Old (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 5 UNSEEN 0 MAILBOXID (Fabc_77))\r\n$T OK done\r\n" },
		{ NULL, NULL }
	};
	server *s;
	mg_imap *c = scripted_login(steps, &s);
	mg_err e = { 0 };
	sctx x;
	mg_source src;
	mg_dest d;
	sctx_init(&x, &fx, &src, &d, c);
	/* "Old" has a journal and no MAILBOXID yet; "Other" has no journal: not asked */
	mg_imap_mailbox mb[] = { { "Old", "Old", '/', 0 }, { "Other", "Other", '/', 0 } };
	mg_fmap_opts o;
	plain_fmap_opts(&o);
	mg_folder_plan *plans;
	size_t np;
	assert_int_equal(mg_fmap_build(mb, 2, &o, &plans, &np, &e), 0);
	if (sync_note_mailboxids(&x, plans, np, &e) < 0)
		fail_msg("sync_note_mailboxids: %s", e.msg);
	/* noted already: nothing is asked a second time (the script has no more steps) */
	if (sync_note_mailboxids(&x, plans, np, &e) < 0)
		fail_msg("sync_note_mailboxids (again): %s", e.msg);
	mg_fmap_free(plans, np);
	mg_dest_free(&d);
	server_finish(s, c);
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(mg_read_file(ido, 4096, &data, &len, &e), 0);
	assert_string_equal(data, "Fabc_77\n");
	free(data);
	free(ido);
	free(jo);
	teardown_state(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renamed_by_mailboxid),
		cmocka_unit_test(test_other_mailboxid_is_another_folder),
		cmocka_unit_test(test_note_mailboxids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
