"""Keep the vendored third-party suites out of the main test run.

They run only through their runners (`run_linear_operator.py`), each with its
own pytest configuration, under the import hooks being compared.
"""

collect_ignore = ["linear_operator"]
