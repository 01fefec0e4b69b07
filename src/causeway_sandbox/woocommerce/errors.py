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


def invalid_params(problems: dict[str, str]) -> WooError:
    """WordPress's answer to arguments that fail the route's schema (400 rest_invalid_param)."""
    return WooError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {', '.join(problems)}",
        params=problems,
        details={
            name: {"code": "rest_invalid_param", "message": message, "data": None}
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
