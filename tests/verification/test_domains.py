import pytest

from openenrich.verification.domains import (
    DomainError,
    is_disposable,
    is_free_mail,
    is_role,
    normalise_domain,
    registrable_domain,
    split_email,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme.COM", "acme.com"),
        ("https://www.acme.com/about?x=1", "acme.com"),
        ("www.acme.com.", "acme.com"),
        ("acme.com:443", "acme.com"),
        ("http://Bücher.example/", "xn--bcher-kva.example"),
        ("jane@Acme.com", "acme.com"),
    ],
)
def test_normalise_domain(raw: str, expected: str) -> None:
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize("raw", ["", "localhost", "not a domain", "-bad-.com", "http://"])
def test_bad_domains(raw: str) -> None:
    with pytest.raises(DomainError):
        normalise_domain(raw)


def test_registrable_domain_uses_public_suffix_list() -> None:
    assert registrable_domain("https://eu.shop.acme.co.uk/x") == "acme.co.uk"
    assert registrable_domain("mail.acme.com") == "acme.com"
    assert registrable_domain("acme.github.io") == "acme.github.io"


def test_split_email() -> None:
    assert split_email(" Jane.Doe@ACME.com ") == ("Jane.Doe", "acme.com")
    with pytest.raises(DomainError):
        split_email("no-at-sign")
    with pytest.raises(DomainError):
        split_email("a b@acme.com")


def test_flags() -> None:
    assert is_free_mail("gmail.com") and not is_free_mail("acme.com")
    assert is_disposable("mailinator.com") and not is_disposable("acme.com")
    assert is_role("Info") and is_role("sales+eu") and not is_role("jane.doe")
