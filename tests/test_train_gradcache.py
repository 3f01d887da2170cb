"""GradCache (`cache_chunk_size`) gives the gradients of the plain in-batch loss, and batch 100 trains with it."""
import json
import torch
from hybrid_nb.model import tiny_encoder, set_dropout
from hybrid_nb.losses import InfoNCELoss, LanguageAdversary
from hybrid_nb.samplers import HybridBatchSampler
from hybrid_nb.train import TrainConfig, train, run_corpora, PairDataset, PairCollator, Objective, make_loader

def grads(corpus, chunk, adversarial):
    enc = tiny_encoder(seed=7).train(); set_dropout(enc.model, 0.0)   # same masks in both runs: no dropout
    adv = LanguageAdversary(enc.dim, corpus.langs, dropout=0.0) if adversarial else None
    ds = PairDataset(corpus, enc.tokenizer, ('query: ', 'passage: '), (32, 64))
    batch = next(iter(make_loader(ds, HybridBatchSampler(corpus, 100, 0.5, seed=1), PairCollator(ds, corpus.langs))))
    parts = Objective(enc, InfoNCELoss(0.05), adv, chunk).backward(batch, lambd=0.3)
    mods = [enc] + ([adv] if adv else [])
    return parts, {f'{i}.{k}': p.grad for i, m in enumerate(mods) for k, p in m.named_parameters() if p.grad is not None}

def test_gradcache_gradients_equal_the_plain_loss(data_dir):
    tr, _ = run_corpora(TrainConfig())
    for adversarial in (False, True):
        (pa, ga), (pb, gb) = grads(tr, None, adversarial), grads(tr, 16, adversarial)
        assert abs(float(pa['infonce'] - pb['infonce'])) < 1e-5
        assert set(ga) == set(gb) and len(ga) > 10
        worst = max((ga[k] - gb[k]).abs().max().item() for k in ga)
        assert worst < 1e-5, worst

def test_batch_100_trains_with_gradcache(tmp_path, data_dir):
    cfg = TrainConfig(model='tiny', steps=2, batch_size=100, cache_chunk_size=20, eval_every=2, max_query_length=32,
                      max_passage_length=64, device='cpu', precision='fp32', log_with='none', out_dir=str(tmp_path))
    s = train(cfg, show_progress=False)
    assert (s['steps'], s['global_batch'], s['cache_chunk_size']) == (2, 100, 20)
    log = [json.loads(l) for l in (tmp_path / 'train_log.jsonl').read_text().splitlines()]
    assert all(torch.isfinite(torch.tensor(r['loss'])) for r in log) and log[0]['loss'] > 3   # ~log(100) for a random model
