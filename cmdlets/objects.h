/*
 * objects.h - build the shell objects the migration cmdlets emit from the
 * control plane's records (engine/records.h), with Exchange's property
 * names and migsh's extras.  Secrets
 * (passwords) are never copied into an object.
 */
#ifndef MIGSH_CMDLETS_OBJECTS_H
#define MIGSH_CMDLETS_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include "engine/records.h"
#include "shell/value.h"

struct mg_store;

mv *mg_obj_endpoint(const mg_endpoint *e, size_t batches_using, long long active,
                    long long active_incremental);
/* users: the batch's users (for counts and the consistency score).  When
 * st is non-NULL and include_report, Report lists the report files. */
mv *mg_obj_batch(const mg_batch *b, mg_user *const *users, size_t n,
                 struct mg_store *st, bool include_report);
mv *mg_obj_user(const mg_user *u);
/* skipped: NULL unless -IncludeSkippedItems (then n_skipped items, up to limit
 * when limit >= 0); report: text or NULL. */
mv *mg_obj_user_stats(const mg_user *u, const mg_skipped_rec *skipped, size_t n_skipped,
                      long long limit, const char *report);
mv *mg_obj_config(const struct mg_config *c, size_t n_batches);

/* The batch object with its users loaded from the store. */
mv *mg_obj_batch_load(struct mg_store *st, const mg_batch *b, bool include_report);

/* An epoch time as a DateTime, or $null for 0 (never). */
mv *mg_obj_time(int64_t t);

#endif
