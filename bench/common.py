"Shared helpers for the benchmarks: environment, results file, timing."
import json, os, platform, resource, sys, time
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
RESULTS = Path(__file__).parent / 'results'

def machine() -> dict:
    import torch
    return dict(platform=platform.platform(), cpu_count=os.cpu_count(), torch=torch.__version__, threads=torch.get_num_threads(),
                python=platform.python_version(), gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def save(name: str, result: dict):
    RESULTS.mkdir(exist_ok=True)
    from hybrid_nb.ablation import git_commit, package_root
    result = dict(benchmark=name, command=' '.join([Path(sys.executable).name] + sys.argv), commit=git_commit(package_root()),
                  date=time.strftime('%Y-%m-%d'), machine=machine(), **result)
    (RESULTS / f'{name}.json').write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
