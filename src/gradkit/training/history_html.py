"""A History as HTML for notebooks: one small inline PNG of the curves and a table (first and last epochs)."""
import base64
import io
from html import escape

_SHOWN = 5  # epochs shown at each end of a long table


def _plot_png(history):
    """A PNG (bytes) of each quantity per epoch, val_ beside its training curve; None without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    bases = [k for k in history if not k.startswith("val_")]
    bases += [k[4:] for k in history if k.startswith("val_") and k[4:] not in history]
    fig = Figure(figsize=(3.2 * len(bases), 2.4))
    for ax, key in zip(fig.subplots(1, len(bases), squeeze=False)[0], bases):
        for name, style in ((key, "o-"), ("val_" + key, "-")):
            if name in history:
                v = [float(a) for a in history[name]]  # host floats: matplotlib draws from the host anyway
                ax.plot(range(1, len(v) + 1), v, style, ms=2, lw=1, label=name)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)  # whole epochs only: no 2.5 ticks
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72)
    return buf.getvalue()


def _rows(history):
    n = max((len(v) for v in history.values()), default=0)
    keep = range(n) if n <= 2 * _SHOWN else [*range(_SHOWN), None, *range(n - _SHOWN, n)]
    out = []
    for i in keep:
        if i is None:
            out.append(f"<tr><td colspan='{len(history) + 1}'>… {n - 2 * _SHOWN} epochs …</td></tr>")
            continue
        cells = "".join(f"<td style='text-align:right'>{float(v[i]):.4g}</td>" if i < len(v) else "<td></td>"
                        for v in history.values())
        out.append(f"<tr><td>{i + 1}</td>{cells}</tr>")
    return "".join(out)


def history_html(history):
    """HTML for a History's ``.history`` dict: the curves (PNG, embedded) above the per-epoch table."""
    if not history:
        return "<p>History: no epochs yet</p>"
    png = _plot_png(history)
    img = f"<img src='data:image/png;base64,{base64.b64encode(png).decode()}'>" if png else ""
    head = "".join(f"<th>{escape(k)}</th>" for k in history)
    return f"<div>{img}<table><thead><tr><th>epoch</th>{head}</tr></thead><tbody>{_rows(history)}</tbody></table></div>"
