"""Would int8 make OpenVINO faster here? NNCF's post-training int8 quantization of the e5-small graph (calibrated on
MLQA-R, the training source, never on an evaluation set) against the bf16 graph that `auto` runs, on the same 3,000
XQuAD-R texts as bench_encode.py, interleaved, plus OpenVINO's per-operation profile (`PERF_COUNT`) of each: how much
of the time the matrix products (`FullyConnected`) take, and how much faster int8 makes them.

With `--map` it also evaluates the int8 graph on the full zero-shot XQuAD-R against PyTorch fp32 (the reference of
bench_eval.py, run in the same process) and says whether mono / cross / multi mAP stay within bench_eval's bound;
`--ignore REGEX` (repeatable) keeps the matrix products whose OpenVINO names match in bf16, e.g. every FFN output
layer: `--ignore '.*layer\.\d+\.output\.dense.*'`.

`--grid` quantizes several candidates instead of one: SmoothQuant strengths (`--alphas`, NNCF's alpha for matrix
products; its default is 0.95), each with all layers in int8 and with the FFN output layers kept in bf16. Choosing
among them by their XQuAD-R mAP would tune on the evaluation set, so the choice is made on the training source only:
the candidate whose vectors are closest to the fp32 graph's (mean 1 - cosine) on MLQA-R texts held out from the
calibration sample is `selected`; with `--map` every candidate's XQuAD-R mAP is reported afterwards, and the verdict
is the selected one's.

It needs NNCF, which the package does not depend on:

    pip install nncf
    python bench/bench_openvino_int8.py [--n 3000] [--reps 3] [--calibration 300] [--map] [--ignore REGEX]
    python bench/bench_openvino_int8.py --grid --alphas 0.95 0.9 0.8 --map

Measured on the 2-core AMX CPU (bench/results/openvino-int8-amx.json) and a Zen 4 EPYC
(openvino-int8-avx512-zen4.json): see bench/README.md.
"""
import argparse, collections, os, statistics, time
import numpy as np
import torch
import common
from bench_encode import sample_texts
from bench_eval import BOUND, compare_to_reference
from hybrid_nb.hardware import set_threads, native_bf16
from hybrid_nb.model import load_model
from hybrid_nb.data import load_lareqa
from hybrid_nb.encoders import Encoder, token_budget_batches, pad_ids, load_encoder
from hybrid_nb.backends import openvino_model, openvino_config, OpenVINOBackend
from hybrid_nb.evaluate import EvalConfig, evaluate

def padded_batches(ids, budget):
    return [pad_ids([ids[i] for i in idx], 1) for idx in token_budget_batches([len(x) for x in ids], budget)]

def mlqa_r_sample(n: int, seed: int = 0, exclude=frozenset()) -> list:
    "`n` prefixed MLQA-R texts (the training source), half questions, half sentences, none of them in `exclude`."
    d = load_lareqa('mlqa-r')
    rng = np.random.default_rng(seed)
    qs = [q for q in ('query: ' + x.text for l in d.langs for x in d.questions[l]) if q not in exclude]
    ps = [p for p in ('passage: ' + c.sentence for l in d.langs for c in d.candidates[l]) if p not in exclude]
    return [qs[i] for i in rng.choice(len(qs), n // 2, replace=False)] + [ps[i] for i in rng.choice(len(ps), n - n // 2, replace=False)]

def text_batches(tok, texts: list) -> list:
    ids = tok(texts, truncation=True, max_length=128)['input_ids']
    return [dict(input_ids=a, attention_mask=b) for a, b in padded_batches(ids, 512)]

def calibration_batches(tok, n: int, seed: int = 0):
    "Padded batches of MLQA-R questions and sentences (the training source): the activations NNCF calibrates on."
    return text_batches(tok, mlqa_r_sample(n, seed))

def quantize(nncf, ov, path, calibration, ignore=(), alpha=None):
    "NNCF's static int8 of the graph at `path`: `ignore` (name patterns) stays bf16, `alpha` is SmoothQuant's for matrix products."
    from nncf.quantization.advanced_parameters import AdvancedQuantizationParameters, AdvancedSmoothQuantParameters
    adv = None if alpha is None else AdvancedQuantizationParameters(smooth_quant_alphas=AdvancedSmoothQuantParameters(matmul=alpha))
    return nncf.quantize(ov.Core().read_model(path), nncf.Dataset(calibration), subset_size=len(calibration),
                         model_type=nncf.ModelType.TRANSFORMER, preset=nncf.QuantizationPreset.MIXED,
                         ignored_scope=nncf.IgnoredScope(patterns=list(ignore)) if ignore else None, advanced_parameters=adv)

FFN_OUTPUT = r'.*layer\.\d+\.output\.dense.*'

def distortion(ov, graph, reference: np.ndarray, batches, threads) -> float:
    "Mean 1 - cosine of `graph`'s vectors (bf16 compile) to `reference` over `batches`: the selection criterion."
    r = compile(ov, graph, threads, perf=False).create_infer_request()
    e = np.concatenate([r.infer(b)[0].copy() for b in batches])
    return float(1 - (e * reference).sum(1).mean())

def select(nncf, ov, path, tok, calibration_texts, alphas, threads) -> tuple:
    """Int8 candidates (each alpha; all layers int8, or the FFN outputs kept bf16) and their distortion on 1,500
    held-out MLQA-R texts against the fp32 graph; the least distorted is `selected`. XQuAD-R is never read here."""
    held_out = text_batches(tok, mlqa_r_sample(1500, seed=1, exclude=frozenset(calibration_texts)))
    ref = ov.Core().compile_model(path, 'CPU', openvino_config('fp32', 1, threads)).create_infer_request()
    reference = np.concatenate([ref.infer(b)[0].copy() for b in held_out])
    calibration = text_batches(tok, calibration_texts)
    graphs, table = {}, {}
    for alpha in alphas:
        for ignore in ((), (FFN_OUTPUT,)):
            name = f"int8 alpha {alpha}" + (' + bf16 FFN outputs' if ignore else '')
            graphs[name] = quantize(nncf, ov, path, calibration, ignore, alpha)
            table[name] = dict(alpha=alpha, ignored=list(ignore), mlqa_r_distortion=round(distortion(ov, graphs[name], reference, held_out, threads), 6))
            print(name, table[name], flush=True)
    best = min(table, key=lambda k: table[k]['mlqa_r_distortion'])
    table[best]['selected'] = True
    return graphs, table, best

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

class CompiledBackend(OpenVINOBackend):
    "The OpenVINO backend around a model compiled here (the int8 graph), so that an `Encoder` can evaluate it."
    def __init__(self, ov, compiled, precision: str, dim: int):
        self.precision, self.device, self.dim, self.revision = precision, torch.device('cpu'), dim, f'bench-{precision}'
        self.streams, self.compiled = 2, compiled
        self.request, self.queue = compiled.create_infer_request(), ov.AsyncInferQueue(compiled, 2)

def xquad_r_map(enc) -> dict:
    "Mono / cross / multi mAP of `enc` on the full zero-shot XQuAD-R, and its encoding time."
    m, _ = evaluate(enc, EvalConfig('xquad-r', bootstrap=0, embedding_cache=False), show_progress=False)
    return dict({k: m['xquad-r'][k]['map']['value'] for k in ('mono', 'cross', 'multi')}, encode_s=m['timing']['encode_s'])

def accuracy(ov, m, graphs: dict, threads: int) -> dict:
    "mAP of each OpenVINO graph on the full XQuAD-R beside PyTorch fp32, the differences, and whether they keep `BOUND`."
    out = {'torch-fp32 (reference)': xquad_r_map(load_encoder('e5-small', backend='torch', precision='fp32', device='cpu', cache=False))}
    ref = out['torch-fp32 (reference)']
    for name, graph in graphs.items():
        enc = Encoder(m.tokenizer, CompiledBackend(ov, compile(ov, graph, threads), name, m.dim), m.config,
                      OpenVINOBackend.token_budget, cache=False)
        out[name] = r = compare_to_reference(xquad_r_map(enc), ref); print(name, r, flush=True)
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=3000); ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--calibration', type=int, default=300, help='MLQA-R texts to calibrate on')
    ap.add_argument('--map', action='store_true', help=f'also the full XQuAD-R mAP of both graphs against PyTorch fp32 (bound {BOUND})')
    ap.add_argument('--ignore', action='append', default=[], help='regex of matrix products to keep in bf16 (repeatable)')
    ap.add_argument('--grid', action='store_true', help='quantize candidates (--alphas x FFN outputs int8/bf16), select on held-out MLQA-R')
    ap.add_argument('--alphas', type=float, nargs='+', default=[0.95, 0.9, 0.8], help="SmoothQuant alphas of --grid")
    a = ap.parse_args()
    import openvino as ov, nncf
    threads = set_threads(None)
    print(common.cpu_line(threads), flush=True)
    if not native_bf16(): raise SystemExit('this comparison is for CPUs with native bf16/int8 (AMX); this one has neither')
    m = load_model('e5-small', device='cpu').eval(); tok = m.tokenizer
    path = openvino_model(m); fp32 = ov.Core().read_model(path)
    t = time.perf_counter()
    candidates = None
    if a.grid:
        graphs, candidates, best = select(nncf, ov, path, tok, mlqa_r_sample(a.calibration), a.alphas, threads)
        int8 = graphs[best]; print('selected on MLQA-R:', best, flush=True)
    else: int8 = quantize(nncf, ov, path, calibration_batches(tok, a.calibration), a.ignore)
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
    scored = {'bf16': fp32, 'int8 (NNCF) + bf16': int8}
    if a.grid: scored = {'bf16': fp32, **{k + (' (selected)' if v.get('selected') else ''): graphs[k] for k, v in candidates.items()}}
    mAP = accuracy(ov, m, scored, threads) if a.map else None
    if mAP and a.grid:
        sel = next(k for k in mAP if k.endswith('(selected)'))
        print(f"selected on MLQA-R: {sel}: within the bound on XQuAD-R: {mAP[sel]['within_bound']}; "
              f"candidates within it: {[k for k, v in mAP.items() if v.get('within_bound') and k.startswith('int8')]}")
    name = f'openvino-int8-{common.cpu_tag()}' + ('-grid' if a.grid else '')
    common.save(name, dict(n_texts=a.n, tokens=ntok, threads=threads, quantize_s=round(quantize_s, 1),
                                                    ignored=a.ignore, candidates=candidates, map_xquad_r=mAP, bound=BOUND,
                                                    calibration_texts=a.calibration, results=res, op_profile_s=prof), quiet=True)

if __name__ == '__main__': main()
