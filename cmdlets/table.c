/*
 * table.c - the one dispatch table: every cmdlet migsh knows, utility and
 * migration alike.  The binder, tab completion, Get-Help, Get-Command and
 * the man-page generator all walk this table.
 *
 * The two lists it joins are kept by their owners:
 *   shell/builtins_list.c   - language and utility cmdlets (Format-List, ...)
 *   cmdlets/migration_list.c - the migration cmdlets
 */
#include "config.h"
#include "shell/cmdlet.h"
#include "common/str.h"

#include <string.h>
#include <strings.h>

extern const mg_cmdlet *const mg_builtin_cmdlets[];   /* NULL-terminated */
extern const mg_cmdlet *const mg_migration_cmdlets[]; /* NULL-terminated */

#define MG_MAX_CMDLETS 256

const mg_cmdlet *const *mg_cmdlet_table(size_t *count)
{
	/* Built once on first use; the table is immutable afterwards.  A
	 * function-local static keeps it out of the session object on purpose:
	 * it is constant data, not mutable state. */
	static const mg_cmdlet *all[MG_MAX_CMDLETS + 1];
	static size_t n;
	if (!n) {
		for (size_t i = 0; mg_builtin_cmdlets[i] && n < MG_MAX_CMDLETS; i++)
			all[n++] = mg_builtin_cmdlets[i];
		for (size_t i = 0; mg_migration_cmdlets[i] && n < MG_MAX_CMDLETS; i++)
			all[n++] = mg_migration_cmdlets[i];
		all[n] = NULL;
	}
	if (count)
		*count = n;
	return all;
}

const mg_cmdlet *mg_cmdlet_find(const char *name)
{
	size_t n;
	const mg_cmdlet *const *t = mg_cmdlet_table(&n);
	for (size_t i = 0; i < n; i++)
		if (str_ieq(t[i]->name, name))
			return t[i];
	for (size_t i = 0; i < n; i++)
		if (str_list_has(t[i]->aliases, name, false))
			return t[i];
	return NULL;
}
