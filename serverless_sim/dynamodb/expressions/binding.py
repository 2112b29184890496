"""Binding a parsed expression to one request's ExpressionAttributeNames and Values.

Checks AWS makes per request: every ``#name`` and ``:value`` used is defined (in order of
appearance), and records which ones were used so that :meth:`ExpressionContext.finish` can
report unused ones. Also the shared vocabulary of operand-type errors.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
"""

from __future__ import annotations

import base64

from .nodes import ParsedExpression, PathNode, ValueNode
from .parser import invalid


class Binder:
    """Resolves placeholders of one expression of one request."""

    __slots__ = ("kind", "names", "values", "used_names", "used_values")

    def __init__(
        self,
        kind: str,
        names: dict | None,
        values: dict | None,
        used_names: set,
        used_values: set,
    ) -> None:
        self.kind = kind
        self.names = names
        self.values = values
        self.used_names = used_names
        self.used_values = used_values

    def check_placeholders(self, parsed: ParsedExpression) -> None:
        names = self.names
        values = self.values
        for ph in parsed.placeholders:
            if ph[0] == "#":
                if names is None or ph not in names:
                    raise invalid(
                        self.kind,
                        "An expression attribute name used in the document path is not defined; "
                        f"attribute name: {ph}",
                    )
                self.used_names.add(ph)
            else:
                if values is None or ph not in values:
                    raise invalid(
                        self.kind,
                        "An expression attribute value used in expression is not defined; "
                        f"attribute value: {ph}",
                    )
                self.used_values.add(ph)

    def path(self, node: PathNode) -> tuple:
        elems = node.elems
        names = self.names
        if len(elems) == 1:
            el = elems[0]
            return (names[el] if el[0] == "#" else el,)  # type: ignore[index]
        return tuple(
            names[el] if type(el) is str and el[0] == "#" else el  # type: ignore[index]
            for el in elems
        )

    def value(self, node: ValueNode) -> dict:
        return self.values[node.name]  # type: ignore[index]

    # -- error vocabulary --------------------------------------------------------------------
    def operand_type_error(self, fn: str, type_tag: str) -> Exception:
        return invalid(
            self.kind,
            "Incorrect operand type for operator or function; "
            f"operator or function: {fn}, operand type: {type_tag}",
        )

    def operand_count_error(self, fn: str, count: int) -> Exception:
        return invalid(
            self.kind,
            "Incorrect number of operands for operator or function; "
            f"operator or function: {fn}, number of operands: {count}",
        )

    def requires_path_error(self, fn: str) -> Exception:
        return invalid(
            self.kind,
            f"Operator or function requires a document path; operator or function: {fn}",
        )

    def unknown_function_error(self, fn: str) -> Exception:
        return invalid(self.kind, f"Invalid function name; function: {fn}")

    def misused_function_error(self, fn: str) -> Exception:
        return invalid(
            self.kind,
            f"The function is not allowed to be used this way in an expression; function: {fn}",
        )


def av_display(av: dict) -> str:
    """AWS's rendering of a value in messages: ``AttributeValue: {N:5}``."""
    (tag, value), = av.items()
    if tag == "B":
        value = base64.b64encode(value).decode("ascii")
    elif tag in ("SS", "NS"):
        value = "[" + ", ".join(value) + "]"
    elif tag == "BS":
        value = "[" + ", ".join(base64.b64encode(v).decode("ascii") for v in value) + "]"
    elif tag == "BOOL":
        value = "true" if value else "false"
    elif tag == "NULL":
        value = "true"
    elif tag in ("L", "M"):
        value = "..."
    return f"AttributeValue: {{{tag}:{value}}}"
