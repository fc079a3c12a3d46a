/*
 * sock.c - the transport under the IMAP client: non-blocking TCP with poll()
 * deadlines, OpenSSL 3 TLS (implicit or STARTTLS) with explicit certificate
 * diagnostics, and the COMPRESS=DEFLATE layer.  See sock.h.
 */
#include "config.h"
#include "common/clock.h"
#include "net/sock.h"
#include "net/lookup.h"
#include "common/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define RBUF_SIZE (64 * 1024)
#define WBUF_FLUSH (64 * 1024)

struct mg_sock {
	int fd;
	int io_timeout_ms;
	volatile sig_atomic_t *cancel;   /* the shell's Ctrl-C flag, or NULL */
	char host[256];
	int port;
	char peer[64];
	/* TLS */
	SSL_CTX *ctx;
	SSL *ssl;
	mg_tls_info tls;
	bool accept_untrusted;
	int verify_depth_err;
	unsigned char first[16];   /* first bytes received during the handshake */
	size_t nfirst;
	/* read side (decoded bytes) */
	unsigned char *rbuf;
	size_t rpos, rlen;
	/* write side */
	strbuf wbuf;
	/* deflate */
	bool z_on;
	z_stream zin, zout;
	unsigned char *zinbuf;
	/* counters */
	uint64_t wire_in, wire_out, data_in, data_out;
};

#define WAIT_CANCELLED (-2)
/* How often a wait looks at the cancel flag: a SIGINT that lands just before
 * poll() starts (so poll sees no EINTR) is noticed within one slice. */
#define CANCEL_SLICE_MS 100

static bool cancelled(volatile sig_atomic_t *cancel)
{
	return cancel && *cancel;
}

/* 1 ready, 0 timeout, -1 error, WAIT_CANCELLED when *cancel became non-zero */
static int wait_fd(int fd, short events, int timeout_ms, volatile sig_atomic_t *cancel)
{
	long deadline = mg_mono_ms() + timeout_ms;
	for (;;) {
		if (cancelled(cancel))
			return WAIT_CANCELLED;
		struct pollfd pfd = { .fd = fd, .events = events };
		long left = deadline - mg_mono_ms();
		if (left < 0)
			left = 0;
		bool sliced = cancel && left > CANCEL_SLICE_MS;
		int r = poll(&pfd, 1, sliced ? CANCEL_SLICE_MS : (int)left);
		if (r > 0)
			return 1;
		if (r == 0 && !sliced)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Ctrl-C in the shell ended a wait: not a network failure, never retried. */
static int stopped_err(mg_err *err, const char *what, const char *host, int port)
{
	return mg_err_set(err, MGC_STOPPED, "OperationStopped", "stopped while %s %s port %d", what, host, port);
}

/* host's addresses for a TCP connection to port.  A literal address is
 * converted here (AI_NUMERICHOST never asks a resolver); a name is looked up
 * by a helper thread (lookup.h) while this one waits at most timeout_ms and
 * watches the cancel flag: a DNS server that never answers costs the connect
 * timeout, or nothing past Ctrl-C, rather than the resolver's own timeouts. */
static int resolve(const char *host, int port, int timeout_ms, volatile sig_atomic_t *cancel,
                   struct addrinfo **res, mg_err *err)
{
	char portstr[16];
	snprintf(portstr, sizeof portstr, "%d", port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	int gr = getaddrinfo(host, portstr, &hints, res);
	int sys_errno = errno;
	if (gr == EAI_NONAME) {
		mg_lookup *l = mg_lookup_start(host, portstr, err);
		if (!l)
			return -1;
		int w = wait_fd(mg_lookup_fd(l), POLLIN, timeout_ms, cancel);
		if (w != 1) {
			mg_lookup_abandon(l);   /* it frees itself when getaddrinfo returns */
			if (w == WAIT_CANCELLED)
				return stopped_err(err, "looking up", host, port);
			if (w == 0)
				return mg_err_set(err, MGC_TIMEOUT, "ResolveTimeout",
				                  "looking up the server name \"%s\" timed out after %d ms: no DNS server "
				                  "answered; check -RemoteServer and the name servers of this system "
				                  "(/etc/resolv.conf)", host, timeout_ms);
			return mg_err_sys(err, MGC_CONNECTION, "HostNotFound", "waiting for the address of \"%s\"", host);
		}
		gr = mg_lookup_finish(l, res, &sys_errno);
	}
	if (gr == 0)
		return 0;
	*res = NULL;
	if (gr == EAI_SYSTEM) {
		errno = sys_errno;
		return mg_err_sys(err, MGC_CONNECTION, "HostNotFound",
		                  "cannot resolve the server name \"%s\"; check -RemoteServer", host);
	}
	return mg_err_set(err, MGC_CONNECTION, "HostNotFound",
	                  "cannot resolve the server name \"%s\": %s; check -RemoteServer", host, gai_strerror(gr));
}

static mg_sock *sock_new(void)
{
	mg_sock *s = xcalloc(1, sizeof *s);
	s->fd = -1;
	s->rbuf = xmalloc(RBUF_SIZE);
	return s;
}

mg_sock *mg_sock_connect(const char *host, int port, int connect_timeout_ms,
                         int io_timeout_ms, volatile sig_atomic_t *cancel, mg_err *err)
{
	if (!host || !*host || port <= 0 || port > 65535) {
		mg_err_set(err, MGC_INVALIDARG, "InvalidServer", "invalid server address %s:%d", host ? host : "(none)", port);
		return NULL;
	}
	if (connect_timeout_ms <= 0) connect_timeout_ms = 15000;
	if (io_timeout_ms <= 0) io_timeout_ms = 60000;
	struct addrinfo *res = NULL;
	if (resolve(host, port, connect_timeout_ms, cancel, &res, err) < 0)
		return NULL;
	int last_errno = 0;
	bool timed_out = false;
	char addr[64] = "";
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		void *sa = ai->ai_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
		                                      : (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		inet_ntop(ai->ai_family, sa, addr, sizeof addr);
		int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r < 0 && errno == EINPROGRESS) {
			int w = wait_fd(fd, POLLOUT, connect_timeout_ms, cancel);
			if (w == WAIT_CANCELLED) {
				close(fd);
				freeaddrinfo(res);
				stopped_err(err, "connecting to", host, port);
				return NULL;
			}
			if (w == 0) {
				timed_out = true;
				last_errno = ETIMEDOUT;
				close(fd);
				continue;
			}
			int soerr = 0;
			socklen_t sl = sizeof soerr;
			if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
				soerr = errno;
			if (soerr) {
				last_errno = soerr;
				close(fd);
				continue;
			}
			r = 0;
		}
		if (r < 0) {
			last_errno = errno;
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		freeaddrinfo(res);
		mg_sock *s = sock_new();
		s->fd = fd;
		s->io_timeout_ms = io_timeout_ms;
		s->cancel = cancel;
		s->port = port;
		snprintf(s->host, sizeof s->host, "%s", host);
		snprintf(s->peer, sizeof s->peer, "%s", addr);
		return s;
	}
	freeaddrinfo(res);
	errno = last_errno;
	if (last_errno == ECONNREFUSED)
		mg_err_sys(err, MGC_CONNECTION, "ConnectionRefused",
		           "connection to %s port %d (%s) was refused: no server listens there; check -RemoteServer and -Port",
		           host, port, addr);
	else if (timed_out && last_errno == ETIMEDOUT)
		mg_err_set(err, MGC_TIMEOUT, "ConnectTimeout",
		           "connecting to %s port %d (%s) timed out after %d ms: the server or a firewall does not answer",
		           host, port, addr, connect_timeout_ms);
	else if (last_errno == ENETUNREACH || last_errno == EHOSTUNREACH)
		mg_err_sys(err, MGC_CONNECTION, "NetworkUnreachable", "cannot reach %s port %d (%s)", host, port, addr);
	else
		mg_err_sys(err, MGC_CONNECTION, "ConnectFailed", "cannot connect to %s port %d (%s)", host, port, addr);
	return NULL;
}

/* ---------------- raw I/O (TCP or TLS) ---------------- */

/* OpenSSL writes with write(2), which raises SIGPIPE when the peer has gone.
 * A library must not kill its host process: block SIGPIPE in this thread
 * around TLS calls and swallow one that we caused. */
typedef struct pipe_guard { sigset_t old; bool was_pending; } pipe_guard;

static void pipe_block(pipe_guard *g)
{
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pend);
	g->was_pending = sigismember(&pend, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void pipe_unblock(pipe_guard *g)
{
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pend);
	if (!g->was_pending && sigismember(&pend, SIGPIPE)) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static int io_timeout_err(mg_sock *s, mg_err *err, const char *what)
{
	return mg_err_set(err, MGC_TIMEOUT, "ReadTimeout",
	                  "no data from %s port %d for %d ms while %s; the server stopped answering",
	                  s->host, s->port, s->io_timeout_ms, what);
}

/* The peer went away without a TLS close_notify: a plain end of stream.
 * OpenSSL 1.1 reports it as SSL_ERROR_SYSCALL with nothing queued; OpenSSL 3
 * as SSL_ERROR_SSL with SSL_R_UNEXPECTED_EOF_WHILE_READING queued.  Both are
 * the same event as recv() returning 0 and must be treated alike (retried),
 * not as a TLS failure. */
static bool tls_peer_gone(int e, int r)
{
	if (e == SSL_ERROR_SYSCALL && r == 0 && ERR_peek_error() == 0)
		return true;
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	unsigned long q = ERR_peek_error();
	if ((e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL) && q &&
	    ERR_GET_LIB(q) == ERR_LIB_SSL && ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return true;
#endif
	return false;
}

static ssize_t raw_read(mg_sock *s, void *buf, size_t n, mg_err *err)
{
	for (;;) {
		if (s->ssl) {
			ERR_clear_error();
			pipe_guard g;
			pipe_block(&g);
			int r = SSL_read(s->ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);
			pipe_unblock(&g);
			if (r > 0) {
				s->wire_in += (uint64_t)r;
				return r;
			}
			int e = SSL_get_error(s->ssl, r);
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				int w = wait_fd(s->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, s->io_timeout_ms, s->cancel);
				if (w == WAIT_CANCELLED)
					return stopped_err(err, "reading from", s->host, s->port);
				if (w == 0)
					return io_timeout_err(s, err, "reading");
				if (w < 0)
					return mg_err_sys(err, MGC_READ, "ReadFailed", "reading from %s", s->host);
				continue;
			}
			if (tls_peer_gone(e, r))
				return 0;   /* EOF without close_notify: the IMAP layer says ConnectionClosed */
			if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && (errno == ECONNRESET || errno == EPIPE))
				return mg_err_sys(err, MGC_CONNECTION, "ConnectionReset", "%s port %d closed the connection",
				                  s->host, s->port);
			char ebuf[256];
			ERR_error_string_n(ERR_get_error(), ebuf, sizeof ebuf);
			return mg_err_set(err, MGC_READ, "TlsReadFailed", "TLS error reading from %s: %s", s->host, ebuf);
		}
		ssize_t r = recv(s->fd, buf, n, 0);
		if (r >= 0) {
			s->wire_in += (uint64_t)r;
			return r;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(s->fd, POLLIN, s->io_timeout_ms, s->cancel);
			if (w == WAIT_CANCELLED)
				return stopped_err(err, "reading from", s->host, s->port);
			if (w == 0)
				return io_timeout_err(s, err, "reading");
			if (w < 0)
				return mg_err_sys(err, MGC_READ, "ReadFailed", "reading from %s", s->host);
			continue;
		}
		if (errno == ECONNRESET)
			return mg_err_sys(err, MGC_CONNECTION, "ConnectionReset", "%s port %d closed the connection", s->host, s->port);
		return mg_err_sys(err, MGC_READ, "ReadFailed", "reading from %s", s->host);
	}
}

static int raw_write(mg_sock *s, const void *buf, size_t n, mg_err *err)
{
	const unsigned char *p = buf;
	while (n) {
		if (s->ssl) {
			ERR_clear_error();
			pipe_guard g;
			pipe_block(&g);
			int r = SSL_write(s->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
			pipe_unblock(&g);
			if (r > 0) {
				p += r; n -= (size_t)r; s->wire_out += (uint64_t)r;
				continue;
			}
			int e = SSL_get_error(s->ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				int w = wait_fd(s->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, s->io_timeout_ms, s->cancel);
				if (w == WAIT_CANCELLED)
					return stopped_err(err, "sending to", s->host, s->port);
				if (w == 0)
					return mg_err_set(err, MGC_TIMEOUT, "WriteTimeout", "sending to %s port %d stalled for %d ms",
					                  s->host, s->port, s->io_timeout_ms);
				if (w < 0)
					return mg_err_sys(err, MGC_WRITE, "WriteFailed", "sending to %s", s->host);
				continue;
			}
			if (tls_peer_gone(e, r) ||
			    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && (errno == ECONNRESET || errno == EPIPE)))
				return mg_err_set(err, MGC_CONNECTION, "ConnectionReset", "%s port %d closed the connection",
				                  s->host, s->port);
			char ebuf[256];
			ERR_error_string_n(ERR_get_error(), ebuf, sizeof ebuf);
			return mg_err_set(err, MGC_WRITE, "TlsWriteFailed", "TLS error sending to %s: %s", s->host, ebuf);
		}
		ssize_t r = send(s->fd, p, n, MSG_NOSIGNAL);
		if (r >= 0) {
			p += r; n -= (size_t)r; s->wire_out += (uint64_t)r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(s->fd, POLLOUT, s->io_timeout_ms, s->cancel);
			if (w == WAIT_CANCELLED)
				return stopped_err(err, "sending to", s->host, s->port);
			if (w == 0)
				return mg_err_set(err, MGC_TIMEOUT, "WriteTimeout", "sending to %s port %d stalled for %d ms",
				                  s->host, s->port, s->io_timeout_ms);
			if (w < 0)
				return mg_err_sys(err, MGC_WRITE, "WriteFailed", "sending to %s", s->host);
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return mg_err_sys(err, MGC_CONNECTION, "ConnectionReset", "%s port %d closed the connection", s->host, s->port);
		return mg_err_sys(err, MGC_WRITE, "WriteFailed", "sending to %s", s->host);
	}
	return 0;
}

/* ---------------- decoded reads ---------------- */

static ssize_t fill(mg_sock *s, mg_err *err)
{
	s->rpos = s->rlen = 0;
	if (!s->z_on) {
		ssize_t r = raw_read(s, s->rbuf, RBUF_SIZE, err);
		if (r > 0)
			s->rlen = (size_t)r;
		return r;
	}
	for (;;) {
		if (s->zin.avail_in == 0) {
			ssize_t r = raw_read(s, s->zinbuf, RBUF_SIZE, err);
			if (r <= 0)
				return r;
			s->zin.next_in = s->zinbuf;
			s->zin.avail_in = (uInt)r;
		}
		s->zin.next_out = s->rbuf;
		s->zin.avail_out = RBUF_SIZE;
		int zr = inflate(&s->zin, Z_SYNC_FLUSH);
		if (zr != Z_OK && zr != Z_BUF_ERROR && zr != Z_STREAM_END)
			return mg_err_set(err, MGC_PROTOCOL, "DeflateError", "corrupt compressed data from %s: %s",
			                  s->host, s->zin.msg ? s->zin.msg : "inflate failed");
		s->rlen = RBUF_SIZE - s->zin.avail_out;
		if (s->rlen)
			return (ssize_t)s->rlen;
	}
}

ssize_t mg_sock_read(mg_sock *s, void *buf, size_t n, mg_err *err)
{
	if (s->rpos >= s->rlen) {
		ssize_t r = fill(s, err);
		if (r <= 0)
			return r;
	}
	size_t k = s->rlen - s->rpos;
	if (k > n)
		k = n;
	memcpy(buf, s->rbuf + s->rpos, k);
	s->rpos += k;
	s->data_in += k;
	return (ssize_t)k;
}

size_t mg_sock_pending(const mg_sock *s)
{
	return s->rlen - s->rpos;
}

int mg_sock_wait_readable(mg_sock *s, int timeout_ms, mg_err *err)
{
	if (s->rpos < s->rlen || (s->ssl && SSL_pending(s->ssl) > 0) || (s->z_on && s->zin.avail_in > 0))
		return 1;
	int w = wait_fd(s->fd, POLLIN, timeout_ms, s->cancel);
	if (w == WAIT_CANCELLED) {
		stopped_err(err, "waiting for", s->host, s->port);
		return -1;
	}
	if (w < 0)
		return mg_err_sys(err, MGC_READ, "ReadFailed", "waiting for %s", s->host);
	return w;
}

/* ---------------- writes ---------------- */

int mg_sock_flush(mg_sock *s, mg_err *err)
{
	if (!s->wbuf.len)
		return 0;
	int rc;
	if (s->z_on) {
		unsigned char out[16384];
		s->zout.next_in = (unsigned char *)s->wbuf.buf;
		s->zout.avail_in = (uInt)s->wbuf.len;
		rc = 0;
		do {
			s->zout.next_out = out;
			s->zout.avail_out = sizeof out;
			deflate(&s->zout, Z_SYNC_FLUSH);
			size_t have = sizeof out - s->zout.avail_out;
			if (have && (rc = raw_write(s, out, have, err)) < 0)
				break;
		} while (s->zout.avail_out == 0 || s->zout.avail_in > 0);
	} else {
		rc = raw_write(s, s->wbuf.buf, s->wbuf.len, err);
	}
	strbuf_reset(&s->wbuf);
	return rc;
}

int mg_sock_write(mg_sock *s, const void *buf, size_t n, mg_err *err)
{
	strbuf_add(&s->wbuf, buf, n);
	s->data_out += n;
	if (s->wbuf.len >= WBUF_FLUSH)
		return mg_sock_flush(s, err);
	return 0;
}

int mg_sock_writes(mg_sock *s, const char *str, mg_err *err)
{
	return mg_sock_write(s, str, strlen(str), err);
}

/* ---------------- TLS ---------------- */

static void fmt_time(const ASN1_TIME *t, char *out, size_t outsz, int64_t *epoch)
{
	struct tm tm;
	out[0] = 0;
	if (epoch) *epoch = 0;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return;
	strftime(out, outsz, "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (epoch)
		*epoch = (int64_t)timegm(&tm);
}

static void name_oneline(X509_NAME *nm, char *out, size_t outsz)
{
	out[0] = 0;
	if (!nm)
		return;
	BIO *b = BIO_new(BIO_s_mem());
	X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	int n = BIO_read(b, out, (int)outsz - 1);
	out[n > 0 ? n : 0] = 0;
	BIO_free(b);
}

static void record_cert(mg_sock *s, X509 *x)
{
	if (!x)
		return;
	name_oneline(X509_get_subject_name(x), s->tls.subject, sizeof s->tls.subject);
	name_oneline(X509_get_issuer_name(x), s->tls.issuer, sizeof s->tls.issuer);
	fmt_time(X509_get0_notBefore(x), s->tls.not_before, sizeof s->tls.not_before, NULL);
	fmt_time(X509_get0_notAfter(x), s->tls.not_after, sizeof s->tls.not_after, &s->tls.not_after_epoch);
}

static int verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	mg_sock *s = ssl ? SSL_get_app_data(ssl) : NULL;
	if (!s)
		return ok;
	X509 *leaf = X509_STORE_CTX_get0_cert(xs);
	if (leaf && !s->tls.subject[0])
		record_cert(s, leaf);
	if (!ok && s->tls.verify_code == 0) {
		int code = X509_STORE_CTX_get_error(xs);
		s->tls.verify_code = code;
		s->verify_depth_err = X509_STORE_CTX_get_error_depth(xs);
		snprintf(s->tls.verify_reason, sizeof s->tls.verify_reason, "%s", X509_verify_cert_error_string(code));
	}
	return s->accept_untrusted ? 1 : ok;
}

static long first_bytes_cb(BIO *b, int oper, const char *argp, size_t len, int argi, long argl,
                           int ret, size_t *processed)
{
	(void)len; (void)argi; (void)argl;
	if (oper == (BIO_CB_READ | BIO_CB_RETURN) && ret > 0 && processed && *processed) {
		mg_sock *s = (mg_sock *)BIO_get_callback_arg(b);
		if (s && s->nfirst < sizeof s->first) {
			size_t k = *processed;
			if (k > sizeof s->first - s->nfirst)
				k = sizeof s->first - s->nfirst;
			memcpy(s->first + s->nfirst, argp, k);
			s->nfirst += k;
		}
	}
	return ret;
}

static bool is_ip_literal(const char *h)
{
	unsigned char tmp[16];
	return inet_pton(AF_INET, h, tmp) == 1 || inet_pton(AF_INET6, h, tmp) == 1;
}

static int tls_fail(mg_sock *s, mg_err *err)
{
	const char *subj = s->tls.subject[0] ? s->tls.subject : "(no certificate received)";
	long c = s->tls.verify_code;
	switch (c) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return mg_err_set(err, MGC_SECURITY, "CertificateExpired",
		                  "TLS certificate check failed for %s port %d: the certificate has expired (not valid after %s); "
		                  "certificate subject: %s. Renew the server certificate, or use -AcceptUntrustedCertificates "
		                  "to connect anyway", s->host, s->port, s->tls.not_after, subj);
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return mg_err_set(err, MGC_SECURITY, "CertificateNotYetValid",
		                  "TLS certificate check failed for %s port %d: the certificate is not valid yet (valid from %s); "
		                  "certificate subject: %s. Check the clocks, or use -AcceptUntrustedCertificates",
		                  s->host, s->port, s->tls.not_before, subj);
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return mg_err_set(err, MGC_SECURITY, "CertificateHostMismatch",
		                  "TLS certificate check failed for %s port %d: host name mismatch, the certificate is not issued "
		                  "for \"%s\"; certificate subject: %s. Use the name the certificate was issued for as "
		                  "-RemoteServer, or use -AcceptUntrustedCertificates", s->host, s->port, s->host, subj);
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return mg_err_set(err, MGC_SECURITY, "CertificateUntrusted",
		                  "TLS certificate check failed for %s port %d: unknown issuer, the certificate is %s "
		                  "(issuer: %s); certificate subject: %s. Add the issuing CA to the system trust store "
		                  "(or SSL_CERT_FILE), or use -AcceptUntrustedCertificates",
		                  s->host, s->port,
		                  c == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ? "self-signed" :
		                  c == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ? "signed by an untrusted self-signed CA" :
		                  "signed by a CA that is not trusted here",
		                  s->tls.issuer[0] ? s->tls.issuer : "unknown", subj);
	default:
		return mg_err_set(err, MGC_SECURITY, "CertificateInvalid",
		                  "TLS certificate check failed for %s port %d: %s; certificate subject: %s",
		                  s->host, s->port, s->tls.verify_reason, subj);
	}
}

int mg_sock_start_tls(mg_sock *s, const char *host, bool accept_untrusted, mg_err *err)
{
	if (s->ssl)
		return mg_err_set(err, MGC_INVALIDOP, "TlsAlreadyActive", "TLS is already active");
	if (s->rpos < s->rlen)
		return mg_err_set(err, MGC_SECURITY, "StartTlsInjection",
		                  "%s sent data before the TLS handshake (possible command injection); refusing to continue",
		                  s->host);
	if (s->wbuf.len && mg_sock_flush(s, err) < 0)
		return -1;
	if (!host)
		host = s->host;
	s->accept_untrusted = accept_untrusted;
	s->ctx = SSL_CTX_new(TLS_client_method());
	if (!s->ctx)
		return mg_err_set(err, MGC_SECURITY, "TlsInitFailed", "cannot initialise TLS");
	SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
	SSL_CTX_set_default_verify_paths(s->ctx);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, verify_cb);
	s->ssl = SSL_new(s->ctx);
	SSL_set_app_data(s->ssl, s);
	SSL_set_fd(s->ssl, s->fd);
	BIO *rb = SSL_get_rbio(s->ssl);
	BIO_set_callback_ex(rb, first_bytes_cb);
	BIO_set_callback_arg(rb, (char *)s);
	if (is_ip_literal(host)) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl), host);
	} else {
		SSL_set_tlsext_host_name(s->ssl, host);
		SSL_set1_host(s->ssl, host);
	}
	long deadline = mg_mono_ms() + s->io_timeout_ms;
	for (;;) {
		ERR_clear_error();
		pipe_guard g;
		pipe_block(&g);
		int r = SSL_connect(s->ssl);
		pipe_unblock(&g);
		if (r == 1)
			break;
		int e = SSL_get_error(s->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			long left = deadline - mg_mono_ms();
			int w = left > 0 ? wait_fd(s->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, (int)left, s->cancel) : 0;
			if (w == WAIT_CANCELLED)
				return stopped_err(err, "in the TLS handshake with", s->host, s->port);
			if (w == 0)
				return mg_err_set(err, MGC_TIMEOUT, "TlsHandshakeTimeout",
				                  "the TLS handshake with %s port %d did not finish within %d ms; "
				                  "is this really a TLS port?", s->host, s->port, s->io_timeout_ms);
			if (w < 0)
				return mg_err_sys(err, MGC_CONNECTION, "TlsHandshakeFailed", "TLS handshake with %s", s->host);
			continue;
		}
		BIO_set_callback_ex(rb, NULL);
		if (s->tls.verify_code != 0 && !accept_untrusted)
			return tls_fail(s, err);
		if (s->nfirst >= 2 && ((s->first[0] == '*' && s->first[1] == ' ') ||
		                       (s->first[0] == '+' && s->first[1] == ' '))) {
			char shown[sizeof s->first + 1];
			size_t k = 0;
			for (; k < s->nfirst && s->first[k] >= 0x20 && s->first[k] < 0x7f; k++)
				shown[k] = (char)s->first[k];
			shown[k] = 0;
			return mg_err_set(err, MGC_SECURITY, "TlsPlainTextPort",
			                  "TLS failed: %s port %d answered in plain text (\"%s...\") instead of TLS, so it is not an "
			                  "implicit-TLS port; use -Security Tls (STARTTLS) or None for this port, or the SSL port "
			                  "(usually 993) with -Security Ssl", s->host, s->port, shown);
		}
		if (tls_peer_gone(e, r) ||
		    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && (errno == ECONNRESET || errno == EPIPE)))
			return mg_err_set(err, MGC_CONNECTION, "TlsHandshakeCut",
			                  "%s port %d closed the connection during the TLS handshake", s->host, s->port);
		char ebuf[256] = "";
		unsigned long ec = ERR_get_error();
		if (ec)
			ERR_error_string_n(ec, ebuf, sizeof ebuf);
		else if (e == SSL_ERROR_SYSCALL)
			snprintf(ebuf, sizeof ebuf, "the server closed the connection during the handshake");
		else
			snprintf(ebuf, sizeof ebuf, "SSL error %d", e);
		return mg_err_set(err, MGC_SECURITY, "TlsHandshakeFailed",
		                  "the TLS handshake with %s port %d failed: %s", s->host, s->port, ebuf);
	}
	BIO_set_callback_ex(rb, NULL);
	s->tls.active = true;
	s->tls.verification_off = accept_untrusted;
	s->tls.verified = !accept_untrusted && SSL_get_verify_result(s->ssl) == X509_V_OK;
	if (s->tls.verify_code == 0) {
		s->tls.verify_code = SSL_get_verify_result(s->ssl);
		if (s->tls.verify_code)
			snprintf(s->tls.verify_reason, sizeof s->tls.verify_reason, "%s",
			         X509_verify_cert_error_string(s->tls.verify_code));
	}
	snprintf(s->tls.version, sizeof s->tls.version, "%s", SSL_get_version(s->ssl));
	snprintf(s->tls.cipher, sizeof s->tls.cipher, "%s", SSL_get_cipher_name(s->ssl));
	X509 *peer = SSL_get0_peer_certificate(s->ssl);
	if (peer)
		record_cert(s, peer);
	return 0;
}

/* ---------------- deflate ---------------- */

int mg_sock_start_deflate(mg_sock *s, mg_err *err)
{
	if (s->z_on)
		return 0;
	if (s->rpos < s->rlen)
		return mg_err_set(err, MGC_PROTOCOL, "DeflateDesync", "%s sent data before compression started", s->host);
	if (s->wbuf.len && mg_sock_flush(s, err) < 0)
		return -1;
	memset(&s->zin, 0, sizeof s->zin);
	memset(&s->zout, 0, sizeof s->zout);
	if (inflateInit2(&s->zin, -15) != Z_OK)
		return mg_err_set(err, MGC_RESOURCE, "DeflateInit", "cannot start decompression");
	if (deflateInit2(&s->zout, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		inflateEnd(&s->zin);
		return mg_err_set(err, MGC_RESOURCE, "DeflateInit", "cannot start compression");
	}
	s->zinbuf = xmalloc(RBUF_SIZE);
	s->z_on = true;
	return 0;
}

/* ---------------- misc ---------------- */

void mg_sock_set_io_timeout(mg_sock *s, int ms) { s->io_timeout_ms = ms > 0 ? ms : 60000; }
int mg_sock_io_timeout(const mg_sock *s) { return s->io_timeout_ms; }
const mg_tls_info *mg_sock_tls_info(const mg_sock *s) { return &s->tls; }
bool mg_sock_is_compressed(const mg_sock *s) { return s->z_on; }
const char *mg_sock_peer_address(const mg_sock *s) { return s->peer; }

void mg_sock_counters(const mg_sock *s, uint64_t *wire_in, uint64_t *wire_out,
                      uint64_t *data_in, uint64_t *data_out)
{
	if (wire_in) *wire_in = s->wire_in;
	if (wire_out) *wire_out = s->wire_out;
	if (data_in) *data_in = s->data_in;
	if (data_out) *data_out = s->data_out;
}

void mg_sock_close(mg_sock *s)
{
	if (!s)
		return;
	if (s->ssl) {
		if (s->tls.active) {
			pipe_guard g;
			pipe_block(&g);
			SSL_shutdown(s->ssl);
			pipe_unblock(&g);
		}
		SSL_free(s->ssl);
	}
	if (s->ctx)
		SSL_CTX_free(s->ctx);
	if (s->z_on) {
		inflateEnd(&s->zin);
		deflateEnd(&s->zout);
	}
	free(s->zinbuf);
	if (s->fd >= 0)
		close(s->fd);
	strbuf_free(&s->wbuf);
	free(s->rbuf);
	free(s);
}
