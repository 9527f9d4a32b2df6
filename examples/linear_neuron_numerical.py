"""The same linear neuron, its gradients taken by central differences instead of backprop (the course's first way).

Each step nudges every parameter by ±1e-5 and measures the MSE change: 2 loss evaluations per
parameter, no graph. It lands where backprop does (gradkit's MSE 30.5291 after 5000 steps).
Run:  python examples/linear_neuron_numerical.py [--steps N]
"""
import argparse

from gradkit import Tensor, no_grad
from gradkit.descent import boston_rm_lstat
from gradkit.gradcheck import numerical_gradient


def main(steps=5000, lr=0.01, print_every=500):
    """Train and print the MSE every ``print_every`` steps; returns (w1, w2, bias, final MSE)."""
    x, y = boston_rm_lstat()
    rm, lstat, price = Tensor(x[:, 0]), Tensor(x[:, 1]), Tensor(y)
    w1, w2, bias = (Tensor([v], dtype="float64") for v in (0.0, 0.0, 1.0))
    params = (w1, w2, bias)

    def mse(_=None):
        return ((price - (w1 * rm + w2 * lstat + bias)) ** 2).mean()

    with no_grad():
        for step in range(1, steps + 1):
            grads = [numerical_gradient(mse, p, eps=1e-5) for p in params]  # (f(p+ε) − f(p−ε)) / 2ε
            loss = mse()
            for p, g in zip(params, grads):
                p.data -= lr * g
            if print_every and step % print_every == 0:
                print(f"step {step:5d}  mse {loss.item():.4f}")
        final = mse().item()
    print(f"w1 {w1.item():.4f}  w2 {w2.item():.4f}  bias {bias.item():.4f}  final mse {final:.4f}")
    return w1.item(), w2.item(), bias.item(), final


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    main(parser.parse_args().steps)
