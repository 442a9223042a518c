"""Market-basket analysis (crm_apriori)."""

from ctypes import POINTER, byref

from . import _capi, _options
from ._models import _calling, _progress_callback
from .dataset import Dataset, _handle_of, _text

__all__ = ["apriori", "split_items"]


def apriori(ds, tid, item, **options):
    """Frequent itemsets and association rules: returns ``(itemsets, rules)``.

    `ds` is a long table with one row per (transaction, item); `tid` and
    `item` name those columns (e.g. "InvoiceNo", "Description", or the
    "tid", "item" columns of Dataset.read_baskets()). Options are the
    crm_apriori_options fields: ``min_support`` (default 0.01), ``min_count``,
    ``max_len`` (-1 = unlimited), ``target`` ("all", "closed", "maximal"),
    ``min_confidence``, ``min_lift``, ``n_threads``, ``separator``,
    ``prune_redundant`` (True: drop the redundant rules, one rule per itemset
    and no needless antecedent items, as defined in crm/assoc.h), ``progress``
    (a callable ``f(fraction) -> bool``, True cancels).

    Items inside the ``items``, ``antecedent`` and ``consequent`` text columns
    are joined by the separator (", ") with backslash escapes; use
    :func:`split_items` to get them back as lists.
    """
    settings = dict(options)
    if isinstance(settings.get("prune_redundant"), bool):
        settings["prune_redundant"] = int(settings["prune_redundant"])
    target = settings.get("target")
    if isinstance(target, str):
        targets = {"all": _capi.CRM_APRIORI_ALL, "closed": _capi.CRM_APRIORI_CLOSED,
                   "maximal": _capi.CRM_APRIORI_MAXIMAL}
        if target not in targets:
            raise ValueError("apriori(target=%r): use 'all', 'closed' or 'maximal'" % (target,))
        settings["target"] = targets[target]
    progress = settings.pop("progress", None)
    opts, keep = _options.build(_capi.crm_apriori_options, settings, "apriori")
    if progress is not None:
        if opts is None:
            opts = _capi.crm_apriori_options.defaults()
        keep.append(_progress_callback(opts, progress))
    itemsets = POINTER(_capi.crm_dataset)()
    rules = POINTER(_capi.crm_dataset)()
    with _calling(keep):
        _capi.crm_apriori(_handle_of(ds, "apriori()"), _text(tid, "apriori(tid)"), _text(item, "apriori(item)"),
                          None if opts is None else byref(opts), byref(itemsets), byref(rules))
    del keep
    return Dataset._wrap(itemsets), Dataset._wrap(rules)


def split_items(text, separator=", "):
    """The list of items encoded in one ``items``/``antecedent``/``consequent`` cell.

    Reads left to right: ``\\x`` is the literal character x, and the
    separator (unescaped) ends an item.
    """
    if text is None:
        return None
    items, cur, i, n, k = [], [], 0, len(text), len(separator)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            cur.append(text[i + 1])
            i += 2
        elif text.startswith(separator, i):
            items.append("".join(cur))
            cur = []
            i += k
        else:
            cur.append(ch)
            i += 1
    items.append("".join(cur))
    return items
