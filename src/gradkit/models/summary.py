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


def summary_text(model, line_length=80):
    """The summary as a string (what summary() prints)."""
    widths = [int(line_length * 0.45), int(line_length * 0.33)]
    widths.append(line_length - sum(widths))
    shapes = model._layer_output_shapes()
    lines = [f'Model: "{model.name}"', "_" * line_length, _row(["Layer (type)", "Output Shape", "Param #"], widths),
             "=" * line_length]
    for i, layer in enumerate(model.layers):
        built = getattr(layer, "built", False)
        params = f"{layer.count_params():,}" if built else "0 (unbuilt)"
        lines.append(_row([f"{layer.name} ({type(layer).__name__})", _shape(shapes.get(layer.name)), params], widths))
        lines.append("_" * line_length if i == len(model.layers) - 1 else "")
    if not model.layers:
        lines.append("_" * line_length)
    lines[-1] = "=" * line_length if model.layers else lines[-1]
    total = sum(w.size * w.dtype.itemsize for w in model.weights)
    trainable = model.trainable_weights
    t_count, t_bytes = sum(w.size for w in trainable), sum(w.size * w.dtype.itemsize for w in trainable)
    n_count = sum(w.size for w in model.non_trainable_weights)
    opt = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    opt_vars = opt.variables if opt is not None and getattr(opt, "built", False) else None
    o_count = sum(v.size for v in opt_vars) if opt_vars else 0
    o_bytes = sum(v.size * v.dtype.itemsize for v in opt_vars) if opt_vars else 0
    lines += [f" Total params: {t_count + n_count + o_count:,} ({_size(total + o_bytes)})",
              f" Trainable params: {t_count:,} ({_size(t_bytes)})",
              f" Non-trainable params: {n_count:,} ({_size(total - t_bytes)})"]
    if opt_vars is not None:  # Keras 3 adds this line once fit has built the optimizer's state
        lines.append(f" Optimizer params: {o_count:,} ({_size(o_bytes)})")
    return "\n".join(lines)
