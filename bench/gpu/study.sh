# How the committed study was run on one lent H100 (16 cores): `bash bench/gpu/study.sh SECONDS` from the repository root,
# with the package importable and HYBRID_NB_DATA set; resumable (run it again to finish an interrupted study).
# The study on one GPU, resumable across calls: GPU training benchmark, recipe grid (8 processes), then the sweep
# (W worker processes sharing one run folder; run claims keep them off each other's points). $1: seconds allowed.
source bench/gpu/env.sh
END=$(( $(date +%s) + ${1:-540} )); W=${W:-8}
left() { local l=$(( END - $(date +%s) )); echo $(( l > 1 ? l : 1 )); }
PROFILE=${PROFILE:-gpu}; TUNE=${TUNE:-}   # TUNE: extra tune flags (a local rehearsal: --model tiny --passes 0.05)
RUNS=$S/runs; REC=$RUNS/recipe; mkdir -p $RUNS $S/logs; L=$S/logs
CLI="python3 -m hybrid_nb.cli"
export OMP_NUM_THREADS=2 RAYON_RS_NUM_CPUS=2
echo "== $(date -u +%T) start, $(left) s left; $(nvidia-smi --query-gpu=name --format=csv,noheader)"
[ -n "$TUNE" ] || python3 -c "from hybrid_nb.model import load_model; m = load_model('e5-small'); print('e5-small', m.config.fingerprint)" 2>&1 | tail -1
if [ ! -f $S/bench.json ] && [ "${BENCH:-1}" = 1 ]; then
  timeout 100 python3 bench/bench_train.py --device cuda --precisions bf16,fp32 --no-st --steps 10 --warmup 3 --rounds 2 --out $S/bench.json > $L/bench.log 2>&1
  echo "== $(date -u +%T) bench rc=$?"; tail -5 $L/bench.log
fi
full() { python3 -c "import json,sys; r=json.load(open('$REC/recipe.json')); sys.exit(len(r['points']) != 8)" 2>/dev/null; }
if ! full; then
  for lr in 1e-5 3e-5; do for t in 0.01 0.05; do for b in 16 100; do
    timeout $(left) $CLI tune --out-dir $REC --lr $lr --temperature $t --batch-size $b --cache-chunk-size 0 $TUNE > $L/tune-$lr-$t-$b.log 2>&1 &
  done; done; done; wait
  timeout $(left) $CLI tune --out-dir $REC --cache-chunk-size 0 $TUNE > $L/tune.log 2>&1
  echo "== $(date -u +%T) recipe:"; tail -12 $L/tune.log
fi
full || { echo "recipe grid unfinished"; exit 0; }
SW="$CLI sweep --profile $PROFILE --recipe $REC/recipe.json --run-dir $RUNS --executor inprocess --no-wait --threads 2"
worker() {
  for s in 0 1 2; do
    $SW --methods none,hybrid,adversarial --seeds $s
    $SW --methods hybrid+adversarial --ratios 0.5 --seeds $s
    $SW --methods hybrid --ratios 0.5 --query-noise 0,0.1,0.2 --seeds $s
  done
}
for w in $(seq 1 $W); do (sleep $(( w * 3 )); timeout $(left) bash -c "$(declare -f worker); SW='$SW'; worker" > $L/worker-$w.log 2>&1) & done
wait
echo "== $(date -u +%T) sweep stopped, $(left) s left; finished runs: $(ls $RUNS/*/metrics.json 2>/dev/null | wc -l)"
grep -h "done:" $L/worker-*.log | tail -30
