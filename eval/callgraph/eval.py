#!/usr/bin/env python3
"""Precision and recall of cratewatch's call edges against rustc's.

For each selected crate of the Debian corpus (a library without a build script, not a proc macro),
a throwaway Cargo project depends on exactly that version; Cargo reads the corpus as a directory
source (offline) and builds it with --emit=llvm-ir at opt-level 0, one codegen unit. The direct
calls (`call` and `invoke` of a defined Rust symbol) out of the crate's own functions are read from
its .ll file and demangled (legacy mangling, our own small demangler below). cratewatch's edges
come from cwedges (a Go program next to this script). Both sides are reduced to keys
(crate::Owner::name for methods, the path otherwise) and compared as sets of (caller, callee)
pairs whose callee is a function of a corpus crate.

This compiles crate code, so dependencies' build scripts run: only here, in the eval, never in
cratewatch. Usage:
  python3 eval/callgraph/eval.py --corpus ~/.cache/cratewatch/debian-crates/registry \
      --work /tmp/cg-eval --max 30 > docs/callgraph-eval.txt
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def demangle_legacy(sym):
    """_ZN..E legacy Rust mangling to a path, hash segment dropped; None if not Rust legacy."""
    if not sym.startswith("_ZN"):
        return None
    i, segs = 3, []
    while i < len(sym) and sym[i] != "E":
        j = i
        while j < len(sym) and sym[j].isdigit():
            j += 1
        if j == i:
            return None
        n = int(sym[i:j])
        segs.append(sym[j:j + n])
        i = j + n
    if segs and re.fullmatch(r"h[0-9a-f]{16}", segs[-1]):
        segs.pop()
    out = []
    for s in segs:
        if s.startswith("_$"):
            s = s[1:]
        s = s.replace("..", "::")
        for k, v in (("$SP$", "@"), ("$BP$", "*"), ("$RF$", "&"), ("$LT$", "<"), ("$GT$", ">"),
                     ("$LP$", "("), ("$RP$", ")"), ("$C$", ",")):
            s = s.replace(k, v)
        s = re.sub(r"\$u([0-9a-f]+)\$", lambda m: chr(int(m.group(1), 16)), s)
        out.append(s)
    return "::".join(out)


def split_top(path):
    """Split a demangled path at top-level :: (not inside <>)."""
    segs, depth, cur, i = [], 0, "", 0
    while i < len(path):
        c = path[i]
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        if depth == 0 and path.startswith("::", i):
            segs.append(cur)
            cur = ""
            i += 2
            continue
        cur += c
        i += 1
    segs.append(cur)
    return segs


def split_top_word(s, word):
    """Split s at the first occurrence of word outside <>."""
    depth = 0
    for i, c in enumerate(s):
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif depth == 0 and s.startswith(word, i):
            return [s[:i], s[i + len(word):]]
    return [s]


def strip_generics(s):
    out, depth = "", 0
    for c in s:
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif depth == 0:
            out += c
    return out


def owner_of(ty):
    """The owner key of a stripped self type: its last path segment; for a slice [a::b::T], [T]."""
    if ty.startswith("[") and ty.endswith("]") and ";" not in ty:
        return "[" + split_top(ty[1:-1].strip())[-1] + "]"
    return split_top(ty)[-1]


def keys_of(path, crates):
    """Candidate keys for a demangled function path, and whether it is a trait impl method."""
    segs = split_top(path)
    # Calls made in closures and async blocks belong to the enclosing function, as in cratewatch.
    for k, s in enumerate(segs):
        if s.startswith("{{"):
            segs = segs[:k]
            break
    if len(segs) < 2:
        return [], False
    if segs[0].startswith("<"):  # <Type as Trait>::m or <Type>::m
        inner = segs[0][1:-1]
        parts = re.split(r" as ", inner, maxsplit=1)
        stripped = strip_generics(parts[0]).lstrip("&*").replace("mut ", "").replace("const ", "").strip()
        ty = split_top(stripped)
        owner = owner_of(stripped)
        cands = [ty[0]]
        if len(parts) > 1:
            cands.append(split_top(strip_generics(parts[1]))[0])
        if len(segs) > 2 and ty[0] in crates:
            # <T as Trait>::m::nested: a fn nested in a method, keyed by its path (the impl
            # taken to be in T's module).
            return ["::".join(ty + [strip_generics(s) for s in segs[1:]])], False
        name = segs[-1] if len(segs) == 2 else segs[1]
        return [c + "::" + owner + "::" + name for c in cands if c in crates], len(parts) > 1
    for k in range(1, len(segs) - 1):
        # crate::module::<impl Trait for Type>::name: an impl block, keyed by its self type.
        if segs[k].startswith("<impl ") and segs[0] in crates:
            inner = segs[k][len("<impl "):-1]
            parts = split_top_word(inner, " for ")
            owner = owner_of(strip_generics(parts[-1]).lstrip("&*").replace("mut ", "").replace("dyn ", "").strip())
            rest = [strip_generics(s) for s in segs[k + 1:]]
            if len(rest) > 1:  # a fn nested in a method: keyed by its path
                return ["::".join([strip_generics(s) for s in segs[:k]] + [owner] + rest)], False
            return [segs[0] + "::" + owner + "::" + rest[0]], len(parts) > 1
    segs = [strip_generics(s) for s in segs]
    if segs[0] not in crates:
        return [], False
    if len(segs) >= 3 and segs[-2][:1].isupper():
        return [segs[0] + "::" + segs[-2] + "::" + segs[-1], "::".join(segs)], False
    return ["::".join(segs)], False


DEFINE = re.compile(r'^define [^@]*@"?([^"(\s]+)"?\(')
CALL = re.compile(r'(?:call|invoke) [^@]*@"?([A-Za-z0-9_.$]+)"?\(')


DBG = re.compile(r'!dbg (![0-9]+)')
SUBPROGRAM = re.compile(r'^(![0-9]+) = distinct !DISubprogram\(.*?file: (![0-9]+), line: ([0-9]+)')
DIFILE = re.compile(r'^(![0-9]+) = !DIFile\(filename: "([^"]*)"')


def debug_sites(ll):
    """The definition site of each debug-info subprogram: metadata id -> (file, line)."""
    sub, files = {}, {}
    with open(ll, errors="replace") as f:
        for line in f:
            if not line.startswith("!"):
                continue
            m = SUBPROGRAM.match(line)
            if m:
                sub[m.group(1)] = (m.group(2), m.group(3))
                continue
            m = DIFILE.match(line)
            if m:
                files[m.group(1)] = m.group(2)
    return {k: f"{files.get(fid, '?')}:{ln}" for k, (fid, ln) in sub.items()}


def ir_edges(ll, crate_ident, crates):
    """(caller key, callee key, callee is a trait impl) triples, the callers defined, and the
    (key, file:line) of each definition."""
    edges, defined, sites = set(), set(), set()
    caller = None
    dbg = debug_sites(ll)
    with open(ll, errors="replace") as f:
        for line in f:
            m = DEFINE.match(line)
            if m:
                caller = None
                p = demangle_legacy(m.group(1))
                if p:
                    ks, _ = keys_of(p, crates)
                    ks = [k for k in ks if k.split("::")[0] == crate_ident]
                    if ks:
                        caller = ks
                        defined.update(ks)
                        d = DBG.search(line)
                        if d and d.group(1) in dbg:
                            sites.update((k, dbg[d.group(1)]) for k in ks)
                continue
            if line.startswith("}"):
                caller = None
                continue
            if caller is None:
                continue
            for m in CALL.finditer(line):
                p = demangle_legacy(m.group(1))
                if not p or "{{closure}}" in p:
                    # Calling a closure is not a call of the fn that defines it (the closure's own
                    # calls are already the enclosing fn's).
                    continue
                ks, is_trait = keys_of(p, crates)
                if ks:
                    edges.add((caller[0], ks[0], is_trait, tuple(caller), tuple(ks)))
    return edges, defined, sites


def pick_crates(corpus, limit):
    picked = []
    for d in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, d)
        if os.path.exists(os.path.join(path, "build.rs")) or not os.path.exists(os.path.join(path, "src/lib.rs")):
            continue
        try:
            with open(os.path.join(path, "Cargo.toml"), "rb") as f:
                m = tomllib.load(f)
        except Exception:
            continue
        pkg = m.get("package", {})
        if m.get("lib", {}).get("proc-macro") or pkg.get("build") or pkg.get("links"):
            continue
        deps = m.get("dependencies", {})
        size = sum(os.path.getsize(p) for p in glob.glob(os.path.join(path, "src/**/*.rs"), recursive=True))
        if 1 <= len(deps) <= 4 and 20_000 <= size <= 400_000:
            picked.append((d, pkg["name"], pkg["version"]))
    # Spread the choice over the alphabet rather than taking the first names.
    step = max(1, len(picked) // limit)
    return picked[::step][:limit]


def build(corpus, work, dirname, name, version):
    proj = os.path.join(work, "p-" + dirname)
    os.makedirs(os.path.join(proj, "src"), exist_ok=True)
    os.makedirs(os.path.join(proj, ".cargo"), exist_ok=True)
    with open(os.path.join(proj, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "evalproj"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n'
                f'{json.dumps(name)} = "={version}"\n')
    with open(os.path.join(proj, "src/lib.rs"), "w") as f:
        f.write("")
    with open(os.path.join(proj, ".cargo/config.toml"), "w") as f:
        f.write(f'[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "{corpus}"\n'
                '[build]\nrustflags = ["--emit=llvm-ir,link", "-C", "codegen-units=1", "-C", "opt-level=0", "-C", "no-prepopulate-passes", "--cap-lints=allow"]\n')
    r = subprocess.run(["cargo", "build", "--offline", "-j", "1", "--target-dir", os.path.join(work, "target-" + dirname)],
                       cwd=proj, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        return None, r.stderr[-600:]
    ident = name.replace("-", "_")
    lls = glob.glob(os.path.join(work, "target-" + dirname, "debug/deps", ident + "-*.ll"))
    return (lls[0] if lls else None), "no .ll"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--max", type=int, default=30)
    ap.add_argument("--cwedges", help="a prebuilt cwedges binary (default: go run ./eval/callgraph/cwedges)")
    ap.add_argument("--details", help="write every miss and false positive to this file (tab-separated)")
    args = ap.parse_args()
    details = open(args.details, "w") if args.details else None
    corpus = os.path.abspath(os.path.expanduser(args.corpus))
    os.makedirs(args.work, exist_ok=True)
    crates_idents = {d.rsplit("-", 1)[0].replace("-", "_") for d in os.listdir(corpus)}
    picked = pick_crates(corpus, args.max)
    built = []
    for d, name, version in picked:
        ll, err = build(corpus, args.work, d, name, version)
        print(f"# {name} {version}: {'ok' if ll else 'FAILED ' + err.strip().splitlines()[-1] if err else 'FAILED'}", file=sys.stderr)
        if ll:
            built.append((name, version, ll))
    cmd = [args.cwedges] if args.cwedges else ["go", "run", "./eval/callgraph/cwedges"]
    out = subprocess.run(cmd + ["-corpus", corpus] + [f"{n}-{v}" for n, v, _ in built],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    cw_edges = collections.defaultdict(dict)  # crate -> (caller, callee) -> kind
    cw_off = collections.defaultdict(dict)  # crate -> (caller, callee) -> all call sites under a cfg false on Linux
    cw_fns = collections.defaultdict(set)
    fn_keys = collections.Counter()  # (crate, key) -> cratewatch functions with that key
    cw_sites = collections.defaultdict(lambda: collections.defaultdict(set))  # crate -> edge -> callers' file:line
    dep_fns = set()
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "F":
            cw_fns[f[1]].add(f[3])
            fn_keys[(f[1], f[3])] += 1
        elif f[0] == "D":
            dep_fns.add(f[3])
        elif f[0] == "E" and f[6] == "true":  # edges to bodiless trait declarations are not calls
            k = (f[3], f[4])
            if k not in cw_edges[f[1]] or f[5] == "exact":
                cw_edges[f[1]][k] = f[5]
            cw_off[f[1]][k] = cw_off[f[1]].get(k, True) and len(f) > 7 and f[7] == "true"
            if len(f) > 8:
                cw_sites[f[1]][k].add(f[8])
    tot = collections.Counter()
    on_linux = collections.Counter()  # tp/fp over edges not under a cfg false on Linux
    unambiguous = collections.Counter()  # tp/fp over edges whose caller key names one cratewatch function
    sited = collections.Counter()  # tp/fp over edges whose caller is unambiguous or rustc built at its site

    def site_defined(name, caller, callee, sites):
        """Whether the edge comes from a caller rustc built: one its key names alone, or one of
        several namesakes whose definition site (file:line) rustc's debug info gives."""
        if fn_keys[(name, caller)] == 1:
            return True
        return any((caller, at) in sites for at in cw_sites[name][(caller, callee)])
    misses = collections.Counter()
    fps = collections.Counter()
    tps = collections.Counter()
    rows = []
    for name, version, ll in built:
        ident = name.replace("-", "_")
        ir, defined, sites = ir_edges(ll, ident, crates_idents)
        truth = {}
        for caller, callee, is_trait, callers, callees in ir:
            truth[(caller, callee)] = (is_trait, callers, callees)
        cw = cw_edges[name]
        all_cw_fns = set().union(*cw_fns.values()) if cw_fns else set()
        hit = 0
        for (caller, callee), (is_trait, callers, callees) in truth.items():
            if any((a, b) in cw for a in callers for b in callees):
                hit += 1
                continue
            if not any(a in cw_fns[name] for a in callers):
                cat = "caller not in cratewatch (macro-generated, derive, cfg)"
            elif not any(c in all_cw_fns or c in dep_fns for c in callees):
                cat = "callee not in cratewatch (macro-generated, derive)"
            elif is_trait:
                cat = "trait impl callee (operators, Deref, From/Into, Iterator, Drop, ...)"
            else:
                cat = "call not resolved (receiver type unknown, closures, fn pointers)"
            misses[cat] += 1
            if details:
                print(f"MISS\t{name}\t{caller}\t{callee}\t{cat}", file=details)
        # Precision: only callers rustc generated code for (generic functions never instantiated in
        # the crate have no IR of their own).
        tp = fp = 0
        truth_pairs = set(truth)
        truth_expanded = set()
        for (caller, callee), (_, callers, callees) in truth.items():
            for a in callers:
                for b in callees:
                    truth_expanded.add((a, b))
        for (caller, callee), kind in cw.items():
            if caller not in defined or callee.split("::")[0] not in crates_idents:
                continue
            off = cw_off[name].get((caller, callee), False)
            if (caller, callee) in truth_expanded:
                tp += 1
                tps[kind] += 1
                on_linux["off tp" if off else "tp"] += 1
                unambiguous["tp"] += fn_keys[(name, caller)] == 1
                sited["tp"] += site_defined(name, caller, callee, sites)
                if details:
                    print(f"TP{'-CFG-OFF' if off else ''}\t{name}\t{caller}\t{callee}\t{kind}", file=details)
            else:
                fp += 1
                fps[kind] += 1
                on_linux["off fp" if off else "fp"] += 1
                unambiguous["fp"] += fn_keys[(name, caller)] == 1
                sited["fp"] += site_defined(name, caller, callee, sites)
                if details:
                    unsited = '' if site_defined(name, caller, callee, sites) else ' unbuilt-namesake'
                    print(f"FP\t{name}\t{caller}\t{callee}\t{kind}{' cfg-off' if off else ''}{unsited}", file=details)
        rows.append((name, version, len(truth), hit, tp, fp))
        tot["truth"] += len(truth)
        tot["hit"] += hit
        tot["tp"] += tp
        tot["fp"] += fp
        _ = truth_pairs
    print("| crate | version | rustc edges | found by cratewatch | recall | cratewatch edges (codegened callers) | precision |")
    print("|---|---|---|---|---|---|---|")
    for name, version, t, h, tp, fp in rows:
        rec = f"{100*h/t:.1f}%" if t else "-"
        prec = f"{100*tp/(tp+fp):.1f}%" if tp + fp else "-"
        print(f"| {name} | {version} | {t} | {h} | {rec} | {tp+fp} | {prec} |")
    t, h, tp, fp = tot["truth"], tot["hit"], tot["tp"], tot["fp"]
    print(f"| **all {len(rows)}** | | {t} | {h} | {100*h/max(t,1):.1f}% | {tp+fp} | {100*tp/max(tp+fp,1):.1f}% |")
    # Edges whose caller or callee has no definition in the source (a derive, a macro_rules!
    # expansion, a lazy_static): a source-level tool cannot see them at all.
    invisible = misses["caller not in cratewatch (macro-generated, derive, cfg)"] + \
        misses["callee not in cratewatch (macro-generated, derive)"]
    print(f"\nRecall on source-visible edges (both ends defined in the source as cratewatch sees it): "
          f"{h} of {t - invisible} = {100*h/max(t-invisible,1):.1f}%")
    print("\nMisses (rustc edges cratewatch lacks) by category:\n")
    for k, v in misses.most_common():
        print(f"- {k}: {v}")
    print("\nFalse positives (cratewatch edges rustc lacks) by edge kind, and precision by kind:\n")
    for k, v in fps.most_common():
        print(f"- {k}: {v} false of {v + tps[k]} ({100*tps[k]/(v+tps[k]):.1f}% precision)")
    ex = sum(tps[k] for k in ("exact", "trait"))
    exf = sum(fps[k] for k in ("exact", "trait"))
    print(f"\nExact and trait edges only: precision {100*ex/max(ex+exf,1):.1f}% ({ex} of {ex+exf})")
    # cratewatch keeps every platform's code; rustc compiled Linux's. Edges whose call sites all sit
    # under a #[cfg(..)] false on x86_64 Linux are counted above; shown apart here.
    ltp, lfp = on_linux["tp"], on_linux["fp"]
    print(f"\nEdges under a #[cfg] false on Linux: {on_linux['off tp'] + on_linux['off fp']} "
          f"({on_linux['off fp']} of them false positives); precision without them: "
          f"{100*ltp/max(ltp+lfp,1):.1f}% ({ltp} of {ltp+lfp})")
    # A key (crate::Owner::name) can name several functions: impls of one trait for one type with
    # different trait arguments (16 PConvWrapper::to_pargument_display), namesake types in two
    # modules, one fn per platform. rustc may have built one of them and not the others, so the
    # edges of such callers compare loosely; shown apart here.
    utp, ufp = unambiguous["tp"], unambiguous["fp"]
    print(f"\nCallers whose key names one cratewatch function: precision {100*utp/max(utp+ufp,1):.1f}% "
          f"({utp} of {utp+ufp}); the other {tp+fp-utp-ufp} edges come from callers whose key names several")
    stp, sfp = sited["tp"], sited["fp"]
    print(f"\nCallers matched by key, or by definition site (file:line in rustc's debug info) where the "
          f"key names several: precision {100*stp/max(stp+sfp,1):.1f}% ({stp} of {stp+sfp}); "
          f"{tp+fp-stp-sfp} edges left out (their namesake was not built by rustc, or was written by a macro)")


if __name__ == "__main__":
    main()
