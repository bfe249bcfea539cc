"""Enough of HCL 1 for Vault policies: nested blocks, `key = value`, strings, numbers, bools, lists, objects.

    parse('path "secret/*" { capabilities = ["read"] }')
    -> [("path", ["secret/*"], {"capabilities": ["read"]})]

The result keeps every top-level block in order, with its labels, because `path` repeats.
"""

import json
import re

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<heredoc><<-?(?P<marker>[A-Za-z_][A-Za-z0-9_]*)\n(?P<body>.*?)\n\s*(?P=marker)(?=\s|$))
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.\-]*)
  | (?P<punct>[{}\[\]=,:])
""", re.VERBOSE | re.DOTALL)


class HclError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, object, int]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            line = text.count("\n", 0, position) + 1
            raise HclError(f"At {line}:{position - text.rfind(chr(10), 0, position)}: illegal char")
        kind = match.lastgroup if match.lastgroup not in ("marker", "body") else "heredoc"
        if kind == "string":
            tokens.append(("string", json.loads(match.group()), position))
        elif kind == "heredoc":
            tokens.append(("string", match.group("body") + "\n", position))
        elif kind == "number":
            number = match.group()
            tokens.append(("number", float(number) if "." in number else int(number), position))
        elif kind == "ident":
            word = match.group()
            is_bool = word in ("true", "false")
            tokens.append(("bool", word == "true", position) if is_bool else ("ident", word, position))
        elif kind == "punct":
            tokens.append((match.group(), match.group(), position))
        position = match.end()
    tokens.append(("eof", None, position))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> tuple[str, object, int]:
        return self.tokens[self.index]

    def take(self, *kinds: str) -> tuple[str, object, int]:
        token = self.tokens[self.index]
        if token[0] not in kinds:
            line = self.text.count("\n", 0, token[2]) + 1
            found = "end of input" if token[0] == "eof" else repr(token[1])
            raise HclError(f"At {line}: expected {' or '.join(kinds)}, found {found}")
        self.index += 1
        return token

    def body(self, closing: str) -> list[tuple[str, list[str], object]]:
        items = []
        while self.peek()[0] != closing:
            key = self.take("ident", "string")[1]
            labels = []
            while self.peek()[0] in ("string", "ident"):
                labels.append(self.take("string", "ident")[1])
            if self.peek()[0] in ("=", ":") and not labels:
                self.index += 1
                items.append((key, labels, self.value()))
            else:
                self.take("{")
                items.append((key, labels, _as_dict(self.body("}"))))
                self.take("}")
            if self.peek()[0] == ",":
                self.index += 1
        return items

    def value(self):
        kind, value, _ = self.take("string", "number", "bool", "[", "{")
        if kind == "[":
            values = []
            while self.peek()[0] != "]":
                values.append(self.value())
                if self.peek()[0] != ",":
                    break
                self.index += 1
            self.take("]")
            return values
        if kind == "{":
            items = self.body("}")
            self.take("}")
            return _as_dict(items)
        return value


def _as_dict(items: list[tuple[str, list[str], object]]) -> dict:
    """Nested blocks become nested dicts keyed by their labels (`a "b" { }` -> {"a": {"b": {...}}})."""
    result: dict = {}
    for key, labels, value in items:
        *parents, last = [key, *labels]
        target = result
        for name in parents:
            target = target.setdefault(name, {})
        target[last] = value
    return result


def parse(text: str) -> list[tuple[str, list[str], object]]:
    return _Parser(text).body("eof")
