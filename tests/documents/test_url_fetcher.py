import socket

import pytest

from talent.documents.rendering import SafeURLFetcher, html_to_pdf

HOSTILE_HTML = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="http://example.com/x.css">
<style>body { background: url(file:///etc/passwd); font-family: "WenQuanYi Micro Hei"; }</style>
</head><body>
<p>外部资源测试 external resources</p>
<img src="file:///etc/passwd">
<img src="http://example.com/x.png">
<img src="https://example.com/y.png">
<img src="data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>">
</body></html>"""


@pytest.fixture
def no_network(monkeypatch):
    """Record any attempt to open a socket, and make it fail, so a leak is both seen and harmless."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_file_and_external_urls_are_refused_and_the_document_still_renders(no_network, pdf) -> None:
    fetcher = SafeURLFetcher()
    result = html_to_pdf(HOSTILE_HTML, fetcher)

    assert result.startswith(b"%PDF")
    assert "外部资源测试" in pdf.texts(result)[0]
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://example.com/x.png" in fetcher.refused
    assert "http://example.com/x.css" in fetcher.refused
    assert "https://example.com/y.png" in fetcher.refused
    assert not any(url.startswith("data:") for url in fetcher.refused)
    assert no_network == []
    assert b"root:" not in result  # nothing of /etc/passwd was embedded


def test_the_fetcher_decodes_data_uris_and_refuses_everything_else() -> None:
    fetcher = SafeURLFetcher()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in ("file:///etc/passwd", "http://example.com/x.png", "ftp://example.com/f", "x.png"):
        with pytest.raises(ValueError, match="not allowed"):
            fetcher.fetch(url)
    assert fetcher.refused == ["file:///etc/passwd", "http://example.com/x.png", "ftp://example.com/f", "x.png"]
