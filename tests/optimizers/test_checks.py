"""Arguments Keras 3 accepts and computes garbage from (issue 21, item 12), refused with the argument, the value
and the accepted range named; what Keras computes from the same arguments is shown where it runs."""

import math

import keras
import numpy as np
import pytest

from kerasish import optimizers
from kerasish.optimizers import checks


@pytest.mark.parametrize("make, message", [
    (lambda m: m.SGD(learning_rate=float("inf")), r"`learning_rate` of SGD must be a finite number >= 0, received "
                                                  r"learning_rate=inf"),
    (lambda m: m.SGD(learning_rate=float("nan")), r"received learning_rate=nan"),
    (lambda m: m.Adam(learning_rate=-1.0), r"`learning_rate` of Adam must be a finite number >= 0, received "
                                           r"learning_rate=-1.0"),
    (lambda m: m.AdamW(weight_decay=float("inf")), r"`weight_decay` of AdamW must be a finite number >= 0, received "
                                                   r"weight_decay=inf"),
    (lambda m: m.SGD(weight_decay=-0.1), r"`weight_decay` of SGD must be a finite number >= 0"),
    (lambda m: m.SGD(clipnorm=0), r"`clipnorm` of SGD must be a finite number > 0, received clipnorm=0"),
    (lambda m: m.SGD(clipvalue=-1.0), r"`clipvalue` of SGD must be a finite number > 0"),
    (lambda m: m.SGD(global_clipnorm=float("nan")), r"`global_clipnorm` of SGD must be a finite number > 0"),
    (lambda m: m.SGD(use_ema=True, ema_momentum=float("nan")), r"`ema_momentum` of SGD must be a finite number in "
                                                               r"\[0, 1\], received ema_momentum=nan"),
    (lambda m: m.SGD(use_ema="yes"), r"`use_ema` of SGD must be True or False"),
    (lambda m: m.SGD(loss_scale_factor=0.0), r"`loss_scale_factor` of SGD must be a finite number > 0"),
    (lambda m: m.SGD(gradient_accumulation_steps=1), r"`gradient_accumulation_steps` of SGD must be an integer >= 2 "
                                                     r"or None, received gradient_accumulation_steps=1"),
    (lambda m: m.SGD(gradient_accumulation_steps=0), r"received gradient_accumulation_steps=0"),
    (lambda m: m.SGD(use_ema=True, ema_overwrite_frequency=0), r"`ema_overwrite_frequency` of SGD must be an "
                                                               r"integer >= 1 or None"),
    (lambda m: m.SGD(learning_rate="fast"), r"`learning_rate` of SGD must be a finite number >= 0, received "
                                            r"learning_rate='fast'"),
])
def test_garbage_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make(optimizers)


def test_keras_computes_nan_from_an_infinite_learning_rate():
    """Why `SGD(learning_rate=inf)` is refused: Keras accepts it and writes NaN into the weights."""
    w = keras.Variable([1.0, 0.0])
    keras.optimizers.SGD(learning_rate=float("inf")).apply_gradients([(np.array([1.0, 0.0], np.float32), w)])
    assert np.isnan(w.numpy()[1]) and math.isinf(w.numpy()[0])


def test_keras_silently_ignores_a_zero_clipnorm():
    """Why `clipnorm=0` is refused: Keras skips clipping when it is falsy."""
    w = keras.Variable([0.0])
    keras.optimizers.SGD(1.0, clipnorm=0).apply_gradients([(np.array([5.0], np.float32), w)])
    assert w.numpy()[0] == -5.0


def test_unknown_and_retired_arguments():
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized by Adam: \{'beta_3': 0.5\}"):
        optimizers.Adam(beta_3=0.5)
    with pytest.raises(ValueError, match=r"Argument `decay` of SGD is no longer supported \(Keras 3 ignores it\)"):
        optimizers.SGD(decay=0.1)
    with pytest.raises(ValueError, match=r"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                                         r"Received: clipnorm=1.0, clipvalue=1.0, global_clipnorm=None"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_setting_a_garbage_learning_rate_is_refused_too():
    opt = optimizers.SGD(0.1)
    with pytest.raises(ValueError, match=r"`learning_rate` of SGD must be a finite number >= 0, received "
                                         r"learning_rate=inf"):
        opt.learning_rate = float("inf")
    with pytest.raises(ValueError, match=r"Argument `learning_rate` must be a finite number >= 0, received "
                                         r"learning_rate=array\(nan"):
        opt.learning_rate.assign(float("nan"))
    with pytest.raises(ValueError, match=r"Argument `value` must be a finite number >= 0, received value=-1.0"):
        optimizers.set_learning_rate(opt.init(np.zeros(2, np.float32)), -1.0)
    assert float(opt.learning_rate) == pytest.approx(0.1)


def test_the_check_helpers():
    with pytest.raises(ValueError, match=r"^Keras's own words$"):
        checks.keras_range(True, "Keras's own words")
    checks.keras_range(False, "not raised")
    assert checks.number("x", np.float32(0.5), 0.0, 1.0) == 0.5
    assert checks.as_number(np.array(2)) == 2.0 and checks.as_number(True) is None
    assert checks.describe(0, 1, low_open=True) == "a finite number in (0, 1]"
    assert checks.optional_number("x", None, 0.0) is None
    with pytest.raises(ValueError, match=r"Argument `x` must be a finite number <= 0, received x=1"):
        checks.number("x", 1, high=0.0)
    with pytest.raises(ValueError, match=r"Argument `n` must be an integer >= 1, received n=True"):
        checks.integer("n", True, 1)
    with pytest.raises(ValueError, match=r"Argument `flag` must be True or False, received flag=None"):
        checks.boolean("flag", None)
