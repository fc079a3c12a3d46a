/* mutf7.c - modified UTF-7 mailbox name encoding (RFC 3501 5.1.3) and a UTF-8 validator. */
#include "config.h"
#include "net/mutf7.h"
#include "common/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char b64m[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int b64m_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == ',') return 63;
	return -1;
}

/* Decode one UTF-8 sequence at s; returns its length and *cp, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) { *cp = c; return 1; }
	size_t len; uint32_t v, min;
	if ((c & 0xE0) == 0xC0) { len = 2; v = c & 0x1F; min = 0x80; }
	else if ((c & 0xF0) == 0xE0) { len = 3; v = c & 0x0F; min = 0x800; }
	else if ((c & 0xF8) == 0xF0) { len = 4; v = c & 0x07; min = 0x10000; }
	else return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

bool mg_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		size_t n = utf8_next(p, &cp);
		if (!n)
			return false;
		p += n;
	}
	return true;
}

static void put_utf8(strbuf *sb, uint32_t cp)
{
	char b[4];
	if (cp < 0x80) { strbuf_addc(sb, (char)cp); return; }
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 4);
	}
}

int mg_mutf7_encode(const char *utf8, char **out, mg_err *err)
{
	strbuf sb = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)utf8;
	strbuf_adds(&sb, "");
	while (*p) {
		if (*p >= 0x20 && *p <= 0x7E) {
			if (*p == '&')
				strbuf_adds(&sb, "&-");
			else
				strbuf_addc(&sb, (char)*p);
			p++;
			continue;
		}
		/* a run of characters that need base64 */
		uint32_t bits = 0; int nbits = 0;
		strbuf_addc(&sb, '&');
		while (*p && !(*p >= 0x20 && *p <= 0x7E)) {
			uint32_t cp;
			size_t n = utf8_next(p, &cp);
			if (!n) {
				strbuf_free(&sb);
				return mg_err_set(err, MGC_INVALIDDATA, "InvalidMailboxName",
				                  "mailbox name \"%s\" is not valid UTF-8", utf8);
			}
			p += n;
			uint16_t units[2]; int nu = 0;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				units[nu++] = (uint16_t)(0xD800 | (cp >> 10));
				units[nu++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
			} else {
				units[nu++] = (uint16_t)cp;
			}
			for (int i = 0; i < nu; i++) {
				bits = (bits << 16) | units[i];
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					strbuf_addc(&sb, b64m[(bits >> nbits) & 0x3F]);
				}
				bits &= (1u << nbits) - 1;
			}
		}
		if (nbits > 0)
			strbuf_addc(&sb, b64m[(bits << (6 - nbits)) & 0x3F]);
		strbuf_addc(&sb, '-');
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

static int bad(strbuf *sb, mg_err *err, const char *in, const char *why)
{
	strbuf_free(sb);
	return mg_err_set(err, MGC_INVALIDDATA, "InvalidMailboxName",
	                  "mailbox name \"%s\" is not valid modified UTF-7: %s", in, why);
}

int mg_mutf7_decode(const char *in, char **out, mg_err *err)
{
	strbuf sb = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)in;
	bool after_run = false;   /* a base64 run just ended: another may not follow at once */
	strbuf_adds(&sb, "");
	while (*p) {
		if (*p < 0x20 || *p > 0x7E)
			return bad(&sb, err, in, "8-bit or control character");
		if (*p != '&') {
			strbuf_addc(&sb, (char)*p++);
			after_run = false;
			continue;
		}
		p++;
		if (*p == '-') {
			strbuf_addc(&sb, '&');
			p++;
			after_run = false;
			continue;
		}
		if (after_run)
			return bad(&sb, err, in, "two adjacent base64 runs");
		after_run = true;
		uint32_t bits = 0; int nbits = 0;
		uint32_t hi = 0; /* pending high surrogate */
		bool any = false;
		while (*p && *p != '-') {
			int v = b64m_val(*p);
			if (v < 0)
				return bad(&sb, err, in, "invalid character in a base64 run");
			p++;
			bits = (bits << 6) | (uint32_t)v;
			nbits += 6;
			if (nbits >= 16) {
				nbits -= 16;
				uint32_t u = (bits >> nbits) & 0xFFFF;
				bits &= (1u << nbits) - 1;
				any = true;
				if (hi) {
					if (u < 0xDC00 || u > 0xDFFF)
						return bad(&sb, err, in, "unpaired UTF-16 surrogate");
					put_utf8(&sb, 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00));
					hi = 0;
				} else if (u >= 0xD800 && u <= 0xDBFF) {
					hi = u;
				} else if (u >= 0xDC00 && u <= 0xDFFF) {
					return bad(&sb, err, in, "unpaired UTF-16 surrogate");
				} else if (u >= 0x20 && u <= 0x7E) {
					return bad(&sb, err, in, "printable ASCII encoded in base64");
				} else if (u == 0) {
					return bad(&sb, err, in, "NUL character");
				} else {
					put_utf8(&sb, u);
				}
			}
		}
		if (*p != '-')
			return bad(&sb, err, in, "unterminated base64 run (missing '-')");
		p++;
		if (!any || hi)
			return bad(&sb, err, in, any ? "unpaired UTF-16 surrogate" : "empty base64 run");
		if (nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
			return bad(&sb, err, in, "non-zero padding bits");
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

char *mg_name_escape(const char *s, size_t len)
{
	unsigned char *b = xcalloc(len + 5, 1);   /* zero padding: utf8_next never reads past it */
	memcpy(b, s, len);
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = b[i] ? utf8_next(b + i, &cp) : 0;
		if (n && i + n <= len && cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0)) {
			strbuf_add(&sb, (const char *)b + i, n);
			i += n;
			continue;
		}
		strbuf_addf(&sb, "\\x%02X", b[i] == 0xFF ? 0 : b[i]);   /* 0xFF: the parser's NUL mark */
		i++;
	}
	free(b);
	return strbuf_detach(&sb, NULL);
}
