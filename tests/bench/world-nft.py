#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: the world table as an nftables ruleset, for comparison.

Usage: tests/bench/world-nft.py IPV4.CSV IPV6.CSV OUTDIR

Writes what a user would load to do juris's job with nftables: one interval
map per family from destination address to country, as the GeoIP script the
nftables wiki points to (nftables-geoip) writes them, the country as a packet
mark (here 'I' << 8 | 'N' for IN),
and an output chain that allows IN and SG and counts the rest, as juris's
audit mode does with --allow IN,SG --unknown deny.

OUTDIR/world.nft declares the table, its maps (empty) and the chain;
OUTDIR/elements-NN.nft add the intervals, at most CHUNK (200,000) per file,
to be loaded with one nft -f each. One file for the whole table would be
one transaction, but nft itself takes about 2.3 KB per interval while it
loads them (nftables 1.0.6): more than 0.75 GB for the IPv4 map alone,
and the 1 GB guest kills it. Each file declares its map again with the elements inside:
"add element" would make nft first fetch every interval the kernel already
holds (to check overlaps), which makes each file slower than the one before
and needs as much memory again.

nftables refuses overlapping intervals, and the CSVs nest (a /32 of BE inside
a /23 of DE), so the rows are first flattened the way juris's kernel flattens
them at commit: where ranges overlap, the smallest wins, then the later in the
files. Neighbouring segments of one country become one interval. The two
rulesets then answer the same for every address.
"""
import glob
import heapq
import os
import socket
import sys

ALLOW = ("IN", "SG")
CHUNK = int(os.environ.get("CHUNK", 200000))


def read_rows(path, family):
    """The rows of a start,end,cc CSV as (start, end, cc) integers."""
    rows = []
    with open(path, encoding="ascii") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                start, end, cc = (field.strip() for field in line.split(","))
                s = int.from_bytes(socket.inet_pton(family, start), "big")
                e = int.from_bytes(socket.inet_pton(family, end), "big")
            except (ValueError, OSError):
                sys.exit(f"world-nft: {path}:{n}: not a start,end,cc row: '{line}'")
            if s > e or len(cc) != 2 or not cc.isalpha():
                sys.exit(f"world-nft: {path}:{n}: bad range or country: '{line}'")
            rows.append((s, e, cc.upper()))
    return rows


def flatten(rows):
    """Disjoint, sorted [start, end, cc] segments of overlapping rows.

    A sweep over every place where the covering set can change (each start
    and each end + 1), with the covering rows in a heap ordered by size, then
    by position in the files, later first. Rows that ended are dropped from
    the heap only when they reach its top: until then they cannot win.
    """
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])
    points = sorted({r[0] for r in rows} | {r[1] + 1 for r in rows})
    heap, out, j = [], [], 0
    for k, p in enumerate(points):
        while j < len(order) and rows[order[j]][0] <= p:
            s, e, cc = rows[order[j]]
            heapq.heappush(heap, (e - s, -order[j], e, cc))
            j += 1
        while heap and heap[0][2] < p:
            heapq.heappop(heap)
        if not heap:
            continue
        end = points[k + 1] - 1
        cc = heap[0][3]
        if out and out[-1][2] == cc and out[-1][1] + 1 == p:
            out[-1][1] = end
        else:
            out.append([p, end, cc])
    return out


def mark(cc):
    return f"0x{ord(cc[0]) << 8 | ord(cc[1]):04x}"


def elements(family, size, segments):
    """Each segment as an nft map element."""
    for s, e, cc in segments:
        a = socket.inet_ntop(family, s.to_bytes(size, "big"))
        if s != e:
            a += "-" + socket.inet_ntop(family, e.to_bytes(size, "big"))
        yield f"{a} : {mark(cc)}"


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: world-nft.py IPV4.CSV IPV6.CSV OUTDIR")
    v4 = flatten(read_rows(sys.argv[1], socket.AF_INET))
    v6 = flatten(read_rows(sys.argv[2], socket.AF_INET6))
    outdir = sys.argv[3]
    os.makedirs(outdir, exist_ok=True)
    for old in glob.glob(os.path.join(outdir, "*.nft")):
        os.unlink(old)

    n = 0
    for name, kind, family, size, segments in (
            ("country4", "ipv4_addr", socket.AF_INET, 4, v4),
            ("country6", "ipv6_addr", socket.AF_INET6, 16, v6)):
        files = -(-len(segments) // CHUNK)
        step = -(-len(segments) // files)  # as even as can be
        for i in range(0, len(segments), step):
            n += 1
            with open(os.path.join(outdir, f"elements-{n:02d}.nft"), "w") as out:
                out.write(f"table inet juris_bench {{\n\tmap {name} {{\n\t\ttype {kind} : mark\n"
                          "\t\tflags interval\n\t\telements = {\n")
                for e in elements(family, size, segments[i:i + step]):
                    out.write(f"\t\t\t{e},\n")
                out.write("\t\t}\n\t}\n}\n")

    allow = ", ".join(mark(cc) for cc in ALLOW)
    with open(os.path.join(outdir, "world.nft"), "w") as out:
        out.write(f"""# The world table as nftables maps: {len(v4)} IPv4 and {len(v6)} IPv6 intervals,
# added by elements-01.nft to elements-{n:02d}.nft. Generated by tests/bench/world-nft.py.
table inet juris_bench {{
	map country4 {{
		type ipv4_addr : mark
		flags interval
	}}
	map country6 {{
		type ipv6_addr : mark
		flags interval
	}}
	chain output {{
		type filter hook output priority filter + 10; policy accept;
		meta mark set ip daddr map @country4
		meta mark set ip6 daddr map @country6
		meta mark {{ {allow} }} accept comment "{', '.join(ALLOW)}"
		counter comment "audited"
	}}
}}
""")


if __name__ == "__main__":
    main()
