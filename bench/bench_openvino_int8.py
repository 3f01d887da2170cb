"""Would int8 make OpenVINO faster here? NNCF's post-training int8 quantization of the e5-small graph (calibrated on
MLQA-R, the training source, never on an evaluation set) against the bf16 graph that `auto` runs, on the same 3,000
XQuAD-R texts as bench_encode.py, interleaved, plus OpenVINO's per-operation profile (`PERF_COUNT`) of each: how much
of the time the matrix products (`FullyConnected`) take, and how much faster int8 makes them.

It needs NNCF, which the package does not depend on:

    pip install nncf
    python bench/bench_openvino_int8.py [--n 3000] [--reps 3] [--calibration 300]

Measured on the 2-core AMX CPU (bench/results/openvino-int8-amx.json): see the README's Benchmarks section.
"""
import argparse, collections, os, statistics, time
import numpy as np
import common
from bench_encode import sample_texts
from hybrid_nb.hardware import set_threads, native_bf16
from hybrid_nb.model import load_model
from hybrid_nb.data import load_lareqa
from hybrid_nb.encoders import token_budget_batches, pad_ids
from hybrid_nb.backends import openvino_model, openvino_config, OpenVINOBackend

def padded_batches(ids, budget):
    return [pad_ids([ids[i] for i in idx], 1) for idx in token_budget_batches([len(x) for x in ids], budget)]

def calibration_batches(tok, n: int, seed: int = 0):
    "Padded batches of MLQA-R questions and sentences (the training source): the activations NNCF calibrates on."
    d = load_lareqa('mlqa-r')
    rng = np.random.default_rng(seed)
    qs = [x.text for l in d.langs for x in d.questions[l]]; ps = [c.sentence for l in d.langs for c in d.candidates[l]]
    texts = (['query: ' + qs[i] for i in rng.choice(len(qs), n // 2, replace=False)] +
             ['passage: ' + ps[i] for i in rng.choice(len(ps), n - n // 2, replace=False)])
    ids = tok(texts, truncation=True, max_length=128)['input_ids']
    return [dict(input_ids=a, attention_mask=b) for a, b in padded_batches(ids, 512)]

def compile(ov, model, threads, perf=False):
    "The backend's own bf16 configuration (two streams; one, with per-operation counters, for the profile)."
    return ov.Core().compile_model(model, 'CPU', openvino_config('bf16', 1 if perf else 2, threads, PERF_COUNT=perf))

def run(ov, compiled, batches) -> float:
    q = ov.AsyncInferQueue(compiled, 2)
    t = time.perf_counter()
    for a, b in batches: q.start_async({'input_ids': a, 'attention_mask': b})
    q.wait_all()
    return time.perf_counter() - t

def op_profile(ov, model, threads, batches) -> dict:
    "Seconds per OpenVINO operation type (and kernel), one stream, over `batches`."
    r = compile(ov, model, threads, perf=True).create_infer_request()
    agg = collections.Counter()
    for a, b in batches:
        r.infer({'input_ids': a, 'attention_mask': b})
        for p in r.profiling_info: agg[f"{p.node_type} ({p.exec_type})"] += p.real_time.total_seconds()
    return {k: round(v, 3) for k, v in agg.most_common(8)}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=3000); ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--calibration', type=int, default=300, help='MLQA-R texts to calibrate on')
    a = ap.parse_args()
    import openvino as ov, nncf
    threads = set_threads(None)
    print(common.cpu_line(threads), flush=True)
    if not native_bf16(): raise SystemExit('this comparison is for CPUs with native bf16/int8 (AMX); this one has neither')
    m = load_model('e5-small', device='cpu').eval(); tok = m.tokenizer
    fp32 = ov.Core().read_model(openvino_model(m))
    t = time.perf_counter()
    int8 = nncf.quantize(ov.Core().read_model(openvino_model(m)), nncf.Dataset(calibration_batches(tok, a.calibration)),
                         model_type=nncf.ModelType.TRANSFORMER, preset=nncf.QuantizationPreset.MIXED)
    quantize_s = time.perf_counter() - t
    q, p = sample_texts(a.n)
    ids = tok(['query: ' + x for x in q], truncation=True, max_length=64)['input_ids'] + \
          tok(['passage: ' + x for x in p], truncation=True, max_length=128)['input_ids']
    ntok = sum(map(len, ids))
    batches = padded_batches(ids, OpenVINOBackend.token_budget)
    models = {'bf16': compile(ov, fp32, threads), 'int8 (NNCF) + bf16': compile(ov, int8, threads)}
    for c in models.values(): run(ov, c, batches[:4])
    secs = {k: [] for k in models}
    for r in range(a.reps):
        for k, c in models.items():
            secs[k].append(run(ov, c, batches)); print(f"round {r + 1}: {k}: {secs[k][-1]:.2f} s, {ntok / secs[k][-1]:.0f} tokens/s", flush=True)
    prof = {'bf16': op_profile(ov, fp32, threads, batches[::3]), 'int8 (NNCF) + bf16': op_profile(ov, int8, threads, batches[::3])}
    for k, v in prof.items(): print(k, v)
    res = {k: dict(median_s=round(statistics.median(v), 2), tokens_per_s=round(ntok / statistics.median(v)), all_s=[round(x, 2) for x in v])
           for k, v in secs.items()}
    res['ratio_int8_over_bf16'] = round(res['bf16']['median_s'] / res['int8 (NNCF) + bf16']['median_s'], 3)
    print(res)
    common.save(f'openvino-int8-{common.cpu_tag()}', dict(n_texts=a.n, tokens=ntok, threads=threads, quantize_s=round(quantize_s, 1),
                                                    calibration_texts=a.calibration, results=res, op_profile_s=prof), quiet=True)

if __name__ == '__main__': main()
