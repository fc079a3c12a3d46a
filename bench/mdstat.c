/*
 * mdstat.c - summarize the messages under one mailbox tree so two copies of
 * a mailbox can be compared: message count, raw bytes, normalized bytes and
 * an order-independent content hash.
 *
 * Every regular file inside a directory named "cur" or "new" anywhere below
 * DIR is a message (Maildir, Maildir++ and mbsync's nested layouts alike;
 * "tmp" and index files are ignored).  Normalization makes copies that differ
 * only in ways we accept compare equal: CR bytes are dropped (Dovecot and
 * mbsync store LF, the wire carries CRLF) and an "X-TUID:" header line that
 * mbsync adds is dropped.  The hash is the sum of a 64-bit FNV-1a per
 * normalized message, so equal multisets of messages give equal hashes.
 *
 * usage: mdstat DIR      -> "msgs=N raw=BYTES norm=BYTES hash=HEX"
 * Part of bench/, built by bench/run.sh; not part of the migsh binary.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tally { uint64_t msgs, raw, norm, hash; };

static int hash_file(const char *path, struct tally *t)
{
	static char buf[1 << 16];
	static const char tag[] = "X-TUID: ";
	int fd = open(path, O_RDONLY);
	uint64_t h = 1469598103934665603ULL, norm = 0, raw = 0;
	int in_header = 1, at_bol = 1;
	char line[sizeof tag];   /* the start of the current header line, held back */
	size_t held = 0;
	int skipping = 0;
	ssize_t n;
	if (fd < 0)
		return -1;
#define EMIT(c) do { h ^= (unsigned char)(c); h *= 1099511628211ULL; norm++; } while (0)
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		raw += (uint64_t)n;
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			if (c == '\r')
				continue;
			if (!in_header) {
				EMIT(c);
				continue;
			}
			if (skipping) {           /* inside an X-TUID line */
				if (c == '\n') { skipping = 0; at_bol = 1; }
				continue;
			}
			if (at_bol) {
				if (c == '\n' && held == 0) {  /* the blank line ends the header */
					in_header = 0;
					EMIT(c);
					continue;
				}
				line[held++] = c;
				if (held < sizeof tag - 1 && c == tag[held - 1])
					continue;
				if (held == sizeof tag - 1 && c == tag[held - 1]) {
					skipping = 1; held = 0; at_bol = 0;
					continue;
				}
				for (size_t k = 0; k < held; k++)
					EMIT(line[k]);
				held = 0;
				at_bol = (c == '\n');
				continue;
			}
			EMIT(c);
			if (c == '\n')
				at_bol = 1;
		}
	}
	for (size_t k = 0; k < held; k++)
		EMIT(line[k]);
#undef EMIT
	close(fd);
	if (n < 0)
		return -1;
	t->msgs++;
	t->raw += raw;
	t->norm += norm;
	t->hash += h;
	return 0;
}

static int walk(const char *dir, int is_msgdir, struct tally *t)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;
	if (!d) {
		fprintf(stderr, "mdstat: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (!strcmp(e->d_name, "tmp"))
				continue;
			rc |= walk(path, !strcmp(e->d_name, "cur") || !strcmp(e->d_name, "new"), t);
		} else if (S_ISREG(st.st_mode) && is_msgdir) {
			if (hash_file(path, t) != 0) {
				fprintf(stderr, "mdstat: %s: %s\n", path, strerror(errno));
				rc = -1;
			}
		}
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	struct tally t = {0, 0, 0, 0};
	if (argc != 2) {
		fprintf(stderr, "usage: mdstat DIR\n");
		return 2;
	}
	if (walk(argv[1], 0, &t) != 0)
		return 1;
	printf("msgs=%" PRIu64 " raw=%" PRIu64 " norm=%" PRIu64 " hash=%016" PRIx64 "\n",
	       t.msgs, t.raw, t.norm, t.hash);
	return 0;
}
