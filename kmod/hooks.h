/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_HOOKS_H
#define _JURIS_HOOKS_H

struct net;
struct juris_net;

/*
 * Registers the hooks (and allocates the counters, once) for a mode other
 * than off, or unregisters them; jn->lock held.
 */
int juris_hooks_set(struct net *net, struct juris_net *jn, bool on);

#endif /* _JURIS_HOOKS_H */
