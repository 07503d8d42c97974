"""`shapecheck ci`: the four shape checks a project runs on every change, in one command.

Steps, always in this order: `lint`, `mypy`, `verify`, `docs` (`_steps`; the
mypy command line as the project configures it: `_mypy_config`). Every step
runs even when an earlier one failed, then a summary table is printed
(`_reporters`, which also write the GitHub workflow commands and the JUnit
XML). Exit status (`_command.run_ci`): 0 when every step that ran passed, 1
when any failed, 2 for a usage error (an unknown step, a target that does not
exist or does not import).

The docs step asks `shapecheck.docs._fresh` whether the committed shape
reference is what would be generated.
"""

from __future__ import annotations

from ._command import DEFAULT_DOCS_PAGE as DEFAULT_DOCS_PAGE
from ._command import CiOptions as CiOptions
from ._command import add_arguments as add_arguments
from ._command import ci_options as ci_options
from ._command import run_ci as run_ci
from ._mypy_config import mypy_command as mypy_command
from ._reporters import github_commands as github_commands
from ._reporters import junit_xml as junit_xml
from ._reporters import summary_table as summary_table
from ._results import STEPS as STEPS
from ._results import Case as Case
from ._results import Outcome as Outcome
from ._results import Problem as Problem
from ._results import Status as Status
from ._results import StepName as StepName
from ._results import StepResult as StepResult
from ._steps import run_docs as run_docs
from ._steps import run_lint as run_lint
from ._steps import run_mypy as run_mypy
from ._steps import run_verify as run_verify

__all__ = [
    "DEFAULT_DOCS_PAGE",
    "STEPS",
    "Case",
    "CiOptions",
    "Outcome",
    "Problem",
    "Status",
    "StepName",
    "StepResult",
    "add_arguments",
    "ci_options",
    "github_commands",
    "junit_xml",
    "mypy_command",
    "run_ci",
    "run_docs",
    "run_lint",
    "run_mypy",
    "run_verify",
    "summary_table",
]
