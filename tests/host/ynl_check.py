#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec (kmod/uapi/juris.yaml) and the uapi header
(kmod/uapi/juris.h) describe the same protocol: every constant, enum entry,
attribute and command the spec names has the same C name and value in the
header, every struct the same size and layout, and the header defines
nothing the spec does not know. The values are checked by the C compiler
itself, from static assertions on the real header. TAP output.

Usage: tests/host/ynl_check.py SPEC HEADER [CC]
"""

import os
import re
import subprocess
import sys
import tempfile

import yaml


def c_name(name):
    return name.upper().replace("-", "_")


def expected(spec):
    """(C expression, value) pairs the header must satisfy, and the names."""
    family = c_name(spec["name"])
    want = [(f"{family}_GENL_VERSION", spec.get("version", 1))]
    names = {f"{family}_GENL_NAME", f"{family}_GENL_VERSION"}
    structs = []

    for d in spec.get("definitions", []):
        if d["type"] == "const":
            want.append((f"{family}_{c_name(d['name'])}", d["value"]))
        elif d["type"] == "enum":
            prefix = c_name(d.get("name-prefix", f"{spec['name']}-{d['name']}-"))
            start = d.get("value-start", 0)
            entries = [e if isinstance(e, str) else e["name"] for e in d["entries"]]
            for i, e in enumerate(entries):
                want.append((prefix + c_name(e), start + i))
            n = start + len(entries)
            if "enum-cnt-name" in d:
                want.append((c_name(d["enum-cnt-name"]), n))
            if d.get("render-max"):
                want.append((prefix + "MAX", n - 1))
        elif d["type"] == "flags":
            prefix = c_name(d.get("name-prefix", f"{spec['name']}-{d['name']}-"))
            entries = [e if isinstance(e, str) else e["name"] for e in d["entries"]]
            for i, e in enumerate(entries):
                want.append((prefix + c_name(e), 1 << i))
            if d.get("render-max"):
                want.append((prefix + "MASK", (1 << len(entries)) - 1))
        elif d["type"] == "struct":
            structs.append(d)
        else:
            raise SystemExit(f"ynl_check: definition type {d['type']} not handled")

    for s in spec["attribute-sets"]:
        prefix = c_name(s.get("name-prefix", f"{spec['name']}-a-{s['name']}-"))
        want.append((prefix + "UNSPEC", 0))
        for i, a in enumerate(s["attributes"]):
            want.append((prefix + c_name(a["name"]), a.get("value", i + 1)))
        n = len(s["attributes"]) + 1
        if "attr-cnt-name" in s:
            want.append((c_name(s["attr-cnt-name"]), n))
        want.append((prefix + "MAX", n - 1))

    ops = spec["operations"]
    prefix = c_name(ops.get("name-prefix", f"{spec['name']}-cmd-"))
    want.append((prefix + "UNSPEC", 0))
    for i, op in enumerate(ops["list"]):
        want.append((prefix + c_name(op["name"]), op.get("value", i + 1)))
    n = len(ops["list"]) + 1
    if "cmd-cnt-name" in ops:
        want.append((c_name(ops["cmd-cnt-name"]), n))
    want.append((prefix + "MAX", n - 1))

    names |= {n for n, _ in want}
    # A group's name is a string: its length is what C can check.
    for g in spec.get("mcast-groups", {}).get("list", []):
        define = c_name(g.get("c-define-name", f"{spec['name']}-mcgrp-{g['name']}"))
        want.append((f"sizeof({define})", len(g["name"]) + 1))
        names.add(define)
    return want, structs, names


def header_names(path):
    """Every JURIS_ constant the header defines: enum entries and macros."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    found = set(re.findall(r"^#define\s+(_*[A-Z][A-Z0-9_]*)", text, flags=re.M))
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", text, flags=re.S):
        found |= set(re.findall(r"^\s*(_*[A-Z][A-Z0-9_]*)\s*(?:=|,|$)", body, flags=re.M))
    return {n for n in found if not n.startswith("_UAPI_")}


def main():
    spec_path, header = sys.argv[1], sys.argv[2]
    cc = sys.argv[3] if len(sys.argv) > 3 else "cc"
    spec = yaml.safe_load(open(spec_path))
    want, structs, names = expected(spec)
    results = []

    lines = [f'#include "{os.path.basename(header)}"', "#include <stddef.h>"]
    lines.append(f'_Static_assert(sizeof({c_name(spec["name"])}_GENL_NAME) == '
                 f'{len(spec["name"]) + 1}, "name");')
    for name, value in want:
        lines.append(f'_Static_assert({name} == {value}, "{name} == {value}");')
    for s in structs:
        cstruct = f"struct {spec['name']}_{s['name'].replace('-', '_')}"
        offset = 0
        for m in s["members"]:
            lines.append(f'_Static_assert(offsetof({cstruct}, {m["name"]}) == {offset}, '
                         f'"{cstruct}.{m["name"]} at {offset}");')
            offset += m["len"]
        lines.append(f'_Static_assert(sizeof({cstruct}) == {offset}, "sizeof {cstruct}");')
    with tempfile.NamedTemporaryFile("w", suffix=".c") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        proc = subprocess.run([cc, "-fsyntax-only", "-I", os.path.dirname(header), f.name],
                              capture_output=True, text=True)
    # One line per error: a failed assertion says which, an undeclared
    # name says which the header lacks.
    errors = [re.sub(r'^.*?error: (static assertion failed: )?', "", line)
              for line in proc.stderr.splitlines() if "error:" in line]
    results.append((proc.returncode == 0,
                    f"every name and value of {spec_path} matches {header}"
                    f" ({len(want)} constants, {len(structs)} structs)",
                    errors or proc.stderr.splitlines()[:5]))

    extra = sorted(header_names(header) - names)
    results.append((not extra, f"{header} defines nothing {spec_path} lacks",
                    ["only in the header: " + n for n in extra]))

    print(f"1..{len(results)}")
    for i, (ok, desc, diag) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {desc}")
        for d in diag:
            print(f"# {d}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
