/*
 * folder_map.c - source LIST -> destination folder plan, and the
 * -IncludeFolders / -ExcludeFolders matching rules (see folder_map.h).
 */
#include "config.h"
#include "engine/folder_map.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_parse.h"
#include "net/mutf7.h"

#include <stdlib.h>
#include <string.h>

mg_role mg_role_from_flags(unsigned f)
{
	if (f & MG_MBX_SENT) return MG_ROLE_SENT;
	if (f & MG_MBX_TRASH) return MG_ROLE_TRASH;
	if (f & MG_MBX_JUNK) return MG_ROLE_JUNK;
	if (f & MG_MBX_DRAFTS) return MG_ROLE_DRAFTS;
	if (f & MG_MBX_ARCHIVE) return MG_ROLE_ARCHIVE;
	return MG_ROLE_NONE;
}

static const struct { const char *name; mg_role role; } common_names[] = {
	{ "INBOX", MG_ROLE_INBOX },
	{ "Sent", MG_ROLE_SENT }, { "Sent Items", MG_ROLE_SENT }, { "Sent Messages", MG_ROLE_SENT },
	{ "Sent Mail", MG_ROLE_SENT }, { "Gesendet", MG_ROLE_SENT },
	{ "Trash", MG_ROLE_TRASH }, { "Deleted Items", MG_ROLE_TRASH },
	{ "Deleted Messages", MG_ROLE_TRASH }, { "Deleted", MG_ROLE_TRASH },
	{ "Junk", MG_ROLE_JUNK }, { "Junk E-Mail", MG_ROLE_JUNK }, { "Junk Email", MG_ROLE_JUNK },
	{ "Junk Mail", MG_ROLE_JUNK }, { "Spam", MG_ROLE_JUNK }, { "Bulk Mail", MG_ROLE_JUNK },
	{ "Drafts", MG_ROLE_DRAFTS }, { "Draft", MG_ROLE_DRAFTS },
	{ "Archive", MG_ROLE_ARCHIVE }, { "Archives", MG_ROLE_ARCHIVE },
};

mg_role mg_role_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof common_names / sizeof common_names[0]; i++)
		if (str_ieq(name, common_names[i].name))
			return common_names[i].role;
	return MG_ROLE_NONE;
}

int mg_role_from_wellknown(const char *t)
{
	static const struct { const char *tok; int role; } wk[] = {
		{ "Root", MG_ROLE_NONE }, { "Inbox", MG_ROLE_INBOX }, { "SentItems", MG_ROLE_SENT },
		{ "DeletedItems", MG_ROLE_TRASH }, { "Drafts", MG_ROLE_DRAFTS },
		{ "JunkEmail", MG_ROLE_JUNK }, { "Archive", MG_ROLE_ARCHIVE },
	};
	for (size_t i = 0; i < sizeof wk / sizeof wk[0]; i++)
		if (str_ieq(t, wk[i].tok))
			return wk[i].role;
	return -1;
}

char *mg_fmap_join(char *const *comps, size_t n, char sep)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(&sb, sep);
		strbuf_adds(&sb, comps[i]);
	}
	return strbuf_detach(&sb, NULL);
}

static bool name_match(const char *pat, const char *s)
{
	if (strchr(pat, '*') || strchr(pat, '?'))
		return str_wildcard(pat, s, true);
	return str_ieq(pat, s);
}

bool mg_fmap_match(const char *pattern, const char *rel, const char *const role_rel[MG_ROLE_COUNT])
{
	strbuf base = STRBUF_INIT;
	const char *p = pattern;
	bool ok = false;
	strbuf_adds(&base, "");
	if (p[0] == '#') {
		const char *end = strchr(p + 1, '#');
		if (end) {
			char *tok = xstrndup(p + 1, (size_t)(end - p - 1));
			int role = mg_role_from_wellknown(tok);
			free(tok);
			if (role < 0)
				goto literal;       /* unknown #Name#: a literal folder name */
			if (role != MG_ROLE_NONE) {
				if (!role_rel || !role_rel[role])
					goto out;   /* no such folder at the source */
				strbuf_adds(&base, role_rel[role]);
			}
			p = end + 1;
			if (*p && *p != '/')
				goto out;
			if (role == MG_ROLE_NONE && *p == '/')
				p++;                /* "#Root#/x" is "x" */
		}
	}
literal:
	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		strbuf_addc(&base, *p);
	}
	bool subtree = false;
	if (base.len >= 2 && strcmp(base.buf + base.len - 2, "/*") == 0) {
		subtree = true;
		base.len -= 2;
		base.buf[base.len] = '\0';
	} else if (strcmp(base.buf, "*") == 0 && pattern[0] == '#') {
		subtree = true;             /* "#Root#/ *" after stripping the root */
		strbuf_reset(&base);
		strbuf_adds(&base, "");
	}
	if (!subtree) {
		ok = base.len && name_match(base.buf, rel);
		goto out;
	}
	if (base.len == 0) {
		ok = true;
		goto out;
	}
	/* "Name/ *": Name itself or anything below it */
	for (const char *q = rel;; q++) {
		if (*q == '/' || *q == '\0') {
			char *pre = xstrndup(rel, (size_t)(q - rel));
			bool m = name_match(base.buf, pre);
			free(pre);
			if (m) {
				ok = true;
				break;
			}
			if (!*q)
				break;
		}
	}
out:
	strbuf_free(&base);
	return ok;
}

static void split(const char *s, char sep, char ***comps, size_t *n)
{
	size_t cap = 0;
	*comps = NULL;
	*n = 0;
	const char *start = s;
	for (const char *q = s;; q++) {
		if ((sep && *q == sep) || *q == '\0') {
			GROW(*comps, cap, *n + 1);
			(*comps)[(*n)++] = xstrndup(start, (size_t)(q - start));
			if (!*q)
				break;
			start = q + 1;
		}
	}
}

static const char *bad_component(const char *c, char src_sep, char dst_sep)
{
	if (!*c)
		return "has an empty hierarchy level";
	if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
		return "has a level named '.' or '..'";
	if (src_sep != '/' && strchr(c, '/'))
		return "contains '/' (folders with '/' in their names are not migrated)";
	if (dst_sep && dst_sep != src_sep && strchr(c, dst_sep))
		return "contains the destination's hierarchy separator";
	for (const unsigned char *u = (const unsigned char *)c; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return "contains control characters";
	return NULL;
}

static int cmp_plan(const void *a, const void *b)
{
	const mg_folder_plan *x = a, *y = b;
	return strcmp(x->rel, y->rel);
}

int mg_fmap_build(const mg_imap_mailbox *v, size_t n, const mg_fmap_opts *o,
                  mg_folder_plan **out, size_t *n_out, mg_err *err)
{
	(void)err;
	mg_folder_plan *p = xcalloc(n ? n : 1, sizeof *p);
	size_t np = 0;
	const char *prefix = o->prefix ? o->prefix : "";
	for (size_t i = 0; i < n; i++) {
		const mg_imap_mailbox *m = &v[i];
		char sep = m->sep ? m->sep : o->src_sep;
		/* the name shown and stored: printable UTF-8 (undecodable names, and
		 * control characters hidden in modified UTF-7, escaped) */
		char *shown = NULL;
		if (!m->name)
			shown = mg_name_escape(m->wire, strlen(m->wire));
		for (const unsigned char *u = (const unsigned char *)m->name; u && *u && !shown; u++)
			if (*u < 0x20 || *u == 0x7f)
				shown = mg_name_escape(m->name, strlen(m->name));
		const char *name = m->name ? m->name : shown;
		const char *rel = name;
		if (o->userroot && *o->userroot) {
			size_t ul = strlen(o->userroot);
			if (strcmp(name, o->userroot) == 0)
				rel = "INBOX";
			else if (strncmp(name, o->userroot, ul) == 0 && sep && name[ul] == sep)
				rel = name + ul + 1;
			else {
				free(shown);
				continue;                    /* not this user's folder */
			}
		} else if (str_ieq(name, "INBOX")) {
			rel = "INBOX";
		} else if (*prefix && str_iprefix(name, prefix) && name[strlen(prefix)]) {
			rel = name + strlen(prefix);
		}
		mg_folder_plan *f = &p[np++];
		f->wire = xstrdup(m->wire);
		f->name = xstrdup(shown ? shown : name);
		f->unsendable = false;
		for (const unsigned char *u = (const unsigned char *)m->wire; *u && !f->unsendable; u++)
			f->unsendable = *u < 0x20 || *u == 0x7f || *u == (unsigned char)MG_IMAP_NUL_MARK;
		char **c;
		size_t nc;
		split(rel, sep, &c, &nc);
		f->rel = mg_fmap_join(c, nc, '/');
		f->comps = c;
		f->n_comps = nc;
		if (!m->name) {
			f->status = MG_FPLAN_INVALID;
			f->reason = xstrdup(mg_imap_has_nul_mark(m->wire, strlen(m->wire))
			                    ? "its name contains a NUL byte (the server sent a damaged name)"
			                    : "its name is not valid modified UTF-7");
		}
		free(shown);
		for (size_t k = 0; k < nc && f->status == MG_FPLAN_COPY; k++) {
			const char *why = bad_component(c[k], sep, o->dst_sep);
			if (why) {
				f->status = MG_FPLAN_INVALID;
				f->reason = xasprintf("folder name %s", why);
			}
		}
		size_t nl = strlen(f->rel);
		if (f->status == MG_FPLAN_COPY && o->max_name_bytes && nl > o->max_name_bytes) {
			f->status = MG_FPLAN_INVALID;
			f->reason = xasprintf("folder name is %zu bytes long, more than the %zu bytes a destination "
			                      "folder name may have", nl, o->max_name_bytes);
		}
		if (f->status == MG_FPLAN_COPY && (m->flags & (MG_MBX_NOSELECT | MG_MBX_NONEXISTENT)))
			f->status = MG_FPLAN_NOSELECT;
		if (nc == 1 && str_ieq(c[0], "INBOX"))
			f->role = MG_ROLE_INBOX;
	}
	/* roles: SPECIAL-USE first, then common names; one folder per role */
	const char *role_rel[MG_ROLE_COUNT] = { 0 };
	for (size_t i = 0; i < np; i++)
		if (p[i].role == MG_ROLE_INBOX)
			role_rel[MG_ROLE_INBOX] = p[i].rel;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < np; i++) {
			mg_folder_plan *f = &p[i];
			if (f->role != MG_ROLE_NONE || f->n_comps != 1 || f->status == MG_FPLAN_NOSELECT)
				continue;
			size_t src_index = 0;
			for (size_t k = 0; k < n; k++)
				if (strcmp(v[k].wire, f->wire) == 0)
					src_index = k;
			mg_role r = pass == 0 ? mg_role_from_flags(v[src_index].flags)
			                      : mg_role_from_name(f->comps[0]);
			if (r != MG_ROLE_NONE && r != MG_ROLE_INBOX && !role_rel[r]) {
				f->role = r;
				role_rel[r] = f->rel;
			}
		}
	}
	/* selection */
	for (size_t i = 0; i < np; i++) {
		mg_folder_plan *f = &p[i];
		if (f->status != MG_FPLAN_COPY)
			continue;
		bool in = !o->include || !o->include[0];
		for (size_t k = 0; o->include && o->include[k] && !in; k++)
			in = mg_fmap_match(o->include[k], f->rel, role_rel);
		bool ex = false;
		for (size_t k = 0; o->exclude && o->exclude[k] && !ex; k++)
			ex = mg_fmap_match(o->exclude[k], f->rel, role_rel);
		if (!in || ex) {
			f->status = MG_FPLAN_EXCLUDED;
			f->reason = xstrdup(ex ? "excluded by -ExcludeFolders"
			                       : "not selected by -IncludeFolders");
		}
	}
	/* destination names: INBOX, and role folders (with their subtrees) renamed */
	for (size_t i = 0; i < np; i++) {
		mg_folder_plan *f = &p[i];
		if (f->role == MG_ROLE_INBOX) {
			for (size_t k = 0; k < f->n_comps; k++)
				free(f->comps[k]);
			f->n_comps = 0;
			continue;
		}
		if (f->n_comps == 0)
			continue;
		for (int r = MG_ROLE_SENT; r < MG_ROLE_COUNT; r++) {
			if (!role_rel[r] || !o->role_dest[r] || !str_ieq(role_rel[r], f->comps[0]))
				continue;
			free(f->comps[0]);
			f->comps[0] = xstrdup(o->role_dest[r]);
			break;
		}
	}
	qsort(p, np, sizeof *p, cmp_plan);
	*out = p;
	*n_out = np;
	return 0;
}

void mg_fmap_free(mg_folder_plan *p, size_t n)
{
	if (!p)
		return;
	for (size_t i = 0; i < n; i++) {
		free(p[i].wire);
		free(p[i].name);
		free(p[i].rel);
		for (size_t k = 0; k < p[i].n_comps; k++)
			free(p[i].comps[k]);
		free(p[i].comps);
		free(p[i].reason);
	}
	free(p);
}
