"""How hard a page is on the HTML parser, in linear time.

lexbor's tree builder walks the stack of open elements for many tokens (scope checks, end
tags, list items), so a page nested N deep costs O(N^2) (measured: 40k nested <div>, ~4 s;
40k <ul><li>, ~16 s); browsers stop nesting at 512, lexbor does not. Three more of its paths
are quadratic the same way: each <option> of a select walks the select's options, each
attribute of a tag is compared with the ones before it, and text interleaved with ignored
tags that carry attributes ("x<col id=1>" repeated) costs the square of the run. Pages that
load the parser like that skip it (strip_markup). ``parser_load`` follows the tree builder's
stack of open elements closely enough to tell: it pops only where the parser certainly pops
at least as much, so it never reads far below the parser's depth (fuzzed against lexbor),
while ordinary pages stay far under any cap (real pages: 30 at most).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

_ATTRIBUTE_NAME = r"[^\t\n\f\r />][^\t\n\f\r />=]*"
_ATTRIBUTE_VALUE = r"""(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"?|'[^']*'?|[^\t\n\f\r >]*))?"""
_TAG_ATTRIBUTE = _ATTRIBUTE_NAME + _ATTRIBUTE_VALUE
_TOKEN = re.compile(
    r"<!--(?:-?>|.*?(?:--!?>|\Z))"  # comment (also "<!-->", and one left open)
    r"|<[!?][^>]*>?|</(?![a-zA-Z])[^>]*>?"  # doctype, CDATA, bogus comment, "</>" and the like
    # A tag: name, then attributes (a quoted value may hold "<" and ">"), up to ">" or the end.
    rf"|<(/?)([a-zA-Z][^\t\n\f\r />]*)((?:[\t\n\f\r /]+|{_TAG_ATTRIBUTE})*)(>?)",
    re.DOTALL)
_ATTRIBUTE_NAMES = re.compile(f"({_ATTRIBUTE_NAME}){_ATTRIBUTE_VALUE}")
_SCRIPT_EVENTS = re.compile(r"<!--(-*>)?|-->|<(/?)script(?=[\t\n\f\r />])", re.IGNORECASE)
_RAW_END = {name: re.compile(rf"</{name}(?=[\t\n\f\r />])", re.IGNORECASE)
            for name in ("style", "xmp", "iframe", "noembed", "noframes", "title", "textarea")}
_RAW_TEXT = frozenset(["script", "plaintext", *_RAW_END])  # no markup inside (noscript: scripting is off)
_SELF_CLOSING = re.compile(r"""(?:^|[\t\n\f\r "'/])/$""")

_VOID = frozenset("area base basefont bgsound br col embed frame hr image img input keygen link meta param source "
                  "track wbr".split())
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup "
    "dd details dialog dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 "
    "head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed "
    "noframes noscript object ol p param plaintext pre script search section select source style summary table "
    "tbody td template textarea tfoot th thead title tr track ul wbr xmp".split())
# Scope boundaries, and select: tags inside one are ignored or close it, never reach past it.
_SCOPE = frozenset("applet caption html table td th marquee object template select".split())
_TABLE_SCOPE = frozenset("html table template select".split())
_TABLE_PARTS = frozenset("td th tr tbody thead tfoot caption col colgroup".split())
_MARKERS = frozenset("td th caption template applet object marquee".split())
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form "
    "header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing xmp plaintext "
    "li dd dt".split())
_NOT_POPPED_BY_OWN_END = frozenset(["html", "body", "br", *_VOID])  # </br> is <br>
_INTEGRATION = frozenset("foreignobject desc title mi mo mn ms mtext annotation-xml".split())
_BREAKOUT = frozenset(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta "
    "nobr ol p pre ruby s small span strong strike sub sup table tt u ul var".split())
# Classes of open elements whose positions the rules ask for (most elements are in none).
_BLOCK, _IN_SCOPE, _BUTTON, _LIST, _TABLE, _LI_STOP, _OPTION, _FOREIGN = range(8)


@lru_cache(maxsize=4096)  # bounded: tag names are the page's to choose
def _classes(name: str, foreign: bool) -> tuple[int, ...]:
    if foreign:
        if name in ("svg", "math"):  # whatever might close foreign content is taken not to
            return (_BLOCK, _IN_SCOPE, _BUTTON, _LIST, _TABLE, _LI_STOP, _FOREIGN)
        return (_BLOCK, _IN_SCOPE, _BUTTON, _LIST, _LI_STOP, _FOREIGN) if name in _INTEGRATION else (_FOREIGN,)
    found = []
    if name in _SPECIAL:
        found += [_BLOCK] if name in ("address", "div", "p") else [_BLOCK, _LI_STOP]
    if name in _SCOPE:
        found += [_IN_SCOPE, _BUTTON, _LIST]
    found += [_BUTTON] if name == "button" else [_LIST] if name in ("ol", "ul") else []
    found += [_TABLE] if name in _TABLE_SCOPE else []
    found += [_OPTION] if name in ("option", "optgroup") else []
    return tuple(found)


# Start tags after which the parser reopens ("reconstructs") formatting elements closed too early:
# all but the block-level ones.
_RECONSTRUCTS_AFTER_SPECIAL = frozenset("applet marquee object area br embed img keygen wbr input select button xmp "
                                        "noscript".split())
_NO_RECONSTRUCT = (_SPECIAL - _RECONSTRUCTS_AFTER_SPECIAL) | {"rb", "rtc", "rp", "rt"}
# Start tags whose only effect is to close an open <p> and open themselves (most block elements).
_BLOCK_START = _CLOSES_P - {"li", "dd", "dt", "xmp", "plaintext", *_HEADINGS}
# Start tags with rules of their own (_start_tag); any other one reopens formatting and opens itself.
_OWN_RULES = (_TABLE_PARTS | _CLOSES_P | _VOID | _FORMATTING | _NO_RECONSTRUCT | _RAW_TEXT
              | {"li", "dd", "dt", "option", "optgroup", "select", "html", "body", "head"})


class _Entry:
    """An active formatting element: its tag name, attributes and place on the stack (-1: not on it)."""

    __slots__ = ("at", "dead", "key", "name")

    def __init__(self, name: str, key: str, at: int) -> None:
        self.name, self.key, self.at, self.dead = name, key, at, False


class _Stack:
    """The stack of open elements, with the topmost position of each name and class, and the
    list of active formatting elements (``None`` for a marker)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.foreign: list[bool] = []
        self.classes: list[tuple[int, ...]] = []
        self.entries: list[_Entry | None] = []  # per open element, its formatting entry
        self.by_name: dict[str, list[int]] = {}
        self.by_class: list[list[int]] = [[] for _ in range(8)]
        self.active: list[_Entry | None] = []
        self.dead = 0  # entries removed from ``active`` but still in it (compacted now and then)
        self.by_key: list[dict[str, list[_Entry]]] = [{}]  # per marker: entries with the same tag and attributes
        self.by_tag: list[dict[str, list[_Entry]]] = [{}]  # per marker: entries of a tag name, in order
        self.pending = 0  # live entries off the stack: the parser reopens them before the next text
        self.options = 0  # options since the last select opened
        self.changes = 0  # elements pushed, popped or inserted so far

    def last(self, name: str) -> int:
        at = self.by_name.get(name)
        return at[-1] if at else -1

    def last_of(self, cls: int) -> int:
        at = self.by_class[cls]
        return at[-1] if at else -1

    def only_above(self, i: int, cls: int) -> bool:
        """Whether every element above position ``i`` is of class ``cls``."""
        return len(self.by_class[cls]) - bisect_right(self.by_class[cls], i) == len(self.names) - 1 - i

    def push(self, name: str, foreign: bool, entry: _Entry | None = None) -> None:
        i = len(self.names)
        classes = _classes(name, foreign)
        self.names.append(name)
        self.foreign.append(foreign)
        self.classes.append(classes)
        self.entries.append(entry)
        self.by_name.setdefault(name, []).append(i)
        for cls in classes:
            self.by_class[cls].append(i)
        if entry is not None:
            entry.at = i
        self.changes += 1
        if not foreign and name in _MARKERS:
            self.active.append(None)
            self.by_key.append({})
            self.by_tag.append({})

    def pop_to(self, i: int) -> None:
        """Pop elements until the one at ``i`` is gone."""
        names, by_name, by_class = self.names, self.by_name, self.by_class
        self.changes += len(names) > i
        while len(names) > i:
            name, foreign, entry = names.pop(), self.foreign.pop(), self.entries.pop()
            by_name[name].pop()
            for cls in self.classes.pop():
                by_class[cls].pop()
            if entry is not None and not entry.dead and entry.at == len(names):
                entry.at = -1
                self.pending += 1
            if not foreign and name in _MARKERS and len(self.by_key) > 1:
                self._clear_to_marker()

    def close(self, name: str, *blockers: int) -> None:
        """Pop to the topmost ``name`` if no element of the ``blockers`` classes is above it."""
        i = self.last(name)
        if i >= 0 and all(self.last_of(cls) <= i for cls in blockers):
            self.pop_to(i)

    def _clear_to_marker(self) -> None:
        while (entry := self.active.pop()) is not None:
            self._kill(entry)
        self.by_key.pop()
        self.by_tag.pop()

    def _kill(self, entry: _Entry) -> None:
        if not entry.dead:
            entry.dead = True
            self.dead += 1
            self.pending -= entry.at < 0

    def add_formatting(self, name: str, key: str) -> None:
        """The element just pushed becomes an active formatting element."""
        same = self.by_key[-1].setdefault(key, [])
        same[:] = [e for e in same if not e.dead] if len(same) >= 3 else same
        if len(same) >= 3:  # Noah's Ark: a fourth identical entry drops the earliest (its element stays open)
            self._kill(same.pop(0))
        entry = _Entry(name, key, len(self.names) - 1)
        self.entries[-1] = entry
        same.append(entry)
        self.by_tag[-1].setdefault(name, []).append(entry)
        self.active.append(entry)

    def formatting_entry(self, name: str) -> _Entry | None:
        """The last live entry of tag ``name`` after the last marker."""
        entries = self.by_tag[-1].get(name)
        while entries and entries[-1].dead:
            entries.pop()
        return entries[-1] if entries else None

    def remove_formatting(self, entry: _Entry) -> None:
        self._kill(entry)
        if self.dead > 64 + len(self.active) // 2:  # keep the walks of ``reconstruct`` short
            self.active = [e for e in self.active if e is None or not e.dead]
            self.dead = 0

    def reconstruct(self) -> None:
        """Reopen the live entries after the last one still open (and after the last marker)."""
        if self.pending <= 0:
            return
        reopen, k = [], len(self.active) - 1
        while k >= 0 and (entry := self.active[k]) is not None and (entry.dead or entry.at < 0):
            if not entry.dead:
                reopen.append(entry)
            k -= 1
        for entry in reversed(reopen):
            self.push(entry.name, False, entry)
            self.pending -= 1


def parser_load(html: str, limit: int) -> int:
    """How hard ``html`` is on lexbor's tree builder, as a nesting depth: the deepest its stack
    of open elements (with the formatting elements it would reopen) can get, a quarter level per
    option of one select, a level per distinct attribute of one tag and 1/32 per ignored tag with
    attributes in one run of text. Stops once past ``limit``."""
    stack, load, pos, ignored = _Stack(), 0, 0, 0
    names, by_name, by_class = stack.names, stack.by_name, stack.by_class
    while pos < len(html) and load <= limit:
        restart, text_from = len(html), pos
        for m in _TOKEN.finditer(html, pos):
            close, name, attributes, closed = m.group(1, 2, 3, 4)
            top = names[-1] if names else ""
            in_foreign = bool(top) and stack.foreign[-1] and top not in _INTEGRATION
            if stack.pending and m.start() > text_from and not in_foreign:
                stack.reconstruct()  # text between tags
                top = names[-1] if names else ""
            text_from = m.end()
            if name is None:
                if m.group().startswith("<![CDATA[") and stack.foreign and stack.foreign[-1]:
                    end = html.find("]]>", m.start() + 9)  # in SVG and MathML a CDATA section is text
                    restart = len(html) if end < 0 else end + 3
                    break
                if not m.group()[:9].lower() == "<!doctype":
                    ignored = 0  # a comment node ends the text node
                continue
            name = name.lower()
            if len(attributes) > limit:  # an attribute takes two characters at least; repeats are dropped
                load = max(load, len({a.lower() for a in _ATTRIBUTE_NAMES.findall(attributes)}))
                if load > limit:
                    return load
            changes = stack.changes
            if close:
                if name == top and name not in _NOT_POPPED_BY_OWN_END and name not in _FORMATTING \
                        and name not in _MARKERS and not stack.foreign[-1]:
                    # The common case, inlined (every rule pops the current node on its end tag).
                    stack.changes += 1
                    names.pop()
                    stack.foreign.pop()
                    stack.entries.pop()
                    by_name[name].pop()
                    for cls in stack.classes.pop():
                        by_class[cls].pop()
                else:
                    _end_tag(stack, name, top, in_foreign)
                if stack.changes != changes:
                    ignored = 0
                elif attributes.strip("\t\n\f\r /"):
                    ignored += 1
                    if ignored // 32 > limit:
                        return ignored // 32
                continue
            if ((in_foreign and name not in _BREAKOUT and not (name == "font" and "=" in attributes))
                    or name in ("svg", "math")):
                if name in ("svg", "math") and not in_foreign:
                    stack.reconstruct()
                if closed and attributes.endswith("/") and _self_closing(attributes):
                    stack.changes += 1  # inserted, not left open
                else:
                    stack.push(name, True)
            elif name in _BLOCK_START:  # the common cases first
                stack.close("p", _BUTTON)
                stack.push(name, False)
            elif name not in _OWN_RULES:
                if stack.pending:
                    stack.reconstruct()
                stack.push(name, False)
            else:
                _start_tag(stack, name, attributes)
                if name in _RAW_TEXT and names and names[-1] == name:
                    restart = _raw_text_end(html, name, m.end())
                    load = max(load, len(names) + stack.pending)
                    break
            if stack.changes != changes:
                ignored = 0
            elif attributes.strip("\t\n\f\r /"):  # ignored tags with attributes since the last change
                ignored += 1
            depth = len(names) + stack.pending
            if depth > load or stack.options > 4 * load or ignored > 32 * load:
                load = max(load, depth, stack.options // 4, ignored // 32)
                if load > limit:
                    return load
        pos = restart
    return load


def _self_closing(attributes: str) -> bool:
    # "/" before ">" closes a foreign element, unless it ends an unquoted value ("<path d=M0/>").
    return "=" not in attributes or _SELF_CLOSING.search(attributes) is not None


def _raw_text_end(html: str, name: str, pos: int) -> int:
    """Where the text of a script, style, title... element ends (at its end tag), else the end of ``html``."""
    if name == "plaintext":
        return len(html)
    if name != "script":
        end = _RAW_END[name].search(html, pos)
        return end.start() if end else len(html)
    escaped = 0  # 1: inside "<!--", 2: and then inside "<script>", where "</script>" does not end it
    for event in _SCRIPT_EVENTS.finditer(html, pos):
        token = event.group()
        if token.startswith("<!--"):
            if escaped == 0 and event.group(1) is None:
                escaped = 1
        elif token == "-->":
            escaped = 0
        elif event.group(2):  # </script
            if escaped < 2:
                return event.start()
            escaped = 1
        elif escaped == 1:
            escaped = 2
    return len(html)


def _start_tag(stack: _Stack, name: str, attributes: str) -> None:
    if name in ("html", "body", "head") and stack.last(name) >= 0:
        return  # merged into the open one
    if name in _TABLE_PARTS:
        if stack.last("table") < 0 and stack.last("template") < 0:
            return  # ignored outside tables
        stack.close("td", _TABLE)
        stack.close("th", _TABLE)
        if name in ("tr", "tbody", "thead", "tfoot"):
            stack.close("tr", _TABLE)
        if name in ("tbody", "thead", "tfoot"):
            for group in ("tbody", "thead", "tfoot"):
                stack.close(group, _TABLE)
    elif name == "li":
        stack.close("li", _LI_STOP)
    elif name in ("dd", "dt"):
        stack.close("dd" if stack.last("dd") > stack.last("dt") else "dt", _LI_STOP)
    elif name in ("option", "optgroup"):
        if stack.names and stack.names[-1] == "option":
            stack.pop_to(len(stack.names) - 1)
        if name == "option" and stack.last("select") >= 0:
            stack.options += 1
    elif name == "select":
        stack.options = 0
    elif name == "a" and stack.formatting_entry("a") is not None:  # an open <a> is closed first
        _end_tag(stack, "a", stack.names[-1] if stack.names else "", False)
    if name in _CLOSES_P:
        stack.close("p", _BUTTON)
    if name in _HEADINGS and stack.names and stack.names[-1] in _HEADINGS:
        stack.pop_to(len(stack.names) - 1)
    if name not in _NO_RECONSTRUCT:
        stack.reconstruct()
    if name in _VOID:
        stack.changes += name != "frame"  # inserted (a frame only in a frameset)
        return
    stack.push(name, False)
    if name in _FORMATTING:
        stack.add_formatting(name, name + " " + attributes.strip())


def _end_tag(stack: _Stack, name: str, top: str, in_foreign: bool) -> None:
    if name in _NOT_POPPED_BY_OWN_END:
        return
    if in_foreign:  # up to the matching foreign element, if no HTML one is above it
        i = stack.last(name)
        if i >= 0 and stack.foreign[i] and stack.only_above(i, _FOREIGN):
            stack.pop_to(i)
    elif name in _FORMATTING:  # the adoption agency
        entry = stack.formatting_entry(name)
        if name == top and (stack.entries[-1] is None or stack.entries[-1].dead):
            stack.pop_to(len(stack.names) - 1)  # the current node, no longer an active formatting element
        elif entry is None:
            stack.close(name, _BLOCK)  # as any other end tag
        elif entry.at < 0:
            stack.remove_formatting(entry)  # closed already: only its entry goes
        elif stack.last_of(_BLOCK) < entry.at:  # nothing special inside: it just closes
            stack.remove_formatting(entry)
            stack.pop_to(entry.at)
    elif name == top:  # the current node: every other rule pops it
        stack.pop_to(len(stack.names) - 1)
    elif name == "p":
        stack.close("p", _BUTTON)
    elif name == "li":
        stack.close("li", _LIST)
    elif name in _HEADINGS:
        i = max(stack.last(h) for h in _HEADINGS)
        if i >= 0 and stack.last_of(_IN_SCOPE) < i:
            stack.pop_to(i)
    elif name in ("td", "th", "tr", "tbody", "thead", "tfoot", "caption", "colgroup", "table"):
        stack.close(name, _TABLE)
    elif name == "select":  # only options above it (in select scope)
        i = stack.last(name)
        if i >= 0 and stack.only_above(i, _OPTION):
            stack.pop_to(i)
    elif name in _CLOSES_P or name in ("button", "applet", "marquee", "object"):
        stack.close(name, _IN_SCOPE)
    elif name not in ("template", "head", "form"):
        stack.close(name, _BLOCK)  # any other end tag: up to the first special element
