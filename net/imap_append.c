/*
 * imap_append.c - APPEND to a target server: flags and internal date kept,
 * LITERAL+/LITERAL- when offered (no round trip per message), literal8 for
 * messages with NUL bytes when BINARY is offered, data from memory or a
 * streaming provider, and a pipelined variant for many messages.
 */
#include "config.h"
#include "net/imap_internal.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define APPEND_WINDOW 16

static int check_flags(const char *flags, mg_err *err)
{
	for (const char *p = flags; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '(' || *p == ')' || *p == '"' || *p == '{' || *p == 0x7f)
			return mg_err_set(err, MGC_INVALIDARG, "InvalidFlags", "invalid character in message flags \"%s\"", flags);
	return 0;
}

/* Command up to and including the literal marker.  *sync: the server must send '+' first. */
static int build(mg_imap *c, imap_cmd *k, const char *box, const mg_imap_append_msg *m, bool *sync, mg_err *err)
{
	if (check_flags(m->flags, err) < 0)
		return -1;
	if (m->internaldate && strpbrk(m->internaldate, "\"\\\r\n"))
		return mg_err_set(err, MGC_INVALIDARG, "InvalidDate", "invalid internal date \"%s\"", m->internaldate);
	imap_cmd_start(c, k, "APPEND");
	imap_cmd_astring(c, k, box);
	imap_cmd_raw(k, " (");
	/* copy the flags, dropping \Recent (servers refuse it) */
	bool first = true;
	const char *p = m->flags ? m->flags : "";
	while (*p) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		if (!(len == 7 && !strncasecmp(p, "\\Recent", 7))) {
			imap_cmd_raw(k, "%s%.*s", first ? "" : " ", (int)len, p);
			first = false;
		}
		p += len;
	}
	imap_cmd_raw(k, ")");
	if (m->internaldate && *m->internaldate)
		imap_cmd_raw(k, " \"%s\"", m->internaldate);
	bool lit8 = m->data && m->size && memchr(m->data, 0, (size_t)m->size) && mg_imap_has_cap(c, "BINARY");
	*sync = !(mg_imap_has_cap(c, "LITERAL+") || (mg_imap_has_cap(c, "LITERAL-") && m->size <= 4096));
	imap_cmd_raw(k, " %s{%llu%s}", lit8 ? "~" : "", (unsigned long long)m->size, *sync ? "" : "+");
	return 0;
}

static int send_data(mg_imap *c, const mg_imap_append_msg *m, mg_err *err)
{
	int rc = 0;
	if (m->data) {
		rc = mg_sock_write(c->s, m->data, (size_t)m->size, err);
	} else if (m->read) {
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
	} else if (m->size) {
		rc = mg_err_set(err, MGC_INVALIDARG, "AppendNoData", "no message data to append");
	}
	if (rc == 0)
		rc = mg_sock_write(c->s, "\r\n", 2, err);
	if (rc < 0)
		c->dead = true;
	if (c->p.trace) {
		char t[64];
		int n = snprintf(t, sizeof t, "<%llu bytes of message data>", (unsigned long long)m->size);
		imap_trace(c, "C: ", t, (size_t)n);
	}
	return rc;
}

static void fill_result(mg_imap *c, const mg_imap_resp *r, mg_imap_append_result *res)
{
	if (!res)
		return;
	memset(res, 0, sizeof *res);
	res->ok = r->status == MG_IMAP_ST_OK;
	if (r->code && !strcmp(r->code, "APPENDUID") && r->code_args.n >= 2) {
		uint64_t v, u;
		if (!mg_imap_val_u64(&r->code_args.items[0], &v) && !mg_imap_val_u64(&r->code_args.items[1], &u) &&
		    v <= 0xFFFFFFFFu && u <= 0xFFFFFFFFu) {
			res->uidvalidity = (uint32_t)v;
			res->uid = (uint32_t)u;
		}
	}
	if (!res->ok)
		snprintf(res->text, sizeof res->text, "%s", c->last_text);
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
	imap_cmd k;
	bool sync;
	if (build(c, &k, box, m, &sync, err) < 0)
		return -1;
	if (!sync) {
		imap_cmd_raw(&k, "\r\n");
	}
	int rc = imap_guard(c, k.sb.buf, err);
	if (rc == 0) {
		/* send the command line (without adding CRLF twice) */
		char *line = xstrndup(k.sb.buf, strcspn(k.sb.buf, "\r"));
		imap_trace(c, "C: ", line, strlen(line));
		free(line);
		rc = mg_sock_write(c->s, k.sb.buf, k.sb.len, err);
		if (rc == 0 && sync)
			rc = mg_sock_write(c->s, "\r\n", 2, err);
		if (rc < 0)
			c->dead = true;
	}
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
				fill_result(c, r, res);
				return mg_err_set(err, MGC_INVALIDOP, "AppendRefused", "APPEND to \"%s\" refused by %s: %s",
				                  box, c->host, c->last_text);
			}
		}
	}
	if (send_data(c, m, err) < 0)
		return -1;
	if (wait_tag(c, tag, &r, err) < 0)
		return -1;
	fill_result(c, r, res);
	if (r->status != MG_IMAP_ST_OK)
		return mg_err_set(err, MGC_INVALIDOP, "AppendRefused", "APPEND to \"%s\" refused by %s: %s",
		                  box, c->host, c->last_text);
	return 0;
}

int mg_imap_append_many(mg_imap *c, const char *box, const mg_imap_append_msg *msgs,
                        size_t n, mg_imap_append_result *res, mg_err *err)
{
	if (!mg_imap_has_cap(c, "LITERAL+")) {
		for (size_t i = 0; i < n; i++) {
			mg_err e = { 0 };
			if (mg_imap_append(c, box, &msgs[i], &res[i], &e) < 0) {
				if (strcmp(e.id, "AppendRefused") != 0) {
					mg_err_copy(err, &e);
					return -1;
				}
				res[i].ok = false;
			}
		}
		return 0;
	}
	struct { unsigned tag; size_t idx; } fl[APPEND_WINDOW];
	size_t nfl = 0, next = 0;
	while (next < n || nfl) {
		while (nfl < APPEND_WINDOW && next < n) {
			imap_cmd k;
			bool sync;
			memset(&res[next], 0, sizeof res[next]);
			if (build(c, &k, box, &msgs[next], &sync, err) < 0) {
				snprintf(res[next].text, sizeof res[next].text, "%s", err ? err->msg : "invalid message");
				next++;
				continue;
			}
			int rc = imap_guard(c, k.sb.buf, err);
			if (rc == 0) {
				imap_trace(c, "C: ", k.sb.buf, k.sb.len);
				rc = mg_sock_write(c->s, k.sb.buf, k.sb.len, err);
				if (rc == 0)
					rc = mg_sock_write(c->s, "\r\n", 2, err);
			}
			unsigned tag = k.tag;
			imap_cmd_free(&k);
			if (rc < 0 || send_data(c, &msgs[next], err) < 0) {
				c->dead = true;
				return -1;
			}
			fl[nfl].tag = tag;
			fl[nfl].idx = next++;
			nfl++;
		}
		if (!nfl)
			break;
		const mg_imap_resp *r;
		if (imap_read(c, &r, err) < 0)
			return -1;
		if (r->kind == MG_IMAP_R_UNTAGGED)
			continue;
		size_t j = 0;
		unsigned t = r->kind == MG_IMAP_R_TAGGED ? imap_tag_of(r->tag) : 0;
		while (j < nfl && fl[j].tag != t)
			j++;
		if (j == nfl) {
			c->dead = true;
			return mg_err_set(err, MGC_PROTOCOL, "UnexpectedResponse",
			                  "%s sent an unexpected response during APPEND; dropping the connection", c->host);
		}
		imap_save_text(c, r);
		fill_result(c, r, &res[fl[j].idx]);
		fl[j] = fl[--nfl];
	}
	return 0;
}
