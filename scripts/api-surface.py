#!/usr/bin/env python3
"""The public API of Lockstep's library modules, counted from their symbol graphs.

Usage: scripts/api-surface.py [--list] [--check FILE | --update FILE]
  (run `swift package dump-symbol-graph --minimum-access-level public` first; `make api` does both)

Prints, per module, the public symbols declared in the sources (members and enum cases included,
and members the module adds to other modules' types; synthesized conformances left out), how many
have no `///` comment, and how many mention an `Unsafe…` type (a raw pointer or buffer) in their
declaration. --list names the undocumented and the unsafe ones. --check FILE compares with a
recorded surface (docs/api-surface.txt): the command fails when a module's public surface, its
undocumented count or its unsafe count grew, so a widening of the API (or a pointer in it) is a
deliberate edit of that file, never an accident. --update FILE rewrites FILE's count lines with
the current surface (its comment lines kept): run it after a deliberate change and commit the file
with that change.
"""
import glob, json, os, sys

MODULES = "LinearTraining SyntheticData DataParallel HardwareTopology Plotting ConfigLoading Distributed".split()


def graph_dir():
    dirs = glob.glob(".build/*/symbolgraph")
    if not dirs:
        sys.exit("error: no symbol graphs; run: swift package dump-symbol-graph --minimum-access-level public")
    return dirs[0]


def mentions_unsafe(symbol):
    """True when the declaration names a type whose name starts with `Unsafe` (UnsafePointer,
    UnsafeMutableRawPointer, UnsafeBufferPointer, …)."""
    return any(
        f.get("kind") == "typeIdentifier" and f.get("spelling", "").startswith("Unsafe")
        for f in symbol.get("declarationFragments", [])
    )


def surface():
    """Per module: (public symbols, the undocumented ones' names, the unsafe ones' names)."""
    out = {}
    for m in MODULES:
        # M.symbols.json: the module's own types; M@Other.symbols.json: what it adds to Other's types.
        paths = [os.path.join(graph_dir(), m + ".symbols.json")] + sorted(glob.glob(os.path.join(graph_dir(), m + "@*.symbols.json")))
        own = []
        for path in paths:
            own += [s for s in json.load(open(path))["symbols"] if s["accessLevel"] == "public" and "location" in s]
        undocumented = sorted(".".join(s["pathComponents"]) for s in own if not s.get("docComment"))
        unsafe = sorted(".".join(s["pathComponents"]) for s in own if mentions_unsafe(s))
        out[m] = (len(own), undocumented, unsafe)
    return out


def read_record(path):
    """Module → (public, undocumented, unsafe) from FILE's count lines (`module public undocumented
    unsafe`; an older three-column line records no unsafe symbol)."""
    recorded = {}
    for line in open(path):
        parts = line.split()
        if line.startswith("#") or len(parts) not in (3, 4):
            continue
        recorded[parts[0]] = tuple(int(p) for p in parts[1:]) + ((0,) if len(parts) == 3 else ())
    return recorded


def main():
    args = sys.argv[1:]
    s = surface()
    total = sum(n for n, _, _ in s.values())
    bare = sum(len(u) for _, u, _ in s.values())
    raw = sum(len(p) for _, _, p in s.values())
    for m, (n, u, p) in s.items():
        print(f"{m:18} {n:4} public  {len(u):4} undocumented  {len(p):3} unsafe")
        if "--list" in args:
            for name in u:
                print(f"    undocumented: {name}")
            for name in p:
                print(f"    unsafe:       {name}")
    print(f"{'all':18} {total:4} public  {bare:4} undocumented  {raw:3} unsafe")
    if "--update" in args:
        path = args[args.index("--update") + 1]
        comments = [line for line in open(path) if line.startswith("#")]
        with open(path, "w") as f:
            f.writelines(comments)
            f.writelines(f"{m} {n} {len(u)} {len(p)}\n" for m, (n, u, p) in s.items())
        print(f"recorded in {path}")
    if "--check" in args:
        recorded = read_record(args[args.index("--check") + 1])
        grown = []
        for m, (n, u, p) in s.items():
            rn, ru, rp = recorded.get(m, (0, 0, 0))
            if n > rn or len(u) > ru or len(p) > rp:
                grown.append(
                    f"{m}: {n} public (recorded {rn}), {len(u)} undocumented (recorded {ru}), {len(p)} unsafe (recorded {rp})")
        if grown:
            print("error: the public surface grew; document the new symbols, make them internal or package, keep raw "
                  "pointers out of public declarations (or name an entry point `unsafe…` and list it in "
                  "docs/api-surface.txt), or record the new counts there on purpose "
                  "(scripts/api-surface.py --list names them):\n  " + "\n  ".join(grown), file=sys.stderr)
            sys.exit(1)


main()
