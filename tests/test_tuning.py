"""The tuning constants live in gradkit.tuning, each with its why, and the modules use those very values."""
import ast
import inspect

import gradkit.tuning as tuning
from gradkit import backend, optimizers
from gradkit.autograd import conv, rnn
from gradkit.training import batching, compiled, trainer


def test_every_constant_says_why():
    body = ast.parse(inspect.getsource(tuning)).body
    names = [t.id for node in body if isinstance(node, ast.Assign) for t in node.targets]
    assert names and all(n.isupper() for n in names)
    for i, node in enumerate(body):
        if isinstance(node, ast.Assign):  # a docstring right below each constant
            after = body[i + 1]
            assert isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant), node.targets[0].id
            assert len(after.value.value) > 80


def test_the_modules_use_the_tuning_values():
    assert optimizers.FLAT_MAX_SIZE is tuning.FLAT_MAX_SIZE and batching.SMALL_DATA_BYTES is tuning.SMALL_DATA_BYTES
    assert trainer.FULL_EVAL_BATCH is tuning.FULL_EVAL_BATCH
    assert inspect.signature(compiled.CompiledStep).parameters["max_signatures"].default == tuning.MAX_SIGNATURES
    assert inspect.signature(backend.dot).parameters["min_work"].default == tuning.DOT_SPLIT_MIN_WORK
    assert inspect.signature(backend.batch_parts).parameters["min_rows"].default == tuning.BATCH_PART_MIN_ROWS
    assert inspect.signature(rnn._chunks).parameters["cache"].default == tuning.RNN_BLOCK_BYTES
    assert conv.Conv.KEEP_COLS_MAX == tuning.CONV_KEEP_WINDOWS_MAX
    assert inspect.signature(conv.Conv._chunk).parameters["most"].default == tuning.CONV_WINDOW_CHUNK
