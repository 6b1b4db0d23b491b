"""The one error type the supervision services raise for refused input (pure; no Django)."""


class ServiceError(ValueError):
    """Input refused; the message is Chinese, names the field or row and says what to do."""
