"Shared helpers for the benchmarks: environment, results file, timing, the matrix-multiply peaks that speeds are shares of."
import json, os, resource, sys, time
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
RESULTS = Path(__file__).parent / 'results'

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def save(name: str, result: dict, quiet: bool = False) -> Path:
    RESULTS.mkdir(exist_ok=True)
    from hybrid_nb.ablation import git_commit, package_root
    from hybrid_nb.hardware import hardware
    result = dict(benchmark=name, command=' '.join([Path(sys.executable).name] + sys.argv), commit=git_commit(package_root()),
                  date=time.strftime('%Y-%m-%d'), machine=hardware(), **result)
    path = RESULTS / f'{name}.json'
    path.write_text(json.dumps(result, indent=1))
    if not quiet: print(json.dumps(result, indent=1))
    return path

def gemm_peak(dtype: str = 'fp32', n: int = 2048, reps: int = 5) -> float:
    """Best-of-`reps` GFLOP/s of one n x n x n matrix product in PyTorch on the current threads (fp32 or bf16), or
    GOP/s of ONNX Runtime's uint8 x int8 `MatMulInteger` for 'int8' (what dynamic int8 quantization runs)."""
    import numpy as np
    if dtype == 'int8': return _int8_peak(n, reps)
    import torch
    a = torch.randn(n, n).to(dict(fp32=torch.float32, bf16=torch.bfloat16)[dtype]); b = torch.randn(n, n).to(a.dtype)
    a @ b
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9

def _int8_peak(n: int, reps: int) -> float:
    import numpy as np, torch, onnx, onnxruntime as ort
    from onnx import helper, TensorProto, numpy_helper
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.integers(-64, 64, (n, n), dtype=np.int8), 'B')
    g = helper.make_graph([helper.make_node('MatMulInteger', ['A', 'B'], ['C'])], 'mmi',
                          [helper.make_tensor_value_info('A', TensorProto.UINT8, [n, n])],
                          [helper.make_tensor_value_info('C', TensorProto.INT32, [n, n])], [w])
    so = ort.SessionOptions(); so.intra_op_num_threads = torch.get_num_threads(); so.inter_op_num_threads = 1
    so.add_session_config_entry('session.intra_op.allow_spinning', '0')
    s = ort.InferenceSession(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)], ir_version=8).SerializeToString(), so,
                             providers=['CPUExecutionProvider'])
    a = rng.integers(0, 255, (n, n), dtype=np.uint8); s.run(None, {'A': a})
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); s.run(None, {'A': a}); best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9

def matmul_flops_per_token(config) -> float:
    "FLOPs per token of a BERT encoder's weight matrices (Q, K, V, output, two FFN layers), attention scores excluded."
    h, f, L = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    return 2.0 * L * (4 * h * h + 2 * h * f)
