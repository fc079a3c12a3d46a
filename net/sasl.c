/* sasl.c - SASL mechanisms (PLAIN, CRAM-MD5, XOAUTH2, NTLMv2), base64 and trace redaction. */
#include "config.h"
#include "net/sasl.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* ---------- base64 ---------- */
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *mg_b64_encode(const void *data, size_t n)
{
	const unsigned char *p = data;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64[v >> 18]; *o++ = b64[(v >> 12) & 63]; *o++ = b64[(v >> 6) & 63]; *o++ = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = b64[v >> 18]; *o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = 0;
	return out;
}

static int b64v(char c)
{
	const char *q = c ? strchr(b64, c) : NULL;
	return q ? (int)(q - b64) : -1;
}

int mg_b64_decode(const char *s, unsigned char **out, size_t *n, mg_err *err)
{
	size_t len = strlen(s);
	if (len % 4)
		return mg_err_set(err, MGC_PROTOCOL, "InvalidBase64", "invalid base64 data (length %zu)", len);
	unsigned char *buf = xmalloc(len / 4 * 3 + 1);
	size_t k = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		for (int j = 0; j < 4; j++) {
			char c = s[i + j];
			if (c == '=' && i + 4 == len && j >= 2 && (j == 3 || s[i + 3] == '='))
				v[j] = -2;
			else if ((v[j] = b64v(c)) < 0) {
				free(buf);
				return mg_err_set(err, MGC_PROTOCOL, "InvalidBase64", "invalid base64 data");
			}
		}
		buf[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0) buf[k++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0) {
			if (v[2] < 0) { free(buf); return mg_err_set(err, MGC_PROTOCOL, "InvalidBase64", "invalid base64 padding"); }
			buf[k++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		}
	}
	buf[k] = 0;
	*out = buf;
	*n = k;
	return 0;
}

void mg_sasl_free_secret(char *s)
{
	if (s) {
		mg_wipe(s, strlen(s));
		free(s);
	}
}

/* ---------- PLAIN, XOAUTH2, CRAM-MD5 ---------- */
char *mg_sasl_plain(const char *authzid, const char *authcid, const char *password)
{
	strbuf sb = STRBUF_INIT;
	if (authzid)
		strbuf_adds(&sb, authzid);
	strbuf_addc(&sb, 0);
	strbuf_adds(&sb, authcid ? authcid : "");
	strbuf_addc(&sb, 0);
	strbuf_adds(&sb, password ? password : "");
	char *r = mg_b64_encode(sb.buf, sb.len);
	strbuf_free_secret(&sb);
	return r;
}

char *mg_sasl_xoauth2(const char *user, const char *token)
{
	strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "user=%s\001auth=Bearer %s\001\001", user ? user : "", token ? token : "");
	char *r = mg_b64_encode(sb.buf, sb.len);
	strbuf_free_secret(&sb);
	return r;
}

static void hmac_md5(const void *key, size_t klen, const void *d1, size_t n1,
                     const void *d2, size_t n2, uint8_t out[16])
{
	/* HMAC over d1 || d2 */
	unsigned char *tmp = xmalloc(n1 + n2 + 1);
	if (n1) memcpy(tmp, d1, n1);
	if (n2) memcpy(tmp + n1, d2, n2);
	unsigned int olen = 16;
	HMAC(EVP_md5(), key, (int)klen, tmp, n1 + n2, out, &olen);
	mg_wipe(tmp, n1 + n2);
	free(tmp);
}

int mg_sasl_cram_md5(const char *user, const char *password, const char *challenge_b64,
                     char **out, mg_err *err)
{
	unsigned char *chal; size_t clen;
	if (mg_b64_decode(challenge_b64, &chal, &clen, err) < 0)
		return mg_err_prefix(err, "CRAM-MD5 challenge");
	uint8_t mac[16];
	hmac_md5(password, strlen(password), chal, clen, NULL, 0, mac);
	free(chal);
	strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s ", user);
	for (int i = 0; i < 16; i++)
		strbuf_addf(&sb, "%02x", mac[i]);
	*out = mg_b64_encode(sb.buf, sb.len);
	strbuf_free_secret(&sb);
	mg_wipe(mac, sizeof mac);
	return 0;
}

/* ---------- MD4 (RFC 1320); OpenSSL 3 only has it in the legacy provider ---------- */
#define MD4_F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define MD4_G(x, y, z) (((x) & (y)) | ((x) & (z)) | ((y) & (z)))
#define MD4_H(x, y, z) ((x) ^ (y) ^ (z))
#define ROTL(x, s) (((x) << (s)) | ((x) >> (32 - (s))))

static void md4_block(uint32_t st[4], const unsigned char *blk)
{
	uint32_t x[16], a = st[0], b = st[1], c = st[2], d = st[3];
	for (int i = 0; i < 16; i++)
		x[i] = (uint32_t)blk[4 * i] | (uint32_t)blk[4 * i + 1] << 8 |
		       (uint32_t)blk[4 * i + 2] << 16 | (uint32_t)blk[4 * i + 3] << 24;
	static const int r1[4] = { 3, 7, 11, 19 }, r2[4] = { 3, 5, 9, 13 }, r3[4] = { 3, 9, 11, 15 };
	static const int o3[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 };
	for (int i = 0; i < 16; i++) {
		uint32_t t = a + MD4_F(b, c, d) + x[i];
		t = ROTL(t, r1[i % 4]);
		a = d; d = c; c = b; b = t;
	}
	for (int i = 0; i < 16; i++) {
		int k = (i % 4) * 4 + i / 4;
		uint32_t t = a + MD4_G(b, c, d) + x[k] + 0x5A827999u;
		t = ROTL(t, r2[i % 4]);
		a = d; d = c; c = b; b = t;
	}
	for (int i = 0; i < 16; i++) {
		uint32_t t = a + MD4_H(b, c, d) + x[o3[i]] + 0x6ED9EBA1u;
		t = ROTL(t, r3[i % 4]);
		a = d; d = c; c = b; b = t;
	}
	st[0] += a; st[1] += b; st[2] += c; st[3] += d;
}

static void md4(const unsigned char *data, size_t n, uint8_t out[16])
{
	uint32_t st[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u };
	size_t i = 0;
	for (; i + 64 <= n; i += 64)
		md4_block(st, data + i);
	unsigned char tail[128] = { 0 };
	size_t rem = n - i;
	memcpy(tail, data + i, rem);
	tail[rem] = 0x80;
	size_t tl = rem + 1 + 8 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++)
		tail[tl - 8 + k] = (unsigned char)(bits >> (8 * k));
	md4_block(st, tail);
	if (tl == 128)
		md4_block(st, tail + 64);
	for (int k = 0; k < 4; k++)
		for (int j = 0; j < 4; j++)
			out[4 * k + j] = (uint8_t)(st[k] >> (8 * j));
	mg_wipe(tail, sizeof tail);
}

/* ---------- NTLM ---------- */
/* UTF-8 -> UTF-16LE (BMP + surrogates); invalid bytes become U+FFFD. */
static void utf16le(strbuf *sb, const char *s, bool upper)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp = 0xFFFD; size_t n = 1;
		if (*p < 0x80) cp = upper ? (uint32_t)toupper(*p) : *p;
		else if ((*p & 0xE0) == 0xC0 && p[1]) { cp = (uint32_t)(*p & 0x1F) << 6 | (p[1] & 0x3F); n = 2; }
		else if ((*p & 0xF0) == 0xE0 && p[1] && p[2]) { cp = (uint32_t)(*p & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F); n = 3; }
		else if ((*p & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
			cp = (uint32_t)(*p & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F); n = 4;
		}
		p += n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			uint16_t h = (uint16_t)(0xD800 | (cp >> 10)), l = (uint16_t)(0xDC00 | (cp & 0x3FF));
			strbuf_addc(sb, (char)(h & 0xFF)); strbuf_addc(sb, (char)(h >> 8));
			strbuf_addc(sb, (char)(l & 0xFF)); strbuf_addc(sb, (char)(l >> 8));
		} else {
			strbuf_addc(sb, (char)(cp & 0xFF)); strbuf_addc(sb, (char)(cp >> 8));
		}
	}
}

void mg_ntlm_nt_hash(const char *password, uint8_t out[16])
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	utf16le(&sb, password, false);
	md4((const unsigned char *)sb.buf, sb.len, out);
	strbuf_free_secret(&sb);
}

void mg_ntlm_v2_hash(const uint8_t nt_hash[16], const char *user, const char *domain, uint8_t out[16])
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	utf16le(&sb, user, true);
	utf16le(&sb, domain ? domain : "", false);
	hmac_md5(nt_hash, 16, sb.buf, sb.len, NULL, 0, out);
	strbuf_free(&sb);
}

void mg_ntlm_v2_proof(const uint8_t v2hash[16], const uint8_t server_challenge[8],
                      const uint8_t *temp, size_t temp_len, uint8_t out[16])
{
	hmac_md5(v2hash, 16, server_challenge, 8, temp, temp_len, out);
}

void mg_ntlm_v2_temp(uint64_t timestamp, const uint8_t client_challenge[8],
                     const uint8_t *target_info, size_t ti_len, uint8_t **out, size_t *out_len)
{
	size_t n = 28 + ti_len + 4;
	uint8_t *t = xcalloc(1, n);
	t[0] = 1; t[1] = 1;
	for (int i = 0; i < 8; i++)
		t[8 + i] = (uint8_t)(timestamp >> (8 * i));
	memcpy(t + 16, client_challenge, 8);
	if (ti_len)
		memcpy(t + 28, target_info, ti_len);
	*out = t;
	*out_len = n;
}

#define NTLMSSP_NEGOTIATE_UNICODE     0x00000001u
#define NTLMSSP_REQUEST_TARGET        0x00000004u
#define NTLMSSP_NEGOTIATE_NTLM        0x00000200u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN 0x00008000u
#define NTLMSSP_NEGOTIATE_EXT_SEC     0x00080000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO 0x00800000u

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }

char *mg_ntlm_negotiate(void)
{
	uint8_t m[32] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };
	put32(m + 8, 1);
	put32(m + 12, NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |
	              NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXT_SEC);
	/* empty domain and workstation security buffers (offset 32) */
	put32(m + 20, 32);
	put32(m + 28, 32);
	return mg_b64_encode(m, sizeof m);
}

static void secbuf(uint8_t *hdr, strbuf *payload, size_t base, const void *data, size_t n)
{
	put16(hdr, (uint32_t)n);
	put16(hdr + 2, (uint32_t)n);
	put32(hdr + 4, (uint32_t)(base + payload->len));
	strbuf_add(payload, data, n);
}

int mg_ntlm_authenticate(const char *user, const char *domain, const char *password,
                         const char *workstation, const char *type2_b64,
                         const uint8_t *client_challenge, uint64_t timestamp,
                         char **out, mg_err *err)
{
	unsigned char *t2; size_t n2;
	if (mg_b64_decode(type2_b64, &t2, &n2, err) < 0)
		return mg_err_prefix(err, "NTLM challenge from the server");
	if (n2 < 32 || memcmp(t2, "NTLMSSP\0", 8) != 0 || get32(t2 + 8) != 2) {
		free(t2);
		return mg_err_set(err, MGC_PROTOCOL, "NtlmBadChallenge",
		                  "the server's NTLM challenge is not a valid type 2 message");
	}
	uint32_t flags = get32(t2 + 20);
	uint8_t schal[8];
	memcpy(schal, t2 + 24, 8);
	const uint8_t *ti = NULL; size_t tilen = 0;
	if (n2 >= 48) {
		uint32_t l = get16(t2 + 40), off = get32(t2 + 44);
		if (l && (size_t)off + l <= n2) { ti = t2 + off; tilen = l; }
	}
	uint8_t cc[8];
	if (client_challenge) memcpy(cc, client_challenge, 8);
	else RAND_bytes(cc, 8);
	if (timestamp == MG_NTLM_TIME_NOW) {
		timestamp = ((uint64_t)time(NULL) + 11644473600ULL) * 10000000ULL;
		/* prefer the server's MsvAvTimestamp (AvId 7) */
		for (size_t off = 0; ti && off + 4 <= tilen;) {
			uint32_t id = get16(ti + off), l = get16(ti + off + 2);
			if (id == 0 || off + 4 + l > tilen)
				break;
			if (id == 7 && l == 8) {
				timestamp = 0;
				for (int k = 7; k >= 0; k--)
					timestamp = timestamp << 8 | ti[off + 4 + k];
			}
			off += 4 + l;
		}
	}

	uint8_t nth[16], v2[16], proof[16], lm[24];
	mg_ntlm_nt_hash(password, nth);
	mg_ntlm_v2_hash(nth, user, domain, v2);
	uint8_t *temp; size_t templen;
	mg_ntlm_v2_temp(timestamp, cc, ti, tilen, &temp, &templen);
	mg_ntlm_v2_proof(v2, schal, temp, templen, proof);
	hmac_md5(v2, 16, schal, 8, cc, 8, lm);
	memcpy(lm + 16, cc, 8);

	strbuf ntresp = STRBUF_INIT;
	strbuf_add(&ntresp, proof, 16);
	strbuf_add(&ntresp, temp, templen);

	strbuf u_dom = STRBUF_INIT, u_user = STRBUF_INIT, u_ws = STRBUF_INIT;
	strbuf_adds(&u_dom, ""); strbuf_adds(&u_user, ""); strbuf_adds(&u_ws, "");
	utf16le(&u_dom, domain ? domain : "", false);
	utf16le(&u_user, user, false);
	utf16le(&u_ws, workstation ? workstation : "", false);

	uint8_t hdr[64] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };
	put32(hdr + 8, 3);
	strbuf pl = STRBUF_INIT;
	strbuf_adds(&pl, "");
	secbuf(hdr + 12, &pl, 64, lm, 24);
	secbuf(hdr + 20, &pl, 64, ntresp.buf, ntresp.len);
	secbuf(hdr + 28, &pl, 64, u_dom.buf, u_dom.len);
	secbuf(hdr + 36, &pl, 64, u_user.buf, u_user.len);
	secbuf(hdr + 44, &pl, 64, u_ws.buf, u_ws.len);
	secbuf(hdr + 52, &pl, 64, "", 0);
	uint32_t oflags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
	                  (flags & (NTLMSSP_NEGOTIATE_EXT_SEC | NTLMSSP_NEGOTIATE_TARGET_INFO));
	put32(hdr + 60, oflags);

	strbuf msg = STRBUF_INIT;
	strbuf_add(&msg, hdr, 64);
	strbuf_add(&msg, pl.buf, pl.len);
	*out = mg_b64_encode(msg.buf, msg.len);

	mg_wipe(nth, 16); mg_wipe(v2, 16);
	free(temp); free(t2);
	strbuf_free(&ntresp); strbuf_free(&u_dom); strbuf_free(&u_user); strbuf_free(&u_ws);
	strbuf_free(&pl); strbuf_free(&msg);
	return 0;
}

/* ---------- trace redaction ---------- */
char *mg_trace_redact_client(const char *line, bool in_auth)
{
	if (in_auth)
		return xstrdup("<redacted>");
	const char *sp = strchr(line, ' ');
	if (!sp)
		return xstrdup(line);
	const char *cmd = sp + 1;
	const char *sp2 = strchr(cmd, ' ');
	size_t clen = sp2 ? (size_t)(sp2 - cmd) : strlen(cmd);
	if (clen == 5 && str_iprefix(cmd, "LOGIN"))
		return sp2 ? xasprintf("%.*s <redacted>", (int)(sp2 - line), line) : xstrdup(line);
	if (clen == 12 && str_iprefix(cmd, "AUTHENTICATE") && sp2) {
		const char *sp3 = strchr(sp2 + 1, ' ');
		if (sp3)
			return xasprintf("%.*s <redacted>", (int)(sp3 - line), line);
	}
	return xstrdup(line);
}
