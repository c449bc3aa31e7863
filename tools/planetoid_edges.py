#!/usr/bin/env python3
"""Writes a Planetoid `ind.<name>.graph` pickle as an edge list, one line per
adjacency-list entry, exactly as the raw file lists them (repeats and
self-loops included), so that `vgae info` can be checked against the raw
counts the VGAE and GCN papers quote. Standard library only."""
import pickle
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: planetoid_edges.py ind.NAME.graph OUT.edges")
    with open(sys.argv[1], "rb") as f:
        graph = pickle.load(f, encoding="latin1")  # a dict: node -> list of neighbours
    with open(sys.argv[2], "w") as out:
        out.write("# %s: one line per adjacency-list entry of the raw Planetoid graph\n" % sys.argv[1])
        for node in sorted(graph):
            for nb in graph[node]:
                out.write("%d %d\n" % (node, nb))


if __name__ == "__main__":
    main()
