"""The recipes moved to nemo_cli.flows.workflows. This name stays only for nemo_cli.batch_plan, whose owner
moves its import there; then this file goes."""

from nemo_cli.flows.workflows import GRADE_LIMITS, Recipe, demo_clip, film, grade, trim

__all__ = ["GRADE_LIMITS", "Recipe", "demo_clip", "film", "grade", "trim"]
