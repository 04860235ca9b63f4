/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_NETLINK_H
#define _JURIS_NETLINK_H

int juris_netlink_init(void);
void juris_netlink_uninit(void);

#endif /* _JURIS_NETLINK_H */
