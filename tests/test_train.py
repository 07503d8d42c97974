"""Training loop, prediction, gradient clipping and the `python -m models.train` CLI."""

import io
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from models.cli import PROG, _build_parser, main
from models.corpus import Vocab
from models.data import load_data_time_machine
from models.dims import D2L_SIZES, shapes
from models.plot import plot_perplexity
from models.progress import ProgressBar
from models.rnn_model import RNNModel
from models.train import TrainHistory, grad_clipping, predict, train, train_epoch
from models.zoo import MODELS, build_model

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return load_data_time_machine(2, 5, max_tokens=100)[1]


def _net(name: str, vocab: Vocab, hiddens: int = 8, **kwargs: int | bool) -> nn.Module:
    torch.manual_seed(0)
    net = build_model(name, len(vocab), hiddens, CPU, **kwargs)  # type: ignore[arg-type]
    assert isinstance(net, nn.Module)
    return net


NET_CASES = [
    pytest.param("lstm", {}, id="lstm"),
    pytest.param("gru", {}, id="gru"),
    pytest.param("rnn", {}, id="rnn"),
    pytest.param("nn-lstm", {}, id="nn-lstm"),
    pytest.param("nn-gru", {}, id="nn-gru"),
    pytest.param("nn-rnn", {}, id="nn-rnn"),
    pytest.param("nn-lstm", {"num_layers": 2, "bidirectional": True}, id="nn-lstm-2-bi"),
    pytest.param("nn-gru", {"num_layers": 3}, id="nn-gru-3"),
]


# --------------------------------------------------------------------------
# build_model, predict
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), NET_CASES)
def test_build_model__every_model(name: str, kwargs: dict[str, int | bool], vocab: Vocab) -> None:
    net = _net(name, vocab, **kwargs)
    assert isinstance(net, RNNModel) == name.startswith("nn-")
    if isinstance(net, RNNModel):
        assert net.rnn.num_layers == kwargs.get("num_layers", 1)
        assert net.rnn.bidirectional == kwargs.get("bidirectional", False)
        assert net.rnn.hidden_size == 8
    assert all(p.device == CPU for p in net.parameters())


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        pytest.param("lstm", {"num_layers": 2}, "only apply to the nn-\\* models", id="layers"),
        pytest.param("gru", {"bidirectional": True}, "not 'gru'", id="bidirectional"),
        pytest.param("transformer", {}, "unknown model 'transformer'", id="unknown"),
    ],
)
def test_build_model__bad_arguments_raise(
    name: str, kwargs: dict[str, int | bool], message: str, vocab: Vocab
) -> None:
    with pytest.raises(ValueError, match=message):
        build_model(name, len(vocab), 8, CPU, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "kwargs"), NET_CASES)
@pytest.mark.parametrize(
    ("prefix", "num_preds"),
    [
        pytest.param("time traveller", 10, id="time-traveller-10"),
        pytest.param("t", 3, id="one-char-3"),
        pytest.param("traveller", 0, id="no-preds"),
    ],
)
def test_predict__returns_prefix_and_num_preds_tokens(
    name: str, kwargs: dict[str, int | bool], prefix: str, num_preds: int, vocab: Vocab
) -> None:
    net = _net(name, vocab, **kwargs)
    out = predict(prefix, num_preds, net, vocab, "cpu")
    assert out.startswith(prefix)
    # Greedy predictions are vocabulary tokens: characters, or '<unk>' at most.
    rest = out[len(prefix) :].replace("<unk>", "?")
    assert len(rest) == num_preds
    assert predict(prefix, num_preds, net, vocab, CPU) == out  # deterministic


@pytest.mark.parametrize(
    ("prefix", "num_preds", "message"),
    [
        pytest.param("", 5, "prefix must contain at least one character", id="empty-prefix"),
        pytest.param("time", -1, "num_preds must be non-negative, got -1", id="negative"),
    ],
)
def test_predict__bad_arguments_raise(
    prefix: str, num_preds: int, message: str, vocab: Vocab
) -> None:
    with pytest.raises(ValueError, match=message):
        predict(prefix, num_preds, _net("nn-gru", vocab), vocab, CPU)


def test_predict__unknown_prefix_characters_read_as_unk(vocab: Vocab) -> None:
    out = predict("Ab", 2, _net("rnn", vocab), vocab, CPU)
    assert out.startswith("<unk>b")


# --------------------------------------------------------------------------
# grad_clipping
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grad_value", "theta", "expected_norm"),
    [
        pytest.param(1.0, 1.0, 1.0, id="large-clipped-to-theta"),
        pytest.param(1.0, 5, 5.0, id="large-clipped-int-theta"),
        pytest.param(1e-4, 1.0, None, id="small-unchanged"),
        pytest.param(0.0, 1.0, None, id="zero-unchanged"),
    ],
)
def test_grad_clipping__scales_joint_norm(
    grad_value: float, theta: float, expected_norm: float | None, vocab: Vocab
) -> None:
    net = _net("nn-rnn", vocab)
    params = list(net.parameters())
    for p in params:
        p.grad = torch.full_like(p, grad_value)
    params[0].grad = None  # no gradient: skipped
    before = [p.grad.clone() for p in params[1:] if p.grad is not None]
    grad_clipping(net, theta)
    after = [p.grad for p in params[1:] if p.grad is not None]
    assert params[0].grad is None
    norm = math.sqrt(sum(float((g**2).sum()) for g in after))
    if expected_norm is None:
        assert all(torch.equal(a, b) for a, b in zip(after, before, strict=True))
    else:
        assert norm == pytest.approx(expected_norm, rel=1e-5)
        # Every gradient is scaled by the same factor.
        factor = after[0].flatten()[0] / before[0].flatten()[0]
        for a, b in zip(after, before, strict=True):
            assert torch.allclose(a, b * factor)


def test_grad_clipping__no_gradients_is_a_no_op(vocab: Vocab) -> None:
    net = _net("gru", vocab)
    grad_clipping(net, 1.0)
    assert all(p.grad is None for p in net.parameters())


# --------------------------------------------------------------------------
# train_epoch, train
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), NET_CASES)
@pytest.mark.parametrize(
    "use_random_iter",
    [pytest.param(False, id="sequential"), pytest.param(True, id="random")],
)
def test_train_epoch__state_handling_as_d2l(
    name: str,
    kwargs: dict[str, int | bool],
    use_random_iter: bool,
    vocab: Vocab,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    net = _net(name, vocab, **kwargs)
    train_iter, _ = load_data_time_machine(2, 5, use_random_iter, max_tokens=100)
    calls: list[int] = []
    begin_state = net.begin_state

    def counting_begin_state(*, batch_size: int, device: torch.device) -> object:
        calls.append(batch_size)
        return begin_state(batch_size=batch_size, device=device)

    monkeypatch.setattr(net, "begin_state", counting_begin_state)
    before = [p.detach().clone() for p in net.parameters()]
    updater = torch.optim.SGD(net.parameters(), 1.0)
    ppl, speed = train_epoch(net, train_iter, nn.CrossEntropyLoss(), updater, CPU, use_random_iter)
    assert 1.0 < ppl < 2 * len(vocab)  # near uniform (28) at the start
    assert speed > 0
    # A fresh state per minibatch with random sampling, one carried over otherwise.
    if use_random_iter:
        assert len(calls) in (len(train_iter), len(train_iter) - 1)
        assert set(calls) == {2}
    else:
        assert calls == [2]
    assert any(not torch.equal(p, b) for p, b in zip(net.parameters(), before, strict=True))


def test_train_epoch__progress_bar_on_stderr(
    vocab: Vocab, capsys: pytest.CaptureFixture[str]
) -> None:
    net = _net("nn-gru", vocab)
    train_iter, _ = load_data_time_machine(2, 5, max_tokens=100)
    updater = torch.optim.SGD(net.parameters(), 1.0)
    train_epoch(net, train_iter, nn.CrossEntropyLoss(), updater, "cpu", False, progress="ep")
    err = capsys.readouterr().err
    total = int(re.findall(r"\] \d+/(\d+)", err)[-1])
    assert total in (len(train_iter), len(train_iter) - 1)
    assert f"ep [{'#' * 30}] {total}/{total}" in err
    assert err.endswith("\n")


def test_train_epoch__empty_iterator_raises(vocab: Vocab) -> None:
    net = _net("nn-gru", vocab)
    updater = torch.optim.SGD(net.parameters(), 1.0)
    with pytest.raises(ValueError, match="train_iter yielded no minibatches"):
        train_epoch(net, [], nn.CrossEntropyLoss(), updater, CPU, False)


def test_train__returns_history_and_logs(vocab: Vocab) -> None:
    net = _net("nn-gru", vocab, hiddens=16)
    train_iter, vocab = load_data_time_machine(4, 8, max_tokens=2000)
    lines: list[str] = []
    history = train(
        net,
        train_iter,
        vocab,
        2,
        4,
        CPU,
        predict_len=7,
        prefixes=("time traveller", "the "),
        sample_every=2,
        log=lines.append,
    )
    assert isinstance(history, TrainHistory)
    assert len(history.perplexities) == len(history.tokens_per_sec) == 4
    assert history.perplexities[-1] < history.perplexities[0]
    assert all(s > 0 for s in history.tokens_per_sec)
    assert list(history.samples) == ["time traveller", "the "]
    for prefix, sample in history.samples.items():
        assert sample.startswith(prefix)
        assert len(sample.replace("<unk>", "?")) == len(prefix) + 7
    epoch_lines = [line for line in lines if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in epoch_lines] == [f"epoch {i}/4" for i in range(1, 5)]
    for line, ppl in zip(epoch_lines, history.perplexities, strict=True):
        assert f"perplexity {ppl:.2f}" in line and "tokens/sec on cpu" in line
    # Samples every 2 epochs (d2l: every 10), then the summary and each prefix.
    assert lines[2].startswith("time traveller") and lines[5].startswith("time traveller")
    assert lines[-3].startswith(f"perplexity {history.perplexities[-1]:.1f}")
    assert lines[-2:] == [history.samples["time traveller"], history.samples["the "]]


@pytest.mark.parametrize(
    ("lr", "num_epochs", "message"),
    [
        pytest.param(1.0, 0, "num_epochs must be a positive integer, got 0", id="epochs-0"),
        pytest.param(0.0, 1, "lr must be positive, got 0.0", id="lr-0"),
        pytest.param(float("nan"), 1, "lr must be positive, got nan", id="lr-nan"),
    ],
)
def test_train__bad_arguments_raise(lr: float, num_epochs: int, message: str, vocab: Vocab) -> None:
    train_iter, _ = load_data_time_machine(2, 5, max_tokens=100)
    with pytest.raises(ValueError, match=message):
        train(_net("nn-gru", vocab), train_iter, vocab, lr, num_epochs, CPU)


# --------------------------------------------------------------------------
# ProgressBar, plot_perplexity
# --------------------------------------------------------------------------


def test_progress_bar__draws_only_visible_changes() -> None:
    stream = io.StringIO()
    bar = ProgressBar(1000, "epoch 1/2", width=10, stream=stream)
    for i in range(1, 1001):
        bar.update(i)
    bar.close()
    text = stream.getvalue()
    draws = text.split("\r")[1:]
    assert len(draws) == 11  # 0/10 ... 10/10 filled
    assert draws[0] == "epoch 1/2 [----------] 0/1000"
    assert draws[5].startswith("epoch 1/2 [#####-----] 500/1000")
    assert draws[-1] == "epoch 1/2 [##########] 1000/1000\n"


def test_progress_bar__unknown_total_counts() -> None:
    stream = io.StringIO()
    bar = ProgressBar(0, "x", stream=stream)
    bar.update(3)
    bar.close()
    assert stream.getvalue() == "\rx 0 batches\rx 3 batches\n"


def test_plot_perplexity__writes_png(tmp_path: Path) -> None:
    path = tmp_path / "ppl.png"
    assert plot_perplexity([20.0, 12.5, 9.0], path) is True
    assert path.read_bytes().startswith(PNG_MAGIC)


def test_plot_perplexity__without_matplotlib_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for module in (
        "matplotlib",
        "matplotlib.figure",
        "matplotlib.backends.backend_agg",
        "matplotlib.ticker",
    ):
        monkeypatch.setitem(sys.modules, module, None)
    path = tmp_path / "ppl.png"
    assert plot_perplexity([3.0, 2.0], path) is False
    assert not path.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "plot skipped" in err and "pip install shapecheck[models]" in err


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------

OPTIONS = [
    "--ddp",
    "--model",
    "--bidirectional",
    "--layers",
    "--epochs",
    "--hiddens",
    "--batch-size",
    "--steps",
    "--lr",
    "--seed",
    "--device",
    "--max-tokens",
    "--random-iter",
    "--plot",
    "--no-plot",
    "--predict-len",
    "--threads",
]


def test_main__help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {PROG}")
    for option in OPTIONS:
        assert re.search(rf"^\s+{option}\b", out, re.MULTILINE), option
    for model in MODELS:
        assert model in out
    documented = {s for a in _build_parser()._actions for s in a.option_strings}
    assert documented == {*OPTIONS, "-h", "--help"}
    assert all(action.help for action in _build_parser()._actions)


def test_main__threads_default_suits_a_shared_cpu() -> None:
    import os

    from models.cli import DEFAULT_THREADS

    assert DEFAULT_THREADS == max(1, min(4, (os.cpu_count() or 2) // 2))
    assert _build_parser().parse_args([]).threads == DEFAULT_THREADS
    assert _build_parser().parse_args(["--threads", "3"]).threads == 3


def test_main__defaults_and_choices_come_from_dims_and_the_model_table() -> None:
    args = _build_parser().parse_args([])
    sizes = shapes.example("d2l")
    assert (args.batch_size, args.steps, args.hiddens) == (
        sizes["batch"],
        sizes["steps"],
        sizes["hiddens"],
    )
    assert {k: sizes[k] for k in D2L_SIZES} == dict(D2L_SIZES)
    (model,) = [a for a in _build_parser()._actions if "--model" in a.option_strings]
    assert tuple(model.choices or ()) == MODELS and model.default == MODELS[0]


BAD_INPUTS = [
    pytest.param(["--model", "x"], "argument --model: invalid choice: 'x'", id="model"),
    pytest.param(
        ["--epochs", "0"],
        "argument --epochs: must be a positive integer, got '0'",
        id="epochs-0",
    ),
    pytest.param(
        ["--epochs", "two"],
        "argument --epochs: must be a positive integer, got 'two'",
        id="epochs-text",
    ),
    pytest.param(
        ["--hiddens", "-3"],
        "argument --hiddens: must be a positive integer, got '-3'",
        id="hiddens",
    ),
    pytest.param(
        ["--batch-size", "0"],
        "argument --batch-size: must be a positive integer",
        id="batch-size",
    ),
    pytest.param(["--steps", "0"], "argument --steps: must be a positive integer", id="steps"),
    pytest.param(
        ["--threads", "0"], "argument --threads: must be a positive integer, got '0'", id="threads"
    ),
    pytest.param(
        ["--model", "nn-lstm", "--layers", "0"],
        "argument --layers: must be a positive integer",
        id="layers-0",
    ),
    pytest.param(["--lr", "0"], "argument --lr: must be a positive number, got '0'", id="lr-0"),
    pytest.param(
        ["--lr", "-0.5"],
        "argument --lr: must be a positive number, got '-0.5'",
        id="lr-negative",
    ),
    pytest.param(
        ["--lr", "nan"],
        "argument --lr: must be a positive number, got 'nan'",
        id="lr-nan",
    ),
    pytest.param(["--seed", "-1"], "argument --seed: must be a non-negative integer", id="seed"),
    pytest.param(
        ["--predict-len", "-1"],
        "argument --predict-len: must be a non-negative integer",
        id="predict-len",
    ),
    pytest.param(
        ["--max-tokens", "0"],
        "argument --max-tokens: must be a positive integer or -1",
        id="max-tokens-0",
    ),
    pytest.param(
        ["--max-tokens", "100"],
        "corpus of 100 tokens is too short for one minibatch",
        id="max-tokens-short",
    ),
    pytest.param(
        ["--batch-size", "4096", "--steps", "64"],
        "corpus of 170580 tokens is too short",
        id="batch-too-big",
    ),
    pytest.param(
        ["--layers", "2"],
        "argument --layers: only valid with the nn-* models",
        id="layers-scratch",
    ),
    pytest.param(
        ["--model", "gru", "--bidirectional"],
        "argument --bidirectional: only valid with the nn-* models "
        "(nn-lstm, nn-gru, nn-rnn), not --model gru",
        id="bidirectional-scratch",
    ),
    pytest.param(["--device", "tpu"], "argument --device: unknown device 'tpu'", id="device-tpu"),
    pytest.param(
        ["--device", "cuda:99"],
        "argument --device: device 'cuda:99' is not available",
        id="device-cuda-99",
    ),
    pytest.param(
        ["--device", "meta"],
        "argument --device: unsupported device 'meta'",
        id="device-meta",
    ),
    pytest.param(
        ["--plot", "/nonexistent-dir/ppl.png"],
        "argument --plot: directory '/nonexistent-dir' does not exist",
        id="plot-dir",
    ),
    pytest.param(["--frobnicate"], "unrecognized arguments: --frobnicate", id="unknown-option"),
    pytest.param(["--epochs"], "argument --epochs: expected one argument", id="missing-value"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUTS)
def test_main__bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"{PROG}: error: ")
    assert message in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_main__cuda_without_cuda_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"{PROG}: error: argument --device: device 'cuda' is not available: "
        "this torch build or machine has no CUDA device\n"
    )


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    path = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    return subprocess.run(
        [sys.executable, "-m", "models.train", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_main__subprocess_bad_model_is_one_line_and_exit_2() -> None:
    result = _run_module("--model", "x")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{PROG}: error: argument --model: invalid choice: 'x' (choose from "
        + ", ".join(f"'{m}'" for m in MODELS)
        + ")\n"
    )


def test_import__does_not_import_matplotlib() -> None:
    code = "import sys, models.cli, models.train; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_main__short_training_run_lowers_perplexity_and_plots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = tmp_path / "ppl.png"
    argv = ["--model", "lstm", "--hiddens", "32", "--max-tokens", "10000"]
    argv += ["--epochs", "3", "--plot", str(plot), "--predict-len", "20"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    ppls = [
        float(p)
        for p in re.findall(
            r"^epoch \d/3: perplexity ([\d.]+), [\d.]+ tokens/sec on cpu$",
            out,
            re.MULTILINE,
        )
    ]
    assert len(ppls) == 3
    assert ppls[0] > ppls[1] > ppls[2]
    assert ppls[0] < 30  # started near uniform over 28 tokens
    lines = out.splitlines()
    assert lines[-3].startswith("time traveller") and len(lines[-3]) == 14 + 20
    assert lines[-2].startswith("traveller") and len(lines[-2]) == 9 + 20
    assert lines[-1] == f"perplexity plot written to {plot}"
    assert plot.read_bytes().startswith(PNG_MAGIC)
    for epoch in (1, 2, 3):
        assert re.search(rf"epoch {epoch}/3 \[#{{30}}\] (\d+)/\1", err)


def test_main__no_plot_and_nn_model_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["--model", "nn-gru", "--layers", "2", "--bidirectional", "--hiddens", "8"]
    argv += ["--max-tokens", "2000", "--epochs", "1", "--no-plot", "--random-iter"]
    argv += ["--batch-size", "4", "--steps", "10", "--predict-len", "5", "--seed", "3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "epoch 1/1: perplexity" in out
    assert "plot" not in out
    assert list(tmp_path.iterdir()) == []
