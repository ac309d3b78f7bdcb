"""A conversation as a tree of versions, and the one path through it that the conversation reads as.

Every message follows one other (``reply_to``: an answer its question, a question the answer before it; the
first question none). Regenerating an answer adds a sibling answer to the same question, editing a question a
sibling question after the same answer, so nothing is ever overwritten. The conversation shows the path from
the first question down to its *current leaf*: the newest message, or the newest message under the version the
user last chose. The SQLite store walks the tree here; the Supabase migration walks it in SQL the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """What the tree needs of a message."""

    id: str
    reply_to: str | None
    role: str
    seq: int


@dataclass(frozen=True)
class Thread:
    """The messages of one conversation, as a tree."""

    nodes: dict[str, Node]

    @classmethod
    def of(cls, nodes: Iterable[Node]) -> Thread:
        """The tree of ``nodes`` (any order)."""
        return cls({n.id: n for n in nodes})

    def path_to(self, leaf: str | None) -> list[str]:
        """The ids from the first question down to ``leaf`` (empty when ``leaf`` is not in the tree)."""
        path: list[str] = []
        node = self.nodes.get(leaf) if leaf is not None else None
        # A link out of the tree (or a loop a hand-made row could form) ends the walk instead of hanging it.
        while node is not None and len(path) <= len(self.nodes):
            path.append(node.id)
            node = self.nodes.get(node.reply_to) if node.reply_to is not None else None
        return path[::-1]

    def newest_under(self, message_id: str) -> str:
        """The newest message in ``message_id``'s subtree (itself when nothing follows it)."""
        under = {message_id}
        # Children always come after their parent, so one pass in order of creation collects the subtree.
        for node in sorted(self.nodes.values(), key=lambda n: n.seq):
            if node.reply_to in under:
                under.add(node.id)
        return max(under, key=lambda i: self.nodes[i].seq)

    def newest(self) -> str | None:
        """The conversation's newest message (None when it has none)."""
        return max(self.nodes.values(), key=lambda n: n.seq).id if self.nodes else None

    def versions(self, message_id: str) -> list[str]:
        """The versions of a message: it and its siblings of the same role, oldest first."""
        node = self.nodes[message_id]
        siblings = [n for n in self.nodes.values() if n.reply_to == node.reply_to and n.role == node.role]
        return [n.id for n in sorted(siblings, key=lambda n: n.seq)]
