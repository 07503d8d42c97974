"""`lint(target)`: the target's files indexed, every rule over every module and function,
then the suppressions applied."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from ._annotations import Event, Walker
from ._coverage import Coverage
from ._files import display, target_files
from ._functions import FunctionNode, class_dims, functions, own_annotated_locals, read_signature
from ._index import Index, Module
from ._result import Finding, LintResult
from ._rules import glossary_findings, glossary_of, read_uses, unbound_dims, variadic_conflicts
from ._sites import Use
from ._suppress import FileSuppressions, Ignores, read_suppressions


class _Linter:
    def __init__(self, index: Index, targets: list[Module], ignores: Ignores) -> None:
        self.index = index
        self.targets = targets
        self.ignores = ignores
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
        inline: dict[str, FileSuppressions] = {}
        for module in self.targets:
            if module.tree is not None:
                suppressions, problems = read_suppressions(module)
                inline[display(module.path)] = suppressions
                self.findings.extend(problems)
        every = set(self.findings)
        kept = [finding for finding in every if not self._silenced(finding, inline)]
        findings = tuple(sorted(kept, key=lambda f: (f.file, f.line, f.code, f.message)))
        suppressed = len(every) - len(findings)
        return LintResult(findings, self.coverage.functions, self.coverage.covered, suppressed)

    def _silenced(self, finding: Finding, inline: dict[str, FileSuppressions]) -> bool:
        if self.ignores.silences(finding):
            return True
        comments = inline.get(finding.file)
        return comments is not None and comments.silences(finding.line, finding.code)

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
        self.findings.extend(variadic_conflicts(module, qualname, [*signature.params, *reads]))


def lint(
    target: str,
    *,
    ignore: Sequence[str] = (),
    per_file_ignores: Mapping[str, Sequence[str]] | None = None,
) -> LintResult:
    """Lint the shape annotations of a module, package, file or package folder.

    Never imports the target. Raises `TargetError` when it does not exist.

    `ignore`: codes whose findings are dropped everywhere, e.g. `["SC402"]`.
    `per_file_ignores`: a glob of a file path -> the codes dropped in the files
    it matches, e.g. `{"mypkg/generated/*.py": ["SC201"]}`. A glob is matched
    with `fnmatch.fnmatchcase` against the file as findings print it (posix,
    relative to the current directory when under it; a leading `./` of the
    glob is dropped); `*` also matches `/`. Inline comments
    (`# shapecheck: ignore[SC301]`) drop findings too (`_suppress`).
    Dropped findings are counted in `LintResult.suppressed`; the coverage
    figures do not change.

    Raises `ValueError`, with a one-line message naming the code and listing
    the known ones (`CODES`), when either argument holds an unknown code, and
    when a list of codes is given as one string.
    """
    ignores = Ignores.checked(ignore, per_file_ignores)
    files, root = target_files(target)
    index = Index(root)
    modules = [index.add(path, name, is_package, True) for path, name, is_package in files]
    return _Linter(index, modules, ignores).run()
