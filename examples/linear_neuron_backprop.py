"""A linear neuron on Boston housing, trained by full-batch gradient descent with backprop (the course's loop).

price ≈ w1·RM + w2·LSTAT + bias, RM and LSTAT MinMax-scaled to [0, 1], all 506 rows, MSE loss,
w1 = w2 = 0, bias = 1, learning rate 0.01, 5000 steps: the course's "Epoch 5000" line prints the loss before the
5000th update, 30.52907816250869, and its final weights w1 25.4186, w2 −23.6005, bias 16.3857
(gradkit.recipes.course_figures). This script prints the MSE after the last update (gradkit's: 30.5291).
Run:  python examples/linear_neuron_backprop.py [--steps N]
"""
import argparse

from gradkit import Tensor
from gradkit.descent import boston_rm_lstat


def main(steps=5000, lr=0.01, print_every=500):
    """Train and print the MSE every ``print_every`` steps; returns (w1, w2, bias, final MSE)."""
    x, y = boston_rm_lstat()
    rm, lstat, price = Tensor(x[:, 0]), Tensor(x[:, 1]), Tensor(y)
    w1 = Tensor([0.0], requires_grad=True, dtype="float64")  # shape (1,), as the course's np.zeros((1,))
    w2 = Tensor([0.0], requires_grad=True, dtype="float64")
    bias = Tensor([1.0], requires_grad=True, dtype="float64")
    params = (w1, w2, bias)
    for step in range(1, steps + 1):
        predicted = w1 * rm + w2 * lstat + bias
        loss = ((price - predicted) ** 2).mean()
        for p in params:
            p.zero_grad()
        loss.backward()  # fills w1.grad, w2.grad, bias.grad with ∂loss/∂p
        for p in params:
            p.data -= lr * p.grad.data
        if print_every and step % print_every == 0:
            print(f"step {step:5d}  mse {loss.item():.4f}")
    mse = ((price - (w1 * rm + w2 * lstat + bias)) ** 2).mean().item()
    print(f"w1 {w1.item():.4f}  w2 {w2.item():.4f}  bias {bias.item():.4f}  final mse {mse:.4f}")
    return w1.item(), w2.item(), bias.item(), mse


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    main(parser.parse_args().steps)
