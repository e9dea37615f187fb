"""`RemoteMonitor`: post each epoch's logs to an HTTP server, as Keras's RemoteMonitor does (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Any

import numpy as np

from kerasish.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Sends the logs of every epoch to `root + path` with an HTTP POST.

    The body is `{"epoch": epoch, **logs}` (NumPy scalars as plain numbers): as JSON with
    `send_as_json=True` (`Content-Type: application/json`), else as a form with one field, `field`,
    holding that JSON text (`application/x-www-form-urlencoded`), exactly what Keras sends. A server that
    cannot be reached gives a warning, not an error, and training goes on. The POST goes through the `requests`
    package when it is installed (Keras's call, so code that mocks `requests.post` sees it), else through the
    standard library's `urllib` (Keras needs `requests`; kerasish does not).

    Args:
      root: the server's root URL.
      path: the path appended to `root`.
      field: the form field of the JSON text (when `send_as_json` is False).
      headers: extra HTTP headers, a dict of strings, or None.
      send_as_json: send the logs as the JSON body instead of a form field.

    Raises:
      TypeError: for a `root`, `path` or `field` that is not a string, `headers` that is not a dict of
        strings, or a `send_as_json` that is not a bool.

    Example:
      >>> monitor = RemoteMonitor(root="http://localhost:9000", send_as_json=True)
    """

    timeout_seconds = 10  # a server that hangs does not hold training up for longer

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/", field: str = "data",
                 headers: dict[str, str] | None = None, send_as_json: bool = False) -> None:
        super().__init__()
        for name, value in (("root", root), ("path", path), ("field", field)):
            if not isinstance(value, str):
                raise TypeError(f"Argument `{name}` of RemoteMonitor must be a string, received {name}={value!r}.")
        if headers is not None and (not isinstance(headers, dict)
                                    or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())):
            raise TypeError(f"Argument `headers` of RemoteMonitor must be None or a dict of strings, received "
                            f"headers={headers!r}.")
        if not isinstance(send_as_json, bool):
            raise TypeError(f"Argument `send_as_json` of RemoteMonitor must be True or False, received "
                            f"send_as_json={send_as_json!r}.")
        self.root, self.path, self.field = root, path, field
        self.headers, self.send_as_json = headers, send_as_json

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        try:
            import requests
        except ImportError:
            requests = None
        if requests is not None:
            try:
                if self.send_as_json:
                    requests.post(self.root + self.path, json=send, headers=self.headers)
                else:
                    requests.post(self.root + self.path, {self.field: json.dumps(send)}, headers=self.headers)
            except requests.exceptions.RequestException:
                warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
            return
        text = json.dumps(send)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = text.encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: text}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds):
                pass
        except urllib.error.HTTPError:
            pass  # the server answered (with an error status): Keras does not look at the answer either
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
