"""A notebook's code as a run of one profile executes it: the other profiles' branches out.

A run's cache key counts its notebook's code (`aerun.codehash`). What a run of its profile
never executes cannot change its numbers, so from key format 4 a run's key counts the
notebook specialized to the run's profile: each test of the profile becomes its value and
the branch it rules out is dropped. A change to what only the smoke profile runs (a smaller
grid, fewer steps) then makes the smoke runs stale, and the full report stays fresh; a
change to what the full profile runs makes the full runs stale, as before.

A test of the profile is replaced only where nothing else could make it wrong:

- `profile == "..."` (or `!=`, either way round), where the notebook binds `profile` once,
  in its parameters cell (the first code cell tagged `parameters`), as
  `profile: str = "..."` (papermill injects the run's value right after that cell, and
  run_all always passes one);
- `run.profile == "..."`, where `profile` is so bound, with its annotation (what
  `params.declared` reads), and the notebook binds `run` once, as
  `run = params.settings(..., parameters=params.declared(globals()))` without a `profile=`
  argument (`params.settings` then takes the profile parameter; tests/aerun/
  test_profilecode.py keeps it so), binds `params` once, by `from aelib import params`, and
  never assigns an attribute of `run`;
- a name the notebook binds once, to such a test (`smoke = run.profile == "smoke"`).

Then `X if T else Y`, `if T: ... else: ...`, `not T`, `T and X` and `T or X` are folded
where T became a constant; nothing else is touched. A notebook with a cell that does not
parse as Python (past its `%magic` and `!shell` lines, which count by their text), or that
calls `exec`, `eval` or `globals()[...] = ...`, is counted as written.
"""

from __future__ import annotations

import ast
from collections import defaultdict

_DYNAMIC = frozenset({"exec", "eval"})


def _parseable(source: str) -> str:
    """`source` with each `%magic` or `!shell` line replaced by its text as a string
    expression (same indentation), so that the cell parses and the line still counts."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + repr(stripped)
        lines.append(line)
    return "\n".join(lines)


def parse_cells(sources: list[str]) -> list[ast.Module] | None:
    """Each code cell's syntax tree (see `_parseable`); None when one does not parse."""
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(_parseable(source)))
        except SyntaxError:
            return None
    return trees


def _bindings(trees: list[ast.Module]) -> dict[str, list[ast.AST]]:
    """`{name: [every node that binds or deletes it]}`, in any scope (conservative)."""
    found: dict[str, list[ast.AST]] = defaultdict(list)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                found[node.id].append(node)
            elif isinstance(node, ast.arg):
                found[node.arg].append(node)
            elif isinstance(node, ast.alias):
                found[(node.asname or node.name).split(".")[0]].append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[node.name].append(node)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    found[name].append(node)
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                found[node.name].append(node)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                found[node.rest].append(node)
    return found


def _single_binding(trees, bindings, name: str) -> tuple[int, ast.stmt] | None:
    """`(cell index, statement)` of `name`'s one binding, a top-level `name = value` or
    `name: T = value`; None when it is bound otherwise or more than once."""
    if len(bindings.get(name, ())) != 1:
        return None
    for index, tree in enumerate(trees):
        for stmt in tree.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == name
            ):
                return index, stmt
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == name
                and stmt.value is not None
            ):
                return index, stmt
    return None


def _single_assignment(trees, bindings, name: str) -> ast.expr | None:
    """The value of `name`'s one binding (`_single_binding`), or None."""
    found = _single_binding(trees, bindings, name)
    return found[1].value if found else None


def _is_dynamic(trees) -> bool:
    """Whether the code could bind names where this module cannot see it."""
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in _DYNAMIC:
                return True
            if (
                isinstance(node, ast.Subscript)
                and not isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id in ("globals", "locals", "vars")
            ):
                return True
    return False


def _trusted_run(trees, bindings) -> bool:
    """Whether `run` is bound once, by `params.settings(parameters=params.declared(
    globals()), ...)` without `profile=`, with `params` from `from aelib import params`."""
    value = _single_assignment(trees, bindings, "run")
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == "params"
        and value.func.attr == "settings"
        and not value.args
    ):
        return False
    keywords = {k.arg: k.value for k in value.keywords}
    if None in keywords or "profile" in keywords:  # **kwargs could pass a profile
        return False
    declared = keywords.get("parameters")
    wanted = ast.dump(ast.parse("params.declared(globals())", mode="eval").body)
    if declared is None or ast.dump(declared) != wanted:
        return False
    params_bindings = bindings.get("params", [])
    if len(params_bindings) != 1 or not isinstance(params_bindings[0], ast.alias):
        return False
    alias = params_bindings[0]
    imported_from_aelib = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "aelib"
        and node.level == 0
        and alias in node.names
        for tree in trees
        for node in ast.walk(tree)
    )
    if not (imported_from_aelib and alias.name == "params" and alias.asname in (None, "params")):
        return False
    for tree in trees:  # run.profile = ..., or any other attribute of run assigned
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and not isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Name)
                and node.value.id == "run"
            ):
                return False
    return True


class _Specializer(ast.NodeTransformer):
    """Replaces the tests of the profile by their value and folds what they decide."""

    def __init__(self, profile: str, profile_name: bool, run_profile: bool):
        self.profile = profile
        self.profile_name = profile_name
        self.run_profile = run_profile
        self.flags: dict[str, bool] = {}

    def _is_profile(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            return self.profile_name and node.id == "profile"
        return (
            self.run_profile
            and isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and node.attr == "profile"
            and isinstance(node.value, ast.Name)
            and node.value.id == "run"
        )

    def profile_test(self, node: ast.expr) -> bool | None:
        """The value of `node` when it is a test of the profile, else None."""
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            return None
        if not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return None
        left, right = node.left, node.comparators[0]
        if self._is_profile(right):
            left, right = right, left
        if not (
            self._is_profile(left)
            and isinstance(right, ast.Constant)
            and isinstance(right.value, str)
        ):
            return None
        same = self.profile == right.value
        return same if isinstance(node.ops[0], ast.Eq) else not same

    def visit_Compare(self, node):
        value = self.profile_test(node)
        return ast.Constant(value) if value is not None else self.generic_visit(node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.flags:
            return ast.Constant(self.flags[node.id])
        return node

    def visit_UnaryOp(self, node):
        node = self.generic_visit(node)
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Constant):
            return ast.Constant(not node.operand.value)
        return node

    def visit_BoolOp(self, node):
        node = self.generic_visit(node)
        values = list(node.values)
        while len(values) > 1 and isinstance(values[0], ast.Constant):
            decides = bool(values[0].value) != isinstance(node.op, ast.And)
            if decides:  # False and ..., True or ...: the first value is the result
                return values[0]
            values.pop(0)
        return values[0] if len(values) == 1 else ast.BoolOp(op=node.op, values=values)

    def visit_IfExp(self, node):
        node = self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node

    def visit_If(self, node):
        node = self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node


def specialize(
    trees: list[ast.Module], profile: str, parameters_cell: int | None
) -> list[ast.Module]:
    """The cells' trees as a run of `profile` executes them (see the module); the trees
    as given when the notebook's code does not allow it. Works on the trees in place.

    `parameters_cell`: the index of the first code cell tagged `parameters`, after which
    papermill injects the run's parameters."""
    if _is_dynamic(trees):
        return trees
    bindings = _bindings(trees)
    found = _single_binding(trees, bindings, "profile")
    profile_name = (
        found is not None
        and parameters_cell is not None
        and found[0] == parameters_cell
        and isinstance(found[1].value, ast.Constant)
        and isinstance(found[1].value.value, str)
    )
    declared = profile_name and isinstance(found[1], ast.AnnAssign)  # params.declared sees it
    specializer = _Specializer(profile, profile_name, declared and _trusted_run(trees, bindings))
    # Names bound once, to a test of the profile, are tests of the profile too.
    for name in list(bindings):
        value = _single_assignment(trees, bindings, name)
        if value is not None and name not in ("profile", "run"):
            test = specializer.profile_test(value)
            if test is not None:
                specializer.flags[name] = test
    return [specializer.visit(tree) for tree in trees]


def specialized_cells(
    sources: list[str], profile: str, parameters_cell: int | None
) -> list[str] | None:
    """Each code cell as a run of `profile` executes it, as `ast.dump` (no positions);
    None when a cell does not parse (the notebook then counts as written)."""
    trees = parse_cells(sources)
    if trees is None:
        return None
    return [
        ast.dump(tree, include_attributes=False)
        for tree in specialize(trees, profile, parameters_cell)
    ]
