"""What a parsed JQL query means for our issues: field resolution, matching, ordering.

`jql.py` knows the language; this module knows the fields. Errors raised here
use Jira's own wording for semantic problems (unknown field, unknown value,
operator not supported by a field), and every one becomes a 400 in Jira's
error format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.jira import jql
from sandbox.jira.errors import ApiError
from sandbox.jira.model import (
    ISSUE_TYPES,
    PRIORITIES,
    PROJECT_ID,
    STATUS_CATEGORIES,
    STATUSES,
    Issue,
    User,
    find,
    status_category,
)

Predicate = Callable[[Issue], bool]

# JQL name (lower case) -> our canonical field
FIELD_NAMES = {
    "project": "project",
    "key": "key",
    "issuekey": "key",
    "id": "key",
    "issue": "key",
    "summary": "summary",
    "description": "description",
    "comment": "comment",
    "text": "text",
    "status": "status",
    "priority": "priority",
    "assignee": "assignee",
    "reporter": "reporter",
    "creator": "creator",
    "issuetype": "issuetype",
    "type": "issuetype",
    "labels": "labels",
    "label": "labels",
    "created": "created",
    "createddate": "created",
    "updated": "updated",
    "updateddate": "updated",
    "resolved": "resolved",
    "resolutiondate": "resolved",
    "due": "due",
    "duedate": "due",
    "resolution": "resolution",
    "statuscategory": "statuscategory",
    "customer id": "customer",
    "cf[10042]": "customer",
    "customfield_10042": "customer",
}
TEXT = {"summary", "description", "comment", "text"}
USERS = {"assignee", "reporter", "creator"}
DATES = {"created", "updated", "resolved", "due"}
CATALOGUE = {"status": STATUSES, "priority": PRIORITIES, "issuetype": ISSUE_TYPES}
# statusCategory accepts a category's name, key or id.
CATEGORY_REFS = {
    str(v).lower(): c["name"] for c in STATUS_CATEGORIES.values() for v in (c["name"], c["key"], c["id"])
}
OPS = {
    "text": {"~", "!~", "is", "is not"},
    "key": {"=", "!=", "in", "not in", ">", ">=", "<", "<="},
    "project": {"=", "!=", "in", "not in", "is", "is not"},
    "catalogue": {"=", "!=", "in", "not in", "is", "is not"},
    "priority": {"=", "!=", "in", "not in", "is", "is not", ">", ">=", "<", "<="},
    "user": {"=", "!=", "in", "not in", "is", "is not"},
    "labels": {"=", "!=", "in", "not in", "is", "is not"},
    "date": {"=", "!=", ">", ">=", "<", "<=", "is", "is not"},
    "resolution": {"=", "!=", "in", "not in", "is", "is not"},
    "statuscategory": {"=", "!=", "in", "not in"},
    "customer": {"=", "!=", ">", ">=", "<", "<=", "in", "not in", "is", "is not"},
}
_RELATIVE = re.compile(r"^([+-]?)(\d+)([wdhm])$", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
_WORD = re.compile(r"[\w*?]+", re.UNICODE)


def semantic(message: str) -> ApiError:
    return ApiError(400, message)


@dataclass
class Context:
    """Who is asking (for currentUser()), the users to resolve names, and the clock."""

    current_user: str | None
    users: dict[str, User]
    project_key: str
    now: datetime


def compile_query(text: str, ctx: Context) -> tuple[Predicate, Callable[[list[Issue]], list[Issue]]]:
    """JQL text -> (predicate over an issue, function that orders a list of issues)."""
    try:
        query = jql.parse(text)
    except jql.JqlSyntaxError as exc:
        raise ApiError(400, str(exc)) from None
    predicate = _node(query.where, ctx) if query.where is not None else (lambda issue: True)
    return predicate, _orderer(query.order_by, ctx)


def run(text: str, issues: list[Issue], ctx: Context) -> list[Issue]:
    predicate, order = compile_query(text, ctx)
    return order([i for i in issues if predicate(i)])


# --------------------------------------------------------------------------- where


def _node(node: jql.Node, ctx: Context) -> Predicate:
    if isinstance(node, jql.And):
        parts = [_node(p, ctx) for p in node.parts]
        return lambda issue: all(p(issue) for p in parts)
    if isinstance(node, jql.Or):
        parts = [_node(p, ctx) for p in node.parts]
        return lambda issue: any(p(issue) for p in parts)
    if isinstance(node, jql.Not):
        inner = _node(node.part, ctx)
        return lambda issue: not inner(issue)
    return _clause(node, ctx)


def canonical(name: str) -> str:
    field = FIELD_NAMES.get(name.lower())
    if field is None:
        raise semantic(f"Field '{name}' does not exist or you do not have permission to view it.")
    return field


def _kind(field: str) -> str:
    if field in TEXT:
        return "text"
    if field in USERS:
        return "user"
    if field in DATES:
        return "date"
    if field == "priority":
        return "priority"
    if field in CATALOGUE:
        return "catalogue"
    return field  # key, project, labels, resolution, customer


def _clause(clause: jql.Clause, ctx: Context) -> Predicate:
    field = canonical(clause.field)
    kind = _kind(field)
    op = clause.op
    if op not in OPS[kind]:
        raise semantic(
            f"The operator '{op.upper() if op.isalpha() or ' ' in op else op}' is not supported "
            f"by the '{clause.field}' field."
        )
    if op in ("is", "is not"):
        getter = _getter(field)
        empty = (
            (lambda issue: getter(issue) in (None, "", []))
            if kind != "text"
            else (lambda issue: not getter(issue))
        )
        return empty if op == "is" else (lambda issue: not empty(issue))
    if any(isinstance(v, jql.Empty) for v in clause.values):
        # `= EMPTY`, `in (EMPTY, x)` and their negations; EMPTY makes no sense with < > ~
        if op not in ("=", "in", "!=", "not in"):
            raise semantic(
                f"The operator '{op}' does not support the 'EMPTY' value for field '{clause.field}'."
            )
        positive = "=" if op in ("=", "!=") else "in"
        rest = jql.Clause(
            clause.field, positive, tuple(v for v in clause.values if not isinstance(v, jql.Empty))
        )
        empty = _clause(jql.Clause(clause.field, "is", (jql.Empty(),)), ctx)
        other = _clause(rest, ctx) if rest.values else (lambda issue: False)
        if op in ("=", "in"):
            return lambda issue: empty(issue) or other(issue)
        return lambda issue: not (empty(issue) or other(issue))
    if kind == "text":
        return _text(field, clause, ctx)
    if kind == "date":
        return _date(field, clause, ctx)
    if kind == "key":
        return _key(clause, ctx)
    if kind == "customer":
        return _number(clause)
    wanted = [_resolve(field, v, clause.field, ctx) for v in clause.values]
    getter = _getter(field)
    if op in (">", ">=", "<", "<="):  # priority: Highest > High > ... by Jira's rank
        rank = {p.name: -n for n, p in enumerate(PRIORITIES)}
        target = rank[wanted[0]]
        cmp = _COMPARE[op]
        return lambda issue: cmp(rank[issue.priority], target)
    if field == "labels":
        values = set(wanted)
        hit = lambda issue: bool(values.intersection(issue.labels))  # noqa: E731
    else:
        values = set(wanted)
        hit = lambda issue: getter(issue) in values  # noqa: E731
    return hit if op in ("=", "in") else (lambda issue: not hit(issue))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _getter(field: str) -> Callable[[Issue], Any]:
    return {
        "project": lambda i: i.key.rsplit("-", 1)[0],
        "key": lambda i: i.key,
        "summary": lambda i: i.summary,
        "description": lambda i: i.description,
        "comment": lambda i: " ".join(c.body for c in i.comments),
        "text": lambda i: " ".join([i.summary, i.description or "", *(c.body for c in i.comments)]),
        "status": lambda i: i.status,
        "priority": lambda i: i.priority,
        "assignee": lambda i: i.assignee,
        "reporter": lambda i: i.reporter,
        "creator": lambda i: i.creator,
        "issuetype": lambda i: i.issue_type,
        "labels": lambda i: i.labels,
        "created": lambda i: i.created,
        "updated": lambda i: i.updated,
        "resolved": lambda i: i.resolution_date,
        "due": lambda i: i.due_date,
        "resolution": lambda i: "Done" if i.resolution else None,
        "statuscategory": lambda i: status_category(i.status)["name"],
        "customer": lambda i: i.customer_id,
    }[field]


def _literal(value: jql.Value, name: str) -> str:
    if isinstance(value, jql.Function):
        raise semantic(f"Unable to find JQL function '{value.name}({', '.join(value.args)})'.")
    if not isinstance(value, jql.Literal):
        raise semantic(f"The field '{name}' does not support the 'EMPTY' value here.")
    return value.text


def _resolve(field: str, value: jql.Value, name: str, ctx: Context) -> str | None:
    """A clause value -> the stored representation (status name, account id, label...)."""
    if field in USERS:
        if isinstance(value, jql.Function):
            if value.name.lower() == "currentuser":
                return ctx.current_user
            _literal(value, name)
        text = _literal(value, name)
        low = text.lower()
        for user in ctx.users.values():
            if low in (user.account_id.lower(), user.email.lower(), user.display_name.lower()):
                return user.account_id
        raise semantic(f"The value '{text}' does not exist for the field '{name}'.")
    text = _literal(value, name)
    if field in CATALOGUE:
        entry = find(CATALOGUE[field], text)
        if entry is None:
            raise semantic(f"The value '{text}' does not exist for the field '{name}'.")
        return entry.name
    if field == "project":
        if text.upper() == ctx.project_key or text == PROJECT_ID or text.lower() == "support":
            return ctx.project_key
        raise semantic(f"The value '{text}' does not exist for the field '{name}'.")
    if field == "statuscategory":
        if text.lower() not in CATEGORY_REFS:
            raise semantic(f"The value '{text}' does not exist for the field '{name}'.")
        return CATEGORY_REFS[text.lower()]
    if field == "resolution":
        if text.lower() == "unresolved":
            return None
        if text.lower() == "done" or text == "10000":
            return "Done"
        raise semantic(f"The value '{text}' does not exist for the field '{name}'.")
    return text  # labels


def _key(clause: jql.Clause, ctx: Context) -> Predicate:
    def number(text: str) -> tuple[str, int]:
        if text.isdigit():  # an issue id
            return ctx.project_key, int(text) - 10000
        project, _, num = text.upper().rpartition("-")
        if not project or not num.isdigit():
            raise semantic(f"The issue key '{text}' for field '{clause.field}' is invalid.")
        return project, int(num)

    wanted = [number(_literal(v, clause.field)) for v in clause.values]

    def own(issue: Issue) -> tuple[str, int]:
        project, _, num = issue.key.rpartition("-")
        return project, int(num)

    if clause.op in ("in", "not in"):
        keys = set(wanted)
        hit = lambda issue: own(issue) in keys  # noqa: E731
        return hit if clause.op == "in" else (lambda issue: not hit(issue))
    cmp, target = _COMPARE[clause.op], wanted[0]
    return lambda issue: own(issue)[0] == target[0] and cmp(own(issue)[1], target[1])


def _number(clause: jql.Clause) -> Predicate:
    wanted = []
    for value in clause.values:
        text = _literal(value, clause.field)
        try:
            wanted.append(float(text))
        except ValueError:
            raise semantic(
                f"The value '{text}' is not a valid number for the field '{clause.field}'."
            ) from None
    if clause.op in ("in", "not in"):
        values = set(wanted)
        hit = lambda issue: issue.customer_id is not None and float(issue.customer_id) in values  # noqa: E731
        return hit if clause.op == "in" else (lambda issue: not hit(issue))
    cmp, target = _COMPARE[clause.op], wanted[0]
    return lambda issue: issue.customer_id is not None and cmp(float(issue.customer_id), target)


# --------------------------------------------------------------------------- text


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _text(field: str, clause: jql.Clause, ctx: Context) -> Predicate:
    """`~`: every term of the query occurs as a word (stemmed, case-insensitive); "quoted" = phrase."""
    query = _literal(clause.values[0], clause.field)
    getter = _getter(field)
    phrase = None
    if len(query) >= 2 and query[0] == query[-1] == '"':
        phrase = query[1:-1].lower()
    terms = [t.lower() for t in _WORD.findall(query)]
    if not terms and phrase is None:
        raise semantic(f"The field '{clause.field}' does not support searching for an empty string.")

    def term_hit(term: str, words: set[str], stems: set[str]) -> bool:
        if term.endswith("*"):
            prefix = term.rstrip("*")
            return any(w.startswith(prefix) for w in words)
        return term in words or _stem(term) in stems

    def hit(issue: Issue) -> bool:
        text = (getter(issue) or "").lower()
        if phrase is not None:
            return phrase in text
        words = set(_WORD.findall(text))
        stems = {_stem(w) for w in words}
        return all(term_hit(t, words, stems) for t in terms)

    return hit if clause.op == "~" else (lambda issue: not hit(issue))


# --------------------------------------------------------------------------- dates


def _shift(moment: datetime, text: str, name: str) -> datetime:
    """Apply a period like "-7d", "+2w", "4h" to `moment`."""
    match = _RELATIVE.match(text.strip())
    if not match:
        raise semantic(f"Date value '{text}' for field '{name}' is invalid.")
    sign, amount, unit = match.groups()
    try:
        delta = timedelta(**{_UNITS[unit.lower()]: int(amount)})
        return moment - delta if sign == "-" else moment + delta
    except OverflowError:
        raise semantic(f"Date value '{text}' for field '{name}' is out of range.") from None


def _when(value: jql.Value, name: str, ctx: Context) -> datetime:
    if isinstance(value, jql.Function):
        fn = value.name.lower()
        day = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
        starts = {
            "now": ctx.now,
            "startofday": day,
            "startofweek": day - timedelta(days=(day.weekday() + 1) % 7),  # Jira weeks start on Sunday
            "startofmonth": day.replace(day=1),
            "startofyear": day.replace(month=1, day=1),
        }
        if fn in starts:
            moment = starts[fn]
        elif fn.startswith("endof") and "startof" + fn[5:] in starts:
            start = starts["startof" + fn[5:]]
            moment = {
                "day": start + timedelta(days=1),
                "week": start + timedelta(days=7),
                "month": (start.replace(day=28) + timedelta(days=4)).replace(day=1),
                "year": start.replace(year=start.year + 1),
            }[fn[5:]] - timedelta(milliseconds=1)
        else:
            _literal(value, name)
        return _shift(moment, value.args[0], name) if value.args else moment
    text = _literal(value, name)
    if _RELATIVE.match(text):
        return _shift(ctx.now, text, name)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise semantic(
        f"Date value '{text}' for field '{name}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
        "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )


def _date(field: str, clause: jql.Clause, ctx: Context) -> Predicate:
    target = _when(clause.values[0], clause.field, ctx)
    cmp = _COMPARE[clause.op]
    getter = _getter(field)

    def value(issue: Issue) -> datetime | None:
        raw = getter(issue)
        if isinstance(raw, str):  # due date "yyyy-mm-dd"
            return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
        return raw

    return lambda issue: (v := value(issue)) is not None and cmp(v, target)


# --------------------------------------------------------------------------- order by


def _sort_key(field: str, ctx: Context) -> Callable[[Issue], Any]:
    if field == "key":
        return lambda i: (i.key.rsplit("-", 1)[0], int(i.key.rsplit("-", 1)[1]))
    if field == "priority":
        rank = {p.name: -n for n, p in enumerate(PRIORITIES)}  # ASC: Lowest first, as Jira
        return lambda i: rank.get(i.priority, 0)
    if field == "status":
        order = {s.name: n for n, s in enumerate(STATUSES)}
        return lambda i: order.get(i.status, 0)
    if field in USERS:
        getter = _getter(field)
        return lambda i: ctx.users[u].display_name.lower() if (u := getter(i)) in ctx.users else None
    if field in ("summary", "issuetype"):
        getter = _getter(field)
        return lambda i: str(getter(i)).lower()
    if field in TEXT:
        raise semantic(f"Field '{field}' does not support sorting.")
    return _getter(field)


def _orderer(sorts: tuple[jql.Sort, ...], ctx: Context) -> Callable[[list[Issue]], list[Issue]]:
    # "ORDER BY Rank" is in most saved filters; with no boards here, rank is creation order.
    keys = [
        (_sort_key("key" if s.field.lower() == "rank" else canonical(s.field), ctx), s.descending)
        for s in sorts
    ]
    if not keys:
        keys = [(_sort_key("key", ctx), True)]  # Jira's default: newest key first

    def order(issues: list[Issue]) -> list[Issue]:
        result = sorted(issues, key=lambda i: i.id)  # stable tie-break
        for getter, desc in reversed(keys):
            present = [i for i in result if getter(i) is not None]
            empty = [i for i in result if getter(i) is None]
            present.sort(key=getter, reverse=desc)
            result = present + empty  # empty values last, as Jira does
        return result

    return order
