"""Exact full-pool scoring with bounded memory (issue 16, goal 4): blocked ranks over a synthetic 100,000-candidate pool
equal a naive computation on a subset of queries, and the memory numpy allocates stays within the budget (measured with
tracemalloc, which sees numpy's buffers). Nothing here is timed."""
import tracemalloc
import numpy as np

from hybrid_nb.metrics import pool_ranks, block_rows, average_precision, topk_from_ranks

POOL, QUERIES, DIM, BUDGET_MB = 100_000, 1_500, 32, 48


def synthetic(seed=0):
    """Small-integer vectors: every inner product is exact in float32 (no rounding can differ between the blocked and
    the naive computation), and ties are frequent, so the pessimistic tie rule is exercised across block borders."""
    rng = np.random.default_rng(seed)
    pool = rng.integers(-3, 4, size=(POOL, DIM)).astype(np.float32)
    rel = np.full((QUERIES, 3), -1)
    for i in range(QUERIES):
        k = rng.integers(1, 4); rel[i, :k] = rng.choice(POOL, k, replace=False)    # 1 to 3 relevant items, -1 padding
    # queries: a relevant item's vector plus integer noise of growing size, so ranks spread from 1 to the pool size
    noise = rng.integers(-1, 2, size=(QUERIES, DIM)) * (np.arange(QUERIES) % 4)[:, None]
    return pool[rel[:, 0]] + noise.astype(np.float32), pool, rel


def test_blocked_ranks_equal_naive_on_a_subset():
    queries, pool, rel = synthetic()
    ranks = pool_ranks(queries, pool, rel, memory_mb=BUDGET_MB)
    for i in np.random.default_rng(1).choice(QUERIES, 40, replace=False):
        s = pool @ queries[i]
        naive = [(s >= s[r]).sum() if r >= 0 else 0 for r in rel[i]]
        assert ranks[i].tolist() == naive
    assert ranks[:, 0].min() == 1 and ranks.max() > POOL // 2          # the case covers the whole range
    ap = average_precision(ranks); assert ((0 < ap) & (ap <= 1)).all()
    assert set(topk_from_ranks(ranks)) == {'recall@1', 'recall@10', 'ndcg@10', 'f1@10', 'map@20'}


def test_memory_stays_within_the_budget():
    queries, pool, rel = synthetic()
    full_mb = QUERIES * POOL * 4 / 2 ** 20                              # the whole score matrix: 572 MiB
    assert full_mb > 10 * BUDGET_MB
    assert block_rows(POOL, BUDGET_MB) * POOL * 5 <= BUDGET_MB * 2 ** 20
    tracemalloc.start()
    pool_ranks(queries, pool, rel, memory_mb=BUDGET_MB)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    assert peak_mb <= BUDGET_MB + 1, f"peak {peak_mb:.1f} MiB for a budget of {BUDGET_MB} MiB"


def test_block_rows_shrink_with_the_pool_and_never_reach_zero():
    assert block_rows(1_000, 256) > block_rows(100_000, 256) > block_rows(10_000_000, 256) >= 1
    assert block_rows(10 ** 12, 1) == 1
