"Shared helpers for the benchmarks: environment, results file, timing, the matrix-multiply peaks that speeds are shares of."
import json, os, resource, sys, time
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
RESULTS = Path(__file__).parent / 'results'
# Environment variables that cap the instruction set the libraries may use (they must be set before the libraries
# load). Capping at AVX2 on an AVX-512 CPU is a *proxy* for an AVX2-only CPU, not one: PyTorch (ATen, MKL, oneDNN) and
# OpenVINO's oneDNN kernels obey them, but OpenVINO's MVN and any MLAS kernels inside OpenVINO or ONNX Runtime do not
# (MLAS reads CPUID itself), and caches, clocks and AVX-512's double-pumping on Zen 4 stay as they are.
ISA_CAP_VARS = ('ONEDNN_MAX_CPU_ISA', 'ATEN_CPU_CAPABILITY', 'MKL_ENABLE_INSTRUCTIONS')

def isa_caps() -> dict:
    "The instruction-set caps set in this process's environment (empty where none)."
    return {k: os.environ[k] for k in ISA_CAP_VARS if os.environ.get(k)}

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def cpu_tag() -> str:
    """The CPU part of a results file's name: its kind (which decides the defaults) and, where known, its
    microarchitecture, since CPUs of one kind differ twofold in speed (Zen 4 and Zen 5 are both `avx512`)."""
    from hybrid_nb.hardware import cpu_kind, cpu_uarch
    cap = next(iter(isa_caps().values()), None)   # any cap names the file, so a capped run never overwrites an uncapped one
    return '-'.join(x for x in (cpu_kind(), cpu_uarch(), cap and f'cap-{cap.lower()}') if x)

def cpu_line(threads: int) -> str:
    "What a benchmark prints first: the CPU, its kind, microarchitecture and flags, the threads used."
    from hybrid_nb.hardware import cpu_info, cpu_kind, cpu_uarch
    info, caps = cpu_info(), isa_caps()
    return (f"CPU: {info['model']} | kind {cpu_kind()} | {cpu_uarch() or 'microarchitecture unknown'} (family "
            f"{info.get('family')}, model {info.get('model_number')}) | flags {' '.join(info['flags'])} | {threads} threads"
            + (f" | instruction set capped: {_env_prefix(caps)}" if caps else ''))

def _env_prefix(env: dict) -> str: return ' '.join(f'{k}={v}' for k, v in env.items())

def save(name: str, result: dict, quiet: bool = False) -> Path:
    RESULTS.mkdir(exist_ok=True)
    from hybrid_nb.ablation import git_commit, package_root
    from hybrid_nb.hardware import hardware
    caps = isa_caps()   # in the command too, so that it reproduces a capped run
    result = dict(benchmark=name, command=' '.join(([_env_prefix(caps)] if caps else []) + [Path(sys.executable).name] + sys.argv),
                  commit=git_commit(package_root()), date=time.strftime('%Y-%m-%d'), machine=hardware(),
                  **({'isa_caps': caps} if caps else {}), **result)
    path = RESULTS / f'{name}.json'
    path.write_text(json.dumps(result, indent=1))
    if not quiet: print(json.dumps(result, indent=1))
    return path

def gemm_peaks(dtype: str = 'fp32', n: int = 2048, reps: int = 5) -> dict:
    """Best-of-`reps` GFLOP/s (GOP/s for int8) of one n x n x n matrix product on the current threads, per library.
    fp32: PyTorch and, where installed, ONNX Runtime's `MatMul` (MLAS); the two differ by CPU vendor: PyTorch's MKL
    takes an AVX2 path on AMD CPUs with AVX-512 (188 vs 344 GFLOP/s measured on one), so the peak is the better of the
    two. bf16: PyTorch (oneDNN). int8: ONNX Runtime's uint8 x int8 `MatMulInteger` (what dynamic int8 quantization runs)."""
    out = {}
    if dtype in ('fp32', 'bf16'):
        import torch
        a = torch.randn(n, n).to(dict(fp32=torch.float32, bf16=torch.bfloat16)[dtype]); b = torch.randn(n, n).to(a.dtype)
        out['torch'] = _best_rate(lambda: a @ b, 2 * n ** 3, reps)
    if dtype in ('fp32', 'int8'):
        try: out['onnxruntime'] = _ort_matmul_peak(dtype, n, reps)
        except ImportError:
            if dtype == 'int8': raise
    return out

def gemm_peak(dtype: str = 'fp32', n: int = 2048, reps: int = 5) -> float:
    "The best library's rate from `gemm_peaks`: the peak that speeds are shares of."
    return max(gemm_peaks(dtype, n, reps).values())

def _best_rate(fn, ops: float, reps: int) -> float:
    fn()   # warm-up: first calls pick kernels and allocate
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t)
    return ops / best / 1e9

def _ort_matmul_peak(dtype: str, n: int, reps: int) -> float:
    import numpy as np, torch, onnxruntime as ort
    from onnx import helper, TensorProto, numpy_helper
    rng = np.random.default_rng(0)
    if dtype == 'int8':   # uint8 activations x int8 weights, as dynamic quantization runs them
        op, a_type, c_type, a = 'MatMulInteger', TensorProto.UINT8, TensorProto.INT32, rng.integers(0, 255, (n, n), dtype=np.uint8)
        w = rng.integers(-64, 64, (n, n), dtype=np.int8)
    else:
        op, a_type, c_type, a = 'MatMul', TensorProto.FLOAT, TensorProto.FLOAT, rng.standard_normal((n, n), dtype=np.float32)
        w = rng.standard_normal((n, n), dtype=np.float32)
    g = helper.make_graph([helper.make_node(op, ['A', 'B'], ['C'])], 'mm', [helper.make_tensor_value_info('A', a_type, [n, n])],
                          [helper.make_tensor_value_info('C', c_type, [n, n])], [numpy_helper.from_array(w, 'B')])
    so = ort.SessionOptions(); so.intra_op_num_threads = torch.get_num_threads(); so.inter_op_num_threads = 1
    so.add_session_config_entry('session.intra_op.allow_spinning', '0')
    s = ort.InferenceSession(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)], ir_version=8).SerializeToString(), so,
                             providers=['CPUExecutionProvider'])
    return _best_rate(lambda: s.run(None, {'A': a}), 2 * n ** 3, reps)

def matmul_flops_per_token(config) -> float:
    "FLOPs per token of a BERT encoder's weight matrices (Q, K, V, output, two FFN layers), attention scores excluded."
    h, f, L = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    return 2.0 * L * (4 * h * h + 2 * h * f)
