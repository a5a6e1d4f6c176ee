import pytest

from openenrich.verification.settings import VerificationSettings


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENENRICH_DNS_NAMESERVERS", "127.0.0.1:5353, 10.0.0.1")
    monkeypatch.setenv("OPENENRICH_SMTP_HELO", "verifier.example")
    monkeypatch.setenv("OPENENRICH_SMTP_MAIL_FROM", "probe@verifier.example")
    monkeypatch.setenv("OPENENRICH_SMTP_PORT", "2525")
    monkeypatch.setenv("OPENENRICH_GREYLIST_RETRY_SECONDS", "30,90")
    monkeypatch.setenv("OPENENRICH_SMTP_ACCEPT_ALL_MX", '["yahoodns.net"]')
    settings = VerificationSettings()
    assert settings.dns_nameservers == ["127.0.0.1:5353", "10.0.0.1"]
    assert (settings.smtp_helo, settings.smtp_mail_from, settings.smtp_port) == (
        "verifier.example",
        "probe@verifier.example",
        2525,
    )
    assert settings.greylist_retry_seconds == [30.0, 90.0]
    assert settings.smtp_accept_all_mx == ["yahoodns.net"]


def test_defaults_use_the_system_resolver_and_port_25(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENENRICH_DNS_NAMESERVERS", "OPENENRICH_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = VerificationSettings()
    assert settings.dns_nameservers == [] and settings.smtp_port == 25
    assert "yahoodns.net" in settings.smtp_accept_all_mx
