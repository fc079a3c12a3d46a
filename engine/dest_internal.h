/*
 * dest_internal.h - shared by the destination implementations
 * (dest_maildir.c, dest_imap.c).  Not a public API.
 */
#ifndef MIGSH_ENGINE_DEST_INTERNAL_H
#define MIGSH_ENGINE_DEST_INTERNAL_H

#include "engine/sync_internal.h"

/* The destination refused the folder's name: err becomes the reason shown
 * in the report (why, taken), and the scope is MG_DS_FOLDER. */
mg_dscope dest_refused(mg_err *err, char *why);

#endif
