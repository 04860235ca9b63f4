#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that juris digest hashes the policy's canonical form exactly as
kmod/uapi/juris.h ("Digest") documents it: the bytes are built here from
the documentation alone, for a policy file that uses every directive, and
their SHA-256 must be what juris digest prints. TAP output.

Usage: tests/host/digest_check.py JURIS
"""

import hashlib
import ipaddress
import struct
import subprocess
import sys
import tempfile

POLICY = """\
mode enforce
deny US CN
unknown deny
action reject
scope local
event-rate 50 60
log kernel
nat64 2001:db8:64::/96 64:ff9b:1::/48
exempt 203.0.113.9/32 2001:db8:1::/48
block 192.0.2.77/32 192.0.2.77/32
uid 1000-1999 allow SG IN
uid 2500 exempt
"""

# enum values of kmod/uapi/juris.h
ENFORCE, UNKNOWN_DENY, REJECT, SCOPE_LOCAL, LOG_KERNEL = 2, 1, 1, 1, 1
EXEMPT, BLOCK = 1, 2
UID_EXEMPT, UID_ALLOW = 1, 3


def codes(ccs):
    ccs = sorted(ccs)
    return struct.pack(">H", len(ccs)) + "".join(ccs).encode()


def prefix(text, action):
    net = ipaddress.ip_network(text)
    bits = net.max_prefixlen
    return (bits, int(net.network_address), net.prefixlen,
            struct.pack(">BBB", bits, net.prefixlen, action) + net.network_address.packed)


def expected():
    b = b"juris policy v1\n"
    b += struct.pack(">BBBBBBII", ENFORCE, UNKNOWN_DENY, REJECT, SCOPE_LOCAL, LOG_KERNEL, 1,
                     50, 60)
    b += codes(["US", "CN"])
    nat64 = ["2001:db8:64::/96", "64:ff9b:1::/48"]
    b += struct.pack(">B", len(nat64))
    for n in nat64:
        net = ipaddress.ip_network(n)
        b += net.network_address.packed + struct.pack(">B", net.prefixlen)
    # Sorted by family, address and length; the duplicate once.
    rules = sorted({prefix("203.0.113.9/32", EXEMPT), prefix("2001:db8:1::/48", EXEMPT),
                    prefix("192.0.2.77/32", BLOCK)})
    b += struct.pack(">I", len(rules)) + b"".join(r[3] for r in rules)
    b += struct.pack(">I", 2)
    b += struct.pack(">IIB", 1000, 1999, UID_ALLOW) + codes(["SG", "IN"])
    b += struct.pack(">IIB", 2500, 2500, UID_EXEMPT) + codes([])
    b += bytes(32)  # no table line: no table
    return hashlib.sha256(b).hexdigest()


def main():
    juris = sys.argv[1]
    with tempfile.NamedTemporaryFile("w", suffix=".policy") as f:
        f.write(POLICY)
        f.flush()
        proc = subprocess.run([juris, "digest", f.name], capture_output=True, text=True)
    got = proc.stdout.strip()
    want = expected()
    print("1..1")
    if proc.returncode == 0 and got == want:
        print("ok 1 - juris digest hashes the policy as uapi/juris.h documents it")
        return 0
    print("not ok 1 - juris digest hashes the policy as uapi/juris.h documents it")
    print(f"# wanted {want}\n# got {got} {proc.stderr.strip()}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
