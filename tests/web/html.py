"""Read the DSFR markup of a page the way a user sees it: which message stands beside which field.

django-dsfr renders a field's errors inside its group (`<div class="fr-input-group
fr-input-group--error">`, or `fr-select-group…` for a select), in
`<div id="<field id>-desc-error"><ul class="errorlist"><li class="fr-error-text">…`; the errors of
the whole form come first, in `<section class="… fr-input-group--error"><ul class="errorlist
nonfield">`.
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text() for child in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                found.append(child)
                found.extend(child.iter())
        return found

    def by_id(self, element_id: str) -> Node | None:
        return next((node for node in self.iter() if node.attrs.get("id") == element_id), None)

    def with_class(self, name: str) -> list[Node]:
        return [node for node in self.iter() if name in node.classes]

    def ancestors(self) -> list[Node]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def field_errors(html: str, field_id: str) -> list[str]:
    """The messages shown beside the field whose input has id `field_id` (empty when none).

    Also checks that they are where the DSFR puts them: inside the field's group, marked in error.
    """
    box = parse(html).by_id(f"{field_id}-desc-error")
    if box is None:
        return []
    groups = [node for node in box.ancestors() if any(c.endswith("-group--error") for c in node.classes)]
    assert groups, f"the errors of {field_id} are not inside a group marked in error"
    return [item.text() for item in box.with_class("fr-error-text")]


def form_errors(html: str) -> list[str]:
    """The messages about the whole form, shown above its fields."""
    messages = []
    for errorlist in parse(html).with_class("nonfield"):
        assert any("fr-input-group--error" in node.classes for node in errorlist.ancestors())
        messages.extend(item.text() for item in errorlist.with_class("fr-error-text"))
    return messages


def text_of(html: str) -> str:
    """The text of the page, as read on screen (entities decoded, spaces collapsed)."""
    return parse(html).text()


def all_errors(html: str) -> list[str]:
    return [item.text() for item in parse(html).with_class("fr-error-text")]
