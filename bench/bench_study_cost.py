"""The cost of one study run: the `cpu` profile (old) against the `study` profile (new), side by side in one run.

Both profiles run the same experiment (hybrid, ratio 0.5, seed 0, noise rates 0 / 0.1 / 0.2) through
`run_experiment`, each in a fresh process with the same threads, its own run folder and its own empty embedding and
export cache (nothing is reused from the other run or an earlier one). For each it records the wall and CPU time of
the run, of its training and of every evaluation task, and the encoder the evaluation used. Then it checks the bounds
of issue 28 for one fixed trained model: the old run's model is evaluated again through the study's evaluation path
and compared with the old run's fp32 numbers: mono / cross / multi mAP on XQuAD-R within 0.0005, Tatoeba acc@1 within
0.002 per language (the languages both evaluated), XQuAD acc@1 within 0.002 per language pair. Training is a purely
computational change (fp32 both, the same chunks of 16 pairs, re-embedded in the backward by GradCache or kept with
their graphs where the batch fits memory), so the two runs' training losses must agree within 1e-5 at every step. The result: bench/results/study-cost-<cpu kind>-<microarchitecture>.json (`-quick` for --quick).

The old run is the slow one (about 25 min on a quiet 2-core AMX machine, more on Zen 4); timings on a shared machine
vary: the load average before and after each run is recorded beside its times, compare the two runs of one file only.

    python bench/bench_study_cost.py               # the full comparison: both runs, then the bounds (about 1 h)
    python bench/bench_study_cost.py --quick       # a smoke run: 2 steps, 3 languages, 50 questions, 3 vs 12 Tatoeba
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import common

PROFILES = ('cpu', 'study')   # old, new
EXPERIMENT = dict(method='hybrid', ratio=0.5, seed=0, noise_rates=[0.0, 0.1, 0.2])
BOUNDS = dict(xquad_r_map=0.0005, tatoeba_acc1=0.002, xquad_acc1=0.002, train_loss=1e-5)
TARGET_SPEEDUP = 4.0

def quick_overrides(profile: str) -> dict:
    """A small experiment of the same shape: 2 steps of the profile's batch, 3 languages, 50 questions, and Tatoeba on
    3 languages for `cpu` and 12 for `study` (the full profiles' 28 : 112 is the same 1 : 4)."""
    from hybrid_nb.tasks import CPU_SAMPLE, tatoeba_langs
    others = [l for l in tatoeba_langs('all') if l not in CPU_SAMPLE]
    tatoeba = list(CPU_SAMPLE[:3]) + (others[:9] if profile == 'study' else [])
    tasks = ['xquad-r', {'name': 'tatoeba', 'langs': ','.join(tatoeba), 'noise_on': 'source'}, 'xquad']
    return dict(steps=2, langs=['en', 'de', 'th'], max_questions=50, tasks=tasks)

# ---------------------------------------------------------------- in a child process
def run_one(profile: str, run_dir: str, quick: bool, threads: int | None) -> dict:
    "One run of `profile`, its model kept; what it cost and where the time went."
    from hybrid_nb.ablation import Experiment, run_experiment
    e = Experiment(**EXPERIMENT, profile=profile, run_dir=run_dir, threads=threads,
                   **(quick_overrides(profile) if quick else {}))
    t, c = time.perf_counter(), time.process_time()
    m = run_experiment(e, keep_model=True, show_progress=False, log_every=60)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    s = m['train_summary']
    tasks = {name: m[name]['timing'] for name in m['tasks']}
    return dict(profile=profile, run_id=m['run_id'], wall_s=round(wall, 1), cpu_s=round(cpu, 1),
                train_s=s['seconds'], train_secs_per_step=s['train_secs_per_step'], steps=s['steps'],
                cache_chunk_size=s['cache_chunk_size'], recompute_chunks=s['recompute_chunks'],
                train_precision=s['precision'],
                eval_s=m['timing']['total_s'], encode_s=m['timing']['encode_s'], score_s=m['timing']['score_s'],
                texts_encoded=m['timing']['texts_encoded'], tokens_encoded=m['timing']['tokens_encoded'],
                eval_encoder={k: m['model'].get(k) for k in ('backend', 'precision', 'variant')}, tasks=tasks,
                run_folder=str(Path(run_dir) / m['run_id']), peak_rss_mb=round(common.peak_rss_mb()))

def recheck(old_folder: str, quick: bool, threads: int | None) -> dict:
    "The old run's trained model evaluated through the study profile's evaluation path (same tasks and data)."
    from hybrid_nb.ablation import Experiment, experiment_configs
    from hybrid_nb.encoders import load_encoder
    from hybrid_nb.evaluate import evaluate, save_metrics
    from hybrid_nb.hardware import set_threads
    set_threads(threads)
    old = json.loads((Path(old_folder) / 'config.json').read_text())
    study = Experiment(**{**old['params'], 'profile': 'study'}).resolve()   # the old run's tasks, languages and questions
    _, ec = experiment_configs(study, Path(old_folder))
    enc = load_encoder(str(Path(old_folder) / 'train' / 'model'), backend=ec.backend, precision=ec.precision)
    t = time.perf_counter()
    m, per_query = evaluate(enc, ec, data_dir=old['params']['data_dir'], show_progress=False)
    path = save_metrics(m, per_query, Path(old_folder) / 'recheck' / 'metrics.json')
    return dict(eval_s=round(time.perf_counter() - t, 1), metrics=str(path), encoder=enc.describe())

# ---------------------------------------------------------------- comparisons
def xquad_pair_acc1(metrics_path: Path) -> dict:
    "XQuAD acc@1 per (query language, paragraph language) pair at noise 0, from the run's per-query arrays."
    from hybrid_nb.evaluate import load_metrics, load_per_query
    langs = load_metrics(metrics_path)['xquad']['dataset']['langs']
    acc = load_per_query(metrics_path, 'xquad')['0.0']['acc@1']   # (query language, paragraph language, question)
    return {f'{a}-{b}': float(np.nanmean(acc[i, j])) for i, a in enumerate(langs) for j, b in enumerate(langs)}

def bounds(old_path: Path, new_path: Path) -> dict:
    "Differences new - old on the numbers issue 28 bounds, and whether each keeps its bound."
    from hybrid_nb.evaluate import load_metrics
    old, new = load_metrics(old_path), load_metrics(new_path)
    d_map = {k: new['xquad-r'][k]['map']['value'] - old['xquad-r'][k]['map']['value'] for k in ('mono', 'cross', 'multi')}
    langs = sorted(set(old['tatoeba']['per_lang']) & set(new['tatoeba']['per_lang']))
    d_tat = {l: new['tatoeba']['per_lang'][l]['acc@1'] - old['tatoeba']['per_lang'][l]['acc@1'] for l in langs}
    a, b = xquad_pair_acc1(old_path), xquad_pair_acc1(new_path)
    d_xq = {p: b[p] - a[p] for p in a}
    worst = lambda d: max(map(abs, d.values())) if d else 0.0
    return dict(xquad_r_map=dict(diff={k: round(v, 5) for k, v in d_map.items()}, worst=round(worst(d_map), 5),
                                 within=worst(d_map) <= BOUNDS['xquad_r_map']),
                tatoeba_acc1=dict(languages=len(langs), worst=round(worst(d_tat), 5), within=worst(d_tat) <= BOUNDS['tatoeba_acc1'],
                                  worst_language=max(d_tat, key=lambda l: abs(d_tat[l])) if d_tat else None),
                xquad_acc1=dict(pairs=len(d_xq), worst=round(worst(d_xq), 5), within=worst(d_xq) <= BOUNDS['xquad_acc1'],
                                worst_pair=max(d_xq, key=lambda p: abs(d_xq[p])) if d_xq else None))

def loss_agreement(old_folder: Path, new_folder: Path) -> dict:
    "The largest difference between the two runs' training losses (and validation losses) at the same step."
    read = lambda f: [json.loads(l) for l in (f / 'train' / 'train_log.jsonl').read_text().splitlines()]
    old, new = read(old_folder), read(new_folder)
    d_loss = max(abs(a['loss'] - b['loss']) for a, b in zip(old, new))
    d_val = [abs(a['val_loss'] - b['val_loss']) for a, b in zip(old, new) if 'val_loss' in a and 'val_loss' in b]
    return dict(steps=min(len(old), len(new)), max_abs_loss_diff=d_loss, max_abs_val_loss_diff=max(d_val, default=None),
                within=d_loss <= BOUNDS['train_loss'])

# ---------------------------------------------------------------- the whole benchmark
def child(args: list, env: dict) -> dict:
    "Run this script with `args` in a fresh process; its JSON result (or the last line of its error)."
    with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as f:
        out = f.name
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load, t = os.getloadavg()[0], time.perf_counter()
    r = subprocess.run([sys.executable, __file__, *args, '--json-out', out], env={**os.environ, **env},
                       stdout=sys.stdout, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode:
        return dict(error=(r.stderr.strip().splitlines() or ['?'])[-1])
    res = json.loads(Path(out).read_text())
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return dict(res, process_wall_s=round(time.perf_counter() - t, 1), process_cpu_s=round(cpu, 1),
                loadavg_before=round(load, 2), loadavg_after=round(os.getloadavg()[0], 2))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help='a smoke run of the benchmark (2 steps, small evaluation)')
    ap.add_argument('--threads', type=int, default=None, help='threads of each run (default: all cores)')
    ap.add_argument('--keep', default=None, help='keep the run folders here (default: a temporary folder, removed)')
    ap.add_argument('--one', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--recheck', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--run-dir', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--json-out', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one or a.recheck:
        res = run_one(a.one, a.run_dir, a.quick, a.threads) if a.one else recheck(a.recheck, a.quick, a.threads)
        Path(a.json_out).write_text(json.dumps(res))
        return
    threads = a.threads or os.cpu_count()
    print(common.cpu_line(threads), flush=True)
    work = Path(a.keep or tempfile.mkdtemp(prefix='study-cost-'))
    flags = (['--quick'] if a.quick else []) + ['--threads', str(threads)]
    runs = {}
    for p in PROFILES:
        print(f"== {p} profile", flush=True)
        env = {'HYBRID_NB_CACHE': str(work / f'cache-{p}')}   # each run starts with no embeddings or exports
        runs[p] = child(['--one', p, '--run-dir', str(work / 'runs')] + flags, env)
        if 'error' in runs[p]:
            raise SystemExit(f"the {p} run failed: {runs[p]['error']}")
    old, new = (Path(runs[p]['run_folder']) for p in PROFILES)
    print("== the old run's model through the study's evaluation path", flush=True)
    again = child(['--recheck', str(old)] + flags, {'HYBRID_NB_CACHE': str(work / 'cache-recheck')})
    if 'error' in again:
        raise SystemExit(f"the recheck failed: {again['error']}")
    result = dict(quick=a.quick, threads=threads, experiment=EXPERIMENT, bounds_required=BOUNDS, runs=runs,
                  speedup=dict(run=round(runs['cpu']['wall_s'] / runs['study']['wall_s'], 2),
                               train=round(runs['cpu']['train_s'] / runs['study']['train_s'], 2),
                               eval=round(runs['cpu']['eval_s'] / runs['study']['eval_s'], 2),
                               target=TARGET_SPEEDUP),
                  training_losses=loss_agreement(old, new), recheck=again,
                  bounds_one_model=bounds(old / 'metrics.json', Path(again['metrics'])),
                  bounds_between_runs=bounds(old / 'metrics.json', new / 'metrics.json'))
    name = f"study-cost-{common.cpu_tag()}" + ('-quick' if a.quick else '')
    common.save(name, result, quiet=True)
    report(result, name)

def report(r: dict, name: str):
    for p, x in r['runs'].items():
        chunks = 're-embedded' if x['recompute_chunks'] else 'kept'
        print(f"{p:6s} run {x['wall_s']:8.1f} s  train {x['train_s']:7.1f} s ({x['steps']} steps, chunks of "
              f"{x['cache_chunk_size']} {chunks})  eval {x['eval_s']:7.1f} s ({x['eval_encoder']['variant']}, "
              f"{x['texts_encoded']:,} texts)  load {x['loadavg_before']}->{x['loadavg_after']}")
    s = r['speedup']
    print(f"speed-up: run {s['run']}x (train {s['train']}x, evaluation {s['eval']}x); target {s['target']}x")
    print(f"training losses: max |diff| {r['training_losses']['max_abs_loss_diff']:.2e} over "
          f"{r['training_losses']['steps']} steps (bound 1e-5: {r['training_losses']['within']})")
    for k, v in r['bounds_one_model'].items():
        print(f"one model, {k}: worst |diff| {v['worst']} (within bound: {v['within']})")
    print(f"-> bench/results/{name}.json")

if __name__ == '__main__':
    main()
