/*
 * completion.h - tab-completion name sources of the migration cmdlets:
 * endpoint names, batch names and user addresses from the state store.
 * main.c (or whoever creates the session) calls mg_migration_register().
 */
#ifndef MIGSH_CMDLETS_COMPLETION_H
#define MIGSH_CMDLETS_COMPLETION_H

#include "shell/cmdlet.h"

struct mg_session;

/* mg_name_source: names of one kind (MGCOMP_ENDPOINT, MGCOMP_BATCH,
 * MGCOMP_USER) that start with prefix (case-insensitive), at most a few
 * hundred; NULL-terminated malloc'd array of malloc'd strings or NULL. */
char **mg_migration_names(struct mg_session *s, mg_complete kind, const char *prefix);

/* Register mg_migration_names with the session. */
void mg_migration_register(struct mg_session *s);

#endif
