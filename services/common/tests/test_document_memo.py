"""DocumentMemo (api/document_cache.py): worked out once per document text and keys, bounded, oldest first."""

from __future__ import annotations

from services.common.api.document_cache import DocumentMemo


def test_a_document_is_worked_out_once_per_text_and_keys_and_the_oldest_goes_first():
    made = []
    memo: DocumentMemo[str] = DocumentMemo(size=2)

    def make(value: str):
        return lambda: made.append(value) or value

    assert memo.get_or_make("{ a }", ("One",), make("a/One")) == "a/One"
    assert memo.get_or_make("{ a }", ("One",), make("again")) == "a/One"  # kept
    assert memo.get_or_make("{ a }", ("Two",), make("a/Two")) == "a/Two"  # other keys, other entry
    assert memo.get_or_make("{ b }", ("One",), make("b/One")) == "b/One"  # past the bound: a/One goes
    assert memo.get_or_make("{ a }", ("One",), make("a/One again")) == "a/One again"
    assert made == ["a/One", "a/Two", "b/One", "a/One again"]


def test_a_megabyte_document_is_kept_by_its_digest_not_its_text():
    memo: DocumentMemo[int] = DocumentMemo()
    text = "{ " + "a " * 500_000 + "}"
    memo.get_or_make(text, (), lambda: 1)
    [key] = memo._kept  # noqa: SLF001 (the test looks at what is kept)
    assert sum(len(part) for part in key if isinstance(part, (str, bytes))) == 16
