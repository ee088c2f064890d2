"""Structured logs. Tokens and clinical free text are never logged."""

from __future__ import annotations

import logging

import structlog

from server.request_id import RequestIdFilter


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(format="%(levelname)s %(name)s request_id=%(request_id)s %(message)s", level=level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RequestIdFilter())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,  # request_id
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
