"""The package is a layered house (../shared/reference/ARCHITECTURE.md): every `hybrid_nb` module sits on a floor and
imports only modules on lower floors, so no two modules ever import each other, directly or in a circle."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / 'hybrid_nb'

# floor of each module; an import must point strictly downwards
FLOORS = {   # one module a line, so that modules added side by side merge without conflicts
    'errors': 0,
    'cache': 0.5,
    'hardware': 0.5,
    'languages': 1,
    'data': 1.5,
    'noise': 2,
    'samplers': 2,
    'stats': 2,
    'metrics': 2,
    'losses': 2.1,
    'card': 2.2,
    'methods': 2.2,
    'model': 2.5,
    'encoders': 3,
    'train': 3,
    'st': 3.2,
    'backends': 3.5,
    'bias': 3.7,
    'debias': 3.8,
    'tasks': 4,
    'evaluate': 5,
    'ablation': 6,
    'recipe': 6.2,
    'comparisons': 6.4,
    'report': 6.5,
    'sweep': 7,
    'cli': 8,
}

def package_imports(path: Path) -> set[str]:
    "Modules of hybrid_nb that `path` imports (top level or inside functions)."
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module: out.add(node.module.split('.')[0])
            elif node.level == 1: out.update(a.name for a in node.names)
            elif node.module and node.module.startswith('hybrid_nb.'): out.add(node.module.split('.')[1])
            elif node.module == 'hybrid_nb': out.update(a.name for a in node.names if a.name != '__version__')
        elif isinstance(node, ast.Import):
            out.update(a.name.split('.')[1] for a in node.names if a.name.startswith('hybrid_nb.'))
    return out

def modules():
    return sorted(p for p in PKG.glob('*.py') if not p.name.startswith('_'))

def test_every_module_has_a_floor():
    missing = [p.stem for p in modules() if p.stem not in FLOORS]
    assert not missing, f"modules without a floor in tests/test_architecture.py: {missing}"

def test_imports_point_down():
    wrong = [f"{p.stem} (floor {FLOORS[p.stem]}) imports {m} (floor {FLOORS.get(m)})"
             for p in modules() for m in sorted(package_imports(p)) if FLOORS.get(m, 99) >= FLOORS[p.stem]]
    assert not wrong, '\n'.join(wrong)

def test_detector_sees_relative_and_absolute_imports(tmp_path):
    f = tmp_path / 'x.py'
    f.write_text("from .data import a\nfrom hybrid_nb.model import b\nimport hybrid_nb.cache\ndef g():\n    from hybrid_nb.cli import main\n")
    assert package_imports(f) == {'data', 'model', 'cache', 'cli'}
