"Shared helpers for the benchmarks: environment, results file, timing."
import json, os, resource, sys, time
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
RESULTS = Path(__file__).parent / 'results'

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def save(name: str, result: dict):
    RESULTS.mkdir(exist_ok=True)
    from hybrid_nb.ablation import git_commit, package_root
    from hybrid_nb.hardware import hardware
    result = dict(benchmark=name, command=' '.join([Path(sys.executable).name] + sys.argv), commit=git_commit(package_root()),
                  date=time.strftime('%Y-%m-%d'), machine=hardware(), **result)
    (RESULTS / f'{name}.json').write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
