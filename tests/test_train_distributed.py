"""Two CPU processes (gloo) started by `accelerate launch`, tiny model, global batch 16 = 2 x 8: the loss at step 1 and
the weights after 3 steps equal those of one process holding the whole batch; every global batch is pure across both
processes; a run killed after its step-2 checkpoint resumes (through `hybrid-nb train --nproc 2`) and ends with the
weights of the uninterrupted two-process run."""
import json, subprocess
from dataclasses import asdict
import pytest, torch
from safetensors.torch import load_file
from conftest import run_cli
from hybrid_nb.samplers import Pair, batch_kind
from hybrid_nb.train import TrainConfig, train, accelerate_launch_command

# dropout off: one process and two draw their dropout masks differently, which is not what is compared here
BASE = dict(model='tiny', steps=3, batch_size=16, eval_every=2, checkpoint_every=1, max_query_length=32,
            max_passage_length=48, dropout=0.0, device='cpu', precision='fp32', final_model='last', log_batches=True)

KILL_AT_2 = """import os, signal, sys
from hybrid_nb.train import TrainConfig, train
def die(step, rec):   # rank 0 dies hard right after the step-2 checkpoint; the launcher then stops rank 1
    if step == 2 and os.environ.get('RANK') == '0': os.kill(os.getpid(), signal.SIGKILL)
train(TrainConfig.from_json(sys.argv[1]), show_progress=False, on_step=die)
"""

def log_of(out):
    return [json.loads(l) for l in (out / 'train_log.jsonl').read_text().splitlines()]

def max_diff(a, b):
    wa, wb = load_file(a / 'model' / 'model.safetensors'), load_file(b / 'model' / 'model.safetensors')
    assert set(wa) == set(wb)
    return max((wa[k] - wb[k]).abs().max().item() for k in wa)

@pytest.fixture(scope='module')
def runs(tmp_path_factory, data_dir):
    d = tmp_path_factory.mktemp('dist')
    one = TrainConfig(**BASE, out_dir=str(d / 'one'))
    train(one, show_progress=False)
    two = TrainConfig(**BASE, out_dir=str(d / 'two'))
    two.to_json(d / 'two.json')
    r = subprocess.run(accelerate_launch_command(2, ['train', '--config', str(d / 'two.json')]), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return d, r

def test_two_processes_equal_one_process_with_the_whole_batch(runs):
    d, r = runs
    one, two = log_of(d / 'one'), log_of(d / 'two')
    assert [x['step'] for x in two] == [1, 2, 3]
    assert abs(one[0]['loss'] - two[0]['loss']) < 1e-5, (one[0]['loss'], two[0]['loss'])
    assert max_diff(d / 'one', d / 'two') < 1e-5
    s = json.loads((d / 'two' / 'train_summary.json').read_text())
    assert (s['world_size'], s['global_batch'], s['per_process_batch'], s['precision'], s['device']) == (2, 16, 8, 'fp32', 'cpu')
    assert list((d / 'two' / 'tensorboard').rglob('events.out.tfevents.*'))
    assert r.stdout.count('"world_size": 2') == 1   # only the main process prints the summary

def test_global_batches_are_pure_across_processes(runs):
    d, _ = runs
    one, two = log_of(d / 'one'), log_of(d / 'two')
    for a, b in zip(one, two):
        (pairs,) = b['pairs']            # one micro-batch per step: rank 0's 8 pairs, then rank 1's
        batch = [Pair(*p) for p in pairs]
        assert len(batch) == 16 and len({p.qid for p in batch}) == 16
        assert batch_kind(batch) in ('mono', 'cross') and b['kinds'] == [batch_kind(batch)]
        assert pairs == a['pairs'][0]    # the very batch the single process trained on

def test_two_process_run_resumes_after_kill(runs, tmp_path):
    d, _ = runs
    cfg = TrainConfig(**BASE, out_dir=str(tmp_path / 'killed'))
    cfg.to_json(tmp_path / 'killed.json')
    (tmp_path / 'kill_at_2.py').write_text(KILL_AT_2)
    cmd = accelerate_launch_command(2, [])
    cmd = cmd[:cmd.index('-m', 3)] + [str(tmp_path / 'kill_at_2.py'), str(tmp_path / 'killed.json')]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and (tmp_path / 'killed' / 'checkpoint' / 'COMPLETE').is_file()
    assert not (tmp_path / 'killed' / 'model').exists()
    r = run_cli('train', '--nproc', '2', '--config', str(tmp_path / 'killed.json'))
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'resuming' in r.stdout and 'from step 2' in r.stdout
    assert [x['step'] for x in log_of(tmp_path / 'killed')] == [1, 2, 3]
    assert max_diff(tmp_path / 'killed', d / 'two') == 0.0


def test_cli_nproc_with_the_default_device_is_one_job(tmp_path, data_dir):
    """MANUAL.md's "N processes on one machine" with the default device (no `--device`): on a machine without GPUs
    both processes join one job of world size 2 on the CPU, train one global batch of 16 as 2 x 8, and only the main
    process writes the model and prints the summary."""
    out = tmp_path / 'run'
    r = run_cli('train', '--model', 'tiny', '--steps', '3', '--batch-size', '16', '--precision', 'fp32', '--ratio', '0.5',
                '--nproc', '2', '--out-dir', str(out))
    assert r.returncode == 0, r.stderr[-3000:]
    s = json.loads((out / 'train_summary.json').read_text())
    expected_device = 'cpu' if not torch.accelerator.is_available() else s['device']
    assert (s['world_size'], s['global_batch'], s['per_process_batch'], s['device']) == (2, 16, 8, expected_device)
    assert r.stdout.count('"world_size": 2') == 1 and (out / 'model' / 'model.safetensors').is_file()
    assert [x['step'] for x in log_of(out)] == [1, 2, 3]


ALONE = """import sys
import hybrid_nb.train
hybrid_nb.train.trains_on_cpu = lambda cfg: False   # Accelerate's own pick, as before: no GPU, each process alone
from hybrid_nb.cli import main
sys.exit(main(['train', '--config', sys.argv[1]]))
"""

def test_a_process_alone_in_a_launch_stops(tmp_path, data_dir):
    """Processes that a two-process launch started but that Accelerate leaves alone with world size 1 (what it did with
    the default device on a machine without GPUs) stop at once with a one-line error instead of each training the
    whole batch and writing the model into the same folder."""
    cfg = TrainConfig(**{**BASE, 'device': None}, out_dir=str(tmp_path / 'alone'))
    cfg.to_json(tmp_path / 'alone.json')
    (tmp_path / 'alone.py').write_text(ALONE)
    cmd = accelerate_launch_command(2, [])
    cmd = cmd[:cmd.index('-m', 3)] + [str(tmp_path / 'alone.py'), str(tmp_path / 'alone.json')]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode != 0, r.stderr[-3000:]
    errors = [l for l in r.stderr.splitlines() if l.startswith('hybrid-nb: error:')]
    assert errors and all('is one of 2 launched for one job but formed a process group of 1' in l for l in errors), r.stderr[-3000:]
    assert not (tmp_path / 'alone' / 'model').exists()
