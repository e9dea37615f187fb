"""The persistent compilation cache: XLA programs compiled once are kept on disk and loaded by later processes.

A script's first epoch is mostly compilation (the train step, the evaluation and prediction programs, the weight
initialisers), paid again at every run of the same script or notebook. JAX can keep compiled programs in a folder
and load them instead of compiling (`jax_compilation_cache_dir`); kerasish turns that on when it is imported:

- folder: `$KERASISH_CACHE_DIR/jax` when `KERASISH_CACHE_DIR` is set, else `$XDG_CACHE_HOME/kerasish/jax`, else
  `~/.cache/kerasish/jax`. It only grows (JAX evicts nothing without a size limit); deleting it is always safe.
- every program is kept, small ones too (JAX's defaults keep only those that took a second or more to compile:
  most of a small model's programs compile faster than that, and together still cost the first epoch seconds).
- opt-out: the environment variable `KERASISH_COMPILATION_CACHE=0` (also `false`, `off`, `no`) before importing
  kerasish, or `disable_compilation_cache()` at any time.
- a user who configured JAX's cache before importing kerasish (`JAX_COMPILATION_CACHE_DIR`,
  `jax.config.update("jax_compilation_cache_dir", ...)`, or `jax_enable_compilation_cache=False`) keeps that
  configuration: kerasish changes nothing.
- a folder that cannot be created or written leaves the cache off (no error, no warning at each compilation);
  `compilation_cache_dir()` then returns None.

Like any JAX compilation cache, the folder is trusted: a program found there is run. Do not point it at a folder
others can write to.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping

import jax
from jax.experimental.compilation_cache import compilation_cache as _jax_cache

#: The environment variable that turns the cache off when kerasish is imported ("0", "false", "off", "no").
DISABLE_VARIABLE = "KERASISH_COMPILATION_CACHE"
#: The environment variable naming kerasish's cache folder (compiled programs go in its `jax` subfolder).
DIRECTORY_VARIABLE = "KERASISH_CACHE_DIR"
_OFF = ("0", "false", "off", "no")


def default_cache_dir(environ: Mapping[str, str] | None = None) -> str:
    """The folder of the compiled programs: `$KERASISH_CACHE_DIR/jax`, `$XDG_CACHE_HOME/kerasish/jax` or
    `~/.cache/kerasish/jax`, the first whose variable is set in `environ` (default `os.environ`).

    Example:
      >>> default_cache_dir({"KERASISH_CACHE_DIR": "/scratch/ks"})
      '/scratch/ks/jax'
      >>> default_cache_dir({"XDG_CACHE_HOME": "/var/cache/me"})
      '/var/cache/me/kerasish/jax'
    """
    environ = os.environ if environ is None else environ
    root = environ.get(DIRECTORY_VARIABLE)
    if not root:
        root = os.path.join(environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
                            "kerasish")
    return os.path.join(root, "jax")


def _writable(path: str) -> bool:
    """Whether `path` is (or can be made) a folder this process can write files into."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".kerasish-write-test-"):
            pass
    except OSError:
        return False
    return True


def enable_compilation_cache(path: str | os.PathLike | None = None) -> bool:
    """Keeps compiled XLA programs in `path` (default: `default_cache_dir()`), so that later processes load them
    instead of compiling. Programs compiled before the call are compiled again the next time they are needed.

    Args:
      path: the folder; created if missing.

    Returns:
      True if the cache is on; False (and the cache left off) when the folder cannot be created or written.

    Raises:
      TypeError: for a `path` that is not a string or a path.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"Argument `path` of enable_compilation_cache must be a folder path (a str or os.PathLike) "
                        f"or None, received {path!r}.")
    folder = os.path.abspath(os.path.expanduser(os.fspath(path) if path is not None else default_cache_dir()))
    if not _writable(folder):
        disable_compilation_cache()
        return False
    jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update("jax_enable_compilation_cache", True)
    # JAX keeps only programs that took a second to compile by default; a small model's take less.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    _jax_cache.reset_cache()  # JAX decides once per process whether it uses a cache: let it decide again
    return True


def disable_compilation_cache() -> None:
    """Stops reading and writing compiled programs on disk (in this process; the folder is left as it is).

    Example:
      >>> disable_compilation_cache()
      >>> compilation_cache_dir() is None
      True
    """
    jax.config.update("jax_enable_compilation_cache", False)
    _jax_cache.reset_cache()


def compilation_cache_dir() -> str | None:
    """The folder JAX keeps compiled programs in, or None when the persistent cache is off."""
    if not jax.config.jax_enable_compilation_cache:
        return None
    return jax.config.jax_compilation_cache_dir


def is_compilation_cache_enabled() -> bool:
    """Whether compiled programs are kept on disk (by kerasish's setting or the user's own JAX configuration)."""
    return compilation_cache_dir() is not None


def configure_from_environment(environ: Mapping[str, str] | None = None) -> bool:
    """What importing kerasish does: turns the cache on in `default_cache_dir()` unless `KERASISH_COMPILATION_CACHE`
    says no or JAX's cache was configured already. Returns whether kerasish turned it on.

    Args:
      environ: the environment to read (default `os.environ`).
    """
    environ = os.environ if environ is None else environ
    if environ.get(DISABLE_VARIABLE, "").strip().lower() in _OFF:
        return False
    if jax.config.jax_compilation_cache_dir is not None or not jax.config.jax_enable_compilation_cache:
        return False  # the user's own JAX configuration
    return enable_compilation_cache(default_cache_dir(environ))


configure_from_environment()
