"""The connection coach: validating replies, open questions, a 30-day ritual plan and grounded chat,
built on principle cards distilled from five articles about emotional intimacy."""

__version__ = "0.1.0"
