// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for IP-to-country tables.
 *
 * A file is read whole and walked in place: a table of 550k rows would
 * otherwise cost 550k small reads or allocations. Rows land in two arrays
 * that grow geometrically. Parsing stops at the first bad row; the error
 * names the line and quotes the text at fault.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"

/* Longest input quoted in an error: a binary file may have no newline. */
#define QUOTE_MAX 64
/* First allocation of an array, in entries; it doubles from there. */
#define INITIAL_RANGES 4096

void range_set_init(struct range_set *set)
{
	memset(set, 0, sizeof(*set));
}

void range_set_free(struct range_set *set)
{
	free(set->v4);
	free(set->v6);
	range_set_init(set);
}

static bool is_blank(char c)
{
	/* '\r' included: a CRLF line ends in "\r" once '\n' is cut off. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **start, const char **end)
{
	while (*start < *end && is_blank(**start))
		(*start)++;
	while (*end > *start && is_blank((*end)[-1]))
		(*end)--;
}

/*
 * Fills @err->msg with the printf-style message and, when @text is given,
 * ": 'text'". Control bytes are shown as '?' so a binary file cannot mess up
 * the terminal.
 */
static int fail(struct parse_error *err, int ret, const char *text, size_t len,
		const char *fmt, ...)
{
	size_t size = sizeof(err->msg), n, i;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(err->msg, size, fmt, ap);
	va_end(ap);
	if (!text || n >= size)
		return ret;

	p = err->msg + n;
	size -= n;
	n = len > QUOTE_MAX ? QUOTE_MAX : len;
	if (size < n + sizeof(": ''..."))
		return ret;
	*p++ = ':';
	*p++ = ' ';
	*p++ = '\'';
	for (i = 0; i < n; i++)
		*p++ = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
	*p++ = '\'';
	if (n < len)
		p = stpcpy(p, "...");
	*p = '\0';
	return ret;
}

int csv_parse_addr(const char *text, size_t len, uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN];

	if (!len || len >= sizeof(buf) || memchr(text, '\0', len))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';

	/* Only IPv6 has colons; this also keeps "::ffff:1.2.3.4" IPv6. */
	if (memchr(buf, ':', len))
		return inet_pton(AF_INET6, buf, addr) == 1 ? 16 : -EINVAL;
	return inet_pton(AF_INET, buf, addr) == 1 ? 4 : -EINVAL;
}

int csv_parse_prefix(const char *text, size_t len, uint8_t addr[16], int *plen)
{
	const char *slash = memchr(text, '/', len);
	unsigned long n = 0;
	size_t i, alen = slash ? (size_t)(slash - text) : len;
	int family = csv_parse_addr(text, alen, addr);

	if (family < 0)
		return -EINVAL;
	*plen = 8 * family;
	if (slash) {
		/* Digits only, no sign or space: strtoul would take both. */
		if (slash + 1 == text + len || len - alen - 1 > 3)
			return -EINVAL;
		for (i = alen + 1; i < len; i++) {
			if (text[i] < '0' || text[i] > '9')
				return -EINVAL;
			n = 10 * n + (text[i] - '0');
		}
		if (n > (unsigned long)*plen)
			return -EINVAL;
		*plen = n;
	}
	for (i = 0; i < (size_t)family; i++) {
		int keep = *plen - 8 * (int)i;
		uint8_t host = keep >= 8 ? 0 : keep <= 0 ? 0xff : 0xff >> keep;

		if (addr[i] & host)
			return -EDOM;
	}
	return family;
}

int csv_parse_uid(const char *text, size_t len, uint32_t *uid)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 10)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		v = 10 * v + (text[i] - '0');
	}
	if (v >= UINT32_MAX)
		return -EINVAL;
	*uid = v;
	return 0;
}

static bool is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int csv_parse_country(const char *text, size_t len, uint8_t cc[2])
{
	if (len != 2 || !is_letter(text[0]) || !is_letter(text[1]))
		return -EINVAL;
	/* ASCII only: clearing bit 5 upper-cases a letter. */
	cc[0] = text[0] & ~0x20;
	cc[1] = text[1] & ~0x20;
	return 0;
}

/* Doubling keeps 550k appends to about 20 reallocations. */
static int grow(void **array, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : INITIAL_RANGES;
	void *p;

	if (n > JURIS_MAX_RANGES)
		n = JURIS_MAX_RANGES;
	p = realloc(*array, n * size);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = n;
	return 0;
}

int range_set_add(struct range_set *set, int len, const uint8_t *start,
		  const uint8_t *end, const uint8_t *cc, struct parse_error *err)
{
	size_t *n = len == 4 ? &set->n4 : &set->n6;
	size_t *cap = len == 4 ? &set->cap4 : &set->cap6;
	size_t size = len == 4 ? sizeof(*set->v4) : sizeof(*set->v6);
	void **array = len == 4 ? (void **)&set->v4 : (void **)&set->v6;
	uint8_t *entry;

	if (*n >= JURIS_MAX_RANGES)
		return fail(err, -E2BIG, NULL, 0,
			    "too many IPv%d ranges: the kernel takes at most %u",
			    len == 4 ? 4 : 6, JURIS_MAX_RANGES);
	if (*n == *cap && grow(array, cap, size) < 0)
		return fail(err, -ENOMEM, NULL, 0, "out of memory");

	/* Both entry layouts are start, end, country with no padding. */
	entry = (uint8_t *)*array + *n * size;
	memcpy(entry, start, len);
	memcpy(entry + len, end, len);
	memcpy(entry + 2 * len, cc, 2);
	(*n)++;
	return 0;
}

/* One line without its '\n'. Blank and comment-only lines add nothing. */
static int parse_line(const char *s, const char *e, struct range_set *set,
		      struct parse_error *err)
{
	const char *field[3], *field_end[3], *p, *comma, *hash;
	uint8_t start[16], end[16], cc[2];
	int n = 0, len, end_len;

	hash = memchr(s, '#', e - s);
	if (hash)
		e = hash;
	trim(&s, &e);
	if (s == e)
		return 0;

	for (p = s;; p = comma + 1) {
		comma = memchr(p, ',', e - p);
		if (n < 3) {
			field[n] = p;
			field_end[n] = comma ? comma : e;
			trim(&field[n], &field_end[n]);
		}
		n++;
		if (!comma)
			break;
	}
	if (n != 3)
		return fail(err, -EINVAL, s, e - s,
			    "expected 3 fields start,end,cc, got %d", n);

	len = csv_parse_addr(field[0], field_end[0] - field[0], start);
	if (len < 0)
		return fail(err, -EINVAL, field[0], field_end[0] - field[0],
			    "invalid IPv4 or IPv6 address");
	end_len = csv_parse_addr(field[1], field_end[1] - field[1], end);
	if (end_len < 0)
		return fail(err, -EINVAL, field[1], field_end[1] - field[1],
			    "invalid IPv4 or IPv6 address");
	if (len != end_len)
		return fail(err, -EINVAL, s, e - s,
			    "start and end are different address families");
	if (memcmp(start, end, len) > 0)
		return fail(err, -EINVAL, s, e - s, "start is after end");
	if (csv_parse_country(field[2], field_end[2] - field[2], cc) < 0)
		return fail(err, -EINVAL, field[2], field_end[2] - field[2],
			    "invalid country code");

	return range_set_add(set, len, start, end, cc, err);
}

int csv_parse_buf(const char *path, const char *buf, size_t len,
		  struct range_set *set, struct parse_error *err)
{
	const char *p = buf, *end = buf + len, *eol, *next;
	unsigned long line = 0;
	int ret;

	err->path = path;
	err->line = 0;
	err->msg[0] = '\0';
	while (p < end) {
		eol = memchr(p, '\n', end - p);
		next = eol ? eol + 1 : end;
		if (!eol)
			eol = end;
		line++;
		ret = parse_line(p, eol, set, err);
		if (ret < 0) {
			err->line = line;
			return ret;
		}
		p = next;
	}
	return 0;
}

/* Reads all of @fd; regular files in one read, pipes in growing steps. */
static int read_all(int fd, char **bufp, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	struct stat st;
	char *buf, *p;
	ssize_t n;

	/* One spare byte lets the final read() see EOF without growing. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = st.st_size + 1;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

int csv_read_file(const char *path, char **buf, size_t *len,
		  struct parse_error *err)
{
	bool is_stdin = !strcmp(path, "-");
	int fd, ret;

	err->path = is_stdin ? "<stdin>" : path;
	err->line = 0;
	*buf = NULL;
	*len = 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err_open;
	}
	ret = read_all(fd, buf, len);
	if (!is_stdin)
		close(fd);
	if (ret < 0)
		goto err_open;
	return 0;

err_open:
	snprintf(err->msg, sizeof(err->msg), "%s", strerror(-ret));
	return ret;
}

int csv_parse_file(const char *path, struct range_set *set,
		   struct parse_error *err)
{
	char *buf;
	size_t len;
	int ret;

	ret = csv_read_file(path, &buf, &len, err);
	if (ret < 0)
		return ret;
	ret = csv_parse_buf(err->path, buf, len, set, err);
	free(buf);
	return ret;
}
