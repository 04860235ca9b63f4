// SPDX-License-Identifier: GPL-2.0
/*
 * juris: keep a device's traffic inside approved jurisdictions. Module
 * setup and the per-network-namespace state.
 */

#include <linux/module.h>
#include <linux/percpu.h>
#include <net/genetlink.h>

#include "digest.h"
#include "events.h"
#include "hooks.h"
#include "juris.h"
#include "netlink.h"

unsigned int juris_net_id __read_mostly;

/*
 * With fail_closed=1, every network namespace starts enforcing a policy that
 * approves no country and denies unknown destinations: only special-purpose
 * ones (loopback, private, link-local, multicast) pass until the agent sets
 * a policy, so nothing leaks between module load and policy load.
 */
static bool fail_closed;
module_param(fail_closed, bool, 0644);
MODULE_PARM_DESC(fail_closed,
		 "namespaces start denying all but special-purpose destinations until a policy is set");

static void table_free_rcu(struct rcu_head *rcu)
{
	juris_table_free(container_of(rcu, struct juris_table, rcu));
}

int juris_policy_publish(struct net *net, struct juris_net *jn, struct juris_policy *new)
{
	struct juris_policy *old = juris_dereference(jn, jn->policy);
	int ret;

	ret = juris_digest_policy(new);
	if (ret) {
		kvfree(new);
		return ret;
	}

	/*
	 * Hooked before a mode that needs them is published, unhooked after
	 * off is: the hooks pass everything while the policy says off.
	 */
	if (new->mode != JURIS_MODE_OFF) {
		ret = juris_hooks_set(net, jn, true);
		if (ret) {
			kvfree(new);
			return ret;
		}
	}
	rcu_assign_pointer(jn->policy, new);
	if (jn->events && new->event_rate &&
	    (!old || old->event_rate != new->event_rate || old->event_burst != new->event_burst))
		juris_events_rate_changed(jn->events, new->event_rate, new->event_burst);
	if (old) {
		if (old->table && old->table != new->table)
			call_rcu(&old->table->rcu, table_free_rcu);
		kvfree_rcu(old, rcu);
	}
	if (new->mode == JURIS_MODE_OFF)
		juris_hooks_set(net, jn, false);
	return 0;
}

/* What the hooks came with; .exit is not called after a failed .init. */
static void net_state_free(struct juris_net *jn)
{
	int v;

	for (v = 0; v < __JURIS_VERDICT_LAST; ++v)
		free_percpu(jn->counts[v]);
	juris_events_free(jn->events);
}

static int __net_init juris_net_init(struct net *net)
{
	struct juris_net *jn = juris_net(net);
	struct juris_policy *policy;
	int ret;

	mutex_init(&jn->lock);
	/* Off until told otherwise, unless fail_closed: see above. */
	policy = juris_policy_new(NULL, NULL);
	if (!policy)
		return -ENOMEM;
	if (READ_ONCE(fail_closed)) {
		policy->mode = JURIS_MODE_ENFORCE;
		policy->unknown = JURIS_UNKNOWN_DENY;
		policy->initial = true;
	}
	/* Hooks, counters and events come with a mode other than off. */
	mutex_lock(&jn->lock);
	ret = juris_policy_publish(net, jn, policy);
	mutex_unlock(&jn->lock);
	if (ret)
		net_state_free(jn);
	return ret;
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
	struct juris_policy *policy;

	mutex_lock(&jn->lock);
	juris_txn_drop(jn);
	policy = juris_dereference(jn, jn->policy);
	juris_table_free(policy->table);
	kvfree(policy);
	/* The lock's reference on the module ends with its namespace. */
	if (jn->locked)
		module_put(THIS_MODULE);
	mutex_unlock(&jn->lock);
	net_state_free(jn);
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

	/* First: every namespace's initial policy gets a digest. */
	ret = juris_digest_init();
	if (ret)
		return ret;
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
	juris_digest_exit();
	return ret;
}

static void __exit juris_exit(void)
{
	juris_netlink_uninit();
	unregister_pernet_subsys(&juris_net_ops);
	/* Tables and policies replaced earlier may still wait in kvfree_rcu. */
	rcu_barrier();
	juris_digest_exit();
}

module_init(juris_init);
module_exit(juris_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Judge outgoing packets by the country of their destination");
MODULE_AUTHOR("The juris authors");
/* Speaks generic netlink family version JURIS_GENL_VERSION (uapi/juris.h). */
MODULE_VERSION("0.2");
MODULE_ALIAS_GENL_FAMILY(JURIS_GENL_NAME);
