/* fileio.c - crash-safe writes and friends (see fileio.h). */
#include "config.h"
#include "common/fileio.h"
#include "common/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char *mg_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (la && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

int mg_fsync_dir(const char *dir, mg_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mg_err_sys(err, MGC_WRITE, "OpenDirectory", "cannot open directory '%s'", dir);
	int rc = fsync(fd);
	close(fd);
	if (rc < 0 && errno != EINVAL)
		return mg_err_sys(err, MGC_WRITE, "SyncDirectory", "cannot sync directory '%s'", dir);
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int mg_write_atomic(const char *path, const void *data, size_t len, mode_t mode, mg_err *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		mg_err_sys(err, MGC_WRITE, "WriteFile", "cannot create '%s'", tmp);
		goto out;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		mg_err_sys(err, MGC_WRITE, "WriteFile", "cannot write '%s'", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0) {
		mg_err_sys(err, MGC_WRITE, "WriteFile", "cannot write '%s'", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		mg_err_sys(err, MGC_WRITE, "WriteFile", "cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		goto out;
	}
	rc = mg_fsync_dir(dir, err);
out:
	free(tmp);
	free(dir);
	return rc;
}

int mg_read_file(const char *path, size_t max_bytes, char **out, size_t *len, mg_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mg_err_sys(err, errno == ENOENT ? MGC_NOTFOUND : MGC_READ, "ReadFile",
		                  "cannot open '%s'", path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return mg_err_sys(err, MGC_READ, "ReadFile", "cannot stat '%s'", path);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return mg_err_set(err, MGC_READ, "ReadFile", "'%s' is a directory, not a file", path);
	}
	if ((size_t)st.st_size > max_bytes) {
		close(fd);
		return mg_err_set(err, MGC_LIMIT, "FileTooLarge",
		                  "'%s' is %lld bytes, more than the limit of %zu bytes",
		                  path, (long long)st.st_size, max_bytes);
	}
	strbuf sb = STRBUF_INIT;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			mg_err_sys(err, MGC_READ, "ReadFile", "cannot read '%s'", path);
			close(fd);
			strbuf_free(&sb);
			return -1;
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > max_bytes) {
			close(fd);
			strbuf_free(&sb);
			return mg_err_set(err, MGC_LIMIT, "FileTooLarge",
			                  "'%s' is larger than the limit of %zu bytes", path, max_bytes);
		}
		strbuf_add(&sb, chunk, (size_t)n);
	}
	close(fd);
	strbuf_grow(&sb, 0);
	*out = strbuf_detach(&sb, len);
	return 0;
}

int mg_mkdir_p(const char *path, mode_t mode, mg_err *err)
{
	/* the usual case, a directory that is there or whose parent is: one
	 * system call instead of one per level */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	char *p = xstrdup(path);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				mg_err_sys(err, MGC_WRITE, "CreateDirectory", "cannot create directory '%s'", p);
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

int mg_rm_rf(const char *path, mg_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : mg_err_sys(err, MGC_WRITE, "Remove", "cannot stat '%s'", path);
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return mg_err_sys(err, MGC_WRITE, "Remove", "cannot open '%s'", path);
		struct dirent *de;
		int rc = 0;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char *child = mg_path_join(path, de->d_name);
			if (mg_rm_rf(child, err) < 0)
				rc = -1;
			free(child);
		}
		closedir(d);
		if (rc < 0)
			return -1;
		if (rmdir(path) < 0)
			return mg_err_sys(err, MGC_WRITE, "Remove", "cannot remove '%s'", path);
		return 0;
	}
	if (unlink(path) < 0)
		return mg_err_sys(err, MGC_WRITE, "Remove", "cannot remove '%s'", path);
	return 0;
}

int mg_lock_file(const char *path, int wait, mg_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return mg_err_sys(err, MGC_WRITE, "LockFile", "cannot open lock file '%s'", path);
	for (;;) {
		if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return mg_err_set(err, MGC_RESOURCE, "Locked",
			                  "'%s' is locked by another migsh process; wait for it to finish", path);
		errno = e;
		return mg_err_sys(err, MGC_WRITE, "LockFile", "cannot lock '%s'", path);
	}
}

void mg_unlock_file(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
