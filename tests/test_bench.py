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
