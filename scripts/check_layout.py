#!/usr/bin/env python3
"""Checks that the source tree keeps the shape docs/architecture.md describes.

1. Includes. A file in lib/<module>/ includes only its own module's internal
   headers, core's (lib/core/*.h) and the public headers (crm.h, crm/*.h);
   lib/core includes nothing of another module. cli/ includes only the public
   headers and cli/'s own. No header takes part in an include circle.
2. Layers. Between modules, the references the compiler records (each object
   file's undefined symbols, resolved to the module that defines them) only
   go down the layer table below; the one exception is the model registry in
   lib/model/model.c, which names each kind's vtable (crm__*_vtable). Between
   files (of a module, of cli/), references form no circle.
3. Size. No function in lib/ or cli/ is longer than 150 lines (from its `{`
   at column 0 to its `}` at column 0) unless the comment block right above
   it holds "Kept whole:" with the reason (a hot loop measured).

Usage: scripts/check_layout.py [BUILD_DIR]   (BUILD_DIR: a configured and built
tree, default build/dev; checks 2 need its object files and `nm`.) Exits 1 and
prints every violation, else prints a one-line summary per check.
"""
import collections
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_LINES = 150

# Layer of each lib/ module: a module may use modules of a lower layer only.
LAYERS = {
    "core": 0,      # errors, allocation, JSON, dataset storage, file reading,
                    # atomic files, thread pool, the model vtable
    "dataset": 1,   # CSV, expressions, group / join / sort / describe, baskets
    "clean": 2, "rfm": 2, "synth": 2, "metrics": 2,
    "model": 2,     # the crm_model handle: predict, save / load, transform steps
    "sql": 3,       # SQL databases: URIs, backends opened at run time, read / write
    "kmeans": 3, "tree": 3, "linear": 3, "assoc": 3, "arima": 3,
    "clv": 3,       # customer lifetime value (BG/NBD, Gamma-Gamma)
    "report": 4,    # the HTML report: runs the analyses of layers 2 and 3
    "stats": 4,     # mergeable statistics: the registry of the kinds (crm/stats.h)
}
CLI_LAYER = 5

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def rel(p):
    return os.path.relpath(p, ROOT)


def sources(pattern):
    return sorted(glob.glob(os.path.join(ROOT, pattern)))


def check_includes(errors):
    files = sources("lib/*/*.[ch]") + sources("cli/*.[ch]") + sources("include/*.h") + \
        sources("include/crm/*.h")
    graph = {}
    for f in files:
        text = open(f, encoding="utf-8").read()
        r = rel(f)
        parts = r.split("/")
        incs = INCLUDE_RE.findall(text)
        resolved = []
        for inc in incs:
            if parts[0] == "lib":
                mod = parts[1]
                if inc == "crm.h" or inc.startswith("crm/"):
                    resolved.append("include/" + inc)
                    continue
                target = inc.split("/")[0] if "/" in inc else None
                if target is None:
                    errors.append(f"{r}: includes \"{inc}\" without its module folder")
                    continue
                if target != mod and target != "core":
                    errors.append(f"{r}: includes \"{inc}\", an internal header of module "
                                  f"{target} (only {mod}'s own and core's are allowed)")
                if mod == "core" and target != "core":
                    errors.append(f"{r}: core includes \"{inc}\" of module {target}")
                resolved.append("lib/" + inc)
            elif parts[0] == "cli":
                if inc == "crm.h" or inc.startswith("crm/"):
                    resolved.append("include/" + inc)
                elif "/" in inc:
                    errors.append(f"{r}: includes \"{inc}\" (cli/ uses the public headers only)")
                else:
                    resolved.append("cli/" + inc)
            else:  # include/
                resolved.append("include/" + inc)
        for t in resolved:
            if not os.path.exists(os.path.join(ROOT, t)):
                errors.append(f"{r}: includes \"{t}\", which does not exist")
        graph[r] = [t for t in resolved if t.endswith(".h")]
    # circles among headers (a .c file cannot be part of one)
    cycles = find_cycles({k: v for k, v in graph.items() if k.endswith(".h")})
    for c in cycles:
        errors.append("include circle: " + " -> ".join(c + [c[0]]))
    return len(files)


def find_cycles(graph):
    """Elementary circles found by depth-first search (one per back edge)."""
    cycles, state, stack = [], {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in graph.get(n, ()):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return cycles


def nm_symbols(obj, nm):
    out = subprocess.run([nm, "-P", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        name, kind = f[0], f[1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper():
            defined.add(name)
    return defined, undefined


def check_layers(build, errors):
    nm = os.environ.get("NM", "nm")
    objs = {}
    for src in sources("lib/*/*.c"):
        r = rel(src)
        objs[r] = os.path.join(build, "CMakeFiles", "crm_obj.dir", r + ".o")
    for src in sources("cli/*.c"):
        r = rel(src)
        objs[r] = os.path.join(build, "CMakeFiles", "crm_cli.dir", r + ".o")
    missing = [o for o in objs.values() if not os.path.exists(o)]
    if missing:
        errors.append(f"layers: {len(missing)} object files missing under {build} "
                      f"(build it first), e.g. {missing[0]}")
        return 0
    owner, uses = {}, {}
    for r, o in objs.items():
        d, u = nm_symbols(o, nm)
        for s in d:
            owner[s] = r
        uses[r] = u
    mod_edges = collections.defaultdict(set)
    file_graph = collections.defaultdict(set)
    for r, u in uses.items():
        for s in u:
            t = owner.get(s)
            if t is None or t == r:
                continue
            a, b = r.split("/"), t.split("/")
            registry = r == "lib/model/model.c" and re.fullmatch(r"crm__\w+_vtable", s)
            if a[0] == b[0] and not registry:
                file_graph[r].add(t)
            if a[0] == "cli" and b[0] == "cli":
                continue
            if a[0] == "lib" and b[0] == "cli":
                errors.append(f"{r}: uses {s} of {t} (the library never calls the tool)")
                continue
            if a[0] == "cli":
                continue  # the tool may call the library (public API only, by includes)
            ma, mb = a[1], b[1]
            if ma == mb:
                continue
            if registry:
                continue  # the model registry
            mod_edges[ma].add(mb)
            if LAYERS.get(mb, 99) >= LAYERS.get(ma, -1):
                errors.append(f"{r} (module {ma}, layer {LAYERS.get(ma)}) uses {s} of {t} "
                              f"(module {mb}, layer {LAYERS.get(mb)}): not a lower layer")
    for c in find_cycles({k: sorted(v) for k, v in file_graph.items()}):
        errors.append("circle of files: " + " -> ".join(c + [c[0]]))
    for m in {r.split("/")[1] for r in objs if r.startswith("lib/")}:
        if m not in LAYERS:
            errors.append(f"lib/{m}: module missing from the layer table of {rel(__file__)}")
    return len(objs)


def function_lengths():
    """(file, line, name, length) of each function defined at column 0."""
    out = []
    for f in sources("lib/*/*.c") + sources("cli/*.c"):
        lines = open(f, encoding="utf-8").read().split("\n")
        start = None
        for i, line in enumerate(lines):
            if line.startswith("{") and start is None:
                start = i
            elif line.startswith("}") and start is not None:
                j = start - 1  # the signature: the lines above up to a blank one
                sig = []
                while j >= 0 and lines[j].strip() and not lines[j].startswith(("}", "#")) \
                        and not lines[j].rstrip().endswith(("*/", ";")):
                    sig.insert(0, lines[j])
                    j -= 1
                names = re.findall(r"([A-Za-z_]\w*)\s*\(", " ".join(sig))
                # the comment block right above the signature
                comment = []
                while j >= 0 and lines[j].strip() and not lines[j].startswith("}"):
                    comment.insert(0, lines[j])
                    j -= 1
                out.append((rel(f), start + 1, names[0] if names else "?", i - start + 1,
                            "\n".join(comment)))
                start = None
    return out


def check_sizes(errors):
    fns = function_lengths()
    kept = 0
    for f, line, name, n, comment in fns:
        if n <= MAX_LINES:
            continue
        if "Kept whole:" in comment:
            kept += 1
            continue
        errors.append(f"{f}:{line}: {name} is {n} lines (limit {MAX_LINES}; split it, or say "
                      f"\"Kept whole:\" and why in its comment)")
    return len(fns), kept


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "dev")
    errors = []
    nfiles = check_includes(errors)
    nobjs = check_layers(build, errors)
    nfns, kept = check_sizes(errors)
    for e in errors:
        print("check_layout: " + e)
    if errors:
        print(f"check_layout: {len(errors)} problem(s)")
        return 1
    print(f"check_layout: includes of {nfiles} files follow the module rule, no include circle")
    print(f"check_layout: references of {nobjs} object files go down the layers "
          f"(core < dataset < clean/rfm/synth/metrics/model < models < report < cli), no circle of files")
    print(f"check_layout: {nfns} functions, none over {MAX_LINES} lines"
          + (f" ({kept} kept whole with a reason)" if kept else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
