"""Encoding speed of the embedded e5-small: dynamic padding on length-sorted batches vs padding every batch to
max_length, fp32 and bf16, on a mixed-language sample of XQuAD-R candidate sentences.

    python bench/bench_encode.py [--n 1000] [--batch-size 64]
"""
import argparse, time
import numpy as np
import common
from hybrid_nb.data import load_lareqa
from hybrid_nb.hardware import set_threads
from hybrid_nb.model import load_model, autocast
from hybrid_nb.encoders import make_encoder
import torch

def encode_fixed(enc, texts, bs, max_length, precision):
    "The naive baseline: input order, every batch padded to max_length."
    out = []
    with torch.inference_mode(), autocast(enc.device, precision):
        for s in range(0, len(texts), bs):
            b = enc.tokenizer(['passage: ' + t for t in texts[s:s + bs]], padding='max_length', truncation=True, max_length=max_length, return_tensors='pt')
            out.append(enc(b['input_ids'], b['attention_mask']).float().numpy())
    return np.concatenate(out)

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=1000); ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--max-length', type=int, default=128); a = ap.parse_args()
    set_threads()
    data = load_lareqa('xquad-r')
    rng = np.random.default_rng(0)
    pool = [c.sentence for l in data.langs for c in data.candidates[l]]
    texts = [pool[i] for i in rng.choice(len(pool), a.n, replace=False)]
    enc = load_model('e5-small', device='cpu')
    ntok = [len(x) for x in enc.tokenizer(['passage: ' + t for t in texts], truncation=True, max_length=a.max_length)['input_ids']]
    make_encoder(enc, precision='fp32', cache=False).encode(texts[:64], 'passage')   # warm-up
    res = {}
    for precision in ('fp32', 'bf16'):
        t = time.perf_counter(); e_dyn = make_encoder(enc, precision=precision, token_budget=a.batch_size * a.max_length, cache=False).encode(texts, 'passage', a.max_length); dyn = time.perf_counter() - t
        t = time.perf_counter(); e_fix = encode_fixed(enc, texts, a.batch_size, a.max_length, precision); fix = time.perf_counter() - t
        res[precision] = dict(dynamic_texts_per_s=round(a.n / dyn, 1), max_length_texts_per_s=round(a.n / fix, 1), speedup=round(fix / dyn, 2),
                              max_abs_diff=float(np.abs(e_dyn - e_fix).max()))
    common.save('encode', dict(n_texts=a.n, batch_size=a.batch_size, max_length=a.max_length,
                               mean_tokens=round(float(np.mean(ntok)), 1), results=res, peak_rss_mb=round(common.peak_rss_mb())))

if __name__ == '__main__': main()
