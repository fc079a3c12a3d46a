/*
 * net_driver.c - command-line driver for the IMAP engine (net/), used by the
 * tests/integration/net_*.sh scripts before the shell exists, and for
 * measuring fetch throughput.
 *
 *   net_driver probe  --host H --port P --security None|Ssl|Tls [--accept-untrusted]
 *                     [--auth Basic|Ntlm|CramMd5|XOAuth2] [--user U --pass-env VAR]
 *                     [--timeout-ms N] [--trace FILE]
 *   net_driver fetch  (connection options) --user U --pass-env VAR [--authz Z]
 *                     [--mailbox NAME | --all] [--out DIR] [--trace FILE] [--compress]
 *   net_driver list   (connection options) --user U --pass-env VAR
 *   net_driver append (connection options) --user U --pass-env VAR --mailbox UTF8-NAME
 *                     --file F [--flags "\\Seen X"] [--date "02-Jan-2020 12:30:00 +0000"] [--count N]
 *   net_driver guard  (connection options) --user U --pass-env VAR
 *   net_driver meta   (connection options) --user U --pass-env VAR [--mailbox WIRE] [--changedsince N]
 *
 * Output is "Key=Value" lines.  Passwords come from the environment only.
 */
#include "config.h"
#include "net/probe.h"
#include "net/imap_client.h"
#include "common/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct opts {
	const char *cmd, *host, *user, *pass_env, *authz, *mailbox, *out, *trace, *file, *flags, *date;
	int port, timeout_ms, count;
	unsigned long long changedsince;
	bool all, accept_untrusted, compress;
	mg_security sec;
	mg_auth auth;
} opts;

static FILE *trace_fp;

static void trace_cb(void *arg, const char *line)
{
	(void)arg;
	if (trace_fp)
		fprintf(trace_fp, "%s\n", line);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: net_driver probe|fetch|list|append|guard --host H --port P --security None|Ssl|Tls ...\n");
	return 2;
}

static void params(const opts *o, mg_conn_params *p)
{
	memset(p, 0, sizeof *p);
	p->host = o->host;
	p->port = o->port;
	p->security = o->sec;
	p->auth = o->auth;
	p->accept_untrusted = o->accept_untrusted;
	p->connect_timeout_ms = o->timeout_ms;
	p->io_timeout_ms = o->timeout_ms;
	p->compress = o->compress;
	if (o->trace) {
		trace_fp = fopen(o->trace, "w");
		p->trace = trace_cb;
	}
}

static const char *password(const opts *o)
{
	const char *pw = o->pass_env ? getenv(o->pass_env) : NULL;
	return pw ? pw : "";
}

static int fail(const char *what, const mg_err *e)
{
	printf("Result=Failed\nStage=%s\nErrorId=%s\nCategory=%s\nMessage=%s\n", what, e->id, mg_err_category_name(e->category), e->msg);
	return 1;
}

static int cmd_probe(const opts *o)
{
	mg_conn_params p;
	params(o, &p);
	mg_probe_result r;
	mg_err e = { 0 };
	if (mg_probe_server(&p, o->user, password(o), &r, &e) < 0)
		return fail("arguments", &e);
	printf("Result=%s\nMessage=%s\nErrorDetail=%s\nErrorId=%s\nCategory=%s\nStage=%s\nAddress=%s\n"
	       "Greeting=%s\nServerId=%s\nCapabilities=%s\nTls=%s\nTlsVersion=%s\nTlsCipher=%s\n"
	       "CertSubject=%s\nCertIssuer=%s\nCertNotAfter=%s\nVerificationOff=%s\nLoginTested=%s\nLoginOk=%s\n"
	       "ConnectMs=%ld\nRoundTripMs=%ld\nTotalMs=%ld\n",
	       r.success ? "Success" : "Failed", r.message, r.error_detail, r.error_id, r.error_id[0] ? mg_err_category_name(r.error_category) : "", r.stage,
	       r.address, r.greeting, r.server_id, r.capabilities, r.tls ? "true" : "false", r.tls_version,
	       r.tls_cipher, r.cert_subject, r.cert_issuer, r.cert_not_after, r.verification_off ? "true" : "false",
	       r.login_tested ? "true" : "false", r.login_ok ? "true" : "false", r.connect_ms, r.round_trip_ms,
	       r.total_ms);
	return 0;
}

static mg_imap *open_login(const opts *o, mg_err *e)
{
	mg_conn_params p;
	params(o, &p);
	mg_imap *c = mg_imap_connect(&p, e);
	if (!c)
		return NULL;
	if (mg_imap_login(c, o->user ? o->user : "", password(o), o->authz, e) < 0) {
		mg_imap_close(c);
		return NULL;
	}
	return c;
}

/* ---- fetch ---- */
typedef struct fetch_ctx {
	uint32_t *uids; uint64_t *sizes; size_t n, cap;
	uint64_t bytes, msgs, size_mismatch, missing, chunks;
	uint64_t cur_size, cur_got;
	FILE *fp;
	const char *outdir;
	const char *folder_tag;
} fetch_ctx;

static int on_meta(void *arg, const mg_imap_msg_meta *m)
{
	fetch_ctx *f = arg;
	GROW(f->uids, f->cap, f->n + 1);
	f->sizes = xrealloc(f->sizes, f->cap * sizeof *f->sizes);
	f->uids[f->n] = m->uid;
	f->sizes[f->n] = m->size;
	f->n++;
	return 0;
}

static int on_begin(void *arg, uint32_t uid, uint64_t size)
{
	fetch_ctx *f = arg;
	f->cur_size = size;
	f->cur_got = 0;
	if (f->outdir) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s%u.eml", f->outdir, f->folder_tag, uid);
		f->fp = fopen(path, "wb");
	}
	return 0;
}

static int on_data(void *arg, uint32_t uid, const void *p, size_t n)
{
	fetch_ctx *f = arg;
	(void)uid;
	f->cur_got += n;
	f->bytes += n;
	f->chunks++;
	if (f->fp)
		fwrite(p, 1, n, f->fp);
	return 0;
}

static int on_end(void *arg, uint32_t uid)
{
	fetch_ctx *f = arg;
	(void)uid;
	f->msgs++;
	if (f->cur_got != f->cur_size)
		f->size_mismatch++;
	if (f->fp)
		fclose(f->fp);
	f->fp = NULL;
	return 0;
}

static void on_missing(void *arg, uint32_t uid, const char *reason)
{
	fetch_ctx *f = arg;
	f->missing++;
	fprintf(stderr, "missing uid %u: %s\n", uid, reason);
}

static int fetch_one(mg_imap *c, const char *wire, const char *tag, const opts *o, fetch_ctx *tot, mg_err *e)
{
	mg_imap_mbox_status st;
	if (mg_imap_examine(c, wire, &st, e) < 0)
		return -1;
	fetch_ctx f = { .outdir = o->out, .folder_tag = tag };
	if (st.exists && mg_imap_fetch_meta(c, "1:*", 0, on_meta, &f, e) < 0)
		return -1;
	uint64_t meta_bytes = 0;
	for (size_t i = 0; i < f.n; i++)
		meta_bytes += f.sizes[i];
	mg_imap_body_cb cb = { on_begin, on_data, on_end, on_missing, &f };
	if (f.n && mg_imap_fetch_bodies(c, f.uids, f.sizes, f.n, &cb, e) < 0)
		return -1;
	if (f.bytes != meta_bytes)
		f.size_mismatch++;
	printf("Folder=%s Exists=%u UidValidity=%u UidNext=%u HighestModSeq=%llu Fetched=%llu Bytes=%llu ReadOnly=%s\n",
	       wire, st.exists, st.uidvalidity, st.uidnext, (unsigned long long)st.highestmodseq,
	       (unsigned long long)f.msgs, (unsigned long long)f.bytes, st.readonly ? "true" : "false");
	tot->msgs += f.msgs;
	tot->bytes += f.bytes;
	tot->size_mismatch += f.size_mismatch;
	tot->missing += f.missing;
	tot->chunks += f.chunks;
	free(f.uids);
	free(f.sizes);
	return 0;
}

static int cmd_fetch(const opts *o)
{
	mg_err e = { 0 };
	double t0 = now_s();
	mg_imap *c = open_login(o, &e);
	if (!c)
		return fail("login", &e);
	mg_imap_set_readonly(c, true);
	if (o->out)
		mkdir(o->out, 0700);
	fetch_ctx tot = { 0 };
	int rc = 0;
	if (o->all) {
		mg_imap_mailbox *mb; size_t n;
		if (mg_imap_list(c, "", "*", &mb, &n, &e) < 0) {
			mg_imap_close(c);
			return fail("list", &e);
		}
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (mb[i].flags & MG_MBX_NOSELECT)
				continue;
			char tag[32];
			snprintf(tag, sizeof tag, "f%zu-", i);
			rc = fetch_one(c, mb[i].wire, tag, o, &tot, &e);
		}
		mg_imap_mailboxes_free(mb, n);
	} else {
		rc = fetch_one(c, o->mailbox ? o->mailbox : "INBOX", "", o, &tot, &e);
	}
	if (rc < 0) {
		mg_imap_close(c);
		return fail("fetch", &e);
	}
	double dt = now_s() - t0;
	const mg_tls_info *t = mg_imap_tls_info(c);
	printf("Result=Success\nMessages=%llu\nBytes=%llu\nChunks=%llu\nSizeMismatch=%llu\nMissing=%llu\nSeconds=%.3f\n"
	       "MBps=%.1f\nTls=%s\nCompressed=%s\n",
	       (unsigned long long)tot.msgs, (unsigned long long)tot.bytes, (unsigned long long)tot.chunks,
	       (unsigned long long)tot.size_mismatch, (unsigned long long)tot.missing, dt,
	       dt > 0 ? tot.bytes / dt / 1e6 : 0.0, t->active ? t->version : "none",
	       mg_imap_compressed(c) ? "true" : "false");
	mg_imap_logout(c, NULL);
	mg_imap_close(c);
	return 0;
}

static int cmd_list(const opts *o)
{
	mg_err e = { 0 };
	mg_imap *c = open_login(o, &e);
	if (!c)
		return fail("login", &e);
	char *prefix = NULL, sep = 0;
	if (mg_imap_namespace(c, &prefix, &sep, &e) < 0) {
		mg_imap_close(c);
		return fail("namespace", &e);
	}
	printf("NamespacePrefix=%s\nSeparator=%c\n", prefix, sep ? sep : '-');
	free(prefix);
	mg_imap_mailbox *mb; size_t n;
	if (mg_imap_list(c, "", "*", &mb, &n, &e) < 0) {
		mg_imap_close(c);
		return fail("list", &e);
	}
	for (size_t i = 0; i < n; i++)
		printf("Mailbox=%s|%s|%c|%s%s%s%s%s%s\n", mb[i].name ? mb[i].name : "(invalid)", mb[i].wire,
		       mb[i].sep ? mb[i].sep : '-', mb[i].flags & MG_MBX_NOSELECT ? "Noselect " : "",
		       mb[i].flags & MG_MBX_HASCHILDREN ? "HasChildren " : "", mb[i].flags & MG_MBX_SENT ? "Sent " : "",
		       mb[i].flags & MG_MBX_TRASH ? "Trash " : "", mb[i].flags & MG_MBX_JUNK ? "Junk " : "",
		       mb[i].flags & MG_MBX_DRAFTS ? "Drafts " : "");
	mg_imap_mailboxes_free(mb, n);
	char *sid = NULL;
	if (mg_imap_id(c, &sid, &e) == 0 && sid)
		printf("ServerId=%s\n", sid);
	free(sid);
	printf("Result=Success\n");
	mg_imap_logout(c, NULL);
	mg_imap_close(c);
	return 0;
}

static int cmd_append(const opts *o)
{
	mg_err e = { 0 };
	FILE *fp = fopen(o->file, "rb");
	if (!fp) {
		perror(o->file);
		return 2;
	}
	strbuf data = STRBUF_INIT;
	char buf[65536];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
		strbuf_add(&data, buf, k);
	fclose(fp);
	mg_imap *c = open_login(o, &e);
	if (!c)
		return fail("login", &e);
	bool existed;
	/* --mailbox is UTF-8 here: encode it for the wire */
	char *wire = mg_imap_mailbox_wire(c, o->mailbox, &e);
	if (!wire) {
		mg_imap_close(c);
		return fail("mailbox name", &e);
	}
	if (mg_imap_create(c, wire, &existed, &e) < 0) {
		mg_imap_close(c);
		return fail("create", &e);
	}
	int count = o->count > 0 ? o->count : 1;
	mg_imap_append_msg *msgs = xcalloc((size_t)count, sizeof *msgs);
	mg_imap_append_result *res = xcalloc((size_t)count, sizeof *res);
	for (int i = 0; i < count; i++) {
		msgs[i].flags = o->flags;
		msgs[i].internaldate = o->date;
		msgs[i].data = data.buf ? data.buf : "";
		msgs[i].size = data.len;
	}
	double t0 = now_s();
	int rc = count == 1 ? mg_imap_append(c, wire, &msgs[0], &res[0], &e)
	                    : mg_imap_append_many(c, wire, msgs, (size_t)count, res, &e);
	free(wire);
	double dt = now_s() - t0;
	if (rc < 0) {
		mg_imap_close(c);
		return fail("append", &e);
	}
	int ok = 0;
	for (int i = 0; i < count; i++)
		ok += res[i].ok;
	printf("Compressed=%s\n", mg_imap_compressed(c) ? "true" : "false");
	printf("Result=Success\nAppended=%d\nCreated=%s\nAppendUid=%u\nUidValidity=%u\nLastUid=%u\nSeconds=%.3f\n", ok,
	       existed ? "false" : "true", res[0].uid, res[0].uidvalidity, res[count - 1].uid, dt);
	free(msgs);
	free(res);
	strbuf_free(&data);
	mg_imap_logout(c, NULL);
	mg_imap_close(c);
	return 0;
}

/* ---- meta: EXAMINE, UID FETCH metadata (optionally CHANGEDSINCE), UID SEARCH, STATUS ---- */
static int print_meta(void *arg, const mg_imap_msg_meta *m)
{
	(void)arg;
	printf("Meta=uid:%u size:%llu modseq:%llu date:%lld tz:%d raw:%s flags:", m->uid, (unsigned long long)m->size,
	       (unsigned long long)m->modseq, (long long)m->internaldate, m->tz_minutes,
	       m->internaldate_raw ? m->internaldate_raw : "");
	for (size_t i = 0; i < m->n_flags; i++)
		printf("%s%s", i ? "," : "", m->flags[i]);
	printf("\n");
	return 0;
}

static int cmd_meta(const opts *o)
{
	mg_err e = { 0 };
	mg_imap *c = open_login(o, &e);
	if (!c)
		return fail("login", &e);
	mg_imap_set_readonly(c, true);
	const char *box = o->mailbox ? o->mailbox : "INBOX";
	mg_imap_mbox_status st;
	if (mg_imap_status(c, box, &st, &e) < 0)
		return fail("status", &e);
	printf("StatusMessages=%u\nStatusUidNext=%u\nStatusHighestModSeq=%llu\n", st.exists, st.uidnext,
	       (unsigned long long)st.highestmodseq);
	if (mg_imap_examine(c, box, &st, &e) < 0)
		return fail("examine", &e);
	printf("Exists=%u\nHighestModSeq=%llu\nKeywordsOk=%s\n", st.exists, (unsigned long long)st.highestmodseq,
	       st.keywords_ok ? "true" : "false");
	if (mg_imap_fetch_meta(c, "1:*", o->changedsince, print_meta, NULL, &e) < 0)
		return fail("fetch_meta", &e);
	uint32_t *uids; size_t n;
	if (mg_imap_uid_search(c, "ALL", &uids, &n, &e) < 0)
		return fail("search", &e);
	printf("SearchAll=%zu\nResult=Success\n", n);
	free(uids);
	mg_imap_logout(c, NULL);
	mg_imap_close(c);
	return 0;
}

/* The read-only guard refuses modifying commands on a source connection. */
static int cmd_guard(const opts *o)
{
	mg_err e = { 0 };
	mg_imap *c = open_login(o, &e);
	if (!c)
		return fail("login", &e);
	mg_imap_set_readonly(c, true);
	mg_imap_mbox_status st;
	int refused = 0;
	mg_err g = { 0 };
	if (mg_imap_select(c, "INBOX", &st, &g) < 0 && !strcmp(g.id, "SourceReadOnly")) refused++;
	if (mg_imap_examine(c, "INBOX", &st, &e) < 0)
		return fail("examine", &e);
	if (mg_imap_uid_store_flags(c, "1:*", '+', "\\Deleted", &g) < 0 && !strcmp(g.id, "SourceReadOnly")) refused++;
	bool ex;
	if (mg_imap_create(c, "NewFolder", &ex, &g) < 0 && !strcmp(g.id, "SourceReadOnly")) refused++;
	mg_imap_append_msg m = { .data = "x\r\n", .size = 3 };
	if (mg_imap_append(c, "INBOX", &m, NULL, &g) < 0 && !strcmp(g.id, "SourceReadOnly")) refused++;
	printf("Refused=%d\nLastMessage=%s\nResult=%s\n", refused, g.msg, refused == 4 ? "Success" : "Failed");
	/* the connection is still usable */
	if (mg_imap_noop(c, &e) < 0)
		return fail("noop", &e);
	mg_imap_logout(c, NULL);
	mg_imap_close(c);
	return refused == 4 ? 0 : 1;
}

int main(int argc, char **argv)
{
	opts o = { .timeout_ms = 0 };
	if (argc < 2)
		return usage();
	o.cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name, field) if (!strcmp(a, name) && v) { field = v; i++; continue; }
		ARG("--host", o.host)
		ARG("--user", o.user)
		ARG("--pass-env", o.pass_env)
		ARG("--authz", o.authz)
		ARG("--mailbox", o.mailbox)
		ARG("--out", o.out)
		ARG("--trace", o.trace)
		ARG("--file", o.file)
		ARG("--flags", o.flags)
		ARG("--date", o.date)
		if (!strcmp(a, "--port") && v) { o.port = atoi(v); i++; continue; }
		if (!strcmp(a, "--count") && v) { o.count = atoi(v); i++; continue; }
		if (!strcmp(a, "--changedsince") && v) { o.changedsince = strtoull(v, NULL, 10); i++; continue; }
		if (!strcmp(a, "--timeout-ms") && v) { o.timeout_ms = atoi(v); i++; continue; }
		if (!strcmp(a, "--security") && v) {
			if (mg_security_parse(v, &o.sec) < 0) return usage();
			i++; continue;
		}
		if (!strcmp(a, "--auth") && v) {
			if (mg_auth_parse(v, &o.auth) < 0) return usage();
			i++; continue;
		}
		if (!strcmp(a, "--all")) { o.all = true; continue; }
		if (!strcmp(a, "--accept-untrusted")) { o.accept_untrusted = true; continue; }
		if (!strcmp(a, "--compress")) { o.compress = true; continue; }
		fprintf(stderr, "net_driver: unknown option %s\n", a);
		return usage();
	}
	if (!o.host)
		return usage();
	int rc;
	if (!strcmp(o.cmd, "probe")) rc = cmd_probe(&o);
	else if (!strcmp(o.cmd, "fetch")) rc = cmd_fetch(&o);
	else if (!strcmp(o.cmd, "list")) rc = cmd_list(&o);
	else if (!strcmp(o.cmd, "append") && o.file && o.mailbox) rc = cmd_append(&o);
	else if (!strcmp(o.cmd, "guard")) rc = cmd_guard(&o);
	else if (!strcmp(o.cmd, "meta")) rc = cmd_meta(&o);
	else rc = usage();
	if (trace_fp)
		fclose(trace_fp);
	return rc;
}
