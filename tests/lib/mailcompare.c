/*
 * mailcompare.c - verifier for the sync tests: compares two IMAP accounts
 * (A = source, B = destination) folder by folder and message by message:
 * exact bytes (SHA-256 of BODY.PEEK[]), size, internal date (epoch seconds),
 * flags and keywords.  Messages are compared as multisets per folder (the
 * destination's UIDs differ).  Folders are matched by their names relative to
 * each side's personal namespace with '/' between levels ("INBOX.Sent" with
 * separator '.' is "Sent").  Read-only on both sides (EXAMINE).
 *
 *   mailcompare --a-port P --a-user U --a-pass-env VAR
 *               --b-port P --b-user U --b-pass-env VAR [--host H]
 *               [--map "A name=B name"]... [--skip "A name"]...
 *               [--max-size N] [--min-size N] [--ignore-flags] [--quiet]
 * Prints one line per folder and every difference; exit 0 when equal,
 * 1 on any difference, 2 on usage or connection errors.
 */
#include "config.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_client.h"
#include "engine/sync_journal.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct msg { uint32_t uid; uint64_t size; int64_t date; char *flags; char hash[72]; } msg;
typedef struct box { msg *v; size_t n, cap; EVP_MD_CTX *h; msg *cur; } box;

static int meta_cb(void *arg, const mg_imap_msg_meta *m)
{
	box *b = arg;
	GROW(b->v, b->cap, b->n + 1);
	msg *x = &b->v[b->n++];
	memset(x, 0, sizeof *x);
	x->uid = m->uid;
	x->size = m->size;
	x->date = m->internaldate;
	x->flags = mg_flags_normalize(m->flags, m->n_flags);
	return 0;
}

static int b_begin(void *arg, uint32_t uid, uint64_t size)
{
	box *b = arg;
	(void)size;
	b->cur = NULL;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].uid == uid)
			b->cur = &b->v[i];
	EVP_DigestInit_ex(b->h, EVP_sha256(), NULL);
	return 0;
}
static int b_data(void *arg, uint32_t uid, const void *c, size_t n)
{
	box *b = arg;
	(void)uid;
	EVP_DigestUpdate(b->h, c, n);
	return 0;
}
static int b_end(void *arg, uint32_t uid)
{
	box *b = arg;
	(void)uid;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(b->h, md, &len);
	if (b->cur)
		for (unsigned i = 0; i < len && i < 32; i++)
			snprintf(b->cur->hash + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static mg_imap *login(const char *host, int port, const char *user, const char *pass)
{
	static mg_conn_params p[2];
	static int k;
	mg_conn_params *cp = &p[k++ & 1];
	memset(cp, 0, sizeof *cp);
	cp->host = host;
	cp->port = port;
	cp->security = MG_SEC_NONE;
	mg_err e;
	mg_err_clear(&e);
	mg_imap *c = mg_imap_connect(cp, &e);
	if (!c || mg_imap_login(c, user, pass, NULL, &e) < 0) {
		fprintf(stderr, "mailcompare: %s:%d as %s: %s\n", host, port, user, e.msg);
		exit(2);
	}
	mg_imap_set_readonly(c, true);
	return c;
}

static int load(mg_imap *c, const char *wire, box *b, char *key_flags_ignore, mg_err *e)
{
	(void)key_flags_ignore;
	mg_imap_mbox_status st;
	if (mg_imap_examine(c, wire, &st, e) < 0)
		return -1;
	if (!st.exists)
		return 0;
	if (mg_imap_fetch_meta(c, "1:*", 0, meta_cb, b, e) < 0)
		return -1;
	uint32_t *u = xmalloc(b->n * sizeof *u);
	for (size_t i = 0; i < b->n; i++)
		u[i] = b->v[i].uid;
	mg_imap_body_cb cb = { b_begin, b_data, b_end, NULL, b };
	int rc = mg_imap_fetch_bodies(c, u, NULL, b->n, &cb, e);
	free(u);
	return rc;
}

static char *key(const msg *m, bool ignore_flags)
{
	return xasprintf("%s size=%" PRIu64 " date=%" PRId64 " flags=[%s]", m->hash, m->size, m->date,
	                 ignore_flags ? "" : m->flags);
}

static int cmp_s(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Folder name relative to the personal namespace, levels joined by '/'. */
static char *rel_name(const char *name, const char *prefix, char sep)
{
	if (str_ieq(name, "INBOX"))
		return xstrdup("INBOX");
	size_t pl = strlen(prefix);
	if (pl && str_iprefix(name, prefix) && name[pl])
		name += pl;
	char *r = xstrdup(name);
	if (sep && sep != '/')
		for (char *p = r; *p; p++)
			if (*p == sep)
				*p = '/';
	return r;
}

static const char *find_wire(mg_imap_mailbox *v, size_t n, const char *rel, const char *prefix, char sep)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].name)
			continue;
		char *r = rel_name(v[i].name, prefix, sep);
		bool eq = strcmp(r, rel) == 0;
		free(r);
		if (eq)
			return v[i].wire;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *au = NULL, *bu = NULL, *ap = NULL, *bp = NULL;
	int aport = 0, bport = 0;
	const char *maps[64], *skips[64];
	size_t nmaps = 0, nskips = 0;
	long long max_size = -1, min_size = 0;
	bool ignore_flags = false, quiet = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(n) (strcmp(a, n) == 0 && v && (i++, 1))
		if (ARG("--host")) host = v;
		else if (ARG("--a-port")) aport = atoi(v);
		else if (ARG("--b-port")) bport = atoi(v);
		else if (ARG("--a-user")) au = v;
		else if (ARG("--b-user")) bu = v;
		else if (ARG("--a-pass-env")) ap = getenv(v);
		else if (ARG("--b-pass-env")) bp = getenv(v);
		else if (ARG("--map")) { if (nmaps < 64) maps[nmaps++] = v; }
		else if (ARG("--skip")) { if (nskips < 64) skips[nskips++] = v; }
		else if (ARG("--max-size")) max_size = atoll(v);
		else if (ARG("--min-size")) min_size = atoll(v);
		else if (strcmp(a, "--ignore-flags") == 0) ignore_flags = true;
		else if (strcmp(a, "--quiet") == 0) quiet = true;
		else {
			fprintf(stderr, "mailcompare: unknown argument '%s' (see the top of mailcompare.c)\n", a);
			return 2;
		}
#undef ARG
	}
	if (!aport || !bport || !au || !bu || !ap || !bp) {
		fprintf(stderr, "mailcompare: need --a-port --a-user --a-pass-env --b-port --b-user --b-pass-env\n");
		return 2;
	}
	mg_imap *A = login(host, aport, au, ap), *B = login(host, bport, bu, bp);
	mg_err e;
	mg_err_clear(&e);
	mg_imap_mailbox *la, *lb;
	size_t na, nb;
	char *apfx = NULL, *bpfx = NULL, asep = 0, bsep = 0;
	if (mg_imap_namespace(A, &apfx, &asep, &e) < 0 || mg_imap_namespace(B, &bpfx, &bsep, &e) < 0) {
		fprintf(stderr, "mailcompare: NAMESPACE: %s\n", e.msg);
		return 2;
	}
	if (mg_imap_list(A, "", "*", &la, &na, &e) < 0 || mg_imap_list(B, "", "*", &lb, &nb, &e) < 0) {
		fprintf(stderr, "mailcompare: LIST: %s\n", e.msg);
		return 2;
	}
	int diffs = 0;
	long long total = 0;
	for (size_t i = 0; i < na; i++) {
		if (la[i].flags & (MG_MBX_NOSELECT | MG_MBX_NONEXISTENT) || !la[i].name)
			continue;
		char *arel = rel_name(la[i].name, apfx, la[i].sep ? la[i].sep : asep);
		const char *an = arel, *bn = an;
		bool skip = false;
		for (size_t k = 0; k < nskips; k++)
			skip |= strcmp(skips[k], an) == 0;
		if (skip) {
			free(arel);
			continue;
		}
		char *mapped = NULL;
		for (size_t k = 0; k < nmaps; k++) {
			const char *eq = strchr(maps[k], '=');
			if (eq && strlen(an) == (size_t)(eq - maps[k]) && strncmp(maps[k], an, (size_t)(eq - maps[k])) == 0)
				bn = mapped = xstrdup(eq + 1);
		}
		const char *bw = find_wire(lb, nb, bn, bpfx, bsep);
		if (!bw) {
			printf("DIFF folder '%s': missing at the destination (as '%s')\n", an, bn);
			diffs++;
			free(mapped);
			free(arel);
			continue;
		}
		box ba = { 0 }, bb = { 0 };
		ba.h = EVP_MD_CTX_new();
		bb.h = EVP_MD_CTX_new();
		if (load(A, la[i].wire, &ba, NULL, &e) < 0 || load(B, bw, &bb, NULL, &e) < 0) {
			fprintf(stderr, "mailcompare: folder '%s': %s\n", an, e.msg);
			return 2;
		}
		char **ka = xcalloc(ba.n + 1, sizeof *ka), **kb = xcalloc(bb.n + 1, sizeof *kb);
		size_t nka = 0;
		for (size_t k = 0; k < ba.n; k++)
			if ((max_size < 0 || (long long)ba.v[k].size <= max_size) && (long long)ba.v[k].size >= min_size)
				ka[nka++] = key(&ba.v[k], ignore_flags);
		for (size_t k = 0; k < bb.n; k++)
			kb[k] = key(&bb.v[k], ignore_flags);
		qsort(ka, nka, sizeof *ka, cmp_s);
		qsort(kb, bb.n, sizeof *kb, cmp_s);
		size_t x = 0, y = 0;
		int fd = 0;
		while (x < nka || y < bb.n) {
			int c = x == nka ? 1 : y == bb.n ? -1 : strcmp(ka[x], kb[y]);
			if (c == 0) { x++; y++; continue; }
			if (c < 0)
				printf("DIFF folder '%s': only at the source: %s\n", an, ka[x++]);
			else
				printf("DIFF folder '%s': only at the destination: %s\n", an, kb[y++]);
			fd++;
		}
		if (!quiet || fd)
			printf("%s folder '%s' -> '%s': %zu source, %zu destination\n", fd ? "BAD" : "ok", an, bn,
			       nka, bb.n);
		diffs += fd;
		total += (long long)nka;
		for (size_t k = 0; k < nka; k++) free(ka[k]);
		for (size_t k = 0; k < bb.n; k++) free(kb[k]);
		free(ka); free(kb);
		for (size_t k = 0; k < ba.n; k++) free(ba.v[k].flags);
		for (size_t k = 0; k < bb.n; k++) free(bb.v[k].flags);
		free(ba.v); free(bb.v);
		EVP_MD_CTX_free(ba.h);
		EVP_MD_CTX_free(bb.h);
		free(mapped);
		free(arel);
	}
	printf("%s: %lld messages compared, %d differences\n", diffs ? "DIFFERENT" : "EQUAL", total, diffs);
	free(apfx);
	free(bpfx);
	mg_imap_mailboxes_free(la, na);
	mg_imap_mailboxes_free(lb, nb);
	mg_imap_logout(A, NULL);
	mg_imap_logout(B, NULL);
	mg_imap_close(A);
	mg_imap_close(B);
	return diffs ? 1 : 0;
}
