"""The smoke sweep end to end: killed mid-way, resumed without redoing finished points, then the report notebook on it;
the Ray engine against the local one; the demo's progress lines and closing summary; `hybrid-nb cache`."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
from conftest import run_cli, ROOT
from hybrid_nb.ablation import lareqa_summary

SWEEP = ['sweep', '--profile', 'smoke', '--ratios', '0,1', '--methods', 'hybrid', '--seeds', '0', '--noise', '0,0.2']

def test_sweep_kill_resume_report(tmp_path, data_dir):
    runs = tmp_path / 'runs'
    exe = Path(sys.executable).parent / 'hybrid-nb'
    log = open(tmp_path / 'sweep1.log', 'w')
    proc = subprocess.Popen([str(exe), *SWEEP, '--run-dir', str(runs)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 300
    while not list(runs.glob('*/metrics.json')):
        assert proc.poll() is None, (tmp_path / 'sweep1.log').read_text()[-3000:]
        assert time.time() < deadline, 'no point finished within 5 minutes'
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()       # kill the sweep and its kernel mid-way
    time.sleep(2)
    finished = list(runs.glob('*/metrics.json'))
    assert len(finished) == 1, 'the kill came too late to interrupt the sweep'
    before = {f: f.stat().st_mtime_ns for f in finished}

    r = run_cli(*SWEEP, '--run-dir', str(runs))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert '2 of 2 points finished (1 skipped as done earlier)' in r.stdout, r.stdout
    assert all(f.stat().st_mtime_ns == t for f, t in before.items()), 'a finished point was redone'
    metrics = [json.loads(f.read_text()) for f in sorted(runs.glob('*/metrics.json'))]
    assert sorted(m['params']['ratio'] for m in metrics) == [0.0, 1.0]
    assert all((Path(m['path'] if 'path' in m else runs / m['run_id']) / 'notebook.ipynb').exists() or (runs / m['run_id'] / 'notebook.ipynb').exists() for m in metrics)

    report = tmp_path / 'report'
    pm = subprocess.run([str(Path(sys.executable).parent / 'papermill'), str(ROOT / 'nbs' / '06_report.ipynb'), str(tmp_path / 'report.ipynb'),
                         '-p', 'run_dir', str(runs), '-p', 'report_dir', str(report), '-p', 'self_test', 'False', '--cwd', str(ROOT / 'nbs')],
                        capture_output=True, text=True, timeout=900)
    assert pm.returncode == 0, pm.stderr[-3000:]
    text = (report / 'REPORT.md').read_text()
    assert '## RQ1' in text and '## RQ2' in text and 'X-Y (r=0)' in text and 'X-X-mono (r=1)' in text
    assert (report / 'rq1_ratio_curves.png').stat().st_size > 10_000


def _computed(m: dict) -> dict:
    "What a run computed: every metric, and the fingerprint of the trained weights (no timings, paths or machine)."
    return dict(model=m['model']['fingerprint'], metrics=lareqa_summary(m),
                by_noise={r: {k: v for k, v in x.items() if k != 'timing'} for r, x in
                          (m['by_noise'] if 'by_noise' in m else m[m['tasks'][0]]['by_noise']).items()})

def test_ray_engine_matches_local(tmp_path, data_dir):
    """A smoke sweep as Ray tasks on a local Ray instance (2 CPUs in CI; one CPU per point) gives the same metrics.json
    numbers, and the same trained weights, as the local engine running the points side by side with one thread each."""
    pytest.importorskip('ray', reason='Ray is not installed: pip install "hybrid_nb[ray]" (it is in the dev requirements)')
    grid = ['sweep', '--profile', 'smoke', '--ratios', '0,1', '--methods', 'hybrid', '--seeds', '0', '--noise', '0,0.2',
            '--langs', 'en,de,th']
    local = run_cli(*grid, '--run-dir', str(tmp_path / 'local'), '--jobs', str(os.cpu_count()), timeout=900)   # one thread per point
    assert local.returncode == 0, local.stdout[-3000:] + local.stderr[-3000:]
    ray = run_cli(*grid, '--run-dir', str(tmp_path / 'ray'), '--engine', 'ray', '--cpus-per-point', '1', timeout=900)
    assert ray.returncode == 0, ray.stdout[-3000:] + ray.stderr[-3000:]
    assert f'ray engine, local Ray instance: {os.cpu_count()} CPUs' in ray.stdout and '2 of 2 points finished' in ray.stdout, ray.stdout[-2000:]
    runs = sorted(p.name for p in (tmp_path / 'local').iterdir())
    assert len(runs) == 2 and runs == sorted(p.name for p in (tmp_path / 'ray').iterdir())
    for r in runs:
        a, b = (json.loads((tmp_path / engine / r / 'metrics.json').read_text()) for engine in ('local', 'ray'))
        assert a['hardware']['threads'] == b['hardware']['threads'] == 1
        assert _computed(a) == _computed(b), r


STRESS_CHILD = """
import json, sys, time
from pathlib import Path
from hybrid_nb.sweep import run_notebook
notebook, out, gate = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
out.mkdir(parents=True)
(out / 'ready').touch()
while not gate.exists():
    time.sleep(0.01)
run_notebook(dict(point=out.name, out_dir=str(out)), notebook, out)
"""

def _stress_notebook(path: Path) -> Path:
    "A parameterised notebook that records which point it ran and how its kernel talked to papermill."
    import nbformat
    nb = nbformat.v4.new_notebook(metadata={'kernelspec': {'name': 'python3', 'language': 'python', 'display_name': 'Python 3'}})
    nb.cells = [nbformat.v4.new_code_cell("point, out_dir = None, None", metadata={'tags': ['parameters']}),
                nbformat.v4.new_code_cell("import json, pathlib\n"
                                          "from ipykernel.kernelapp import IPKernelApp\n"
                                          "kernel = IPKernelApp.instance()\n"
                                          "record = dict(point=point, transport=kernel.transport, ip=kernel.ip)\n"
                                          "pathlib.Path(out_dir, 'kernel.json').write_text(json.dumps(record))")]
    nbformat.write(nb, str(path))
    return path

def test_eight_papermill_points_start_at_once(tmp_path):
    """Eight processes start a papermill point at the same moment through `run_notebook`, the function that runs every
    papermill point of a sweep (kernel settings included), as eight Ray workers would: all eight finish, each kernel on
    Unix sockets of its own (about 20 s on 2 cores; speed is not asserted here). The notebook is a trivial
    parameterised one, not notebook 05: eight real smoke runs at once take minutes on 2 cores, and the race is in
    starting the kernel, which is the same for both."""
    notebook = _stress_notebook(tmp_path / 'stress.ipynb')
    gate = tmp_path / 'go'
    outs = [tmp_path / f'point{i}' for i in range(8)]
    procs = [subprocess.Popen([sys.executable, '-c', STRESS_CHILD, str(notebook), str(out), str(gate)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for out in outs]
    deadline = time.time() + 300   # a guard against a hang, not a speed check
    while not all((out / 'ready').exists() for out in outs):
        assert time.time() < deadline and all(p.poll() is None for p in procs), [p.poll() for p in procs]
        time.sleep(0.05)
    gate.touch()
    logs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, '\n'.join(logs)[-3000:]
    records = [json.loads((out / 'kernel.json').read_text()) for out in outs]
    assert [r['point'] for r in records] == [out.name for out in outs]
    assert {r['transport'] for r in records} == {'ipc'} and len({r['ip'] for r in records}) == 8, records
    assert all((out / 'notebook.ipynb').is_file() for out in outs)


def test_demo_streams_progress_and_ends_with_a_summary(tmp_path, data_dir):
    """`hybrid-nb demo --profile smoke`: progress lines reach the terminal while the run executes (well before the end),
    no Jupyter kernel warnings, and the last lines give the run's metrics beside the untrained base, then the report."""
    proc = subprocess.Popen([str(Path(sys.executable).parent / 'hybrid-nb'), 'demo', '--profile', 'smoke', '--run-dir',
                             str(tmp_path / 'runs'), '--report-dir', str(tmp_path / 'report')],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = []
    for line in proc.stdout: lines.append((time.time(), line.rstrip('\n')))
    assert proc.wait(timeout=900) == 0, '\n'.join(l for _, l in lines[-40:])
    end = time.time()
    text = '\n'.join(l for _, l in lines)
    step = next(t for t, l in lines if 'train step 1/4 loss' in l)
    assert end - step > 5, 'the first training step was reported only at the end'
    assert 'evaluate: start' in text and 'Kernel is running over TCP' not in text and 'IPKernelApp' not in text, text[-3000:]
    assert 'IProgress not found' not in text, text[-3000:]   # tqdm.auto's widget notice, meaningless in a papermill kernel
    runs = {json.loads(p.read_text())['params']['method']: json.loads(p.read_text()) for p in (tmp_path / 'runs').glob('*/metrics.json')}
    assert sorted(runs) == ['hybrid', 'none']
    last = [l for _, l in lines[-8:]]
    assert last[-1] == f">> report: {tmp_path / 'report' / 'REPORT.md'}", last
    for label, m in (('hybrid r=0.5', runs['hybrid']), ('untrained base', runs['none'])):
        row = next(l for l in last if l.strip().startswith(label) and ' 0.00 ' in l)
        s = lareqa_summary(m)['0.0']
        assert row.split()[-4:] == [f"{s['multi']:.4f}", f"{s['cross']:.4f}", f"{s['mono']:.4f}", f"{s['rank_distance']:.1f}"], row


def test_cache_command(tmp_path):
    "`hybrid-nb cache info|verify|clear` on a cache with one healthy and one damaged embedding entry."
    import numpy as np
    from hybrid_nb.cache import save_array
    env = dict(HYBRID_NB_CACHE=str(tmp_path))
    good = save_array(tmp_path / 'embeddings' / 'k1.npz', np.ones((2, 3), np.float32), key='k1')
    bad = save_array(tmp_path / 'embeddings' / 'k2.npz', np.ones((2, 3), np.float32), key='k2')
    bad.write_bytes(bad.read_bytes()[:50])
    info = run_cli('cache', 'info', '--json', env=env)
    assert info.returncode == 0 and json.loads(info.stdout)['kinds']['embeddings']['entries'] == 2, info.stdout + info.stderr
    ver = run_cli('cache', 'verify', env=env)
    assert ver.returncode == 1 and f"{bad}: unreadable" in ver.stdout and '2 entries checked; 1 problem(s)' in ver.stdout, ver.stdout
    assert run_cli('cache', 'verify', '--fix', env=env).returncode == 0 and good.exists() and not bad.exists()
    assert run_cli('cache', 'verify', env=env).returncode == 0
    r = run_cli('cache', 'clear', '--kind', 'embeddings', env=env)
    assert r.returncode == 0 and not good.exists(), r.stdout
    r = run_cli('cache', 'clear', '--kind', 'weights', env=env)
    assert r.returncode == 2 and r.stderr.startswith('hybrid-nb: error: unknown cache kind') and r.stderr.count('\n') == 1, r.stderr
