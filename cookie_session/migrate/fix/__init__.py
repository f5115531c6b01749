"""`cookie-session migrate --fix / --diff`: rewrite what can be proven, leave a finding for the rest.

Imports libcst, so it loads only when --fix or --diff runs.
"""

from __future__ import annotations

from .plan import FileChange, FixPlan, apply, plan_fixes, render_diff, render_summary

__all__ = ["FileChange", "FixPlan", "apply", "plan_fixes", "render_diff", "render_summary"]
