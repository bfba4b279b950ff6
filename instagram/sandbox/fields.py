"""Parser for the Graph API `fields=` expression, including nested edges and modifiers.

    business_discovery.username(acme){followers_count,media.after(QV).limit(5){id,children{media_url}}}

parses to [Field("business_discovery", {"username": "acme"}, [Field("followers_count"), Field("media",
{"after": "QV", "limit": "5"}, [...])])].
"""

from __future__ import annotations

from dataclasses import dataclass, field


class FieldSyntaxError(ValueError):
    pass


@dataclass
class Field:
    name: str
    args: dict[str, str] = field(default_factory=dict)
    children: list[Field] | None = None  # None: no {…} given, use the edge's defaults


def parse_fields(text: str | None) -> list[Field]:
    if not text:
        return []
    parser = _Parser(text)
    result = parser.list_(top=True)
    if parser.pos != len(text):
        raise FieldSyntaxError(f"unexpected {text[parser.pos]!r} at {parser.pos}")
    return result


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        if start == self.pos:
            raise FieldSyntaxError(f"expected a field name at {start}")
        return self.text[start:self.pos]

    def arg(self) -> str:
        # Arguments are cursors, usernames or numbers: read to the matching ")".
        end = self.text.find(")", self.pos)
        if end < 0:
            raise FieldSyntaxError("unclosed (")
        value = self.text[self.pos:end]
        self.pos = end + 1
        return value

    def field_(self) -> Field:
        while self.peek() == " ":
            self.pos += 1
        f = Field(self.name())
        while self.peek() == ".":
            self.pos += 1
            modifier = self.name()
            if self.peek() != "(":
                raise FieldSyntaxError(f"expected ( after .{modifier}")
            self.pos += 1
            f.args[modifier] = self.arg()
        if self.peek() == "{":
            self.pos += 1
            f.children = self.list_(top=False)
            if self.peek() != "}":
                raise FieldSyntaxError("unclosed {")
            self.pos += 1
        return f

    def list_(self, *, top: bool) -> list[Field]:
        items = [self.field_()]
        while self.peek() == ",":
            self.pos += 1
            items.append(self.field_())
        if not top and self.peek() not in ("}",):
            raise FieldSyntaxError(f"unexpected {self.peek()!r} at {self.pos}")
        return items
