"""The Amazon States Language: paths, payload templates, intrinsic functions, Choice rules,
JSONata glue, state compilation and definition validation."""

from .definition import Machine, parse_definition

__all__ = ["Machine", "parse_definition"]
