#!/usr/bin/python3
"""Reference frequent itemsets and association rules by exact counting in pure
Python (standard library only), for the golden files of crm_apriori.

Counting: every item's transactions are kept as a bit set (a Python int, one
bit per transaction); an itemset's count is the population count of the AND
of its items' bit sets. Itemsets are enumerated depth first, extending a
frequent itemset only by items after its last one (so each set is counted
once, and only supersets of frequent sets are counted). An itemset is frequent
when count / N >= min_support, evaluated in floating point exactly as written
(7 of 25 transactions reach 0.28).

Rules: every split of every frequent itemset of size >= 2 into a non-empty
antecedent and consequent (mlxtend's convention), with
confidence = n(S) / n(A), lift = confidence / (n(C) / N),
leverage = s - sA * sC, conviction = (1 - sC) / (1 - confidence) (inf when
the confidence is 1); kept when confidence >= min_confidence.

Orders (those of crm_apriori): itemsets by size, count descending, then the
sorted item lists; rules by lift, confidence and count descending, then the
antecedent and consequent item lists.

usage:
  apriori.py golden BASKETS OUTDIR     write the golden files (retail.dat):
      apriori_retail_counts.tsv    itemsets per size at min_support 0.005 and 0.001
      apriori_retail_0.005.tsv     every itemset at 0.005 with its count
      apriori_retail_rules_0.005.tsv  every rule at 0.005, min_confidence 0.5
  apriori.py mine BASKETS MIN_SUPPORT  print itemsets per size (and the time)
"""
import itertools
import os
import sys
import time


def read_baskets(path):
    """Transactions of a FIMI file: one set of item strings per non-empty line."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            items = line.split()
            if items:
                out.append(set(items))
    return out


def frequent_itemsets(transactions, min_support, max_len=None):
    """Dict frozenset(items) -> count of every frequent itemset."""
    n = len(transactions)
    bits = {}
    for t, items in enumerate(transactions):
        for it in items:
            bits[it] = bits.get(it, 0) | (1 << t)

    def frequent(c):
        return c / n >= min_support

    level = []
    for it, b in bits.items():
        c = b.bit_count()
        if frequent(c):
            level.append((it, b, c))
    # a fixed item order: ascending count, then text
    level.sort(key=lambda x: (x[2], x[0]))
    result = {}

    def expand(prefix, members):
        for i, (it, b, c) in enumerate(members):
            s = prefix + (it,)
            result[frozenset(s)] = c
            if max_len is not None and len(s) >= max_len:
                continue
            ext = []
            for it2, b2, _ in members[i + 1:]:
                bb = b & b2
                cc = bb.bit_count()
                if frequent(cc):
                    ext.append((it2, bb, cc))
            if ext:
                expand(s, ext)

    expand((), level)
    return result, n


def itemset_rows(sets):
    rows = [(len(s), -c, sorted(s), c) for s, c in sets.items()]
    rows.sort()
    return [(items, c) for _, _, items, c in rows]


def rules(sets, n, min_confidence):
    out = []
    for s, c in sets.items():
        if len(s) < 2:
            continue
        items = sorted(s)
        for k in range(1, len(items)):
            for a in itertools.combinations(items, k):
                a = frozenset(a)
                cons = s - a
                na, nc = sets[a], sets[cons]
                conf = c / na
                if conf < min_confidence:
                    continue
                sc = nc / n
                lift = conf / sc
                out.append((-lift, -conf, -c, sorted(a), sorted(cons), na, nc, c, conf, lift))
    out.sort()
    return out


def main(argv):
    if len(argv) >= 4 and argv[1] == "golden":
        path, outdir = argv[2], argv[3]
        tx = read_baskets(path)
        with open(os.path.join(outdir, "apriori_retail_counts.tsv"), "w") as f:
            f.write("min_support\tsize\titemsets\n")
            for ms in ("0.005", "0.001"):
                sets, _ = frequent_itemsets(tx, float(ms))
                by = {}
                for s in sets:
                    by[len(s)] = by.get(len(s), 0) + 1
                for k in sorted(by):
                    f.write("%s\t%d\t%d\n" % (ms, k, by[k]))
        sets, n = frequent_itemsets(tx, 0.005)
        with open(os.path.join(outdir, "apriori_retail_0.005.tsv"), "w") as f:
            f.write("items\tcount\n")
            for items, c in itemset_rows(sets):
                f.write("%s\t%d\n" % (", ".join(items), c))
        with open(os.path.join(outdir, "apriori_retail_rules_0.005.tsv"), "w") as f:
            f.write("antecedent\tconsequent\tantecedent_count\tconsequent_count\tcount\t"
                    "confidence\tlift\n")
            for r in rules(sets, n, 0.5):
                f.write("%s\t%s\t%d\t%d\t%d\t%r\t%r\n"
                        % (", ".join(r[3]), ", ".join(r[4]), r[5], r[6], r[7], r[8], r[9]))
        return 0
    if len(argv) >= 4 and argv[1] == "mine":
        t0 = time.perf_counter()
        tx = read_baskets(argv[2])
        sets, _ = frequent_itemsets(tx, float(argv[3]))
        dt = time.perf_counter() - t0
        by = {}
        for s in sets:
            by[len(s)] = by.get(len(s), 0) + 1
        print("itemsets=%d by_size=%s seconds=%.3f"
              % (len(sets), ",".join(str(by[k]) for k in sorted(by)), dt))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
