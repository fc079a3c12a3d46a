/*
 * builtin_items.c - the file-system cmdlets scripts use around a migration:
 * Test-Path, Get-ChildItem (gci, dir), Get-Item (gi), New-Item (ni),
 * Remove-Item (del, ri), Copy-Item (copy, cpi), Join-Path,
 * Split-Path, Get-Location (pwd, gl) and Set-Location (cd, sl, chdir).
 *
 * Rules: a cmdlet writes or removes only the item the user named (and,
 * with -Recurse, what is below it; symbolic links are removed or copied as
 * links, never followed out of the tree); -Path resolves wildcards,
 * -LiteralPath does not; errors are PowerShell's ("Cannot find path '...'
 * because it does not exist.").  A confined session (the fuzzer's
 * s->file_root) changes nothing on disk.  Items are System.IO.FileInfo /
 * DirectoryInfo objects with the properties PowerShell 7 shows on Linux.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/paths.h"
#include "shell/session.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- item objects ---- */

static const char *const file_dp[] = { "UnixMode", "User", "Group", "LastWriteTime", "Size", "Name", NULL };
const mv_type_info mg_type_file_info = { "System.IO.FileInfo", file_dp, 1, "FullName" };
const mv_type_info mg_type_dir_info = { "System.IO.DirectoryInfo", file_dp, 1, "FullName" };

/* The absolute form of p (relative to the current directory), with "."
 * and ".." and repeated slashes removed lexically (links are not resolved).
 * Backslashes count as separators. */
static char *abs_path(const char *p)
{
	strbuf in = STRBUF_INIT;
	if (p[0] != '/' && p[0] != '\\') {
		char cwd[PATH_MAX];
		strbuf_adds(&in, getcwd(cwd, sizeof cwd) ? cwd : ".");
		strbuf_addc(&in, '/');
	}
	strbuf_adds(&in, p);
	for (size_t i = 0; i < in.len; i++)
		if (in.buf[i] == '\\')
			in.buf[i] = '/';
	/* split into components */
	char **comp = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;
	for (char *w = strtok_r(in.buf, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
		if (!strcmp(w, "."))
			continue;
		if (!strcmp(w, "..")) {
			if (n)
				n--;
			continue;
		}
		GROW(comp, cap, n + 1);
		comp[n++] = w;
	}
	strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		strbuf_addc(&out, '/');
		strbuf_adds(&out, comp[i]);
	}
	if (!out.len)
		strbuf_addc(&out, '/');
	free(comp);
	strbuf_free(&in);
	return strbuf_detach(&out, NULL);
}

static const char *leaf_of(const char *p)
{
	const char *b = p;
	for (const char *q = p; *q; q++)
		if ((*q == '/' || *q == '\\') && q[1])
			b = q + 1;
	return b;
}

static void unix_mode(mode_t m, char out[11])
{
	out[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : '-';
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (1u << (8 - i))) ? rwx[i] : '-';
	out[10] = '\0';
}

/* The FileInfo / DirectoryInfo object of an existing path (given: as the
 * user wrote it or as found). */
static mv *item_object(const char *path, const struct stat *st, bool link)
{
	bool dir = S_ISDIR(st->st_mode);
	mv *o = mv_object(dir ? &mg_type_dir_info : &mg_type_file_info);
	char *full = abs_path(path);
	const char *name = strcmp(full, "/") ? leaf_of(full) : "/";
	char mode[11];
	unix_mode(st->st_mode, mode);
	if (link)
		memcpy(mode, "lrwxrwxrwx", 10);   /* a symbolic link shows as one */
	mv_set_str(o, "UnixMode", mode);
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[4096];
	if (getpwuid_r(st->st_uid, &pw, buf, sizeof buf, &pwp) == 0 && pwp)
		mv_set_str(o, "User", pwp->pw_name);
	else
		mv_set_take(o, "User", mv_stringf("%lu", (unsigned long)st->st_uid));
	if (getgrgid_r(st->st_gid, &gr, buf, sizeof buf, &grp) == 0 && grp)
		mv_set_str(o, "Group", grp->gr_name);
	else
		mv_set_take(o, "Group", mv_stringf("%lu", (unsigned long)st->st_gid));
	mv_set_take(o, "LastWriteTime", mv_datetime((int64_t)st->st_mtime, 0));
	mv_set_take(o, "Size", dir ? mv_null() : mv_int((long long)st->st_size));
	mv_set_str(o, "Name", name);
	mv_set_str(o, "FullName", full);
	if (!dir)
		mv_set_int(o, "Length", (long long)st->st_size);
	const char *dot = strrchr(name, '.');
	bool has_ext = dot && dot != name;
	mv_set_take(o, "Extension", mv_string(has_ext ? dot : ""));
	mv_set_take(o, "BaseName", dir || !has_ext ? mv_string(name) : mv_string_n(name, (size_t)(dot - name)));
	char *parent = xstrdup(full);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else if (slash)
		slash[1] = '\0';
	mv_set_str(o, dir ? "Parent" : "DirectoryName", strcmp(full, "/") ? parent : NULL);
	free(parent);
	mv_set_bool(o, "PSIsContainer", dir);
	mv_set_bool(o, "Exists", true);
	mv_set_take(o, "Mode", mv_string(link ? "l----" : dir ? "d----" : "-----"));
	mv_set_take(o, "LinkType", link ? mv_string("SymbolicLink") : mv_null());
	char target[PATH_MAX];
	ssize_t tl = link ? readlink(path, target, sizeof target - 1) : -1;
	mv_set_take(o, "Target", tl >= 0 ? mv_string_n(target, (size_t)tl) : mv_null());
	free(full);
	return o;
}

/* ---- path resolution ---- */

/* PowerShell names the full path of a missing item. */
static mg_err not_found(const char *given)
{
	mg_err e;
	bool drive = given[0] && given[1] == ':';
	char *full = drive ? xstrdup(given) : abs_path(given);
	mg_err_set(&e, MGC_NOTFOUND, "PathNotFound", "Cannot find path '%s' because it does not exist.", full);
	free(full);
	return e;
}

static bool confined(mg_ctx *c)
{
	return c->session && c->session->file_root;
}

static int refuse_write(mg_ctx *c, const char *given)
{
	mg_err_set(&c->err, MGC_PERMISSION, "PathNotAllowed",
	           "Cannot change '%s': this session may not change files.", given);
	return -1;
}

/* The local paths a -Path value names: wildcards expanded (sorted), a
 * Windows drive path mapped (paths.h).  A path without wildcards that does
 * not exist is returned as it is when keep_missing, else left out and
 * *missing set.  Returns a NULL-terminated malloc'd array (bu_strv_free). */
static char **resolve(mg_ctx *c, const char *given, bool literal, bool keep_missing, bool *missing)
{
	char **out = xcalloc(2, sizeof *out);
	*missing = false;
	if (!literal && str_has_wildcard(given)) {
		char *pat = xstrdup(given);
		for (char *q = pat; *q; q++)
			if (*q == '\\')
				*q = '/';
		glob_t g;
		memset(&g, 0, sizeof g);
		if (glob(pat, 0, NULL, &g) == 0) {
			out = xrealloc(out, (g.gl_pathc + 1) * sizeof *out);
			size_t k = 0;
			for (size_t i = 0; i < g.gl_pathc; i++)
				if (!confined(c) || mg_path_confined(c->session, g.gl_pathv[i]))
					out[k++] = xstrdup(g.gl_pathv[i]);
			out[k] = NULL;
		}
		globfree(&g);
		free(pat);
		return out;
	}
	mg_err e;
	mg_err_clear(&e);
	struct stat st;
	char *local = NULL;
	if (!confined(c) && lstat(given, &st) == 0)
		local = xstrdup(given);
	else
		local = mg_map_path(c->session, given, &e);
	if (local) {
		out[0] = local;
	} else if (keep_missing) {
		out[0] = mg_map_path_for_write(c->session, given);
	} else {
		*missing = true;
	}
	return out;
}

static char **path_args(mg_ctx *c, mv *input, bool *literal)
{
	mv *pv = mg_arg(c, "LiteralPath");
	*literal = pv != NULL;
	if (!pv)
		pv = mg_arg(c, "Path");
	if (!pv && input)
		pv = mv_get(input, "FullName") ? mv_get(input, "FullName") : input;
	return bu_strv(pv, NULL);
}

#define P_PATH(flags, pos, help) \
	{ "Path", MPT_STRINGS, (flags) | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, pos, NULL, MG_NAMES("Path"), NULL, NULL, MGCOMP_FILE, help }
#define P_LITERAL \
	{ "LiteralPath", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_PROPNAME, -1, NULL, MG_NAMES("LiteralPath"), MG_NAMES("PSPath", "LP", "FullName"), NULL, \
	  MGCOMP_FILE, "A path taken as it is: wildcard characters are part of the name." }

/* ---- Test-Path ---- */

static const char *const pathtype_vals[] = { "Any", "Container", "Leaf", NULL };

static int tp_process(mg_ctx *c, mv *input)
{
	bool literal;
	size_t n = 0;
	char **paths = path_args(c, input, &literal);
	while (paths && paths[n])
		n++;
	const char *type = mg_arg_str(c, "PathType");
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		bool ok;
		if (mg_switch(c, "IsValid")) {
			ok = paths[i][0] != '\0';
		} else {
			bool missing;
			char **found = resolve(c, paths[i], literal, false, &missing);
			ok = false;
			for (size_t k = 0; found[k]; k++) {
				struct stat st;
				if (stat(found[k], &st) < 0)
					continue;
				if (!type || str_ieq(type, "Any") ||
				    (str_ieq(type, "Container") && S_ISDIR(st.st_mode)) ||
				    (str_ieq(type, "Leaf") && !S_ISDIR(st.st_mode)))
					ok = true;
			}
			bu_strv_free(found);
		}
		rc = mg_emit_take(c, mv_bool(ok));
	}
	if (!paths) {
		mg_err_set(&c->err, MGC_INVALIDARG, "NullArgument",
		           "Cannot bind argument to parameter 'Path' because it is an empty string.");
		rc = -1;
	}
	bu_strv_free(paths);
	return rc;
}

static const mg_param tp_params[] = {
	P_PATH(MPF_MANDATORY, 0, "The paths to test; wildcards allowed (True when anything matches)."),
	P_LITERAL,
	{ "PathType", MPT_ENUM, 0, -1, pathtype_vals, NULL, MG_NAMES("Type"), "Any", MGCOMP_ENUM,
	  "Container: true only for a directory; Leaf: only for anything else (a file)." },
	{ "IsValid", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Tests only that the path is well formed, not that it exists." },
	P_END
};

static const mg_example tp_examples[] = {
	{ "Test-Path IMAPmigration_1.csv", "True when the CSV file is there.", 0, "True" },
	{ "if (-not (Test-Path ./reports -PathType Container)) { New-Item ./reports -ItemType Directory | Out-Null }",
	  "Makes a directory for reports unless it exists.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_test_path = {
	.name = "Test-Path",
	.synopsis = "Tells whether a file or directory exists.",
	.description = "Test-Path writes True when the path exists (and, with -PathType, is "
	               "a directory or a file), False otherwise; it never writes an error for "
	               "a missing path. Wildcards match any existing item. Windows paths are "
	               "mapped like Get-Content's (see migsh-language(7)).",
	.params = tp_params,
	.default_set = "Path",
	.inputs = "System.String",
	.outputs = "System.Boolean",
	.examples = tp_examples,
	.related = MG_NAMES("Get-Item", "Get-ChildItem", "New-Item"),
	.process = tp_process,
};

/* ---- Get-Item / Get-ChildItem ---- */

static int emit_item(mg_ctx *c, const char *path, bool name_only, const char *rel)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	bool link = S_ISLNK(st.st_mode);
	if (link) {
		struct stat t;
		if (stat(path, &t) == 0)
			st = t;
	}
	if (name_only)
		return mg_emit_take(c, mv_string(rel ? rel : leaf_of(path)));
	return mg_emit_take(c, item_object(path, &st, link));
}

static int gi_process(mg_ctx *c, mv *input)
{
	bool literal;
	char **paths = path_args(c, input, &literal);
	int rc = 0;
	for (size_t i = 0; paths && paths[i] && rc == 0; i++) {
		bool missing;
		char **found = resolve(c, paths[i], literal, false, &missing);
		if (missing) {
			mg_err e = not_found(paths[i]);
			rc = mg_error(c, &e, paths[i]);
		}
		for (size_t k = 0; found[k] && rc == 0; k++)
			rc = emit_item(c, found[k], false, NULL);
		bu_strv_free(found);
	}
	bu_strv_free(paths);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

typedef struct gci_opts {
	bool recurse, files, dirs, names, force;
	const char *filter;
	char **include, **exclude;
	long long depth;   /* -Depth (or -1: unlimited) */
} gci_opts;

static bool any_wild(char **pats, const char *name)
{
	for (size_t i = 0; pats && pats[i]; i++)
		if (str_wildcard(pats[i], name, true))
			return true;
	return false;
}

/* List the children of dir (sorted by name); rel is the prefix of -Name output. */
static int list_dir(mg_ctx *c, const char *dir, const char *rel, const gci_opts *o, long long level)
{
	DIR *d = opendir(dir);
	if (!d) {
		mg_err e;
		mg_err_sys(&e, MGC_PERMISSION, "DirUnauthorizedAccessError", "Access to the path '%s' is denied", dir);
		return mg_error(c, &e, dir);
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_name[0] == '.' && !o->force)
			continue;   /* hidden on Linux */
		GROW(names, cap, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc < 0 || mg_session_interrupted(c->session))
			continue;
		char *child = strcmp(dir, "/") ? xasprintf("%s/%s", dir, names[i]) : xasprintf("/%s", names[i]);
		char *crel = rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		struct stat lst, st;
		if (lstat(child, &lst) == 0) {
			st = lst;
			if (S_ISLNK(lst.st_mode))
				stat(child, &st);
			bool isdir = S_ISDIR(st.st_mode);
			bool show = !(o->files && isdir) && !(o->dirs && !isdir);
			if (o->filter && !str_wildcard(o->filter, names[i], true))
				show = false;
			if (o->include && !any_wild(o->include, names[i]))
				show = false;
			if (o->exclude && any_wild(o->exclude, names[i]))
				show = false;
			if (show)
				rc = emit_item(c, child, o->names, crel);
		}
		free(child);
		free(crel);
	}
	/* then each subdirectory, like PowerShell (never into a linked
	 * directory: the tree stays what was named) */
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && o->recurse && (o->depth < 0 || level < o->depth) &&
		    !mg_session_interrupted(c->session)) {
			char *child = strcmp(dir, "/") ? xasprintf("%s/%s", dir, names[i]) : xasprintf("/%s", names[i]);
			char *crel = rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
			struct stat lst;
			if (lstat(child, &lst) == 0 && S_ISDIR(lst.st_mode))
				rc = list_dir(c, child, crel, o, level + 1);
			free(child);
			free(crel);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int gci_process(mg_ctx *c, mv *input)
{
	bool literal;
	char **paths = path_args(c, input, &literal);
	gci_opts o;
	memset(&o, 0, sizeof o);
	o.recurse = mg_switch(c, "Recurse") || mg_has(c, "Depth");
	o.files = mg_switch(c, "File");
	o.dirs = mg_switch(c, "Directory");
	o.names = mg_switch(c, "Name");
	o.force = mg_switch(c, "Force");
	o.filter = mg_arg_str(c, "Filter");
	o.include = bu_strv(mg_arg(c, "Include"), NULL);
	o.exclude = bu_strv(mg_arg(c, "Exclude"), NULL);
	o.depth = -1;
	if (mg_has(c, "Depth"))
		mv_to_ll(mg_arg(c, "Depth"), &o.depth);
	char *dot[] = { (char *)".", NULL };
	char **list = paths ? paths : dot;
	int rc = 0;
	for (size_t i = 0; list[i] && rc == 0; i++) {
		bool missing;
		char **found = resolve(c, list[i], literal, false, &missing);
		if (missing) {
			mg_err e = not_found(list[i]);
			rc = mg_error(c, &e, list[i]);
		}
		size_t nf = 0;
		while (found[nf])
			nf++;
		bool wild = !literal && str_has_wildcard(list[i]);
		for (size_t k = 0; k < nf && rc == 0; k++) {
			struct stat st;
			if (stat(found[k], &st) < 0)
				continue;
			if (S_ISDIR(st.st_mode) && !(wild && !o.recurse)) {
				rc = list_dir(c, found[k], NULL, &o, 0);
			} else {
				bool isdir = S_ISDIR(st.st_mode);
				if ((o.files && isdir) || (o.dirs && !isdir))
					continue;
				rc = emit_item(c, found[k], o.names, NULL);
			}
		}
		bu_strv_free(found);
	}
	bu_strv_free(paths);
	bu_strv_free(o.include);
	bu_strv_free(o.exclude);
	return rc;
}

static const mg_param gi_params[] = {
	P_PATH(MPF_MANDATORY, 0, "The items to get; wildcards allowed."),
	P_LITERAL,
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility; hidden files are always found by name." },
	P_END
};

static const mg_example gi_examples[] = {
	{ "(Get-Item IMAPmigration_1.csv).Length", "The size of a file in bytes.", 0, NULL },
	{ "Get-Item ./IMAPmigration_1.csv | Select-Object Name,Length,LastWriteTime",
	  "Some properties of a file.", 0, "IMAPmigration_1.csv" },
	EX_END
};

const mg_cmdlet mg_cmd_get_item = {
	.name = "Get-Item",
	.aliases = MG_NAMES("gi"),
	.synopsis = "Gets a file or directory as an object.",
	.description = "Get-Item writes a System.IO.FileInfo or DirectoryInfo object for each "
	               "path (Name, FullName, Length, LastWriteTime, Extension, BaseName, "
	               "UnixMode, User, Group, ...). A path that does not exist is an error "
	               "(\"Cannot find path '...' because it does not exist.\").",
	.params = gi_params,
	.default_set = "Path",
	.inputs = "System.String",
	.outputs = "System.IO.FileInfo, System.IO.DirectoryInfo",
	.output_type = &mg_type_file_info,
	.examples = gi_examples,
	.related = MG_NAMES("Get-ChildItem", "Test-Path"),
	.process = gi_process,
};

static const mg_param gci_params[] = {
	P_PATH(0, 0, "The directories (or files) to list; wildcards allowed. Default: the current directory."),
	P_LITERAL,
	{ "Filter", MPT_STRING, 0, 1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Only names that match this wildcard pattern (*.csv)." },
	{ "Include", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Only names that match one of these patterns." },
	{ "Exclude", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Leaves out names that match one of these patterns." },
	{ "Recurse", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("s", "r"), "False", MGCOMP_NONE,
	  "Lists subdirectories too (symbolic links to directories are listed, not entered)." },
	{ "Depth", MPT_INT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "With -Recurse, how many levels below the path to go." },
	{ "File", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("af"), "False", MGCOMP_NONE, "Files only." },
	{ "Directory", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("ad", "d"), "False", MGCOMP_NONE, "Directories only." },
	{ "Name", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the names (relative paths with -Recurse) as strings instead of objects." },
	{ "Force", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Also lists hidden items (names that start with a dot)." },
	P_END
};

static const mg_example gci_examples[] = {
	{ "Get-ChildItem -Filter *.csv -Name", "The names of the CSV files in the current directory.", 0,
	  "IMAPmigration_1.csv" },
	{ "Get-ChildItem *.csv | ForEach-Object { $_.Name + ': ' + $_.Length }",
	  "Each CSV file with its size.", 0, "IMAPmigration_2.csv" },
	EX_END
};

const mg_cmdlet mg_cmd_get_childitem = {
	.name = "Get-ChildItem",
	.aliases = MG_NAMES("gci", "dir"),
	.synopsis = "Lists the files and directories in a directory.",
	.description = "Get-ChildItem writes one FileInfo or DirectoryInfo object per item of "
	               "the directory, sorted by name (with -Name: the names). Items whose "
	               "name starts with a dot are hidden unless -Force is given.",
	.params = gci_params,
	.default_set = "Path",
	.inputs = "System.String",
	.outputs = "System.IO.FileInfo, System.IO.DirectoryInfo, System.String",
	.output_type = &mg_type_file_info,
	.examples = gci_examples,
	.related = MG_NAMES("Get-Item", "Test-Path", "Remove-Item"),
	.process = gci_process,
};

/* ---- New-Item ---- */

static const char *const itemtype_vals[] = { "File", "Directory", NULL };

static int ni_process(mg_ctx *c, mv *input)
{
	(void)input;
	char **paths = bu_strv(mg_arg(c, "Path"), NULL);
	const char *name = mg_arg_str(c, "Name");
	const char *type = mg_arg_str(c, "ItemType");
	bool dir = type && (str_ieq(type, "Directory") || str_ieq(type, "Container"));
	bool force = mg_switch(c, "Force");
	mv *value = mg_arg(c, "Value");
	char *dot[] = { (char *)".", NULL };
	char **list = paths ? paths : dot;
	if (!paths && !name) {
		mg_err_set(&c->err, MGC_INVALIDARG, "NewItemMissingPath",
		           "New-Item needs -Path (or -Name): the item to create.");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; list[i] && rc == 0; i++) {
		char *given = name ? (strcmp(list[i], ".") ? xasprintf("%s/%s", list[i], name) : xstrdup(name))
		                   : xstrdup(list[i]);
		if (confined(c)) {
			free(given);
			rc = refuse_write(c, list[i]);
			break;
		}
		char *local = mg_map_path_for_write(c->session, given);
		char *full = abs_path(local);
		struct stat st;
		mg_err e;
		mg_err_clear(&e);
		bool exists = lstat(local, &st) == 0;
		if (exists && dir && S_ISDIR(st.st_mode)) {
			if (!force) {
				mg_err_set(&e, MGC_EXISTS, "DirectoryExist",
				           "An item with the specified name %s already exists.", full);
				rc = mg_error(c, &e, given);
			} else {
				rc = emit_item(c, local, false, NULL);
			}
		} else if (exists && (!force || dir || S_ISDIR(st.st_mode))) {
			mg_err_set(&e, MGC_EXISTS, "NewItemIOError", "The file '%s' already exists.", full);
			rc = mg_error(c, &e, given);
		} else {
			char *parent = xstrdup(full);
			char *slash = strrchr(parent, '/');
			if (slash && slash != parent)
				*slash = '\0';
			else if (slash)
				slash[1] = '\0';
			struct stat pst;
			bool parent_ok = stat(parent, &pst) == 0 && S_ISDIR(pst.st_mode);
			if (!parent_ok && (force || dir))
				parent_ok = mg_mkdir_p(parent, 0777 & ~0u, NULL) == 0;
			if (!parent_ok) {
				mg_err_set(&e, MGC_WRITE, "NewItemIOError", "Could not find a part of the path '%s'.", full);
				rc = mg_error(c, &e, given);
			} else if (dir) {
				if (mkdir(local, 0777) < 0 && errno != EEXIST) {
					mg_err_sys(&e, MGC_WRITE, "NewItemIOError", "Cannot create directory '%s'", full);
					rc = mg_error(c, &e, given);
				} else {
					rc = emit_item(c, local, false, NULL);
				}
			} else {
				strbuf sb = STRBUF_INIT;
				if (value && value->kind == MV_BYTES) {
					strbuf_add(&sb, value->u.bytes.p, value->u.bytes.len);
				} else if (value && value->kind != MV_NULL) {
					char *s = mv_to_string(value);
					strbuf_adds(&sb, s);
					free(s);
				}
				int fd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
				if (fd < 0 || (sb.len && write(fd, sb.buf, sb.len) != (ssize_t)sb.len)) {
					mg_err_sys(&e, MGC_WRITE, "NewItemIOError", "Cannot create file '%s'", full);
					rc = mg_error(c, &e, given);
				} else {
					rc = emit_item(c, local, false, NULL);
				}
				if (fd >= 0)
					close(fd);
				strbuf_free(&sb);
			}
			free(parent);
		}
		free(full);
		free(local);
		free(given);
	}
	bu_strv_free(paths);
	return rc;
}

static const mg_param ni_params[] = {
	{ "Path", MPT_STRINGS, MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, ".", MGCOMP_FILE,
	  "Where to create the item (with -Name: the directory it goes in)." },
	{ "Name", MPT_STRING, MPF_PIPE_PROPNAME, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The name of the new item, inside -Path." },
	{ "ItemType", MPT_ENUM, 0, -1, itemtype_vals, NULL, MG_NAMES("Type"), "File", MGCOMP_ENUM,
	  "File (the default) or Directory." },
	{ "Value", MPT_OBJECT, MPF_PIPE_VALUE, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The content of a new file." },
	{ "Force", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Replaces an existing file, returns an existing directory instead of failing, and "
	  "creates missing parent directories." },
	P_END
};

static const mg_example ni_examples[] = {
	{ "New-Item -Path ./reports -ItemType Directory", "Creates a directory.", 0, "reports" },
	{ "New-Item -Path notes.txt -Value 'Batch 1 started'", "Creates a file with one line of text.", 0,
	  "notes.txt" },
	EX_END
};

const mg_cmdlet mg_cmd_new_item = {
	.name = "New-Item",
	.aliases = MG_NAMES("ni"),
	.synopsis = "Creates a file or a directory.",
	.description = "New-Item creates the file (with -Value as its content) or the directory "
	               "-ItemType Directory that the path names, and writes its object. An "
	               "existing item is an error unless -Force is given.",
	.params = ni_params,
	.inputs = "System.Object",
	.outputs = "System.IO.FileInfo, System.IO.DirectoryInfo",
	.output_type = &mg_type_file_info,
	.examples = ni_examples,
	.related = MG_NAMES("Remove-Item", "Test-Path", "Set-Content"),
	.process = ni_process,
};

/* ---- Remove-Item ---- */

static int ri_process(mg_ctx *c, mv *input)
{
	bool literal;
	char **paths = path_args(c, input, &literal);
	int rc = 0;
	for (size_t i = 0; paths && paths[i] && rc == 0; i++) {
		if (confined(c)) {
			rc = refuse_write(c, paths[i]);
			break;
		}
		bool missing;
		char **found = resolve(c, paths[i], literal, false, &missing);
		if (missing) {
			mg_err e = not_found(paths[i]);
			rc = mg_error(c, &e, paths[i]);
		}
		for (size_t k = 0; found[k] && rc == 0; k++) {
			struct stat st;
			if (lstat(found[k], &st) < 0)
				continue;
			char *full = abs_path(found[k]);
			bool fatal = false;
			if (!mg_should_process(c, full, "Remove File", &fatal)) {
				free(full);
				if (fatal)
					rc = -1;
				continue;
			}
			mg_err e;
			mg_err_clear(&e);
			if (S_ISDIR(st.st_mode)) {
				DIR *d = opendir(found[k]);
				bool empty = true;
				struct dirent *de;
				while (d && (de = readdir(d)))
					if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
						empty = false;
				if (d)
					closedir(d);
				if (!empty && !mg_switch(c, "Recurse")) {
					mg_err_set(&e, MGC_WRITE, "DirectoryNotEmpty",
					           "The item at %s has children and the Recurse parameter was not "
					           "specified. Nothing has been removed; add -Recurse to remove "
					           "the directory and everything in it.", full);
					rc = mg_error(c, &e, paths[i]);
				} else if (mg_rm_rf(found[k], &e) < 0) {
					rc = mg_error(c, &e, paths[i]);
				}
			} else if (unlink(found[k]) < 0) {
				mg_err_sys(&e, MGC_WRITE, "RemoveFileSystemItemIOError", "Cannot remove item %s", full);
				rc = mg_error(c, &e, paths[i]);
			}
			free(full);
		}
		bu_strv_free(found);
	}
	bu_strv_free(paths);
	return rc;
}

static const mg_param ri_params[] = {
	P_PATH(MPF_MANDATORY, 0, "The items to remove; wildcards allowed."),
	P_LITERAL,
	{ "Recurse", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("r"), "False", MGCOMP_NONE,
	  "Removes a directory with everything in it (symbolic links inside are removed, "
	  "never followed)." },
	{ "Force", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted; read-only files are removed anyway on Linux." },
	P_END
};

static const mg_example ri_examples[] = {
	{ "New-Item old-report.csv | Out-Null; Remove-Item ./old-report.csv; Test-Path ./old-report.csv",
	  "Removes a file: Test-Path then says False.", 0, "False" },
	{ "New-Item ./reports -ItemType Directory | Out-Null; Remove-Item ./reports -Recurse -WhatIf",
	  "Says what would be removed, and removes nothing.", 0, "What if" },
	EX_END
};

const mg_cmdlet mg_cmd_remove_item = {
	.name = "Remove-Item",
	.aliases = MG_NAMES("del", "ri", "erase", "rd"),
	.synopsis = "Removes files and directories.",
	.description = "Remove-Item deletes the files and directories the path names. A "
	               "directory that is not empty is removed only with -Recurse. A path that "
	               "does not exist is an error.",
	.params = ri_params,
	.default_set = "Path",
	.inputs = "System.String",
	.outputs = "None",
	.examples = ri_examples,
	.related = MG_NAMES("New-Item", "Get-ChildItem"),
	.flags = MCF_SHOULD_PROCESS,
	.process = ri_process,
};

/* ---- Copy-Item ---- */

static int copy_file(const char *from, const char *to, mode_t mode, mg_err *e)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return mg_err_sys(e, MGC_READ, "CopyItemIOError", "Cannot read '%s'", from);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
	if (out < 0) {
		close(in);
		return mg_err_sys(e, MGC_WRITE, "CopyItemIOError", "Cannot write '%s'", to);
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = mg_err_sys(e, MGC_WRITE, "CopyItemIOError", "Cannot write '%s'", to);
			break;
		}
	if (n < 0)
		rc = mg_err_sys(e, MGC_READ, "CopyItemIOError", "Cannot read '%s'", from);
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = mg_err_sys(e, MGC_WRITE, "CopyItemIOError", "Cannot write '%s'", to);
	return rc;
}

/* Copy from (lstat st) to the new path to; directories only with recurse
 * (else just the directory itself); links as links. */
static int copy_tree(mg_ctx *c, const char *from, const struct stat *st, const char *to, bool recurse,
                     bool force, mg_err *e)
{
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(from, target, sizeof target - 1);
		if (n < 0)
			return mg_err_sys(e, MGC_READ, "CopyItemIOError", "Cannot read link '%s'", from);
		target[n] = '\0';
		if (force)
			unlink(to);
		if (symlink(target, to) < 0)
			return mg_err_sys(e, MGC_WRITE, "CopyItemIOError", "Cannot create '%s'", to);
		return 0;
	}
	if (!S_ISDIR(st->st_mode)) {
		struct stat dst;
		if (!force && lstat(to, &dst) == 0 && !S_ISREG(dst.st_mode))
			return mg_err_set(e, MGC_EXISTS, "CopyItemIOError", "The file '%s' already exists.", to);
		return copy_file(from, to, st->st_mode, e);
	}
	if (mkdir(to, st->st_mode & 0777) < 0 && errno != EEXIST)
		return mg_err_sys(e, MGC_WRITE, "CopyItemIOError", "Cannot create directory '%s'", to);
	if (!recurse)
		return 0;
	DIR *d = opendir(from);
	if (!d)
		return mg_err_sys(e, MGC_READ, "CopyItemIOError", "Cannot open '%s'", from);
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (mg_session_interrupted(c->session))
			break;
		char *f = xasprintf("%s/%s", from, de->d_name), *t = xasprintf("%s/%s", to, de->d_name);
		struct stat cst;
		if (lstat(f, &cst) == 0)
			rc = copy_tree(c, f, &cst, t, recurse, force, e);
		free(f);
		free(t);
	}
	closedir(d);
	return rc;
}

static int ci_process(mg_ctx *c, mv *input)
{
	bool literal;
	char **paths = path_args(c, input, &literal);
	const char *dest = mg_arg_str(c, "Destination");
	bool recurse = mg_switch(c, "Recurse"), force = mg_switch(c, "Force");
	int rc = 0;
	if (!dest)
		dest = ".";
	char *dlocal = mg_map_path_for_write(c->session, dest);
	char *dfull = abs_path(dlocal);
	for (size_t i = 0; paths && paths[i] && rc == 0; i++) {
		if (confined(c)) {
			rc = refuse_write(c, dest);
			break;
		}
		bool missing;
		char **found = resolve(c, paths[i], literal, false, &missing);
		if (missing) {
			mg_err e = not_found(paths[i]);
			rc = mg_error(c, &e, paths[i]);
		}
		for (size_t k = 0; found[k] && rc == 0; k++) {
			struct stat st, dst;
			if (lstat(found[k], &st) < 0)
				continue;
			char *sfull = abs_path(found[k]);
			bool into = stat(dlocal, &dst) == 0 && S_ISDIR(dst.st_mode);
			char *target = into ? (strcmp(dfull, "/") ? xasprintf("%s/%s", dfull, leaf_of(sfull))
			                                          : xasprintf("/%s", leaf_of(sfull)))
			                    : xstrdup(dfull);
			size_t sl = strlen(sfull);
			mg_err e;
			mg_err_clear(&e);
			if (!strcmp(sfull, target)) {
				mg_err_set(&e, MGC_WRITE, "CopyError", "Cannot overwrite the item %s with itself.", sfull);
				rc = mg_error(c, &e, paths[i]);
			} else if (S_ISDIR(st.st_mode) && !strncmp(target, sfull, sl) && target[sl] == '/') {
				mg_err_set(&e, MGC_WRITE, "CopyContainerItemToLeafError",
				           "Cannot copy the directory %s into itself (%s).", sfull, target);
				rc = mg_error(c, &e, paths[i]);
			} else {
				bool fatal = false;
				char *what = xasprintf("Item: %s Destination: %s", sfull, target);
				bool go = mg_should_process(c, what, "Copy File", &fatal);
				free(what);
				if (fatal)
					rc = -1;
				else if (go && copy_tree(c, found[k], &st, target, recurse, force, &e) < 0)
					rc = mg_error(c, &e, paths[i]);
				else if (go && mg_switch(c, "PassThru"))
					rc = emit_item(c, target, false, NULL);
			}
			free(target);
			free(sfull);
		}
		bu_strv_free(found);
	}
	free(dlocal);
	free(dfull);
	bu_strv_free(paths);
	return rc;
}

static const mg_param ci_params[] = {
	P_PATH(MPF_MANDATORY, 0, "The items to copy; wildcards allowed."),
	P_LITERAL,
	{ "Destination", MPT_STRING, 0, 1, NULL, NULL, NULL, "the current directory", MGCOMP_FILE,
	  "The new path, or an existing directory to copy into." },
	{ "Recurse", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Copies a directory with everything in it (without it, only the directory itself)." },
	{ "Force", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Replaces existing items." },
	{ "PassThru", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the objects of the copies." },
	P_END
};

static const mg_example ci_examples[] = {
	{ "Copy-Item IMAPmigration_1.csv IMAPmigration_1.bak", "Keeps a copy of a CSV file.", 0, NULL },
	{ "Copy-Item *.csv ./backup-dir -WhatIf", "Says what would be copied.", 0, "What if" },
	EX_END
};

const mg_cmdlet mg_cmd_copy_item = {
	.name = "Copy-Item",
	.aliases = MG_NAMES("copy", "cpi"),
	.synopsis = "Copies files and directories.",
	.description = "Copy-Item copies the items the path names to -Destination (into it when "
	               "it is an existing directory). Directories are copied with their "
	               "content only with -Recurse; symbolic links are copied as links.",
	.params = ci_params,
	.default_set = "Path",
	.inputs = "System.String",
	.outputs = "None, or with -PassThru System.IO.FileInfo",
	.examples = ci_examples,
	.related = MG_NAMES("Remove-Item", "New-Item"),
	.flags = MCF_SHOULD_PROCESS,
	.process = ci_process,
};

/* ---- Join-Path / Split-Path ---- */

static void join_one(strbuf *sb, const char *child)
{
	while (sb->len > 1 && (sb->buf[sb->len - 1] == '/' || sb->buf[sb->len - 1] == '\\'))
		sb->buf[--sb->len] = '\0';
	while (*child == '/' || *child == '\\')
		child++;
	if (sb->len && !(sb->len == 1 && sb->buf[0] == '/'))
		strbuf_addc(sb, '/');
	else if (!sb->len && !*child)
		return;
	strbuf_adds(sb, child);
}

static int jp_process(mg_ctx *c, mv *input)
{
	char **parents = bu_strv(input ? input : mg_arg(c, "Path"), NULL);
	char **childs = bu_strv(mg_arg(c, "ChildPath"), NULL);
	char **more = bu_strv(mg_arg(c, "AdditionalChildPath"), NULL);
	int rc = 0;
	for (size_t i = 0; parents && parents[i] && rc == 0; i++) {
		for (size_t k = 0; (childs ? childs[k] != NULL : k == 0) && rc == 0; k++) {
			strbuf sb = STRBUF_INIT;
			strbuf_adds(&sb, parents[i]);
			if (childs)
				join_one(&sb, childs[k]);
			for (size_t m = 0; more && more[m]; m++)
				join_one(&sb, more[m]);
			if (!sb.buf)
				strbuf_adds(&sb, "");
			rc = mg_emit_take(c, mv_string_take(strbuf_detach(&sb, NULL)));
		}
	}
	bu_strv_free(parents);
	bu_strv_free(childs);
	bu_strv_free(more);
	return rc;
}

static const mg_param jp_params[] = {
	{ "Path", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, MG_NAMES("PSPath"),
	  NULL, MGCOMP_FILE, "The parent path(s)." },
	{ "ChildPath", MPT_STRINGS, 0, 1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The path to append." },
	{ "AdditionalChildPath", MPT_STRINGS, MPF_REMAINING, 2, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "More path parts, appended in order (Join-Path a b c d)." },
	{ "Resolve", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility; the joined path is written as it is." },
	P_END
};

static const mg_example jp_examples[] = {
	{ "Join-Path /var/tmp reports 'batch1.csv'", "Prints /var/tmp/reports/batch1.csv.", 0,
	  "reports/batch1.csv" },
	EX_END
};

const mg_cmdlet mg_cmd_join_path = {
	.name = "Join-Path",
	.synopsis = "Joins a path and child paths into one path.",
	.description = "Join-Path joins its arguments with one '/' between them (separators at "
	               "the joints are not doubled). The path need not exist.",
	.params = jp_params,
	.inputs = "System.String",
	.outputs = "System.String",
	.examples = jp_examples,
	.related = MG_NAMES("Split-Path", "Test-Path"),
	.process = jp_process,
};

static int sp_one(mg_ctx *c, const char *p)
{
	/* drop separators at the end (but keep a lone "/") */
	char *s = xstrdup(p);
	size_t L = strlen(s);
	while (L > 1 && (s[L - 1] == '/' || s[L - 1] == '\\'))
		s[--L] = '\0';
	const char *leaf = s;
	const char *sep = NULL;
	for (const char *q = s; *q; q++)
		if (*q == '/' || *q == '\\')
			sep = q;
	if (sep)
		leaf = sep + 1;
	bool root = !strcmp(s, "/");
	mv *r;
	if (mg_switch(c, "IsAbsolute")) {
		r = mv_bool(s[0] == '/' || s[0] == '\\' || (s[0] && s[1] == ':' && (s[2] == '\\' || s[2] == '/')));
	} else if (mg_switch(c, "Leaf")) {
		r = mv_string(root ? "" : leaf);
	} else if (mg_switch(c, "LeafBase") || mg_switch(c, "Extension")) {
		const char *dot = root ? NULL : strrchr(leaf, '.');
		if (mg_switch(c, "Extension"))
			r = mv_string(dot ? dot : "");
		else
			r = dot ? mv_string_n(leaf, (size_t)(dot - leaf)) : mv_string(root ? "" : leaf);
	} else if (mg_switch(c, "Qualifier")) {
		if (s[0] && s[1] == ':')
			r = mv_string_n(s, 2);
		else {
			free(s);
			mg_err e;
			mg_err_set(&e, MGC_INVALIDARG, "ParsePathError",
			           "Cannot parse path because path '%s' does not have a qualifier specified.", p);
			return mg_error(c, &e, p);
		}
	} else if (mg_switch(c, "NoQualifier")) {
		r = mv_string(s[0] && s[1] == ':' ? s + 2 : s);
	} else {   /* -Parent */
		if (root || !sep)
			r = mv_string("");
		else if (sep == s)
			r = mv_string_n(s, 1);
		else
			r = mv_string_n(s, (size_t)(sep - s));
	}
	free(s);
	return mg_emit_take(c, r);
}

static int sp_process(mg_ctx *c, mv *input)
{
	char **paths = bu_strv(input ? input : mg_arg(c, "Path"), NULL);
	int rc = 0;
	for (size_t i = 0; paths && paths[i] && rc == 0; i++)
		rc = sp_one(c, paths[i]);
	bu_strv_free(paths);
	return rc;
}

static const mg_param sp_params[] = {
	{ "Path", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, MG_NAMES("PSPath"),
	  NULL, MGCOMP_FILE, "The paths to split." },
	{ "Parent", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "True", MGCOMP_NONE,
	  "The directory part (the default)." },
	{ "Leaf", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE, "The last element." },
	{ "LeafBase", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "The last element without its extension." },
	{ "Extension", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "The extension of the last element, with its dot." },
	{ "Qualifier", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "The drive of a Windows path (C:)." },
	{ "NoQualifier", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "The path without its drive." },
	{ "IsAbsolute", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "True when the path is absolute." },
	{ "Resolve", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility." },
	P_END
};

static const mg_example sp_examples[] = {
	{ "Split-Path /var/tmp/reports/batch1.csv -Leaf", "Prints batch1.csv.", 0, "batch1.csv" },
	{ "Split-Path /var/tmp/reports/batch1.csv", "Prints /var/tmp/reports.", 0, "/reports" },
	EX_END
};

const mg_cmdlet mg_cmd_split_path = {
	.name = "Split-Path",
	.synopsis = "Returns a part of a path.",
	.description = "Split-Path writes the parent directory of a path (the default), its "
	               "last element (-Leaf), that element without or with only its extension "
	               "(-LeafBase, -Extension), or whether it is absolute (-IsAbsolute). The "
	               "path need not exist.",
	.params = sp_params,
	.inputs = "System.String",
	.outputs = "System.String, System.Boolean",
	.examples = sp_examples,
	.related = MG_NAMES("Join-Path"),
	.process = sp_process,
};

/* ---- Get-Location / Set-Location ---- */

static const char *const pathinfo_dp[] = { "Path", NULL };
const mv_type_info mg_type_path_info = { "System.Management.Automation.PathInfo", pathinfo_dp, 1, "Path" };

static mv *location(void)
{
	char cwd[PATH_MAX];
	mv *o = mv_object(&mg_type_path_info);
	mv_set_str(o, "Path", getcwd(cwd, sizeof cwd) ? cwd : ".");
	mv_set_str(o, "Provider", "Microsoft.PowerShell.Core\\FileSystem");
	mv_set_str(o, "ProviderPath", getcwd(cwd, sizeof cwd) ? cwd : ".");
	return o;
}

static int gl_process(mg_ctx *c, mv *input)
{
	(void)input;
	return mg_emit_take(c, location());
}

static const mg_param gl_params[] = { P_END };
static const mg_example gl_examples[] = {
	{ "(Get-Location).Path", "The current directory as a string.", 0, "/" },
	EX_END
};

const mg_cmdlet mg_cmd_get_location = {
	.name = "Get-Location",
	.aliases = MG_NAMES("gl", "pwd"),
	.synopsis = "Gets the current directory.",
	.description = "Get-Location writes a PathInfo object whose Path is the current directory.",
	.params = gl_params,
	.inputs = "None",
	.outputs = "System.Management.Automation.PathInfo",
	.output_type = &mg_type_path_info,
	.examples = gl_examples,
	.related = MG_NAMES("Set-Location"),
	.process = gl_process,
};

static int sl_process(mg_ctx *c, mv *input)
{
	(void)input;
	const char *given = mg_arg_str(c, "LiteralPath");
	if (!given)
		given = mg_arg_str(c, "Path");
	if (!given) {
		const char *home = getenv("HOME");
		given = home ? home : "/";
	}
	mg_err e;
	mg_err_clear(&e);
	char *local = xstrdup(given);
	struct stat st;
	if (stat(local, &st) < 0) {
		free(local);
		local = mg_map_path(c->session, given, &e);
		if (!local) {
			c->err = not_found(given);
			return -1;
		}
		if (stat(local, &st) < 0)
			st.st_mode = 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		mg_err_set(&c->err, MGC_INVALIDARG, "PathNotFound",
		           "Cannot find path '%s' because it does not exist.", given);
		free(local);
		return -1;
	}
	if (confined(c)) {
		free(local);
		return refuse_write(c, given);
	}
	if (chdir(local) < 0) {
		mg_err_sys(&c->err, MGC_PERMISSION, "SetLocationFailed", "Cannot change to '%s'", given);
		free(local);
		return -1;
	}
	free(local);
	if (mg_switch(c, "PassThru"))
		return mg_emit_take(c, location());
	return 0;
}

static const mg_param sl_params[] = {
	{ "Path", MPT_STRING, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, "$HOME", MGCOMP_FILE,
	  "The directory to go to." },
	{ "LiteralPath", MPT_STRING, 0, -1, NULL, NULL, MG_NAMES("PSPath", "LP"), NULL, MGCOMP_FILE,
	  "The directory, taken as it is." },
	{ "PassThru", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the new location (a PathInfo object)." },
	P_END
};

static const mg_example sl_examples[] = {
	{ "$here = (Get-Location).Path; Set-Location /; Set-Location $here; Get-ChildItem -Name -Filter *.csv",
	  "Goes to / and back, then lists the CSV files there.", 0, "IMAPmigration_1.csv" },
	EX_END
};

const mg_cmdlet mg_cmd_set_location = {
	.name = "Set-Location",
	.aliases = MG_NAMES("cd", "sl", "chdir"),
	.synopsis = "Changes the current directory.",
	.description = "Set-Location makes the path the current directory of the shell (and of "
	               "the programs it runs); relative paths are relative to it.",
	.params = sl_params,
	.inputs = "System.String",
	.outputs = "None, or with -PassThru System.Management.Automation.PathInfo",
	.examples = sl_examples,
	.related = MG_NAMES("Get-Location"),
	.process = sl_process,
};
