"""Data-layer checks across modules: the mMARCO fixture feeds the samplers and trains end to end through the `train_source`
registry; the zero-shot guard stops training."""
from pathlib import Path
import json
import pytest
from hybrid_nb.data import load_mmarco
from hybrid_nb.errors import ZeroShotViolation
from hybrid_nb.samplers import HybridBatchSampler, batch_kind
from hybrid_nb.train import TrainConfig, train

FIX = Path(__file__).parent / 'fixtures' / 'mmarco'

def test_mmarco_fixture_is_a_parallel_corpus():
    mm = load_mmarco(['en', 'de'], data_files={l: FIX / f'{l}.jsonl' for l in ('en', 'de')})
    assert len(mm) == 3 and mm.langs == ['de', 'en']
    kinds = {batch_kind(b) for b in HybridBatchSampler(mm, 2, 0.5, seed=0, steps_per_epoch=50)}
    assert kinds == {'mono', 'cross'}

def test_training_on_the_evaluation_set_is_refused(tmp_path, data_dir):
    with pytest.raises(ZeroShotViolation, match='not be zero-shot'):
        train(TrainConfig(model='tiny', train_source='xquad-r', eval_dataset='xquad-r', steps=1, out_dir=str(tmp_path)))

def test_mmarco_trains_end_to_end_from_local_files(tmp_path, data_dir):
    cfg = TrainConfig(model='tiny', train_source='mmarco', train_files=str(FIX), train_langs=['en', 'de'], val_fraction=0.34,
                      steps=2, batch_size=2, eval_every=1, device='cpu', precision='fp32', log_with='none', out_dir=str(tmp_path))
    s = train(cfg, show_progress=False)
    assert (s['steps'], s['train_pairs_ids'], s['val_ids']) == (2, 2, 1) and s['best_val_map'] == 1.0   # 1 id: both passages relevant
    assert json.loads((tmp_path / 'train_config.json').read_text())['train_source'] == 'mmarco'
    assert (tmp_path / 'model' / 'model.safetensors').is_file()

def test_mmarco_missing_local_file_is_one_clear_error(tmp_path, data_dir):
    with pytest.raises(Exception, match=r'train_files: no file .*fr.jsonl'):
        train(TrainConfig(model='tiny', train_source='mmarco', train_files=str(FIX), train_langs=['en', 'fr'], out_dir=str(tmp_path)))
