"""A small fit holding every kind of resumable state; test_backup_and_restore.py runs it in subprocesses.

    python -m tests.callbacks.resumable_fit WORK_DIR [--kill-in-write N] [--no-backup]

Dropout (RNG streams), shuffle=True (data order), Adam (optimizer state), EarlyStopping with
restore_best_weights (best weights), ReduceLROnPlateau (learning rate and counters), CSVLogger (a file),
validation_split, and BackupAndRestore(save_freq=4): 72 training samples in batches of 7 make 11
batches an epoch (the last of 2), so backups fall at different batches in each epoch, and the fused
dispatches (steps_per_execution="auto") are cut there. `--kill-in-write` makes BackupAndRestore's
`on_train_batch_end` SIGKILL the process while it writes its N-th backup (a half-written temporary file,
the rename not done): a kill in the middle of an epoch that also tests the atomic write. `--no-backup`
leaves BackupAndRestore out (no cut dispatches). Run to the end, it writes the final weights
(`weights.npz`) and History (`history.json`) to WORK_DIR.
"""

import argparse
import json
import os
import signal

import numpy as np

import kerasish as ks

EPOCHS = 6


def kill_in_write(n):
    """Makes the n-th backup's rename SIGKILL the process, its temporary file cut to half."""
    replace, count = os.replace, [0]

    def killing_replace(source, destination):
        if str(destination).endswith("training_state.safetensors"):
            count[0] += 1
            if count[0] == n:
                os.truncate(source, os.path.getsize(source) // 2)
                os.kill(os.getpid(), signal.SIGKILL)
        return replace(source, destination)
    os.replace = killing_replace


def data():
    rng = np.random.default_rng(0)
    centers = np.array([[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 0]], np.float32)
    y = rng.integers(0, 3, 96).astype(np.int32)
    x = (centers[y] + rng.normal(0, 1.2, (96, 4))).astype(np.float32)
    return x, y


def train(work_dir, backup=True):
    """The fit (the same in every process); returns (model, history, early_stopping)."""
    x, y = data()
    ks.utils.set_random_seed(5)
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8, activation="relu"), ks.layers.Dropout(0.3),
                           ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=ks.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    early = ks.callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=0.01, restore_best_weights=True)
    callbacks = [early,
                 ks.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=0, min_delta=0.02),
                 ks.callbacks.CSVLogger(os.path.join(work_dir, "log.csv"))]
    if backup:
        callbacks.insert(0, ks.callbacks.BackupAndRestore(os.path.join(work_dir, "backup"), save_freq=4))
    history = model.fit(x, y, batch_size=7, epochs=EPOCHS, validation_split=0.25, shuffle=True, verbose=0,
                        callbacks=callbacks)
    return model, history, early


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work_dir")
    parser.add_argument("--kill-in-write", type=int)
    parser.add_argument("--no-backup", action="store_true")
    args = parser.parse_args()
    if args.kill_in_write:
        kill_in_write(args.kill_in_write)
    model, history, _ = train(args.work_dir, backup=not args.no_backup)
    np.savez(os.path.join(args.work_dir, "weights.npz"), *model.get_weights())
    with open(os.path.join(args.work_dir, "history.json"), "w") as f:
        json.dump({"epoch": history.epoch, "history": history.history}, f)


if __name__ == "__main__":
    main()
