/* ossl_lazy.c - OpenSSL, loaded the first time it is called.
 *
 * Why: most migsh commands never open a connection or hash a message
 * (Get-MigrationUser, Get-MigrationBatch, Set-..., a watch loop calling
 * them every few seconds), yet linking libssl and libcrypto made every
 * process pay for loading them: about 4,000 symbol bindings (Debian builds
 * both libraries with immediate binding) and 140 page faults, a third of
 * the start-up of `migsh -c`, measured with callgrind and /usr/bin/time
 * (bench/RESULTS.md, "Start-up").  So migsh is not linked against them:
 * this file defines each OpenSSL function migsh calls, under its own name
 * and with the prototype from OpenSSL's headers (the compiler checks each
 * one against the header), and the first call opens libssl (which brings
 * libcrypto) with dlopen and forwards to the real function.
 *
 * The list below is exactly what the linker asked for when the program was
 * linked without OpenSSL: a call to a function missing here fails to link,
 * never at run time.  Macros in OpenSSL's headers (SSL_set_mode, ...)
 * expand to the functions listed (SSL_ctrl, ...).
 *
 * State: each function keeps the address dlsym gave it, in a static atomic
 * pointer written once.  That is the table the dynamic linker would have
 * filled at start-up (a GOT entry), not program state: it never changes
 * once set, is the same for every session and thread, and two threads that
 * race on the first call store the same value.
 *
 * A machine without the library (the libssl3 package) gets a message naming
 * it and exit status 127 at the first TLS connection or message hash, where
 * before it could not start migsh at all. */
#include "config.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#define OSSL_STR2(x) #x
#define OSSL_STR(x) OSSL_STR2(x)
/* the run-time name of the library these headers describe: libssl.so.3 */
#define OSSL_LIBSSL "libssl.so." OSSL_STR(OPENSSL_SHLIB_VERSION)

static void *ossl_handle(void)
{
	static _Atomic(void *) handle;
	void *h = atomic_load_explicit(&handle, memory_order_acquire);
	if (h)
		return h;
	/* RTLD_LOCAL: OpenSSL's names stay out of the global scope, where the
	 * functions of this file already hold them */
	h = dlopen(OSSL_LIBSSL, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		fprintf(stderr, "migsh: cannot load OpenSSL (%s): %s. Install the libssl%s package.\n",
		        OSSL_LIBSSL, why ? why : "not found", OSSL_STR(OPENSSL_SHLIB_VERSION));
		_exit(127);
	}
	atomic_store_explicit(&handle, h, memory_order_release);
	return h;
}

static void *ossl_sym(_Atomic(void *) *slot, const char *name)
{
	void *f = atomic_load_explicit(slot, memory_order_acquire);
	if (f)
		return f;
	f = dlsym(ossl_handle(), name);
	if (!f) {
		fprintf(stderr, "migsh: the OpenSSL library %s has no function %s: it is older than "
		        "the headers migsh was built with.\n", OSSL_LIBSSL, name);
		_exit(127);
	}
	atomic_store_explicit(slot, f, memory_order_release);
	return f;
}

/* FWD(return type, name, (parameters), (arguments)) defines name */
#define FWD(ret, name, params, args)                                         \
	ret name params                                                      \
	{                                                                    \
		static _Atomic(void *) slot;                                 \
		__typeof__(&name) f = (__typeof__(&name))ossl_sym(&slot, #name); \
		return f args;                                               \
	}
/* the same for a function returning nothing */
#define FWD_VOID(name, params, args)                                         \
	void name params                                                     \
	{                                                                    \
		static _Atomic(void *) slot;                                 \
		__typeof__(&name) f = (__typeof__(&name))ossl_sym(&slot, #name); \
		f args;                                                      \
	}

/* ---- libcrypto: errors, digests, randomness ---- */
FWD_VOID(ERR_clear_error, (void), ())
FWD_VOID(ERR_error_string_n, (unsigned long e, char *buf, size_t len), (e, buf, len))
FWD(unsigned long, ERR_get_error, (void), ())
FWD(unsigned long, ERR_peek_error, (void), ())
FWD(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
FWD_VOID(EVP_MD_CTX_free, (EVP_MD_CTX *ctx), (ctx))
FWD(int, EVP_DigestInit_ex, (EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl), (ctx, type, impl))
FWD(int, EVP_DigestUpdate, (EVP_MD_CTX *ctx, const void *d, size_t cnt), (ctx, d, cnt))
FWD(int, EVP_DigestFinal_ex, (EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s), (ctx, md, s))
FWD(const EVP_MD *, EVP_md5, (void), ())
FWD(const EVP_MD *, EVP_sha256, (void), ())
FWD(unsigned char *, HMAC,
    (const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *data, size_t data_len,
     unsigned char *md, unsigned int *md_len),
    (evp_md, key, key_len, data, data_len, md, md_len))
FWD(int, RAND_bytes, (unsigned char *buf, int num), (buf, num))

/* ---- libcrypto: memory BIOs and certificates (for the diagnostics) ---- */
FWD(BIO *, BIO_new, (const BIO_METHOD *type), (type))
FWD(int, BIO_free, (BIO *a), (a))
FWD(int, BIO_read, (BIO *b, void *data, int dlen), (b, data, dlen))
FWD(const BIO_METHOD *, BIO_s_mem, (void), ())
FWD(char *, BIO_get_callback_arg, (const BIO *b), (b))
FWD_VOID(BIO_set_callback_arg, (BIO *b, char *arg), (b, arg))
FWD_VOID(BIO_set_callback_ex, (BIO *b, BIO_callback_fn_ex callback), (b, callback))
FWD(int, ASN1_TIME_to_tm, (const ASN1_TIME *s, struct tm *tm), (s, tm))
FWD(int, X509_NAME_print_ex, (BIO *out, const X509_NAME *nm, int indent, unsigned long flags),
    (out, nm, indent, flags))
FWD(X509 *, X509_STORE_CTX_get0_cert, (const X509_STORE_CTX *ctx), (ctx))
FWD(int, X509_STORE_CTX_get_error, (const X509_STORE_CTX *ctx), (ctx))
FWD(int, X509_STORE_CTX_get_error_depth, (const X509_STORE_CTX *ctx), (ctx))
FWD(void *, X509_STORE_CTX_get_ex_data, (const X509_STORE_CTX *ctx, int idx), (ctx, idx))
FWD(int, X509_VERIFY_PARAM_set1_ip_asc, (X509_VERIFY_PARAM *param, const char *ipasc), (param, ipasc))
FWD(const ASN1_TIME *, X509_get0_notAfter, (const X509 *x), (x))
FWD(const ASN1_TIME *, X509_get0_notBefore, (const X509 *x), (x))
FWD(X509_NAME *, X509_get_issuer_name, (const X509 *a), (a))
FWD(X509_NAME *, X509_get_subject_name, (const X509 *a), (a))
FWD(const char *, X509_verify_cert_error_string, (long n), (n))

/* ---- libssl ---- */
FWD(const SSL_METHOD *, TLS_client_method, (void), ())
FWD(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *meth), (meth))
FWD_VOID(SSL_CTX_free, (SSL_CTX *ctx), (ctx))
FWD(long, SSL_CTX_ctrl, (SSL_CTX *ctx, int cmd, long larg, void *parg), (ctx, cmd, larg, parg))
FWD(int, SSL_CTX_set_default_verify_paths, (SSL_CTX *ctx), (ctx))
FWD_VOID(SSL_CTX_set_verify, (SSL_CTX *ctx, int mode, SSL_verify_cb callback), (ctx, mode, callback))
FWD(SSL *, SSL_new, (SSL_CTX *ctx), (ctx))
FWD_VOID(SSL_free, (SSL *ssl), (ssl))
FWD(long, SSL_ctrl, (SSL *ssl, int cmd, long larg, void *parg), (ssl, cmd, larg, parg))
FWD(int, SSL_set_fd, (SSL *s, int fd), (s, fd))
FWD(int, SSL_set1_host, (SSL *s, const char *hostname), (s, hostname))
FWD(X509_VERIFY_PARAM *, SSL_get0_param, (SSL *ssl), (ssl))
FWD(int, SSL_set_ex_data, (SSL *ssl, int idx, void *data), (ssl, idx, data))
FWD(void *, SSL_get_ex_data, (const SSL *ssl, int idx), (ssl, idx))
FWD(int, SSL_get_ex_data_X509_STORE_CTX_idx, (void), ())
FWD(int, SSL_connect, (SSL *ssl), (ssl))
FWD(int, SSL_read, (SSL *ssl, void *buf, int num), (ssl, buf, num))
FWD(int, SSL_write, (SSL *ssl, const void *buf, int num), (ssl, buf, num))
FWD(int, SSL_pending, (const SSL *s), (s))
FWD(int, SSL_shutdown, (SSL *s), (s))
FWD(int, SSL_get_error, (const SSL *s, int ret_code), (s, ret_code))
FWD(BIO *, SSL_get_rbio, (const SSL *s), (s))
FWD(long, SSL_get_verify_result, (const SSL *ssl), (ssl))
FWD(const char *, SSL_get_version, (const SSL *s), (s))
FWD(const SSL_CIPHER *, SSL_get_current_cipher, (const SSL *s), (s))
FWD(const char *, SSL_CIPHER_get_name, (const SSL_CIPHER *c), (c))
FWD(X509 *, SSL_get0_peer_certificate, (const SSL *s), (s))
