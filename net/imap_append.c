/*
 * imap_append.c - APPEND to a target server: flags and internal date kept,
 * LITERAL+/LITERAL- when offered (no round trip per message), literal8 for
 * messages with NUL bytes when BINARY is offered, data from memory or a
 * streaming provider, and a bulk variant: MULTIAPPEND batches (one server
 * transaction per batch) when offered, falling back to single APPENDs for a
 * refused batch so that the refused message is identified; otherwise
 * pipelined single APPENDs.
 */
#include "config.h"
#include "net/imap_internal.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define APPEND_WINDOW 16              /* commands in flight */
#define MULTI_MSGS 100                /* messages per MULTIAPPEND */
#define MULTI_BYTES (16u << 20)       /* bytes per MULTIAPPEND */

static int check_msg(const mg_imap_append_msg *m, mg_err *err)
{
	for (const char *p = m->flags; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '(' || *p == ')' || *p == '"' || *p == '{' || *p == 0x7f)
			return mg_err_set(err, MGC_INVALIDARG, "InvalidFlags", "invalid character in message flags \"%s\"",
			                  m->flags);
	if (m->internaldate && strpbrk(m->internaldate, "\"\\\r\n"))
		return mg_err_set(err, MGC_INVALIDARG, "InvalidDate", "invalid internal date \"%s\"", m->internaldate);
	if (!m->data && !m->read && m->size)
		return mg_err_set(err, MGC_INVALIDARG, "AppendNoData", "no message data to append");
	return 0;
}

/* " (flags) "date" {n+}" for one message; *sync: the server must send '+' first */
static void add_msg(mg_imap *c, strbuf *sb, const mg_imap_append_msg *m, bool *sync)
{
	strbuf_adds(sb, " (");
	bool first = true;
	const char *p = m->flags ? m->flags : "";
	while (*p) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		if (!(len == 7 && !strncasecmp(p, "\\Recent", 7))) {   /* servers refuse \Recent */
			strbuf_addf(sb, "%s%.*s", first ? "" : " ", (int)len, p);
			first = false;
		}
		p += len;
	}
	strbuf_adds(sb, ")");
	if (m->internaldate && *m->internaldate)
		strbuf_addf(sb, " \"%s\"", m->internaldate);
	bool lit8 = m->data && m->size && memchr(m->data, 0, (size_t)m->size) && mg_imap_has_cap(c, "BINARY");
	*sync = !(mg_imap_has_cap(c, "LITERAL+") || (mg_imap_has_cap(c, "LITERAL-") && m->size <= 4096));
	strbuf_addf(sb, " %s{%llu%s}\r\n", lit8 ? "~" : "", (unsigned long long)m->size, *sync ? "" : "+");
}

/* the literal data (no CRLF after it) */
static int send_data(mg_imap *c, const mg_imap_append_msg *m, mg_err *err)
{
	int rc = 0;
	if (m->data) {
		rc = mg_sock_write(c->s, m->data, (size_t)m->size, err);
	} else if (m->size) {
		char *buf = xmalloc(65536);
		uint64_t left = m->size;
		while (left && rc == 0) {
			ssize_t n = m->read(m->read_arg, buf, left < 65536 ? (size_t)left : 65536);
			if (n <= 0) {
				rc = mg_err_set(err, MGC_READ, "AppendSourceShort",
				                "the message data ended %llu bytes early while appending; the connection is dropped",
				                (unsigned long long)left);
				break;
			}
			if ((uint64_t)n > left)
				n = (ssize_t)left;
			rc = mg_sock_write(c->s, buf, (size_t)n, err);
			left -= (uint64_t)n;
		}
		free(buf);
	}
	if (rc < 0)
		c->dead = true;
	if (c->p.trace) {
		char t[64];
		int n = snprintf(t, sizeof t, "<%llu bytes of message data>", (unsigned long long)m->size);
		imap_trace(c, "C: ", t, (size_t)n);
	}
	return rc;
}

static int send_text(mg_imap *c, const char *s, size_t n, mg_err *err)
{
	if (c->p.trace) {
		size_t first = strcspn(s, "\r");
		imap_trace(c, "C: ", s, first < n ? first : n);
	}
	if (mg_sock_write(c->s, s, n, err) < 0) {
		c->dead = true;
		return -1;
	}
	return 0;
}

/* Parse an APPENDUID uid-set ("5", "5:9", "5,7:8") into out[0..n); 0 when it has exactly n uids. */
static int parse_uid_set(const char *s, uint32_t *out, size_t n)
{
	size_t k = 0;
	while (s && *s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			return -1;
		s = end;
		if (*s == ':') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1)
				return -1;
			s = end;
		}
		if (a > b) { unsigned long t = a; a = b; b = t; }
		for (unsigned long u = a; u <= b; u++) {
			if (k >= n || u > 0xFFFFFFFFu)
				return -1;
			out[k++] = (uint32_t)u;
		}
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return k == n ? 0 : -1;
}

static void fill_result(mg_imap *c, const mg_imap_resp *r, mg_imap_append_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		res[i].ok = r->status == MG_IMAP_ST_OK;
		if (!res[i].ok)
			snprintf(res[i].text, sizeof res[i].text, "%s", c->last_text);
	}
	if (r->status != MG_IMAP_ST_OK || !r->code || strcmp(r->code, "APPENDUID") || r->code_args.n < 2)
		return;
	uint64_t v;
	const char *set = mg_imap_val_str(&r->code_args.items[1]);
	if (mg_imap_val_u64(&r->code_args.items[0], &v) < 0 || v > 0xFFFFFFFFu || !set)
		return;
	uint32_t *uids = xcalloc(n ? n : 1, sizeof *uids);
	if (parse_uid_set(set, uids, n) == 0)
		for (size_t i = 0; i < n; i++) {
			res[i].uidvalidity = (uint32_t)v;
			res[i].uid = uids[i];
		}
	free(uids);
}

/* wait for the tagged reply of `tag` */
static int wait_tag(mg_imap *c, unsigned tag, const mg_imap_resp **out, mg_err *err)
{
	for (;;) {
		const mg_imap_resp *r;
		if (imap_read(c, &r, err) < 0)
			return -1;
		if (r->kind == MG_IMAP_R_UNTAGGED)
			continue;
		if (r->kind == MG_IMAP_R_CONTINUE || imap_tag_of(r->tag) != tag) {
			c->dead = true;
			return mg_err_set(err, MGC_PROTOCOL, "UnexpectedResponse",
			                  "%s sent an unexpected response during APPEND; dropping the connection", c->host);
		}
		imap_save_text(c, r);
		*out = r;
		return 0;
	}
}

int mg_imap_append(mg_imap *c, const char *box, const mg_imap_append_msg *m,
                   mg_imap_append_result *res, mg_err *err)
{
	if (check_msg(m, err) < 0)
		return -1;
	imap_cmd k;
	bool sync;
	imap_cmd_start(c, &k, "APPEND");
	imap_cmd_astring(c, &k, box);
	if (imap_guard(c, k.sb.buf, err) < 0 || c->dead) {
		imap_cmd_free(&k);
		return c->dead ? mg_err_set(err, MGC_CONNECTION, "ConnectionDead", "the connection to %s is no longer usable",
		                            c->host) : -1;
	}
	add_msg(c, &k.sb, m, &sync);
	int rc = send_text(c, k.sb.buf, k.sb.len, err);
	unsigned tag = k.tag;
	imap_cmd_free(&k);
	if (rc < 0)
		return -1;
	const mg_imap_resp *r;
	if (sync) {
		for (;;) {
			if (imap_read(c, &r, err) < 0)
				return -1;
			if (r->kind == MG_IMAP_R_CONTINUE)
				break;
			if (r->kind == MG_IMAP_R_TAGGED) {
				if (imap_tag_of(r->tag) != tag) {
					c->dead = true;
					return mg_err_set(err, MGC_PROTOCOL, "UnexpectedTag", "%s answered an unknown tag", c->host);
				}
				imap_save_text(c, r);
				if (res)
					fill_result(c, r, res, 1);
				return mg_err_set(err, MGC_INVALIDOP, "AppendRefused", "APPEND to \"%s\" refused by %s: %s",
				                  box, c->host, c->last_text);
			}
		}
	}
	if (send_data(c, m, err) < 0 || send_text(c, "\r\n", 2, err) < 0)
		return -1;
	if (wait_tag(c, tag, &r, err) < 0)
		return -1;
	if (res)
		fill_result(c, r, res, 1);
	if (r->status != MG_IMAP_ST_OK)
		return mg_err_set(err, MGC_INVALIDOP, "AppendRefused", "APPEND to \"%s\" refused by %s: %s",
		                  box, c->host, c->last_text);
	return 0;
}

typedef struct aq { unsigned tag; size_t lo, hi; bool multi; } aq;

/* send APPEND for msgs[idx[0..cnt)] (MULTIAPPEND when cnt > 1); LITERAL+ required */
static int send_append(mg_imap *c, const char *box, const mg_imap_append_msg *msgs, const size_t *idx,
                       size_t cnt, unsigned *tag, mg_err *err)
{
	imap_cmd k;
	imap_cmd_start(c, &k, "APPEND");
	imap_cmd_astring(c, &k, box);
	int rc = imap_guard(c, k.sb.buf, err);
	*tag = k.tag;
	for (size_t i = 0; i < cnt && rc == 0; i++) {
		bool sync;
		add_msg(c, &k.sb, &msgs[idx[i]], &sync);
		rc = send_text(c, k.sb.buf, k.sb.len, err);
		strbuf_reset(&k.sb);
		if (rc == 0)
			rc = send_data(c, &msgs[idx[i]], err);
	}
	if (rc == 0)
		rc = send_text(c, "\r\n", 2, err);
	imap_cmd_free(&k);
	return rc;
}

int mg_imap_append_many(mg_imap *c, const char *box, const mg_imap_append_msg *msgs,
                        size_t n, mg_imap_append_result *res, mg_err *err)
{
	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		mg_err e = { 0 };
		if (check_msg(&msgs[i], &e) < 0) {
			snprintf(res[i].text, sizeof res[i].text, "%s", e.msg);
			return mg_err_set(err, e.category, e.id, "%s", e.msg);
		}
	}
	if (!mg_imap_has_cap(c, "LITERAL+")) {
		for (size_t i = 0; i < n; i++) {
			mg_err e = { 0 };
			if (mg_imap_append(c, box, &msgs[i], &res[i], &e) < 0 && e.code != MGE_AppendRefused) {
				mg_err_copy(err, &e);
				return -1;
			}
		}
		return 0;
	}
	bool multi_ok = mg_imap_has_cap(c, "MULTIAPPEND");
	size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);    /* order of work: fresh, then retries */
	size_t *retry = xmalloc((n ? n : 1) * sizeof *retry);
	size_t nretry = 0, rpos = 0, next = 0, nfl = 0;
	aq fl[APPEND_WINDOW];
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	int rc = 0;
	while (next < n || rpos < nretry || nfl) {
		while (nfl < APPEND_WINDOW && (next < n || rpos < nretry)) {
			unsigned tag;
			if (rpos < nretry) {
				const mg_imap_append_msg *m = &msgs[retry[rpos]];
				if (!m->data && m->rewind && m->rewind(m->read_arg) < 0) {
					snprintf(res[retry[rpos]].text, sizeof res[retry[rpos]].text,
					         "the message could not be read again after the server refused its batch");
					rpos++;
					continue;
				}
				if (send_append(c, box, msgs, &retry[rpos], 1, &tag, err) < 0) { rc = -1; goto out; }
				fl[nfl++] = (aq){ tag, retry[rpos], retry[rpos] + 1, false };
				rpos++;
				continue;
			}
			size_t lo = next, cnt = 0;
			uint64_t bytes = 0;
			if (multi_ok)
				while (next < n && cnt < MULTI_MSGS && (msgs[next].data || msgs[next].rewind) &&
				       (cnt == 0 || bytes + msgs[next].size <= MULTI_BYTES)) {
					bytes += msgs[next].size;
					next++;
					cnt++;
				}
			if (cnt == 0) {
				next++;
				cnt = 1;
			}
			if (send_append(c, box, msgs, &idx[lo], cnt, &tag, err) < 0) { rc = -1; goto out; }
			fl[nfl++] = (aq){ tag, lo, lo + cnt, cnt > 1 };
		}
		if (!nfl)
			break;
		const mg_imap_resp *r;
		if (imap_read(c, &r, err) < 0) { rc = -1; goto out; }
		if (r->kind == MG_IMAP_R_UNTAGGED)
			continue;
		size_t j = 0;
		unsigned t = r->kind == MG_IMAP_R_TAGGED ? imap_tag_of(r->tag) : 0;
		while (j < nfl && fl[j].tag != t)
			j++;
		if (j == nfl) {
			c->dead = true;
			rc = mg_err_set(err, MGC_PROTOCOL, "UnexpectedResponse",
			                "%s sent an unexpected response during APPEND; dropping the connection", c->host);
			goto out;
		}
		imap_save_text(c, r);
		if (fl[j].multi && r->status != MG_IMAP_ST_OK) {
			/* MULTIAPPEND is all or nothing: find the refused message(s) one by one */
			for (size_t i = fl[j].lo; i < fl[j].hi; i++)
				retry[nretry++] = i;
		} else {
			fill_result(c, r, &res[fl[j].lo], fl[j].hi - fl[j].lo);
		}
		fl[j] = fl[--nfl];
	}
out:
	free(idx);
	free(retry);
	return rc;
}
