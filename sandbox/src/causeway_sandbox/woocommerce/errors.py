"""WooCommerce's error answers: a WP_Error as `{"code", "message", "data": {"status"}}`."""

from __future__ import annotations

from typing import Any


class WooError(Exception):
    """An API error the way WordPress writes a WP_Error: code, message, data.status."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data: Any = {"status": status, **data}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


def bare_status_error(code: str, message: str, status: int) -> WooError:
    """A WP_Error built with a bare number as its data (`new WP_Error($code, $msg, 400)`),
    as the refunds controller does: WordPress then writes `"data": 400` and, finding no
    `status` in it, answers HTTP 500 whatever the number says."""
    error = WooError(500, code, message)
    error.data = status
    return error


def _detail_code(message: str) -> str:
    """The code WordPress gives each failed check in `data.details`."""
    for marker, code in (
        ("is not of type", "rest_invalid_type"),
        ("must be between", "rest_out_of_bounds"),
        ("must be greater than", "rest_out_of_bounds"),
        ("is not one of", "rest_not_in_enum"),
        ("Invalid date", "rest_invalid_date"),
    ):
        if marker in message:
            return code
    return "rest_invalid_param"


def invalid_params(problems: dict[str, str]) -> WooError:
    """WordPress's answer to arguments that fail the route's schema (400 rest_invalid_param)."""
    return WooError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {', '.join(problems)}",
        params=problems,
        details={
            name: {"code": _detail_code(message), "message": message, "data": None}
            for name, message in problems.items()
        },
    )


def missing_params(names: list[str]) -> WooError:
    return WooError(
        400,
        "rest_missing_callback_param",
        f"Missing parameter(s): {', '.join(names)}",
        params=names,
    )
