/* imap_mailbox.c - mailbox-level IMAP commands: ID, NAMESPACE, LIST, EXAMINE/SELECT, CREATE, STATUS. */
#include "config.h"
#include "net/imap_internal.h"
#include "net/mutf7.h"
#include "common/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- ID ---------------- */

static int id_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	char **out = arg;
	if (!r->name || strcmp(r->name, "ID") || r->args.n < 1)
		return 0;
	const mg_imap_val *l = &r->args.items[0];
	if (l->type != MG_IMAP_LIST)
		return 0;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i + 1 < l->n; i += 2) {
		const char *k = mg_imap_val_str(&l->items[i]), *v = mg_imap_val_str(&l->items[i + 1]);
		if (!k || !v)
			continue;
		strbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "", k, v);
	}
	free(*out);
	*out = strbuf_detach(&sb, NULL);
	if (!*out)
		*out = xstrdup("");
	return 0;
}

int mg_imap_id(mg_imap *c, char **server_id, mg_err *err)
{
	*server_id = NULL;
	if (!mg_imap_has_cap(c, "ID"))
		return 0;
	imap_cmd k;
	imap_cmd_start(c, &k, "ID (\"name\" \"migsh\" \"version\" \"%s\")", PACKAGE_VERSION);
	int rc = imap_run(c, &k, id_untagged, server_id, NULL, err);
	imap_cmd_free(&k);
	if (rc == IMAP_OK)
		return 0;
	free(*server_id);
	*server_id = NULL;
	return rc < 0 ? -1 : 0;   /* a refused ID is not fatal */
}

/* ---------------- NAMESPACE ---------------- */

typedef struct ns_arg { char *prefix; char sep; bool found; } ns_arg;

static int ns_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	ns_arg *a = arg;
	if (!r->name || strcmp(r->name, "NAMESPACE") || r->args.n < 1)
		return 0;
	const mg_imap_val *pers = &r->args.items[0];
	if (pers->type != MG_IMAP_LIST || pers->n < 1 || pers->items[0].type != MG_IMAP_LIST)
		return 0;
	const mg_imap_val *first = &pers->items[0];
	const char *pre = mg_imap_val_str(mg_imap_val_at(first, 0));
	const char *sep = mg_imap_val_str(mg_imap_val_at(first, 1));
	free(a->prefix);
	a->prefix = xstrdup(pre ? pre : "");
	a->sep = sep && *sep ? sep[0] : '\0';
	a->found = true;
	return 0;
}

static int sep_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	ns_arg *a = arg;
	if (r->name && !strcmp(r->name, "LIST") && r->args.n >= 2) {
		const char *sep = mg_imap_val_str(&r->args.items[1]);
		a->sep = sep && *sep ? sep[0] : '\0';
		a->found = true;
	}
	return 0;
}

int mg_imap_namespace(mg_imap *c, char **prefix, char *sep, mg_err *err)
{
	ns_arg a = { 0 };
	imap_cmd k;
	int rc;
	if (mg_imap_has_cap(c, "NAMESPACE")) {
		imap_cmd_start(c, &k, "NAMESPACE");
		rc = imap_run(c, &k, ns_untagged, &a, NULL, err);
		imap_cmd_free(&k);
		if (rc < 0) {
			free(a.prefix);
			return -1;
		}
	}
	if (!a.found) {
		imap_cmd_start(c, &k, "LIST \"\" \"\"");
		rc = imap_run(c, &k, sep_untagged, &a, NULL, err);
		imap_cmd_free(&k);
		if (rc != IMAP_OK) {
			free(a.prefix);
			return imap_fail(c, rc, "LIST \"\" \"\" (hierarchy separator)", err);
		}
	}
	*prefix = a.prefix ? a.prefix : xstrdup("");
	*sep = a.sep;
	return 0;
}

/* ---------------- LIST ---------------- */

typedef struct list_arg { mg_imap_mailbox *v; size_t n, cap; } list_arg;

static const struct { const char *name; unsigned bit; } mbx_flags[] = {
	{ "\\Noselect", MG_MBX_NOSELECT }, { "\\NonExistent", MG_MBX_NONEXISTENT | MG_MBX_NOSELECT },
	{ "\\Noinferiors", MG_MBX_NOINFERIORS }, { "\\HasChildren", MG_MBX_HASCHILDREN },
	{ "\\HasNoChildren", MG_MBX_HASNOCHILDREN }, { "\\Marked", MG_MBX_MARKED },
	{ "\\Unmarked", MG_MBX_UNMARKED }, { "\\Subscribed", MG_MBX_SUBSCRIBED },
	{ "\\Remote", MG_MBX_REMOTE }, { "\\All", MG_MBX_ALL }, { "\\Archive", MG_MBX_ARCHIVE },
	{ "\\Drafts", MG_MBX_DRAFTS }, { "\\Flagged", MG_MBX_FLAGGED }, { "\\Junk", MG_MBX_JUNK },
	{ "\\Sent", MG_MBX_SENT }, { "\\Trash", MG_MBX_TRASH }, { "\\Important", MG_MBX_IMPORTANT },
	{ NULL, 0 }
};

static int list_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	list_arg *a = arg;
	if (!r->name || strcmp(r->name, "LIST") || r->args.n < 3)
		return 0;
	const mg_imap_val *fl = &r->args.items[0];
	const char *sep = mg_imap_val_str(&r->args.items[1]);
	const char *wire = mg_imap_val_str(&r->args.items[2]);
	if (fl->type != MG_IMAP_LIST || !wire)
		return 0;
	GROW(a->v, a->cap, a->n + 1);
	mg_imap_mailbox *m = &a->v[a->n++];
	memset(m, 0, sizeof *m);
	/* a NUL inside a literal name: keep every byte (marked), never a name cut
	 * at the NUL, which would be another folder */
	size_t wl = r->args.items[2].len;
	m->wire = xmalloc(wl + 1);
	memcpy(m->wire, wire, wl);
	m->wire[wl] = '\0';
	for (size_t i = 0; i < wl; i++)
		if (!m->wire[i])
			m->wire[i] = MG_IMAP_NUL_MARK;
	wire = m->wire;
	m->sep = sep && *sep ? sep[0] : '\0';
	for (size_t i = 0; i < fl->n; i++) {
		const char *f = mg_imap_val_str(&fl->items[i]);
		for (int j = 0; f && mbx_flags[j].name; j++)
			if (str_ieq(f, mbx_flags[j].name))
				m->flags |= mbx_flags[j].bit;
	}
	if (c->utf8)
		m->name = mg_utf8_valid(wire) ? xstrdup(wire) : NULL;
	else if (mg_mutf7_decode(wire, &m->name, NULL) < 0)
		m->name = NULL;
	return 0;
}

int mg_imap_list(mg_imap *c, const char *ref, const char *pattern,
                 mg_imap_mailbox **out, size_t *n, mg_err *err)
{
	list_arg a = { 0 };
	imap_cmd k;
	imap_cmd_start(c, &k, "LIST");
	imap_cmd_astring(c, &k, ref ? ref : "");   /* "" is sent quoted */
	imap_cmd_astring(c, &k, pattern ? pattern : "*");
	if (mg_imap_has_cap(c, "LIST-EXTENDED")) {
		bool su = mg_imap_has_cap(c, "SPECIAL-USE");
		imap_cmd_raw(&k, " RETURN (CHILDREN%s)", su ? " SPECIAL-USE" : "");
	}
	int rc = imap_run(c, &k, list_untagged, &a, NULL, err);
	imap_cmd_free(&k);
	if (rc != IMAP_OK) {
		mg_imap_mailboxes_free(a.v, a.n);
		return imap_fail(c, rc, "LIST", err);
	}
	*out = a.v;
	*n = a.n;
	return 0;
}

void mg_imap_mailboxes_free(mg_imap_mailbox *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].wire);
	}
	free(v);
}

char *mg_imap_mailbox_wire(const mg_imap *c, const char *utf8, mg_err *err)
{
	if (c->utf8) {
		if (!mg_utf8_valid(utf8)) {
			mg_err_set(err, MGC_INVALIDDATA, "InvalidMailboxName", "mailbox name \"%s\" is not valid UTF-8", utf8);
			return NULL;
		}
		return xstrdup(utf8);
	}
	char *out;
	if (mg_mutf7_encode(utf8, &out, err) < 0)
		return NULL;
	return out;
}

/* ---------------- EXAMINE / SELECT / STATUS ---------------- */

static void list_text(const mg_imap_val *l, char *out, size_t outsz)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; l && l->type == MG_IMAP_LIST && i < l->n; i++) {
		const char *s = mg_imap_val_str(&l->items[i]);
		if (s)
			strbuf_addf(&sb, "%s%s", sb.len ? " " : "", s);
	}
	snprintf(out, outsz, "%s", sb.buf ? sb.buf : "");
	strbuf_free(&sb);
}

static uint32_t u32_of(const mg_imap_val *v)
{
	uint64_t x = 0;
	if (mg_imap_val_u64(v, &x) < 0 || x > 0xFFFFFFFFu)
		return 0;
	return (uint32_t)x;
}

/* An objectid (RFC 8474 4: 1 to 255 of ALPHA / DIGIT / "_" / "-"), given
 * as "(id)" or a bare atom; anything else leaves out empty. */
static void objectid_of(const mg_imap_val *v, char *out, size_t outsz)
{
	if (v && v->type == MG_IMAP_LIST)
		v = v->n == 1 ? &v->items[0] : NULL;
	const char *s = mg_imap_val_str(v);
	out[0] = '\0';
	if (!s || v->type != MG_IMAP_ATOM || !*s || strlen(s) >= outsz)
		return;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return;
	snprintf(out, outsz, "%s", s);
}

static void status_code(const mg_imap_resp *r, mg_imap_mbox_status *st)
{
	if (!r->code)
		return;
	const mg_imap_val *a0 = mg_imap_val_at(&r->code_args, 0);
	if (!strcmp(r->code, "UIDVALIDITY")) st->uidvalidity = u32_of(a0);
	else if (!strcmp(r->code, "UIDNEXT")) st->uidnext = u32_of(a0);
	else if (!strcmp(r->code, "HIGHESTMODSEQ")) { uint64_t x; if (!mg_imap_val_u64(a0, &x)) st->highestmodseq = x; }
	else if (!strcmp(r->code, "NOMODSEQ")) st->nomodseq = true;
	else if (!strcmp(r->code, "READ-ONLY")) st->readonly = true;
	else if (!strcmp(r->code, "MAILBOXID")) objectid_of(a0, st->mailboxid, sizeof st->mailboxid);
	else if (!strcmp(r->code, "PERMANENTFLAGS")) {
		list_text(a0, st->permanentflags, sizeof st->permanentflags);
		st->keywords_ok = false;
		for (size_t i = 0; a0 && a0->type == MG_IMAP_LIST && i < a0->n; i++)
			if (mg_imap_val_str(&a0->items[i]) && !strcmp(mg_imap_val_str(&a0->items[i]), "\\*"))
				st->keywords_ok = true;
	}
}

/* what an EXAMINE with QRESYNC reports besides the status */
typedef struct select_arg {
	mg_imap_mbox_status *st;
	uint32_t *vanished; size_t n_vanished;
	mg_err *err;
	bool bad;
} select_arg;

/* "* VANISHED (EARLIER) 41,43:116" (RFC 7162 3.2.10): the uids are collected;
 * a VANISHED without EARLIER is an expunge while the folder is open. */
static int vanished_untagged(select_arg *a, const mg_imap_resp *r)
{
	const mg_imap_val *first = mg_imap_val_at(&r->args, 0);
	size_t i = 0;
	if (first && first->type == MG_IMAP_LIST)
		i = 1;
	const char *set = mg_imap_val_str(mg_imap_val_at(&r->args, i));
	if (!set || r->args.n != i + 1) {
		a->bad = true;
		mg_err_set(a->err, MGC_PROTOCOL, "BadVanished", "malformed VANISHED response");
		return -1;
	}
	uint32_t *v;
	size_t n;
	if (mg_imap_uid_set_parse(set, 50000000u - a->n_vanished, &v, &n, a->err) < 0) {
		a->bad = true;
		return -1;
	}
	a->vanished = xrealloc(a->vanished, (a->n_vanished + n + 1) * sizeof *a->vanished);
	if (n)
		memcpy(a->vanished + a->n_vanished, v, n * sizeof *v);
	a->n_vanished += n;
	free(v);
	return 0;
}

static int select_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	select_arg *a = arg;
	mg_imap_mbox_status *st = a->st;
	(void)c;
	if (r->status == MG_IMAP_ST_OK) {
		status_code(r, st);
		return 0;
	}
	if (!r->name)
		return 0;
	if (r->has_num && !strcmp(r->name, "EXISTS"))
		st->exists = (uint32_t)r->num;
	else if (r->has_num && !strcmp(r->name, "RECENT"))
		st->recent = (uint32_t)r->num;
	else if (!strcmp(r->name, "FLAGS"))
		list_text(mg_imap_val_at(&r->args, 0), st->flags, sizeof st->flags);
	else if (!strcmp(r->name, "VANISHED") && !a->bad)
		return vanished_untagged(a, r);
	return 0;
}

/* qresync: " (QRESYNC (...))" to add, or NULL */
static int do_select_ex(mg_imap *c, const char *verb, const char *name, const char *qresync,
                        mg_imap_mbox_status *st, select_arg *a, mg_err *err)
{
	mg_imap_mbox_status tmp;
	if (!st)
		st = &tmp;
	memset(st, 0, sizeof *st);
	a->st = st;
	a->err = err;
	imap_cmd k;
	imap_cmd_start(c, &k, "%s", verb);
	imap_cmd_astring(c, &k, name);
	if (qresync)
		imap_cmd_raw(&k, "%s", qresync);
	else if (mg_imap_has_cap(c, "CONDSTORE"))
		imap_cmd_raw(&k, " (CONDSTORE)");
	const mg_imap_resp *t = NULL;
	int rc = imap_run(c, &k, select_untagged, a, &t, err);
	imap_cmd_free(&k);
	c->sel_nomodseq = rc == IMAP_OK && st->nomodseq;
	if (rc == IMAP_OK && t && t->code && !strcmp(t->code, "READ-ONLY"))
		st->readonly = true;
	if (rc == IMAP_OK && a->bad)
		return -1;       /* a malformed VANISHED: err is set */
	if (rc != IMAP_OK) {
		if (rc < 0)
			return -1;
		return mg_err_set(err, rc == IMAP_NO ? MGC_NOTFOUND : MGC_INVALIDOP, "MailboxNotOpened",
		                  "%s of mailbox \"%s\" failed: %s answered %s: %s", verb, name, c->host,
		                  rc == IMAP_NO ? "NO" : "BAD", c->last_text);
	}
	return 0;
}

static int do_select(mg_imap *c, const char *verb, const char *name, mg_imap_mbox_status *st, mg_err *err)
{
	select_arg a = { 0 };
	int rc = do_select_ex(c, verb, name, NULL, st, &a, err);
	free(a.vanished);
	return rc;
}

int mg_imap_examine(mg_imap *c, const char *name, mg_imap_mbox_status *st, mg_err *err)
{
	return do_select(c, "EXAMINE", name, st, err);
}

int mg_imap_select(mg_imap *c, const char *name, mg_imap_mbox_status *st, mg_err *err)
{
	return do_select(c, "SELECT", name, st, err);
}

int mg_imap_examine_qresync(mg_imap *c, const char *name, uint32_t uidvalidity, uint64_t modseq,
                            const char *known_uids, mg_imap_mbox_status *st, uint32_t **vanished,
                            size_t *n_vanished, mg_err *err)
{
	*vanished = NULL;
	*n_vanished = 0;
	if (!c->qresync)
		return mg_err_set(err, MGC_INVALIDOP, "QresyncNotEnabled",
		                  "QRESYNC is not enabled on the connection to %s", c->host);
	if (!uidvalidity || !modseq)
		return mg_err_set(err, MGC_INVALIDARG, "QresyncNoState",
		                  "EXAMINE (QRESYNC) needs a known UIDVALIDITY and mod-sequence");
	if (known_uids && *known_uids && strspn(known_uids, "0123456789:,") != strlen(known_uids))
		return mg_err_set(err, MGC_INVALIDARG, "InvalidUidSet", "invalid uid set \"%.64s\"", known_uids);
	char *q = xasprintf(" (QRESYNC (%" PRIu32 " %" PRIu64 "%s%s))", uidvalidity, modseq,
	                    known_uids && *known_uids ? " " : "", known_uids ? known_uids : "");
	select_arg a = { 0 };
	int rc = do_select_ex(c, "EXAMINE", name, q, st, &a, err);
	free(q);
	if (rc < 0) {
		free(a.vanished);
		return -1;
	}
	*vanished = a.vanished;
	*n_vanished = a.n_vanished;
	return 0;
}

int mg_imap_create(mg_imap *c, const char *name, bool *existed, mg_err *err)
{
	if (existed)
		*existed = false;
	imap_cmd k;
	imap_cmd_start(c, &k, "CREATE");
	imap_cmd_astring(c, &k, name);
	const mg_imap_resp *t = NULL;
	int rc = imap_run(c, &k, NULL, NULL, &t, err);
	imap_cmd_free(&k);
	if (rc == IMAP_OK)
		return 0;
	if (rc == IMAP_NO && ((t && t->code && !strcmp(t->code, "ALREADYEXISTS")) ||
	                      strstr(c->last_text, "already exists") || strstr(c->last_text, "Mailbox exists"))) {
		if (existed)
			*existed = true;
		return 0;
	}
	if (rc < 0)
		return -1;
	return mg_err_set(err, MGC_INVALIDOP, "CreateFailed", "CREATE of mailbox \"%s\" failed: %s answered %s: %s",
	                  name, c->host, rc == IMAP_NO ? "NO" : "BAD", c->last_text);
}

static int status_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	mg_imap_mbox_status *st = arg;
	if (!r->name || strcmp(r->name, "STATUS") || r->args.n < 2)
		return 0;
	const mg_imap_val *l = &r->args.items[r->args.n - 1];
	for (size_t i = 0; l->type == MG_IMAP_LIST && i + 1 < l->n; i += 2) {
		const mg_imap_val *key = &l->items[i], *v = &l->items[i + 1];
		uint64_t x = 0;
		if (mg_imap_val_is(key, "MAILBOXID")) {
			objectid_of(v, st->mailboxid, sizeof st->mailboxid);
			continue;
		}
		if (mg_imap_val_u64(v, &x) < 0)
			continue;
		if (mg_imap_val_is(key, "MESSAGES")) st->exists = (uint32_t)x;
		else if (mg_imap_val_is(key, "UIDNEXT")) st->uidnext = (uint32_t)x;
		else if (mg_imap_val_is(key, "UIDVALIDITY")) st->uidvalidity = (uint32_t)x;
		else if (mg_imap_val_is(key, "UNSEEN")) st->unseen = (uint32_t)x;
		else if (mg_imap_val_is(key, "RECENT")) st->recent = (uint32_t)x;
		else if (mg_imap_val_is(key, "HIGHESTMODSEQ")) st->highestmodseq = x;
		else if (mg_imap_val_is(key, "SIZE")) { st->size = x; st->has_size = true; }
	}
	return 0;
}

int mg_imap_status(mg_imap *c, const char *name, mg_imap_mbox_status *st, mg_err *err)
{
	memset(st, 0, sizeof *st);
	imap_cmd k;
	imap_cmd_start(c, &k, "STATUS");
	imap_cmd_astring(c, &k, name);
	imap_cmd_raw(&k, " (MESSAGES UIDNEXT UIDVALIDITY UNSEEN%s%s%s)",
	             mg_imap_has_cap(c, "CONDSTORE") ? " HIGHESTMODSEQ" : "",
	             mg_imap_has_cap(c, "STATUS=SIZE") ? " SIZE" : "",
	             mg_imap_has_cap(c, "OBJECTID") ? " MAILBOXID" : "");
	int rc = imap_run(c, &k, status_untagged, st, NULL, err);
	imap_cmd_free(&k);
	if (rc == IMAP_OK)
		return 0;
	if (rc < 0)
		return -1;
	return mg_err_set(err, rc == IMAP_NO ? MGC_NOTFOUND : MGC_INVALIDOP, "StatusFailed",
	                  "STATUS of mailbox \"%s\" failed: %s answered %s: %s", name, c->host,
	                  rc == IMAP_NO ? "NO" : "BAD", c->last_text);
}
