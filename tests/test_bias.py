"""`hybrid-nb evaluate` writes the language-bias section for any model and scores the offset variant on request (tiny
model)."""
import json
import numpy as np
import pytest
from conftest import run_cli

pytestmark = pytest.mark.usefixtures('private_cache')   # the tiny model's exports go to the test's own cache

def test_evaluate_writes_bias_and_offset_variant(tmp_path, data_dir):
    m = tmp_path / 'metrics.json'
    r = run_cli('evaluate', '--model', 'tiny', '--max-questions', '5', '--langs', 'en,de,th', '--noise', '0,0.2',
                '--bootstrap', '20', '--debias', 'offset', '--threads', '1', '--out', str(m))
    assert r.returncode == 0, r.stderr[-2000:]
    metrics = json.loads(m.read_text())
    assert metrics['tasks'] == ['xquad-r'] and metrics['debias']['variants'] == {'xquad-r+offset': 'xquad-r'}
    probe = metrics['bias']['probe']
    assert probe['n_fit'] + probe['n_test'] == 423 and 0 < probe['chance'] < 1 and 0 <= probe['accuracy'] <= 1
    for block in ('xquad-r', 'xquad-r+offset'):
        same = metrics['bias']['same_language'][block]
        assert same['k'] == 10 and abs(same['fair'] - 1 / 3) < 0.01 and set(same['by_noise']) == {'0.0', '0.2'}
        assert 0 <= same['rate']['value'] <= 1 and len(same['rate']['ci95']) == 2
        assert same['rank_distance'] == metrics[block]['multi']['rank_distance']
    assert metrics['debias']['renormalised'] is False and metrics['debias']['means']['th']['source'] == 'ntrex'
    assert 'bias_s' in metrics['timing'] and 'xquad-r+offset noise 0.0' in r.stdout and 'bias probe' in r.stdout
    z = np.load(tmp_path / 'metrics.per_query.npz')
    assert z['xquad-r/0.0/multi_ap'].shape == z['xquad-r+offset/0.0/multi_ap'].shape
    assert not np.allclose(z['xquad-r/0.0/multi_ap'], z['xquad-r+offset/0.0/multi_ap'], equal_nan=True)

def test_evaluate_one_language_offset_changes_nothing(tmp_path, data_dir):
    "A one-language pool: the offset lowers every score of a query by the same amount, so no metric moves."
    m = tmp_path / 'metrics.json'
    r = run_cli('evaluate', '--model', 'tiny', '--max-questions', '5', '--langs', 'en', '--bootstrap', '0',
                '--debias', 'offset', '--no-bias', '--threads', '1', '--out', str(m))
    assert r.returncode == 0, r.stderr[-2000:]
    metrics = json.loads(m.read_text())
    assert 'bias' not in metrics
    for k in ('map', 'recall@1', 'rank_distance'):
        assert abs(metrics['xquad-r']['multi'][k]['value'] - metrics['xquad-r+offset']['multi'][k]['value']) < 1e-3, k

@pytest.mark.parametrize('args,message', [
    (['--debias', 'shift'], "argument --debias: invalid choice: 'shift'"),
    (['--debias', 'offset', '--debias-sources', 'wiki'], 'offset mean sources must be some of mlqa-r, ntrex'),
    (['--dataset', 'mlqa-r', '--debias', 'offset'], "while mlqa-r is evaluated: its held-out texts would be"),
])
def test_debias_bad_input(tmp_path, data_dir, args, message):
    r = run_cli('evaluate', '--model', 'tiny', '--max-questions', '2', '--bootstrap', '0', *args,
                '--out', str(tmp_path / 'm.json'))
    assert r.returncode != 0 and message in r.stderr, r.stderr[-2000:]
