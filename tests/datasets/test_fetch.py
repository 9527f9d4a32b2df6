"""Where files come from: mirror, cache, package, one verified download; bad bytes are refused and never kept."""
import hashlib
import os

import pytest

from gradkit.datasets import fetch as fetch_mod
from gradkit.datasets.fetch import PACKAGED_DIR, fetch, file_digest, provenance
from gradkit.datasets.registry import FILES, DataFile
from gradkit.errors import DataError

GOOD = b"the real bytes" * 100
OTHER_GOOD = b"repacked, same content" * 100
BAD = b"tampered bytes" * 100


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


@pytest.fixture
def toy(monkeypatch):
    """A registry entry 'toy.bin' with two known-good hashes (the canonical one first)."""
    entry = DataFile("toy.bin", "https://example.invalid/toy.bin",
                     ((sha(GOOD), "canonical"), (sha(OTHER_GOOD), "known repack")))
    monkeypatch.setitem(FILES, "toy.bin", entry)
    monkeypatch.delenv("GRADKIT_OFFLINE")
    return entry


def serving(payload, fail_after=None, exc=ConnectionError):
    """A pooch downloader writing `payload` (or its first `fail_after` bytes, then raising `exc`)."""
    calls = []

    def download(url, output_file, pooch):
        calls.append(url)
        with open(output_file, "wb") as f:
            f.write(payload if fail_after is None else payload[:fail_after])
        if fail_after is not None:
            raise exc("connection reset")
    download.calls = calls
    return download


def cache_files():
    root = fetch_mod.cache_dir()
    return sorted(p.name for p in root.rglob("*")) if root.exists() else []


def test_mirror_file_with_known_good_hash_is_used(toy, tmp_path, monkeypatch):
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "toy.bin").write_bytes(OTHER_GOOD)
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path / "mirror"))
    got = fetch("toy.bin", downloader=serving(GOOD))
    assert got == tmp_path / "mirror" / "toy.bin"
    assert provenance(got, toy) == "known repack"


def test_mirror_file_with_other_content_is_refused(toy, tmp_path, monkeypatch):
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "toy.bin").write_bytes(BAD)
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path / "mirror"))
    down = serving(GOOD)
    with pytest.raises(DataError, match=r"mirror's file .*toy.bin has SHA-256 .*refused and not used"):
        fetch("toy.bin", downloader=down)
    assert down.calls == [] and cache_files() == []


def test_download_lands_in_cache_once(toy):
    down = serving(GOOD)
    first = fetch("toy.bin", downloader=down)
    assert first == fetch_mod.cache_dir() / "toy.bin" and first.read_bytes() == GOOD
    assert fetch("toy.bin", downloader=down) == first
    assert len(down.calls) == 1 and cache_files() == ["toy.bin"]


def test_corrupt_cache_file_is_removed_and_replaced(toy):
    target = fetch_mod.cache_dir() / "toy.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(BAD)
    with pytest.warns(UserWarning, match="removed"):
        assert fetch("toy.bin", downloader=serving(GOOD)).read_bytes() == GOOD


def test_download_with_wrong_hash_is_refused_and_leaves_cache_clean(toy):
    with pytest.raises(DataError, match="does not match .*refused, nothing was saved"):
        fetch("toy.bin", downloader=serving(BAD))
    assert cache_files() == []


@pytest.mark.parametrize("exc", [ConnectionError, KeyboardInterrupt])
def test_interrupted_download_leaves_no_file(toy, exc):
    with pytest.raises((DataError, KeyboardInterrupt)):
        fetch("toy.bin", downloader=serving(GOOD, fail_after=50, exc=exc))
    assert cache_files() == []


def test_no_network_and_no_file_says_what_is_missing_and_where_to_put_it(toy):
    with pytest.raises(DataError) as err:
        fetch("toy.bin", downloader=serving(GOOD, fail_after=0))
    msg = str(err.value)
    assert "toy.bin is not available" in msg and str(fetch_mod.cache_dir() / "toy.bin") in msg
    assert "GRADKIT_DATA" in msg and toy.url in msg and cache_files() == []


def test_missing_file_message_says_what_to_do_first_and_stays_short(toy):
    long_error = OSError("HTTPSConnectionPool(host='storage.googleapis.com', port=443): Max retries exceeded "
                         "with url: /x (Caused by NameResolutionError(" + "details " * 60 + "))")
    msg = str(fetch_mod._missing(toy, fetch_mod.cache_dir() / "toy.bin",
                                 f"the download failed ({fetch_mod._short(long_error)})"))
    assert msg.startswith(f"toy.bin is not available: download {toy.url} and put it at ")
    assert msg.index("Why:") > msg.index("GRADKIT_DATA") and "details" not in msg
    assert len(msg) - msg.index("Why:") < 130  # the library's own text is cut to a short line
    assert "exceeded with …)" in msg  # between words, not mid-word ("with ur…")


def test_offline_never_downloads(toy, monkeypatch):
    monkeypatch.setenv("GRADKIT_OFFLINE", "1")
    down = serving(GOOD)
    with pytest.raises(DataError, match="GRADKIT_OFFLINE"):
        fetch("toy.bin", downloader=down)
    assert down.calls == []


def test_explicit_path_to_an_existing_file_is_the_users_copy(toy, tmp_path):
    mine = tmp_path / "my_toy.bin"
    mine.write_bytes(BAD)  # no hash check on the user's own file
    assert fetch("toy.bin", path=str(mine)) == mine


def test_explicit_path_that_does_not_exist_is_a_cache_name(toy):
    got = fetch("toy.bin", path="renamed.bin", downloader=serving(GOOD))
    assert got == fetch_mod.cache_dir() / "renamed.bin" and got.read_bytes() == GOOD


def test_packaged_boston_is_keras_file_and_used_offline():
    entry = FILES["boston_housing.npz"]
    assert provenance(PACKAGED_DIR / "boston_housing.npz", entry) == entry.hashes[0][1]
    assert fetch("boston_housing.npz") == PACKAGED_DIR / "boston_housing.npz"


def test_real_mirror_files_match_known_good_hashes(mirror_file):
    """mnist.npz matches the documented repack hash, not Keras's; the others match Keras's own hash."""
    mnist = mirror_file("mnist.npz")
    assert file_digest(mnist) == FILES["mnist.npz"].hashes[1][0].split(":")[1]
    root = os.path.dirname(mnist)
    for name, entry in FILES.items():
        if name != "mnist.npz" and os.path.isfile(os.path.join(root, name)):
            assert provenance(os.path.join(root, name), entry) == entry.hashes[0][1], name


def test_truncated_cache_file_offline_is_removed_and_reported(toy, monkeypatch):
    monkeypatch.setenv("GRADKIT_OFFLINE", "1")
    target = fetch_mod.cache_dir() / "toy.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(GOOD[:100])
    with pytest.warns(UserWarning, match="removed"), pytest.raises(DataError, match="toy.bin is not available"):
        fetch("toy.bin")
    assert cache_files() == []


@pytest.fixture
def http_server():
    """A local HTTP server: /toy.bin whole, /cut.bin announcing the full length but closing halfway."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = GOOD if self.path == "/toy.bin" else GOOD[: len(GOOD) // 2]
            self.send_response(200 if self.path in ("/toy.bin", "/cut.bin") else 404)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("route, ok", [("/toy.bin", True), ("/cut.bin", False), ("/gone.bin", False)])
def test_real_pooch_download_over_http(toy, http_server, monkeypatch, route, ok):
    monkeypatch.setitem(FILES, "toy.bin", DataFile("toy.bin", http_server + route, toy.hashes))
    if ok:
        assert fetch("toy.bin").read_bytes() == GOOD and cache_files() == ["toy.bin"]
    else:
        with pytest.raises(DataError, match="toy.bin is not available: .*download failed"):
            fetch("toy.bin")
        assert cache_files() == []
