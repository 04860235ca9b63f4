// SPDX-License-Identifier: GPL-2.0
/*
 * jload: load and pressure for the juris selftests (load.sh, limits.sh).
 *
 *   jload gen N SEED                CSV of N random rows (IPv4 and IPv6) that
 *                                   stay clear of the test addresses
 *   jload load N [--cpu C] [--hold] [--die-at K] [--base CSV] [--sorted]
 *                                   one table load of the rows of CSV (a
 *                                   fixture, sent first) and N random IPv4
 *                                   rows below 192.0.0.0 (--sorted: N/2
 *                                   sorted, disjoint IPv4 rows there and N/2
 *                                   IPv6 rows in 2000::/3, as a compiled
 *                                   table sends them),
 *                                   generated as they are sent (the loader's
 *                                   own memory stays small), then commit,
 *                                   or with --hold print "holding N rows"
 *                                   and keep the load open until SIGUSR1
 *                                   (then commit) or death. Prints
 *                                   "committing", then "committed generation
 *                                   G in MS ms, table B bytes", or
 *                                   "error: STRERROR: EXTACK".
 *                                   --die-at K: SIGKILL itself once its K-th
 *                                   request (1 BEGIN, then an ADD for CSV
 *                                   and one per 6000 rows, then COMMIT) has
 *                                   been handled,
 *                                   before reading the answer
 *   jload as UID CGROUP CMD...      run CMD as UID in the cgroup v2 directory
 *                                   CGROUP ("-": none), as root of a new
 *                                   user namespace with its own netns
 *   jload rt CPU MS                 a SCHED_FIFO task on CPU waking every
 *                                   millisecond for MS ms or until SIGTERM;
 *                                   prints its worst
 *                                   wake-up delay, "max_delay_us N"
 *   jload sink PORT ADDR...         a UDP socket and a TCP listener on each
 *                                   ADDR; on SIGTERM drains, waits for every
 *                                   TCP stream to end, and prints per ADDR
 *                                   "ADDR udp PKTS drops D conns C bytes B"
 *   jload send SECS RATE PORT [--udp] ADDR...
 *                                   for SECS seconds (or until SIGTERM),
 *                                   RATE rounds a second:
 *                                   a numbered datagram to each ADDR, a TCP
 *                                   stream to each that accepts one, a new
 *                                   connection tried to each that refused
 *                                   (no TCP with --udp);
 *                                   prints per ADDR "ADDR udp_sent S
 *                                   udp_refused R conns C refused F bytes B"
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <linux/sock_diag.h>

#include "nlraw.h"
#include "juris.h"

#define MAX_ADDRS 16

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void country(char cc[2])
{
	cc[0] = 'A' + next_rand() % 26;
	cc[1] = 'A' + next_rand() % 26;
}

/*
 * Rows inside 1.0.0.0-191.255.255.255 and 2400::/6: the test addresses
 * (192.0.2.0/24, 198.18.0.0/15, 2001:db8::/32, ...) keep the verdicts
 * fixture.csv gives them, whatever the seed.
 */
static int gen(long n, unsigned long seed)
{
	long i;

	rng ^= seed * 0x2545f4914f6cdd1dULL;
	for (i = 0; i < n; ++i) {
		char cc[2];

		country(cc);
		if (next_rand() % 8 < 5) {
			uint32_t start = 0x01000000 + next_rand() % (0xc0000000 - 0x01000000 - 0x10000);
			uint32_t len = 1U << (next_rand() % 16);

			start &= ~(len - 1);
			printf("%u.%u.%u.%u,%u.%u.%u.%u,%c%c\n",
			       start >> 24, start >> 16 & 255, start >> 8 & 255, start & 255,
			       (start + len - 1) >> 24, (start + len - 1) >> 16 & 255,
			       (start + len - 1) >> 8 & 255, (start + len - 1) & 255, cc[0], cc[1]);
		} else {
			unsigned int a = 0x2400 + next_rand() % 0x400, b = next_rand() % 0x10000;
			unsigned int c = next_rand() % 0x10000;

			printf("%x:%x:%x::,%x:%x:%x:ffff:ffff:ffff:ffff:ffff,%c%c\n",
			       a, b, c, a, b, c, cc[0], cc[1]);
		}
	}
	return fflush(stdout) ? 1 : 0;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("jload: sched_setaffinity");
		return -1;
	}
	return 0;
}

/* The new table's generation and size, from COMMIT's answer. */
static void gen_cb(struct nlmsghdr *h, void *arg)
{
	struct nlattr *gen = nlr_attr(h, JURIS_A_TABLE_GEN);
	struct nlattr *bytes = nlr_attr(h, JURIS_A_TABLE_BYTES);
	uint64_t *out = arg;

	if (gen)
		memcpy(&out[0], (char *)gen + NLA_HDRLEN, sizeof(uint64_t));
	if (bytes)
		memcpy(&out[1], (char *)bytes + NLA_HDRLEN, sizeof(uint64_t));
}

static int fail(struct nlr *c, const char *what, int err)
{
	printf("error: %s: %s: %s\n", what, strerror(-err), c->extack);
	return 1;
}

static long die_at;

/* Sends a request, and dies after the die_at-th. */
static int request(struct nlr *c, struct nlr_msg *m, nlr_cb cb, void *arg)
{
	static long sent;
	int ret;

	m->nlh.nlmsg_flags |= NLM_F_ACK;
	ret = nlr_send(c, m);
	/* Generic netlink handles a request before sendmsg returns. */
	if (++sent == die_at)
		raise(SIGKILL);
	return ret ? ret : nlr_wait(c, c->seq, cb, arg);
}

/*
 * The rows of a CSV file like tests/guest/fixture.csv ("start,end,CC",
 * "#" comments), as one ADD of both families.
 */
static int put_base(struct nlr_msg *m, const char *path)
{
	struct juris_range4 r4[64];
	struct juris_range6 r6[64];
	int n4 = 0, n6 = 0;
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *start = strtok(line, ","), *end = strtok(NULL, ","), *cc = strtok(NULL, ",\n");

		if (!start || start[0] == '#' || !end || !cc || strlen(cc) != 2)
			continue;
		if (n4 < 64 && inet_pton(AF_INET, start, r4[n4].start) == 1 &&
		    inet_pton(AF_INET, end, r4[n4].end) == 1)
			memcpy(r4[n4++].country, cc, 2);
		else if (n6 < 64 && inet_pton(AF_INET6, start, r6[n6].start) == 1 &&
			 inet_pton(AF_INET6, end, r6[n6].end) == 1)
			memcpy(r6[n6++].country, cc, 2);
	}
	fclose(f);
	if (n4)
		nlr_put(m, JURIS_A_RANGES4, r4, n4 * sizeof(r4[0]));
	if (n6)
		nlr_put(m, JURIS_A_RANGES6, r6, n6 * sizeof(r6[0]));
	return 0;
}

static volatile sig_atomic_t released;

static void on_usr1(int sig)
{
	(void)sig;
	released = 1;
}

/*
 * The next of n random rows, IPv4 below 192.0.0.0; or with sorted, the
 * first half sorted and disjoint IPv4 rows, the second IPv6 rows in
 * 2000::/3. Returns the family's attribute and writes the row's bytes.
 */
static int next_row(long i, long n, int sorted, void *row)
{
	static uint32_t at4 = 0x01000000;
	static uint64_t at6 = 0x2000000000000000ULL;

	if (!sorted) {
		struct juris_range4 *r = row;
		uint32_t len = 1U << (next_rand() % 12);
		uint32_t start = 0x01000000 + next_rand() % (0xc0000000 - 0x01000000 - len);
		uint32_t end = htonl(start + len - 1);

		start = htonl(start);
		memcpy(r->start, &start, 4);
		memcpy(r->end, &end, 4);
		country((char *)r->country);
		return JURIS_A_RANGES4;
	}
	if (i < n / 2) {
		struct juris_range4 *r = row;
		uint32_t start = at4 + (next_rand() % 4 ? 0 : next_rand() % 1024);
		uint32_t end = start + (1U << (next_rand() % 8)) - 1;

		at4 = end + 1;
		start = htonl(start);
		end = htonl(end);
		memcpy(r->start, &start, 4);
		memcpy(r->end, &end, 4);
		country((char *)r->country);
		return JURIS_A_RANGES4;
	} else {
		struct juris_range6 *r = row;
		/* /48s to /40s, by their top 64 bits; now and then a gap. */
		uint64_t start = at6 + (next_rand() % 4 ? 0 : (next_rand() % 1024) << 16);
		uint64_t end = start + (1ULL << (16 + next_rand() % 8)) - 1;
		int b;

		at6 = end + 1;
		for (b = 0; b < 8; ++b) {
			r->start[b] = start >> (56 - 8 * b);
			r->end[b] = end >> (56 - 8 * b);
		}
		memset(r->start + 8, 0, 8);
		memset(r->end + 8, 0xff, 8);
		country((char *)r->country);
		return JURIS_A_RANGES6;
	}
}

static int load(long n, int hold, const char *base, int sorted)
{
	static struct nlr_msg m;
	uint64_t answer[2] = { 0, 0 }, t0;
	struct nlr c;
	long i = 0;
	int ret;

	ret = nlr_open(&c, JURIS_GENL_NAME);
	if (ret)
		return fail(&c, "open", ret);
	nlr_init(&m, c.family, JURIS_CMD_TABLE_BEGIN, 0);
	ret = request(&c, &m, NULL, NULL);
	if (ret)
		return fail(&c, "begin", ret);
	if (base) {
		nlr_init(&m, c.family, JURIS_CMD_TABLE_ADD, 0);
		if (put_base(&m, base))
			return 2;
		ret = request(&c, &m, NULL, NULL);
		if (ret)
			return fail(&c, "add", ret);
	}
	while (i < n) {
		struct juris_range6 row;
		int type = next_row(i, n, sorted, &row);
		size_t size = type == JURIS_A_RANGES4 ? sizeof(struct juris_range4) :
							sizeof(struct juris_range6);
		long k, chunk = JURIS_MAX_CHUNK_BYTES / size;
		struct nlattr *a;

		/* A chunk of one family: up to where the family changes. */
		if (sorted && i < n / 2 && chunk > n / 2 - i)
			chunk = n / 2 - i;
		if (chunk > n - i)
			chunk = n - i;
		nlr_init(&m, c.family, JURIS_CMD_TABLE_ADD, 0);
		a = nlr_put(&m, type, NULL, chunk * size);
		for (k = 0; k < chunk; ++k) {
			if (k)
				next_row(i + k, n, sorted, &row);
			memcpy((char *)a + NLA_HDRLEN + k * size, &row, size);
		}
		ret = request(&c, &m, NULL, NULL);
		if (ret)
			return fail(&c, "add", ret);
		i += chunk;
	}
	if (hold) {
		sigset_t usr1, old;

		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, &old);
		signal(SIGUSR1, on_usr1);
		printf("holding %ld rows\n", n);
		fflush(stdout);
		while (!released)
			sigsuspend(&old);
	}
	printf("committing\n");
	fflush(stdout);
	t0 = now_ns();
	nlr_init(&m, c.family, JURIS_CMD_TABLE_COMMIT, 0);
	ret = request(&c, &m, gen_cb, answer);
	if (ret)
		return fail(&c, "commit", ret);
	printf("committed generation %llu in %llu ms, table %llu bytes\n",
	       (unsigned long long)answer[0], (unsigned long long)(now_ns() - t0) / 1000000,
	       (unsigned long long)answer[1]);
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

static int run_as(uid_t uid, const char *cgroup, char **argv)
{
	char path[512], pid[32], map[64];

	if (strcmp(cgroup, "-")) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_file(path, pid)) {
			perror("jload: joining the cgroup");
			return 2;
		}
	}
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
		perror("jload: dropping to the uid");
		return 2;
	}
	/* Changing credentials made /proc/self root's: make it ours again. */
	prctl(PR_SET_DUMPABLE, 1);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		perror("jload: unshare");
		return 2;
	}
	/* Root of the new namespace, so exec keeps the capabilities there. */
	snprintf(map, sizeof(map), "0 %d 1", (int)uid);
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", map) || write_file("/proc/self/gid_map", map)) {
		perror("jload: mapping root of the user namespace");
		return 2;
	}
	execvp(argv[0], argv);
	perror("jload: exec");
	return 2;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int rt(int cpu, long ms)
{
	struct sched_param sp = { .sched_priority = 50 };
	uint64_t end, worst = 0, wakeups = 0;
	struct timespec ts;

	if (pin(cpu))
		return 2;
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("jload: SCHED_FIFO");
		return 2;
	}
	signal(SIGTERM, on_term);
	end = now_ns() + ms * 1000000ULL;
	while (!stop) {
		uint64_t due = now_ns() + 1000000, late;

		if (due > end)
			break;
		ts.tv_sec = due / 1000000000ULL;
		ts.tv_nsec = due % 1000000000ULL;
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
			continue;
		late = now_ns() - due;
		if (late > worst)
			worst = late;
		++wakeups;
	}
	printf("max_delay_us %llu wakeups %llu\n", (unsigned long long)worst / 1000,
	       (unsigned long long)wakeups);
	return 0;
}

struct peer {
	const char *name;
	struct sockaddr_storage ss;
	socklen_t len;
	int udp, tcp;		/* sink: bound sockets; send: UDP and the stream */
	uint64_t udp_pkts, udp_refused, conns, refused, bytes, drops;
};

static int parse(const char *addr, int port, struct peer *p)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&p->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&p->ss;

	memset(p, 0, sizeof(*p));
	p->name = addr;
	p->udp = p->tcp = -1;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		p->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		p->len = sizeof(*sin6);
		return 0;
	}
	fprintf(stderr, "jload: invalid address '%s'\n", addr);
	return -1;
}

struct stream {
	int fd;
	int peer;
};

/* Socket drops: a datagram that found the receive queue full. */
static uint64_t sock_drops(int fd)
{
	__u32 mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

static int sink(int port, int n, char **addrs)
{
	struct peer peer[MAX_ADDRS];
	static struct stream streams[4096];
	static struct pollfd pfd[2 * MAX_ADDRS + 4096];
	int i, nstreams = 0, one = 1, rcvbuf = 4 << 20;
	uint64_t deadline = 0;
	char buf[65536];

	signal(SIGTERM, on_term);
	for (i = 0; i < n; ++i) {
		if (parse(addrs[i], port, &peer[i]))
			return 2;
		peer[i].udp = socket(peer[i].ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		peer[i].tcp = socket(peer[i].ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		setsockopt(peer[i].udp, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
		setsockopt(peer[i].tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(peer[i].udp, (struct sockaddr *)&peer[i].ss, peer[i].len) ||
		    bind(peer[i].tcp, (struct sockaddr *)&peer[i].ss, peer[i].len) ||
		    listen(peer[i].tcp, 64)) {
			perror("jload: sink bind");
			return 2;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int np = 0, busy;

		for (i = 0; i < n; ++i) {
			pfd[np++] = (struct pollfd){ .fd = peer[i].udp, .events = POLLIN };
			pfd[np++] = (struct pollfd){ .fd = peer[i].tcp, .events = POLLIN };
		}
		for (i = 0; i < nstreams; ++i)
			pfd[np++] = (struct pollfd){ .fd = streams[i].fd, .events = POLLIN };
		busy = poll(pfd, np, 100);
		if (busy < 0 && errno != EINTR)
			return 2;
		for (i = 0; i < n; ++i) {
			while (recv(peer[i].udp, buf, sizeof(buf), 0) >= 0)
				peer[i].udp_pkts++;
			for (;;) {
				int fd = accept4(peer[i].tcp, NULL, NULL, SOCK_NONBLOCK);

				if (fd < 0)
					break;
				peer[i].conns++;
				if (nstreams == (int)(sizeof(streams) / sizeof(streams[0]))) {
					fprintf(stderr, "jload: too many streams\n");
					return 2;
				}
				streams[nstreams++] = (struct stream){ fd, i };
			}
		}
		for (i = 0; i < nstreams; ++i) {
			ssize_t got;

			while ((got = recv(streams[i].fd, buf, sizeof(buf), 0)) > 0)
				peer[streams[i].peer].bytes += got;
			if (got == 0 || (got < 0 && errno != EAGAIN)) {
				close(streams[i].fd);
				streams[i--] = streams[--nstreams];
			}
		}
		if (stop && !deadline)
			deadline = now_ns() + 20000000000ULL;
		/* Stopped: done once every stream has ended and nothing moves. */
		if (stop && ((!nstreams && busy == 0) || now_ns() > deadline))
			break;
	}
	for (i = 0; i < n; ++i)
		printf("%s udp %llu drops %llu conns %llu bytes %llu open %d\n", peer[i].name,
		       (unsigned long long)peer[i].udp_pkts,
		       (unsigned long long)sock_drops(peer[i].udp),
		       (unsigned long long)peer[i].conns, (unsigned long long)peer[i].bytes,
		       nstreams);
	return 0;
}

/* A stream to p, or -1 with the refusals counted. */
static void try_connect(struct peer *p)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd = socket(p->ss.ss_family, SOCK_STREAM, 0);

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&p->ss, p->len)) {
		p->refused++;
		close(fd);
		return;
	}
	p->conns++;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	p->tcp = fd;
}

static int send_load(int secs, int rate, int port, int n, char **addrs)
{
	int udp_only = n && !strcmp(addrs[0], "--udp");
	struct peer peer[MAX_ADDRS];
	uint64_t start = now_ns(), round = 0, period = 1000000000ULL / rate;
	static char data[1024];
	int i;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	if (udp_only) {
		--n;
		++addrs;
	}
	for (i = 0; i < n; ++i) {
		if (parse(addrs[i], port, &peer[i]))
			return 2;
		peer[i].udp = socket(peer[i].ss.ss_family, SOCK_DGRAM, 0);
		if (!udp_only)
			try_connect(&peer[i]);
	}
	while (!stop && now_ns() - start < secs * 1000000000ULL) {
		uint64_t due = start + round * period;
		struct timespec ts = { .tv_sec = due / 1000000000ULL, .tv_nsec = due % 1000000000ULL };

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		for (i = 0; i < n; ++i) {
			struct peer *p = &peer[i];
			ssize_t w;

			memcpy(data, &round, sizeof(round));
			if (sendto(p->udp, data, 64, 0, (struct sockaddr *)&p->ss, p->len) < 0)
				p->udp_refused++;
			else
				p->udp_pkts++;
			if (p->tcp < 0) {
				if (!udp_only && round % 50 == 0)
					try_connect(p);
				continue;
			}
			w = send(p->tcp, data, sizeof(data), MSG_DONTWAIT);
			if (w > 0)
				p->bytes += w;
		}
		++round;
	}
	/* An orderly end: the sink reads every stream to its end. */
	for (i = 0; i < n; ++i) {
		if (peer[i].tcp >= 0) {
			shutdown(peer[i].tcp, SHUT_WR);
			close(peer[i].tcp);
		}
		printf("%s udp_sent %llu udp_refused %llu conns %llu refused %llu bytes %llu\n",
		       peer[i].name, (unsigned long long)peer[i].udp_pkts,
		       (unsigned long long)peer[i].udp_refused, (unsigned long long)peer[i].conns,
		       (unsigned long long)peer[i].refused, (unsigned long long)peer[i].bytes);
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int i;

	if (argc == 4 && !strcmp(argv[1], "gen"))
		return gen(atol(argv[2]), strtoul(argv[3], NULL, 0));
	if (argc >= 3 && !strcmp(argv[1], "load")) {
		const char *base = NULL;
		int hold = 0, sorted = 0;

		rng ^= (uint64_t)getpid() << 32 | (uint32_t)now_ns();
		for (i = 3; i < argc; ++i) {
			if (!strcmp(argv[i], "--hold"))
				hold = 1;
			else if (!strcmp(argv[i], "--sorted"))
				sorted = 1;
			else if (!strcmp(argv[i], "--base") && i + 1 < argc)
				base = argv[++i];
			else if (!strcmp(argv[i], "--die-at") && i + 1 < argc)
				die_at = atol(argv[++i]);
			else if (!strcmp(argv[i], "--cpu") && i + 1 < argc && !pin(atoi(argv[i + 1])))
				++i;
			else
				goto usage;
		}
		return load(atol(argv[2]), hold, base, sorted);
	}
	if (argc >= 5 && !strcmp(argv[1], "as"))
		return run_as(atoi(argv[2]), argv[3], argv + 4);
	if (argc == 4 && !strcmp(argv[1], "rt"))
		return rt(atoi(argv[2]), atol(argv[3]));
	if (argc >= 4 && argc - 3 <= MAX_ADDRS && !strcmp(argv[1], "sink"))
		return sink(atoi(argv[2]), argc - 3, argv + 3);
	if (argc >= 6 && argc - 5 <= MAX_ADDRS + 1 && !strcmp(argv[1], "send"))
		return send_load(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argc - 5, argv + 5);
usage:
	fprintf(stderr, "usage: jload gen N SEED | load N [--cpu C] [--hold] [--die-at K] [--base CSV] [--sorted] | as UID CGROUP CMD... |\n"
		"       rt CPU MS | sink PORT ADDR... | send SECS RATE PORT ADDR...\n");
	return 2;
}
