"""Run ids cover every setting that changes a number (issue 27, item 6): the hash is over the fully resolved TrainConfig
and EvalConfig, so a changed profile setting (eval_every, bootstrap, ...) is a new run, never an old one reused."""
import json
from dataclasses import replace

from hybrid_nb import ablation
from hybrid_nb.ablation import Experiment, PROFILES


def _finish(out):
    "Pretend a run finished in `out` (what run_experiment checks before skipping)."
    out.mkdir(parents=True)
    (out / 'metrics.json').write_text(json.dumps({'run_id': out.name}))


def test_profile_setting_is_a_new_run(tmp_path, monkeypatch):
    e = Experiment(ratio=0.5, profile='smoke', run_dir=str(tmp_path))
    old = e.out_dir
    _finish(old)
    assert ablation._finished(e.out_dir) is not None                  # unchanged: the finished run is reused
    for key, value in (('eval_every', PROFILES['smoke']['eval_every'] + 1), ('bootstrap', PROFILES['smoke']['bootstrap'] + 1),
                       ('patience', 7), ('max_query_length', PROFILES['smoke']['max_query_length'] + 8)):
        monkeypatch.setitem(PROFILES, 'smoke', {**PROFILES['smoke'], key: value})
        assert e.out_dir != old, key
        assert ablation._finished(e.out_dir) is None, key             # so run_experiment computes it anew
        monkeypatch.undo()
    assert e.out_dir == old


def test_where_and_how_fast_is_the_same_run(tmp_path):
    e = Experiment(ratio=0.5, profile='gpu')
    assert e.run_id == replace(e, run_dir=str(tmp_path), threads=1, data_dir='elsewhere', cache_chunk_size=16).run_id
    assert e.run_id != replace(e, seed=1).run_id
    assert Experiment(method='adversarial', profile='gpu').run_id != Experiment(method='hybrid+adversarial', profile='gpu').run_id
