/*
 * reports.h - a batch's reports, written when it finishes a sync, is
 * stopped or completes, into <home>/batches/<key>/reports/:
 *   MigrationErrors.csv   EmailAddress,ErrorMessage - failed users; for a
 *                         stopped batch also the users in progress or waiting
 *   Summary.txt           the batch summary (status, counts, times, per user)
 *   Notification-<time>.eml  with NotificationEmails: the summary as an
 *                         RFC 5322 message with MigrationErrors.csv attached,
 *                         also delivered into each recipient's Maildir INBOX
 *                         (new/) when the destination is the local store, or
 *                         APPENDed to it on the target endpoint.  Not sent with
 *                         -SkipReports or -ReportInterval 0; after routine
 *                         incremental syncs at most once per ReportInterval
 *                         (the files are rewritten every time).
 */
#ifndef MIGSH_ENGINE_REPORTS_H
#define MIGSH_ENGINE_REPORTS_H

#include <stddef.h>
#include "common/err.h"
#include "engine/records.h"

struct mg_store;

#define MG_REPORT_ERRORS_CSV "MigrationErrors.csv"
#define MG_REPORT_SUMMARY    "Summary.txt"

/* Write the reports for b (event: "Synced" "Stopped" "Completed" ...). */
int mg_reports_write(struct mg_store *st, const mg_batch *b, mg_user *const *users, size_t n,
                     const char *event, mg_err *err);
/* Paths of the report files that exist (for Get-MigrationBatch -IncludeReport),
 * NULL-terminated, caller frees with mg_strv_free_all; NULL when none. */
char **mg_reports_list(struct mg_store *st, const char *batch);
/* Does the batch mail its reports (NotificationEmails, not -SkipReports,
 * ReportInterval not 0)?  Otherwise only the report files are written. */
bool mg_reports_mailed(const mg_batch *b);
/* Build the CSV / summary text (exposed for tests). Caller frees. */
char *mg_reports_errors_csv(const mg_batch *b, mg_user *const *users, size_t n);
char *mg_reports_summary(const mg_batch *b, mg_user *const *users, size_t n, const char *event);

#endif
