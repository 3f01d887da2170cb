"""Encoding speed of each variant (backend x precision) at several token budgets, and what tokenizing costs, on a
mixed sample of XQuAD-R queries and candidate sentences (prefixes and maximum lengths as in the evaluation).

The budgets of the backends (`token_budget` in nbs/02a_encoders.ipynb and nbs/02b_backends.ipynb) come from here.
Variants and budgets are interleaved, repeated `--reps` times, and the best run is kept; the CPU time of each run
is printed beside its wall time, because on a shared machine wall time alone says more about the neighbours than
about the variant.

    python bench/bench_encode.py [--n 2000] [--budgets 512,1024,2048,4096] [--variants torch-bf16,openvino-bf16] [--reps 2]

`openvino-PRECISION+snippets` is OpenVINO with its fused attention kernels ("snippets") switched on, as they were
before nbs/02b_backends.ipynb switched them off:

    python bench/bench_encode.py --variants openvino-bf16,openvino-bf16+snippets,openvino-fp32,openvino-fp32+snippets --budgets 1024 --n 3000 --reps 3

`openvino-PRECISION+onnx` is OpenVINO reading the ONNX export, as it did before it converted the PyTorch module:

    python bench/bench_encode.py --variants openvino-bf16,openvino-bf16+onnx,openvino-fp32,openvino-fp32+onnx --budgets 1024 --n 3000 --reps 3

bench/results/encode-amx.json holds both comparisons, from one run:

    python bench/bench_encode.py --variants openvino-bf16,openvino-bf16+onnx,openvino-bf16+snippets,openvino-fp32,openvino-fp32+onnx,openvino-fp32+snippets --budgets 1024 --n 3000 --reps 3

`openvino-PRECISION+1stream` is OpenVINO with one stream of all threads instead of its default (one stream per
thread, at most two). `--save-as` names the results file (`<name>-<cpu>.json`, default `encode`), so a budget or
streams check does not overwrite the variant comparison bench/README.md cites:

    python bench/bench_encode.py --variants openvino-bf16,openvino-bf16+1stream,openvino-fp32,torch-bf16 --budgets 512,1024,2048,4096 --n 3000 --reps 2 --save-as encode-budgets

On an AVX-512 CPU, the instruction-set caps of bench/common.py (`ISA_CAP_VARS`) give a *proxy* for an AVX2-only one
(the file name gains `-cap-avx2`; see `isa_caps` for what the caps do not reach). The fp32 engines, capped and not:

    ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 python bench/bench_encode.py --variants onnx-fp32,openvino-fp32,openvino-fp32+1stream,torch-fp32 --budgets 512,1024 --n 3000 --reps 3 --save-as encode-fp32
    python bench/bench_encode.py --variants onnx-fp32,openvino-fp32,openvino-fp32+1stream,torch-fp32 --budgets 512,1024 --n 3000 --reps 3 --save-as encode-fp32
"""
import argparse, time
import numpy as np
import common
from hybrid_nb.data import load_lareqa
from hybrid_nb.hardware import set_threads, native_bf16
from hybrid_nb.model import load_model
from hybrid_nb.encoders import make_encoder, Encoder, Variant, backend_available

# what `openvino-PRECISION+OPTION` changes against the default OpenVINOBackend
OPENVINO_OPTIONS = {'snippets': dict(snippets='ENABLE'), 'onnx': dict(source='onnx'), '1stream': dict(streams=1)}

def sample_texts(n: int, seed: int = 0):
    d = load_lareqa('xquad-r')
    rng = np.random.default_rng(seed)
    q = [x.text for l in d.langs for x in d.questions[l]]; p = [c.sentence for l in d.langs for c in d.candidates[l]]
    return [q[i] for i in rng.choice(len(q), n // 2, replace=False)], [p[i] for i in rng.choice(len(p), n - n // 2, replace=False)]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=2000); ap.add_argument('--budgets', default='512,1024,2048,4096')
    ap.add_argument('--variants', default='torch-fp32,torch-bf16,onnx-fp32,onnx-int8,openvino-fp32,openvino-bf16')
    ap.add_argument('--reps', type=int, default=2); ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--save-as', default='encode', help='results file name before the CPU tag')
    a = ap.parse_args()
    threads = set_threads(a.threads)
    print(common.cpu_line(threads), flush=True)
    queries, passages = sample_texts(a.n)
    model = load_model('e5-small', device='cpu')
    encoders = {}
    for name in a.variants.split(','):
        v = Variant.parse(name.split('+')[0])
        if not backend_available(v.backend) or (v.precision == 'bf16' and not native_bf16()): print(f"{name}: not available here"); continue
        if '+' in name:   # an OpenVINO variant that is not the default: fused attention on, read from the ONNX export, or one stream
            from hybrid_nb.backends import OpenVINOBackend
            option = name.split('+')[1]
            if v.backend != 'openvino' or option not in OPENVINO_OPTIONS:
                ap.error(f"{name}: '+OPTION' is for OpenVINO variants only, one of {', '.join(OPENVINO_OPTIONS)}")
            encoders[name] = Encoder(model.tokenizer, OpenVINOBackend(model, v.precision, **OPENVINO_OPTIONS[option]), model.config,
                                     OpenVINOBackend.token_budget, cache=False)
        else: encoders[name] = make_encoder(model, v.backend, v.precision, cache=False)
        encoders[name].encode(queries[:16], 'query', 64)   # warm-up
    tok = encoders[next(iter(encoders))]
    t = time.perf_counter(); ntok = sum(map(len, tok.tokenize(queries, 'query', 64))) + sum(map(len, tok.tokenize(passages, 'passage', 128)))
    tokenize_s = time.perf_counter() - t
    print(f"{a.n} texts, {ntok} tokens; tokenizing them takes {tokenize_s:.2f} s ({ntok / tokenize_s:.0f} tokens/s)", flush=True)
    runs = {}
    for rep in range(a.reps):
        for budget in map(int, a.budgets.split(',')):
            for name, enc in encoders.items():
                enc.token_budget = budget
                t, c = time.perf_counter(), time.process_time()
                enc.encode(queries, 'query', 64, cache=False); enc.encode(passages, 'passage', 128, cache=False)
                t, c = time.perf_counter() - t, time.process_time() - c
                runs.setdefault(name, {}).setdefault(budget, []).append((t, c))
                print(f"rep {rep} {name:14s} budget {budget:5d}: {t:6.2f} s wall, {c:6.2f} s cpu, {ntok / t:7.0f} tokens/s", flush=True)
    best = {name: {b: dict(wall_s=round(min(x[0] for x in r), 2), cpu_s=round(min(x[1] for x in r), 2),
                           tokens_per_s=round(ntok / min(x[0] for x in r))) for b, r in per.items()} for name, per in runs.items()}
    for name, per in best.items():
        print(f"{name}: fastest budget {min(per, key=lambda b: per[b]['wall_s'])} (wall), {min(per, key=lambda b: per[b]['cpu_s'])} (cpu)")
    common.save(f'{a.save_as}-{common.cpu_tag()}', dict(n_texts=a.n, tokens=ntok, threads=threads, tokenize_s=round(tokenize_s, 2), results=best,
                               peak_rss_mb=round(common.peak_rss_mb())), quiet=True)

if __name__ == '__main__': main()
