// SPDX-License-Identifier: GPL-2.0
/*
 * juris: load IP-to-country tables and the country policy into the juris
 * kernel module, and read back its state.
 */
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "subcommands.h"

#ifndef JURIS_VERSION
#define JURIS_VERSION "0.1"
#endif

static const struct {
	const char *name;
	int (*main)(int argc, const char *argv[]);
	const char *args;
	const char *description;
} subcommands[] = {
	{ "table", table_main, "load FILE...",
	  "load an IP-to-country table from CSV files of start,end,cc rows\n      (- reads standard input); all files are checked before any is sent" },
	{ "apply", apply_main, "FILE",
	  "make the policy (and with a table line, the table) match a policy\n"
	  "      file (- reads standard input), in one step: see examples/juris.policy" },
	{ "policy", policy_main,
	  "set [--mode off|audit|enforce] [--allow CC,... | --deny CC,...] [--unknown allow|deny]\n"
	  "             [--action drop|reject] [--scope local,forward]\n"
	  "             [--exempt PREFIX,...] [--block PREFIX,...] [--clear-prefixes]\n"
	  "             [--uid 'UID[-UID] exempt|block|allow CC,...|deny CC,...']... [--clear-uids]\n"
	  "             [--nat64 PREFIX,...] [--clear-nat64]\n"
	  "             [--event-rate PER_SECOND[,BURST]] [--log kernel|off]",
	  "change the policy; options not given keep their value, and the\n"
	  "      prefix options together replace every prefix rule, the --uid ones\n"
	  "      (first match wins) every UID rule, the --nat64 ones every NAT64 prefix" },
	{ "policy", policy_main, "show",
	  "print the active policy as a policy file (juris apply takes it back)" },
	{ "lock", lock_main, "",
	  "freeze the table and policy of this network namespace until it ends\n"
	  "      (the initial one: until reboot); every change then fails" },
	{ "digest", digest_main, "FILE",
	  "print the digest juris status shows once FILE is applied, computed\n"
	  "      from FILE and the tables it names, without the module" },
	{ "monitor", monitor_main, "[--json] [--rcvbuf BYTES]",
	  "print each denied or audited packet's event as it comes (JSON Lines\n"
	  "      with --json) until interrupted; needs CAP_NET_ADMIN. Events its\n"
	  "      receive buffer (8 MiB) overflows with are reported as lost" },
	{ "status", status_main, "[--json]",
	  "show the policy, the loaded table and the verdict totals" },
	{ "lookup", lookup_main, "ADDR [--uid UID] [--json]",
	  "show an address's country, table segment, verdict and the rule that\n"
	  "      decided (as if sent by UID's socket, with --uid)" },
	{ "counters", counters_main, "[--json]",
	  "show packets and bytes per destination country, busiest first" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: juris <command> [<args>]\n\n"
		"Judge outgoing packets by the country of their destination.\n\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(out, "  juris %s%s%s\n      %s\n", subcommands[i].name,
			*subcommands[i].args ? " " : "", subcommands[i].args,
			subcommands[i].description);
	fprintf(out, "  juris help\n      show this text\n");
}

int main(int argc, const char *argv[])
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("juris %s (generic netlink family \"%s\" version %d)\n",
		       JURIS_VERSION, JURIS_GENL_NAME, JURIS_GENL_VERSION);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);

	fprintf(stderr, "juris: unknown command: '%s' (see 'juris help')\n",
		argv[1]);
	return 1;
}
