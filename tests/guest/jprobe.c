// SPDX-License-Identifier: GPL-2.0
/*
 * jprobe: what an app sees when it talks to an address. Guest-side helper
 * of the juris selftests.
 *
 *   jprobe serve PORT               TCP and UDP server (IPv4 and IPv6)
 *   jprobe tcp ADDR PORT [TIMEOUT]  connect; prints "ok" or the errno name
 *   jprobe udp ADDR PORT [COUNT]    send COUNT datagrams; "ok" or errno name
 *   jprobe sweep ADDR N PORT        one datagram to each of N consecutive IPv4
 *                                   addresses from ADDR; prints "sent S refused R"
 *   jprobe icmp ADDR PORT [TIMEOUT] one datagram; prints the ICMP or ICMPv6
 *                                   error it brings back within TIMEOUT
 *                                   seconds, "icmp TYPE CODE", or "none"
 *   jprobe jsonl FILE               checks that each line is a JSON object
 *                                   (RFC 8259); prints "ok LINES" or the
 *                                   first that is not
 *
 * Before the probe: -u UID runs it as UID (setresuid), -o UID hands each
 * probe socket to UID after creating it (fchown, as Android's DnsResolver
 * does with an app's lookups), -x puts an IPv6 destination options header
 * (8 bytes of padding) on every packet of an IPv6 probe socket, -r sends
 * IPv6 datagrams from a raw socket (the kernel leaves an IPv4-mapped
 * destination as it is there, where a UDP socket would send IPv4).
 *
 * Exit status 0 when the probe got through, 1 when it did not.
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static long owner = -1;
static int exthdr, raw6;

/* A probe's socket, handed to the -o UID, with the -x header, if given. */
static int probe_socket(int family, int type)
{
	/* Next header and length are the kernel's to fill; then a PadN of 6. */
	static const unsigned char dstopts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
	int fd = raw6 && family == AF_INET6 && type == SOCK_DGRAM ?
		 socket(AF_INET6, SOCK_RAW, IPPROTO_UDP) : socket(family, type, 0);

	if (fd >= 0 && owner >= 0 && fchown(fd, owner, -1)) {
		perror("jprobe: fchown");
		exit(2);
	}
	if (fd >= 0 && exthdr && family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_DSTOPTS, dstopts, sizeof(dstopts))) {
		perror("jprobe: IPV6_DSTOPTS");
		exit(2);
	}
	return fd;
}

static const char *errname(int err)
{
	switch (err) {
	case EPERM: return "EPERM";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINPROGRESS: return "ETIMEDOUT";	/* connect ran past SO_SNDTIMEO */
	case ENETUNREACH: return "ENETUNREACH";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EACCES: return "EACCES";
	default: return strerror(err);
	}
}

static int parse(const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(atoi(port));
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		/* A raw socket's "port" is its protocol, or 0. */
		sin6->sin6_port = raw6 ? 0 : htons(atoi(port));
		*len = sizeof(*sin6);
		return 0;
	}
	fprintf(stderr, "jprobe: invalid address: '%s'\n", addr);
	return -1;
}

static int report(int err)
{
	puts(err ? errname(err) : "ok");
	return err ? 1 : 0;
}

static int probe_tcp(const char *addr, const char *port, int timeout)
{
	struct timeval tv = { .tv_sec = timeout };
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = 0;

	if (parse(addr, port, &ss, &len))
		return 2;
	fd = probe_socket(ss.ss_family, SOCK_STREAM);
	if (fd < 0)
		return report(errno);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len))
		err = errno;
	/*
	 * Reset, not FIN: no TIME_WAIT is left behind whose last ACKs, which
	 * have no full socket and so no UID, would be judged (and counted)
	 * under whatever policy a later test sets.
	 */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){ .l_onoff = 1 },
		   sizeof(struct linger));
	close(fd);
	return report(err);
}

static int probe_udp(const char *addr, const char *port, int count)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, i, err = 0;

	if (parse(addr, port, &ss, &len))
		return 2;
	fd = probe_socket(ss.ss_family, SOCK_DGRAM);
	if (fd < 0)
		return report(errno);
	for (i = 0; i < count && !err; ++i) {
		if (sendto(fd, "juris", 5, 0, (struct sockaddr *)&ss, len) < 0)
			err = errno;
	}
	close(fd);
	return report(err);
}

static int sweep(const char *addr, int n, const char *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	int fd, i, sent = 0, refused = 0;
	socklen_t len;

	if (parse(addr, port, &ss, &len) || ss.ss_family != AF_INET)
		return 2;
	fd = probe_socket(AF_INET, SOCK_DGRAM);
	if (fd < 0)
		return report(errno);
	for (i = 0; i < n; ++i) {
		if (sendto(fd, "juris", 5, 0, (struct sockaddr *)&ss, len) < 0)
			refused++;
		else
			sent++;
		sin->sin_addr.s_addr = htonl(ntohl(sin->sin_addr.s_addr) + 1);
	}
	close(fd);
	printf("sent %d refused %d\n", sent, refused);
	return 0;
}

/* The error queue of a connected datagram socket says what came back. */
static int probe_icmp(const char *addr, const char *port, int timeout)
{
	int fd, on = 1, level, optname;
	struct sockaddr_storage ss;
	char cbuf[512], data[64];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct pollfd pfd;
	struct cmsghdr *c;
	socklen_t len;

	if (parse(addr, port, &ss, &len))
		return 2;
	fd = probe_socket(ss.ss_family, SOCK_DGRAM);
	level = ss.ss_family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	optname = ss.ss_family == AF_INET ? IP_RECVERR : IPV6_RECVERR;
	if (fd < 0 || setsockopt(fd, level, optname, &on, sizeof(on)) ||
	    connect(fd, (struct sockaddr *)&ss, len))
		return report(errno);
	if (send(fd, "juris", 5, 0) < 0)
		return report(errno);
	pfd = (struct pollfd){ .fd = fd, .events = 0 };
	if (poll(&pfd, 1, timeout * 1000) <= 0 || !(pfd.revents & POLLERR) ||
	    recvmsg(fd, &msg, MSG_ERRQUEUE) < 0) {
		puts("none");
		return 1;
	}
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);

		if (c->cmsg_level == level &&
		    (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6)) {
			printf("icmp %u %u\n", ee->ee_type, ee->ee_code);
			return 0;
		}
	}
	puts("none");
	return 1;
}

static int serve(const char *port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
				     .sin6_port = htons(atoi(port)) };
	struct pollfd pfd[2];
	int i, off = 0, on = 1;
	char buf[2048];

	for (i = 0; i < 2; ++i) {
		pfd[i].fd = socket(AF_INET6, i ? SOCK_DGRAM : SOCK_STREAM, 0);
		pfd[i].events = POLLIN;
		setsockopt(pfd[i].fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		setsockopt(pfd[i].fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(pfd[i].fd, (struct sockaddr *)&sin6, sizeof(sin6))) {
			perror("jprobe: bind");
			return 2;
		}
	}
	listen(pfd[0].fd, 128);
	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			return 2;
		if (pfd[0].revents & POLLIN) {
			int fd = accept(pfd[0].fd, NULL, NULL);

			if (fd >= 0)
				close(fd);
		}
		if (pfd[1].revents & POLLIN)
			recv(pfd[1].fd, buf, sizeof(buf), 0);
	}
}

/* A small JSON checker (RFC 8259) for juris monitor --json: the guest has no jq. */
static const char *json_value(const char *p, int depth);

static const char *json_blank(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!isxdigit((unsigned char)p[i]))
					return NULL;
			p += 4;
		} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
			return NULL;
		}
	}
	return p + 1;
}

static const char *json_number(const char *p)
{
	const char *d;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		for (d = ++p; isdigit((unsigned char)*p); p++)
			;
		if (p == d)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		for (d = p; isdigit((unsigned char)*p); p++)
			;
		if (p == d)
			return NULL;
	}
	return p;
}

/* An object's members or an array's elements, up to close. */
static const char *json_items(const char *p, int depth, char close, int keyed)
{
	p = json_blank(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keyed) {
			p = json_string(json_blank(p));
			if (!p)
				return NULL;
			p = json_blank(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = json_blank(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	p = json_blank(p);
	if (depth > 32)
		return NULL;
	switch (*p) {
	case '{': return json_items(p, depth, '}', 1);
	case '[': return json_items(p, depth, ']', 0);
	case '"': return json_string(p);
	case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
	}
	return json_number(p);
}

/* Each line one JSON object: prints "ok N" or the first bad line. */
static int jsonl(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	const char *end;
	int n = 0;

	if (!f) {
		perror("jprobe: jsonl");
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		n++;
		end = *json_blank(line) == '{' ? json_value(line, 0) : NULL;
		if (!end || *json_blank(end)) {
			printf("line %d is not a JSON object: %s\n", n, line);
			fclose(f);
			return 1;
		}
	}
	fclose(f);
	printf("ok %d\n", n);
	return 0;
}

int main(int argc, char *argv[])
{
	while (argc > 1 && (!strcmp(argv[1], "-x") || !strcmp(argv[1], "-r"))) {
		if (argv[1][1] == 'x')
			exthdr = 1;
		else
			raw6 = 1;
		argc--;
		argv++;
	}
	while (argc > 2 && (!strcmp(argv[1], "-u") || !strcmp(argv[1], "-o"))) {
		long uid = atol(argv[2]);

		if (argv[1][1] == 'o') {
			owner = uid;
		} else if (setresuid(uid, uid, uid)) {
			perror("jprobe: setresuid");
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "tcp"))
		return probe_tcp(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 3);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "udp"))
		return probe_udp(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 1);
	if (argc == 5 && !strcmp(argv[1], "sweep"))
		return sweep(argv[2], atoi(argv[3]), argv[4]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "icmp"))
		return probe_icmp(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 2);
	if (argc == 3 && !strcmp(argv[1], "jsonl"))
		return jsonl(argv[2]);
	fprintf(stderr, "usage: jprobe [-x] [-r] [-u UID] [-o UID] serve PORT | tcp ADDR PORT [TIMEOUT] | udp ADDR PORT [COUNT] | sweep ADDR N PORT | icmp ADDR PORT [TIMEOUT] | jsonl FILE\n");
	return 2;
}
