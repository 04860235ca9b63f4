// SPDX-License-Identifier: GPL-2.0
/*
 * jbench: the tools of make bench, on the host and in the guest.
 *
 *   jbench pool [-n N] [-s SEED] IPV4.CSV  N IPv4 destinations (65536) on
 *                                          standard output, 4 bytes each,
 *                                          network order
 *   jbench udp [-t SECONDS] [-b BATCH] POOL
 *                                          UDP datagrams to the pool's
 *                                          destinations in turn, BATCH (64) per
 *                                          sendmmsg, for SECONDS (2); prints
 *                                          "PACKETS SECONDS PPS"
 *   jbench time COMMAND [ARG...]           runs COMMAND with its standard
 *                                          output on standard error, prints
 *                                          its wall time in seconds and the
 *                                          largest resident size of it or
 *                                          its children in kB, exits with its
 *                                          status
 *
 * The pool is drawn once, on the host, so every kernel and every run sends
 * to the same destinations in the same order: a random row of the table,
 * then a random address inside it (the fixed seed makes it the same on every
 * machine). That spreads the lookups over the whole table the way
 * bench_host's weighted figures do, rather than hammering a few cache lines.
 */
#define _GNU_SOURCE	/* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same sequence everywhere, no libc in between. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		perror("jbench");
		exit(2);
	}
	return p;
}

/* The IPv4 rows of a start,end,cc table; anything else is skipped. */
static uint32_t *read_rows(const char *path, size_t *n)
{
	char line[256], start[64], end[64];
	uint32_t *rows = NULL;
	size_t cap = 0;
	struct in_addr a, b;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "jbench: cannot open '%s': %s\n", path, strerror(errno));
		exit(2);
	}
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %63[^, ] , %63[^, ]", start, end) != 2 ||
		    inet_pton(AF_INET, start, &a) != 1 || inet_pton(AF_INET, end, &b) != 1 ||
		    ntohl(a.s_addr) > ntohl(b.s_addr))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 4096;
			rows = xrealloc(rows, cap * 2 * sizeof(*rows));
		}
		rows[2 * *n] = ntohl(a.s_addr);
		rows[2 * *n + 1] = ntohl(b.s_addr);
		(*n)++;
	}
	fclose(f);
	if (!*n) {
		fprintf(stderr, "jbench: no IPv4 rows in '%s'\n", path);
		exit(2);
	}
	return rows;
}

static int pool(int argc, char *argv[])
{
	unsigned long count = 65536, i;
	uint32_t *rows, addr;
	size_t n, r;
	uint64_t span;
	int opt;

	rnd_state = 0x6a75726973ULL;	/* "juris" */
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rnd_state = strtoull(optarg, NULL, 0) ?: 1;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || !count) {
		fprintf(stderr, "usage: jbench pool [-n N] [-s SEED] IPV4.CSV\n");
		return 2;
	}
	rows = read_rows(argv[optind], &n);
	for (i = 0; i < count; ++i) {
		r = rnd() % n;
		span = (uint64_t)rows[2 * r + 1] - rows[2 * r] + 1;
		addr = htonl(rows[2 * r] + rnd() % span);
		if (fwrite(&addr, sizeof(addr), 1, stdout) != 1) {
			perror("jbench: write");
			return 2;
		}
	}
	free(rows);
	return fflush(stdout) ? 2 : 0;
}

static struct sockaddr_in *read_pool(const char *path, size_t *n)
{
	struct sockaddr_in *dst;
	uint32_t addr;
	struct stat st;
	size_t i;
	FILE *f;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) || st.st_size < 4 || st.st_size % 4) {
		fprintf(stderr, "jbench: '%s' is no pool of IPv4 addresses\n", path);
		exit(2);
	}
	*n = st.st_size / 4;
	dst = xrealloc(NULL, *n * sizeof(*dst));
	for (i = 0; i < *n; ++i) {
		if (fread(&addr, sizeof(addr), 1, f) != 1) {
			fprintf(stderr, "jbench: '%s': short read\n", path);
			exit(2);
		}
		dst[i] = (struct sockaddr_in){ .sin_family = AF_INET,
					       .sin_port = htons(9),	/* discard */
					       .sin_addr.s_addr = addr };
	}
	fclose(f);
	return dst;
}

/*
 * One unconnected socket, a new destination per datagram: each send takes
 * its own route lookup and its own pass through LOCAL_OUT, as a host talking
 * to many peers would.
 */
static int udp(int argc, char *argv[])
{
	static struct mmsghdr msgs[MAX_BATCH];
	static char payload[64];
	struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };
	double seconds = 2, start, elapsed;
	unsigned long long packets = 0;
	struct sockaddr_in *dst;
	size_t n, next = 0;
	int opt, fd, i, batch = 64, sent;

	while ((opt = getopt(argc, argv, "t:b:")) != -1) {
		switch (opt) {
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || seconds <= 0 || batch < 1 || batch > MAX_BATCH) {
		fprintf(stderr, "usage: jbench udp [-t SECONDS] [-b BATCH (1-%d)] POOL\n", MAX_BATCH);
		return 2;
	}
	dst = read_pool(argv[optind], &n);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("jbench: socket");
		return 2;
	}
	for (i = 0; i < batch; ++i) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_namelen = sizeof(*dst);
	}

	start = now();
	do {
		for (i = 0; i < batch; ++i)
			msgs[i].msg_hdr.msg_name = &dst[(next + i) % n];
		sent = sendmmsg(fd, msgs, batch, 0);
		if (sent < 0) {
			/* A benchmark that loses packets measures nothing. */
			fprintf(stderr, "jbench: sendmmsg after %llu datagrams: %s\n",
				packets, strerror(errno));
			return 1;
		}
		packets += sent;
		next = (next + sent) % n;
		elapsed = now() - start;
	} while (elapsed < seconds);
	close(fd);
	free(dst);
	printf("%llu %.3f %.0f\n", packets, elapsed, packets / elapsed);
	return 0;
}

static int timed(int argc, char *argv[])
{
	struct rusage ru;
	double start;
	pid_t pid;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: jbench time COMMAND [ARG...]\n");
		return 2;
	}
	fflush(stdout);
	start = now();
	pid = fork();
	if (pid < 0) {
		perror("jbench: fork");
		return 2;
	}
	if (!pid) {
		/* Standard output carries only the time. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "jbench: cannot run '%s': %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("jbench: waitpid");
		return 2;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%.3f %ld\n", now() - start, ru.ru_maxrss);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char *argv[])
{
	if (argc >= 2 && !strcmp(argv[1], "pool"))
		return pool(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "udp"))
		return udp(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "time"))
		return timed(argc - 1, argv + 1);
	fprintf(stderr, "usage: jbench pool [-n N] [-s SEED] IPV4.CSV | udp [-t SECONDS] [-b BATCH] POOL | time COMMAND [ARG...]\n");
	return 2;
}
