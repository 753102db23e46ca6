#!/usr/bin/env python3
"""The public API of Lockstep's library modules, counted from their symbol graphs.

Usage: scripts/api-surface.py [--list] [--check FILE | --update FILE]
  (run `swift package dump-symbol-graph --minimum-access-level public` first; `make api` does both)

Prints, per module, the public symbols declared in the sources (members and enum cases included;
synthesized conformances left out) and how many have no `///` comment. --list names the
undocumented ones. --check FILE compares with a recorded surface (docs/api-surface.txt): the
command fails when a module's public surface or its undocumented count grew, so a widening of the
API is a deliberate edit of that file, never an accident. --update FILE rewrites FILE's count
lines with the current surface (its comment lines kept): run it after a deliberate change and
commit the file with that change.
"""
import glob, json, os, sys

MODULES = "LinearTraining SyntheticData DataParallel HardwareTopology Plotting ConfigLoading Distributed".split()


def graph_dir():
    dirs = glob.glob(".build/*/symbolgraph")
    if not dirs:
        sys.exit("error: no symbol graphs; run: swift package dump-symbol-graph --minimum-access-level public")
    return dirs[0]


def surface():
    out = {}
    for m in MODULES:
        path = os.path.join(graph_dir(), m + ".symbols.json")
        symbols = json.load(open(path))["symbols"]
        own = [s for s in symbols if s["accessLevel"] == "public" and "location" in s]
        undocumented = sorted(".".join(s["pathComponents"]) for s in own if not s.get("docComment"))
        out[m] = (len(own), undocumented)
    return out


def main():
    args = sys.argv[1:]
    s = surface()
    total = sum(n for n, _ in s.values())
    bare = sum(len(u) for _, u in s.values())
    for m, (n, u) in s.items():
        print(f"{m:18} {n:4} public  {len(u):4} undocumented")
        if "--list" in args:
            for name in u:
                print(f"    {name}")
    print(f"{'all':18} {total:4} public  {bare:4} undocumented")
    if "--update" in args:
        path = args[args.index("--update") + 1]
        comments = [line for line in open(path) if line.startswith("#")]
        with open(path, "w") as f:
            f.writelines(comments)
            f.writelines(f"{m} {n} {len(u)}\n" for m, (n, u) in s.items())
        print(f"recorded in {path}")
    if "--check" in args:
        recorded = {}
        for line in open(args[args.index("--check") + 1]):
            parts = line.split()
            if len(parts) == 3 and not line.startswith("#"):
                recorded[parts[0]] = (int(parts[1]), int(parts[2]))
        grown = [
            f"{m}: {n} public (recorded {recorded.get(m, (0, 0))[0]}), {len(u)} undocumented (recorded {recorded.get(m, (0, 0))[1]})"
            for m, (n, u) in s.items()
            if n > recorded.get(m, (0, 0))[0] or len(u) > recorded.get(m, (0, 0))[1]
        ]
        if grown:
            print("error: the public surface grew; document the new symbols, make them internal or package, or record the "
                  "new counts in docs/api-surface.txt on purpose:\n  " + "\n  ".join(grown), file=sys.stderr)
            sys.exit(1)


main()
