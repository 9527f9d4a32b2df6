"""The course's experiments as named recipes: ``gradkit run NAME`` / ``gradkit tour``, or from Python.

>>> from gradkit import recipes
>>> recipes.run_recipe("logic-gates", "runs/gates", quick=True).status
'ok'
"""
from .base import Comparison, Recipe, Result
from .registry import TOUR, get, names
from .runner import Progress, RunRecord, default_out_dir, run_recipe, run_tour

__all__ = ["Recipe", "Result", "Comparison", "get", "names", "TOUR", "Progress", "RunRecord", "run_recipe",
           "run_tour", "default_out_dir"]
