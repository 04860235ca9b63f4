/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SUBCOMMANDS_H
#define SUBCOMMANDS_H

/* Each gets argv from its own name on; returns the exit status (0 or 1). */
int table_main(int argc, const char *argv[]);
int policy_main(int argc, const char *argv[]);
int apply_main(int argc, const char *argv[]);
int lock_main(int argc, const char *argv[]);
int digest_main(int argc, const char *argv[]);
int monitor_main(int argc, const char *argv[]);
int status_main(int argc, const char *argv[]);
int lookup_main(int argc, const char *argv[]);
int counters_main(int argc, const char *argv[]);

#endif /* SUBCOMMANDS_H */
