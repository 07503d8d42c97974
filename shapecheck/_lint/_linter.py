"""`lint(target)`: the target's files indexed, then every rule over every module and function."""

from __future__ import annotations

import ast

from ._annotations import Event, Walker
from ._coverage import Coverage
from ._files import target_files
from ._functions import FunctionNode, class_dims, functions, own_annotated_locals, read_signature
from ._index import Index, Module
from ._result import Finding, LintResult
from ._rules import glossary_findings, glossary_of, read_uses, unbound_dims
from ._sites import Use


class _Linter:
    def __init__(self, index: Index, targets: list[Module]) -> None:
        self.index = index
        self.targets = targets
        self.walker = Walker(index)
        self.findings: list[Finding] = list(index.errors)
        self.coverage = Coverage()

    def run(self) -> LintResult:
        uses: list[Use] = []
        for module in self.targets:
            if module.tree is not None:
                uses.extend(read_uses(module, self.findings))
        self._glossary_checks(uses)
        for module in self.targets:
            if module.tree is not None:
                for fn, owner, qualname in functions(module.tree.body):
                    self._function(module, fn, owner, qualname)
        findings = tuple(
            sorted(set(self.findings), key=lambda f: (f.file, f.line, f.code, f.message))
        )
        return LintResult(findings, self.coverage.functions, self.coverage.covered)

    def _glossary_checks(self, uses: list[Use]) -> None:
        glossary = glossary_of(self.targets)
        if not glossary and len(self.targets) == 1:
            glossary = glossary_of(self.index.enclosing_modules(self.targets[0]))
        self.findings.extend(glossary_findings(uses, glossary))

    def _function(
        self, module: Module, fn: FunctionNode, owner: ast.ClassDef | None, qualname: str
    ) -> None:
        signature = read_signature(self.walker, module, fn)
        if owner is not None:
            keys = class_dims(self.index, module, owner)
            signature.bound.update(dict.fromkeys(key for _, key in keys))
        gap = self.coverage.count(module, fn, qualname, signature)
        if gap is not None:
            self.findings.append(gap)
        reads: list[tuple[str, list[Event]]] = [
            (f"local {local.target.id}", self.walker.events(module, local.annotation))
            for local in own_annotated_locals(fn)
            if isinstance(local.target, ast.Name)
        ]
        reads.append(("the return annotation", signature.returns))
        self.findings.extend(unbound_dims(module, qualname, signature.bound, reads))


def lint(target: str) -> LintResult:
    """Lint the shape annotations of a module, package, file or package folder.

    Never imports the target. Raises `TargetError` when it does not exist.
    """
    files, root = target_files(target)
    index = Index(root)
    modules = [index.add(path, name, is_package, True) for path, name, is_package in files]
    return _Linter(index, modules).run()
