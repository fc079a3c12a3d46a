/* msggen.c - the bytes of one generated message (see msggen.h for the kinds). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/corpus/msggen.h"
#include "tests/corpus/textgen.h"

static const char *const kind_names[] = {
	"plain", "multipart", "exact", "empty", "header-only", "bare-cr", "no-msgid",
	"dup-msgid", "8bit-body", "8bit-header", "rfc2047", "crlf", "long-line", "nul",
};

const char *cg_kind_name(cg_kind k)
{
	return (size_t)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

static const char *const senders[] = {
	"Alice Example <alice@example.org>", "Bob Sender <bob@example.net>",
	"\"Carol, Accounts\" <carol@accounts.example.com>", "dave@example.org",
	"Newsletter <news@lists.example.net>",
};
static const int zones[] = { 0, 60, 120, -300, -480, 330, 600 };

static void add_common_headers(strbuf *sb, cg_rng *r, const char *user, int64_t date,
                               const char *msgid, int with_from)
{
	char d[64], rd[64];
	int tz = zones[cg_rng_below(r, sizeof zones / sizeof zones[0])];

	cg_format_date(rd, sizeof rd, date, 0);
	cg_format_date(d, sizeof d, date - (int64_t)cg_rng_range(r, 5, 3600), tz);
	strbuf_addf(sb, "Return-Path: <bounce@example.org>\n"
	                "Received: from mx.example.org (mx.example.org [192.0.2.25])\n"
	                "\tby imap.example.com with ESMTPS; %s\n", rd);
	if (with_from)
		strbuf_addf(sb, "From: %s\n", senders[cg_rng_below(r, sizeof senders / sizeof senders[0])]);
	strbuf_addf(sb, "To: %s <%s@example.com>\nDate: %s\n", user, user, d);
	if (msgid && *msgid)
		strbuf_addf(sb, "Message-ID: %s\n", msgid);
}

static void add_subject(strbuf *sb, cg_rng *r)
{
	strbuf_adds(sb, "Subject: ");
	cg_add_phrase(sb, r, (unsigned)cg_rng_range(r, 2, 7));
	strbuf_addc(sb, '\n');
}

static void text_headers(strbuf *sb)
{
	strbuf_adds(sb, "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n"
	                "Content-Transfer-Encoding: 7bit\n\n");
}

/* multipart/mixed: a text part (text_bytes of words, plus `pad` extra IMAP
 * bytes), and an attachment of att_bytes random bytes in base64. */
static void add_multipart(strbuf *sb, cg_rng *r, size_t text_bytes, size_t att_bytes,
                          size_t pad, uint64_t tag)
{
	static const char *const names[][2] = {
		{ "report.pdf", "application/pdf" }, { "photo.jpg", "image/jpeg" },
		{ "data.zip", "application/zip" }, { "notes.bin", "application/octet-stream" },
	};
	size_t which = (size_t)cg_rng_below(r, 4);
	unsigned char *att = xmalloc(att_bytes ? att_bytes : 1);
	char boundary[64];

	snprintf(boundary, sizeof boundary, "=_migsh_%016llx", (unsigned long long)tag);
	strbuf_addf(sb, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"%s\"\n\n"
	                "This is a multi-part message in MIME format.\n\n--%s\n"
	                "Content-Type: text/plain; charset=us-ascii\n\n", boundary, boundary);
	cg_add_words(sb, r, text_bytes);
	/* pad: each full line "x...x\n" adds len+2 IMAP bytes; the rest extends
	 * the last line one byte at a time. */
	static const char padline[] = "padding padding padding padding padding padding padding padding";
	const size_t padlen = sizeof padline - 1;   /* a line costs padlen + 2 IMAP bytes */

	while (pad >= padlen + 4) {
		strbuf_add(sb, padline, padlen);
		strbuf_addc(sb, '\n');
		pad -= padlen + 2;
	}
	if (pad) {
		sb->len--;                      /* drop the final LF, extend, restore */
		for (; pad; pad--)
			strbuf_addc(sb, '.');
		strbuf_addc(sb, '\n');
	}
	strbuf_addf(sb, "\n--%s\nContent-Type: %s; name=\"%s\"\nContent-Transfer-Encoding: base64\n"
	                "Content-Disposition: attachment; filename=\"%s\"\n\n",
	            boundary, names[which][1], names[which][0], names[which][0]);
	cg_rng_bytes(r, att, att_bytes);
	cg_add_base64(sb, att, att_bytes);
	strbuf_addf(sb, "\n--%s--\n", boundary);
	free(att);
}

static void build_exact(cg_msg *m, cg_rng *r, size_t size, const char *user, int64_t date,
                        uint64_t tag)
{
	cg_rng save = *r;
	size_t att = size > 4096 ? (size - 3072) * 100 / 137 : 0;
	size_t v;

	/* First pass without padding, to measure; then rebuild with the same
	 * random choices and exactly the missing bytes as padding. */
	for (int pass = 0; pass < 2; pass++) {
		size_t pad = 0;

		if (pass == 1) {
			v = cg_vsize(m->data.buf, m->data.len);
			pad = v < size ? size - v : 0;
			*r = save;
		}
		strbuf_reset(&m->data);
		add_common_headers(&m->data, r, user, date, m->msgid, 1);
		strbuf_adds(&m->data, "Subject: large item ");
		strbuf_addf(&m->data, "%zu bytes\n", size);
		add_multipart(&m->data, r, 600, att, pad, tag);
	}
}

void cg_build(cg_msg *m, cg_rng *r, cg_kind kind, size_t size, const char *user,
              uint64_t user_hash, unsigned uid_hint, int64_t date)
{
	strbuf *sb = &m->data;
	uint64_t tag = user_hash ^ ((uint64_t)uid_hint << 32) ^ cg_rng_next(r);

	strbuf_reset(sb);
	if (!sb->buf)
		strbuf_grow(sb, 1);
	sb->buf[0] = '\0';
	snprintf(m->msgid, sizeof m->msgid, "<%016llx.%u@corpus.migsh.test>",
	         (unsigned long long)tag, uid_hint);

	switch (kind) {
	case CG_EMPTY:
		m->msgid[0] = '\0';
		return;
	case CG_HEADER_ONLY:
		add_common_headers(sb, r, user, date, m->msgid, 1);
		strbuf_adds(sb, "Subject: header only, no blank line and no body\n");
		return;
	case CG_NO_MSGID:
		m->msgid[0] = '\0';
		add_common_headers(sb, r, user, date, NULL, 1);
		strbuf_adds(sb, "Subject: a message without Message-ID\n");
		text_headers(sb);
		cg_add_words(sb, r, size ? size : 400);
		return;
	case CG_DUP_MSGID:
		snprintf(m->msgid, sizeof m->msgid, "<duplicate.%016llx@corpus.migsh.test>",
		         (unsigned long long)user_hash);
		add_common_headers(sb, r, user, date, m->msgid, 1);
		strbuf_addf(sb, "Subject: same Message-ID as others, copy %u\n", uid_hint);
		text_headers(sb);
		cg_add_words(sb, r, size ? size : 300);
		return;
	case CG_BARE_CR:
		add_common_headers(sb, r, user, date, m->msgid, 1);
		strbuf_adds(sb, "Subject: bare CR bytes in the body\n");
		text_headers(sb);
		strbuf_adds(sb, "line one\rstill line one after a bare CR\n"
		                "progress 10%\rprogress 50%\rprogress 100%\n\r\nend\n");
		return;
	case CG_8BIT_BODY:
		add_common_headers(sb, r, user, date, m->msgid, 1);
		strbuf_adds(sb, "Subject: 8-bit body\nMIME-Version: 1.0\n"
		                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
		                "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln! Stra\xc3\x9f" "e, \xc3\xa9t\xc3\xa9, "
		                "\xe2\x82\xac 42, \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e, \xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n");
		cg_add_words(sb, r, size ? size : 500);
		return;
	case CG_8BIT_HEADER:
		add_common_headers(sb, r, user, date, m->msgid, 0);
		strbuf_adds(sb, "From: J\xc3\xb6rg M\xc3\xbcller <joerg@example.de>\n"
		                "Subject: Rohe 8-Bit-Kopfzeile: \xc3\x84nderung f\xc3\xbcr M\xc3\xa4rz\n");
		text_headers(sb);
		cg_add_words(sb, r, size ? size : 300);
		return;
	case CG_RFC2047:
		add_common_headers(sb, r, user, date, m->msgid, 0);
		strbuf_adds(sb, "From: ");
		cg_add_2047_q(sb, "ISO-8859-1", "J\xf6rg M\xfcller");
		strbuf_adds(sb, " <joerg@example.de>\nSubject: ");
		cg_add_2047_b(sb, "\xc3\x9c" "bersicht: Entw\xc3\xbcrfe f\xc3\xbcr 2019 \xe2\x80\x93 \xe2\x82\xac");
		strbuf_adds(sb, "\n ");
		cg_add_2047_b(sb, " und \xc3\xa9t\xc3\xa9");
		strbuf_addc(sb, '\n');
		text_headers(sb);
		cg_add_words(sb, r, size ? size : 300);
		return;
	case CG_CRLF: {
		strbuf tmp = STRBUF_INIT;

		add_common_headers(&tmp, r, user, date, m->msgid, 1);
		strbuf_adds(&tmp, "Subject: stored with CRLF line ends\n");
		text_headers(&tmp);
		cg_add_words(&tmp, r, size ? size : 400);
		for (size_t i = 0; i < tmp.len; i++) {
			if (tmp.buf[i] == '\n')
				strbuf_addc(sb, '\r');
			strbuf_addc(sb, tmp.buf[i]);
		}
		strbuf_free(&tmp);
		return;
	}
	case CG_LONG_LINE:
		add_common_headers(sb, r, user, date, m->msgid, 1);
		strbuf_adds(sb, "Subject: one very long line\n");
		text_headers(sb);
		for (int i = 0; i < 500; i++)
			strbuf_adds(sb, "0123456789");
		strbuf_addc(sb, '\n');
		return;
	case CG_NUL:
		add_common_headers(sb, r, user, date, m->msgid, 1);
		strbuf_adds(sb, "Subject: NUL bytes in the body\nMIME-Version: 1.0\n"
		                "Content-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n");
		strbuf_add(sb, "before\0between\0\0after\n", 23);
		return;
	case CG_MULTIPART:
		add_common_headers(sb, r, user, date, m->msgid, 1);
		add_subject(sb, r);
		add_multipart(sb, r, (size_t)cg_rng_range(r, 200, 3000), size, 0, tag);
		return;
	case CG_EXACT:
		build_exact(m, r, size, user, date, tag);
		return;
	case CG_PLAIN:
	default:
		add_common_headers(sb, r, user, date, m->msgid, 1);
		add_subject(sb, r);
		text_headers(sb);
		cg_add_words(sb, r, size > 600 ? size - 600 : 50);
		return;
	}
}
