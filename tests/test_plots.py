"""Every picture is a real PNG, drawn from recorded arrays whose values are checked here."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")

from gradkit import descent as D  # noqa: E402
from gradkit import plots  # noqa: E402
from gradkit.reference import least_squares  # noqa: E402
from gradkit.training.history import History  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 5000


@pytest.fixture(scope="module")
def boston():
    return D.boston_rm_lstat()


def test_history_curves_from_history_and_dict(tmp_path):
    h = History()
    for epoch, logs in enumerate([{"loss": 1.0, "acc": 0.5, "val_loss": 1.2, "val_acc": 0.4},
                                  {"loss": 0.5, "acc": 0.8, "val_loss": 0.9, "val_acc": 0.6}]):
        h.on_epoch_end(epoch, logs)
    assert h.history["val_acc"] == [0.4, 0.6]
    assert_png(plots.plot_history(h, tmp_path / "h.png"))
    assert_png(plots.plot_history({"loss": [3.0, 2.0, 1.0]}, tmp_path / "sub" / "loss.png"))


def test_strategies_on_the_loss_surface(boston, tmp_path):
    x, y = boston
    runs = {s: D.linear_gd(x, y, steps=100, strategy=s, seed=1) for s in D.STRATEGIES}
    for r in runs.values():
        assert r.weights.shape == (101, 2) and np.array_equal(r.weights[0], [0, 0])
    assert np.array_equal(runs["full"].loss[0], runs["sgd"].loss[0])  # one start for all
    w1, w2 = np.meshgrid(np.linspace(-5, 35, 60), np.linspace(-35, 5, 50))
    z = D.mse_surface(x, y, w1, w2)
    assert z.shape == (50, 60)
    ls = least_squares(x, y)
    assert z.min() >= ls.mse - 1e-9  # the surface's floor is the least-squares optimum
    assert_png(plots.plot_loss_surface(w1, w2, z, {k: r.weights for k, r in runs.items()}, tmp_path / "s.png",
                                       optimum=ls.weights))
    assert_png(plots.plot_loss_curves({k: r.loss for k, r in runs.items()}, tmp_path / "c.png", optimum=ls.mse))


def test_learning_rates_figure_cuts_the_diverging_curve(boston, tmp_path):
    x, y = boston
    res = D.lr_sweep(x, y, lrs=(1e-4, 0.01, 1.0), steps=100, verbose=False)
    start = np.mean((y - 1.0) ** 2)
    assert all(r.loss[0] == pytest.approx(start, rel=1e-14) for r in res.values())
    assert res[1.0].diverged and not res[0.01].diverged
    steps, clipped, first = plots._clip_curve(res[1.0].loss, ceiling=10 * start)
    assert first == int(np.argmax(res[1.0].loss > 10 * start)) and clipped[-1] == 10 * start
    assert len(clipped) == first + 1
    assert_png(plots.plot_learning_rates({f"lr={k:g}": r.loss for k, r in res.items()}, tmp_path / "lr.png"))


def test_clip_curve_cuts_at_the_first_bad_point():
    steps, v, first = plots._clip_curve([5.0, 3.0, np.inf, np.nan], ceiling=10.0)
    assert first == 2 and v.tolist() == [5.0, 3.0, 10.0] and steps.tolist() == [0, 1, 2]
    assert plots._clip_curve([1.0, 2.0], ceiling=10.0)[2] is None


def test_local_minimum_picture(tmp_path):
    runs = {"from 2.0": D.descend_1d(x0=2.0).xs, "from -0.5": D.descend_1d(x0=-0.5).xs}
    g, loc = D.quartic_minima()
    assert runs["from 2.0"][-1] == pytest.approx(loc, abs=1e-6)
    assert runs["from -0.5"][-1] == pytest.approx(g, abs=1e-6)
    assert_png(plots.plot_descent_1d(D.quartic, runs, tmp_path / "1d.png"))


def test_decision_boundary_for_a_two_input_classifier(tmp_path):
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    seen = []

    def predict(a):
        seen.append(a.shape)
        return (1 / (1 + np.exp(-(10 * a[:, 0] + 10 * a[:, 1] - 15))))[:, None]  # an AND neuron, (n, 1)

    assert_png(plots.plot_decision_boundary(predict, x, [0, 0, 0, 1], tmp_path / "and.png", resolution=50))
    assert seen == [(2500, 2)]


def _captured(monkeypatch):
    """Keep the figure a plot function saves, to measure where its texts landed."""
    figs = []
    real = plots._save
    monkeypatch.setattr(plots, "_save", lambda fig, path: (figs.append(fig), real(fig, path))[1])
    return figs


def _boxes(fig, artists):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)  # the saved Figure has a bare canvas: draw it with Agg to measure texts
    canvas.draw()
    renderer = canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


def test_diverging_label_is_not_under_the_legend_and_stays_in_the_figure(boston, tmp_path, monkeypatch):
    figs = _captured(monkeypatch)
    res = D.lr_sweep(*boston, lrs=(1e-4, 0.01, 1.0), steps=300, verbose=False)
    plots.plot_learning_rates({f"lr {k:g}": r.loss for k, r in res.items()}, tmp_path / "lr.png", optimum=30.0)
    ax = figs[0].axes[0]
    (label,) = [t for t in ax.texts if "diverging" in t.get_text()]
    legend, text = _boxes(figs[0], [ax.get_legend(), label])
    assert not legend.overlaps(text)
    assert figs[0].bbox.contains(text.x0, text.y0) and figs[0].bbox.contains(text.x1, text.y1)


def test_logic_gate_tick_labels_do_not_overlap(tmp_path, monkeypatch):
    figs = _captured(monkeypatch)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    plots.plot_decision_boundary(lambda a: np.full(len(a), 0.5) + 1e-5 * a[:, 0], x, [0, 1, 1, 0], tmp_path / "x.png")
    fig = figs[0]
    for ax in fig.axes:  # the plot and its colour bar
        for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
            shown = [t for t in ticks if t.get_text()]
            boxes = _boxes(fig, shown)
            assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), \
                [t.get_text() for t in shown]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "1"]


def test_history_plot_names_the_validation_data(tmp_path, monkeypatch):
    figs = _captured(monkeypatch)
    plots.plot_history({"loss": [2.0, 1.0], "val_loss": [2.5, 1.5]}, tmp_path / "h.png", val_name="test")
    ax = figs[0].axes[0]
    assert ax.get_title() == "Training and test loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Training loss", "Test loss"]


def test_history_plots_tick_whole_epochs_only(tmp_path, monkeypatch):
    figs = _captured(monkeypatch)
    plots.plot_history({"loss": [3.0, 2.0, 1.0]}, tmp_path / "h.png")
    ticks = [t for t in figs[0].axes[0].get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_notebook_history_png_ticks_whole_epochs_only(monkeypatch):
    from matplotlib.figure import Figure
    from gradkit.training import history_html
    seen = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: seen.append(self))
    history_html._plot_png({"loss": [3.0, 2.0, 1.0], "val_loss": [3.5, 2.5, 1.5]})
    ticks = [t for t in seen[0].axes[0].get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
