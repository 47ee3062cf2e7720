"""Retryable versus permanent Cloud API failures."""

import pytest

from bot.whatsapp.errors import Disposition, classify


@pytest.mark.parametrize("code", [130429, 131056, 131000, 131016, 1, 2])
def test_throttling_and_transient_codes_are_retried(code: int) -> None:
    assert classify(code, 400) is Disposition.RETRY


@pytest.mark.parametrize("code", [131026, 131051, 100, 131008, 131009, 132000, 190, 368,
                                  130472, 999999])
def test_permanent_and_unknown_codes_are_never_retried(code: int) -> None:
    assert classify(code, 400) is Disposition.PERMANENT


def test_outside_the_24_hour_window_is_its_own_case() -> None:
    assert classify(131047, 400) is Disposition.OUTSIDE_WINDOW


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408, None])
def test_server_errors_and_no_answer_are_retried(status: int | None) -> None:
    assert classify(None, status) is Disposition.RETRY


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_without_a_code_are_permanent(status: int) -> None:
    assert classify(None, status) is Disposition.PERMANENT


@pytest.mark.parametrize("code", [132001, 132015, 132016])
def test_a_missing_paused_or_disabled_template_is_its_own_case(code: int) -> None:
    assert classify(code, 400) is Disposition.TEMPLATE_UNAVAILABLE


def test_marketing_limits_and_opt_outs_are_their_own_cases_never_retried() -> None:
    assert classify(131049, 400) is Disposition.MARKETING_LIMITED
    assert classify(131050, 400) is Disposition.OPTED_OUT
