"""LAReQA scoring of the full XQuAD-R pool (13,090 queries x 13,014 candidates, 384 dimensions, random unit vectors):
`hybrid_nb.tasks.score_all` as it is against its previous per-language step, which copied the whole block of scores
(`S[has]`) once per language before taking that language's columns. Both must give identical arrays.

    python bench/bench_lareqa_scoring.py
"""
import time, inspect
import numpy as np
import common
import hybrid_nb.tasks as T
from hybrid_nb.data import load_lareqa
from hybrid_nb.hardware import set_threads
set_threads(2)
d = load_lareqa('xquad-r')
rng = np.random.default_rng(0)
unit = lambda n: (lambda x: x / np.linalg.norm(x, axis=1, keepdims=True))(rng.standard_normal((n, 384)).astype(np.float32))
q = {l: unit(len(d.questions[l])) for l in d.langs}; c = {l: unit(len(d.candidates[l])) for l in d.langs}
new_fn = T._lareqa_block
src = inspect.getsource(T._lareqa_block)
for now, before in (("Sb = S[:, offs[b]:offs[b + 1]]", "Sb = S[has][:, offs[b]:offs[b + 1]]"), ("Sb if has.all() else Sb[has]", "Sb")):
    assert now in src, f"tasks._lareqa_block has changed: {now!r} is gone, so the previous step cannot be rebuilt from it"
    src = src.replace(now, before)
ns = dict(vars(T)); exec(src, ns); old_fn = ns['_lareqa_block']
times = {'old': [], 'new': []}
for r in range(3):
    for name, fn in (('old', old_fn), ('new', new_fn)):
        T._lareqa_block = fn
        t = time.perf_counter(); out = T.score_all(q, c, d); times[name].append(time.perf_counter() - t)
T._lareqa_block = old_fn; a = T.score_all(q, c, d); T._lareqa_block = new_fn; b = T.score_all(q, c, d)
assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a), 'the two steps disagree'
res = dict(seconds={k: [round(x, 2) for x in v] for k, v in times.items()}, ratio_old_over_new=round(float(np.median(times['old']) / np.median(times['new'])), 2),
           identical=True)
print(res)
common.save(f'lareqa-scoring-{common.cpu_tag()}', res, quiet=True)
