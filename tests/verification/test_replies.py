import pytest

from openenrich.verification.replies import ReplyKind, classify, enhanced_code

POSTFIX_GREYLIST = "4.2.0 <ann@grey.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/grey.example.html"


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        (250, "2.1.5 OK", ReplyKind.ACCEPTED),
        (251, "User not local; will forward", ReplyKind.ACCEPTED),
        # Code first: Postfix greylisting says "address rejected" but is a 4xx.
        (450, POSTFIX_GREYLIST, ReplyKind.GREYLISTED),
        (451, "4.7.1 Please try again later", ReplyKind.GREYLISTED),
        (450, "4.2.2 Mailbox full", ReplyKind.TEMPORARY),
        (452, "4.5.3 Too many recipients", ReplyKind.TOO_MANY_RECIPIENTS),
        (452, "Insufficient system storage", ReplyKind.TOO_MANY_RECIPIENTS),
        (421, "4.3.2 Service not available", ReplyKind.UNAVAILABLE),
        (
            550,
            "5.1.1 <x@acme.example>: Recipient address rejected: User unknown",
            ReplyKind.USER_UNKNOWN,
        ),
        (550, "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found", ReplyKind.USER_UNKNOWN),
        (
            550,
            "5.2.1 The email account that you tried to reach is disabled",
            ReplyKind.USER_UNKNOWN,
        ),
        (552, "5.2.2 Mailbox full", ReplyKind.USER_UNKNOWN),
        (550, "Requested action not taken: mailbox unavailable", ReplyKind.USER_UNKNOWN),
        (550, "No such user here", ReplyKind.USER_UNKNOWN),
        (
            554,
            "5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org",
            ReplyKind.POLICY,
        ),
        (550, "5.7.1 Relaying denied", ReplyKind.POLICY),
        (554, "Your IP is listed on a blocklist (user unknown)", ReplyKind.POLICY),
        (553, "5.1.8 Sender address rejected: Domain not found", ReplyKind.POLICY),
        (554, "Transaction failed", ReplyKind.REJECTED),
    ],
)
def test_classify(code: int, text: str, kind: ReplyKind) -> None:
    assert classify(code, text).kind is kind


def test_enhanced_code_and_temporariness() -> None:
    assert enhanced_code("5.1.1 User unknown") == "5.1.1"
    assert enhanced_code("User unknown 5.1.1") is None
    reply = classify(450, POSTFIX_GREYLIST)
    assert reply.enhanced == "4.2.0" and reply.kind.temporary
    assert not classify(550, "5.1.1 nope").kind.temporary
