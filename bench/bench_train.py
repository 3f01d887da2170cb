"""Training throughput (pairs/second) of hybrid_nb's loop on the embedded e5-small, and, in the same run,
sentence-transformers' own trainer (MultipleNegativesRankingLoss) on the same model, batch size, lengths, frozen
word embeddings and precision: the reference a user would pick instead.

    python bench/bench_train.py [--steps 10] [--batch-size 16]
"""
import argparse, json, tempfile, time
import numpy as np
import common
from hybrid_nb.train import TrainConfig, train, run_corpora
from hybrid_nb.hardware import set_threads
from hybrid_nb.model import convert_e5_small

def ours(a, precision, d):
    cfg = TrainConfig(model='e5-small', steps=a.steps, batch_size=a.batch_size, max_query_length=a.max_length,
                      max_passage_length=a.max_length, eval_every=10_000, checkpoint_every=10_000, precision=precision,
                      out_dir=f'{d}/ours-{precision}', val_batches=1)
    train(cfg, show_progress=False)
    secs = [json.loads(l)['secs'] for l in open(f'{d}/ours-{precision}/train_log.jsonl')][a.warmup:]
    return dict(secs_per_step=round(float(np.mean(secs)), 3), pairs_per_s=round(a.batch_size / float(np.mean(secs)), 2))

def reference(a, precision, d):
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, losses
    from transformers import TrainerCallback
    tr, _ = run_corpora(TrainConfig())
    rows = [dict(anchor='query: ' + tr.queries[i][l], positive='passage: ' + tr.passages[i][l]) for i in tr.ids for l in tr.langs_of(i)][:a.batch_size * (a.steps + 2)]
    model = SentenceTransformer(str(convert_e5_small()), device='cpu'); model.max_seq_length = a.max_length
    model[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)   # same frozen part as ours
    times = []
    class Clock(TrainerCallback):
        def on_step_begin(self, *args, **kw): times.append([time.perf_counter()])
        def on_step_end(self, *args, **kw): times[-1].append(time.perf_counter())
    args = SentenceTransformerTrainingArguments(output_dir=f'{d}/st-{precision}', per_device_train_batch_size=a.batch_size, max_steps=a.steps,
                                                learning_rate=3e-5, weight_decay=0.01, warmup_ratio=0.1, logging_steps=10_000, save_strategy='no',
                                                report_to=[], bf16=precision == 'bf16', use_cpu=True, seed=0, dataloader_drop_last=True)
    SentenceTransformerTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows), loss=losses.MultipleNegativesRankingLoss(model),
                               callbacks=[Clock()]).train()
    secs = [e - b for b, e in times[a.warmup:]]
    return dict(secs_per_step=round(float(np.mean(secs)), 3), pairs_per_s=round(a.batch_size / float(np.mean(secs)), 2))

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--steps', type=int, default=10); ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--max-length', type=int, default=128); ap.add_argument('--warmup', type=int, default=2); a = ap.parse_args()
    set_threads()
    res = {}
    with tempfile.TemporaryDirectory() as d:
        for precision in ('fp32', 'bf16'):
            res[precision] = dict(hybrid_nb=ours(a, precision, d), sentence_transformers=reference(a, precision, d))
            res[precision]['ratio_hybrid_nb_over_st'] = round(res[precision]['hybrid_nb']['pairs_per_s'] / res[precision]['sentence_transformers']['pairs_per_s'], 2)
    common.save('train', dict(steps=a.steps, timed_steps=a.steps - a.warmup, batch_size=a.batch_size, max_length=a.max_length,
                              frozen_word_embeddings=True, results=res, peak_rss_mb=round(common.peak_rss_mb())))

if __name__ == '__main__': main()
