"`hybrid-nb train` and `hybrid-nb evaluate` as a user runs them (tiny model), and their bad-input messages."
import json
import pytest
from conftest import run_cli

pytestmark = pytest.mark.usefixtures('private_cache')   # the tiny model's exports go to the test's own cache

def test_train_then_evaluate(tmp_path, data_dir):
    out = tmp_path / 'train'
    r = run_cli('train', '--model', 'tiny', '--steps', '2', '--batch-size', '4', '--eval-every', '1', '--out-dir', str(out),
                '--precision', 'fp32', '--threads', '2')
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout[r.stdout.index('{'):])
    assert summary['steps'] == 2 and (out / 'model' / 'hybrid_nb.json').is_file()
    card = (out / 'model' / 'README.md').read_text()   # the model card (notebook 02e; tests/test_model_card.py)
    assert card.startswith('---\nlibrary_name: "sentence-transformers"') and '| ratio | 0.5 (probability' in card
    assert len((out / 'train_log.jsonl').read_text().splitlines()) == 2
    m = tmp_path / 'metrics.json'
    r = run_cli('evaluate', '--model', str(out / 'model'), '--max-questions', '3', '--langs', 'en,de,th', '--noise', '0,0.2',
                '--bootstrap', '20', '--out', str(m))
    assert r.returncode == 0, r.stderr[-2000:]
    metrics = json.loads(m.read_text())
    assert metrics['tasks'] == ['xquad-r']
    for path in ('xquad-r.mono.map', 'xquad-r.cross.map', 'xquad-r.multi.map', 'xquad-r.multi.recall@1', 'xquad-r.multi.recall@10',
                 'xquad-r.multi.ndcg@10', 'xquad-r.multi.map@20', 'xquad-r.multi.rank_distance'):
        node = metrics
        for k in path.split('.'): node = node[k]
        assert 0 <= node['value'] and len(node['ci95']) == 2, path
    assert metrics['xquad-r']['cross']['n_pairs'] == 6 and set(metrics['xquad-r']['by_noise']) == {'0.0', '0.2'}
    assert metrics['model']['fingerprint'] == summary['fingerprint'] and metrics['xquad-r']['dataset']['checksums']['en']
    assert (tmp_path / 'metrics.per_query.npz').is_file()

def test_evaluate_tatoeba_and_xquad(tmp_path, data_dir):
    m = tmp_path / 't.json'
    r = run_cli('evaluate', '--model', 'tiny', '--dataset', 'tatoeba', '--langs', 'amh,swh,kab,deu', '--noise', '0,0.1',
                '--bootstrap', '20', '--precision', 'fp32', '--out', str(m))
    assert r.returncode == 0, r.stderr[-2000:]
    t = json.loads(m.read_text())['tatoeba']
    assert 0 <= t['acc@1']['value'] <= 1 and len(t['acc@1']['ci95']) == 2 and 0 <= t['mrr@10']['value'] <= 1
    assert set(t['per_lang']) == {'amh', 'swh', 'kab', 'deu'} and {'xx->en', 'en->xx'} <= set(t['per_lang']['amh'])
    assert t['per_lang']['amh']['class'] == 2 and t['by_class']['1']['n_langs'] == 1 and t['by_tier']['low']['n_langs'] == 3
    assert set(t['by_noise']) == {'0.0', '0.1'} and t['dataset']['lines']['amh'] == 168 and t['dataset']['checksums']
    assert 'tatoeba noise 0.1: acc@1' in r.stdout and (tmp_path / 't.per_query.npz').is_file()
    m = tmp_path / 'x.json'
    r = run_cli('evaluate', '--model', 'tiny', '--dataset', 'xquad', '--langs', 'en,de,ro', '--max-questions', '4',
                '--bootstrap', '20', '--precision', 'fp32', '--out', str(m))
    assert r.returncode == 0, r.stderr[-2000:]
    x = json.loads(m.read_text())['xquad']
    assert {'acc@1', 'recall@5', 'mrr@10', 'f1@5', 'mono', 'cross', 'multi', 'degradation'} <= set(x)
    assert x['cross']['n_pairs'] == 6 and x['dataset']['paragraphs'] == {'en': 240, 'de': 240, 'ro': 240}
    assert set(x['dataset']['truncated']) == {'en', 'de', 'ro'} and set(x['degradation']['mono']['acc@1']) == {'de', 'ro'}

@pytest.mark.parametrize('args, fault', [
    (['train', '--model', 'tiny', '--ratio', '1.5'], 'ratio must be in [0, 1], got 1.5'),
    (['train', '--model', 'tiny', '--method', 'dann'], 'method must be one of'),
    (['evaluate', '--model', 'no-such-model'], "unknown model 'no-such-model'"),
    (['evaluate', '--model', 'xlm-roberta-base'], 'hub, which is unreachable'),
    (['evaluate', '--model', 'tiny', '--langs', 'en,xx'], "unknown language for xquad-r 'xx'"),
    (['evaluate', '--model', 'tiny', '--max-questions', '0'], 'max_questions must be >= 1'),
    (['evaluate', '--model', 'tiny', '--noise', '1.5'], 'noise rate must be in [0, 1], got 1.5'),
    (['evaluate', '--model', 'tiny', '--noise', '0,x'], 'noise rates must be comma-separated numbers'),
    (['evaluate', '--model', 'tiny', '--dataset', 'tatoeba', '--langs', 'amh,xx'], "unknown language for tatoeba 'xx'"),
    (['evaluate', '--model', 'tiny', '--dataset', 'tatoeba', '--max-questions', '5'], "max_questions=5 applies to none of the tasks"),
    (['evaluate', '--model', 'tiny', '--dataset', 'tatoeba', '--noise-on', 'queries'], 'noise_on for tatoeba must be source'),
    (['evaluate', '--model', 'tiny', '--dataset', 'xquad', '--langs', 'en,am'], "unknown language for xquad 'am'"),
    (['evaluate', '--model', 'tiny', '--dataset', 'squad'], "unknown task 'squad'"),
])
def test_bad_input_one_line(data_dir, args, fault):
    r = run_cli(*args)
    assert r.returncode == 2 and fault in r.stderr and r.stderr.strip().count('\n') == 0, r.stderr[-2000:]
