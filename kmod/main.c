// SPDX-License-Identifier: GPL-2.0
/*
 * juris: keep a device's traffic inside approved jurisdictions. Module
 * setup and the per-network-namespace state.
 */

#include <linux/module.h>
#include <linux/percpu.h>
#include <net/genetlink.h>

#include "hooks.h"
#include "juris.h"
#include "netlink.h"

unsigned int juris_net_id __read_mostly;

static int __net_init juris_net_init(struct net *net)
{
	struct juris_net *jn = juris_net(net);
	struct juris_policy *policy;

	mutex_init(&jn->lock);
	/* Off until told otherwise: loading the module changes no traffic. */
	policy = juris_policy_new(NULL, NULL);
	if (!policy)
		return -ENOMEM;
	RCU_INIT_POINTER(jn->policy, policy);
	/* No hooks and no counters until a mode other than off. */
	return 0;
}

/* Unhook first; the core waits for an RCU grace period before .exit. */
static void __net_exit juris_net_pre_exit(struct net *net)
{
	struct juris_net *jn = juris_net(net);

	mutex_lock(&jn->lock);
	juris_hooks_set(net, jn, false);
	mutex_unlock(&jn->lock);
}

static void __net_exit juris_net_exit(struct net *net)
{
	struct juris_net *jn = juris_net(net);
	int v;

	mutex_lock(&jn->lock);
	juris_txn_drop(jn);
	juris_table_free(juris_dereference(jn, jn->table));
	kvfree(juris_dereference(jn, jn->policy));
	mutex_unlock(&jn->lock);
	for (v = 0; v < __JURIS_VERDICT_LAST; ++v)
		free_percpu(jn->counts[v]);
}

static struct pernet_operations juris_net_ops = {
	.init = juris_net_init,
	.pre_exit = juris_net_pre_exit,
	.exit = juris_net_exit,
	.id = &juris_net_id,
	.size = sizeof(struct juris_net),
};

static int __init juris_init(void)
{
	int ret;

	ret = register_pernet_subsys(&juris_net_ops);
	if (ret)
		goto err_pernet;
	ret = juris_netlink_init();
	if (ret)
		goto err_netlink;
	pr_info("loaded\n");
	return 0;

err_netlink:
	unregister_pernet_subsys(&juris_net_ops);
err_pernet:
	return ret;
}

static void __exit juris_exit(void)
{
	juris_netlink_uninit();
	unregister_pernet_subsys(&juris_net_ops);
	/* Tables and policies replaced earlier may still wait in kvfree_rcu. */
	rcu_barrier();
}

module_init(juris_init);
module_exit(juris_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Judge outgoing packets by the country of their destination");
MODULE_AUTHOR("The juris authors");
/* Speaks generic netlink family version JURIS_GENL_VERSION (uapi/juris.h). */
MODULE_VERSION("0.2");
MODULE_ALIAS_GENL_FAMILY(JURIS_GENL_NAME);
