#!/usr/bin/env bash
# make mutants: plants each bug of scripts/mutants.txt, one at a time, in a scratch copy of the package,
# runs the tests that must catch it, and fails if any mutant survives (its tests still pass).
#
#   scripts/mutants.sh                 every mutant
#   scripts/mutants.sh reduce sgd      only the mutants whose name contains one of the words
#   MUTANTS_DIR=/tmp/x scripts/mutants.sh   another scratch place (default /tmp/lockstep-mutants)
#   MUTANTS_BASELINE=0                 skip the first run of every named suite on the unmutated code
#
# The scratch copy keeps its .build between runs and between mutants, so each mutant costs an
# incremental debug build (the mutated module and its dependents, a link) plus its suites. The sources
# are copied with their modification times, so an unchanged tree rebuilds nothing. The working tree is
# never touched. A mutant whose original text is not found exactly once, or that does not compile,
# is an error in the list: fix the list (the code it names has moved).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
LIST=${MUTANTS_LIST:-$SRC/scripts/mutants.txt}
WORK=${MUTANTS_DIR:-/tmp/lockstep-mutants}
SWIFT=${SWIFT:-swift}
mkdir -p "$WORK"
LOG=$WORK/log
mkdir -p "$LOG"

# The scratch copy: only what the build and the tests read.
for entry in Package.swift Package.resolved Sources Tests Examples Fuzz configs; do
    rm -rf "${WORK:?}/$entry"
    [ -e "$entry" ] && cp -a "$entry" "$WORK/$entry"
done

# The list, parsed once: a JSON array of {name, file, tests, original, mutant}. Checks that each
# original occurs exactly once in its file before anything is built.
python3 - "$LIST" "$WORK" "$@" > "$WORK/mutants.json" <<'PY'
import json, sys
path, work, words = sys.argv[1], sys.argv[2], sys.argv[3:]
mutants, cur, section = [], None, None
for raw in open(path, encoding="utf-8"):
    line = raw.rstrip("\n")
    if line.startswith("=== "):
        cur = {"name": line[4:].strip(), "file": None, "tests": None, "original": [], "mutant": []}
        mutants.append(cur); section = None
    elif cur is None or (section is None and (line.startswith("#") or not line.strip())):
        continue
    elif section is None and line.startswith("file: "):
        cur["file"] = line[6:].strip()
    elif section is None and line.startswith("tests: "):
        cur["tests"] = line[7:].strip()
    elif line == "--- original":
        section = "original"
    elif line == "--- mutant":
        section = "mutant"
    elif section:
        cur[section].append(line)
    else:
        sys.exit(f"mutants: cannot read line {line!r} in {cur['name']}")
bad = []
for m in mutants:
    m["original"] = "\n".join(m["original"]).rstrip("\n")
    m["mutant"] = "\n".join(m["mutant"]).rstrip("\n")
    if not (m["file"] and m["tests"] and m["original"]):
        bad.append(f"{m['name']}: needs file:, tests: and an --- original block"); continue
    text = open(f"{work}/{m['file']}", encoding="utf-8").read()
    n = text.count(m["original"])
    if n != 1:
        bad.append(f"{m['name']}: its original text occurs {n} times in {m['file']} (must be once)")
if bad:
    sys.exit("mutants: the list is out of date:\n  " + "\n  ".join(bad))
if words:
    mutants = [m for m in mutants if any(w in m["name"] for w in words)]
json.dump(mutants, sys.stdout)
PY
count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/mutants.json")
[ "$count" -gt 0 ] || { echo "mutants: none selected" >&2; exit 1; }

field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[int(sys.argv[2])][sys.argv[3]])' "$WORK/mutants.json" "$1" "$2"; }
build() { (cd "$WORK" && $SWIFT build --build-tests >"$1" 2>&1); }
suites() { (cd "$WORK" && timeout "${MUTANTS_TEST_TIMEOUT:-600}" $SWIFT test --skip-build --no-parallel --filter "$1" >"$2" 2>&1); }

start=$(date +%s)
echo "mutants: $count planted bugs, scratch copy $WORK (logs in $LOG)"
echo "building the unmutated copy"
build "$LOG/baseline-build.log" || { tail -30 "$LOG/baseline-build.log"; echo "mutants: the unmutated copy does not build" >&2; exit 1; }

if [ "${MUTANTS_BASELINE:-1}" != 0 ]; then
    # Every suite a mutant names must pass on the unmutated code, or "caught" would mean nothing.
    all=$(python3 -c 'import json,sys; print("|".join(sorted({m["tests"] for m in json.load(open(sys.argv[1]))})))' "$WORK/mutants.json")
    echo "baseline: the named suites on the unmutated code ($all)"
    suites "$all" "$LOG/baseline-tests.log" || { tail -30 "$LOG/baseline-tests.log"; echo "mutants: the suites fail without any mutant" >&2; exit 1; }
fi

survived=() broken=()
for ((i = 0; i < count; i++)); do
    name=$(field $i name) file=$(field $i file) tests=$(field $i tests)
    slug=$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '-' | cut -c1-60)
    t0=$(date +%s)
    python3 - "$WORK/mutants.json" $i "$WORK" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))[int(sys.argv[2])]
p = f"{sys.argv[3]}/{m['file']}"
text = open(p, encoding="utf-8").read()
open(p, "w", encoding="utf-8").write(text.replace(m["original"], m["mutant"], 1))
PY
    if ! build "$LOG/$slug-build.log"; then
        verdict="DOES NOT COMPILE (fix the list)"; broken+=("$name")
    elif suites "$tests" "$LOG/$slug-tests.log"; then
        verdict="SURVIVED"; survived+=("$name")
    else
        verdict="caught"
    fi
    # Restore the file from the working tree, with a new modification time: the build must see a change.
    cp "$SRC/$file" "$WORK/$file"
    printf '%-3s %-58s %-32s %4ss  %s\n' "$((i + 1))" "$name" "$tests" "$(($(date +%s) - t0))" "$verdict"
done

echo "mutants: $count planted, $((count - ${#survived[@]} - ${#broken[@]})) caught, ${#survived[@]} survived, ${#broken[@]} broken; $(($(date +%s) - start)) s"
if [ ${#survived[@]} -gt 0 ] || [ ${#broken[@]} -gt 0 ]; then
    for n in "${survived[@]}"; do echo "  survived: $n  (strengthen the tests it names)"; done
    for n in "${broken[@]}"; do echo "  broken:   $n"; done
    exit 1
fi
