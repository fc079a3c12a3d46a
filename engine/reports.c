/*
 * reports.c - a batch's reports (reports.h): MigrationErrors.csv, the text
 * summary, and the notification message (RFC 5322, multipart/mixed with the
 * CSV attached) delivered into each NotificationEmails recipient's mailbox:
 * the local Maildir (INBOX new/) or, with a target endpoint, by IMAP APPEND
 * to the recipient's INBOX through the endpoint's admin login.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/consistency.h"
#include "engine/reports.h"
#include "engine/store.h"
#include "net/imap_client.h"

static void fmt_time(char *buf, size_t size, int64_t t)
{
	if (!t) {
		snprintf(buf, size, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void csv_field(strbuf *sb, const char *s)
{
	s = s ? s : "";
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_adds(sb, s);
		return;
	}
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addc(sb, '"');
		strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}

static bool user_failed(const mg_user *u)
{
	return mg_user_status_summary_of(u->status) == MG_SS_FAILED;
}

static bool user_unfinished(const mg_user *u)
{
	switch (u->status) {
	case MG_US_STOPPED: case MG_US_INCREMENTAL_STOPPED: case MG_US_STOPPING:
	case MG_US_QUEUED: case MG_US_SYNCING: case MG_US_INCREMENTAL_SYNCING: case MG_US_COMPLETING:
		return true;
	default:
		return false;
	}
}

char *mg_reports_errors_csv(const mg_batch *b, mg_user *const *users, size_t n)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "EmailAddress,ErrorMessage\r\n");
	bool stopped = b->status == MG_BS_STOPPED || b->status == MG_BS_STOPPING;
	for (size_t i = 0; i < n; i++) {
		const mg_user *u = users[i];
		const char *msg = NULL;
		char *own = NULL;
		if (user_failed(u))
			msg = u->error ? u->error : "The user failed.";
		else if (stopped && user_unfinished(u))
			msg = own = xasprintf("The migration was stopped before this user finished (status %s).",
			                      mg_user_status_name(u->status));
		if (!msg)
			continue;
		csv_field(&sb, u->email);
		strbuf_addc(&sb, ',');
		csv_field(&sb, msg);
		strbuf_adds(&sb, "\r\n");
		free(own);
	}
	return strbuf_detach(&sb, NULL);
}

char *mg_reports_summary(const mg_batch *b, mg_user *const *users, size_t n, const char *event)
{
	strbuf sb = STRBUF_INIT;
	mg_batch_counts c;
	mg_batch_counts_compute(users, n, &c);
	char t1[40], t2[40], t3[40], t4[40];
	fmt_time(t1, sizeof t1, b->created);
	fmt_time(t2, sizeof t2, b->started);
	fmt_time(t3, sizeof t3, b->last_synced);
	fmt_time(t4, sizeof t4, mg_now());
	strbuf_addf(&sb, "Migration batch report: %s\n", b->name);
	strbuf_addf(&sb, "Event:                %s\n", event ? event : mg_batch_status_name(b->status));
	strbuf_addf(&sb, "Written:              %s\n", t4);
	strbuf_addf(&sb, "Status:               %s\n", mg_batch_status_name(b->status));
	strbuf_addf(&sb, "Source endpoint:      %s\n", b->source_endpoint ? b->source_endpoint : "-");
	strbuf_addf(&sb, "Destination:          %s\n", b->target_endpoint ? b->target_endpoint : "local store");
	strbuf_addf(&sb, "Created:              %s\n", t1);
	strbuf_addf(&sb, "Started:              %s\n", t2);
	strbuf_addf(&sb, "Last synced:          %s\n", t3);
	strbuf_addf(&sb, "Users:                %lld total, %lld synced, %lld completed, %lld failed, "
	                 "%lld stopped, %lld active\n",
	            c.total, c.synced, c.finalized, c.failed, c.stopped, c.active);
	strbuf_addf(&sb, "Items:                %lld synced, %lld skipped, %lld in the source\n",
	            c.items_synced, c.items_skipped, c.items_total);
	strbuf_addf(&sb, "DataConsistencyScore: %s\n",
	            mg_consistency_name(mg_consistency_batch(users, n)));
	strbuf_adds(&sb, "\nUsers:\n");
	for (size_t i = 0; i < n; i++) {
		const mg_user *u = users[i];
		char ls[40];
		fmt_time(ls, sizeof ls, u->last_successful_sync);
		strbuf_addf(&sb, "  %s  %s  synced %lld  skipped %lld  bytes %lld  last sync %s  score %s\n",
		            u->email, mg_user_status_name(u->status), u->synced_items, u->skipped_items,
		            u->bytes_transferred, ls, mg_consistency_name(mg_consistency_user(u)));
		if (u->error)
			strbuf_addf(&sb, "      error: %s\n", u->error);
	}
	return strbuf_detach(&sb, NULL);
}

static char *build_message(const mg_batch *b, const char *to, const char *summary, const char *csv,
                           const char *event, char *msgid_out, size_t msgid_size)
{
	char date[64], host[128] = "localhost";
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	gethostname(host, sizeof host - 1);
	char guid[MG_GUID_LEN + 1];
	mg_guid_new(guid);
	snprintf(msgid_out, msgid_size, "<%s@migsh.%s>", guid, host);
	strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "From: migsh migration service <migsh@%s>\r\n", host);
	strbuf_addf(&sb, "To: <%s>\r\n", to);
	/* names may be UTF-8: use an RFC 2047 encoded word when not ASCII */
	bool ascii = true;
	for (const unsigned char *p = (const unsigned char *)b->name; *p; p++)
		if (*p >= 0x80)
			ascii = false;
	if (ascii) {
		strbuf_addf(&sb, "Subject: Migration batch %s: %s\r\n", b->name, event);
	} else {
		strbuf_adds(&sb, "Subject: =?UTF-8?Q?Migration_batch_");
		for (const unsigned char *p = (const unsigned char *)b->name; *p; p++) {
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
				strbuf_addc(&sb, (char)*p);
			else
				strbuf_addf(&sb, "=%02X", *p);
		}
		strbuf_addf(&sb, "?=: %s\r\n", event);
	}
	strbuf_addf(&sb, "Date: %s\r\n", date);
	strbuf_addf(&sb, "Message-ID: %s\r\n", msgid_out);
	strbuf_adds(&sb, "MIME-Version: 1.0\r\n");
	strbuf_addf(&sb, "Content-Type: multipart/mixed; boundary=\"=_migsh_%s\"\r\n\r\n", guid);
	strbuf_adds(&sb, "This is a multi-part message in MIME format.\r\n\r\n");
	strbuf_addf(&sb, "--=_migsh_%s\r\n", guid);
	strbuf_adds(&sb, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
	for (const char *p = summary; *p; p++) {
		if (*p == '\n')
			strbuf_addc(&sb, '\r');
		strbuf_addc(&sb, *p);
	}
	strbuf_addf(&sb, "\r\n--=_migsh_%s\r\n", guid);
	strbuf_addf(&sb, "Content-Type: text/csv; charset=UTF-8; name=\"%s\"\r\n", MG_REPORT_ERRORS_CSV);
	strbuf_addf(&sb, "Content-Disposition: attachment; filename=\"%s\"\r\n", MG_REPORT_ERRORS_CSV);
	strbuf_adds(&sb, "Content-Transfer-Encoding: base64\r\n\r\n");
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)csv;
	size_t len = strlen(csv), col = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0) |
		             (i + 2 < len ? s[i + 2] : 0);
		strbuf_addc(&sb, b64[v >> 18 & 63]);
		strbuf_addc(&sb, b64[v >> 12 & 63]);
		strbuf_addc(&sb, i + 1 < len ? b64[v >> 6 & 63] : '=');
		strbuf_addc(&sb, i + 2 < len ? b64[v & 63] : '=');
		if ((col += 4) >= 76) {
			strbuf_adds(&sb, "\r\n");
			col = 0;
		}
	}
	strbuf_addf(&sb, "\r\n--=_migsh_%s--\r\n", guid);
	return strbuf_detach(&sb, NULL);
}

/* Maildir delivery into the INBOX of a local-store user: tmp/ then new/. */
static int deliver_maildir(mg_store *st, const char *to, const char *msg, mg_err *err)
{
	char *root = mg_store_user_mail_dir(st, to);
	char *tmpd = xasprintf("%s/tmp", root), *newd = xasprintf("%s/new", root),
	     *curd = xasprintf("%s/cur", root);
	int rc = mg_mkdir_p(tmpd, 0700, err);
	if (rc == 0)
		rc = mg_mkdir_p(newd, 0700, err);
	if (rc == 0)
		rc = mg_mkdir_p(curd, 0700, err);
	char host[128] = "localhost";
	gethostname(host, sizeof host - 1);
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char guid[MG_GUID_LEN + 1];
	mg_guid_new(guid);
	char *base = xasprintf("%lld.M%ldP%ldQ%.8s.%s,S=%zu", (long long)ts.tv_sec, ts.tv_nsec / 1000,
	                       (long)getpid(), guid, host, strlen(msg));
	char *tp = xasprintf("%s/%s", tmpd, base), *np = xasprintf("%s/%s", newd, base);
	if (rc == 0)
		rc = mg_write_atomic(tp, msg, strlen(msg), 0600, err);
	if (rc == 0 && rename(tp, np) < 0)
		rc = mg_err_sys(err, MGC_WRITE, "DeliverNotification", "cannot deliver into '%s'", newd);
	if (rc == 0)
		rc = mg_fsync_dir(newd, err);
	free(tp); free(np); free(base); free(tmpd); free(newd); free(curd); free(root);
	return rc;
}

/* IMAP APPEND into the recipient's INBOX on the target, logging in as the admin. */
static int deliver_imap(const mg_endpoint *ep, const char *to, const char *msg, mg_err *err)
{
	mg_conn_params cp;
	mg_endpoint_conn_params(ep, &cp);
	mg_imap *c = mg_imap_connect(&cp, err);
	if (!c)
		return -1;
	int rc;
	if (ep->target_login == MG_TLOGIN_MASTER) {
		char *login = xasprintf("%s%s%s", to, ep->master_separator ? ep->master_separator : "*",
		                        ep->admin_user ? ep->admin_user : "");
		rc = mg_imap_login(c, login, ep->admin_password ? ep->admin_password : "", NULL, err);
		free(login);
	} else {
		rc = mg_imap_login(c, ep->admin_user ? ep->admin_user : "", ep->admin_password ? ep->admin_password : "",
		                   to, err);
	}
	if (rc == 0) {
		mg_imap_append_msg m = { 0 };
		m.data = msg;
		m.size = strlen(msg);
		rc = mg_imap_append(c, "INBOX", &m, NULL, err);
	}
	mg_imap_logout(c, NULL);
	mg_imap_close(c);
	return rc;
}

bool mg_reports_mailed(const mg_batch *b)
{
	return b->notification_emails && b->notification_emails[0] && !b->skip_reports &&
	       b->report_interval != 0;
}

int mg_reports_write(mg_store *st, const mg_batch *b, mg_user *const *users, size_t n,
                     const char *event, mg_err *err)
{
	char *dir = mg_store_reports_dir(st, b->name);
	int rc = mg_mkdir_p(dir, 0700, err);
	char *csv = mg_reports_errors_csv(b, users, n);
	char *sum = mg_reports_summary(b, users, n, event);
	if (rc == 0) {
		char *p = mg_path_join(dir, MG_REPORT_ERRORS_CSV);
		rc = mg_write_atomic(p, csv, strlen(csv), 0600, err);
		free(p);
	}
	if (rc == 0) {
		char *p = mg_path_join(dir, MG_REPORT_SUMMARY);
		rc = mg_write_atomic(p, sum, strlen(sum), 0600, err);
		free(p);
	}
	/* -SkipReports or -ReportInterval 0: the files are written, no message is sent */
	if (rc == 0 && mg_reports_mailed(b)) {
		mg_endpoint *tep = NULL;
		if (b->target_endpoint)
			(void)mg_store_endpoint_load(st, b->target_endpoint, &tep, NULL);
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
		for (size_t i = 0; b->notification_emails[i]; i++) {
			const char *to = b->notification_emails[i];
			char msgid[256];
			char *msg = build_message(b, to, sum, csv, event ? event : "report", msgid, sizeof msgid);
			char *to_key = mg_safe_name(to);
			char *name = xasprintf("Notification-%s-%s.eml", stamp, to_key);
			char *p = mg_path_join(dir, name);
			mg_err e2 = { 0 };
			if (mg_write_atomic(p, msg, strlen(msg), 0600, &e2) < 0 && rc == 0) {
				mg_err_copy(err, &e2);
				rc = -1;
			}
			int drc = b->target_endpoint ? (tep ? deliver_imap(tep, to, msg, &e2)
			                                    : mg_err_set(&e2, MGC_NOTFOUND, "NoTargetEndpoint",
			                                                 "target endpoint '%s' not found",
			                                                 b->target_endpoint))
			                             : deliver_maildir(st, to, msg, &e2);
			if (drc < 0 && rc == 0) {
				mg_err_copy(err, &e2);
				mg_err_prefix(err, "cannot deliver the report to '%s'", to);
				rc = -1;
			}
			free(p); free(name); free(to_key); free(msg);
		}
		mg_endpoint_free(tep);
	}
	free(csv);
	free(sum);
	free(dir);
	return rc;
}

char **mg_reports_list(mg_store *st, const char *batch)
{
	char *dir = mg_store_reports_dir(st, batch);
	static const char *const fixed[] = { MG_REPORT_ERRORS_CSV, MG_REPORT_SUMMARY };
	char **v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < 2; i++) {
		char *p = mg_path_join(dir, fixed[i]);
		if (access(p, F_OK) == 0) {
			v = xrealloc(v, (n + 2) * sizeof *v);
			v[n++] = p;
			v[n] = NULL;
		} else {
			free(p);
		}
	}
	free(dir);
	return v;
}
