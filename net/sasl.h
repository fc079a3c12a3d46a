/*
 * sasl.h - SASL client mechanisms for IMAP AUTHENTICATE (PLAIN, CRAM-MD5,
 * XOAUTH2, NTLM with NTLMv2 responses), base64, and the protocol trace
 * redactor.
 *
 * Returned strings that carry secrets are malloc'd; free them with
 * mg_sasl_free_secret() so they are wiped first.
 */
#ifndef MIGSH_NET_SASL_H
#define MIGSH_NET_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

/* --- base64 (RFC 4648, padded, no line breaks) --- */
char *mg_b64_encode(const void *data, size_t n);
/* Decodes; ignores nothing (whitespace is an error).  *out malloc'd (NUL-terminated too). */
int mg_b64_decode(const char *s, unsigned char **out, size_t *n, mg_err *err);

void mg_sasl_free_secret(char *s);

/* PLAIN (RFC 4616): base64(authzid NUL authcid NUL password).  authzid may be NULL/"". */
char *mg_sasl_plain(const char *authzid, const char *authcid, const char *password);

/* CRAM-MD5 (RFC 2195): base64("user " hex(HMAC-MD5(password, challenge))).
 * challenge_b64 is the server's continuation text. */
int mg_sasl_cram_md5(const char *user, const char *password, const char *challenge_b64,
                     char **out, mg_err *err);

/* XOAUTH2: base64("user=" user "\1auth=Bearer " token "\1\1"). */
char *mg_sasl_xoauth2(const char *user, const char *token);

/* --- NTLM (MS-NLMP) --- */
/* Type 1 (NEGOTIATE) message, base64. */
char *mg_ntlm_negotiate(void);

/* Type 3 (AUTHENTICATE) message with an NTLMv2 response, base64, from the
 * server's type 2 (CHALLENGE) message in base64.  client_challenge (8 bytes)
 * and timestamp (Windows FILETIME) are for tests: pass NULL and
 * MG_NTLM_TIME_NOW for a random challenge and the server's MsvAvTimestamp
 * (or the current time when the server sent none). */
#define MG_NTLM_TIME_NOW UINT64_MAX
int mg_ntlm_authenticate(const char *user, const char *domain, const char *password,
                         const char *workstation, const char *type2_b64,
                         const uint8_t *client_challenge, uint64_t timestamp,
                         char **out, mg_err *err);

/* Building blocks, exposed for the MS-NLMP 4.2.4 test vectors. */
void mg_ntlm_nt_hash(const char *password, uint8_t out[16]);              /* MD4(UTF-16LE(password)) */
void mg_ntlm_v2_hash(const uint8_t nt_hash[16], const char *user, const char *domain,
                     uint8_t out[16]);                                      /* HMAC-MD5(NT, UTF16(UPPER(user) domain)) */
/* NTProofStr = HMAC-MD5(v2hash, server_challenge || temp) where temp is the
 * NTLMv2 client blob (0x01 0x01 ... timestamp, client challenge, av pairs). */
void mg_ntlm_v2_proof(const uint8_t v2hash[16], const uint8_t server_challenge[8],
                      const uint8_t *temp, size_t temp_len, uint8_t out[16]);
/* The NTLMv2 "temp" blob; *out malloc'd. */
void mg_ntlm_v2_temp(uint64_t timestamp, const uint8_t client_challenge[8],
                     const uint8_t *target_info, size_t ti_len, uint8_t **out, size_t *out_len);

/* --- trace redaction --- */
/* Given one client line (without CRLF) return the line to show in a trace
 * (malloc'd): LOGIN arguments and AUTHENTICATE initial responses become
 * "<redacted>".  When in_auth is true (the line answers an AUTHENTICATE
 * continuation) the whole payload is "<redacted>". */
char *mg_trace_redact_client(const char *line, bool in_auth);

#endif
