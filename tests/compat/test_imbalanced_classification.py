"""keras.io's "Imbalanced classification: credit card fraud detection" example (examples/structured_data/
imbalanced_classification.py), run with only the import changed (`import kerasish as keras`) on offline synthetic
data of the same shape (30 features, a rare positive class), fewer samples and epochs.

What it exercises of issue 19: the confusion-matrix metrics by object with their log names, `class_weight`
weighting the loss only (Keras's `metrics=` are unweighted: the counts add up to the samples), validation
metrics, and the same evaluation as Keras 3 on the trained weights.
"""

import numpy as np
import pytest

keras3 = pytest.importorskip("keras")

import kerasish as keras  # noqa: E402  -- the only change the example gets


def test_imbalanced_classification_example(seeded):
    rng = np.random.default_rng(0)
    n = 3000  # the example reads Kaggle's creditcard.csv: 284,807 transactions, 30 features, 0.17% frauds
    features = rng.normal(size=(n, 30)).astype("float32")
    targets = ((features[:, :1] + 0.5 * features[:, 1:2] + rng.normal(0, 0.5, (n, 1))) > 2.4).astype("uint8")

    # -- the example, from "Prepare a validation set" on --
    num_val_samples = int(len(features) * 0.2)
    train_features = features[:-num_val_samples]
    train_targets = targets[:-num_val_samples]
    val_features = features[-num_val_samples:]
    val_targets = targets[-num_val_samples:]

    counts = np.bincount(train_targets[:, 0])
    weight_for_0 = 1.0 / counts[0]
    weight_for_1 = 1.0 / counts[1]

    mean = np.mean(train_features, axis=0)
    train_features -= mean
    val_features -= mean
    std = np.std(train_features, axis=0)
    train_features /= std
    val_features /= std

    model = keras.Sequential(
        [
            keras.Input(shape=train_features.shape[1:]),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.summary()

    metrics = [
        keras.metrics.FalseNegatives(name="fn"),
        keras.metrics.FalsePositives(name="fp"),
        keras.metrics.TrueNegatives(name="tn"),
        keras.metrics.TruePositives(name="tp"),
        keras.metrics.Precision(name="precision"),
        keras.metrics.Recall(name="recall"),
    ]

    model.compile(
        optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=metrics
    )

    # MISSING in kerasish: `.keras` files (kerasish writes `.kerasish` ones), so no checkpoint callback here:
    # callbacks = [keras.callbacks.ModelCheckpoint("fraud_model_at_epoch_{epoch}.keras")]
    callbacks = []
    class_weight = {0: weight_for_0, 1: weight_for_1}

    history = model.fit(
        train_features,
        train_targets,
        batch_size=2048,
        epochs=4,  # the example's 30
        verbose=0,  # the example's 2
        callbacks=callbacks,
        validation_data=(val_features, val_targets),
        class_weight=class_weight,
    ).history

    # -- checks --
    positives, negatives = int(train_targets.sum()), int(len(train_targets) - train_targets.sum())
    for epoch in range(4):  # unweighted counts of every training sample (a padded last batch counts its rows)
        assert history["tp"][epoch] + history["fn"][epoch] == positives
        assert history["tn"][epoch] + history["fp"][epoch] == negatives
        tp, fp = history["tp"][epoch], history["fp"][epoch]
        assert history["precision"][epoch] == pytest.approx(tp / (tp + fp) if tp + fp else 0.0, rel=1e-6)
        assert history["val_tp"][epoch] + history["val_fn"][epoch] == int(val_targets.sum())
    assert history["recall"][-1] > 0.5  # class weights make the rare class count

    reference = keras3.Sequential([keras3.Input((30,)), keras3.layers.Dense(256, activation="relu"),
                                   keras3.layers.Dense(256, activation="relu"), keras3.layers.Dropout(0.3),
                                   keras3.layers.Dense(256, activation="relu"), keras3.layers.Dropout(0.3),
                                   keras3.layers.Dense(1, activation="sigmoid")])
    reference.set_weights(model.get_weights())
    reference.compile(loss="binary_crossentropy", metrics=[
        keras3.metrics.FalseNegatives(name="fn"), keras3.metrics.FalsePositives(name="fp"),
        keras3.metrics.TrueNegatives(name="tn"), keras3.metrics.TruePositives(name="tp"),
        keras3.metrics.Precision(name="precision"), keras3.metrics.Recall(name="recall")])
    expected = reference.evaluate(val_features, val_targets, batch_size=256, verbose=0, return_dict=True)
    got = model.evaluate(val_features, val_targets, batch_size=256, verbose=0, return_dict=True)
    assert sorted(got) == sorted(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(float(value), rel=1e-5, abs=1e-6), name
