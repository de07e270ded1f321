"""Importers: turn a file a user already has into a catalog overlay.

One module per source (`litellm`, `genai_prices`, `openrouter`, `hf`); `overlay` holds what
they share: the source entry that cites the file (name, package and version, sha256), the
rules that keep hand-curated, primary-sourced figures from being silently replaced, and
the YAML writer. Importers never touch the network. Mapping rules: docs/importers.md.
"""

from __future__ import annotations
