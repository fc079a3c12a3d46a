/*
 * imap_fetch.c - reading messages: UID FETCH of metadata (flags, dates,
 * sizes, mod-sequences), pipelined and streamed UID FETCH BODY.PEEK[],
 * UID SEARCH, UID STORE (targets only) and uid-set formatting.
 */
#include "config.h"
#include "net/imap_internal.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BODY_WINDOW 8                 /* commands in flight */
#define BODY_GROUP_MSGS 64
#define BODY_GROUP_BYTES (8u << 20)

/* ---------------- dates ---------------- */

int imap_parse_date(const char *s, int64_t *epoch, int *tz_minutes)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int d, y, hh, mm, ss, tz;
	char m[4], sign;
	while (*s == ' ')
		s++;
	if (sscanf(s, "%2d-%3s-%4d %2d:%2d:%2d %c%4d", &d, m, &y, &hh, &mm, &ss, &sign, &tz) != 8)
		return -1;
	if (sign != '+' && sign != '-')
		return -1;
	int mi = -1;
	for (int i = 0; i < 12; i++)
		if (!strcasecmp(m, mon[i]))
			mi = i;
	if (mi < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1900 || tz / 100 > 23 || tz % 100 > 59)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mi, .tm_mday = d, .tm_hour = hh, .tm_min = mm, .tm_sec = ss };
	int off = (tz / 100) * 60 + tz % 100;
	if (sign == '-')
		off = -off;
	*epoch = (int64_t)timegm(&tm) - (int64_t)off * 60;
	*tz_minutes = off;
	return 0;
}

/* ---------------- uid sets ---------------- */

char *mg_imap_uid_set(const uint32_t *uids, size_t n)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j + 1 < n && (uids[j + 1] == uids[j] + 1 || uids[j + 1] == uids[j]))
			j++;
		if (sb.len)
			strbuf_addc(&sb, ',');
		if (uids[j] != uids[i])
			strbuf_addf(&sb, "%u:%u", uids[i], uids[j]);
		else
			strbuf_addf(&sb, "%u", uids[i]);
		i = j + 1;
	}
	return strbuf_detach(&sb, NULL);
}

int mg_imap_uid_set_parse(const char *set, size_t max, uint32_t **out, size_t *n, mg_err *err)
{
	uint32_t *v = NULL;
	size_t k = 0, cap = 0;
	const char *p = set ? set : "";
	while (*p) {
		uint64_t a = 0, b;
		const char *q = p;
		while (*q >= '0' && *q <= '9' && a <= 0xFFFFFFFFu)
			a = a * 10 + (uint64_t)(*q++ - '0');
		if (q == p || !a || a > 0xFFFFFFFFu)
			goto bad;
		b = a;
		if (*q == ':') {
			const char *r = ++q;
			b = 0;
			while (*q >= '0' && *q <= '9' && b <= 0xFFFFFFFFu)
				b = b * 10 + (uint64_t)(*q++ - '0');
			if (q == r || !b || b > 0xFFFFFFFFu)
				goto bad;
		}
		if (*q && *q != ',')
			goto bad;
		uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
		if (hi - lo + 1 > max - k)
			goto bad;
		for (uint64_t u = lo; u <= hi; u++) {
			GROW(v, cap, k + 1);
			v[k++] = (uint32_t)u;
		}
		p = *q ? q + 1 : q;
		if (*q && !*p)
			goto bad;
	}
	*out = v;
	*n = k;
	return 0;
bad:
	free(v);
	*out = NULL;
	*n = 0;
	return mg_err_set(err, MGC_PROTOCOL, "BadUidSet", "malformed or too large uid set \"%.64s\"", set ? set : "");
}

/* ---------------- metadata ---------------- */

typedef struct meta_arg {
	mg_imap_meta_cb cb;
	void *arg;
	bool stopped;
	const char **flags;
	size_t cap;
} meta_arg;

/* A flag is an atom (RFC 3501 flag-keyword / "\\" atom): printable ASCII only.
 * A quoted or literal "flag" may carry anything; it is dropped, not fatal. */
static bool flag_ok(const char *s, size_t len)
{
	if (!len || strlen(s) != len)
		return false;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (*u <= 0x20 || *u >= 0x7F)
			return false;
	return true;
}

static int meta_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	meta_arg *a = arg;
	if (a->stopped || !r->name || strcmp(r->name, "FETCH") || !r->has_num || r->args.n < 1)
		return 0;
	const mg_imap_val *l = &r->args.items[0];
	if (l->type != MG_IMAP_LIST)
		return 0;
	mg_imap_msg_meta m = { .seq = (uint32_t)r->num };
	bool have_uid = false;
	size_t nf = 0;
	for (size_t i = 0; i + 1 < l->n; i += 2) {
		const mg_imap_val *k = &l->items[i], *v = &l->items[i + 1];
		uint64_t x;
		if (mg_imap_val_is(k, "UID") && !mg_imap_val_u64(v, &x) && x && x <= 0xFFFFFFFFu) {
			m.uid = (uint32_t)x;
			have_uid = true;
		} else if (mg_imap_val_is(k, "FLAGS") && v->type == MG_IMAP_LIST) {
			GROW(a->flags, a->cap, v->n + 1);
			for (size_t f = 0; f < v->n; f++) {
				const mg_imap_val *fv = &v->items[f];
				if (!mg_imap_val_str(fv))
					continue;
				if (!flag_ok(fv->s, fv->len)) {
					if (!m.n_bad_flags++)
						m.bad_flag = fv->s;
					continue;
				}
				a->flags[nf++] = fv->s;
			}
		} else if (mg_imap_val_is(k, "INTERNALDATE") && mg_imap_val_str(v)) {
			m.internaldate_raw = v->s;
			if (imap_parse_date(v->s, &m.internaldate, &m.tz_minutes) < 0)
				m.internaldate = 0;
		} else if (mg_imap_val_is(k, "RFC822.SIZE") && !mg_imap_val_u64(v, &x)) {
			m.size = x;
		} else if (mg_imap_val_is(k, "MODSEQ") && v->type == MG_IMAP_LIST && v->n >= 1 &&
		           !mg_imap_val_u64(&v->items[0], &x)) {
			m.modseq = x;
		}
	}
	if (!have_uid)
		return 0;   /* unsolicited flag update without UID */
	m.flags = a->flags;
	m.n_flags = nf;
	if (a->cb(a->arg, &m) < 0)
		a->stopped = true;
	return 0;
}

static int check_set(const char *set, mg_err *err)
{
	if (!set || !*set || set[strspn(set, "0123456789:,*")])
		return mg_err_set(err, MGC_INVALIDARG, "InvalidUidSet", "invalid UID set \"%s\"", set ? set : "");
	return 0;
}

int mg_imap_fetch_meta(mg_imap *c, const char *uid_set, uint64_t changedsince,
                       mg_imap_meta_cb cb, void *arg, mg_err *err)
{
	if (check_set(uid_set, err) < 0)
		return -1;
	/* a mailbox without mod-sequences (RFC 7162 NOMODSEQ) refuses MODSEQ */
	bool cs = mg_imap_has_cap(c, "CONDSTORE") && !c->sel_nomodseq;
	imap_cmd k;
	imap_cmd_start(c, &k, "UID FETCH %s (UID FLAGS INTERNALDATE RFC822.SIZE%s)", uid_set, cs ? " MODSEQ" : "");
	if (cs && changedsince)
		imap_cmd_raw(&k, " (CHANGEDSINCE %llu)", (unsigned long long)changedsince);
	meta_arg a = { .cb = cb, .arg = arg };
	int rc = imap_run(c, &k, meta_untagged, &a, NULL, err);
	imap_cmd_free(&k);
	free(a.flags);
	if (rc != IMAP_OK)
		return imap_fail(c, rc, "UID FETCH (metadata)", err);
	if (a.stopped)
		return mg_err_set(err, MGC_STOPPED, "Stopped", "reading message metadata was stopped");
	return 0;
}

/* ---------------- bodies ---------------- */

typedef struct body_item { uint32_t uid; uint64_t size; bool seen; } body_item;

struct body_ctx {
	const mg_imap_body_cb *cb;
	body_item *items;
	size_t n;
	bool aborted;
	bool streaming, discard;
	uint32_t cur;
};

static body_item *find_item(body_ctx *b, uint32_t uid)
{
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (b->items[mid].uid == uid)
			return &b->items[mid];
		if (b->items[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool is_body_item(const mg_imap_val *v)
{
	return v && v->type == MG_IMAP_ATOM && (str_iprefix(v->s, "BODY[]") || str_iprefix(v->s, "BINARY[]"));
}

static int sh_begin(void *arg, const mg_imap_resp *partial, const mg_imap_val *list, uint64_t size)
{
	mg_imap *c = arg;
	body_ctx *b = c->body;
	if (!b || !partial->name || strcmp(partial->name, "FETCH") || !list || list->n < 1 ||
	    !is_body_item(&list->items[list->n - 1]))
		return 0;
	uint32_t uid = 0;
	for (size_t i = 0; i + 1 < list->n; i += 2) {
		uint64_t x;
		if (mg_imap_val_is(&list->items[i], "UID") && !mg_imap_val_u64(&list->items[i + 1], &x) && x <= 0xFFFFFFFFu)
			uid = (uint32_t)x;
	}
	if (!uid)
		return 0;   /* UID comes later: keep in memory, deliver at the end of the response */
	body_item *it = find_item(b, uid);
	b->streaming = true;
	b->cur = uid;
	b->discard = b->aborted || !it || it->seen;
	if (b->discard)
		return 1;
	it->seen = true;
	if (b->cb->begin && b->cb->begin(b->cb->arg, uid, size) < 0) {
		b->aborted = true;
		b->discard = true;
	}
	return 1;
}

static int sh_data(void *arg, const void *chunk, size_t len)
{
	mg_imap *c = arg;
	body_ctx *b = c->body;
	if (!b || b->discard || b->aborted)
		return 0;
	if (b->cb->data && b->cb->data(b->cb->arg, b->cur, chunk, len) < 0) {
		b->aborted = true;
		b->discard = true;
	}
	return 0;
}

static int sh_end(void *arg)
{
	mg_imap *c = arg;
	body_ctx *b = c->body;
	if (!b)
		return 0;
	if (!b->discard && !b->aborted && b->cb->end && b->cb->end(b->cb->arg, b->cur) < 0)
		b->aborted = true;
	b->streaming = false;
	b->discard = false;
	return 0;
}

const mg_imap_stream_ops imap_body_stream_ops = { sh_begin, sh_data, sh_end };

/* FETCH responses whose body was not streamed (UID after the literal, small quoted bodies) */
static int body_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	body_ctx *b = c->body;
	(void)arg;
	if (!r->name || strcmp(r->name, "FETCH") || r->args.n < 1 || b->aborted)
		return 0;
	const mg_imap_val *l = &r->args.items[0];
	if (l->type != MG_IMAP_LIST)
		return 0;
	uint32_t uid = 0;
	const mg_imap_val *body = NULL;
	for (size_t i = 0; i + 1 < l->n; i += 2) {
		uint64_t x;
		if (mg_imap_val_is(&l->items[i], "UID") && !mg_imap_val_u64(&l->items[i + 1], &x) && x <= 0xFFFFFFFFu)
			uid = (uint32_t)x;
		else if (is_body_item(&l->items[i]))
			body = &l->items[i + 1];
	}
	if (!uid || !body || body->type == MG_IMAP_STREAMED)
		return 0;
	body_item *it = find_item(b, uid);
	if (!it || it->seen)
		return 0;
	if (body->type == MG_IMAP_NIL)
		return 0;   /* reported as missing at the end */
	it->seen = true;
	const mg_imap_body_cb *cb = b->cb;
	if ((cb->begin && cb->begin(cb->arg, uid, body->len) < 0) ||
	    (body->len && cb->data && cb->data(cb->arg, uid, body->s, body->len) < 0) ||
	    (cb->end && cb->end(cb->arg, uid) < 0))
		b->aborted = true;
	return 0;
}

static int cmp_item(const void *x, const void *y)
{
	const body_item *a = x, *b = y;
	return a->uid < b->uid ? -1 : a->uid > b->uid;
}

typedef struct inflight { unsigned tag; size_t lo, hi; } inflight;

int mg_imap_fetch_bodies(mg_imap *c, const uint32_t *uids, const uint64_t *sizes, size_t n,
                         const mg_imap_body_cb *cb, mg_err *err)
{
	if (!n)
		return 0;
	body_ctx b = { .cb = cb };
	b.items = xcalloc(n, sizeof *b.items);
	for (size_t i = 0; i < n; i++) {
		b.items[i].uid = uids[i];
		b.items[i].size = sizes ? sizes[i] : 0;
	}
	qsort(b.items, n, sizeof *b.items, cmp_item);
	/* drop duplicates */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || b.items[m - 1].uid != b.items[i].uid)
			b.items[m++] = b.items[i];
	b.n = m;
	c->body = &b;

	inflight fl[BODY_WINDOW];
	size_t nfl = 0, next = 0;
	int rc = 0;
	bool bad = false;
	uint32_t *tmp = xmalloc(BODY_GROUP_MSGS * sizeof *tmp);
	while (next < b.n || nfl > 0) {
		while (!b.aborted && !bad && nfl < BODY_WINDOW && next < b.n) {
			size_t lo = next, cnt = 0;
			uint64_t bytes = 0;
			while (next < b.n && cnt < BODY_GROUP_MSGS && (cnt == 0 || bytes + b.items[next].size <= BODY_GROUP_BYTES)) {
				tmp[cnt++] = b.items[next].uid;
				bytes += b.items[next].size;
				next++;
			}
			char *set = mg_imap_uid_set(tmp, cnt);
			imap_cmd k;
			imap_cmd_start(c, &k, "UID FETCH %s (UID BODY.PEEK[])", set);
			free(set);
			int s = imap_send(c, &k, err);
			fl[nfl++] = (inflight){ k.tag, lo, next };
			imap_cmd_free(&k);
			if (s < 0) {
				rc = -1;
				goto out;
			}
		}
		if (nfl == 0)
			break;
		const mg_imap_resp *r;
		if (imap_read(c, &r, err) < 0) {
			rc = -1;
			goto out;
		}
		if (r->kind == MG_IMAP_R_UNTAGGED) {
			body_untagged(c, r, NULL);
			continue;
		}
		if (r->kind == MG_IMAP_R_CONTINUE) {
			c->dead = true;
			rc = mg_err_set(err, MGC_PROTOCOL, "UnexpectedContinuation",
			                "%s asked for more data during FETCH; dropping the connection", c->host);
			goto out;
		}
		unsigned t = imap_tag_of(r->tag);
		size_t j = 0;
		while (j < nfl && fl[j].tag != t)
			j++;
		if (j == nfl) {
			c->dead = true;
			rc = mg_err_set(err, MGC_PROTOCOL, "UnexpectedTag", "%s answered an unknown command tag \"%s\"",
			                c->host, r->tag ? r->tag : "");
			goto out;
		}
		imap_save_text(c, r);
		if (r->status == MG_IMAP_ST_NO && cb->missing) {
			for (size_t i = fl[j].lo; i < fl[j].hi; i++)
				if (!b.items[i].seen) {
					b.items[i].seen = true;
					if (!b.aborted)
						cb->missing(cb->arg, b.items[i].uid, c->last_text);
				}
		} else if (r->status == MG_IMAP_ST_BAD && !bad) {
			bad = true;
			mg_err_set(err, MGC_INVALIDOP, "CommandRejected", "UID FETCH failed: %s answered BAD: %s",
			           c->host, c->last_text);
		}
		fl[j] = fl[--nfl];
	}
	if (bad) {
		rc = -1;
	} else if (b.aborted) {
		rc = mg_err_set(err, MGC_STOPPED, "Stopped", "fetching messages was stopped");
	} else if (cb->missing) {
		for (size_t i = 0; i < b.n; i++)
			if (!b.items[i].seen)
				cb->missing(cb->arg, b.items[i].uid, "the server did not return the message (expunged meanwhile?)");
	}
out:
	free(tmp);
	c->body = NULL;
	free(b.items);
	return rc;
}

/* ---------------- search / store ---------------- */

typedef struct search_arg { uint32_t *v; size_t n, cap; } search_arg;

static int search_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	search_arg *a = arg;
	if (!r->name || strcmp(r->name, "SEARCH"))
		return 0;
	for (size_t i = 0; i < r->args.n; i++) {
		uint64_t x;
		if (!mg_imap_val_u64(&r->args.items[i], &x) && x && x <= 0xFFFFFFFFu) {
			GROW(a->v, a->cap, a->n + 1);
			a->v[a->n++] = (uint32_t)x;
		}
	}
	return 0;
}

int mg_imap_uid_search(mg_imap *c, const char *criteria, uint32_t **uids, size_t *n, mg_err *err)
{
	search_arg a = { 0 };
	imap_cmd k;
	imap_cmd_start(c, &k, "UID SEARCH %s", criteria && *criteria ? criteria : "ALL");
	int rc = imap_run(c, &k, search_untagged, &a, NULL, err);
	imap_cmd_free(&k);
	if (rc != IMAP_OK) {
		free(a.v);
		return imap_fail(c, rc, "UID SEARCH", err);
	}
	*uids = a.v;
	*n = a.n;
	return 0;
}

int mg_imap_uid_store_flags(mg_imap *c, const char *uid_set, char op, const char *flags, mg_err *err)
{
	if (op != '+' && op != '-' && op != '=')
		return mg_err_set(err, MGC_INVALIDARG, "InvalidFlagOperation", "flag operation must be '+', '-' or '='");
	if (check_set(uid_set, err) < 0)
		return -1;
	if (flags && strpbrk(flags, "\r\n()\"{"))
		return mg_err_set(err, MGC_INVALIDARG, "InvalidFlags", "invalid character in flags \"%s\"", flags);
	imap_cmd k;
	imap_cmd_start(c, &k, "UID STORE %s %sFLAGS.SILENT (%s)", uid_set, op == '=' ? "" : op == '+' ? "+" : "-",
	               flags ? flags : "");
	int rc = imap_run(c, &k, NULL, NULL, NULL, err);
	imap_cmd_free(&k);
	return rc == IMAP_OK ? 0 : imap_fail(c, rc, "UID STORE", err);
}

int mg_imap_uid_expunge(mg_imap *c, const char *uid_set, mg_err *err)
{
	if (!mg_imap_has_cap(c, "UIDPLUS"))
		return mg_err_set(err, MGC_INVALIDOP, "UidExpungeNotOffered",
		                  "%s does not offer UIDPLUS: cannot expunge single messages", c->host);
	if (check_set(uid_set, err) < 0)
		return -1;
	imap_cmd k;
	imap_cmd_start(c, &k, "UID EXPUNGE %s", uid_set);
	int rc = imap_run(c, &k, NULL, NULL, NULL, err);
	imap_cmd_free(&k);
	return rc == IMAP_OK ? 0 : imap_fail(c, rc, "UID EXPUNGE", err);
}

/* ---------------- subjects ---------------- */

#define SUBJ_GROUP 128
#define SUBJ_WINDOW 4

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

typedef struct subj_arg { mg_imap_subject_cb cb; void *arg; } subj_arg;

static void subj_untagged(const mg_imap_resp *r, subj_arg *a)
{
	if (!r->name || strcmp(r->name, "FETCH") || r->args.n < 1)
		return;
	const mg_imap_val *l = &r->args.items[0];
	if (l->type != MG_IMAP_LIST)
		return;
	uint32_t uid = 0;
	const mg_imap_val *field = NULL;
	for (size_t i = 0; i + 1 < l->n; i += 2) {
		uint64_t x;
		const mg_imap_val *k = &l->items[i], *v = &l->items[i + 1];
		if (mg_imap_val_is(k, "UID") && !mg_imap_val_u64(v, &x) && x && x <= 0xFFFFFFFFu)
			uid = (uint32_t)x;
		else if (k->type == MG_IMAP_ATOM && k->s && str_iprefix(k->s, "BODY[HEADER.FIELDS"))
			field = v;
	}
	if (!uid || !field)
		return;
	if (field->type == MG_IMAP_NIL)
		a->cb(a->arg, uid, "", 0);
	else if (field->s && (field->type == MG_IMAP_LITERAL || field->type == MG_IMAP_QUOTED ||
	                      field->type == MG_IMAP_ATOM))
		a->cb(a->arg, uid, field->s, field->len);
}

int mg_imap_fetch_subjects(mg_imap *c, const uint32_t *uids, size_t n, mg_imap_subject_cb cb,
                           void *arg, mg_err *err)
{
	return mg_imap_fetch_header_fields(c, uids, n, "SUBJECT", cb, arg, err);
}

int mg_imap_fetch_header_fields(mg_imap *c, const uint32_t *uids, size_t n, const char *fields,
                                mg_imap_subject_cb cb, void *arg, mg_err *err)
{
	if (!n)
		return 0;
	if (!fields || !*fields || strspn(fields, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789- ") != strlen(fields))
		return mg_err_set(err, MGC_INVALIDARG, "InvalidHeaderFields", "invalid header field names \"%s\"",
		                  fields ? fields : "");
	uint32_t *v = xmalloc(n * sizeof *v);
	memcpy(v, uids, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_u32);
	subj_arg a = { cb, arg };
	unsigned fl[SUBJ_WINDOW];
	size_t nfl = 0, next = 0;
	int rc = 0;
	bool bad = false;
	while (next < n || nfl > 0) {
		while (!bad && nfl < SUBJ_WINDOW && next < n) {
			size_t cnt = n - next < SUBJ_GROUP ? n - next : SUBJ_GROUP;
			char *set = mg_imap_uid_set(v + next, cnt);
			next += cnt;
			imap_cmd k;
			imap_cmd_start(c, &k, "UID FETCH %s (UID BODY.PEEK[HEADER.FIELDS (%s)])", set, fields);
			free(set);
			int s = imap_send(c, &k, err);
			fl[nfl++] = k.tag;
			imap_cmd_free(&k);
			if (s < 0) {
				rc = -1;
				goto out;
			}
		}
		if (nfl == 0)
			break;
		const mg_imap_resp *r;
		if (imap_read(c, &r, err) < 0) {
			rc = -1;
			goto out;
		}
		if (r->kind == MG_IMAP_R_UNTAGGED) {
			subj_untagged(r, &a);
			continue;
		}
		if (r->kind == MG_IMAP_R_CONTINUE) {
			c->dead = true;
			rc = mg_err_set(err, MGC_PROTOCOL, "UnexpectedContinuation",
			                "%s asked for more data during FETCH; dropping the connection", c->host);
			goto out;
		}
		unsigned t = imap_tag_of(r->tag);
		size_t j = 0;
		while (j < nfl && fl[j] != t)
			j++;
		if (j == nfl) {
			c->dead = true;
			rc = mg_err_set(err, MGC_PROTOCOL, "UnexpectedTag", "%s answered an unknown command tag \"%s\"",
			                c->host, r->tag ? r->tag : "");
			goto out;
		}
		imap_save_text(c, r);
		if (r->status == MG_IMAP_ST_BAD && !bad) {
			bad = true;
			mg_err_set(err, MGC_INVALIDOP, "CommandRejected",
			           "UID FETCH (header fields %s) failed: %s answered BAD: %s", fields, c->host,
			           c->last_text);
		}
		fl[j] = fl[--nfl];
	}
	if (bad)
		rc = -1;
out:
	free(v);
	return rc;
}

/* ---- RFC 2047 ---- */

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Decode one encoded-word's text into sb (converted to UTF-8); -1 when it
 * cannot be decoded (the caller then keeps the word raw). */
static int ew_decode(strbuf *sb, const char *cs, size_t cslen, char enc, const char *t, size_t tl)
{
	enum { UTF8, LATIN1 } kind;
	char csb[40];
	const char *star = memchr(cs, '*', cslen);     /* RFC 2231 language suffix */
	if (star)
		cslen = (size_t)(star - cs);
	if (cslen == 0 || cslen >= sizeof csb)
		return -1;
	memcpy(csb, cs, cslen);
	csb[cslen] = '\0';
	if (!strcasecmp(csb, "UTF-8") || !strcasecmp(csb, "UTF8") || !strcasecmp(csb, "US-ASCII"))
		kind = UTF8;
	else if (!strcasecmp(csb, "ISO-8859-1") || !strcasecmp(csb, "ISO_8859-1") ||
	         !strcasecmp(csb, "LATIN1") || !strcasecmp(csb, "ISO-8859-15") ||
	         !strcasecmp(csb, "WINDOWS-1252") || !strcasecmp(csb, "CP1252"))
		kind = LATIN1;   /* the 8859-15/1252 differences are rare in subjects: close enough */
	else
		return -1;
	unsigned char *raw = xmalloc(tl + 1);
	size_t n = 0;
	if (enc == 'B' || enc == 'b') {
		unsigned acc = 0;
		int bits = 0;
		for (size_t i = 0; i < tl; i++) {
			if (t[i] == '=')
				break;
			int v = b64val((unsigned char)t[i]);
			if (v < 0) {
				free(raw);
				return -1;
			}
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				raw[n++] = (unsigned char)(acc >> bits);
				acc &= (1u << bits) - 1;
			}
		}
	} else {
		for (size_t i = 0; i < tl; i++) {
			if (t[i] == '_') {
				raw[n++] = ' ';
			} else if (t[i] == '=' && i + 2 < tl && hexval((unsigned char)t[i + 1]) >= 0 &&
			           hexval((unsigned char)t[i + 2]) >= 0) {
				raw[n++] = (unsigned char)(hexval((unsigned char)t[i + 1]) * 16 +
				                           hexval((unsigned char)t[i + 2]));
				i += 2;
			} else {
				raw[n++] = (unsigned char)t[i];
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = raw[i];
		if (ch == '\0' || ch == '\r' || ch == '\n') {
			strbuf_addc(sb, ' ');
		} else if (kind == LATIN1 && ch >= 0x80) {
			strbuf_addc(sb, (char)(0xC0 | (ch >> 6)));
			strbuf_addc(sb, (char)(0x80 | (ch & 0x3F)));
		} else {
			strbuf_addc(sb, (char)ch);
		}
	}
	free(raw);
	return 0;
}

/* Parse "=?cs?e?text?=" at p (end e); *wlen = length of the whole word. */
static bool ew_parse(const char *p, const char *e, const char **cs, size_t *cslen, char *enc,
                     const char **t, size_t *tl, size_t *wlen)
{
	if (e - p < 8 || p[0] != '=' || p[1] != '?')
		return false;
	const char *q = p + 2;
	const char *c0 = q;
	while (q < e && *q != '?' && *q != ' ' && *q != '\t')
		q++;
	if (q >= e || *q != '?' || q == c0)
		return false;
	*cs = c0;
	*cslen = (size_t)(q - c0);
	q++;
	if (q + 1 >= e || (*q != 'B' && *q != 'b' && *q != 'Q' && *q != 'q') || q[1] != '?')
		return false;
	*enc = *q;
	q += 2;
	const char *t0 = q;
	while (q + 1 < e && !(q[0] == '?' && q[1] == '=') && *q != ' ' && *q != '\t')
		q++;
	if (q + 1 >= e || q[0] != '?' || q[1] != '=')
		return false;
	*t = t0;
	*tl = (size_t)(q - t0);
	*wlen = (size_t)(q + 2 - p);
	return true;
}

char *mg_mime_decode_subject(const char *field, size_t len, size_t max)
{
	if (!field)
		return NULL;
	const char *p = field, *e = field + len;
	if (len >= 8 && strncasecmp(p, "Subject:", 8) == 0) {
		p += 8;
		/* the field ends at a line break not followed by white space */
		const char *q = p;
		while (q < e) {
			if (*q == '\n' && !(q + 1 < e && (q[1] == ' ' || q[1] == '\t')))
				break;
			q++;
		}
		e = q;
	}
	/* unfold: line breaks become nothing, tabs spaces; runs of spaces collapse */
	strbuf u = STRBUF_INIT;
	strbuf_adds(&u, "");
	for (const char *q = p; q < e; q++) {
		char ch = *q;
		if (ch == '\r' || ch == '\n')
			continue;
		if (ch == '\t')
			ch = ' ';
		if (ch == ' ' && (u.len == 0 || u.buf[u.len - 1] == ' '))
			continue;
		strbuf_addc(&u, ch);
		if (u.len > 4 * max + 1024)
			break;       /* plenty for max decoded bytes */
	}
	while (u.len && u.buf[u.len - 1] == ' ')
		u.len--;
	if (!u.len) {
		strbuf_free(&u);
		return NULL;
	}
	strbuf out = STRBUF_INIT;
	strbuf_adds(&out, "");
	const char *s = u.buf, *se = u.buf + u.len;
	bool prev_ew = false;
	size_t pend_ws = 0;       /* spaces seen since the last token */
	while (s < se && out.len <= max + 8) {
		if (*s == ' ') {
			pend_ws++;
			s++;
			continue;
		}
		const char *cs, *t;
		size_t cslen, tl, wlen;
		char enc;
		if (ew_parse(s, se, &cs, &cslen, &enc, &t, &tl, &wlen) &&
		    (s + wlen == se || s[wlen] == ' ')) {
			size_t mark = out.len;
			if (pend_ws && !prev_ew)
				strbuf_addc(&out, ' ');
			if (ew_decode(&out, cs, cslen, enc, t, tl) == 0) {
				prev_ew = true;
				pend_ws = 0;
				s += wlen;
				continue;
			}
			out.len = mark;
			out.buf[out.len] = '\0';
		}
		/* a plain word (or an undecodable encoded-word, kept raw) */
		if (pend_ws)
			strbuf_addc(&out, ' ');
		pend_ws = 0;
		prev_ew = false;
		while (s < se && *s != ' ')
			strbuf_addc(&out, *s++);
	}
	strbuf_free(&u);
	if (out.len > max) {
		size_t cut = max;
		while (cut > 0 && ((unsigned char)out.buf[cut] & 0xC0) == 0x80)
			cut--;
		out.len = cut;
		out.buf[cut] = '\0';
	}
	return strbuf_detach(&out, NULL);
}
