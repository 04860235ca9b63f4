/* SPDX-License-Identifier: GPL-2.0 */
/* Shims for the kernels juris supports, by feature rather than by version. */
#ifndef _JURIS_COMPAT_H
#define _JURIS_COMPAT_H

#include <linux/netlink.h>

/*
 * Formatted extack messages came in 6.2; before that the message must be a
 * static string, so the plain variant, without the values, is sent.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define juris_extack(extack, plain, fmt, args...) NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
#define juris_extack(extack, plain, fmt, args...) NL_SET_ERR_MSG(extack, plain)
#endif

#endif /* _JURIS_COMPAT_H */
