"""makebuy: deliberate, evidence-backed make-or-buy decisions for AI use cases."""

__version__ = "0.1.0"
