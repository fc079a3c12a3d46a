/*
 * store_codec.h - records <-> YAML text (one file per record).  Internal to
 * engine/; store.c does the file I/O and locking.  `path` only names the
 * file in error messages.
 */
#ifndef MIGSH_ENGINE_STORE_CODEC_H
#define MIGSH_ENGINE_STORE_CODEC_H

#include <stddef.h>
#include "common/err.h"
#include "engine/records.h"

char *mg_endpoint_to_yaml(const mg_endpoint *e);
int   mg_endpoint_from_yaml(const char *data, size_t len, const char *path, mg_endpoint **out, mg_err *err);
char *mg_batch_to_yaml(const mg_batch *b);
int   mg_batch_from_yaml(const char *data, size_t len, const char *path, mg_batch **out, mg_err *err);
char *mg_user_to_yaml(const mg_user *u);
int   mg_user_from_yaml(const char *data, size_t len, const char *path, mg_user **out, mg_err *err);
char *mg_config_to_yaml(const mg_config *c);
int   mg_config_from_yaml(const char *data, size_t len, const char *path, mg_config *out, mg_err *err);
char *mg_skipped_to_yaml(const mg_skipped_rec *v, size_t n);
int   mg_skipped_from_yaml(const char *data, size_t len, const char *path,
                           mg_skipped_rec **out, size_t *n, mg_err *err);

#endif
