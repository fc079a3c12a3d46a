/*
 * test_imap_client.c - the IMAP client against a scripted loopback peer, for
 * server behaviour a real Dovecot never shows: bodies whose UID comes after
 * the literal, duplicate and missing UIDs, NO on a FETCH range, a literal of
 * 999999999999 bytes, unknown tags, data injected after STARTTLS, STARTTLS
 * not offered, BYE then close, a server that stops answering, synchronizing
 * literals without LITERAL+, quoting of odd LOGIN arguments, metadata and
 * LIST parsing.  (Normal behaviour is tested against real Dovecot in
 * tests/integration/net_*.sh.)
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/imap_client.h"
#include "net/imap_internal.h"   /* imap_guard, for the read-only guard test */
#include "common/mem.h"

#include "tests/unit/scripted_peer.h"

static mg_conn_params params(server *s, mg_security sec)
{
	mg_conn_params p = { .host = "127.0.0.1", .port = s->port, .security = sec,
	                     .connect_timeout_ms = 2000, .io_timeout_ms = 2000 };
	return p;
}

#define GREETING(caps) { NULL, "* OK [CAPABILITY " caps "] scripted ready\r\n" }
#define LOGIN_OK { "AUTHENTICATE PLAIN", "$T OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] Logged in\r\n" }
#define EXAMINE_OK { "EXAMINE INBOX", "* 3 EXISTS\r\n* OK [UIDVALIDITY 5] v\r\n* OK [UIDNEXT 10] n\r\n$T OK [READ-ONLY] ok\r\n" }

static mg_imap *connect_login(server *s, mg_security sec)
{
	mg_conn_params p = params(s, sec);
	mg_err e = { 0 };
	mg_imap *c = mg_imap_connect(&p, &e);
	if (!c)
		fail_msg("connect: %s", e.msg);
	if (mg_imap_login(c, "user1", "pw", NULL, &e) < 0)
		fail_msg("login: %s", e.msg);
	return c;
}

/* ---------------- bodies ---------------- */
typedef struct got { strbuf log; } got;

static int g_begin(void *arg, uint32_t uid, uint64_t size)
{
	strbuf_addf(&((got *)arg)->log, "B%u/%llu:", uid, (unsigned long long)size);
	return 0;
}
static int g_data(void *arg, uint32_t uid, const void *p, size_t n)
{
	(void)uid;
	strbuf_add(&((got *)arg)->log, p, n);
	return 0;
}
static int g_end(void *arg, uint32_t uid)
{
	strbuf_addf(&((got *)arg)->log, ":E%u ", uid);
	return 0;
}
static void g_missing(void *arg, uint32_t uid, const char *why)
{
	strbuf_addf(&((got *)arg)->log, "M%u(%s) ", uid, strstr(why, "SERVERBUG") ? "SERVERBUG" : "gone");
}

static void test_bodies_odd_server(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		LOGIN_OK,
		EXAMINE_OK,
		{ "UID FETCH 1:4 (UID BODY.PEEK[])",
		  "* 1 FETCH (BODY[] {5}\r\nhello UID 1)\r\n"           /* UID after the body */
		  "* 2 FETCH (UID 2 BODY[] {5}\r\nworld)\r\n"
		  "* 2 FETCH (UID 2 BODY[] {3}\r\ndup)\r\n"             /* duplicate */
		  "* 3 FETCH (UID 3 BODY[] NIL)\r\n"                    /* no body */
		  "* 9 FETCH (FLAGS (\\Seen))\r\n"                       /* unsolicited */
		  "* 4 EXPUNGE\r\n"
		  "$T OK done\r\n" },
		{ "UID FETCH 7 (UID BODY.PEEK[])", "$T NO [SERVERBUG] cannot read\r\n" },
		{ "LOGOUT", "* BYE bye\r\n$T OK bye\r\n" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_imap_set_readonly(c, true);
	mg_imap_mbox_status ms;
	mg_err e = { 0 };
	assert_int_equal(mg_imap_examine(c, "INBOX", &ms, &e), 0);
	assert_int_equal(ms.exists, 3);
	assert_int_equal(ms.uidvalidity, 5);
	assert_int_equal(ms.uidnext, 10);
	assert_true(ms.readonly);
	got g = { STRBUF_INIT };
	strbuf_adds(&g.log, "");
	mg_imap_body_cb cb = { g_begin, g_data, g_end, g_missing, &g };
	uint32_t uids[] = { 4, 2, 1, 3 };
	assert_int_equal(mg_imap_fetch_bodies(c, uids, NULL, 4, &cb, &e), 0);
	assert_non_null(strstr(g.log.buf, "B1/5:hello:E1 "));
	assert_non_null(strstr(g.log.buf, "B2/5:world:E2 "));
	assert_null(strstr(g.log.buf, "dup"));
	assert_non_null(strstr(g.log.buf, "M3(gone)"));
	assert_non_null(strstr(g.log.buf, "M4(gone)"));
	strbuf_reset(&g.log);
	uint32_t seven = 7;
	assert_int_equal(mg_imap_fetch_bodies(c, &seven, NULL, 1, &cb, &e), 0);
	assert_string_equal(g.log.buf, "M7(SERVERBUG) ");
	assert_int_equal(mg_imap_logout(c, &e), 0);
	strbuf_free(&g.log);
	server_finish(s, c);
}

static void test_hostile_literal(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		LOGIN_OK,
		EXAMINE_OK,
		{ "UID FETCH", "* 1 FETCH (UID 1 RFC822.SIZE 5 BODY[] {999999999999}\r\nxxxx" },
		{ NULL, "SLEEP" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_err e = { 0 };
	assert_int_equal(mg_imap_examine(c, "INBOX", NULL, &e), 0);
	got g = { STRBUF_INIT };
	mg_imap_body_cb cb = { g_begin, g_data, g_end, g_missing, &g };
	uint32_t one = 1;
	assert_int_equal(mg_imap_fetch_bodies(c, &one, NULL, 1, &cb, &e), -1);
	assert_string_equal(mg_err_category_name(e.category), "LimitsExceeded");
	assert_null(g.log.buf);   /* nothing delivered */
	mg_err e2 = { 0 };
	assert_int_equal(mg_imap_noop(c, &e2), -1);
	assert_string_equal(e2.id, "ConnectionDead");
	server_finish(s, c);
}

static void test_unknown_tag_and_bye(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 AUTH=PLAIN SASL-IR"),
		LOGIN_OK,
		{ "NOOP", "X99 OK not yours\r\n" },
		{ NULL, "SLEEP" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_err e = { 0 };
	assert_int_equal(mg_imap_noop(c, &e), -1);
	assert_string_equal(e.id, "UnexpectedTag");
	server_finish(s, c);

	const step steps2[] = {
		GREETING("IMAP4rev1 AUTH=PLAIN SASL-IR"),
		LOGIN_OK,
		{ "NOOP", "* BYE server shutting down for maintenance\r\n" },
		{ NULL, "CLOSE" },
		{ NULL, NULL }
	};
	s = server_start(steps2);
	c = connect_login(s, MG_SEC_NONE);
	assert_int_equal(mg_imap_noop(c, &e), -1);
	assert_string_equal(e.id, "ConnectionClosed");
	assert_non_null(strstr(e.msg, "shutting down for maintenance"));
	server_finish(s, c);
}

static void test_starttls_rules(void **st)
{
	(void)st;
	/* not offered: refuse, and send no credentials */
	const step steps[] = { GREETING("IMAP4rev1 AUTH=PLAIN"), { NULL, "SLEEP" }, { NULL, NULL } };
	server *s = server_start(steps);
	mg_conn_params p = params(s, MG_SEC_TLS);
	mg_err e = { 0 };
	assert_null(mg_imap_connect(&p, &e));
	assert_string_equal(e.id, "StartTlsNotOffered");
	assert_string_equal(mg_err_category_name(e.category), "SecurityError");
	server_finish(s, NULL);

	/* response injection after STARTTLS OK */
	const step steps2[] = {
		GREETING("IMAP4rev1 STARTTLS"),
		{ "STARTTLS", "$T OK Begin TLS now\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n" },
		{ NULL, "SLEEP" },
		{ NULL, NULL }
	};
	s = server_start(steps2);
	p = params(s, MG_SEC_TLS);
	assert_null(mg_imap_connect(&p, &e));
	assert_string_equal(e.id, "StartTlsInjection");
	server_finish(s, NULL);

	/* greeting BYE */
	const step steps3[] = { { NULL, "* BYE Too many connections\r\n" }, { NULL, "CLOSE" }, { NULL, NULL } };
	s = server_start(steps3);
	p = params(s, MG_SEC_NONE);
	assert_null(mg_imap_connect(&p, &e));
	assert_string_equal(e.id, "ServerRejected");
	assert_non_null(strstr(e.msg, "Too many connections"));
	server_finish(s, NULL);

	/* not IMAP at all */
	const step steps4[] = { { NULL, "SSH-2.0-OpenSSH_9.2\r\n" }, { NULL, "SLEEP" }, { NULL, NULL } };
	s = server_start(steps4);
	p = params(s, MG_SEC_NONE);
	assert_null(mg_imap_connect(&p, &e));
	assert_string_equal(e.id, "NotImapServer");
	server_finish(s, NULL);
}

static void test_timeout(void **st)
{
	(void)st;
	const step steps[] = { GREETING("IMAP4rev1 AUTH=PLAIN SASL-IR"), LOGIN_OK, { "NOOP", "SLEEP" }, { NULL, NULL } };
	server *s = server_start(steps);
	mg_conn_params p = params(s, MG_SEC_NONE);
	p.io_timeout_ms = 300;
	mg_err e = { 0 };
	mg_imap *c = mg_imap_connect(&p, &e);
	assert_non_null(c);
	assert_int_equal(mg_imap_login(c, "user1", "pw", NULL, &e), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mg_imap_noop(c, &e), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_string_equal(mg_err_category_name(e.category), "OperationTimeout");
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250 && ms < 2000);
	server_finish(s, c);
}

/* No LITERAL+: LOGIN and APPEND wait for '+' before literal data; quoting of odd strings. */
static void test_sync_literals_and_quoting(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 UIDPLUS"),
		{ "LOGIN \"we ird\" {8}\r\np\"w\\\xc3\xa4\xc3\xb6", "$T OK logged in\r\n" },
		{ "CAPABILITY", "* CAPABILITY IMAP4rev1 UIDPLUS\r\n$T OK\r\n" },
		{ "APPEND \"a \\\"b\\\"\" (\\Seen $Work) \"02-Jan-2020 12:30:00 +0100\" {7}\r\nx\r\ny\r\n\r\r\n",
		  "$T OK [APPENDUID 9 42] done\r\n" },
		{ "APPEND \"a \\\"b\\\"\" () {1}", "$T NO [OVERQUOTA] full\r\n" },
		{ NULL, "SLEEP" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_conn_params p = params(s, MG_SEC_NONE);
	mg_err e = { 0 };
	mg_imap *c = mg_imap_connect(&p, &e);
	assert_non_null(c);
	if (mg_imap_login(c, "we ird", "p\"w\\\xc3\xa4\xc3\xb6", NULL, &e) < 0) fail_msg("login: %s", e.msg);
	mg_imap_append_msg m = { .flags = "\\Seen \\Recent $Work", .internaldate = "02-Jan-2020 12:30:00 +0100",
	                         .data = "x\r\ny\r\n\r", .size = 7 };
	mg_imap_append_result r;
	if (mg_imap_append(c, "a \"b\"", &m, &r, &e) < 0) fail_msg("append: %s", e.msg);
	assert_true(r.ok);
	assert_int_equal(r.uid, 42);
	assert_int_equal(r.uidvalidity, 9);
	mg_imap_append_msg m2 = { .data = "z", .size = 1 };
	assert_int_equal(mg_imap_append(c, "a \"b\"", &m2, &r, &e), -1);
	assert_string_equal(e.id, "AppendRefused");
	assert_false(r.ok);
	assert_non_null(strstr(r.text, "OVERQUOTA"));
	server_finish(s, c);
}

typedef struct rd_arg { const char *s; size_t off; } rd_arg;

static ssize_t rd_read(void *arg, void *buf, size_t cap)
{
	rd_arg *a = arg;
	size_t n = strlen(a->s) - a->off;
	if (n > cap)
		n = cap;
	memcpy(buf, a->s + a->off, n);
	a->off += n;
	return (ssize_t)n;
}

static int rd_rewind(void *arg)
{
	((rd_arg *)arg)->off = 0;
	return 0;
}

/* MULTIAPPEND batches; a refused batch is retried message by message */
static void test_multiappend(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		{ "AUTHENTICATE PLAIN", "$T OK [CAPABILITY IMAP4rev1 LITERAL+ MULTIAPPEND UIDPLUS] ok\r\n" },
		{ "APPEND Box (\\Seen) {1+}\r\na (\\Seen) {2+}\r\nbb (\\Seen) {3+}\r\nccc\r\n",
		  "$T OK [APPENDUID 9 5:7] done\r\n" },
		{ "APPEND Box () {1+}\r\nx () {1+}\r\ny\r\n", "$T NO [TOOBIG] one of them\r\n" },
		{ "APPEND Box () {1+}\r\nx\r\n", "$T OK [APPENDUID 9 8] ok\r\n" },
		{ "APPEND Box () {1+}\r\ny\r\n", "$T NO [TOOBIG] too big\r\n" },
		{ NULL, "SLEEP" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_err e = { 0 };
	mg_imap_append_msg m[3] = { { .flags = "\\Seen", .data = "a", .size = 1 },
	                            { .flags = "\\Seen", .data = "bb", .size = 2 },
	                            { .flags = "\\Seen", .data = "ccc", .size = 3 } };
	mg_imap_append_result r[3];
	assert_int_equal(mg_imap_append_many(c, "Box", m, 3, r, &e), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(r[i].ok);
		assert_int_equal(r[i].uid, 5 + i);
		assert_int_equal(r[i].uidvalidity, 9);
	}
	/* streamed messages with rewind() take part in MULTIAPPEND and are resent */
	rd_arg ra[2] = { { "x", 0 }, { "y", 0 } };
	mg_imap_append_msg m2[2] = { { .size = 1, .read = rd_read, .rewind = rd_rewind, .read_arg = &ra[0] },
	                             { .size = 1, .read = rd_read, .rewind = rd_rewind, .read_arg = &ra[1] } };
	assert_int_equal(mg_imap_append_many(c, "Box", m2, 2, r, &e), 0);
	assert_true(r[0].ok);
	assert_int_equal(r[0].uid, 8);
	assert_false(r[1].ok);
	assert_non_null(strstr(r[1].text, "TOOBIG"));
	server_finish(s, c);
}

/* metadata, LIST and NAMESPACE parsing */
typedef struct meta_seen { int n; mg_imap_msg_meta m; char flags[128]; char raw[64]; } meta_seen;

static int on_meta(void *arg, const mg_imap_msg_meta *m)
{
	meta_seen *ms = arg;
	ms->n++;
	ms->m = *m;
	ms->flags[0] = 0;
	for (size_t i = 0; i < m->n_flags; i++)
		snprintf(ms->flags + strlen(ms->flags), sizeof ms->flags - strlen(ms->flags), "%s;", m->flags[i]);
	snprintf(ms->raw, sizeof ms->raw, "%s", m->internaldate_raw ? m->internaldate_raw : "");
	return 0;
}

static void test_meta_list_namespace(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		{ "AUTHENTICATE PLAIN", "$T OK [CAPABILITY IMAP4rev1 LITERAL+ CONDSTORE NAMESPACE LIST-EXTENDED SPECIAL-USE] ok\r\n" },
		{ "NAMESPACE", "* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\"))\r\n$T OK\r\n" },
		{ "LIST \"\" \"*\" RETURN (CHILDREN SPECIAL-USE)",
		  "* LIST (\\HasChildren) \".\" INBOX\r\n"
		  "* LIST (\\HasNoChildren \\Sent) \".\" \"INBOX.Sent Items\"\r\n"
		  "* LIST (\\Noselect \\HasChildren) \".\" {15}\r\nINBOX.Entw&APw-\r\n"
		  "* LIST (\\HasNoChildren) \".\" INBOX.Entw&APw-.rfe\r\n"
		  "* LIST (\\HasNoChildren \\Junk) NIL Flat&AGE-\r\n"
		  "$T OK\r\n" },
		{ "EXAMINE INBOX (CONDSTORE)", "* 1 EXISTS\r\n* OK [HIGHESTMODSEQ 77] h\r\n* OK [PERMANENTFLAGS ()] none\r\n$T OK [READ-ONLY] ok\r\n" },
		{ "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ) (CHANGEDSINCE 70)",
		  "* 1 FETCH (UID 5 FLAGS (\\Seen $Forwarded) INTERNALDATE \"02-Jan-2020 12:30:00 +0100\" "
		  "RFC822.SIZE 123 MODSEQ (77))\r\n* 2 FETCH (FLAGS (\\Deleted))\r\n$T OK\r\n" },
		/* a mailbox without mod-sequences: MODSEQ is not asked for (Dovecot
		 * answers BAD "FETCH MODSEQ can't be used with non-permanent modseqs") */
		{ "EXAMINE Flat (CONDSTORE)", "* 1 EXISTS\r\n* OK [NOMODSEQ] none\r\n$T OK [READ-ONLY] ok\r\n" },
		{ "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)",
		  "* 1 FETCH (UID 9 FLAGS () INTERNALDATE \"02-Jan-2020 12:30:00 +0100\" RFC822.SIZE 5)\r\n$T OK\r\n" },
		{ NULL, "SLEEP" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_err e = { 0 };
	assert_true(mg_imap_has_cap(c, "condstore"));
	char *prefix; char sep;
	assert_int_equal(mg_imap_namespace(c, &prefix, &sep, &e), 0);
	assert_string_equal(prefix, "INBOX.");
	assert_int_equal(sep, '.');
	free(prefix);
	mg_imap_mailbox *mb; size_t n;
	if (mg_imap_list(c, "", "*", &mb, &n, &e) < 0) fail_msg("list: %s", e.msg);
	assert_int_equal(n, 5);
	assert_string_equal(mb[1].name, "INBOX.Sent Items");
	assert_true(mb[1].flags & MG_MBX_SENT);
	assert_string_equal(mb[2].name, "INBOX.Entwü");
	assert_string_equal(mb[2].wire, "INBOX.Entw&APw-");
	assert_true(mb[2].flags & MG_MBX_NOSELECT);
	assert_string_equal(mb[3].name, "INBOX.Entwü.rfe");
	assert_null(mb[4].name);                 /* invalid modified UTF-7: wire name only */
	assert_string_equal(mb[4].wire, "Flat&AGE-");
	assert_int_equal(mb[4].sep, 0);
	assert_true(mb[4].flags & MG_MBX_JUNK);
	mg_imap_mailboxes_free(mb, n);
	mg_imap_mbox_status ms;
	assert_int_equal(mg_imap_examine(c, "INBOX", &ms, &e), 0);
	assert_true(ms.highestmodseq == 77);
	assert_false(ms.keywords_ok);
	meta_seen seen = { 0 };
	assert_int_equal(mg_imap_fetch_meta(c, "1:*", 70, on_meta, &seen, &e), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.m.uid, 5);
	assert_string_equal(seen.flags, "\\Seen;$Forwarded;");
	assert_true(seen.m.internaldate == 1577964600);
	assert_int_equal(seen.m.tz_minutes, 60);
	assert_string_equal(seen.raw, "02-Jan-2020 12:30:00 +0100");
	assert_true(seen.m.size == 123);
	assert_true(seen.m.modseq == 77);
	assert_int_equal(mg_imap_examine(c, "Flat", &ms, &e), 0);
	assert_true(ms.nomodseq);
	meta_seen flat = { 0 };
	if (mg_imap_fetch_meta(c, "1:*", 0, on_meta, &flat, &e) < 0)
		fail_msg("fetch on a NOMODSEQ mailbox: %s", e.msg);
	assert_int_equal(flat.n, 1);
	assert_int_equal(flat.m.uid, 9);
	/* bad arguments never reach the wire */
	assert_int_equal(mg_imap_fetch_meta(c, "1:*\r\nA1 DELETE INBOX", 0, on_meta, &seen, &e), -1);
	assert_string_equal(e.id, "InvalidUidSet");
	mg_imap_set_readonly(c, true);
	assert_int_equal(mg_imap_uid_store_flags(c, "1", '+', "\\Deleted", &e), -1);
	assert_string_equal(e.id, "SourceReadOnly");
	assert_int_equal(mg_imap_select(c, "INBOX", NULL, &e), -1);
	assert_string_equal(e.id, "SourceReadOnly");
	server_finish(s, c);
}

/* The read-only guard looks at every command text a source connection would send. */
static void test_readonly_guard(void **st)
{
	(void)st;
	mg_imap fake;
	memset(&fake, 0, sizeof fake);
	fake.readonly = true;
	mg_err e = { 0 };
	assert_int_equal(imap_guard(&fake, "M1 UID FETCH 1:* (UID BODY[])", &e), -1);
	assert_string_equal(e.id, "SourceReadOnly");
	assert_int_equal(imap_guard(&fake, "M1 UID FETCH 1:* (UID BODY.PEEK[])", NULL), 0);
	assert_int_equal(imap_guard(&fake, "M1 UID FETCH 1 (BODY.PEEK[HEADER] UID)", NULL), 0);
	assert_int_equal(imap_guard(&fake, "M1 UID FETCH 1:3 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])", NULL), 0);
	assert_int_equal(imap_guard(&fake, "M1 FETCH 1 body[1.2]", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 FETCH 1 BINARY[1]", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 FETCH 1 BINARY.PEEK[1]", NULL), 0);
	assert_int_equal(imap_guard(&fake, "M1 UID FETCH 1 RFC822", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 UID FETCH 1 (RFC822.TEXT)", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 UID FETCH 1 (RFC822.SIZE RFC822.HEADER)", NULL), 0);
	assert_int_equal(imap_guard(&fake, "M1 uid store 1 +FLAGS (\\Seen)", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 UID EXPUNGE 1", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 EXPUNGE", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 MOVE 1 Trash", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 UID COPY 1 Trash", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 DELETE Trash", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 RENAME A B", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 SELECT INBOX", NULL), -1);
	assert_int_equal(imap_guard(&fake, "M1 EXAMINE INBOX (CONDSTORE)", NULL), 0);
	assert_int_equal(imap_guard(&fake, "M1 STATUS INBOX (MESSAGES)", NULL), 0);
	assert_int_equal(imap_guard(&fake, "M1 LIST \"\" \"*\"", NULL), 0);
	fake.readonly = false;
	assert_int_equal(imap_guard(&fake, "M1 SELECT INBOX", NULL), 0);
}

static void test_uid_set(void **st)
{
	(void)st;
	uint32_t u[] = { 1, 2, 3, 5, 7, 8, 8, 9, 20 };
	char *s = mg_imap_uid_set(u, 9);
	assert_string_equal(s, "1:3,5,7:9,20");
	free(s);
	s = mg_imap_uid_set(u, 0);
	assert_string_equal(s, "");
	free(s);
}

static void test_uid_set_parse(void **st)
{
	(void)st;
	uint32_t *v;
	size_t n;
	mg_err e = { 0 };
	assert_int_equal(mg_imap_uid_set_parse("41,43:45,50:48,7", 100, &v, &n, &e), 0);
	uint32_t want[] = { 41, 43, 44, 45, 48, 49, 50, 7 };
	assert_int_equal(n, 8);
	assert_memory_equal(v, want, sizeof want);
	free(v);
	assert_int_equal(mg_imap_uid_set_parse("", 100, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	free(v);
	const char *bad[] = { "0", "1,", ",1", "1::2", "a", "1:4294967296", "1 2", "5:1,1:100", NULL };
	for (int i = 0; bad[i]; i++) {
		mg_err_clear(&e);
		if (mg_imap_uid_set_parse(bad[i], 100, &v, &n, &e) == 0)
			fail_msg("uid set \"%s\" accepted", bad[i]);
		assert_string_equal(e.id, "BadUidSet");
		assert_null(v);
	}
}

/* QRESYNC: ENABLE, then EXAMINE (QRESYNC (v m)) and the uids of VANISHED (EARLIER) */
static void test_qresync_vanished(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		{ "AUTHENTICATE PLAIN", "$T OK [CAPABILITY IMAP4rev1 ENABLE QRESYNC CONDSTORE] Logged in\r\n" },
		{ "ENABLE QRESYNC", "* ENABLED QRESYNC\r\n$T OK enabled\r\n" },
		{ "EXAMINE A (QRESYNC (5 90))",
		  "* 7 EXISTS\r\n* OK [UIDVALIDITY 5] v\r\n* OK [UIDNEXT 30] n\r\n* OK [HIGHESTMODSEQ 99] m\r\n"
		  "* VANISHED (EARLIER) 3,10:12\r\n* 2 FETCH (UID 14 FLAGS (\\Seen) MODSEQ (95))\r\n"
		  "* VANISHED (EARLIER) 20\r\n$T OK [READ-ONLY] ok\r\n" },
		{ "EXAMINE B (QRESYNC (5 90 1:9))", "* OK [UIDVALIDITY 6] v\r\n$T OK [READ-ONLY] ok\r\n" },
		{ "EXAMINE C (QRESYNC", "* VANISHED (EARLIER) 3:x\r\n$T OK [READ-ONLY] ok\r\n" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_imap_set_readonly(c, true);
	mg_err e = { 0 };
	uint32_t *v;
	size_t n;
	mg_imap_mbox_status ms;
	assert_int_equal(mg_imap_examine_qresync(c, "A", 5, 90, NULL, &ms, &v, &n, &e), -1);
	assert_string_equal(e.id, "QresyncNotEnabled");
	bool on = false;
	assert_int_equal(mg_imap_enable_qresync(c, &on, &e), 0);
	assert_true(on);
	assert_true(mg_imap_qresync_enabled(c));
	assert_int_equal(mg_imap_examine_qresync(c, "A", 5, 90, NULL, &ms, &v, &n, &e), 0);
	uint32_t want[] = { 3, 10, 11, 12, 20 };
	assert_int_equal(n, 5);
	assert_memory_equal(v, want, sizeof want);
	assert_int_equal(ms.exists, 7);
	assert_int_equal(ms.highestmodseq, 99);
	free(v);
	assert_int_equal(mg_imap_examine_qresync(c, "B", 5, 90, "1:9", &ms, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ms.uidvalidity, 6);
	free(v);
	mg_err_clear(&e);
	assert_int_equal(mg_imap_examine_qresync(c, "C", 5, 90, NULL, &ms, &v, &n, &e), -1);
	assert_null(v);
	server_finish(s, c);
}

/* UID MOVE with COPYUID (untagged), and the COPY + STORE + UID EXPUNGE fallback */
static void test_uid_move(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		{ "AUTHENTICATE PLAIN", "$T OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS MOVE] Logged in\r\n" },
		{ "UID MOVE 4:5,9 \"Dst Folder\"",
		  "* OK [COPYUID 77 4:5,9 100:102] Moved UIDs.\r\n* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n* 5 EXPUNGE\r\n$T OK Move completed\r\n" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_err e = { 0 };
	mg_imap_copyuid m;
	assert_int_equal(mg_imap_uid_move(c, "4:5,9", "Dst Folder", &m, &e), 0);
	assert_int_equal(m.uidvalidity, 77);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.src[2], 9);
	assert_int_equal(m.dst[2], 102);
	mg_imap_copyuid_free(&m);
	server_finish(s, c);

	const step steps2[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		LOGIN_OK,     /* its CAPABILITY has UIDPLUS, no MOVE */
		{ "UID COPY 7 B", "$T OK [COPYUID 8 7 31] Copied\r\n" },
		{ "UID STORE 7 +FLAGS.SILENT (\\Deleted)", "$T OK stored\r\n" },
		{ "UID EXPUNGE 7", "* 1 EXPUNGE\r\n$T OK expunged\r\n" },
		{ NULL, NULL }
	};
	s = server_start(steps2);
	c = connect_login(s, MG_SEC_NONE);
	assert_int_equal(mg_imap_uid_move(c, "7", "B", &m, &e), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.dst[0], 31);
	mg_imap_copyuid_free(&m);
	mg_imap_set_readonly(c, true);
	mg_err_clear(&e);
	assert_int_equal(mg_imap_uid_move(c, "7", "B", &m, &e), -1);   /* never on a source */
	assert_string_equal(e.id, "SourceReadOnly");
	server_finish(s, c);
}

/* ---------------- subjects ---------------- */
static void s_cb(void *arg, uint32_t uid, const char *field, size_t len)
{
	char *d = mg_mime_decode_subject(field, len, 256);
	strbuf_addf(arg, "%u=[%s] ", uid, d ? d : "(none)");
	free(d);
}

static void test_fetch_subjects(void **st)
{
	(void)st;
	const step steps[] = {
		GREETING("IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR"),
		LOGIN_OK,
		EXAMINE_OK,
		{ "UID FETCH 2:3,5 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
		  "* 1 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {43}\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n big\r\n\r\n)\r\n"
		  "* 2 FETCH (BODY[HEADER.FIELDS (\"SUBJECT\")] {2}\r\n\r\n UID 3)\r\n"
		  "* 9 FETCH (FLAGS (\\Seen))\r\n"
		  "$T OK done\r\n" },
		{ "LOGOUT", "* BYE bye\r\n$T OK bye\r\n" },
		{ NULL, NULL }
	};
	server *s = server_start(steps);
	mg_imap *c = connect_login(s, MG_SEC_NONE);
	mg_imap_set_readonly(c, true);
	mg_imap_mbox_status ms;
	mg_err e = { 0 };
	assert_int_equal(mg_imap_examine(c, "INBOX", &ms, &e), 0);
	strbuf log = STRBUF_INIT;
	strbuf_adds(&log, "");
	uint32_t uids[] = { 5, 3, 2 };
	assert_int_equal(mg_imap_fetch_subjects(c, uids, 3, s_cb, &log, &e), 0);
	assert_string_equal(log.buf, "2=[Grüße big] 3=[(none)] ");
	assert_int_equal(mg_imap_logout(c, &e), 0);
	strbuf_free(&log);
	server_finish(s, c);
}

static void check_subj(const char *in, size_t max, const char *want)
{
	char *d = mg_mime_decode_subject(in, strlen(in), max);
	if (!want)
		assert_null(d);
	else
		assert_string_equal(d, want);
	free(d);
}

static void test_rfc2047(void **st)
{
	(void)st;
	check_subj("Subject: plain text\r\n\r\n", 256, "plain text");
	check_subj("subject:   folded\r\n\tover\r\n  lines  \r\n\r\n", 256, "folded over lines");
	check_subj("Subject: =?UTF-8?B?SGVsbG8gV8O2cmxk?=\r\n\r\n", 256, "Hello Wörld");
	check_subj("Subject: =?utf-8?q?caf=C3=A9_au_lait?=\r\n\r\n", 256, "café au lait");
	check_subj("Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus Bern\r\n\r\n", 256, "Grüße aus Bern");
	check_subj("Subject: =?iso-8859-1?B?5Q==?=\r\n\r\n", 256, "å");
	/* white space between adjacent encoded-words disappears, also across folds */
	check_subj("Subject: =?UTF-8?Q?a?= =?UTF-8?Q?b?=\r\n =?UTF-8?B?Yw==?= d\r\n\r\n", 256, "abc d");
	check_subj("Subject: x =?UTF-8?Q?y?= z\r\n\r\n", 256, "x y z");
	/* unknown charset, bad base64, malformed words: kept raw */
	check_subj("Subject: =?KOI8-R?B?8NLJ18XU?=\r\n\r\n", 256, "=?KOI8-R?B?8NLJ18XU?=");
	check_subj("Subject: =?UTF-8?B?***?=\r\n\r\n", 256, "=?UTF-8?B?***?=");
	check_subj("Subject: =?UTF-8?X?abc?= =?broken\r\n\r\n", 256, "=?UTF-8?X?abc?= =?broken");
	check_subj("Subject: 100% =?UTF-8?Q?=3D_=ZZ?=\r\n\r\n", 256, "100% = =ZZ");
	/* language suffix (RFC 2231) */
	check_subj("Subject: =?UTF-8*en?Q?hi?=\r\n\r\n", 256, "hi");
	/* only the Subject field of the block */
	check_subj("Subject: one\r\nX-Other: two\r\n\r\n", 256, "one");
	/* no subject */
	check_subj("\r\n", 256, NULL);
	check_subj("", 256, NULL);
	check_subj("Subject:   \r\n\r\n", 256, NULL);
	assert_null(mg_mime_decode_subject(NULL, 0, 256));
	/* bare value */
	check_subj("=?UTF-8?Q?bare?=", 256, "bare");
	/* truncation on a character boundary */
	check_subj("Subject: abcdef\r\n", 4, "abcd");
	check_subj("Subject: =?UTF-8?Q?ab=C3=A9?=\r\n", 3, "ab");
	check_subj("Subject: =?UTF-8?Q?ab=C3=A9?=\r\n", 4, "abé");
	/* encoded CR/LF/NUL do not survive */
	check_subj("Subject: =?UTF-8?Q?a=0D=0Ab=00c?=\r\n", 256, "a  b c");
	/* long input stays bounded */
	strbuf big = STRBUF_INIT;
	strbuf_adds(&big, "Subject: ");
	for (int i = 0; i < 20000; i++)
		strbuf_adds(&big, "=?UTF-8?B?w6k=?= ");
	char *d = mg_mime_decode_subject(big.buf, big.len, 256);
	assert_true(strlen(d) <= 256);
	assert_int_equal(strlen(d) % 2, 0);   /* whole "é"s only */
	free(d);
	strbuf_free(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bodies_odd_server),
		cmocka_unit_test(test_hostile_literal),
		cmocka_unit_test(test_unknown_tag_and_bye),
		cmocka_unit_test(test_starttls_rules),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_sync_literals_and_quoting),
		cmocka_unit_test(test_multiappend),
		cmocka_unit_test(test_meta_list_namespace),
		cmocka_unit_test(test_readonly_guard),
		cmocka_unit_test(test_uid_set),
		cmocka_unit_test(test_uid_set_parse),
		cmocka_unit_test(test_qresync_vanished),
		cmocka_unit_test(test_uid_move),
		cmocka_unit_test(test_fetch_subjects),
		cmocka_unit_test(test_rfc2047),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
