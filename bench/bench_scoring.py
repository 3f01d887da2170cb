"""Exact full-pool scoring in bounded memory (issue 16, goal 4): the evaluation's blocked numpy scoring
(`hybrid_nb.metrics.pool_ranks`, exact ranks of the relevant items over the whole pool) against the same blocks in
PyTorch and against a faiss flat inner-product index (which returns only a top k, not full-pool ranks), on random unit
vectors of e5-small's width (384), 2,000 queries, pools of 13,014 (XQuAD-R's multilingual pool) and 100,000
candidates. Variants run interleaved, `--reps` times each; the median is reported, with the peak memory numpy
allocates for the blocked ranks (tracemalloc).

    python bench/bench_scoring.py [--reps 3] [--memory-mb 256]
"""
import argparse, statistics, time, tracemalloc
import numpy as np
import common
import torch
from hybrid_nb.hardware import set_threads
from hybrid_nb.metrics import pool_ranks, block_rows, topk_from_ranks

def unit(x): return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

def torch_ranks(Q, P, rel, memory_mb):
    "The same blocks and the same tie rule as pool_ranks, in PyTorch."
    Pt, out = torch.from_numpy(P), np.zeros(rel.shape, np.int64)
    n = block_rows(len(P), memory_mb)
    for s in range(0, len(Q), n):
        S = torch.from_numpy(Q[s:s + n]) @ Pt.T
        r = torch.from_numpy(rel[s:s + n])
        rs = torch.gather(S, 1, r.clamp(min=0))
        for j in range(r.shape[1]): out[s:s + n, j] = (S >= rs[:, j:j + 1]).sum(1).numpy()
    return np.where(rel >= 0, out, 0)

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--reps', type=int, default=3); ap.add_argument('--memory-mb', type=float, default=256)
    a = ap.parse_args()
    threads = set_threads()
    try: import faiss                     # a dev requirement only: the package itself does not use it
    except ImportError: faiss = None
    rng = np.random.default_rng(0)
    rows = []
    for pool_size in (13_014, 100_000):
        P = unit(rng.normal(size=(pool_size, 384))); Q = unit(rng.normal(size=(2000, 384)))
        rel = rng.integers(0, pool_size, size=(2000, 1))
        variants = {'numpy blocked, exact full-pool ranks + top-k metrics': lambda: topk_from_ranks(pool_ranks(Q, P, rel, a.memory_mb)),
                    'torch blocked, exact full-pool ranks': lambda: torch_ranks(Q, P, rel, a.memory_mb)}
        add_s = None
        if faiss is not None:
            index = faiss.IndexFlatIP(384); t = time.perf_counter(); index.add(P); add_s = round(time.perf_counter() - t, 3)
            variants['faiss IndexFlatIP, top 20 only (no full-pool ranks)'] = lambda: index.search(Q, 20)
        times = {k: [] for k in variants}
        for _ in range(a.reps):
            for k, f in variants.items():
                t = time.perf_counter(); f(); times[k].append(time.perf_counter() - t)
        assert np.array_equal(pool_ranks(Q, P, rel, a.memory_mb), torch_ranks(Q, P, rel, a.memory_mb))
        tracemalloc.start(); pool_ranks(Q, P, rel, a.memory_mb); peak = tracemalloc.get_traced_memory()[1] / 2 ** 20; tracemalloc.stop()
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append(dict(pool=pool_size, queries=len(Q), dim=384, memory_budget_mb=a.memory_mb,
                         block_rows=block_rows(pool_size, a.memory_mb), numpy_peak_traced_mb=round(peak, 1),
                         full_score_matrix_mb=round(len(Q) * pool_size * 4 / 2 ** 20, 1), faiss_add_s=add_s,
                         median_s={k: round(v, 3) for k, v in med.items()}, all_s={k: [round(x, 3) for x in v] for k, v in times.items()},
                         ratio_to_numpy={k: round(v / med[next(iter(med))], 2) for k, v in med.items()}))
        print(rows[-1], flush=True)
    common.save(f'scoring-{common.cpu_tag()}', dict(threads=threads, reps=a.reps, results=rows,
                note='ratios within one run; the machine is shared, so absolute times vary between runs'))

if __name__ == '__main__': main()
