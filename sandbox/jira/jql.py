"""The JQL language: a tokenizer and a recursive-descent parser into a small AST.

Only the language lives here (no knowledge of issues or fields): `search.py`
gives the AST its meaning. Keeping them apart lets the parser be tested on
strings alone, and lets the error messages for *syntax* match Jira's
("Error in the JQL Query: ...") while *semantic* errors (unknown field, value)
are raised where the field catalogue is known.

Grammar (case-insensitive keywords):

    query    := [or_expr] [ORDER BY sort ("," sort)*]
    or_expr  := and_expr ((OR | "||") and_expr)*
    and_expr := not_expr ((AND | "&&") not_expr)*
    not_expr := (NOT | "!") not_expr | "(" or_expr ")" | clause
    clause   := field op operand
    op       := "=" | "!=" | "~" | "!~" | ">" | ">=" | "<" | "<=" | IN | NOT IN | IS | IS NOT
    operand  := value | "(" value ("," value)* ")" | EMPTY | NULL
    value    := word | string | function "(" [value ("," value)*] ")"
    sort     := field [ASC | DESC]
    field    := word | string | cf[NNNNN]
"""

from __future__ import annotations

from dataclasses import dataclass, field

KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
# A word stops at whitespace, an operator or punctuation; the other characters Jira reserves
# (% ^ $ # ; ? +) are rejected unless quoted. Jira also reserves . @ / * but real queries use
# them unquoted all the time (emails, dates, wildcards), so we accept them in words.
_STOP = set(" \t\r\n()=!~<>,\"'&|[]{}%^$#;?+")
MAX_DEPTH = 100
_OPERATORS = ("!=", ">=", "<=", "!~", "=", "~", ">", "<")


class JqlSyntaxError(ValueError):
    """The query is not well-formed JQL; the message is Jira's wording."""


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "string", "op", "lparen", "rparen", "comma", "eof"
    text: str
    pos: int

    def is_kw(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


@dataclass(frozen=True)
class Literal:
    """A plain or quoted value; `quoted` matters for `~` phrases and keywords."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Empty:
    """EMPTY / NULL."""


Value = Literal | Function | Empty


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # "=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in", "is", "is not"
    values: tuple[Value, ...]  # one value, or several for in / not in


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[Sort, ...] = field(default_factory=tuple)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; raises JqlSyntaxError on an unterminated string."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "\"'":
            j, buf = i + 1, []
            while j < n and text[j] != ch:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise JqlSyntaxError(
                    f"Error in the JQL Query: The quoted string starting at character {i + 1} "
                    "has not been completed."
                )
            tokens.append(Token("string", "".join(buf), i))
            i = j + 1
            continue
        if ch == "(":
            tokens.append(Token("lparen", ch, i))
            i += 1
            continue
        if ch == ")":
            tokens.append(Token("rparen", ch, i))
            i += 1
            continue
        if ch == ",":
            tokens.append(Token("comma", ch, i))
            i += 1
            continue
        if text.startswith("&&", i) or text.startswith("||", i):
            tokens.append(Token("word", "and" if ch == "&" else "or", i))
            i += 2
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("op", op, i))
            i += len(op)
            continue
        if ch == "!":
            tokens.append(Token("word", "not", i))
            i += 1
            continue
        j = i
        while j < n and text[j] not in _STOP:
            j += 1
        # cf[10042] is one word
        if text.startswith("[", j) and text[i:j].lower() == "cf":
            k = text.find("]", j)
            if k < 0:
                raise JqlSyntaxError(f"Error in the JQL Query: Expecting ']' at character {j + 1}.")
            j = k + 1
        if j == i:
            raise JqlSyntaxError(
                f"Error in the JQL Query: The character '{ch}' is a reserved JQL character. You must "
                f"enclose it in a string or use the escape '\\u{ord(ch):04x}' instead. "
                f"(line 1, character {i + 1})"
            )
        tokens.append(Token("word", text[i:j], i))
        i = j
    tokens.append(Token("eof", "", n))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, expected: str) -> JqlSyntaxError:
        tok = self.tok
        got = "end of query" if tok.kind == "eof" else f"'{tok.text}'"
        return JqlSyntaxError(
            f"Error in the JQL Query: Expecting {expected} but got {got}. (line 1, character {tok.pos + 1})"
        )

    def query(self) -> Query:
        where = None
        if not self.tok.is_kw("order") and self.tok.kind != "eof":
            where = self.or_expr()
        order: list[Sort] = []
        if self.tok.is_kw("order"):
            self.advance()
            if not self.tok.is_kw("by"):
                raise self.fail("'by'")
            self.advance()
            while True:
                name = self.field_name()
                desc = False
                if self.tok.is_kw("asc", "desc"):
                    desc = self.advance().text.lower() == "desc"
                order.append(Sort(name, desc))
                if self.tok.kind != "comma":
                    break
                self.advance()
        if self.tok.kind != "eof":
            raise self.fail("either 'OR' or 'AND'" if where is not None else "a field name")
        return Query(where, tuple(order))

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.tok.is_kw("or"):
            self.advance()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.tok.is_kw("and"):
            self.advance()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def nest(self) -> None:
        """Guard the recursion: a hostile query of 10,000 '(' must be a 400, not a crash."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise JqlSyntaxError(
                f"Error in the JQL Query: The query is nested too deeply (over {MAX_DEPTH})."
            )

    def not_expr(self) -> Node:
        if self.tok.is_kw("not"):
            self.advance()
            self.nest()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        if self.tok.kind == "lparen":
            self.advance()
            self.nest()
            node = self.or_expr()
            self.depth -= 1
            if self.tok.kind != "rparen":
                raise self.fail("')'")
            self.advance()
            return node
        return self.clause()

    def field_name(self) -> str:
        tok = self.tok
        if tok.kind == "string" or (tok.kind == "word" and tok.text.lower() not in KEYWORDS):
            self.advance()
            return tok.text
        raise self.fail("a field name")

    def clause(self) -> Clause:
        name = self.field_name()
        tok = self.tok
        if tok.kind == "op":
            self.advance()
            return Clause(name, tok.text, (self.single(),))
        if tok.is_kw("in"):
            self.advance()
            return Clause(name, "in", self.value_list())
        if tok.is_kw("not"):
            self.advance()
            if not self.tok.is_kw("in"):
                raise self.fail("'in'")
            self.advance()
            return Clause(name, "not in", self.value_list())
        if tok.is_kw("is"):
            self.advance()
            op = "is"
            if self.tok.is_kw("not"):
                self.advance()
                op = "is not"
            if not self.tok.is_kw("empty", "null"):
                raise self.fail("'EMPTY' or 'NULL'")
            self.advance()
            return Clause(name, op, (Empty(),))
        raise self.fail("operator")

    def value_list(self) -> tuple[Value, ...]:
        if self.tok.kind != "lparen":
            # `status in currentUser()`-style single function operands are allowed
            if self.tok.kind == "word" and self.tokens[self.i + 1].kind == "lparen":
                return (self.value(),)
            raise self.fail("'('")
        self.advance()
        values = [self.single()]
        while self.tok.kind == "comma":
            self.advance()
            values.append(self.single())
        if self.tok.kind != "rparen":
            raise self.fail("')'")
        self.advance()
        return tuple(values)

    def single(self) -> Value:
        if self.tok.is_kw("empty", "null"):
            self.advance()
            return Empty()
        return self.value()

    def value(self) -> Value:
        tok = self.tok
        if tok.kind == "string":
            self.advance()
            return Literal(tok.text, quoted=True)
        if tok.kind == "word" and tok.text.lower() not in KEYWORDS:
            self.advance()
            if self.tok.kind == "lparen":
                self.advance()
                args: list[str] = []
                while self.tok.kind != "rparen":
                    if self.tok.kind not in ("word", "string"):
                        raise self.fail("')'")
                    args.append(self.advance().text)
                    if self.tok.kind == "comma":
                        self.advance()
                self.advance()
                return Function(tok.text, tuple(args))
            return Literal(tok.text)
        raise self.fail("either a value, 'EMPTY' or a function")


def parse(text: str) -> Query:
    """Parse a JQL string; an empty string means "all issues"."""
    return _Parser(text or "").query()
