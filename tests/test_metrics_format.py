"""The metrics file format (METRICS_FORMAT): new files are keyed by task; runs (a fixture from commit 6b2ebfb) and results made before
tasks existed (LAReQA keys at the top level, per-query arrays keyed `<rate>/<array>`) still load, in the new shape."""
import json
from pathlib import Path
import numpy as np
import pytest

from hybrid_nb.evaluate import load_metrics, load_per_query, save_metrics, upgrade_metrics, summary_lines, EvalConfig
from hybrid_nb.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
# results/zero-shot-e5-small-xquad-r.json as committed before tasks existed (moved here when results/ was regenerated)
OLD = sorted(ROOT.glob('tests/fixtures/old-runs/*/metrics.json')) + sorted(ROOT.glob('tests/fixtures/old-results/*.json'))


@pytest.mark.parametrize('path', OLD, ids=[p.parent.name if p.name == 'metrics.json' else p.name for p in OLD])
def test_committed_old_format_files_load(path):
    raw = json.loads(path.read_text())
    m = load_metrics(path)
    if 'tasks' not in raw:                                       # an old file: moved under its dataset's name
        task = raw['dataset']['name']
        assert m['tasks'] == [task] and m[task]['multi'] == raw['multi'] and m[task]['by_noise'] == raw['by_noise']
        assert m[task]['dataset']['qids'] == raw['qids'] and m['config'] == raw['config']
    task = m['tasks'][0]
    pq = load_per_query(path)
    assert set(pq) == {task} and set(pq[task]) == set(m[task]['by_noise'])
    arrs = pq[task]['0.0']
    assert arrs['multi_ap'].shape[-1] == len(m[task]['dataset']['qids'])
    assert np.nanmean(arrs['multi_ap']) == pytest.approx(m[task]['by_noise']['0.0']['multi']['map']['value'], abs=1e-6)
    assert summary_lines(m)[0].startswith(f"{task} noise 0.0: mono mAP")
    for k in ('config', 'hardware', 'timing'): assert k in m


def test_old_configs_read_back():
    cfg = json.loads(OLD[0].read_text())['config']
    ec = EvalConfig.from_dict(cfg)
    assert ec.task_names == [cfg['dataset']] and ec.noise_rates == [float(r) for r in cfg['noise_rates']]


def test_new_format_round_trip(tmp_path):
    metrics = {'tasks': ['tatoeba'], 'tatoeba': {'acc@1': {'value': 0.5}, 'by_noise': {'0.0': {}}}, 'config': {}}
    per_query = {'tatoeba': {'0.0': {'acc@1': np.array([[1.0, 0.0, np.nan]])}}}
    f = save_metrics(metrics, per_query, tmp_path / 'm.json')
    assert load_metrics(f) == metrics and upgrade_metrics(metrics) is metrics
    back = load_per_query(f)
    assert list(back) == ['tatoeba'] and np.array_equal(back['tatoeba']['0.0']['acc@1'], per_query['tatoeba']['0.0']['acc@1'], equal_nan=True)
    assert np.array_equal(load_per_query(f, 'tatoeba')['0.0']['acc@1'], per_query['tatoeba']['0.0']['acc@1'], equal_nan=True)
    with pytest.raises(DataError, match="no per-query arrays of task 'xquad'"): load_per_query(f, 'xquad')
    with pytest.raises(DataError, match='no metrics file'): load_metrics(tmp_path / 'missing.json')
