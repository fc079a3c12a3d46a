/* paths.c - Windows path mapping for pasted Microsoft examples (see paths.h). */
#include "config.h"
#include "shell/paths.h"
#include "shell/session.h"
#include "common/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static bool is_drive_path(const char *p)
{
	return isalpha((unsigned char)p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/');
}

static char *slashes(const char *p)
{
	char *r = xstrdup(p);
	for (char *q = r; *q; q++)
		if (*q == '\\')
			*q = '/';
	return r;
}

static const char *base_name(const char *p)
{
	const char *b = p;
	for (const char *q = p; *q; q++)
		if (*q == '\\' || *q == '/')
			b = q + 1;
	return b;
}

static char *drive_target(struct mg_session *s, const char *path)
{
	char *home = s && s->home ? xstrdup(s->home) : mg_session_default_home();
	char *rest = slashes(path + 3);
	char *r = xasprintf("%s/drives/%c/%s", home, tolower((unsigned char)path[0]), rest);
	free(home);
	free(rest);
	return r;
}

bool mg_path_confined(struct mg_session *s, const char *local)
{
	if (!s || !s->file_root)
		return true;
	char *real = realpath(local, NULL);
	size_t n = strlen(s->file_root);
	struct stat st;
	bool ok = real && strncmp(real, s->file_root, n) == 0 && real[n] == '/' &&
	          stat(real, &st) == 0 && S_ISREG(st.st_mode);
	free(real);
	return ok;
}

static char *map_path(struct mg_session *s, const char *path, mg_err *err);

char *mg_map_path(struct mg_session *s, const char *path, mg_err *err)
{
	char *local = map_path(s, path, err);
	if (local && !mg_path_confined(s, local)) {
		mg_err_set(err, MGC_NOTFOUND, "PathNotFound",
		           "Cannot find path '%s': this session may only read files under %s.", path, s->file_root);
		free(local);
		return NULL;
	}
	return local;
}

static char *map_path(struct mg_session *s, const char *path, mg_err *err)
{
	if (!path || !*path) {
		mg_err_set(err, MGC_INVALIDARG, "PathNotFound", "The path is empty. Give the path of a file.");
		return NULL;
	}
	if (is_drive_path(path)) {
		char *d = drive_target(s, path);
		if (exists(d))
			return d;
		const char *b = base_name(path);
		if (*b && exists(b)) {
			free(d);
			return xstrdup(b);
		}
		mg_err_set(err, MGC_NOTFOUND, "PathNotFound",
		           "Cannot find path '%s' because it does not exist. migsh looked for it at '%s' "
		           "and as './%s' in the current directory; copy the file to one of those places.",
		           path, d, b);
		free(d);
		return NULL;
	}
	if (exists(path))
		return xstrdup(path);
	char *p = slashes(path);
	if (exists(p))
		return p;
	free(p);
	mg_err_set(err, MGC_NOTFOUND, "PathNotFound",
	           "Cannot find path '%s' because it does not exist.", path);
	return NULL;
}

char *mg_map_path_for_write(struct mg_session *s, const char *path)
{
	if (path && is_drive_path(path)) {
		char *d = drive_target(s, path);
		char *slash = strrchr(d, '/');
		*slash = '\0';
		bool dir_ok = exists(d);
		*slash = '/';
		if (dir_ok)
			return d;
		free(d);
		return xstrdup(base_name(path));
	}
	if (!path)
		return xstrdup("");
	return slashes(path);
}
