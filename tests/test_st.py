"""hybrid_nb.st as a user meets it: `SentenceTransformerTrainer` trains the tiny model on MLQA-R pair datasets with
`HybridMultiDatasetBatchSampler`, under `MultipleNegativesRankingLoss` and its cached (GradCache) variant. The batches
it trained on are pure (a monolingual batch is one language, a cross-lingual one pairs different languages) with no
id twice, the share of monolingual batches drawn is close to the ratio, the epochs differ, and the saved model
evaluates with `hybrid-nb evaluate`. Without sentence-transformers, importing hybrid_nb.st is a one-line error."""
import json, math, subprocess, sys
from functools import partial
import pytest
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.losses import (MultipleNegativesRankingLoss,
                                                               CachedMultipleNegativesRankingLoss)
from conftest import run_cli
from hybrid_nb.model import load_model
from hybrid_nb.samplers import batch_kind
from hybrid_nb.st import HybridMultiDatasetBatchSampler, parallel_datasets

pytestmark = pytest.mark.usefixtures('private_cache')   # the tiny model's exports go to the test's own cache

@pytest.fixture(scope='module')
def pairs(data_dir):
    return parallel_datasets('mlqa-r', max_ids=96, data_dir=data_dir)

@pytest.fixture(scope='module')
def base_folder(tmp_path_factory):
    return str(load_model('tiny').save(tmp_path_factory.mktemp('tiny')))

class RecordingSampler(HybridMultiDatasetBatchSampler):
    "The sampler, keeping (epoch, pairs) of every batch it hands the trainer; `made` collects the instances."
    made = []
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []
        RecordingSampler.made.append(self)
    def __iter__(self):
        for rows in super().__iter__():
            self.batches.append((self.epoch, [self.pairs[i] for i in rows]))
            yield rows

def trainer_for(model, pairs, out, loss, sampler, steps: int, batch_size: int = 8) -> SentenceTransformerTrainer:
    args = SentenceTransformerTrainingArguments(str(out), per_device_train_batch_size=batch_size, max_steps=steps,
                                                learning_rate=1e-4, report_to='none', use_cpu=True, seed=3,
                                                save_strategy='no', disable_tqdm=True,
                                                prompts={'anchor': 'query: ', 'positive': 'passage: '},
                                                multi_dataset_batch_sampler=sampler)
    return SentenceTransformerTrainer(model=model, args=args, train_dataset=pairs, loss=loss(model))

def assert_pure(batch: list):
    "A monolingual batch is one language, a cross-lingual batch pairs different languages; no id twice."
    assert batch_kind(batch) in ('mono', 'cross'), batch
    assert len({p.qid for p in batch}) == len(batch), batch

@pytest.mark.parametrize('loss', [MultipleNegativesRankingLoss,
                                  partial(CachedMultipleNegativesRankingLoss, mini_batch_size=4)],
                         ids=['mnrl', 'cached-mnrl'])
def test_trains_on_pure_hybrid_batches_and_evaluates(loss, pairs, base_folder, tmp_path):
    RecordingSampler.made.clear()
    model = SentenceTransformer(base_folder, device='cpu')
    before = model.encode(['Wer ist das?'], prompt_name='query')
    sampler = partial(RecordingSampler, ratio=0.5, steps_per_epoch=3)   # 6 steps = 2 epochs
    trainer = trainer_for(model, pairs, tmp_path / 'out', loss, sampler, steps=6)
    columns = set()

    class ColumnsCollator(type(trainer.data_collator)):
        def __call__(self, features):
            columns.update(features[0])
            return super().__call__(features)

    trainer.data_collator.__class__ = ColumnsCollator
    trainer.train()
    assert columns - {'dataset_name'} == {'anchor', 'positive'}   # the sampler's id and language columns stay hidden
    (made,) = RecordingSampler.made
    assert trainer.state.global_step == 6 and len(made.batches) == 6
    for _, batch in made.batches:
        assert_pure(batch)
        assert len(batch) == 8
    assert [e for e, _ in made.batches] == [0, 0, 0, 1, 1, 1]    # the trainer's set_epoch reached the sampler
    assert math.isfinite(trainer.state.log_history[-1]['train_loss'])
    assert not (model.encode(['Wer ist das?'], prompt_name='query') == before).all()   # the weights moved
    if loss is not MultipleNegativesRankingLoss:
        return
    folder = tmp_path / 'model'
    model.save_pretrained(str(folder))
    metrics_file = tmp_path / 'metrics.json'
    r = run_cli('evaluate', '--model', str(folder), '--max-questions', '3', '--langs', 'en,de', '--bootstrap', '0',
                '--precision', 'fp32', '--out', str(metrics_file))
    assert r.returncode == 0, r.stderr[-2000:]
    xquad_r = json.loads(metrics_file.read_text())['xquad-r']
    assert 0 <= xquad_r['multi']['map']['value'] <= 1
    assert xquad_r['cross']['n_pairs'] == 2   # language pairs en-de, de-en

@pytest.mark.parametrize('ratio', [0.5, 0.2])
def test_share_of_monolingual_batches_is_the_ratio(ratio, pairs, base_folder, tmp_path):
    "Over 400 global batches the trainer's sampler draws, the monolingual share is within 3 binomial SDs of `ratio`."
    model = SentenceTransformer(base_folder, device='cpu')
    sampler = partial(HybridMultiDatasetBatchSampler, ratio=ratio, steps_per_epoch=400)
    trainer = trainer_for(model, pairs, tmp_path, MultipleNegativesRankingLoss, sampler, steps=400)
    loader = trainer.get_train_dataloader()
    drawn = [[loader.batch_sampler.pairs[i] for i in rows] for rows in loader.batch_sampler]
    for batch in drawn:
        assert_pure(batch)
    share = sum(batch_kind(b) == 'mono' for b in drawn) / len(drawn)
    assert len(drawn) == 400 and abs(share - ratio) <= 3 * math.sqrt(ratio * (1 - ratio) / 400), share
    assert loader.batch_sampler.drawn['mono'] / 400 == share

def test_import_without_sentence_transformers_is_one_line():
    code = '\n'.join(['import sys', "sys.modules['sentence_transformers'] = None   # as if not installed",
                      'import hybrid_nb.st'])
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == ('ImportError: hybrid_nb.st needs sentence-transformers, which is not '
                                                 'installed: pip install "hybrid_nb[st]"')
