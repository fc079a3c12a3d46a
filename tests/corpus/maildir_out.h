/*
 * maildir_out.h - writes generated messages into a Maildir++ folder the way
 * Dovecot lays it out: cur/new/tmp, file names with ,S= and ,W= sizes and the
 * :2,FLAGS suffix, file mtime = internal date, dovecot-keywords (custom
 * keywords as lowercase suffix letters) and dovecot-uidlist (fixed UIDs and
 * UIDVALIDITY, so the same seed gives the same IMAP view).
 */
#ifndef MIGSH_CORPUS_MAILDIR_OUT_H
#define MIGSH_CORPUS_MAILDIR_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Standard flags as bits; written as Maildir letters D F R S. */
#define CG_F_DRAFT    1u
#define CG_F_FLAGGED  2u
#define CG_F_ANSWERED 4u
#define CG_F_SEEN     8u

#define CG_NKEYWORDS 4
extern const char *const cg_keywords[CG_NKEYWORDS]; /* index = suffix letter - 'a' */

typedef struct cg_folder {
	char *path;            /* the folder's Maildir directory */
	uint32_t uidvalidity;
	char **bases;          /* file base names, index = UID - 1 */
	size_t n, cap;
	unsigned kw_used;      /* keywords used in this folder (bitmask) */
} cg_folder;

/* Create (or reuse) the Maildir at path; refuses one that already has mail. */
int cg_folder_open(cg_folder *f, const char *path, int is_inbox, uint32_t uidvalidity,
                   mg_err *err);
/* Store a message.  flags: CG_F_* bits; kw: keyword bitmask; in_new: put it in
 * new/ (no flags).  *uid gets its UID; *relpath (caller frees) the path
 * relative to the folder. */
int cg_folder_add(cg_folder *f, const char *data, size_t len, int64_t date,
                  unsigned flags, unsigned kw, int in_new, unsigned seq, unsigned tag,
                  unsigned *uid, char **relpath, mg_err *err);
/* Write dovecot-uidlist and dovecot-keywords, free the folder. */
int cg_folder_close(cg_folder *f, uint64_t guid_seed, mg_err *err);
/* IMAP flag list of bits + keywords, e.g. "\Seen \Flagged Work". Caller frees. */
char *cg_flags_imap(unsigned flags, unsigned kw, int in_new);

#endif
