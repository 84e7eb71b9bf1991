"""Union-find over the integers 0..n-1 (with path halving): the pieces of one
line, one picture or one row of glyphs, joined pair by pair."""
from __future__ import annotations


class DisjointSets:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        """``b``'s set joins ``a``'s (``a``'s root stays the root)."""
        self.parent[self.find(b)] = self.find(a)

    def groups(self, items) -> list[list[int]]:
        """``items`` grouped by their sets, each group and the groups in the
        order of ``items``."""
        out: dict[int, list[int]] = {}
        for i in items:
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())
