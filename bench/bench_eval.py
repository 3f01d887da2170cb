"""Every encoder variant (backend x precision) on the full zero-shot XQuAD-R evaluation, side by side in one run.

For the CPU it runs on, this prints and saves (bench/results/eval-<cpu kind>.json):
- the CPU model, its numeric flags and kind, the threads used;
- the matrix-multiply peak the same run measures: fp32 (2048^3, the better of PyTorch and ONNX Runtime, since
  PyTorch's MKL is slow on AMD CPUs) before every variant, and, where the CPU has them natively, bf16 (PyTorch) and
  int8 (ONNX Runtime's MatMulInteger);
- for every variant: wall time of the evaluation (tokenizing, encoding 26,104 texts, scoring), encoding time,
  texts/s, tokens/s, the share of the fp32 peak that is (matmul FLOPs of the tokens encoded per second / peak) and
  of the peak of its own precision, with the least encoding time that peak allows (`floor_encode_s`: a wall-time
  target below it cannot be met on this CPU by any engine of that precision),
  peak memory, and the mono / cross / multi mAP differences to PyTorch fp32, the reference;
- which variants keep all three within 0.002 of the reference, fastest first: the order `AUTO_VARIANTS` in
  nbs/02a_encoders.ipynb must have for this CPU kind, and what `auto` resolves to here;
- the wall time of encoding and scoring all 112 Tatoeba languages (both sides, `query: ` prefix) with `auto`.

Each variant runs in a fresh process (its own peak memory; exports are built before the clock starts). Timings on
a shared machine vary by up to 2x: the load average and the CPU time of each variant are recorded next to its wall
time, so a disturbed run shows itself; compare variants within one run, never across runs.

    python bench/bench_eval.py                      # everything (about 10 min on a quiet 2-core AMX machine)
    python bench/bench_eval.py --quick              # 3 languages, 100 questions, 4 Tatoeba languages: a smoke run
    python bench/bench_eval.py --variants torch-fp32,openvino-bf16 --no-tatoeba
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import common

VARIANTS = ('torch-fp32', 'openvino-bf16', 'torch-bf16', 'onnx-int8', 'openvino-fp32', 'onnx-fp32')
REFERENCE = 'torch-fp32'
BOUND = 0.002   # largest |mAP difference| to the reference, on each of mono, cross and multi
QUICK = dict(langs=['en', 'de', 'th'], max_questions=100, tatoeba_langs=4)

# ---------------------------------------------------------------- one variant, in its own process
def tatoeba_files(data_dir: Path) -> dict:
    "{language: (its sentences file, the English file)} for every Tatoeba pair in the LASER layout."
    folder = data_dir / 'tatoeba-laser'
    pairs = {}
    for f in sorted(folder.glob('tatoeba.*-eng.eng')):
        lang = f.name.split('.')[1].split('-')[0]
        other = folder / f"tatoeba.{lang}-eng.{lang}"
        if other.is_file(): pairs[lang] = (other, f)
    return pairs

def run_tatoeba(enc, n_langs=None) -> dict:
    "Encode both sides of every Tatoeba language (`query: ` prefix) and score top-1 retrieval both ways; times it."
    import torch
    data_dir = Path(os.environ.get('HYBRID_NB_DATA', 'data'))
    pairs = tatoeba_files(data_dir)
    if not pairs: raise SystemExit(f"no Tatoeba files under {data_dir / 'tatoeba-laser'} (set HYBRID_NB_DATA)")
    langs = sorted(pairs)[:n_langs] if n_langs else sorted(pairs)
    read = lambda p: p.read_text(encoding='utf-8').rstrip('\n').split('\n')
    texts = {l: (read(pairs[l][0]), read(pairs[l][1])) for l in langs}
    n = sum(len(a) + len(b) for a, b in texts.values())
    t0, c0, e0 = time.perf_counter(), time.process_time(), dict(enc.stats)
    acc = {}
    for l in langs:
        x, e = (torch.from_numpy(enc.encode(side, 'query', max_length=128, cache=False)) for side in texts[l])
        s = x @ e.T; gold = torch.arange(len(x))
        acc[l] = round(float(((s.argmax(1) == gold).float().mean() + (s.argmax(0) == gold).float().mean()) / 2), 4)
    wall = time.perf_counter() - t0
    return dict(languages=len(langs), sentences=n, tokens=enc.stats['tokens'] - e0['tokens'], wall_s=round(wall, 2),
                encode_s=round(enc.stats['seconds'] - e0['seconds'], 2), cpu_s=round(time.process_time() - c0, 2),
                mean_accuracy=round(float(np.mean(list(acc.values()))), 4), accuracy=acc)

def run_variant(variant: str, quick: bool, threads: int | None, tatoeba: bool) -> dict:
    from hybrid_nb.hardware import set_threads
    from hybrid_nb.data import load_lareqa
    from hybrid_nb.encoders import load_encoder, Variant
    from hybrid_nb.evaluate import EvalConfig, evaluate
    set_threads(threads)
    v = Variant.parse(variant) if variant != 'auto' else Variant('auto', 'auto')
    t = time.perf_counter()
    enc = load_encoder('e5-small', backend=v.backend, precision=v.precision, device='cpu', cache=False)
    load_s = time.perf_counter() - t
    enc.encode(['warm up ' * k for k in range(1, 9)], 'query', cache=False)   # first-call costs (kernel selection) off the clock
    cfg = EvalConfig('xquad-r', bootstrap=0, embedding_cache=False, backend=v.backend, precision=v.precision,
                     **({k: QUICK[k] for k in ('langs', 'max_questions')} if quick else {}))
    data = load_lareqa('xquad-r', cfg.langs)
    load = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    m, _ = evaluate(enc, cfg, data=data, show_progress=False)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    x = m['xquad-r']   # metrics are keyed by task
    out = dict(variant=enc.variant, requested=variant, load_s=round(load_s, 1), seconds=round(wall, 2), cpu_s=round(cpu, 2),
               encode_s=m['timing']['encode_s'], score_s=m['timing']['score_s'], texts=m['timing']['texts_encoded'],
               tokens=m['timing']['tokens_encoded'], loadavg_before=round(load, 2), loadavg_after=round(os.getloadavg()[0], 2),
               mono=x['mono']['map']['value'], cross=x['cross']['map']['value'], multi=x['multi']['map']['value'],
               encoder=enc.describe())
    if tatoeba: out['tatoeba'] = run_tatoeba(enc, QUICK['tatoeba_langs'] if quick else None)
    out['peak_rss_mb'] = round(common.peak_rss_mb())
    return out

# ---------------------------------------------------------------- the whole run
def child(variant, a, tatoeba=False) -> dict:
    with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as f: path = f.name
    cmd = [sys.executable, __file__, '--one', variant, '--json-out', path] + (['--quick'] if a.quick else []) + \
          (['--threads', str(a.threads)] if a.threads else []) + (['--tatoeba'] if tatoeba else [])
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode: return dict(variant=variant, error=(r.stderr.strip().splitlines() or ['?'])[-1])
    return json.loads(Path(path).read_text())

def compare_to_reference(row: dict, ref: dict) -> dict:
    "`row` with its mono / cross / multi mAP differences to `ref` (`d_mono`, ...) and whether all keep `BOUND`."
    for k in ('mono', 'cross', 'multi'): row[f'd_{k}'] = round(row[k] - ref[k], 4)
    row['within_bound'] = all(abs(row[k] - ref[k]) <= BOUND for k in ('mono', 'cross', 'multi'))
    return row

def summarize(rows: list, flops_per_token: float, peaks: dict) -> list:
    """Rates, shares of the peaks and mAP differences to the reference for each variant's row. `floor_encode_s` is
    the least time its encoding could take: its tokens' matrix FLOPs at the matmul peak of its own precision."""
    ref = next((r for r in rows if r.get('variant') == REFERENCE and 'error' not in r), None)
    for r in rows:
        if 'error' in r: continue
        r['texts_per_s'] = round(r['texts'] / r['encode_s'], 1)
        r['tokens_per_s'] = round(r['tokens'] / r['encode_s'])
        r['share_of_fp32_peak'] = round(r['tokens_per_s'] * flops_per_token / (peaks['fp32'] * 1e9), 3)
        own = peaks.get(r['variant'].split('-')[-1])
        if own:
            r['share_of_own_peak'] = round(r['tokens_per_s'] * flops_per_token / (own * 1e9), 3)
            r['floor_encode_s'] = round(r['tokens'] * flops_per_token / (own * 1e9), 1)
        if ref: compare_to_reference(r, ref)
    return rows

def print_table(rows, peaks):
    cols = ('variant', 'seconds', 'encode_s', 'floor_encode_s', 'texts_per_s', 'tokens_per_s', 'share_of_fp32_peak',
            'share_of_own_peak', 'peak_rss_mb', 'd_mono',
            'd_cross', 'd_multi', 'within_bound', 'cpu_s', 'loadavg_before')
    print(' | '.join(cols))
    for r in sorted(rows, key=lambda r: r.get('seconds', 1e9)):
        print(' | '.join(str(r.get(c, r.get('error', '') if c == 'seconds' else '')) for c in cols))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--variants', default=','.join(VARIANTS), help=f"comma-separated, the reference {REFERENCE} first (default: all)")
    ap.add_argument('--quick', action='store_true', help=f"a smoke run: languages {QUICK['langs']}, {QUICK['max_questions']} questions")
    ap.add_argument('--threads', type=int, default=None, help='threads (default: all cores)')
    ap.add_argument('--no-tatoeba', action='store_true', help='skip the 112 Tatoeba languages')
    ap.add_argument('--one', default=None, help=argparse.SUPPRESS); ap.add_argument('--json-out', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--tatoeba', action='store_true', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        Path(a.json_out).write_text(json.dumps(run_variant(a.one, a.quick, a.threads, a.tatoeba))); return

    from hybrid_nb.hardware import set_threads, cpu_kind, native_bf16, native_int8
    from hybrid_nb.encoders import resolve_variant, AUTO_VARIANTS, backend_available, Variant
    from transformers import BertConfig
    threads = set_threads(a.threads)
    kind = cpu_kind()
    print(f"{common.cpu_line(threads)} | "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')} | load average {os.getloadavg()[0]:.2f}", flush=True)
    fp32_by_library = {k: round(v) for k, v in common.gemm_peaks('fp32').items()}
    peaks = dict(fp32=[max(fp32_by_library.values())], fp32_by_library=fp32_by_library)
    if native_bf16(): peaks['bf16'] = round(common.gemm_peak('bf16'))
    if native_int8() and backend_available('onnx'): peaks['int8'] = round(common.gemm_peak('int8'))
    print(f"matmul peak (2048^3, GFLOP/s or GOP/s): {peaks}", flush=True)
    from hybrid_nb.model import convert_e5_small
    flops_per_token = common.matmul_flops_per_token(BertConfig.from_pretrained(convert_e5_small()))

    variants = [v for v in a.variants.split(',') if v]
    rows = []
    for v in variants:
        b = Variant.parse(v)
        if not backend_available(b.backend): rows.append(dict(variant=v, error=f'{b.backend} not installed')); continue
        if b.precision == 'bf16' and not native_bf16(): rows.append(dict(variant=v, error='no native bf16 on this CPU')); continue
        peaks['fp32'].append(round(common.gemm_peak('fp32')))   # interleaved: shows how steady the machine was
        r = child(v, a); rows.append(r)
        common.save(f"eval-{common.cpu_tag()}" + ('-quick' if a.quick else ''), dict(partial=True, variants=rows, gemm_peak_gflops=peaks), quiet=True)
        print(f"{v}: " + (r['error'] if 'error' in r else f"{r['seconds']} s (encode {r['encode_s']} s, cpu {r['cpu_s']} s, "
              f"load {r['loadavg_before']}), mono {r['mono']:.4f} cross {r['cross']:.4f} multi {r['multi']:.4f}"), flush=True)
    peak_fp32 = float(np.median(peaks['fp32']))
    rows = summarize(rows, flops_per_token, dict(peaks, fp32=peak_fp32))
    ok = sorted((r for r in rows if r.get('within_bound')), key=lambda r: r['encode_s'])
    auto_order = [r['variant'] for r in ok]
    auto = resolve_variant().name
    tatoeba = None
    if not a.no_tatoeba:
        r = child('auto', a, tatoeba=True)
        tatoeba = r.get('tatoeba', r)
        if 'error' not in r:
            tatoeba.update(variant=r['variant'], tokens_per_s=round(tatoeba['tokens'] / tatoeba['encode_s']),
                           share_of_fp32_peak=round(tatoeba['tokens'] / tatoeba['encode_s'] * flops_per_token / (peak_fp32 * 1e9), 3))
            print(f"Tatoeba ({tatoeba['languages']} languages, {tatoeba['sentences']} sentences) with {r['variant']}: "
                  f"{tatoeba['wall_s']} s (encode {tatoeba['encode_s']} s), share of fp32 peak {tatoeba['share_of_fp32_peak']}, "
                  f"mean accuracy {tatoeba['mean_accuracy']}", flush=True)
    print()
    print_table(rows, peaks)
    print(f"\nfp32 peak: median {peak_fp32:.0f} GFLOP/s of {peaks['fp32']}; matmul FLOPs per token {flops_per_token / 1e6:.1f} M")
    print(f"within {BOUND} of {REFERENCE}, fastest first: {auto_order}")
    print(f"AUTO_VARIANTS[{kind!r}] = {AUTO_VARIANTS.get(kind)}; auto resolves to {auto} here")
    name = f"eval-{common.cpu_tag()}" + ('-quick' if a.quick else '')
    path = common.save(name, dict(quick=a.quick, cpu_kind=kind, threads=threads, bound=BOUND, reference=REFERENCE,
                                  gemm_peak_gflops=dict(peaks, fp32=round(peak_fp32), fp32_runs=peaks['fp32']),
                                  matmul_flops_per_token=flops_per_token, variants=rows, auto_order=auto_order,
                                  auto_variants_table=list(AUTO_VARIANTS.get(kind, ())), auto=auto, tatoeba=tatoeba), quiet=True)
    print(f"saved {path}")

if __name__ == '__main__': main()
