/*
 * folder_map.h - which source folders are migrated and where they land.
 *
 * Input: the source LIST (mg_imap_mailbox), its personal namespace prefix
 * ("" or "INBOX."), the CSV UserRoot, the batch's -IncludeFolders /
 * -ExcludeFolders, and the destination's separator and special-folder names.
 * Output: one plan per source folder saying whether it is copied, and if so
 * the destination path as UTF-8 components (no component = INBOX), or why not
 * (FolderNameInvalid, FolderExcluded).
 *
 * A name that cannot be mapped is never fatal: it gets MG_FPLAN_INVALID and a
 * reason, and the rest is migrated.  Such names are: not valid modified UTF-7
 * (or UTF-8 under UTF8=ACCEPT), with a NUL (the server sent one), control
 * characters, an empty, "." or ".." level, a '/' the destination would read as
 * a path, the destination's separator, or longer than max_name_bytes.  The
 * plan's name is always printable UTF-8 (undecodable bytes as "\xNN"), so it
 * can be stored in a record and shown.
 *
 * Matching rules (documented for admins under FOLDERS in about_Migration_Csv,
 * man migsh-migration(7)):
 *  - names are relative to the namespace prefix / UserRoot, hierarchy written
 *    with '/', compared case-insensitively;
 *  - "Name/ *" selects Name and every folder below it;
 *  - "#Inbox#", "#SentItems#", "#DeletedItems#", "#Drafts#", "#JunkEmail#",
 *    "#Archive#" name the well-known folder whatever it is called at the
 *    source (SPECIAL-USE or common name); "#Root#/ *" is every folder;
 *    a backslash escapes a literal '#' ("\#Notes\#" is the folder "#Notes#");
 *  - our extension: '*' and '?' anywhere are wildcards.
 *  - a folder is copied when it matches an include (or there are none) and
 *    no exclude.
 */
#ifndef MIGSH_ENGINE_FOLDER_MAP_H
#define MIGSH_ENGINE_FOLDER_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "net/imap_client.h"

/* Roles of well-known folders. */
typedef enum mg_role {
	MG_ROLE_NONE = 0, MG_ROLE_INBOX, MG_ROLE_SENT, MG_ROLE_TRASH, MG_ROLE_JUNK,
	MG_ROLE_DRAFTS, MG_ROLE_ARCHIVE, MG_ROLE_COUNT
} mg_role;

typedef enum mg_fplan_status {
	MG_FPLAN_COPY = 0,
	MG_FPLAN_INVALID,    /* FolderNameInvalid: not migrated, reported */
	MG_FPLAN_EXCLUDED,   /* FolderExcluded: not migrated, reported */
	MG_FPLAN_NOSELECT    /* container only (\Noselect): nothing to copy */
} mg_fplan_status;

typedef struct mg_folder_plan {
	char   *wire;         /* source wire name (EXAMINE it) */
	char   *name;         /* source full name, UTF-8 (or the wire name when undecodable) */
	char   *rel;          /* relative name with '/' as separator (for matching and reports) */
	char  **comps;        /* destination components (UTF-8); n_comps == 0: INBOX */
	size_t  n_comps;
	mg_role role;         /* well-known role at the source */
	mg_fplan_status status;
	char   *reason;       /* why not copied, or NULL */
	bool    unsendable;   /* the wire name is damaged (a NUL the server sent, control bytes):
	                         never put it in a command (it would name another folder) */
} mg_folder_plan;

typedef struct mg_fmap_opts {
	const char *prefix;          /* source personal namespace prefix ("" / "INBOX.") or NULL */
	char        src_sep;         /* source separator ('\0' = flat) */
	const char *userroot;        /* CSV UserRoot (source full name) or NULL */
	const char *const *include;  /* NULL-terminated or NULL */
	const char *const *exclude;
	char        dst_sep;         /* separator that cannot appear inside a destination component */
	/* destination names for the roles (NULL entries: keep the source name);
	 * index by mg_role; INBOX is always the destination INBOX */
	const char *role_dest[MG_ROLE_COUNT];
	size_t      max_name_bytes;  /* longest destination name (components joined), 0 = no limit */
} mg_fmap_opts;

/* Build one plan per mailbox in v (same order), sorted afterwards by rel so
 * parents come before children.  *out malloc'd; free with mg_fmap_free. */
int  mg_fmap_build(const mg_imap_mailbox *v, size_t n, const mg_fmap_opts *o,
                   mg_folder_plan **out, size_t *n_out, mg_err *err);
void mg_fmap_free(mg_folder_plan *p, size_t n);

/* Role a top-level folder name suggests ("Sent Items" -> SENT ...), or NONE. */
mg_role mg_role_from_name(const char *name);
/* Role from LIST SPECIAL-USE flags (MG_MBX_*), or NONE. */
mg_role mg_role_from_flags(unsigned flags);
/* Role of a well-known "#Name#" token (without the '#'s), or -1 ("Root" -> NONE). */
int mg_role_from_wellknown(const char *token);

/* Does one -IncludeFolders/-ExcludeFolders pattern select folder `rel`
 * (which has well-known role `role` and is below a folder of role
 * `top_role` when it is not top level)?  role_rel[] gives the rel name of
 * each role's folder at the source (NULL when none), for "#SentItems#/ *". */
bool mg_fmap_match(const char *pattern, const char *rel, const char *const role_rel[MG_ROLE_COUNT]);

/* Join components with sep into a malloc'd string (for logs and keys). */
char *mg_fmap_join(char *const *comps, size_t n, char sep);

#endif
