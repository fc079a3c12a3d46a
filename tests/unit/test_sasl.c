/*
 * test_sasl.c - SASL building blocks: base64, PLAIN (RFC 4616 examples),
 * CRAM-MD5 (RFC 2195 example), NTLMv2 against the MS-NLMP 4.2.4 test vectors,
 * and trace redaction.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/sasl.h"

static void hex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void assert_hex(const uint8_t *got, const char *want, size_t n)
{
	uint8_t w[64];
	hex(want, w, n);
	assert_memory_equal(got, w, n);
}

static void test_base64(void **st)
{
	(void)st;
	const char *cases[][2] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	                           { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *e = mg_b64_encode(cases[i][0], strlen(cases[i][0]));
		assert_string_equal(e, cases[i][1]);
		free(e);
		unsigned char *d; size_t n;
		assert_int_equal(mg_b64_decode(cases[i][1], &d, &n, NULL), 0);
		assert_int_equal(n, strlen(cases[i][0]));
		assert_memory_equal(d, cases[i][0], n);
		free(d);
	}
	unsigned char *d; size_t n;
	assert_int_equal(mg_b64_decode("Zm9", &d, &n, NULL), -1);
	assert_int_equal(mg_b64_decode("Zm9v!A==", &d, &n, NULL), -1);
	assert_int_equal(mg_b64_decode("Z===", &d, &n, NULL), -1);
	assert_int_equal(mg_b64_decode("Zm=v", &d, &n, NULL), -1);
}

static void test_plain(void **st)
{
	(void)st;
	/* RFC 4616 section 4 examples */
	char *s = mg_sasl_plain(NULL, "tim", "tanstaaftanstaaf");
	assert_string_equal(s, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
	mg_sasl_free_secret(s);
	s = mg_sasl_plain("Ursel", "Kurt", "xipj3plmq");
	assert_string_equal(s, "VXJzZWwAS3VydAB4aXBqM3BsbXE=");
	mg_sasl_free_secret(s);
	/* admin acts as user: authzid = user mailbox, authcid = admin */
	s = mg_sasl_plain("user1@example.org", "admin", "pw");
	unsigned char *d; size_t n;
	assert_int_equal(mg_b64_decode(s, &d, &n, NULL), 0);
	assert_int_equal(n, 17 + 1 + 5 + 1 + 2);
	assert_memory_equal(d, "user1@example.org\0admin\0pw", n);
	free(d);
	mg_sasl_free_secret(s);
	/* XOAUTH2 */
	s = mg_sasl_xoauth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
	assert_string_equal(s, "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
	                       "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
	mg_sasl_free_secret(s);
}

static void test_cram_md5(void **st)
{
	(void)st;
	/* RFC 2195 example */
	char *chal = mg_b64_encode("<1896.697170952@postoffice.reston.mci.net>", 42);
	char *out = NULL;
	assert_int_equal(mg_sasl_cram_md5("tim", "tanstaaftanstaaf", chal, &out, NULL), 0);
	assert_string_equal(out, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
	mg_sasl_free_secret(out);
	free(chal);
	assert_int_equal(mg_sasl_cram_md5("tim", "x", "not base64!", &out, NULL), -1);
}

/* MS-NLMP 4.2.4: User "User", domain "Domain", password "Password", server "Server",
 * time 0, client challenge aa*8, server challenge 0123456789abcdef. */
static const char ms_challenge_hex[] =
	"4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef"
	"00000000000000002400240044000000060070170000000f5300650072007600"
	"6500720002000c0044006f006d00610069006e0001000c005300650072007600"
	"6500720000000000";
static const char ms_av_hex[] =
	"02000c0044006f006d00610069006e0001000c00530065007200760065007200"
	"00000000";

static void test_ntlm_vectors(void **st)
{
	(void)st;
	uint8_t nt[16], v2[16], proof[16];
	mg_ntlm_nt_hash("", nt);
	assert_hex(nt, "31d6cfe0d16ae931b73c59d7e0c089c0", 16);     /* MD4("") */
	mg_ntlm_nt_hash("Password", nt);
	assert_hex(nt, "a4f49c406510bdcab6824ee7c30fd852", 16);     /* MS-NLMP 4.2.2.1.2 */
	mg_ntlm_v2_hash(nt, "User", "Domain", v2);
	assert_hex(v2, "0c868a403bfd7a93a3001ef22ef02e3f", 16);     /* MS-NLMP 4.2.4.1.1 */

	uint8_t av[36], schal[8], cc[8];
	hex(ms_av_hex, av, sizeof av);
	hex("0123456789abcdef", schal, 8);
	memset(cc, 0xaa, 8);
	uint8_t *temp; size_t tl;
	mg_ntlm_v2_temp(0, cc, av, sizeof av, &temp, &tl);
	mg_ntlm_v2_proof(v2, schal, temp, tl, proof);
	assert_hex(proof, "68cd0ab851e51c96aabc927bebef6a1c", 16);  /* MS-NLMP 4.2.4.2.2 NTProofStr */
	free(temp);

	/* the complete type 3 message from the spec's type 2 message */
	uint8_t chal[sizeof ms_challenge_hex / 2];
	hex(ms_challenge_hex, chal, sizeof chal);
	char *chal_b64 = mg_b64_encode(chal, sizeof chal);
	char *t3 = NULL;
	assert_int_equal(mg_ntlm_authenticate("User", "Domain", "Password", "COMPUTER", chal_b64, cc, 0, &t3, NULL), 0);
	unsigned char *m; size_t n;
	assert_int_equal(mg_b64_decode(t3, &m, &n, NULL), 0);
	assert_memory_equal(m, "NTLMSSP\0\3\0\0\0", 12);
	/* LmChallengeResponse: LMv2 (MS-NLMP 4.2.4.2.1) */
	unsigned lm_len = m[12] | m[13] << 8, lm_off = m[16] | m[17] << 8;
	assert_int_equal(lm_len, 24);
	assert_hex(m + lm_off, "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa", 24);
	/* NtChallengeResponse starts with NTProofStr */
	unsigned nt_len = m[20] | m[21] << 8, nt_off = m[24] | m[25] << 8;
	assert_int_equal(nt_len, 16 + 28 + sizeof av + 4);
	assert_hex(m + nt_off, "68cd0ab851e51c96aabc927bebef6a1c", 16);
	/* user name in UTF-16LE */
	unsigned u_len = m[36] | m[37] << 8, u_off = m[40] | m[41] << 8;
	assert_int_equal(u_len, 8);
	assert_memory_equal(m + u_off, "U\0s\0e\0r\0", 8);
	free(m);
	mg_sasl_free_secret(t3);
	free(chal_b64);

	/* the type 1 message */
	char *t1 = mg_ntlm_negotiate();
	assert_int_equal(mg_b64_decode(t1, &m, &n, NULL), 0);
	assert_memory_equal(m, "NTLMSSP\0\1\0\0\0", 12);
	free(m);
	free(t1);
	/* garbage challenge */
	char *g = mg_b64_encode("hello world, not ntlm at all", 28);
	assert_int_equal(mg_ntlm_authenticate("u", "d", "p", NULL, g, NULL, MG_NTLM_TIME_NOW, &t3, NULL), -1);
	free(g);
}

static void redact(const char *in, bool auth, const char *want)
{
	char *r = mg_trace_redact_client(in, auth);
	assert_string_equal(r, want);
	free(r);
}

static void test_redaction(void **st)
{
	(void)st;
	redact("a1 LOGIN user1 Test-Pass-123", false, "a1 LOGIN <redacted>");
	redact("a1 login \"user*mailadmin\" \"p w\"", false, "a1 login <redacted>");
	redact("a2 AUTHENTICATE PLAIN AHVzZXIxAFRlc3QtUGFzcy0xMjM=", false, "a2 AUTHENTICATE PLAIN <redacted>");
	redact("a2 AUTHENTICATE NTLM", false, "a2 AUTHENTICATE NTLM");
	redact("a3 EXAMINE INBOX", false, "a3 EXAMINE INBOX");
	redact("AHVzZXIxAFRlc3QtUGFzcy0xMjM=", true, "<redacted>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_cram_md5),
		cmocka_unit_test(test_ntlm_vectors),
		cmocka_unit_test(test_redaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
