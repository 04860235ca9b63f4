#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check that an arm64 juris.ko imports only symbols on Android's KMI symbol
# lists (tests/gki/kmi/SERIES/, see SOURCE there): a GKI kernel refuses to
# load a vendor module that needs anything else. The series follows the
# module's vermagic: 6.1 is android14-6.1, 6.12 is android16-6.12.
# Prints, as TAP diagnostics, one line per imported symbol with the lists
# that hold it (whether the virtual_device list, that of Cuttlefish and the
# emulator, is one of them first), then one TAP result per module.
# Usage: tests/gki/kmi-check.sh [-x EXCEPTIONS] JURIS.KO...
#   EXCEPTIONS: lines "SYMBOL REASON" for imports that only a non-GKI kernel
#   configuration causes (tests/gki/debian-only for Debian's arm64 kernels);
#   they pass with the reason shown. The GKI build is checked without any.
set -eu
KMI=$(cd "$(dirname "$0")" && pwd)/kmi
except=/dev/null
if [ "${1:-}" = -x ]; then
	except=$2
	shift 2
fi

check() {
	local ko=$1 n=$2 vermagic series lists
	vermagic=$(modinfo -F vermagic "$ko")
	case $vermagic in
	*aarch64*) ;;
	*) echo "not ok $n - $ko: not an arm64 module ($vermagic)"; return 1 ;;
	esac
	case $vermagic in
	6.1.*) series=android14-6.1 ;;
	6.12.*) series=android16-6.12 ;;
	*) echo "not ok $n - $ko: no KMI lists kept for $vermagic"; return 1 ;;
	esac
	lists=$(find "$KMI/$series" -type f ! -name SOURCE | sort)
	echo "# $ko: $series, $(echo "$lists" | wc -l) lists"
	# Undefined globals are what the module imports; readelf reads arm64
	# objects on any host.
	readelf -sW "$ko" | awk '$7 == "UND" && $8 != "" { print $8 }' | sort -u |
	awk -v series="$series" -v except="$except" -v ko="$ko" -v t="$n" '
		FILENAME == except {
			if ($1 == "" || $1 ~ /^#/) next
			why[$1] = $0
			sub(/^[^ \t]+[ \t]+/, "", why[$1])
			next
		}
		# The symbol lists: "[abi_symbol_list]", "#" comments, one symbol a
		# line, indented or not.
		FNR == 1 {
			name = FILENAME
			sub(/.*\//, "", name)
			sub(/^abi_gki_aarch64_?/, "", name)
			if (name == "") name = "base"
		}
		FILENAME != "-" {
			sym = $1
			if (sym == "" || sym ~ /^[#[]/) next
			if (!index(on[sym], " " name " ")) {
				on[sym] = on[sym] " " name " "
				if (name == "virtual_device") vd[sym] = 1
			}
			next
		}
		{
			n++
			if (!($1 in on) && ($1 in why)) {
				excused++
				printf "#   %s: not on the KMI; imported only under this kernel'"'"'s configuration: %s\n", $1, why[$1]
				next
			}
			if (!($1 in on)) {
				bad++
				printf "#   %s: NOT ON ANY %s KMI LIST\n", $1, series
				next
			}
			where = on[$1]
			gsub(/  +/, " ", where)
			sub(/^ /, "", where); sub(/ $/, "", where)
			if (!vd[$1]) vendor++
			printf "#   %s: %s%s\n", $1, vd[$1] ? "virtual_device; " : "vendor lists only: ", where
		}
		END {
			printf "%s %d - %s: %d imports, %d not on the %s KMI (%d on vendor lists only, %d excused)\n",
			       bad ? "not ok" : "ok", t, ko, n, bad, series, vendor, excused
			exit bad > 0
		}' "$except" $lists -
}

echo "1..$#"
rc=0
n=0
for ko in "$@"; do
	n=$((n + 1))
	check "$ko" $n || rc=1
done
exit $rc
