#!/usr/bin/env bash
# float16 X against float32, side by side in one run: for each workload (w3, w4, w5) and thread
# count it alternates the C yardstick (float32, ../shared/reference/fused_sgd.c), lockstep on
# float32 X and lockstep on float16 X (configs/*-float16.yaml: the same data rounded to
# nearest-even) ROUNDS times in rotating order, takes each one's median epoch time (per step for
# w4) and prints float16/C, float32/C and float16/float32. With --memory it also trains each config
# once (1 epoch) and reports the peak resident memory of the two runs.
#
#   scripts/compare-float16.sh [--threads "1 2"] [--rounds 3] [--memory] [WORKLOAD...]
set -euo pipefail
threads="1 2" rounds=3 memory=0 workloads=()
while (($#)); do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --memory) memory=1; shift ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) workloads+=("$1"); shift ;;
  esac
done
((${#workloads[@]})) || workloads=(w3 w4 w5)
here=$(cd "$(dirname "$0")/.." && pwd)
ref=$here/../shared/reference
bin=$here/.build/release/lockstep
[[ -f $ref/fused_sgd.c ]] || { echo "compare-float16: no $ref (../shared must sit beside the project)" >&2; exit 2; }
[[ -x $bin ]] || { echo "compare-float16: no $bin; run make build first" >&2; exit 2; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/lockstep-reference
mkdir -p "$cache"
if [[ ! -x $cache/fused_sgd || $ref/fused_sgd.c -nt $cache/fused_sgd || $ref/common.h -nt $cache/fused_sgd ]]; then
  gcc -O3 -march=native -fopenmp -Wall "$ref/fused_sgd.c" -o "$cache/fused_sgd" -lm
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
declare -A cfg=([w3]=configs/w3-minibatch [w4]=configs/w4-fullbatch [w5]=configs/w5-wide)
declare -A cargs=([w3]="--workload w3 --order shuf --prefetch 16" [w4]="--workload w4" [w5]="--workload w5 --order shuf --prefetch 2")
declare -A reps=([w3]=6 [w4]=1 [w5]=6) eps=([w3]=6 [w4]=20 [w5]=6)
cd "$here"
for wl in "${workloads[@]}"; do
  [[ -n ${cfg[$wl]:-} ]] || { echo "compare-float16: unknown workload $wl" >&2; exit 2; }
  for t in $threads; do
    : >"$tmp/c.txt"; : >"$tmp/f32.txt"; : >"$tmp/f16.txt"
    run_c() { "$cache/fused_sgd" ${cargs[$wl]} --threads "$t" --reps "${reps[$wl]}" | python3 -c "import sys,json
for l in sys.stdin:
  if l.startswith('RESULT '): print(json.loads(l[7:])['median_rep_s']/(20 if '$wl'=='w4' else 1))" >>"$tmp/c.txt"; }
    run_l() {  # $1: config suffix, $2: output file
      "$bin" sweep --config "${cfg[$wl]}$1.yaml" --threads "$t" --epochs "${eps[$wl]}" --quiet --json "$tmp/l.json" >/dev/null
      python3 -c "import json,statistics
r=[x for x in json.load(open('$tmp/l.json'))['results'] if x['threads']==$t][0]
print(statistics.median(r['epochSeconds']))" >>"$2"; }
    for ((r = 0; r < rounds; r++)); do
      case $((r % 3)) in
        0) run_c; run_l "" "$tmp/f32.txt"; run_l -float16 "$tmp/f16.txt" ;;
        1) run_l -float16 "$tmp/f16.txt"; run_c; run_l "" "$tmp/f32.txt" ;;
        2) run_l "" "$tmp/f32.txt"; run_l -float16 "$tmp/f16.txt"; run_c ;;
      esac
    done
    python3 -c "import statistics as s
m=lambda f: s.median(float(x) for x in open(f))
c, a, h = m('$tmp/c.txt'), m('$tmp/f32.txt'), m('$tmp/f16.txt')
print(f'$wl T=$t: C {c*1e3:.4g} ms | float32 {a*1e3:.4g} ms | float16 {h*1e3:.4g} ms | float16/C {h/c:.3f}  float32/C {a/c:.3f}  float16/float32 {h/a:.3f}')"
  done
  if ((memory)); then
    for suffix in "" -float16; do
      /usr/bin/time -f %M -o "$tmp/rss" "$bin" train --config "${cfg[$wl]}$suffix.yaml" --epochs 1 --quiet >/dev/null
      echo "$wl${suffix:- float32}: peak memory $(($(cat "$tmp/rss") / 1024)) MiB"
    done
  fi
done
