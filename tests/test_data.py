"Data-layer checks across modules: the mMARCO fixture feeds the samplers, and the zero-shot guard stops training."
from pathlib import Path
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
