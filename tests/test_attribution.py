"""Every number called the course's is in the course-figures table, and every stated agreement is what the digits show.

Scanned: the text of the recipes' reports (quick runs of the offline recipes, the full logic-gates and boston-gd
loops, the rendered tour report), the tutorials (markdown cells and stored outputs), the tutorial index and the
getting-started page. The checker itself is tested on planted false attributions, so it can fail.
"""
import html
import json
import re
from pathlib import Path

import pytest

from gradkit.recipes import run_recipe, run_tour
from gradkit.recipes.course_figures import FIGURES, agreeing_digits, agreement

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NUMBER = re.compile(r"(?<![\w.·/])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(`*])|\n")
ATTRIBUTION = re.compile(
    r"\bcourse(?:'s)?\s*[:(]\s*|\bcourse\s+(?=[-−]?\d)"
    r"|\bcourse(?:'s)?\s+(?:code\s+|notes\s+|own\s+|loop\s+)?(?:printed|prints|states|stated|reports|reported|gives"
    r"|gave|estimated|estimates|shows|claims)\b"
    r"|\bcourse's\s+(?:figures?|numbers?|results?|printout|printed|values?|estimate|accurac(?:y|ies))\b", re.I)
CLAIM = re.compile(r"every (?:printed )?digit|to the last digit|(?:all )?(\d+) of (?:the )?(\d+) (?:printed |[a-z]+ )?"
                   r"digits", re.I)
AGREES = re.compile(r"\b(?:agree|agrees|matches|match|reproduces|reproduce)\b", re.I)
SETUP = {n for f in FIGURES.values() for n in NUMBER.findall(f"{f.setup} {f.where} {f.measures} {f.held}")}
"""Numbers of the figures' setups (5000 steps, lr 0.01, ...): a sentence may name them beside a course figure."""


def _float(text):
    return float(text.replace("−", "-").replace(",", ""))


def figure_of(number):
    """The course figure that ``number`` (a string) writes with exactly its printed digits; None if none."""
    for fig in FIGURES.values():
        if number.replace("−", "-") == fig.printed:
            return fig
    return None


def false_attributions(text):
    """(number, sentence) for each number called the course's that neither the table nor its setups hold."""
    bad = []
    for sentence in SENTENCE.split(text):
        for marker in ATTRIBUTION.finditer(sentence):
            for number in NUMBER.findall(sentence[marker.end():]):
                if figure_of(number) is None and number.lstrip("-−") not in SETUP:
                    bad.append((number, sentence.strip()))
    return bad


def false_agreements(text):
    """Sentences that claim agreement with the course beyond what their numbers show (or without the numbers)."""
    bad = []
    for sentence in SENTENCE.split(text):
        if "course" not in sentence.lower():
            continue
        claim = CLAIM.search(sentence)
        if not claim and not AGREES.search(sentence):
            continue
        counts = {g for g in (claim.groups() if claim else ()) if g}
        numbers = [n for n in NUMBER.findall(sentence) if n not in counts]
        figs = [(n, figure_of(n)) for n in numbers if figure_of(n)]
        measured = [_float(n) for n in numbers if not figure_of(n) and n.lstrip("-−") not in SETUP]
        pairs = [(fig, agreeing_digits(m, fig.printed)) for _, fig in figs for m in measured]
        if claim is None:  # plain "agrees"/"matches": when both numbers are there, they must agree
            within = re.search(r"(?:to about|within) (\d+(?:\.\d+)?(?:e-?\d+)?)", sentence)
            tol = float(within.group(1)) if within else None
            if figs and measured and not any(
                    n == m or (tol is not None and abs(mm - fig.value) <= tol)
                    for _, fig in figs for mm in measured for n, m in [agreeing_digits(mm, fig.printed)]):
                bad.append(sentence.strip())
            continue
        if not pairs:
            bad.append(sentence.strip())  # a digit claim must stand beside the numbers it rests on
        elif claim.group(1):
            if not any(p == (int(claim.group(1)), int(claim.group(2))) for _, p in pairs):
                bad.append(sentence.strip())
        elif not any(fig.complete and n == m for fig, (n, m) in pairs):
            bad.append(sentence.strip())  # "every printed digit" needs every printed digit in the table
    return bad


def comparison_problems(comparisons):
    """Report rows whose course figure is not the table's, or whose stated digit agreement is not computed."""
    bad = []
    printed = {f.printed: f for f in FIGURES.values()}
    for c in comparisons:
        c = c if isinstance(c, dict) else c.to_dict()
        src = c.get("source") or ""
        if c.get("printed"):
            fig = printed.get(c["printed"])
            if fig is None or fig.value != c["published"]:
                bad.append((c["quantity"], "printed figure not in the table"))
            note = c.get("note") or ""
            found = re.search(r"(\d+) of the (\d+)", note)
            shown = agreeing_digits(c["measured"], c["printed"]) if c["measured"] is not None else None
            if found and shown != (int(found[1]), int(found[2])):
                bad.append((c["quantity"], "digit agreement not what the numbers show"))
            if re.search(r"every (printed )?digit", note) and (fig is None or not fig.complete
                                                                or shown[0] != shown[1]):
                bad.append((c["quantity"], "digit agreement not what the numbers show"))
        elif c.get("published") is not None and "course" in src and not src.startswith("gradkit's"):
            bad.append((c["quantity"], "a course number without its printed digits"))
        for text in (c["quantity"], c.get("note") or "", src):  # digit claims in notes: checked above
            bad += false_attributions(text)
    return bad


# ---- the checker can fail -------------------------------------------------------------------------

@pytest.mark.parametrize("planted", [
    "The course states 92.4 % test accuracy after 5 epochs.",
    "The course estimated about 47 hours per epoch for its numerical version.",
    "explicit loop: MSE 30.5291   (course: 30.529067)",
    "explicit loop: MSE 30.5291   (course: 30.529)",  # a rounding is not the printed digits
    "fold 3: MAE 2.87   (course 2.6)",
    "mean:   MAE 2.54   (course 2.64)",
])
def test_checker_flags_a_number_the_course_never_printed(planted):
    assert false_attributions(planted)


@pytest.mark.parametrize("planted", [
    "AND agrees with the course to every printed digit.",  # no numbers to rest on
    "gradkit's 0.16043 agrees with the course's 0.160439 to every printed digit.",
    "gradkit's 30.52907816 agrees with the course's 30.52907816250869 to every printed digit.",
    "Its loss 30.529067414 agrees to all 16 of the 16 printed digits of the course's 30.52907816250869.",
    "gradkit's 30.7 matches the course's 30.519.",
])
def test_checker_flags_an_agreement_the_digits_do_not_show(planted):
    assert false_agreements(planted)


def test_checker_passes_true_statements():
    true = ("Before its 5000th update gradkit's loss is 30.529078162508696; it "
            + agreement(30.529078162508696, "boston-gd/loss-epoch-5000")
            + " of the course's 30.52907816250869. (course: AND cost 0.160439, outputs 0.00135 / 0.0887)")
    assert "all 16 of the 16 printed digits" in true
    assert false_attributions(true) == [] and false_agreements(true) == []


def test_checker_flags_a_report_row_with_a_wrong_digit_count():
    row = {"quantity": "loss", "measured": 30.529067414, "published": 30.52907816250869, "note":
           "agrees to all 16 of the 16 printed digits", "printed": "30.52907816250869", "source": "x"}
    assert comparison_problems([row]) == [("loss", "digit agreement not what the numbers show")]
    row.update(printed="", note="", source="printed by the course's loop")
    assert comparison_problems([row]) == [("loss", "a course number without its printed digits")]


def test_the_table_holds_strings_of_every_printed_digit():
    for key, fig in FIGURES.items():
        assert NUMBER.fullmatch(fig.printed), key
        assert fig.measures and fig.setup and fig.where and fig.held, key
    assert FIGURES["boston-gd/loss-epoch-5000"].digits == 16


# ---- the reports --------------------------------------------------------------------------------

def _text(result):
    parts = [*result.reading, *(t["title"] for t in result.tables), *(f["caption"] for f in result.figures)]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def quick_tour(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    page, records = run_tour(out, quick=True)
    return Path(page).read_text(encoding="utf-8"), records


def test_tour_report_attributes_only_table_figures(quick_tour):
    page, records = quick_tour
    assert all(r.status == "ok" for r in records), [r.error for r in records]
    text = html.unescape(re.sub(r"<[^>]+>", "\n", re.sub(r"<(style|img)[^>]*>.*?</\1>|<img[^>]*>", "", page,
                                                         flags=re.S)))
    assert false_attributions(text) == [] and false_agreements(text) == []
    assert "30.52907816250869" in text  # the course's printed digits, not a 7-digit rounding
    for r in records:
        assert comparison_problems(r.result.comparisons) == [], r.name


def test_quick_reports_read_as_quick_runs(quick_tour):
    from gradkit.recipes import get
    for r in quick_tour[1]:
        recipe = get(r.name)
        steps = recipe.quick.get("epochs")
        if steps and steps != recipe.defaults.get("epochs"):
            assert f"{steps} steps" in _text(r.result) or f"{steps} epochs" in _text(r.result), r.name


@pytest.mark.parametrize("name, overrides", [
    ("logic-gates", {}),                                   # the course's 1000 epochs: verdicts and digit counts
    ("boston-gd", {"keras_epochs": 3}),                    # the course's 5000 steps; the Keras part kept short
    ("boston-kfold", {"quick": True}),
    ("boston-kfold", {"quick": True, "variant": "course"}),
])
def test_recipe_reports_attribute_only_table_figures(tmp_path, name, overrides):
    rec = run_recipe(name, tmp_path, plots=False, **overrides)
    assert rec.status == "ok", rec.error
    assert comparison_problems(rec.result.comparisons) == []
    text = _text(rec.result)
    assert false_attributions(text) == [] and false_agreements(text) == []
    assert all(c.agrees is not False for c in rec.result.comparisons)


def test_mnist_report_attributes_nothing_the_course_did_not_print(tmp_path, monkeypatch):
    import os
    mirror = os.environ.get("GRADKIT_DATA")
    if not mirror or not (Path(mirror) / "mnist.npz").is_file():
        pytest.skip("needs mnist.npz in the GRADKIT_DATA mirror")
    rec = run_recipe("mnist-mlp", tmp_path, quick=True, limit=500, epochs=1, plots=False)
    assert rec.status == "ok", rec.error
    text = _text(rec.result)
    assert comparison_problems(rec.result.comparisons) == []
    assert false_attributions(text) == [] and false_agreements(text) == []
    assert "92.4" not in text and "47 hours" not in text and "UnboundLocalError" in text


# ---- the tutorials and pages --------------------------------------------------------------------

def _notebook_text(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


PAGES = sorted((DOCS / "tutorials").glob("*.ipynb")) + [DOCS / "tutorials" / "index.md", ROOT / "README.md",
                                                         *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_tutorials_attribute_only_table_figures(path):
    text = _notebook_text(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
    assert false_attributions(text) == []
    assert false_agreements(text) == []


def test_index_names_the_other_sources_and_no_unprinted_course_figure():
    page = (DOCS / "tutorials" / "index.md").read_text(encoding="utf-8")
    for row in page.splitlines():
        if "07-convolutional" in row:
            assert "keras.io" in row and "course" not in row.lower()
        if "08-recurrent" in row:
            assert "Chollet" in row and "course" not in row.lower()
    assert "92.4" not in page and "47 h" not in page


def test_getting_started_named_weights_prints_what_its_code_gives():
    import numpy as np
    page = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    block = page.split("## Reading weights by name")[1].split("```python\n")[1].split("```")[0]
    code, _, shown = block.partition("model.named_weights")
    from gradkit import backend
    backend.clear_session()  # a fresh session's layer names, as a reader running the page gets
    scope = {}
    exec(code, scope)  # noqa: S102 - the page's own example, run as a reader would
    printed = repr(scope["model"].named_weights)
    expected = re.sub(r"\s+", "", "".join(line.split("# gradkit prints:")[-1].lstrip(" #")
                                          for line in shown.splitlines() if "#" in line))
    assert re.sub(r"\s+", "", printed) == expected
    np.testing.assert_allclose(scope["model"].named_weights["dense/bias"], [16.3857], atol=5e-5)
