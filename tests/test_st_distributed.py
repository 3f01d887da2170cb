"""`SentenceTransformerTrainer` in two CPU processes (gloo, `accelerate launch`) with `HybridMultiDatasetBatchSampler`:
each process receives, step by step and across two epochs, exactly the slice of each global batch that the package's
own `HybridBatchSampler(rank=r, world_size=2)` gives it, so the two slices of a step together form one pure hybrid
batch with no id twice. Epochs advance although Accelerate does not pass `set_epoch` on to the sampler under DDP."""
import json, subprocess, sys
import pytest
from hybrid_nb.model import load_model
from hybrid_nb.samplers import HybridBatchSampler, Pair, batch_kind
from hybrid_nb.st import languages_by_id, parallel_datasets, row_pairs

pytestmark = pytest.mark.usefixtures('private_cache')   # the tiny model's exports go to the test's own cache

WORKER = '''"One process: train the tiny model 4 steps (2 epochs of 2); write the (id, languages) of every pair it got."
import json, os, sys
from functools import partial
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
from hybrid_nb.st import HybridMultiDatasetBatchSampler, parallel_datasets

base, out = sys.argv[1], sys.argv[2]
pairs = parallel_datasets('mlqa-r', max_ids=96)
pair_of = {(r['anchor'], r['positive']): [r['id'], r['query_language'], r['passage_language']]
           for data in pairs.values() for r in data.with_format(None)}
model = SentenceTransformer(base, device='cpu')
sampler = partial(HybridMultiDatasetBatchSampler, ratio=0.5, steps_per_epoch=2)
args = SentenceTransformerTrainingArguments(out, per_device_train_batch_size=4, max_steps=4, report_to='none',
                                            use_cpu=True, save_strategy='no', disable_tqdm=True, seed=5,
                                            prompts={'anchor': 'query: ', 'positive': 'passage: '},
                                            multi_dataset_batch_sampler=sampler)
trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=pairs,
                                     loss=MultipleNegativesRankingLoss(model, gather_across_devices=True))
received = []

class RecordingCollator(type(trainer.data_collator)):
    def __call__(self, features):
        received.append([pair_of[(f['anchor'], f['positive'])] for f in features])
        return super().__call__(features)

trainer.data_collator.__class__ = RecordingCollator
trainer.train()
with open(os.path.join(out, f"rank{os.environ['RANK']}.json"), 'w') as f:
    json.dump(dict(received=received, world=trainer.accelerator.num_processes), f)
'''

def test_each_process_gets_its_slice_of_one_hybrid_batch(tmp_path, data_dir):
    (tmp_path / 'worker.py').write_text(WORKER)
    base = load_model('tiny').save(tmp_path / 'base')
    cmd = [sys.executable, '-m', 'accelerate.commands.launch', '--multi_gpu', '--num_processes', '2',
           '--num_machines', '1', '--mixed_precision', 'no', '--dynamo_backend', 'no',
           '--num_cpu_threads_per_process', '1',
           str(tmp_path / 'worker.py'), str(base), str(tmp_path)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    got = [json.loads((tmp_path / f'rank{k}.json').read_text()) for k in (0, 1)]
    assert [g['world'] for g in got] == [2, 2]
    received = [[[Pair(*p) for p in batch] for batch in g['received']] for g in got]
    langs_of = languages_by_id(row_pairs(list(parallel_datasets('mlqa-r', max_ids=96, data_dir=data_dir).values())))
    for rank in (0, 1):
        own = HybridBatchSampler(langs_of, 8, 0.5, seed=5, steps_per_epoch=2, rank=rank, world_size=2)
        assert received[rank] == [own.local_slice(b) for epoch in (0, 1) for b in own.global_batches(epoch)]
    for step in range(4):
        batch = received[0][step] + received[1][step]
        assert batch_kind(batch) in ('mono', 'cross') and len({p.qid for p in batch}) == 8
