import hashlib
import hmac
import json

import pytest

from pepestore.payments import signature
from pepestore.payments.signature import SignatureError

SECRET = "whsec_test_secret"
BODY = b'{"id":"evt_1","type":"payment_intent.succeeded","data":{"amount":12990}}'
NOW = 1_790_000_000


def header_for(body: bytes = BODY, secret: str = SECRET, t: int = NOW) -> str:
    return signature.sign(body, secret, t)


def test_matches_fintocs_documented_formula():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header_for() == f"t={NOW},v1={expected}"


def test_valid_signature_returns_its_timestamp():
    assert signature.verify(BODY, header_for(), SECRET, now=NOW) == NOW


def test_tampered_body_is_rejected():
    with pytest.raises(SignatureError, match="does not match"):
        signature.verify(BODY.replace(b"12990", b"1"), header_for(), SECRET, now=NOW)


def test_wrong_secret_is_rejected():
    with pytest.raises(SignatureError, match="does not match"):
        signature.verify(BODY, header_for(secret="whsec_other"), SECRET, now=NOW)


@pytest.mark.parametrize("offset", [301, 3600, -301, -3600])
def test_timestamps_outside_the_window_are_rejected_both_ways(offset):
    with pytest.raises(SignatureError, match="tolerance"):
        signature.verify(BODY, header_for(t=NOW - offset), SECRET, now=NOW)


@pytest.mark.parametrize("offset", [0, 299, -299])
def test_timestamps_inside_the_window_pass(offset):
    assert signature.verify(BODY, header_for(t=NOW - offset), SECRET, now=NOW) == NOW - offset


def test_missing_timestamp_or_signature():
    v1 = header_for().split(",")[1]
    with pytest.raises(SignatureError, match="no timestamp"):
        signature.verify(BODY, v1, SECRET, now=NOW)
    with pytest.raises(SignatureError, match="no v1"):
        signature.verify(BODY, f"t={NOW}", SECRET, now=NOW)
    with pytest.raises(SignatureError, match="no v1"):
        signature.verify(BODY, f"t={NOW},v0=abc", SECRET, now=NOW)


@pytest.mark.parametrize(
    "garbage",
    [None, "", "garbage", "t=,v1=", "t=abc,v1=00", "t=1.5,v1=00", f"t={NOW},t={NOW},v1=00", "t" * 5000,
     f"t={NOW},v1=ñ", "=,=", ","],
)
def test_malformed_headers_are_rejected_cleanly(garbage):
    with pytest.raises(SignatureError):
        signature.verify(BODY, garbage, SECRET, now=NOW)


def test_spaces_after_commas_are_tolerated():
    t_part, v1_part = header_for().split(",")
    assert signature.verify(BODY, f"{t_part}, {v1_part}", SECRET, now=NOW) == NOW
    assert signature.verify(BODY, f" {t_part} ,  {v1_part} ", SECRET, now=NOW) == NOW


def test_any_of_several_v1_values_may_match():
    good = header_for().split(",")[1]
    old = header_for(secret="whsec_rotated_out").split(",")[1]
    assert signature.verify(BODY, f"t={NOW},{old},{good}", SECRET, now=NOW) == NOW
    assert signature.verify(BODY, f"t={NOW},{good},{old}", SECRET, now=NOW) == NOW
    with pytest.raises(SignatureError):
        signature.verify(BODY, f"t={NOW},{old},{old}", SECRET, now=NOW)


def test_a_reserialised_body_fails():
    reserialised = json.dumps(json.loads(BODY), indent=2).encode()
    assert reserialised != BODY
    with pytest.raises(SignatureError, match="does not match"):
        signature.verify(reserialised, header_for(), SECRET, now=NOW)


def test_no_secret_configured_never_verifies():
    with pytest.raises(SignatureError, match="no webhook secret"):
        signature.verify(BODY, header_for(), "", now=NOW)
