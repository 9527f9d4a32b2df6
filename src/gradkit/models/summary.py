"""model.summary(): the Keras-like table of layers, output shapes and parameter counts."""


def _size(n_bytes):
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def _shape(s):
    return "?" if s is None else "(" + ", ".join("None" if d is None else str(d) for d in s) + \
        ("," if len(s) == 1 else "") + ")"


def _row(cells, widths):
    out = ""
    for c, w in zip(cells, widths[:-1]):
        out += (c if len(c) < w else c[:w - 2] + "…").ljust(w)
    return out + cells[-1].rjust(widths[-1])


def summary_rows(model):
    """([(layer, output shape, params)], [(total line label, count, bytes)]): what summary() shows."""
    shapes = model._layer_output_shapes()
    rows = [(f"{layer.name} ({type(layer).__name__})", _shape(shapes.get(layer.name)),
             f"{layer.count_params():,}" if getattr(layer, "built", False) else "0 (unbuilt)")
            for layer in model.layers]
    total = sum(w.size * w.dtype.itemsize for w in model.weights)
    trainable = model.trainable_weights
    t_count, t_bytes = sum(w.size for w in trainable), sum(w.size * w.dtype.itemsize for w in trainable)
    n_count = sum(w.size for w in model.non_trainable_weights)
    opt = _optimizer_params(model)
    o_count, o_bytes = opt or (0, 0)
    totals = [("Total params", t_count + n_count + o_count, total + o_bytes), ("Trainable params", t_count, t_bytes),
              ("Non-trainable params", n_count, total - t_bytes)]
    if opt is not None:  # Keras 3 adds this line (and counts it in the total) once fit built the optimizer
        totals.append(("Optimizer params", o_count, o_bytes))
    return rows, totals


def _optimizer_params(model):
    """(count, bytes) of the optimizer's state once built (iterations, learning rate, slots), else None."""
    opt = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    if opt is None or not getattr(opt, "built", False):
        return None
    variables = opt.variables
    return sum(v.size for v in variables), sum(v.size * v.dtype.itemsize for v in variables)


def summary_text(model, line_length=80):
    """The summary as a string (what summary() prints)."""
    widths = [int(line_length * 0.45), int(line_length * 0.33)]
    widths.append(line_length - sum(widths))
    rows, totals = summary_rows(model)
    lines = [f'Model: "{model.name}"', "_" * line_length, _row(["Layer (type)", "Output Shape", "Param #"], widths),
             "=" * line_length]
    for i, row in enumerate(rows):
        lines.append(_row(list(row), widths))
        lines.append("_" * line_length if i == len(rows) - 1 else "")
    if not rows:
        lines.append("_" * line_length)
    lines[-1] = "=" * line_length if rows else lines[-1]
    lines += [f" {label}: {count:,} ({_size(n_bytes)})" for label, count, n_bytes in totals]
    return "\n".join(lines)


def summary_html(model):
    """The summary as an HTML table (a notebook shows this for a model)."""
    from html import escape
    rows, totals = summary_rows(model)
    body = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td><td style='text-align:right'>{escape(c)}</td></tr>"
                   for a, b, c in rows)
    foot = "<br>".join(f"{label}: {count:,} ({_size(n_bytes)})" for label, count, n_bytes in totals)
    return (f"<div><b>Model: \"{escape(model.name)}\"</b><table><thead><tr><th>Layer (type)</th>"
            f"<th>Output Shape</th><th>Param #</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p style='font-size:.9em'>{foot}</p></div>")
