"The benchmarks' shared helpers (bench/common.py): what a results file records about the machine it ran on."
import importlib.util, sys
from pathlib import Path

def _common():
    path = Path(__file__).parents[1] / 'bench' / 'common.py'
    spec = importlib.util.spec_from_file_location('bench_common', path)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod

def test_isa_cap_names_the_results_file(monkeypatch):
    "A run with the instruction set capped (an AVX2 proxy) is recorded as such and never overwrites an uncapped run's file."
    common = _common()
    for k in common.ISA_CAP_VARS: monkeypatch.delenv(k, raising=False)
    plain = common.cpu_tag()
    assert common.isa_caps() == {} and 'cap' not in plain and 'capped' not in common.cpu_line(2)
    monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', 'AVX2')
    assert common.isa_caps() == {'ONEDNN_MAX_CPU_ISA': 'AVX2'}
    assert common.cpu_tag() == f'{plain}-cap-avx2'
    assert 'instruction set capped: ONEDNN_MAX_CPU_ISA=AVX2' in common.cpu_line(2)
    monkeypatch.delenv('ONEDNN_MAX_CPU_ISA'); monkeypatch.setenv('MKL_ENABLE_INSTRUCTIONS', 'AVX2')   # any one cap names the file
    assert common.cpu_tag() == f'{plain}-cap-avx2'


def _study_cost():
    bench = Path(__file__).parents[1] / 'bench'
    sys.path.insert(0, str(bench))
    try:
        spec = importlib.util.spec_from_file_location('bench_study_cost', bench / 'bench_study_cost.py')
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(bench))
    return mod

def test_study_cost_checks_losses_and_scales_tatoeba_like_the_profiles(tmp_path):
    """bench_study_cost: two runs' training losses agree only within 1e-5 at every step, and its --quick experiment keeps
    the full profiles' 1 : 4 ratio of Tatoeba languages (28 : 112), with the old profile's languages inside the new's."""
    import json
    bench = _study_cost()
    def log(folder, losses):
        (folder / 'train').mkdir(parents=True)
        lines = [json.dumps(dict(step=i + 1, loss=x)) for i, x in enumerate(losses)]
        (folder / 'train' / 'train_log.jsonl').write_text('\n'.join(lines) + '\n')
        return folder
    a = log(tmp_path / 'a', [2.0, 1.5, 1.25])
    assert bench.loss_agreement(a, log(tmp_path / 'b', [2.0, 1.5 + 4e-6, 1.25]))['within']
    far = bench.loss_agreement(a, log(tmp_path / 'c', [2.0, 1.5, 1.25 + 3e-5]))
    assert not far['within'] and abs(far['max_abs_loss_diff'] - 3e-5) < 1e-9 and far['steps'] == 3
    old, new = (bench.quick_overrides(p)['tasks'][1]['langs'].split(',') for p in bench.PROFILES)
    assert 4 * len(old) == len(new) and set(old) < set(new)
