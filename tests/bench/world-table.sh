#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make world-table: the world's IP-to-country table, for the benchmarks
# only (no test depends on it). Fetches the ip-location-db project's
# geo-whois-asn-country package (CC0) with npm pack into the cache, outside
# git, and extracts its IPv4 and IPv6 CSVs (rows "start,end,cc").
# Prints the directory that holds ipv4.csv and ipv6.csv; "current" in the
# cache points to it.
# Env: WORLD_VERSION  the package version (default: the pinned one below;
#                     "latest" takes the newest on the npm registry)
#      JURIS_CACHE    the cache (default /var/cache/juris)
set -eu
PKG=@ip-location-db/geo-whois-asn-country
VERSION=${WORLD_VERSION:-2.3.2026061719}
CACHE=${JURIS_CACHE:-/var/cache/juris}/world

command -v npm >/dev/null || { echo "world-table: npm is missing: apt-get install npm" >&2; exit 1; }
if [ "$VERSION" = latest ]; then
	VERSION=$(npm view "$PKG" version)
fi
dir=$CACHE/$VERSION
if [ ! -s "$dir/ipv4.csv" ] || [ ! -s "$dir/ipv6.csv" ]; then
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null) ||
		{ echo "world-table: npm pack $PKG@$VERSION failed" >&2; exit 1; }
	tar -xzf "$tmp"/*.tgz -C "$tmp"
	for f in ipv4 ipv6; do
		src=$tmp/package/geo-whois-asn-country-$f.csv
		[ -s "$src" ] || { echo "world-table: $PKG@$VERSION has no $f CSV" >&2; exit 1; }
		mv "$src" "$dir/$f.csv.new"
	done
	cp "$tmp"/*.tgz "$dir/"
	(cd "$dir" && sha256sum ./*.tgz >SHA256SUMS)
	mv "$dir/ipv4.csv.new" "$dir/ipv4.csv"
	mv "$dir/ipv6.csv.new" "$dir/ipv6.csv"
fi
ln -sfn "$VERSION" "$CACHE/current"
echo "$dir"
