"`hybrid-nb train` and `hybrid-nb evaluate` as a user runs them (tiny model), and their bad-input messages."
import json
import pytest
from conftest import run_cli

def test_train_then_evaluate(tmp_path, data_dir):
    out = tmp_path / 'train'
    r = run_cli('train', '--model', 'tiny', '--steps', '2', '--batch-size', '4', '--eval-every', '1', '--out-dir', str(out),
                '--precision', 'fp32', '--threads', '2')
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout[r.stdout.index('{'):])
    assert summary['steps'] == 2 and (out / 'model' / 'hybrid_nb.json').is_file()
    assert len((out / 'train_log.jsonl').read_text().splitlines()) == 2
    m = tmp_path / 'metrics.json'
    r = run_cli('evaluate', '--model', str(out / 'model'), '--max-questions', '3', '--langs', 'en,de,th', '--noise', '0,0.2',
                '--bootstrap', '20', '--out', str(m))
    assert r.returncode == 0, r.stderr[-2000:]
    metrics = json.loads(m.read_text())
    for path in ('mono.map', 'cross.map', 'multi.map', 'multi.recall@1', 'multi.recall@10', 'multi.ndcg@10', 'multi.map@20',
                 'multi.rank_distance'):
        node = metrics
        for k in path.split('.'): node = node[k]
        assert 0 <= node['value'] and len(node['ci95']) == 2, path
    assert metrics['cross']['n_pairs'] == 6 and set(metrics['by_noise']) == {'0.0', '0.2'}
    assert metrics['model']['fingerprint'] == summary['fingerprint'] and metrics['dataset']['checksums']['en']
    assert (tmp_path / 'metrics.per_query.npz').is_file()

@pytest.mark.parametrize('args, fault', [
    (['train', '--model', 'tiny', '--ratio', '1.5'], 'ratio must be in [0, 1], got 1.5'),
    (['train', '--model', 'tiny', '--method', 'dann'], 'method must be one of'),
    (['evaluate', '--model', 'no-such-model'], "unknown model 'no-such-model'"),
    (['evaluate', '--model', 'xlm-roberta-base'], 'hub, which is unreachable'),
    (['evaluate', '--model', 'tiny', '--langs', 'en,xx'], "unknown language for xquad-r 'xx'"),
    (['evaluate', '--model', 'tiny', '--max-questions', '0'], 'max_questions must be >= 1'),
    (['evaluate', '--model', 'tiny', '--noise', '1.5'], 'noise rate must be in [0, 1], got 1.5'),
])
def test_bad_input_one_line(data_dir, args, fault):
    r = run_cli(*args)
    assert r.returncode == 2 and fault in r.stderr and r.stderr.strip().count('\n') == 0, r.stderr[-2000:]
