"""The report pages: thin views that read the date range, ask the dashboard modules for figures and render."""

from __future__ import annotations
