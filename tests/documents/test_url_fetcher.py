import socket
from io import BytesIO

import pytest
import weasyprint
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from talent.documents.rendering import SafeURLFetcher, html_to_pdf

HOSTILE_HTML = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="http://example.com/x.css">
<link rel="attachment" href="file:///etc/passwd">
<style>body { background: url(file:///etc/passwd); font-family: "WenQuanYi Micro Hei"; }</style>
</head><body>
<p>外部资源测试 external resources</p>
<img src="file:///etc/passwd">
<img src="http://example.com/x.png">
<img src="https://example.com/y.png">
<img src="data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>">
</body></html>"""


def decoded_streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, decompressed (WeasyPrint compresses them, so the raw bytes hide their text)."""
    reader = PdfReader(BytesIO(pdf))
    numbers = [(number, generation) for generation, table in reader.xref.items() for number in table]
    numbers += [(number, 0) for number in reader.xref_objStm]
    objects = (reader.get_object(IndirectObject(number, generation, reader)) for number, generation in numbers)
    return [item.get_data() for item in objects if isinstance(item, StreamObject)]


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
    streams = decoded_streams(result)
    assert streams  # the page's content at least
    assert not any(b"root:" in stream for stream in streams)  # nothing of /etc/passwd was embedded


def test_the_embedding_check_sees_a_file_that_an_unsafe_fetcher_attaches(no_network, tmp_path) -> None:
    """The control for the check above: WeasyPrint's own fetcher attaches a local file (compressed, so a
    search of the raw bytes misses it) and the search of the decoded streams finds it."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    html = HOSTILE_HTML.replace("file:///etc/passwd", secret.as_uri())
    unsafe = weasyprint.HTML(string=html).write_pdf()  # WeasyPrint's default fetcher reads file: URLs
    assert b"root:" not in unsafe
    assert any(b"root:x:0:0" in stream for stream in decoded_streams(unsafe))
    safe = html_to_pdf(html, SafeURLFetcher())
    assert not any(b"root:" in stream for stream in decoded_streams(safe))


def test_the_fetcher_decodes_data_uris_and_refuses_everything_else() -> None:
    fetcher = SafeURLFetcher()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in ("file:///etc/passwd", "http://example.com/x.png", "ftp://example.com/f", "x.png"):
        with pytest.raises(ValueError, match="not allowed"):
            fetcher.fetch(url)
    assert fetcher.refused == ["file:///etc/passwd", "http://example.com/x.png", "ftp://example.com/f", "x.png"]
