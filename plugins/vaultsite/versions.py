"""What the site says about versions of one note: a list on the canonical page, a banner and a
diff on each other version. Markdown in, Markdown out."""

from __future__ import annotations

from .backlinks import title_link
from .dedup import Group, diff_markdown


def canonical_note(group: Group, titles: dict[str, str]) -> str:
    """Appended to the canonical page: its other versions, each one link away."""
    items = "\n".join(f"    - {title_link(titles[v], v, group.canonical)} · `{v}`" for v in group.versions)
    return (f'\n\n??? info "其他版本 · Other versions ({len(group.versions)})"\n\n'
            f"    这篇笔记还有其他版本；每个版本页都保留全文，并列出与本页的差异。\n"
            f"    This note has other versions; each keeps its full text and shows how it differs from this page.\n\n"
            f"{items}\n")


def version_note(path: str, group: Group, titles: dict[str, str], canonical_body: str, body: str) -> tuple[str, str]:
    """(banner before, diff after) for the version page at `path`."""
    reasons = "\n".join(f"    - {r}" for r in group.reasons)
    banner = (f'!!! warning "另一个版本 · Another version"\n\n'
              f"    这是 {title_link(titles[group.canonical], group.canonical, path)} 的另一个版本，全文保留如下。\n"
              f"    This is another version of {title_link(titles[group.canonical], group.canonical, path)}, "
              f"kept in full below.\n\n"
              f'??? note "为何归为一组 · Why these are versions of one note"\n\n{reasons}\n\n')
    diff = (f"\n\n## 与正式版本的差异 · Differences from the canonical version\n\n"
            f"{diff_markdown(canonical_body, body)}\n")
    return banner, diff
