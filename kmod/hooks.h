/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_HOOKS_H
#define _JURIS_HOOKS_H

struct net;
struct juris_net;

int juris_hooks_register(struct net *net, struct juris_net *jn);
void juris_hooks_unregister(struct net *net, struct juris_net *jn);

#endif /* _JURIS_HOOKS_H */
