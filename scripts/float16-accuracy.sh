#!/usr/bin/env bash
# How much storing X in float16 changes what is learned: trains each workload on float32 X and on
# the same X rounded to float16 (`dtype: float16`), and prints the largest difference between the
# two weight vectors, each one's largest distance to the true weights, the biases and final losses.
# Workloads: the d2l lesson, the line lesson (CSV converted on load), w3, w4 and w5 (1 GiB each).
#
#   scripts/float16-accuracy.sh [WORKLOAD...]     (d2l line50 w3 w4 w5)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/.build/release/lockstep
[[ -x $bin ]] || { echo "float16-accuracy: no $bin; run make build first" >&2; exit 2; }
((${#})) && workloads=("$@") || workloads=(d2l line50 w3 w4 w5)
declare -A cfg=([d2l]=configs/d2l-scratch [line50]=configs/line50 [w3]=configs/w3-minibatch [w4]=configs/w4-fullbatch [w5]=configs/w5-wide)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$here"
for wl in "${workloads[@]}"; do
  base=${cfg[$wl]}.yaml
  half=$tmp/$wl-float16.yaml
  [[ -f ${cfg[$wl]}-float16.yaml ]] && cp "${cfg[$wl]}-float16.yaml" "$half" ||
    sed -e 's/seed: 0}/seed: 0, dtype: float16}/' -e 's/target: y}/target: y, dtype: float16}/' -e "s|path: data/|path: $here/configs/data/|" "$base" >"$half"
  "$bin" train --config "$base" --quiet --summary "$tmp/a.json" >/dev/null
  "$bin" train --config "$half" --quiet --summary "$tmp/h.json" >/dev/null
  python3 - "$wl" "$tmp/a.json" "$tmp/h.json" <<'PY'
import json, sys
wl, a, h = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
wa, wh = a['weights'], h['weights']
diff = max(abs(x - y) for x, y in zip(wa, wh))
line = f"{wl}: max|w16 - w32| {diff:.2e}, bias {a['bias']:.6g} / {h['bias']:.6g}, final loss {a['finalLoss']:.6g} / {h['finalLoss']:.6g}"
t = a.get('trueWeights')
if t:
    line += f"; max|w - true| float32 {max(abs(x - y) for x, y in zip(wa, t)):.2e}, float16 {max(abs(x - y) for x, y in zip(wh, t)):.2e}"
print(line)
PY
done
