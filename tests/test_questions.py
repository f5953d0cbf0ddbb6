"""Questions are lesson data whose right answer the live result decides: change the numbers, the answer changes."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest

from ui import shipped
from ui.lesson_page import COMPUTE
from ui.syllabus import BY_NAME, LESSONS
from vizcore.lessons import Question, band, no_claims
from vizcore.lessons import landscape as l7
from vizcore.lessons.low_dimension import ClaimSweeps

ALL = [(entry.name, key) for entry in LESSONS for key in entry.lesson.questions]


@lru_cache(maxsize=None)
def preset_result(name: str, key: str):
    """The preset's result as the app has it: shipped with the app, or computed (lesson 3 ships none)."""
    lesson = BY_NAME[name].lesson
    cfg = next(c for c in lesson.presets[key].configs() if type(c) is type(lesson.settings))
    found, value = shipped.load(name, COMPUTE, cfg.to_query())
    return value if found else lesson.compute(cfg)


def answer(name: str, key: str, result) -> str:
    question = BY_NAME[name].lesson.questions[key]
    return question.choices[question.decide(result)[0]]


def test_every_lesson_that_makes_claims_asks_at_least_one_question_about_one_of_its_presets():
    for entry in LESSONS:
        lesson = entry.lesson
        assert lesson.claims is not no_claims
        assert lesson.questions, f"{entry.name} makes claims but asks no question"
        assert set(lesson.questions) <= set(lesson.presets), entry.name


def test_a_question_has_two_to_four_choices_and_an_answer_among_them():
    for n in (1, 5):
        with pytest.raises(ValueError, match="2 to 4 choices"):
            Question("?", tuple("abcde"[:n]), lambda r: 0, lambda r: "")
    with pytest.raises(ValueError, match="not one of the 2 choices"):
        Question("?", ("yes", "no"), lambda r: 2, lambda r: "").decide(None)
    assert [band(v, (0.7, 1.0)) for v in (0.5, 0.7, 0.99, 1.0)] == [0, 1, 1, 2]


@pytest.mark.parametrize("name, key", ALL)
def test_each_question_is_decided_by_its_presets_result_with_the_numbers_that_decided_it(name, key):
    question = BY_NAME[name].lesson.questions[key]
    result = preset_result(name, key)
    index, why = question.decide(result)
    assert 0 <= index < len(question.choices)
    assert any(ch.isdigit() for ch in why), why  # the numbers, not a fixed sentence
    assert question.picture is not None and question.picture(result) is not None


def _with_accuracy(run, final: float):
    accuracy = run.history.accuracy.copy()
    accuracy[-1] = final
    return replace(run, history=replace(run.history, accuracy=accuracy))


def test_lesson_1_answers_follow_the_final_accuracy():
    run = preset_result("layers", "disc2")
    assert answer("layers", "disc2", run).startswith("70% to 99.9%")
    assert answer("layers", "disc2", _with_accuracy(run, 1.0)).startswith("100%")
    assert answer("layers", "disc2", _with_accuracy(run, 0.5)).startswith("Under 70%")
    assert answer("layers", "disc3", preset_result("layers", "disc3")).startswith("100%")
    assert answer("layers", "disc3", run).startswith("70% to 99.9%")  # disc2's numbers, disc3's question


def test_lesson_2_answers_follow_how_many_seeds_reached_100_percent():
    result = preset_result("low_dimension", "disc")
    assert answer("low_dimension", "disc", result) == "None of them"
    sweep = result.sweeps["4 layers × 2"]
    histories = [replace(h, accuracy=np.r_[h.accuracy[:-1], 1.0].astype(np.float32)) for h in sweep.histories]
    for perfect, words in ((1, "Some, but at most half"), (len(histories), "More than half")):
        changed = replace(sweep, histories=histories[:perfect] + sweep.histories[perfect:])
        doctored = ClaimSweeps(result.claim, {**result.sweeps, "4 layers × 2": changed})
        assert answer("low_dimension", "disc", doctored) == words
        question = BY_NAME["low_dimension"].lesson.questions["disc"]
        assert f"{perfect} of {len(histories)} at 100%" in question.why(doctored)


def test_lesson_3_answer_follows_the_two_paths_lengths():
    run = preset_result("trajectory", "slow")
    assert answer("trajectory", "slow", run) == "shorter and smoother"
    assert answer("trajectory", "slow", replace(run, slow=run.history)) == "about as long (within 25%)"
    assert answer("trajectory", "slow", replace(run, history=run.slow, slow=run.history)) == "longer and rougher"


def test_lesson_4_answer_follows_the_two_heads_test_errors():
    result = preset_result("knn", "digits")
    errors = result.errors
    assert answer("knn", "digits", result) == "higher than softmax's"
    swapped = replace(result, errors={**errors, "softmax": errors["knn_end_to_end"],
                                      "knn_end_to_end": errors["softmax"]})
    assert answer("knn", "digits", swapped) == "lower than softmax's"


def test_lesson_5_answer_follows_the_channels_and_the_accuracy():
    result = preset_result("vector_fields", "disc2")
    run = result.run
    assert answer("vector_fields", "disc2", result).startswith("It scores high, but")
    no_channel = replace(result, run=replace(run, escapes=np.zeros_like(run.escapes)))
    assert answer("vector_fields", "disc2", no_channel).startswith("It separates them")
    poor = replace(result, run=replace(run, test_accuracy=np.full_like(run.test_accuracy, 0.5)))
    assert answer("vector_fields", "disc2", poor).startswith("It fails")
    assert answer("vector_fields", "disc3", preset_result("vector_fields", "disc3")).startswith("It separates them")


def test_lesson_6_answer_follows_the_kinks_of_the_trained_net():
    assert answer("curves", "relu5", preset_result("curves", "relu5")) == "3 to 6"
    # a hundred units' result asked the same question: its own kinks decide
    assert answer("curves", "relu5", preset_result("curves", "relu100")) == "more than 6"


def test_lesson_7_answer_follows_where_the_descents_end():
    run = preset_result("landscape", "descent")
    assert answer("landscape", "descent", run) == "into different valleys"
    assert answer("landscape", "all-examples", run) == "into the same valley"
    together = l7.weights_picture(run, l7.PRESETS["all-examples"].configs()[1])  # the descents of all examples ...
    drawn = run.beside(replace(together, config=l7.PRESETS["descent"].configs()[1]))  # ... as the picture drawn
    assert answer("landscape", "descent", drawn) == "into the same valley"


def test_lesson_8_answer_follows_where_each_net_first_makes_every_class_simple():
    from vizcore.lessons.relu_topology import simple_from

    pair = preset_result("relu_topology", "tori")
    relu, tanh = simple_from(pair, "relu"), simple_from(pair, "tanh")
    expected = "The ReLU net" if relu < tanh else "The tanh net" if tanh < relu else "Both at the same layer"
    assert answer("relu_topology", "tori", pair) == expected
    swapped = replace(pair, counts={"relu": pair.counts["tanh"], "tanh": pair.counts["relu"]})
    flipped = {"The ReLU net": "The tanh net", "The tanh net": "The ReLU net"}.get(expected, expected)
    assert answer("relu_topology", "tori", swapped) == flipped
    same = replace(pair, counts={"relu": pair.counts["relu"], "tanh": pair.counts["relu"]})
    assert answer("relu_topology", "tori", same) == "Both at the same layer"
