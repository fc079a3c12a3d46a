/*
 * secure.h - SecureString values (ConvertTo-SecureString, Read-Host
 * -AsSecureString's PowerShell meaning, Get-Credential, PSCredential).
 *
 * A SecureString is a string value that reads "System.Security.SecureString"
 * (what PowerShell prints for one, in every view); the secret itself is
 * kept aside in the session (a slot), keyed by that value, so that no
 * formatting, conversion or Get-Member ever shows it.  The registry holds a
 * reference to each value, so a key is never reused while the session
 * lives; the secrets are wiped when the session ends.
 */
#ifndef MIGSH_SECURE_H
#define MIGSH_SECURE_H

#include <stdbool.h>
#include "shell/value.h"

struct mg_session;

#define MG_SECURE_TEXT "System.Security.SecureString"

/* A new SecureString holding a copy of plain (new reference). */
mv *mg_secure_new(struct mg_session *s, const char *plain);
/* Is v a SecureString of this session? */
bool mg_secure_is(struct mg_session *s, const mv *v);
/* The secret of v (malloc'd copy; wipe and free it), or NULL when v is
 * not a SecureString of this session. */
char *mg_secure_plain(struct mg_session *s, const mv *v);
/* The password text of a credential's Password value: the secret of a
 * SecureString, else the value's string form.  malloc'd (wipe and free). */
char *mg_secure_text(struct mg_session *s, const mv *v);

#endif
