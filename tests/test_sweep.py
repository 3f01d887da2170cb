"""The smoke sweep end to end: killed mid-way, resumed without redoing finished points, then the report notebook on it."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
from conftest import run_cli, ROOT

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
