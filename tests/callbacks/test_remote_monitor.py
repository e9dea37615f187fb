"""RemoteMonitor: what Keras's RemoteMonitor posts, received by a local HTTP server."""

import http.server
import json
import sys
import threading
import urllib.parse

import numpy as np
import pytest

from kerasish.callbacks import RemoteMonitor


@pytest.fixture(params=["requests", "urllib"])
def server(request, monkeypatch):
    """A local server recording each POST as (path, content type, body); its root URL. RemoteMonitor posts
    through `requests`, then (hidden) through urllib."""
    if request.param == "urllib":  # without `requests` installed, RemoteMonitor posts through urllib
        monkeypatch.setitem(sys.modules, "requests", None)
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], self.headers.get("X-Run"), body.decode()))
            self.send_response(404 if self.path == "/missing" else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    httpd.shutdown()
    httpd.server_close()


def test_posts_the_logs_as_a_form_field(server):
    root, received = server
    monitor = RemoteMonitor(root=root)
    monitor.on_epoch_end(3, {"loss": np.float32(0.5), "accuracy": 0.75})
    ((path, content_type, _, body),) = received
    assert (path, content_type) == ("/publish/epoch/end/", "application/x-www-form-urlencoded")
    assert json.loads(urllib.parse.parse_qs(body)["data"][0]) == {"epoch": 3, "loss": 0.5, "accuracy": 0.75}


def test_posts_json_with_headers(server):
    root, received = server
    RemoteMonitor(root=root, path="/logs", headers={"X-Run": "a"}, send_as_json=True).on_epoch_end(0, None)
    assert received == [("/logs", "application/json", "a", '{"epoch": 0}')]


def test_an_unreachable_server_warns_and_an_error_status_is_ignored(server):
    root, received = server
    RemoteMonitor(root=root, path="/missing").on_epoch_end(0, {})  # answered 404: as Keras, nothing said
    closed = root.rsplit(":", 1)[0] + ":1"
    with pytest.warns(UserWarning, match=f"Could not reach RemoteMonitor root server at {closed}"):
        RemoteMonitor(root=closed).on_epoch_end(0, {})


@pytest.mark.parametrize("kwargs, match", [
    ({"root": 9000}, r"`root` of RemoteMonitor must be a string, received root=9000"),
    ({"headers": {"a": 1}}, r"`headers` of RemoteMonitor must be None or a dict of strings"),
    ({"send_as_json": "yes"}, r"`send_as_json` of RemoteMonitor must be True or False"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(TypeError, match=match):
        RemoteMonitor(**kwargs)
