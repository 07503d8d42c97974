"""Shape-bug mutants of d2l's LSTM, GRU, RNN and RNNModel code, beside the correct versions.

Every function here is annotated the way the correct code is; each
`mutant_*` carries one bug of the kind people really make. `shapecheck
verify` must flag every mutant and pass every correct function.
"""
