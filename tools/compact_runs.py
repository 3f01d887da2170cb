"""Keep only the per-query arrays the report reads in committed runs (`metrics.per_query.npz`), so that the repository
stays small: XQuAD-R's arrays, Tatoeba's per-sentence accuracies and XQuAD's per-question accuracy@1 and pooled
arrays. The dropped ones (ranks, MRR@10, recall@k, F1@k per language pair) are derived from the same rankings and are
recomputed by re-running a point. Usage: python tools/compact_runs.py runs/*/"""
import sys
from pathlib import Path
import numpy as np

def keep(key: str) -> bool:
    task, _, name = key.split('/') if key.count('/') == 2 else ('xquad-r', None, key.split('/')[-1])
    if task == 'tatoeba': return name in ('acc@1', 'xx2en_acc@1', 'en2xx_acc@1')
    if task == 'xquad': return name == 'acc@1' or name.startswith('multi_')
    return True

for d in sys.argv[1:]:
    f = Path(d) / 'metrics.per_query.npz'
    if not f.is_file(): continue
    with np.load(f) as z: arrays = {k: z[k] for k in z.files if keep(k)}
    before = f.stat().st_size
    tmp = f.with_name('compact.tmp.npz'); np.savez_compressed(tmp, **arrays); tmp.replace(f)
    print(f"{f}: {before / 1e6:.1f} -> {f.stat().st_size / 1e6:.1f} MB")
