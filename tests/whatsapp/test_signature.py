"""X-Hub-Signature-256 over the raw body, per Meta's documentation."""

from bot.whatsapp.signature import SignatureCheck, check, sign

VECTOR_BODY = b'{"object":"whatsapp_business_account","entry":[]}'
VECTOR_SIG = "sha256=c236c758c9b2bd40b388a550eeca09eaca72384dd0aa5e7c31d19cddac5bba46"


def test_signing_the_readme_vector_gives_the_documented_signature() -> None:
    assert sign("app_secret", VECTOR_BODY) == VECTOR_SIG


def test_the_documented_signature_is_accepted() -> None:
    assert check("app_secret", VECTOR_BODY, VECTOR_SIG) is SignatureCheck.VALID


def test_upper_case_hex_is_accepted() -> None:
    assert check("app_secret", VECTOR_BODY, "sha256=" + VECTOR_SIG[7:].upper()) is (
        SignatureCheck.VALID)


def test_a_missing_header_is_missing_not_invalid() -> None:
    assert check("app_secret", VECTOR_BODY, None) is SignatureCheck.MISSING
    assert check("app_secret", VECTOR_BODY, "  ") is SignatureCheck.MISSING


def test_one_changed_byte_of_body_is_invalid() -> None:
    assert check("app_secret", VECTOR_BODY.replace(b"[]", b"[ ]"), VECTOR_SIG) is (
        SignatureCheck.INVALID)


def test_another_secret_is_invalid() -> None:
    assert check("other", VECTOR_BODY, VECTOR_SIG) is SignatureCheck.INVALID


def test_non_ascii_garbage_in_the_header_is_invalid_not_an_exception() -> None:
    assert check("app_secret", VECTOR_BODY, "sha256=ñ€") is SignatureCheck.INVALID


def test_an_empty_app_secret_never_validates() -> None:
    assert check("", VECTOR_BODY, sign("", VECTOR_BODY)) is SignatureCheck.INVALID


def test_escaped_unicode_body_is_signed_as_sent_not_as_reserialised() -> None:
    raw = b'{"text":"\\u091a\\u093f\\u0928\\u0940"}'
    assert check("s", raw, sign("s", raw)) is SignatureCheck.VALID
    assert check("s", '{"text":"चिनी"}'.encode(), sign("s", raw)) is SignatureCheck.INVALID
