#!/usr/bin/env bash
# Generation speed, side by side in one run: `lockstep generate` (1 GiB: 2^22 × 64, written to
# .npy files with checksums, fsync'd) against the C yardstick's in-memory generator (`make_data` of
# ../shared/reference/common.h, OpenMP), alternating the two ROUNDS times. Prints each program's
# median wall time and lockstep / C (below 0.5 means more than 2× faster).
#
#   scripts/compare-generate.sh [--rounds 5] [--threads 2] [--rows 4194304] [--features 64]
set -euo pipefail
rounds=5 threads=$(nproc) rows=4194304 features=64
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --features) features=$2; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "compare-generate: unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
ref=$here/../shared/reference/common.h
bin=$here/.build/release/lockstep
[[ -f $ref ]] || { echo "compare-generate: no $ref (../shared must sit beside the project)" >&2; exit 2; }
[[ -x $bin ]] || { echo "compare-generate: no $bin; run make build first" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/gen.c" <<C
#include "$ref"
int main(int argc, char **argv) {
    long n = atol(argv[1]); int d = atoi(argv[2]);
    float *tw = malloc(d * sizeof(float)), tb; true_params(d, tw, &tb);
    float *X = big_alloc((size_t)n * d * 4, 1), *y = big_alloc((size_t)n * 4, 1);
    double t0 = now_s();
    make_data(n, d, 0, X, y, tw, tb);
    printf("%.6f\n", now_s() - t0);
    return X[n / 2] == 12345.0f;  /* keep the data live */
}
C
gcc -O3 -march=native -fopenmp "$tmp/gen.c" -o "$tmp/gen" -lm
: >"$tmp/c.txt"; : >"$tmp/l.txt"
run_c() { OMP_NUM_THREADS=$threads "$tmp/gen" "$rows" "$features" >>"$tmp/c.txt"; }
run_l() {
  python3 -c 'import subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], check=True); print(f"{time.monotonic() - t:.6f}")' \
    "$bin" generate --rows "$rows" --features "$features" --threads "$threads" --out "$tmp/data" --force --quiet >>"$tmp/l.txt"
}
for ((r = 0; r < rounds; r++)); do
  if ((r % 2 == 0)); then run_c; run_l; else run_l; run_c; fi
done
python3 - "$tmp/c.txt" "$tmp/l.txt" "$rows" "$features" "$threads" <<'PY'
import statistics as s, sys
c = [float(x) for x in open(sys.argv[1])]; l = [float(x) for x in open(sys.argv[2])]
f = lambda v: ' '.join(f'{x:.3f}' for x in v)
gib = int(sys.argv[3]) * (int(sys.argv[4]) + 1) * 4 / 2**30
print(f'generate {sys.argv[3]} x {sys.argv[4]} ({gib:.2f} GiB), {sys.argv[5]} threads:')
print(f'  lockstep generate (to .npy, fsync): median {s.median(l):.3f} s (rounds {f(l)})')
print(f'  C make_data (in memory):            median {s.median(c):.3f} s (rounds {f(c)})')
print(f'  ratio lockstep/C {s.median(l) / s.median(c):.3f}')
PY
